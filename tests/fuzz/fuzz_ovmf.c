/*
 * libFuzzer harness for the OVMF footer table parser (launch-flow.md §5):
 * any input, as a whole image. On success the reported table must fit the
 * image; known entries are reported at most once each.
 * fuzz-max-len: 65536
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/launch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_ovmf_info i;
	swsev_err e;

	e = swsev_ovmf_parse(data, size, &i);
	if (e) {
		/* a refused image leaves nothing behind */
		static const struct swsev_ovmf_info zero;

		if (memcmp(&i, &zero, sizeof(i)) != 0)
			abort();
		return 0;
	}
	if (i.table_len < 18 || i.table_len + 32 > size)
		abort();
	if (i.n_entries > 64 || (size_t)i.n_entries * 18 + 18 > i.table_len)
		abort();
	/* the image as a shorter file ending at the same place parses the same */
	if (size > i.table_len + 32) {
		struct swsev_ovmf_info j;

		if (swsev_ovmf_parse(data + size - i.table_len - 32, i.table_len + 32, &j) !=
			    SWSEV_OK ||
		    memcmp(&i, &j, sizeof(i)) != 0)
			abort();
	}
	return 0;
}
