/*
 * The host layer in-process (swsev_fw_new with in-memory storage +
 * swsev_host_new): every /dev/sev command with the kernel's structs, the
 * length queries and the errno/status split (linux-abi.md §1-§5); KVM's
 * launch, secret, debug, SEV-ES and migration flows (§7, launch-flow.md
 * §2, §9) checked against independently computed measurements and the
 * guest's own view; refusals; many threads launching at once.
 */
#include <errno.h>
#include <pthread.h>

#include "harness.h"

#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/fw.h"
#include "swsev/host.h"
#include "swsev/kvm-sev.h"
#include "swsev/launch.h"
#include "swsev/mem.h"
#include "swsev/psp-sev.h"
#include "swsev/status.h"
#include "swsev/vmsa.h"

#define AMDSEV "vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin"
/* its footer (launch-flow.md §5): secret 0x810000/0xC00, hashes 0x810C00/0x400, reset 0x80B004 */
#define SECRET_GPA 0x810000ull
#define IMG_GPA (SWSEV_GPA_4G - 4096)

static swsev_vendor_root *g_root;

struct plat {
	struct swsev_fw_ops ops;
	swsev_fw *fw;
	swsev_host *h;
};

static int plat_new(struct plat *p, const char *profile, swsev_vendor_root *root)
{
	memset(p, 0, sizeof(*p));
	if (swsev_nvmem_ops(&p->ops) != SWSEV_OK)
		return -1;
	if (swsev_fw_new(swsev_profile_find(profile), &p->ops, root, &p->fw) != SWSEV_OK)
		return -1;
	return swsev_host_new(p->fw, &p->h) == SWSEV_OK ? 0 : -1;
}

static void plat_free(struct plat *p)
{
	swsev_host_free(p->h);
	swsev_fw_free(p->fw);
	swsev_fw_ops_release(&p->ops);
}

static void rq(struct swsev_req *r, uint32_t op, uint32_t vm, uint32_t cmd, const void *arg,
	       size_t n)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->vm = vm;
	r->cmd = cmd;
	if (arg)
		memcpy(r->arg, arg, n);
	r->arg_len = (uint32_t)n;
}

static void blob(struct swsev_req *r, unsigned i, const void *p, size_t n)
{
	r->in[i].p = (uint8_t *)(uintptr_t)p;
	r->in[i].len = (uint32_t)n;
	r->in[i].present = 1;
}

/* ---- /dev/sev ---- */

static int ioctl_simple(swsev_host *h, uint32_t cmd, int writable, uint32_t *fw_error)
{
	struct swsev_req r;
	struct swsev_rsp s;
	int err;

	rq(&r, SWSEV_OP_SEV_IOCTL, 0, cmd, NULL, 0);
	r.flags = writable ? SWSEV_REQ_WRITABLE : 0;
	swsev_host_call(h, &r, &s);
	err = s.err;
	*fw_error = s.fw_error;
	swsev_rsp_clear(&s);
	return err;
}

static int platform_status(swsev_host *h, uint8_t st[12])
{
	struct swsev_req r;
	struct swsev_rsp s;
	int err;

	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PLATFORM_STATUS, st, 12);
	swsev_host_call(h, &r, &s);
	err = s.err;
	if (err == 0 && s.arg_len == 12)
		memcpy(st, s.arg, 12);
	swsev_rsp_clear(&s);
	return err;
}

static int export_pdh(swsev_host *h, uint8_t *pdh, uint8_t *chain)
{
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[24] = { 0 };
	int err;

	swsev_wle32(a + 8, SWSEV_CERT_LEN);
	swsev_wle32(a + 20, SWSEV_CHAIN_LEN);
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PDH_CERT_EXPORT, a, sizeof(a));
	r.flags = SWSEV_REQ_WRITABLE;
	blob(&r, 0, NULL, 0);
	blob(&r, 1, NULL, 0);
	swsev_host_call(h, &r, &s);
	err = s.err;
	if (err == 0) {
		CHECK_EQ(s.out[0].len, SWSEV_CERT_LEN);
		CHECK_EQ(s.out[1].len, SWSEV_CHAIN_LEN);
		memcpy(pdh, s.out[0].p, SWSEV_CERT_LEN);
		if (chain)
			memcpy(chain, s.out[1].p, SWSEV_CHAIN_LEN);
	}
	swsev_rsp_clear(&s);
	return err;
}

TEST(devsev_status_and_permissions)
{
	struct plat p;
	uint8_t st[12];
	uint32_t fe;

	CHECK_EQ(plat_new(&p, "genoa", g_root), 0);
	memset(st, 0xaa, sizeof(st));
	CHECK_EQ(platform_status(p.h, st), 0);
	CHECK_EQ(st[0], 0);
	CHECK_EQ(st[1], 22);
	CHECK_EQ(st[2], SWSEV_PSTATE_UNINIT);
	CHECK_EQ(swsev_le32(st + 8), 0);
	/* state-changing commands on a read-only descriptor: -EPERM, no firmware call */
	CHECK_EQ(ioctl_simple(p.h, SEV_PEK_GEN, 0, &fe), -EPERM);
	CHECK_EQ(fe, SEV_RET_NO_FW_CALL);
	CHECK_EQ(ioctl_simple(p.h, SEV_PDH_GEN, 0, &fe), -EPERM);
	CHECK_EQ(ioctl_simple(p.h, SEV_FACTORY_RESET, 0, &fe), -EPERM);
	CHECK_EQ(platform_status(p.h, st), 0);
	CHECK_EQ(st[2], SWSEV_PSTATE_UNINIT); /* nothing ran */
	/* PDH_CERT_EXPORT needs write access only when INIT must run first */
	{
		uint8_t pdh[SWSEV_CERT_LEN];
		struct swsev_req r;
		struct swsev_rsp s;
		uint8_t a[24] = { 0 };

		swsev_wle32(a + 8, SWSEV_CERT_LEN);
		swsev_wle32(a + 20, SWSEV_CHAIN_LEN);
		rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PDH_CERT_EXPORT, a, sizeof(a));
		blob(&r, 0, NULL, 0);
		blob(&r, 1, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -EPERM);
		swsev_rsp_clear(&s);
		/* writable: automatic INIT, then it works */
		CHECK_EQ(export_pdh(p.h, pdh, NULL), 0);
		swsev_host_call(p.h, &r, &s); /* read-only now fine: already INIT */
		CHECK_EQ(s.err, 0);
		CHECK_EQ(s.fw_error, 0);
		swsev_rsp_clear(&s);
	}
	CHECK_EQ(platform_status(p.h, st), 0);
	CHECK_EQ(st[2], SWSEV_PSTATE_INIT);
	CHECK(swsev_le32(st + 3) &
	      SEV_STATUS_FLAGS_CONFIG_ES); /* INIT with the ES option and a TMR */
	/* writable PEK_GEN works */
	CHECK_EQ(ioctl_simple(p.h, SEV_PEK_GEN, 1, &fe), 0);
	CHECK_EQ(fe, 0);
	/* SNP and unknown commands */
	CHECK_EQ(ioctl_simple(p.h, 9, 1, &fe), -EINVAL);
	CHECK_EQ(ioctl_simple(p.h, 13, 1, &fe), -EINVAL);
	CHECK_EQ(ioctl_simple(p.h, 0x7fffffff, 1, &fe), -EINVAL);
	/* FACTORY_RESET from INIT: SHUTDOWN then PLATFORM_RESET */
	CHECK_EQ(ioctl_simple(p.h, SEV_FACTORY_RESET, 1, &fe), 0);
	CHECK_EQ(platform_status(p.h, st), 0);
	CHECK_EQ(st[2], SWSEV_PSTATE_UNINIT);
	plat_free(&p);
}

TEST(devsev_length_queries)
{
	struct plat p;
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[24], pdh[SWSEV_CERT_LEN], chain[SWSEV_CHAIN_LEN], id64[64];
	struct swsev_cert pdhc, pek, csr;

	CHECK_EQ(plat_new(&p, "genoa", g_root), 0);
	/* PEK_CSR: address 0 / length 0 -> -EIO, error INVALID_LENGTH, length 2084 */
	memset(a, 0, sizeof(a));
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PEK_CSR, a, 12);
	r.flags = SWSEV_REQ_WRITABLE;
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EIO);
	CHECK_EQ(s.fw_error, SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(s.arg_len, 12);
	CHECK_EQ(swsev_le32(s.arg + 8), SWSEV_CERT_LEN);
	swsev_rsp_clear(&s);
	/* too big a buffer: -EFAULT */
	swsev_wle32(a + 8, SEV_FW_BLOB_MAX_SIZE + 1);
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PEK_CSR, a, 12);
	r.flags = SWSEV_REQ_WRITABLE;
	blob(&r, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EFAULT);
	swsev_rsp_clear(&s);
	/* the real call */
	swsev_wle32(a + 8, 4096);
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PEK_CSR, a, 12);
	r.flags = SWSEV_REQ_WRITABLE;
	blob(&r, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK_EQ(swsev_le32(s.arg + 8), SWSEV_CERT_LEN);
	CHECK_EQ(s.out[0].len, SWSEV_CERT_LEN);
	if (s.out[0].len == SWSEV_CERT_LEN) {
		CHECK_EQ(swsev_cert_parse(s.out[0].p, SWSEV_CERT_LEN, &csr), SWSEV_OK);
		CHECK_EQ(csr.pub_key_usage, SWSEV_USAGE_PEK);
		CHECK_EQ(csr.sig[0].usage, SWSEV_USAGE_INVALID);
	}
	swsev_rsp_clear(&s);
	/* PDH_CERT_EXPORT query: both lengths back */
	memset(a, 0, sizeof(a));
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PDH_CERT_EXPORT, a, 24);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EIO);
	CHECK_EQ(s.fw_error, SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(s.arg + 8), SWSEV_CERT_LEN);
	CHECK_EQ(swsev_le32(s.arg + 20), SWSEV_CHAIN_LEN);
	swsev_rsp_clear(&s);
	CHECK_EQ(export_pdh(p.h, pdh, chain), 0);
	CHECK_EQ(swsev_cert_parse(pdh, sizeof(pdh), &pdhc), SWSEV_OK);
	CHECK_EQ(swsev_cert_parse(chain, SWSEV_CERT_LEN, &pek), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(&pdhc, &pek), SWSEV_OK);
	pdh[0x20] ^= 1; /* a flipped key byte must not verify */
	CHECK_EQ(swsev_cert_parse(pdh, SWSEV_CERT_LEN, &pdhc), SWSEV_OK);
	CHECK(swsev_cert_verify(&pdhc, &pek) != SWSEV_OK);
	/* GET_ID2 query, then 64 bytes; GET_ID gives the same first socket */
	memset(a, 0, sizeof(a));
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_GET_ID2, a, 12);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EIO);
	CHECK_EQ(s.fw_error, SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(s.arg + 8), 64);
	swsev_rsp_clear(&s);
	swsev_wle32(a + 8, 64);
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_GET_ID2, a, 12);
	blob(&r, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK_EQ(s.out[0].len, 64);
	memset(id64, 0, sizeof(id64));
	if (s.out[0].len == 64)
		memcpy(id64, s.out[0].p, 64);
	CHECK(!swsev_ct_is_zero(id64, 64));
	swsev_rsp_clear(&s);
	{
		uint8_t idarg[128] = { 0 };
		rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_GET_ID, idarg, sizeof(idarg));
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		CHECK_EQ(s.arg_len, 128);
		CHECK_MEM(s.arg, id64, 64);
		swsev_rsp_clear(&s);
		rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_GET_ID, idarg, 12); /* wrong struct size */
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -EFAULT);
		swsev_rsp_clear(&s);
	}
	plat_free(&p);
}

TEST(devsev_pek_cert_import)
{
	struct plat p;
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[24] = { 0 }, st[12];
	struct swsev_cert csr, oca;
	swsev_ec_key *k = NULL;
	uint8_t pek_raw[SWSEV_CERT_LEN], oca_raw[SWSEV_CERT_LEN];

	CHECK_EQ(plat_new(&p, "genoa", g_root), 0);
	swsev_wle32(a + 8, SWSEV_CERT_LEN);
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PEK_CSR, a, 12);
	r.flags = SWSEV_REQ_WRITABLE;
	blob(&r, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK_EQ(swsev_cert_parse(s.out[0].p, s.out[0].len, &csr), SWSEV_OK);
	swsev_rsp_clear(&s);
	CHECK_EQ(swsev_ec_generate(&k), SWSEV_OK);
	CHECK_EQ(swsev_cert_init_ec(&oca, 0, 22, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&oca, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_encode(&oca, oca_raw), SWSEV_OK);
	CHECK_EQ(swsev_cert_sign_ec(&csr, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k),
		 SWSEV_OK);
	CHECK_EQ(swsev_cert_encode(&csr, pek_raw), SWSEV_OK);
	memset(a, 0, sizeof(a));
	swsev_wle32(a + 8, SWSEV_CERT_LEN);
	swsev_wle32(a + 20, SWSEV_CERT_LEN);
	/* read-only: refused */
	rq(&r, SWSEV_OP_SEV_IOCTL, 0, SEV_PEK_CERT_IMPORT, a, 24);
	blob(&r, 0, pek_raw, sizeof(pek_raw));
	blob(&r, 1, oca_raw, sizeof(oca_raw));
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EPERM);
	swsev_rsp_clear(&s);
	/* a flipped byte in the signed PEK: the firmware refuses */
	r.flags = SWSEV_REQ_WRITABLE;
	pek_raw[0x30] ^= 0x01;
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EIO);
	CHECK(s.fw_error == SEV_STATUS_INVALID_CERTIFICATE ||
	      s.fw_error == SEV_STATUS_BAD_SIGNATURE);
	swsev_rsp_clear(&s);
	pek_raw[0x30] ^= 0x01;
	/* lengths over 16 KiB: -EINVAL; short blobs: -EFAULT */
	swsev_wle32(r.arg + 8, SEV_FW_BLOB_MAX_SIZE + 1);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EINVAL);
	swsev_rsp_clear(&s);
	swsev_wle32(r.arg + 8, SWSEV_CERT_LEN);
	r.in[1].len = 100;
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EFAULT);
	swsev_rsp_clear(&s);
	r.in[1].len = SWSEV_CERT_LEN;
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK_EQ(s.fw_error, 0);
	swsev_rsp_clear(&s);
	CHECK_EQ(platform_status(p.h, st), 0);
	CHECK_EQ(swsev_le32(st + 3) & 1, 1); /* externally owned */
	swsev_ec_free(k);
	plat_free(&p);
}

/* ---- KVM ---- */

static uint32_t vm_create(swsev_host *h, const char *name, uint64_t mem, uint32_t type, int *err)
{
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[12];
	uint32_t id = 0;

	swsev_wle64(a, mem);
	swsev_wle32(a + 8, type);
	rq(&r, SWSEV_OP_VM_CREATE, 0, 0, a, sizeof(a));
	blob(&r, 0, name, strlen(name));
	swsev_host_call(h, &r, &s);
	*err = s.err;
	if (s.err == 0)
		id = swsev_le32(s.arg);
	swsev_rsp_clear(&s);
	return id;
}

static int kvm_op(swsev_host *h, uint32_t vm, uint32_t cmd, const void *arg, size_t n,
		  uint32_t *fw_error)
{
	struct swsev_req r;
	struct swsev_rsp s;
	int err;

	rq(&r, SWSEV_OP_KVM, vm, cmd, arg, n);
	swsev_host_call(h, &r, &s);
	err = s.err;
	if (fw_error)
		*fw_error = s.fw_error;
	swsev_rsp_clear(&s);
	return err;
}

static int vm_write(swsev_host *h, uint32_t vm, uint64_t gpa, const void *p, size_t n)
{
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[8];
	int err;

	swsev_wle64(a, gpa);
	rq(&r, SWSEV_OP_VM_WRITE, vm, 0, a, 8);
	blob(&r, 0, p, n);
	swsev_host_call(h, &r, &s);
	err = s.err;
	swsev_rsp_clear(&s);
	return err;
}

static int vm_read(swsev_host *h, uint32_t op, uint32_t vm, uint64_t gpa, void *p, size_t n)
{
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[12];
	int err;

	swsev_wle64(a, gpa);
	swsev_wle32(a + 8, (uint32_t)n);
	rq(&r, op, vm, 0, a, 12);
	swsev_host_call(h, &r, &s);
	err = s.err;
	if (err == 0 && s.out[0].len == n)
		memcpy(p, s.out[0].p, n);
	else if (err == 0)
		err = -999;
	swsev_rsp_clear(&s);
	return err;
}

static int update_data(swsev_host *h, uint32_t vm, uint64_t gpa, uint32_t len, uint32_t *fe)
{
	uint8_t a[16] = { 0 };

	swsev_wle64(a, gpa);
	swsev_wle32(a + 8, len);
	return kvm_op(h, vm, KVM_SEV_LAUNCH_UPDATE_DATA, a, sizeof(a), fe);
}

static int launch_start(swsev_host *h, uint32_t vm, uint32_t policy, const uint8_t *godh,
			const uint8_t *sess, uint32_t *handle, uint32_t *fe)
{
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[40] = { 0 };
	int err;

	swsev_wle32(a + 4, policy);
	if (godh) {
		swsev_wle32(a + 16, SWSEV_CERT_LEN);
		swsev_wle32(a + 32, SWSEV_SESSION_LEN);
	}
	rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_LAUNCH_START, a, sizeof(a));
	if (godh) {
		blob(&r, 0, godh, SWSEV_CERT_LEN);
		blob(&r, 1, sess, SWSEV_SESSION_LEN);
	}
	swsev_host_call(h, &r, &s);
	err = s.err;
	*fe = s.fw_error;
	if (err == 0 && handle)
		*handle = swsev_le32(s.arg);
	swsev_rsp_clear(&s);
	return err;
}

/* LAUNCH_MEASURE: the length query, then the call. */
static int launch_measure(swsev_host *h, uint32_t vm, uint8_t out[48])
{
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[16] = { 0 };
	int err;

	rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_LAUNCH_MEASURE, a, sizeof(a));
	swsev_host_call(h, &r, &s);
	CHECK_EQ(s.err, -EIO);
	CHECK_EQ(s.fw_error, SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(s.arg + 8), 48);
	swsev_rsp_clear(&s);
	swsev_wle32(a + 8, 48);
	rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_LAUNCH_MEASURE, a, sizeof(a));
	blob(&r, 0, NULL, 0);
	swsev_host_call(h, &r, &s);
	err = s.err;
	if (err == 0) {
		CHECK_EQ(s.out[0].len, 48);
		memcpy(out, s.out[0].p, 48);
	}
	swsev_rsp_clear(&s);
	return err;
}

struct owner {
	uint8_t godh[SWSEV_CERT_LEN], sess[SWSEV_SESSION_LEN], tek[16], tik[16];
};

static int owner_session(swsev_host *h, uint32_t policy, struct owner *o)
{
	uint8_t pdh_raw[SWSEV_CERT_LEN];
	struct swsev_cert pdh, godh;
	struct swsev_session s;

	if (export_pdh(h, pdh_raw, NULL) != 0 ||
	    swsev_cert_parse(pdh_raw, sizeof(pdh_raw), &pdh) != SWSEV_OK)
		return -1;
	if (swsev_owner_session(&pdh, policy, &godh, &s, o->tek, o->tik) != SWSEV_OK)
		return -1;
	swsev_session_encode(&s, o->sess);
	return swsev_cert_encode(&godh, o->godh) == SWSEV_OK ? 0 : -1;
}

static uint8_t *load_image(size_t *n)
{
	uint8_t *img = th_read_file(th_fixture(AMDSEV), n);

	if (img && *n != 4096) {
		free(img);
		return NULL;
	}
	return img;
}

/* The owner's expected measurement over data. */
static void expect_measure(const uint8_t tik[16], uint32_t policy, const uint8_t *data, size_t n,
			   const uint8_t blob48[48], uint8_t out[32])
{
	uint8_t ld[32];

	CHECK_EQ(swsev_sha256(data, n, ld), SWSEV_OK);
	CHECK_EQ(swsev_measure(tik, 0, 22, 21, policy, ld, blob48 + 32, out), SWSEV_OK);
}

static int inject_secret(swsev_host *h, uint32_t vm, const struct owner *o,
			 const uint8_t measure[32], const uint8_t *plain, size_t n, int corrupt,
			 uint32_t *fe)
{
	struct swsev_pkt_hdr hdr;
	uint8_t iv[16], hb[SWSEV_PKT_HDR_LEN], *ct = malloc(n);
	uint8_t a[48] = { 0 };
	struct swsev_req r;
	struct swsev_rsp s;
	int err;

	CHECK(ct != NULL);
	CHECK_EQ(swsev_random(iv, sizeof(iv)), SWSEV_OK);
	CHECK_EQ(swsev_pkt_seal(o->tek, o->tik, SWSEV_CTX_SECRET, iv, plain, n, measure, &hdr, ct),
		 SWSEV_OK);
	swsev_pkt_hdr_encode(&hdr, hb);
	if (corrupt)
		ct[n / 2] ^= 0x80;
	swsev_wle32(a + 8, sizeof(hb));
	swsev_wle64(a + 16, SECRET_GPA);
	swsev_wle32(a + 24, (uint32_t)n);
	swsev_wle32(a + 40, (uint32_t)n);
	rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_LAUNCH_SECRET, a, sizeof(a));
	blob(&r, 0, hb, sizeof(hb));
	blob(&r, 2, ct, n);
	swsev_host_call(h, &r, &s);
	err = s.err;
	*fe = s.fw_error;
	swsev_rsp_clear(&s);
	free(ct);
	return err;
}

TEST(kvm_launch_secret_finish_guest_read)
{
	struct plat p;
	struct owner o;
	uint32_t policy = SWSEV_POLICY_NODBG | SWSEV_POLICY_NOKS, vm, handle = 0, fe;
	uint8_t *img, m[48], want[32], secret[64], got[64], host[64];
	size_t n = 0;
	int err;

	CHECK_EQ(plat_new(&p, "genoa", g_root), 0);
	img = load_image(&n);
	CHECK(img != NULL);
	if (!img)
		goto out;
	CHECK_EQ(owner_session(p.h, policy, &o), 0);
	vm = vm_create(p.h, "guest1", 64ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_LAUNCH_START, NULL, 0, &fe), -ENOTTY); /* not SEV yet */
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_INIT, NULL, 0, &fe), 0);
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_INIT, NULL, 0, &fe), -EINVAL); /* twice */
	/* a host that changes the policy: BAD_MEASUREMENT (policy MAC) */
	CHECK_EQ(launch_start(p.h, vm, policy ^ SWSEV_POLICY_NODBG, o.godh, o.sess, NULL, &fe),
		 -EIO);
	CHECK_EQ(fe, SEV_STATUS_BAD_MEASUREMENT);
	CHECK_EQ(launch_start(p.h, vm, policy, o.godh, o.sess, &handle, &fe), 0);
	CHECK(handle != 0);
	CHECK_EQ(vm_write(p.h, vm, IMG_GPA, img, n), 0);
	CHECK_EQ(update_data(p.h, vm, IMG_GPA, 0, &fe), -EINVAL);
	CHECK_EQ(update_data(p.h, vm, IMG_GPA, (uint32_t)n, &fe), 0);
	{
		uint8_t raw[4096];
		CHECK_EQ(vm_read(p.h, SWSEV_OP_VM_READ, vm, IMG_GPA, raw, sizeof(raw)), 0);
		CHECK(memcmp(raw, img, sizeof(raw)) != 0); /* encrypted in place */
	}
	CHECK_EQ(launch_measure(p.h, vm, m), 0);
	expect_measure(o.tik, policy, img, n, m, want);
	CHECK_MEM(m, want, 32);
	{
		uint8_t badtik[16];
		memcpy(badtik, o.tik, 16);
		badtik[0] ^= 1;
		expect_measure(badtik, policy, img, n, m, want);
		CHECK(memcmp(m, want, 32) != 0);
	}
	/* the secret: a corrupted packet is refused, the real one lands */
	memset(secret, 0, sizeof(secret));
	memcpy(secret, "the guest owner's disk key", 26);
	CHECK_EQ(inject_secret(p.h, vm, &o, m, secret, sizeof(secret), 1, &fe), -EIO);
	CHECK_EQ(fe, SEV_STATUS_BAD_MEASUREMENT);
	CHECK_EQ(inject_secret(p.h, vm, &o, m, secret, sizeof(secret), 0, &fe), 0);
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_LAUNCH_FINISH, NULL, 0, &fe), 0);
	{
		uint8_t gs[12] = { 0 };
		struct swsev_req r;
		struct swsev_rsp s;
		rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_GUEST_STATUS, gs, 12);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		CHECK_EQ(swsev_le32(s.arg), handle);
		CHECK_EQ(swsev_le32(s.arg + 4), policy);
		CHECK_EQ(swsev_le32(s.arg + 8), SWSEV_GSTATE_RUNNING);
		swsev_rsp_clear(&s);
	}
	/* the guest sees its secret; the host sees ciphertext */
	CHECK_EQ(vm_read(p.h, SWSEV_OP_GUEST_READ, vm, SECRET_GPA, got, sizeof(got)), 0);
	CHECK_MEM(got, secret, sizeof(secret));
	CHECK_EQ(vm_read(p.h, SWSEV_OP_VM_READ, vm, SECRET_GPA, host, sizeof(host)), 0);
	CHECK(memcmp(host, secret, sizeof(secret)) != 0);
	/* the image reads back as plaintext in the guest's view */
	CHECK_EQ(vm_read(p.h, SWSEV_OP_GUEST_READ, vm, IMG_GPA, got, sizeof(got)), 0);
	CHECK_MEM(got, img, sizeof(got));
	/* NODBG: DBG_DECRYPT refused by the firmware */
	{
		uint8_t a[24] = { 0 };
		struct swsev_req r;
		struct swsev_rsp s;
		swsev_wle64(a, SECRET_GPA);
		swsev_wle32(a + 16, 32);
		rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_DBG_DECRYPT, a, sizeof(a));
		blob(&r, 1, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -EIO);
		CHECK_EQ(s.fw_error, SEV_STATUS_POLICY_FAILURE);
		swsev_rsp_clear(&s);
	}
	/* VM_INFO: QMP keys */
	{
		struct swsev_req r;
		struct swsev_rsp s;
		rq(&r, SWSEV_OP_VM_INFO, vm, 0, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		CHECK(s.out[0].len > 0 &&
		      strstr((char *)s.out[0].p, "\"state\": \"running\"") != NULL);
		CHECK(strstr((char *)s.out[0].p, "\"api-minor\": 22") != NULL);
		CHECK_EQ(s.out[1].len, 48);
		if (s.out[1].len == 48)
			CHECK_MEM(s.out[1].p, m, 48);
		CHECK_EQ(s.arg_len, SWSEV_VM_INFO_WIRE_LEN);
		swsev_rsp_clear(&s);
	}
	{
		struct swsev_req r;
		struct swsev_rsp s;
		rq(&r, SWSEV_OP_VM_DESTROY, vm, 0, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		swsev_rsp_clear(&s);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -ENOENT);
		swsev_rsp_clear(&s);
	}
out:
	free(img);
	plat_free(&p);
}

TEST(kvm_debug_and_bad_arguments)
{
	struct plat p;
	uint32_t vm, fe;
	uint8_t data[40], got[40];
	int err;

	CHECK_EQ(plat_new(&p, "milan", g_root), 0);
	vm = vm_create(p.h, "dbg", 32ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, 0);
	/* bad VM arguments */
	(void)vm_create(p.h, "dbg", 32ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, -EEXIST);
	(void)vm_create(p.h, "bad name", 32ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, -EINVAL);
	(void)vm_create(p.h, "tiny", 1ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, -EINVAL);
	CHECK_EQ(vm_write(p.h, vm, 3ull << 30, "x", 1), -EFAULT);         /* the PCI hole */
	CHECK_EQ(vm_write(p.h, vm, (32ull << 20) - 1, "xy", 2), -EFAULT); /* past RAM */
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_INIT2, NULL, 0, &fe), -EFAULT);
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_INIT, NULL, 0, &fe), 0);
	CHECK_EQ(launch_start(p.h, vm, 0, NULL, NULL, NULL, &fe),
		 0); /* no session, debugging allowed */
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_SEND_UPDATE_VMSA, NULL, 0, &fe), -EINVAL);
	CHECK_EQ(kvm_op(p.h, vm, 99, NULL, 0, &fe), -EINVAL);
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, 0, &fe), -ENOTTY); /* not ES */
	/* DBG_ENCRYPT at an unaligned address, read back by DBG_DECRYPT and by the guest */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	{
		uint8_t a[24] = { 0 };
		struct swsev_req r;
		struct swsev_rsp s;

		swsev_wle64(a + 8, 0x100003);
		swsev_wle32(a + 16, sizeof(data));
		rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_DBG_ENCRYPT, a, sizeof(a));
		blob(&r, 0, data, sizeof(data));
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		swsev_rsp_clear(&s);
		/* len 0, a huge len and a missing destination: -EINVAL */
		swsev_wle32(r.arg + 16, 0);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -EINVAL);
		swsev_rsp_clear(&s);
		swsev_wle32(r.arg + 16, 0xfffffff0u);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -EINVAL);
		swsev_rsp_clear(&s);

		memset(a, 0, sizeof(a));
		swsev_wle64(a, 0x100003);
		swsev_wle32(a + 16, sizeof(data));
		rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_DBG_DECRYPT, a, sizeof(a));
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -EINVAL);
		swsev_rsp_clear(&s);
		blob(&r, 1, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		CHECK_EQ(s.out[1].len, sizeof(data));
		if (s.out[1].len == sizeof(data))
			CHECK_MEM(s.out[1].p, data, sizeof(data));
		swsev_rsp_clear(&s);
	}
	CHECK_EQ(vm_read(p.h, SWSEV_OP_GUEST_READ, vm, 0x100003, got, sizeof(got)), 0);
	CHECK_MEM(got, data, sizeof(data));
	CHECK_EQ(vm_read(p.h, SWSEV_OP_VM_READ, vm, 0x100003, got, sizeof(got)), 0);
	CHECK(memcmp(got, data, sizeof(data)) != 0);
	/* LAUNCH_UPDATE_DATA of an unaligned range: the firmware's INVALID_ADDRESS */
	CHECK_EQ(update_data(p.h, vm, 0x200008, 16, &fe), -EIO);
	CHECK_EQ(fe, SEV_STATUS_INVALID_ADDRESS);
	/* FACTORY_RESET with a guest: -EBUSY */
	CHECK_EQ(ioctl_simple(p.h, SEV_FACTORY_RESET, 1, &fe), -EBUSY);
	plat_free(&p);
}

TEST(kvm_sev_es_vmsa_measurement)
{
	struct plat p;
	struct owner o;
	uint32_t policy = SWSEV_POLICY_ES | SWSEV_POLICY_NOKS, vm, fe;
	uint8_t *img, m[48], want[32], *all = NULL;
	size_t n = 0;
	struct swsev_vmsa_params vp;
	int err;

	CHECK_EQ(plat_new(&p, "genoa", g_root), 0);
	img = load_image(&n);
	CHECK(img != NULL);
	if (!img)
		goto out;
	all = malloc(n + 3 * SWSEV_VMSA_LEN);
	CHECK_EQ(owner_session(p.h, policy, &o), 0);
	vm = vm_create(p.h, "es", 64ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(kvm_op(p.h, vm, KVM_SEV_ES_INIT, NULL, 0, &fe), 0);
	CHECK_EQ(launch_start(p.h, vm, policy, o.godh, o.sess, NULL, &fe), 0);
	CHECK_EQ(vm_write(p.h, vm, IMG_GPA, img, n), 0);
	CHECK_EQ(update_data(p.h, vm, IMG_GPA, (uint32_t)n, &fe), 0);
	memcpy(all, img, n);
	memset(&vp, 0, sizeof(vp));
	vp.ap_reset = 0x80b004;
	vp.cpu_sig = swsev_cpu_signature(25, 17, 0);
	for (int i = 0; i < 3; i++) {
		vp.ap = i > 0;
		swsev_vmsa_build(&vp, all + n + (size_t)i * SWSEV_VMSA_LEN);
	}
	{
		struct swsev_req r;
		struct swsev_rsp s;
		rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, 0);
		blob(&r, 0, all + n, 100); /* not whole pages */
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, -EINVAL);
		swsev_rsp_clear(&s);
		blob(&r, 0, all + n, 3 * SWSEV_VMSA_LEN);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		swsev_rsp_clear(&s);
	}
	CHECK_EQ(launch_measure(p.h, vm, m), 0);
	expect_measure(o.tik, policy, all, n + 3 * SWSEV_VMSA_LEN, m, want);
	CHECK_MEM(m, want, 32);
	/* without the VMSAs the owner's prediction does not match */
	expect_measure(o.tik, policy, all, n, m, want);
	CHECK(memcmp(m, want, 32) != 0);
out:
	free(all);
	free(img);
	plat_free(&p);
}

/* Sends every populated page of a running guest from one platform to another. */
static int migrate(struct plat *a, uint32_t svm, struct plat *b, const char *name,
		   uint32_t *dvm_out, uint32_t *fe_out)
{
	uint8_t tpdh[SWSEV_CERT_LEN], tchain[SWSEV_CHAIN_LEN], spdh[SWSEV_CERT_LEN], sess[128];
	uint8_t cek[SWSEV_CERT_LEN], amd[4096];
	size_t alen = 0;
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t arg[72] = { 0 };
	uint32_t dvm, policy = 0;
	int err;

	*fe_out = 0;
	if (export_pdh(b->h, tpdh, tchain) || export_pdh(a->h, spdh, NULL))
		return -1;
	CHECK_EQ(swsev_fw_cek_signed(b->fw, cek), SWSEV_OK);
	CHECK_EQ(swsev_fw_amd_certs(b->fw, amd, sizeof(amd), &alen), SWSEV_OK);
	memcpy(tchain + 2 * SWSEV_CERT_LEN, cek, SWSEV_CERT_LEN);
	/* session length query */
	rq(&r, SWSEV_OP_KVM, svm, KVM_SEV_SEND_START, arg, sizeof(arg));
	swsev_host_call(a->h, &r, &s);
	CHECK_EQ(s.err, -EIO);
	CHECK_EQ(s.fw_error, SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(s.arg + 0x40), 128);
	swsev_rsp_clear(&s);
	swsev_wle32(arg + 0x10, SWSEV_CERT_LEN);
	swsev_wle32(arg + 0x20, SWSEV_CHAIN_LEN);
	swsev_wle32(arg + 0x30, (uint32_t)alen);
	swsev_wle32(arg + 0x40, 128);
	rq(&r, SWSEV_OP_KVM, svm, KVM_SEV_SEND_START, arg, sizeof(arg));
	blob(&r, 0, tpdh, sizeof(tpdh));
	blob(&r, 1, tchain, sizeof(tchain));
	blob(&r, 2, amd, alen);
	blob(&r, 3, NULL, 0);
	swsev_host_call(a->h, &r, &s);
	err = s.err;
	*fe_out = s.fw_error;
	if (err == 0) {
		CHECK_EQ(s.out[3].len, 128);
		memcpy(sess, s.out[3].p, 128);
		policy = swsev_le32(s.arg);
	}
	swsev_rsp_clear(&s);
	if (err)
		return err;
	dvm = vm_create(b->h, name, 64ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(kvm_op(b->h, dvm, KVM_SEV_INIT, NULL, 0, NULL), 0);
	{
		uint8_t ra[40] = { 0 };
		swsev_wle32(ra + 4, policy);
		swsev_wle32(ra + 16, SWSEV_CERT_LEN);
		swsev_wle32(ra + 32, 128);
		rq(&r, SWSEV_OP_KVM, dvm, KVM_SEV_RECEIVE_START, ra, sizeof(ra));
		blob(&r, 0, spdh, sizeof(spdh));
		blob(&r, 1, sess, sizeof(sess));
		swsev_host_call(b->h, &r, &s);
		CHECK_EQ(s.err, 0);
		swsev_rsp_clear(&s);
	}
	/* the populated blocks of the source, page by page */
	{
		struct swsev_rsp info;
		rq(&r, SWSEV_OP_VM_INFO, svm, 0, NULL, 0);
		swsev_host_call(a->h, &r, &info);
		CHECK_EQ(info.err, 0);
		for (uint32_t k = 0; k + 8 <= info.out[3].len; k += 8) {
			uint64_t base = swsev_le64(info.out[3].p + k);
			for (uint64_t pg = 0; pg < SWSEV_BLOCK_SIZE; pg += 4096) {
				uint8_t x[48] = { 0 };
				struct swsev_rsp sr, rr;
				swsev_wle32(x + 8, 52);
				swsev_wle64(x + 16, base + pg);
				swsev_wle32(x + 24, 4096);
				swsev_wle32(x + 40, 4096);
				rq(&r, SWSEV_OP_KVM, svm, KVM_SEV_SEND_UPDATE_DATA, x, sizeof(x));
				blob(&r, 0, NULL, 0);
				blob(&r, 2, NULL, 0);
				swsev_host_call(a->h, &r, &sr);
				CHECK_EQ(sr.err, 0);
				rq(&r, SWSEV_OP_KVM, dvm, KVM_SEV_RECEIVE_UPDATE_DATA, x,
				   sizeof(x));
				blob(&r, 0, sr.out[0].p, sr.out[0].len);
				blob(&r, 2, sr.out[2].p, sr.out[2].len);
				swsev_host_call(b->h, &r, &rr);
				CHECK_EQ(rr.err, 0);
				swsev_rsp_clear(&rr);
				swsev_rsp_clear(&sr);
			}
		}
		swsev_rsp_clear(&info);
	}
	CHECK_EQ(kvm_op(a->h, svm, KVM_SEV_SEND_FINISH, NULL, 0, NULL), 0);
	CHECK_EQ(kvm_op(b->h, dvm, KVM_SEV_RECEIVE_FINISH, NULL, 0, NULL), 0);
	*dvm_out = dvm;
	return 0;
}

static uint32_t running_guest(struct plat *p, const char *name, uint32_t policy,
			      const uint8_t *data, size_t n)
{
	uint32_t vm, fe;
	uint8_t m[48];
	int err;

	vm = vm_create(p->h, name, 64ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(kvm_op(p->h, vm, KVM_SEV_INIT, NULL, 0, &fe), 0);
	CHECK_EQ(launch_start(p->h, vm, policy, NULL, NULL, NULL, &fe), 0);
	CHECK_EQ(vm_write(p->h, vm, 0x10000, data, n), 0);
	CHECK_EQ(update_data(p->h, vm, 0x10000, (uint32_t)n, &fe), 0);
	CHECK_EQ(launch_measure(p->h, vm, m), 0);
	CHECK_EQ(kvm_op(p->h, vm, KVM_SEV_LAUNCH_FINISH, NULL, 0, &fe), 0);
	return vm;
}

TEST(kvm_migration)
{
	struct plat a, b, c;
	swsev_vendor_root *other = NULL;
	uint8_t data[8192], got[8192];
	uint32_t svm, dvm = 0, fe;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	CHECK_EQ(plat_new(&a, "genoa", g_root), 0);
	CHECK_EQ(plat_new(&b, "genoa", g_root), 0);
	/* with the SEV policy bit the firmware checks the target's AMD chain */
	svm = running_guest(&a, "mig", SWSEV_POLICY_SEV, data, sizeof(data));
	CHECK_EQ(migrate(&a, svm, &b, "mig", &dvm, &fe), 0);
	CHECK_EQ(vm_read(b.h, SWSEV_OP_GUEST_READ, dvm, 0x10000, got, sizeof(got)), 0);
	CHECK_MEM(got, data, sizeof(data));
	/* NOSEND: SEND_START refused, the source stays running */
	svm = running_guest(&a, "nosend", SWSEV_POLICY_NOSEND, data, sizeof(data));
	CHECK_EQ(migrate(&a, svm, &b, "nosend", &dvm, &fe), -EIO);
	CHECK_EQ(fe, SEV_STATUS_POLICY_FAILURE);
	CHECK_EQ(vm_read(a.h, SWSEV_OP_GUEST_READ, svm, 0x10000, got, sizeof(got)), 0);
	CHECK_MEM(got, data, sizeof(data));
	/* a target manufactured under another root: the firmware refuses the chain */
	CHECK_EQ(swsev_vendor_root_new(2048, &other), SWSEV_OK);
	CHECK_EQ(plat_new(&c, "genoa", other), 0);
	svm = running_guest(&a, "foreign", SWSEV_POLICY_SEV, data, sizeof(data));
	CHECK_EQ(migrate(&a, svm, &c, "foreign", &dvm, &fe), -EIO);
	CHECK(fe == SEV_STATUS_INVALID_CERTIFICATE || fe == SEV_STATUS_BAD_SIGNATURE);
	CHECK_EQ(kvm_op(a.h, svm, KVM_SEV_DBG_DECRYPT, NULL, 0, &fe), -EFAULT); /* wrong arg size */
	plat_free(&c);
	swsev_vendor_root_free(other);
	plat_free(&b);
	plat_free(&a);
}

TEST(asid_recycling)
{
	struct plat p;
	uint8_t data[64] = { 1, 2, 3 };

	/* naples: 15 ASIDs, none SEV-ES; 40 guests one after another reuse them */
	CHECK_EQ(plat_new(&p, "naples", g_root), 0);
	for (int i = 0; i < 40; i++) {
		char name[16];
		struct swsev_req r;
		struct swsev_rsp s;
		uint32_t vm;

		snprintf(name, sizeof(name), "g%d", i);
		vm = running_guest(&p, name, 0, data, sizeof(data));
		rq(&r, SWSEV_OP_VM_DESTROY, vm, 0, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		CHECK_EQ(s.err, 0);
		swsev_rsp_clear(&s);
		if (th_case_failed)
			break;
	}
	plat_free(&p);
}

/* ---- many threads ---- */

struct worker {
	struct plat *p;
	int idx, ok;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	uint8_t data[4096], got[64], m[48];
	char name[16];
	uint32_t vm, fe;
	int err;

	memset(data, w->idx, sizeof(data));
	snprintf(name, sizeof(name), "t%d", w->idx);
	for (int round = 0; round < 3; round++) {
		snprintf(name, sizeof(name), "t%d-%d", w->idx, round);
		vm = vm_create(w->p->h, name, 32ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
		if (err || kvm_op(w->p->h, vm, KVM_SEV_INIT, NULL, 0, &fe) ||
		    launch_start(w->p->h, vm, 0, NULL, NULL, NULL, &fe) ||
		    vm_write(w->p->h, vm, 0, data, sizeof(data)) ||
		    update_data(w->p->h, vm, 0, sizeof(data), &fe))
			return NULL;
		{
			uint8_t a[16] = { 0 };
			struct swsev_req r;
			struct swsev_rsp s;
			swsev_wle32(a + 8, 48);
			rq(&r, SWSEV_OP_KVM, vm, KVM_SEV_LAUNCH_MEASURE, a, sizeof(a));
			blob(&r, 0, NULL, 0);
			swsev_host_call(w->p->h, &r, &s);
			err = s.err;
			if (!err)
				memcpy(m, s.out[0].p, 48);
			swsev_rsp_clear(&s);
			if (err)
				return NULL;
		}
		if (kvm_op(w->p->h, vm, KVM_SEV_LAUNCH_FINISH, NULL, 0, &fe) ||
		    vm_read(w->p->h, SWSEV_OP_GUEST_READ, vm, 0, got, sizeof(got)) ||
		    got[0] != (uint8_t)w->idx)
			return NULL;
	}
	w->ok = 1;
	return NULL;
}

TEST(concurrent_launches)
{
	struct plat p;
	pthread_t t[6];
	struct worker w[6];
	struct swsev_req r;
	struct swsev_rsp s;
	int lines = 0;

	CHECK_EQ(plat_new(&p, "genoa", g_root), 0);
	for (int i = 0; i < 6; i++) {
		w[i] = (struct worker){ .p = &p, .idx = i + 1 };
		CHECK_EQ(pthread_create(&t[i], NULL, worker_fn, &w[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		CHECK(w[i].ok);
	}
	rq(&r, SWSEV_OP_VM_LIST, 0, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	for (uint32_t i = 0; i < s.out[0].len; i++)
		lines += s.out[0].p[i] == '\n';
	CHECK_EQ(lines, 18);
	swsev_rsp_clear(&s);
	{
		uint8_t st[12];
		CHECK_EQ(platform_status(p.h, st), 0);
		CHECK_EQ(swsev_le32(st + 8), 18); /* no lost guest */
	}
	plat_free(&p);
}

TEST(kvm_init2_lookup_and_types)
{
	struct plat p;
	uint8_t init2[48] = { 0 };
	uint32_t v0, v2, v3, fe, id;
	int err;
	struct swsev_req r;
	struct swsev_rsp s;

	CHECK_EQ(plat_new(&p, "genoa", g_root), 0);
	v0 = vm_create(p.h, "legacy", 32ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	v2 = vm_create(p.h, "sevvm", 32ull << 20, SWSEV_VM_TYPE_SEV, &err);
	v3 = vm_create(p.h, "esvm", 32ull << 20, SWSEV_VM_TYPE_SEV_ES, &err);
	CHECK_EQ(err, 0);
	(void)vm_create(p.h, "badtype", 32ull << 20, 7, &err);
	CHECK_EQ(err, -EINVAL);
	/* RECEIVE_UPDATE_DATA on a non-SEV VM is -EINVAL, the rest -ENOTTY (KVM) */
	{
		uint8_t x[48] = { 0 };
		CHECK_EQ(kvm_op(p.h, v0, KVM_SEV_RECEIVE_UPDATE_DATA, x, sizeof(x), &fe), -EINVAL);
		CHECK_EQ(kvm_op(p.h, v0, KVM_SEV_GUEST_STATUS, NULL, 0, &fe), -ENOTTY);
		CHECK_EQ(fe, SEV_RET_NO_FW_CALL);
	}
	/* INIT2 only on the SEV VM types; legacy INIT only on the default type */
	CHECK_EQ(kvm_op(p.h, v0, KVM_SEV_INIT2, init2, sizeof(init2), &fe), -EINVAL);
	CHECK_EQ(kvm_op(p.h, v2, KVM_SEV_INIT, NULL, 0, &fe), -EINVAL);
	init2[8] = 1; /* flags must be 0 */
	CHECK_EQ(kvm_op(p.h, v2, KVM_SEV_INIT2, init2, sizeof(init2), &fe), -EINVAL);
	init2[8] = 0;
	init2[12] = 1; /* a GHCB version for plain SEV */
	CHECK_EQ(kvm_op(p.h, v2, KVM_SEV_INIT2, init2, sizeof(init2), &fe), -EINVAL);
	init2[12] = 0;
	CHECK_EQ(kvm_op(p.h, v2, KVM_SEV_INIT2, init2, sizeof(init2), &fe), 0);
	init2[12] = 2;
	CHECK_EQ(kvm_op(p.h, v3, KVM_SEV_INIT2, init2, sizeof(init2), &fe), 0);
	/* the ES VM got an ASID from the SEV-ES range, the SEV VM from the rest */
	CHECK_EQ(launch_start(p.h, v2, 0, NULL, NULL, NULL, &fe), 0);
	CHECK_EQ(launch_start(p.h, v3, SWSEV_POLICY_ES, NULL, NULL, NULL, &fe), 0);
	CHECK_EQ(launch_start(p.h, v3, SWSEV_POLICY_ES, NULL, NULL, NULL, &fe),
		 -EINVAL); /* twice */
	{
		uint8_t gs[12] = { 0 };
		uint32_t a2, a3;
		rq(&r, SWSEV_OP_VM_INFO, v2, 0, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		a2 = swsev_le32(s.arg + 8);
		swsev_rsp_clear(&s);
		rq(&r, SWSEV_OP_VM_INFO, v3, 0, NULL, 0);
		swsev_host_call(p.h, &r, &s);
		a3 = swsev_le32(s.arg + 8);
		CHECK(s.arg[23] & SWSEV_VM_INFO_ES);
		swsev_rsp_clear(&s);
		CHECK(a3 >= 1 && a3 <= 200);
		CHECK(a2 > 200 && a2 <= 1006);
		(void)gs;
	}
	/* lookup and info by name */
	rq(&r, SWSEV_OP_VM_LOOKUP, 0, 0, NULL, 0);
	blob(&r, 0, "esvm", 4);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	id = swsev_le32(s.arg);
	CHECK_EQ(id, v3);
	swsev_rsp_clear(&s);
	blob(&r, 0, "nosuch", 6);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -ENOENT);
	swsev_rsp_clear(&s);
	rq(&r, SWSEV_OP_VM_INFO, 0, 0, NULL, 0);
	blob(&r, 0, "sevvm", 5);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK(s.out[0].len > 0 &&
	      memmem(s.out[0].p, s.out[0].len, "\"name\": \"sevvm\"", 15) != NULL);
	swsev_rsp_clear(&s);
	/* a VM op on an unknown id */
	CHECK_EQ(kvm_op(p.h, 9999, KVM_SEV_INIT, NULL, 0, &fe), -ENOENT);
	plat_free(&p);
}

/* Hostile requests (what a malicious daemon client can send): random ops,
 * commands, structs and blobs must never crash, leak or corrupt the host;
 * afterwards a real launch still works. Run under ASan by `make asan`. */
static uint64_t xs_state = 0x9e3779b97f4a7c15ull;
static uint64_t xs(void)
{
	xs_state ^= xs_state << 13;
	xs_state ^= xs_state >> 7;
	xs_state ^= xs_state << 17;
	return xs_state;
}

TEST(hostile_requests)
{
	struct plat p;
	static uint8_t pool[3][8192];
	uint32_t fe;
	int err, nok = 0, nio = 0;

	CHECK_EQ(plat_new(&p, "milan", g_root), 0);
	(void)vm_create(p.h, "victim", 32ull << 20, SWSEV_VM_TYPE_DEFAULT, &err);
	CHECK_EQ(err, 0);
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < sizeof(pool[i]); k++)
			pool[i][k] = (uint8_t)xs();
	for (int it = 0; it < 3000; it++) {
		struct swsev_req r;
		struct swsev_rsp s;
		uint64_t v = xs();

		memset(&r, 0, sizeof(r));
		r.op = (uint32_t)(v % 16);
		r.vm = (uint32_t)((v >> 8) % 4);
		r.cmd = (uint32_t)((v >> 16) % 24);
		r.flags = (uint32_t)((v >> 24) & 1);
		r.arg_len = (uint32_t)((v >> 32) % 80);
		for (uint32_t k = 0; k < r.arg_len; k++) {
			uint64_t w = xs();
			/* keep lengths and addresses mostly small so the firmware does real work */
			r.arg[k] = (uint8_t)((k % 8) < 3 ? w : (w & 1 ? 0 : w & 0x3f));
		}
		if (r.op == SWSEV_OP_VM_CREATE) {
			swsev_wle64(r.arg, (16ull << 20) + ((v >> 40) & 0xff) * 4096);
			r.arg_len = 12;
		}
		for (int b = 0; b < SWSEV_REQ_BLOBS; b++) {
			uint64_t w = xs();
			if (w & 1) {
				r.in[b].present = 1;
				r.in[b].len = (uint32_t)((w >> 8) % 8192);
				r.in[b].p = pool[(w >> 40) % 3];
			}
		}
		if (r.op == SWSEV_OP_SEV_IOCTL && r.cmd == SEV_FACTORY_RESET)
			r.flags = 0; /* keep the platform's identity for the final check */
		swsev_host_call(p.h, &r, &s);
		if (s.err > 0)
			CHECK(0);
		nok += s.err == 0;
		nio += s.err == -EIO; /* reached the firmware, which refused */
		swsev_rsp_clear(&s);
		if (th_case_failed)
			break;
	}
	/* the random requests reached the deep paths, not only argument checks */
	CHECK(nok > 100);
	CHECK(nio > 20);
	/* the host still launches a guest */
	{
		uint8_t data[64] = { 42 }, got[64];
		uint32_t vm = running_guest(&p, "after", 0, data, sizeof(data));
		CHECK_EQ(vm_read(p.h, SWSEV_OP_GUEST_READ, vm, 0x10000, got, sizeof(got)), 0);
		CHECK_MEM(got, data, sizeof(data));
		(void)fe;
	}
	plat_free(&p);
}

TEST(raw_fw_command_and_hello)
{
	struct plat p;
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t buf[12] = { 0 };

	CHECK_EQ(plat_new(&p, "rome", g_root), 0);
	rq(&r, SWSEV_OP_FW_COMMAND, 0, SEV_CMD_PLATFORM_STATUS, buf, sizeof(buf));
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EPERM); /* not a writer */
	swsev_rsp_clear(&s);
	r.flags = SWSEV_REQ_WRITABLE;
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK_EQ(s.arg[1], 22);
	swsev_rsp_clear(&s);
	/* GET_ID with a staged buffer, then a short one: INVALID_LENGTH and 64 */
	swsev_wle32(buf + 8, 64);
	rq(&r, SWSEV_OP_FW_COMMAND, 0, SEV_CMD_GET_ID, buf, sizeof(buf));
	r.flags = SWSEV_REQ_WRITABLE;
	blob(&r, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK_EQ(s.out[0].len, 64);
	swsev_rsp_clear(&s);
	swsev_wle32(r.arg + 8, 10);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EIO);
	CHECK_EQ(s.fw_error, SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(s.arg + 8), 64);
	swsev_rsp_clear(&s);
	rq(&r, SWSEV_OP_HELLO, 0, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, 0);
	CHECK(s.out[0].len > 0 && memmem(s.out[0].p, s.out[0].len, "profile rome", 12) != NULL);
	swsev_rsp_clear(&s);
	rq(&r, 777, 0, 0, NULL, 0);
	swsev_host_call(p.h, &r, &s);
	CHECK_EQ(s.err, -EINVAL);
	swsev_rsp_clear(&s);
	plat_free(&p);
}

TH_MAIN_BEGIN("test_host")
if (swsev_vendor_root_new(2048, &g_root) != SWSEV_OK) {
	printf("FAIL test_host/vendor_root\n");
	return 1;
}
RUN(devsev_status_and_permissions);
RUN(devsev_length_queries);
RUN(devsev_pek_cert_import);
RUN(kvm_launch_secret_finish_guest_read);
RUN(kvm_debug_and_bad_arguments);
RUN(kvm_sev_es_vmsa_measurement);
RUN(kvm_migration);
RUN(asid_recycling);
RUN(concurrent_launches);
RUN(kvm_init2_lookup_and_types);
RUN(hostile_requests);
RUN(raw_fw_command_and_hello);
swsev_vendor_root_free(g_root);
TH_MAIN_END
