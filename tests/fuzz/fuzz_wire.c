/*
 * libFuzzer harness for the socket frame codec (lib/client/wire.c,
 * docs/protocol.md). The input is fed to every decoder; whatever a decoder
 * accepts must re-encode to exactly the same bytes (frames are canonical:
 * exact lengths, no slack), and a decoded request's blobs must lie inside
 * the input.
 * fuzz-max-len: 65536
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/wire.h"

static void check_req(const uint8_t *data, size_t size)
{
	struct swsev_req req;
	uint8_t *body = malloc(size ? size : 1), *f = NULL;
	size_t n = 0;

	if (!body)
		return;
	memcpy(body, data, size);
	if (swsev_wire_req_decode(body, size, &req) == SWSEV_OK) {
		for (int i = 0; i < SWSEV_REQ_BLOBS; i++)
			if (req.in[i].len &&
			    (req.in[i].p < body || req.in[i].p + req.in[i].len > body + size))
				abort(); /* a blob outside the body */
		if (swsev_wire_req_encode(&req, &f, &n) != SWSEV_OK ||
		    n != SWSEV_WIRE_HDR_LEN + size ||
		    memcmp(f + SWSEV_WIRE_HDR_LEN, data, size) != 0)
			abort(); /* accepted but not canonical */
		free(f);
	}
	free(body);
}

static void check_rsp(const uint8_t *data, size_t size)
{
	struct swsev_rsp rsp;
	uint8_t *f = NULL;
	size_t n = 0;

	if (swsev_wire_rsp_decode(data, size, &rsp) != SWSEV_OK)
		return;
	if (swsev_wire_rsp_encode(&rsp, &f, &n) != SWSEV_OK || n != SWSEV_WIRE_HDR_LEN + size ||
	    memcmp(f + SWSEV_WIRE_HDR_LEN, data, size) != 0)
		abort();
	free(f);
	swsev_wire_rsp_free(&rsp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_wire_hdr h;
	uint32_t a, b;
	int32_t code;
	char text[SWSEV_WIRE_TEXT_MAX + 1];

	if (swsev_wire_hdr_decode(data, size < 16 ? size : 16, SWSEV_SIDE_DAEMON, &h) == SWSEV_OK &&
	    (h.body_len > SWSEV_WIRE_BODY_MAX ||
	     (h.type != SWSEV_FRAME_HELLO && h.type != SWSEV_FRAME_REQUEST)))
		abort();
	(void)swsev_wire_hdr_decode(data, size < 16 ? size : 16, SWSEV_SIDE_CLIENT, &h);
	check_req(data, size);
	check_rsp(data, size);
	(void)swsev_wire_hello_client_decode(data, size, &a, &b);
	if (swsev_wire_hello_daemon_decode(data, size, &a, &b, text, sizeof(text)) == SWSEV_OK &&
	    strlen(text) > SWSEV_WIRE_TEXT_MAX)
		abort();
	if (swsev_wire_error_decode(data, size, &code, text, sizeof(text)) == SWSEV_OK && code >= 0)
		abort();
	return 0;
}
