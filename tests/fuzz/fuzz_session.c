/*
 * libFuzzer harness for the session blob (crypto.md §4): the parser must
 * take exactly 128 bytes and round-trip through the encoder; a parsed blob
 * is then opened with a fixed shared secret, which must refuse it unless
 * the MACs hold (and wipe the outputs when it refuses).
 * fuzz-max-len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/crypto.h"
#include "swsev/launch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t z[48] = { 1, 2, 3 };
	struct swsev_session s;
	uint8_t back[SWSEV_SESSION_LEN], tek[16], tik[16];
	uint32_t policy = 0;
	swsev_err e;

	e = swsev_session_parse(data, size, &s);
	if (e) {
		if (size == SWSEV_SESSION_LEN)
			abort(); /* any 128 bytes are a well-formed blob */
		return 0;
	}
	if (size != SWSEV_SESSION_LEN)
		abort();
	swsev_session_encode(&s, back);
	if (memcmp(back, data, size) != 0)
		abort();
	if (size >= 4)
		policy = (uint32_t)data[0] | (uint32_t)data[1] << 8;
	memset(tek, 0xa5, sizeof(tek));
	memset(tik, 0xa5, sizeof(tik));
	e = swsev_session_open(z, sizeof(z), &s, policy, tek, tik);
	if (e && (!swsev_ct_is_zero(tek, 16) || !swsev_ct_is_zero(tik, 16)))
		abort(); /* a refused blob must not leak keys */
	return 0;
}
