/*
 * Sanity rows: the primitives through swsev's own crypto API, against the
 * same primitives in `openssl speed`. A ratio far below 1 here means the
 * wrapper (not the code built on it) loses time, and every figure bounded
 * by that primitive inherits the loss.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "swsev/crypto.h"

struct prim_arg {
	swsev_memc *memc;
	uint64_t addr;
	uint8_t key[32];
	uint8_t iv[16];
	uint8_t *in;
	uint8_t *outb;
	size_t len;
	swsev_ec_key *a;
	swsev_ec_key *b;
	uint8_t r[48];
	uint8_t s[48];
};

static int op_memc(void *p)
{
	struct prim_arg *a = p;

	a->addr = (a->addr + SWSEV_PAGE) & 0xffffff000ULL;
	return swsev_memc_encrypt_page(a->memc, a->addr, a->in, a->outb) != SWSEV_OK;
}

static int op_ctr(void *p)
{
	struct prim_arg *a = p;

	return swsev_aes128_ctr(a->key, a->iv, a->in, a->outb, a->len) != SWSEV_OK;
}

static int op_sha256(void *p)
{
	struct prim_arg *a = p;

	return swsev_sha256(a->in, a->len, a->outb) != SWSEV_OK;
}

static int op_hmac(void *p)
{
	struct prim_arg *a = p;

	return swsev_hmac_sha256(a->key, 32, a->in, a->len, a->outb) != SWSEV_OK;
}

static int op_ecdh(void *p)
{
	struct prim_arg *a = p;
	uint8_t z[48];

	return swsev_ecdh(a->a, a->b, z) != SWSEV_OK;
}

static int op_sign(void *p)
{
	struct prim_arg *a = p;

	return swsev_ecdsa_sign(a->a, SWSEV_HASH_SHA256, a->in, 64, a->r, a->s) != SWSEV_OK;
}

static int op_verify(void *p)
{
	struct prim_arg *a = p;

	return swsev_ecdsa_verify(a->a, SWSEV_HASH_SHA256, a->in, 64, a->r, a->s) != SWSEV_OK;
}

static void rate_row(const struct bench_opts *o, const char *id, const char *figure,
		     int (*op)(void *), struct prim_arg *a, double bytes_per_op, const char *prim,
		     const char *note)
{
	double r = bench_rate_cpu(o, op, a);
	struct bench_row row = {
		.id = id, .figure = figure, .prim = prim, .target = "-", .series = "-", .note = note
	};

	if (r < 0) {
		bench_fail(id, figure, "operation failed");
		return;
	}
	row.value = bytes_per_op > 0 ? r * bytes_per_op / 1e6 : r;
	row.unit = bytes_per_op > 0 ? "MB/s" : "op/s";
	bench_emit(&row);
}

void bench_primitives(const struct bench_opts *o)
{
	struct prim_arg a;
	const size_t big = 16384;

	memset(&a, 0, sizeof(a));
	a.in = calloc(1, big);
	a.outb = calloc(1, big);
	if (a.in == NULL || a.outb == NULL || swsev_random(a.key, sizeof(a.key)) != SWSEV_OK ||
	    swsev_random(a.in, big) != SWSEV_OK) {
		bench_fail("prim.setup", "primitives setup", "out of memory or no randomness");
		goto out;
	}
	a.key[16] = (uint8_t)~a.key[0]; /* XTS halves must differ */

	if (swsev_memc_new(SWSEV_MEMC_XTS, a.key, &a.memc) == SWSEV_OK) {
		rate_row(o, "prim.memc_xts.4k", "swsev_memc_encrypt_page XTS (4 KiB)", op_memc, &a,
			 SWSEV_PAGE, "aes-128-xts@4096", "");
		swsev_memc_free(a.memc);
		a.memc = NULL;
	} else {
		bench_fail("prim.memc_xts.4k", "swsev_memc_encrypt_page XTS (4 KiB)",
			   "memc_new failed");
	}
	if (swsev_memc_new(SWSEV_MEMC_XE, a.key, &a.memc) == SWSEV_OK) {
		rate_row(o, "prim.memc_xe.4k", "swsev_memc_encrypt_page XE (4 KiB)", op_memc, &a,
			 SWSEV_PAGE, "aes-128-ecb@4096",
			 "XE = two ECB passes per page: bound ~0.5");
		swsev_memc_free(a.memc);
		a.memc = NULL;
	} else {
		bench_fail("prim.memc_xe.4k", "swsev_memc_encrypt_page XE (4 KiB)",
			   "memc_new failed");
	}
	a.len = 4096;
	rate_row(o, "prim.aes_ctr.4k", "swsev_aes128_ctr (4 KiB)", op_ctr, &a, 4096,
		 "aes-128-ctr@4096", "one call per buffer (context set-up included)");
	a.len = big;
	rate_row(o, "prim.sha256.16k", "swsev_sha256 (16 KiB)", op_sha256, &a, (double)big,
		 "sha256@16384", "");
	rate_row(o, "prim.hmac.16k", "swsev_hmac_sha256 (16 KiB)", op_hmac, &a, (double)big,
		 "hmac-sha256@16384", "");
	if (swsev_ec_generate(&a.a) == SWSEV_OK && swsev_ec_generate(&a.b) == SWSEV_OK) {
		rate_row(o, "prim.ecdh", "swsev_ecdh P-384", op_ecdh, &a, 0, "ecdhp384", "");
		rate_row(o, "prim.ecdsa_sign", "swsev_ecdsa_sign P-384", op_sign, &a, 0,
			 "ecdsap384-sign", "");
		if (op_sign(&a) == 0)
			rate_row(o, "prim.ecdsa_verify", "swsev_ecdsa_verify P-384", op_verify, &a,
				 0, "ecdsap384-verify", "");
	} else {
		bench_fail("prim.ecdh", "swsev_ecdh P-384", "key generation failed");
	}
out:
	swsev_ec_free(a.a);
	swsev_ec_free(a.b);
	free(a.in);
	free(a.outb);
	swsev_wipe(a.key, sizeof(a.key));
}
