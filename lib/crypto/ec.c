/*
 * EC P-384: keys, ECDH and ECDSA. Scalars, coordinates, r and s are 48-byte
 * big-endian at this API (the SEV formats are little-endian; lib/formats
 * converts).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "crypto/crypto_int.h"

#define P384 SWSEV_P384_BYTES

struct swsev_ec_key {
	EVP_PKEY *pk;
	int has_priv;
};

/* The P-384 field prime p, big-endian (FIPS 186-4 D.1.2.4). */
static const uint8_t p384_p[P384] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
};

void swsev_ec_free(swsev_ec_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk); /* clears the private scalar */
	free(k);
}

int swsev_ec_has_private(const swsev_ec_key *k)
{
	return k != NULL && k->has_priv;
}

static swsev_err wrap_key(EVP_PKEY *pk, int has_priv, swsev_ec_key **out)
{
	swsev_ec_key *k = calloc(1, sizeof(*k));

	if (k == NULL) {
		EVP_PKEY_free(pk);
		return SWSEV_E_NOMEM;
	}
	k->pk = pk;
	k->has_priv = has_priv;
	*out = k;
	return SWSEV_OK;
}

swsev_err swsev_ec_generate(swsev_ec_key **out)
{
	EVP_PKEY *pk;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (pk == NULL) {
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	return wrap_key(pk, 1, out);
}

/* Builds an EVP_PKEY from an uncompressed point and an optional scalar. */
static swsev_err from_params(const uint8_t *pub, size_t publen, const BIGNUM *d, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pk = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	*out = NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) != 1 ||
	    (d != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	/* decoding the point checks that it is on the curve */
	if (EVP_PKEY_fromdata(ctx, &pk, d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) != 1) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	/*
	 * Not infinity, coordinates in [0, p), on the curve. P-384 has cofactor
	 * 1, so every such point has order n: the full check's n * Q = infinity
	 * (a whole scalar multiplication, as costly as the ECDH it would guard)
	 * proves nothing more here (SP 800-56A 5.6.2.3.4 partial validation).
	 */
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (EVP_PKEY_public_check_quick(chk) != 1) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	*out = pk;
	pk = NULL;
	r = SWSEV_OK;
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params); /* a secure BN went to a secure block: clear-freed */
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return r;
}

swsev_err swsev_ec_from_private(const uint8_t d[48], swsev_ec_key **out)
{
	EC_GROUP *grp = NULL;
	EC_POINT *q = NULL;
	BIGNUM *bd = NULL;
	BN_CTX *bnctx = NULL;
	EVP_PKEY *pk = NULL;
	uint8_t pub[1 + 2 * P384];
	swsev_err r = SWSEV_E_INTERNAL;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (d == NULL)
		return SWSEV_E_INVALID;
	if ((grp = EC_GROUP_new_by_curve_name(NID_secp384r1)) == NULL ||
	    (bnctx = BN_CTX_secure_new()) == NULL || (q = EC_POINT_new(grp)) == NULL ||
	    (bd = BN_secure_new()) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	BN_set_flags(bd, BN_FLG_CONSTTIME);
	if (BN_bin2bn(d, P384, bd) == NULL) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	/* 0 < d < n */
	if (BN_is_zero(bd) || BN_cmp(bd, EC_GROUP_get0_order(grp)) >= 0) {
		r = SWSEV_E_RANGE;
		goto out;
	}
	if (EC_POINT_mul(grp, q, bd, NULL, NULL, bnctx) != 1 ||
	    EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), bnctx) !=
		    sizeof(pub)) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	r = from_params(pub, sizeof(pub), bd, &pk);
	if (r != SWSEV_OK)
		goto out;
	r = wrap_key(pk, 1, out);
out:
	BN_clear_free(bd);
	EC_POINT_free(q);
	BN_CTX_free(bnctx);
	EC_GROUP_free(grp);
	ERR_clear_error();
	return r;
}

/* Big-endian a < b for equal-length public values (not constant time). */
static int be_less(const uint8_t *a, const uint8_t *b, size_t n)
{
	return memcmp(a, b, n) < 0;
}

swsev_err swsev_ec_from_public(const uint8_t x[48], const uint8_t y[48], swsev_ec_key **out)
{
	uint8_t pub[1 + 2 * P384];
	EVP_PKEY *pk = NULL;
	swsev_err r;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (x == NULL || y == NULL)
		return SWSEV_E_INVALID;
	/* coordinates must be field elements (OpenSSL would reduce some cases) */
	if (!be_less(x, p384_p, P384) || !be_less(y, p384_p, P384))
		return SWSEV_E_BADKEY;
	pub[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pub + 1, x, P384);
	memcpy(pub + 1 + P384, y, P384);
	r = from_params(pub, sizeof(pub), NULL, &pk);
	if (r != SWSEV_OK)
		return r;
	return wrap_key(pk, 0, out);
}

static swsev_err get_bn(const EVP_PKEY *pk, const char *name, uint8_t *out, size_t len)
{
	BIGNUM *bn = NULL;
	swsev_err r = SWSEV_E_CRYPTO;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) == 1 && bn != NULL &&
	    BN_bn2binpad(bn, out, (int)len) == (int)len)
		r = SWSEV_OK;
	BN_clear_free(bn);
	ERR_clear_error();
	return r;
}

swsev_err swsev_ec_get_public(const swsev_ec_key *k, uint8_t x[48], uint8_t y[48])
{
	swsev_err r;

	if (k == NULL || x == NULL || y == NULL)
		return SWSEV_E_INVALID;
	r = get_bn(k->pk, OSSL_PKEY_PARAM_EC_PUB_X, x, P384);
	if (r == SWSEV_OK)
		r = get_bn(k->pk, OSSL_PKEY_PARAM_EC_PUB_Y, y, P384);
	return r;
}

swsev_err swsev_ec_get_private(const swsev_ec_key *k, uint8_t d[48])
{
	swsev_err r;

	if (k == NULL || d == NULL)
		return SWSEV_E_INVALID;
	if (!k->has_priv)
		return SWSEV_E_INVALID;
	r = get_bn(k->pk, OSSL_PKEY_PARAM_PRIV_KEY, d, P384);
	if (r != SWSEV_OK)
		swsev_wipe(d, P384);
	return r;
}

swsev_err swsev_ec_export_pem(const swsev_ec_key *k, char **pem, size_t *len)
{
	BIO *bio = NULL;
	BUF_MEM *mem = NULL;
	char *out = NULL;
	swsev_err r = SWSEV_E_CRYPTO;

	if (k == NULL || pem == NULL || len == NULL || !k->has_priv)
		return SWSEV_E_INVALID;
	*pem = NULL;
	*len = 0;
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL)
		return SWSEV_E_NOMEM;
	if (PEM_write_bio_PrivateKey(bio, k->pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    BIO_get_mem_ptr(bio, &mem) != 1 || mem == NULL || mem->length == 0)
		goto out;
	out = malloc(mem->length + 1);
	if (out == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	memcpy(out, mem->data, mem->length);
	out[mem->length] = '\0';
	*pem = out;
	*len = mem->length;
	r = SWSEV_OK;
out:
	BIO_free(bio); /* a secure-heap BIO is cleansed when freed */
	ERR_clear_error();
	return r;
}

swsev_err swsev_ec_import_pem(const char *pem, size_t len, swsev_ec_key **out)
{
	BIO *bio = NULL;
	EVP_PKEY *pk = NULL;
	char group[32];
	size_t glen = 0;
	uint8_t d[P384];
	swsev_err r = SWSEV_E_FORMAT;

	if (pem == NULL || out == NULL || len == 0 || len > 64 * 1024)
		return SWSEV_E_INVALID;
	*out = NULL;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return SWSEV_E_NOMEM;
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (pk == NULL)
		goto out;
	r = SWSEV_E_BADKEY;
	if (!EVP_PKEY_is_a(pk, "EC") ||
	    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					   &glen) != 1 ||
	    strcmp(group, "secp384r1") != 0)
		goto out;
	/* rebuild from the scalar: one canonical, range-checked key object */
	if (get_bn(pk, OSSL_PKEY_PARAM_PRIV_KEY, d, P384) != SWSEV_OK)
		goto out;
	r = swsev_ec_from_private(d, out);
	if (r != SWSEV_OK)
		r = SWSEV_E_BADKEY;
out:
	swsev_wipe(d, sizeof(d));
	EVP_PKEY_free(pk);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

swsev_err swsev_ecdh(const swsev_ec_key *priv, const swsev_ec_key *peer, uint8_t z[48])
{
	EVP_PKEY_CTX *ctx = NULL;
	swsev_err r = SWSEV_E_INTERNAL;
	size_t zlen = P384;

	if (priv == NULL || peer == NULL || z == NULL)
		return SWSEV_E_INVALID;
	if (!priv->has_priv)
		return SWSEV_E_INVALID;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pk, NULL)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (EVP_PKEY_derive_init(ctx) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	/* validate_peer = 0: every swsev_ec_key was validated when it was made
	 * (from_params) and is immutable; checking again costs a point check */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer->pk, 0) != 1) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, z, &zlen) != 1 || zlen != P384) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	r = SWSEV_OK;
out:
	if (r != SWSEV_OK)
		swsev_wipe(z, P384);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

swsev_err swsev_ecdsa_sign(const swsev_ec_key *k, swsev_hash h, const void *msg, size_t len,
			   uint8_t r_out[48], uint8_t s_out[48])
{
	const EVP_MD *md = swsev_crypto_md(h);
	static const uint8_t empty;
	EVP_MD_CTX *mctx = NULL;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *br, *bs;
	const uint8_t *p;
	uint8_t der[160];
	size_t derlen = sizeof(der);
	swsev_err r = SWSEV_E_INTERNAL;

	if (k == NULL || r_out == NULL || s_out == NULL || (msg == NULL && len != 0))
		return SWSEV_E_INVALID;
	if (!k->has_priv)
		return SWSEV_E_INVALID;
	if (md == NULL)
		return swsev_hash_len(h) == 0 ? SWSEV_E_ALGO : SWSEV_E_CRYPTO;
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (EVP_DigestSignInit_ex(mctx, NULL, EVP_MD_get0_name(md), NULL, NULL, k->pk, NULL) != 1 ||
	    EVP_DigestSign(mctx, der, &derlen, msg != NULL ? msg : &empty, len) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	p = der;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL || p != der + derlen) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	ECDSA_SIG_get0(sig, &br, &bs);
	if (BN_bn2binpad(br, r_out, P384) != P384 || BN_bn2binpad(bs, s_out, P384) != P384) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	r = SWSEV_OK;
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return r;
}

swsev_err swsev_ecdsa_verify(const swsev_ec_key *k, swsev_hash h, const void *msg, size_t len,
			     const uint8_t r_in[48], const uint8_t s_in[48])
{
	const EVP_MD *md = swsev_crypto_md(h);
	static const uint8_t empty;
	EVP_MD_CTX *mctx = NULL;
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	uint8_t *der = NULL;
	int derlen, v;
	swsev_err r = SWSEV_E_INTERNAL;

	if (k == NULL || r_in == NULL || s_in == NULL || (msg == NULL && len != 0))
		return SWSEV_E_INVALID;
	if (md == NULL)
		return swsev_hash_len(h) == 0 ? SWSEV_E_ALGO : SWSEV_E_CRYPTO;
	if ((sig = ECDSA_SIG_new()) == NULL || (br = BN_bin2bn(r_in, P384, NULL)) == NULL ||
	    (bs = BN_bin2bn(s_in, P384, NULL)) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (ECDSA_SIG_set0(sig, br, bs) != 1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	br = bs = NULL; /* owned by sig */
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) <= 0) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(mctx, NULL, EVP_MD_get0_name(md), NULL, NULL, k->pk, NULL) !=
	    1) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	/* 1 = valid; 0 or a negative value (e.g. r or s out of range) = invalid */
	v = EVP_DigestVerify(mctx, der, (size_t)derlen, msg != NULL ? msg : &empty, len);
	r = v == 1 ? SWSEV_OK : SWSEV_E_BADSIG;
out:
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return r;
}
