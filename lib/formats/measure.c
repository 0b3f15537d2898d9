/*
 * The LAUNCH_MEASURE value (crypto.md §6) and the launch digest a guest
 * owner expects (crypto.md §5, launch-flow.md §3).
 *
 *   MEASURE = HMAC-SHA256(TIK, 0x04 || API_MAJOR || API_MINOR || BUILD
 *                              || LE32(POLICY) || LD[32] || MNONCE[16])
 *
 * Firmware before API 0.17 left out the first four bytes (sev-tool
 * calculate_measurement checks min_api_version 0.17).
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

static swsev_err measure_msg(const uint8_t tik[16], int pre017, uint8_t api_major,
			     uint8_t api_minor, uint8_t build, uint32_t policy,
			     const uint8_t ld[32], const uint8_t mnonce[16], uint8_t out[32])
{
	uint8_t msg[4 + 4 + SWSEV_MEASURE_LEN + SWSEV_MNONCE_LEN];
	size_t off = 0;
	swsev_err e;

	if (!tik || !ld || !mnonce || !out)
		return SWSEV_E_INVALID;
	if (!pre017) {
		msg[off++] = SWSEV_CTX_MEASURE;
		msg[off++] = api_major;
		msg[off++] = api_minor;
		msg[off++] = build;
	}
	swsev_wle32(msg + off, policy);
	off += 4;
	memcpy(msg + off, ld, SWSEV_MEASURE_LEN);
	off += SWSEV_MEASURE_LEN;
	memcpy(msg + off, mnonce, SWSEV_MNONCE_LEN);
	off += SWSEV_MNONCE_LEN;
	e = swsev_hmac_sha256(tik, 16, msg, off, out);
	if (e)
		memset(out, 0, 32);
	return e;
}

swsev_err swsev_measure(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor, uint8_t build,
			uint32_t policy, const uint8_t ld[32], const uint8_t mnonce[16],
			uint8_t out[32])
{
	return measure_msg(tik, 0, api_major, api_minor, build, policy, ld, mnonce, out);
}

swsev_err swsev_measure_pre017(const uint8_t tik[16], uint32_t policy, const uint8_t ld[32],
			       const uint8_t mnonce[16], uint8_t out[32])
{
	return measure_msg(tik, 1, 0, 0, 0, policy, ld, mnonce, out);
}

swsev_err swsev_measure_for_api(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor,
				uint8_t build, uint32_t policy, const uint8_t ld[32],
				const uint8_t mnonce[16], uint8_t out[32])
{
	int pre017 = api_major == 0 && api_minor < 17;

	return measure_msg(tik, pre017, api_major, api_minor, build, policy, ld, mnonce, out);
}

swsev_err swsev_measure_verify(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor,
			       uint8_t build, uint32_t policy, const uint8_t ld[32],
			       const uint8_t blob[SWSEV_MEASURE_BLOB_LEN])
{
	uint8_t want[32];
	swsev_err e;

	if (!blob)
		return SWSEV_E_INVALID;
	e = swsev_measure_for_api(tik, api_major, api_minor, build, policy, ld,
				  blob + SWSEV_MEASURE_LEN, want);
	if (!e && !swsev_ct_equal(want, blob, SWSEV_MEASURE_LEN))
		e = SWSEV_E_BADMAC;
	swsev_wipe(want, sizeof(want));
	return e;
}

/* LD = SHA-256(firmware || [hashes table] || [VMSA_0 || VMSA_1 * (n-1)]) */
swsev_err swsev_launch_digest(const struct swsev_ld_input *in, uint8_t ld[32])
{
	swsev_sha256_ctx *c = NULL;
	swsev_err e = SWSEV_E_INVALID;

	if (!in || !ld)
		return SWSEV_E_INVALID;
	memset(ld, 0, 32);
	if (!in->firmware && in->firmware_len)
		return SWSEV_E_INVALID;
	if (in->num_cpus) {
		if (!in->vmsa_cpu0 || (in->num_cpus > 1 && !in->vmsa_cpu1))
			return SWSEV_E_INVALID;
		if (in->num_cpus > SWSEV_LD_MAX_CPUS)
			return SWSEV_E_RANGE;
	}
	e = swsev_sha256_new(&c);
	if (e)
		return e;
	e = swsev_sha256_update(c, in->firmware ? (const void *)in->firmware : (const void *)"",
				in->firmware_len);
	if (!e && in->hashes_table)
		e = swsev_sha256_update(c, in->hashes_table, in->hashes_table_len);
	for (unsigned i = 0; !e && i < in->num_cpus; i++)
		e = swsev_sha256_update(c, i == 0 ? in->vmsa_cpu0 : in->vmsa_cpu1,
					SWSEV_LD_VMSA_LEN);
	if (!e)
		e = swsev_sha256_final(c, ld);
	swsev_sha256_free(c);
	if (e)
		memset(ld, 0, 32);
	return e;
}
