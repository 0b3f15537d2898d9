/*
 * Incremental HMAC-SHA256: a MAC over data that becomes available piece by
 * piece (the firmware MACs a transport packet's ciphertext while the next
 * piece is still being encrypted). Same result as swsev_hmac_sha256_v over
 * the concatenation of the pieces.
 */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/crypto_int.h"

struct swsev_hmac_ctx {
	EVP_MAC_CTX *mac;
	int finalized;
};

void swsev_hmac_sha256_free(swsev_hmac_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MAC_CTX_free(c->mac); /* cleanses the keyed state */
	swsev_clear_free(c, sizeof(*c));
}

swsev_err swsev_hmac_sha256_new(const void *key, size_t keylen, swsev_hmac_ctx **out)
{
	const struct swsev_algs *a = swsev_crypto_algs();
	static const uint8_t empty_key;
	swsev_hmac_ctx *c = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (key == NULL && keylen != 0)
		return SWSEV_E_INVALID;
	if (a == NULL)
		return SWSEV_E_CRYPTO;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return SWSEV_E_NOMEM;
	/* dup of the template that already names SHA-256: no digest lookup */
	if ((c->mac = EVP_MAC_CTX_dup(a->hmac_sha256)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	/* a NULL key would mean "keep the previous key" to OpenSSL: never pass NULL */
	if (EVP_MAC_init(c->mac, key != NULL ? key : &empty_key, keylen, NULL) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	*out = c;
	c = NULL;
	r = SWSEV_OK;
out:
	swsev_hmac_sha256_free(c);
	ERR_clear_error();
	return r;
}

swsev_err swsev_hmac_sha256_update(swsev_hmac_ctx *c, const void *msg, size_t len)
{
	if (c == NULL || (msg == NULL && len != 0))
		return SWSEV_E_INVALID;
	if (c->finalized)
		return SWSEV_E_STATE;
	if (len == 0)
		return SWSEV_OK;
	if (EVP_MAC_update(c->mac, msg, len) != 1) {
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	return SWSEV_OK;
}

swsev_err swsev_hmac_sha256_final(swsev_hmac_ctx *c, uint8_t out[32])
{
	size_t outl = 0;

	if (c == NULL || out == NULL)
		return SWSEV_E_INVALID;
	if (c->finalized)
		return SWSEV_E_STATE;
	c->finalized = 1;
	if (EVP_MAC_final(c->mac, out, &outl, SWSEV_SHA256_LEN) != 1 || outl != SWSEV_SHA256_LEN) {
		swsev_wipe(out, SWSEV_SHA256_LEN);
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	return SWSEV_OK;
}

swsev_err swsev_hmac_sha256_reset(swsev_hmac_ctx *c)
{
	if (c == NULL)
		return SWSEV_E_INVALID;
	/* a NULL key: OpenSSL restarts from the key it already holds */
	if (EVP_MAC_init(c->mac, NULL, 0, NULL) != 1) {
		c->finalized = 1;
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	c->finalized = 0;
	return SWSEV_OK;
}
