/*
 * Base64 (RFC 4648 standard alphabet, padded). Key files (GODH private
 * keys, TEK/TIK) pass through the decoder, so a character's value is
 * computed with masks, not a table lookup or a per-letter branch (no
 * secret-dependent memory access or branch). The only branches are on
 * whitespace and '=', which never occur inside the encoded key bits.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "codec/codec.h"
#include "crypto/crypto_int.h"

/* All ones if lo <= c <= hi, else 0; c, lo, hi < 2^16. */
static uint32_t ct_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	uint32_t below = (c - lo) >> 31; /* 1 if c < lo */
	uint32_t above = (hi - c) >> 31; /* 1 if c > hi */

	return ((below | above) ^ 1u) * 0xffffffffu;
}

/* The 6-bit value of c, or a value with bit 8 set if c is not in the alphabet. */
static uint32_t b64_value(uint8_t ch)
{
	uint32_t c = ch;
	uint32_t m_up = ct_range(c, 'A', 'Z');
	uint32_t m_lo = ct_range(c, 'a', 'z');
	uint32_t m_dg = ct_range(c, '0', '9');
	uint32_t m_pl = ct_range(c, '+', '+');
	uint32_t m_sl = ct_range(c, '/', '/');
	uint32_t v = (m_up & (c - 'A')) | (m_lo & (c - 'a' + 26)) | (m_dg & (c - '0' + 52)) |
		     (m_pl & 62u) | (m_sl & 63u);
	uint32_t valid = m_up | m_lo | m_dg | m_pl | m_sl;

	return (v & 0x3fu) | (~valid & 0x100u);
}

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

swsev_err swsev_base64_decode(const char *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	const uint8_t *s = (const uint8_t *)in;
	uint8_t *buf = NULL;
	size_t i, cap, n = 0, npad = 0, q = 0;
	uint32_t acc = 0, bad = 0;
	swsev_err r = SWSEV_E_BASE64;

	if (out == NULL || outlen == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	*outlen = 0;
	if (in == NULL && inlen != 0)
		return SWSEV_E_INVALID;
	/* every 4 significant characters give at most 3 bytes */
	cap = inlen / 4 * 3 + 3;
	if ((buf = malloc(cap)) == NULL)
		return SWSEV_E_NOMEM;
	for (i = 0; i < inlen; i++) {
		uint8_t c = s[i];
		uint32_t v;

		if (is_space(c))
			continue;
		if (c == '=') {
			npad++;
			continue;
		}
		if (npad != 0)
			goto out; /* data after padding */
		v = b64_value(c);
		bad |= v;
		acc = (acc << 6) | (v & 0x3fu);
		if (++q == 4) {
			buf[n++] = (uint8_t)(acc >> 16);
			buf[n++] = (uint8_t)(acc >> 8);
			buf[n++] = (uint8_t)acc;
			acc = 0;
			q = 0;
		}
	}
	if ((bad & 0x100u) != 0)
		goto out; /* a character outside the alphabet */
	/* padding completes the last quad exactly: q = 2 with "==", q = 3 with "=" */
	if ((q == 0 && npad != 0) || (q == 1) || (q == 2 && npad != 2) || (q == 3 && npad != 1))
		goto out;
	if (q == 2) {
		if ((acc & 0xfu) != 0)
			goto out; /* non-canonical: unused bits set */
		buf[n++] = (uint8_t)(acc >> 4);
	} else if (q == 3) {
		if ((acc & 0x3u) != 0)
			goto out;
		buf[n++] = (uint8_t)(acc >> 10);
		buf[n++] = (uint8_t)(acc >> 2);
	}
	*out = buf;
	*outlen = n;
	buf = NULL;
	r = SWSEV_OK;
out:
	swsev_clear_free(buf, cap);
	return r;
}

swsev_err swsev_base64_encode(const void *in, size_t len, char **out)
{
	const uint8_t *p = in;
	size_t groups, olen, off = 0;
	char *buf;
	/* whole 3-byte groups per call keep the output free of inner padding */
	const size_t chunk = 3u << 20;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (in == NULL && len != 0)
		return SWSEV_E_INVALID;
	groups = len / 3 + (len % 3 != 0);
	if (!swsev_mul_ok(groups, 4, &olen) || !swsev_add_ok(olen, 1, &olen))
		return SWSEV_E_RANGE;
	if ((buf = malloc(olen)) == NULL)
		return SWSEV_E_NOMEM;
	buf[0] = '\0';
	while (len > 0) {
		size_t take = len > chunk ? chunk : len;
		int w = EVP_EncodeBlock((unsigned char *)buf + off, p, (int)take);

		if (w < 0) {
			swsev_clear_free(buf, olen);
			return SWSEV_E_CRYPTO;
		}
		off += (size_t)w;
		p += take;
		len -= take;
	}
	buf[off] = '\0';
	*out = buf;
	return SWSEV_OK;
}
