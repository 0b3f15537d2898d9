/*
 * The device transport: a real /dev/sev (linux-abi.md §1-§3). Only
 * SWSEV_OP_SEV_IOCTL: the request's struct gets real pointers to local
 * copies of its blobs, SEV_ISSUE_CMD runs, and the kernel's write-back
 * becomes the response (pointers cleared again).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client/client_int.h"
#include "client/sevabi.h"
#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsev/psp-sev.h"

/* Local buffers are at least this big when the struct asks for more than
 * the blob carries, so the kernel never writes past them. */
#define DEV_BUF_MAX (64u * 1024)

static swsev_err dev_call(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	const struct swsev_sevabi_cmd *d;
	uint8_t arg[SWSEV_REQ_ARG_MAX];
	uint8_t ic[sizeof(struct sev_issue_cmd)];
	uint8_t *buf[2] = { NULL, NULL };
	size_t cap[2] = { 0, 0 };
	swsev_err e = SWSEV_E_INTERNAL;
	int r;

	if (req->op != SWSEV_OP_SEV_IOCTL) {
		swsev_client_seterr(c, "a SEV device only carries /dev/sev commands (op %u)",
				    req->op);
		return SWSEV_E_UNSUPPORTED;
	}
	d = swsev_sevabi_find(req->cmd);
	if (!d || req->arg_len != d->arg_len) {
		rsp->err = -EINVAL;
		rsp->fw_error = SEV_RET_NO_FW_CALL;
		return SWSEV_OK;
	}
	memcpy(arg, req->arg, req->arg_len);
	for (int i = 0; i < d->nptr; i++) {
		const struct swsev_sevabi_ptr *p = &d->ptr[i];
		uint32_t want = swsev_le32(arg + p->len_off);

		swsev_wle64(arg + p->addr_off, 0);
		if (!req->in[i].present)
			continue;
		cap[i] = req->in[i].len;
		if (want > cap[i])
			cap[i] = want > DEV_BUF_MAX ? DEV_BUF_MAX : want;
		buf[i] = calloc(1, cap[i] ? cap[i] : 1);
		if (!buf[i]) {
			e = SWSEV_E_NOMEM;
			goto out;
		}
		if (req->in[i].len)
			memcpy(buf[i], req->in[i].p, req->in[i].len);
		/* The kernel would fault past a short user buffer: say so, as it would. */
		if (want > cap[i]) {
			rsp->err = -EFAULT;
			rsp->fw_error = SEV_RET_NO_FW_CALL;
			e = SWSEV_OK;
			goto out;
		}
		swsev_wle64(arg + p->addr_off, (uint64_t)(uintptr_t)buf[i]);
	}
	swsev_wle32(ic, req->cmd);
	swsev_wle64(ic + 4, d->arg_len ? (uint64_t)(uintptr_t)arg : 0);
	swsev_wle32(ic + 12, 0);
	/* The request's WRITABLE flag picks the descriptor; the kernel then
	 * refuses state changes on the read-only one itself (-EPERM). */
	r = ioctl((req->flags & SWSEV_REQ_WRITABLE) && c->fd_rw >= 0 ? c->fd_rw : c->fd,
		  SEV_ISSUE_CMD, ic);
	rsp->err = r < 0 ? -errno : 0;
	rsp->fw_error = swsev_le32(ic + 12);
	rsp->arg_len = d->arg_len;
	memcpy(rsp->arg, arg, d->arg_len);
	for (int i = 0; i < d->nptr; i++) {
		const struct swsev_sevabi_ptr *p = &d->ptr[i];
		uint32_t got = swsev_le32(arg + p->len_off);

		swsev_wle64(rsp->arg + p->addr_off, 0);
		if (!buf[i] || p->copy_in)
			continue;
		rsp->out[i].present = 1;
		if (got > cap[i])
			got = (uint32_t)cap[i];
		if (got) {
			rsp->out[i].p = malloc(got);
			if (!rsp->out[i].p) {
				e = SWSEV_E_NOMEM;
				goto out;
			}
			memcpy(rsp->out[i].p, buf[i], got);
			rsp->out[i].len = got;
		}
	}
	e = SWSEV_OK;
out:
	for (int i = 0; i < 2; i++)
		swsev_clear_free(buf[i], cap[i] ? cap[i] : 1);
	swsev_wipe(arg, sizeof(arg));
	if (e) {
		for (int i = 0; i < SWSEV_REQ_BLOBS; i++)
			swsev_clear_free(rsp->out[i].p, rsp->out[i].len);
		memset(rsp, 0, sizeof(*rsp));
		swsev_client_seterr(c, "%s: %s", c->peer, swsev_strerror(e));
	}
	return e;
}

static void dev_close(swsev_client *c)
{
	if (c->fd_rw >= 0)
		close(c->fd_rw);
	c->fd_rw = -1;
}

static const struct swsev_client_ops dev_ops = { "device", dev_call, dev_close };

swsev_err swsev_client_device(const char *path, swsev_client **out)
{
	swsev_client *c;

	*out = NULL;
	if (!path || !*path)
		path = "/dev/sev";
	c = swsev_client_alloc(&dev_ops);
	if (!c)
		return SWSEV_E_NOMEM;
	snprintf(c->peer, sizeof(c->peer), "%s", path);
	/* Two descriptors, as a caller may ask for either (SWSEV_REQ_WRITABLE). */
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		int e = errno;

		swsev_client_close(c);
		return e == EACCES || e == EPERM ? SWSEV_E_PERM : SWSEV_E_IO;
	}
	c->fd_rw = open(path, O_RDWR | O_CLOEXEC);
	*out = c;
	return SWSEV_OK;
}
