/*
 * The frame codec of docs/protocol.md, shared by swsevd and the clients.
 * Internal to libswsev (daemon/, preload/, lib/client/ and the tests).
 *
 * Decoders take untrusted bytes and check every field against the
 * document; encoders refuse a request or response that the decoder would
 * refuse (so a peer never receives what it must reject).
 */
#ifndef SWSEV_LIB_CLIENT_WIRE_H
#define SWSEV_LIB_CLIENT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"
#include "swsev/host.h"

#define SWSEV_PROTO_MAGIC 0x56535753u /* "SWSV" little-endian */
#define SWSEV_PROTO_VERSION 1u
#define SWSEV_WIRE_HDR_LEN 16
#define SWSEV_WIRE_REQ_FIXED 40
#define SWSEV_WIRE_RSP_FIXED 32
#define SWSEV_WIRE_BODY_MAX (SWSEV_BLOB_MAX + 1024u * 1024u)
#define SWSEV_WIRE_TEXT_MAX 256
#define SWSEV_WIRE_HELLO_C_LEN 8
#define SWSEV_WIRE_HELLO_D_FIXED 12
#define SWSEV_WIRE_ERR_FIXED 8
/* Largest header + fixed part + arg of a request or response. */
#define SWSEV_WIRE_HEAD_MAX (SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_REQ_FIXED + SWSEV_REQ_ARG_MAX)
/* Largest HELLO or ERROR frame. */
#define SWSEV_WIRE_SMALL_MAX (SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_HELLO_D_FIXED + SWSEV_WIRE_TEXT_MAX)

enum swsev_frame_type {
	SWSEV_FRAME_HELLO = 1,
	SWSEV_FRAME_REQUEST = 2,
	SWSEV_FRAME_RESPONSE = 3,
	SWSEV_FRAME_ERROR = 4,
};

struct swsev_wire_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t flags;
	uint32_t body_len;
};

/* Which side decodes a HELLO (the client's and the daemon's differ). */
enum swsev_wire_side { SWSEV_SIDE_DAEMON = 0, SWSEV_SIDE_CLIENT = 1 };

/*
 * Decodes exactly 16 header bytes and checks magic, version, type, flags
 * and body_len against the type's bounds (protocol.md §1, §2). `side` is
 * the receiver: a daemon accepts HELLO and REQUEST, a client HELLO,
 * RESPONSE and ERROR. Errors: SWSEV_E_PROTOCOL (magic, type, flags, a type
 * the receiver must not get), SWSEV_E_VERSION, SWSEV_E_LENGTH (body_len).
 */
swsev_err swsev_wire_hdr_decode(const uint8_t *p, size_t len, enum swsev_wire_side side,
				struct swsev_wire_hdr *h) SWSEV_MUST_CHECK;
void swsev_wire_hdr_encode(uint8_t out[SWSEV_WIRE_HDR_LEN], uint16_t type, uint32_t body_len);

/* ---- requests ---- */
/* Body length of req (checks arg_len, blob caps, present/len/p consistency). */
swsev_err swsev_wire_req_size(const struct swsev_req *req, size_t *body_len) SWSEV_MUST_CHECK;
/* Header + fixed part + arg into out (cap >= SWSEV_WIRE_HEAD_MAX is always
 * enough); the blobs follow on the stream, in order. */
swsev_err swsev_wire_req_head(const struct swsev_req *req, uint8_t *out, size_t cap,
			      size_t *used) SWSEV_MUST_CHECK;
/* The whole frame in one malloc'd buffer (tests, fuzz seeds). */
swsev_err swsev_wire_req_encode(const struct swsev_req *req, uint8_t **out,
				size_t *len) SWSEV_MUST_CHECK;
/*
 * Decodes a REQUEST body of exactly len bytes. Zero-copy: req->in[i].p
 * point into body (which must outlive req). On error *req is zeroed.
 * Errors: SWSEV_E_TRUNCATED, SWSEV_E_TRAILING, SWSEV_E_LENGTH (a length
 * over its cap or lengths that overflow), SWSEV_E_FORMAT (reserved bits).
 */
swsev_err swsev_wire_req_decode(uint8_t *body, size_t len, struct swsev_req *req) SWSEV_MUST_CHECK;

/* ---- responses ---- */
swsev_err swsev_wire_rsp_size(const struct swsev_rsp *rsp, size_t *body_len) SWSEV_MUST_CHECK;
swsev_err swsev_wire_rsp_head(const struct swsev_rsp *rsp, uint8_t *out, size_t cap,
			      size_t *used) SWSEV_MUST_CHECK;
swsev_err swsev_wire_rsp_encode(const struct swsev_rsp *rsp, uint8_t **out,
				size_t *len) SWSEV_MUST_CHECK;
/*
 * Decodes a RESPONSE body. Copies: each present blob gets its own malloc'd
 * buffer (release with swsev_rsp_clear or swsev_wire_rsp_free). On error
 * nothing is allocated and *rsp is zeroed. Same errors as req_decode, plus
 * SWSEV_E_RANGE for an err outside [-4095, 0].
 */
swsev_err swsev_wire_rsp_decode(const uint8_t *body, size_t len,
				struct swsev_rsp *rsp) SWSEV_MUST_CHECK;
/* Wipes and frees the blobs of a response decoded here; zeroes *rsp. */
void swsev_wire_rsp_free(struct swsev_rsp *rsp);

/* ---- HELLO and ERROR ---- */
/* Client HELLO frame (header + 8 bytes) into out; returns its length. */
size_t swsev_wire_hello_client(uint8_t out[SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_HELLO_C_LEN],
			       uint32_t min_version, uint32_t max_version);
swsev_err swsev_wire_hello_client_decode(const uint8_t *body, size_t len, uint32_t *min_version,
					 uint32_t *max_version) SWSEV_MUST_CHECK;
/* Daemon HELLO frame into out (text truncated at SWSEV_WIRE_TEXT_MAX); returns its length. */
size_t swsev_wire_hello_daemon(uint8_t out[SWSEV_WIRE_SMALL_MAX], uint32_t version,
			       uint32_t max_body, const char *text);
/* text: NUL-terminated copy (cap >= SWSEV_WIRE_TEXT_MAX + 1 holds any). */
swsev_err swsev_wire_hello_daemon_decode(const uint8_t *body, size_t len, uint32_t *version,
					 uint32_t *max_body, char *text,
					 size_t cap) SWSEV_MUST_CHECK;
/* ERROR frame into out; returns its length. */
size_t swsev_wire_error(uint8_t out[SWSEV_WIRE_SMALL_MAX], swsev_err code, const char *msg);
swsev_err swsev_wire_error_decode(const uint8_t *body, size_t len, int32_t *code, char *msg,
				  size_t cap) SWSEV_MUST_CHECK;

#endif
