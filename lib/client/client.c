/* swsev_client: dispatch over the transport table (client_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client_int.h"

swsev_client *swsev_client_alloc(const struct swsev_client_ops *ops)
{
	swsev_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->ops = ops;
	c->fd = -1;
	c->fd_rw = -1;
	return c;
}

void swsev_client_seterr(swsev_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
}

swsev_err swsev_client_call(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	swsev_err e;

	memset(rsp, 0, sizeof(*rsp));
	if (!c || !req)
		return SWSEV_E_INVALID;
	pthread_mutex_lock(&c->lock);
	c->errmsg[0] = '\0';
	e = c->ops->call(c, req, rsp);
	pthread_mutex_unlock(&c->lock);
	return e;
}

void swsev_client_close(swsev_client *c)
{
	if (!c)
		return;
	if (c->ops->close)
		c->ops->close(c);
	if (c->fd >= 0)
		close(c->fd);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

const char *swsev_client_error(const swsev_client *c)
{
	return c ? c->errmsg : "";
}

const char *swsev_client_peer(const swsev_client *c)
{
	return c ? c->peer : "";
}
