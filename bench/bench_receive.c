/*
 * RECEIVE_UPDATE_DATA throughput (the firmware issue's migration report):
 * the receiving side of SEND_UPDATE_DATA, against HMAC-SHA256, the
 * primitive SEND_UPDATE_DATA is compared with (bench_fw).
 *
 * One platform sends a launched guest to itself: SEND_START with its own
 * PDH, one 16 KiB SEND_UPDATE_DATA packet, RECEIVE_START with the same PDH
 * and the session, ACTIVATE under a second ASID. The packet is then
 * received again and again into the same guest pages: each call checks the
 * packet's HMAC-SHA256 (TIK), decrypts it with AES-128-CTR (TEK) and
 * writes it through the memory engine under the new guest's VEK.
 * Before timing, the received guest memory is checked against the original.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/fw.h"
#include "swsev/launch.h"
#include "swsev/mem.h"
#include "swsev/status.h"

#define R_GUEST 0x10000000ULL  /* the sent guest's image */
#define R_GUEST2 0x18000000ULL /* where the received guest's pages land */
#define R_PDH 0x01000000ULL
#define R_SESS 0x01001000ULL
#define R_HDR 0x01002000ULL
#define R_PKT 0x01010000ULL
#define R_SCRATCH 0x01100000ULL
#define R_PKT_LEN 0x4000u /* 16 KiB, as SEND_UPDATE_DATA's row */
#define R_HDR_LEN 52u
#define R_SRC_ASID 300u
#define R_DST_ASID 301u

struct brecv {
	struct swsev_fw_ops ops;
	swsev_vendor_root *root;
	swsev_fw *fw;
	swsev_mem *mem;
	int have_ops;
	uint8_t cmd[0x34];
};

static uint16_t cmd(struct brecv *b, uint32_t id, uint8_t *buf, size_t len)
{
	return (uint16_t)swsev_fw_command(b->fw, id, buf, len);
}

static uint16_t handle_cmd(struct brecv *b, uint32_t id, uint32_t h)
{
	uint8_t x[8] = { 0 };

	swsev_wle32(x, h);
	return cmd(b, id, x, swsev_cmd_buf_len(id));
}

static uint16_t activate(struct brecv *b, uint32_t h, uint32_t asid)
{
	uint8_t x[8];

	swsev_wle32(x, h);
	swsev_wle32(x + 4, asid);
	return cmd(b, SEV_CMD_ACTIVATE, x, sizeof(x));
}

static void xport(uint8_t x[0x34], uint32_t h, uint64_t guest_pa)
{
	memset(x, 0, 0x34);
	swsev_wle32(x, h);
	swsev_wle64(x + 0x08, R_HDR);
	swsev_wle32(x + 0x10, R_HDR_LEN);
	swsev_wle64(x + 0x18, guest_pa);
	swsev_wle32(x + 0x20, R_PKT_LEN);
	swsev_wle64(x + 0x28, R_PKT);
	swsev_wle32(x + 0x30, R_PKT_LEN);
}

static int op_receive(void *arg)
{
	struct brecv *b = arg;
	uint8_t x[0x34];

	memcpy(x, b->cmd, sizeof(x));
	return cmd(b, SEV_CMD_RECEIVE_UPDATE_DATA, x, sizeof(x)) != SEV_STATUS_SUCCESS;
}

/* Up to a guest in RUPDATE whose next RECEIVE_UPDATE_DATA is b->cmd.
 * Returns NULL or what failed. */
static const char *setup(struct brecv *b, uint8_t *img, uint8_t *got)
{
	uint8_t x[0x44] = { 0 }, pdh[SWSEV_CERT_LEN], sess[SWSEV_SESSION_LEN];
	uint32_t sh, dh;

	if (swsev_vendor_root_new(2048, &b->root) != SWSEV_OK)
		return "vendor root";
	if (swsev_nvmem_ops(&b->ops) != SWSEV_OK)
		return "NV storage";
	b->have_ops = 1;
	if (swsev_fw_new(swsev_profile_find("genoa"), &b->ops, b->root, &b->fw) != SWSEV_OK)
		return "platform";
	b->mem = swsev_fw_dram(b->fw);
	if (cmd(b, SEV_CMD_INIT, x, 0x14) != SEV_STATUS_SUCCESS)
		return "INIT";
	swsev_fw_wbinvd(b->fw);
	if (cmd(b, SEV_CMD_DF_FLUSH, NULL, 0) != SEV_STATUS_SUCCESS)
		return "DF_FLUSH";

	/* the sender: a launched guest (policy 0) holding img */
	for (size_t i = 0; i < R_PKT_LEN; i++)
		img[i] = (uint8_t)(i * 7 + 1);
	if (swsev_mem_write(b->mem, R_GUEST, img, R_PKT_LEN) != SWSEV_OK)
		return "guest image";
	memset(x, 0, sizeof(x));
	if (cmd(b, SEV_CMD_LAUNCH_START, x, 0x24) != SEV_STATUS_SUCCESS)
		return "LAUNCH_START";
	sh = swsev_le32(x);
	if (activate(b, sh, R_SRC_ASID) != SEV_STATUS_SUCCESS)
		return "ACTIVATE (sender)";
	memset(x, 0, sizeof(x));
	swsev_wle32(x, sh);
	swsev_wle64(x + 8, R_GUEST);
	swsev_wle32(x + 0x10, R_PKT_LEN);
	if (cmd(b, SEV_CMD_LAUNCH_UPDATE_DATA, x, 0x14) != SEV_STATUS_SUCCESS)
		return "LAUNCH_UPDATE_DATA";
	swsev_wle64(x + 8, R_SCRATCH);
	swsev_wle32(x + 0x10, 48);
	if (cmd(b, SEV_CMD_LAUNCH_MEASURE, x, 0x14) != SEV_STATUS_SUCCESS ||
	    handle_cmd(b, SEV_CMD_LAUNCH_FINISH, sh) != SEV_STATUS_SUCCESS)
		return "LAUNCH_MEASURE/FINISH";

	/* to itself: this platform's PDH is the target's and the sender's */
	memset(x, 0, sizeof(x));
	swsev_wle64(x, R_PDH);
	swsev_wle32(x + 8, SWSEV_CERT_LEN);
	swsev_wle64(x + 0x10, R_SCRATCH);
	swsev_wle32(x + 0x18, SWSEV_CHAIN_LEN);
	if (cmd(b, SEV_CMD_PDH_CERT_EXPORT, x, 0x1C) != SEV_STATUS_SUCCESS ||
	    swsev_mem_read(b->mem, R_PDH, pdh, sizeof(pdh)) != SWSEV_OK)
		return "PDH_CERT_EXPORT";
	memset(x, 0, sizeof(x));
	swsev_wle32(x, sh);
	swsev_wle64(x + 0x08, R_PDH);
	swsev_wle32(x + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(x + 0x38, R_SESS);
	swsev_wle32(x + 0x40, SWSEV_SESSION_LEN);
	if (cmd(b, SEV_CMD_SEND_START, x, 0x44) != SEV_STATUS_SUCCESS ||
	    swsev_mem_read(b->mem, R_SESS, sess, sizeof(sess)) != SWSEV_OK)
		return "SEND_START";
	xport(x, sh, R_GUEST);
	if (cmd(b, SEV_CMD_SEND_UPDATE_DATA, x, 0x34) != SEV_STATUS_SUCCESS)
		return "SEND_UPDATE_DATA";

	/* the receiver: the sender's PDH and the session */
	memset(x, 0, sizeof(x));
	swsev_wle64(x + 0x08, R_PDH);
	swsev_wle32(x + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(x + 0x18, R_SESS);
	swsev_wle32(x + 0x20, SWSEV_SESSION_LEN);
	if (cmd(b, SEV_CMD_RECEIVE_START, x, 0x24) != SEV_STATUS_SUCCESS)
		return "RECEIVE_START";
	dh = swsev_le32(x);
	if (activate(b, dh, R_DST_ASID) != SEV_STATUS_SUCCESS)
		return "ACTIVATE (receiver)";
	xport(b->cmd, dh, R_GUEST2);

	/* one packet lands, decrypted and re-encrypted under the new key */
	if (op_receive(b) != 0)
		return "RECEIVE_UPDATE_DATA";
	if (swsev_mem_read_enc(b->mem, R_DST_ASID, R_GUEST2, got, R_PKT_LEN) != SWSEV_OK ||
	    memcmp(got, img, R_PKT_LEN) != 0)
		return "received memory differs from the sent guest's";
	return NULL;
}

void bench_receive(const struct bench_opts *o)
{
	struct bench_row r = {
		.id = "fw.receive_update_data.16k",
		.figure = "RECEIVE_UPDATE_DATA, 16 KiB packets",
		.unit = "MB/s",
		.prim = "hmac-sha256@16384",
		.target = "-",
		.series = "-",
		.note = "HMAC with TIK, AES-128-CTR with TEK, write under the VEK "
			"(SEND_UPDATE_DATA's bound; the issue sets no RECEIVE target)"
	};
	struct brecv b;
	uint8_t *img = malloc(R_PKT_LEN), *got = malloc(R_PKT_LEN);
	const char *why;
	double rate;

	memset(&b, 0, sizeof(b));
	why = (img == NULL || got == NULL) ? "out of memory" : setup(&b, img, got);
	if (why != NULL) {
		bench_fail(r.id, r.figure, why);
		goto out;
	}
	rate = bench_rate_cpu(o, op_receive, &b);
	if (rate < 0) {
		bench_fail(r.id, r.figure, "RECEIVE_UPDATE_DATA failed while timing");
		goto out;
	}
	r.value = rate * R_PKT_LEN / 1e6;
	bench_emit(&r);
out:
	swsev_fw_free(b.fw);
	if (b.have_ops)
		swsev_fw_ops_release(&b.ops);
	swsev_vendor_root_free(b.root);
	free(img);
	free(got);
}
