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
 * length; sub-page encrypted writes are read-modify-write of the page.
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
swsev_err swsev_mem_read_enc(swsev_mem *m, unsigned asid, uint64_t spa, void *buf, size_t len) SWSEV_MUST_CHECK;
swsev_err swsev_mem_write_enc(swsev_mem *m, unsigned asid, uint64_t spa, const void *buf, size_t len) SWSEV_MUST_CHECK;

/* Firmware-side access with a guest key that is not (yet) in a slot
 * (LAUNCH_UPDATE_DATA runs before ACTIVATE): key is the 32-byte VEK. */
swsev_err swsev_mem_read_key(swsev_mem *m, const uint8_t key[32], uint64_t spa, void *buf, size_t len) SWSEV_MUST_CHECK;
swsev_err swsev_mem_write_key(swsev_mem *m, const uint8_t key[32], uint64_t spa, const void *buf, size_t len) SWSEV_MUST_CHECK;

/* Key slots. */
swsev_err swsev_mem_slot_load(swsev_mem *m, unsigned asid, const uint8_t key[32]) SWSEV_MUST_CHECK;
void swsev_mem_slot_clear(swsev_mem *m, unsigned asid);
int swsev_mem_slot_loaded(swsev_mem *m, unsigned asid);

/* Host physical allocator for the host layer (guest RAM, buffers):
 * page-aligned ranges; freeing drops the pages. */
swsev_err swsev_mem_alloc(swsev_mem *m, uint64_t len, uint64_t *spa) SWSEV_MUST_CHECK;
void swsev_mem_release(swsev_mem *m, uint64_t spa, uint64_t len);

/* Statistics: pages resident, bytes of bookkeeping. */
void swsev_mem_stats(swsev_mem *m, uint64_t *pages, uint64_t *overhead_bytes);

#endif
