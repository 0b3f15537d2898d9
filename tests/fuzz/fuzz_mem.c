/*
 * libFuzzer harness for the memory model: the input is a script of host
 * and C-bit accesses of any offset and length over a three-page window
 * (plus the address-space edge), slot loads and clears, and allocator
 * calls. A shadow model checks every read:
 *   - the host view of a byte is known after a host write (initially zero)
 *     and stays known until a C-bit write touches its 16-byte block (both
 *     tweak modes encrypt each block on its own, deterministically);
 *   - the C-bit view of a byte is known after a C-bit write and stays known
 *     until a host write touches its block.
 * Any mismatch, unexpected status or sanitizer report is a finding.
 * fuzz-max-len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/crypto.h"
#include "swsev/mem.h"

#define WPAGES 3
#define W (WPAGES * SWSEV_MEM_PAGE)
#define BASE 0x10000ULL

struct model {
	uint8_t host[W], plain[W];
	uint8_t host_known[W], plain_known[W];
	int loaded;
};

static void forget_blocks(uint8_t *known, size_t off, size_t n)
{
	size_t b0 = off & ~(size_t)15, b1 = (off + n + 15) & ~(size_t)15;

	memset(known + b0, 0, (b1 > W ? W : b1) - b0);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model md;
	static uint8_t buf[W];
	swsev_mem *m = NULL;
	uint8_t key[32];
	uint64_t spa = 0, pages = 0;

	if (size < 1)
		return 0;
	if (swsev_mem_new(4, (data[0] & 1) ? SWSEV_MEMC_XE : SWSEV_MEMC_XTS, &m) != SWSEV_OK)
		abort();
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	memset(&md, 0, sizeof(md));
	memset(md.host_known, 1, W);
	if (swsev_mem_slot_load(m, 1, key) != SWSEV_OK)
		abort();
	md.loaded = 1;

	for (size_t i = 1; i + 5 <= size;) {
		uint8_t op = data[i] % 7;
		size_t off = rd16(data + i + 1) % W;
		size_t n = 1 + rd16(data + i + 3) % (W - off);
		swsev_err rc;

		i += 5;
		switch (op) {
		case 0: /* host write: the bytes come from the script (or a pattern) */
			for (size_t k = 0; k < n; k++)
				buf[k] = i + k < size ? data[i + k] : (uint8_t)k;
			if (swsev_mem_write(m, BASE + off, buf, n) != SWSEV_OK)
				abort();
			memcpy(md.host + off, buf, n);
			memset(md.host_known + off, 1, n);
			forget_blocks(md.plain_known, off, n);
			break;
		case 1: /* host read */
			if (swsev_mem_read(m, BASE + off, buf, n) != SWSEV_OK)
				abort();
			for (size_t k = 0; k < n; k++)
				if (md.host_known[off + k] && buf[k] != md.host[off + k])
					abort();
			break;
		case 2: /* C-bit write */
			for (size_t k = 0; k < n; k++)
				buf[k] = (uint8_t)(k * 13 + op + off);
			rc = swsev_mem_write_enc(m, 1, BASE + off, buf, n);
			if (rc != (md.loaded ? SWSEV_OK : SWSEV_E_STATE))
				abort();
			if (rc == SWSEV_OK) {
				memcpy(md.plain + off, buf, n);
				memset(md.plain_known + off, 1, n);
				forget_blocks(md.host_known, off, n);
			}
			break;
		case 3: /* C-bit read, through the slot or with the key */
			if (n & 1)
				rc = swsev_mem_read_key(m, key, BASE + off, buf, n);
			else if ((rc = swsev_mem_read_enc(m, 1, BASE + off, buf, n)) !=
				 (md.loaded ? SWSEV_OK : SWSEV_E_STATE))
				abort();
			if (rc == SWSEV_OK)
				for (size_t k = 0; k < n; k++)
					if (md.plain_known[off + k] && buf[k] != md.plain[off + k])
						abort();
			break;
		case 4: /* DEACTIVATE / ACTIVATE with the same key */
			if (md.loaded) {
				swsev_mem_slot_clear(m, 1);
			} else if (swsev_mem_slot_load(m, 1, key) != SWSEV_OK) {
				abort();
			}
			md.loaded = !md.loaded;
			if (swsev_mem_slot_loaded(m, 1) != md.loaded)
				abort();
			break;
		case 5: /* the edge of the address space: never wraps, never succeeds past it */
			spa = SWSEV_MEM_MAX_ADDR - (off & 0xff);
			rc = swsev_mem_write(m, spa, buf, n);
			if (rc != ((off & 0xff) >= n ? SWSEV_OK : SWSEV_E_RANGE))
				abort();
			if (swsev_mem_read(m, UINT64_MAX - (off & 0xff), buf, n) != SWSEV_E_RANGE)
				abort();
			break;
		case 6: /* allocator: what it hands out is aligned, above the window's page 0, and reads zero */
			if (swsev_mem_alloc(m, n, &spa) != SWSEV_OK || spa == 0 ||
			    (spa & (SWSEV_MEM_PAGE - 1)))
				abort();
			if (swsev_mem_read(m, spa, buf, 16) != SWSEV_OK ||
			    !swsev_ct_is_zero(buf, 16))
				abort();
			if (off & 1)
				swsev_mem_release(m, spa, n);
			break;
		}
	}
	swsev_mem_stats(m, &pages, NULL);
	if (pages > WPAGES + 2 + size / 5) /* the window, the edge pages, nothing else */
		abort();
	swsev_mem_free(m);
	return 0;
}
