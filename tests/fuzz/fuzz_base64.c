/*
 * libFuzzer harness for swsev_base64_decode (key files and QEMU/sevctl
 * base64 blobs go through it). Checks, beyond memory safety:
 *   - on failure, *out is NULL and *outlen is 0;
 *   - on success, the output size is bounded by the input size, and
 *     re-encoding the output and decoding that again gives the same bytes
 *     (the decoder only accepts canonical encodings, so the re-encoding
 *     must equal the input with whitespace removed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out = NULL, *out2 = NULL;
	size_t outlen = 0, outlen2 = 0, i, j = 0;
	char *enc = NULL, *stripped = NULL;
	swsev_err r;

	r = swsev_base64_decode((const char *)data, size, &out, &outlen);
	if (r != SWSEV_OK) {
		if (out != NULL || outlen != 0)
			abort();
		return 0;
	}
	if (out == NULL || outlen > size / 4 * 3)
		abort();
	if (swsev_base64_encode(out, outlen, &enc) != SWSEV_OK || enc == NULL)
		abort();
	/* canonical: the encoding equals the input without whitespace */
	stripped = malloc(size + 1);
	if (stripped == NULL)
		abort();
	for (i = 0; i < size; i++)
		if (!is_ws(data[i]))
			stripped[j++] = (char)data[i];
	stripped[j] = 0;
	if (strlen(enc) != j || memcmp(enc, stripped, j) != 0)
		abort();
	if (swsev_base64_decode(enc, strlen(enc), &out2, &outlen2) != SWSEV_OK ||
	    outlen2 != outlen || memcmp(out, out2, outlen) != 0)
		abort();
	swsev_clear_free(out, outlen);
	swsev_clear_free(out2, outlen2);
	free(enc);
	free(stripped);
	return 0;
}
