/*
 * RSA for the AMD roots (ARK/ASK) and the CEK's ASK signature: RSASSA-PSS,
 * MGF1 with the message hash, salt length = hash length (crypto.md §10).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/crypto_int.h"

/* Accepted modulus sizes: the AMD keys are 2048 and 4096 bits. */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192

struct swsev_rsa_key {
	EVP_PKEY *pk;
	int has_priv;
};

void swsev_rsa_free(swsev_rsa_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk); /* clears the private values */
	free(k);
}

static swsev_err wrap_key(EVP_PKEY *pk, int has_priv, swsev_rsa_key **out)
{
	swsev_rsa_key *k = calloc(1, sizeof(*k));

	if (k == NULL) {
		EVP_PKEY_free(pk);
		return SWSEV_E_NOMEM;
	}
	k->pk = pk;
	k->has_priv = has_priv;
	*out = k;
	return SWSEV_OK;
}

unsigned swsev_rsa_bits(const swsev_rsa_key *k)
{
	int b;

	if (k == NULL)
		return 0;
	b = EVP_PKEY_get_bits(k->pk);
	return b > 0 ? (unsigned)b : 0;
}

swsev_err swsev_rsa_from_public(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
				swsev_rsa_key **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *bn = NULL, *be = NULL;
	int bits;
	swsev_err r = SWSEV_E_INTERNAL;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (n == NULL || e == NULL || nlen == 0 || elen == 0)
		return SWSEV_E_INVALID;
	if (nlen > RSA_MAX_BITS / 8 * 2 || elen > RSA_MAX_BITS / 8 * 2)
		return SWSEV_E_LENGTH;
	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	bits = BN_num_bits(bn);
	/* an odd modulus of an accepted size, an odd exponent 3 <= e < n */
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || !BN_is_odd(bn)) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	if (!BN_is_odd(be) || BN_is_one(be) || BN_cmp(be, bn) >= 0) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	r = wrap_key(pk, 0, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	ERR_clear_error();
	return r;
}

swsev_err swsev_rsa_generate(unsigned bits, swsev_rsa_key **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || bits % 8 != 0)
		return SWSEV_E_RANGE;
	/* e defaults to 65537 */
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
	    EVP_PKEY_generate(ctx, &pk) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	r = wrap_key(pk, 1, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

swsev_err swsev_rsa_get_public(const swsev_rsa_key *k, uint8_t *n, size_t nlen, uint8_t *e,
			       size_t elen)
{
	BIGNUM *bn = NULL, *be = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	if (k == NULL || n == NULL || e == NULL)
		return SWSEV_E_INVALID;
	if (nlen > INT_MAX || elen > INT_MAX)
		return SWSEV_E_LENGTH;
	if (EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_N, &bn) != 1 ||
	    EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_E, &be) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	/* BN_bn2binpad fails if the number does not fit: the buffer is too small */
	if (BN_bn2binpad(bn, n, (int)nlen) != (int)nlen ||
	    BN_bn2binpad(be, e, (int)elen) != (int)elen) {
		r = SWSEV_E_LENGTH;
		goto out;
	}
	r = SWSEV_OK;
out:
	BN_free(bn);
	BN_free(be);
	ERR_clear_error();
	return r;
}

swsev_err swsev_rsa_export_private(const swsev_rsa_key *k, uint8_t **der, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	uint8_t *tmp = NULL, *buf = NULL;
	int tlen = 0;
	swsev_err r = SWSEV_E_INTERNAL;

	if (der == NULL || len == NULL)
		return SWSEV_E_INVALID;
	*der = NULL;
	*len = 0;
	if (k == NULL || !k->has_priv)
		return SWSEV_E_INVALID;
	if ((p8 = EVP_PKEY2PKCS8(k->pk)) == NULL ||
	    (tlen = i2d_PKCS8_PRIV_KEY_INFO(p8, &tmp)) <= 0) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	/* hand back plain malloc memory: callers free with swsev_clear_free */
	if ((buf = malloc((size_t)tlen)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	memcpy(buf, tmp, (size_t)tlen);
	*der = buf;
	*len = (size_t)tlen;
	r = SWSEV_OK;
out:
	if (tmp != NULL)
		OPENSSL_clear_free(tmp, (size_t)tlen);
	PKCS8_PRIV_KEY_INFO_free(p8); /* clears the key octets */
	ERR_clear_error();
	return r;
}

swsev_err swsev_rsa_import_private(const uint8_t *der, size_t len, swsev_rsa_key **out)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *pk = NULL;
	const uint8_t *p = der;
	int bits;
	swsev_err r = SWSEV_E_INTERNAL;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (der == NULL || len == 0)
		return SWSEV_E_INVALID;
	if (len > 64 * 1024)
		return SWSEV_E_LENGTH;
	if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len)) == NULL) {
		r = SWSEV_E_FORMAT;
		goto out;
	}
	if (p != der + len) {
		r = SWSEV_E_TRAILING;
		goto out;
	}
	if ((pk = EVP_PKCS82PKEY(p8)) == NULL) {
		r = SWSEV_E_FORMAT;
		goto out;
	}
	if (!EVP_PKEY_is_a(pk, "RSA")) {
		r = SWSEV_E_ALGO;
		goto out;
	}
	bits = EVP_PKEY_get_bits(pk);
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	r = wrap_key(pk, 1, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ERR_clear_error();
	return r;
}

/* An EVP_MD_CTX set up for RSA-PSS with MGF1(h) and salt = hash length. */
static swsev_err pss_init(const swsev_rsa_key *k, swsev_hash h, int sign, EVP_MD_CTX **out)
{
	const EVP_MD *md = swsev_crypto_md(h);
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	*out = NULL;
	if (md == NULL)
		return swsev_hash_len(h) == 0 ? SWSEV_E_ALGO : SWSEV_E_CRYPTO;
	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return SWSEV_E_NOMEM;
	if (sign)
		ok = EVP_DigestSignInit_ex(mctx, &pctx, EVP_MD_get0_name(md), NULL, NULL, k->pk,
					   NULL);
	else
		ok = EVP_DigestVerifyInit_ex(mctx, &pctx, EVP_MD_get0_name(md), NULL, NULL, k->pk,
					     NULL);
	if (ok != 1 || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)swsev_hash_len(h)) != 1) {
		EVP_MD_CTX_free(mctx);
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	*out = mctx;
	return SWSEV_OK;
}

swsev_err swsev_rsa_pss_sign(const swsev_rsa_key *k, swsev_hash h, const void *msg, size_t len,
			     uint8_t *sig, size_t siglen)
{
	static const uint8_t empty;
	EVP_MD_CTX *mctx = NULL;
	size_t outl = siglen;
	swsev_err r = SWSEV_E_INTERNAL;

	if (k == NULL || sig == NULL || (msg == NULL && len != 0))
		return SWSEV_E_INVALID;
	if (!k->has_priv)
		return SWSEV_E_INVALID;
	if (siglen != (swsev_rsa_bits(k) + 7) / 8)
		return SWSEV_E_LENGTH;
	r = pss_init(k, h, 1, &mctx);
	if (r != SWSEV_OK)
		goto out;
	if (EVP_DigestSign(mctx, sig, &outl, msg != NULL ? msg : &empty, len) != 1 ||
	    outl != siglen) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	r = SWSEV_OK;
out:
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return r;
}

swsev_err swsev_rsa_pss_verify(const swsev_rsa_key *k, swsev_hash h, const void *msg, size_t len,
			       const uint8_t *sig, size_t siglen)
{
	static const uint8_t empty;
	EVP_MD_CTX *mctx = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	if (k == NULL || sig == NULL || (msg == NULL && len != 0))
		return SWSEV_E_INVALID;
	/* a signature is exactly the modulus size: anything else cannot verify */
	if (siglen != (swsev_rsa_bits(k) + 7) / 8)
		return SWSEV_E_BADSIG;
	r = pss_init(k, h, 0, &mctx);
	if (r != SWSEV_OK)
		goto out;
	r = EVP_DigestVerify(mctx, sig, siglen, msg != NULL ? msg : &empty, len) == 1 ?
		    SWSEV_OK :
		    SWSEV_E_BADSIG;
out:
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return r;
}
