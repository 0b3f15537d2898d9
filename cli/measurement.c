/*
 * swsev measurement build: the launch measurement a guest owner expects
 * (launch-flow.md §3, §8), with sevctl's flags, plus --verify that explains
 * a mismatch component by component.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codec/codec.h"
#include "owner.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"
#include "swsev/vmsa.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swsev measurement build --api-major N --api-minor N --build-id N --policy P\n"
		"           --tik TIK (--nonce NONCE | --launch-measure-blob BLOB | --verify BLOB)\n"
		"           (--launch-digest LD | --firmware FILE [--kernel FILE [--initrd FILE] [--cmdline STR]]\n"
		"            [--num-cpus N (--vmsa-cpu0 FILE --vmsa-cpu1 FILE |\n"
		"                           --cpu-family F --cpu-model M --cpu-stepping S [--init2])])\n"
		"           [--outfile FILE] [--json]\n\n"
		"Computes MEASURE = HMAC(TIK, 04 || api || build || policy || LD || nonce) and\n"
		"prints base64(MEASURE || nonce), the form QEMU's query-sev-launch-measure gives.\n\n"
		"  --api-major/--api-minor/--build-id  the platform's firmware version (decimal or 0x hex)\n"
		"  --policy          the guest policy\n"
		"  --tik / --tk      TIK (16 bytes) or TEK||TIK (32 bytes): a file or base64\n"
		"  --nonce           the 16-byte nonce: a file, base64 or hex\n"
		"  --launch-measure-blob  take the nonce from a measurement blob (file or base64)\n"
		"  --verify BLOB     check a measurement blob from QEMU/libvirt (its nonce is used);\n"
		"                    prints 'measurement OK', or explains the mismatch and exits 1\n"
		"  --launch-digest   the launch digest itself (base64 or hex) instead of the images\n"
		"  --firmware        the OVMF image QEMU maps as pflash unit 0 (OVMF_CODE, or OVMF.fd)\n"
		"  --kernel/--initrd/--cmdline  direct kernel boot with kernel-hashes=on\n"
		"  --num-cpus        SEV-ES (policy bit 2): number of vCPUs, one VMSA each\n"
		"  --vmsa-cpu0/--vmsa-cpu1  VMSA pages of the boot CPU and of the others\n"
		"  --cpu-family/--cpu-model/--cpu-stepping  build the VMSAs for this host CPU, with\n"
		"                    the AP reset address from the firmware's OVMF footer\n"
		"  --init2           VMSAs as KVM writes them for the INIT2 VM types (FPU reset state)\n"
		"  --outfile         write the 48 raw bytes to FILE instead of printing base64\n");
}

struct margs {
	const char *api_major, *api_minor, *build_id, *policy;
	const char *tik, *tk, *nonce, *blob, *verify;
	const char *launch_digest, *firmware, *kernel, *initrd, *cmdline;
	const char *num_cpus, *vmsa0, *vmsa1, *family, *model, *stepping;
	const char *outfile;
	int init2;
};

/* Everything measured, kept for the explanation of a mismatch. */
struct measured {
	int have_fw, have_table, es;
	size_t fw_len;
	uint8_t fw_hash[32];
	uint8_t table[SWSEV_HASHES_TABLE_PADDED], table_hash[32];
	uint32_t cpu_sig, ap_reset;
	unsigned num_cpus;
	uint8_t vmsa0[SWSEV_VMSA_LEN], vmsa1[SWSEV_VMSA_LEN], v0_hash[32], v1_hash[32];
	int vmsa_built;
	uint8_t ld[32];
};

static int parse_args(int argc, char **argv, struct margs *a)
{
	const struct cli_opt opts[] = {
		{ "api-major", &a->api_major, NULL, NULL },
		{ "api-minor", &a->api_minor, NULL, NULL },
		{ "build-id", &a->build_id, NULL, NULL },
		{ "policy", &a->policy, NULL, NULL },
		{ "tik", &a->tik, NULL, NULL },
		{ "tk", &a->tk, NULL, NULL },
		{ "nonce", &a->nonce, NULL, NULL },
		{ "launch-measure-blob", &a->blob, NULL, NULL },
		{ "verify", &a->verify, NULL, NULL },
		{ "launch-digest", &a->launch_digest, NULL, NULL },
		{ "firmware", &a->firmware, NULL, NULL },
		{ "kernel", &a->kernel, NULL, NULL },
		{ "initrd", &a->initrd, NULL, NULL },
		{ "cmdline", &a->cmdline, NULL, NULL },
		{ "num-cpus", &a->num_cpus, NULL, NULL },
		{ "vmsa-cpu0", &a->vmsa0, NULL, NULL },
		{ "vmsa-cpu1", &a->vmsa1, NULL, NULL },
		{ "cpu-family", &a->family, NULL, NULL },
		{ "cpu-model", &a->model, NULL, NULL },
		{ "cpu-stepping", &a->stepping, NULL, NULL },
		{ "outfile", &a->outfile, NULL, NULL },
		{ "json", NULL, &cli_g.json, NULL },
		{ "init2", NULL, &a->init2, NULL },
	};
	int r;

	memset(a, 0, sizeof(*a));
	r = cli_parse_opts("measurement build", argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			   usage, NULL, NULL, 0, NULL);
	if (r)
		return r;
	if (!a->api_major || !a->api_minor || !a->build_id || !a->policy) {
		cli_err("measurement build: --api-major, --api-minor, --build-id and --policy are required");
		return -1;
	}
	if (!!a->nonce + !!a->blob + !!a->verify != 1) {
		cli_err("measurement build: give exactly one of --nonce, --launch-measure-blob, --verify");
		return -1;
	}
	if (!a->launch_digest == !a->firmware) {
		cli_err("measurement build: give exactly one of --firmware or --launch-digest");
		return -1;
	}
	if (a->launch_digest && (a->kernel || a->initrd || a->cmdline || a->num_cpus || a->vmsa0 ||
				 a->vmsa1 || a->family || a->model || a->stepping)) {
		cli_err("measurement build: --launch-digest already covers the images; "
			"drop --kernel/--initrd/--cmdline/--num-cpus/--vmsa-*/--cpu-*");
		return -1;
	}
	if (!a->kernel && (a->initrd || a->cmdline)) {
		cli_err("measurement build: --initrd and --cmdline need --kernel");
		return -1;
	}
	if ((a->vmsa0 || a->vmsa1) && (a->family || a->model || a->stepping)) {
		cli_err("measurement build: VMSA files and --cpu-family/--cpu-model/--cpu-stepping "
			"are alternatives");
		return -1;
	}
	if ((a->family || a->model || a->stepping) && !(a->family && a->model && a->stepping)) {
		cli_err("measurement build: --cpu-family, --cpu-model and --cpu-stepping go together");
		return -1;
	}
	return 0;
}

static int hash_file(const char *path, uint8_t **buf, size_t *len, uint8_t h[32])
{
	if (cli_read_file(path, CLI_MAX_FILE, buf, len))
		return -1;
	if (swsev_sha256(*buf, *len, h)) {
		cli_err("%s: cannot hash", path);
		return -1;
	}
	return 0;
}

static int read_vmsa(const char *path, uint8_t out[SWSEV_VMSA_LEN])
{
	uint8_t *b = NULL;
	size_t n = 0;

	if (cli_read_file(path, SWSEV_VMSA_LEN + 1, &b, &n))
		return -1;
	if (n != SWSEV_VMSA_LEN) {
		cli_err("%s: %zu bytes, a VMSA page is %d", path, n, SWSEV_VMSA_LEN);
		free(b);
		return -1;
	}
	memcpy(out, b, n);
	free(b);
	return 0;
}

/* The SEV-ES part: VMSA pages from files or built for the CPU. */
static int cpu_state(const struct margs *a, uint32_t policy, const uint8_t *fw, size_t fwlen,
		     struct measured *m)
{
	uint32_t n;

	if (!(policy & SWSEV_POLICY_ES)) {
		if (a->num_cpus || a->vmsa0 || a->vmsa1 || a->family) {
			cli_err("measurement build: VMSAs are measured only for SEV-ES guests "
				"(policy bit 2, 0x4); policy 0x%x does not set it",
				policy);
			return -1;
		}
		return 0;
	}
	if (!a->num_cpus) {
		cli_err("measurement build: policy 0x%x is SEV-ES: --num-cpus and the VMSAs "
			"(--vmsa-cpu0/--vmsa-cpu1 or --cpu-family/--cpu-model/--cpu-stepping) are needed",
			policy);
		return -1;
	}
	if (cli_parse_u32(a->num_cpus, "--num-cpus", &n))
		return -1;
	if (n == 0 || n > SWSEV_LD_MAX_CPUS) {
		cli_err("--num-cpus %u: must be 1..%d", n, SWSEV_LD_MAX_CPUS);
		return -1;
	}
	m->es = 1;
	m->num_cpus = n;
	if (a->family) {
		uint32_t f, mo, s;
		struct swsev_ovmf_info info;
		struct swsev_vmsa_params p = { 0 };
		swsev_err e;

		if (cli_parse_u32(a->family, "--cpu-family", &f) ||
		    cli_parse_u32(a->model, "--cpu-model", &mo) ||
		    cli_parse_u32(a->stepping, "--cpu-stepping", &s))
			return -1;
		if (f > 0xff + 0xf || mo > 0xff || s > 0xf) {
			cli_err("CPU family %u model %u stepping %u: out of range (family <= 270, "
				"model <= 255, stepping <= 15)",
				f, mo, s);
			return -1;
		}
		e = swsev_ovmf_parse(fw, fwlen, &info);
		if (e || !info.have_reset) {
			cli_err("%s: %s; the AP reset address of SEV-ES comes from it (use --vmsa-cpu0/1 "
				"otherwise)",
				a->firmware,
				e == SWSEV_E_NOTFOUND ? "no OVMF footer table" :
				e                     ? "malformed OVMF footer table" :
							"no SEV-ES reset block in the OVMF footer");
			return -1;
		}
		p.cpu_sig = swsev_cpu_signature(f, mo, s);
		p.ap_reset = info.sev_es_reset;
		p.init2_fpu = a->init2;
		swsev_vmsa_build(&p, m->vmsa0);
		p.ap = 1;
		swsev_vmsa_build(&p, m->vmsa1);
		m->cpu_sig = p.cpu_sig;
		m->ap_reset = p.ap_reset;
		m->vmsa_built = 1;
	} else {
		if (!a->vmsa0 || (n > 1 && !a->vmsa1)) {
			cli_err("measurement build: SEV-ES with --num-cpus %u needs --vmsa-cpu0%s "
				"(or --cpu-family/--cpu-model/--cpu-stepping)",
				n, n > 1 ? " and --vmsa-cpu1" : "");
			return -1;
		}
		if (read_vmsa(a->vmsa0, m->vmsa0))
			return -1;
		if (a->vmsa1 && read_vmsa(a->vmsa1, m->vmsa1))
			return -1;
	}
	if (swsev_sha256(m->vmsa0, SWSEV_VMSA_LEN, m->v0_hash) ||
	    swsev_sha256(m->vmsa1, SWSEV_VMSA_LEN, m->v1_hash))
		return -1;
	return 0;
}

/* LD from the images (or given), with every component's hash kept. */
static int launch_digest(const struct margs *a, uint32_t policy, struct measured *m)
{
	uint8_t *fw = NULL, *k = NULL, *rd = NULL, h[32];
	size_t fwlen = 0, klen = 0, rdlen = 0;
	struct swsev_ld_input in = { 0 };
	struct swsev_ovmf_info info;
	int rc = -1;

	if (a->launch_digest)
		return owner_read_fixed(a->launch_digest, "--launch-digest", "a launch digest",
					m->ld, 32) ?
			       -1 :
			       0;
	if (hash_file(a->firmware, &fw, &fwlen, m->fw_hash))
		goto out;
	m->have_fw = 1;
	m->fw_len = fwlen;
	in.firmware = fw;
	in.firmware_len = fwlen;
	if (a->kernel) {
		if (hash_file(a->kernel, &k, &klen, h))
			goto out;
		if (a->initrd && hash_file(a->initrd, &rd, &rdlen, h))
			goto out;
		if (a->cmdline && strlen(a->cmdline) > 0x10000) {
			cli_err("--cmdline: %zu bytes, longer than any kernel accepts",
				strlen(a->cmdline));
			goto out;
		}
		/* QEMU refuses kernel-hashes=on without a hashes block: say so */
		if (swsev_ovmf_parse(fw, fwlen, &info) != SWSEV_OK || !info.have_hashes ||
		    info.hashes_size < SWSEV_HASHES_TABLE_PADDED)
			cli_warn("%s has no SEV kernel hashes block: QEMU cannot measure a kernel "
				 "with this firmware (kernel-hashes=on fails)",
				 a->firmware);
		if (swsev_hashes_table(k, klen, rd, rdlen, a->cmdline, m->table) ||
		    swsev_sha256(m->table, sizeof(m->table), m->table_hash))
			goto out;
		m->have_table = 1;
		in.hashes_table = m->table;
		in.hashes_table_len = sizeof(m->table);
	}
	if (cpu_state(a, policy, fw, fwlen, m))
		goto out;
	if (m->es) {
		in.num_cpus = m->num_cpus;
		in.vmsa_cpu0 = m->vmsa0;
		in.vmsa_cpu1 = m->vmsa1;
	}
	if (swsev_launch_digest(&in, m->ld)) {
		cli_err("measurement build: cannot compute the launch digest");
		goto out;
	}
	rc = 0;
out:
	free(fw);
	free(k);
	free(rd);
	return rc;
}

static void explain_text(const struct margs *a, const struct measured *m, uint8_t maj, uint8_t min,
			 uint8_t build, uint32_t policy, const uint8_t *nonce, const uint8_t *want,
			 const uint8_t *given)
{
	printf("measurement MISMATCH: the guest was not launched as described\n");
	if (m->have_fw)
		printf("  firmware       %s  %zu bytes  sha256 %s\n", a->firmware, m->fw_len,
		       owner_hex(m->fw_hash, 32));
	if (m->have_table) {
		printf("  hashes table   176 bytes  sha256 %s\n", owner_hex(m->table_hash, 32));
		printf("    cmdline      sha256 %s  (%s)\n", owner_hex(m->table + 0x24, 32),
		       a->cmdline ? a->cmdline : "none: hash of one NUL byte");
		printf("    initrd       sha256 %s  (%s)\n", owner_hex(m->table + 0x56, 32),
		       a->initrd ? a->initrd : "none: hash of nothing");
		printf("    kernel       sha256 %s  (%s)\n", owner_hex(m->table + 0x88, 32),
		       a->kernel);
	} else if (m->have_fw) {
		printf("  hashes table   none (no --kernel: kernel-hashes off)\n");
	}
	if (m->es) {
		if (m->vmsa_built)
			printf("  vmsa           built for CPU signature 0x%08x, AP reset 0x%x%s\n",
			       m->cpu_sig, m->ap_reset, a->init2 ? ", INIT2 FPU state" : "");
		printf("  vmsa cpu0      sha256 %s\n", owner_hex(m->v0_hash, 32));
		if (m->num_cpus > 1)
			printf("  vmsa cpu1..%-3u sha256 %s\n", m->num_cpus - 1,
			       owner_hex(m->v1_hash, 32));
	} else if (m->have_fw) {
		printf("  vmsa           none (policy 0x%x is not SEV-ES)\n", policy);
	}
	printf("  launch digest  %s%s\n", owner_hex(m->ld, 32), a->launch_digest ? " (given)" : "");
	printf("  api %u.%u build %u policy 0x%x nonce %s\n", maj, min, build, policy,
	       owner_hex(nonce, 16));
	printf("  expected       %s\n", owner_hex(want, 32));
	printf("  given          %s\n", owner_hex(given, 32));
	printf("Check the firmware image, kernel/initrd/cmdline, vCPU count and CPU model, the\n"
	       "API version/build and policy the host reports, and that the TIK belongs to this launch.\n");
}

static void components_json(const struct margs *a, const struct measured *m)
{
	char buf[1024];
	size_t k = 0;

	k += (size_t)snprintf(buf + k, sizeof(buf) - k, "{");
	if (m->have_fw)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k,
				      "\"firmware\": {\"size\": %zu, \"sha256\": \"%s\"}",
				      m->fw_len, owner_hex(m->fw_hash, 32));
	if (m->have_table)
		k += (size_t)snprintf(
			buf + k, sizeof(buf) - k,
			", \"hashes_table\": {\"sha256\": \"%s\", \"cmdline\": \"%s\", "
			"\"initrd\": \"%s\", \"kernel\": \"%s\"}",
			owner_hex(m->table_hash, 32), owner_hex(m->table + 0x24, 32),
			owner_hex(m->table + 0x56, 32), owner_hex(m->table + 0x88, 32));
	if (m->es)
		k += (size_t)snprintf(
			buf + k, sizeof(buf) - k,
			"%s\"vmsa\": {\"num_cpus\": %u, \"cpu0_sha256\": \"%s\", \"cpu1_sha256\": \"%s\"}",
			k > 1 ? ", " : "", m->num_cpus, owner_hex(m->v0_hash, 32),
			owner_hex(m->v1_hash, 32));
	snprintf(buf + k, sizeof(buf) - k, "}");
	(void)a;
	cli_json_raw("components", buf);
}

static int measurement_build(int argc, char **argv)
{
	struct margs a;
	struct measured *m = NULL;
	uint8_t tik[16], tek[16], nonce[16], meas[48], given[48];
	uint8_t maj, min, build;
	uint32_t policy;
	int r, rc = CLI_EXIT_USAGE;
	char *b64 = NULL;

	memset(tik, 0, sizeof(tik));
	r = parse_args(argc, argv, &a);
	if (r > 0)
		return CLI_EXIT_OK;
	if (r < 0) {
		fprintf(stderr, "Run 'swsev measurement build --help' for the options.\n");
		return CLI_EXIT_USAGE;
	}
	if (owner_parse_u8(a.api_major, "--api-major", &maj) ||
	    owner_parse_u8(a.api_minor, "--api-minor", &min) ||
	    owner_parse_u8(a.build_id, "--build-id", &build) ||
	    cli_parse_u32(a.policy, "--policy", &policy))
		return CLI_EXIT_USAGE;
	rc = CLI_EXIT_FAIL;
	if (owner_read_tek_tik(NULL, a.tik, a.tk, tek, tik, 0))
		goto out;
	swsev_wipe(tek, sizeof(tek));
	if (a.nonce) {
		if (owner_read_fixed(a.nonce, "--nonce", "a nonce", nonce, 16))
			goto out;
	} else {
		const char *src = a.verify ? a.verify : a.blob;

		if (owner_read_fixed(src, a.verify ? "--verify" : "--launch-measure-blob",
				     "a measurement blob (MEASURE || MNONCE)", given, 48))
			goto out;
		memcpy(nonce, given + 32, 16);
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		cli_err("out of memory");
		goto out;
	}
	if (launch_digest(&a, policy, m))
		goto out;
	if (swsev_measure_for_api(tik, maj, min, build, policy, m->ld, nonce, meas)) {
		cli_err("measurement build: cannot compute the measurement");
		goto out;
	}
	memcpy(meas + 32, nonce, 16);
	if (a.verify) {
		/* the only comparison that decides: constant time */
		int ok = swsev_ct_equal(meas, given, 32);

		if (cli_g.json) {
			cli_json_begin();
			cli_json_bool("ok", ok);
			cli_json_str("launch_digest", owner_hex(m->ld, 32));
			cli_json_str("expected", owner_hex(meas, 32));
			cli_json_str("given", owner_hex(given, 32));
			cli_json_str("nonce", owner_hex(nonce, 16));
			components_json(&a, m);
			cli_json_end();
		} else if (ok) {
			printf("measurement OK\n");
		} else {
			explain_text(&a, m, maj, min, build, policy, nonce, meas, given);
		}
		rc = ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		goto out;
	}
	if (a.outfile) {
		if (cli_write_file(a.outfile, meas, sizeof(meas), 0644))
			goto out;
	}
	if (swsev_base64_encode(meas, sizeof(meas), &b64)) {
		cli_err("out of memory");
		goto out;
	}
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("measurement", b64);
		cli_json_str("launch_digest", owner_hex(m->ld, 32));
		cli_json_str("nonce", owner_hex(nonce, 16));
		if (a.outfile)
			cli_json_str("outfile", a.outfile);
		components_json(&a, m);
		cli_json_end();
	} else if (a.outfile) {
		if (!cli_g.quiet)
			printf("Wrote outfile: %s\n", a.outfile);
	} else {
		printf("%s\n", b64);
	}
	rc = CLI_EXIT_OK;
out:
	free(b64);
	free(m);
	swsev_wipe(tik, sizeof(tik));
	return rc;
}

int cmd_measurement(int argc, char **argv)
{
	owner_note_json(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return measurement_build(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	cli_err("measurement: expected 'build'");
	usage(stderr);
	return CLI_EXIT_USAGE;
}
