/*
 * One connection (docs/protocol.md): HELLO first, then REQUEST/RESPONSE one
 * at a time. Idle time between frames is unbounded, but once a frame has
 * begun the rest of it must arrive within --frame-timeout; a frame that
 * breaks the rules gets an ERROR and the connection ends. Request bodies
 * (which may carry guest plaintext for DBG_ENCRYPT or guest writes) are
 * wiped after the call; responses are wiped by swsev_rsp_clear.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "client/wire.h"
#include "swsev/crypto.h"
#include "swsev/status.h"
#include "swsevd.h"

static atomic_ulong conn_ids;

enum io_res { IO_OK = 0, IO_EOF, IO_TIMEOUT, IO_ERR, IO_WAKE };

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly n bytes before the deadline (-1: none); the wake pipe aborts. */
static enum io_res read_until(struct swsevd *d, int fd, uint8_t *buf, size_t n, int64_t deadline)
{
	while (n) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = d->wake[0], .events = POLLIN } };
		int left = -1, r;
		ssize_t got;

		if (deadline >= 0) {
			int64_t l = deadline - now_ms();

			if (l <= 0)
				return IO_TIMEOUT;
			left = (int)l;
		}
		r = poll(p, 2, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return IO_ERR;
		if (r == 0)
			return IO_TIMEOUT;
		if ((p[1].revents & POLLIN) && !(p[0].revents & (POLLIN | POLLHUP)))
			return IO_WAKE;
		got = recv(fd, buf, n, MSG_DONTWAIT);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0)
			return IO_ERR;
		if (got == 0)
			return IO_EOF;
		buf += got;
		n -= (size_t)got;
	}
	return IO_OK;
}

/* Writes all of iov; each wait for the peer to make room is bounded. */
static enum io_res write_iov(int fd, struct iovec *iov, int n, unsigned timeout_ms)
{
	while (n > 0) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		size_t left;

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int r = poll(&p, 1, (int)timeout_ms);

			if (r == 0)
				return IO_TIMEOUT;
			if (r < 0 && errno != EINTR)
				return IO_ERR;
			continue;
		}
		if (w < 0)
			return IO_ERR;
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
	return IO_OK;
}

void swsevd_conn_send_error(int fd, swsev_err code, const char *msg)
{
	uint8_t f[SWSEV_WIRE_SMALL_MAX];
	size_t n = swsev_wire_error(f, code, msg);
	struct iovec iov = { f, n };

	(void)write_iov(fd, &iov, 1, 1000);
}

static const char *op_name(uint32_t op)
{
	static const char *names[] = {
		"?",          "HELLO",       "SEV_IOCTL",      "VM_CREATE", "VM_DESTROY",
		"KVM",        "VM_WRITE",    "VM_READ",        "VM_LIST",   "VM_INFO",
		"GUEST_READ", "GUEST_WRITE", "PLATFORM_CERTS", "VM_LOOKUP", "FW_COMMAND"
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

/* Runs one decoded request and writes the reply; 0 to keep the connection. */
static int do_request(struct swsevd *d, unsigned long id, int fd, const struct swsev_req *req)
{
	uint8_t head[SWSEV_WIRE_HEAD_MAX];
	struct iovec iov[1 + SWSEV_REQ_BLOBS];
	struct swsev_rsp rsp;
	size_t used = 0;
	int64_t t0 = now_ms();
	enum io_res r;
	swsev_err e;
	int n = 0;

	memset(&rsp, 0, sizeof(rsp));
	swsev_host_call(d->host, req, &rsp);
	log_debug("conn %lu: %s cmd %u vm %u -> err %d fw 0x%x (%lld ms)", id, op_name(req->op),
		  req->cmd, req->vm, rsp.err, rsp.fw_error, (long long)(now_ms() - t0));
	/* HWERROR_PLATFORM is how the firmware reports that its NV store
	 * failed; the operator needs the reason (a full disk, a read-only
	 * directory), which only the storage ops know */
	if (rsp.fw_error == SEV_STATUS_HWERROR_PLATFORM && d->nv_ops &&
	    swsev_fw_ops_last_error(d->nv_ops)[0])
		log_err("conn %lu: %s cmd %u: the platform state could not be stored: %s", id,
			op_name(req->op), req->cmd, swsev_fw_ops_last_error(d->nv_ops));
	e = swsev_wire_rsp_head(&rsp, head, sizeof(head), &used);
	if (e) {
		log_warn("conn %lu: the reply to %s cannot be sent: %s", id, op_name(req->op),
			 swsev_strerror(e));
		swsev_rsp_clear(&rsp);
		swsevd_conn_send_error(fd, SWSEV_E_LENGTH,
				       "the reply is larger than the protocol allows");
		return 0;
	}
	iov[n].iov_base = head;
	iov[n++].iov_len = used;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++) {
		if (rsp.out[i].len) {
			iov[n].iov_base = rsp.out[i].p;
			iov[n++].iov_len = rsp.out[i].len;
		}
	}
	r = write_iov(fd, iov, n, d->opts->frame_timeout_ms);
	swsev_rsp_clear(&rsp);
	if (r != IO_OK) {
		log_info("conn %lu: the client left before its %s reply was written", id,
			 op_name(req->op));
		return -1;
	}
	return 0;
}

static int is_stopping(struct swsevd *d)
{
	int s;

	pthread_mutex_lock(&d->mu);
	s = d->stopping;
	pthread_mutex_unlock(&d->mu);
	return s;
}

/*
 * A frame-level failure: log, ERROR frame, then a lingering close. Closing
 * a Unix socket with unread input makes the peer's next read fail with
 * ECONNRESET before it sees our ERROR; so we stop writing and discard what
 * the peer still sends, for a short bounded time, until it closes.
 */
void swsevd_conn_linger(int fd, swsev_err code, const char *why)
{
	uint8_t sink[4096];
	int64_t until = now_ms() + 250;
	size_t total = 0;

	swsevd_conn_send_error(fd, code, why);
	if (shutdown(fd, SHUT_WR) != 0)
		return;
	while (total < (1u << 20)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = until - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			break;
		if (n > 0)
			total += (size_t)n;
	}
}

static void refuse(unsigned long id, int fd, swsev_err code, const char *why)
{
	log_info("conn %lu: %s; closing", id, why);
	swsevd_conn_linger(fd, code, why);
}

void swsevd_conn_serve(struct swsevd *d, int fd)
{
	unsigned long id = atomic_fetch_add(&conn_ids, 1) + 1;
	unsigned tmo = d->opts->frame_timeout_ms;
	int hello_done = 0;
	char why[160];

	log_debug("conn %lu: open", id);
	for (;;) {
		uint8_t hb[SWSEV_WIRE_HDR_LEN];
		struct swsev_wire_hdr h;
		uint8_t *body = NULL;
		enum io_res r;
		swsev_err e;
		int64_t deadline;

		if (is_stopping(d))
			break;
		/* idle: wait for a frame's first byte (or shutdown) */
		r = read_until(d, fd, hb, 1, -1);
		if (r == IO_EOF || r == IO_WAKE || r == IO_ERR)
			break;
		deadline = now_ms() + tmo;
		r = read_until(d, fd, hb + 1, sizeof(hb) - 1, deadline);
		if (r == IO_TIMEOUT) {
			snprintf(why, sizeof(why), "frame header incomplete after %u ms", tmo);
			refuse(id, fd, SWSEV_E_TRUNCATED, why);
			break;
		}
		if (r != IO_OK) {
			log_info("conn %lu: the client left in the middle of a frame header", id);
			break;
		}
		e = swsev_wire_hdr_decode(hb, sizeof(hb), SWSEV_SIDE_DAEMON, &h);
		if (e) {
			snprintf(why, sizeof(why),
				 "bad frame header: %s (magic 0x%08x, version %u, type %u, "
				 "flags 0x%x, body %u)",
				 swsev_strerror(e), h.magic, h.version, h.type, h.flags,
				 h.body_len);
			refuse(id, fd,
			       e == SWSEV_E_VERSION ? SWSEV_E_VERSION :
			       e == SWSEV_E_LENGTH  ? SWSEV_E_LENGTH :
						      SWSEV_E_PROTOCOL,
			       why);
			break;
		}
		if (!hello_done && h.type != SWSEV_FRAME_HELLO) {
			refuse(id, fd, SWSEV_E_PROTOCOL, "the first frame must be HELLO");
			break;
		}
		if (hello_done && h.type == SWSEV_FRAME_HELLO) {
			refuse(id, fd, SWSEV_E_PROTOCOL, "a second HELLO on one connection");
			break;
		}
		body = malloc(h.body_len);
		if (!body) {
			refuse(id, fd, SWSEV_E_NOMEM, "out of memory for the frame body");
			break;
		}
		r = read_until(d, fd, body, h.body_len, deadline);
		if (r != IO_OK) {
			if (r == IO_TIMEOUT) {
				snprintf(why, sizeof(why),
					 "frame body (%u bytes) incomplete after %u ms", h.body_len,
					 tmo);
				refuse(id, fd, SWSEV_E_TRUNCATED, why);
			} else {
				log_info("conn %lu: the client left in the middle of a frame", id);
			}
			swsev_clear_free(body, h.body_len);
			break;
		}
		if (h.type == SWSEV_FRAME_HELLO) {
			uint32_t lo, hi;
			uint8_t f[SWSEV_WIRE_SMALL_MAX];
			struct iovec iov;

			e = swsev_wire_hello_client_decode(body, h.body_len, &lo, &hi);
			free(body);
			if (e) {
				refuse(id, fd, SWSEV_E_PROTOCOL, "malformed HELLO");
				break;
			}
			if (lo > SWSEV_PROTO_VERSION || hi < SWSEV_PROTO_VERSION) {
				snprintf(why, sizeof(why),
					 "no common protocol version: client %u..%u, daemon %u", lo,
					 hi, SWSEV_PROTO_VERSION);
				refuse(id, fd, SWSEV_E_VERSION, why);
				break;
			}
			iov.iov_base = f;
			iov.iov_len = swsev_wire_hello_daemon(f, SWSEV_PROTO_VERSION,
							      SWSEV_WIRE_BODY_MAX, d->hello);
			if (write_iov(fd, &iov, 1, tmo) != IO_OK)
				break;
			hello_done = 1;
			continue;
		} else {
			struct swsev_req req;
			int rc;

			e = swsev_wire_req_decode(body, h.body_len, &req);
			if (e) {
				snprintf(why, sizeof(why), "malformed REQUEST body (%u bytes): %s",
					 h.body_len, swsev_strerror(e));
				refuse(id, fd, SWSEV_E_PROTOCOL, why);
				swsev_clear_free(body, h.body_len);
				break;
			}
			rc = do_request(d, id, fd, &req);
			swsev_wipe(&req, sizeof(req));
			swsev_clear_free(body, h.body_len);
			if (rc != 0)
				break;
		}
	}
	log_debug("conn %lu: closed", id);
}
