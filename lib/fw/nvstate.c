/*
 * The firmware's non-volatile state: encoding (docs/state-format.md) and the
 * built-in storage ops (a directory with atomic replace, or memory).
 *
 * Layout (all integers little-endian):
 *   0x00  8  magic "SWSEV-NV"
 *   0x08  2  format version (1)
 *   0x0A  2  minimum reader version (1)
 *   0x0C  4  body length B
 *   0x10  B  body (see fw_nv_encode)
 *   +B   32  tag = SHA-256 of bytes [0, 0x10 + B)
 * The tag detects corruption and truncation; it is not a MAC (anyone who
 * can write the file can recompute it; see docs/state-format.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

#define NV_MAGIC "SWSEV-NV"
#define NV_VERSION 1
#define NV_MIN_READER 1
#define NV_HDR 16
#define NV_TAG 32
#define NV_MAX (64u * 1024u) /* hard cap for a state blob */
#define NV_FILE "nvstate.bin"

#define NVF_IDENT 0x01u
#define NVF_OWNER_EXT 0x02u
#define NVF_OCA_PRIV 0x04u

swsev_err fw_nv_encode(const struct fw_nv *nv, uint8_t **out, size_t *len)
{
	size_t name_len = strnlen(nv->profile, sizeof(nv->profile));
	size_t cap = NV_HDR + NV_TAG + 1 + name_len + 32 + SWSEV_CERT_LEN + 4 + nv->ask_len +
		     nv->ark_len + 1 + 3 * (48 + SWSEV_CERT_LEN);
	struct swsev_wbuf w;
	uint8_t *buf = NULL;
	uint8_t flags = 0;
	swsev_err r = SWSEV_E_INTERNAL;

	*out = NULL;
	*len = 0;
	if (name_len == 0 || name_len >= sizeof(nv->profile) || nv->ask_len > 0xffff ||
	    nv->ark_len > 0xffff)
		return SWSEV_E_INVALID;
	buf = calloc(1, cap);
	if (buf == NULL)
		return SWSEV_E_NOMEM;
	if (nv->have_ident)
		flags |= NVF_IDENT;
	if (nv->have_ident && nv->owner_ext)
		flags |= NVF_OWNER_EXT;
	if (nv->have_ident && nv->have_oca_priv)
		flags |= NVF_OCA_PRIV;
	swsev_wbuf_init(&w, buf, cap);
	(void)swsev_put_bytes(&w, NV_MAGIC, 8);
	(void)swsev_put_u16(&w, NV_VERSION);
	(void)swsev_put_u16(&w, NV_MIN_READER);
	(void)swsev_put_u32(&w, 0); /* body length, patched below */
	(void)swsev_put_u8(&w, (uint8_t)name_len);
	(void)swsev_put_bytes(&w, nv->profile, name_len);
	(void)swsev_put_bytes(&w, nv->chip_secret, 32);
	(void)swsev_put_bytes(&w, nv->cek_signed, SWSEV_CERT_LEN);
	(void)swsev_put_u16(&w, (uint16_t)nv->ask_len);
	(void)swsev_put_bytes(&w, nv->ask, nv->ask_len);
	(void)swsev_put_u16(&w, (uint16_t)nv->ark_len);
	(void)swsev_put_bytes(&w, nv->ark, nv->ark_len);
	(void)swsev_put_u8(&w, flags);
	if (flags & NVF_IDENT) {
		if (flags & NVF_OCA_PRIV)
			(void)swsev_put_bytes(&w, nv->oca_d, 48);
		(void)swsev_put_bytes(&w, nv->oca_cert, SWSEV_CERT_LEN);
		(void)swsev_put_bytes(&w, nv->pek_d, 48);
		(void)swsev_put_bytes(&w, nv->pek_cert, SWSEV_CERT_LEN);
		(void)swsev_put_bytes(&w, nv->pdh_d, 48);
		(void)swsev_put_bytes(&w, nv->pdh_cert, SWSEV_CERT_LEN);
	}
	if (w.err != SWSEV_OK || w.off + NV_TAG > cap)
		goto out;
	swsev_wle32(buf + 12, (uint32_t)(w.off - NV_HDR));
	r = swsev_sha256(buf, w.off, buf + w.off);
	if (r != SWSEV_OK)
		goto out;
	*len = w.off + NV_TAG;
	*out = buf;
	buf = NULL;
out:
	swsev_clear_free(buf, cap);
	return r;
}

swsev_err fw_nv_decode(const uint8_t *buf, size_t len, struct fw_nv *nv)
{
	struct swsev_cur c;
	uint8_t tag[32], name_len = 0, flags = 0;
	uint16_t ver, minr, ask_len = 0, ark_len = 0;
	uint32_t body_len;
	swsev_err r;

	memset(nv, 0, sizeof(*nv));
	/* Integrity first: nothing of the body is trusted before the tag. */
	if (len < NV_HDR + NV_TAG || len > NV_MAX)
		return SWSEV_E_INTEGRITY;
	if (memcmp(buf, NV_MAGIC, 8) != 0)
		return SWSEV_E_INTEGRITY;
	body_len = swsev_le32(buf + 12);
	if ((size_t)body_len != len - NV_HDR - NV_TAG)
		return SWSEV_E_INTEGRITY;
	r = swsev_sha256(buf, len - NV_TAG, tag);
	if (r != SWSEV_OK)
		return r;
	if (!swsev_ct_equal(tag, buf + len - NV_TAG, NV_TAG))
		return SWSEV_E_INTEGRITY;
	ver = swsev_le16(buf + 8);
	minr = swsev_le16(buf + 10);
	if (minr > NV_VERSION || ver < minr)
		return SWSEV_E_VERSION;

	swsev_cur_init(&c, buf + NV_HDR, body_len);
	if (swsev_cur_u8(&c, &name_len) != SWSEV_OK || name_len == 0 ||
	    name_len >= sizeof(nv->profile) ||
	    swsev_cur_bytes(&c, nv->profile, name_len) != SWSEV_OK ||
	    swsev_cur_bytes(&c, nv->chip_secret, 32) != SWSEV_OK ||
	    swsev_cur_bytes(&c, nv->cek_signed, SWSEV_CERT_LEN) != SWSEV_OK ||
	    swsev_cur_u16(&c, &ask_len) != SWSEV_OK || ask_len > SWSEV_AMD_CERT_MAX ||
	    swsev_cur_bytes(&c, nv->ask, ask_len) != SWSEV_OK ||
	    swsev_cur_u16(&c, &ark_len) != SWSEV_OK || ark_len > SWSEV_AMD_CERT_MAX ||
	    swsev_cur_bytes(&c, nv->ark, ark_len) != SWSEV_OK ||
	    swsev_cur_u8(&c, &flags) != SWSEV_OK ||
	    (flags & ~(NVF_IDENT | NVF_OWNER_EXT | NVF_OCA_PRIV)) != 0)
		goto fmt;
	if (flags & NVF_IDENT) {
		if ((flags & NVF_OCA_PRIV) && swsev_cur_bytes(&c, nv->oca_d, 48) != SWSEV_OK)
			goto fmt;
		if (swsev_cur_bytes(&c, nv->oca_cert, SWSEV_CERT_LEN) != SWSEV_OK ||
		    swsev_cur_bytes(&c, nv->pek_d, 48) != SWSEV_OK ||
		    swsev_cur_bytes(&c, nv->pek_cert, SWSEV_CERT_LEN) != SWSEV_OK ||
		    swsev_cur_bytes(&c, nv->pdh_d, 48) != SWSEV_OK ||
		    swsev_cur_bytes(&c, nv->pdh_cert, SWSEV_CERT_LEN) != SWSEV_OK)
			goto fmt;
	} else if (flags) {
		goto fmt;
	}
	if (swsev_cur_end(&c) != SWSEV_OK)
		goto fmt;
	nv->ask_len = ask_len;
	nv->ark_len = ark_len;
	nv->have_ident = !!(flags & NVF_IDENT);
	nv->owner_ext = !!(flags & NVF_OWNER_EXT);
	nv->have_oca_priv = !!(flags & NVF_OCA_PRIV);
	if (!nv->have_ident)
		return SWSEV_OK;
	if (!nv->owner_ext && !nv->have_oca_priv)
		goto fmt;
	return SWSEV_OK;
fmt:
	swsev_wipe(nv, sizeof(*nv));
	return SWSEV_E_FORMAT;
}

swsev_err fw_nv_save(swsev_fw *fw)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	swsev_err r = fw_nv_encode(&fw->nv, &buf, &len);
	if (r == SWSEV_OK)
		r = fw->ops.nv_store(fw->ops.ctx, buf, len);
	swsev_clear_free(buf, len);
	return r;
}

swsev_err fw_nv_load(swsev_fw *fw, struct fw_nv *nv)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	swsev_err r = fw->ops.nv_load(fw->ops.ctx, &buf, &len);
	if (r == SWSEV_OK)
		r = fw_nv_decode(buf, len, nv);
	swsev_clear_free(buf, len);
	return r;
}

/* ---- built-in ops ---- */

struct ops_ctx {
	pthread_mutex_t mu;
	char *dir; /* NULL: in memory */
	uint8_t *blob;
	size_t blob_len;
	int det;
	uint8_t seed[32];
	uint64_t ctr;
	char err[4608];
};

static void ctx_err(struct ops_ctx *x, const char *what, const char *path, int e)
{
	snprintf(x->err, sizeof(x->err), "%s %s: %s", what, path, strerror(e));
}

static swsev_err file_load(void *ctx, uint8_t **buf, size_t *len)
{
	struct ops_ctx *x = ctx;
	char path[4096];
	struct stat st;
	uint8_t *b = NULL;
	size_t got = 0;
	int fd = -1;
	swsev_err r = SWSEV_E_IO;

	*buf = NULL;
	*len = 0;
	memset(&st, 0, sizeof(st));
	pthread_mutex_lock(&x->mu);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", x->dir, NV_FILE) >= sizeof(path)) {
		r = SWSEV_E_INVALID;
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT) {
			r = SWSEV_E_NOTFOUND;
			goto out;
		}
		ctx_err(x, "open", path, errno);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		ctx_err(x, "stat", path, errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > NV_MAX) {
		snprintf(x->err, sizeof(x->err), "%s: not a regular file of at most %u bytes", path,
			 NV_MAX);
		r = SWSEV_E_INTEGRITY;
		goto out;
	}
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ctx_err(x, "read", path, errno);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*buf = b;
	*len = got;
	b = NULL;
	r = SWSEV_OK;
out:
	if (fd >= 0)
		close(fd);
	swsev_clear_free(b, (size_t)st.st_size);
	pthread_mutex_unlock(&x->mu);
	return r;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* temp file in the same directory, write, fsync, rename, fsync the directory.
 * The temp file has one fixed name: the state directory has a single writer
 * (the daemon holds its lock), and a write interrupted by a crash leaves at
 * most this one file behind, overwritten (O_TRUNC) by the next store — a
 * per-process name would pile up one stale copy of the keys per crash. */
static swsev_err file_store(void *ctx, const uint8_t *buf, size_t len)
{
	struct ops_ctx *x = ctx;
	char path[4096], tmp[4200];
	int fd = -1, dfd = -1;
	swsev_err r = SWSEV_E_IO;

	pthread_mutex_lock(&x->mu);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", x->dir, NV_FILE) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		r = SWSEV_E_INVALID;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ctx_err(x, "create", tmp, errno);
		goto out;
	}
	if (fchmod(fd, 0600) != 0) {
		ctx_err(x, "chmod", tmp, errno);
		goto fail;
	}
	if (write_all(fd, buf, len) != 0) {
		ctx_err(x, "write", tmp, errno);
		goto fail;
	}
	if (fsync(fd) != 0) {
		ctx_err(x, "fsync", tmp, errno);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		ctx_err(x, "close", tmp, errno);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		ctx_err(x, "rename", path, errno);
		goto fail;
	}
	dfd = open(x->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		/* the new state is in place; only its durability is in doubt */
		ctx_err(x, "fsync directory", x->dir, errno);
		goto out;
	}
	x->err[0] = '\0';
	r = SWSEV_OK;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	fd = -1;
	(void)unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	pthread_mutex_unlock(&x->mu);
	return r;
}

static swsev_err mem_load(void *ctx, uint8_t **buf, size_t *len)
{
	struct ops_ctx *x = ctx;
	swsev_err r = SWSEV_E_NOTFOUND;

	*buf = NULL;
	*len = 0;
	pthread_mutex_lock(&x->mu);
	if (x->blob != NULL) {
		*buf = malloc(x->blob_len ? x->blob_len : 1);
		if (*buf == NULL) {
			r = SWSEV_E_NOMEM;
		} else {
			memcpy(*buf, x->blob, x->blob_len);
			*len = x->blob_len;
			r = SWSEV_OK;
		}
	}
	pthread_mutex_unlock(&x->mu);
	return r;
}

static swsev_err mem_store(void *ctx, const uint8_t *buf, size_t len)
{
	struct ops_ctx *x = ctx;
	uint8_t *b = malloc(len ? len : 1);

	if (b == NULL)
		return SWSEV_E_NOMEM;
	memcpy(b, buf, len);
	pthread_mutex_lock(&x->mu);
	swsev_clear_free(x->blob, x->blob_len);
	x->blob = b;
	x->blob_len = len;
	pthread_mutex_unlock(&x->mu);
	return SWSEV_OK;
}

/* Deterministic generator for tests: block i = HMAC-SHA256(seed, u64le(i)). */
static swsev_err det_random(void *ctx, void *buf, size_t len)
{
	struct ops_ctx *x = ctx;
	uint8_t *p = buf, blk[32], ctr[8];
	swsev_err r = SWSEV_OK;

	pthread_mutex_lock(&x->mu);
	while (len > 0 && r == SWSEV_OK) {
		size_t n = len < sizeof(blk) ? len : sizeof(blk);
		swsev_wle64(ctr, x->ctr++);
		r = swsev_hmac_sha256(x->seed, sizeof(x->seed), ctr, sizeof(ctr), blk);
		memcpy(p, blk, n);
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&x->mu);
	swsev_wipe(blk, sizeof(blk));
	return r;
}

static int ops_is_builtin(const struct swsev_fw_ops *ops)
{
	return ops != NULL && ops->ctx != NULL &&
	       (ops->nv_load == file_load || ops->nv_load == mem_load);
}

static swsev_err ops_init(struct swsev_fw_ops *ops, const char *dir)
{
	struct ops_ctx *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return SWSEV_E_NOMEM;
	if (dir != NULL && (x->dir = strdup(dir)) == NULL) {
		free(x);
		return SWSEV_E_NOMEM;
	}
	pthread_mutex_init(&x->mu, NULL);
	memset(ops, 0, sizeof(*ops));
	ops->size = sizeof(*ops);
	ops->ctx = x;
	ops->nv_load = dir ? file_load : mem_load;
	ops->nv_store = dir ? file_store : mem_store;
	ops->random = NULL;
	return SWSEV_OK;
}

swsev_err swsev_nvfile_ops(const char *dir, struct swsev_fw_ops *ops)
{
	struct stat st;

	if (dir == NULL || ops == NULL || *dir == '\0')
		return SWSEV_E_INVALID;
	if (stat(dir, &st) != 0)
		return errno == ENOENT ? SWSEV_E_NOTFOUND : SWSEV_E_IO;
	if (!S_ISDIR(st.st_mode))
		return SWSEV_E_INVALID;
	return ops_init(ops, dir);
}

swsev_err swsev_nvmem_ops(struct swsev_fw_ops *ops)
{
	if (ops == NULL)
		return SWSEV_E_INVALID;
	return ops_init(ops, NULL);
}

swsev_err swsev_fw_ops_deterministic(struct swsev_fw_ops *ops, const void *seed, size_t seedlen)
{
	struct ops_ctx *x;

	if (!ops_is_builtin(ops) || seed == NULL)
		return SWSEV_E_INVALID;
	x = ops->ctx;
	pthread_mutex_lock(&x->mu);
	swsev_err r = swsev_sha256(seed, seedlen, x->seed);
	x->ctr = 0;
	x->det = 1;
	pthread_mutex_unlock(&x->mu);
	if (r == SWSEV_OK)
		ops->random = det_random;
	return r;
}

const char *swsev_fw_ops_last_error(const struct swsev_fw_ops *ops)
{
	if (!ops_is_builtin(ops))
		return "";
	return ((struct ops_ctx *)ops->ctx)->err;
}

void swsev_fw_ops_release(struct swsev_fw_ops *ops)
{
	struct ops_ctx *x;

	if (!ops_is_builtin(ops))
		return;
	x = ops->ctx;
	swsev_clear_free(x->blob, x->blob_len);
	free(x->dir);
	pthread_mutex_destroy(&x->mu);
	swsev_wipe(x, sizeof(*x));
	free(x);
	memset(ops, 0, sizeof(*ops));
}
