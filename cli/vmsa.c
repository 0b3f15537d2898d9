/*
 * swsev vmsa build FILE --cpu N --userspace qemu [--family F --model M
 *                  --stepping S] [--firmware FILE | --reset-addr ADDR] [--init2]
 * swsev vmsa show FILE [--json]
 *
 * SEV-ES initial VMSA pages (launch-flow.md §7), sevctl's `vmsa build`
 * arguments; byte-identical with sevctl's pages for the same inputs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codec/codec.h"
#include "owner.h"
#include "swsev/launch.h"
#include "swsev/vmsa.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swsev vmsa build FILE --cpu N --userspace qemu [--family F --model M --stepping S]\n"
		"                  [--firmware OVMF | --reset-addr ADDR] [--init2]\n"
		"       swsev vmsa show FILE [--json]\n\n"
		"build: writes the 4096-byte VMSA page QEMU+KVM measure for vCPU N at reset.\n"
		"  --cpu N          0 = boot CPU; any other number = an AP\n"
		"  --userspace      the VMM: qemu (the only one supported)\n"
		"  --family/--model/--stepping  the vCPU model (RDX = CPUID 1 EAX), e.g. EPYC-Milan 25/1/1\n"
		"  --firmware       OVMF image: an AP starts at the SEV-ES reset block of its footer\n"
		"  --reset-addr     the AP reset address itself (instead of --firmware)\n"
		"  --init2          the FPU reset state KVM writes for the INIT2 VM types\n"
		"show: prints the non-zero fields by name (and any other non-zero bytes).\n");
}

static int read_reset_addr(const char *path, uint32_t *addr)
{
	uint8_t *fw = NULL;
	size_t n = 0;
	struct swsev_ovmf_info info;
	swsev_err e;

	if (cli_read_file(path, CLI_MAX_FILE, &fw, &n))
		return -1;
	e = swsev_ovmf_parse(fw, n, &info);
	free(fw);
	if (e == SWSEV_E_NOTFOUND) {
		cli_err("%s: no OVMF footer table (not an OVMF image?)", path);
		return -1;
	}
	if (e) {
		cli_err("%s: malformed OVMF footer table: %s", path, swsev_strerror(e));
		return -1;
	}
	if (!info.have_reset) {
		cli_err("%s: no SEV-ES reset block in the OVMF footer (not an SEV-ES capable build)",
			path);
		return -1;
	}
	*addr = info.sev_es_reset;
	return 0;
}

static int vmsa_build_cmd(int argc, char **argv)
{
	enum { O_CPU = 256, O_FAM, O_MODEL, O_STEP, O_FW, O_RESET, O_USER, O_INIT2, O_JSON };
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, O_CPU },
		{ "family", required_argument, NULL, O_FAM },
		{ "model", required_argument, NULL, O_MODEL },
		{ "stepping", required_argument, NULL, O_STEP },
		{ "firmware", required_argument, NULL, O_FW },
		{ "reset-addr", required_argument, NULL, O_RESET },
		{ "userspace", required_argument, NULL, O_USER },
		{ "init2", no_argument, NULL, O_INIT2 },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cpu = NULL, *fam = NULL, *model = NULL, *step = NULL, *fw = NULL, *reset = NULL;
	const char *user = NULL, *out = NULL;
	uint32_t ncpu = 0, f = 0, m = 0, s = 0;
	struct swsev_vmsa_params p = { 0 };
	uint8_t page[SWSEV_VMSA_LEN];
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_CPU: cpu = optarg; break;
		case O_FAM: fam = optarg; break;
		case O_MODEL: model = optarg; break;
		case O_STEP: step = optarg; break;
		case O_FW: fw = optarg; break;
		case O_RESET: reset = optarg; break;
		case O_USER: user = optarg; break;
		case O_INIT2: p.init2_fpu = 1; break;
		case O_JSON: cli_g.json = 1; break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default:
			cli_err("vmsa build: unknown option or missing value: '%s'",
				argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_err("vmsa build: needs exactly one output FILE");
		return CLI_EXIT_USAGE;
	}
	out = argv[optind];
	if (!cpu || !user) {
		cli_err("vmsa build: --cpu and --userspace are required");
		return CLI_EXIT_USAGE;
	}
	if (strcmp(user, "qemu") != 0) {
		cli_err("vmsa build: --userspace '%s' is not supported (only qemu)", user);
		return CLI_EXIT_USAGE;
	}
	if (cli_parse_u32(cpu, "--cpu", &ncpu))
		return CLI_EXIT_USAGE;
	if ((fam && cli_parse_u32(fam, "--family", &f)) ||
	    (model && cli_parse_u32(model, "--model", &m)) ||
	    (step && cli_parse_u32(step, "--stepping", &s)))
		return CLI_EXIT_USAGE;
	if (f > 0xff + 0xf || m > 0xff || s > 0xf) {
		cli_err("family %u model %u stepping %u: out of range (family <= 270, model <= 255, "
			"stepping <= 15)",
			f, m, s);
		return CLI_EXIT_USAGE;
	}
	if (fw && reset) {
		cli_err("vmsa build: --firmware and --reset-addr are alternatives");
		return CLI_EXIT_USAGE;
	}
	p.ap = ncpu != 0;
	if (p.ap) {
		if (reset) {
			if (cli_parse_u32(reset, "--reset-addr", &p.ap_reset))
				return CLI_EXIT_USAGE;
		} else if (fw) {
			if (read_reset_addr(fw, &p.ap_reset))
				return CLI_EXIT_FAIL;
		} else {
			cli_err("vmsa build: an AP (--cpu %u) starts at the firmware's SEV-ES reset address: "
				"give --firmware or --reset-addr",
				ncpu);
			return CLI_EXIT_USAGE;
		}
	}
	p.cpu_sig = (fam || model || step) ? swsev_cpu_signature(f, m, s) : 0;
	swsev_vmsa_build(&p, page);
	if (cli_write_file(out, page, sizeof(page), 0644))
		return CLI_EXIT_FAIL;
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("file", out);
		cli_json_int("cpu", ncpu);
		cli_json_int("cpu_signature", p.cpu_sig);
		cli_json_int("reset_addr", p.ap ? p.ap_reset : 0xfffffff0u);
		cli_json_end();
	}
	return CLI_EXIT_OK;
}

static uint64_t le_n(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

static int vmsa_show_cmd(int argc, char **argv)
{
	const struct swsev_vmsa_field_desc *t;
	uint8_t *buf = NULL;
	uint8_t covered[SWSEV_VMSA_LEN];
	size_t n = 0, nf = 0;
	struct swsev_vmsa_fields fl;
	const char *path = NULL;
	int first = 1;
	swsev_err e;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli_g.json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			cli_err("vmsa show: unexpected argument '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (!path) {
		cli_err("vmsa show: needs a VMSA FILE");
		return CLI_EXIT_USAGE;
	}
	if (cli_read_file(path, SWSEV_VMSA_LEN + 1, &buf, &n))
		return CLI_EXIT_FAIL;
	e = swsev_vmsa_parse(buf, n, &fl);
	if (e) {
		cli_err("%s: %zu bytes, a VMSA page is %d", path, n, SWSEV_VMSA_LEN);
		free(buf);
		return CLI_EXIT_FAIL;
	}
	t = swsev_vmsa_field_table(&nf);
	memset(covered, 0, sizeof(covered));
	if (cli_g.json)
		fputc('{', stdout);
	for (size_t i = 0; i < nf; i++) {
		const uint8_t *p = buf + t[i].off;

		memset(covered + t[i].off, 1, t[i].size);
		if (swsev_ct_is_zero(p, t[i].size))
			continue;
		if (t[i].is_seg) {
			unsigned sel = swsev_le16(p), attr = swsev_le16(p + 2);
			unsigned long lim = swsev_le32(p + 4);
			unsigned long long base = (unsigned long long)swsev_le64(p + 8);

			if (cli_g.json)
				printf("%s\"%s\": {\"selector\": %u, \"attrib\": %u, \"limit\": %lu, \"base\": %llu}",
				       first ? "" : ", ", t[i].name, sel, attr, lim, base);
			else
				printf("%-20s selector 0x%04x attrib 0x%04x limit 0x%08lx base 0x%016llx\n",
				       t[i].name, sel, attr, lim, base);
		} else {
			unsigned long long v = (unsigned long long)le_n(p, t[i].size);

			if (cli_g.json)
				printf("%s\"%s\": %llu", first ? "" : ", ", t[i].name, v);
			else
				printf("%-20s 0x%llx\n", t[i].name, v);
		}
		first = 0;
	}
	/* anything else that is not zero, by offset */
	for (size_t off = 0; off < SWSEV_VMSA_LEN;) {
		size_t end = off;

		if (covered[off] || !buf[off]) {
			off++;
			continue;
		}
		while (end < SWSEV_VMSA_LEN && !covered[end] && buf[end] && end - off < 32)
			end++;
		if (cli_g.json)
			printf("%s\"bytes_0x%03zx\": \"%s\"", first ? "" : ", ", off,
			       owner_hex(buf + off, end - off));
		else
			printf("bytes at 0x%03zx       %s\n", off, owner_hex(buf + off, end - off));
		first = 0;
		off = end;
	}
	if (cli_g.json) {
		printf("%s\"cpu_signature\": %llu, \"reset_addr\": %llu}\n", first ? "" : ", ",
		       (unsigned long long)(fl.rdx & 0xffffffffu),
		       (unsigned long long)(fl.cs_base + fl.rip));
	} else {
		unsigned sig = (unsigned)fl.rdx;
		unsigned fam = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;

		if (fam == 0xf)
			fam += (sig >> 20) & 0xff;
		model |= ((sig >> 16) & 0xf) << 4;
		printf("-- start address 0x%llx; CPU family %u model %u stepping %u%s\n",
		       (unsigned long long)(fl.cs_base + fl.rip), fam, model, sig & 0xf,
		       fl.mxcsr ? "; FPU state set (INIT2 VM type)" : "");
	}
	free(buf);
	return CLI_EXIT_OK;
}

int cmd_vmsa(int argc, char **argv)
{
	owner_note_json(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return vmsa_build_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return vmsa_show_cmd(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	cli_err("vmsa: expected 'build' or 'show'");
	usage(stderr);
	return CLI_EXIT_USAGE;
}
