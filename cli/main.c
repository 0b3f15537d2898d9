/* swsev: the subcommand table and global options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct cli_globals cli_g;

struct subcmd {
	const char *name;
	int (*fn)(int, char **);
	const char *role;
	const char *summary;
};

CLI_CMD(firmware); /* cli/firmware.c */

/* Function pointers are read at run time: a group not linked in is NULL. */
static const struct subcmd cmds[] = {
	{ "verify", cmd_verify, "guest owner", "validate a platform certificate chain" },
	{ "session", cmd_session, "guest owner",
	  "make a launch session (GODH cert, session blob, TEK/TIK)" },
	{ "measurement", cmd_measurement, "guest owner", "compute or verify a launch measurement" },
	{ "secret", cmd_secret, "guest owner", "build a LAUNCH_SECRET packet" },
	{ "vmsa", cmd_vmsa, "guest owner", "build or show SEV-ES initial VMSA pages" },
	{ "show", cmd_show, "platform owner",
	  "show the platform: version, flags, guests, identifier" },
	{ "export", cmd_export, "platform owner", "export the platform's certificate chain" },
	{ "reset", cmd_reset, "platform owner", "reset the platform (PLATFORM_RESET)" },
	{ "rotate", cmd_rotate, "platform owner", "rotate the PDH (PDH_GEN)" },
	{ "generate", cmd_generate, "platform owner", "generate an OCA key pair and certificate" },
	{ "provision", cmd_provision, "platform owner",
	  "sign the PEK CSR with an OCA and import it" },
	{ "ok", cmd_ok, "platform owner", "tell what this platform supports" },
	{ "vm", cmd_vm, "hypervisor", "launch, inspect, migrate and destroy guests" },
	{ "guest", cmd_guest, "guest", "the guest's own view of its memory" },
	{ "firmware", cmd_firmware, "vendor", "build or show a signed firmware image" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: swsev [--json] [--quiet] [--socket PATH] <command> [args]\n\n"
		   "AMD SEV in software: the guest owner's toolkit and the platform's tools.\n\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].fn)
			fprintf(f, "  %-12s %-15s %s\n", cmds[i].name, cmds[i].role,
				cmds[i].summary);
	fprintf(f,
		"\nRun 'swsev <command> --help' for a command's options.\n"
		"The daemon's socket: --socket PATH, or the environment variable SWSEV_SOCKET.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			cli_g.json = 1;
		} else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			cli_g.quiet = 1;
		} else if (!strcmp(argv[i], "--socket")) {
			if (++i >= argc) {
				fprintf(stderr, "swsev: --socket needs a path\n");
				return CLI_EXIT_USAGE;
			}
			cli_g.socket = argv[i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("swsev 0.1.0 (SEV API 0.22 with SEV-ES)\n");
			return CLI_EXIT_OK;
		} else {
			fprintf(stderr, "swsev: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		if (strcmp(cmds[k].name, argv[i]) == 0 && cmds[k].fn)
			return cmds[k].fn(argc - i, argv + i);
	}
	fprintf(stderr, "swsev: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
