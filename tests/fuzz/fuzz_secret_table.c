/*
 * libFuzzer harness for the secret table parser (launch-flow.md §6.3, as
 * Linux efi_secret reads it). Every entry must lie inside the declared
 * total; rebuilding a table from the parsed entries and parsing it again
 * gives the same entries.
 * fuzz-max-len: 16384
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/crypto.h"
#include "swsev/launch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_secret_entry e[SWSEV_SECRET_MAX_ENTRIES], f[SWSEV_SECRET_MAX_ENTRIES];
	uint8_t *t = NULL;
	size_t n = 0, m = 0, tl = 0;
	uint32_t total;

	if (swsev_secret_table_parse(data, size, e, SWSEV_SECRET_MAX_ENTRIES, &n) != SWSEV_OK)
		return 0;
	if (size < 20 || n > SWSEV_SECRET_MAX_ENTRIES)
		abort();
	total = (uint32_t)data[16] | (uint32_t)data[17] << 8 | (uint32_t)data[18] << 16 |
		(uint32_t)data[19] << 24;
	for (size_t i = 0; i < n; i++) {
		if (e[i].data < data + 40 || e[i].data + e[i].len > data + total)
			abort();
	}
	/* duplicates are legal to read (the guest would fail) but not to build */
	if (swsev_secret_table_build(e, n, (int)(size & 1), &t, &tl) != SWSEV_OK)
		return 0;
	if (tl % 16 != 0 ||
	    swsev_secret_table_parse(t, tl, f, SWSEV_SECRET_MAX_ENTRIES, &m) != SWSEV_OK || m != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (memcmp(e[i].guid, f[i].guid, 16) != 0 || e[i].len != f[i].len ||
		    memcmp(e[i].data, f[i].data, e[i].len) != 0)
			abort();
	}
	swsev_clear_free(t, tl);
	return 0;
}
