/*
 * The socket transport: one connection to swsevd, HELLO on connect, then
 * one REQUEST/RESPONSE at a time (docs/protocol.md). Blobs are written
 * straight from the caller's buffers (writev), so images are not copied.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/client_int.h"
#include "client/wire.h"
#include "swsev/crypto.h"

/* The HELLO reply must come within this many milliseconds. */
#define HELLO_TIMEOUT_MS 10000

static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* Reads exactly n bytes; -1 with errno (ECONNRESET for a clean EOF). */
static int read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r;

		if (timeout_ms >= 0 && wait_readable(fd, timeout_ms) != 0)
			return -1;
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = ECONNRESET;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_iov(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
		size_t left;

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		left = (size_t)w;
		while (n > 0 && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
	return 0;
}

static void drop(swsev_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/*
 * Reads one frame from the daemon: header, then the body (malloc'd, the
 * caller wipes and frees it). An ERROR frame becomes its code (message in
 * c->errmsg) and the connection is dropped unless the stream stays in sync.
 */
static swsev_err read_frame(swsev_client *c, uint16_t want, int timeout_ms, uint8_t **body,
			    size_t *len)
{
	uint8_t hb[SWSEV_WIRE_HDR_LEN];
	struct swsev_wire_hdr h;
	uint8_t *b = NULL;
	swsev_err e;

	*body = NULL;
	*len = 0;
	if (read_full(c->fd, hb, sizeof(hb), timeout_ms) != 0) {
		swsev_client_seterr(c, "reading from swsevd: %s", strerror(errno));
		drop(c);
		return SWSEV_E_IO;
	}
	e = swsev_wire_hdr_decode(hb, sizeof(hb), SWSEV_SIDE_CLIENT, &h);
	if (e) {
		swsev_client_seterr(c, "swsevd sent a bad frame header: %s", swsev_strerror(e));
		drop(c);
		return SWSEV_E_PROTOCOL;
	}
	b = malloc(h.body_len ? h.body_len : 1);
	if (!b) {
		swsev_client_seterr(c, "out of memory for a %u-byte reply", h.body_len);
		drop(c);
		return SWSEV_E_NOMEM;
	}
	if (read_full(c->fd, b, h.body_len, timeout_ms) != 0) {
		swsev_client_seterr(c, "reading a reply body from swsevd: %s", strerror(errno));
		free(b);
		drop(c);
		return SWSEV_E_IO;
	}
	if (h.type == SWSEV_FRAME_ERROR) {
		int32_t code;
		char msg[SWSEV_WIRE_TEXT_MAX + 1];

		e = swsev_wire_error_decode(b, h.body_len, &code, msg, sizeof(msg));
		free(b);
		if (e) {
			swsev_client_seterr(c, "swsevd sent a malformed error frame");
			drop(c);
			return SWSEV_E_PROTOCOL;
		}
		swsev_client_seterr(c, "swsevd: %s", msg);
		/* Only an oversized reply leaves the stream in sync (protocol.md §6). */
		if (!(code == SWSEV_E_LENGTH && want == SWSEV_FRAME_RESPONSE))
			drop(c);
		if (code < SWSEV_E_UNSUPPORTED || code >= 0)
			return SWSEV_E_PROTOCOL;
		return (swsev_err)code;
	}
	if (h.type != want) {
		free(b);
		swsev_client_seterr(c, "swsevd sent frame type %u where %u was expected", h.type,
				    want);
		drop(c);
		return SWSEV_E_PROTOCOL;
	}
	*body = b;
	*len = h.body_len;
	return SWSEV_OK;
}

static swsev_err sock_call(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	uint8_t head[SWSEV_WIRE_HEAD_MAX];
	struct iovec iov[1 + SWSEV_REQ_BLOBS];
	uint8_t *body = NULL;
	size_t used, blen = 0;
	int n = 0;
	swsev_err e;

	if (c->fd < 0) {
		swsev_client_seterr(c, "the connection to swsevd is closed");
		return SWSEV_E_IO;
	}
	e = swsev_wire_req_head(req, head, sizeof(head), &used);
	if (e) {
		swsev_client_seterr(c, "request cannot be encoded: %s", swsev_strerror(e));
		return e;
	}
	iov[n].iov_base = head;
	iov[n++].iov_len = used;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++) {
		if (req->in[i].len) {
			iov[n].iov_base = req->in[i].p;
			iov[n++].iov_len = req->in[i].len;
		}
	}
	if (write_iov(c->fd, iov, n) != 0) {
		swsev_client_seterr(c, "writing to swsevd: %s", strerror(errno));
		drop(c);
		return SWSEV_E_IO;
	}
	/* No deadline: a command may legitimately run long (a large image). */
	e = read_frame(c, SWSEV_FRAME_RESPONSE, -1, &body, &blen);
	if (e)
		return e;
	e = swsev_wire_rsp_decode(body, blen, rsp);
	swsev_clear_free(body, blen);
	if (e) {
		swsev_client_seterr(c, "swsevd sent a malformed response: %s", swsev_strerror(e));
		drop(c);
		return SWSEV_E_PROTOCOL;
	}
	return SWSEV_OK;
}

static const struct swsev_client_ops sock_ops = { "socket", sock_call, NULL };

static swsev_err hello(swsev_client *c)
{
	uint8_t f[SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_HELLO_C_LEN];
	struct iovec iov;
	uint8_t *body = NULL;
	size_t blen = 0;
	uint32_t ver, max_body;
	swsev_err e;

	iov.iov_base = f;
	iov.iov_len = swsev_wire_hello_client(f, SWSEV_PROTO_VERSION, SWSEV_PROTO_VERSION);
	if (write_iov(c->fd, &iov, 1) != 0) {
		swsev_client_seterr(c, "writing HELLO: %s", strerror(errno));
		/* a daemon that refused us at once has left its reason queued */
		if (errno != EPIPE)
			return SWSEV_E_IO;
	}
	e = read_frame(c, SWSEV_FRAME_HELLO, HELLO_TIMEOUT_MS, &body, &blen);
	if (e)
		return e;
	e = swsev_wire_hello_daemon_decode(body, blen, &ver, &max_body, c->peer, sizeof(c->peer));
	free(body);
	if (e) {
		swsev_client_seterr(c, "malformed HELLO from the daemon: %s", swsev_strerror(e));
		return SWSEV_E_PROTOCOL;
	}
	if (ver != SWSEV_PROTO_VERSION) {
		swsev_client_seterr(c,
				    "the daemon chose protocol version %u; this client speaks %u",
				    ver, SWSEV_PROTO_VERSION);
		return SWSEV_E_VERSION;
	}
	return SWSEV_OK;
}

swsev_err swsev_client_connect_err(const char *path, swsev_client **out, char *errbuf,
				   size_t errlen)
{
	struct sockaddr_un sa;
	swsev_client *c = NULL;
	swsev_err e = SWSEV_E_INTERNAL;

	*out = NULL;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!path || !*path)
		path = getenv("SWSEV_SOCKET");
	if (!path || !*path) {
		if (errbuf)
			snprintf(errbuf, errlen,
				 "no daemon socket: pass --socket PATH or set SWSEV_SOCKET");
		return SWSEV_E_INVALID;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		if (errbuf)
			snprintf(errbuf, errlen, "%s: socket path longer than %zu bytes", path,
				 sizeof(sa.sun_path) - 1);
		return SWSEV_E_INVALID;
	}
	memcpy(sa.sun_path, path, strlen(path));
	c = swsev_client_alloc(&sock_ops);
	if (!c) {
		e = SWSEV_E_NOMEM;
		goto out;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		swsev_client_seterr(c, "%s: cannot connect: %s (is swsevd running?)", path,
				    strerror(errno));
		e = SWSEV_E_IO;
		goto out;
	}
	e = hello(c);
	if (e)
		goto out;
	*out = c;
	c = NULL;
out:
	if (c) {
		if (errbuf)
			snprintf(errbuf, errlen, "%s",
				 c->errmsg[0] ? c->errmsg : swsev_strerror(e));
		swsev_client_close(c);
	}
	return e;
}

swsev_err swsev_client_connect(const char *path, swsev_client **out)
{
	return swsev_client_connect_err(path, out, NULL, 0);
}
