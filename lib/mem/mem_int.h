/*
 * Internals of the memory model (lib/mem). Not part of the public API.
 *
 * Layout:
 *   dram.c    the sparse page store: 4 KiB pages in a hash table keyed by
 *             page frame number, split into MEM_SHARDS shards, each with
 *             its own lock; the host (no C-bit) view; statistics.
 *   memctl.c  the memory controller: key slots per ASID and the
 *             encrypted (C-bit) view through swsev_memc.
 *   alloc.c   the host physical allocator.
 *
 * Locking (no lock is ever held while taking another one, except
 * shard -> nothing and slot -> nothing; the allocator lock is taken before
 * shard locks in release):
 *   - shard->lock guards the shard's hash table and the bytes of every page
 *     in it. A host access holds it for a memcpy; a C-bit access for the
 *     cipher of one page (run straight between DRAM and the caller's
 *     buffer), and a sub-page C-bit write across decrypt-modify-encrypt so
 *     the read-modify-write of the page is atomic against other writers.
 *   - slot->lock guards a key slot: its key, generation and the small pool
 *     of cipher objects. It is held only to pop/push a cipher object,
 *     never across the cipher itself.
 *   - m->alloc_lock guards the allocator's bump pointer and free list.
 */
#ifndef SWSEV_LIB_MEM_INT_H
#define SWSEV_LIB_MEM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/crypto.h"
#include "swsev/mem.h"

#define MEM_PAGE_SHIFT 12
#define MEM_SHARD_BITS 8
#define MEM_SHARDS (1u << MEM_SHARD_BITS)
#define MEM_BUCKETS_INIT 16
/* Cipher objects kept per loaded slot for reuse (one in use per thread). */
#define MEM_POOL 8
/* Upper bound on nslots (the largest profile has 1006 ASIDs). */
#define MEM_MAX_SLOTS 65536u
/* The allocator never hands out addresses below this (never address 0). */
#define MEM_ALLOC_BASE 0x100000ULL

struct mem_page {
	struct mem_page *next;
	uint64_t pfn;
	uint8_t data[SWSEV_MEM_PAGE];
};

struct mem_shard {
	pthread_mutex_t lock;
	struct mem_page **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
} __attribute__((aligned(64)));

struct mem_slot {
	pthread_mutex_t lock;
	int loaded;
	uint64_t gen; /* bumped by every load and clear */
	unsigned npool;
	swsev_memc *pool[MEM_POOL];
	const void *pool_tag[MEM_POOL]; /* the thread that last used each (slot_get) */
	uint8_t key[SWSEV_MEMC_KEY];    /* secret: wiped on clear and free */
};

struct mem_range {
	struct mem_range *next;
	uint64_t start;
	uint64_t len;
};

struct swsev_mem {
	struct mem_shard shards[MEM_SHARDS];
	swsev_memc_mode mode;
	unsigned nslots;
	struct mem_slot *slots;
	_Atomic uint64_t pages;
	_Atomic uint64_t overhead;
	pthread_mutex_t alloc_lock;
	uint64_t bump;
	struct mem_range *free_list; /* sorted by address, coalesced */
};

/* dram.c */
swsev_err mem_dram_init(swsev_mem *m) SWSEV_MUST_CHECK;
/* The memory's locks are held for about one page's cipher (well under a
 * microsecond): adaptive mutexes spin that long before they sleep, where a
 * default one sleeps and wakes through the kernel (several microseconds)
 * whenever two threads meet on one shard. */
int mem_mutex_init(pthread_mutex_t *mu);
void mem_dram_fini(swsev_mem *m);
/* SWSEV_E_INVALID for a NULL buffer with len > 0, SWSEV_E_RANGE if
 * [spa, spa+len) is not below SWSEV_MEM_MAX_ADDR (overflow-safe). */
swsev_err mem_check_range(uint64_t spa, const void *buf, size_t len) SWSEV_MUST_CHECK;
struct mem_shard *mem_shard_of(swsev_mem *m, uint64_t pfn);
struct mem_page *mem_find_locked(struct mem_shard *s, uint64_t pfn);
/* Finds the page or inserts a zeroed one. */
swsev_err mem_get_locked(swsev_mem *m, struct mem_shard *s, uint64_t pfn,
			 struct mem_page **out) SWSEV_MUST_CHECK;
/* Drops (wipes and frees) every resident page of [start, start+len). */
void mem_drop_range(swsev_mem *m, uint64_t start, uint64_t len);

/* memctl.c */
swsev_err mem_slots_init(swsev_mem *m) SWSEV_MUST_CHECK;
void mem_slots_fini(swsev_mem *m);

/* alloc.c */
void mem_alloc_init(swsev_mem *m);
void mem_alloc_fini(swsev_mem *m);

#endif
