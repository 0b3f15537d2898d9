/* The in-process transport: swsev_host_call without a socket. */
#include <string.h>

#include "client/client_int.h"

static swsev_err inproc_call(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	swsev_host_call(c->host, req, rsp);
	return SWSEV_OK;
}

static const struct swsev_client_ops inproc_ops = { "in-process", inproc_call, NULL };

swsev_err swsev_client_inproc(swsev_host *h, swsev_client **out)
{
	swsev_client *c;

	*out = NULL;
	if (!h)
		return SWSEV_E_INVALID;
	c = swsev_client_alloc(&inproc_ops);
	if (!c)
		return SWSEV_E_NOMEM;
	c->host = h;
	strcpy(c->peer, "in-process");
	*out = c;
	return SWSEV_OK;
}
