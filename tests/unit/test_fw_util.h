/*
 * Helpers shared by the firmware-core tests (tests/unit/test_fw_*.c):
 * platforms with in-memory NV storage, command buffers built field by
 * field, DRAM staging. Static functions: each test binary includes this
 * once.
 */
#ifndef SWSEV_TEST_FW_UTIL_H
#define SWSEV_TEST_FW_UTIL_H

#include <string.h>

#include "codec/codec.h"
#include "harness.h"
#include "swsev/cert.h"
#include "swsev/fw.h"
#include "swsev/launch.h"
#include "swsev/mem.h"
#include "swsev/status.h"

/* DRAM layout the tests use (host-physical addresses). */
#define T_BUF 0x01000000ULL /* staging area for firmware blobs */
#define T_BUF2 0x01100000ULL
#define T_BUF3 0x01200000ULL
#define T_BUF4 0x01300000ULL
#define T_OUT 0x01400000ULL
#define T_TMR 0x02000000ULL   /* 1 MiB aligned */
#define T_GUEST 0x10000000ULL /* guest image */
#define T_GUEST2 0x20000000ULL

struct tplat {
	struct swsev_fw_ops ops;
	swsev_fw *fw;
	swsev_mem *mem;
};

#if defined(__GNUC__)
#define T_UNUSED __attribute__((unused))
#else
#define T_UNUSED
#endif

static swsev_vendor_root *t_root_cached;

/* One 2048-bit emulated root per test binary (RSA-4096 keygen is slow;
 * the genoa root size is covered in test_fw_platform). */
static swsev_vendor_root *t_root(void)
{
	if (t_root_cached == NULL && swsev_vendor_root_new(2048, &t_root_cached) != SWSEV_OK)
		abort();
	return t_root_cached;
}

T_UNUSED static int t_plat_new_root(struct tplat *p, const char *profile, swsev_vendor_root *root)
{
	memset(p, 0, sizeof(*p));
	if (swsev_nvmem_ops(&p->ops) != SWSEV_OK)
		return -1;
	if (swsev_fw_new(swsev_profile_find(profile), &p->ops, root, &p->fw) != SWSEV_OK)
		return -1;
	p->mem = swsev_fw_dram(p->fw);
	return 0;
}

T_UNUSED static int t_plat_new(struct tplat *p, const char *profile)
{
	return t_plat_new_root(p, profile, t_root());
}

T_UNUSED static void t_plat_free(struct tplat *p)
{
	swsev_fw_free(p->fw);
	swsev_fw_ops_release(&p->ops);
	memset(p, 0, sizeof(*p));
}

/* Every status a test binary saw, for coverage assertions. */
T_UNUSED static unsigned t_seen[0x40];

T_UNUSED static uint16_t t_cmd(struct tplat *p, uint32_t cmd, void *buf)
{
	uint16_t st = swsev_fw_command(p->fw, cmd, buf, buf ? swsev_cmd_buf_len(cmd) : 0);
	if (st < sizeof(t_seen) / sizeof(t_seen[0]))
		t_seen[st]++;
	return st;
}

T_UNUSED static uint16_t t_init(struct tplat *p, int es)
{
	uint8_t b[0x14] = { 0 };
	if (es) {
		swsev_wle32(b, 1);
		swsev_wle64(b + 8, T_TMR);
		swsev_wle32(b + 0x10, 1024 * 1024);
	}
	return t_cmd(p, SEV_CMD_INIT, b);
}

/* INIT, then WBINVD and DF_FLUSH as Linux does, so ASIDs are clean. */
T_UNUSED static uint16_t t_init_flush(struct tplat *p, int es)
{
	uint16_t st = t_init(p, es);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	swsev_fw_wbinvd(p->fw);
	return t_cmd(p, SEV_CMD_DF_FLUSH, NULL);
}

T_UNUSED static void t_write(struct tplat *p, uint64_t pa, const void *b, size_t n)
{
	if (swsev_mem_write(p->mem, pa, b, n) != SWSEV_OK)
		abort();
}

T_UNUSED static void t_read(struct tplat *p, uint64_t pa, void *b, size_t n)
{
	if (swsev_mem_read(p->mem, pa, b, n) != SWSEV_OK)
		abort();
}

T_UNUSED static uint16_t t_pdh_export(struct tplat *p, uint8_t pdh[SWSEV_CERT_LEN],
				      uint8_t chain[SWSEV_CHAIN_LEN])
{
	uint8_t b[0x1C] = { 0 };
	uint16_t st;
	swsev_wle64(b, T_OUT);
	swsev_wle32(b + 8, SWSEV_CERT_LEN);
	swsev_wle64(b + 0x10, T_OUT + 0x1000);
	swsev_wle32(b + 0x18, SWSEV_CHAIN_LEN);
	st = t_cmd(p, SEV_CMD_PDH_CERT_EXPORT, b);
	if (st == SEV_STATUS_SUCCESS) {
		t_read(p, T_OUT, pdh, SWSEV_CERT_LEN);
		if (chain)
			t_read(p, T_OUT + 0x1000, chain, SWSEV_CHAIN_LEN);
	}
	return st;
}

/* LAUNCH_START; godh/session NULL: without a session. */
T_UNUSED static uint16_t t_launch_start(struct tplat *p, uint32_t share, uint32_t policy,
					const uint8_t *godh, const uint8_t *session,
					uint32_t *handle)
{
	uint8_t b[0x24] = { 0 };
	uint16_t st;
	swsev_wle32(b, share);
	swsev_wle32(b + 4, policy);
	if (godh) {
		t_write(p, T_BUF, godh, SWSEV_CERT_LEN);
		t_write(p, T_BUF2, session, SWSEV_SESSION_LEN);
		swsev_wle64(b + 8, T_BUF);
		swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
		swsev_wle64(b + 0x18, T_BUF2);
		swsev_wle32(b + 0x20, SWSEV_SESSION_LEN);
	}
	st = t_cmd(p, SEV_CMD_LAUNCH_START, b);
	if (handle)
		*handle = st == SEV_STATUS_SUCCESS ? swsev_le32(b) : 0;
	return st;
}

T_UNUSED static uint16_t t_handle_cmd(struct tplat *p, uint32_t cmd, uint32_t handle)
{
	uint8_t b[4];
	swsev_wle32(b, handle);
	return t_cmd(p, cmd, b);
}

T_UNUSED static uint16_t t_activate(struct tplat *p, uint32_t handle, uint32_t asid)
{
	uint8_t b[8];
	swsev_wle32(b, handle);
	swsev_wle32(b + 4, asid);
	return t_cmd(p, SEV_CMD_ACTIVATE, b);
}

/* LAUNCH_UPDATE_DATA/VMSA (cmd) of [pa, pa+len). */
T_UNUSED static uint16_t t_update(struct tplat *p, uint32_t cmd, uint32_t handle, uint64_t pa,
				  uint32_t len)
{
	uint8_t b[0x14] = { 0 };
	swsev_wle32(b, handle);
	swsev_wle64(b + 8, pa);
	swsev_wle32(b + 0x10, len);
	return t_cmd(p, cmd, b);
}

T_UNUSED static uint16_t t_measure(struct tplat *p, uint32_t handle, uint8_t out[48])
{
	uint8_t b[0x14] = { 0 };
	uint16_t st;
	swsev_wle32(b, handle);
	swsev_wle64(b + 8, T_OUT);
	swsev_wle32(b + 0x10, 48);
	st = t_cmd(p, SEV_CMD_LAUNCH_MEASURE, b);
	if (st == SEV_STATUS_SUCCESS)
		t_read(p, T_OUT, out, 48);
	return st;
}

/* Transport command (LAUNCH_SECRET, SEND/RECEIVE_UPDATE_*). */
T_UNUSED static uint16_t t_xport(struct tplat *p, uint32_t cmd, uint32_t handle, uint64_t hdr_pa,
				 uint32_t hdr_len, uint64_t guest_pa, uint32_t guest_len,
				 uint64_t trans_pa, uint32_t trans_len, uint8_t *bufout)
{
	uint8_t b[0x34] = { 0 };
	uint16_t st;
	swsev_wle32(b, handle);
	swsev_wle64(b + 8, hdr_pa);
	swsev_wle32(b + 0x10, hdr_len);
	swsev_wle64(b + 0x18, guest_pa);
	swsev_wle32(b + 0x20, guest_len);
	swsev_wle64(b + 0x28, trans_pa);
	swsev_wle32(b + 0x30, trans_len);
	st = t_cmd(p, cmd, b);
	if (bufout)
		memcpy(bufout, b, sizeof(b));
	return st;
}

T_UNUSED static uint16_t t_dbg(struct tplat *p, uint32_t cmd, uint32_t handle, uint64_t src,
			       uint64_t dst, uint32_t len)
{
	uint8_t b[0x1C] = { 0 };
	swsev_wle32(b, handle);
	swsev_wle64(b + 8, src);
	swsev_wle64(b + 0x10, dst);
	swsev_wle32(b + 0x18, len);
	return t_cmd(p, cmd, b);
}

T_UNUSED static uint16_t t_guest_status(struct tplat *p, uint32_t handle, uint32_t *policy,
					uint32_t *asid, uint8_t *state)
{
	uint8_t b[13] = { 0 };
	uint16_t st;
	swsev_wle32(b, handle);
	st = t_cmd(p, SEV_CMD_GUEST_STATUS, b);
	if (policy)
		*policy = swsev_le32(b + 4);
	if (asid)
		*asid = swsev_le32(b + 8);
	if (state)
		*state = b[12];
	return st;
}

T_UNUSED static void t_pattern(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 8)) ^ (seed >> 3));
}

/* The guest owner's side of a launch with a session: the platform's PDH,
 * a fresh GODH, session blob, TEK and TIK (swsev_owner_session), and the
 * GODH and session encoded for LAUNCH_START. */
struct t_owner {
	struct swsev_cert pdh, godh;
	struct swsev_session s;
	uint8_t godh_raw[SWSEV_CERT_LEN], sess_raw[SWSEV_SESSION_LEN];
	uint8_t tek[16], tik[16];
};

T_UNUSED static int t_owner_start(struct tplat *p, uint32_t policy, struct t_owner *o)
{
	uint8_t pdh[SWSEV_CERT_LEN];

	if (t_pdh_export(p, pdh, NULL) != SEV_STATUS_SUCCESS ||
	    swsev_cert_parse(pdh, sizeof(pdh), &o->pdh) != SWSEV_OK ||
	    swsev_owner_session(&o->pdh, policy, &o->godh, &o->s, o->tek, o->tik) != SWSEV_OK ||
	    swsev_cert_encode(&o->godh, o->godh_raw) != SWSEV_OK)
		return -1;
	swsev_session_encode(&o->s, o->sess_raw);
	return 0;
}

/* A guest launched without a session up to RUNNING, with image bytes at T_GUEST. */
T_UNUSED static uint32_t t_quick_guest(struct tplat *p, uint32_t policy, uint32_t asid,
				       size_t img_len)
{
	uint32_t h = 0;
	uint8_t m[48];
	uint8_t *img = malloc(img_len);
	if (img == NULL)
		abort();
	t_pattern(img, img_len, asid);
	t_write(p, T_GUEST, img, img_len);
	free(img);
	if (t_launch_start(p, 0, policy, NULL, NULL, &h) != SEV_STATUS_SUCCESS)
		return 0;
	if (t_activate(p, h, asid) != SEV_STATUS_SUCCESS)
		return 0;
	if (t_update(p, SEV_CMD_LAUNCH_UPDATE_DATA, h, T_GUEST, (uint32_t)img_len) !=
	    SEV_STATUS_SUCCESS)
		return 0;
	if (t_measure(p, h, m) != SEV_STATUS_SUCCESS)
		return 0;
	if (t_handle_cmd(p, SEV_CMD_LAUNCH_FINISH, h) != SEV_STATUS_SUCCESS)
		return 0;
	return h;
}

#endif
