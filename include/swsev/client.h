/*
 * Clients reach a platform through one small transport table
 * (DESIGN.md "fronts"): in-process (tests, benchmarks), the daemon's Unix
 * socket (docs/protocol.md), or a real /dev/sev where one exists (platform
 * commands only). Every transport carries the same swsev_req/swsev_rsp as
 * include/swsev/host.h.
 */
#ifndef SWSEV_CLIENT_H
#define SWSEV_CLIENT_H

#include "swsev/error.h"
#include "swsev/host.h"

typedef struct swsev_client swsev_client;

/* The daemon's socket. path NULL: $SWSEV_SOCKET. */
swsev_err swsev_client_connect(const char *path, swsev_client **out) SWSEV_MUST_CHECK;
/* In-process: calls swsev_host_call directly (the host must outlive the client). */
swsev_err swsev_client_inproc(swsev_host *h, swsev_client **out) SWSEV_MUST_CHECK;
/* A real SEV device node (e.g. "/dev/sev"): SWSEV_OP_SEV_IOCTL only. */
swsev_err swsev_client_device(const char *path, swsev_client **out) SWSEV_MUST_CHECK;

/* One call. Returns SWSEV_OK when the call was carried (then look at
 * rsp->err and rsp->fw_error), or a transport error. */
swsev_err swsev_client_call(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp) SWSEV_MUST_CHECK;
void swsev_client_close(swsev_client *c);

#endif
