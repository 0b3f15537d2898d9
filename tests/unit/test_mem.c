/*
 * The memory model (lib/mem): sparse DRAM, the host and C-bit views, key
 * slots per ASID, both tweak modes, the allocator, and concurrency.
 *
 * Known answers: the XTS and XE ciphertexts below were computed once,
 * independently of swsev, with Python's `cryptography` package (48.0):
 *   key = 00 01 .. 1f (K1 = 00..0f, K2 = 10..1f),
 *   plaintext byte i = (i * 31 + 7) mod 256 for i in 0..4095,
 *   XTS: AES(key).XTS(tweak = u64le(page_spa) || 0^8) over the page;
 *   XE:  T_i = AES-ECB(K2, u64le(page_spa + 16 i) || 0^8),
 *        C_i = AES-ECB(K1, P_i xor T_i).
 * Each is given as the first 32 bytes and the SHA-256 of the 4096-byte
 * ciphertext. The XE mode is also cross-checked block by block at run time
 * against AES-128 computed through the CTR primitive (AES_K(X) is the CTR
 * keystream of counter block X).
 */
#include <pthread.h>

#include "harness.h"
#include "swsev/crypto.h"
#include "swsev/mem.h"

#define PG SWSEV_MEM_PAGE

static void key_seq(uint8_t key[32], uint8_t base)
{
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(base + i);
}

static void pattern(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + 7);
}

static swsev_mem *new_mem(int mode)
{
	swsev_mem *m = NULL;

	if (swsev_mem_new(16, mode, &m) != SWSEV_OK)
		return NULL;
	return m;
}

TEST(new_rejects_bad_arguments)
{
	swsev_mem *m = (swsev_mem *)1;

	CHECK_EQ(swsev_mem_new(0, SWSEV_MEMC_XTS, &m), SWSEV_E_INVALID);
	CHECK(m == NULL);
	CHECK_EQ(swsev_mem_new(4, 0, &m), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_new(4, 3, &m), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_new(4, SWSEV_MEMC_XTS, NULL), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_new(1007, SWSEV_MEMC_XE, &m), SWSEV_OK);
	CHECK(m != NULL);
	swsev_mem_free(m);
	swsev_mem_free(NULL);
}

TEST(host_view_sparse_and_unaligned)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	uint8_t in[2 * PG + 40], out[sizeof(in)], zero[sizeof(in)];
	uint64_t pages = 99, ovh0 = 0, ovh = 0;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	memset(zero, 0, sizeof(zero));
	swsev_mem_stats(m, &pages, &ovh0);
	CHECK_EQ(pages, 0);
	/* unwritten memory reads as zero and costs nothing */
	memset(out, 0xee, sizeof(out));
	CHECK_EQ(swsev_mem_read(m, 0x7654321, out, sizeof(out)), SWSEV_OK);
	CHECK_MEM(out, zero, sizeof(out));
	swsev_mem_stats(m, &pages, NULL);
	CHECK_EQ(pages, 0);

	/* an unaligned write spanning four pages: 0x1ff0 .. 0x4018 */
	pattern(in, sizeof(in));
	CHECK_EQ(swsev_mem_write(m, 0x1ff0, in, sizeof(in)), SWSEV_OK);
	swsev_mem_stats(m, &pages, &ovh);
	CHECK_EQ(pages, 4);
	CHECK(ovh > ovh0);
	CHECK(ovh - ovh0 < 4 * 64); /* a small header per page, nothing more */
	CHECK_EQ(swsev_mem_read(m, 0x1ff0, out, sizeof(out)), SWSEV_OK);
	CHECK_MEM(out, in, sizeof(in));
	/* the bytes around it are still zero */
	CHECK_EQ(swsev_mem_read(m, 0x1000, out, 0xff0), SWSEV_OK);
	CHECK_MEM(out, zero, 0xff0);
	CHECK_EQ(0x1ff0 + sizeof(in), 0x4018);
	CHECK_EQ(swsev_mem_read(m, 0x4018, out, 0x5000 - 0x4018), SWSEV_OK);
	CHECK_MEM(out, zero, 0x5000 - 0x4018);
	/* a read of one byte in the middle of a page */
	CHECK_EQ(swsev_mem_read(m, 0x3001, out, 1), SWSEV_OK);
	CHECK_EQ(out[0], in[0x3001 - 0x1ff0]);
	swsev_mem_free(m);
}

TEST(address_bounds)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	uint8_t b[16] = { 1 }, key[32];
	uint64_t pages = 0;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(key, 0x40);
	CHECK_EQ(swsev_mem_slot_load(m, 1, key), SWSEV_OK);
	CHECK_EQ(swsev_mem_write(m, SWSEV_MEM_MAX_ADDR - 1, b, 1), SWSEV_OK);
	CHECK_EQ(swsev_mem_write(m, SWSEV_MEM_MAX_ADDR - 1, b, 2), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_write(m, SWSEV_MEM_MAX_ADDR, b, 1), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_read(m, SWSEV_MEM_MAX_ADDR, b, 0), SWSEV_E_RANGE);
	/* spa + len wraps around 2^64: refused, not wrapped to a low address */
	CHECK_EQ(swsev_mem_read(m, UINT64_MAX - 3, b, 16), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_write(m, UINT64_MAX - 3, b, 16), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_read_enc(m, 1, UINT64_MAX - 3, b, 16), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_write_enc(m, 1, SWSEV_MEM_MAX_ADDR - 8, b, 16), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_read_key(m, key, SWSEV_MEM_MAX_ADDR, b, 16), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_write_key(m, key, UINT64_MAX - 3, b, 16), SWSEV_E_RANGE);
	CHECK_EQ(swsev_mem_write(m, 0, NULL, 1), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_read(m, 0, NULL, 1), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_read(NULL, 0, b, 1), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_write_key(m, NULL, 0, b, 16), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_read(m, 0, b, 0), SWSEV_OK);
	/* the top page is the only one written */
	swsev_mem_stats(m, &pages, NULL);
	CHECK_EQ(pages, 1);
	swsev_mem_free(m);
}

/* Writes the KAT plaintext at spa under asid 1 (key 00..1f) and checks the host view. */
static void check_kat(int mode, uint64_t spa, const char *first32, const char *sha)
{
	swsev_mem *m = new_mem(mode);
	uint8_t key[32], pt[PG], ct[PG], back[PG], h[32];

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(key, 0);
	pattern(pt, PG);
	CHECK_EQ(swsev_mem_slot_load(m, 1, key), SWSEV_OK);
	CHECK_EQ(swsev_mem_write_enc(m, 1, spa, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(m, spa, ct, PG), SWSEV_OK);
	CHECK_HEX(ct, first32);
	CHECK_EQ(swsev_sha256(ct, PG, h), SWSEV_OK);
	CHECK_HEX(h, sha);
	CHECK_EQ(swsev_mem_read_enc(m, 1, spa, back, PG), SWSEV_OK);
	CHECK_MEM(back, pt, PG);
	/* the firmware's key path produces the same bytes */
	CHECK_EQ(swsev_mem_write(m, spa, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_write_key(m, key, spa, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(m, spa, back, PG), SWSEV_OK);
	CHECK_MEM(back, ct, PG);
	swsev_mem_free(m);
}

TEST(xts_known_answer)
{
	check_kat(SWSEV_MEMC_XTS, 0x12345000,
		  "39050cfdd3f4ffb911ecff5ba3020c5b11017ef21c54cb916a71ed62c61ca6be",
		  "b90de49e4e3eba362a7935161e2082155262fafee8144a6890cebff90a12975e");
	check_kat(SWSEV_MEMC_XTS, 0x12346000,
		  "7fb3855c778d44809d660d1713a5ad0b03def0be8e01771451df9bfbcd591c79",
		  "8cc7dc8ed8b15ee3328fe78c7453ae1d7a71637914dd4e319cacbba7b56a303d");
}

TEST(xe_known_answer)
{
	check_kat(SWSEV_MEMC_XE, 0x12345000,
		  "2f1da6a8fba65a99aa3285c19b19d1b3e15b4674036b4f5434075c55449fb33b",
		  "4bccfd88848fafc432d6e6b342cb3e90f4b803b9ef2efec4316c9f69a42aaacd");
	check_kat(SWSEV_MEMC_XE, 0x12346000,
		  "8b20adbd1b50cbf0030e5de100249422e16eaece4c30c64ffdec2a46a0c26478",
		  "5a479013d793728f30a4a78b05d29ebd41d6f2392b42497ce5995141834d8d95");
}

/* AES-128 of one block, via the CTR keystream of counter block x. */
static void aes_block(const uint8_t k[16], const uint8_t x[16], uint8_t out[16])
{
	static const uint8_t zero[16];

	CHECK_EQ(swsev_aes128_ctr(k, x, zero, out, 16), SWSEV_OK);
}

TEST(xe_matches_definition_per_block)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XE);
	uint8_t key[32], pt[PG], ct[PG];
	const uint64_t spa = 0x7fff000;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK_EQ(swsev_random(key, sizeof(key)), SWSEV_OK);
	CHECK_EQ(swsev_random(pt, sizeof(pt)), SWSEV_OK);
	CHECK_EQ(swsev_mem_slot_load(m, 3, key), SWSEV_OK);
	CHECK_EQ(swsev_mem_write_enc(m, 3, spa, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(m, spa, ct, PG), SWSEV_OK);
	for (int i = 0; i < PG / 16; i += 17) {
		uint8_t a[16] = { 0 }, t[16], x[16], c[16];
		uint64_t ba = spa + 16u * (unsigned)i;
		for (int j = 0; j < 8; j++)
			a[j] = (uint8_t)(ba >> (8 * j));
		aes_block(key + 16, a, t);
		for (int j = 0; j < 16; j++)
			x[j] = pt[16 * i + j] ^ t[j];
		aes_block(key, x, c);
		CHECK_MEM(ct + 16 * i, c, 16);
	}
	swsev_mem_free(m);
}

/* The SEV properties, for one tweak mode. */
static void check_properties(int mode)
{
	swsev_mem *m = new_mem(mode);
	uint8_t k1[32], k2[32], pt[PG], ct1[PG], ct2[PG], ct3[PG], out[PG], pt2[PG];
	const uint64_t a = 0x40000000, b = 0x40001000;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(k1, 0x11);
	key_seq(k2, 0x77);
	memset(pt, 'S', sizeof(pt)); /* highly regular plaintext */
	CHECK_EQ(swsev_mem_slot_load(m, 1, k1), SWSEV_OK);
	CHECK_EQ(swsev_mem_slot_load(m, 2, k2), SWSEV_OK);
	CHECK_EQ(swsev_mem_slot_loaded(m, 1), 1);

	/* host reads see ciphertext, not plaintext */
	CHECK_EQ(swsev_mem_write_enc(m, 1, a, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(m, a, ct1, PG), SWSEV_OK);
	CHECK(memcmp(ct1, pt, PG) != 0);
	/* no 16-byte block of the ciphertext repeats (per-block address tweak) */
	for (int i = 1; i < PG / 16; i++)
		CHECK(memcmp(ct1, ct1 + 16 * i, 16) != 0);
	/* the owning ASID sees plaintext, another ASID garbage */
	CHECK_EQ(swsev_mem_read_enc(m, 1, a, out, PG), SWSEV_OK);
	CHECK_MEM(out, pt, PG);
	CHECK_EQ(swsev_mem_read_enc(m, 2, a, out, PG), SWSEV_OK);
	CHECK(memcmp(out, pt, PG) != 0);
	/* same plaintext, other address: other ciphertext */
	CHECK_EQ(swsev_mem_write_enc(m, 1, b, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(m, b, ct2, PG), SWSEV_OK);
	CHECK(memcmp(ct1, ct2, PG) != 0);
	/* same plaintext, same address, same key: same ciphertext (deterministic) */
	CHECK_EQ(swsev_mem_write_enc(m, 1, a, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(m, a, ct3, PG), SWSEV_OK);
	CHECK_MEM(ct3, ct1, PG);
	/* same plaintext and address under another key: other ciphertext */
	CHECK_EQ(swsev_mem_write_enc(m, 2, a, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(m, a, ct3, PG), SWSEV_OK);
	CHECK(memcmp(ct3, ct1, PG) != 0);

	/* no integrity: replaying old ciphertext at the same address works */
	pattern(pt2, PG);
	CHECK_EQ(swsev_mem_write_enc(m, 1, a, pt2, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(m, 1, a, out, PG), SWSEV_OK);
	CHECK_MEM(out, pt2, PG);
	CHECK_EQ(swsev_mem_write(m, a, ct1, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(m, 1, a, out, PG), SWSEV_OK);
	CHECK_MEM(out, pt, PG);
	/* but ciphertext moved to another address decrypts to garbage */
	CHECK_EQ(swsev_mem_write(m, b + 0x10000, ct1, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(m, 1, b + 0x10000, out, PG), SWSEV_OK);
	CHECK(memcmp(out, pt, PG) != 0);
	/* a flipped ciphertext byte garbles its block only (no integrity, no error) */
	ct1[100] ^= 1;
	CHECK_EQ(swsev_mem_write(m, a, ct1, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(m, 1, a, out, PG), SWSEV_OK);
	CHECK(memcmp(out + 96, pt + 96, 16) != 0);
	CHECK_MEM(out, pt, 96);
	CHECK_MEM(out + 112, pt + 112, PG - 112);
	swsev_mem_free(m);
}

TEST(properties_xts)
{
	check_properties(SWSEV_MEMC_XTS);
}

TEST(properties_xe)
{
	check_properties(SWSEV_MEMC_XE);
}

TEST(modes_differ)
{
	swsev_mem *x = new_mem(SWSEV_MEMC_XTS), *e = new_mem(SWSEV_MEMC_XE);
	uint8_t key[32], pt[PG], c1[PG], c2[PG];

	CHECK(x != NULL && e != NULL);
	if (x == NULL || e == NULL)
		goto out;
	key_seq(key, 0x20);
	pattern(pt, PG);
	CHECK_EQ(swsev_mem_write_key(x, key, 0x5000, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_write_key(e, key, 0x5000, pt, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(x, 0x5000, c1, PG), SWSEV_OK);
	CHECK_EQ(swsev_mem_read(e, 0x5000, c2, PG), SWSEV_OK);
	CHECK(memcmp(c1, c2, PG) != 0);
out:
	swsev_mem_free(x);
	swsev_mem_free(e);
}

TEST(slots)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	uint8_t key[32], bad[32], pt[64], out[64];

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(key, 0x30);
	memset(bad, 0x5a, sizeof(bad)); /* equal halves: the cipher refuses it */
	pattern(pt, sizeof(pt));
	/* ASID 0 (the hypervisor) and ASIDs >= nslots have no slot */
	CHECK_EQ(swsev_mem_slot_load(m, 0, key), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_slot_load(m, 16, key), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_slot_load(m, 1, NULL), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_read_enc(m, 16, 0x1000, out, 16), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_slot_loaded(m, 0), 0);
	CHECK_EQ(swsev_mem_slot_loaded(m, 1000), 0);
	swsev_mem_slot_clear(m, 1000); /* harmless */

	/* an empty slot refuses C-bit access */
	CHECK_EQ(swsev_mem_slot_loaded(m, 15), 0);
	CHECK_EQ(swsev_mem_read_enc(m, 15, 0x1000, out, 16), SWSEV_E_STATE);
	CHECK_EQ(swsev_mem_write_enc(m, 15, 0x1000, pt, 16), SWSEV_E_STATE);
	CHECK_EQ(swsev_mem_slot_load(m, 15, key), SWSEV_OK);
	CHECK_EQ(swsev_mem_slot_loaded(m, 15), 1);
	CHECK_EQ(swsev_mem_write_enc(m, 15, 0x1000, pt, sizeof(pt)), SWSEV_OK);

	/* a refused key leaves the slot as it was */
	CHECK(swsev_mem_slot_load(m, 15, bad) != SWSEV_OK);
	CHECK_EQ(swsev_mem_slot_loaded(m, 15), 1);
	CHECK_EQ(swsev_mem_read_enc(m, 15, 0x1000, out, sizeof(out)), SWSEV_OK);
	CHECK_MEM(out, pt, sizeof(pt));

	/* clearing (DEACTIVATE) makes C-bit access fail; the ciphertext stays */
	swsev_mem_slot_clear(m, 15);
	CHECK_EQ(swsev_mem_slot_loaded(m, 15), 0);
	memset(out, 0xcc, sizeof(out));
	CHECK_EQ(swsev_mem_read_enc(m, 15, 0x1000, out, sizeof(out)), SWSEV_E_STATE);
	CHECK_EQ(swsev_mem_write_enc(m, 15, 0x1000, pt, sizeof(pt)), SWSEV_E_STATE);
	CHECK_EQ(swsev_mem_read(m, 0x1000, out, sizeof(out)), SWSEV_OK);
	CHECK(memcmp(out, pt, sizeof(pt)) != 0);
	/* the same key loaded in another slot (ACTIVATE elsewhere) reads it back */
	CHECK_EQ(swsev_mem_slot_load(m, 7, key), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(m, 7, 0x1000, out, sizeof(out)), SWSEV_OK);
	CHECK_MEM(out, pt, sizeof(pt));
	/* reloading a slot with another key replaces the key */
	key[3] ^= 0x80;
	CHECK_EQ(swsev_mem_slot_load(m, 7, key), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(m, 7, 0x1000, out, sizeof(out)), SWSEV_OK);
	CHECK(memcmp(out, pt, sizeof(pt)) != 0);
	swsev_mem_free(m);
}

TEST(key_access_matches_slot)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	uint8_t vek[32], other[32], pt[3 * PG], out[3 * PG];

	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK_EQ(swsev_random(vek, sizeof(vek)), SWSEV_OK);
	memcpy(other, vek, sizeof(other));
	other[31] ^= 1;
	CHECK_EQ(swsev_random(pt, sizeof(pt)), SWSEV_OK);
	/* LAUNCH_UPDATE_DATA before ACTIVATE: the firmware writes with the VEK ... */
	CHECK_EQ(swsev_mem_write_key(m, vek, 0x200800, pt, sizeof(pt)), SWSEV_OK);
	/* ... and after ACTIVATE the guest reads it through its slot */
	CHECK_EQ(swsev_mem_slot_load(m, 9, vek), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(m, 9, 0x200800, out, sizeof(out)), SWSEV_OK);
	CHECK_MEM(out, pt, sizeof(pt));
	/* and the other way round (DBG_DECRYPT, SEND_UPDATE_DATA) */
	pattern(pt, sizeof(pt));
	CHECK_EQ(swsev_mem_write_enc(m, 9, 0x300000, pt, sizeof(pt)), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_key(m, vek, 0x300000, out, sizeof(out)), SWSEV_OK);
	CHECK_MEM(out, pt, sizeof(pt));
	/* one flipped key bit: garbage */
	CHECK_EQ(swsev_mem_read_key(m, other, 0x300000, out, sizeof(out)), SWSEV_OK);
	CHECK(memcmp(out, pt, sizeof(pt)) != 0);
	swsev_mem_free(m);
}

TEST(unwritten_page_under_key)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	uint8_t key[32], out[PG], zero[PG];
	uint64_t pages = 1;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(key, 0x50);
	memset(zero, 0, sizeof(zero));
	CHECK_EQ(swsev_mem_slot_load(m, 1, key), SWSEV_OK);
	/* DRAM holds zeros: they decrypt to garbage, and reading allocates nothing */
	CHECK_EQ(swsev_mem_read_enc(m, 1, 0x9000, out, PG), SWSEV_OK);
	CHECK(memcmp(out, zero, PG) != 0);
	swsev_mem_stats(m, &pages, NULL);
	CHECK_EQ(pages, 0);
	swsev_mem_free(m);
}

/* Random sub-page and page-spanning C-bit accesses against a plaintext shadow. */
static void check_rmw(int mode)
{
	enum { SPAN = 3 * PG };
	swsev_mem *m = new_mem(mode);
	uint8_t key[32], *shadow = malloc(SPAN), *buf = malloc(SPAN), *ct0 = malloc(SPAN),
			 *ct1 = malloc(SPAN);
	const uint64_t base = 0x10000;
	uint32_t r[3];

	CHECK(m != NULL && shadow && buf && ct0 && ct1);
	if (m == NULL || !shadow || !buf || !ct0 || !ct1)
		goto out;
	key_seq(key, 0x60);
	CHECK_EQ(swsev_mem_slot_load(m, 2, key), SWSEV_OK);
	CHECK_EQ(swsev_random(shadow, SPAN), SWSEV_OK);
	CHECK_EQ(swsev_mem_write_enc(m, 2, base, shadow, SPAN), SWSEV_OK);
	for (int it = 0; it < 300; it++) {
		size_t off, len;
		CHECK_EQ(swsev_random(r, sizeof(r)), SWSEV_OK);
		off = r[0] % SPAN;
		len = 1 + r[1] % (SPAN - off);
		if (r[2] & 1) {
			CHECK_EQ(swsev_random(buf, len), SWSEV_OK);
			CHECK_EQ(swsev_mem_read(m, base, ct0, SPAN), SWSEV_OK);
			CHECK_EQ(swsev_mem_write_enc(m, 2, base + off, buf, len), SWSEV_OK);
			memcpy(shadow + off, buf, len);
			/* only the 16-byte blocks touched change on the bus */
			CHECK_EQ(swsev_mem_read(m, base, ct1, SPAN), SWSEV_OK);
			CHECK_MEM(ct1, ct0, off & ~(size_t)15);
			{
				size_t e = (off + len + 15) & ~(size_t)15;
				CHECK_MEM(ct1 + e, ct0 + e, SPAN - e);
			}
		} else {
			CHECK_EQ(swsev_mem_read_enc(m, 2, base + off, buf, len), SWSEV_OK);
			CHECK_MEM(buf, shadow + off, len);
		}
	}
	CHECK_EQ(swsev_mem_read_enc(m, 2, base, buf, SPAN), SWSEV_OK);
	CHECK_MEM(buf, shadow, SPAN);
out:
	free(shadow);
	free(buf);
	free(ct0);
	free(ct1);
	swsev_mem_free(m);
}

TEST(subpage_rmw_xts)
{
	check_rmw(SWSEV_MEMC_XTS);
}

TEST(subpage_rmw_xe)
{
	check_rmw(SWSEV_MEMC_XE);
}

TEST(allocator)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	uint64_t a = 0, b = 0, c = 0, d = 0, pages = 0;
	uint8_t one = 0xab, out[PG], zero[PG];

	CHECK(m != NULL);
	if (m == NULL)
		return;
	memset(zero, 0, sizeof(zero));
	CHECK_EQ(swsev_mem_alloc(m, 0, &a), SWSEV_E_INVALID);
	CHECK_EQ(swsev_mem_alloc(m, SWSEV_MEM_MAX_ADDR, &a), SWSEV_E_NOMEM);
	CHECK_EQ(swsev_mem_alloc(m, UINT64_MAX, &a), SWSEV_E_NOMEM);
	CHECK_EQ(swsev_mem_alloc(m, 1, &a), SWSEV_OK);
	CHECK_EQ(swsev_mem_alloc(m, PG + 1, &b), SWSEV_OK);
	CHECK_EQ(swsev_mem_alloc(m, 5 * PG, &c), SWSEV_OK);
	CHECK(a != 0 && b != 0 && c != 0);
	CHECK_EQ(a % PG, 0);
	CHECK_EQ(b % PG, 0);
	CHECK_EQ(c % PG, 0);
	/* rounded up to whole pages, never overlapping */
	CHECK(b >= a + PG);
	CHECK(c >= b + 2 * PG);

	/* released memory is dropped: reused, it reads as zero */
	CHECK_EQ(swsev_mem_write(m, b + PG, &one, 1), SWSEV_OK);
	swsev_mem_stats(m, &pages, NULL);
	CHECK_EQ(pages, 1);
	swsev_mem_release(m, b, PG + 1);
	swsev_mem_stats(m, &pages, NULL);
	CHECK_EQ(pages, 0);
	swsev_mem_release(m, b, 2 * PG); /* double release: ignored */
	swsev_mem_release(m, b + 1, PG); /* misaligned: ignored */
	swsev_mem_release(m, 0, PG);     /* never allocated: ignored */
	CHECK_EQ(swsev_mem_alloc(m, 2 * PG, &d), SWSEV_OK);
	CHECK_EQ(d, b); /* first fit reuses the hole */
	CHECK_EQ(swsev_mem_read(m, d + PG, out, PG), SWSEV_OK);
	CHECK_MEM(out, zero, PG);
	/* the hole was taken once, not twice */
	CHECK_EQ(swsev_mem_alloc(m, PG, &d), SWSEV_OK);
	CHECK(d != b && d != b + PG);
	swsev_mem_free(m);
}

TEST(sparse_multi_gib)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	const uint64_t gib = 1ULL << 30, size = 64 * gib;
	uint64_t spa = 0, pages = 0, ovh0 = 0, ovh = 0, spa2 = 0;
	uint8_t key[32], b[32] = { 7 }, out[32];

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(key, 0x70);
	CHECK_EQ(swsev_mem_slot_load(m, 4, key), SWSEV_OK);
	swsev_mem_stats(m, NULL, &ovh0);
	CHECK_EQ(swsev_mem_alloc(m, size, &spa), SWSEV_OK);
	/* a 64 GiB guest touching one page per GiB costs 64 pages */
	for (uint64_t off = 0; off < size; off += gib)
		CHECK_EQ(swsev_mem_write_enc(m, 4, spa + off + 0x123, b, sizeof(b)), SWSEV_OK);
	swsev_mem_stats(m, &pages, &ovh);
	CHECK_EQ(pages, 64);
	CHECK(ovh - ovh0 < 64 * 1024);
	CHECK_EQ(swsev_mem_read_enc(m, 4, spa + 63 * gib + 0x123, out, sizeof(out)), SWSEV_OK);
	CHECK_MEM(out, b, sizeof(b));
	/* releasing frees them all, and the space is reusable */
	swsev_mem_release(m, spa, size);
	swsev_mem_stats(m, &pages, NULL);
	CHECK_EQ(pages, 0);
	CHECK_EQ(swsev_mem_alloc(m, size, &spa2), SWSEV_OK);
	CHECK_EQ(spa2, spa);
	CHECK_EQ(swsev_mem_read(m, spa + 5 * gib, out, sizeof(out)), SWSEV_OK);
	CHECK(swsev_ct_is_zero(out, sizeof(out)));
	swsev_mem_free(m);
}

/* ---- concurrency ---- */

#define NTHREADS 6
#define TPAGES 64
#define SHARED_PAGE 0x900000ULL
#define SLICES 32 /* NTHREADS * SLICES * 16 <= one page */

struct worker {
	swsev_mem *m;
	unsigned id;
	int errors;
};

static void worker_fill(uint8_t *p, unsigned id, unsigned page, unsigned round)
{
	for (size_t i = 0; i < PG; i++)
		p[i] = (uint8_t)(id * 37 + page * 11 + round * 5 + i);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned asid = 1 + w->id; /* own guest */
	uint8_t key[32], buf[PG], out[PG];
	uint64_t base = 0x1000000ULL * (1 + w->id);

	key_seq(key, (uint8_t)(0x80 + w->id));
	if (swsev_mem_slot_load(w->m, asid, key) != SWSEV_OK) {
		w->errors++;
		return NULL;
	}
	for (unsigned round = 0; round < 4; round++) {
		for (unsigned pg = 0; pg < TPAGES; pg++) {
			worker_fill(buf, w->id, pg, round);
			/* own guest: whole pages, plus a shared guest (ASID 15) page-interleaved */
			if (swsev_mem_write_enc(w->m, asid, base + (uint64_t)pg * PG, buf, PG) !=
			    SWSEV_OK)
				w->errors++;
			if (swsev_mem_write_enc(
				    w->m, 15, 0x8000000ULL + ((uint64_t)pg * NTHREADS + w->id) * PG,
				    buf, PG) != SWSEV_OK)
				w->errors++;
			/* every thread updates its own 16-byte slices of one shared page */
			if (swsev_mem_write_enc(w->m, 15,
						SHARED_PAGE + 16 * (w->id * SLICES + pg % SLICES),
						buf, 16) != SWSEV_OK)
				w->errors++;
			if (swsev_mem_read_enc(w->m, asid, base + (uint64_t)pg * PG, out, PG) !=
				    SWSEV_OK ||
			    memcmp(out, buf, PG) != 0)
				w->errors++;
		}
	}
	return NULL;
}

TEST(concurrent_writers)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	uint8_t key[32], buf[PG], out[PG];
	uint64_t pages = 0;
	int started = 0;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(key, 0xf0);
	CHECK_EQ(swsev_mem_slot_load(m, 15, key), SWSEV_OK);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(swsev_mem_write_enc(m, 15, SHARED_PAGE, buf, PG), SWSEV_OK);
	for (unsigned i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .m = m, .id = i };
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) == 0)
			started++;
	}
	CHECK_EQ(started, NTHREADS);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; i < NTHREADS; i++) {
		CHECK_EQ(w[i].errors, 0);
		for (unsigned pg = 0; pg < TPAGES; pg++) {
			worker_fill(buf, i, pg, 3);
			CHECK_EQ(swsev_mem_read_enc(m, 1 + i,
						    0x1000000ULL * (1 + i) + (uint64_t)pg * PG, out,
						    PG),
				 SWSEV_OK);
			CHECK_MEM(out, buf, PG);
			CHECK_EQ(swsev_mem_read_enc(
					 m, 15, 0x8000000ULL + ((uint64_t)pg * NTHREADS + i) * PG,
					 out, PG),
				 SWSEV_OK);
			CHECK_MEM(out, buf, PG);
		}
	}
	/* no slice of the shared page lost to a racing read-modify-write */
	CHECK_EQ(swsev_mem_read_enc(m, 15, SHARED_PAGE, out, PG), SWSEV_OK);
	for (unsigned i = 0; i < NTHREADS; i++) {
		for (unsigned sl = 0; sl < SLICES; sl++) {
			worker_fill(buf, i, TPAGES - SLICES + sl,
				    3); /* the last write of that slice */
			CHECK_MEM(out + 16 * (i * SLICES + sl), buf, 16);
		}
	}
	swsev_mem_stats(m, &pages, NULL);
	CHECK_EQ(pages, 1 + 2 * NTHREADS * TPAGES);
	swsev_mem_free(m);
}

struct churner {
	swsev_mem *m;
	int errors;
};

/* Loads and clears ASID 2 while readers use it: readers see plaintext or SWSEV_E_STATE, nothing else. */
static void *churn_main(void *arg)
{
	struct churner *c = arg;
	uint8_t key[32];

	key_seq(key, 0x90);
	for (int i = 0; i < 300; i++) {
		if (swsev_mem_slot_load(c->m, 2, key) != SWSEV_OK)
			c->errors++;
		swsev_mem_slot_clear(c->m, 2);
	}
	if (swsev_mem_slot_load(c->m, 2, key) != SWSEV_OK)
		c->errors++;
	return NULL;
}

static void *reader_main(void *arg)
{
	struct churner *c = arg;
	uint8_t pt[PG], out[PG];

	pattern(pt, PG);
	for (int i = 0; i < 600; i++) {
		swsev_err rc = swsev_mem_read_enc(c->m, 2, 0x4000, out, PG);
		if (rc == SWSEV_OK ? memcmp(out, pt, PG) != 0 : rc != SWSEV_E_STATE)
			c->errors++;
	}
	return NULL;
}

TEST(slot_churn_under_readers)
{
	swsev_mem *m = new_mem(SWSEV_MEMC_XTS);
	struct churner c = { 0 }, r1 = { 0 }, r2 = { 0 };
	pthread_t t0, t1, t2;
	uint8_t key[32], pt[PG];

	CHECK(m != NULL);
	if (m == NULL)
		return;
	key_seq(key, 0x90);
	pattern(pt, PG);
	CHECK_EQ(swsev_mem_write_key(m, key, 0x4000, pt, PG), SWSEV_OK);
	c.m = r1.m = r2.m = m;
	CHECK_EQ(pthread_create(&t0, NULL, churn_main, &c), 0);
	CHECK_EQ(pthread_create(&t1, NULL, reader_main, &r1), 0);
	CHECK_EQ(pthread_create(&t2, NULL, reader_main, &r2), 0);
	pthread_join(t0, NULL);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK_EQ(c.errors + r1.errors + r2.errors, 0);
	CHECK_EQ(swsev_mem_slot_loaded(m, 2), 1);
	swsev_mem_free(m);
}

TH_MAIN_BEGIN("test_mem")
RUN(new_rejects_bad_arguments);
RUN(host_view_sparse_and_unaligned);
RUN(address_bounds);
RUN(xts_known_answer);
RUN(xe_known_answer);
RUN(xe_matches_definition_per_block);
RUN(properties_xts);
RUN(properties_xe);
RUN(modes_differ);
RUN(slots);
RUN(key_access_matches_slot);
RUN(unwritten_page_under_key);
RUN(subpage_rmw_xts);
RUN(subpage_rmw_xe);
RUN(allocator);
RUN(sparse_multi_gib);
RUN(concurrent_writers);
RUN(slot_churn_under_readers);
TH_MAIN_END
