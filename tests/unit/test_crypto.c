/*
 * Unit tests of lib/crypto through include/swsev/crypto.h: standard known
 * answers (FIPS 180, RFC 4231, SP 800-38A, RFC 4648), properties and every
 * documented error path. SEV-specific vectors are in tests/kat/test_kat_crypto.c.
 */
#include <pthread.h>

#include "harness.h"
#include "codec/codec.h"
#include "swsev/crypto.h"

/* ---- hashes ---- */
TEST(sha_known_answers)
{
	uint8_t h[48];

	/* FIPS 180-2 "abc" */
	CHECK_EQ(swsev_sha256("abc", 3, h), SWSEV_OK);
	CHECK_HEX(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_EQ(swsev_sha384("abc", 3, h), SWSEV_OK);
	CHECK_HEX(h, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		     "8086072ba1e7cc2358baeca134c825a7");
	CHECK_EQ(swsev_digest(SWSEV_HASH_SHA384, "abc", 3, h), SWSEV_OK);
	CHECK_HEX(h, "cb00753f45a35e8bb5a03d699ac65007");
	CHECK_EQ(swsev_digest(SWSEV_HASH_SHA256, NULL, 0, h), SWSEV_OK);
	CHECK_HEX(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_EQ(swsev_digest((swsev_hash)7, "abc", 3, h), SWSEV_E_ALGO);
	CHECK_EQ(swsev_sha256(NULL, 1, h), SWSEV_E_INVALID);
	CHECK_EQ(swsev_hash_len(SWSEV_HASH_SHA256), 32);
	CHECK_EQ(swsev_hash_len(SWSEV_HASH_SHA384), 48);
	CHECK_EQ(swsev_hash_len((swsev_hash)0), 0);
}

TEST(sha256_incremental_and_dup)
{
	uint8_t msg[1000], one[32], inc[32], snap[32], pre[32];
	swsev_sha256_ctx *c = NULL, *d = NULL;
	size_t i, off;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13);
	CHECK_EQ(swsev_sha256(msg, sizeof(msg), one), SWSEV_OK);
	CHECK_EQ(swsev_sha256(msg, 500, pre), SWSEV_OK);
	CHECK_EQ(swsev_sha256_new(&c), SWSEV_OK);
	if (c == NULL)
		return;
	/* uneven chunk sizes, including empty ones */
	for (off = 0, i = 0; off < 500; i++) {
		size_t n = (i * 37) % 91;

		if (n > 500 - off)
			n = 500 - off;
		CHECK_EQ(swsev_sha256_update(c, msg + off, n), SWSEV_OK);
		off += n;
	}
	/* snapshot after 500 bytes, then keep going on the original */
	CHECK_EQ(swsev_sha256_dup(c, &d), SWSEV_OK);
	CHECK_EQ(swsev_sha256_update(c, msg + 500, 500), SWSEV_OK);
	CHECK_EQ(swsev_sha256_final(c, inc), SWSEV_OK);
	CHECK_MEM(inc, one, 32);
	if (d != NULL) {
		CHECK_EQ(swsev_sha256_final(d, snap), SWSEV_OK);
		CHECK_MEM(snap, pre, 32);
		swsev_sha256_free(d);
		d = NULL;
	}
	/* a finalized context refuses further use */
	CHECK_EQ(swsev_sha256_update(c, msg, 1), SWSEV_E_STATE);
	CHECK_EQ(swsev_sha256_final(c, inc), SWSEV_E_STATE);
	CHECK_EQ(swsev_sha256_dup(c, &d), SWSEV_E_STATE);
	CHECK(d == NULL);
	CHECK_EQ(swsev_sha256_update(NULL, msg, 1), SWSEV_E_INVALID);
	swsev_sha256_free(c);
	swsev_sha256_free(NULL);
}

/* ---- HMAC (RFC 4231) ---- */
TEST(hmac_rfc4231)
{
	uint8_t key[131], mac[32], mac2[32];
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	struct swsev_iov parts[4];

	CHECK_EQ(swsev_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac), SWSEV_OK);
	CHECK_HEX(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	CHECK_EQ(swsev_hmac_sha256(key, 131, m6, strlen(m6), mac), SWSEV_OK);
	CHECK_HEX(mac, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	/* the same over parts, with an empty part in the middle */
	parts[0] = (struct swsev_iov){ m6, 10 };
	parts[1] = (struct swsev_iov){ NULL, 0 };
	parts[2] = (struct swsev_iov){ m6 + 10, 20 };
	parts[3] = (struct swsev_iov){ m6 + 30, strlen(m6) - 30 };
	CHECK_EQ(swsev_hmac_sha256_v(key, 131, parts, 4, mac2), SWSEV_OK);
	CHECK_MEM(mac, mac2, 32);
	/* an empty key is a valid HMAC key (not "reuse the previous one") */
	CHECK_EQ(swsev_hmac_sha256(NULL, 0, NULL, 0, mac), SWSEV_OK);
	CHECK_HEX(mac, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	CHECK_EQ(swsev_hmac_sha256("", 0, "", 0, mac2), SWSEV_OK);
	CHECK_MEM(mac, mac2, 32);
	/* a flipped key byte changes the tag */
	key[0] ^= 1;
	CHECK_EQ(swsev_hmac_sha256(key, 131, m6, strlen(m6), mac), SWSEV_OK);
	CHECK(!th_eq_hex(mac, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
	/* invalid arguments */
	parts[1] = (struct swsev_iov){ NULL, 1 };
	CHECK_EQ(swsev_hmac_sha256_v(key, 16, parts, 4, mac), SWSEV_E_INVALID);
	CHECK_EQ(swsev_hmac_sha256(NULL, 16, "a", 1, mac), SWSEV_E_INVALID);
}

/* ---- KDF structure (crypto.md §2) ---- */
TEST(kdf_structure)
{
	uint8_t key[32], out56[56], out16[16], out32[32], blk[32], msg[64];
	const char *label = "sev-chip-endorsement-key";
	size_t i, ll = strlen(label);

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x40 + i);
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, label, NULL, 0, out56, 56), SWSEV_OK);
	/* block i = HMAC(key, LE32(i) || label || 00 || context || LE32(448)) */
	for (i = 1; i <= 2; i++) {
		swsev_wle32(msg, (uint32_t)i);
		memcpy(msg + 4, label, ll);
		msg[4 + ll] = 0;
		swsev_wle32(msg + 5 + ll, 56 * 8);
		CHECK_EQ(swsev_hmac_sha256(key, 32, msg, 9 + ll, blk), SWSEV_OK);
		CHECK_MEM(out56 + (i - 1) * 32, blk, i == 1 ? 32 : 24);
	}
	/* the output length is an input: 16 bytes are not a prefix of 32 */
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, "sev-kek", NULL, 0, out16, 16), SWSEV_OK);
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, "sev-kek", NULL, 0, out32, 32), SWSEV_OK);
	CHECK(memcmp(out16, out32, 16) != 0);
	/* labels and contexts separate */
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, "sev-kik", NULL, 0, out32, 16), SWSEV_OK);
	CHECK(memcmp(out16, out32, 16) != 0);
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, "sev-kek", "x", 1, out32, 16), SWSEV_OK);
	CHECK(memcmp(out16, out32, 16) != 0);
	/* errors */
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, "sev-kek", NULL, 0, out16, 0), SWSEV_E_RANGE);
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, NULL, NULL, 0, out16, 16), SWSEV_E_INVALID);
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, "x", NULL, 3, out16, 16), SWSEV_E_INVALID);
	CHECK_EQ(swsev_kdf_sp800_108(key, 32, "x", NULL, 0, out16, (size_t)1 << 62), SWSEV_E_RANGE);
}

/* ---- AES-128-CTR (SP 800-38A F.5.1) ---- */
TEST(aes_ctr_sp800_38a)
{
	uint8_t key[16], iv[16], pt[64], ct[64], buf[64];

	th_unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	th_unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, 16);
	th_unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
		 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		 pt, 64);
	CHECK_EQ(swsev_aes128_ctr(key, iv, pt, ct, 64), SWSEV_OK);
	CHECK_HEX(ct, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		      "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
	/* in place, and an odd length is a prefix */
	memcpy(buf, pt, 64);
	CHECK_EQ(swsev_aes128_ctr(key, iv, buf, buf, 37), SWSEV_OK);
	CHECK_MEM(buf, ct, 37);
	CHECK_MEM(buf + 37, pt + 37, 27);
	CHECK_EQ(swsev_aes128_ctr(key, iv, NULL, NULL, 0), SWSEV_OK);
	CHECK_EQ(swsev_aes128_ctr(key, iv, NULL, buf, 16), SWSEV_E_INVALID);
}

TEST(aes_ctr_counter_is_128bit_be)
{
	/* IV = ff..ff: the second block uses counter 00..00 (carry over 128 bits) */
	uint8_t key[16] = { 7 }, iv[16], zero[32] = { 0 }, a[32], b[16];

	memset(iv, 0xff, 16);
	CHECK_EQ(swsev_aes128_ctr(key, iv, zero, a, 32), SWSEV_OK);
	memset(iv, 0, 16);
	CHECK_EQ(swsev_aes128_ctr(key, iv, zero, b, 16), SWSEV_OK);
	CHECK_MEM(a + 16, b, 16);
	/* IV = 00..00 ff..ff (low 64 bits full): carry into byte 7 */
	memset(iv, 0, 8);
	memset(iv + 8, 0xff, 8);
	CHECK_EQ(swsev_aes128_ctr(key, iv, zero, a, 32), SWSEV_OK);
	memset(iv, 0, 16);
	iv[7] = 1;
	CHECK_EQ(swsev_aes128_ctr(key, iv, zero, b, 16), SWSEV_OK);
	CHECK_MEM(a + 16, b, 16);
}

/* The keyed context: the SP 800-38A vector, a new IV after a partial block
 * starts a fresh counter (no leftover keystream), equal to the one-shot
 * function at every length. */
TEST(aes_ctr_keyed_context)
{
	uint8_t key[16], iv[16], iv2[16], pt[64], ct[64], a[64], b[64];
	swsev_ctr *c = NULL;

	th_unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	th_unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, 16);
	th_unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
		 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		 pt, 64);
	CHECK_EQ(swsev_ctr_new(key, &c), SWSEV_OK);
	CHECK_EQ(swsev_ctr_crypt(c, iv, pt, ct, 64), SWSEV_OK);
	CHECK_HEX(ct, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		      "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
	/* 5 bytes leave a partial block behind; the next call must not use it */
	CHECK_EQ(swsev_ctr_crypt(c, iv, pt, a, 5), SWSEV_OK);
	CHECK_MEM(a, ct, 5);
	CHECK_EQ(swsev_ctr_crypt(c, iv, pt, a, 64), SWSEV_OK);
	CHECK_MEM(a, ct, 64);
	/* in place (SEND_UPDATE_DATA encrypts its scratch buffer so) */
	memcpy(a, pt, 64);
	CHECK_EQ(swsev_ctr_crypt(c, iv, a, a, 64), SWSEV_OK);
	CHECK_MEM(a, ct, 64);
	memset(iv2, 0xff, 16);
	for (size_t n = 1; n <= 64; n += 7) {
		CHECK_EQ(swsev_ctr_crypt(c, iv2, pt, a, n), SWSEV_OK);
		CHECK_EQ(swsev_aes128_ctr(key, iv2, pt, b, n), SWSEV_OK);
		CHECK_MEM(a, b, n);
	}
	/* another key gives another stream */
	key[0] ^= 1;
	CHECK_EQ(swsev_aes128_ctr(key, iv, pt, b, 64), SWSEV_OK);
	CHECK(memcmp(b, ct, 64) != 0);
	CHECK_EQ(swsev_ctr_crypt(c, iv, NULL, NULL, 0), SWSEV_OK);
	CHECK_EQ(swsev_ctr_crypt(c, iv, NULL, a, 16), SWSEV_E_INVALID);
	CHECK_EQ(swsev_ctr_crypt(NULL, iv, pt, a, 16), SWSEV_E_INVALID);
	swsev_ctr_free(c);
	CHECK_EQ(swsev_ctr_new(NULL, &c), SWSEV_E_INVALID);
	CHECK(c == NULL);
	swsev_ctr_free(NULL);
}

/* ---- constant-time helpers, randomness, wiping ---- */
TEST(ct_helpers)
{
	uint8_t a[64], b[64];
	size_t i;
	int bit;

	for (i = 0; i < 64; i++)
		a[i] = b[i] = (uint8_t)i;
	CHECK_EQ(swsev_ct_equal(a, b, 64), 1);
	CHECK_EQ(swsev_ct_equal(a, b, 0), 1);
	for (i = 0; i < 64; i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			if (swsev_ct_equal(a, b, 64) != 0)
				CHECK(0);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	memset(a, 0, 64);
	CHECK_EQ(swsev_ct_is_zero(a, 64), 1);
	CHECK_EQ(swsev_ct_is_zero(a, 0), 1);
	a[63] = 0x80;
	CHECK_EQ(swsev_ct_is_zero(a, 64), 0);
	a[63] = 0;
	a[0] = 1;
	CHECK_EQ(swsev_ct_is_zero(a, 64), 0);
}

TEST(random_and_wipe)
{
	uint8_t a[32], b[32];
	uint8_t *p = malloc(48);

	CHECK_EQ(swsev_random(a, sizeof(a)), SWSEV_OK);
	CHECK_EQ(swsev_random(b, sizeof(b)), SWSEV_OK);
	CHECK(memcmp(a, b, 32) != 0);
	CHECK(!swsev_ct_is_zero(a, 32));
	CHECK_EQ(swsev_random(NULL, 0), SWSEV_OK);
	CHECK_EQ(swsev_random(NULL, 1), SWSEV_E_INVALID);
	swsev_wipe(a, sizeof(a));
	CHECK(swsev_ct_is_zero(a, 32));
	swsev_wipe(NULL, 5);
	if (p != NULL)
		memset(p, 0x5a, 48);
	swsev_clear_free(p, 48);
	swsev_clear_free(NULL, 48);
}

/* ---- EC P-384 ---- */
/* The P-384 prime and group order, big-endian (FIPS 186-4 D.1.2.4). */
static const char *P384_P = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
			    "ffffffff0000000000000000ffffffff";
static const char *P384_N = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
			    "581a0db248b0a77aecec196accc52973";

TEST(ec_keys_roundtrip)
{
	swsev_ec_key *k = NULL, *k2 = NULL, *pub = NULL;
	uint8_t x[48], y[48], x2[48], y2[48], d[48];

	CHECK_EQ(swsev_ec_generate(&k), SWSEV_OK);
	if (k == NULL)
		return;
	CHECK_EQ(swsev_ec_has_private(k), 1);
	CHECK_EQ(swsev_ec_get_public(k, x, y), SWSEV_OK);
	CHECK_EQ(swsev_ec_get_private(k, d), SWSEV_OK);
	CHECK_EQ(swsev_ec_from_private(d, &k2), SWSEV_OK);
	if (k2 != NULL) {
		CHECK_EQ(swsev_ec_get_public(k2, x2, y2), SWSEV_OK);
		CHECK_MEM(x, x2, 48);
		CHECK_MEM(y, y2, 48);
	}
	CHECK_EQ(swsev_ec_from_public(x, y, &pub), SWSEV_OK);
	if (pub != NULL) {
		CHECK_EQ(swsev_ec_has_private(pub), 0);
		CHECK_EQ(swsev_ec_get_private(pub, d), SWSEV_E_INVALID);
		CHECK_EQ(swsev_ec_get_public(pub, x2, y2), SWSEV_OK);
		CHECK_MEM(x, x2, 48);
		CHECK_MEM(y, y2, 48);
	}
	CHECK_EQ(swsev_ec_has_private(NULL), 0);
	swsev_ec_free(k);
	swsev_ec_free(k2);
	swsev_ec_free(pub);
	swsev_ec_free(NULL);
}

TEST(ec_private_range)
{
	uint8_t d[48];
	swsev_ec_key *k = (swsev_ec_key *)1;

	memset(d, 0, 48);
	CHECK_EQ(swsev_ec_from_private(d, &k), SWSEV_E_RANGE);
	CHECK(k == NULL);
	th_unhex(P384_N, d, 48);
	CHECK_EQ(swsev_ec_from_private(d, &k), SWSEV_E_RANGE);
	memset(d, 0xff, 48);
	CHECK_EQ(swsev_ec_from_private(d, &k), SWSEV_E_RANGE);
	/* n - 1 is the largest scalar; d = 1 gives the generator */
	th_unhex(P384_N, d, 48);
	d[47] -= 1;
	CHECK_EQ(swsev_ec_from_private(d, &k), SWSEV_OK);
	swsev_ec_free(k);
	k = NULL;
	memset(d, 0, 48);
	d[47] = 1;
	CHECK_EQ(swsev_ec_from_private(d, &k), SWSEV_OK);
	if (k != NULL) {
		uint8_t x[48], y[48];

		CHECK_EQ(swsev_ec_get_public(k, x, y), SWSEV_OK);
		CHECK_HEX(x, "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38"
			     "5502f25dbf55296c3a545e3872760ab7");
		CHECK_HEX(y, "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0"
			     "0a60b1ce1d7e819d7a431d7c90ea0e5f");
		swsev_ec_free(k);
	}
}

TEST(ec_public_validation)
{
	swsev_ec_key *k = NULL, *bad = (swsev_ec_key *)1;
	uint8_t x[48], y[48], t[48];

	CHECK_EQ(swsev_ec_generate(&k), SWSEV_OK);
	if (k == NULL)
		return;
	CHECK_EQ(swsev_ec_get_public(k, x, y), SWSEV_OK);
	/* off the curve: y + 1 (last byte flipped) */
	memcpy(t, y, 48);
	t[47] ^= 1;
	CHECK_EQ(swsev_ec_from_public(x, t, &bad), SWSEV_E_BADKEY);
	CHECK(bad == NULL);
	/* x >= p, y >= p */
	th_unhex(P384_P, t, 48);
	CHECK_EQ(swsev_ec_from_public(t, y, &bad), SWSEV_E_BADKEY);
	CHECK_EQ(swsev_ec_from_public(x, t, &bad), SWSEV_E_BADKEY);
	memset(t, 0xff, 48);
	CHECK_EQ(swsev_ec_from_public(t, y, &bad), SWSEV_E_BADKEY);
	/* y + p (out of range but congruent): still rejected */
	{
		uint8_t p[48];
		unsigned carry = 0;
		int i;

		th_unhex(P384_P, p, 48);
		for (i = 47; i >= 0; i--) {
			unsigned s = (unsigned)y[i] + p[i] + carry;

			t[i] = (uint8_t)s;
			carry = s >> 8;
		}
		if (carry == 0)
			CHECK_EQ(swsev_ec_from_public(x, t, &bad), SWSEV_E_BADKEY);
	}
	/* the point at infinity has no affine form; (0, 0) is how it is often
	 * smuggled in (e.g. zeroed certificate fields) */
	memset(t, 0, 48);
	CHECK_EQ(swsev_ec_from_public(t, t, &bad), SWSEV_E_BADKEY);
	/* x = 0 with y = 0 is not on the curve either way; x on curve with y = 0 */
	CHECK_EQ(swsev_ec_from_public(x, t, &bad), SWSEV_E_BADKEY);
	CHECK(bad == NULL);
	swsev_ec_free(k);
}

TEST(ecdh_agreement)
{
	swsev_ec_key *a = NULL, *b = NULL, *apub = NULL, *bpub = NULL;
	uint8_t x[48], y[48], z1[48], z2[48];

	CHECK_EQ(swsev_ec_generate(&a), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&b), SWSEV_OK);
	if (a == NULL || b == NULL)
		goto out;
	CHECK_EQ(swsev_ec_get_public(a, x, y), SWSEV_OK);
	CHECK_EQ(swsev_ec_from_public(x, y, &apub), SWSEV_OK);
	CHECK_EQ(swsev_ec_get_public(b, x, y), SWSEV_OK);
	CHECK_EQ(swsev_ec_from_public(x, y, &bpub), SWSEV_OK);
	if (apub == NULL || bpub == NULL)
		goto out;
	CHECK_EQ(swsev_ecdh(a, bpub, z1), SWSEV_OK);
	CHECK_EQ(swsev_ecdh(b, apub, z2), SWSEV_OK);
	CHECK_MEM(z1, z2, 48);
	/* a private key works as the peer too (its public half is used) */
	CHECK_EQ(swsev_ecdh(a, b, z2), SWSEV_OK);
	CHECK_MEM(z1, z2, 48);
	CHECK_EQ(swsev_ecdh(a, apub, z2), SWSEV_OK);
	CHECK(memcmp(z1, z2, 48) != 0);
	CHECK_EQ(swsev_ecdh(apub, bpub, z2), SWSEV_E_INVALID);
out:
	swsev_ec_free(a);
	swsev_ec_free(b);
	swsev_ec_free(apub);
	swsev_ec_free(bpub);
}

TEST(ecdsa_sign_verify)
{
	swsev_ec_key *k = NULL, *pub = NULL, *other = NULL;
	uint8_t msg[0x414], r[48], s[48], r2[48], s2[48], t[48], x[48], y[48];
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i ^ 0x5c);
	CHECK_EQ(swsev_ec_generate(&k), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&other), SWSEV_OK);
	if (k == NULL || other == NULL)
		goto out;
	CHECK_EQ(swsev_ec_get_public(k, x, y), SWSEV_OK);
	CHECK_EQ(swsev_ec_from_public(x, y, &pub), SWSEV_OK);
	if (pub == NULL)
		goto out;
	CHECK_EQ(swsev_ecdsa_sign(k, SWSEV_HASH_SHA256, msg, sizeof(msg), r, s), SWSEV_OK);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), r, s), SWSEV_OK);
	CHECK_EQ(swsev_ecdsa_verify(k, SWSEV_HASH_SHA256, msg, sizeof(msg), r, s), SWSEV_OK);
	/* randomized: a second signature differs and also verifies */
	CHECK_EQ(swsev_ecdsa_sign(k, SWSEV_HASH_SHA256, msg, sizeof(msg), r2, s2), SWSEV_OK);
	CHECK(memcmp(r, r2, 48) != 0);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), r2, s2), SWSEV_OK);
	/* negatives */
	msg[100] ^= 1;
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), r, s),
		 SWSEV_E_BADSIG);
	msg[100] ^= 1;
	memcpy(t, r, 48);
	t[20] ^= 0x10;
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), t, s),
		 SWSEV_E_BADSIG);
	memcpy(t, s, 48);
	t[47] ^= 0x01;
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), r, t),
		 SWSEV_E_BADSIG);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA384, msg, sizeof(msg), r, s),
		 SWSEV_E_BADSIG);
	CHECK_EQ(swsev_ecdsa_verify(other, SWSEV_HASH_SHA256, msg, sizeof(msg), r, s),
		 SWSEV_E_BADSIG);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg) - 1, r, s),
		 SWSEV_E_BADSIG);
	/* r = 0, s = n, r = s = 0xff..: out of range, never valid */
	memset(t, 0, 48);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), t, s),
		 SWSEV_E_BADSIG);
	th_unhex(P384_N, t, 48);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), r, t),
		 SWSEV_E_BADSIG);
	memset(t, 0xff, 48);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), t, t),
		 SWSEV_E_BADSIG);
	/* SHA-384 */
	CHECK_EQ(swsev_ecdsa_sign(k, SWSEV_HASH_SHA384, msg, sizeof(msg), r, s), SWSEV_OK);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA384, msg, sizeof(msg), r, s), SWSEV_OK);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), r, s),
		 SWSEV_E_BADSIG);
	/* empty message */
	CHECK_EQ(swsev_ecdsa_sign(k, SWSEV_HASH_SHA256, NULL, 0, r, s), SWSEV_OK);
	CHECK_EQ(swsev_ecdsa_verify(pub, SWSEV_HASH_SHA256, "", 0, r, s), SWSEV_OK);
	/* errors */
	CHECK_EQ(swsev_ecdsa_sign(pub, SWSEV_HASH_SHA256, msg, 10, r, s), SWSEV_E_INVALID);
	CHECK_EQ(swsev_ecdsa_sign(k, (swsev_hash)9, msg, 10, r, s), SWSEV_E_ALGO);
	CHECK_EQ(swsev_ecdsa_verify(pub, (swsev_hash)9, msg, 10, r, s), SWSEV_E_ALGO);
out:
	swsev_ec_free(k);
	swsev_ec_free(pub);
	swsev_ec_free(other);
}

/* ---- RSA ---- */
static swsev_rsa_key *g_rsa; /* one 2048-bit key shared by the RSA cases */

TEST(rsa_generate_sign_verify)
{
	uint8_t msg[300], sig[256], t[256], n[256], e[4];
	swsev_rsa_key *pub = NULL;
	size_t i;

	CHECK_EQ(swsev_rsa_generate(2048, &g_rsa), SWSEV_OK);
	if (g_rsa == NULL)
		return;
	CHECK_EQ(swsev_rsa_bits(g_rsa), 2048);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	CHECK_EQ(swsev_rsa_get_public(g_rsa, n, 256, e, 4), SWSEV_OK);
	CHECK_HEX(e, "00010001");
	CHECK_EQ(swsev_rsa_from_public(n, 256, e, 4, &pub), SWSEV_OK);
	if (pub == NULL)
		return;
	CHECK_EQ(swsev_rsa_pss_sign(g_rsa, SWSEV_HASH_SHA256, msg, sizeof(msg), sig, 256),
		 SWSEV_OK);
	CHECK_EQ(swsev_rsa_pss_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), sig, 256),
		 SWSEV_OK);
	CHECK_EQ(swsev_rsa_pss_verify(g_rsa, SWSEV_HASH_SHA256, msg, sizeof(msg), sig, 256),
		 SWSEV_OK);
	/* PSS is randomized */
	CHECK_EQ(swsev_rsa_pss_sign(g_rsa, SWSEV_HASH_SHA256, msg, sizeof(msg), t, 256), SWSEV_OK);
	CHECK(memcmp(t, sig, 256) != 0);
	/* negatives */
	CHECK_EQ(swsev_rsa_pss_verify(pub, SWSEV_HASH_SHA384, msg, sizeof(msg), sig, 256),
		 SWSEV_E_BADSIG);
	msg[0] ^= 1;
	CHECK_EQ(swsev_rsa_pss_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), sig, 256),
		 SWSEV_E_BADSIG);
	msg[0] ^= 1;
	memcpy(t, sig, 256);
	t[128] ^= 0x04;
	CHECK_EQ(swsev_rsa_pss_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), t, 256),
		 SWSEV_E_BADSIG);
	memset(t, 0xff, 256); /* >= n */
	CHECK_EQ(swsev_rsa_pss_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), t, 256),
		 SWSEV_E_BADSIG);
	CHECK_EQ(swsev_rsa_pss_verify(pub, SWSEV_HASH_SHA256, msg, sizeof(msg), sig, 255),
		 SWSEV_E_BADSIG);
	/* SHA-384 */
	CHECK_EQ(swsev_rsa_pss_sign(g_rsa, SWSEV_HASH_SHA384, msg, sizeof(msg), sig, 256),
		 SWSEV_OK);
	CHECK_EQ(swsev_rsa_pss_verify(pub, SWSEV_HASH_SHA384, msg, sizeof(msg), sig, 256),
		 SWSEV_OK);
	/* errors */
	CHECK_EQ(swsev_rsa_pss_sign(g_rsa, SWSEV_HASH_SHA256, msg, 1, sig, 255), SWSEV_E_LENGTH);
	CHECK_EQ(swsev_rsa_pss_sign(pub, SWSEV_HASH_SHA256, msg, 1, sig, 256), SWSEV_E_INVALID);
	CHECK_EQ(swsev_rsa_pss_sign(g_rsa, (swsev_hash)3, msg, 1, sig, 256), SWSEV_E_ALGO);
	CHECK_EQ(swsev_rsa_get_public(g_rsa, n, 255, e, 4), SWSEV_E_LENGTH);
	swsev_rsa_free(pub);
}

TEST(rsa_export_import)
{
	uint8_t *der = NULL, *der2 = NULL, msg[] = "ark body", sig[256];
	size_t len = 0, len2 = 0;
	swsev_rsa_key *k = NULL, *pub = NULL;
	uint8_t n[256], e[3];

	if (g_rsa == NULL) {
		CHECK(0);
		return;
	}
	CHECK_EQ(swsev_rsa_export_private(g_rsa, &der, &len), SWSEV_OK);
	if (der == NULL)
		return;
	CHECK(len > 1000);
	CHECK_EQ(der[0], 0x30); /* DER SEQUENCE */
	CHECK_EQ(swsev_rsa_import_private(der, len, &k), SWSEV_OK);
	if (k != NULL) {
		CHECK_EQ(swsev_rsa_bits(k), 2048);
		CHECK_EQ(swsev_rsa_pss_sign(k, SWSEV_HASH_SHA384, msg, sizeof(msg), sig, 256),
			 SWSEV_OK);
		CHECK_EQ(swsev_rsa_pss_verify(g_rsa, SWSEV_HASH_SHA384, msg, sizeof(msg), sig, 256),
			 SWSEV_OK);
		CHECK_EQ(swsev_rsa_export_private(k, &der2, &len2), SWSEV_OK);
		CHECK_EQ(len2, len);
		if (der2 != NULL && len2 == len)
			CHECK_MEM(der2, der, len);
		swsev_clear_free(der2, len2);
	}
	/* public-only keys cannot be exported */
	CHECK_EQ(swsev_rsa_get_public(g_rsa, n, 256, e, 3), SWSEV_OK);
	CHECK_EQ(swsev_rsa_from_public(n, 256, e, 3, &pub), SWSEV_OK);
	CHECK_EQ(swsev_rsa_export_private(pub, &der2, &len2), SWSEV_E_INVALID);
	CHECK(der2 == NULL);
	/* truncated, trailing byte, corrupted */
	{
		uint8_t *x = malloc(len + 1);
		swsev_rsa_key *bad = NULL;

		if (x != NULL) {
			memcpy(x, der, len);
			x[len] = 0;
			CHECK_EQ(swsev_rsa_import_private(x, len + 1, &bad), SWSEV_E_TRAILING);
			CHECK(swsev_rsa_import_private(x, len - 1, &bad) != SWSEV_OK);
			CHECK(swsev_rsa_import_private(x, 10, &bad) != SWSEV_OK);
			x[0] = 0x31;
			CHECK(swsev_rsa_import_private(x, len, &bad) != SWSEV_OK);
			CHECK(bad == NULL);
			swsev_clear_free(x, len + 1);
		}
	}
	swsev_clear_free(der, len);
	swsev_rsa_free(k);
	swsev_rsa_free(pub);
}

TEST(rsa_public_checks)
{
	uint8_t n[256], e[3] = { 1, 0, 1 }, one[1] = { 1 }, even[3] = { 1, 0, 2 };
	swsev_rsa_key *k = (swsev_rsa_key *)1;

	memset(n, 0xc3, sizeof(n));
	n[255] |= 1;
	CHECK_EQ(swsev_rsa_from_public(n, 256, e, 3, &k), SWSEV_OK);
	swsev_rsa_free(k);
	k = NULL;
	/* e = 1, even e, even modulus, too small, leading zeros to a small key */
	CHECK_EQ(swsev_rsa_from_public(n, 256, one, 1, &k), SWSEV_E_BADKEY);
	CHECK_EQ(swsev_rsa_from_public(n, 256, even, 3, &k), SWSEV_E_BADKEY);
	n[255] &= 0xfe;
	CHECK_EQ(swsev_rsa_from_public(n, 256, e, 3, &k), SWSEV_E_BADKEY);
	n[255] |= 1;
	CHECK_EQ(swsev_rsa_from_public(n, 128, e, 3, &k), SWSEV_E_BADKEY);
	memset(n, 0, 129);
	CHECK_EQ(swsev_rsa_from_public(n, 256, e, 3, &k), SWSEV_E_BADKEY);
	CHECK(k == NULL);
	CHECK_EQ(swsev_rsa_generate(1024, &k), SWSEV_E_RANGE);
	CHECK_EQ(swsev_rsa_generate(2049, &k), SWSEV_E_RANGE);
	CHECK_EQ(swsev_rsa_bits(NULL), 0);
}

/* ---- base64 (RFC 4648 §10) ---- */
static int b64_dec_ok(const char *s, const char *want, size_t wantlen)
{
	uint8_t *out = NULL;
	size_t n = 0;
	int ok;

	if (swsev_base64_decode(s, strlen(s), &out, &n) != SWSEV_OK)
		return 0;
	ok = out != NULL && n == wantlen && memcmp(out, want, wantlen) == 0;
	swsev_clear_free(out, n);
	return ok;
}

static swsev_err b64_dec(const char *s, size_t len)
{
	uint8_t *out = (uint8_t *)1;
	size_t n = 99;
	swsev_err r = swsev_base64_decode(s, len, &out, &n);

	if (r != SWSEV_OK) {
		CHECK(out == NULL);
		CHECK_EQ(n, 0);
	} else {
		swsev_clear_free(out, n);
	}
	return r;
}

TEST(base64_rfc4648)
{
	static const char *enc[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"
	};
	const char *plain = "foobar";
	size_t i;

	for (i = 0; i < 7; i++) {
		char *s = NULL;

		CHECK_EQ(swsev_base64_encode(plain, i, &s), SWSEV_OK);
		if (s != NULL)
			CHECK(strcmp(s, enc[i]) == 0);
		free(s);
		CHECK(b64_dec_ok(enc[i], plain, i));
	}
	/* whitespace anywhere is ignored */
	CHECK(b64_dec_ok(" Zm9v\nYmFy\r\n", "foobar", 6));
	CHECK(b64_dec_ok("Zm9vYg\t=\v=\f", "foob", 4));
	CHECK(b64_dec_ok("\n\n", "", 0));
}

TEST(base64_rejects)
{
	static const char *bad[] = {
		"Zg",       "Zg=",      "Zm9",   "Zm9vY", "Z===",  "====",  "=",
		"Zg==Zg==", "Zg==Z",    "Zm8==", "Zm9v=", "=Zm9v", "Zh==",  "Zm9=",
		"Zg=a",     "Zm9v\x80", "Zm-v",  "Zm_v",  "Zm9v.", "Zm9v!", "Zm9v~",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (b64_dec(bad[i], strlen(bad[i])) != SWSEV_E_BASE64) {
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
	/* an embedded NUL inside the given length is junk, not the end */
	CHECK_EQ(b64_dec("Zm9v\0Zm9v", 9), SWSEV_E_BASE64);
	CHECK_EQ(b64_dec(NULL, 0), SWSEV_OK);
	CHECK_EQ(b64_dec(NULL, 4), SWSEV_E_INVALID);
}

/* Every byte value in a middle position: only the alphabet (and whitespace
 * in the whitespace test) is accepted. */
TEST(base64_every_byte)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned b;

	for (b = 0; b < 256; b++) {
		char s[12] = "Zm9vXZm9vZm9";
		int in_alpha = b != 0 && strchr(alpha, (int)b) != NULL;
		int ws = b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f';
		char s2[9] = "Zm9vXZm9";
		swsev_err r;

		s[4] = (char)b;
		r = b64_dec(s, 12);
		if ((r == SWSEV_OK) != in_alpha) {
			fprintf(stderr, "  byte 0x%02x: %d\n", b, r);
			CHECK(0);
		}
		s2[4] = (char)b;
		r = b64_dec(s2, 8);
		/* 7 significant chars if whitespace: still invalid; 8 if alphabet */
		if ((r == SWSEV_OK) != in_alpha) {
			fprintf(stderr, "  byte 0x%02x (8): %d\n", b, r);
			CHECK(0);
		}
		if (ws) {
			/* whitespace between two full quads is skipped */
			char s3[10] = "Zm9v Zm9v";

			s3[4] = (char)b;
			CHECK_EQ(b64_dec(s3, 9), SWSEV_OK);
		}
	}
}

/* The decoder against a plain reference decoder, and encode/decode round trips. */
static int ref_val(char c)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != 0 ? strchr(alpha, c) : NULL;

	return p != NULL ? (int)(p - alpha) : -1;
}

TEST(base64_roundtrip_vs_reference)
{
	uint8_t data[200];
	size_t len;

	CHECK_EQ(swsev_random(data, sizeof(data)), SWSEV_OK);
	for (len = 0; len <= sizeof(data); len++) {
		char *s = NULL;
		uint8_t *out = NULL, ref[200];
		size_t n = 0, i, rn = 0;
		uint32_t acc = 0;
		int bits = 0;

		CHECK_EQ(swsev_base64_encode(data, len, &s), SWSEV_OK);
		if (s == NULL)
			continue;
		CHECK_EQ(strlen(s), (len + 2) / 3 * 4);
		CHECK_EQ(swsev_base64_decode(s, strlen(s), &out, &n), SWSEV_OK);
		CHECK_EQ(n, len);
		if (out != NULL && n == len)
			CHECK_MEM(out, data, len);
		/* reference: 6 bits per character until '=' */
		for (i = 0; s[i] != 0 && s[i] != '='; i++) {
			acc = (acc << 6) | (uint32_t)ref_val(s[i]);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				ref[rn++] = (uint8_t)(acc >> bits);
			}
		}
		CHECK_EQ(rn, len);
		if (out != NULL && rn == n)
			CHECK_MEM(out, ref, n);
		swsev_clear_free(out, n);
		free(s);
	}
}

/* ---- memory cipher properties (known answers are in test_kat_crypto) ---- */
static void memc_props(swsev_memc_mode mode)
{
	uint8_t key[32], pt[4096], a[4096], b[4096], c2[4096];
	swsev_memc *c = NULL, *other = NULL;
	size_t i;

	CHECK_EQ(swsev_random(key, 32), SWSEV_OK);
	memset(pt, 0x42, sizeof(pt)); /* the same block everywhere */
	CHECK_EQ(swsev_memc_new(mode, key, &c), SWSEV_OK);
	if (c == NULL)
		return;
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x100000, pt, a), SWSEV_OK);
	CHECK(memcmp(a, pt, 4096) != 0);
	/* equal plaintext blocks in one page encrypt differently (block tweak) */
	for (i = 1; i < 256; i++)
		if (memcmp(a, a + 16 * i, 16) == 0)
			CHECK(0);
	/* same address: same ciphertext; another address: different */
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x100000, pt, b), SWSEV_OK);
	CHECK_MEM(a, b, 4096);
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x101000, pt, b), SWSEV_OK);
	CHECK(memcmp(a, b, 16) != 0);
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x100000ULL | (1ULL << 47), pt, b), SWSEV_OK);
	CHECK(memcmp(a, b, 16) != 0);
	/* round trip; in place */
	CHECK_EQ(swsev_memc_decrypt_page(c, 0x100000, a, b), SWSEV_OK);
	CHECK_MEM(b, pt, 4096);
	memcpy(b, pt, 4096);
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x100000, b, b), SWSEV_OK);
	CHECK_MEM(b, a, 4096);
	CHECK_EQ(swsev_memc_decrypt_page(c, 0x100000, b, b), SWSEV_OK);
	CHECK_MEM(b, pt, 4096);
	/* moved ciphertext (decrypt at another address) is garbage */
	CHECK_EQ(swsev_memc_decrypt_page(c, 0x200000, a, b), SWSEV_OK);
	CHECK(memcmp(b, pt, 16) != 0);
	/* a one-bit ciphertext change garbles its block only */
	memcpy(c2, a, 4096);
	c2[16 * 9 + 3] ^= 0x20;
	CHECK_EQ(swsev_memc_decrypt_page(c, 0x100000, c2, b), SWSEV_OK);
	CHECK(memcmp(b + 16 * 9, pt + 16 * 9, 16) != 0);
	CHECK_MEM(b, pt, 16 * 9);
	CHECK_MEM(b + 16 * 10, pt + 16 * 10, 4096 - 16 * 10);
	/* another key: other ciphertext */
	key[31] ^= 1;
	CHECK_EQ(swsev_memc_new(mode, key, &other), SWSEV_OK);
	if (other != NULL) {
		CHECK_EQ(swsev_memc_encrypt_page(other, 0x100000, pt, b), SWSEV_OK);
		CHECK(memcmp(a, b, 16) != 0);
		swsev_memc_free(other);
	}
	/* misaligned page addresses */
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x100010, pt, b), SWSEV_E_INVALID);
	CHECK_EQ(swsev_memc_decrypt_page(c, 0x100800, a, b), SWSEV_E_INVALID);
	CHECK_EQ(swsev_memc_encrypt_page(NULL, 0x100000, pt, b), SWSEV_E_INVALID);
	/* the top page of the address space */
	CHECK_EQ(swsev_memc_encrypt_page(c, 0xfffffffffffff000ULL, pt, b), SWSEV_OK);
	CHECK_EQ(swsev_memc_decrypt_page(c, 0xfffffffffffff000ULL, b, b), SWSEV_OK);
	CHECK_MEM(b, pt, 4096);
	swsev_memc_free(c);
}

TEST(memc_xts_properties)
{
	memc_props(SWSEV_MEMC_XTS);
}
TEST(memc_xe_properties)
{
	memc_props(SWSEV_MEMC_XE);
}

TEST(memc_modes_and_keys)
{
	uint8_t key[32], pt[4096] = { 0 }, a[4096], b[4096];
	swsev_memc *x = NULL, *e = NULL, *bad = (swsev_memc *)1;
	size_t i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 3);
	CHECK_EQ(swsev_memc_new(SWSEV_MEMC_XTS, key, &x), SWSEV_OK);
	CHECK_EQ(swsev_memc_new(SWSEV_MEMC_XE, key, &e), SWSEV_OK);
	if (x != NULL && e != NULL) {
		CHECK_EQ(swsev_memc_encrypt_page(x, 0x3000, pt, a), SWSEV_OK);
		CHECK_EQ(swsev_memc_encrypt_page(e, 0x3000, pt, b), SWSEV_OK);
		CHECK(memcmp(a, b, 16) != 0);
	}
	swsev_memc_free(x);
	swsev_memc_free(e);
	/* equal halves and unknown modes are refused */
	memcpy(key + 16, key, 16);
	CHECK_EQ(swsev_memc_new(SWSEV_MEMC_XTS, key, &bad), SWSEV_E_INVALID);
	CHECK(bad == NULL);
	CHECK_EQ(swsev_memc_new(SWSEV_MEMC_XE, key, &bad), SWSEV_E_INVALID);
	key[16] ^= 1;
	CHECK_EQ(swsev_memc_new((swsev_memc_mode)3, key, &bad), SWSEV_E_INVALID);
	CHECK_EQ(swsev_memc_new(SWSEV_MEMC_XTS, NULL, &bad), SWSEV_E_INVALID);
	swsev_memc_free(NULL);
}

/* The prefix decrypt equals the whole page's first n bytes in both modes,
 * for every block count; bad lengths and unaligned pages are refused. */
TEST(memc_decrypt_prefix)
{
	uint8_t key[32], pt[4096], ct[4096], full[4096], part[4096];
	swsev_memc_mode modes[2] = { SWSEV_MEMC_XTS, SWSEV_MEMC_XE };

	for (size_t i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 5 + 1);
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 13 + 7);
	for (int m = 0; m < 2; m++) {
		swsev_memc *c = NULL;

		CHECK_EQ(swsev_memc_new(modes[m], key, &c), SWSEV_OK);
		if (c == NULL)
			continue;
		CHECK_EQ(swsev_memc_encrypt_page(c, 0x7000, pt, ct), SWSEV_OK);
		CHECK_EQ(swsev_memc_decrypt_page(c, 0x7000, ct, full), SWSEV_OK);
		CHECK_MEM(full, pt, sizeof(pt));
		for (size_t n = 16; n <= 4096; n += 16) {
			memset(part, 0xee, sizeof(part));
			if (swsev_memc_decrypt_prefix(c, 0x7000, ct, part, n) != SWSEV_OK ||
			    memcmp(part, pt, n) != 0 || (n < 4096 && part[n] != 0xee)) {
				CHECK(0);
				break;
			}
		}
		/* another page address: another plaintext */
		CHECK_EQ(swsev_memc_decrypt_prefix(c, 0x8000, ct, part, 64), SWSEV_OK);
		CHECK(memcmp(part, pt, 64) != 0);
		CHECK_EQ(swsev_memc_decrypt_prefix(c, 0x7000, ct, part, 0), SWSEV_E_INVALID);
		CHECK_EQ(swsev_memc_decrypt_prefix(c, 0x7000, ct, part, 24), SWSEV_E_INVALID);
		CHECK_EQ(swsev_memc_decrypt_prefix(c, 0x7000, ct, part, 4112), SWSEV_E_INVALID);
		CHECK_EQ(swsev_memc_decrypt_prefix(c, 0x7010, ct, part, 16), SWSEV_E_INVALID);
		swsev_memc_free(c);
	}
}

/* One context per thread (the documented rule): results agree across threads. */
struct memc_thread {
	swsev_memc_mode mode;
	uint8_t key[32];
	uint8_t out[4096];
	int ok;
};

static void *memc_worker(void *arg)
{
	struct memc_thread *t = arg;
	swsev_memc *c = NULL;
	uint8_t pt[4096], ct[4096];
	int i;

	memset(pt, 0x17, sizeof(pt));
	t->ok = swsev_memc_new(t->mode, t->key, &c) == SWSEV_OK;
	for (i = 0; t->ok && i < 200; i++) {
		uint64_t pa = (uint64_t)(i % 7) << 12;

		t->ok = swsev_memc_encrypt_page(c, pa, pt, ct) == SWSEV_OK &&
			swsev_memc_decrypt_page(c, pa, ct, ct) == SWSEV_OK &&
			memcmp(ct, pt, 4096) == 0;
	}
	if (t->ok)
		t->ok = swsev_memc_encrypt_page(c, 0x5000, pt, t->out) == SWSEV_OK;
	swsev_memc_free(c);
	return NULL;
}

TEST(memc_threads)
{
	struct memc_thread t[4];
	pthread_t th[4];
	int i, started[4] = { 0 };

	for (i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].mode = i % 2 ? SWSEV_MEMC_XE : SWSEV_MEMC_XTS;
		memset(t[i].key, 0x31, 16);
		memset(t[i].key + 16, 0x32, 16);
		started[i] = pthread_create(&th[i], NULL, memc_worker, &t[i]) == 0;
		CHECK(started[i]);
	}
	for (i = 0; i < 4; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++)
		CHECK(t[i].ok);
	CHECK_MEM(t[0].out, t[2].out, 4096);
	CHECK_MEM(t[1].out, t[3].out, 4096);
	CHECK(memcmp(t[0].out, t[1].out, 16) != 0);
}

TH_MAIN_BEGIN("test_crypto")
RUN(sha_known_answers);
RUN(sha256_incremental_and_dup);
RUN(hmac_rfc4231);
RUN(kdf_structure);
RUN(aes_ctr_sp800_38a);
RUN(aes_ctr_counter_is_128bit_be);
RUN(aes_ctr_keyed_context);
RUN(ct_helpers);
RUN(random_and_wipe);
RUN(ec_keys_roundtrip);
RUN(ec_private_range);
RUN(ec_public_validation);
RUN(ecdh_agreement);
RUN(ecdsa_sign_verify);
RUN(rsa_generate_sign_verify);
RUN(rsa_export_import);
RUN(rsa_public_checks);
RUN(base64_rfc4648);
RUN(base64_rejects);
RUN(base64_every_byte);
RUN(base64_roundtrip_vs_reference);
RUN(memc_xts_properties);
RUN(memc_xe_properties);
RUN(memc_modes_and_keys);
RUN(memc_decrypt_prefix);
RUN(memc_threads);
swsev_rsa_free(g_rsa);
TH_MAIN_END
