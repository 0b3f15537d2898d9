/*
 * Simulated DRAM and the memory controller (DESIGN.md layer 5).
 *
 * DRAM is addressed by system physical address (SPA) and allocated sparsely
 * in 4 KiB pages: a page costs memory only once written. The memory
 * controller holds one key slot per ASID (loaded by ACTIVATE, cleared by
 * DEACTIVATE). Pages are stored as the bus sees them:
 *   - host access (no C-bit): raw bytes, i.e. ciphertext for guest pages;
 *   - access with the C-bit under an ASID: decrypted/encrypted with that
 *     ASID's key, the cipher tweaked by the physical address (crypto.h
 *     swsev_memc: XTS per 4 KiB page on Zen 2+, XE on Zen 1).
 * There is no integrity, as on real SEV: replaying old ciphertext at the
 * same address decrypts to the old plaintext.
 *
 * All functions are thread-safe. Accesses may have any alignment and
 * length; sub-page encrypted writes are read-modify-write of the page,
 * atomic against other writers of that page. An access spanning several
 * pages is not atomic as a whole (as on a real bus), and on an error a
 * prefix of it may already be written.
 *
 * Errors common to the accessors:
 *   SWSEV_E_INVALID  m or a key is NULL, buf is NULL with len > 0, or the
 *                    ASID has no slot (0 is the hypervisor's; >= nslots);
 *   SWSEV_E_RANGE    [spa, spa+len) is not below SWSEV_MEM_MAX_ADDR
 *                    (checked without overflow; the firmware maps this to
 *                    INVALID_ADDRESS);
 *   SWSEV_E_STATE    a C-bit access under an empty slot;
 *   SWSEV_E_NOMEM, SWSEV_E_CRYPTO.
 * A failed encrypted read wipes buf (no partial plaintext).
 *
 * Implementation notes (lib/mem/mem_int.h): pages sit in 256 hash-table
 * shards with a lock each; each slot keeps a small pool of cipher objects
 * so accesses of one ASID from several threads run in parallel; a cipher
 * object for swsev_mem_read_key/write_key is made per call (call it once
 * per range, not once per page).
 */
#ifndef SWSEV_MEM_H
#define SWSEV_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"

typedef struct swsev_mem swsev_mem;

#define SWSEV_MEM_PAGE 4096
#define SWSEV_MEM_MAX_ADDR (1ULL << 46) /* addresses at or above are INVALID_ADDRESS */

/* nslots: highest ASID + 1. mode: swsev_memc_mode. */
swsev_err swsev_mem_new(unsigned nslots, int mode, swsev_mem **out) SWSEV_MUST_CHECK;
void swsev_mem_free(swsev_mem *m);

/* Host (unencrypted) view. Unwritten memory reads as zero. */
swsev_err swsev_mem_read(swsev_mem *m, uint64_t spa, void *buf, size_t len) SWSEV_MUST_CHECK;
swsev_err swsev_mem_write(swsev_mem *m, uint64_t spa, const void *buf, size_t len) SWSEV_MUST_CHECK;

/* C-bit view under an ASID's key: SWSEV_E_STATE if the slot is empty. */
swsev_err swsev_mem_read_enc(swsev_mem *m, unsigned asid, uint64_t spa, void *buf,
			     size_t len) SWSEV_MUST_CHECK;
swsev_err swsev_mem_write_enc(swsev_mem *m, unsigned asid, uint64_t spa, const void *buf,
			      size_t len) SWSEV_MUST_CHECK;

/* Firmware-side access with a guest key that is not (yet) in a slot
 * (LAUNCH_UPDATE_DATA runs before ACTIVATE): key is the 32-byte VEK. */
swsev_err swsev_mem_read_key(swsev_mem *m, const uint8_t key[32], uint64_t spa, void *buf,
			     size_t len) SWSEV_MUST_CHECK;
swsev_err swsev_mem_write_key(swsev_mem *m, const uint8_t key[32], uint64_t spa, const void *buf,
			      size_t len) SWSEV_MUST_CHECK;

/* Key slots. asid 1..nslots-1. Loading an occupied slot replaces its key;
 * a key the cipher refuses (equal halves) leaves the slot unchanged.
 * Clearing wipes the key; accesses already under way finish with it. */
swsev_err swsev_mem_slot_load(swsev_mem *m, unsigned asid, const uint8_t key[32]) SWSEV_MUST_CHECK;
void swsev_mem_slot_clear(swsev_mem *m, unsigned asid);
int swsev_mem_slot_loaded(swsev_mem *m, unsigned asid);

/* Host physical allocator for the host layer (guest RAM, buffers):
 * page-aligned ranges (len rounded up to pages), never address 0; the
 * range reserves address space only, pages appear when written.
 * swsev_mem_alloc: SWSEV_E_INVALID for len 0, SWSEV_E_NOMEM when the
 * address space below SWSEV_MEM_MAX_ADDR is exhausted.
 * swsev_mem_release drops (wipes and frees) the range's pages, so reused
 * memory reads as zero; a misaligned, never allocated or already released
 * range is ignored. */
swsev_err swsev_mem_alloc(swsev_mem *m, uint64_t len, uint64_t *spa) SWSEV_MUST_CHECK;
void swsev_mem_release(swsev_mem *m, uint64_t spa, uint64_t len);

/* Statistics: pages resident (each SWSEV_MEM_PAGE bytes of data), and
 * bytes of bookkeeping: the structure, hash buckets, per-page headers,
 * slots and allocator ranges (excluding malloc's own headers and the
 * cipher objects' OpenSSL state). */
void swsev_mem_stats(swsev_mem *m, uint64_t *pages, uint64_t *overhead_bytes);

#endif
