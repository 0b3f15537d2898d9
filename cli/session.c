/*
 * swsev session PDH POLICY [--name NAME]
 *
 * The guest owner's launch session, with sevctl's arguments and files:
 * NAME_godh.b64 and NAME_session.b64 (base64, QEMU's sev-guest dh-cert-file
 * and session-file), NAME_tek.bin and NAME_tik.bin (16 raw bytes each,
 * mode 0600). NAME defaults to "vm".
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "owner.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swsev session [--name NAME] [--json] PDH POLICY\n\n"
		"Makes a launch session for the platform whose PDH certificate is PDH:\n"
		"checks the PDH (usage PDH, ECDH on P-384, a point on the curve), draws a\n"
		"fresh GODH key, TEK, TIK, nonce and IV, and writes\n"
		"  NAME_godh.b64     GODH certificate, base64 (QEMU sev-guest dh-cert-file)\n"
		"  NAME_session.b64  session blob, base64 (QEMU sev-guest session-file)\n"
		"  NAME_tek.bin      transport encryption key, 16 bytes, mode 0600\n"
		"  NAME_tik.bin      transport integrity key, 16 bytes, mode 0600\n\n"
		"PDH     the platform's PDH certificate (2084 bytes, or base64 of them)\n"
		"POLICY  the guest policy, decimal or 0x hex (bit 0 NODBG, 1 NOKS, 2 ES,\n"
		"        3 NOSEND, 4 DOMAIN, 5 SEV, 16-23 API major, 24-31 API minor)\n"
		"--name  file name prefix (default \"vm\")\n"
		"Keep TEK and TIK: 'swsev measurement build' and 'swsev secret build' need them.\n");
}

/* Reads the PDH: 2084 raw bytes, or base64 text of them (QMP's "pdh"). */
static swsev_err read_pdh(const char *path, struct swsev_cert *pdh)
{
	uint8_t *buf = NULL, *dec = NULL;
	size_t n = 0, dn = 0;
	swsev_err e;

	e = cli_read_file(path, 8192, &buf, &n);
	if (e)
		return e;
	if (n != SWSEV_CERT_LEN) {
		if (n > 0 && swsev_base64_decode((const char *)buf, n, &dec, &dn) == SWSEV_OK &&
		    dn == SWSEV_CERT_LEN) {
			free(buf);
			buf = dec;
			n = dn;
		} else {
			swsev_clear_free(dec, dn);
			cli_err("%s: %zu bytes, a SEV certificate is %d (or base64 text of it)",
				path, n, SWSEV_CERT_LEN);
			free(buf);
			return SWSEV_E_LENGTH;
		}
	}
	e = swsev_cert_parse(buf, n, pdh);
	free(buf);
	if (e) {
		cli_err("%s: not a SEV certificate: %s", path, swsev_strerror(e));
		return e;
	}
	return SWSEV_OK;
}

static int check_pdh(const char *path, const struct swsev_cert *pdh)
{
	swsev_err e = swsev_owner_check_pdh(pdh, NULL);

	switch (e) {
	case SWSEV_OK: return 0;
	case SWSEV_E_USAGE:
		cli_err("%s: key usage 0x%x (%s); a PDH has usage 0x%x (PDH)", path,
			pdh->pub_key_usage, swsev_usage_name(pdh->pub_key_usage), SWSEV_USAGE_PDH);
		break;
	case SWSEV_E_ALGO:
		cli_err("%s: algorithm 0x%x (%s); a PDH is an ECDH key (0x%x)", path,
			pdh->pub_key_algo, swsev_algo_name(pdh->pub_key_algo),
			SWSEV_ALGO_ECDH_SHA256);
		break;
	case SWSEV_E_BADKEY:
		cli_err("%s: the public key is not a valid P-384 point (not on the curve, or out of range)",
			path);
		break;
	default: cli_err("%s: unusable PDH: %s", path, swsev_strerror(e)); break;
	}
	return -1;
}

int cmd_session(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "vm";
	char fgodh[PATH_MAX], fsess[PATH_MAX], ftek[PATH_MAX], ftik[PATH_MAX];
	struct swsev_cert pdh, godh;
	struct swsev_session s;
	uint8_t tek[16], tik[16], godh_raw[SWSEV_CERT_LEN], blob[SWSEV_SESSION_LEN];
	uint32_t policy;
	int c, rc = CLI_EXIT_FAIL;
	swsev_err e;

	memset(tek, 0, sizeof(tek));
	memset(tik, 0, sizeof(tik));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'j': cli_g.json = 1; break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default:
			cli_err("session: unknown or incomplete option '%s'", argv[optind - 1]);
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	/* options may also follow the positional arguments (sevctl allows it) */
	{
		const char *pos[2];
		int np = 0;

		for (int i = optind; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0) {
				cli_g.json = 1;
			} else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
				name = argv[++i];
			} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
				usage(stdout);
				return CLI_EXIT_OK;
			} else if (np < 2) {
				pos[np++] = argv[i];
			} else {
				cli_err("session: unexpected argument '%s'", argv[i]);
				usage(stderr);
				return CLI_EXIT_USAGE;
			}
		}
		if (np != 2) {
			cli_err("session: needs the PDH certificate file and the POLICY");
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
		if (!*name) {
			cli_err("session: --name must not be empty");
			return CLI_EXIT_USAGE;
		}
		if (cli_parse_u32(pos[1], "policy", &policy))
			return CLI_EXIT_USAGE;
		if (read_pdh(pos[0], &pdh))
			return CLI_EXIT_FAIL;
		if (check_pdh(pos[0], &pdh))
			return CLI_EXIT_FAIL;
	}
	if (policy & SWSEV_POLICY_RSVD_MASK)
		cli_warn("policy 0x%x sets reserved bits (0x%x): the firmware will refuse it",
			 policy, policy & SWSEV_POLICY_RSVD_MASK);
	if ((size_t)snprintf(fgodh, sizeof(fgodh), "%s_godh.b64", name) >= sizeof(fgodh) ||
	    (size_t)snprintf(fsess, sizeof(fsess), "%s_session.b64", name) >= sizeof(fsess) ||
	    (size_t)snprintf(ftek, sizeof(ftek), "%s_tek.bin", name) >= sizeof(ftek) ||
	    (size_t)snprintf(ftik, sizeof(ftik), "%s_tik.bin", name) >= sizeof(ftik)) {
		cli_err("session: --name is too long");
		return CLI_EXIT_USAGE;
	}
	e = swsev_owner_session(&pdh, policy, &godh, &s, tek, tik);
	if (e) {
		cli_err("session: cannot build the session: %s", swsev_strerror(e));
		goto out;
	}
	e = swsev_cert_encode(&godh, godh_raw);
	if (e) {
		cli_err("session: cannot encode the GODH certificate: %s", swsev_strerror(e));
		goto out;
	}
	swsev_session_encode(&s, blob);
	/* keys first: a session whose keys were lost is useless */
	if (cli_write_file(ftek, tek, sizeof(tek), 0600) ||
	    cli_write_file(ftik, tik, sizeof(tik), 0600) ||
	    cli_write_b64(fgodh, godh_raw, sizeof(godh_raw), 0644) ||
	    cli_write_b64(fsess, blob, sizeof(blob), 0644))
		goto out;
	if (cli_g.json) {
		cli_json_begin();
		cli_json_int("policy", policy);
		cli_json_str("godh", fgodh);
		cli_json_str("session", fsess);
		cli_json_str("tek", ftek);
		cli_json_str("tik", ftik);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("policy 0x%x\nwrote %s, %s, %s (0600), %s (0600)\n", policy, fgodh, fsess,
		       ftek, ftik);
	}
	rc = CLI_EXIT_OK;
out:
	swsev_wipe(tek, sizeof(tek));
	swsev_wipe(tik, sizeof(tik));
	swsev_wipe(&s, sizeof(s));
	return rc;
}
