/*
 * swsev crypto: the only module that includes OpenSSL headers.
 *
 * Conventions:
 *   - every big number (EC scalar, coordinate, ECDSA r/s, RSA n/e,
 *     RSA signature) crosses this API in BIG-endian, fixed width. The SEV
 *     formats are little-endian; lib/formats converts.
 *   - P-384 only for EC (48-byte scalars and coordinates).
 *   - all functions return swsev_err (SWSEV_OK on success) and wipe
 *     every temporary secret before returning, on every path.
 *   - key objects holding private keys wipe themselves when freed.
 *   - functions marked "constant time" do not branch on secret data.
 */
#ifndef SWSEV_CRYPTO_H
#define SWSEV_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"

#define SWSEV_P384_BYTES 48
#define SWSEV_SHA256_LEN 32
#define SWSEV_SHA384_LEN 48
#define SWSEV_AES128_KEY 16
#define SWSEV_AES_BLOCK 16

typedef enum swsev_hash {
	SWSEV_HASH_SHA256 = 1,
	SWSEV_HASH_SHA384 = 2,
} swsev_hash;

size_t swsev_hash_len(swsev_hash h);

/* ---- hashes ---- */
swsev_err swsev_sha256(const void *msg, size_t len, uint8_t out[32]) SWSEV_MUST_CHECK;
swsev_err swsev_sha384(const void *msg, size_t len, uint8_t out[48]) SWSEV_MUST_CHECK;
swsev_err swsev_digest(swsev_hash h, const void *msg, size_t len, uint8_t *out) SWSEV_MUST_CHECK;

/* Incremental SHA-256 (the launch digest). After final, update/final/dup
 * return SWSEV_E_STATE. */
typedef struct swsev_sha256_ctx swsev_sha256_ctx;
swsev_err swsev_sha256_new(swsev_sha256_ctx **out) SWSEV_MUST_CHECK;
swsev_err swsev_sha256_update(swsev_sha256_ctx *c, const void *msg, size_t len) SWSEV_MUST_CHECK;
/* Finalizes; the context may not be updated again (free it). */
swsev_err swsev_sha256_final(swsev_sha256_ctx *c, uint8_t out[32]) SWSEV_MUST_CHECK;
/* Copies the running state (for snapshotting a digest). */
swsev_err swsev_sha256_dup(const swsev_sha256_ctx *c, swsev_sha256_ctx **out) SWSEV_MUST_CHECK;
void swsev_sha256_free(swsev_sha256_ctx *c);

/* ---- HMAC-SHA256 ---- */
struct swsev_iov {
	const void *p;
	size_t len;
};
swsev_err swsev_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
			    uint8_t out[32]) SWSEV_MUST_CHECK;
/* HMAC over the concatenation of n parts (no copy). */
swsev_err swsev_hmac_sha256_v(const void *key, size_t keylen, const struct swsev_iov *parts,
			      size_t n, uint8_t out[32]) SWSEV_MUST_CHECK;
/* Incremental HMAC-SHA256 (lib/crypto/hmac_stream.c): the same MAC as above
 * over the concatenation of the updates. final spends the MAC (update and
 * final return SWSEV_E_STATE until reset); free wipes the keyed state. */
typedef struct swsev_hmac_ctx swsev_hmac_ctx;
swsev_err swsev_hmac_sha256_new(const void *key, size_t keylen,
				swsev_hmac_ctx **out) SWSEV_MUST_CHECK;
swsev_err swsev_hmac_sha256_update(swsev_hmac_ctx *c, const void *msg, size_t len) SWSEV_MUST_CHECK;
swsev_err swsev_hmac_sha256_final(swsev_hmac_ctx *c, uint8_t out[32]) SWSEV_MUST_CHECK;
/* Starts a new MAC under the same key (no key schedule again). */
swsev_err swsev_hmac_sha256_reset(swsev_hmac_ctx *c) SWSEV_MUST_CHECK;
void swsev_hmac_sha256_free(swsev_hmac_ctx *c);

/*
 * NIST SP 800-108 KDF in counter mode with HMAC-SHA256 (crypto.md §2):
 * block i = HMAC(key, u32le(i) || label || 0x00 || context || u32le(outlen*8)),
 * i = 1, 2, ...; output truncated to outlen bytes. context may be NULL/0.
 */
swsev_err swsev_kdf_sp800_108(const void *key, size_t keylen, const char *label,
			      const void *context, size_t ctxlen, uint8_t *out,
			      size_t outlen) SWSEV_MUST_CHECK;

/* ---- AES ---- */
/* AES-128-CTR, the 16-byte IV is the first counter block, incremented as a
 * 128-bit big-endian integer. in and out may be the same buffer. */
swsev_err swsev_aes128_ctr(const uint8_t key[16], const uint8_t iv[16], const void *in, void *out,
			   size_t len) SWSEV_MUST_CHECK;
/* The same with the key schedule kept: a context keyed once (the key
 * schedule and the allocation cost about a quarter of a 4 KiB CTR call),
 * then any number of swsev_ctr_crypt calls, each from its own IV. One
 * context per thread at a time; free wipes the schedule. */
typedef struct swsev_ctr swsev_ctr;
swsev_err swsev_ctr_new(const uint8_t key[16], swsev_ctr **out) SWSEV_MUST_CHECK;
swsev_err swsev_ctr_crypt(swsev_ctr *c, const uint8_t iv[16], const void *in, void *out,
			  size_t len) SWSEV_MUST_CHECK;
void swsev_ctr_free(swsev_ctr *c);

/*
 * The memory-encryption cipher (DESIGN.md layer 5, crypto.md §9.2).
 * A context holds one guest key (32 bytes: data key || tweak key) and a mode:
 *   SWSEV_MEMC_XTS (Zen 2+): AES-128-XTS, data unit = one 4 KiB page, tweak
 *       = the page's physical address; each 16-byte block's effective tweak
 *       is therefore a function of its own physical address.
 *   SWSEV_MEMC_XE (Zen 1): C = AES-128-ECB(K1, P xor T), T = AES-128(K2, block address).
 * Both work on whole 4 KiB pages at 4 KiB-aligned addresses.
 * XTS tweak = u64le(page_paddr) || 0^8; XE block tweak input =
 * u64le(block_paddr) || 0^8 (K1 = key[0..15], K2 = key[16..31]).
 *
 * swsev_memc_new: SWSEV_E_INVALID for an unknown mode or a key whose two
 * halves are equal (OpenSSL refuses such XTS keys; refused in both modes).
 * encrypt/decrypt: SWSEV_E_INVALID if page_paddr is not 4 KiB aligned;
 * in == out is allowed; on failure out is wiped.
 * THREADS: a swsev_memc keeps its cipher contexts and scratch inside and
 * reuses them (no allocation per page), so one swsev_memc must not be used
 * by two threads at once: use one per thread or serialize with a lock.
 */
typedef enum swsev_memc_mode {
	SWSEV_MEMC_XTS = 1,
	SWSEV_MEMC_XE = 2,
} swsev_memc_mode;
#define SWSEV_MEMC_KEY 32
#define SWSEV_PAGE 4096
typedef struct swsev_memc swsev_memc;
swsev_err swsev_memc_new(swsev_memc_mode mode, const uint8_t key[32],
			 swsev_memc **out) SWSEV_MUST_CHECK;
swsev_err swsev_memc_encrypt_page(swsev_memc *c, uint64_t page_paddr, const uint8_t *in,
				  uint8_t *out) SWSEV_MUST_CHECK;
swsev_err swsev_memc_decrypt_page(swsev_memc *c, uint64_t page_paddr, const uint8_t *in,
				  uint8_t *out) SWSEV_MUST_CHECK;
/* The first n bytes of that page's plaintext (n a multiple of 16, 16..4096);
 * in is still the whole page's ciphertext. XTS decrypts only those blocks
 * (its tweak sequence starts at block 0 of the page), XE the whole page. */
swsev_err swsev_memc_decrypt_prefix(swsev_memc *c, uint64_t page_paddr, const uint8_t *in,
				    uint8_t *out, size_t n) SWSEV_MUST_CHECK;
void swsev_memc_free(swsev_memc *c);

/* ---- randomness, wiping, constant time ---- */
swsev_err swsev_random(void *buf, size_t len) SWSEV_MUST_CHECK;
void swsev_wipe(void *p, size_t len);
/* Constant time; returns 1 if equal, 0 otherwise. */
int swsev_ct_equal(const void *a, const void *b, size_t len);
/* Constant time; returns 1 if all bytes are zero. */
int swsev_ct_is_zero(const void *a, size_t len);
/* Frees and wipes len bytes (NULL is fine). */
void swsev_clear_free(void *p, size_t len);

/* ---- EC P-384 ---- */
typedef struct swsev_ec_key swsev_ec_key;
swsev_err swsev_ec_generate(swsev_ec_key **out) SWSEV_MUST_CHECK;
/* From a private scalar d (big-endian), 0 < d < n (SWSEV_E_RANGE otherwise);
 * public key computed. */
swsev_err swsev_ec_from_private(const uint8_t d[48], swsev_ec_key **out) SWSEV_MUST_CHECK;
/*
 * From affine coordinates (big-endian). Validates fully: x, y < p, the point
 * is on P-384 and is not the point at infinity (SWSEV_E_BADKEY otherwise).
 */
swsev_err swsev_ec_from_public(const uint8_t x[48], const uint8_t y[48],
			       swsev_ec_key **out) SWSEV_MUST_CHECK;
swsev_err swsev_ec_get_public(const swsev_ec_key *k, uint8_t x[48], uint8_t y[48]) SWSEV_MUST_CHECK;
/* Exports the private scalar (for persistent state). SWSEV_E_INVALID if public-only. */
swsev_err swsev_ec_get_private(const swsev_ec_key *k, uint8_t d[48]) SWSEV_MUST_CHECK;
int swsev_ec_has_private(const swsev_ec_key *k);
/* The private key as PEM (unencrypted PKCS#8, "BEGIN PRIVATE KEY"), as
 * `openssl genpkey`/sevctl/sev-tool keep OCA keys. *pem is NUL-terminated;
 * free it with swsev_clear_free(*pem, *len). */
swsev_err swsev_ec_export_pem(const swsev_ec_key *k, char **pem, size_t *len) SWSEV_MUST_CHECK;
/* Reads a PEM private key (PKCS#8 or SEC1 "EC PRIVATE KEY", unencrypted).
 * SWSEV_E_FORMAT if it is not PEM, SWSEV_E_BADKEY if not a P-384 key. */
swsev_err swsev_ec_import_pem(const char *pem, size_t len, swsev_ec_key **out) SWSEV_MUST_CHECK;
void swsev_ec_free(swsev_ec_key *k);
/* ECDH: Z = x coordinate of d*Q, 48 bytes big-endian (what OpenSSL derives). */
swsev_err swsev_ecdh(const swsev_ec_key *priv, const swsev_ec_key *peer,
		     uint8_t z[48]) SWSEV_MUST_CHECK;
/* ECDSA over hash(msg); r and s big-endian, 48 bytes each. */
swsev_err swsev_ecdsa_sign(const swsev_ec_key *k, swsev_hash h, const void *msg, size_t len,
			   uint8_t r[48], uint8_t s[48]) SWSEV_MUST_CHECK;
/* SWSEV_OK if valid, SWSEV_E_BADSIG if not, another code on failure. */
swsev_err swsev_ecdsa_verify(const swsev_ec_key *k, swsev_hash h, const void *msg, size_t len,
			     const uint8_t r[48], const uint8_t s[48]) SWSEV_MUST_CHECK;

/* ---- RSA (AMD roots: RSA-PSS, MGF1 with the same hash, salt = hash length) ---- */
typedef struct swsev_rsa_key swsev_rsa_key;
/* n and e big-endian; leading zero bytes allowed. */
swsev_err swsev_rsa_from_public(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
				swsev_rsa_key **out) SWSEV_MUST_CHECK;
/* Keys are 2048..8192 bits: from_public/import_private return SWSEV_E_BADKEY
 * outside that range (or for an even modulus, e even, e = 1 or e >= n). */
/* New key of `bits` bits with e = 65537 (emulated ARK/ASK); SWSEV_E_RANGE if
 * bits is outside 2048..8192 or not a multiple of 8. */
swsev_err swsev_rsa_generate(unsigned bits, swsev_rsa_key **out) SWSEV_MUST_CHECK;
/* Modulus size in bits. */
unsigned swsev_rsa_bits(const swsev_rsa_key *k);
/* n into nlen = bits/8 bytes and e into elen bytes, big-endian, left-padded. */
swsev_err swsev_rsa_get_public(const swsev_rsa_key *k, uint8_t *n, size_t nlen, uint8_t *e,
			       size_t elen) SWSEV_MUST_CHECK;
/* Private key as DER (PKCS#8) for persistent state; *der freed with swsev_clear_free(*der, *len). */
swsev_err swsev_rsa_export_private(const swsev_rsa_key *k, uint8_t **der,
				   size_t *len) SWSEV_MUST_CHECK;
swsev_err swsev_rsa_import_private(const uint8_t *der, size_t len,
				   swsev_rsa_key **out) SWSEV_MUST_CHECK;
void swsev_rsa_free(swsev_rsa_key *k);
/* sig is big-endian, exactly bits/8 bytes (SWSEV_E_LENGTH otherwise). */
swsev_err swsev_rsa_pss_sign(const swsev_rsa_key *k, swsev_hash h, const void *msg, size_t len,
			     uint8_t *sig, size_t siglen) SWSEV_MUST_CHECK;
/* SWSEV_OK if valid, SWSEV_E_BADSIG if not (also for a signature that is not
 * exactly bits/8 bytes). Salt length must equal the hash length. */
swsev_err swsev_rsa_pss_verify(const swsev_rsa_key *k, swsev_hash h, const void *msg, size_t len,
			       const uint8_t *sig, size_t siglen) SWSEV_MUST_CHECK;

/* ---- base64 (standard alphabet, with padding; decoder rejects junk) ---- */
/* Returns a NUL-terminated string (free()). */
swsev_err swsev_base64_encode(const void *in, size_t len, char **out) SWSEV_MUST_CHECK;
/* Ignores ASCII whitespace; SWSEV_E_BASE64 on any other invalid character,
 * missing or bad padding, data after padding, or non-zero unused bits
 * (non-canonical encodings). Character values are computed without
 * secret-dependent branches or table lookups. Empty input gives *outlen = 0
 * and a non-NULL *out.
 * *out freed with swsev_clear_free(*out, *outlen). */
swsev_err swsev_base64_decode(const char *in, size_t inlen, uint8_t **out,
			      size_t *outlen) SWSEV_MUST_CHECK;

#endif
