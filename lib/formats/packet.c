/*
 * The transport packet header and MAC of LAUNCH_SECRET, SEND_UPDATE_* and
 * RECEIVE_UPDATE_* (crypto.md §7).
 *
 *   off  size  field
 *   0x00   4   flags  (bit 0 COMPRESSED; the firmware refuses it)
 *   0x04  16   IV     first AES-128-CTR counter block
 *   0x14  32   MAC    HMAC-SHA256(TIK, ...), see swsev_pkt_mac
 *
 * The parser takes any flags value: what a flag means (UNSUPPORTED for
 * COMPRESSED, reserved bits) is the firmware's decision, and the flags are
 * covered by the MAC either way.
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

swsev_err swsev_pkt_hdr_parse(const uint8_t *buf, size_t len, struct swsev_pkt_hdr *out)
{
	struct swsev_cur c;
	swsev_err e;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return SWSEV_E_INVALID;
	if (len < SWSEV_PKT_HDR_LEN)
		return SWSEV_E_TRUNCATED;
	if (len > SWSEV_PKT_HDR_LEN)
		return SWSEV_E_TRAILING;
	swsev_cur_init(&c, buf, len);
	e = swsev_cur_u32(&c, &out->flags);
	if (!e)
		e = swsev_cur_bytes(&c, out->iv, sizeof(out->iv));
	if (!e)
		e = swsev_cur_bytes(&c, out->mac, sizeof(out->mac));
	if (!e)
		e = swsev_cur_end(&c);
	if (e)
		memset(out, 0, sizeof(*out));
	return e;
}

void swsev_pkt_hdr_encode(const struct swsev_pkt_hdr *h, uint8_t out[SWSEV_PKT_HDR_LEN])
{
	swsev_wle32(out, h->flags);
	memcpy(out + 0x04, h->iv, 16);
	memcpy(out + 0x14, h->mac, 32);
}

/*
 * MAC = HMAC(TIK, CTX || LE32(flags) || IV || LE32(guest_len) || LE32(trans_len)
 *            || ciphertext[trans_len] || (CTX == SECRET ? MEASURE[32] : nothing))
 * The measurement binds a LAUNCH_SECRET to one measured launch (spec §6.6).
 */
swsev_err swsev_pkt_mac(const uint8_t tik[16], uint8_t ctx, const struct swsev_pkt_hdr *h,
			uint32_t guest_len, uint32_t trans_len, const uint8_t *ciphertext,
			const uint8_t *measure, uint8_t mac[32])
{
	uint8_t pre[1 + 4 + 16 + 4 + 4];
	struct swsev_iov iov[3];
	size_t n = 0;
	swsev_err e;

	if (!tik || !h || !mac || (trans_len && !ciphertext))
		return SWSEV_E_INVALID;
	if (ctx == SWSEV_CTX_SECRET && !measure)
		return SWSEV_E_INVALID;
	pre[0] = ctx;
	swsev_wle32(pre + 1, h->flags);
	memcpy(pre + 5, h->iv, 16);
	swsev_wle32(pre + 21, guest_len);
	swsev_wle32(pre + 25, trans_len);
	iov[n].p = pre;
	iov[n++].len = sizeof(pre);
	iov[n].p = ciphertext;
	iov[n++].len = trans_len;
	if (ctx == SWSEV_CTX_SECRET) {
		iov[n].p = measure;
		iov[n++].len = SWSEV_MEASURE_LEN;
	}
	e = swsev_hmac_sha256_v(tik, 16, iov, n, mac);
	if (e)
		memset(mac, 0, 32);
	return e;
}

/* Payloads are non-zero multiples of 16 that fit the 32-bit length fields. */
static swsev_err check_len(size_t len)
{
	if (len == 0 || len % SWSEV_AES_BLOCK != 0 || len > UINT32_MAX)
		return SWSEV_E_LENGTH;
	return SWSEV_OK;
}

swsev_err swsev_pkt_seal(const uint8_t tek[16], const uint8_t tik[16], uint8_t ctx,
			 const uint8_t iv[16], const uint8_t *plain, size_t len,
			 const uint8_t *measure, struct swsev_pkt_hdr *h, uint8_t *cipher)
{
	swsev_err e = SWSEV_E_INVALID;

	if (!h)
		return SWSEV_E_INVALID;
	memset(h, 0, sizeof(*h));
	if (!tek || !tik || !iv || !plain || !cipher)
		goto out;
	e = check_len(len);
	if (e)
		goto out;
	h->flags = 0;
	memcpy(h->iv, iv, 16);
	e = swsev_aes128_ctr(tek, iv, plain, cipher, len);
	if (!e)
		e = swsev_pkt_mac(tik, ctx, h, (uint32_t)len, (uint32_t)len, cipher, measure,
				  h->mac);
out:
	if (e) {
		memset(h, 0, sizeof(*h));
		if (cipher && len)
			memset(cipher, 0, len);
	}
	return e;
}

swsev_err swsev_pkt_open(const uint8_t tek[16], const uint8_t tik[16], uint8_t ctx,
			 const struct swsev_pkt_hdr *h, const uint8_t *cipher, size_t len,
			 const uint8_t *measure, uint8_t *plain)
{
	uint8_t mac[32];
	swsev_err e = SWSEV_E_INVALID;

	if (!tek || !tik || !h || !cipher || !plain)
		goto out;
	e = check_len(len);
	if (e)
		goto out;
	e = swsev_pkt_mac(tik, ctx, h, (uint32_t)len, (uint32_t)len, cipher, measure, mac);
	if (e)
		goto out;
	if (!swsev_ct_equal(mac, h->mac, sizeof(mac))) {
		e = SWSEV_E_BADMAC;
		goto out;
	}
	e = swsev_aes128_ctr(tek, h->iv, cipher, plain, len);
out:
	swsev_wipe(mac, sizeof(mac));
	if (e && plain && len && len <= UINT32_MAX)
		swsev_wipe(plain, len);
	return e;
}
