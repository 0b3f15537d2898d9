/*
 * KVM's SEV commands (KVM_MEMORY_ENCRYPT_OP, linux-abi.md §6-§7) on one
 * VM, mapped onto firmware commands on host-physical addresses: the
 * command buffers are built field by field, VMM buffers are staged in DRAM
 * bounce buffers, and guest memory is translated through the VM's map
 * (vmmem.c). The VM's lock is held by the caller.
 *
 * In swsev the uaddr of a KVM struct that names guest memory is a
 * guest-physical address of the VM (include/swsev/kvm-sev.h, host.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "host/host_internal.h"
#include "swsev/crypto.h"
#include "swsev/kvm-sev.h"
#include "swsev/psp-sev.h"
#include "swsev/status.h"

#define SEV_CMD_ATTESTATION 0x36

struct kx {
	swsev_host *h;
	struct host_vm *vm;
	const struct swsev_req *req;
	struct swsev_rsp *rsp;
	int fw_called;
	uint16_t status;
};

static uint16_t kx_fw(struct kx *x, uint32_t cmd, uint8_t *buf, size_t len)
{
	x->fw_called = 1;
	x->status = host_fw(x->h, cmd, buf, len);
	return x->status;
}

static int kx_fw_ok(struct kx *x, uint32_t cmd, uint8_t *buf, size_t len)
{
	return kx_fw(x, cmd, buf, len) == SEV_STATUS_SUCCESS ? 0 : -EIO;
}

static int handle_cmd(struct kx *x, uint32_t cmd, uint32_t handle)
{
	uint8_t b[4];

	swsev_wle32(b, handle);
	return kx_fw_ok(x, cmd, b, sizeof(b));
}

/* An input blob of `len` bytes from slot i (psp_copy_user_blob). */
static int in_blob(struct kx *x, unsigned i, uint32_t len, const uint8_t **p)
{
	const struct swsev_blob *b = &x->req->in[i];

	*p = NULL;
	if (len > SEV_FW_BLOB_MAX_SIZE)
		return -EINVAL;
	if (!b->present || b->len < len)
		return -EFAULT;
	*p = b->p;
	return 0;
}

static int stage_out(struct kx *x, unsigned i, uint64_t spa, size_t n)
{
	uint8_t *tmp = malloc(n ? n : 1);
	int rc;

	if (tmp == NULL)
		return -ENOMEM;
	rc = swsev_mem_read(x->h->mem, spa, tmp, n) == SWSEV_OK ? host_out_blob(x->rsp, i, tmp, n) :
								  -EFAULT;
	swsev_clear_free(tmp, n);
	return rc;
}

static int arg_exact(struct kx *x, size_t n)
{
	return x->req->arg_len == n ? 0 : -EFAULT;
}

/* A 16-byte { u64 address; u32 length; u32 pad; } struct of exactly that size. */
static int arg_addr_len(struct kx *x, uint64_t *addr, uint32_t *len)
{
	struct swsev_cur c;
	int rc;

	if ((rc = arg_exact(x, 16)) != 0)
		return rc;
	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u64(&c, addr) || swsev_cur_u32(&c, len) || swsev_cur_skip(&c, 4) ||
	    swsev_cur_end(&c))
		return -EFAULT;
	return 0;
}

/* The user struct (len bytes, as given) written back with n u32 fields replaced. */
static void copy_back(struct kx *x, size_t len, size_t n, const size_t *off, const uint32_t *v)
{
	uint8_t ua[72];

	memcpy(ua, x->req->arg, len);
	for (size_t i = 0; i < n; i++)
		swsev_wle32(ua + off[i], v[i]);
	host_out_arg(x->rsp, ua, len);
}

/* ACTIVATE with the VM's ASID; a dirty ASID is flushed once and retried. */
static int activate(struct kx *x)
{
	uint8_t b[8];

	swsev_wle32(b, x->vm->handle);
	swsev_wle32(b + 4, x->vm->asid);
	if (kx_fw(x, SEV_CMD_ACTIVATE, b, sizeof(b)) == SEV_STATUS_DFFLUSH_REQUIRED) {
		pthread_mutex_lock(&x->h->plat_lock);
		(void)host_df_flush(x->h);
		pthread_mutex_unlock(&x->h->plat_lock);
		kx_fw(x, SEV_CMD_ACTIVATE, b, sizeof(b));
	}
	if (x->status != SEV_STATUS_SUCCESS) {
		uint16_t keep = x->status;
		/* KVM decommissions the new context when binding fails */
		(void)handle_cmd(x, SEV_CMD_DECOMMISSION, x->vm->handle);
		x->vm->handle = 0;
		x->status = keep;
		return -EIO;
	}
	x->vm->activated = 1;
	return 0;
}

void host_vm_sev_teardown(swsev_host *h, struct host_vm *vm)
{
	uint8_t b[4];

	if (vm->handle) {
		swsev_wle32(b, vm->handle);
		if (vm->activated)
			(void)host_fw(h, SEV_CMD_DEACTIVATE, b, sizeof(b));
		(void)host_fw(h, SEV_CMD_DECOMMISSION, b, sizeof(b));
	}
	if (vm->sev)
		host_asid_release(h, vm->asid, vm->activated);
	for (unsigned i = 0; i < vm->nvmsa; i++)
		if (vm->vmsa_spa[i])
			host_unstage(h, vm->vmsa_spa[i], SWSEV_MEM_PAGE);
	free(vm->vmsa_spa);
	vm->vmsa_spa = NULL;
	vm->nvmsa = 0;
	vm->handle = 0;
	vm->activated = 0;
	vm->sev = vm->es = 0;
	vm->asid = 0;
	swsev_wipe(vm->measure, sizeof(vm->measure));
	vm->have_measure = 0;
}

/* ---- INIT, ES_INIT, INIT2 ---- */
static int do_init(struct kx *x, uint32_t id)
{
	struct host_vm *vm = x->vm;
	int es, called = 0, rc;
	uint16_t st;

	if (vm->sev)
		return -EINVAL;
	if (id == KVM_SEV_INIT2) {
		struct swsev_cur c;
		uint64_t features;
		uint32_t flags;
		uint16_t ghcb;

		swsev_cur_init(&c, x->req->arg, x->req->arg_len);
		if (swsev_cur_u64(&c, &features) || swsev_cur_u32(&c, &flags) ||
		    swsev_cur_u16(&c, &ghcb) || swsev_cur_skip(&c, 2 + 32) || swsev_cur_end(&c))
			return -EFAULT;
		if (vm->type != SWSEV_VM_TYPE_SEV && vm->type != SWSEV_VM_TYPE_SEV_ES)
			return -EINVAL;
		es = vm->type == SWSEV_VM_TYPE_SEV_ES;
		/* no VMSA features are offered; GHCB up to 2, none for SEV */
		if (flags != 0 || features != 0 || ghcb > 2 || (!es && ghcb != 0))
			return -EINVAL;
	} else {
		if (vm->type != SWSEV_VM_TYPE_DEFAULT)
			return -EINVAL;
		es = id == KVM_SEV_ES_INIT;
	}
	if (es && x->h->prof->es_asids == 0)
		return -ENOTTY;
	if (!es && x->h->prof->es_asids >= x->h->prof->asid_count)
		return -ENOTTY;
	pthread_mutex_lock(&x->h->plat_lock);
	st = host_platform_init_locked(x->h, &called);
	pthread_mutex_unlock(&x->h->plat_lock);
	if (called) {
		x->fw_called = 1;
		x->status = st;
	}
	if (st != SEV_STATUS_SUCCESS)
		return -EIO;
	rc = host_asid_alloc(x->h, es, &vm->asid);
	if (rc)
		return rc;
	vm->sev = 1;
	vm->es = es;
	return 0;
}

/*
 * ---- LAUNCH_START and RECEIVE_START: handle, policy and two input blobs
 * (the owner's DH certificate or the sender's PDH, and the session); the
 * new handle is activated and written back. RECEIVE_START needs both
 * blobs, LAUNCH_START takes each one it is given. ----
 */
static int do_start(struct kx *x, uint32_t cmd, int need_blobs)
{
	struct swsev_cur c;
	uint32_t handle, policy, len[2];
	uint64_t uaddr[2], spa[2] = { 0, 0 };
	const uint8_t *p[2] = { NULL, NULL };
	int use[2];
	uint8_t fb[36];
	int rc;

	if ((rc = arg_exact(x, sizeof(struct kvm_sev_launch_start))) != 0)
		return rc;
	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u32(&c, &handle) || swsev_cur_u32(&c, &policy) ||
	    swsev_cur_u64(&c, &uaddr[0]) || swsev_cur_u32(&c, &len[0]) || swsev_cur_skip(&c, 4) ||
	    swsev_cur_u64(&c, &uaddr[1]) || swsev_cur_u32(&c, &len[1]) || swsev_cur_skip(&c, 4) ||
	    swsev_cur_end(&c))
		return -EFAULT;
	if (x->vm->handle)
		return -EINVAL;
	if (need_blobs &&
	    (!x->req->in[0].present || len[0] == 0 || !x->req->in[1].present || len[1] == 0))
		return -EINVAL;
	for (unsigned i = 0; i < 2; i++) {
		if (x->req->in[i].present && (rc = in_blob(x, i, len[i], &p[i])) != 0)
			return rc;
		use[i] = need_blobs || p[i] != NULL;
	}
	for (unsigned i = 0; i < 2; i++)
		if (use[i] && (rc = host_stage(x->h, len[i], p[i], len[i], &spa[i])) != 0)
			goto out;
	memset(fb, 0, sizeof(fb));
	swsev_wle32(fb, handle);
	swsev_wle32(fb + 4, policy);
	swsev_wle64(fb + 8, spa[0]);
	swsev_wle32(fb + 16, use[0] ? len[0] : 0);
	swsev_wle64(fb + 24, spa[1]);
	swsev_wle32(fb + 32, use[1] ? len[1] : 0);
	if ((rc = kx_fw_ok(x, cmd, fb, sizeof(fb))) != 0)
		goto out;
	x->vm->handle = swsev_le32(fb);
	x->vm->policy = policy;
	if ((rc = activate(x)) != 0)
		goto out;
	copy_back(x, sizeof(struct kvm_sev_launch_start), 1, (const size_t[]){ 0 },
		  (const uint32_t[]){ x->vm->handle });
out:
	host_unstage(x->h, spa[0], len[0]);
	host_unstage(x->h, spa[1], len[1]);
	return rc;
}

/* ---- LAUNCH_UPDATE_DATA: one firmware call per physically contiguous run ---- */
static int do_launch_update_data(struct kx *x)
{
	uint64_t gpa, end;
	uint32_t len;
	int rc;

	if ((rc = arg_addr_len(x, &gpa, &len)) != 0)
		return rc;
	if (len == 0 || !swsev_add64_ok(gpa, len, &end))
		return -EINVAL;
	if (!host_vm_range_ok(x->vm, gpa, len))
		return -EFAULT;
	while (gpa < end) {
		uint64_t spa, contig, run, nspa, ncontig;
		uint8_t fb[20];

		if ((rc = host_vm_translate(x->h, x->vm, gpa, 1, &spa, &contig)) != 0)
			return rc;
		run = contig < end - gpa ? contig : end - gpa;
		/* merge the following blocks while they continue in SPA space */
		while (gpa + run < end &&
		       host_vm_translate(x->h, x->vm, gpa + run, 1, &nspa, &ncontig) == 0 &&
		       nspa == spa + run && run + ncontig <= UINT32_MAX)
			run += ncontig < end - gpa - run ? ncontig : end - gpa - run;
		memset(fb, 0, sizeof(fb));
		swsev_wle32(fb, x->vm->handle);
		swsev_wle64(fb + 8, spa);
		swsev_wle32(fb + 16, (uint32_t)run);
		if ((rc = kx_fw_ok(x, SEV_CMD_LAUNCH_UPDATE_DATA, fb, sizeof(fb))) != 0)
			return rc;
		gpa += run;
	}
	return 0;
}

/* ---- LAUNCH_UPDATE_VMSA: one VMSA page per vCPU, in vCPU order ---- */
static int do_launch_update_vmsa(struct kx *x)
{
	const struct swsev_blob *b = &x->req->in[0];
	struct host_vm *vm = x->vm;
	unsigned n;
	int rc = 0;

	if (!vm->es)
		return -ENOTTY;
	if (vm->nvmsa != 0)
		return -EINVAL;
	if (!b->present || b->len == 0 || b->len % SWSEV_MEM_PAGE ||
	    b->len / SWSEV_MEM_PAGE > HOST_VCPU_MAX)
		return -EINVAL;
	n = b->len / SWSEV_MEM_PAGE;
	vm->vmsa_spa = calloc(n, sizeof(uint64_t));
	if (vm->vmsa_spa == NULL)
		return -ENOMEM;
	vm->nvmsa = n;
	for (unsigned i = 0; i < n && rc == 0; i++) {
		uint8_t fb[20];

		rc = host_stage(x->h, SWSEV_MEM_PAGE, b->p + (size_t)i * SWSEV_MEM_PAGE,
				SWSEV_MEM_PAGE, &vm->vmsa_spa[i]);
		if (rc)
			break;
		memset(fb, 0, sizeof(fb));
		swsev_wle32(fb, vm->handle);
		swsev_wle64(fb + 8, vm->vmsa_spa[i]);
		swsev_wle32(fb + 16, SWSEV_MEM_PAGE);
		rc = kx_fw_ok(x, SEV_CMD_LAUNCH_UPDATE_VMSA, fb, sizeof(fb));
	}
	return rc;
}

/* ---- LAUNCH_MEASURE: len 0 is the length query ---- */
static int do_launch_measure(struct kx *x)
{
	uint64_t uaddr, spa = 0;
	uint32_t len;
	uint8_t fb[20];
	int rc, query;

	if ((rc = arg_addr_len(x, &uaddr, &len)) != 0)
		return rc;
	query = len == 0;
	memset(fb, 0, sizeof(fb));
	if (!query && x->req->in[0].present) {
		if (len > SEV_FW_BLOB_MAX_SIZE)
			return -EINVAL;
		if ((rc = host_stage(x->h, len, NULL, 0, &spa)) != 0)
			return rc;
		swsev_wle64(fb + 8, spa);
		swsev_wle32(fb + 16, len);
	}
	swsev_wle32(fb, x->vm->handle);
	rc = kx_fw_ok(x, SEV_CMD_LAUNCH_MEASURE, fb, sizeof(fb));
	if (!query && rc != 0)
		goto out; /* the user struct is left unchanged */
	if (rc == 0 && spa) {
		if ((rc = stage_out(x, 0, spa, len)) != 0)
			goto out;
		/* QEMU keeps the measurement; so does the host for query-sev-launch-measure */
		if (len >= sizeof(x->vm->measure) &&
		    swsev_mem_read(x->h->mem, spa, x->vm->measure, sizeof(x->vm->measure)) ==
			    SWSEV_OK)
			x->vm->have_measure = 1;
	}
	copy_back(x, sizeof(struct kvm_sev_launch_measure), 1, (const size_t[]){ 8 },
		  (const uint32_t[]){ swsev_le32(fb + 16) });
out:
	host_unstage(x->h, spa, len);
	return rc;
}

/* The transport buffer shared by LAUNCH_SECRET, SEND_UPDATE_*, RECEIVE_UPDATE_*. */
static void xport_buf(uint8_t fb[52], uint32_t handle, uint64_t hdr, uint32_t hdr_len,
		      uint64_t guest, uint32_t guest_len, uint64_t trans, uint32_t trans_len)
{
	memset(fb, 0, 52);
	swsev_wle32(fb, handle);
	swsev_wle64(fb + 0x08, hdr);
	swsev_wle32(fb + 0x10, hdr_len);
	swsev_wle64(fb + 0x18, guest);
	swsev_wle32(fb + 0x20, guest_len);
	swsev_wle64(fb + 0x28, trans);
	swsev_wle32(fb + 0x30, trans_len);
}

struct xport_args {
	uint64_t hdr_uaddr, guest_uaddr, trans_uaddr;
	uint32_t hdr_len, guest_len, trans_len;
};

static int parse_xport(struct kx *x, struct xport_args *a)
{
	struct swsev_cur c;

	if (x->req->arg_len != 48)
		return -EFAULT;
	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u64(&c, &a->hdr_uaddr) || swsev_cur_u32(&c, &a->hdr_len) ||
	    swsev_cur_skip(&c, 4) || swsev_cur_u64(&c, &a->guest_uaddr) ||
	    swsev_cur_u32(&c, &a->guest_len) || swsev_cur_skip(&c, 4) ||
	    swsev_cur_u64(&c, &a->trans_uaddr) || swsev_cur_u32(&c, &a->trans_len) ||
	    swsev_cur_skip(&c, 4) || swsev_cur_end(&c))
		return -EFAULT;
	return 0;
}

/* Guest range that must be one physically contiguous piece (pinned pages). */
static int guest_contig(struct kx *x, uint64_t gpa, uint32_t len, uint64_t *spa)
{
	uint64_t contig;
	int rc;

	if (len == 0 || !host_vm_range_ok(x->vm, gpa, len))
		return len == 0 ? -EINVAL : -EFAULT;
	if ((rc = host_vm_translate(x->h, x->vm, gpa, 1, spa, &contig)) != 0)
		return rc;
	return contig >= len ? 0 : -EINVAL;
}

/*
 * LAUNCH_SECRET and RECEIVE_UPDATE_DATA: the packet header and transport
 * buffer (checked blobs of slots 0 and 2) staged in, opened into gspa.
 */
static int xport_in(struct kx *x, uint32_t cmd, const struct xport_args *a, const uint8_t *hdr,
		    const uint8_t *trans, uint64_t gspa)
{
	uint64_t hspa = 0, tspa = 0;
	uint8_t fb[52];
	int rc;

	if ((rc = host_stage(x->h, a->hdr_len, hdr, a->hdr_len, &hspa)) != 0 ||
	    (rc = host_stage(x->h, a->trans_len, trans, a->trans_len, &tspa)) != 0)
		goto out;
	xport_buf(fb, x->vm->handle, hspa, a->hdr_len, gspa, a->guest_len, tspa, a->trans_len);
	rc = kx_fw_ok(x, cmd, fb, sizeof(fb));
out:
	host_unstage(x->h, hspa, a->hdr_len);
	host_unstage(x->h, tspa, a->trans_len);
	return rc;
}

/* ---- LAUNCH_SECRET ---- */
static int do_launch_secret(struct kx *x)
{
	struct xport_args a;
	const uint8_t *hdr, *trans;
	uint64_t gspa;
	int rc;

	if ((rc = parse_xport(x, &a)) != 0)
		return rc;
	if ((rc = guest_contig(x, a.guest_uaddr, a.guest_len, &gspa)) != 0)
		return rc;
	if ((rc = in_blob(x, 0, a.hdr_len, &hdr)) != 0 ||
	    (rc = in_blob(x, 2, a.trans_len, &trans)) != 0)
		return rc;
	return xport_in(x, SEV_CMD_LAUNCH_SECRET, &a, hdr, trans, gspa);
}

/* ---- GUEST_STATUS ---- */
static int do_guest_status(struct kx *x)
{
	uint8_t fb[13], ua[12];
	int rc;

	memset(fb, 0, sizeof(fb));
	swsev_wle32(fb, x->vm->handle);
	if ((rc = kx_fw_ok(x, SEV_CMD_GUEST_STATUS, fb, sizeof(fb))) != 0)
		return rc;
	swsev_wle32(ua, x->vm->handle);
	swsev_wle32(ua + 4, swsev_le32(fb + 4));
	swsev_wle32(ua + 8, fb[12]);
	host_out_arg(x->rsp, ua, sizeof(ua));
	return 0;
}

/* ---- DBG_DECRYPT / DBG_ENCRYPT: page by page, 16-byte bounce ---- */
static int do_dbg(struct kx *x, int encrypt)
{
	struct swsev_cur c;
	uint64_t src, dst, gpa, end, bounce = 0;
	uint32_t len;
	uint8_t *out = NULL;
	const uint8_t *in = NULL;
	size_t done = 0;
	int rc;

	if ((rc = arg_exact(x, sizeof(struct kvm_sev_dbg))) != 0)
		return rc;
	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u64(&c, &src) || swsev_cur_u64(&c, &dst) || swsev_cur_u32(&c, &len) ||
	    swsev_cur_skip(&c, 4) || swsev_cur_end(&c))
		return -EFAULT;
	gpa = encrypt ? dst : src;
	/* len != 0, no wrap, a destination given (KVM's checks) */
	if (len == 0 || !swsev_add64_ok(gpa, len, &end) ||
	    (encrypt ? !x->req->in[0].present : !x->req->in[1].present))
		return -EINVAL;
	/* the plaintext travels in one blob */
	if (len > SWSEV_BLOB_MAX)
		return -EINVAL;
	if (!host_vm_range_ok(x->vm, gpa, len))
		return -EFAULT;
	if (encrypt) {
		if (x->req->in[0].len < len)
			return -EFAULT;
		in = x->req->in[0].p;
	} else {
		out = malloc(len);
		if (out == NULL)
			return -ENOMEM;
	}
	if ((rc = host_stage(x->h, SWSEV_MEM_PAGE, NULL, 0, &bounce)) != 0)
		goto out;
	while (gpa < end) {
		uint64_t spa, contig, pg_left = SWSEV_MEM_PAGE - (gpa & (SWSEV_MEM_PAGE - 1));
		uint64_t n, a0, a1;
		uint8_t fb[28];

		if ((rc = host_vm_translate(x->h, x->vm, gpa, 1, &spa, &contig)) != 0)
			goto out;
		n = end - gpa;
		if (n > pg_left)
			n = pg_left;
		a0 = spa & ~(uint64_t)15;
		a1 = (spa + n + 15) & ~(uint64_t)15;
		memset(fb, 0, sizeof(fb));
		swsev_wle32(fb, x->vm->handle);
		if (!encrypt || a0 != spa || a1 != spa + n) {
			/* decrypt the aligned span into the bounce page */
			swsev_wle64(fb + 8, a0);
			swsev_wle64(fb + 16, bounce);
			swsev_wle32(fb + 24, (uint32_t)(a1 - a0));
			if ((rc = kx_fw_ok(x, SEV_CMD_DBG_DECRYPT, fb, sizeof(fb))) != 0)
				goto out;
		}
		if (!encrypt) {
			if (swsev_mem_read(x->h->mem, bounce + (spa - a0), out + done, n) !=
			    SWSEV_OK) {
				rc = -EFAULT;
				goto out;
			}
		} else {
			/* patch the plaintext, then encrypt it back in place */
			if (swsev_mem_write(x->h->mem, bounce + (spa - a0), in + done, n) !=
			    SWSEV_OK) {
				rc = -EFAULT;
				goto out;
			}
			swsev_wle64(fb + 8, bounce);
			swsev_wle64(fb + 16, a0);
			swsev_wle32(fb + 24, (uint32_t)(a1 - a0));
			if ((rc = kx_fw_ok(x, SEV_CMD_DBG_ENCRYPT, fb, sizeof(fb))) != 0)
				goto out;
		}
		gpa += n;
		done += n;
	}
	if (!encrypt) {
		rc = host_out_blob(x->rsp, 1, out, len);
	}
out:
	host_unstage(x->h, bounce, SWSEV_MEM_PAGE);
	if (out)
		swsev_clear_free(out, len);
	return rc;
}

/* ---- SEND_START: session_len 0 is the length query ---- */
static int do_send_start(struct kx *x)
{
	struct swsev_cur c;
	uint32_t policy, pdh_len, plat_len, amd_len, sess_len;
	uint64_t pdh_u, plat_u, amd_u, sess_u, spa[4] = { 0 };
	uint32_t caps[4] = { 0 };
	const uint8_t *pdh, *plat, *amd;
	uint8_t fb[68];
	int rc;

	if ((rc = arg_exact(x, sizeof(struct kvm_sev_send_start))) != 0)
		return rc;
	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_u32(&c, &policy) || swsev_cur_skip(&c, 4) || swsev_cur_u64(&c, &pdh_u) ||
	    swsev_cur_u32(&c, &pdh_len) || swsev_cur_skip(&c, 4) || swsev_cur_u64(&c, &plat_u) ||
	    swsev_cur_u32(&c, &plat_len) || swsev_cur_skip(&c, 4) || swsev_cur_u64(&c, &amd_u) ||
	    swsev_cur_u32(&c, &amd_len) || swsev_cur_skip(&c, 4) || swsev_cur_u64(&c, &sess_u) ||
	    swsev_cur_u32(&c, &sess_len) || swsev_cur_skip(&c, 4) || swsev_cur_end(&c))
		return -EFAULT;
	memset(fb, 0, sizeof(fb));
	swsev_wle32(fb, x->vm->handle);
	if (sess_len != 0) {
		if (!x->req->in[0].present || pdh_len == 0 || !x->req->in[3].present ||
		    sess_len > SEV_FW_BLOB_MAX_SIZE)
			return -EINVAL;
		if (pdh_len == 0 || plat_len == 0 || amd_len == 0)
			return -EINVAL;
		if ((rc = in_blob(x, 0, pdh_len, &pdh)) != 0 ||
		    (rc = in_blob(x, 1, plat_len, &plat)) != 0 ||
		    (rc = in_blob(x, 2, amd_len, &amd)) != 0)
			return rc;
		caps[0] = pdh_len;
		caps[1] = plat_len;
		caps[2] = amd_len;
		caps[3] = sess_len;
		if ((rc = host_stage(x->h, pdh_len, pdh, pdh_len, &spa[0])) != 0 ||
		    (rc = host_stage(x->h, plat_len, plat, plat_len, &spa[1])) != 0 ||
		    (rc = host_stage(x->h, amd_len, amd, amd_len, &spa[2])) != 0 ||
		    (rc = host_stage(x->h, sess_len, NULL, 0, &spa[3])) != 0)
			goto out;
		swsev_wle64(fb + 0x08, spa[0]);
		swsev_wle32(fb + 0x10, pdh_len);
		swsev_wle64(fb + 0x18, spa[1]);
		swsev_wle32(fb + 0x20, plat_len);
		swsev_wle64(fb + 0x28, spa[2]);
		swsev_wle32(fb + 0x30, amd_len);
		swsev_wle64(fb + 0x38, spa[3]);
		swsev_wle32(fb + 0x40, sess_len);
	}
	rc = kx_fw_ok(x, SEV_CMD_SEND_START, fb, sizeof(fb));
	if (rc == 0 && spa[3]) {
		uint32_t n = swsev_le32(fb + 0x40);
		rc = stage_out(x, 3, spa[3], n < sess_len ? n : sess_len);
	}
	/* policy and session_len are copied back in any case */
	copy_back(x, sizeof(struct kvm_sev_send_start), 2, (const size_t[]){ 0, 0x40 },
		  (const uint32_t[]){ swsev_le32(fb + 4), swsev_le32(fb + 0x40) });
out:
	for (int i = 0; i < 4; i++)
		host_unstage(x->h, spa[i], caps[i]);
	return rc;
}

/* ---- SEND_UPDATE_DATA: hdr_len or trans_len 0 is the length query ---- */
static int do_send_update_data(struct kx *x)
{
	struct xport_args a;
	uint64_t gspa = 0, contig, hspa = 0, tspa = 0;
	uint8_t fb[52];
	int rc, query;

	if ((rc = parse_xport(x, &a)) != 0)
		return rc;
	query = a.hdr_len == 0 || a.trans_len == 0;
	if (query) {
		xport_buf(fb, x->vm->handle, 0, 0, 0, 0, 0, 0);
	} else {
		if (a.hdr_len > SEV_FW_BLOB_MAX_SIZE || a.trans_len > SEV_FW_BLOB_MAX_SIZE)
			return -EINVAL;
		/* the guest range must not cross a page */
		if (a.guest_len == 0 ||
		    a.guest_len > SWSEV_MEM_PAGE - (a.guest_uaddr & (SWSEV_MEM_PAGE - 1)))
			return -EINVAL;
		if (!x->req->in[0].present || !x->req->in[2].present)
			return -EFAULT;
		if (!host_vm_range_ok(x->vm, a.guest_uaddr, a.guest_len))
			return -EFAULT;
		if ((rc = host_vm_translate(x->h, x->vm, a.guest_uaddr, 1, &gspa, &contig)) != 0)
			return rc;
		if ((rc = host_stage(x->h, a.hdr_len, NULL, 0, &hspa)) != 0 ||
		    (rc = host_stage(x->h, a.trans_len, NULL, 0, &tspa)) != 0)
			goto out;
		xport_buf(fb, x->vm->handle, hspa, a.hdr_len, gspa, a.guest_len, tspa, a.trans_len);
	}
	rc = kx_fw_ok(x, SEV_CMD_SEND_UPDATE_DATA, fb, sizeof(fb));
	if (rc == 0 && !query) {
		rc = stage_out(x, 0, hspa, a.hdr_len);
		if (rc == 0)
			rc = stage_out(x, 2, tspa,
				       a.trans_len < a.guest_len ? a.trans_len : a.guest_len);
	}
	copy_back(x, 48, 2, (const size_t[]){ 8, 40 },
		  (const uint32_t[]){ swsev_le32(fb + 0x10), swsev_le32(fb + 0x30) });
out:
	host_unstage(x->h, hspa, a.hdr_len);
	host_unstage(x->h, tspa, a.trans_len);
	return rc;
}

/* ---- RECEIVE_UPDATE_DATA ---- */
static int do_receive_update_data(struct kx *x)
{
	struct xport_args a;
	const uint8_t *hdr, *trans;
	uint64_t gspa, contig;
	int rc;

	if ((rc = parse_xport(x, &a)) != 0)
		return rc;
	if (a.hdr_len == 0 || a.guest_len == 0 || a.trans_len == 0 ||
	    a.hdr_len > SEV_FW_BLOB_MAX_SIZE || a.trans_len > SEV_FW_BLOB_MAX_SIZE)
		return -EINVAL;
	if (a.guest_len > SWSEV_MEM_PAGE - (a.guest_uaddr & (SWSEV_MEM_PAGE - 1)))
		return -EINVAL;
	if ((rc = in_blob(x, 0, a.hdr_len, &hdr)) != 0 ||
	    (rc = in_blob(x, 2, a.trans_len, &trans)) != 0)
		return rc;
	if (!host_vm_range_ok(x->vm, a.guest_uaddr, a.guest_len))
		return -EFAULT;
	if ((rc = host_vm_translate(x->h, x->vm, a.guest_uaddr, 1, &gspa, &contig)) != 0)
		return rc;
	return xport_in(x, SEV_CMD_RECEIVE_UPDATE_DATA, &a, hdr, trans, gspa);
}

/* ---- GET_ATTESTATION_REPORT (firmware API >= 0.23; 0.22 says INVALID_COMMAND) ---- */
static int do_attestation(struct kx *x)
{
	struct swsev_cur c;
	uint8_t mnonce[16], fb[36];
	uint64_t uaddr, spa = 0;
	uint32_t len;
	int rc, query;

	if ((rc = arg_exact(x, sizeof(struct kvm_sev_attestation_report))) != 0)
		return rc;
	swsev_cur_init(&c, x->req->arg, x->req->arg_len);
	if (swsev_cur_bytes(&c, mnonce, 16) || swsev_cur_u64(&c, &uaddr) ||
	    swsev_cur_u32(&c, &len) || swsev_cur_skip(&c, 4) || swsev_cur_end(&c))
		return -EFAULT;
	query = len == 0;
	memset(fb, 0, sizeof(fb));
	swsev_wle32(fb, x->vm->handle);
	memcpy(fb + 0x10, mnonce, 16);
	if (!query) {
		if (len > SEV_FW_BLOB_MAX_SIZE || !x->req->in[0].present)
			return -EINVAL;
		if ((rc = host_stage(x->h, len, NULL, 0, &spa)) != 0)
			return rc;
		swsev_wle64(fb + 8, spa);
		swsev_wle32(fb + 0x20, len);
	}
	rc = kx_fw_ok(x, SEV_CMD_ATTESTATION, fb, sizeof(fb));
	if (rc == 0 && spa)
		rc = stage_out(x, 0, spa, len);
	if (query || rc == 0)
		copy_back(x, sizeof(struct kvm_sev_attestation_report), 1, (const size_t[]){ 24 },
			  (const uint32_t[]){ swsev_le32(fb + 0x20) });
	host_unstage(x->h, spa, len);
	return rc;
}

void host_kvm_op(swsev_host *h, struct host_vm *vm, const struct swsev_req *req,
		 struct swsev_rsp *rsp)
{
	struct kx x = { .h = h, .vm = vm, .req = req, .rsp = rsp };
	uint32_t id = req->cmd;
	int rc;

	if (id == KVM_SEV_INIT || id == KVM_SEV_ES_INIT || id == KVM_SEV_INIT2) {
		rc = do_init(&x, id);
		goto done;
	}
	if (!vm->sev) {
		rc = id == KVM_SEV_RECEIVE_UPDATE_DATA ? -EINVAL : -ENOTTY;
		goto done;
	}
	switch (id) {
	case KVM_SEV_LAUNCH_START: rc = do_start(&x, SEV_CMD_LAUNCH_START, 0); break;
	case KVM_SEV_LAUNCH_UPDATE_DATA: rc = do_launch_update_data(&x); break;
	case KVM_SEV_LAUNCH_UPDATE_VMSA: rc = do_launch_update_vmsa(&x); break;
	case KVM_SEV_LAUNCH_SECRET: rc = do_launch_secret(&x); break;
	case KVM_SEV_LAUNCH_MEASURE: rc = do_launch_measure(&x); break;
	case KVM_SEV_LAUNCH_FINISH: rc = handle_cmd(&x, SEV_CMD_LAUNCH_FINISH, vm->handle); break;
	case KVM_SEV_SEND_START: rc = do_send_start(&x); break;
	case KVM_SEV_SEND_UPDATE_DATA: rc = do_send_update_data(&x); break;
	case KVM_SEV_SEND_FINISH: rc = handle_cmd(&x, SEV_CMD_SEND_FINISH, vm->handle); break;
	case KVM_SEV_SEND_CANCEL: rc = handle_cmd(&x, SEV_CMD_SEND_CANCEL, vm->handle); break;
	case KVM_SEV_RECEIVE_START: rc = do_start(&x, SEV_CMD_RECEIVE_START, 1); break;
	case KVM_SEV_RECEIVE_UPDATE_DATA: rc = do_receive_update_data(&x); break;
	case KVM_SEV_RECEIVE_FINISH: rc = handle_cmd(&x, SEV_CMD_RECEIVE_FINISH, vm->handle); break;
	case KVM_SEV_GUEST_STATUS: rc = do_guest_status(&x); break;
	case KVM_SEV_DBG_DECRYPT: rc = do_dbg(&x, 0); break;
	case KVM_SEV_DBG_ENCRYPT: rc = do_dbg(&x, 1); break;
	case KVM_SEV_GET_ATTESTATION_REPORT: rc = do_attestation(&x); break;
	default: rc = -EINVAL; break; /* *_UPDATE_VMSA of SEND/RECEIVE, CERT_EXPORT, unknown */
	}
done:
	rsp->err = rc;
	rsp->fw_error = x.fw_called ? x.status : SEV_RET_NO_FW_CALL;
	if (rc == 0)
		rsp->fw_error = 0;
}
