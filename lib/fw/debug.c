/* DBG_DECRYPT and DBG_ENCRYPT (commands.md §12, crypto.md §9.3). */
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

static uint16_t do_dbg(swsev_fw *fw, struct fw_cmd *c, int decrypt)
{
	uint64_t src = swsev_le64(c->buf + 8), dst = swsev_le64(c->buf + 0x10), sa, da;
	uint32_t len = swsev_le32(c->buf + 0x18);
	uint8_t buf[FW_CHUNK];
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	/* Genoa checks addresses and length before the handle. */
	if (src % 16 != 0 || dst % 16 != 0)
		return SEV_STATUS_INVALID_ADDRESS;
	if (len == 0 || len % 16 != 0)
		return SEV_STATUS_INVALID_LENGTH;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->policy & SWSEV_POLICY_NODBG) {
		st = SEV_STATUS_POLICY_FAILURE;
		goto out;
	}
	if (g->asid == 0) {
		st = SEV_STATUS_INACTIVE;
		goto out;
	}
	st = fw_addr(fw, src, len, &sa);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_addr(fw, dst, len, &da);
	for (uint32_t off = 0; off < len && st == SEV_STATUS_SUCCESS;) {
		uint32_t n = len - off < FW_CHUNK ? len - off : FW_CHUNK;
		if (decrypt) {
			st = fw_enc_read(fw, g->asid, sa + off, buf, n);
			if (st == SEV_STATUS_SUCCESS)
				st = fw_host_write(fw, da + off, buf, n);
		} else {
			st = fw_host_read(fw, sa + off, buf, n);
			if (st == SEV_STATUS_SUCCESS)
				st = fw_enc_write(fw, g->asid, da + off, buf, n);
		}
		off += n;
	}
	swsev_wipe(buf, sizeof(buf));
out:
	fw_guest_put(fw, g);
	return st;
}

uint16_t fw_cmd_debug(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c)
{
	switch (cmd) {
	case SEV_CMD_DBG_DECRYPT: return do_dbg(fw, c, 1);
	case SEV_CMD_DBG_ENCRYPT: return do_dbg(fw, c, 0);
	default: return SEV_STATUS_INVALID_COMMAND;
	}
}
