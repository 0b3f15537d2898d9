/*
 * libFuzzer harness for the 52-byte packet header (crypto.md §7): the first
 * 52 bytes (or all, if fewer or more are given as one header) go through
 * the parser, which must round-trip; the rest of the input is treated as a
 * payload and opened with fixed keys under each context byte: a MAC that
 * does not hold must be refused and leave the output wiped.
 * fuzz-max-len: 512
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/crypto.h"
#include "swsev/launch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t tek[16] = { 0x52 }, tik[16] = { 0xc6 }, measure[32] = { 0x4c };
	struct swsev_pkt_hdr h;
	uint8_t back[SWSEV_PKT_HDR_LEN], *plain;
	size_t plen;
	swsev_err e;

	/* the whole input as one header: only exactly 52 bytes parse */
	e = swsev_pkt_hdr_parse(data, size, &h);
	if ((e == SWSEV_OK) != (size == SWSEV_PKT_HDR_LEN))
		abort();
	if (size < SWSEV_PKT_HDR_LEN)
		return 0;
	if (swsev_pkt_hdr_parse(data, SWSEV_PKT_HDR_LEN, &h) != SWSEV_OK)
		abort();
	swsev_pkt_hdr_encode(&h, back);
	if (memcmp(back, data, SWSEV_PKT_HDR_LEN) != 0)
		abort();
	plen = size - SWSEV_PKT_HDR_LEN;
	plain = malloc(plen ? plen : 1);
	if (!plain)
		return 0;
	for (uint8_t ctx = 1; ctx <= 4; ctx++) {
		memset(plain, 0x77, plen);
		e = swsev_pkt_open(tek, tik, ctx, &h, data + SWSEV_PKT_HDR_LEN, plen,
				   ctx == SWSEV_CTX_SECRET ? measure : NULL, plain);
		if (e == SWSEV_OK)
			continue; /* the fuzzer forged a MAC: possible only by luck */
		if (e == SWSEV_E_BADMAC && !swsev_ct_is_zero(plain, plen))
			abort();
	}
	free(plain);
	return 0;
}
