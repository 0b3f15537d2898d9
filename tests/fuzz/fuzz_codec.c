/*
 * libFuzzer harness for the codec's text parsers (GUID, hex, strict numbers)
 * and the cursor itself. Text parsers get the input as a NUL-terminated
 * string; a successful parse must survive a round trip through the matching
 * encoder. The cursor is driven by the input's own bytes as an op script.
 * fuzz-max-len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec/codec.h"

static void text_parsers(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint8_t guid[16], hex[64];
	char back[2 * sizeof(hex) + 1];
	uint64_t v;

	if (s == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';

	if (swsev_guid_parse(s, guid) == SWSEV_OK) {
		swsev_guid_format(guid, back);
		if (strcasecmp(back, s) != 0)
			abort(); /* accepted text that does not round-trip */
	}
	if (size % 2 == 0 && size / 2 <= sizeof(hex) &&
	    swsev_hex_decode(s, hex, size / 2) == SWSEV_OK) {
		swsev_hex_encode(hex, size / 2, back);
		if (strcasecmp(back, s) != 0)
			abort();
	}
	if (swsev_parse_u64(s, 0xffffffffu, &v) == SWSEV_OK && v > 0xffffffffu)
		abort(); /* range check ignored */
	(void)swsev_parse_u64(s, UINT64_MAX, &v);
	free(s);
}

/* Op script: each byte picks a get; the cursor must never read past the end
 * and must stay failed once it failed. */
static void cursor_walk(const uint8_t *data, size_t size)
{
	struct swsev_cur c;
	size_t i = 0;
	int failed = 0;

	swsev_cur_init(&c, data, size);
	while (i < size && i < 64) {
		uint8_t op = data[i++], b8;
		uint16_t b16;
		uint32_t b32;
		uint64_t b64;
		uint8_t tmp[32];
		const uint8_t *view;
		swsev_err e;
		size_t before = c.off;

		switch (op % 10) {
		case 0: e = swsev_cur_u8(&c, &b8); break;
		case 1: e = swsev_cur_u16(&c, &b16); break;
		case 2: e = swsev_cur_u32(&c, &b32); break;
		case 3: e = swsev_cur_u64(&c, &b64); break;
		case 4: e = swsev_cur_u16be(&c, &b16); break;
		case 5: e = swsev_cur_u32be(&c, &b32); break;
		case 6: e = swsev_cur_bytes(&c, tmp, op % sizeof(tmp)); break;
		case 7:
			e = swsev_cur_view(&c, &view, op);
			if (e == SWSEV_OK && op > 0 && (view < data || view + op > data + size))
				abort();
			break;
		case 8: e = swsev_cur_zeros(&c, op % 16); break;
		default: e = swsev_cur_skip(&c, (size_t)op * 1024); break;
		}
		if (c.off > size)
			abort();
		if (failed && e == SWSEV_OK)
			abort(); /* the error latch was lost */
		if (e != SWSEV_OK) {
			failed = 1;
			if (c.off != before && c.off > size)
				abort();
		}
	}
	(void)swsev_cur_end(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	text_parsers(data, size);
	cursor_walk(data, size);
	return 0;
}
