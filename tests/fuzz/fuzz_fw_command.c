/*
 * libFuzzer harness for the firmware core's command interface: the input
 * is a sequence of records (u8 command selector, u8 buffer length, that
 * many buffer bytes) run against one platform. Properties: no crash, no
 * sanitizer report, every status is a defined 0.22 code (<= 0x18), the
 * platform stays usable. Length fields that would make the firmware touch
 * gigabytes of DRAM are clamped to 64 KiB so one input stays fast.
 * fuzz-max-len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "swsev/fw.h"
#include "swsev/mem.h"
#include "swsev/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t ids[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x20,
	0x21, 0x22, 0x23, 0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x40, 0x41,
	0x42, 0x43, 0x44, 0x50, 0x51, 0x52, 0x53, 0x60, 0x61, 0x36, 0x81, 0x0D,
};

static swsev_fw *fw;
static struct swsev_fw_ops ops;

static void setup(void)
{
	swsev_vendor_root *root = NULL;
	if (swsev_nvmem_ops(&ops) != SWSEV_OK ||
	    swsev_fw_ops_deterministic(&ops, "fuzz", 4) != SWSEV_OK ||
	    swsev_vendor_root_new(2048, &root) != SWSEV_OK ||
	    swsev_fw_new(swsev_profile_find("genoa"), &ops, root, &fw) != SWSEV_OK)
		abort();
	swsev_vendor_root_free(root);
}

static void clamp(uint32_t cmd, uint8_t *b, size_t n)
{
	size_t off = 0;
	switch (cmd) {
	case 0x31:
	case 0x32: off = 0x10; break;
	case 0x60:
	case 0x61: off = 0x18; break;
	case 0x24: off = 4; break;
	case 0x25: off = 0x0C; break;
	default: return;
	}
	if (n >= off + 4)
		swsev_wle32(b + off, swsev_le32(b + off) & 0xFFFF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[256], init[0x14] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20 };
	size_t i = 0;

	if (fw == NULL)
		setup();
	/* a known start: INIT with SEV-ES (TMR at 32 MiB), ASIDs clean */
	swsev_wle32(init + 0x10, 1024 * 1024);
	(void)swsev_fw_command(fw, SEV_CMD_INIT, init, sizeof(init));
	swsev_fw_wbinvd(fw);
	(void)swsev_fw_command(fw, SEV_CMD_DF_FLUSH, NULL, 0);
	while (i + 2 <= size) {
		uint32_t cmd = ids[data[i] % (sizeof(ids) / sizeof(ids[0]))];
		size_t n = data[i + 1];
		uint16_t st;
		i += 2;
		if (n > size - i)
			n = size - i;
		memset(buf, 0, sizeof(buf));
		memcpy(buf, data + i, n);
		i += n;
		clamp(cmd, buf, sizeof(buf));
		st = swsev_fw_command(fw, cmd, buf, (data[i - n - 2] & 0x80) ? n : sizeof(buf));
		if (st > SEV_STATUS_SECURE_DATA_INVALID)
			abort();
		if (cmd == SEV_CMD_DEACTIVATE)
			swsev_fw_wbinvd(fw);
	}
	/* back to a clean platform for the next input */
	if (swsev_fw_command(fw, SEV_CMD_SHUTDOWN, NULL, 0) != SEV_STATUS_SUCCESS)
		abort();
	return 0;
}
