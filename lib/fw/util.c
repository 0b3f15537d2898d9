/* Helpers of the firmware core: randomness, key generation, DRAM access. */
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

swsev_err fw_random(swsev_fw *fw, void *buf, size_t len)
{
	if (fw->ops.random != NULL)
		return fw->ops.random(fw->ops.ctx, buf, len);
	return swsev_random(buf, len);
}

/*
 * Private keys come from fw_random so that a deterministic test generator
 * makes deterministic keys. A 48-byte candidate is accepted when it is a
 * valid scalar (0 < d < n); otherwise another is drawn (FIPS 186-4 B.4.2,
 * "testing candidates"; a retry happens with probability about 2^-190).
 */
swsev_err fw_ec_keygen(swsev_fw *fw, swsev_ec_key **out)
{
	uint8_t d[48];
	swsev_err r = SWSEV_E_CRYPTO;

	*out = NULL;
	for (int i = 0; i < 64; i++) {
		r = fw_random(fw, d, sizeof(d));
		if (r != SWSEV_OK)
			break;
		r = swsev_ec_from_private(d, out);
		if (r == SWSEV_OK)
			break;
	}
	swsev_wipe(d, sizeof(d));
	return r;
}

/* The memory cipher refuses equal key halves (XTS): redraw in that case. */
swsev_err fw_vek_gen(swsev_fw *fw, uint8_t vek[FW_VEK_LEN])
{
	swsev_err r = SWSEV_E_CRYPTO;

	for (int i = 0; i < 16; i++) {
		r = fw_random(fw, vek, FW_VEK_LEN);
		if (r != SWSEV_OK)
			break;
		if (!swsev_ct_equal(vek, vek + FW_VEK_LEN / 2, FW_VEK_LEN / 2))
			return SWSEV_OK;
		r = SWSEV_E_CRYPTO;
	}
	swsev_wipe(vek, FW_VEK_LEN);
	return r;
}

uint16_t fw_addr(const swsev_fw *fw, uint64_t spa, uint64_t len, uint64_t *out)
{
	uint64_t a = spa & ~fw->cbit_mask, end;

	if (!swsev_add64_ok(a, len, &end) || end > SWSEV_MEM_MAX_ADDR)
		return SEV_STATUS_INVALID_ADDRESS;
	*out = a;
	return SEV_STATUS_SUCCESS;
}

static uint16_t mem_status(swsev_err e)
{
	switch (e) {
	case SWSEV_OK: return SEV_STATUS_SUCCESS;
	case SWSEV_E_RANGE:
	case SWSEV_E_INVALID: return SEV_STATUS_INVALID_ADDRESS;
	case SWSEV_E_STATE: return SEV_STATUS_INACTIVE;
	default: return SEV_STATUS_HWERROR_PLATFORM;
	}
}

uint16_t fw_host_read(swsev_fw *fw, uint64_t spa, void *buf, size_t len)
{
	uint64_t a;
	uint16_t st = fw_addr(fw, spa, len, &a);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	return mem_status(swsev_mem_read(fw->mem, a, buf, len));
}

uint16_t fw_host_write(swsev_fw *fw, uint64_t spa, const void *buf, size_t len)
{
	uint64_t a;
	uint16_t st = fw_addr(fw, spa, len, &a);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	return mem_status(swsev_mem_write(fw->mem, a, buf, len));
}

uint16_t fw_enc_read(swsev_fw *fw, unsigned asid, uint64_t spa, void *buf, size_t len)
{
	uint64_t a;
	uint16_t st = fw_addr(fw, spa, len, &a);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	return mem_status(swsev_mem_read_enc(fw->mem, asid, a, buf, len));
}

uint16_t fw_enc_write(swsev_fw *fw, unsigned asid, uint64_t spa, const void *buf, size_t len)
{
	uint64_t a;
	uint16_t st = fw_addr(fw, spa, len, &a);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	return mem_status(swsev_mem_write_enc(fw->mem, asid, a, buf, len));
}

uint16_t fw_cert_status(swsev_err e)
{
	switch (e) {
	case SWSEV_OK: return SEV_STATUS_SUCCESS;
	case SWSEV_E_BADSIG:
	case SWSEV_E_FORMAT: return SEV_STATUS_BAD_SIGNATURE;
	case SWSEV_E_NOMEM:
	case SWSEV_E_INTERNAL:
	case SWSEV_E_CRYPTO: return SEV_STATUS_HWERROR_PLATFORM;
	default: return SEV_STATUS_INVALID_CERTIFICATE;
	}
}

uint16_t fw_read_cert(swsev_fw *fw, uint64_t spa, struct swsev_cert *out)
{
	uint8_t raw[SWSEV_CERT_LEN];
	uint16_t st = fw_host_read(fw, spa, raw, sizeof(raw));
	if (st != SEV_STATUS_SUCCESS)
		return st;
	if (swsev_cert_parse(raw, sizeof(raw), out) != SWSEV_OK)
		return SEV_STATUS_INVALID_CERTIFICATE;
	return SEV_STATUS_SUCCESS;
}

void fw_xport_decode(const uint8_t *b, struct xport *x)
{
	x->handle = swsev_le32(b);
	x->hdr_pa = swsev_le64(b + 0x08);
	x->hdr_len = swsev_le32(b + 0x10);
	x->guest_pa = swsev_le64(b + 0x18);
	x->guest_len = swsev_le32(b + 0x20);
	x->trans_pa = swsev_le64(b + 0x28);
	x->trans_len = swsev_le32(b + 0x30);
}
