/*
 * The memory a guest context costs beyond its guest pages (issue 3 target:
 * <= 8 KiB), the memory controller's part: the key slot of an active guest
 * (lib/mem). The firmware's guest context is measured by bench_fw.c
 * ("fw.guest_ctx").
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "swsev/crypto.h"
#include "swsev/mem.h"

static void slot_cost(const struct bench_opts *o)
{
	const unsigned n = o->quick ? 64 : 1000;
	struct bench_row r = {
		.id = "mem.slot_bytes",
		.figure = "memory controller slot of an active guest",
		.unit = "B",
		.prim = "-",
		.target = "-",
		.series = "-",
		.note = "heap per loaded ASID slot: key plus one pooled cipher object"
	};
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
	slot_cost(o);
}
