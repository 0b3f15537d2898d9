/*
 * The memory a guest context costs beyond its guest pages (issue 3 target:
 * <= 8 KiB).
 *
 * Two parts: the memory controller's key slot of an active guest (lib/mem,
 * measured here) and the firmware's guest context (lib/fw). The firmware
 * row is a placeholder until the firmware engineer fills it: measure with
 * bench_heap_in_use() around LAUNCH_START of many guests on one platform,
 * divide by their number, and emit "fw.guest_ctx_bytes" with target
 * "<=8192" (replace the placeholder row below, or emit it from a
 * bench_fw.c and delete it here).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "swsev/crypto.h"
#include "swsev/mem.h"

static void slot_cost(const struct bench_opts *o)
{
	const unsigned n = o->quick ? 64 : 1000;
	struct bench_row r = { .id = "mem.slot_bytes", .figure = "memory controller slot of an active guest",
			       .unit = "B", .prim = "-", .target = "-", .series = "-",
			       .note = "heap per loaded ASID slot: key plus one pooled cipher object" };
	swsev_mem *m = NULL;
	uint8_t key[32];
	size_t h0, h1;

	if (swsev_mem_new(n + 1, SWSEV_MEMC_XTS, &m) != SWSEV_OK ||
	    swsev_random(key, sizeof(key)) != SWSEV_OK) {
		bench_fail(r.id, r.figure, "setup failed");
		goto out;
	}
	key[16] = (uint8_t)~key[0];
	h0 = bench_heap_in_use();
	for (unsigned i = 1; i <= n; i++) {
		key[0] = (uint8_t)i;
		key[1] = (uint8_t)(i >> 8);
		if (swsev_mem_slot_load(m, i, key) != SWSEV_OK) {
			bench_fail(r.id, r.figure, "slot load failed");
			goto out;
		}
	}
	h1 = bench_heap_in_use();
	r.value = (double)(h1 - h0) / n;
	bench_emit(&r);
out:
	swsev_wipe(key, sizeof(key));
	swsev_mem_free(m);
}

void bench_guest_ctx(const struct bench_opts *o)
{
	struct bench_row r = { .id = "fw.guest_ctx_bytes", .figure = "firmware guest context (beyond guest pages)",
			       .value = NAN, .unit = "B", .prim = "-", .target = "<=8192", .series = "-",
			       .note = "placeholder: to be measured by the firmware engineer" };

	slot_cost(o);
	bench_emit(&r);
}
