/*
 * swsev firmware build --root DIR --profile P --build N [--api-major M]
 *                      [--api-minor m] [--body FILE] -o FILE
 * swsev firmware show FILE [--root DIR] [--json]
 *
 * swsev firmware images for DOWNLOAD_FIRMWARE (docs/firmware.md "Firmware
 * images"), signed with the ASK of a saved emulated AMD root (the
 * directory swsevd --vendor-root uses: ark.cert ask.cert ark.key ask.key).
 * `swsevd --firmware FILE` downloads one at start-up.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/fw.h"

#define KEY_FILE_MAX 16384

int cmd_firmware(int argc, char **argv);

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swsev firmware build --root DIR --profile P --build N [--api-major M]\n"
		"                            [--api-minor m] [--body FILE] -o FILE\n"
		"       swsev firmware show FILE [--root DIR] [--json]\n\n"
		"build: writes a firmware image for DOWNLOAD_FIRMWARE, signed (RSA-PSS) with the\n"
		"  ASK of the emulated AMD root saved in DIR (swsevd --vendor-root; ask.key).\n"
		"  --profile P      the generation it is for: naples, rome, milan or genoa\n"
		"  --build N        the firmware build it reports (0..255); the platform refuses\n"
		"                   a build below the one it runs (anti-rollback)\n"
		"  --api-major/--api-minor  the API version it reports (default: the profile's);\n"
		"                   the platform takes 0.17 to 0.22\n"
		"  --body FILE      an opaque payload carried in the image (default: none)\n"
		"  -o FILE          the image (written 0644)\n"
		"  The image fits the profile's limit: 64 KiB naples/rome, 128 KiB milan/genoa.\n"
		"show: prints the image's fields; with --root DIR also checks its signature\n"
		"  under DIR/ask.cert (itself checked under DIR/ark.cert). Exit 1 if it fails.\n"
		"A platform takes an image at start-up: swsevd --firmware FILE.\n");
}

static const char *algo_name(uint32_t algo)
{
	switch (algo) {
	case SWSEV_ALGO_RSA_SHA256: return "RSA-PSS SHA-256 (RSA-2048)";
	case SWSEV_ALGO_RSA_SHA384: return "RSA-PSS SHA-384 (RSA-4096)";
	default: return "unknown";
	}
}

/* Reads DIR/name whole (cap bytes at most); errors printed. */
static int read_in(const char *dir, const char *name, size_t cap, uint8_t **b, size_t *n)
{
	char path[4200];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		cli_err("%s: path too long", dir);
		return -1;
	}
	return cli_read_file(path, cap, b, n) == SWSEV_OK ? 0 : -1;
}

/* DIR/<name>.cert as one AMD-format certificate of the given usage. */
static int read_amd_cert(const char *dir, const char *name, uint32_t usage,
			 struct swsev_amd_cert *c)
{
	uint8_t *b = NULL;
	size_t n = 0, used = 0;
	swsev_err e;

	if (read_in(dir, name, SWSEV_AMD_CERT_MAX, &b, &n))
		return -1;
	e = swsev_amd_cert_parse(b, n, 0, c, &used);
	free(b);
	if (e == SWSEV_OK && used != n)
		e = SWSEV_E_TRAILING;
	if (e == SWSEV_OK && c->key_usage != usage)
		e = SWSEV_E_USAGE;
	if (e) {
		cli_err("%s/%s: not an AMD-format %s certificate: %s", dir, name,
			usage == SWSEV_USAGE_ASK ? "ASK" : "ARK", swsev_strerror(e));
		return -1;
	}
	return 0;
}

static int fw_build_cmd(int argc, char **argv)
{
	enum { O_ROOT = 256, O_PROFILE, O_BUILD, O_MAJOR, O_MINOR, O_BODY };
	static const struct option opts[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "build", required_argument, NULL, O_BUILD },
		{ "api-major", required_argument, NULL, O_MAJOR },
		{ "api-minor", required_argument, NULL, O_MINOR },
		{ "body", required_argument, NULL, O_BODY },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root_dir = NULL, *prof_name = NULL, *build_s = NULL, *major_s = NULL;
	const char *minor_s = NULL, *body_path = NULL, *out_path = NULL;
	const struct swsev_profile *prof;
	struct swsev_fwimage_params prm;
	struct swsev_amd_cert *ask = NULL;
	swsev_vendor_root *root = NULL;
	swsev_rsa_key *key = NULL;
	uint8_t *der = NULL, *body = NULL, *img = NULL;
	size_t der_len = 0, body_len = 0, img_len = 0;
	uint32_t build = 0, major, minor;
	int c, rc = CLI_EXIT_FAIL;
	swsev_err e;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case O_ROOT: root_dir = optarg; break;
		case O_PROFILE: prof_name = optarg; break;
		case O_BUILD: build_s = optarg; break;
		case O_MAJOR: major_s = optarg; break;
		case O_MINOR: minor_s = optarg; break;
		case O_BODY: body_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'j': cli_g.json = 1; break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default:
			cli_err("firmware build: unknown option or missing value: '%s'",
				argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err("firmware build: unexpected argument '%s' (the image goes to -o FILE)",
			argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!root_dir || !prof_name || !build_s || !out_path) {
		cli_err("firmware build: --root, --profile, --build and -o are required");
		return CLI_EXIT_USAGE;
	}
	prof = swsev_profile_find(prof_name);
	if (!prof) {
		cli_err("firmware build: --profile '%s' is not naples, rome, milan or genoa",
			prof_name);
		return CLI_EXIT_USAGE;
	}
	major = prof->api_major;
	minor = prof->api_minor;
	if (cli_parse_u32(build_s, "--build", &build) ||
	    (major_s && cli_parse_u32(major_s, "--api-major", &major)) ||
	    (minor_s && cli_parse_u32(minor_s, "--api-minor", &minor)))
		return CLI_EXIT_USAGE;
	if (build > 255 || major > 255 || minor > 255) {
		cli_err("firmware build: --build, --api-major and --api-minor are bytes (0..255)");
		return CLI_EXIT_USAGE;
	}
	if (major != 0 || minor < 17 || minor > 22)
		cli_warn("API %u.%u: the platform takes 0.17 to 0.22 and will refuse this image "
			 "(UNSUPPORTED)",
			 major, minor);
	if (build < prof->build)
		cli_warn("build %u is below %s's %u: the platform will refuse it (anti-rollback)",
			 build, prof->name, prof->build);

	e = swsev_vendor_root_load(root_dir, &root);
	if (e) {
		cli_err("%s: not a usable emulated AMD root (ark/ask .cert and .key): %s", root_dir,
			swsev_strerror(e));
		goto out;
	}
	ask = malloc(sizeof(*ask));
	if (!ask) {
		cli_err("out of memory");
		goto out;
	}
	if (read_amd_cert(root_dir, "ask.cert", SWSEV_USAGE_ASK, ask) ||
	    read_in(root_dir, "ask.key", KEY_FILE_MAX, &der, &der_len))
		goto out;
	e = swsev_rsa_import_private(der, der_len, &key);
	if (e) {
		cli_err("%s/ask.key: not an RSA private key: %s", root_dir, swsev_strerror(e));
		goto out;
	}
	if (body_path && cli_read_file(body_path, SWSEV_FWIMG_MAX, &body, &body_len))
		goto out;
	memset(&prm, 0, sizeof(prm));
	prm.profile = prof->name;
	prm.api_major = (uint8_t)major;
	prm.api_minor = (uint8_t)minor;
	prm.build = (uint8_t)build;
	prm.body = body;
	prm.body_len = body_len;
	e = swsev_fwimage_sign(&prm, key, ask, &img, &img_len);
	if (e == SWSEV_OK && img_len > swsev_fwimage_cap(prof))
		e = SWSEV_E_LENGTH;
	if (e == SWSEV_E_LENGTH) {
		cli_err("firmware build: the image would exceed %s's limit of %zu bytes (body %zu "
			"bytes)",
			prof->name, swsev_fwimage_cap(prof), body_len);
		goto out;
	}
	if (e) {
		cli_err("firmware build: cannot sign with %s/ask.key: %s", root_dir,
			swsev_strerror(e));
		goto out;
	}
	if (cli_write_file(out_path, img, img_len, 0644))
		goto out;
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("file", out_path);
		cli_json_str("profile", prof->name);
		cli_json_int("api-major", major);
		cli_json_int("api-minor", minor);
		cli_json_int("build-id", build);
		cli_json_int("size", (long long)img_len);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("%s: %s firmware, API %u.%u build %u, %zu bytes, signed by %s/ask.key\n",
		       out_path, prof->name, major, minor, build, img_len, root_dir);
	}
	rc = CLI_EXIT_OK;
out:
	swsev_rsa_free(key);
	swsev_clear_free(der, der_len);
	free(body);
	free(img);
	free(ask);
	swsev_vendor_root_free(root);
	return rc;
}

/* Checks the image under DIR/ask.cert, the ASK under DIR/ark.cert.
 * Returns 1 good, 0 bad (*why set), -1 error (printed). */
static int check_root(const char *dir, const struct swsev_fwimage *img, const char **why)
{
	struct swsev_amd_cert *ask = malloc(sizeof(*ask)), *ark = malloc(sizeof(*ark));
	int r = -1;
	swsev_err e;

	if (!ask || !ark) {
		cli_err("out of memory");
		goto out;
	}
	if (read_amd_cert(dir, "ask.cert", SWSEV_USAGE_ASK, ask) ||
	    read_amd_cert(dir, "ark.cert", SWSEV_USAGE_ARK, ark))
		goto out;
	e = swsev_amd_cert_verify(ask, ark);
	if (e) {
		cli_err("%s: the ASK is not signed by the ARK: %s", dir, swsev_strerror(e));
		goto out;
	}
	e = swsev_fwimage_verify(img, ask);
	if (e == SWSEV_OK) {
		r = 1;
	} else {
		*why = memcmp(img->signer_id, ask->key_id, 16) != 0 ?
			       "signed by another ASK" :
		       img->sig_algo != swsev_amd_cert_algo(ask) ?
			       "another signature algorithm than this ASK's" :
			       "the signature does not verify (the image was altered)";
		r = 0;
	}
out:
	free(ask);
	free(ark);
	return r;
}

static int fw_show_cmd(int argc, char **argv)
{
	const char *path = NULL, *root_dir = NULL, *why = "";
	struct swsev_fwimage img;
	uint8_t *buf = NULL, digest[32];
	char hex[65], id[33], api[16];
	size_t n = 0;
	int rc = CLI_EXIT_FAIL, good = -2;
	swsev_err e;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli_g.json = 1;
		} else if (strcmp(argv[i], "--root") == 0) {
			if (++i >= argc) {
				cli_err("firmware show: --root needs a directory");
				return CLI_EXIT_USAGE;
			}
			root_dir = argv[i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (!path && (argv[i][0] != '-' || argv[i][1] == '\0')) {
			path = argv[i];
		} else {
			cli_err("firmware show: unexpected argument '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (!path) {
		cli_err("firmware show: needs an image FILE");
		return CLI_EXIT_USAGE;
	}
	if (cli_read_file(path, SWSEV_FWIMG_MAX, &buf, &n))
		return CLI_EXIT_FAIL;
	e = swsev_fwimage_parse(buf, n, &img);
	if (e) {
		cli_err("%s: not a swsev firmware image: %s", path, swsev_strerror(e));
		goto out;
	}
	if (swsev_sha256(img.body, img.body_len, digest) != SWSEV_OK) {
		cli_err("%s: cannot hash the body", path);
		goto out;
	}
	swsev_hex_encode(digest, sizeof(digest), hex);
	swsev_hex_encode(img.signer_id, sizeof(img.signer_id), id);
	snprintf(api, sizeof(api), "%u.%u", img.api_major, img.api_minor);
	if (root_dir) {
		good = check_root(root_dir, &img, &why);
		if (good < 0)
			goto out;
	}
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("file", path);
		cli_json_int("format-version", img.version);
		cli_json_str("profile", img.profile);
		cli_json_str("api", api);
		cli_json_int("api-major", img.api_major);
		cli_json_int("api-minor", img.api_minor);
		cli_json_int("build-id", img.build);
		cli_json_int("size", (long long)img.len);
		cli_json_int("body-size", img.body_len);
		cli_json_str("body-sha256", hex);
		cli_json_str("signature-algorithm", algo_name(img.sig_algo));
		cli_json_str("signer-key-id", id);
		if (good >= 0)
			cli_json_bool("signature-valid", good);
		cli_json_end();
	} else {
		printf("format:     swsev firmware image, version %u, %zu bytes\n", img.version,
		       img.len);
		printf("profile:    %s%s\n", img.profile,
		       swsev_profile_find(img.profile) ? "" : " (not a generation swsev emulates)");
		printf("api:        %s (build %u)\n", api, img.build);
		printf("body:       %u bytes, SHA-256 %s\n", img.body_len, hex);
		printf("signature:  %s, %u bytes\n", algo_name(img.sig_algo), img.sig_len);
		printf("signer:     ASK key id %s\n", id);
		if (good == 1)
			printf("verified:   yes, under %s/ask.cert\n", root_dir);
		else if (good == 0)
			printf("verified:   NO: %s\n", why);
	}
	if (good == 0)
		cli_err("%s: bad signature under %s: %s", path, root_dir, why);
	rc = good == 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	free(buf);
	return rc;
}

int cmd_firmware(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return fw_build_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return fw_show_cmd(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	cli_err("firmware: expected 'build' or 'show'");
	usage(stderr);
	return CLI_EXIT_USAGE;
}
