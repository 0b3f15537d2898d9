/*
 * Internal to lib/crypto: the algorithm objects fetched once per process.
 * Nothing outside lib/crypto includes this file (or any OpenSSL header).
 */
#ifndef SWSEV_LIB_CRYPTO_INT_H
#define SWSEV_LIB_CRYPTO_INT_H

#include <openssl/evp.h>

#include "swsev/crypto.h"

struct swsev_algs {
	EVP_MD *sha256;
	EVP_MD *sha384;
	EVP_MAC *hmac;
	EVP_MAC_CTX *hmac_sha256; /* template: digest set, no key; dup'ed per call */
	EVP_CIPHER *aes128_ctr;
	EVP_CIPHER *aes128_xts;
	EVP_CIPHER *aes128_ecb;
};

/*
 * The fetched algorithms, or NULL if OpenSSL could not provide one of them
 * (every caller then fails with SWSEV_E_CRYPTO). Fetched once (pthread_once)
 * and kept for the life of the process: re-fetching by name per call costs
 * a locked lookup in OpenSSL's method store on every hash and MAC.
 */
const struct swsev_algs *swsev_crypto_algs(void);

/* The EVP_MD for h, or NULL (unknown h or fetch failure). */
const EVP_MD *swsev_crypto_md(swsev_hash h);

#endif
