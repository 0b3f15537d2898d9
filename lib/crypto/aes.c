/*
 * AES-128-CTR (transport encryption, key wrap) and the memory-encryption
 * cipher of the memory model (crypto.md §9.2).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "codec/codec.h"
#include "crypto/crypto_int.h"

/* CTR over len bytes on an initialised context, in chunks of whole blocks
 * (the counter stays continuous across them). 1 on success. */
static int ctr_update(EVP_CIPHER_CTX *ctx, const uint8_t *ip, uint8_t *op, size_t len)
{
	int outl;

	while (len > 0) {
		int n = len > (size_t)(INT_MAX & ~15) ? (INT_MAX & ~15) : (int)len;

		if (EVP_EncryptUpdate(ctx, op, &outl, ip, n) != 1 || outl != n)
			return 0;
		ip += n;
		op += n;
		len -= (size_t)n;
	}
	return 1;
}

swsev_err swsev_aes128_ctr(const uint8_t key[16], const uint8_t iv[16], const void *in, void *out,
			   size_t len)
{
	const struct swsev_algs *a = swsev_crypto_algs();
	EVP_CIPHER_CTX *ctx = NULL;
	swsev_err r = SWSEV_E_INTERNAL;

	if (key == NULL || iv == NULL || ((in == NULL || out == NULL) && len != 0))
		return SWSEV_E_INVALID;
	if (len == 0)
		return SWSEV_OK;
	if (a == NULL)
		return SWSEV_E_CRYPTO;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	if (EVP_EncryptInit_ex2(ctx, a->aes128_ctr, key, iv, NULL) != 1 ||
	    !ctr_update(ctx, in, out, len)) {
		r = SWSEV_E_CRYPTO;
		goto out;
	}
	r = SWSEV_OK;
out:
	EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
	ERR_clear_error();
	return r;
}

struct swsev_ctr {
	EVP_CIPHER_CTX *ctx;
};

swsev_err swsev_ctr_new(const uint8_t key[16], swsev_ctr **out)
{
	const struct swsev_algs *a = swsev_crypto_algs();
	swsev_ctr *c;
	swsev_err r = SWSEV_E_CRYPTO;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (key == NULL)
		return SWSEV_E_INVALID;
	if (a == NULL)
		return SWSEV_E_CRYPTO;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->ctx = EVP_CIPHER_CTX_new()) == NULL) {
		r = SWSEV_E_NOMEM;
		goto fail;
	}
	if (EVP_EncryptInit_ex2(c->ctx, a->aes128_ctr, key, NULL, NULL) != 1)
		goto fail;
	*out = c;
	return SWSEV_OK;
fail:
	swsev_ctr_free(c);
	ERR_clear_error();
	return r;
}

swsev_err swsev_ctr_crypt(swsev_ctr *c, const uint8_t iv[16], const void *in, void *out, size_t len)
{
	if (c == NULL || iv == NULL || ((in == NULL || out == NULL) && len != 0))
		return SWSEV_E_INVALID;
	if (len == 0)
		return SWSEV_OK;
	/* a new IV on the kept key schedule (resets the counter and the
	 * partial-block state) */
	if (EVP_EncryptInit_ex2(c->ctx, NULL, NULL, iv, NULL) != 1 ||
	    !ctr_update(c->ctx, in, out, len)) {
		ERR_clear_error();
		return SWSEV_E_CRYPTO;
	}
	return SWSEV_OK;
}

void swsev_ctr_free(swsev_ctr *c)
{
	if (c == NULL)
		return;
	EVP_CIPHER_CTX_free(c->ctx); /* cleanses the key schedule */
	free(c);
}

/*
 * Memory cipher.
 *
 * key = K1 (data key, bytes 0..15) || K2 (tweak key, bytes 16..31).
 *
 * XTS: AES-128-XTS(K1 || K2) over one 4 KiB page as the data unit, tweak =
 *      u64le(page_paddr) || 0^8. XTS multiplies the encrypted tweak by
 *      alpha^j for block j, so every 16-byte block's effective tweak is a
 *      function of its own physical address.
 * XE:  T_i = AES-128-ECB(K2, u64le(block_paddr_i) || 0^8) for the page's 256
 *      blocks (one ECB call over a page of addresses), C_i = AES-128-ECB(K1,
 *      P_i xor T_i).
 *
 * Equal halves (K1 == K2) are refused with SWSEV_E_INVALID in both modes:
 * OpenSSL refuses such XTS keys (the Rogaway attack on XEX with one key),
 * and the memory model draws the 32 bytes at random, so this never happens
 * with a real VEK.
 *
 * The EVP contexts and the scratch page live in the object and are reused
 * on every call (no allocation on the hot path). Therefore ONE swsev_memc
 * MUST NOT BE USED BY TWO THREADS AT THE SAME TIME: give each thread its
 * own context or serialize calls with a lock.
 */
struct swsev_memc {
	swsev_memc_mode mode;
	EVP_CIPHER_CTX *enc;   /* XTS: XTS encrypt; XE: ECB(K1) encrypt */
	EVP_CIPHER_CTX *dec;   /* XTS: XTS decrypt; XE: ECB(K1) decrypt */
	EVP_CIPHER_CTX *tweak; /* XE only: ECB(K2) encrypt */
	uint8_t addrs[SWSEV_PAGE];
	uint8_t t[SWSEV_PAGE];
};

#define MEMC_BLOCKS (SWSEV_PAGE / SWSEV_AES_BLOCK)

void swsev_memc_free(swsev_memc *c)
{
	if (c == NULL)
		return;
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	EVP_CIPHER_CTX_free(c->tweak);
	swsev_clear_free(c, sizeof(*c));
}

static EVP_CIPHER_CTX *ecb_ctx(const EVP_CIPHER *ecb, const uint8_t key[16], int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx == NULL)
		return NULL;
	if (EVP_CipherInit_ex2(ctx, ecb, key, NULL, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

swsev_err swsev_memc_new(swsev_memc_mode mode, const uint8_t key[32], swsev_memc **out)
{
	const struct swsev_algs *a = swsev_crypto_algs();
	swsev_memc *c = NULL;
	swsev_err r = SWSEV_E_INTERNAL;
	static const uint8_t zero_iv[16];

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (key == NULL || (mode != SWSEV_MEMC_XTS && mode != SWSEV_MEMC_XE))
		return SWSEV_E_INVALID;
	if (swsev_ct_equal(key, key + 16, 16))
		return SWSEV_E_INVALID;
	if (a == NULL)
		return SWSEV_E_CRYPTO;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return SWSEV_E_NOMEM;
	c->mode = mode;
	if (mode == SWSEV_MEMC_XTS) {
		c->enc = EVP_CIPHER_CTX_new();
		c->dec = EVP_CIPHER_CTX_new();
		if (c->enc == NULL || c->dec == NULL) {
			r = SWSEV_E_NOMEM;
			goto out;
		}
		if (EVP_CipherInit_ex2(c->enc, a->aes128_xts, key, zero_iv, 1, NULL) != 1 ||
		    EVP_CipherInit_ex2(c->dec, a->aes128_xts, key, zero_iv, 0, NULL) != 1) {
			r = SWSEV_E_CRYPTO;
			goto out;
		}
	} else {
		c->enc = ecb_ctx(a->aes128_ecb, key, 1);
		c->dec = ecb_ctx(a->aes128_ecb, key, 0);
		c->tweak = ecb_ctx(a->aes128_ecb, key + 16, 1);
		if (c->enc == NULL || c->dec == NULL || c->tweak == NULL) {
			r = SWSEV_E_CRYPTO;
			goto out;
		}
	}
	*out = c;
	c = NULL;
	r = SWSEV_OK;
out:
	swsev_memc_free(c);
	ERR_clear_error();
	return r;
}

static int ecb_page(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in)
{
	int outl = 0;

	return EVP_CipherUpdate(ctx, out, &outl, in, SWSEV_PAGE) == 1 && outl == SWSEV_PAGE;
}

static void xor_page(uint8_t *dst, const uint8_t *src, const uint8_t *t)
{
	uint64_t a, b;
	size_t i;

	/* 8 bytes at a time; memcpy keeps it alignment- and aliasing-safe */
	for (i = 0; i < SWSEV_PAGE; i += 8) {
		memcpy(&a, src + i, 8);
		memcpy(&b, t + i, 8);
		a ^= b;
		memcpy(dst + i, &a, 8);
	}
}

/* XE: T_i = ECB(K2, u64le(page_paddr + 16 i) || 0^8) for the 256 blocks. */
static int xe_tweaks(swsev_memc *c, uint64_t page_paddr)
{
	size_t i;

	for (i = 0; i < MEMC_BLOCKS; i++) {
		swsev_wle64(c->addrs + i * SWSEV_AES_BLOCK, page_paddr + i * SWSEV_AES_BLOCK);
		/* bytes 8..15 of every block stay zero from calloc */
	}
	return ecb_page(c->tweak, c->t, c->addrs);
}

/* XTS over the first n bytes (whole blocks) of the page at page_paddr: its
 * tweak sequence starts at the page's block 0, so a prefix en/decrypts
 * exactly as within the whole page. 1 on success. */
static int xts_prefix(swsev_memc *c, uint64_t page_paddr, const uint8_t *in, uint8_t *out, size_t n,
		      int enc)
{
	EVP_CIPHER_CTX *ctx = enc ? c->enc : c->dec;
	uint8_t iv[16];
	int outl = 0;

	swsev_wle64(iv, page_paddr);
	memset(iv + 8, 0, 8);
	/* new tweak only: the key schedules are kept */
	return EVP_CipherInit_ex2(ctx, NULL, NULL, iv, enc, NULL) == 1 &&
	       EVP_CipherUpdate(ctx, out, &outl, in, (int)n) == 1 && outl == (int)n;
}

static swsev_err memc_page(swsev_memc *c, uint64_t page_paddr, const uint8_t *in, uint8_t *out,
			   int enc)
{
	swsev_err r = SWSEV_E_INTERNAL;

	if (c == NULL || in == NULL || out == NULL)
		return SWSEV_E_INVALID;
	if ((page_paddr & (SWSEV_PAGE - 1)) != 0)
		return SWSEV_E_INVALID;
	if (c->mode == SWSEV_MEMC_XTS) {
		if (!xts_prefix(c, page_paddr, in, out, SWSEV_PAGE, enc)) {
			r = SWSEV_E_CRYPTO;
			goto out;
		}
	} else {
		if (!xe_tweaks(c, page_paddr)) {
			r = SWSEV_E_CRYPTO;
			goto out;
		}
		/* both orders work in place (in == out) */
		if (enc) {
			xor_page(out, in, c->t);
			if (!ecb_page(c->enc, out, out)) {
				r = SWSEV_E_CRYPTO;
				goto out;
			}
		} else {
			if (!ecb_page(c->dec, out, in)) {
				r = SWSEV_E_CRYPTO;
				goto out;
			}
			xor_page(out, out, c->t);
		}
	}
	r = SWSEV_OK;
out:
	if (c->mode == SWSEV_MEMC_XE)
		swsev_wipe(c->t, sizeof(c->t));
	if (r != SWSEV_OK) {
		swsev_wipe(out, SWSEV_PAGE);
		ERR_clear_error();
	}
	return r;
}

swsev_err swsev_memc_encrypt_page(swsev_memc *c, uint64_t page_paddr, const uint8_t *in,
				  uint8_t *out)
{
	return memc_page(c, page_paddr, in, out, 1);
}

swsev_err swsev_memc_decrypt_page(swsev_memc *c, uint64_t page_paddr, const uint8_t *in,
				  uint8_t *out)
{
	return memc_page(c, page_paddr, in, out, 0);
}

swsev_err swsev_memc_decrypt_prefix(swsev_memc *c, uint64_t page_paddr, const uint8_t *in,
				    uint8_t *out, size_t n)
{
	uint8_t pt[SWSEV_PAGE];
	swsev_err r;

	if (c == NULL || in == NULL || out == NULL || n == 0 || n > SWSEV_PAGE ||
	    n % SWSEV_AES_BLOCK != 0 || (page_paddr & (SWSEV_PAGE - 1)) != 0)
		return SWSEV_E_INVALID;
	if (n == SWSEV_PAGE)
		return memc_page(c, page_paddr, in, out, 0);
	if (c->mode == SWSEV_MEMC_XTS) {
		/* n is whole blocks: no ciphertext stealing */
		if (!xts_prefix(c, page_paddr, in, out, n, 0)) {
			swsev_wipe(out, n);
			ERR_clear_error();
			return SWSEV_E_CRYPTO;
		}
		return SWSEV_OK;
	}
	r = memc_page(c, page_paddr, in, pt, 0);
	if (r == SWSEV_OK)
		memcpy(out, pt, n);
	swsev_wipe(pt, sizeof(pt));
	return r;
}
