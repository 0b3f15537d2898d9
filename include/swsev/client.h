/*
 * Clients reach a platform through one small transport table
 * (DESIGN.md "fronts"): in-process (tests, benchmarks), the daemon's Unix
 * socket (docs/protocol.md), or a real /dev/sev where one exists (platform
 * commands only). Every transport carries the same swsev_req/swsev_rsp as
 * include/swsev/host.h.
 */
#ifndef SWSEV_CLIENT_H
#define SWSEV_CLIENT_H

#include <stddef.h>

#include "swsev/error.h"
#include "swsev/host.h"

typedef struct swsev_client swsev_client;

/* The daemon's socket (docs/protocol.md): connects and exchanges HELLO.
 * path NULL: $SWSEV_SOCKET. Errors: SWSEV_E_INVALID (no path, or too long),
 * SWSEV_E_IO (connect failed: errno kept), SWSEV_E_PROTOCOL / SWSEV_E_VERSION
 * (not a swsevd, or no common version), SWSEV_E_PERM (the daemon refused
 * our credentials), SWSEV_E_NOMEM. Nothing is printed; the reason is
 * available from swsev_client_connect_err. */
swsev_err swsev_client_connect(const char *path, swsev_client **out) SWSEV_MUST_CHECK;
/* Same, with the reason for a failure written to errbuf (may be NULL). */
swsev_err swsev_client_connect_err(const char *path, swsev_client **out, char *errbuf,
				   size_t errlen) SWSEV_MUST_CHECK;
/* In-process: calls swsev_host_call directly (the host must outlive the client). */
swsev_err swsev_client_inproc(swsev_host *h, swsev_client **out) SWSEV_MUST_CHECK;
/* A real SEV device node (e.g. "/dev/sev"): SWSEV_OP_SEV_IOCTL only. */
swsev_err swsev_client_device(const char *path, swsev_client **out) SWSEV_MUST_CHECK;

/* One call. Returns SWSEV_OK when the call was carried (then look at
 * rsp->err and rsp->fw_error; release rsp with swsev_rsp_clear), or a
 * transport error (rsp zeroed; see swsev_client_error). Thread-safe: calls
 * on one client are serialized (one request at a time per connection). */
swsev_err swsev_client_call(swsev_client *c, const struct swsev_req *req,
			    struct swsev_rsp *rsp) SWSEV_MUST_CHECK;
void swsev_client_close(swsev_client *c);

/* The reason of the last transport error (the daemon's ERROR message, or
 * what broke locally); "" if none. Valid until the next call. */
const char *swsev_client_error(const swsev_client *c);
/* What the other side calls itself: the daemon's HELLO text
 * ("swsevd 0.1.0 genoa"), "in-process", or the device path. */
const char *swsev_client_peer(const swsev_client *c);

#endif
