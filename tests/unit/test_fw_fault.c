/*
 * Fault injection through swsev_fw_ops.fault (docs/firmware.md "Fault
 * injection"): a fault at a clean-up point (SHUTDOWN, DF_FLUSH) returns
 * HWERROR_UNSAFE and every later command does too, until the platform
 * object is created again; a fault anywhere else returns HWERROR_PLATFORM
 * and changes nothing. The hook is off by default and honours ops->size.
 * (The DOWNLOAD_FIRMWARE point is tested in test_fw_download.)
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "test_fw_util.h"

#define ASID 300 /* genoa: SEV ASIDs 201..1006 */

/* Fails the step (cmd, point) while armed; counts what it was asked. */
struct fault {
	uint32_t cmd;
	const char *point;
	int armed;
	unsigned hits;         /* faults injected */
	unsigned asked[0x70];  /* per command ID: consultations of "command" */
	unsigned other_points; /* consultations of the other points */
};

static int hook(void *ctx, uint32_t cmd, const char *point)
{
	struct fault *f = ctx;

	if (strcmp(point, SWSEV_FAULT_COMMAND) == 0) {
		if (cmd < sizeof(f->asked) / sizeof(f->asked[0]))
			f->asked[cmd]++;
	} else {
		f->other_points++;
	}
	if (f->armed && cmd == f->cmd && strcmp(point, f->point) == 0) {
		f->hits++;
		return 1;
	}
	return 0;
}

static void arm(struct fault *f, uint32_t cmd, const char *point)
{
	f->cmd = cmd;
	f->point = point;
	f->armed = 1;
	f->hits = 0;
}

/* A genoa platform whose ops carry the hook with context f. */
static int plat_new(struct tplat *p, struct fault *f)
{
	memset(p, 0, sizeof(*p));
	memset(f, 0, sizeof(*f));
	if (swsev_nvmem_ops(&p->ops) != SWSEV_OK)
		return -1;
	p->ops.fault = hook;
	p->ops.fault_ctx = f;
	if (swsev_fw_new(swsev_profile_find("genoa"), &p->ops, t_root(), &p->fw) != SWSEV_OK)
		return -1;
	p->mem = swsev_fw_dram(p->fw);
	return 0;
}

static uint8_t pstate(struct tplat *p)
{
	uint8_t b[12] = { 0 };

	if (t_cmd(p, SEV_CMD_PLATFORM_STATUS, b) != SEV_STATUS_SUCCESS)
		return 0xFF;
	return b[2];
}

TEST(off_by_default_and_ops_size)
{
	struct tplat p;
	struct fault f;
	struct swsev_fw_ops o;
	swsev_fw *fw = NULL;

	/* built-in ops: no hook */
	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK(p.ops.fault == NULL);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	t_plat_free(&p);

	/* ops that end before `fault` (an older caller): the hook in the
	 * memory after them is never called */
	memset(&f, 0, sizeof(f));
	CHECK_EQ(swsev_nvmem_ops(&o), SWSEV_OK);
	o.fault = hook;
	o.fault_ctx = &f;
	arm(&f, SEV_CMD_DF_FLUSH, SWSEV_FAULT_DF_FLUSH);
	o.size = offsetof(struct swsev_fw_ops, fault);
	CHECK_EQ(swsev_fw_new(swsev_profile_find("genoa"), &o, t_root(), &fw), SWSEV_OK);
	memset(&p, 0, sizeof(p));
	p.fw = fw;
	p.mem = swsev_fw_dram(fw);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(f.hits, 0);
	CHECK_EQ(f.asked[SEV_CMD_INIT], 0);
	swsev_fw_free(fw);
	fw = NULL;
	/* shorter still: refused */
	o.size = offsetof(struct swsev_fw_ops, fault) - 1;
	CHECK_EQ(swsev_fw_new(NULL, &o, NULL, &fw), SWSEV_E_INVALID);
	CHECK(fw == NULL);
	/* the full size: the hook runs */
	o.size = sizeof(o);
	CHECK_EQ(swsev_fw_new(NULL, &o, NULL, &fw), SWSEV_OK);
	p.fw = fw;
	p.mem = swsev_fw_dram(fw);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(f.asked[SEV_CMD_INIT], 1);
	swsev_fw_wbinvd(fw);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_HWERROR_UNSAFE);
	CHECK_EQ(f.hits, 1);
	swsev_fw_free(fw);
	swsev_fw_ops_release(&o);
}

/* HWERROR_PLATFORM: the command fails, the platform is as it was, and the
 * same command succeeds once the fault is gone. */
TEST(hwerror_platform_changes_nothing)
{
	struct tplat p;
	struct fault f;
	uint8_t pdh1[SWSEV_CERT_LEN], pdh2[SWSEV_CERT_LEN], gstate = 0, b[12] = { 0 };
	uint32_t h = 0, asid = 1;

	CHECK(plat_new(&p, &f) == 0);
	/* INIT failing while it reads the NV store: still UNINIT */
	arm(&f, SEV_CMD_INIT, SWSEV_FAULT_INIT_LOAD);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_HWERROR_PLATFORM);
	CHECK_EQ(f.hits, 1);
	CHECK_EQ(pstate(&p), SWSEV_PSTATE_UNINIT);
	f.armed = 0;
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(pstate(&p), SWSEV_PSTATE_INIT);

	/* every command is consulted at entry, with its own ID */
	CHECK_EQ(f.asked[SEV_CMD_PLATFORM_STATUS], 2);
	CHECK_EQ(f.asked[SEV_CMD_DF_FLUSH], 1);
	CHECK(f.other_points >= 3); /* init.load twice, df_flush.flush once */

	/* PDH_GEN failing on entry: the PDH stays */
	CHECK_EQ(t_pdh_export(&p, pdh1, NULL), SEV_STATUS_SUCCESS);
	arm(&f, SEV_CMD_PDH_GEN, SWSEV_FAULT_COMMAND);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_HWERROR_PLATFORM);
	CHECK_EQ(t_pdh_export(&p, pdh2, NULL), SEV_STATUS_SUCCESS);
	CHECK_MEM(pdh1, pdh2, SWSEV_CERT_LEN);
	f.armed = 0;
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh2, NULL), SEV_STATUS_SUCCESS);
	CHECK(memcmp(pdh1, pdh2, SWSEV_CERT_LEN) != 0);

	/* ACTIVATE failing (the memory controller's key-slot load, as a
	 * hypervisor sees it): no ASID bound, no key loaded */
	CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	arm(&f, SEV_CMD_ACTIVATE, SWSEV_FAULT_COMMAND);
	CHECK_EQ(t_activate(&p, h, ASID), SEV_STATUS_HWERROR_PLATFORM);
	CHECK_EQ(t_guest_status(&p, h, NULL, &asid, &gstate), SEV_STATUS_SUCCESS);
	CHECK_EQ(asid, 0);
	CHECK_EQ(gstate, SWSEV_GSTATE_LUPDATE);
	CHECK(!swsev_mem_slot_loaded(p.mem, ASID));
	f.armed = 0;
	CHECK_EQ(t_activate(&p, h, ASID), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_guest_status(&p, h, NULL, &asid, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(asid, ASID);
	/* not unsafe: everything still runs */
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, b), SEV_STATUS_SUCCESS);
	CHECK_EQ(b[2], SWSEV_PSTATE_WORKING);
	/* SHUTDOWN's entry (not its clean-up) is a HWERROR_PLATFORM point too */
	arm(&f, SEV_CMD_SHUTDOWN, SWSEV_FAULT_COMMAND);
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_HWERROR_PLATFORM);
	CHECK_EQ(pstate(&p), SWSEV_PSTATE_WORKING);
	f.armed = 0;
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	t_plat_free(&p);
}

/* Every command ID, known or not, with a buffer large enough for any. */
static void all_unsafe(struct tplat *p)
{
	static const uint32_t ids[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
					0x0B, 0x0C, 0x0D, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x30,
					0x31, 0x32, 0x33, 0x34, 0x35, 0x40, 0x41, 0x42, 0x43, 0x44,
					0x50, 0x51, 0x52, 0x53, 0x60, 0x61, 0x99, 0xA0 };
	uint8_t b[0x44];

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint16_t st;

		memset(b, 0, sizeof(b));
		st = swsev_fw_command(p->fw, ids[i], b, sizeof(b));
		if (st != SEV_STATUS_HWERROR_UNSAFE)
			fprintf(stderr, "  command 0x%x: status 0x%x\n", ids[i], st);
		CHECK_EQ(st, SEV_STATUS_HWERROR_UNSAFE);
	}
	CHECK_EQ(swsev_fw_command(p->fw, SEV_CMD_SHUTDOWN, NULL, 0), SEV_STATUS_HWERROR_UNSAFE);
}

TEST(shutdown_cleanup_fault_is_unsafe)
{
	struct tplat p;
	struct fault f;
	uint8_t pdh1[SWSEV_CERT_LEN], pdh2[SWSEV_CERT_LEN];
	swsev_fw *again = NULL;
	uint32_t h;

	CHECK(plat_new(&p, &f) == 0);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh1, NULL), SEV_STATUS_SUCCESS);
	h = t_quick_guest(&p, 0, ASID, 4096);
	CHECK(h != 0);
	CHECK(swsev_mem_slot_loaded(p.mem, ASID));
	arm(&f, SEV_CMD_SHUTDOWN, SWSEV_FAULT_SHUTDOWN);
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_HWERROR_UNSAFE);
	CHECK_EQ(f.hits, 1);
	/* the guest's key is gone all the same */
	CHECK(!swsev_mem_slot_loaded(p.mem, ASID));
	/* unsafe: every command, even with the fault gone */
	all_unsafe(&p);
	f.armed = 0;
	all_unsafe(&p);
	swsev_fw_wbinvd(p.fw);
	all_unsafe(&p);

	/* "reset": the platform object created again from the same NV state */
	CHECK_EQ(swsev_fw_new(NULL, &p.ops, NULL, &again), SWSEV_OK);
	swsev_fw_free(p.fw);
	p.fw = again;
	p.mem = swsev_fw_dram(again);
	CHECK_EQ(pstate(&p), SWSEV_PSTATE_UNINIT);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	/* the persistent identity survived */
	CHECK_EQ(t_pdh_export(&p, pdh2, NULL), SEV_STATUS_SUCCESS);
	CHECK_MEM(pdh1, pdh2, SWSEV_CERT_LEN);
	CHECK(t_quick_guest(&p, 0, ASID, 4096) != 0);
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	t_plat_free(&p);
}

TEST(df_flush_fault_is_unsafe)
{
	struct tplat p;
	struct fault f;
	uint8_t b[12] = { 0 };

	CHECK(plat_new(&p, &f) == 0);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	arm(&f, SEV_CMD_DF_FLUSH, SWSEV_FAULT_DF_FLUSH);
	/* WBINVD first: the flush point is not reached */
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_WBINVD_REQUIRED);
	CHECK_EQ(f.hits, 0);
	swsev_fw_wbinvd(p.fw);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_HWERROR_UNSAFE);
	CHECK_EQ(f.hits, 1);
	f.armed = 0;
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, b), SEV_STATUS_HWERROR_UNSAFE);
	all_unsafe(&p);
	t_plat_free(&p);

	/* without the fault the same sequence is clean */
	CHECK(plat_new(&p, &f) == 0);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	swsev_fw_wbinvd(p.fw);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, b), SEV_STATUS_SUCCESS);
	t_plat_free(&p);
}

TH_MAIN_BEGIN("test_fw_fault")
RUN(off_by_default_and_ops_size);
RUN(hwerror_platform_changes_nothing);
RUN(shutdown_cleanup_fault_is_unsafe);
RUN(df_flush_fault_is_unsafe);
swsev_vendor_root_free(t_root_cached);
TH_MAIN_END
