/*
 * Algorithm fetching, randomness, wiping and constant-time helpers.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto/crypto_int.h"

static struct swsev_algs g_algs;
static int g_algs_ok;
static pthread_once_t g_algs_once = PTHREAD_ONCE_INIT;

static void algs_init(void)
{
	OSSL_PARAM params[2];
	char dname[] = "SHA256";

	g_algs.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	g_algs.sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	g_algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	g_algs.aes128_ctr = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
	g_algs.aes128_xts = EVP_CIPHER_fetch(NULL, "AES-128-XTS", NULL);
	g_algs.aes128_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	if (g_algs.hmac != NULL) {
		g_algs.hmac_sha256 = EVP_MAC_CTX_new(g_algs.hmac);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dname, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (g_algs.hmac_sha256 != NULL &&
		    EVP_MAC_CTX_set_params(g_algs.hmac_sha256, params) != 1) {
			EVP_MAC_CTX_free(g_algs.hmac_sha256);
			g_algs.hmac_sha256 = NULL;
		}
	}
	g_algs_ok = g_algs.sha256 != NULL && g_algs.sha384 != NULL && g_algs.hmac != NULL &&
		    g_algs.hmac_sha256 != NULL && g_algs.aes128_ctr != NULL &&
		    g_algs.aes128_xts != NULL && g_algs.aes128_ecb != NULL;
	ERR_clear_error();
}

const struct swsev_algs *swsev_crypto_algs(void)
{
	if (pthread_once(&g_algs_once, algs_init) != 0)
		return NULL;
	return g_algs_ok ? &g_algs : NULL;
}

const EVP_MD *swsev_crypto_md(swsev_hash h)
{
	const struct swsev_algs *a = swsev_crypto_algs();

	if (a == NULL)
		return NULL;
	switch (h) {
	case SWSEV_HASH_SHA256: return a->sha256;
	case SWSEV_HASH_SHA384: return a->sha384;
	}
	return NULL;
}

size_t swsev_hash_len(swsev_hash h)
{
	switch (h) {
	case SWSEV_HASH_SHA256: return SWSEV_SHA256_LEN;
	case SWSEV_HASH_SHA384: return SWSEV_SHA384_LEN;
	}
	return 0;
}

swsev_err swsev_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (len != 0 && p == NULL)
		return SWSEV_E_INVALID;
	while (len > 0) {
		int n = len > (size_t)INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, n) != 1) {
			ERR_clear_error();
			return SWSEV_E_CRYPTO;
		}
		p += n;
		len -= (size_t)n;
	}
	return SWSEV_OK;
}

/* glibc's explicit_bzero: the vectorised memset behind a barrier the
 * compiler cannot remove. OPENSSL_cleanse stores through a volatile
 * function pointer a byte or word at a time: about 5% of a 16 KiB
 * SEND_UPDATE_DATA went into wiping its plaintext scratch. */
void swsev_wipe(void *p, size_t len)
{
	if (p != NULL && len != 0)
		explicit_bzero(p, len);
}

void swsev_clear_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	swsev_wipe(p, len);
	free(p);
}

/* Maps 0 to 1 and any other value of acc (a byte) to 0 without a branch. */
static int ct_zero_byte(unsigned acc)
{
	return (int)(((acc & 0xffu) - 1u) >> (sizeof(unsigned) * CHAR_BIT - 1));
}

int swsev_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	unsigned acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= (unsigned)(x[i] ^ y[i]);
	return ct_zero_byte(acc);
}

int swsev_ct_is_zero(const void *a, size_t len)
{
	const volatile uint8_t *x = a;
	unsigned acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= x[i];
	return ct_zero_byte(acc);
}
