/*
 * The memory engine: what a guest's C-bit accesses cost through lib/mem
 * (page store, locks, slot cipher pool, cipher), against the raw cipher in
 * `openssl speed` (issue 3: >= 40% of AES-128-XTS). Pages are written and
 * read one 4 KiB page per call, cycling over a 16 MiB region that is
 * resident before timing starts, as a guest touching its memory would.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "swsev/crypto.h"
#include "swsev/mem.h"

#define REGION_PAGES 4096u /* 16 MiB */
#define MAX_THREADS 8

struct mem_arg {
	swsev_mem *m;
	unsigned asid;
	uint64_t base;
	unsigned npages;
	unsigned next;
	uint8_t key[32];
	uint8_t *buf;
	size_t len;
};

static int op_write_enc(void *p)
{
	struct mem_arg *a = p;
	uint64_t spa = a->base + (uint64_t)a->next * SWSEV_MEM_PAGE;

	a->next = (a->next + 1) % a->npages;
	return swsev_mem_write_enc(a->m, a->asid, spa, a->buf, SWSEV_MEM_PAGE) != SWSEV_OK;
}

static int op_read_enc(void *p)
{
	struct mem_arg *a = p;
	uint64_t spa = a->base + (uint64_t)a->next * SWSEV_MEM_PAGE;

	a->next = (a->next + 1) % a->npages;
	return swsev_mem_read_enc(a->m, a->asid, spa, a->buf, SWSEV_MEM_PAGE) != SWSEV_OK;
}

static int op_read_host(void *p)
{
	struct mem_arg *a = p;
	uint64_t spa = a->base + (uint64_t)a->next * SWSEV_MEM_PAGE;

	a->next = (a->next + 1) % a->npages;
	return swsev_mem_read(a->m, spa, a->buf, SWSEV_MEM_PAGE) != SWSEV_OK;
}

/* A 64-byte (one cache line) C-bit store: read-modify-write of its page. */
static int op_write_line(void *p)
{
	struct mem_arg *a = p;
	uint64_t spa = a->base + (uint64_t)a->next * SWSEV_MEM_PAGE + 64 * (a->next % 64);

	a->next = (a->next + 1) % a->npages;
	return swsev_mem_write_enc(a->m, a->asid, spa, a->buf, 64) != SWSEV_OK;
}

/* The firmware's path: one call over a whole image with a key not in a slot. */
static int op_write_key(void *p)
{
	struct mem_arg *a = p;

	return swsev_mem_write_key(a->m, a->key, a->base, a->buf, a->len) != SWSEV_OK;
}

static void emit_rate(const char *id, const char *figure, double ops, double bytes_per_op,
		      const char *prim, const char *target, const char *note)
{
	struct bench_row r = { .id = id,
			       .figure = figure,
			       .prim = prim,
			       .target = target,
			       .series = "-",
			       .note = note };

	if (ops < 0) {
		bench_fail(id, figure, "memory access failed");
		return;
	}
	r.value = bytes_per_op > 0 ? ops * bytes_per_op / 1e6 : ops;
	r.unit = bytes_per_op > 0 ? "MB/s" : "op/s";
	bench_emit(&r);
}

static int setup(struct mem_arg *a, swsev_mem *m, unsigned asid, uint64_t base, unsigned npages)
{
	memset(a, 0, sizeof(*a));
	a->m = m;
	a->asid = asid;
	a->base = base;
	a->npages = npages;
	a->buf = malloc(SWSEV_MEM_PAGE);
	if (a->buf == NULL || swsev_random(a->key, sizeof(a->key)) != SWSEV_OK ||
	    swsev_random(a->buf, SWSEV_MEM_PAGE) != SWSEV_OK)
		return -1;
	a->key[16] = (uint8_t)~a->key[0]; /* XTS halves must differ */
	if (swsev_mem_slot_load(m, asid, a->key) != SWSEV_OK)
		return -1;
	/* make the region resident, so timing sees steady state, not page creation */
	for (unsigned i = 0; i < npages; i++)
		if (swsev_mem_write_enc(m, asid, base + (uint64_t)i * SWSEV_MEM_PAGE, a->buf,
					SWSEV_MEM_PAGE) != SWSEV_OK)
			return -1;
	return 0;
}

static void teardown(struct mem_arg *a)
{
	free(a->buf);
	a->buf = NULL;
	swsev_wipe(a->key, sizeof(a->key));
}

static void one_mode(const struct bench_opts *o, int mode)
{
	int xts = mode == SWSEV_MEMC_XTS;
	const char *prim = xts ? "aes-128-xts@4096" : "aes-128-ecb@4096";
	const char *target = xts ? ">=0.40" : "-";
	const char *note = xts ? "" : "Zen 1 XE: two ECB passes per page, bound ~0.5 of ECB";
	unsigned npages = o->quick ? 256 : REGION_PAGES;
	swsev_mem *m = NULL;
	struct mem_arg a;
	char id[64], fig[96];

	memset(&a, 0, sizeof(a));
	if (swsev_mem_new(16, mode, &m) != SWSEV_OK ||
	    setup(&a, m, 1, 0x40000000ULL, npages) != 0) {
		bench_fail(xts ? "mem.setup.xts" : "mem.setup.xe", "memory engine setup",
			   "setup failed");
		goto out;
	}
	snprintf(id, sizeof(id), "mem.write_enc.%s", xts ? "xts" : "xe");
	snprintf(fig, sizeof(fig), "guest C-bit write, 4 KiB pages (%s)",
		 xts ? "XTS, Zen 2+" : "XE, Zen 1");
	emit_rate(id, fig, bench_rate_cpu(o, op_write_enc, &a), SWSEV_MEM_PAGE, prim, target, note);
	snprintf(id, sizeof(id), "mem.read_enc.%s", xts ? "xts" : "xe");
	snprintf(fig, sizeof(fig), "guest C-bit read, 4 KiB pages (%s)",
		 xts ? "XTS, Zen 2+" : "XE, Zen 1");
	emit_rate(id, fig, bench_rate_cpu(o, op_read_enc, &a), SWSEV_MEM_PAGE, prim, target, note);
	if (!xts)
		goto out;
	emit_rate("mem.write_enc.64B", "guest C-bit write, 64 B (page read-modify-write)",
		  bench_rate_cpu(o, op_write_line, &a), 0, "-", "-",
		  "decrypt + encrypt of the whole page per store");
	emit_rate("mem.read_host.4k", "host (no C-bit) read, 4 KiB pages",
		  bench_rate_cpu(o, op_read_host, &a), SWSEV_MEM_PAGE, "-", "-",
		  "memcpy under the shard lock");
	free(a.buf);
	a.len = (o->quick ? 1u : 4u) << 20;
	a.buf = calloc(1, a.len);
	if (a.buf == NULL) {
		bench_fail("mem.write_key.4m", "firmware write with a VEK", "out of memory");
		goto out;
	}
	emit_rate("mem.write_key.4m", "firmware write with a VEK, 4 MiB per call",
		  bench_rate_cpu(o, op_write_key, &a), (double)a.len, prim, "-",
		  "LAUNCH_UPDATE_DATA's encryption step (one cipher object per call)");
out:
	teardown(&a);
	swsev_mem_free(m);
}

struct thr {
	struct mem_arg a;
	double stop;
	unsigned long pages;
	int err;
};

static void *thr_main(void *p)
{
	struct thr *t = p;

	while (bench_now() < t->stop) {
		for (int i = 0; i < 64; i++) {
			if (op_write_enc(&t->a) != 0) {
				t->err = 1;
				return NULL;
			}
		}
		t->pages += 64;
	}
	return NULL;
}

/* N threads, each its own guest (ASID), writing at once: shows the page
 * store's sharded locks do not serialize them. */
static void threads(const struct bench_opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = ncpu < 2 ? 2 : ncpu > MAX_THREADS ? MAX_THREADS : (unsigned)ncpu;
	unsigned npages = o->quick ? 256 : 1024;
	struct thr t[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	unsigned started = 0, ok = 1;
	swsev_mem *m = NULL;
	unsigned long total = 0;
	double t0, t1;
	char id[64], fig[96], note[96];

	memset(t, 0, sizeof(t));
	if (swsev_mem_new(MAX_THREADS + 1, SWSEV_MEMC_XTS, &m) != SWSEV_OK)
		ok = 0;
	for (unsigned i = 0; ok && i < n; i++)
		if (setup(&t[i].a, m, 1 + i, 0x100000000ULL * (1 + i), npages) != 0)
			ok = 0;
	snprintf(id, sizeof(id), "mem.write_enc.xts.%ut", n);
	snprintf(fig, sizeof(fig), "guest C-bit write, 4 KiB, %u threads/guests at once", n);
	if (!ok) {
		bench_fail(id, fig, "setup failed");
		goto out;
	}
	t0 = bench_now();
	for (unsigned i = 0; i < n; i++) {
		t[i].stop = t0 + o->seconds;
		if (pthread_create(&th[i], NULL, thr_main, &t[i]) != 0)
			break;
		started++;
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		total += t[i].pages;
		if (t[i].err)
			ok = 0;
	}
	t1 = bench_now();
	if (!ok || started != n) {
		bench_fail(id, fig, "a writer failed");
		goto out;
	}
	snprintf(note, sizeof(note),
		 "aggregate of %u threads on %ld CPUs; ratio is against one core", n, ncpu);
	emit_rate(id, fig, (double)total / (t1 - t0), SWSEV_MEM_PAGE, "aes-128-xts@4096", "-",
		  note);
out:
	for (unsigned i = 0; i < n; i++)
		teardown(&t[i].a);
	swsev_mem_free(m);
}

/* Bookkeeping per resident page (the page's own 4 KiB excluded). */
static void overhead(const struct bench_opts *o)
{
	swsev_mem *m = NULL;
	uint64_t p0 = 0, b0 = 0, p1 = 0, b1 = 0, spa = 0;
	const uint64_t n = o->quick ? 4096 : 65536;
	uint8_t byte = 1;
	struct bench_row r = { .id = "mem.overhead_per_page",
			       .figure = "bookkeeping per resident page",
			       .unit = "B",
			       .prim = "-",
			       .target = "<=64",
			       .series = "-",
			       .note = "hash header and buckets; malloc headers excluded" };

	if (swsev_mem_new(16, SWSEV_MEMC_XTS, &m) != SWSEV_OK ||
	    swsev_mem_alloc(m, n * SWSEV_MEM_PAGE, &spa) != SWSEV_OK) {
		bench_fail(r.id, r.figure, "setup failed");
		goto out;
	}
	swsev_mem_stats(m, &p0, &b0);
	for (uint64_t i = 0; i < n; i++) {
		if (swsev_mem_write(m, spa + i * SWSEV_MEM_PAGE, &byte, 1) != SWSEV_OK) {
			bench_fail(r.id, r.figure, "write failed");
			goto out;
		}
	}
	swsev_mem_stats(m, &p1, &b1);
	r.value = (double)(b1 - b0) / (double)(p1 - p0);
	bench_emit(&r);
out:
	swsev_mem_free(m);
}

void bench_mem(const struct bench_opts *o)
{
	one_mode(o, SWSEV_MEMC_XTS);
	one_mode(o, SWSEV_MEMC_XE);
	threads(o);
	overhead(o);
}
