/*
 * swsev guest: the guest's own view of its memory, through its ASID's key
 * (what code inside the running guest reads). With --secret-table the
 * bytes are read as the EFI secret table OVMF publishes and Linux's
 * efi_secret parses (launch-flow.md §6).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codec/codec.h"
#include "swsev/launch.h"
#include "vmcommon.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: swsev guest read NAME --gpa ADDR --len N [--raw | --secret-table] [--json]\n");
	return CLI_EXIT_USAGE;
}

static int print_secret_table(const char *name, uint64_t gpa, const uint8_t *p, size_t n)
{
	struct swsev_secret_entry e[64];
	size_t ne = 0;
	swsev_err r = swsev_secret_table_parse(p, n, e, 64, &ne);

	if (r != SWSEV_OK) {
		cli_err("VM '%s': no valid secret table at GPA 0x%" PRIx64 ": %s", name, gpa,
			swsev_strerror(r));
		return CLI_EXIT_FAIL;
	}
	if (cli_g.json)
		fputs("{\"entries\": [", stdout);
	else
		printf("secret table at GPA 0x%" PRIx64 ": %zu entr%s\n", gpa, ne,
		       ne == 1 ? "y" : "ies");
	for (size_t i = 0; i < ne; i++) {
		char guid[37];
		int printable = 1;

		swsev_guid_format(e[i].guid, guid);
		for (size_t k = 0; k < e[i].len; k++)
			if (e[i].data[k] < 0x20 || e[i].data[k] >= 0x7f)
				printable = 0;
		if (cli_g.json) {
			char *hex = malloc(2 * e[i].len + 1);
			if (!hex)
				return CLI_EXIT_FAIL;
			swsev_hex_encode(e[i].data, e[i].len, hex);
			printf("%s{\"guid\": \"%s\", \"length\": %zu, \"hex\": \"%s\"}",
			       i ? ", " : "", guid, e[i].len, hex);
			free(hex);
		} else if (printable) {
			printf("  %s  %zu bytes  \"%.*s\"\n", guid, e[i].len, (int)e[i].len,
			       (const char *)e[i].data);
		} else {
			printf("  %s  %zu bytes\n", guid, e[i].len);
			vmc_hexdump(0, e[i].data, e[i].len);
		}
	}
	if (cli_g.json)
		fputs("]}\n", stdout);
	return CLI_EXIT_OK;
}

static int guest_read(int argc, char **argv)
{
	const char *name = NULL;
	uint64_t gpa = 0;
	uint32_t len = 0, id;
	int raw = 0, table = 0, have_gpa = 0, rc = CLI_EXIT_FAIL;
	swsev_client *c;
	struct swsev_req req;
	struct swsev_rsp rsp;
	uint8_t a[12];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--gpa") && i + 1 < argc) {
			if (cli_parse_u64(argv[++i], "--gpa", &gpa))
				return CLI_EXIT_USAGE;
			have_gpa = 1;
		} else if (!strcmp(argv[i], "--len") && i + 1 < argc) {
			if (cli_parse_u32(argv[++i], "--len", &len) || len == 0 ||
			    len > (16u << 20)) {
				cli_err("--len must be 1..16777216");
				return CLI_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--raw")) {
			raw = 1;
		} else if (!strcmp(argv[i], "--secret-table")) {
			table = 1;
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			return usage();
		}
	}
	if (!name || !have_gpa || len == 0 || (raw && table))
		return usage();
	c = vmc_connect(cli_socket());
	if (!c)
		return CLI_EXIT_FAIL;
	if (vmc_lookup(c, name, &id)) {
		swsev_client_close(c);
		return CLI_EXIT_FAIL;
	}
	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_GUEST_READ;
	req.vm = id;
	swsev_wle64(a, gpa);
	swsev_wle32(a + 8, len);
	memcpy(req.arg, a, sizeof(a));
	req.arg_len = sizeof(a);
	if (vmc_call(c, &req, &rsp, "the guest's read") == 0) {
		if (table) {
			rc = print_secret_table(name, gpa, rsp.out[0].p, rsp.out[0].len);
		} else if (raw) {
			fwrite(rsp.out[0].p, 1, rsp.out[0].len, stdout);
			rc = CLI_EXIT_OK;
		} else if (cli_g.json) {
			char *hex = malloc(2 * (size_t)rsp.out[0].len + 1);
			if (hex) {
				swsev_hex_encode(rsp.out[0].p, rsp.out[0].len, hex);
				cli_json_begin();
				cli_json_str("name", name);
				cli_json_int("gpa", (long long)gpa);
				cli_json_str("view", "guest");
				cli_json_str("hex", hex);
				cli_json_end();
				free(hex);
				rc = CLI_EXIT_OK;
			}
		} else {
			vmc_hexdump(gpa, rsp.out[0].p, rsp.out[0].len);
			rc = CLI_EXIT_OK;
		}
	} else if (rsp.err == -22) {
		cli_err("VM '%s' has no ASID bound: it is not running (launch it and 'swsev vm finish')",
			name);
	}
	swsev_rsp_clear(&rsp);
	swsev_client_close(c);
	return rc;
}

int cmd_guest(int argc, char **argv)
{
	argc = vmc_strip_json(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "read"))
		return guest_read(argc - 1, argv + 1);
	return usage();
}
