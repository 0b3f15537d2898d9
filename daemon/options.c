/* swsevd's command line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "codec/codec.h"
#include "swsevd.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swsevd --state DIR [options]\n"
		"\n"
		"The emulated AMD SEV platform (secure processor, memory controller, DRAM)\n"
		"serving the swsev socket protocol (docs/protocol.md).\n"
		"\n"
		"  --state DIR          platform state (manufactured on first start; 0700)\n"
		"  --socket PATH        socket (default DIR/swsevd.sock)\n"
		"  --generation G       naples | rome | milan | genoa (first start; default genoa)\n"
		"  --vendor-root DIR    emulated AMD root (ARK/ASK): used if it exists, created\n"
		"                       there if not (a fleet shares one); default DIR/vendor-root\n"
		"  --group NAME         let members of group NAME use the socket (mode 0660)\n"
		"  --firmware FILE      download this firmware image (swsev firmware build) into\n"
		"                       the platform at start-up, in UNINIT, before anything\n"
		"                       else, as Linux does at module load. Volatile: a start\n"
		"                       without it runs the generation's own build. A refused\n"
		"                       image stops the daemon (exit 1) with the firmware's\n"
		"                       status, e.g. BAD_SIGNATURE (0x0a)\n"
		"  --inject-fault CMD[@POINT][#N]\n"
		"                       make the Nth (default 1st; '*': every) CMD fail as a\n"
		"                       hardware error, for testing error paths: at POINT\n"
		"                       'command' (default: on entry, HWERROR_PLATFORM) or a\n"
		"                       clean-up point, shutdown.cleanup or df_flush.flush\n"
		"                       (HWERROR_UNSAFE: every later command fails until the\n"
		"                       daemon restarts); also init.load, download.install.\n"
		"                       CMD: PDH_GEN, LAUNCH_START, 0x09, any, ... Repeatable\n"
		"  --foreground         stay in the foreground, log to stderr\n"
		"  --log-level L        error | warn | info | debug (default info)\n"
		"  --max-clients N      concurrent connections (default 64, max 1024)\n"
		"  --frame-timeout MS   time allowed for the rest of a frame once it began\n"
		"                       (default 5000)\n"
		"  --help, --version\n");
}

static int parse_level(const char *s)
{
	static const char *names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int swsevd_opts_parse(int argc, char **argv, struct swsevd_opts *o)
{
	static const struct option lo[] = {
		{ "state", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "generation", required_argument, NULL, 'g' },
		{ "vendor-root", required_argument, NULL, 'r' },
		{ "group", required_argument, NULL, 'G' },
		{ "firmware", required_argument, NULL, 'F' },
		{ "inject-fault", required_argument, NULL, 'I' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "frame-timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->log_level = LOG_LVL_INFO;
	o->max_clients = 64;
	o->frame_timeout_ms = 5000;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->state_dir = optarg; break;
		case 'S': o->socket = optarg; break;
		case 'g':
			if (!swsev_profile_find(optarg)) {
				fprintf(stderr,
					"swsevd: unknown generation '%s' (naples, rome, milan, genoa)\n",
					optarg);
				return 2;
			}
			o->generation = optarg;
			break;
		case 'r': o->vendor_root = optarg; break;
		case 'G': o->group = optarg; break;
		case 'F':
			if (!*optarg) {
				fprintf(stderr, "swsevd: --firmware needs an image file\n");
				return 2;
			}
			o->firmware = optarg;
			break;
		case 'I': {
			char err[200];

			if (swsevd_fault_add(optarg, err, sizeof(err)) != 0) {
				fprintf(stderr, "swsevd: --inject-fault: %s\n", err);
				return 2;
			}
			break;
		}
		case 'f': o->foreground = 1; break;
		case 'l':
			o->log_level = parse_level(optarg);
			if (o->log_level < 0) {
				fprintf(stderr,
					"swsevd: --log-level: '%s' is not error, warn, info or debug\n",
					optarg);
				return 2;
			}
			break;
		case 'm':
			if (swsev_parse_u64(optarg, 1024, &v) != SWSEV_OK || v == 0) {
				fprintf(stderr,
					"swsevd: --max-clients: '%s' is not a number in 1..1024\n",
					optarg);
				return 2;
			}
			o->max_clients = (unsigned)v;
			break;
		case 't':
			if (swsev_parse_u64(optarg, 600000, &v) != SWSEV_OK || v < 10) {
				fprintf(stderr,
					"swsevd: --frame-timeout: '%s' is not a number of ms in 10..600000\n",
					optarg);
				return 2;
			}
			o->frame_timeout_ms = (unsigned)v;
			break;
		case 'h': usage(stdout); return 1;
		case 'V':
			printf("swsevd " SWSEVD_VERSION " (SEV API 0.22 with SEV-ES)\n");
			return 1;
		default:
			fprintf(stderr, "swsevd: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "swsevd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o->state_dir || !*o->state_dir) {
		fprintf(stderr, "swsevd: --state DIR is required\n");
		usage(stderr);
		return 2;
	}
	return 0;
}
