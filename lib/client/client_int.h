/* The transport table behind swsev_client (internal to lib/client). */
#ifndef SWSEV_LIB_CLIENT_INT_H
#define SWSEV_LIB_CLIENT_INT_H

#include <pthread.h>

#include "swsev/client.h"

struct swsev_client_ops {
	const char *name;
	/* Carries one call; on a transport error, set c->errmsg. */
	swsev_err (*call)(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp);
	void (*close)(swsev_client *c);
};

struct swsev_client {
	const struct swsev_client_ops *ops;
	pthread_mutex_t lock; /* one request at a time */
	int fd;               /* socket or device (read-only); -1 for in-process */
	int fd_rw;            /* device opened for writing, or -1 */
	swsev_host *host;     /* in-process */
	char peer[257];
	char errmsg[320];
};

/* Allocates a client with fd = -1 and the given ops. */
swsev_client *swsev_client_alloc(const struct swsev_client_ops *ops);
void swsev_client_seterr(swsev_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
