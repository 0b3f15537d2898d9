/*
 * swsev vm: the hypervisor's commands (QEMU's role, DESIGN.md "fronts").
 * Every command talks to swsevd through KVM-shaped requests
 * (include/swsev/host.h); nothing here holds a secret.
 *
 *   launch NAME --firmware FILE ...   load, LAUNCH_START .. LAUNCH_MEASURE, stop
 *   measurement NAME                  QMP query-sev-launch-measure
 *   info NAME                         QMP query-sev
 *   inject-secret NAME --header F --payload F [--gpa ADDR]
 *   finish NAME                       LAUNCH_FINISH
 *   read|write NAME --gpa ADDR        DBG_DECRYPT / DBG_ENCRYPT
 *   peek NAME --gpa ADDR              the host's raw view
 *   migrate NAME --to SOCKET          SEND_* to another swsevd's RECEIVE_*
 *   list, destroy NAME
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/kvm-sev.h"
#include "swsev/launch.h"
#include "swsev/psp-sev.h"
#include "swsev/status.h"
#include "swsev/vmsa.h"
#include "vmcommon.h"

#define IMAGE_MAX (64u << 20) /* the flash window */
#define CHUNK (1u << 20)      /* per VM_WRITE / LAUNCH_UPDATE_DATA call */
#define NOTES_MAX 4096

/* ---- small helpers ---- */

static const char *opt_val(int argc, char **argv, int *i, const char *name)
{
	if (strcmp(argv[*i], name) != 0)
		return NULL;
	if (*i + 1 >= argc) {
		cli_err("%s needs a value", name);
		exit(CLI_EXIT_USAGE);
	}
	return argv[++*i];
}

static void req_init(struct swsev_req *req, uint32_t op, uint32_t vm, uint32_t cmd)
{
	memset(req, 0, sizeof(*req));
	req->op = op;
	req->vm = vm;
	req->cmd = cmd;
}

static void req_arg(struct swsev_req *req, const void *p, size_t n)
{
	if (n > 0)
		memcpy(req->arg, p, n);
	req->arg_len = (uint32_t)n;
}

static int kvm(swsev_client *c, uint32_t vm, uint32_t cmd, const void *arg, size_t n,
	       const char *what)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc;

	req_init(&req, SWSEV_OP_KVM, vm, cmd);
	req_arg(&req, arg, n);
	rc = vmc_call(c, &req, &rsp, what);
	swsev_rsp_clear(&rsp);
	return rc;
}

/* The VMM notes kept with the VM: "key=value" lines. */
static int note_get(const uint8_t *notes, size_t len, const char *key, uint64_t *val)
{
	size_t kl = strlen(key), i = 0;

	while (i < len) {
		size_t e = i;
		while (e < len && notes[e] != '\n')
			e++;
		if (e - i > kl + 1 && memcmp(notes + i, key, kl) == 0 && notes[i + kl] == '=') {
			char num[32];
			size_t vl = e - i - kl - 1;
			if (vl >= sizeof(num))
				return -1;
			memcpy(num, notes + i + kl + 1, vl);
			num[vl] = '\0';
			return swsev_parse_u64(num, UINT64_MAX, val) == SWSEV_OK ? 0 : -1;
		}
		i = e + 1;
	}
	return -1;
}

struct vm_info {
	uint32_t id, handle, asid, policy, state, vcpus, type;
	uint8_t api_major, api_minor, build, flags;
	uint64_t memory;
	char *json;
	uint8_t measure[48];
	int have_measure;
	uint8_t *notes;
	size_t notes_len;
	uint64_t *blocks;
	size_t nblocks;
};

static void vm_info_free(struct vm_info *v)
{
	free(v->json);
	free(v->notes);
	free(v->blocks);
	memset(v, 0, sizeof(*v));
}

static int vm_info_get(swsev_client *c, uint32_t id, struct vm_info *v)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	struct swsev_cur cur;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	req_init(&req, SWSEV_OP_VM_INFO, id, 0);
	if (vmc_call(c, &req, &rsp, "query-sev") != 0)
		goto out;
	swsev_cur_init(&cur, rsp.arg, rsp.arg_len);
	if (swsev_cur_u32(&cur, &v->id) || swsev_cur_u32(&cur, &v->handle) ||
	    swsev_cur_u32(&cur, &v->asid) || swsev_cur_u32(&cur, &v->policy) ||
	    swsev_cur_u32(&cur, &v->state) || swsev_cur_u8(&cur, &v->api_major) ||
	    swsev_cur_u8(&cur, &v->api_minor) || swsev_cur_u8(&cur, &v->build) ||
	    swsev_cur_u8(&cur, &v->flags) || swsev_cur_u64(&cur, &v->memory) ||
	    swsev_cur_u32(&cur, &v->vcpus) || swsev_cur_u32(&cur, &v->type) ||
	    swsev_cur_end(&cur)) {
		cli_err("query-sev: malformed answer from the platform");
		goto out;
	}
	v->json = strndup(rsp.out[0].p ? (char *)rsp.out[0].p : "", rsp.out[0].len);
	if (rsp.out[1].len == 48) {
		memcpy(v->measure, rsp.out[1].p, 48);
		v->have_measure = 1;
	}
	if (rsp.out[2].len) {
		v->notes = malloc(rsp.out[2].len);
		if (v->notes) {
			memcpy(v->notes, rsp.out[2].p, rsp.out[2].len);
			v->notes_len = rsp.out[2].len;
		}
	}
	v->nblocks = rsp.out[3].len / 8;
	if (v->nblocks) {
		v->blocks = calloc(v->nblocks, sizeof(uint64_t));
		if (v->blocks == NULL)
			goto out;
		for (size_t i = 0; i < v->nblocks; i++)
			v->blocks[i] = swsev_le64(rsp.out[3].p + 8 * i);
	}
	rc = v->json ? 0 : -1;
out:
	if (rc != 0)
		vm_info_free(v);
	swsev_rsp_clear(&rsp);
	return rc;
}

static const char *state_name(uint32_t st, int sev)
{
	static const char *n[] = { "uninit",      "launch-update",  "launch-secret", "running",
				   "send-update", "receive-update", "sent" };
	if (!sev)
		return "uninit";
	return st < 7 ? n[st] : "unknown";
}

/* The platform's profile name from HELLO ("... profile genoa; ..."). */
static void platform_profile(swsev_client *c, char *out, size_t cap)
{
	struct swsev_req req;
	struct swsev_rsp rsp;

	snprintf(out, cap, "genoa");
	req_init(&req, SWSEV_OP_HELLO, 0, 0);
	if (vmc_call_quiet(c, &req, &rsp) == 0 && rsp.out[0].len) {
		char *t = strndup((char *)rsp.out[0].p, rsp.out[0].len);
		char *p = t ? strstr(t, "profile ") : NULL;
		if (p) {
			size_t n = strcspn(p + 8, "; ");
			if (n < cap) {
				memcpy(out, p + 8, n);
				out[n] = '\0';
			}
		}
		free(t);
	}
	swsev_rsp_clear(&rsp);
}

/* QEMU's default CPU model per generation: (family, model, stepping). */
static void default_cpu(const char *prof, unsigned *f, unsigned *m, unsigned *s)
{
	if (strcmp(prof, "naples") == 0) {
		*f = 23;
		*m = 1;
		*s = 2; /* EPYC */
	} else if (strcmp(prof, "rome") == 0) {
		*f = 23;
		*m = 49;
		*s = 0; /* EPYC-Rome */
	} else if (strcmp(prof, "milan") == 0) {
		*f = 25;
		*m = 1;
		*s = 1; /* EPYC-Milan */
	} else {
		*f = 25;
		*m = 17;
		*s = 0; /* EPYC-Genoa */
	}
}

static int write_guest(swsev_client *c, uint32_t id, uint64_t gpa, const uint8_t *p, size_t len,
		       const char *label)
{
	for (size_t off = 0; off < len; off += CHUNK) {
		struct swsev_req req;
		struct swsev_rsp rsp;
		uint8_t a[8];
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		int rc;

		req_init(&req, SWSEV_OP_VM_WRITE, id, 0);
		swsev_wle64(a, gpa + off);
		req_arg(&req, a, 8);
		vmc_blob(&req, 0, p + off, n);
		rc = vmc_call(c, &req, &rsp, "loading guest memory");
		swsev_rsp_clear(&rsp);
		if (rc)
			return rc;
		if (label && len >= (4u << 20))
			vmc_progress(label, off + n, len);
	}
	return 0;
}

static int update_data(swsev_client *c, uint32_t id, uint64_t gpa, uint64_t len, const char *label)
{
	for (uint64_t off = 0; off < len; off += CHUNK) {
		struct kvm_sev_launch_update_data u;
		uint8_t a[16];
		uint64_t n = len - off < CHUNK ? len - off : CHUNK;

		memset(&u, 0, sizeof(u));
		swsev_wle64(a, gpa + off);
		swsev_wle32(a + 8, (uint32_t)n);
		swsev_wle32(a + 12, 0);
		if (kvm(c, id, KVM_SEV_LAUNCH_UPDATE_DATA, a, sizeof(a), "LAUNCH_UPDATE_DATA"))
			return -1;
		if (label && len >= (4u << 20))
			vmc_progress(label, off + n, len);
	}
	return 0;
}

static int destroy_vm(swsev_client *c, uint32_t id)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc;

	req_init(&req, SWSEV_OP_VM_DESTROY, id, 0);
	rc = vmc_call_quiet(c, &req, &rsp);
	swsev_rsp_clear(&rsp);
	return rc;
}

static int create_vm(swsev_client *c, const char *name, uint64_t mem, uint32_t type,
		     const char *notes, uint32_t *id)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	uint8_t a[12];
	int rc;

	req_init(&req, SWSEV_OP_VM_CREATE, 0, 0);
	swsev_wle64(a, mem);
	swsev_wle32(a + 8, type);
	req_arg(&req, a, sizeof(a));
	vmc_blob(&req, 0, name, strlen(name));
	if (notes)
		vmc_blob(&req, 1, notes, strlen(notes));
	rc = vmc_call(c, &req, &rsp, "creating the VM");
	if (rc == 0)
		*id = swsev_le32(rsp.arg);
	swsev_rsp_clear(&rsp);
	return rc;
}

/* ---- vm launch ---- */

static int usage_launch(void)
{
	fprintf(stderr,
		"usage: swsev vm launch NAME --firmware FILE [--policy P]\n"
		"         [--dh-cert-file F --session-file F]   (base64, as QEMU's sev-guest takes them)\n"
		"         [--kernel F [--initrd F] [--cmdline S]] [--vcpus N] [--memory SIZE]\n"
		"         [--cpu-family N --cpu-model N --cpu-stepping N] [--json]\n");
	return CLI_EXIT_USAGE;
}

static int vm_cmd_launch(int argc, char **argv)
{
	const char *name = NULL, *fwpath = NULL, *dh_path = NULL, *sess_path = NULL, *kpath = NULL,
		   *ipath = NULL, *cmdline = NULL, *v;
	uint32_t policy = 0x1, vcpus = 1, id = 0, fam = 0, mod = 0, step = 0;
	uint64_t mem = 256ull << 20, gpa;
	int have_cpu = 0, rc = CLI_EXIT_FAIL, created = 0;
	uint8_t *img = NULL, *dh = NULL, *sess = NULL, *kernel = NULL, *initrd = NULL,
		*vmsas = NULL;
	size_t img_len = 0, dh_len = 0, sess_len = 0, klen = 0, ilen = 0;
	struct swsev_ovmf_info ov;
	int have_footer = 0;
	swsev_client *c = NULL;
	char notes[NOTES_MAX], prof[32];
	int nl = 0;

	for (int i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--firmware")))
			fwpath = v;
		else if ((v = opt_val(argc, argv, &i, "--policy"))) {
			if (cli_parse_u32(v, "--policy", &policy))
				return CLI_EXIT_USAGE;
		} else if ((v = opt_val(argc, argv, &i, "--dh-cert-file")))
			dh_path = v;
		else if ((v = opt_val(argc, argv, &i, "--session-file")))
			sess_path = v;
		else if ((v = opt_val(argc, argv, &i, "--kernel")))
			kpath = v;
		else if ((v = opt_val(argc, argv, &i, "--initrd")))
			ipath = v;
		else if ((v = opt_val(argc, argv, &i, "--cmdline")))
			cmdline = v;
		else if ((v = opt_val(argc, argv, &i, "--vcpus"))) {
			if (cli_parse_u32(v, "--vcpus", &vcpus) || vcpus == 0 || vcpus > 512) {
				cli_err("--vcpus must be 1..512");
				return CLI_EXIT_USAGE;
			}
		} else if ((v = opt_val(argc, argv, &i, "--memory"))) {
			if (cli_parse_size(v, "--memory", &mem))
				return CLI_EXIT_USAGE;
		} else if ((v = opt_val(argc, argv, &i, "--cpu-family"))) {
			if (cli_parse_u32(v, "--cpu-family", &fam))
				return CLI_EXIT_USAGE;
			have_cpu |= 1;
		} else if ((v = opt_val(argc, argv, &i, "--cpu-model"))) {
			if (cli_parse_u32(v, "--cpu-model", &mod))
				return CLI_EXIT_USAGE;
			have_cpu |= 2;
		} else if ((v = opt_val(argc, argv, &i, "--cpu-stepping"))) {
			if (cli_parse_u32(v, "--cpu-stepping", &step))
				return CLI_EXIT_USAGE;
			have_cpu |= 4;
		} else if (argv[i][0] == '-') {
			cli_err("vm launch: unknown option '%s'", argv[i]);
			return usage_launch();
		} else if (!name) {
			name = argv[i];
		} else {
			return usage_launch();
		}
	}
	if (!name || !fwpath)
		return usage_launch();
	if (mem < (16ull << 20) || mem > (256ull << 30) || (mem & 4095)) {
		cli_err("vm launch: --memory must be 16M..256G in whole 4 KiB pages");
		return CLI_EXIT_USAGE;
	}
	if ((dh_path == NULL) != (sess_path == NULL)) {
		cli_err("vm launch: --dh-cert-file and --session-file go together");
		return CLI_EXIT_USAGE;
	}
	if ((ipath || cmdline) && !kpath) {
		cli_err("vm launch: --initrd and --cmdline need --kernel");
		return CLI_EXIT_USAGE;
	}
	if (have_cpu && have_cpu != 7) {
		cli_err("vm launch: give all of --cpu-family, --cpu-model and --cpu-stepping");
		return CLI_EXIT_USAGE;
	}
	if (cli_read_file(fwpath, IMAGE_MAX, &img, &img_len) != SWSEV_OK)
		goto out;
	if (img_len == 0 || img_len % 16) {
		cli_err("%s: %zu bytes; a flash image is a non-empty multiple of 16 bytes", fwpath,
			img_len);
		goto out;
	}
	have_footer = swsev_ovmf_parse(img, img_len, &ov) == SWSEV_OK;
	if (!have_footer)
		memset(&ov, 0, sizeof(ov));
	if ((policy & SWSEV_POLICY_ES) && !(have_footer && ov.have_reset)) {
		cli_err("%s: no SEV-ES reset block in the OVMF footer; this image cannot boot SEV-ES APs",
			fwpath);
		goto out;
	}
	if (kpath &&
	    !(have_footer && ov.have_hashes && ov.hashes_size >= SWSEV_HASHES_TABLE_PADDED)) {
		cli_err("%s: no kernel-hashes block (>= 176 bytes) in the OVMF footer; --kernel needs an "
			"AmdSev build of OVMF",
			fwpath);
		goto out;
	}
	if (dh_path && (cli_read_b64(dh_path, 16384, &dh, &dh_len) != SWSEV_OK ||
			cli_read_b64(sess_path, 16384, &sess, &sess_len) != SWSEV_OK))
		goto out;
	if (kpath && cli_read_file(kpath, CLI_MAX_FILE, &kernel, &klen) != SWSEV_OK)
		goto out;
	if (ipath && cli_read_file(ipath, CLI_MAX_FILE, &initrd, &ilen) != SWSEV_OK)
		goto out;

	c = vmc_connect(cli_socket());
	if (c == NULL)
		goto out;
	platform_profile(c, prof, sizeof(prof));
	if (!have_cpu)
		default_cpu(prof, &fam, &mod, &step);

	/* QEMU's sev_kvm_init: PLATFORM_STATUS, ES capability */
	{
		struct swsev_req req;
		struct swsev_rsp rsp;
		uint8_t st[12] = { 0 };

		req_init(&req, SWSEV_OP_SEV_IOCTL, 0, SEV_PLATFORM_STATUS);
		req_arg(&req, st, sizeof(st));
		if (vmc_call(c, &req, &rsp, "PLATFORM_STATUS")) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		if ((policy & SWSEV_POLICY_ES) && rsp.arg[2] != 0 &&
		    !(swsev_le32(rsp.arg + 3) & SEV_STATUS_FLAGS_CONFIG_ES)) {
			cli_err("guest policy requires SEV-ES, but the platform was not initialized with SEV-ES");
			swsev_rsp_clear(&rsp);
			goto out;
		}
		swsev_rsp_clear(&rsp);
	}

	gpa = SWSEV_GPA_4G - img_len;
	nl = snprintf(notes, sizeof(notes),
		      "firmware-gpa=0x%" PRIx64 "\nfirmware-size=%zu\npolicy=0x%" PRIx32
		      "\nvcpus=%" PRIu32 "\n",
		      gpa, img_len, policy, vcpus);
	/* Debian's OVMF_CODE names a secret block of size 0: no area */
	if (have_footer && ov.have_secret && ov.secret_size > 0)
		nl += snprintf(notes + nl, sizeof(notes) - (size_t)nl,
			       "secret-base=0x%" PRIx32 "\nsecret-size=0x%" PRIx32 "\n",
			       ov.secret_base, ov.secret_size);
	if (have_footer && ov.have_hashes && ov.hashes_size > 0)
		nl += snprintf(notes + nl, sizeof(notes) - (size_t)nl,
			       "hashes-base=0x%" PRIx32 "\nhashes-size=0x%" PRIx32 "\n",
			       ov.hashes_base, ov.hashes_size);
	if (have_footer && ov.have_reset)
		nl += snprintf(notes + nl, sizeof(notes) - (size_t)nl, "reset=0x%" PRIx32 "\n",
			       ov.sev_es_reset);
	if (create_vm(c, name, mem, SWSEV_VM_TYPE_DEFAULT, notes, &id))
		goto out;
	created = 1;
	if (kvm(c, id, (policy & SWSEV_POLICY_ES) ? KVM_SEV_ES_INIT : KVM_SEV_INIT, NULL, 0,
		(policy & SWSEV_POLICY_ES) ? "KVM_SEV_ES_INIT" : "KVM_SEV_INIT"))
		goto out;
	/* LAUNCH_START (then ACTIVATE, inside the host as KVM does) */
	{
		struct swsev_req req;
		struct swsev_rsp rsp;
		uint8_t a[40];

		memset(a, 0, sizeof(a));
		swsev_wle32(a + 4, policy);
		swsev_wle32(a + 16, (uint32_t)dh_len);
		swsev_wle32(a + 32, (uint32_t)sess_len);
		req_init(&req, SWSEV_OP_KVM, id, KVM_SEV_LAUNCH_START);
		req_arg(&req, a, sizeof(a));
		if (dh) {
			vmc_blob(&req, 0, dh, dh_len);
			vmc_blob(&req, 1, sess, sess_len);
		}
		if (vmc_call(c, &req, &rsp, "LAUNCH_START")) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		swsev_rsp_clear(&rsp);
	}
	/* the flash image, ending at 4 GiB, measured as a whole */
	if (write_guest(c, id, gpa, img, img_len, "loading firmware") ||
	    update_data(c, id, gpa, img_len, "encrypting firmware"))
		goto out;
	if (kernel) {
		uint8_t table[SWSEV_HASHES_TABLE_PADDED];

		if (swsev_hashes_table(kernel, klen, initrd, ilen, cmdline, table) != SWSEV_OK) {
			cli_err("building the kernel hashes table failed");
			goto out;
		}
		if (write_guest(c, id, ov.hashes_base, table, sizeof(table), NULL) ||
		    update_data(c, id, ov.hashes_base, sizeof(table), NULL))
			goto out;
	}
	if (policy & SWSEV_POLICY_ES) {
		struct swsev_vmsa_params vp;
		struct swsev_req req;
		struct swsev_rsp rsp;

		vmsas = calloc(vcpus, SWSEV_VMSA_LEN);
		if (vmsas == NULL)
			goto out;
		memset(&vp, 0, sizeof(vp));
		vp.ap_reset = ov.sev_es_reset;
		vp.cpu_sig = swsev_cpu_signature(fam, mod, step);
		for (uint32_t i = 0; i < vcpus; i++) {
			vp.ap = i > 0;
			swsev_vmsa_build(&vp, vmsas + (size_t)i * SWSEV_VMSA_LEN);
		}
		req_init(&req, SWSEV_OP_KVM, id, KVM_SEV_LAUNCH_UPDATE_VMSA);
		vmc_blob(&req, 0, vmsas, (size_t)vcpus * SWSEV_VMSA_LEN);
		if (vmc_call(c, &req, &rsp, "LAUNCH_UPDATE_VMSA")) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		swsev_rsp_clear(&rsp);
	}
	/* LAUNCH_MEASURE: the length query, then the real call (as QEMU) */
	{
		struct swsev_req req;
		struct swsev_rsp rsp;
		uint8_t a[16];
		uint32_t need;
		char *b64 = NULL;

		memset(a, 0, sizeof(a));
		req_init(&req, SWSEV_OP_KVM, id, KVM_SEV_LAUNCH_MEASURE);
		req_arg(&req, a, sizeof(a));
		if (vmc_call_quiet(c, &req, &rsp) != -1 ||
		    rsp.fw_error != SEV_STATUS_INVALID_LENGTH || rsp.arg_len != 16) {
			(void)vmc_call(c, &req, &rsp, "LAUNCH_MEASURE (length query)");
			swsev_rsp_clear(&rsp);
			goto out;
		}
		need = swsev_le32(rsp.arg + 8);
		swsev_rsp_clear(&rsp);
		if (need < 48 || need > 16384) {
			cli_err("LAUNCH_MEASURE: implausible length %" PRIu32, need);
			goto out;
		}
		swsev_wle32(a + 8, need);
		req_init(&req, SWSEV_OP_KVM, id, KVM_SEV_LAUNCH_MEASURE);
		req_arg(&req, a, sizeof(a));
		vmc_blob(&req, 0, NULL, 0);
		if (vmc_call(c, &req, &rsp, "LAUNCH_MEASURE") || rsp.out[0].len < 48) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		if (swsev_base64_encode(rsp.out[0].p, 48, &b64) != SWSEV_OK) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		swsev_rsp_clear(&rsp);
		if (cli_g.json) {
			cli_json_begin();
			cli_json_str("name", name);
			cli_json_int("id", id);
			cli_json_int("policy", policy);
			cli_json_int("vcpus", vcpus);
			cli_json_int("firmware-gpa", (long long)gpa);
			cli_json_str("measurement", b64);
			cli_json_str("state", "launch-secret");
			cli_json_end();
		} else if (!cli_g.quiet) {
			printf("VM '%s' launched and measured (state launch-secret; the guest is paused).\n",
			       name);
			printf("  firmware   %s: %zu bytes at GPA 0x%" PRIx64 "\n", fwpath, img_len,
			       gpa);
			if (kernel)
				printf("  kernel hashes table at GPA 0x%" PRIx32 "\n",
				       ov.hashes_base);
			if (policy & SWSEV_POLICY_ES)
				printf("  %" PRIu32 " VMSA(s), CPU signature 0x%08" PRIx32 "\n",
				       vcpus, swsev_cpu_signature(fam, mod, step));
			printf("  policy     0x%" PRIx32 "\n", policy);
			printf("  measurement %s\n", b64);
			printf("Next: the guest owner checks it, then 'swsev vm inject-secret' and 'swsev vm finish'.\n");
		}
		free(b64);
	}
	rc = CLI_EXIT_OK;
out:
	if (rc != CLI_EXIT_OK && created && c)
		(void)destroy_vm(c, id);
	if (c)
		swsev_client_close(c);
	free(img);
	free(dh);
	free(sess);
	free(kernel);
	free(initrd);
	free(vmsas);
	return rc;
}

/* ---- commands on one named VM ---- */

struct one_vm {
	const char *name;
	swsev_client *c;
	uint32_t id;
};

static int open_vm(const char *name, struct one_vm *o)
{
	o->name = name;
	o->c = vmc_connect(cli_socket());
	if (o->c == NULL)
		return -1;
	if (vmc_lookup(o->c, name, &o->id)) {
		swsev_client_close(o->c);
		o->c = NULL;
		return -1;
	}
	return 0;
}

static int vm_cmd_measurement(int argc, char **argv)
{
	struct one_vm o;
	struct vm_info v;
	char *b64 = NULL;
	int rc = CLI_EXIT_FAIL;

	if (argc != 2) {
		fprintf(stderr, "usage: swsev vm measurement NAME [--json]\n");
		return CLI_EXIT_USAGE;
	}
	if (open_vm(argv[1], &o))
		return CLI_EXIT_FAIL;
	if (vm_info_get(o.c, o.id, &v) == 0) {
		if (!v.have_measure) {
			cli_err("VM '%s' has no launch measurement yet (state %s)", o.name,
				state_name(v.state, v.flags & SWSEV_VM_INFO_SEV));
		} else if (swsev_base64_encode(v.measure, 48, &b64) == SWSEV_OK) {
			if (cli_g.json) {
				cli_json_begin();
				cli_json_str("data", b64);
				cli_json_end();
			} else {
				printf("%s\n", b64);
			}
			rc = CLI_EXIT_OK;
		}
		vm_info_free(&v);
	}
	free(b64);
	swsev_client_close(o.c);
	return rc;
}

static int cmd_info(int argc, char **argv)
{
	struct one_vm o;
	struct vm_info v;
	int rc = CLI_EXIT_FAIL;

	if (argc != 2) {
		fprintf(stderr, "usage: swsev vm info NAME [--json]\n");
		return CLI_EXIT_USAGE;
	}
	if (open_vm(argv[1], &o))
		return CLI_EXIT_FAIL;
	if (vm_info_get(o.c, o.id, &v) == 0) {
		if (cli_g.json) {
			printf("%s\n", v.json);
		} else {
			int sev = v.flags & SWSEV_VM_INFO_SEV;
			printf("name       %s (id %" PRIu32 ")\n", o.name, v.id);
			printf("sev        %s\n", !sev                         ? "no" :
						  (v.flags & SWSEV_VM_INFO_ES) ? "SEV-ES" :
										 "SEV");
			printf("api        %u.%u build %u\n", v.api_major, v.api_minor, v.build);
			printf("state      %s\n", state_name(v.state, sev));
			printf("handle     %" PRIu32 "\n", v.handle);
			printf("asid       %" PRIu32 "\n", v.asid);
			printf("policy     0x%" PRIx32 "\n", v.policy);
			printf("memory     %" PRIu64 " MiB\n", v.memory >> 20);
			if (v.vcpus)
				printf("vmsas      %" PRIu32 "\n", v.vcpus);
			{
				uint64_t a, b;
				if (!note_get(v.notes, v.notes_len, "firmware-gpa", &a) &&
				    !note_get(v.notes, v.notes_len, "firmware-size", &b))
					printf("firmware   %" PRIu64 " bytes at GPA 0x%" PRIx64
					       "\n",
					       b, a);
				if (!note_get(v.notes, v.notes_len, "secret-base", &a) &&
				    !note_get(v.notes, v.notes_len, "secret-size", &b))
					printf("secret     GPA 0x%" PRIx64 ", %" PRIu64
					       " bytes (OVMF secret area)\n",
					       a, b);
				if (!note_get(v.notes, v.notes_len, "hashes-base", &a))
					printf("hashes     GPA 0x%" PRIx64
					       " (OVMF kernel-hashes area)\n",
					       a);
			}
			if (v.have_measure) {
				char *b64 = NULL;
				if (swsev_base64_encode(v.measure, 48, &b64) == SWSEV_OK)
					printf("measurement %s\n", b64);
				free(b64);
			}
		}
		rc = CLI_EXIT_OK;
		vm_info_free(&v);
	}
	swsev_client_close(o.c);
	return rc;
}

static int cmd_inject(int argc, char **argv)
{
	const char *name = NULL, *hpath = NULL, *ppath = NULL, *gpa_s = NULL, *v;
	uint8_t *hdr = NULL, *pay = NULL;
	size_t hlen = 0, plen = 0;
	uint64_t gpa = 0, size = 0;
	struct one_vm o = { 0 };
	struct vm_info info;
	int rc = CLI_EXIT_FAIL, have_info = 0;

	for (int i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--header")))
			hpath = v;
		else if ((v = opt_val(argc, argv, &i, "--payload")))
			ppath = v;
		else if ((v = opt_val(argc, argv, &i, "--gpa")))
			gpa_s = v;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			name = NULL, i = argc;
	}
	if (!name || !hpath || !ppath) {
		fprintf(stderr,
			"usage: swsev vm inject-secret NAME --header F --payload F [--gpa ADDR]\n"
			"  (base64 files, as QMP sev-inject-launch-secret takes them; default GPA: the OVMF secret area)\n");
		return CLI_EXIT_USAGE;
	}
	if (gpa_s && cli_parse_u64(gpa_s, "--gpa", &gpa))
		return CLI_EXIT_USAGE;
	if (cli_read_b64(hpath, 16384, &hdr, &hlen) != SWSEV_OK ||
	    cli_read_b64(ppath, 16384, &pay, &plen) != SWSEV_OK)
		goto out;
	if (open_vm(name, &o))
		goto out;
	if (vm_info_get(o.c, o.id, &info) == 0)
		have_info = 1;
	if (!gpa_s) {
		if (!have_info || note_get(info.notes, info.notes_len, "secret-base", &gpa) ||
		    note_get(info.notes, info.notes_len, "secret-size", &size)) {
			cli_err("VM '%s': its firmware names no SEV secret area in its OVMF footer (an AmdSev "
				"build does); give --gpa ADDR in guest RAM",
				name);
			goto out;
		}
		if (plen > size) {
			cli_err("the secret payload (%zu bytes) does not fit the OVMF secret area (%" PRIu64
				" bytes)",
				plen, size);
			goto out;
		}
	}
	{
		struct swsev_req req;
		struct swsev_rsp rsp;
		uint8_t a[48];

		memset(a, 0, sizeof(a));
		swsev_wle32(a + 8, (uint32_t)hlen);
		swsev_wle64(a + 16, gpa);
		swsev_wle32(a + 24, (uint32_t)plen);
		swsev_wle32(a + 40, (uint32_t)plen);
		req_init(&req, SWSEV_OP_KVM, o.id, KVM_SEV_LAUNCH_SECRET);
		req_arg(&req, a, sizeof(a));
		vmc_blob(&req, 0, hdr, hlen);
		vmc_blob(&req, 2, pay, plen);
		if (vmc_call(o.c, &req, &rsp, "LAUNCH_SECRET")) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		swsev_rsp_clear(&rsp);
	}
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("name", name);
		cli_json_int("gpa", (long long)gpa);
		cli_json_int("length", (long long)plen);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("secret injected into VM '%s' at GPA 0x%" PRIx64 " (%zu bytes)\n", name, gpa,
		       plen);
	}
	rc = CLI_EXIT_OK;
out:
	if (have_info)
		vm_info_free(&info);
	if (o.c)
		swsev_client_close(o.c);
	free(hdr);
	free(pay);
	return rc;
}

static int simple_kvm(int argc, char **argv, uint32_t cmd, const char *what, const char *done)
{
	struct one_vm o;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: swsev vm %s NAME\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	if (open_vm(argv[1], &o))
		return CLI_EXIT_FAIL;
	rc = kvm(o.c, o.id, cmd, NULL, 0, what);
	if (rc == 0) {
		if (cli_g.json) {
			cli_json_begin();
			cli_json_str("name", o.name);
			cli_json_str("result", done);
			cli_json_end();
		} else if (!cli_g.quiet) {
			printf("VM '%s': %s\n", o.name, done);
		}
	}
	swsev_client_close(o.c);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* read / write / peek */
static int parse_rw(int argc, char **argv, const char **name, uint64_t *gpa, uint32_t *len,
		    const char **hex, const char **file, int *raw)
{
	const char *v;
	int have_gpa = 0;

	*name = NULL;
	*len = 64;
	for (int i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--gpa"))) {
			if (cli_parse_u64(v, "--gpa", gpa))
				return -1;
			have_gpa = 1;
		} else if ((v = opt_val(argc, argv, &i, "--len"))) {
			if (cli_parse_u32(v, "--len", len) || *len == 0 || *len > (16u << 20)) {
				cli_err("--len must be 1..16777216");
				return -1;
			}
		} else if (hex && (v = opt_val(argc, argv, &i, "--hex"))) {
			*hex = v;
		} else if (file && (v = opt_val(argc, argv, &i, "--file"))) {
			*file = v;
		} else if (raw && strcmp(argv[i], "--raw") == 0) {
			*raw = 1;
		} else if (argv[i][0] != '-' && !*name) {
			*name = argv[i];
		} else {
			cli_err("unknown argument '%s'", argv[i]);
			return -1;
		}
	}
	return *name && have_gpa ? 0 : -1;
}

static void print_bytes(const char *name, uint64_t gpa, const uint8_t *p, size_t n, int raw,
			const char *view)
{
	if (raw) {
		fwrite(p, 1, n, stdout);
	} else if (cli_g.json) {
		char *hex = malloc(2 * n + 1);
		if (!hex)
			return;
		swsev_hex_encode(p, n, hex);
		cli_json_begin();
		cli_json_str("name", name);
		cli_json_int("gpa", (long long)gpa);
		cli_json_str("view", view);
		cli_json_str("hex", hex);
		cli_json_end();
		free(hex);
	} else {
		vmc_hexdump(gpa, p, n);
	}
}

static int cmd_read_peek(int argc, char **argv, int peek)
{
	const char *name;
	uint64_t gpa = 0;
	uint32_t len;
	int raw = 0, rc;
	struct one_vm o;
	struct swsev_req req;
	struct swsev_rsp rsp;

	if (parse_rw(argc, argv, &name, &gpa, &len, NULL, NULL, &raw)) {
		fprintf(stderr, "usage: swsev vm %s NAME --gpa ADDR [--len N] [--raw] [--json]\n",
			argv[0]);
		return CLI_EXIT_USAGE;
	}
	if (open_vm(name, &o))
		return CLI_EXIT_FAIL;
	if (peek) {
		uint8_t a[12];
		req_init(&req, SWSEV_OP_VM_READ, o.id, 0);
		swsev_wle64(a, gpa);
		swsev_wle32(a + 8, len);
		req_arg(&req, a, sizeof(a));
		rc = vmc_call(o.c, &req, &rsp, "reading guest memory (host view)");
		if (rc == 0)
			print_bytes(name, gpa, rsp.out[0].p, rsp.out[0].len, raw, "host");
	} else {
		uint8_t a[24];
		memset(a, 0, sizeof(a));
		swsev_wle64(a, gpa);
		swsev_wle32(a + 16, len);
		req_init(&req, SWSEV_OP_KVM, o.id, KVM_SEV_DBG_DECRYPT);
		req_arg(&req, a, sizeof(a));
		vmc_blob(&req, 1, NULL, 0);
		rc = vmc_call(o.c, &req, &rsp, "DBG_DECRYPT");
		if (rc == 0)
			print_bytes(name, gpa, rsp.out[1].p, rsp.out[1].len, raw, "debug");
	}
	swsev_rsp_clear(&rsp);
	swsev_client_close(o.c);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int cmd_write(int argc, char **argv)
{
	const char *name, *hex = NULL, *file = NULL;
	uint64_t gpa = 0;
	uint32_t len;
	uint8_t *data = NULL, a[24];
	size_t dlen = 0;
	struct one_vm o = { 0 };
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc = CLI_EXIT_FAIL;

	if (parse_rw(argc, argv, &name, &gpa, &len, &hex, &file, NULL) || (!hex == !file)) {
		fprintf(stderr, "usage: swsev vm write NAME --gpa ADDR (--hex HEX | --file F)\n");
		return CLI_EXIT_USAGE;
	}
	if (hex) {
		dlen = strlen(hex) / 2;
		data = malloc(dlen ? dlen : 1);
		if (!data || dlen == 0 || strlen(hex) % 2 ||
		    swsev_hex_decode(hex, data, dlen) != SWSEV_OK) {
			cli_err("--hex: not an even number of hex digits");
			free(data);
			return CLI_EXIT_USAGE;
		}
	} else if (cli_read_file(file, 16u << 20, &data, &dlen) != SWSEV_OK || dlen == 0) {
		free(data);
		return CLI_EXIT_FAIL;
	}
	if (open_vm(name, &o))
		goto out;
	memset(a, 0, sizeof(a));
	swsev_wle64(a + 8, gpa);
	swsev_wle32(a + 16, (uint32_t)dlen);
	req_init(&req, SWSEV_OP_KVM, o.id, KVM_SEV_DBG_ENCRYPT);
	req_arg(&req, a, sizeof(a));
	vmc_blob(&req, 0, data, dlen);
	if (vmc_call(o.c, &req, &rsp, "DBG_ENCRYPT") == 0) {
		rc = CLI_EXIT_OK;
		if (!cli_g.quiet && !cli_g.json)
			printf("wrote %zu bytes into VM '%s' at GPA 0x%" PRIx64 " (DBG_ENCRYPT)\n",
			       dlen, name, gpa);
	}
	swsev_rsp_clear(&rsp);
out:
	if (o.c)
		swsev_client_close(o.c);
	free(data);
	return rc;
}

/* One line of SWSEV_OP_VM_LIST (include/swsev/host.h):
 * "<id> <name> <state> handle=<u32> asid=<u32> policy=0x<hex> memory=<bytes>".
 * Parsed strictly: every field present, numbers range-checked, nothing after. */
struct vm_list_line {
	uint32_t id, handle, asid, policy;
	uint64_t memory;
	char name[64], state[32];
};

static int vm_list_field(char **save, const char *prefix, uint64_t max, uint64_t *out)
{
	char *tok = strtok_r(NULL, " ", save);
	size_t n = strlen(prefix);

	if (!tok || strncmp(tok, prefix, n) != 0)
		return -1;
	return swsev_parse_u64(tok + n, max, out) == SWSEV_OK ? 0 : -1;
}

static int parse_vm_list_line(char *line, struct vm_list_line *l)
{
	char *save = NULL, *tok;
	uint64_t v;

	memset(l, 0, sizeof(*l));
	tok = strtok_r(line, " ", &save);
	if (!tok || swsev_parse_u64(tok, UINT32_MAX, &v) != SWSEV_OK)
		return -1;
	l->id = (uint32_t)v;
	tok = strtok_r(NULL, " ", &save);
	if (!tok || strlen(tok) >= sizeof(l->name))
		return -1;
	strcpy(l->name, tok);
	tok = strtok_r(NULL, " ", &save);
	if (!tok || strlen(tok) >= sizeof(l->state))
		return -1;
	strcpy(l->state, tok);
	if (vm_list_field(&save, "handle=", UINT32_MAX, &v))
		return -1;
	l->handle = (uint32_t)v;
	if (vm_list_field(&save, "asid=", UINT32_MAX, &v))
		return -1;
	l->asid = (uint32_t)v;
	/* the policy is written 0x-prefixed: keep the prefix for the parser */
	tok = strtok_r(NULL, " ", &save);
	if (!tok || strncmp(tok, "policy=0x", 9) != 0 ||
	    swsev_parse_u64(tok + 7, UINT32_MAX, &v) != SWSEV_OK)
		return -1;
	l->policy = (uint32_t)v;
	if (vm_list_field(&save, "memory=", UINT64_MAX, &l->memory))
		return -1;
	return strtok_r(NULL, " ", &save) == NULL ? 0 : -1;
}

static int cmd_list(int argc, char **argv)
{
	swsev_client *c;
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: swsev vm list [--json]\n");
		return CLI_EXIT_USAGE;
	}
	c = vmc_connect(cli_socket());
	if (!c)
		return CLI_EXIT_FAIL;
	req_init(&req, SWSEV_OP_VM_LIST, 0, 0);
	rc = vmc_call(c, &req, &rsp, "listing VMs");
	if (rc == 0) {
		char *t = strndup(rsp.out[0].p ? (char *)rsp.out[0].p : "", rsp.out[0].len);
		char *save = NULL, *line;
		int first = 1;

		if (cli_g.json)
			fputs("[", stdout);
		else if (!cli_g.quiet)
			printf("%-6s %-24s %-15s %-7s %-5s %-10s %s\n", "ID", "NAME", "STATE",
			       "HANDLE", "ASID", "POLICY", "MEMORY");
		for (line = t ? strtok_r(t, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct vm_list_line l;
			unsigned id, handle, asid, policy;
			unsigned long long memb;
			const char *name, *state;

			if (parse_vm_list_line(line, &l) != 0) {
				cli_warn("vm list: malformed line from the platform: '%.80s'",
					 line);
				rc = -1;
				continue;
			}
			id = l.id;
			handle = l.handle;
			asid = l.asid;
			policy = l.policy;
			memb = l.memory;
			name = l.name;
			state = l.state;
			if (cli_g.json) {
				char *q = cli_json_quote(name), *qs = cli_json_quote(state);
				printf("%s{\"id\": %u, \"name\": %s, \"state\": %s, \"handle\": %u, \"asid\": %u, "
				       "\"policy\": %u, \"memory\": %llu}",
				       first ? "" : ", ", id, q, qs, handle, asid, policy, memb);
				free(q);
				free(qs);
			} else {
				printf("%-6u %-24s %-15s %-7u %-5u 0x%-8x %llu MiB\n", id, name,
				       state, handle, asid, policy, memb >> 20);
			}
			first = 0;
		}
		if (cli_g.json)
			fputs("]\n", stdout);
		free(t);
	}
	swsev_rsp_clear(&rsp);
	swsev_client_close(c);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int cmd_destroy(int argc, char **argv)
{
	struct one_vm o;
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: swsev vm destroy NAME\n");
		return CLI_EXIT_USAGE;
	}
	if (open_vm(argv[1], &o))
		return CLI_EXIT_FAIL;
	req_init(&req, SWSEV_OP_VM_DESTROY, o.id, 0);
	rc = vmc_call(o.c, &req, &rsp, "destroying the VM");
	swsev_rsp_clear(&rsp);
	if (rc == 0 && cli_g.json) {
		cli_json_begin();
		cli_json_str("name", o.name);
		cli_json_bool("destroyed", 1);
		cli_json_end();
	} else if (rc == 0 && !cli_g.quiet) {
		printf("VM '%s' destroyed (DEACTIVATE, DECOMMISSION; its memory released)\n",
		       o.name);
	}
	swsev_client_close(o.c);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* ---- vm migrate ---- */

/* PDH_CERT_EXPORT through a platform's /dev/sev: a length query, then the call. */
static int export_pdh(swsev_client *c, uint8_t pdh[SWSEV_CERT_LEN], uint8_t chain[SWSEV_CHAIN_LEN],
		      const char *who)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	uint8_t a[24];
	char what[96];
	int rc = -1;

	snprintf(what, sizeof(what), "PDH_CERT_EXPORT on the %s", who);
	memset(a, 0, sizeof(a));
	swsev_wle32(a + 8, SWSEV_CERT_LEN);
	swsev_wle32(a + 20, SWSEV_CHAIN_LEN);
	req_init(&req, SWSEV_OP_SEV_IOCTL, 0, SEV_PDH_CERT_EXPORT);
	req.flags = SWSEV_REQ_WRITABLE;
	req_arg(&req, a, sizeof(a));
	vmc_blob(&req, 0, NULL, 0);
	vmc_blob(&req, 1, NULL, 0);
	if (vmc_call(c, &req, &rsp, what) == 0 && rsp.out[0].len == SWSEV_CERT_LEN &&
	    rsp.out[1].len == SWSEV_CHAIN_LEN) {
		memcpy(pdh, rsp.out[0].p, SWSEV_CERT_LEN);
		memcpy(chain, rsp.out[1].p, SWSEV_CHAIN_LEN);
		rc = 0;
	} else if (rsp.err == 0) {
		cli_err("%s: unexpected lengths", what);
	}
	swsev_rsp_clear(&rsp);
	return rc;
}

static int platform_certs(swsev_client *c, uint8_t cek[SWSEV_CERT_LEN], uint8_t *amd, size_t cap,
			  size_t *alen, const char *who)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	char what[96];
	int rc = -1;

	snprintf(what, sizeof(what), "fetching the %s's CEK and AMD certificates", who);
	req_init(&req, SWSEV_OP_PLATFORM_CERTS, 0, 0);
	if (vmc_call(c, &req, &rsp, what) == 0 && rsp.out[0].len == SWSEV_CERT_LEN &&
	    rsp.out[1].len <= cap) {
		memcpy(cek, rsp.out[0].p, SWSEV_CERT_LEN);
		memcpy(amd, rsp.out[1].p, rsp.out[1].len);
		*alen = rsp.out[1].len;
		rc = 0;
	}
	swsev_rsp_clear(&rsp);
	return rc;
}

/* Builds a chain from a platform's exports and verifies it under `ark`. */
static int verify_target(const uint8_t *pdh, const uint8_t *chain, const uint8_t *cek,
			 const uint8_t *amd, size_t alen, const struct swsev_amd_cert *trusted,
			 struct swsev_chain *ch)
{
	struct swsev_chain_result res;
	size_t used = 0, used2 = 0;

	memset(ch, 0, sizeof(*ch));
	if (swsev_cert_parse(pdh, SWSEV_CERT_LEN, &ch->pdh) != SWSEV_OK ||
	    swsev_cert_parse(chain, SWSEV_CERT_LEN, &ch->pek) != SWSEV_OK ||
	    swsev_cert_parse(chain + SWSEV_CERT_LEN, SWSEV_CERT_LEN, &ch->oca) != SWSEV_OK ||
	    swsev_cert_parse(cek, SWSEV_CERT_LEN, &ch->cek) != SWSEV_OK ||
	    swsev_amd_cert_parse(amd, alen, 0, &ch->ask, &used) != SWSEV_OK ||
	    swsev_amd_cert_parse(amd + used, alen - used, 0, &ch->ark, &used2) != SWSEV_OK) {
		cli_err("the target's certificates do not parse");
		return -1;
	}
	ch->have_amd = ch->have_ask = ch->have_ark = 1;
	if (swsev_chain_verify(ch, trusted, &res) != SWSEV_OK) {
		for (int l = 0; l < SWSEV_LINK_COUNT; l++)
			if (res.link[l] != SWSEV_OK)
				cli_err("target chain: %s: %s", swsev_link_name((enum swsev_link)l),
					res.msg[l][0] ? res.msg[l] : swsev_strerror(res.link[l]));
		if (res.trust != SWSEV_OK)
			cli_err("target chain: %s",
				res.trust_msg[0] ? res.trust_msg : swsev_strerror(res.trust));
		cli_err("the target platform's chain does not verify under this platform's AMD root; refusing to "
			"send the guest there");
		return -1;
	}
	return 0;
}

static int migrate_pages(swsev_client *src, uint32_t sid, swsev_client *dst, uint32_t did,
			 const uint64_t *blocks, size_t nblocks)
{
	uint64_t total = (uint64_t)nblocks * (SWSEV_BLOCK_SIZE / 4096), done = 0;
	uint8_t *hdr = NULL, *trans = NULL;
	int rc = -1;

	for (size_t b = 0; b < nblocks; b++) {
		for (uint64_t pg = 0; pg < SWSEV_BLOCK_SIZE; pg += 4096) {
			uint64_t gpa = blocks[b] + pg;
			struct swsev_req req;
			struct swsev_rsp srsp, drsp;
			uint8_t a[48];
			int r;

			/* SEND_UPDATE_DATA on the source */
			memset(a, 0, sizeof(a));
			swsev_wle32(a + 8, SWSEV_PKT_HDR_LEN);
			swsev_wle64(a + 16, gpa);
			swsev_wle32(a + 24, 4096);
			swsev_wle32(a + 40, 4096);
			req_init(&req, SWSEV_OP_KVM, sid, KVM_SEV_SEND_UPDATE_DATA);
			req_arg(&req, a, sizeof(a));
			vmc_blob(&req, 0, NULL, 0);
			vmc_blob(&req, 2, NULL, 0);
			if (vmc_call(src, &req, &srsp, "SEND_UPDATE_DATA")) {
				swsev_rsp_clear(&srsp);
				goto out;
			}
			/* RECEIVE_UPDATE_DATA on the target, same GPA */
			req_init(&req, SWSEV_OP_KVM, did, KVM_SEV_RECEIVE_UPDATE_DATA);
			swsev_wle32(a + 8, srsp.out[0].len);
			swsev_wle32(a + 40, srsp.out[2].len);
			req_arg(&req, a, sizeof(a));
			vmc_blob(&req, 0, srsp.out[0].p, srsp.out[0].len);
			vmc_blob(&req, 2, srsp.out[2].p, srsp.out[2].len);
			r = vmc_call(dst, &req, &drsp, "RECEIVE_UPDATE_DATA");
			swsev_rsp_clear(&drsp);
			swsev_rsp_clear(&srsp);
			if (r)
				goto out;
			done++;
			if (total >= 1024 && (done % 256 == 0 || done == total))
				vmc_progress("migrating memory", done, total);
		}
	}
	rc = 0;
out:
	free(hdr);
	free(trans);
	return rc;
}

static int cmd_migrate(int argc, char **argv)
{
	const char *name = NULL, *to = NULL, *v;
	swsev_client *src = NULL, *dst = NULL;
	uint32_t sid = 0, did = 0, policy;
	struct vm_info info;
	int have_info = 0, started = 0, dst_vm = 0, rc = CLI_EXIT_FAIL, keep = 0;
	uint8_t tpdh[SWSEV_CERT_LEN], tchain[SWSEV_CHAIN_LEN], tcek[SWSEV_CERT_LEN], tamd[4096];
	uint8_t spdh[SWSEV_CERT_LEN], schain[SWSEV_CHAIN_LEN], scek[SWSEV_CERT_LEN], samd[4096];
	uint8_t session[SWSEV_SESSION_LEN];
	size_t talen = 0, salen = 0, used = 0;
	struct swsev_amd_cert src_ark, src_ask;
	struct swsev_chain *ch = NULL;
	char *notes = NULL;

	for (int i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--to")))
			to = v;
		else if (strcmp(argv[i], "--keep-source") == 0)
			keep = 1;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			name = NULL, i = argc;
	}
	if (!name || !to) {
		fprintf(stderr, "usage: swsev vm migrate NAME --to SOCKET [--keep-source]\n");
		return CLI_EXIT_USAGE;
	}
	src = vmc_connect(cli_socket());
	if (!src || vmc_lookup(src, name, &sid))
		goto out;
	dst = vmc_connect(to);
	if (!dst)
		goto out;
	if (vm_info_get(src, sid, &info))
		goto out;
	have_info = 1;
	if (!(info.flags & SWSEV_VM_INFO_SEV) || info.state != 3) {
		cli_err("VM '%s' is not a running SEV guest (state %s); only running guests migrate",
			name, state_name(info.state, info.flags & SWSEV_VM_INFO_SEV));
		goto out;
	}
	if (info.flags & SWSEV_VM_INFO_ES) {
		cli_err("VM '%s' is SEV-ES: KVM cannot migrate its VMSAs (no SEND_UPDATE_VMSA)",
			name);
		goto out;
	}
	policy = info.policy;
	if (policy & SWSEV_POLICY_NOSEND)
		cli_warn("the guest policy forbids sending (NOSEND); the firmware will refuse");
	/* 1. the target's certificates, verified under this platform's AMD root */
	ch = calloc(1, sizeof(*ch));
	if (!ch || export_pdh(dst, tpdh, tchain, "target") ||
	    platform_certs(dst, tcek, tamd, sizeof(tamd), &talen, "target") ||
	    export_pdh(src, spdh, schain, "source") ||
	    platform_certs(src, scek, samd, sizeof(samd), &salen, "source"))
		goto out;
	if (swsev_amd_cert_parse(samd, salen, 0, &src_ask, &used) != SWSEV_OK ||
	    swsev_amd_cert_parse(samd + used, salen - used, 0, &src_ark, &used) != SWSEV_OK) {
		cli_err("this platform's AMD certificates do not parse");
		goto out;
	}
	if (verify_target(tpdh, tchain, tcek, tamd, talen, &src_ark, ch))
		goto out;
	if ((policy & SWSEV_POLICY_DOMAIN) &&
	    memcmp(tchain + SWSEV_CERT_LEN, schain + SWSEV_CERT_LEN, SWSEV_CERT_LEN)) {
		cli_err("the guest policy sets DOMAIN and the target has another owner (OCA); the firmware will refuse");
	}
	/* 2. SEND_START on the source: session length query, then the call */
	{
		struct swsev_req req;
		struct swsev_rsp rsp;
		uint8_t a[72];

		memset(a, 0, sizeof(a));
		req_init(&req, SWSEV_OP_KVM, sid, KVM_SEV_SEND_START);
		req_arg(&req, a, sizeof(a));
		if (vmc_call_quiet(src, &req, &rsp) == -2 ||
		    swsev_le32(rsp.arg + 0x40) != SWSEV_SESSION_LEN) {
			(void)vmc_call(src, &req, &rsp, "SEND_START (length query)");
			swsev_rsp_clear(&rsp);
			goto out;
		}
		swsev_rsp_clear(&rsp);
		swsev_wle32(a + 0x10, SWSEV_CERT_LEN);
		swsev_wle32(a + 0x20, SWSEV_CHAIN_LEN);
		swsev_wle32(a + 0x30, (uint32_t)talen);
		swsev_wle32(a + 0x40, SWSEV_SESSION_LEN);
		req_init(&req, SWSEV_OP_KVM, sid, KVM_SEV_SEND_START);
		req_arg(&req, a, sizeof(a));
		vmc_blob(&req, 0, tpdh, SWSEV_CERT_LEN);
		/* PEK || OCA || CEK, with the AMD-signed CEK */
		memcpy(tchain + 2 * SWSEV_CERT_LEN, tcek, SWSEV_CERT_LEN);
		vmc_blob(&req, 1, tchain, SWSEV_CHAIN_LEN);
		vmc_blob(&req, 2, tamd, talen);
		vmc_blob(&req, 3, NULL, 0);
		if (vmc_call(src, &req, &rsp, "SEND_START") ||
		    rsp.out[3].len != SWSEV_SESSION_LEN) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		memcpy(session, rsp.out[3].p, SWSEV_SESSION_LEN);
		policy = swsev_le32(rsp.arg);
		swsev_rsp_clear(&rsp);
		started = 1;
	}
	/* 3. the target VM: same memory, RECEIVE_START with the source's PDH */
	notes = strndup(info.notes ? (char *)info.notes : "", info.notes_len);
	if (!notes || create_vm(dst, name, info.memory, SWSEV_VM_TYPE_DEFAULT, notes, &did))
		goto out;
	dst_vm = 1;
	if (kvm(dst, did, KVM_SEV_INIT, NULL, 0, "KVM_SEV_INIT on the target"))
		goto out;
	{
		struct swsev_req req;
		struct swsev_rsp rsp;
		uint8_t a[40];

		memset(a, 0, sizeof(a));
		swsev_wle32(a + 4, policy);
		swsev_wle32(a + 16, SWSEV_CERT_LEN);
		swsev_wle32(a + 32, SWSEV_SESSION_LEN);
		req_init(&req, SWSEV_OP_KVM, did, KVM_SEV_RECEIVE_START);
		req_arg(&req, a, sizeof(a));
		vmc_blob(&req, 0, spdh, SWSEV_CERT_LEN);
		vmc_blob(&req, 1, session, SWSEV_SESSION_LEN);
		if (vmc_call(dst, &req, &rsp, "RECEIVE_START on the target")) {
			swsev_rsp_clear(&rsp);
			goto out;
		}
		swsev_rsp_clear(&rsp);
	}
	/* 4. every populated page */
	if (migrate_pages(src, sid, dst, did, info.blocks, info.nblocks))
		goto out;
	/* 5. finish both ends */
	if (kvm(src, sid, KVM_SEV_SEND_FINISH, NULL, 0, "SEND_FINISH"))
		goto out;
	started = 0;
	if (kvm(dst, did, KVM_SEV_RECEIVE_FINISH, NULL, 0, "RECEIVE_FINISH on the target"))
		goto out;
	dst_vm = 0;
	if (!keep)
		(void)destroy_vm(src, sid);
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("name", name);
		cli_json_str("to", to);
		cli_json_int("pages", (long long)info.nblocks * (SWSEV_BLOCK_SIZE / 4096));
		cli_json_str("result", "migrated");
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("VM '%s' migrated to %s (%zu MiB of guest memory sent; the guest runs there now)\n",
		       name, to, info.nblocks * (size_t)(SWSEV_BLOCK_SIZE >> 20));
	}
	rc = CLI_EXIT_OK;
out:
	if (started) {
		/* leave the source guest intact and running */
		if (kvm(src, sid, KVM_SEV_SEND_CANCEL, NULL, 0, "SEND_CANCEL") == 0)
			cli_err("migration aborted: SEND_CANCEL done, VM '%s' keeps running here",
				name);
	}
	if (dst_vm)
		(void)destroy_vm(dst, did);
	if (have_info)
		vm_info_free(&info);
	free(notes);
	free(ch);
	swsev_wipe(session, sizeof(session));
	if (src)
		swsev_client_close(src);
	if (dst)
		swsev_client_close(dst);
	return rc;
}

static void usage_vm(FILE *f)
{
	fprintf(f,
		"usage: swsev vm <command> ...\n"
		"  launch NAME --firmware FILE [options]   load, LAUNCH_START .. LAUNCH_MEASURE, stop\n"
		"  measurement NAME                         the launch measurement (QMP query-sev-launch-measure)\n"
		"  info NAME                                QMP query-sev\n"
		"  inject-secret NAME --header F --payload F [--gpa ADDR]\n"
		"  finish NAME                              LAUNCH_FINISH: the guest runs\n"
		"  read NAME --gpa ADDR [--len N]           DBG_DECRYPT\n"
		"  write NAME --gpa ADDR (--hex H | --file F)  DBG_ENCRYPT\n"
		"  peek NAME --gpa ADDR [--len N]           the host's raw view of guest memory\n"
		"  migrate NAME --to SOCKET                 send the guest to another swsevd\n"
		"  list                                     the VMs of this platform\n"
		"  destroy NAME\n");
}

int cmd_vm(int argc, char **argv)
{
	argc = vmc_strip_json(argc, argv);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_vm(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	argc--;
	argv++;
	if (!strcmp(argv[0], "launch"))
		return vm_cmd_launch(argc, argv);
	if (!strcmp(argv[0], "measurement"))
		return vm_cmd_measurement(argc, argv);
	if (!strcmp(argv[0], "info"))
		return cmd_info(argc, argv);
	if (!strcmp(argv[0], "inject-secret"))
		return cmd_inject(argc, argv);
	if (!strcmp(argv[0], "finish"))
		return simple_kvm(argc, argv, KVM_SEV_LAUNCH_FINISH, "LAUNCH_FINISH",
				  "launch finished; the guest runs");
	if (!strcmp(argv[0], "read"))
		return cmd_read_peek(argc, argv, 0);
	if (!strcmp(argv[0], "peek"))
		return cmd_read_peek(argc, argv, 1);
	if (!strcmp(argv[0], "write"))
		return cmd_write(argc, argv);
	if (!strcmp(argv[0], "migrate"))
		return cmd_migrate(argc, argv);
	if (!strcmp(argv[0], "list"))
		return cmd_list(argc, argv);
	if (!strcmp(argv[0], "destroy"))
		return cmd_destroy(argc, argv);
	cli_err("vm: unknown command '%s'", argv[0]);
	usage_vm(stderr);
	return CLI_EXIT_USAGE;
}
