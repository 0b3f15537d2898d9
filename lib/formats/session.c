/*
 * The LAUNCH_START / RECEIVE_START session blob (crypto.md §4).
 *
 *   off  size  field
 *   0x00  16   nonce        KDF context of the master secret
 *   0x10  32   wrap_tk      AES-128-CTR(KEK, wrap_iv, TEK || TIK)
 *   0x30  16   wrap_iv
 *   0x40  32   wrap_mac     HMAC-SHA256(KIK, wrap_tk)
 *   0x60  32   policy_mac   HMAC-SHA256(TIK, LE32(policy))
 *
 * Keys (crypto.md §2): master = KDF(Z, "sev-master-secret", nonce, 16),
 * KEK = KDF(master, "sev-kek"), KIK = KDF(master, "sev-kik").
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

swsev_err swsev_session_parse(const uint8_t *buf, size_t len, struct swsev_session *out)
{
	struct swsev_cur c;
	swsev_err e;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return SWSEV_E_INVALID;
	if (len < SWSEV_SESSION_LEN)
		return SWSEV_E_TRUNCATED;
	if (len > SWSEV_SESSION_LEN)
		return SWSEV_E_TRAILING;
	swsev_cur_init(&c, buf, len);
	e = swsev_cur_bytes(&c, out->nonce, sizeof(out->nonce));
	if (!e)
		e = swsev_cur_bytes(&c, out->wrap_tk, sizeof(out->wrap_tk));
	if (!e)
		e = swsev_cur_bytes(&c, out->wrap_iv, sizeof(out->wrap_iv));
	if (!e)
		e = swsev_cur_bytes(&c, out->wrap_mac, sizeof(out->wrap_mac));
	if (!e)
		e = swsev_cur_bytes(&c, out->policy_mac, sizeof(out->policy_mac));
	if (!e)
		e = swsev_cur_end(&c);
	if (e)
		memset(out, 0, sizeof(*out));
	return e;
}

void swsev_session_encode(const struct swsev_session *s, uint8_t out[SWSEV_SESSION_LEN])
{
	memcpy(out + 0x00, s->nonce, 16);
	memcpy(out + 0x10, s->wrap_tk, 32);
	memcpy(out + 0x30, s->wrap_iv, 16);
	memcpy(out + 0x40, s->wrap_mac, 32);
	memcpy(out + 0x60, s->policy_mac, 32);
}

swsev_err swsev_session_kek_kik(const uint8_t *z, size_t zlen, const uint8_t nonce[16],
				uint8_t kek[16], uint8_t kik[16])
{
	uint8_t master[16];
	swsev_err e = SWSEV_E_INVALID;

	if (!z || zlen == 0 || !nonce || !kek || !kik)
		goto out;
	e = swsev_kdf_sp800_108(z, zlen, "sev-master-secret", nonce, 16, master, sizeof(master));
	if (!e)
		e = swsev_kdf_sp800_108(master, sizeof(master), "sev-kek", NULL, 0, kek, 16);
	if (!e)
		e = swsev_kdf_sp800_108(master, sizeof(master), "sev-kik", NULL, 0, kik, 16);
out:
	swsev_wipe(master, sizeof(master));
	if (e) {
		if (kek)
			swsev_wipe(kek, 16);
		if (kik)
			swsev_wipe(kik, 16);
	}
	return e;
}

/* policy_mac = HMAC(TIK, LE32(policy)) */
static swsev_err policy_mac(const uint8_t tik[16], uint32_t policy, uint8_t mac[32])
{
	uint8_t p[4];

	swsev_wle32(p, policy);
	return swsev_hmac_sha256(tik, 16, p, sizeof(p), mac);
}

swsev_err swsev_session_build(const uint8_t *z, size_t zlen, const uint8_t nonce[16],
			      const uint8_t wrap_iv[16], const uint8_t tek[16],
			      const uint8_t tik[16], uint32_t policy, struct swsev_session *out)
{
	uint8_t kek[16], kik[16], tk[32];
	swsev_err e = SWSEV_E_INVALID;

	if (!out)
		return SWSEV_E_INVALID;
	memset(out, 0, sizeof(*out));
	if (!z || !nonce || !wrap_iv || !tek || !tik)
		goto out;
	e = swsev_session_kek_kik(z, zlen, nonce, kek, kik);
	if (e)
		goto out;
	memcpy(tk, tek, 16);
	memcpy(tk + 16, tik, 16);
	memcpy(out->nonce, nonce, 16);
	memcpy(out->wrap_iv, wrap_iv, 16);
	e = swsev_aes128_ctr(kek, wrap_iv, tk, out->wrap_tk, sizeof(tk));
	if (!e)
		e = swsev_hmac_sha256(kik, sizeof(kik), out->wrap_tk, sizeof(out->wrap_tk),
				      out->wrap_mac);
	if (!e)
		e = policy_mac(tik, policy, out->policy_mac);
out:
	swsev_wipe(kek, sizeof(kek));
	swsev_wipe(kik, sizeof(kik));
	swsev_wipe(tk, sizeof(tk));
	if (e)
		memset(out, 0, sizeof(*out));
	return e;
}

swsev_err swsev_session_open(const uint8_t *z, size_t zlen, const struct swsev_session *s,
			     uint32_t policy, uint8_t tek[16], uint8_t tik[16])
{
	uint8_t kek[16], kik[16], tk[32], mac[32];
	swsev_err e = SWSEV_E_INVALID;

	if (!z || !s || !tek || !tik)
		goto out;
	e = swsev_session_kek_kik(z, zlen, s->nonce, kek, kik);
	if (e)
		goto out;
	e = swsev_hmac_sha256(kik, sizeof(kik), s->wrap_tk, sizeof(s->wrap_tk), mac);
	if (e)
		goto out;
	if (!swsev_ct_equal(mac, s->wrap_mac, sizeof(mac))) {
		e = SWSEV_E_BADMAC;
		goto out;
	}
	e = swsev_aes128_ctr(kek, s->wrap_iv, s->wrap_tk, tk, sizeof(tk));
	if (e)
		goto out;
	e = policy_mac(tk + 16, policy, mac);
	if (e)
		goto out;
	if (!swsev_ct_equal(mac, s->policy_mac, sizeof(mac))) {
		e = SWSEV_E_BADMAC;
		goto out;
	}
	memcpy(tek, tk, 16);
	memcpy(tik, tk + 16, 16);
	e = SWSEV_OK;
out:
	swsev_wipe(kek, sizeof(kek));
	swsev_wipe(kik, sizeof(kik));
	swsev_wipe(tk, sizeof(tk));
	swsev_wipe(mac, sizeof(mac));
	if (e) {
		if (tek)
			swsev_wipe(tek, 16);
		if (tik)
			swsev_wipe(tik, 16);
	}
	return e;
}
