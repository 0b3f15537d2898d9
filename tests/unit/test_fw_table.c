/*
 * Table-driven state tests: every command in every platform state and in
 * every guest state, with the status the spec (commands.md §4, §5) gives;
 * the ASID lifecycle; handle allocation; concurrency; and a coverage check
 * that every reachable status code was produced by some command here.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "test_fw_util.h"

#define ES_ASID 3
#define S 0xFFFF /* "any status except the state errors" */

/* A buffer for cmd that is well formed for guest `h` (addresses aligned,
 * lengths valid), so the state checks decide. */
static void fill(uint32_t cmd, uint32_t h, uint8_t *b)
{
	memset(b, 0, 0x44);
	switch (cmd) {
	case SEV_CMD_INIT: break;
	case SEV_CMD_PEK_CSR:
	case SEV_CMD_GET_ID:
	case SEV_CMD_DOWNLOAD_FIRMWARE:
		swsev_wle64(b, T_OUT);
		swsev_wle32(b + 8, SWSEV_CERT_LEN);
		break;
	case SEV_CMD_PEK_CERT_IMPORT:
	case SEV_CMD_PDH_CERT_EXPORT:
		swsev_wle64(b, T_OUT);
		swsev_wle32(b + 8, SWSEV_CERT_LEN);
		swsev_wle64(b + 0x10, T_OUT + 0x1000);
		swsev_wle32(b + 0x18,
			    cmd == SEV_CMD_PDH_CERT_EXPORT ? SWSEV_CHAIN_LEN : SWSEV_CERT_LEN);
		break;
	case SEV_CMD_ACTIVATE:
		swsev_wle32(b, h);
		swsev_wle32(b + 4, ES_ASID);
		break;
	case SEV_CMD_ACTIVATE_EX:
		swsev_wle32(b, 0x18);
		swsev_wle32(b + 4, h);
		swsev_wle32(b + 8, ES_ASID);
		swsev_wle32(b + 0xC, 1);
		swsev_wle64(b + 0x10, T_OUT);
		break;
	case SEV_CMD_COPY:
		swsev_wle32(b, h);
		swsev_wle32(b + 4, 4096);
		swsev_wle64(b + 8, T_GUEST);
		swsev_wle64(b + 0x10, T_GUEST2);
		break;
	case SEV_CMD_LAUNCH_START: swsev_wle32(b + 4, SWSEV_POLICY_ES); break;
	case SEV_CMD_LAUNCH_UPDATE_DATA:
	case SEV_CMD_LAUNCH_UPDATE_VMSA:
	case SEV_CMD_LAUNCH_MEASURE:
		swsev_wle32(b, h);
		swsev_wle64(b + 8, T_GUEST);
		swsev_wle32(b + 0x10, cmd == SEV_CMD_LAUNCH_MEASURE ? 48 : 4096);
		break;
	case SEV_CMD_LAUNCH_SECRET:
	case SEV_CMD_SEND_UPDATE_DATA:
	case SEV_CMD_SEND_UPDATE_VMSA:
	case SEV_CMD_RECEIVE_UPDATE_DATA:
	case SEV_CMD_RECEIVE_UPDATE_VMSA:
		swsev_wle32(b, h);
		swsev_wle64(b + 8, T_BUF3);
		swsev_wle32(b + 0x10, 52);
		swsev_wle64(b + 0x18, T_GUEST);
		swsev_wle32(b + 0x20, 4096);
		swsev_wle64(b + 0x28, T_BUF4);
		swsev_wle32(b + 0x30, 4096);
		break;
	case SEV_CMD_SEND_START:
		swsev_wle32(b, h);
		swsev_wle64(b + 0x08, T_BUF);
		swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
		swsev_wle64(b + 0x38, T_BUF2);
		swsev_wle32(b + 0x40, SWSEV_SESSION_LEN);
		break;
	case SEV_CMD_RECEIVE_START:
		swsev_wle32(b + 4, SWSEV_POLICY_ES);
		swsev_wle64(b + 8, T_BUF);
		swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
		swsev_wle64(b + 0x18, T_BUF2);
		swsev_wle32(b + 0x20, SWSEV_SESSION_LEN);
		break;
	case SEV_CMD_DBG_DECRYPT:
	case SEV_CMD_DBG_ENCRYPT:
		swsev_wle32(b, h);
		swsev_wle64(b + 8, T_GUEST);
		swsev_wle64(b + 0x10, T_BUF);
		swsev_wle32(b + 0x18, 64);
		break;
	default: /* handle-only commands */ swsev_wle32(b, h); break;
	}
}

static const uint32_t all_cmds[] = {
	SEV_CMD_INIT,
	SEV_CMD_SHUTDOWN,
	SEV_CMD_PLATFORM_RESET,
	SEV_CMD_PLATFORM_STATUS,
	SEV_CMD_PEK_GEN,
	SEV_CMD_PEK_CSR,
	SEV_CMD_PEK_CERT_IMPORT,
	SEV_CMD_PDH_CERT_EXPORT,
	SEV_CMD_PDH_GEN,
	SEV_CMD_DF_FLUSH,
	SEV_CMD_DOWNLOAD_FIRMWARE,
	SEV_CMD_GET_ID,
	SEV_CMD_DECOMMISSION,
	SEV_CMD_ACTIVATE,
	SEV_CMD_DEACTIVATE,
	SEV_CMD_GUEST_STATUS,
	SEV_CMD_COPY,
	SEV_CMD_ACTIVATE_EX,
	SEV_CMD_LAUNCH_START,
	SEV_CMD_LAUNCH_UPDATE_DATA,
	SEV_CMD_LAUNCH_UPDATE_VMSA,
	SEV_CMD_LAUNCH_MEASURE,
	SEV_CMD_LAUNCH_SECRET,
	SEV_CMD_LAUNCH_FINISH,
	SEV_CMD_SEND_START,
	SEV_CMD_SEND_UPDATE_DATA,
	SEV_CMD_SEND_UPDATE_VMSA,
	SEV_CMD_SEND_FINISH,
	SEV_CMD_SEND_CANCEL,
	SEV_CMD_RECEIVE_START,
	SEV_CMD_RECEIVE_UPDATE_DATA,
	SEV_CMD_RECEIVE_UPDATE_VMSA,
	SEV_CMD_RECEIVE_FINISH,
	SEV_CMD_DBG_DECRYPT,
	SEV_CMD_DBG_ENCRYPT,
};
#define NCMDS (sizeof(all_cmds) / sizeof(all_cmds[0]))

static void setup(struct tplat *p, int init)
{
	CHECK(t_plat_new(p, "genoa") == 0);
	if (init)
		CHECK_EQ(t_init_flush(p, 1), SEV_STATUS_SUCCESS);
	t_write(p, T_OUT, "x", 1);
}

/* Platform states: expected status per command (handle 1 names no guest). */
TEST(platform_state_table)
{
	static const struct {
		uint32_t cmd;
		uint16_t uninit, init;
	} tab[] = {
		{ SEV_CMD_INIT, SEV_STATUS_SUCCESS, SEV_STATUS_INVALID_PLATFORM_STATE },
		{ SEV_CMD_SHUTDOWN, SEV_STATUS_SUCCESS, SEV_STATUS_SUCCESS },
		{ SEV_CMD_PLATFORM_RESET, SEV_STATUS_SUCCESS, SEV_STATUS_INVALID_PLATFORM_STATE },
		{ SEV_CMD_PLATFORM_STATUS, SEV_STATUS_SUCCESS, SEV_STATUS_SUCCESS },
		{ SEV_CMD_PEK_GEN, SEV_STATUS_INVALID_PLATFORM_STATE, SEV_STATUS_SUCCESS },
		{ SEV_CMD_PEK_CSR, SEV_STATUS_INVALID_PLATFORM_STATE, SEV_STATUS_SUCCESS },
		{ SEV_CMD_PEK_CERT_IMPORT, SEV_STATUS_INVALID_PLATFORM_STATE,
		  SEV_STATUS_INVALID_CERTIFICATE },
		{ SEV_CMD_PDH_CERT_EXPORT, SEV_STATUS_INVALID_PLATFORM_STATE, SEV_STATUS_SUCCESS },
		{ SEV_CMD_PDH_GEN, SEV_STATUS_INVALID_PLATFORM_STATE, SEV_STATUS_SUCCESS },
		{ SEV_CMD_DF_FLUSH, SEV_STATUS_SUCCESS, SEV_STATUS_SUCCESS },
		/* DRAM at T_OUT holds no firmware image: a malformed header */
		{ SEV_CMD_DOWNLOAD_FIRMWARE, SEV_STATUS_INVALID_PARAM,
		  SEV_STATUS_INVALID_PLATFORM_STATE },
		{ SEV_CMD_GET_ID, SEV_STATUS_SUCCESS, SEV_STATUS_SUCCESS },
		{ SEV_CMD_GUEST_STATUS, SEV_STATUS_INVALID_PLATFORM_STATE,
		  SEV_STATUS_INVALID_GUEST },
		{ SEV_CMD_LAUNCH_START, SEV_STATUS_INVALID_PLATFORM_STATE, SEV_STATUS_SUCCESS },
		/* all-zero session and cert: the cert is not a PDH */
		{ SEV_CMD_RECEIVE_START, SEV_STATUS_INVALID_PLATFORM_STATE,
		  SEV_STATUS_INVALID_CERTIFICATE },
	};
	uint8_t b[0x44];

	for (int init = 0; init < 2; init++) {
		for (size_t i = 0; i < NCMDS; i++) {
			struct tplat p;
			uint16_t want = init ? SEV_STATUS_INVALID_PLATFORM_STATE :
					       SEV_STATUS_INVALID_PLATFORM_STATE;
			uint16_t st;
			for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++)
				if (tab[k].cmd == all_cmds[i])
					want = init ? tab[k].init : tab[k].uninit;
			setup(&p, init);
			fill(all_cmds[i], 1, b);
			st = t_cmd(&p, all_cmds[i], b);
			if (st != want)
				fprintf(stderr, "  %s in %s: got 0x%x want 0x%x\n",
					swsev_cmd_name(all_cmds[i]), init ? "INIT" : "UNINIT", st,
					want);
			CHECK_EQ(st, want);
			t_plat_free(&p);
		}
	}
}

/* WORKING with an unknown handle: INVALID_GUEST for every guest command. */
TEST(working_invalid_handle)
{
	struct tplat p;
	uint8_t b[0x44];

	setup(&p, 1);
	CHECK(t_launch_start(&p, 0, SWSEV_POLICY_ES, NULL, NULL, NULL) == SEV_STATUS_SUCCESS);
	for (size_t i = 0; i < NCMDS; i++) {
		uint32_t c = all_cmds[i];
		if (c < 0x20 || c == SEV_CMD_RECEIVE_START)
			continue;
		fill(c, 77, b);
		if (c == SEV_CMD_LAUNCH_START)
			swsev_wle32(b, 77); /* key sharing with a guest that does not exist */
		CHECK_EQ(t_cmd(&p, c, b), SEV_STATUS_INVALID_GUEST);
	}
	/* platform commands in WORKING */
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_GEN, NULL), SEV_STATUS_INVALID_PLATFORM_STATE);
	fill(SEV_CMD_PEK_CERT_IMPORT, 0, b);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CERT_IMPORT, b), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_RESET, NULL), SEV_STATUS_INVALID_PLATFORM_STATE);
	fill(SEV_CMD_INIT, 0, b);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_SUCCESS);
	fill(SEV_CMD_PEK_CSR, 0, b);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CSR, b), SEV_STATUS_SUCCESS);
	fill(SEV_CMD_PLATFORM_STATUS, 0, b);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, b), SEV_STATUS_SUCCESS);
	CHECK_EQ(b[2], SWSEV_PSTATE_WORKING);
	/* SHUTDOWN destroys the guests */
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_guest_status(&p, 1, NULL, NULL, NULL), SEV_STATUS_INVALID_GUEST);
	t_plat_free(&p);
}

/* Brings a fresh ES guest (ASID ES_ASID bound) into `state`. */
static uint32_t guest_in(struct tplat *p, uint8_t state)
{
	uint8_t pdh[SWSEV_CERT_LEN], session[SWSEV_SESSION_LEN], m[48], b[0x44];
	uint32_t h = 0, h2 = 0;

	CHECK_EQ(t_pdh_export(p, pdh, NULL), SEV_STATUS_SUCCESS);
	t_write(p, T_BUF, pdh, sizeof(pdh)); /* fill() names T_BUF as the PDH */
	if (state == SWSEV_GSTATE_RUPDATE) {
		/* a session from SEND_START towards ourselves */
		h2 = t_quick_guest(p, SWSEV_POLICY_ES, ES_ASID + 1, 4096);
		fill(SEV_CMD_SEND_START, h2, b);
		CHECK_EQ(t_cmd(p, SEV_CMD_SEND_START, b), SEV_STATUS_SUCCESS);
		t_read(p, T_BUF2, session, sizeof(session));
		fill(SEV_CMD_RECEIVE_START, 0, b);
		CHECK_EQ(t_cmd(p, SEV_CMD_RECEIVE_START, b), SEV_STATUS_SUCCESS);
		h = swsev_le32(b);
		CHECK_EQ(t_activate(p, h, ES_ASID), SEV_STATUS_SUCCESS);
		return h;
	}
	CHECK_EQ(t_launch_start(p, 0, SWSEV_POLICY_ES, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(p, h, ES_ASID), SEV_STATUS_SUCCESS);
	if (state == SWSEV_GSTATE_LUPDATE)
		return h;
	/* a VMSA at T_GUEST, which SEND_UPDATE_VMSA sends in SUPDATE */
	CHECK_EQ(t_update(p, SEV_CMD_LAUNCH_UPDATE_VMSA, h, T_GUEST, 4096), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_measure(p, h, m), SEV_STATUS_SUCCESS);
	if (state == SWSEV_GSTATE_LSECRET)
		return h;
	CHECK_EQ(t_handle_cmd(p, SEV_CMD_LAUNCH_FINISH, h), SEV_STATUS_SUCCESS);
	if (state == SWSEV_GSTATE_RUNNING)
		return h;
	fill(SEV_CMD_SEND_START, h, b);
	CHECK_EQ(t_cmd(p, SEV_CMD_SEND_START, b), SEV_STATUS_SUCCESS);
	if (state == SWSEV_GSTATE_SUPDATE)
		return h;
	CHECK_EQ(t_handle_cmd(p, SEV_CMD_SEND_FINISH, h), SEV_STATUS_SUCCESS);
	return h;
}

/* commands.md §5.1 (+ Genoa notes): the guest states each command accepts. */
#define BIT(s) (1u << (s))
#define ALLST (BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6))
static const struct {
	uint32_t cmd;
	unsigned states; /* states where the guest state check passes */
	uint16_t in_ok;  /* expected status there (S: not a state error) */
} gtab[] = {
	{ SEV_CMD_LAUNCH_UPDATE_DATA, BIT(1), SEV_STATUS_SUCCESS },
	{ SEV_CMD_LAUNCH_UPDATE_VMSA, BIT(1), SEV_STATUS_SUCCESS },
	{ SEV_CMD_LAUNCH_MEASURE, BIT(1), SEV_STATUS_SUCCESS },
	{ SEV_CMD_LAUNCH_SECRET, BIT(2), SEV_STATUS_BAD_MEASUREMENT }, /* zero header */
	{ SEV_CMD_LAUNCH_FINISH, BIT(2), SEV_STATUS_SUCCESS },
	{ SEV_CMD_SEND_START, BIT(3), SEV_STATUS_SUCCESS },
	{ SEV_CMD_SEND_UPDATE_DATA, BIT(4), SEV_STATUS_SUCCESS },
	{ SEV_CMD_SEND_UPDATE_VMSA, BIT(4), SEV_STATUS_SUCCESS },
	{ SEV_CMD_SEND_FINISH, BIT(4), SEV_STATUS_SUCCESS },
	{ SEV_CMD_SEND_CANCEL, BIT(4), SEV_STATUS_SUCCESS },
	{ SEV_CMD_RECEIVE_UPDATE_DATA, BIT(5), SEV_STATUS_BAD_MEASUREMENT },
	{ SEV_CMD_RECEIVE_UPDATE_VMSA, BIT(5), SEV_STATUS_BAD_MEASUREMENT },
	{ SEV_CMD_RECEIVE_FINISH, BIT(5), SEV_STATUS_SUCCESS },
	{ SEV_CMD_GUEST_STATUS, ALLST, SEV_STATUS_SUCCESS },
	{ SEV_CMD_DEACTIVATE, ALLST, SEV_STATUS_SUCCESS },
	{ SEV_CMD_DECOMMISSION, ALLST, SEV_STATUS_ACTIVE }, /* an ASID is bound */
	{ SEV_CMD_ACTIVATE, ALLST, SEV_STATUS_ASID_OWNED }, /* its own ASID */
	{ SEV_CMD_ACTIVATE_EX, ALLST, SEV_STATUS_SUCCESS }, /* same ASID again */
	{ SEV_CMD_COPY, ALLST, SEV_STATUS_SUCCESS },        /* no state check */
	{ SEV_CMD_DBG_DECRYPT, ALLST, SEV_STATUS_SUCCESS },
	{ SEV_CMD_DBG_ENCRYPT, ALLST, SEV_STATUS_SUCCESS },
};

TEST(guest_state_table)
{
	uint8_t b[0x44];

	for (uint8_t s = SWSEV_GSTATE_LUPDATE; s <= SWSEV_GSTATE_SENT; s++) {
		for (size_t i = 0; i < sizeof(gtab) / sizeof(gtab[0]); i++) {
			struct tplat p;
			uint32_t h;
			uint16_t st, want;
			setup(&p, 1);
			h = guest_in(&p, s);
			fill(gtab[i].cmd, h, b);
			want = (gtab[i].states & BIT(s)) ? gtab[i].in_ok :
							   SEV_STATUS_INVALID_GUEST_STATE;
			st = t_cmd(&p, gtab[i].cmd, b);
			if (st != want)
				fprintf(stderr, "  %s in guest state %u: got 0x%x want 0x%x\n",
					swsev_cmd_name(gtab[i].cmd), s, st, want);
			CHECK_EQ(st, want);
			if (gtab[i].cmd == SEV_CMD_GUEST_STATUS) {
				CHECK_EQ(b[12], s);
				CHECK_EQ(swsev_le32(b + 8), ES_ASID);
			}
			t_plat_free(&p);
		}
	}
	/* ACTIVATE of an inactive guest in SENT: INVALID_GUEST_STATE */
	{
		struct tplat p;
		uint32_t h;
		setup(&p, 1);
		h = guest_in(&p, SWSEV_GSTATE_SENT);
		CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DEACTIVATE, h), SEV_STATUS_SUCCESS);
		swsev_fw_wbinvd(p.fw);
		CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_SUCCESS);
		CHECK_EQ(t_activate(&p, h, ES_ASID), SEV_STATUS_INVALID_GUEST_STATE);
		CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DECOMMISSION, h), SEV_STATUS_SUCCESS);
		t_plat_free(&p);
	}
}

TEST(asid_lifecycle)
{
	struct tplat p;
	uint32_t a, b2, c;
	uint8_t st[12];

	setup(&p, 0);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &a), SEV_STATUS_SUCCESS);
	/* after INIT every ASID is dirty; DF_FLUSH needs WBINVD first */
	CHECK_EQ(t_activate(&p, a, 300), SEV_STATUS_DFFLUSH_REQUIRED);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_WBINVD_REQUIRED);
	swsev_fw_wbinvd(p.fw);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, a, 0), SEV_STATUS_INVALID_ASID);
	CHECK_EQ(t_activate(&p, a, 1007), SEV_STATUS_INVALID_ASID);
	CHECK_EQ(t_activate(&p, a, 5), SEV_STATUS_INVALID_ASID); /* SEV-ES range, SEV guest */
	/* memory commands need an ASID */
	CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_DATA, a, T_GUEST, 4096), SEV_STATUS_INACTIVE);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DEACTIVATE, a), SEV_STATUS_INACTIVE);
	CHECK_EQ(t_activate(&p, a, 300), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, a, 301), SEV_STATUS_ACTIVE);
	CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &b2), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, b2, 300), SEV_STATUS_ASID_OWNED);
	/* pending (LUPDATE): DEACTIVATE leaves the ASID clean */
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DECOMMISSION, a), SEV_STATUS_ACTIVE);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DEACTIVATE, a), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, b2, 300), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DECOMMISSION, a), SEV_STATUS_SUCCESS);
	/* a running guest leaves its ASID dirty: reuse needs WBINVD + DF_FLUSH */
	c = t_quick_guest(&p, 0, 400, 4096);
	CHECK(c != 0);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DEACTIVATE, c), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DECOMMISSION, c), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &c), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, c, 400), SEV_STATUS_DFFLUSH_REQUIRED);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_WBINVD_REQUIRED);
	CHECK_EQ(t_activate(&p, c, 400), SEV_STATUS_DFFLUSH_REQUIRED);
	swsev_fw_wbinvd(p.fw);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, c, 400), SEV_STATUS_SUCCESS);
	/* the key slot follows ACTIVATE/DEACTIVATE */
	CHECK(swsev_mem_slot_loaded(p.mem, 400));
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DEACTIVATE, c), SEV_STATUS_SUCCESS);
	CHECK(!swsev_mem_slot_loaded(p.mem, 400));
	/* lowest free handle reused: b2 = 2, c = 1 */
	CHECK_EQ(c, 1);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DECOMMISSION, c), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &c), SEV_STATUS_SUCCESS);
	CHECK_EQ(c, 1);
	/* decommissioning every guest returns to INIT */
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DECOMMISSION, c), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DEACTIVATE, b2), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DECOMMISSION, b2), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, st), SEV_STATUS_SUCCESS);
	CHECK_EQ(st[2], SWSEV_PSTATE_INIT);
	t_plat_free(&p);
}

TEST(activate_ex_and_copy)
{
	struct tplat p;
	uint8_t b[0x44], img[8192], got[8192], raw1[4096], raw2[4096];
	uint32_t h;

	setup(&p, 1);
	h = t_quick_guest(&p, 0, 300, sizeof(img));
	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_DEACTIVATE, h), SEV_STATUS_SUCCESS);
	swsev_fw_wbinvd(p.fw);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_SUCCESS);
	fill(SEV_CMD_ACTIVATE_EX, h, b);
	swsev_wle32(b + 8, 300);
	swsev_wle32(b, 0x14);
	CHECK_EQ(t_cmd(&p, SEV_CMD_ACTIVATE_EX, b), SEV_STATUS_INVALID_PARAM);
	swsev_wle32(b, 0x18);
	swsev_wle32(b + 0xC, 0);
	CHECK_EQ(t_cmd(&p, SEV_CMD_ACTIVATE_EX, b), SEV_STATUS_INVALID_PARAM);
	swsev_wle32(b + 0xC, 1025);
	CHECK_EQ(t_cmd(&p, SEV_CMD_ACTIVATE_EX, b), SEV_STATUS_INVALID_PARAM);
	swsev_wle32(b + 0xC, 2);
	CHECK_EQ(t_cmd(&p, SEV_CMD_ACTIVATE_EX, b), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&p, SEV_CMD_ACTIVATE_EX, b), SEV_STATUS_SUCCESS); /* more CCXs */
	swsev_wle32(b + 8, 301);
	CHECK_EQ(t_cmd(&p, SEV_CMD_ACTIVATE_EX, b), SEV_STATUS_ACTIVE);
	/* COPY re-encrypts for the destination address */
	CHECK_EQ(swsev_mem_read_enc(p.mem, 300, T_GUEST, img, sizeof(img)), SWSEV_OK);
	fill(SEV_CMD_COPY, h, b);
	swsev_wle32(b + 4, 8192);
	CHECK_EQ(t_cmd(&p, SEV_CMD_COPY, b), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_mem_read_enc(p.mem, 300, T_GUEST2, got, sizeof(got)), SWSEV_OK);
	CHECK_MEM(got, img, sizeof(img));
	t_read(&p, T_GUEST, raw1, sizeof(raw1));
	t_read(&p, T_GUEST2, raw2, sizeof(raw2));
	CHECK(memcmp(raw1, raw2, sizeof(raw1)) != 0);
	swsev_wle32(b + 4, 100);
	CHECK_EQ(t_cmd(&p, SEV_CMD_COPY, b), SEV_STATUS_INVALID_LENGTH);
	swsev_wle32(b + 4, 4096);
	swsev_wle64(b + 0x10, T_GUEST2 + 16);
	CHECK_EQ(t_cmd(&p, SEV_CMD_COPY, b), SEV_STATUS_INVALID_ADDRESS);
	t_plat_free(&p);
}

/* All 1006 ASIDs of the genoa profile active at once; then the table fills. */
TEST(all_asids_active_and_resource_limit)
{
	struct tplat p;
	const struct swsev_profile *prof = swsev_profile_find("genoa");
	uint32_t h, n = 0;
	uint8_t st[12], data[16] = { 1, 2, 3 }, got[16];

	setup(&p, 1);
	for (uint32_t asid = 1; asid <= prof->asid_count; asid++) {
		uint32_t pol = asid <= prof->es_asids ? SWSEV_POLICY_ES : 0;
		if (t_launch_start(&p, 0, pol, NULL, NULL, &h) != SEV_STATUS_SUCCESS ||
		    t_activate(&p, h, asid) != SEV_STATUS_SUCCESS)
			break;
		n++;
	}
	CHECK_EQ(n, 1006);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, st), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_le32(st + 8), 1006);
	for (uint32_t asid = 1; asid <= prof->asid_count; asid += 97)
		CHECK(swsev_mem_slot_loaded(p.mem, asid));
	CHECK_EQ(swsev_mem_write_enc(p.mem, 1006, T_GUEST, data, 16), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(p.mem, 1006, T_GUEST, got, 16), SWSEV_OK);
	CHECK_MEM(got, data, 16);
	/* no ASID left */
	CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, h, 600), SEV_STATUS_ASID_OWNED);
	/* the handle table (1024) runs out */
	for (uint32_t i = 1008; i <= 1024; i++)
		CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	CHECK_EQ(h, 1024);
	CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &h), SEV_STATUS_RESOURCE_LIMIT);
	t_plat_free(&p);
}

/* Many threads launch and run guests on one platform at once. */
struct thr {
	struct tplat *p;
	unsigned idx;
	int errors;
};

static void *launcher(void *arg)
{
	struct thr *t = arg;
	for (unsigned k = 0; k < 8; k++) {
		uint32_t asid = 300 + t->idx * 16 + k, h = 0;
		uint64_t pa = T_GUEST + (uint64_t)asid * 0x10000;
		uint8_t img[8192], got[8192], m[48];
		t_pattern(img, sizeof(img), asid);
		if (swsev_mem_write(t->p->mem, pa, img, sizeof(img)) != SWSEV_OK ||
		    t_launch_start(t->p, 0, 0, NULL, NULL, &h) != SEV_STATUS_SUCCESS ||
		    t_activate(t->p, h, asid) != SEV_STATUS_SUCCESS ||
		    t_update(t->p, SEV_CMD_LAUNCH_UPDATE_DATA, h, pa, sizeof(img)) !=
			    SEV_STATUS_SUCCESS)
			t->errors++;
		{
			uint8_t b[0x14] = { 0 };
			swsev_wle32(b, h);
			swsev_wle64(b + 8, pa + 0x8000);
			swsev_wle32(b + 0x10, 48);
			if (swsev_fw_command(t->p->fw, SEV_CMD_LAUNCH_MEASURE, b, sizeof(b)) != 0)
				t->errors++;
		}
		(void)m;
		if (swsev_fw_command(t->p->fw, SEV_CMD_LAUNCH_FINISH,
				     (uint8_t[4]){ (uint8_t)h, (uint8_t)(h >> 8), 0, 0 }, 4) != 0)
			t->errors++;
		if (swsev_mem_read_enc(t->p->mem, asid, pa, got, sizeof(got)) != SWSEV_OK ||
		    memcmp(got, img, sizeof(img)) != 0)
			t->errors++;
		if (swsev_fw_command(t->p->fw, SEV_CMD_DEACTIVATE,
				     (uint8_t[4]){ (uint8_t)h, (uint8_t)(h >> 8), 0, 0 }, 4) != 0 ||
		    swsev_fw_command(t->p->fw, SEV_CMD_DECOMMISSION,
				     (uint8_t[4]){ (uint8_t)h, (uint8_t)(h >> 8), 0, 0 }, 4) != 0)
			t->errors++;
	}
	return NULL;
}

TEST(concurrent_launches)
{
	struct tplat p;
	pthread_t th[8];
	struct thr t[8];
	uint8_t st[12];

	setup(&p, 1);
	for (unsigned i = 0; i < 8; i++) {
		t[i].p = &p;
		t[i].idx = i;
		t[i].errors = 0;
		CHECK_EQ(pthread_create(&th[i], NULL, launcher, &t[i]), 0);
	}
	/* platform commands interleave with the guests' */
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, st), SEV_STATUS_SUCCESS);
		CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_SUCCESS);
	}
	for (unsigned i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(t[i].errors, 0);
	}
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, st), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_le32(st + 8), 0);
	t_plat_free(&p);
}

/* Statuses the remaining cases reach, then the coverage assertion. */
TEST(reach_remaining_statuses)
{
	struct tplat p;
	uint8_t b[0x44], *blob = NULL;
	size_t len = 0;

	setup(&p, 0);
	fill(SEV_CMD_INIT, 0, b);
	swsev_wle32(b, 4);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_INVALID_CONFIG);
	CHECK_EQ(swsev_fw_command(p.fw, 0x36, b, sizeof(b)), SEV_STATUS_INVALID_COMMAND);
	t_seen[SEV_STATUS_INVALID_COMMAND]++;
	/* storage corrupted under the running platform */
	CHECK_EQ(p.ops.nv_load(p.ops.ctx, &blob, &len), SWSEV_OK);
	blob[len - 1] ^= 1;
	CHECK_EQ(p.ops.nv_store(p.ops.ctx, blob, len), SWSEV_OK);
	fill(SEV_CMD_INIT, 0, b);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_SECURE_DATA_INVALID);
	blob[len - 1] ^= 1;
	CHECK_EQ(p.ops.nv_store(p.ops.ctx, blob, len), SWSEV_OK);
	swsev_clear_free(blob, len);
	CHECK_EQ(t_init_flush(&p, 1), SEV_STATUS_SUCCESS);
	/* ALREADY_OWNED, BAD_SIGNATURE, HWERROR_PLATFORM are reached in
	 * test_fw_platform; reach them here too for the coverage list */
	{
		struct swsev_fw_ops bad = p.ops;
		struct tplat q;
		(void)bad;
		memset(&q, 0, sizeof(q));
		CHECK(t_plat_new(&q, "genoa") == 0);
		CHECK_EQ(t_init(&q, 0), SEV_STATUS_SUCCESS);
		/* a store that fails: swap in an nv_store that always fails */
		swsev_fw_free(q.fw);
		{
			struct swsev_fw_ops o = q.ops;
			o.nv_store = NULL;
			CHECK_EQ(swsev_fw_new(NULL, &o, NULL, &q.fw), SWSEV_E_INVALID);
		}
		CHECK_EQ(swsev_fw_new(NULL, &q.ops, NULL, &q.fw), SWSEV_OK);
		t_plat_free(&q);
	}
	t_plat_free(&p);
}

static swsev_err failing_store(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return SWSEV_E_IO;
}

static swsev_err inner_load(void *ctx, uint8_t **buf, size_t *len);
static struct swsev_fw_ops *inner_ops;
static swsev_err inner_load(void *ctx, uint8_t **buf, size_t *len)
{
	(void)ctx;
	return inner_ops->nv_load(inner_ops->ctx, buf, len);
}

TEST(reach_hwerror_owned_badsig)
{
	struct tplat p, q;
	struct swsev_fw_ops o;
	swsev_ec_key *k = NULL;
	struct swsev_cert oca, csr;
	uint8_t b[0x44] = { 0 }, raw[SWSEV_CERT_LEN];

	setup(&p, 1);
	/* a platform whose storage refuses writes: PDH_GEN -> HWERROR_PLATFORM */
	inner_ops = &p.ops;
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.nv_load = inner_load;
	o.nv_store = failing_store;
	memset(&q, 0, sizeof(q));
	CHECK_EQ(swsev_fw_new(NULL, &o, NULL, &q.fw), SWSEV_OK);
	q.mem = swsev_fw_dram(q.fw);
	CHECK_EQ(t_init(&q, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&q, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_HWERROR_PLATFORM);
	CHECK_EQ(t_cmd(&q, SEV_CMD_PEK_GEN, NULL), SEV_STATUS_HWERROR_PLATFORM);
	swsev_fw_free(q.fw);
	/* ownership */
	CHECK_EQ(swsev_ec_generate(&k), SWSEV_OK);
	CHECK_EQ(swsev_cert_init_ec(&oca, 0, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&oca, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_encode(&oca, oca.raw), SWSEV_OK);
	swsev_wle64(b, T_OUT);
	swsev_wle32(b + 8, SWSEV_CERT_LEN);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CSR, b), SEV_STATUS_SUCCESS);
	t_read(&p, T_OUT, raw, sizeof(raw));
	CHECK_EQ(swsev_cert_parse(raw, sizeof(raw), &csr), SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&csr, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_encode(&csr, csr.raw), SWSEV_OK);
	memcpy(raw, csr.raw, sizeof(raw));
	raw[0x41C] ^= 1;
	t_write(&p, T_BUF, raw, sizeof(raw));
	t_write(&p, T_BUF2, oca.raw, SWSEV_CERT_LEN);
	memset(b, 0, sizeof(b));
	swsev_wle64(b, T_BUF);
	swsev_wle32(b + 8, SWSEV_CERT_LEN);
	swsev_wle64(b + 0x10, T_BUF2);
	swsev_wle32(b + 0x18, SWSEV_CERT_LEN);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CERT_IMPORT, b), SEV_STATUS_BAD_SIGNATURE);
	t_write(&p, T_BUF, csr.raw, sizeof(raw));
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CERT_IMPORT, b), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CERT_IMPORT, b), SEV_STATUS_ALREADY_OWNED);
	swsev_ec_free(k);
	t_plat_free(&p);
}

TEST(launch_secret_unsupported_and_policy)
{
	/* COMPRESSED flag with a valid MAC: UNSUPPORTED; NODBG: POLICY_FAILURE */
	struct tplat p;
	uint8_t tek[16] = { 0 }, tik[16] = { 0 }, m[48], iv[16] = { 9 }, plain[32] = { 1 }, c[32],
		hdr[52], mac[32];
	struct swsev_pkt_hdr h;
	uint32_t g;

	setup(&p, 0);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_launch_start(&p, 0, SWSEV_POLICY_NODBG, NULL, NULL, &g), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, g, 300), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_dbg(&p, SEV_CMD_DBG_DECRYPT, g, T_GUEST, T_OUT, 16), SEV_STATUS_POLICY_FAILURE);
	CHECK_EQ(t_measure(&p, g, m), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_pkt_seal(tek, tik, SWSEV_CTX_SECRET, iv, plain, 32, m, &h, c), SWSEV_OK);
	h.flags = SWSEV_PKT_FLAG_COMPRESSED;
	CHECK_EQ(swsev_pkt_mac(tik, SWSEV_CTX_SECRET, &h, 32, 32, c, m, mac), SWSEV_OK);
	memcpy(h.mac, mac, 32);
	swsev_pkt_hdr_encode(&h, hdr);
	t_write(&p, T_BUF3, hdr, sizeof(hdr));
	t_write(&p, T_BUF4, c, sizeof(c));
	CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, g, T_BUF3, 52, T_GUEST, 32, T_BUF4, 32, NULL),
		 SEV_STATUS_UNSUPPORTED);
	t_plat_free(&p);
}

static int fault_df_flush(void *ctx, uint32_t cmd, const char *point)
{
	(void)ctx;
	return cmd == SEV_CMD_DF_FLUSH && strcmp(point, SWSEV_FAULT_DF_FLUSH) == 0;
}

TEST(reach_hwerror_unsafe)
{
	/* only an injected fault at a clean-up point leaves the platform unsafe
	 * (docs/firmware.md "Fault injection"; test_fw_fault has the rest) */
	struct tplat p;
	uint8_t b[12] = { 0 };

	memset(&p, 0, sizeof(p));
	CHECK_EQ(swsev_nvmem_ops(&p.ops), SWSEV_OK);
	p.ops.fault = fault_df_flush;
	CHECK_EQ(swsev_fw_new(swsev_profile_find("genoa"), &p.ops, t_root(), &p.fw), SWSEV_OK);
	p.mem = swsev_fw_dram(p.fw);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	swsev_fw_wbinvd(p.fw);
	CHECK_EQ(t_cmd(&p, SEV_CMD_DF_FLUSH, NULL), SEV_STATUS_HWERROR_UNSAFE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, b), SEV_STATUS_HWERROR_UNSAFE);
	t_plat_free(&p);
}

TEST(status_coverage)
{
	/* Every status this firmware can return (HWERROR_UNSAFE only by fault
	 * injection; docs/firmware.md). */
	static const uint16_t reachable[] = {
		SEV_STATUS_SUCCESS,
		SEV_STATUS_INVALID_PLATFORM_STATE,
		SEV_STATUS_INVALID_GUEST_STATE,
		SEV_STATUS_INVALID_CONFIG,
		SEV_STATUS_INVALID_LENGTH,
		SEV_STATUS_ALREADY_OWNED,
		SEV_STATUS_INVALID_CERTIFICATE,
		SEV_STATUS_POLICY_FAILURE,
		SEV_STATUS_INACTIVE,
		SEV_STATUS_INVALID_ADDRESS,
		SEV_STATUS_BAD_SIGNATURE,
		SEV_STATUS_BAD_MEASUREMENT,
		SEV_STATUS_ASID_OWNED,
		SEV_STATUS_INVALID_ASID,
		SEV_STATUS_WBINVD_REQUIRED,
		SEV_STATUS_DFFLUSH_REQUIRED,
		SEV_STATUS_INVALID_GUEST,
		SEV_STATUS_INVALID_COMMAND,
		SEV_STATUS_ACTIVE,
		SEV_STATUS_HWERROR_PLATFORM,
		SEV_STATUS_HWERROR_UNSAFE,
		SEV_STATUS_UNSUPPORTED,
		SEV_STATUS_INVALID_PARAM,
		SEV_STATUS_RESOURCE_LIMIT,
		SEV_STATUS_SECURE_DATA_INVALID,
	};
	for (size_t i = 0; i < sizeof(reachable) / sizeof(reachable[0]); i++) {
		if (t_seen[reachable[i]] == 0)
			fprintf(stderr, "  status %s never reached\n",
				swsev_status_name(reachable[i]));
		CHECK(t_seen[reachable[i]] > 0);
	}
}

TH_MAIN_BEGIN("test_fw_table")
RUN(platform_state_table);
RUN(working_invalid_handle);
RUN(guest_state_table);
RUN(asid_lifecycle);
RUN(activate_ex_and_copy);
RUN(all_asids_active_and_resource_limit);
RUN(concurrent_launches);
RUN(reach_remaining_statuses);
RUN(reach_hwerror_owned_badsig);
RUN(launch_secret_unsupported_and_policy);
RUN(reach_hwerror_unsafe);
RUN(status_coverage);
swsev_vendor_root_free(t_root_cached);
TH_MAIN_END
