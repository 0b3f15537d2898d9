/*
 * libFuzzer harness for the firmware's NV state (docs/state-format.md).
 * Each input is tried twice through the public loader (swsev_fw_new with
 * in-memory storage): as it is, where anything but a valid tagged state
 * must be refused, and with its header length and SHA-256 tag repaired so
 * the body parser itself is exercised. Properties: no crash; a refused
 * state is never replaced; a loaded state survives INIT and PDH_CERT_EXPORT.
 * fuzz-max-len: 20000
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsev/fw.h"
#include "swsev/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_load(const uint8_t *blob, size_t len)
{
	struct swsev_fw_ops ops;
	swsev_fw *fw = NULL;
	uint8_t *back = NULL;
	size_t back_len = 0;
	swsev_err e;

	if (swsev_nvmem_ops(&ops) != SWSEV_OK)
		abort();
	if (ops.nv_store(ops.ctx, blob, len) != SWSEV_OK)
		abort();
	/* root NULL: a loader must never fall back to manufacturing */
	e = swsev_fw_new(NULL, &ops, NULL, &fw);
	if (e == SWSEV_OK) {
		uint8_t b[0x14] = { 0 };
		(void)swsev_fw_command(fw, SEV_CMD_INIT, b, sizeof(b));
		(void)swsev_fw_command(fw, SEV_CMD_PLATFORM_STATUS, b, sizeof(b));
		swsev_fw_free(fw);
	} else {
		if (fw != NULL)
			abort();
		if (ops.nv_load(ops.ctx, &back, &back_len) != SWSEV_OK || back_len != len ||
		    memcmp(back, blob, len) != 0)
			abort();
		swsev_clear_free(back, back_len);
	}
	swsev_fw_ops_release(&ops);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;

	if (size > 20000)
		return 0;
	try_load(data, size);
	if (size < 16)
		return 0;
	fixed = malloc(size + 32);
	if (fixed == NULL)
		return 0;
	memcpy(fixed, data, size);
	memcpy(fixed, "SWSEV-NV", 8);
	swsev_wle32(fixed + 12, (uint32_t)(size - 16));
	if (swsev_sha256(fixed, size, fixed + size) != SWSEV_OK)
		abort();
	try_load(fixed, size + 32);
	free(fixed);
	return 0;
}
