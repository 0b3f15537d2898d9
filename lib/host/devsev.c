/*
 * /dev/sev: the SEV_ISSUE_CMD ioctl of Linux's ccp driver (linux-abi.md
 * §1-§3, §5): the user structs of include/swsev/psp-sev.h, the automatic
 * INIT, the length-query convention, 16 KiB blob caps, and the split
 * between the call's errno and the firmware status in `error`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "host/host_internal.h"
#include "swsev/crypto.h"
#include "swsev/psp-sev.h"
#include "swsev/status.h"

/* One ioctl in progress: what went to the firmware. */
struct ioc {
	swsev_host *h;
	const struct swsev_req *req;
	struct swsev_rsp *rsp;
	int fw_called;
	uint16_t status;
};

/* Runs a firmware command and remembers its status. */
static uint16_t ioc_fw(struct ioc *x, uint32_t cmd, uint8_t *buf, size_t len)
{
	x->fw_called = 1;
	x->status = host_fw(x->h, cmd, buf, len);
	return x->status;
}

/* Auto-INIT (__sev_platform_init_locked). */
static int ioc_init(struct ioc *x)
{
	int called = 0;
	uint16_t st = host_platform_init_locked(x->h, &called);

	if (called)
		x->fw_called = 1;
	if (st != SEV_STATUS_SUCCESS) {
		x->status = st;
		return -EIO;
	}
	return 0;
}

static int platform_state(struct ioc *x)
{
	uint8_t st[12];

	return host_platform_status(x->h, st);
}

/* Copies a DRAM buffer into out slot i. */
static int stage_out(struct ioc *x, unsigned i, uint64_t spa, size_t n)
{
	uint8_t *tmp;
	int rc;

	tmp = malloc(n ? n : 1);
	if (tmp == NULL)
		return -ENOMEM;
	rc = swsev_mem_read(x->h->mem, spa, tmp, n) == SWSEV_OK ? host_out_blob(x->rsp, i, tmp, n) :
								  -EFAULT;
	swsev_clear_free(tmp, n);
	return rc;
}

static int do_factory_reset(struct ioc *x)
{
	int st = platform_state(x);

	if (st < 0)
		return -EIO;
	if (st == SWSEV_PSTATE_WORKING)
		return -EBUSY;
	if (st == SWSEV_PSTATE_INIT && ioc_fw(x, SEV_CMD_SHUTDOWN, NULL, 0) != SEV_STATUS_SUCCESS)
		return -EIO;
	return ioc_fw(x, SEV_CMD_PLATFORM_RESET, NULL, 0) == SEV_STATUS_SUCCESS ? 0 : -EIO;
}

static int do_platform_status(struct ioc *x)
{
	uint8_t buf[12];

	memset(buf, 0, sizeof(buf));
	if (ioc_fw(x, SEV_CMD_PLATFORM_STATUS, buf, sizeof(buf)) != SEV_STATUS_SUCCESS)
		return -EIO;
	host_out_arg(x->rsp, buf, sizeof(buf));
	return 0;
}

static int do_gen(struct ioc *x, uint32_t cmd)
{
	int rc = ioc_init(x);

	if (rc)
		return rc;
	return ioc_fw(x, cmd, NULL, 0) == SEV_STATUS_SUCCESS ? 0 : -EIO;
}

/* struct sev_user_data_pek_csr { u64 address; u32 length; } */
static int do_pek_csr(struct ioc *x)
{
	struct swsev_cur c;
	uint64_t address;
	uint32_t length;
	uint8_t fb[12], ua[12];
	uint64_t spa = 0;
	int query, rc;

	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u64(&c, &address) || swsev_cur_u32(&c, &length) || swsev_cur_end(&c))
		return -EFAULT;
	query = !x->req->in[0].present || length == 0;
	if (!query && length > SEV_FW_BLOB_MAX_SIZE)
		return -EFAULT;
	rc = ioc_init(x);
	if (rc)
		return rc;
	memset(fb, 0, sizeof(fb));
	if (!query) {
		rc = host_stage(x->h, length, NULL, 0, &spa);
		if (rc)
			return rc;
		swsev_wle64(fb, spa);
		swsev_wle32(fb + 8, length);
	}
	ioc_fw(x, SEV_CMD_PEK_CSR, fb, sizeof(fb));
	/* length is always written back */
	swsev_wle64(ua, address);
	swsev_wle32(ua + 8, swsev_le32(fb + 8));
	host_out_arg(x->rsp, ua, sizeof(ua));
	rc = x->status == SEV_STATUS_SUCCESS ? 0 : -EIO;
	if (rc == 0 && !query) {
		uint32_t n = swsev_le32(fb + 8);
		rc = stage_out(x, 0, spa, n < length ? n : length);
	}
	host_unstage(x->h, spa, length);
	return rc;
}

/* struct sev_user_data_pdh_cert_export
 *   { u64 pdh_cert_address; u32 pdh_cert_len; u64 cert_chain_address; u32 cert_chain_len; } */
static int do_pdh_cert_export(struct ioc *x)
{
	struct swsev_cur c;
	uint64_t pa, ca;
	uint32_t pl, cl, npl, ncl;
	uint8_t fb[28], ua[24];
	uint64_t pspa = 0, cspa = 0;
	int query, rc, st;

	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u64(&c, &pa) || swsev_cur_u32(&c, &pl) || swsev_cur_u64(&c, &ca) ||
	    swsev_cur_u32(&c, &cl) || swsev_cur_end(&c))
		return -EFAULT;
	/* A writable fd is needed only when INIT has to run first. */
	st = platform_state(x);
	if (st == SWSEV_PSTATE_UNINIT && !(x->req->flags & SWSEV_REQ_WRITABLE))
		return -EPERM;
	rc = ioc_init(x);
	if (rc)
		return rc;
	query = !x->req->in[0].present || pl == 0 || !x->req->in[1].present;
	memset(fb, 0, sizeof(fb));
	if (!query) {
		if (pl > SEV_FW_BLOB_MAX_SIZE || cl > SEV_FW_BLOB_MAX_SIZE)
			return -EFAULT;
		rc = host_stage(x->h, pl, NULL, 0, &pspa);
		if (rc == 0)
			rc = host_stage(x->h, cl, NULL, 0, &cspa);
		if (rc)
			goto out;
		swsev_wle64(fb, pspa);
		swsev_wle32(fb + 8, pl);
		swsev_wle64(fb + 16, cspa);
		swsev_wle32(fb + 24, cl);
	}
	ioc_fw(x, SEV_CMD_PDH_CERT_EXPORT, fb, sizeof(fb));
	npl = swsev_le32(fb + 8);
	ncl = swsev_le32(fb + 24);
	/* both lengths are always copied back */
	swsev_wle64(ua, pa);
	swsev_wle32(ua + 8, npl);
	swsev_wle64(ua + 12, ca);
	swsev_wle32(ua + 20, ncl);
	host_out_arg(x->rsp, ua, sizeof(ua));
	rc = x->status == SEV_STATUS_SUCCESS ? 0 : -EIO;
	if (rc == 0 && !query) {
		rc = stage_out(x, 0, pspa, npl < pl ? npl : pl);
		if (rc == 0)
			rc = stage_out(x, 1, cspa, ncl < cl ? ncl : cl);
	}
out:
	host_unstage(x->h, pspa, pl);
	host_unstage(x->h, cspa, cl);
	return rc;
}

/* struct sev_user_data_pek_cert_import
 *   { u64 pek_cert_address; u32 pek_cert_len; u64 oca_cert_address; u32 oca_cert_len; } */
static int do_pek_cert_import(struct ioc *x)
{
	struct swsev_cur c;
	uint64_t pa, oa;
	uint32_t pl, ol;
	uint8_t fb[28];
	uint64_t pspa = 0, ospa = 0;
	int rc;

	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u64(&c, &pa) || swsev_cur_u32(&c, &pl) || swsev_cur_u64(&c, &oa) ||
	    swsev_cur_u32(&c, &ol) || swsev_cur_end(&c))
		return -EFAULT;
	if (pl > SEV_FW_BLOB_MAX_SIZE || ol > SEV_FW_BLOB_MAX_SIZE)
		return -EINVAL;
	/* psp_copy_user_blob: a NULL pointer or a short buffer cannot be copied */
	if (!x->req->in[0].present || !x->req->in[1].present || x->req->in[0].len < pl ||
	    x->req->in[1].len < ol)
		return -EFAULT;
	rc = host_stage(x->h, pl, x->req->in[0].p, pl, &pspa);
	if (rc == 0)
		rc = host_stage(x->h, ol, x->req->in[1].p, ol, &ospa);
	if (rc == 0)
		rc = ioc_init(x);
	if (rc)
		goto out;
	memset(fb, 0, sizeof(fb));
	swsev_wle64(fb, pspa);
	swsev_wle32(fb + 8, pl);
	swsev_wle64(fb + 16, ospa);
	swsev_wle32(fb + 24, ol);
	rc = ioc_fw(x, SEV_CMD_PEK_CERT_IMPORT, fb, sizeof(fb)) == SEV_STATUS_SUCCESS ? 0 : -EIO;
out:
	host_unstage(x->h, pspa, pl);
	host_unstage(x->h, ospa, ol);
	return rc;
}

static int api_has_get_id(struct ioc *x)
{
	const struct swsev_profile *p = x->h->prof;

	return p->api_major > 0 || p->api_minor >= 16;
}

/* GET_ID (deprecated): a 128-byte struct filled with what the firmware wrote. */
static int do_get_id(struct ioc *x)
{
	uint8_t fb[12], id[128];
	uint64_t spa = 0;
	uint32_t n;
	int rc;

	if (!api_has_get_id(x))
		return -ENOTSUPP_KERNEL;
	if (x->req->arg_len != sizeof(id))
		return -EFAULT;
	rc = host_stage(x->h, sizeof(id), NULL, 0, &spa);
	if (rc)
		return rc;
	memset(fb, 0, sizeof(fb));
	swsev_wle64(fb, spa);
	swsev_wle32(fb + 8, sizeof(id));
	rc = ioc_fw(x, SEV_CMD_GET_ID, fb, sizeof(fb)) == SEV_STATUS_SUCCESS ? 0 : -EIO;
	if (rc == 0) {
		n = swsev_le32(fb + 8);
		if (n > sizeof(id))
			n = sizeof(id);
		memcpy(id, x->req->arg, sizeof(id));
		if (swsev_mem_read(x->h->mem, spa, id, n) != SWSEV_OK)
			rc = -EFAULT;
		else
			host_out_arg(x->rsp, id, sizeof(id));
	}
	host_unstage(x->h, spa, sizeof(id));
	return rc;
}

/* struct sev_user_data_get_id2 { u64 address; u32 length; } */
static int do_get_id2(struct ioc *x)
{
	struct swsev_cur c;
	uint64_t address, spa = 0;
	uint32_t length, n;
	uint8_t fb[12], ua[12];
	int query, rc;

	if (!api_has_get_id(x))
		return -ENOTSUPP_KERNEL;
	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u64(&c, &address) || swsev_cur_u32(&c, &length) || swsev_cur_end(&c))
		return -EFAULT;
	query = !x->req->in[0].present || length == 0;
	if (!query && length > SEV_FW_BLOB_MAX_SIZE)
		return -EFAULT;
	memset(fb, 0, sizeof(fb));
	if (!query) {
		rc = host_stage(x->h, length, NULL, 0, &spa);
		if (rc)
			return rc;
		swsev_wle64(fb, spa);
		swsev_wle32(fb + 8, length);
	}
	ioc_fw(x, SEV_CMD_GET_ID, fb, sizeof(fb));
	n = swsev_le32(fb + 8);
	swsev_wle64(ua, address);
	swsev_wle32(ua + 8, n);
	host_out_arg(x->rsp, ua, sizeof(ua));
	rc = x->status == SEV_STATUS_SUCCESS ? 0 : -EIO;
	/* the driver copies the firmware's len bytes out whatever the status */
	if (!query) {
		int rc2 = stage_out(x, 0, spa, n < length ? n : length);
		if (rc == 0)
			rc = rc2;
	}
	host_unstage(x->h, spa, length);
	return rc;
}

static int needs_write(uint32_t cmd)
{
	return cmd == SEV_FACTORY_RESET || cmd == SEV_PEK_GEN || cmd == SEV_PEK_CSR ||
	       cmd == SEV_PDH_GEN || cmd == SEV_PEK_CERT_IMPORT;
}

void host_sev_ioctl(swsev_host *h, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	struct ioc x = { .h = h, .req = req, .rsp = rsp };
	int rc;

	/* The 0.22 ABI: commands 0..8. SNP commands and anything else: -EINVAL. */
	if (req->cmd > SEV_GET_ID2) {
		rsp->err = -EINVAL;
		rsp->fw_error = SEV_RET_NO_FW_CALL;
		return;
	}
	if (needs_write(req->cmd) && !(req->flags & SWSEV_REQ_WRITABLE)) {
		rsp->err = -EPERM;
		rsp->fw_error = SEV_RET_NO_FW_CALL;
		return;
	}
	pthread_mutex_lock(&h->plat_lock);
	switch (req->cmd) {
	case SEV_FACTORY_RESET: rc = do_factory_reset(&x); break;
	case SEV_PLATFORM_STATUS: rc = do_platform_status(&x); break;
	case SEV_PEK_GEN: rc = do_gen(&x, SEV_CMD_PEK_GEN); break;
	case SEV_PEK_CSR: rc = do_pek_csr(&x); break;
	case SEV_PDH_GEN: rc = do_gen(&x, SEV_CMD_PDH_GEN); break;
	case SEV_PDH_CERT_EXPORT: rc = do_pdh_cert_export(&x); break;
	case SEV_PEK_CERT_IMPORT: rc = do_pek_cert_import(&x); break;
	case SEV_GET_ID: rc = do_get_id(&x); break;
	default: rc = do_get_id2(&x); break;
	}
	pthread_mutex_unlock(&h->plat_lock);
	rsp->err = rc;
	rsp->fw_error = x.fw_called ? x.status : SEV_RET_NO_FW_CALL;
	if (rc == 0)
		rsp->fw_error = 0;
}
