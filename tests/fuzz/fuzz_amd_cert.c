/*
 * libFuzzer harness for swsev_amd_cert_parse (ARK/ASK, 832 or 1600 bytes,
 * or the 576-byte unsigned Naples ARK). The input is parsed as a sequence
 * of AMD certs (an ASK||ARK bundle splits this way), each with and without
 * allow_unsigned; every accepted cert must use a valid length, copy exactly
 * the bytes it used, and survive key decoding and self-verification.
 * fuzz-max-len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const struct swsev_amd_cert *c, const uint8_t *data, size_t size, size_t used)
{
	swsev_rsa_key *k = NULL;
	struct swsev_amd_cert copy;

	if (used == 0 || used > size || used != c->len)
		abort();
	if (used != 576 && used != 832 && used != 1088 && used != 1344 && used != 1600 &&
	    used != c->signed_len)
		abort();
	if (memcmp(c->raw, data, used) != 0)
		abort();
	if ((c->sig == NULL) != (c->len == c->signed_len))
		abort();
	if (swsev_amd_cert_key(c, &k) == SWSEV_OK && k == NULL)
		abort();
	swsev_rsa_free(k);
	swsev_amd_cert_copy(&copy, c);
	if (copy.modulus != copy.raw + (c->modulus - c->raw))
		abort();
	if (swsev_amd_cert_verify(&copy, c) == SWSEV_OK && c->sig == NULL)
		abort(); /* nothing to verify cannot succeed */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_amd_cert c;
	size_t off = 0, used = 0;

	for (int i = 0; i < 3 && off < size; i++) {
		if (swsev_amd_cert_parse(data + off, size - off, 0, &c, &used) == SWSEV_OK) {
			check_one(&c, data + off, size - off, used);
			if (c.sig == NULL)
				abort(); /* unsigned only when allowed */
		} else if (used != 0 || c.len != 0) {
			abort();
		}
		if (swsev_amd_cert_parse(data + off, size - off, 1, &c, &used) != SWSEV_OK)
			break;
		check_one(&c, data + off, size - off, used);
		off += used;
	}
	return 0;
}
