/*
 * SEV and AMD certificates, chains and the built-in roots against AMD's real
 * certificates (tests/fixtures/vectors/README.md "Verified facts: AMD
 * root-key certificates" and "SEV-format certificates"; certificates.md
 * §2-§6), plus emulated roots made by swsev_amd_cert_make.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "codec/codec.h"
#include "harness.h"
#include "swsev/cert.h"
#include "swsev/status.h"

#define VEC "vectors/virtee-sev/"
#define L SWSEV_CERT_LEN

static const char *gens[5] = { "naples", "rome", "milan", "genoa", "turin" };
/* vectors README: key ids (raw 16 bytes in file order) */
static const char *ark_ids[5] = { "1bb987c359494606b174945601c9ea5b",
				  "e6002122fb58419399d15fee7b131351",
				  "94c38e4177d0479292a7ae671d083fb6",
				  "9f9d4a8fe761456599f6946c4c010f3a",
				  "d05c3a8bde484904b49552422ceb3942" };
static const char *ask_ids[5] = { "e139970cfc464377ae61b289e2f9e96e",
				  "c6cbcf145b3146f498e40ecb4ad4fded",
				  "73478c05cc174bfeb06e718fa75dc3c8",
				  "acbb4ad21acc436fb3e932f812cd01b0",
				  "15051693f7304d65a527b4a7f3f7cb77" };

static uint8_t *load(const char *rel, size_t *n)
{
	return th_read_file(th_fixture(rel), n);
}

static int load_amd(const char *rel, int allow_unsigned, struct swsev_amd_cert *c)
{
	size_t n = 0, used = 0;
	uint8_t *b = load(rel, &n);
	swsev_err r;

	if (b == NULL)
		return -1;
	r = swsev_amd_cert_parse(b, n, allow_unsigned, c, &used);
	free(b);
	return r == SWSEV_OK && used == n ? 0 : -1;
}

static int load_sev(const char *rel, struct swsev_cert *c)
{
	size_t n = 0;
	uint8_t *b = load(rel, &n);
	swsev_err r;

	if (b == NULL)
		return -1;
	r = swsev_cert_parse(b, n, c);
	free(b);
	return r == SWSEV_OK ? 0 : -1;
}

static int load_builtin(int g, const char *which, struct swsev_amd_cert *c)
{
	char p[128];

	snprintf(p, sizeof(p), VEC "builtin/%s/%s.cert", gens[g], which);
	return load_amd(p, 0, c);
}

/* A real chain gen in {naples, rome, milan}: the four SEV certs. */
struct sev4 {
	struct swsev_cert cek;
	struct swsev_cert oca;
	struct swsev_cert pek;
	struct swsev_cert pdh;
};

static int load_sev4(const char *gen, struct sev4 *s)
{
	char p[128];
	int r = 0;

	snprintf(p, sizeof(p), VEC "tests/%s/cek.cert", gen);
	r |= load_sev(p, &s->cek);
	snprintf(p, sizeof(p), VEC "tests/%s/oca.cert", gen);
	r |= load_sev(p, &s->oca);
	snprintf(p, sizeof(p), VEC "tests/%s/pek.cert", gen);
	r |= load_sev(p, &s->pek);
	snprintf(p, sizeof(p), VEC "tests/%s/pdh.cert", gen);
	r |= load_sev(p, &s->pdh);
	return r;
}

static int gen_index(const char *gen)
{
	for (int i = 0; i < 5; i++)
		if (!strcmp(gens[i], gen))
			return i;
	return -1;
}

/* PDH||PEK||OCA||CEK||ASK||ARK of a real generation, in a malloc'd buffer. */
static uint8_t *real_bundle(const char *gen, size_t *len)
{
	static const char *sev[4] = { "pdh", "pek", "oca", "cek" };
	uint8_t *out = malloc(4 * L + 2 * SWSEV_AMD_CERT_MAX), *b;
	size_t off = 0, n;
	char p[128];

	for (int i = 0; i < 6; i++) {
		if (i < 4)
			snprintf(p, sizeof(p), VEC "tests/%s/%s.cert", gen, sev[i]);
		else
			snprintf(p, sizeof(p), VEC "builtin/%s/%s.cert", gen,
				 i == 4 ? "ask" : "ark");
		b = load(p, &n);
		if (b == NULL) {
			free(out);
			return NULL;
		}
		memcpy(out + off, b, n);
		off += n;
		free(b);
	}
	*len = off;
	return out;
}

/* ---- AMD roots ---- */

TEST(amd_roots_all_generations)
{
	for (int g = 0; g < 5; g++) {
		struct swsev_amd_cert ark = { 0 };
		struct swsev_amd_cert ask = { 0 };
		size_t want = g == 0 ? 832 : 1600;

		CHECK_EQ(load_builtin(g, "ark", &ark), 0);
		CHECK_EQ(load_builtin(g, "ask", &ask), 0);
		CHECK_EQ(ark.len, want);
		CHECK_EQ(ask.len, want);
		CHECK_EQ(ark.signed_len, want - (g == 0 ? 256 : 512));
		CHECK_EQ(ark.key_usage, SWSEV_USAGE_ARK);
		CHECK_EQ(ask.key_usage, SWSEV_USAGE_ASK);
		CHECK_EQ(ark.pub_exp_bits, g == 0 ? 2048 : 4096);
		CHECK_EQ(ark.modulus_bits, g == 0 ? 2048 : 4096);
		CHECK_HEX(ark.key_id, ark_ids[g]);
		CHECK_HEX(ark.certifying_id, ark_ids[g]);
		CHECK_HEX(ask.key_id, ask_ids[g]);
		CHECK_HEX(ask.certifying_id, ark_ids[g]);
		CHECK_EQ(swsev_amd_cert_hash(&ark), g == 0 ? SWSEV_HASH_SHA256 : SWSEV_HASH_SHA384);
		CHECK_EQ(swsev_amd_cert_algo(&ask),
			 g == 0 ? SWSEV_ALGO_RSA_SHA256 : SWSEV_ALGO_RSA_SHA384);
		/* e = 65537 in every real key */
		CHECK_HEX(ark.pub_exp, "010001");
		CHECK(ark.pub_exp + ark.pub_exp_bits / 8 == ark.modulus);
		CHECK(ark.sig == ark.raw + ark.signed_len);
		/* self and cross signatures */
		CHECK_EQ(swsev_amd_cert_verify(&ark, &ark), SWSEV_OK);
		CHECK_EQ(swsev_amd_cert_verify(&ask, &ark), SWSEV_OK);
		/* an ARK does not verify under the ASK, nor the ASK under itself */
		CHECK_EQ(swsev_amd_cert_verify(&ark, &ask), SWSEV_E_BADSIG);
		CHECK_EQ(swsev_amd_cert_verify(&ask, &ask), SWSEV_E_BADSIG);
		/* nor under another generation's ARK */
		{
			struct swsev_amd_cert other = { 0 };

			CHECK_EQ(load_builtin((g + 1) % 5, "ark", &other), 0);
			CHECK(swsev_amd_cert_verify(&ask, &other) != SWSEV_OK);
			CHECK(swsev_amd_cert_verify(&ark, &other) != SWSEV_OK);
		}
	}
}

TEST(builtin_roots_match_vectors)
{
	size_t n = 0;
	const struct swsev_builtin_root *r = swsev_builtin_roots(&n);

	CHECK_EQ(n, 5);
	for (size_t i = 0; i < n && i < 5; i++) {
		char p[128];
		size_t fl = 0;
		uint8_t *f;
		uint8_t id[16];

		CHECK(!strcmp(r[i].gen, gens[i]));
		snprintf(p, sizeof(p), VEC "builtin/%s/ark.cert", gens[i]);
		f = load(p, &fl);
		CHECK(f != NULL && fl == r[i].ark_len && memcmp(f, r[i].ark, fl) == 0);
		free(f);
		snprintf(p, sizeof(p), VEC "builtin/%s/ask.cert", gens[i]);
		f = load(p, &fl);
		CHECK(f != NULL && fl == r[i].ask_len && memcmp(f, r[i].ask, fl) == 0);
		free(f);
		CHECK_EQ(th_unhex(ark_ids[i], id, 16), 16);
		CHECK(swsev_builtin_root_by_id(id) == &r[i]);
		CHECK_EQ(th_unhex(ask_ids[i], id, 16), 16);
		CHECK(swsev_builtin_root_by_id(id) == &r[i]);
		id[0] ^= 1;
		CHECK(swsev_builtin_root_by_id(id) == NULL);
	}
}

TEST(naples_ark_first_distributed_unsigned)
{
	size_t nb = 0, ns = 0, nf = 0, used = 0;
	uint8_t *bad = load(VEC "tests/naples/ark.cert.bad", &nb);
	uint8_t *sig = load(VEC "tests/naples/ark.cert.sig", &ns);
	uint8_t *full = load(VEC "builtin/naples/ark.cert", &nf);
	uint8_t cat[832];
	struct swsev_amd_cert u = { 0 };
	struct swsev_amd_cert f = { 0 };
	struct swsev_amd_cert ask = { 0 };

	if (!bad || !sig || !full)
		goto out;
	CHECK_EQ(nb, 576);
	CHECK_EQ(ns, 256);
	/* ark.cert.bad + ark.cert.sig == builtin naples ark.cert */
	CHECK_EQ(nb + ns, nf);
	memcpy(cat, bad, nb);
	memcpy(cat + nb, sig, ns);
	CHECK_MEM(cat, full, nf);

	CHECK_EQ(swsev_amd_cert_parse(bad, nb, 0, &u, &used), SWSEV_E_UNSIGNED);
	CHECK_EQ(swsev_amd_cert_parse(bad, nb, 1, &u, &used), SWSEV_OK);
	CHECK_EQ(used, 576);
	CHECK(u.sig == NULL);
	CHECK_EQ(u.len, u.signed_len);
	CHECK_EQ(swsev_amd_cert_parse(cat, sizeof(cat), 0, &f, &used), SWSEV_OK);
	CHECK_EQ(used, 832);
	/* no signature to check: explicit error, never success */
	CHECK_EQ(swsev_amd_cert_verify(&u, &u), SWSEV_E_UNSIGNED);
	CHECK_EQ(swsev_amd_cert_verify(&f, &f), SWSEV_OK);
	/* the unsigned ARK's key still verifies the Naples ASK */
	CHECK_EQ(load_builtin(0, "ask", &ask), 0);
	CHECK_EQ(swsev_amd_cert_verify(&ask, &u), SWSEV_OK);
	/* a cut inside the signature is truncation, even with allow_unsigned */
	CHECK_EQ(swsev_amd_cert_parse(cat, 577, 1, &u, &used), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_amd_cert_parse(cat, 831, 1, &u, &used), SWSEV_E_TRUNCATED);
out:
	free(bad);
	free(sig);
	free(full);
}

TEST(amd_cert_parse_strict)
{
	size_t n = 0, used = 0;
	uint8_t *b = load(VEC "builtin/rome/ark.cert", &n);
	uint8_t buf[4000];
	struct swsev_amd_cert c = { 0 };

	if (b == NULL)
		return;
	/* every cut is refused */
	for (size_t k = 0; k < n; k += (k < 80 ? 1 : 37))
		CHECK(swsev_amd_cert_parse(b, k, 0, &c, &used) != SWSEV_OK);
	CHECK_EQ(swsev_amd_cert_parse(b, 0, 1, &c, &used), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_amd_cert_parse(b, 63, 1, &c, &used), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_amd_cert_parse(b, n - 1, 1, &c, &used), SWSEV_E_TRUNCATED);
	CHECK_EQ(used, 0);
	/* extra bytes are left to the caller: used says where the cert ends */
	memcpy(buf, b, n);
	memset(buf + n, 0xAA, 100);
	CHECK_EQ(swsev_amd_cert_parse(buf, n + 100, 0, &c, &used), SWSEV_OK);
	CHECK_EQ(used, 1600);

#define MUT(off, val, want)                                                   \
	do {                                                                  \
		memcpy(buf, b, n);                                            \
		buf[(off)] = (uint8_t)(val);                                  \
		CHECK_EQ(swsev_amd_cert_parse(buf, n, 1, &c, &used), (want)); \
		CHECK_EQ(c.len, 0);                                           \
	} while (0)
	MUT(0, 2, SWSEV_E_VERSION);
	MUT(3, 1, SWSEV_E_VERSION);
	MUT(0x24, 0x01, SWSEV_E_USAGE);
	MUT(0x28, 0x01, SWSEV_E_FORMAT); /* reserved */
	MUT(0x37, 0x80, SWSEV_E_FORMAT);
	MUT(0x39, 0x04, SWSEV_E_LENGTH); /* pub_exp_size 1024 */
	MUT(0x3d, 0x0c, SWSEV_E_LENGTH); /* modulus_size 3072 */
	MUT(0x3f, 0xff, SWSEV_E_LENGTH); /* huge: no overflow */
	MUT(0x3b, 0xff, SWSEV_E_LENGTH);
#undef MUT
	/* a 4096-bit header over 2048-bit data: truncated, never read past */
	{
		size_t nn = 0;
		uint8_t *nap = load(VEC "builtin/naples/ark.cert", &nn);

		if (nap) {
			memcpy(buf, nap, nn);
			swsev_wle32(buf + 0x38, 4096);
			swsev_wle32(buf + 0x3c, 4096);
			CHECK_EQ(swsev_amd_cert_parse(buf, nn, 1, &c, &used), SWSEV_E_TRUNCATED);
			/* exponent field 2048 + modulus 4096: 832 bytes = header+key only */
			swsev_wle32(buf + 0x38, 2048);
			CHECK_EQ(swsev_amd_cert_parse(buf, nn, 0, &c, &used), SWSEV_E_UNSIGNED);
			free(nap);
		}
	}
	free(b);
}

TEST(amd_ask_ark_bundle_split)
{
	for (int g = 0; g < 5; g++) {
		struct swsev_amd_cert ask = { 0 };
		struct swsev_amd_cert ark = { 0 };
		struct swsev_amd_cert a2 = { 0 };
		const struct swsev_builtin_root *r = swsev_builtin_roots(NULL) + g;
		uint8_t buf[3200];
		size_t used = 0, used2 = 0;

		memcpy(buf, r->ask, r->ask_len);
		memcpy(buf + r->ask_len, r->ark, r->ark_len);
		CHECK_EQ(r->ask_len + r->ark_len, g == 0 ? 1664 : 3200);
		CHECK_EQ(swsev_amd_cert_parse(buf, r->ask_len + r->ark_len, 0, &ask, &used),
			 SWSEV_OK);
		CHECK_EQ(used, r->ask_len);
		CHECK_EQ(swsev_amd_cert_parse(buf + used, r->ark_len, 0, &ark, &used2), SWSEV_OK);
		CHECK_EQ(used2, r->ark_len);
		CHECK_EQ(swsev_amd_cert_verify(&ask, &ark), SWSEV_OK);
		/* a copy keeps working pointers */
		swsev_amd_cert_copy(&a2, &ask);
		CHECK(a2.modulus == a2.raw + 64 + a2.pub_exp_bits / 8);
		CHECK(a2.sig == a2.raw + a2.signed_len);
		CHECK_EQ(swsev_amd_cert_verify(&a2, &ark), SWSEV_OK);
	}
}

/* ---- SEV certificates ---- */

struct expect {
	const char *gen, *name;
	int api_major, api_minor;
	uint32_t usage, algo;
	uint32_t s1u, s1a, s2u, s2a;
};

/* vectors README, "In every chain" table; certificates.md §3.3 */
static const struct expect table[] = {
	{ "naples", "cek", 0, 14, 0x1004, 0x2, 0x13, 0x1, 0x1000, 0 },
	{ "naples", "oca", 0, 16, 0x1001, 0x2, 0x1001, 0x2, 0x1000, 0 },
	{ "naples", "pek", 0, 16, 0x1002, 0x2, 0x1001, 0x2, 0x1004, 0x2 },
	{ "naples", "pdh", 0, 16, 0x1003, 0x3, 0x1002, 0x2, 0x1000, 0 },
	{ "rome", "cek", 0, 14, 0x1004, 0x2, 0x13, 0x101, 0x1000, 0 },
	{ "rome", "oca", 0, 22, 0x1001, 0x2, 0x1001, 0x2, 0x1000, 0 },
	{ "rome", "pek", 0, 22, 0x1002, 0x2, 0x1001, 0x2, 0x1004, 0x2 },
	{ "rome", "pdh", 0, 22, 0x1003, 0x3, 0x1002, 0x2, 0x1000, 0 },
	{ "milan", "cek", 0, 14, 0x1004, 0x2, 0x13, 0x101, 0x1000, 0 },
	{ "milan", "oca", 1, 28, 0x1001, 0x2, 0x1001, 0x2, 0x1000, 0 },
	{ "milan", "pek", 1, 28, 0x1002, 0x2, 0x1001, 0x2, 0x1004, 0x2 },
	{ "milan", "pdh", 1, 28, 0x1003, 0x3, 0x1002, 0x2, 0x1000, 0 },
};

TEST(sev_cert_fields_of_real_certs)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct expect *e = &table[i];
		struct swsev_cert c = { 0 };
		swsev_ec_key *k = NULL;
		char p[128];
		size_t n = 0;
		uint8_t *b, enc[L];

		snprintf(p, sizeof(p), VEC "tests/%s/%s.cert", e->gen, e->name);
		b = load(p, &n);
		if (b == NULL)
			continue;
		CHECK_EQ(swsev_cert_parse(b, n, &c), SWSEV_OK);
		CHECK_EQ(c.version, 1);
		CHECK_EQ(c.api_major, e->api_major);
		CHECK_EQ(c.api_minor, e->api_minor);
		CHECK_EQ(c.pub_key_usage, e->usage);
		CHECK_EQ(c.pub_key_algo, e->algo);
		CHECK_EQ(swsev_le32(c.pub_key), SWSEV_CURVE_P384);
		CHECK_EQ(c.sig[0].usage, e->s1u);
		CHECK_EQ(c.sig[0].algo, e->s1a);
		CHECK_EQ(c.sig[1].usage, e->s2u);
		CHECK_EQ(c.sig[1].algo, e->s2a);
		CHECK_MEM(c.raw, b, L);
		/* a valid P-384 point */
		CHECK_EQ(swsev_cert_ec_key(&c, &k), SWSEV_OK);
		swsev_ec_free(k);
		/* encode gives back the same bytes */
		memset(c.raw, 0, sizeof(c.raw));
		CHECK_EQ(swsev_cert_encode(&c, enc), SWSEV_OK);
		CHECK_MEM(enc, b, L);
		CHECK_MEM(c.raw, b, L);
		free(b);
	}
	CHECK(!strcmp(swsev_usage_name(0x1003), "PDH"));
	CHECK(!strcmp(swsev_usage_name(0x13), "ASK"));
	CHECK(!strcmp(swsev_usage_name(0x1005), "UNKNOWN"));
	CHECK(!strcmp(swsev_algo_name(0x103), "ECDH_SHA384"));
	CHECK(!strcmp(swsev_algo_name(0x4), "UNKNOWN"));
	CHECK_EQ(swsev_algo_hash(0x1), SWSEV_HASH_SHA256);
	CHECK_EQ(swsev_algo_hash(0x3), SWSEV_HASH_SHA256);
	CHECK_EQ(swsev_algo_hash(0x101), SWSEV_HASH_SHA384);
	CHECK_EQ(swsev_algo_hash(0x102), SWSEV_HASH_SHA384);
	CHECK_EQ(swsev_algo_hash(0), 0);
}

TEST(sev_cert_parse_strict)
{
	size_t n = 0;
	uint8_t *b = load(VEC "tests/rome/pek.cert", &n);
	uint8_t buf[L + 8];
	struct swsev_cert c = { 0 };
	swsev_ec_key *k = NULL;

	if (b == NULL)
		return;
	CHECK_EQ(swsev_cert_parse(b, 0, &c), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_cert_parse(b, L - 1, &c), SWSEV_E_TRUNCATED);
	memcpy(buf, b, L);
	buf[L] = 0;
	CHECK_EQ(swsev_cert_parse(buf, L + 1, &c), SWSEV_E_TRAILING);
	CHECK_EQ(c.version, 0); /* output zeroed on failure */

#define MUT(off, val, want)                                     \
	do {                                                    \
		memcpy(buf, b, L);                              \
		buf[(off)] = (uint8_t)(val);                    \
		CHECK_EQ(swsev_cert_parse(buf, L, &c), (want)); \
	} while (0)
	MUT(0, 2, SWSEV_E_VERSION);
	MUT(2, 1, SWSEV_E_VERSION);
	MUT(6, 1, SWSEV_E_FORMAT); /* reserved */
	MUT(7, 0x80, SWSEV_E_FORMAT);
	MUT(8, 0x05, SWSEV_E_USAGE);       /* 0x1005 */
	MUT(9, 0x00, SWSEV_E_USAGE);       /* 0x0002: not a SEV key usage */
	MUT(0xc, 0x04, SWSEV_E_ALGO);      /* 0x4 */
	MUT(0xc, 0x00, SWSEV_E_ALGO);      /* INVALID as a key algo */
	MUT(0x10, 3, SWSEV_E_FORMAT);      /* curve 3 */
	MUT(0x14 + 48, 1, SWSEV_E_FORMAT); /* qx padding */
	MUT(0x5c + 71, 1, SWSEV_E_FORMAT); /* qy padding */
	MUT(0xa4, 1, SWSEV_E_FORMAT);      /* key reserved area */
	MUT(0x413, 1, SWSEV_E_FORMAT);
	MUT(0x414, 0x07, SWSEV_E_USAGE); /* slot 1 usage 0x1007 */
	MUT(0x418, 0x09, SWSEV_E_ALGO);  /* slot 1 algo 0x9 */
	MUT(0x620, 0x05, SWSEV_E_ALGO);  /* slot 2 algo 0x5 */
	MUT(0x5, 99, SWSEV_OK);          /* api_minor is free */
	/* a half-empty slot (usage 0x1000, algo 0x2) parses: the verifiers refuse it */
	MUT(0x61C, 0x00, SWSEV_OK);
	CHECK_EQ(c.sig[1].usage, 0x1000);
	CHECK_EQ(c.sig[1].algo, 0x2);
	/* an empty slot must be all zero */
	{
		size_t np = 0;
		uint8_t *pdh = load(VEC "tests/rome/pdh.cert", &np);

		if (pdh) {
			pdh[0x624 + 100] = 1;
			CHECK_EQ(swsev_cert_parse(pdh, np, &c), SWSEV_E_FORMAT);
			free(pdh);
		}
	}
#undef MUT
	/* a point not on the curve parses but has no key */
	memcpy(buf, b, L);
	buf[0x14] ^= 1;
	CHECK_EQ(swsev_cert_parse(buf, L, &c), SWSEV_OK);
	CHECK_EQ(swsev_cert_ec_key(&c, &k), SWSEV_E_BADKEY);
	CHECK(k == NULL);
	free(b);
}

/* ---- real chains through the cert functions ---- */

TEST(real_chains_links)
{
	static const char *cg[3] = { "naples", "rome", "milan" };

	for (int g = 0; g < 3; g++) {
		struct sev4 s = { 0 };
		struct swsev_amd_cert ask = { 0 };
		struct swsev_amd_cert ark = { 0 };
		int gi = gen_index(cg[g]);

		CHECK_EQ(load_sev4(cg[g], &s), 0);
		CHECK_EQ(load_builtin(gi, "ask", &ask), 0);
		CHECK_EQ(load_builtin(gi, "ark", &ark), 0);
		CHECK_EQ(swsev_cert_verify_amd(&s.cek, &ask), SWSEV_OK);
		CHECK_EQ(swsev_cert_verify(&s.oca, &s.oca), SWSEV_OK);
		CHECK_EQ(swsev_cert_verify(&s.pek, &s.oca), SWSEV_OK);
		CHECK_EQ(swsev_cert_verify(&s.pek, &s.cek), SWSEV_OK);
		CHECK_EQ(swsev_cert_verify(&s.pdh, &s.pek), SWSEV_OK);
		/* negative: the PDH is not signed by the CEK; the CEK not by the ARK */
		CHECK_EQ(swsev_cert_verify(&s.pdh, &s.cek), SWSEV_E_NOSIG);
		CHECK_EQ(swsev_cert_verify(&s.pdh, &s.oca), SWSEV_E_NOSIG);
		CHECK_EQ(swsev_cert_verify_amd(&s.cek, &ark), SWSEV_E_NOSIG);
		/* firmware rule */
		CHECK_EQ(swsev_cert_validate_fw(&s.pdh, &s.pek), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&s.pek, &s.oca), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&s.pek, &s.cek), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&s.oca, &s.oca), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw_amd(&s.cek, &ask), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&s.pdh, &s.cek), SEV_STATUS_INVALID_CERTIFICATE);
		CHECK_EQ(swsev_cert_validate_fw_amd(&s.cek, &ark), SEV_STATUS_INVALID_CERTIFICATE);
		/* a flipped body byte: every signature over it fails */
		s.pdh.raw[5] ^= 0x01;
		CHECK_EQ(swsev_cert_verify(&s.pdh, &s.pek), SWSEV_E_BADSIG);
		CHECK_EQ(swsev_cert_validate_fw(&s.pdh, &s.pek), SEV_STATUS_BAD_SIGNATURE);
		s.cek.raw[0x100] ^= 0x80;
		CHECK_EQ(swsev_cert_verify_amd(&s.cek, &ask), SWSEV_E_BADSIG);
		CHECK_EQ(swsev_cert_validate_fw_amd(&s.cek, &ask), SEV_STATUS_BAD_SIGNATURE);
	}
}

TEST(cross_generation_links_refused)
{
	struct sev4 rome = { 0 };
	struct sev4 naples = { 0 };
	struct sev4 milan = { 0 };
	struct swsev_amd_cert nask = { 0 };
	struct swsev_amd_cert mask = { 0 };

	CHECK_EQ(load_sev4("rome", &rome), 0);
	CHECK_EQ(load_sev4("naples", &naples), 0);
	CHECK_EQ(load_sev4("milan", &milan), 0);
	CHECK_EQ(load_builtin(0, "ask", &nask), 0);
	CHECK_EQ(load_builtin(2, "ask", &mask), 0);
	/* Rome CEK under the Naples ASK: no slot by (ASK, RSA_SHA256) */
	CHECK_EQ(swsev_cert_verify_amd(&rome.cek, &nask), SWSEV_E_NOSIG);
	/* Rome CEK under the Milan ASK: same (ASK, RSA_SHA384) label, other key */
	CHECK_EQ(swsev_cert_verify_amd(&rome.cek, &mask), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_cert_validate_fw_amd(&rome.cek, &mask), SEV_STATUS_BAD_SIGNATURE);
	/* Milan PEK under Rome's OCA and CEK; Rome PDH under Milan's PEK */
	CHECK_EQ(swsev_cert_verify(&milan.pek, &rome.oca), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_cert_verify(&milan.pek, &rome.cek), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_cert_verify(&rome.pdh, &milan.pek), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_cert_verify(&naples.pek, &rome.cek), SWSEV_E_BADSIG);
}

TEST(history_unsigned_cek)
{
	size_t nc = 0, np = 0, nu = 0;
	uint8_t *certs = load(VEC "history/naples-62279ae/pek_oca_cek.cert", &nc);
	uint8_t *pdh = load(VEC "history/naples-62279ae/pdh.cert", &np);
	uint8_t *uns = load(VEC "history/naples-7dedebe/cek.uns.cert", &nu);
	struct swsev_chain ch = { 0 };
	struct swsev_chain_result res = { 0 };
	struct swsev_cert cu = { 0 };
	struct sev4 nap = { 0 };
	struct swsev_amd_cert ask = { 0 };
	char eb[256];

	if (!certs || !pdh || !uns)
		goto out;
	CHECK_EQ(nc, 3 * L);
	CHECK_EQ(swsev_chain_parse_export(certs, nc, pdh, np, &ch, eb, sizeof(eb)), SWSEV_OK);
	CHECK_EQ(ch.pek.api_minor, 17);
	CHECK(ch.cek.sig[0].usage == 0x1000 && ch.cek.sig[0].algo == 0);
	CHECK(ch.cek.sig[1].usage == 0x1000 && ch.cek.sig[1].algo == 0);
	CHECK(swsev_chain_verify(&ch, NULL, &res) != SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_SELF], SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_PEK], SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_CEK_PEK], SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_PEK_PDH], SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_E_UNSIGNED);
	CHECK_EQ(res.checked[SWSEV_LINK_ASK_CEK], 1);
	CHECK(strstr(res.msg[SWSEV_LINK_ASK_CEK], "unsigned") != NULL);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ASK_CEK);
	/* wrong sizes */
	CHECK_EQ(swsev_chain_parse_export(certs, nc - 1, pdh, np, &ch, eb, sizeof(eb)),
		 SWSEV_E_TRUNCATED);
	CHECK(strstr(eb, "6251 bytes") != NULL);
	CHECK(swsev_chain_parse_export(certs, nc, pdh, np - 1, &ch, eb, sizeof(eb)) != SWSEV_OK);
	CHECK(strstr(eb, "pdh.cert: 2083 bytes, a SEV certificate is 2084") != NULL);

	/* cek.uns.cert: the key of tests/naples/cek.cert, api 0.16, no signatures */
	CHECK_EQ(swsev_cert_parse(uns, nu, &cu), SWSEV_OK);
	CHECK_EQ(load_sev4("naples", &nap), 0);
	CHECK_EQ(cu.api_minor, 16);
	CHECK_EQ(nap.cek.api_minor, 14);
	for (size_t i = 0; i < SWSEV_CERT_BODY_LEN; i++)
		if (i != 5 && cu.raw[i] != nap.cek.raw[i]) {
			CHECK(!"cek.uns.cert differs from cek.cert outside api_minor");
			break;
		}
	CHECK_EQ(load_builtin(0, "ask", &ask), 0);
	CHECK_EQ(swsev_cert_verify_amd(&cu, &ask), SWSEV_E_UNSIGNED);
	CHECK_EQ(swsev_cert_verify(&nap.pek, &cu), SWSEV_OK); /* same key */
	CHECK_EQ(swsev_cert_validate_fw_amd(&cu, &ask), SEV_STATUS_INVALID_CERTIFICATE);
	memset(&ch, 0, sizeof(ch));
	ch.pdh = nap.pdh;
	ch.pek = nap.pek;
	ch.oca = nap.oca;
	ch.cek = cu;
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_E_UNSIGNED);
	CHECK_EQ(res.link[SWSEV_LINK_CEK_PEK], SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_E_UNSIGNED);
out:
	free(certs);
	free(pdh);
	free(uns);
}

/* ---- chains ---- */

/* The bundle parses and verifies with these flags. */
static int chain_ok_ex(const uint8_t *buf, size_t len, const struct swsev_amd_cert *trusted,
		       unsigned flags, struct swsev_chain_result *res)
{
	struct swsev_chain *ch = malloc(sizeof(*ch));
	int ok = 0;

	memset(res, 0, sizeof(*res));
	if (ch == NULL)
		return 0;
	if (swsev_chain_parse_bundle(buf, len, ch) == SWSEV_OK &&
	    swsev_chain_verify_ex(ch, trusted, flags, res) == SWSEV_OK)
		ok = 1;
	free(ch);
	return ok;
}

/* The default validation: the five trust links (swsev_chain_verify). */
static int chain_ok(const uint8_t *buf, size_t len, const struct swsev_amd_cert *trusted,
		    struct swsev_chain_result *res)
{
	struct swsev_chain *ch = malloc(sizeof(*ch));
	int ok = 0;

	memset(res, 0, sizeof(*res));
	if (ch == NULL)
		return 0;
	if (swsev_chain_parse_bundle(buf, len, ch) == SWSEV_OK &&
	    swsev_chain_verify(ch, trusted, res) == SWSEV_OK)
		ok = 1;
	free(ch);
	return ok;
}

/* the note of a self-signature left unchecked by default */
#define NOT_CHECKED "not checked ("

TEST(real_chains_valid_and_bundle_forms)
{
	static const char *cg[3] = { "naples", "rome", "milan" };

	for (int g = 0; g < 3; g++) {
		size_t len = 0;
		uint8_t *b = real_bundle(cg[g], &len);
		struct swsev_chain_result res = { 0 };
		struct swsev_chain ch = { 0 };

		if (b == NULL)
			continue;
		CHECK_EQ(len, 4 * L + (g == 0 ? 1664 : 3200));
		/* default: the five trust links; the OCA self-signature not checked,
		 * the ARK's known from the built-in root (byte-identical) */
		CHECK(chain_ok(b, len, NULL, &res));
		CHECK(res.root_gen != NULL && !strcmp(res.root_gen, cg[g]));
		CHECK_EQ(res.amd_builtin, 0);
		for (int l = 0; l < SWSEV_LINK_COUNT; l++) {
			CHECK_EQ(res.link[l], SWSEV_OK);
			CHECK_EQ(res.checked[l], l != SWSEV_LINK_OCA_SELF);
		}
		CHECK(strncmp(res.msg[SWSEV_LINK_OCA_SELF], NOT_CHECKED, strlen(NOT_CHECKED)) == 0);
		CHECK(strstr(res.msg[SWSEV_LINK_OCA_SELF], "--self-signatures") != NULL);
		{
			char want[64];

			snprintf(want, sizeof(want), "built-in %s ARK: self-signature verified",
				 cg[g]);
			CHECK(strstr(res.msg[SWSEV_LINK_ARK_SELF], want) != NULL);
		}
		CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_COUNT);
		CHECK_EQ(res.ark_unsigned, 0);
		/* strict: all seven signatures, each really verified */
		CHECK(chain_ok_ex(b, len, NULL, SWSEV_CHAIN_SELF_SIGS, &res));
		CHECK(res.root_gen != NULL && !strcmp(res.root_gen, cg[g]));
		for (int l = 0; l < SWSEV_LINK_COUNT; l++) {
			CHECK_EQ(res.link[l], SWSEV_OK);
			CHECK_EQ(res.checked[l], 1);
			CHECK_EQ(res.msg[l][0], '\0');
		}
		/* flags 0 through _ex is swsev_chain_verify */
		CHECK(chain_ok_ex(b, len, NULL, 0, &res));
		CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 0);
		/* without the AMD part: ASK and ARK chosen from the built-in roots */
		CHECK(chain_ok(b, 4 * L, NULL, &res));
		CHECK(res.root_gen != NULL && !strcmp(res.root_gen, cg[g]));
		CHECK_EQ(res.amd_builtin, 1);
		CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 1);
		CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 0);
		CHECK(chain_ok_ex(b, 4 * L, NULL, SWSEV_CHAIN_SELF_SIGS, &res));
		CHECK_EQ(res.amd_builtin, 1);
		CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 1);
		/* the built-in ARK named as trusted root: valid too */
		{
			struct swsev_amd_cert ark = { 0 };

			CHECK_EQ(load_builtin(gen_index(cg[g]), "ark", &ark), 0);
			CHECK(chain_ok(b, len, &ark, &res));
			CHECK(chain_ok(b, 4 * L, &ark, &res));
			CHECK(chain_ok_ex(b, len, &ark, SWSEV_CHAIN_SELF_SIGS, &res));
		}
		/* bundle sizes that are not a chain */
		CHECK_EQ(swsev_chain_parse_bundle(b, 4 * L - 1, &ch), SWSEV_E_TRUNCATED);
		CHECK(swsev_chain_parse_bundle(b, 4 * L + 1, &ch) != SWSEV_OK);
		CHECK(swsev_chain_parse_bundle(b, len - 1, &ch) != SWSEV_OK);
		CHECK(swsev_chain_parse_bundle(b, 3 * L, &ch) != SWSEV_OK);
		CHECK(swsev_chain_parse_bundle(b, 0, &ch) != SWSEV_OK);
		free(b);
	}
}

TEST(real_chains_every_flipped_byte_fails)
{
	static const char *cg[3] = { "naples", "rome", "milan" };

	for (int g = 0; g < 3; g++) {
		size_t len = 0;
		uint8_t *b = real_bundle(cg[g], &len);
		size_t amd = g == 0 ? 832 : 1600;
		/* start of each cert in the bundle and its signed / signature areas */
		struct {
			const char *name;
			size_t off, signed_len, total;
		} parts[6] = {
			{ "PDH", 0, SWSEV_CERT_BODY_LEN, L },
			{ "PEK", L, SWSEV_CERT_BODY_LEN, L },
			{ "OCA", 2 * L, SWSEV_CERT_BODY_LEN, L },
			{ "CEK", 3 * L, SWSEV_CERT_BODY_LEN, L },
			{ "ASK", 4 * L, amd == 832 ? 576 : 1088, amd },
			{ "ARK", 4 * L + amd, amd == 832 ? 576 : 1088, amd },
		};
		int tried = 0, failed = 0, self_passed = 0;

		if (b == NULL)
			continue;
		for (int p = 0; p < 6; p++) {
			/* positions: header, key area, and the signature itself */
			size_t pos[] = { 4,
					 5,
					 0x10,
					 0x14,
					 0x20,
					 0x60,
					 0x90,
					 parts[p].signed_len / 2,
					 parts[p].signed_len - 1,
					 parts[p].signed_len,
					 parts[p].signed_len + 9,
					 parts[p].signed_len + 100,
					 parts[p].total - 300 };

			for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
				struct swsev_chain_result res = { 0 };
				size_t at = parts[p].off + pos[i];
				/*
				 * Bytes only the OCA's self-signature covers: its
				 * api_major/api_minor (4, 5; its key is unchanged, so
				 * OCA -> PEK holds) and its slot 0 (usage byte 0:
				 * a malformed slot; the signature value).
				 */
				int self_only = p == 2 &&
						(pos[i] == 4 || pos[i] == 5 ||
						 (pos[i] >= parts[p].signed_len &&
						  pos[i] < parts[p].signed_len + 8 + 512));
				int ok;

				/* SEV slot bytes past the signature value are zero padding:
				 * flipping there is a format error, also a failure */
				b[at] ^= 0x01;
				tried++;
				/* strict (all seven signatures): every flip fails */
				if (!chain_ok_ex(b, len, NULL, SWSEV_CHAIN_SELF_SIGS, &res))
					failed++;
				else
					fprintf(stderr, "  %s: flip in %s at +%zu still valid\n",
						cg[g], parts[p].name, pos[i]);
				if (self_only)
					CHECK_EQ(swsev_chain_first_failure(&res),
						 SWSEV_LINK_OCA_SELF);
				/* default: every flip fails but those of the OCA's
				 * self-signed-only bytes */
				ok = chain_ok(b, len, NULL, &res);
				if (ok != self_only)
					fprintf(stderr, "  %s: flip in %s at +%zu: default %s\n",
						cg[g], parts[p].name, pos[i],
						ok ? "valid" : "invalid");
				CHECK_EQ(ok, self_only);
				if (self_only) {
					self_passed++;
					CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 0);
				}
				b[at] ^= 0x01;
			}
		}
		CHECK(tried > 70);
		CHECK_EQ(failed, tried);
		CHECK_EQ(self_passed, 5); /* OCA +4, +5, slot usage, r, s */
		/* and the untouched bundle is still valid */
		{
			struct swsev_chain_result res = { 0 };

			CHECK(chain_ok(b, len, NULL, &res));
		}
		free(b);
	}
}

TEST(chain_flip_names_the_link)
{
	size_t len = 0;
	uint8_t *b = real_bundle("rome", &len);
	struct swsev_chain ch = { 0 };
	struct swsev_chain_result res = { 0 };

	if (b == NULL)
		return;
	/* PDH api_minor: only PEK -> PDH breaks */
	b[5] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_PEK_PDH);
	for (int l = 0; l < SWSEV_LINK_PEK_PDH; l++)
		CHECK_EQ(res.link[l], SWSEV_OK);
	CHECK(!strcmp(res.msg[SWSEV_LINK_PEK_PDH], "signature does not verify"));
	b[5] ^= 1;
	/* PEK api_minor: OCA -> PEK, CEK -> PEK break */
	b[L + 5] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK(swsev_chain_verify(&ch, NULL, &res) != SWSEV_OK);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_PEK);
	CHECK_EQ(res.link[SWSEV_LINK_CEK_PEK], SWSEV_E_BADSIG);
	CHECK_EQ(res.link[SWSEV_LINK_PEK_PDH], SWSEV_OK);
	b[L + 5] ^= 1;
	/* CEK: ASK -> CEK first */
	b[3 * L + 5] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK(swsev_chain_verify(&ch, NULL, &res) != SWSEV_OK);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ASK_CEK);
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_E_BADSIG);
	CHECK_EQ(res.link[SWSEV_LINK_CEK_PEK], SWSEV_OK); /* the CEK's key is unchanged */
	b[3 * L + 5] ^= 1;
	/* ASK modulus: ARK -> ASK */
	b[4 * L + 600] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK(swsev_chain_verify(&ch, NULL, &res) != SWSEV_OK);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_ASK);
	b[4 * L + 600] ^= 1;
	/*
	 * ARK signature byte. Default: the self-signature is not checked (the
	 * ARK is no longer the built-in one, so nothing is known about it),
	 * every link holds, and the chain fails on trust: the ARK is no longer
	 * byte-identical to the pinned root. Strict: ARK -> ARK fails too.
	 */
	b[len - 10] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_E_UNTRUSTED);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_COUNT);
	CHECK_EQ(res.link[SWSEV_LINK_ARK_SELF], SWSEV_OK);
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 0);
	CHECK(strncmp(res.msg[SWSEV_LINK_ARK_SELF], NOT_CHECKED, strlen(NOT_CHECKED)) == 0);
	CHECK_EQ(res.trust, SWSEV_E_UNTRUSTED);
	CHECK(strstr(res.trust_msg, "the key_id of the built-in rome root") != NULL);
	CHECK_EQ(swsev_chain_verify_ex(&ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_SELF);
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 1);
	CHECK(!strcmp(res.msg[SWSEV_LINK_ARK_SELF], "self-signature does not verify"));
	CHECK_EQ(res.trust, SWSEV_E_UNTRUSTED);
	/* that very ARK given as the trusted root (--ca): the pin holds, so by
	 * default the chain is valid; strict refuses the self-signature */
	CHECK_EQ(swsev_chain_verify(&ch, &ch.ark, &res), SWSEV_OK);
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 0);
	CHECK_EQ(swsev_chain_verify_ex(&ch, &ch.ark, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_SELF);
	CHECK(!strcmp(swsev_link_name(swsev_chain_first_failure(&res)), "ARK -> ARK"));
	b[len - 10] ^= 1;
	/* ARK modulus byte (signed body): ARK -> ASK fails in both modes */
	b[len - 1600 + 600] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_ASK);
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 0);
	CHECK_EQ(res.trust, SWSEV_E_UNTRUSTED);
	CHECK_EQ(swsev_chain_verify(&ch, &ch.ark, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_ASK);
	CHECK(swsev_chain_verify_ex(&ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res) != SWSEV_OK);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_SELF);
	CHECK_EQ(res.link[SWSEV_LINK_ARK_ASK], SWSEV_E_BADSIG);
	b[len - 1600 + 600] ^= 1;
	/* ARK certifying_id (a non-signature check): ARK -> ARK fails in both modes */
	b[len - 1600 + 0x14] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify(&ch, &ch.ark, &res), SWSEV_E_NOSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_SELF);
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 1);
	CHECK(strstr(res.msg[SWSEV_LINK_ARK_SELF], "not self-certified") != NULL);
	b[len - 1600 + 0x14] ^= 1;

	/* OCA signature value (slot 0, r): default valid, the link not checked */
	b[2 * L + SWSEV_CERT_BODY_LEN + 8 + 3] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_SELF], SWSEV_OK);
	CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 0);
	CHECK(strncmp(res.msg[SWSEV_LINK_OCA_SELF], NOT_CHECKED, strlen(NOT_CHECKED)) == 0);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_PEK], SWSEV_OK);
	/* strict: fails naming OCA -> OCA */
	CHECK_EQ(swsev_chain_verify_ex(&ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_SELF);
	CHECK(!strcmp(swsev_link_name(swsev_chain_first_failure(&res)), "OCA -> OCA"));
	CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 1);
	CHECK(!strcmp(res.msg[SWSEV_LINK_OCA_SELF], "signature does not verify"));
	for (int l = 0; l < SWSEV_LINK_COUNT; l++)
		if (l != SWSEV_LINK_OCA_SELF)
			CHECK_EQ(res.link[l], SWSEV_OK);
	b[2 * L + SWSEV_CERT_BODY_LEN + 8 + 3] ^= 1;
	/* OCA api_minor (signed body, key unchanged): only the self-signature
	 * covers it, so the default validation accepts it */
	b[2 * L + 5] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_OK);
	CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 0);
	CHECK_EQ(swsev_chain_verify_ex(&ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_SELF);
	b[2 * L + 5] ^= 1;
	/* OCA usage (a role check, not a signature): refused in both modes */
	CHECK_EQ(swsev_chain_parse_bundle(b, len, &ch), SWSEV_OK);
	ch.oca.pub_key_usage = SWSEV_USAGE_PEK;
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_E_USAGE);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_SELF);
	CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 1);
	CHECK(strstr(res.msg[SWSEV_LINK_OCA_SELF], "expected OCA") != NULL);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_PEK], SWSEV_E_USAGE);
	CHECK_EQ(swsev_chain_verify_ex(&ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_E_USAGE);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_SELF);
	free(b);
}

/*
 * Every byte of the OCA, flipped one at a time (Milan): by default only the
 * bytes the OCA's self-signature alone covers may pass (api_major and
 * api_minor, its signature slots); every other byte of its signed body
 * still fails. Each byte that passes by default fails the strict
 * validation, on OCA -> OCA.
 */
TEST(oca_flips_default_and_strict)
{
	size_t len = 0;
	uint8_t *b = real_bundle("milan", &len);
	const size_t off = 2 * L, slot0 = SWSEV_CERT_BODY_LEN, slot1 = slot0 + 8 + 512;
	struct swsev_chain *ch = malloc(sizeof(*ch));
	struct swsev_chain_result res;
	int passed = 0, body_passed = 0, sig_value_passed = 0;

	if (b == NULL || ch == NULL)
		goto out;
	for (size_t i = 0; i < L; i++) {
		int ok;

		b[off + i] ^= 0x01;
		ok = swsev_chain_parse_bundle(b, len, ch) == SWSEV_OK &&
		     swsev_chain_verify(ch, NULL, &res) == SWSEV_OK;
		if (ok) {
			passed++;
			CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 0);
			if (i < slot0) {
				body_passed++;
				if (i != 4 && i != 5)
					fprintf(stderr, "  OCA body byte %zu: default valid\n", i);
				CHECK(i == 4 || i == 5);
			} else {
				CHECK(i < slot1 + 8); /* slot 0, or slot 1's usage/algo */
			}
			/* r and s of the self-signature: 2 x 72 bytes */
			if (i >= slot0 + 8 && i < slot0 + 8 + 144)
				sig_value_passed++;
			CHECK(swsev_chain_verify_ex(ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res) !=
			      SWSEV_OK);
			CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_SELF);
			CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 1);
		}
		b[off + i] ^= 0x01;
	}
	CHECK_EQ(body_passed, 2);
	CHECK_EQ(sig_value_passed, 144);
	CHECK(passed > 144 && passed < 600);
	/* untouched: valid in both modes */
	CHECK_EQ(swsev_chain_parse_bundle(b, len, ch), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify(ch, NULL, &res), SWSEV_OK);
	CHECK_EQ(swsev_chain_verify_ex(ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_OK);
out:
	free(ch);
	free(b);
}

TEST(chain_foreign_root_and_swaps_refused)
{
	size_t len = 0, ln = 0, lm = 0;
	uint8_t *rome = real_bundle("rome", &len);
	uint8_t *nap = real_bundle("naples", &ln);
	uint8_t *mil = real_bundle("milan", &lm);
	uint8_t *mix = malloc(4 * L + 3200);
	struct swsev_amd_cert mark = { 0 };
	struct swsev_chain_result res = { 0 };

	if (!rome || !nap || !mil || !mix)
		goto out;
	CHECK_EQ(load_builtin(2, "ark", &mark), 0);
	/* foreign ARK: Rome chain, Milan root trusted */
	CHECK(!chain_ok(rome, len, &mark, &res));
	CHECK_EQ(res.trust, SWSEV_E_UNTRUSTED);
	CHECK(!chain_ok(rome, 4 * L, &mark, &res)); /* ARK from --ca: ASK not under it */
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_ASK);

	/* Rome SEV certs with Naples ASK||ARK */
	memcpy(mix, rome, 4 * L);
	memcpy(mix + 4 * L, nap + 4 * L, 1664);
	CHECK(!chain_ok(mix, 4 * L + 1664, NULL, &res));
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ASK_CEK);
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_E_NOSIG);
	/* Rome SEV certs with Milan ASK||ARK (same algorithms, other keys) */
	memcpy(mix + 4 * L, mil + 4 * L, 3200);
	CHECK(!chain_ok(mix, 4 * L + 3200, NULL, &res));
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_E_BADSIG);
	/* Rome ASK with Milan ARK */
	memcpy(mix + 4 * L, rome + 4 * L, 1600);
	memcpy(mix + 4 * L + 1600, mil + 4 * L + 1600, 1600);
	CHECK(!chain_ok(mix, 4 * L + 3200, NULL, &res));
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_ASK);
	/* Milan PEK in the Rome chain */
	memcpy(mix, rome, len);
	memcpy(mix + L, mil + L, L);
	CHECK(!chain_ok(mix, len, NULL, &res));
	CHECK_EQ(res.link[SWSEV_LINK_OCA_PEK], SWSEV_E_BADSIG);
	CHECK_EQ(res.link[SWSEV_LINK_CEK_PEK], SWSEV_E_BADSIG);
	CHECK_EQ(res.link[SWSEV_LINK_PEK_PDH], SWSEV_E_BADSIG);
	/* Naples CEK in the Rome chain */
	memcpy(mix, rome, len);
	memcpy(mix + 3 * L, nap + 3 * L, L);
	CHECK(!chain_ok(mix, len, NULL, &res));
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_E_NOSIG);
	CHECK_EQ(res.link[SWSEV_LINK_CEK_PEK], SWSEV_E_BADSIG);
	/* Naples OCA in the Rome chain */
	memcpy(mix, rome, len);
	memcpy(mix + 2 * L, nap + 2 * L, L);
	CHECK(!chain_ok(mix, len, NULL, &res));
	CHECK_EQ(res.link[SWSEV_LINK_OCA_SELF], SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_PEK], SWSEV_E_BADSIG);
	/* roles: the OCA in the PDH's place */
	{
		struct swsev_chain ch = { 0 };
		char eb[256];

		memcpy(mix, rome, len);
		memcpy(mix, rome + 2 * L, L);
		CHECK_EQ(swsev_chain_parse_bundle_msg(mix, len, &ch, eb, sizeof(eb)),
			 SWSEV_E_USAGE);
		CHECK(strstr(eb, "usage OCA (0x1001), expected PDH (0x1003)") != NULL);
		/* ARK and ASK swapped */
		memcpy(mix, rome, 4 * L);
		memcpy(mix + 4 * L, rome + 4 * L + 1600, 1600);
		memcpy(mix + 4 * L + 1600, rome + 4 * L, 1600);
		CHECK_EQ(swsev_chain_parse_bundle_msg(mix, len, &ch, eb, sizeof(eb)),
			 SWSEV_E_USAGE);
		CHECK(strstr(eb, "expected ASK") != NULL);
	}
out:
	free(rome);
	free(nap);
	free(mil);
	free(mix);
}

TEST(chain_unsigned_naples_ark)
{
	size_t len = 0, nb = 0;
	uint8_t *b = real_bundle("naples", &len);
	uint8_t *bad = load(VEC "tests/naples/ark.cert.bad", &nb);
	struct swsev_chain ch = { 0 };
	struct swsev_chain_result res = { 0 };
	struct swsev_amd_cert full = { 0 };

	if (!b || !bad)
		goto out;
	/* ASK||ARK as AMD's first download: the 576-byte ARK */
	memcpy(b + 4 * L + 832, bad, nb);
	CHECK_EQ(swsev_chain_parse_bundle(b, 4 * L + 832 + 576, &ch), SWSEV_OK);
	CHECK(ch.ark.sig == NULL);
	/* both modes: reported unsigned, and the built-in copy's self-signature
	 * covers its bytes (default: from the per-process verdict) */
	for (int strict = 0; strict < 2; strict++) {
		CHECK_EQ(swsev_chain_verify_ex(&ch, NULL, strict ? SWSEV_CHAIN_SELF_SIGS : 0, &res),
			 SWSEV_OK);
		CHECK_EQ(res.ark_unsigned, 1);
		CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 1);
		CHECK(strstr(res.msg[SWSEV_LINK_ARK_SELF],
			     "unsigned: the Naples ARK as first distributed") != NULL);
		CHECK(strstr(res.msg[SWSEV_LINK_ARK_SELF],
			     "built-in naples ARK's self-signature") != NULL);
		CHECK(res.root_gen != NULL && !strcmp(res.root_gen, "naples"));
		/* trusting that very unsigned ARK: the built-in copy's signature still covers it */
		CHECK_EQ(swsev_chain_verify_ex(&ch, &ch.ark, strict ? SWSEV_CHAIN_SELF_SIGS : 0,
					       &res),
			 SWSEV_OK);
	}
	/* a modified unsigned ARK (exponent field) is not the built-in one */
	memcpy(b + 4 * L + 832, bad, nb);
	b[4 * L + 832 + 200] ^= 1;
	CHECK_EQ(swsev_chain_parse_bundle(b, 4 * L + 832 + 576, &ch), SWSEV_OK);
	/* default: self-signature not checked, still reported unsigned; its
	 * changed exponent no longer verifies the ASK, and it is not trusted
	 * (other bytes than the built-in root) */
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_ASK);
	CHECK_EQ(res.trust, SWSEV_E_UNTRUSTED);
	CHECK_EQ(res.ark_unsigned, 1);
	CHECK_EQ(res.link[SWSEV_LINK_ARK_SELF], SWSEV_OK);
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 0);
	CHECK(strstr(res.msg[SWSEV_LINK_ARK_SELF], "not checked (unsigned") != NULL);
	/* strict: ARK -> ARK fails, unsigned */
	CHECK(swsev_chain_verify_ex(&ch, NULL, SWSEV_CHAIN_SELF_SIGS, &res) != SWSEV_OK);
	CHECK_EQ(res.ark_unsigned, 1);
	CHECK_EQ(res.link[SWSEV_LINK_ARK_SELF], SWSEV_E_UNSIGNED);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_SELF);
	CHECK_EQ(load_builtin(0, "ark", &full), 0);
	CHECK(swsev_chain_verify(&ch, &full, &res) != SWSEV_OK);
	/* trusting the modified ARK itself: its key no longer signs the ASK */
	CHECK(swsev_chain_verify(&ch, &ch.ark, &res) != SWSEV_OK);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_ARK_ASK);
out:
	free(b);
	free(bad);
}

/* ---- building, signing, the firmware rule ---- */

static void put_ecdsa_slot(struct swsev_cert *c, int slot, uint32_t usage, uint32_t algo,
			   const swsev_ec_key *k, swsev_hash h)
{
	uint8_t r[48], s[48];

	CHECK_EQ(swsev_ecdsa_sign(k, h, c->raw, SWSEV_CERT_BODY_LEN, r, s), SWSEV_OK);
	c->sig[slot].usage = usage;
	c->sig[slot].algo = algo;
	memset(c->sig[slot].sig, 0, 512);
	swsev_reverse(c->sig[slot].sig, r, 48);
	swsev_reverse(c->sig[slot].sig + 72, s, 48);
	CHECK_EQ(swsev_cert_encode(c, NULL), SWSEV_OK);
}

TEST(init_sign_verify_ec)
{
	swsev_ec_key *oca_k = NULL, *cek_k = NULL, *pek_k = NULL, *pdh_k = NULL, *k2 = NULL;
	struct swsev_cert oca = { 0 };
	struct swsev_cert cek = { 0 };
	struct swsev_cert pek = { 0 };
	struct swsev_cert pdh = { 0 };
	struct swsev_cert back = { 0 };
	uint8_t x[48], y[48];

	CHECK_EQ(swsev_ec_generate(&oca_k), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&cek_k), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&pek_k), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&pdh_k), SWSEV_OK);
	if (!oca_k || !cek_k || !pek_k || !pdh_k)
		goto out;
	CHECK_EQ(swsev_cert_init_ec(&oca, 0, 22, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_init_ec(&cek, 0, 22, SWSEV_USAGE_CEK, SWSEV_ALGO_ECDSA_SHA256, cek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_init_ec(&pek, 0, 22, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_init_ec(&pdh, 0, 22, SWSEV_USAGE_PDH, SWSEV_ALGO_ECDH_SHA256, pdh_k),
		 SWSEV_OK);
	/* layout: coordinates little-endian in 72-byte fields */
	CHECK_EQ(swsev_ec_get_public(pdh_k, x, y), SWSEV_OK);
	CHECK_EQ(swsev_le32(pdh.raw), 1);
	CHECK_EQ(pdh.raw[4], 0);
	CHECK_EQ(pdh.raw[5], 22);
	CHECK_EQ(swsev_le32(pdh.raw + 8), 0x1003);
	CHECK_EQ(swsev_le32(pdh.raw + 12), 0x3);
	CHECK_EQ(swsev_le32(pdh.raw + 0x10), 2);
	CHECK_EQ(pdh.raw[0x14], x[47]);
	CHECK_EQ(pdh.raw[0x14 + 47], x[0]);
	CHECK_EQ(pdh.raw[0x5c], y[47]);
	CHECK_EQ(swsev_le32(pdh.raw + 0x414), 0x1000);
	CHECK_EQ(swsev_le32(pdh.raw + 0x418), 0);
	CHECK_EQ(swsev_le32(pdh.raw + 0x61c), 0x1000);
	CHECK_EQ(swsev_cert_parse(pdh.raw, L, &back), SWSEV_OK);
	CHECK_EQ(swsev_cert_ec_key(&back, &k2), SWSEV_OK);
	swsev_ec_free(k2);
	k2 = NULL;
	/* refused builds */
	CHECK_EQ(swsev_cert_init_ec(&back, 0, 0, SWSEV_USAGE_ASK, SWSEV_ALGO_ECDSA_SHA256, pdh_k),
		 SWSEV_E_USAGE);
	CHECK_EQ(swsev_cert_init_ec(&back, 0, 0, SWSEV_USAGE_PDH, SWSEV_ALGO_RSA_SHA256, pdh_k),
		 SWSEV_E_ALGO);

	CHECK_EQ(swsev_cert_sign_ec(&oca, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca_k),
		 SWSEV_OK);
	/* the PEK the way real firmware signs it: slot 1 OCA, slot 2 CEK */
	CHECK_EQ(swsev_cert_sign_ec(&pek, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&pek, 1, SWSEV_USAGE_CEK, SWSEV_ALGO_ECDSA_SHA256, cek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&pdh, 0, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&pdh, 0, SWSEV_USAGE_PDH, SWSEV_ALGO_ECDH_SHA256, pek_k),
		 SWSEV_E_ALGO);
	CHECK_EQ(swsev_cert_verify(&oca, &oca), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&pek, &oca), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&pek, &cek), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&pdh, &pek), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&pdh, &oca), SWSEV_E_NOSIG);
	/* the encoded bytes parse and still verify */
	CHECK_EQ(swsev_cert_parse(pek.raw, L, &back), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&back, &cek), SWSEV_OK);
	/* slots found by usage, not position: swap them */
	{
		struct swsev_cert_sig t = pek.sig[0];

		pek.sig[0] = pek.sig[1];
		pek.sig[1] = t;
		CHECK_EQ(swsev_cert_encode(&pek, NULL), SWSEV_OK);
		CHECK_EQ(swsev_cert_verify(&pek, &oca), SWSEV_OK);
		CHECK_EQ(swsev_cert_verify(&pek, &cek), SWSEV_OK);
		CHECK_EQ(swsev_cert_validate_fw(&pek, &oca), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&pek, &cek), SEV_STATUS_SUCCESS);
	}
	/* clearing a slot */
	swsev_cert_clear_sig(&pek, 0);
	CHECK_EQ(swsev_le32(pek.raw + 0x414), 0x1000);
	CHECK_EQ(swsev_cert_verify(&pek, &cek), SWSEV_E_NOSIG);
	CHECK_EQ(swsev_cert_verify(&pek, &oca), SWSEV_OK);

	/* the hash is the one the signer's algo names: SHA-384 for 0x102 */
	{
		struct swsev_cert oca384 = oca, child = pdh;

		oca384.pub_key_algo = SWSEV_ALGO_ECDSA_SHA384;
		CHECK_EQ(swsev_cert_encode(&oca384, NULL), SWSEV_OK);
		CHECK_EQ(swsev_cert_sign_ec(&child, 1, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA384,
					    oca_k),
			 SWSEV_OK);
		CHECK_EQ(swsev_cert_verify(&child, &oca384), SWSEV_OK);
		/* a SHA-256 signature labelled 0x102 does not verify */
		put_ecdsa_slot(&child, 1, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA384, oca_k,
			       SWSEV_HASH_SHA256);
		CHECK_EQ(swsev_cert_verify(&child, &oca384), SWSEV_E_BADSIG);
		put_ecdsa_slot(&child, 1, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA384, oca_k,
			       SWSEV_HASH_SHA384);
		CHECK_EQ(swsev_cert_verify(&child, &oca384), SWSEV_OK);
	}
out:
	swsev_ec_free(oca_k);
	swsev_ec_free(cek_k);
	swsev_ec_free(pek_k);
	swsev_ec_free(pdh_k);
}

TEST(validate_fw_rule)
{
	swsev_ec_key *pek_k = NULL, *pdh_k = NULL, *oca_k = NULL;
	struct swsev_cert pek = { 0 };
	struct swsev_cert pdh = { 0 };
	struct swsev_cert oca = { 0 };
	struct swsev_cert c = { 0 };

	CHECK_EQ(swsev_ec_generate(&pek_k), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&pdh_k), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&oca_k), SWSEV_OK);
	if (!pek_k || !pdh_k || !oca_k)
		goto out;
	CHECK_EQ(swsev_cert_init_ec(&pek, 0, 22, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_init_ec(&oca, 0, 22, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_init_ec(&pdh, 0, 22, SWSEV_USAGE_PDH, SWSEV_ALGO_ECDH_SHA256, pdh_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&pdh, 0, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw(&pdh, &pek), SEV_STATUS_SUCCESS);

	/* 2: a malformed slot (usage set, algo 0) is BAD_SIGNATURE even after a good one */
	c = pdh;
	c.sig[1].usage = SWSEV_USAGE_OCA;
	c.sig[1].algo = 0;
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_BAD_SIGNATURE);
	CHECK_EQ(swsev_cert_verify(&c, &pek), SWSEV_E_FORMAT);
	c = pdh;
	c.sig[1].usage = SWSEV_USAGE_INVALID;
	c.sig[1].algo = SWSEV_ALGO_ECDSA_SHA256;
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_BAD_SIGNATURE);
	/* malformed slot 1 with no matching slot: still BAD_SIGNATURE (stop) */
	c = pdh;
	swsev_cert_clear_sig(&c, 0);
	c.sig[0].usage = SWSEV_USAGE_PEK;
	CHECK_EQ(swsev_cert_validate_fw(&c, &oca), SEV_STATUS_BAD_SIGNATURE);
	/* 3: no slot names the signer */
	CHECK_EQ(swsev_cert_validate_fw(&pdh, &oca), SEV_STATUS_INVALID_CERTIFICATE);
	/* 3: two matching slots, the last decides */
	c = pdh;
	c.sig[1] = c.sig[0];
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_SUCCESS);
	c.sig[1].sig[3] ^= 1; /* good, then bad */
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_BAD_SIGNATURE);
	CHECK_EQ(swsev_cert_verify(&c, &pek), SWSEV_E_BADSIG);
	c.sig[1] = pdh.sig[0];
	c.sig[0].sig[3] ^= 1; /* bad, then good */
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_cert_verify(&c, &pek), SWSEV_E_BADSIG); /* the owner's rule is stricter */
	/* ECDSA slot with non-zero padding */
	c = pdh;
	c.sig[0].sig[300] = 1;
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_BAD_SIGNATURE);
	CHECK_EQ(swsev_cert_verify(&c, &pek), SWSEV_E_FORMAT);
	/* 4: body: version and key */
	c = pdh;
	c.version = 2;
	CHECK_EQ(swsev_cert_encode(&c, NULL), SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&c, 0, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&c, &pek), SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_INVALID_CERTIFICATE);
	c = pdh;
	c.pub_key[4] ^= 1; /* point off the curve */
	CHECK_EQ(swsev_cert_encode(&c, NULL), SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&c, 0, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_INVALID_CERTIFICATE);
	/* 5: role: a PDH signed by an OCA verifies but is not a valid firmware cert */
	c = pdh;
	CHECK_EQ(swsev_cert_sign_ec(&c, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&c, &oca), SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw(&c, &oca), SEV_STATUS_INVALID_CERTIFICATE);
	/* an OCA signed by a PEK: role mismatch */
	c = oca;
	CHECK_EQ(swsev_cert_sign_ec(&c, 0, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek_k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw(&c, &pek), SEV_STATUS_INVALID_CERTIFICATE);
	/* 1: the signer key must be valid */
	c = pek;
	c.pub_key[0x20] ^= 1;
	CHECK_EQ(swsev_cert_encode(&c, NULL), SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw(&pdh, &c), SEV_STATUS_INVALID_CERTIFICATE);
	CHECK_EQ(swsev_cert_verify(&pdh, &c), SWSEV_E_BADKEY);
out:
	swsev_ec_free(pek_k);
	swsev_ec_free(pdh_k);
	swsev_ec_free(oca_k);
}

/* Emulated roots of one key size, a CEK signed by the ASK, the rest of a chain. */
struct emu {
	swsev_rsa_key *ark_k, *ask_k;
	struct swsev_amd_cert ark;
	struct swsev_amd_cert ask;
	swsev_ec_key *cek_k, *oca_k, *pek_k, *pdh_k;
	struct swsev_cert cek;
	struct swsev_cert oca;
	struct swsev_cert pek;
	struct swsev_cert pdh;
};

static void emu_free(struct emu *e)
{
	swsev_rsa_free(e->ark_k);
	swsev_rsa_free(e->ask_k);
	swsev_ec_free(e->cek_k);
	swsev_ec_free(e->oca_k);
	swsev_ec_free(e->pek_k);
	swsev_ec_free(e->pdh_k);
}

static int emu_make(unsigned bits, struct emu *e)
{
	memset(e, 0, sizeof(*e));
	if (swsev_rsa_generate(bits, &e->ark_k) || swsev_rsa_generate(bits, &e->ask_k) ||
	    swsev_amd_cert_make(e->ark_k, SWSEV_USAGE_ARK, NULL, NULL, NULL, &e->ark) ||
	    swsev_amd_cert_make(e->ask_k, SWSEV_USAGE_ASK, NULL, e->ark.key_id, e->ark_k,
				&e->ask) ||
	    swsev_ec_generate(&e->cek_k) || swsev_ec_generate(&e->oca_k) ||
	    swsev_ec_generate(&e->pek_k) || swsev_ec_generate(&e->pdh_k) ||
	    swsev_cert_init_ec(&e->cek, 0, 14, SWSEV_USAGE_CEK, SWSEV_ALGO_ECDSA_SHA256,
			       e->cek_k) ||
	    swsev_cert_init_ec(&e->oca, 0, 22, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256,
			       e->oca_k) ||
	    swsev_cert_init_ec(&e->pek, 0, 22, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256,
			       e->pek_k) ||
	    swsev_cert_init_ec(&e->pdh, 0, 22, SWSEV_USAGE_PDH, SWSEV_ALGO_ECDH_SHA256, e->pdh_k) ||
	    swsev_cert_sign_rsa(&e->cek, 0, swsev_amd_cert_algo(&e->ask), e->ask_k) ||
	    swsev_cert_sign_ec(&e->oca, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, e->oca_k) ||
	    swsev_cert_sign_ec(&e->pek, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, e->oca_k) ||
	    swsev_cert_sign_ec(&e->pek, 1, SWSEV_USAGE_CEK, SWSEV_ALGO_ECDSA_SHA256, e->cek_k) ||
	    swsev_cert_sign_ec(&e->pdh, 0, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, e->pek_k))
		return -1;
	return 0;
}

static int write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* Runs "$BUILD/swsev verify ARGS" (ARGS split at spaces; no shell). */
static int run_cli(const char *args)
{
	char bin[512], buf[1024], asan[512], *argv[16], *save = NULL;
	const char *build = getenv("BUILD"), *old = getenv("ASAN_OPTIONS");
	int n = 0, st = 0;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/swsev", build ? build : "build");
	snprintf(buf, sizeof(buf), "%s", args);
	argv[n++] = bin;
	argv[n++] = (char *)"verify";
	for (char *t = strtok_r(buf, " ", &save); t != NULL && n < 15;
	     t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	/* a sanitizer report must not pass for the refusal exit code 1 */
	snprintf(asan, sizeof(asan), "exitcode=86%s%s", old ? ":" : "", old ? old : "");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("ASAN_OPTIONS", asan, 1);
		execv(bin, argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void emulated_roots(unsigned bits)
{
	struct emu e = { 0 };
	struct emu other = { 0 };
	struct swsev_chain ch = { 0 };
	struct swsev_chain_result res = { 0 };
	char *dir = NULL, args[1024];
	size_t used = 0;
	struct swsev_amd_cert back = { 0 };
	uint8_t flip[L];

	if (emu_make(bits, &e) != 0) {
		CHECK(!"emulated root build failed");
		goto out;
	}
	/* AMD format exactly */
	CHECK_EQ(e.ark.len, bits == 2048 ? 832 : 1600);
	CHECK_EQ(e.ask.len, bits == 2048 ? 832 : 1600);
	CHECK_EQ(e.ark.pub_exp_bits, bits);
	CHECK_EQ(e.ark.modulus_bits, bits);
	CHECK_MEM(e.ark.certifying_id, e.ark.key_id, 16);
	CHECK_MEM(e.ask.certifying_id, e.ark.key_id, 16);
	CHECK(memcmp(e.ask.key_id, e.ark.key_id, 16) != 0);
	CHECK_EQ(swsev_amd_cert_parse(e.ask.raw, e.ask.len, 0, &back, &used), SWSEV_OK);
	CHECK_EQ(used, e.ask.len);
	CHECK_EQ(swsev_amd_cert_verify(&e.ark, &e.ark), SWSEV_OK);
	CHECK_EQ(swsev_amd_cert_verify(&e.ask, &e.ark), SWSEV_OK);
	CHECK_EQ(swsev_amd_cert_verify(&e.ark, &e.ask), SWSEV_E_BADSIG);
	/* the CEK's ASK slot: (ASK, RSA_SHA256/384), signature little-endian, zero-padded */
	CHECK_EQ(e.cek.sig[0].usage, SWSEV_USAGE_ASK);
	CHECK_EQ(e.cek.sig[0].algo, bits == 2048 ? SWSEV_ALGO_RSA_SHA256 : SWSEV_ALGO_RSA_SHA384);
	for (size_t i = bits / 8; i < 512; i++)
		if (e.cek.sig[0].sig[i] != 0) {
			CHECK(!"RSA slot padding not zero");
			break;
		}
	CHECK_EQ(swsev_cert_verify_amd(&e.cek, &e.ask), SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw_amd(&e.cek, &e.ask), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_cert_verify_amd(&e.cek, &e.ark), SWSEV_E_NOSIG);

	/* the chain trusts this root only when told to */
	memset(&ch, 0, sizeof(ch));
	ch.cek = e.cek;
	ch.oca = e.oca;
	ch.pek = e.pek;
	ch.pdh = e.pdh;
	swsev_amd_cert_copy(&ch.ask, &e.ask);
	swsev_amd_cert_copy(&ch.ark, &e.ark);
	ch.have_ask = ch.have_ark = ch.have_amd = 1;
	CHECK_EQ(swsev_chain_verify(&ch, &e.ark, &res), SWSEV_OK);
	CHECK(res.root_gen == NULL);
	/* not a built-in ARK: its self-signature is checked only on request */
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 0);
	CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 0);
	CHECK_EQ(swsev_chain_verify_ex(&ch, &e.ark, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_OK);
	CHECK_EQ(res.checked[SWSEV_LINK_ARK_SELF], 1);
	CHECK_EQ(res.checked[SWSEV_LINK_OCA_SELF], 1);
	CHECK_EQ(swsev_chain_verify(&ch, NULL, &res), SWSEV_E_UNTRUSTED);
	CHECK(strstr(res.trust_msg, "not a built-in AMD root") != NULL);
	for (int l = 0; l < SWSEV_LINK_COUNT; l++)
		CHECK_EQ(res.link[l], SWSEV_OK);

	/* through the real CLI: a directory, --ca with the ARK file */
	dir = th_tmpdir();
	if (dir == NULL)
		goto out;
	CHECK_EQ(write_file(dir, "cek.cert", e.cek.raw, L), 0);
	CHECK_EQ(write_file(dir, "oca.cert", e.oca.raw, L), 0);
	CHECK_EQ(write_file(dir, "pek.cert", e.pek.raw, L), 0);
	CHECK_EQ(write_file(dir, "pdh.cert", e.pdh.raw, L), 0);
	CHECK_EQ(write_file(dir, "ask.cert", e.ask.raw, e.ask.len), 0);
	CHECK_EQ(write_file(dir, "ark.cert", e.ark.raw, e.ark.len), 0);
	snprintf(args, sizeof(args), "--ca %s/ark.cert %s", dir, dir);
	CHECK_EQ(run_cli(args), 0);
	snprintf(args, sizeof(args), "--ca %s %s", dir, dir);
	CHECK_EQ(run_cli(args), 0);
	/* without --ca the emulated root is not trusted */
	snprintf(args, sizeof(args), "%s", dir);
	CHECK_EQ(run_cli(args), 1);
	/* a real AMD root as --ca: refused */
	snprintf(args, sizeof(args), "--ca %s %s", th_fixture(VEC "builtin/milan/ark.cert"), dir);
	CHECK_EQ(run_cli(args), 1);
	/* another emulated root as --ca: refused */
	if (bits != 2048) {
		memset(&other, 0, sizeof(other));
	} else if (emu_make(bits, &other) == 0) {
		CHECK_EQ(write_file(dir, "other_ark.cert", other.ark.raw, other.ark.len), 0);
		snprintf(args, sizeof(args), "--ca %s/other_ark.cert %s", dir, dir);
		CHECK_EQ(run_cli(args), 1);
	} else {
		CHECK(!"second emulated root");
	}
	emu_free(&other);
	/* a flipped byte in the CEK body */
	memcpy(flip, e.cek.raw, L);
	flip[0x30] ^= 0x40;
	CHECK_EQ(write_file(dir, "cek.cert", flip, L), 0);
	snprintf(args, sizeof(args), "--ca %s/ark.cert %s", dir, dir);
	CHECK_EQ(run_cli(args), 1);
	/* as a bundle file with the ASK||ARK: PDH||PEK||OCA||CEK||ASK||ARK */
	{
		uint8_t *bun = malloc(4 * L + 2 * SWSEV_AMD_CERT_MAX);
		size_t off = 0;
		char bp[600];

		memcpy(bun + off, e.pdh.raw, L);
		off += L;
		memcpy(bun + off, e.pek.raw, L);
		off += L;
		memcpy(bun + off, e.oca.raw, L);
		off += L;
		memcpy(bun + off, e.cek.raw, L);
		off += L;
		memcpy(bun + off, e.ask.raw, e.ask.len);
		off += e.ask.len;
		memcpy(bun + off, e.ark.raw, e.ark.len);
		off += e.ark.len;
		CHECK_EQ(write_file(dir, "bundle.cert", bun, off), 0);
		snprintf(bp, sizeof(bp), "--ca %s/ark.cert %s/bundle.cert", dir, dir);
		CHECK_EQ(run_cli(bp), 0);
		/* the SEV part alone plus --ca ASK||ARK */
		CHECK_EQ(write_file(dir, "sev4.cert", bun, 4 * L), 0);
		CHECK_EQ(write_file(dir, "ask_ark.bin", bun + 4 * L, off - 4 * L), 0);
		snprintf(bp, sizeof(bp), "--ca %s/ask_ark.bin %s/sev4.cert", dir, dir);
		CHECK_EQ(run_cli(bp), 0);
		snprintf(bp, sizeof(bp), "--ca %s/ark.cert %s/sev4.cert", dir, dir);
		CHECK_EQ(run_cli(bp), 1); /* no ASK anywhere */
		free(bun);
	}
out:
	emu_free(&e);
	if (dir) {
		th_rmrf(dir);
		free(dir);
	}
}

TEST(emulated_roots_2048)
{
	emulated_roots(2048);
}

TEST(emulated_roots_4096)
{
	emulated_roots(4096);
}

TEST(amd_cert_make_refuses)
{
	swsev_rsa_key *k2 = NULL, *k3 = NULL;
	struct swsev_amd_cert c = { 0 };
	uint8_t id[16] = { 1, 2, 3 };

	CHECK_EQ(swsev_rsa_generate(2048, &k2), SWSEV_OK);
	CHECK_EQ(swsev_rsa_generate(3072, &k3), SWSEV_OK);
	if (!k2 || !k3)
		goto out;
	CHECK_EQ(swsev_amd_cert_make(k3, SWSEV_USAGE_ARK, NULL, NULL, NULL, &c), SWSEV_E_LENGTH);
	CHECK_EQ(swsev_amd_cert_make(k2, SWSEV_USAGE_ASK, NULL, NULL, k3, &c), SWSEV_E_LENGTH);
	CHECK_EQ(swsev_amd_cert_make(k2, SWSEV_USAGE_PEK, NULL, NULL, NULL, &c), SWSEV_E_USAGE);
	CHECK_EQ(swsev_amd_cert_make(k2, SWSEV_USAGE_ARK, id, NULL, NULL, &c), SWSEV_OK);
	CHECK_MEM(c.key_id, id, 16);
	CHECK_MEM(c.certifying_id, id, 16);
	CHECK_EQ(swsev_amd_cert_verify(&c, &c), SWSEV_OK);
out:
	swsev_rsa_free(k2);
	swsev_rsa_free(k3);
}

TEST(sev_cert_with_rsa_key)
{
	/* An RSA key in a SEV cert: u32 modulus bits, exponent and modulus
	 * little-endian in 512-byte fields (certificates.md §2.1). */
	swsev_rsa_key *k = NULL, *back = NULL;
	swsev_ec_key *ek = NULL;
	struct swsev_cert rc = { 0 };
	struct swsev_cert child = { 0 };
	uint8_t n[256], e[4], n2[256], e2[4], sig[256];

	CHECK_EQ(swsev_rsa_generate(2048, &k), SWSEV_OK);
	CHECK_EQ(swsev_ec_generate(&ek), SWSEV_OK);
	if (!k || !ek)
		goto out;
	CHECK_EQ(swsev_rsa_get_public(k, n, sizeof(n), e, sizeof(e)), SWSEV_OK);
	memset(&rc, 0, sizeof(rc));
	rc.version = 1;
	rc.pub_key_usage = SWSEV_USAGE_OCA;
	rc.pub_key_algo = SWSEV_ALGO_RSA_SHA256;
	swsev_wle32(rc.pub_key, 2048);
	swsev_reverse(rc.pub_key + 4, e, 4);
	swsev_reverse(rc.pub_key + 4 + 512, n, 256);
	swsev_cert_clear_sig(&rc, 0);
	swsev_cert_clear_sig(&rc, 1);
	CHECK_EQ(swsev_cert_encode(&rc, NULL), SWSEV_OK);
	CHECK_EQ(swsev_cert_parse(rc.raw, L, &child), SWSEV_OK);
	CHECK_EQ(swsev_cert_rsa_key(&child, &back), SWSEV_OK);
	if (back) {
		CHECK_EQ(swsev_rsa_bits(back), 2048);
		CHECK_EQ(swsev_rsa_get_public(back, n2, sizeof(n2), e2, sizeof(e2)), SWSEV_OK);
		CHECK_MEM(n2, n, 256);
		CHECK_MEM(e2, e, 4);
	}
	{
		swsev_ec_key *none = NULL;

		CHECK_EQ(swsev_cert_ec_key(&child, &none), SWSEV_E_ALGO);
		CHECK(none == NULL);
	}
	/* a PEK signed by this RSA OCA: slot (OCA, RSA_SHA256), RSA-PSS SHA-256 */
	CHECK_EQ(swsev_cert_init_ec(&child, 0, 22, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, ek),
		 SWSEV_OK);
	CHECK_EQ(swsev_rsa_pss_sign(k, SWSEV_HASH_SHA256, child.raw, SWSEV_CERT_BODY_LEN, sig,
				    sizeof(sig)),
		 SWSEV_OK);
	child.sig[0].usage = SWSEV_USAGE_OCA;
	child.sig[0].algo = SWSEV_ALGO_RSA_SHA256;
	swsev_reverse(child.sig[0].sig, sig, 256);
	CHECK_EQ(swsev_cert_encode(&child, NULL), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&child, &rc), SWSEV_OK);
	CHECK_EQ(swsev_cert_validate_fw(&child, &rc), SEV_STATUS_SUCCESS);
	child.sig[0].sig[0] ^= 1;
	CHECK_EQ(swsev_cert_verify(&child, &rc), SWSEV_E_BADSIG);
	child.sig[0].sig[0] ^= 1;
	child.sig[0].sig[300] = 1; /* beyond the modulus size: must be zero */
	CHECK_EQ(swsev_cert_verify(&child, &rc), SWSEV_E_FORMAT);
	/* modulus bits larger than 4096 or zero are refused at parse */
	rc.raw[0x11] = 0x20; /* modulus_size 0x2000 = 8192 bits */
	CHECK_EQ(swsev_cert_parse(rc.raw, L, &child), SWSEV_E_FORMAT);
out:
	swsev_rsa_free(k);
	swsev_rsa_free(back);
	swsev_ec_free(ek);
}

TH_MAIN_BEGIN("test_certs")
RUN(amd_roots_all_generations);
RUN(builtin_roots_match_vectors);
RUN(naples_ark_first_distributed_unsigned);
RUN(amd_cert_parse_strict);
RUN(amd_ask_ark_bundle_split);
RUN(sev_cert_fields_of_real_certs);
RUN(sev_cert_parse_strict);
RUN(real_chains_links);
RUN(cross_generation_links_refused);
RUN(history_unsigned_cek);
RUN(real_chains_valid_and_bundle_forms);
RUN(real_chains_every_flipped_byte_fails);
RUN(chain_flip_names_the_link);
RUN(oca_flips_default_and_strict);
RUN(chain_foreign_root_and_swaps_refused);
RUN(chain_unsigned_naples_ark);
RUN(init_sign_verify_ec);
RUN(validate_fw_rule);
RUN(amd_cert_make_refuses);
RUN(sev_cert_with_rsa_key);
RUN(emulated_roots_2048);
RUN(emulated_roots_4096);
TH_MAIN_END
