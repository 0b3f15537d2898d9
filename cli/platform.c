/*
 * The platform owner's commands, with sevctl's names:
 *
 *   swsev show [flags|guests|identifier|version]
 *   swsev export [--full] [--bundle] PATH
 *   swsev reset
 *   swsev rotate
 *   swsev generate [--force] CERT KEY
 *   swsev provision CERT KEY
 *   swsev ok [sev|es]
 *
 * Each one talks /dev/sev (SEV_ISSUE_CMD with the kernel's structs,
 * include/swsev/psp-sev.h) to the daemon's socket (--socket or
 * SWSEV_SOCKET), or with --device PATH to a real SEV device. As a platform
 * owner opens /dev/sev read-write, requests carry SWSEV_REQ_WRITABLE.
 *
 * The OCA key file of `generate` is PEM (unencrypted PKCS#8, mode 0600), as
 * `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384` and the
 * other SEV tools keep OCA keys; `provision` reads PEM (PKCS#8 or SEC1) or a
 * raw 48-byte big-endian P-384 scalar.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/client.h"
#include "swsev/crypto.h"
#include "swsev/psp-sev.h"
#include "swsev/status.h"

#define OCA_KEY_LEN SWSEV_P384_BYTES

/* ---- common: options, the connection, one ioctl ---- */

struct pargs {
	const char *device;
	int full, bundle, force;
	const char *pos[3];
	int npos;
};

/* Parses the options every platform command shares; 0, or 2 on a usage error. */
static int pargs_parse(int argc, char **argv, struct pargs *a, int maxpos, const char *usage)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			cli_g.json = 1;
		} else if (!strcmp(argv[i], "--device")) {
			if (++i >= argc) {
				cli_err("%s: --device needs a path (e.g. /dev/sev)", argv[0]);
				return CLI_EXIT_USAGE;
			}
			a->device = argv[i];
		} else if (!strcmp(argv[i], "--full")) {
			a->full = 1;
		} else if (!strcmp(argv[i], "--bundle")) {
			a->bundle = 1;
		} else if (!strcmp(argv[i], "--force")) {
			a->force = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: swsev %s\n", usage);
			return -1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_err("%s: unknown option '%s'\nusage: swsev %s", argv[0], argv[i],
				usage);
			return CLI_EXIT_USAGE;
		} else if (a->npos < maxpos) {
			a->pos[a->npos++] = argv[i];
		} else {
			cli_err("%s: unexpected argument '%s'\nusage: swsev %s", argv[0], argv[i],
				usage);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

static swsev_client *plat_open(const struct pargs *a)
{
	swsev_client *c = NULL;
	char err[320];
	swsev_err e;

	if (a->device) {
		e = swsev_client_device(a->device, &c);
		if (e) {
			cli_err("%s: cannot open the SEV device: %s", a->device, swsev_strerror(e));
			return NULL;
		}
		return c;
	}
	if (!cli_socket()) {
		cli_err("no platform: give --socket PATH or set SWSEV_SOCKET (or --device /dev/sev)");
		return NULL;
	}
	e = swsev_client_connect_err(cli_socket(), &c, err, sizeof(err));
	if (e) {
		cli_err("%s", err);
		return NULL;
	}
	return c;
}

static const char *sev_cmd_name(uint32_t cmd)
{
	static const char *n[] = { "FACTORY_RESET",   "PLATFORM_STATUS", "PEK_GEN",
				   "PEK_CSR",         "PDH_GEN",         "PDH_CERT_EXPORT",
				   "PEK_CERT_IMPORT", "GET_ID",          "GET_ID2" };

	return cmd < sizeof(n) / sizeof(n[0]) ? n[cmd] : "?";
}

/* Explains a failed ioctl: errno, then the firmware status by name and what to do. */
static void explain(uint32_t cmd, const struct swsev_rsp *rsp)
{
	char sb[64];

	if (rsp->err == -EIO && rsp->fw_error != SEV_RET_NO_FW_CALL) {
		cli_err("%s failed: firmware status %s: %s", sev_cmd_name(cmd),
			swsev_status_str(rsp->fw_error, sb, sizeof(sb)),
			swsev_status_hint(rsp->fw_error));
		return;
	}
	switch (-rsp->err) {
	case EPERM:
		cli_err("%s failed: permission denied (the command changes platform state and needs a "
			"writable descriptor)",
			sev_cmd_name(cmd));
		break;
	case EBUSY:
		cli_err("%s failed: the platform is busy (guests exist; destroy them first: swsev vm list)",
			sev_cmd_name(cmd));
		break;
	default: cli_err("%s failed: %s", sev_cmd_name(cmd), strerror(-rsp->err)); break;
	}
}

struct blob {
	const void *p;
	uint32_t len;
	int present;
};

/*
 * One SEV_ISSUE_CMD. Returns 0 (success), 1 (the ioctl failed: explained
 * unless quiet), -1 (no answer: transport error printed). rsp must be
 * cleared by the caller in every case.
 */
static int sev_ioctl(swsev_client *c, uint32_t cmd, const uint8_t *arg, uint32_t arg_len,
		     const struct blob *b, int nb, struct swsev_rsp *rsp, int quiet)
{
	struct swsev_req req;

	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_SEV_IOCTL;
	req.cmd = cmd;
	req.flags = SWSEV_REQ_WRITABLE;
	req.arg_len = arg_len;
	if (arg_len)
		memcpy(req.arg, arg, arg_len);
	for (int i = 0; i < nb; i++) {
		req.in[i].p = (uint8_t *)(uintptr_t)b[i].p;
		req.in[i].len = b[i].len;
		req.in[i].present = (uint8_t)b[i].present;
	}
	if (swsev_client_call(c, &req, rsp) != SWSEV_OK) {
		cli_err("%s: the platform did not answer: %s", sev_cmd_name(cmd),
			swsev_client_error(c));
		return -1;
	}
	if (rsp->err == 0)
		return 0;
	if (!quiet)
		explain(cmd, rsp);
	return 1;
}

/* ---- PLATFORM_STATUS, GET_ID2, PDH_CERT_EXPORT, PLATFORM_CERTS ---- */

struct pstatus {
	uint8_t api_major, api_minor, state, build;
	uint32_t flags, guests;
};

static int get_status(swsev_client *c, struct pstatus *s)
{
	struct swsev_rsp rsp;
	uint8_t arg[sizeof(struct sev_user_data_status)];
	struct swsev_cur cur;
	int rc;

	memset(arg, 0, sizeof(arg));
	rc = sev_ioctl(c, SEV_PLATFORM_STATUS, arg, sizeof(arg), NULL, 0, &rsp, 0);
	if (rc == 0) {
		swsev_cur_init(&cur, rsp.arg, rsp.arg_len);
		if (swsev_cur_u8(&cur, &s->api_major) || swsev_cur_u8(&cur, &s->api_minor) ||
		    swsev_cur_u8(&cur, &s->state) || swsev_cur_u32(&cur, &s->flags) ||
		    swsev_cur_u8(&cur, &s->build) || swsev_cur_u32(&cur, &s->guests) ||
		    swsev_cur_end(&cur)) {
			cli_err("PLATFORM_STATUS: the reply is %u bytes, not 12", rsp.arg_len);
			rc = -1;
		}
	}
	swsev_rsp_clear(&rsp);
	return rc;
}

/* GET_ID2 as QEMU does it: a length query, then the real call. */
static int get_id(swsev_client *c, uint8_t *id, size_t cap, size_t *len)
{
	struct swsev_rsp rsp;
	uint8_t arg[12];
	struct blob b;
	uint32_t need;
	int rc;

	memset(arg, 0, sizeof(arg));
	rc = sev_ioctl(c, SEV_GET_ID2, arg, sizeof(arg), NULL, 0, &rsp, 1);
	need = rsp.arg_len == 12 ? swsev_le32(rsp.arg + 8) : 0;
	if (rc < 0 ||
	    (rc == 1 && !(rsp.err == -EIO && rsp.fw_error == SEV_STATUS_INVALID_LENGTH))) {
		if (rc == 1)
			explain(SEV_GET_ID2, &rsp);
		swsev_rsp_clear(&rsp);
		return -1;
	}
	swsev_rsp_clear(&rsp);
	if (need == 0 || need > cap) {
		cli_err("GET_ID2: the platform asks for %u bytes (expected 1..%zu)", need, cap);
		return -1;
	}
	swsev_wle32(arg + 8, need);
	b.p = NULL;
	b.len = 0;
	b.present = 1;
	rc = sev_ioctl(c, SEV_GET_ID2, arg, sizeof(arg), &b, 1, &rsp, 0);
	if (rc == 0) {
		if (rsp.out[0].len == 0 || rsp.out[0].len > cap) {
			cli_err("GET_ID2: %u bytes returned", rsp.out[0].len);
			rc = -1;
		} else {
			memcpy(id, rsp.out[0].p, rsp.out[0].len);
			*len = rsp.out[0].len;
		}
	}
	swsev_rsp_clear(&rsp);
	return rc ? -1 : 0;
}

/* PDH_CERT_EXPORT: a length query, then PDH (2084) and PEK||OCA||CEK (6252). */
static int export_pdh(swsev_client *c, uint8_t pdh[SWSEV_CERT_LEN], uint8_t chain[SWSEV_CHAIN_LEN])
{
	struct swsev_rsp rsp;
	uint8_t arg[24];
	struct blob b[2];
	uint32_t pl, cl;
	int rc;

	memset(arg, 0, sizeof(arg));
	rc = sev_ioctl(c, SEV_PDH_CERT_EXPORT, arg, sizeof(arg), NULL, 0, &rsp, 1);
	if (rc < 0 ||
	    (rc == 1 && !(rsp.err == -EIO && rsp.fw_error == SEV_STATUS_INVALID_LENGTH)) ||
	    rsp.arg_len != 24) {
		if (rc == 1)
			explain(SEV_PDH_CERT_EXPORT, &rsp);
		swsev_rsp_clear(&rsp);
		return -1;
	}
	pl = swsev_le32(rsp.arg + 8);
	cl = swsev_le32(rsp.arg + 20);
	swsev_rsp_clear(&rsp);
	if (pl != SWSEV_CERT_LEN || cl != SWSEV_CHAIN_LEN) {
		cli_err("PDH_CERT_EXPORT: the platform asks for %u and %u bytes (expected %d and %d)",
			pl, cl, SWSEV_CERT_LEN, SWSEV_CHAIN_LEN);
		return -1;
	}
	swsev_wle32(arg + 8, pl);
	swsev_wle32(arg + 20, cl);
	b[0].p = b[1].p = NULL;
	b[0].len = b[1].len = 0;
	b[0].present = b[1].present = 1;
	rc = sev_ioctl(c, SEV_PDH_CERT_EXPORT, arg, sizeof(arg), b, 2, &rsp, 0);
	if (rc == 0 && (rsp.out[0].len != SWSEV_CERT_LEN || rsp.out[1].len != SWSEV_CHAIN_LEN)) {
		cli_err("PDH_CERT_EXPORT: %u and %u bytes returned", rsp.out[0].len,
			rsp.out[1].len);
		rc = -1;
	}
	if (rc == 0) {
		memcpy(pdh, rsp.out[0].p, SWSEV_CERT_LEN);
		memcpy(chain, rsp.out[1].p, SWSEV_CHAIN_LEN);
	}
	swsev_rsp_clear(&rsp);
	return rc ? -1 : 0;
}

/* The daemon's CEK signed by the ASK, and ASK || ARK (the KDS's part). */
static int platform_certs(swsev_client *c, uint8_t cek[SWSEV_CERT_LEN], uint8_t **ask_ark,
			  size_t *ask_ark_len)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc = -1;

	*ask_ark = NULL;
	*ask_ark_len = 0;
	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_PLATFORM_CERTS;
	if (swsev_client_call(c, &req, &rsp) != SWSEV_OK) {
		cli_err("PLATFORM_CERTS: the platform did not answer: %s", swsev_client_error(c));
		return -1;
	}
	if (rsp.err != 0) {
		cli_err("PLATFORM_CERTS failed: %s", strerror(-rsp.err));
	} else if (rsp.out[0].len != SWSEV_CERT_LEN || rsp.out[1].len == 0) {
		cli_err("PLATFORM_CERTS: %u and %u bytes returned", rsp.out[0].len, rsp.out[1].len);
	} else if (!(*ask_ark = malloc(rsp.out[1].len))) {
		cli_err("out of memory");
	} else {
		memcpy(cek, rsp.out[0].p, SWSEV_CERT_LEN);
		memcpy(*ask_ark, rsp.out[1].p, rsp.out[1].len);
		*ask_ark_len = rsp.out[1].len;
		rc = 0;
	}
	swsev_rsp_clear(&rsp);
	return rc;
}

/* Splits ASK || ARK (AMD format, ASK first). */
static int split_ask_ark(const uint8_t *b, size_t len, struct swsev_amd_cert *ask,
			 struct swsev_amd_cert *ark)
{
	size_t u1 = 0, u2 = 0;

	if (swsev_amd_cert_parse(b, len, 0, ask, &u1) != SWSEV_OK ||
	    swsev_amd_cert_parse(b + u1, len - u1, 0, ark, &u2) != SWSEV_OK || u1 + u2 != len) {
		cli_err("PLATFORM_CERTS: ASK || ARK (%zu bytes) does not parse as two AMD certificates",
			len);
		return -1;
	}
	return 0;
}

static const char *state_name(uint8_t s)
{
	return s == 0 ? "UNINIT" : s == 1 ? "INIT" : s == 2 ? "WORKING" : "UNKNOWN";
}

/* ---- swsev show ---- */

#define SHOW_USAGE "show [flags|guests|identifier|version] [--device PATH] [--json]"

int cmd_show(int argc, char **argv)
{
	struct pargs a;
	struct pstatus s;
	swsev_client *c = NULL;
	uint8_t id[128];
	char idhex[2 * sizeof(id) + 1];
	size_t idlen = 0;
	const char *what;
	int rc = CLI_EXIT_FAIL, u;

	u = pargs_parse(argc, argv, &a, 1, SHOW_USAGE);
	if (u)
		return u < 0 ? CLI_EXIT_OK : u;
	what = a.npos ? a.pos[0] : "all";
	if (strcmp(what, "all") && strcmp(what, "flags") && strcmp(what, "guests") &&
	    strcmp(what, "identifier") && strcmp(what, "version")) {
		cli_err("show: '%s' is not flags, guests, identifier or version\nusage: swsev " SHOW_USAGE,
			what);
		return CLI_EXIT_USAGE;
	}
	c = plat_open(&a);
	if (!c)
		return CLI_EXIT_FAIL;
	if (get_status(c, &s) != 0)
		goto out;
	if ((!strcmp(what, "all") || !strcmp(what, "identifier"))) {
		if (get_id(c, id, sizeof(id), &idlen) != 0)
			goto out;
		swsev_hex_encode(id, idlen, idhex);
	}
	if (cli_g.json) {
		char v[16];

		cli_json_begin();
		cli_json_str("platform", swsev_client_peer(c));
		if (!strcmp(what, "all") || !strcmp(what, "version")) {
			snprintf(v, sizeof(v), "%u.%u", s.api_major, s.api_minor);
			cli_json_str("api", v);
			cli_json_int("api-major", s.api_major);
			cli_json_int("api-minor", s.api_minor);
			cli_json_int("build-id", s.build);
			cli_json_str("state", state_name(s.state));
		}
		if (!strcmp(what, "all") || !strcmp(what, "flags")) {
			cli_json_int("flags", s.flags);
			cli_json_str("owner", (s.flags & 1) ? "external" : "self");
			cli_json_bool("es", (s.flags & SEV_STATUS_FLAGS_CONFIG_ES) != 0);
		}
		if (!strcmp(what, "all") || !strcmp(what, "guests"))
			cli_json_int("guests", s.guests);
		if (idlen)
			cli_json_str("identifier", idhex);
		cli_json_end();
	} else if (!strcmp(what, "guests")) {
		printf("%u\n", s.guests);
	} else if (!strcmp(what, "identifier")) {
		printf("%s\n", idhex);
	} else if (!strcmp(what, "version")) {
		printf("%u.%u.%u\n", s.api_major, s.api_minor, s.build);
	} else if (!strcmp(what, "flags")) {
		printf("owner: %s\n", (s.flags & 1) ? "external" : "self");
		printf("es: %s\n", (s.flags & SEV_STATUS_FLAGS_CONFIG_ES) ? "yes" : "no");
	} else {
		printf("platform:   %s\n", swsev_client_peer(c));
		printf("api:        %u.%u (build %u)\n", s.api_major, s.api_minor, s.build);
		printf("state:      %s\n", state_name(s.state));
		printf("owner:      %s\n",
		       (s.flags & 1) ? "external (an OCA was imported)" : "self-owned");
		printf("es:         %s\n",
		       (s.flags & SEV_STATUS_FLAGS_CONFIG_ES) ? "yes (initialized with SEV-ES)" :
		       s.state == 0 ? "not yet (the platform is not initialized)" :
				      "no");
		printf("guests:     %u\n", s.guests);
		printf("identifier: %s\n", idhex);
	}
	rc = CLI_EXIT_OK;
out:
	swsev_client_close(c);
	return rc;
}

/* ---- swsev export ---- */

#define EXPORT_USAGE                                                                           \
	"export [--full] [--bundle] [--device PATH] [--json] PATH\n"                           \
	"  PATH: a directory receiving pdh.cert pek.cert oca.cert cek.cert (and with\n"        \
	"  --full ask.cert ark.cert); with --bundle one file PDH||PEK||OCA||CEK[||ASK||ARK]\n" \
	"  as sevctl export writes it. The CEK is the one signed by the ASK."

static int write_one(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		cli_err("%s: path too long", dir);
		return -1;
	}
	return cli_write_file(path, p, len, 0644) == SWSEV_OK ? 0 : -1;
}

int cmd_export(int argc, char **argv)
{
	struct pargs a;
	swsev_client *c = NULL;
	uint8_t pdh[SWSEV_CERT_LEN], chain[SWSEV_CHAIN_LEN], cek[SWSEV_CERT_LEN];
	uint8_t *ask_ark = NULL, *bundle = NULL;
	size_t ask_ark_len = 0, blen;
	struct swsev_amd_cert *ask = NULL, *ark = NULL;
	int have_signed = 0, rc = CLI_EXIT_FAIL, u;
	struct stat st;

	u = pargs_parse(argc, argv, &a, 1, EXPORT_USAGE);
	if (u)
		return u < 0 ? CLI_EXIT_OK : u;
	if (a.npos != 1) {
		cli_err("export: needs a destination\nusage: swsev " EXPORT_USAGE);
		return CLI_EXIT_USAGE;
	}
	c = plat_open(&a);
	if (!c)
		return CLI_EXIT_FAIL;
	if (export_pdh(c, pdh, chain) != 0)
		goto out;
	if (!a.device) {
		if (platform_certs(c, cek, &ask_ark, &ask_ark_len) != 0)
			goto out;
		/* the KDS's CEK must be this chip's: same key as the exported one */
		if (memcmp(cek + 0x10, chain + 2 * SWSEV_CERT_LEN + 0x10, SWSEV_CERT_KEY_LEN) !=
		    0) {
			cli_err("export: the signed CEK from the platform does not match the exported CEK's key");
			goto out;
		}
		have_signed = 1;
	} else if (a.full) {
		cli_err("export --full: a real device does not hold the ASK and ARK; fetch the signed CEK "
			"and ASK||ARK from AMD's key server (KDS) with the identifier of 'swsev show identifier'");
		goto out;
	} else {
		cli_warn(
			"the CEK from a device is unsigned (PDH_CERT_EXPORT); the ASK-signed one comes from AMD's KDS");
		memcpy(cek, chain + 2 * SWSEV_CERT_LEN, SWSEV_CERT_LEN);
	}
	if (a.full) {
		ask = calloc(1, sizeof(*ask));
		ark = calloc(1, sizeof(*ark));
		if (!ask || !ark || split_ask_ark(ask_ark, ask_ark_len, ask, ark) != 0)
			goto out;
	}
	if (a.bundle) {
		blen = 4 * SWSEV_CERT_LEN + (a.full ? ask_ark_len : 0);
		bundle = malloc(blen);
		if (!bundle)
			goto out;
		memcpy(bundle, pdh, SWSEV_CERT_LEN);
		memcpy(bundle + SWSEV_CERT_LEN, chain, 2 * SWSEV_CERT_LEN); /* PEK || OCA */
		memcpy(bundle + 3 * SWSEV_CERT_LEN, cek, SWSEV_CERT_LEN);
		if (a.full) { /* sevctl's order: ... CEK || ASK || ARK */
			memcpy(bundle + 4 * SWSEV_CERT_LEN, ask->raw, ask->len);
			memcpy(bundle + 4 * SWSEV_CERT_LEN + ask->len, ark->raw, ark->len);
		}
		if (cli_write_file(a.pos[0], bundle, blen, 0644) != SWSEV_OK)
			goto out;
	} else {
		if (stat(a.pos[0], &st) != 0) {
			if (mkdir(a.pos[0], 0755) != 0) {
				cli_err("%s: cannot create: %s", a.pos[0], strerror(errno));
				goto out;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			cli_err("%s: not a directory (use --bundle for a single file)", a.pos[0]);
			goto out;
		}
		if (write_one(a.pos[0], "pdh.cert", pdh, SWSEV_CERT_LEN) ||
		    write_one(a.pos[0], "pek.cert", chain, SWSEV_CERT_LEN) ||
		    write_one(a.pos[0], "oca.cert", chain + SWSEV_CERT_LEN, SWSEV_CERT_LEN) ||
		    write_one(a.pos[0], "cek.cert", cek, SWSEV_CERT_LEN))
			goto out;
		if (a.full && (write_one(a.pos[0], "ask.cert", ask->raw, ask->len) ||
			       write_one(a.pos[0], "ark.cert", ark->raw, ark->len)))
			goto out;
	}
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("path", a.pos[0]);
		cli_json_bool("bundle", a.bundle);
		cli_json_bool("full", a.full);
		cli_json_bool("cek_signed", have_signed);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("exported %s%s to %s\n",
		       a.full ? "PDH, PEK, OCA, CEK, ASK and ARK" : "PDH, PEK, OCA and CEK",
		       a.bundle ? " (one bundle file)" : "", a.pos[0]);
	}
	rc = CLI_EXIT_OK;
out:
	free(ask);
	free(ark);
	free(bundle);
	free(ask_ark);
	swsev_client_close(c);
	return rc;
}

/* ---- swsev reset / rotate ---- */

static int simple_cmd(int argc, char **argv, uint32_t cmd, const char *usage, const char *done)
{
	struct pargs a;
	struct swsev_rsp rsp;
	swsev_client *c;
	int rc, u;

	u = pargs_parse(argc, argv, &a, 0, usage);
	if (u)
		return u < 0 ? CLI_EXIT_OK : u;
	c = plat_open(&a);
	if (!c)
		return CLI_EXIT_FAIL;
	rc = sev_ioctl(c, cmd, NULL, 0, NULL, 0, &rsp, 0);
	swsev_rsp_clear(&rsp);
	swsev_client_close(c);
	if (rc != 0)
		return CLI_EXIT_FAIL;
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("command", sev_cmd_name(cmd));
		cli_json_bool("ok", 1);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("%s\n", done);
	}
	return CLI_EXIT_OK;
}

int cmd_reset(int argc, char **argv)
{
	return simple_cmd(
		argc, argv, SEV_FACTORY_RESET, "reset [--device PATH] [--json]",
		"platform reset: the next use makes a new OCA, PEK and PDH (the CEK stays)");
}

int cmd_rotate(int argc, char **argv)
{
	return simple_cmd(argc, argv, SEV_PDH_GEN, "rotate [--device PATH] [--json]",
			  "PDH rotated: guest owners must fetch the new one (swsev export)");
}

/* ---- swsev generate / provision ---- */

#define GENERATE_USAGE                                                               \
	"generate [--force] [--json] CERT KEY\n"                                     \
	"  a new OCA key pair: CERT the self-signed OCA certificate (2084 bytes),\n" \
	"  KEY its P-384 private key, PEM (PKCS#8), mode 0600"
#define PROVISION_USAGE                                                                          \
	"provision [--device PATH] [--json] CERT KEY\n"                                          \
	"  takes ownership: the PEK CSR signed with the OCA of CERT/KEY, then PEK_CERT_IMPORT\n" \
	"  KEY: PEM (PKCS#8 or EC PRIVATE KEY) or the raw 48-byte P-384 scalar"

int cmd_generate(int argc, char **argv)
{
	struct pargs a;
	swsev_ec_key *k = NULL;
	struct swsev_cert cert;
	uint8_t raw[SWSEV_CERT_LEN];
	char *pem = NULL;
	size_t pem_len = 0;
	int rc = CLI_EXIT_FAIL, u;

	u = pargs_parse(argc, argv, &a, 2, GENERATE_USAGE);
	if (u)
		return u < 0 ? CLI_EXIT_OK : u;
	if (a.npos != 2) {
		cli_err("generate: needs CERT and KEY\nusage: swsev " GENERATE_USAGE);
		return CLI_EXIT_USAGE;
	}
	if (!a.force && (access(a.pos[0], F_OK) == 0 || access(a.pos[1], F_OK) == 0)) {
		cli_err("generate: %s or %s exists; refusing to overwrite an OCA (use --force)",
			a.pos[0], a.pos[1]);
		return CLI_EXIT_FAIL;
	}
	/* an OCA as sev-tool makes one: version 1, usage OCA, ECDSA-SHA256, self-signed in slot 1 */
	if (swsev_ec_generate(&k) != SWSEV_OK ||
	    swsev_cert_init_ec(&cert, 0, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k) !=
		    SWSEV_OK ||
	    swsev_cert_sign_ec(&cert, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, k) != SWSEV_OK ||
	    swsev_cert_encode(&cert, raw) != SWSEV_OK ||
	    swsev_ec_export_pem(k, &pem, &pem_len) != SWSEV_OK) {
		cli_err("generate: cannot make the OCA key and certificate");
		goto out;
	}
	if (cli_write_file(a.pos[1], pem, pem_len, 0600) != SWSEV_OK ||
	    cli_write_file(a.pos[0], raw, sizeof(raw), 0644) != SWSEV_OK)
		goto out;
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("cert", a.pos[0]);
		cli_json_str("key", a.pos[1]);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("OCA certificate: %s\nOCA private key: %s (keep it secret)\n", a.pos[0],
		       a.pos[1]);
	}
	rc = CLI_EXIT_OK;
out:
	swsev_clear_free(pem, pem_len);
	swsev_ec_free(k);
	return rc;
}

/* Loads an OCA: the cert must be a self-signed OCA and the key its own. */
static int load_oca(const char *cert_path, const char *key_path, struct swsev_cert *oca,
		    swsev_ec_key **key)
{
	uint8_t raw[SWSEV_CERT_LEN], d[OCA_KEY_LEN], x1[48], y1[48], x2[48], y2[48];
	uint8_t *kbuf = NULL;
	size_t klen = 0;
	swsev_ec_key *pub = NULL;
	int rc = -1;
	swsev_err e;

	*key = NULL;
	if (cli_read_exact(cert_path, raw, sizeof(raw)) != SWSEV_OK)
		return -1;
	e = swsev_cert_parse(raw, sizeof(raw), oca);
	if (e || oca->pub_key_usage != SWSEV_USAGE_OCA) {
		cli_err("%s: not an OCA certificate (%s)", cert_path,
			e ? swsev_strerror(e) : "wrong usage");
		return -1;
	}
	e = swsev_cert_verify(oca, oca);
	if (e) {
		cli_err("%s: the OCA is not validly self-signed: %s", cert_path, swsev_strerror(e));
		return -1;
	}
	if (cli_read_file(key_path, 64 * 1024, &kbuf, &klen) != SWSEV_OK)
		goto out;
	if (klen >= 10 && memcmp(kbuf, "-----BEGIN", 10) == 0) {
		e = swsev_ec_import_pem((const char *)kbuf, klen, key);
		if (e) {
			cli_err("%s: %s", key_path,
				e == SWSEV_E_BADKEY ?
					"not a P-384 private key" :
					"not a readable PEM private key (unencrypted)");
			goto out;
		}
	} else if (klen == sizeof(d)) {
		memcpy(d, kbuf, sizeof(d));
		if (swsev_ec_from_private(d, key) != SWSEV_OK) {
			cli_err("%s: not a P-384 private key (48 bytes, big-endian)", key_path);
			goto out;
		}
	} else {
		cli_err("%s: %zu bytes: neither a PEM private key nor a raw 48-byte P-384 scalar",
			key_path, klen);
		goto out;
	}
	if (swsev_cert_ec_key(oca, &pub) != SWSEV_OK ||
	    swsev_ec_get_public(pub, x1, y1) != SWSEV_OK ||
	    swsev_ec_get_public(*key, x2, y2) != SWSEV_OK || memcmp(x1, x2, 48) ||
	    memcmp(y1, y2, 48)) {
		cli_err("%s does not belong to %s", key_path, cert_path);
		goto out;
	}
	rc = 0;
out:
	swsev_wipe(d, sizeof(d));
	swsev_clear_free(kbuf, klen);
	swsev_ec_free(pub);
	if (rc) {
		swsev_ec_free(*key);
		*key = NULL;
	}
	return rc;
}

int cmd_provision(int argc, char **argv)
{
	struct pargs a;
	struct swsev_cert oca, pek;
	swsev_ec_key *key = NULL;
	swsev_client *c = NULL;
	struct swsev_rsp rsp;
	uint8_t arg[24], csr[SWSEV_CERT_LEN], signed_pek[SWSEV_CERT_LEN];
	struct blob b[2];
	uint32_t need;
	int rc = CLI_EXIT_FAIL, u, r;

	memset(&rsp, 0, sizeof(rsp));
	u = pargs_parse(argc, argv, &a, 2, PROVISION_USAGE);
	if (u)
		return u < 0 ? CLI_EXIT_OK : u;
	if (a.npos != 2) {
		cli_err("provision: needs CERT and KEY\nusage: swsev " PROVISION_USAGE);
		return CLI_EXIT_USAGE;
	}
	if (load_oca(a.pos[0], a.pos[1], &oca, &key) != 0)
		return CLI_EXIT_FAIL;
	c = plat_open(&a);
	if (!c)
		goto out;
	/* PEK_CSR: the length query, then the CSR */
	memset(arg, 0, sizeof(arg));
	r = sev_ioctl(c, SEV_PEK_CSR, arg, 12, NULL, 0, &rsp, 1);
	need = rsp.arg_len == 12 ? swsev_le32(rsp.arg + 8) : 0;
	if (r < 0 || (r == 1 && !(rsp.err == -EIO && rsp.fw_error == SEV_STATUS_INVALID_LENGTH))) {
		if (r == 1)
			explain(SEV_PEK_CSR, &rsp);
		goto out;
	}
	swsev_rsp_clear(&rsp);
	if (need != SWSEV_CERT_LEN) {
		cli_err("PEK_CSR: the platform asks for %u bytes, expected %d", need,
			SWSEV_CERT_LEN);
		goto out;
	}
	swsev_wle32(arg + 8, need);
	b[0].p = NULL;
	b[0].len = 0;
	b[0].present = 1;
	if (sev_ioctl(c, SEV_PEK_CSR, arg, 12, b, 1, &rsp, 0) != 0)
		goto out;
	if (rsp.out[0].len != SWSEV_CERT_LEN) {
		cli_err("PEK_CSR: %u bytes returned", rsp.out[0].len);
		goto out;
	}
	memcpy(csr, rsp.out[0].p, SWSEV_CERT_LEN);
	swsev_rsp_clear(&rsp);
	/* sign the CSR with the OCA (slot 1), certificates.md §7 */
	if (swsev_cert_parse(csr, sizeof(csr), &pek) != SWSEV_OK ||
	    pek.pub_key_usage != SWSEV_USAGE_PEK) {
		cli_err("PEK_CSR: the platform's CSR is not a PEK certificate");
		goto out;
	}
	if (swsev_cert_sign_ec(&pek, 0, SWSEV_USAGE_OCA, oca.pub_key_algo, key) != SWSEV_OK ||
	    swsev_cert_encode(&pek, signed_pek) != SWSEV_OK) {
		cli_err("provision: cannot sign the PEK");
		goto out;
	}
	memset(arg, 0, sizeof(arg));
	swsev_wle32(arg + 8, SWSEV_CERT_LEN);
	swsev_wle32(arg + 20, SWSEV_CERT_LEN);
	b[0].p = signed_pek;
	b[0].len = SWSEV_CERT_LEN;
	b[0].present = 1;
	b[1].p = oca.raw;
	b[1].len = SWSEV_CERT_LEN;
	b[1].present = 1;
	if (sev_ioctl(c, SEV_PEK_CERT_IMPORT, arg, 24, b, 2, &rsp, 0) != 0)
		goto out;
	if (cli_g.json) {
		cli_json_begin();
		cli_json_str("owner", "external");
		cli_json_str("oca", a.pos[0]);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("platform provisioned: the PEK is signed by the OCA in %s (owner: external; a new PDH was made)\n",
		       a.pos[0]);
	}
	rc = CLI_EXIT_OK;
out:
	swsev_rsp_clear(&rsp);
	swsev_ec_free(key);
	swsev_client_close(c);
	return rc;
}

/* ---- swsev ok ---- */

struct okrep {
	int fails;
	int first;
	const char *only; /* NULL, "sev" or "es" */
};

static void ok_line(struct okrep *r, const char *group, int pass, const char *name,
		    const char *detail)
{
	if (r->only && strcmp(r->only, group) != 0 && strcmp(group, "base") != 0)
		return;
	if (!pass)
		r->fails++;
	if (cli_g.json) {
		char *qn = cli_json_quote(name), *qd = cli_json_quote(detail ? detail : "");

		printf("%s{\"check\": %s, \"pass\": %s, \"detail\": %s}", r->first ? "" : ", ", qn,
		       pass ? "true" : "false", qd);
		free(qn);
		free(qd);
		r->first = 0;
	} else {
		printf("[ %s ] - %s%s%s\n", pass ? "PASS" : "FAIL", name,
		       detail && *detail ? ": " : "", detail ? detail : "");
	}
}

/* The whole chain the platform serves, link by link. */
static void ok_chain(struct okrep *r, swsev_client *c, int device)
{
	uint8_t pdh_raw[SWSEV_CERT_LEN], chain[SWSEV_CHAIN_LEN], cek_raw[SWSEV_CERT_LEN];
	uint8_t *ask_ark = NULL;
	size_t ask_ark_len = 0;
	struct swsev_cert *pdh = NULL, *pek = NULL, *oca = NULL, *cek = NULL;
	struct swsev_amd_cert *ask = NULL, *ark = NULL;
	char d[128];

	if (export_pdh(c, pdh_raw, chain) != 0) {
		ok_line(r, "sev", 0, "PDH_CERT_EXPORT", "the platform does not export its chain");
		return;
	}
	pdh = calloc(1, sizeof(*pdh));
	pek = calloc(1, sizeof(*pek));
	oca = calloc(1, sizeof(*oca));
	cek = calloc(1, sizeof(*cek));
	ask = calloc(1, sizeof(*ask));
	ark = calloc(1, sizeof(*ark));
	if (!pdh || !pek || !oca || !cek || !ask || !ark)
		goto out;
	if (swsev_cert_parse(pdh_raw, SWSEV_CERT_LEN, pdh) ||
	    swsev_cert_parse(chain, SWSEV_CERT_LEN, pek) ||
	    swsev_cert_parse(chain + SWSEV_CERT_LEN, SWSEV_CERT_LEN, oca) ||
	    swsev_cert_parse(chain + 2 * SWSEV_CERT_LEN, SWSEV_CERT_LEN, cek)) {
		ok_line(r, "sev", 0, "PDH_CERT_EXPORT", "a certificate does not parse");
		goto out;
	}
	ok_line(r, "sev", swsev_cert_verify(pdh, pek) == SWSEV_OK, "PDH signed by PEK", NULL);
	ok_line(r, "sev", swsev_cert_verify(pek, oca) == SWSEV_OK, "PEK signed by OCA", NULL);
	ok_line(r, "sev", swsev_cert_verify(oca, oca) == SWSEV_OK, "OCA self-signed", NULL);
	ok_line(r, "sev", swsev_cert_verify(pek, cek) == SWSEV_OK, "PEK signed by CEK", NULL);
	if (device)
		goto out; /* the ASK-signed CEK comes from AMD's KDS, not from the device */
	if (platform_certs(c, cek_raw, &ask_ark, &ask_ark_len) != 0 ||
	    swsev_cert_parse(cek_raw, SWSEV_CERT_LEN, cek) != SWSEV_OK ||
	    split_ask_ark(ask_ark, ask_ark_len, ask, ark) != 0) {
		ok_line(r, "sev", 0, "CEK, ASK and ARK", "the platform does not serve them");
		goto out;
	}
	ok_line(r, "sev", swsev_cert_verify_amd(cek, ask) == SWSEV_OK, "CEK signed by ASK", NULL);
	ok_line(r, "sev", swsev_amd_cert_verify(ask, ark) == SWSEV_OK, "ASK signed by ARK", NULL);
	ok_line(r, "sev", swsev_amd_cert_verify(ark, ark) == SWSEV_OK, "ARK self-signed", NULL);
	snprintf(d, sizeof(d), "%s",
		 swsev_builtin_root_by_id(ark->key_id) ?
			 "one of AMD's real roots" :
			 "an emulated root: trust it with 'swsev verify --ca'");
	ok_line(r, "base", 1, "ARK", d);
out:
	free(pdh);
	free(pek);
	free(oca);
	free(cek);
	free(ask);
	free(ark);
	free(ask_ark);
}

int cmd_ok(int argc, char **argv)
{
	struct pargs a;
	struct okrep r = { 0, 1, NULL };
	struct pstatus s;
	swsev_client *c = NULL;
	uint8_t id[128];
	size_t idlen = 0;
	char d[256];
	const struct swsev_profile *prof = NULL;
	int u;

	u = pargs_parse(argc, argv, &a, 1, "ok [sev|es] [--device PATH] [--json]");
	if (u)
		return u < 0 ? CLI_EXIT_OK : u;
	if (a.npos) {
		if (strcmp(a.pos[0], "sev") && strcmp(a.pos[0], "es")) {
			cli_err("ok: '%s' is not sev or es", a.pos[0]);
			return CLI_EXIT_USAGE;
		}
		r.only = a.pos[0];
	}
	c = plat_open(&a);
	if (cli_g.json)
		fputs("{\"checks\": [", stdout);
	ok_line(&r, "base", c != NULL, "platform reachable",
		c ? swsev_client_peer(c) : "no answer");
	if (!c)
		goto done;
	/* the chain first: its auto-INIT lets PLATFORM_STATUS report the ES flag */
	ok_chain(&r, c, a.device != NULL);
	if (get_status(c, &s) != 0) {
		ok_line(&r, "base", 0, "PLATFORM_STATUS", "failed");
		goto done;
	}
	snprintf(d, sizeof(d), "API %u.%u build %u, state %s, %u guest(s)", s.api_major,
		 s.api_minor, s.build, state_name(s.state), s.guests);
	ok_line(&r, "base", 1, "PLATFORM_STATUS", d);
	ok_line(&r, "sev", s.api_major > 0 || s.api_minor >= 17,
		"API >= 0.17 (measurement with API prefix)", NULL);
	ok_line(&r, "sev", get_id(c, id, sizeof(id), &idlen) == 0 && idlen == 64,
		"GET_ID (API >= 0.16)", idlen ? "64-byte chip identifier" : NULL);
	ok_line(&r, "es", (s.flags & SEV_STATUS_FLAGS_CONFIG_ES) != 0, "SEV-ES",
		(s.flags & SEV_STATUS_FLAGS_CONFIG_ES) ? "the platform is initialized with SEV-ES" :
							 "PLATFORM_STATUS reports no SEV-ES");
	/* the generation's ASID ranges, from the daemon's name for itself */
	for (const char *g = "naples\0rome\0milan\0genoa\0"; *g; g += strlen(g) + 1)
		if (strstr(swsev_client_peer(c), g))
			prof = swsev_profile_find(g);
	if (prof) {
		snprintf(d, sizeof(d), "%u (SEV-ES 1..%u, SEV %u..%u) on a %s platform",
			 prof->asid_count, prof->es_asids, prof->es_asids + 1, prof->asid_count,
			 prof->name);
		ok_line(&r, "base", prof->asid_count > prof->es_asids, "ASIDs", d);
	}
done:
	if (cli_g.json)
		printf("], \"ok\": %s}\n", r.fails ? "false" : "true");
	swsev_client_close(c);
	return r.fails ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
