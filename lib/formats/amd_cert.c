/*
 * AMD root certificates: the ARK and the ASK (certificates.md §6).
 *
 * Layout (every integer and big number little-endian):
 *
 *   0x00  u32 version             1
 *   0x04  key_id[16]
 *   0x14  certifying_id[16]       = key_id for the self-signed ARK
 *   0x24  u32 key_usage           0x0000 ARK, 0x0013 ASK
 *   0x28  rsvd[16]                zero
 *   0x38  u32 pub_exp_size        bits of the exponent FIELD: 2048 or 4096
 *   0x3C  u32 modulus_size        bits: 2048 or 4096
 *   0x40  pub_exp[pub_exp_size/8]
 *         modulus[modulus_size/8]
 *         signature[modulus_size/8]   RSA-PSS over everything before it
 *
 * Length = 64 + pub_exp_size/8 + 2 * modulus_size/8: 832 (Naples) or 1600.
 * The hash follows the key size: 2048 -> SHA-256, salt 32; 4096 -> SHA-384,
 * salt 48 (checked on AMD's real roots, vectors README).
 *
 * The Naples ARK as AMD first distributed it stops after the modulus (576
 * bytes, no signature); it is accepted only when the caller asks
 * (allow_unsigned) and only when the input ends exactly there.
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/cert.h"

static int bits_ok(uint32_t bits)
{
	return bits == 2048 || bits == 4096;
}

static void set_pointers(struct swsev_amd_cert *c)
{
	size_t eb = c->pub_exp_bits / 8, mb = c->modulus_bits / 8;

	c->pub_exp = c->raw + SWSEV_AMD_HDR_LEN;
	c->modulus = c->pub_exp + eb;
	c->sig = c->len > c->signed_len ? c->modulus + mb : NULL;
}

void swsev_amd_cert_copy(struct swsev_amd_cert *dst, const struct swsev_amd_cert *src)
{
	if (dst == src)
		return;
	memcpy(dst, src, sizeof(*dst));
	if (bits_ok(dst->pub_exp_bits) && bits_ok(dst->modulus_bits))
		set_pointers(dst);
}

swsev_err swsev_amd_cert_parse(const uint8_t *buf, size_t len, int allow_unsigned,
			       struct swsev_amd_cert *out, size_t *used)
{
	struct swsev_cur cur;
	size_t eb, mb, signed_len, total;
	swsev_err r = SWSEV_E_INTERNAL;

	memset(out, 0, sizeof(*out));
	if (used != NULL)
		*used = 0;
	if (buf == NULL && len != 0)
		return SWSEV_E_INVALID;
	if (len < SWSEV_AMD_HDR_LEN)
		return SWSEV_E_TRUNCATED;

	swsev_cur_init(&cur, buf, len);
	if ((r = swsev_cur_u32(&cur, &out->version)) != SWSEV_OK)
		goto fail;
	if (out->version != 1) {
		r = SWSEV_E_VERSION;
		goto fail;
	}
	if ((r = swsev_cur_bytes(&cur, out->key_id, 16)) != SWSEV_OK ||
	    (r = swsev_cur_bytes(&cur, out->certifying_id, 16)) != SWSEV_OK ||
	    (r = swsev_cur_u32(&cur, &out->key_usage)) != SWSEV_OK)
		goto fail;
	if (out->key_usage != SWSEV_USAGE_ARK && out->key_usage != SWSEV_USAGE_ASK) {
		r = SWSEV_E_USAGE;
		goto fail;
	}
	if ((r = swsev_cur_zeros(&cur, 16)) != SWSEV_OK ||
	    (r = swsev_cur_u32(&cur, &out->pub_exp_bits)) != SWSEV_OK ||
	    (r = swsev_cur_u32(&cur, &out->modulus_bits)) != SWSEV_OK)
		goto fail;
	if (!bits_ok(out->pub_exp_bits) || !bits_ok(out->modulus_bits)) {
		r = SWSEV_E_LENGTH;
		goto fail;
	}
	eb = out->pub_exp_bits / 8;
	mb = out->modulus_bits / 8;
	if (!swsev_add_ok(SWSEV_AMD_HDR_LEN, eb, &signed_len) ||
	    !swsev_add_ok(signed_len, mb, &signed_len) || !swsev_add_ok(signed_len, mb, &total) ||
	    total > SWSEV_AMD_CERT_MAX) {
		r = SWSEV_E_LENGTH;
		goto fail;
	}
	if (len < signed_len) {
		r = SWSEV_E_TRUNCATED;
		goto fail;
	}
	if (len == signed_len) {
		/* header, exponent and modulus only: the first Naples ARK */
		if (!allow_unsigned) {
			r = SWSEV_E_UNSIGNED;
			goto fail;
		}
		total = signed_len;
	} else if (len < total) {
		r = SWSEV_E_TRUNCATED;
		goto fail;
	}
	memcpy(out->raw, buf, total);
	out->signed_len = signed_len;
	out->len = total;
	set_pointers(out);
	if (used != NULL)
		*used = total;
	return SWSEV_OK;
fail:
	memset(out, 0, sizeof(*out));
	return r;
}

swsev_err swsev_amd_cert_key(const struct swsev_amd_cert *c, swsev_rsa_key **out)
{
	uint8_t n[512], e[512];
	size_t eb, mb;

	*out = NULL;
	if (!bits_ok(c->pub_exp_bits) || !bits_ok(c->modulus_bits))
		return SWSEV_E_BADKEY;
	eb = c->pub_exp_bits / 8;
	mb = c->modulus_bits / 8;
	swsev_reverse(e, c->raw + SWSEV_AMD_HDR_LEN, eb);
	swsev_reverse(n, c->raw + SWSEV_AMD_HDR_LEN + eb, mb);
	if (swsev_rsa_from_public(n, mb, e, eb, out) != SWSEV_OK) {
		*out = NULL;
		return SWSEV_E_BADKEY;
	}
	if (swsev_rsa_bits(*out) != c->modulus_bits) {
		swsev_rsa_free(*out);
		*out = NULL;
		return SWSEV_E_BADKEY;
	}
	return SWSEV_OK;
}

swsev_hash swsev_amd_cert_hash(const struct swsev_amd_cert *c)
{
	return c->modulus_bits == 2048 ? SWSEV_HASH_SHA256 : SWSEV_HASH_SHA384;
}

uint32_t swsev_amd_cert_algo(const struct swsev_amd_cert *c)
{
	if (c->modulus_bits == 2048)
		return SWSEV_ALGO_RSA_SHA256;
	if (c->modulus_bits == 4096)
		return SWSEV_ALGO_RSA_SHA384;
	return SWSEV_ALGO_INVALID;
}

swsev_err swsev_amd_cert_verify(const struct swsev_amd_cert *c, const struct swsev_amd_cert *signer)
{
	uint8_t sig_be[512];
	swsev_rsa_key *k = NULL;
	size_t mb;
	swsev_err r = SWSEV_E_INTERNAL;

	if (c == NULL || signer == NULL)
		return SWSEV_E_INVALID;
	if (c->len <= c->signed_len)
		return SWSEV_E_UNSIGNED;
	if (swsev_amd_cert_key(signer, &k) != SWSEV_OK)
		return SWSEV_E_BADKEY;
	/* the signature field is as wide as c's own modulus; it can only be a
	 * signature by a key of the same size */
	mb = c->modulus_bits / 8;
	if (c->modulus_bits != signer->modulus_bits || c->len - c->signed_len != mb) {
		r = SWSEV_E_BADSIG;
		goto out;
	}
	swsev_reverse(sig_be, c->raw + c->signed_len, mb);
	r = swsev_rsa_pss_verify(k, swsev_amd_cert_hash(signer), c->raw, c->signed_len, sig_be, mb);
out:
	swsev_rsa_free(k);
	return r;
}

swsev_err swsev_amd_cert_make(const swsev_rsa_key *key, uint32_t usage, const uint8_t key_id[16],
			      const uint8_t certifying_id[16], const swsev_rsa_key *signer,
			      struct swsev_amd_cert *out)
{
	uint8_t buf[SWSEV_AMD_CERT_MAX], be[512], id[16];
	struct swsev_wbuf w;
	unsigned bits;
	size_t nb, used = 0;
	swsev_hash h;
	swsev_err r = SWSEV_E_INTERNAL;

	memset(out, 0, sizeof(*out));
	if (key == NULL)
		return SWSEV_E_INVALID;
	if (signer == NULL)
		signer = key;
	if (usage != SWSEV_USAGE_ARK && usage != SWSEV_USAGE_ASK)
		return SWSEV_E_USAGE;
	bits = swsev_rsa_bits(key);
	if (!bits_ok(bits) || swsev_rsa_bits(signer) != bits)
		return SWSEV_E_LENGTH;
	nb = bits / 8;
	h = bits == 2048 ? SWSEV_HASH_SHA256 : SWSEV_HASH_SHA384;
	if (key_id != NULL)
		memcpy(id, key_id, 16);
	else if ((r = swsev_random(id, sizeof(id))) != SWSEV_OK)
		return r;

	swsev_wbuf_init(&w, buf, sizeof(buf));
	(void)swsev_put_u32(&w, 1);
	(void)swsev_put_bytes(&w, id, 16);
	(void)swsev_put_bytes(&w, certifying_id != NULL ? certifying_id : id, 16);
	(void)swsev_put_u32(&w, usage);
	(void)swsev_put_zeros(&w, 16);
	(void)swsev_put_u32(&w, bits); /* the exponent field is as wide as the modulus */
	(void)swsev_put_u32(&w, bits);
	if (w.err != SWSEV_OK || w.off != SWSEV_AMD_HDR_LEN)
		return SWSEV_E_INTERNAL;
	/* exponent, then modulus: big-endian from crypto, little-endian here */
	if ((r = swsev_rsa_get_public(key, be, nb, buf + SWSEV_AMD_HDR_LEN, nb)) != SWSEV_OK)
		return r;
	swsev_reverse_inplace(buf + SWSEV_AMD_HDR_LEN, nb);
	swsev_reverse(buf + SWSEV_AMD_HDR_LEN + nb, be, nb);
	if ((r = swsev_rsa_pss_sign(signer, h, buf, SWSEV_AMD_HDR_LEN + 2 * nb, be, nb)) !=
	    SWSEV_OK)
		return r;
	swsev_reverse(buf + SWSEV_AMD_HDR_LEN + 2 * nb, be, nb);
	r = swsev_amd_cert_parse(buf, SWSEV_AMD_HDR_LEN + 3 * nb, 0, out, &used);
	if (r == SWSEV_OK && used != SWSEV_AMD_HDR_LEN + 3 * nb)
		r = SWSEV_E_INTERNAL;
	if (r != SWSEV_OK)
		memset(out, 0, sizeof(*out));
	return r;
}
