/*
 * SHA-256/384, the incremental SHA-256 of the launch digest, HMAC-SHA256 and
 * the SP 800-108 counter-mode KDF (crypto.md §2).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "codec/codec.h"
#include "crypto/crypto_int.h"

struct swsev_sha256_ctx {
	EVP_MD_CTX *md;
	int finalized;
};

swsev_err swsev_digest(swsev_hash h, const void *msg, size_t len, uint8_t *out)
{
	const EVP_MD *md = swsev_crypto_md(h);
	static const uint8_t empty;

	if (out == NULL || (msg == NULL && len != 0))
		return SWSEV_E_INVALID;
	if (md == NULL)
		return swsev_hash_len(h) == 0 ? SWSEV_E_ALGO : SWSEV_E_CRYPTO;
	if (EVP_Digest(msg != NULL ? msg : &empty, len, out, NULL, md, NULL) != 1) {
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	return SWSEV_OK;
}

swsev_err swsev_sha256(const void *msg, size_t len, uint8_t out[32])
{
	return swsev_digest(SWSEV_HASH_SHA256, msg, len, out);
}

swsev_err swsev_sha384(const void *msg, size_t len, uint8_t out[48])
{
	return swsev_digest(SWSEV_HASH_SHA384, msg, len, out);
}

swsev_err swsev_sha256_new(swsev_sha256_ctx **out)
{
	const EVP_MD *md = swsev_crypto_md(SWSEV_HASH_SHA256);
	swsev_sha256_ctx *c = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (md == NULL)
		return SWSEV_E_CRYPTO;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if ((c->md = EVP_MD_CTX_new()) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex2(c->md, md, NULL) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	*out = c;
	c = NULL;
	r = SWSEV_OK;
out:
	swsev_sha256_free(c);
	ERR_clear_error();
	return r;
}

swsev_err swsev_sha256_update(swsev_sha256_ctx *c, const void *msg, size_t len)
{
	if (c == NULL || (msg == NULL && len != 0))
		return SWSEV_E_INVALID;
	if (c->finalized)
		return SWSEV_E_STATE;
	if (len == 0)
		return SWSEV_OK;
	if (EVP_DigestUpdate(c->md, msg, len) != 1) {
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	return SWSEV_OK;
}

swsev_err swsev_sha256_final(swsev_sha256_ctx *c, uint8_t out[32])
{
	if (c == NULL || out == NULL)
		return SWSEV_E_INVALID;
	if (c->finalized)
		return SWSEV_E_STATE;
	c->finalized = 1;
	if (EVP_DigestFinal_ex(c->md, out, NULL) != 1) {
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	return SWSEV_OK;
}

swsev_err swsev_sha256_dup(const swsev_sha256_ctx *c, swsev_sha256_ctx **out)
{
	swsev_sha256_ctx *d = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	if (c == NULL || out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (c->finalized)
		return SWSEV_E_STATE;
	if ((d = calloc(1, sizeof(*d))) == NULL || (d->md = EVP_MD_CTX_new()) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (EVP_MD_CTX_copy_ex(d->md, c->md) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	*out = d;
	d = NULL;
	r = SWSEV_OK;
out:
	swsev_sha256_free(d);
	ERR_clear_error();
	return r;
}

void swsev_sha256_free(swsev_sha256_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md); /* cleanses the running state */
	swsev_clear_free(c, sizeof(*c));
}

swsev_err swsev_hmac_sha256_v(const void *key, size_t keylen, const struct swsev_iov *parts,
			      size_t n, uint8_t out[32])
{
	const struct swsev_algs *a = swsev_crypto_algs();
	static const uint8_t empty_key;
	EVP_MAC_CTX *ctx = NULL;
	swsev_err r = SWSEV_E_INTERNAL;
	size_t i, outl = 0;

	if (out == NULL || (key == NULL && keylen != 0) || (parts == NULL && n != 0))
		return SWSEV_E_INVALID;
	for (i = 0; i < n; i++)
		if (parts[i].p == NULL && parts[i].len != 0)
			return SWSEV_E_INVALID;
	if (a == NULL)
		return SWSEV_E_CRYPTO;
	/* dup of a template that already names SHA-256: no digest lookup per call */
	if ((ctx = EVP_MAC_CTX_dup(a->hmac_sha256)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	/* a NULL key would mean "keep the previous key" to OpenSSL: never pass NULL */
	if (EVP_MAC_init(ctx, key != NULL ? key : &empty_key, keylen, NULL) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (parts[i].len == 0)
			continue;
		if (EVP_MAC_update(ctx, parts[i].p, parts[i].len) != 1) {
			r = SWSEV_E_CRYPTO;
			goto out;
		}
	}
	if (EVP_MAC_final(ctx, out, &outl, SWSEV_SHA256_LEN) != 1 || outl != SWSEV_SHA256_LEN) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	r = SWSEV_OK;
out:
	EVP_MAC_CTX_free(ctx); /* cleanses the keyed state */
	if (r != SWSEV_OK)
		swsev_wipe(out, SWSEV_SHA256_LEN);
	ERR_clear_error();
	return r;
}

swsev_err swsev_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
			    uint8_t out[32])
{
	struct swsev_iov part = { msg, len };

	return swsev_hmac_sha256_v(key, keylen, &part, 1, out);
}

/*
 * crypto.md §2: K_i = HMAC(K_in, LE32(i) || label || 0x00 || context ||
 * LE32(L_bytes * 8)), i = 1..ceil(L/32), output = first L bytes.
 */
swsev_err swsev_kdf_sp800_108(const void *key, size_t keylen, const char *label,
			      const void *context, size_t ctxlen, uint8_t *out, size_t outlen)
{
	static const uint8_t sep;
	uint8_t ctr[4], bits[4], block[SWSEV_SHA256_LEN];
	struct swsev_iov parts[5];
	swsev_err r = SWSEV_E_INTERNAL;
	size_t done = 0, nbits;
	uint32_t i;

	if (label == NULL || out == NULL || (context == NULL && ctxlen != 0) ||
	    (key == NULL && keylen != 0))
		return SWSEV_E_INVALID;
	/* the length field is 32 bits wide and counts bits */
	if (outlen == 0 || !swsev_mul_ok(outlen, 8, &nbits) || nbits > UINT32_MAX)
		return SWSEV_E_RANGE;
	swsev_wle32(bits, (uint32_t)nbits);
	parts[0] = (struct swsev_iov){ ctr, sizeof(ctr) };
	parts[1] = (struct swsev_iov){ label, strlen(label) };
	parts[2] = (struct swsev_iov){ &sep, 1 };
	parts[3] = (struct swsev_iov){ context, ctxlen };
	parts[4] = (struct swsev_iov){ bits, sizeof(bits) };
	for (i = 1; done < outlen; i++) {
		size_t take = outlen - done < sizeof(block) ? outlen - done : sizeof(block);

		swsev_wle32(ctr, i);
		r = swsev_hmac_sha256_v(key, keylen, parts, 5, block);
		if (r != SWSEV_OK)
			goto out;
		memcpy(out + done, block, take);
		done += take;
	}
	r = SWSEV_OK;
out:
	swsev_wipe(block, sizeof(block));
	if (r != SWSEV_OK)
		swsev_wipe(out, outlen);
	return r;
}
