/*
 * swsev secret build: a LAUNCH_SECRET packet (crypto.md §7, launch-flow.md
 * §6) with sevctl's flags and positional HEADER PAYLOAD files.
 * swsev secret verify: checks and opens such a packet (ours, sevctl's or
 * libvirt's) with the owner's TEK/TIK, as the firmware and guest would.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codec/codec.h"
#include "owner.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

#define MAX_SECRETS SWSEV_SECRET_MAX_ENTRIES

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swsev secret build (--tik TIK --tek TEK | --tk TK) --launch-measure-blob BLOB\n"
		"           --secret GUID:FILE [--secret ...] [--base64] [--pad-always] [--json]\n"
		"           HEADER-FILE PAYLOAD-FILE\n"
		"       swsev secret verify (--tik TIK --tek TEK | --tk TK) --launch-measure-blob BLOB\n"
		"           --header FILE --payload FILE [--extract DIR] [--json]\n\n"
		"build: makes the secret table (GUID-named entries, the EFI secret table that\n"
		"OVMF and Linux efi_secret read), encrypts it with the TEK under a random IV and\n"
		"MACs it with the TIK, bound to the launch measurement (context 0x01).\n"
		"  --tik/--tek/--tk   the keys of 'swsev session' (files or base64)\n"
		"  --launch-measure-blob  MEASURE || MNONCE as QEMU reports it (file or base64)\n"
		"  --secret GUID:FILE  a secret; GUID may be the alias 'luks-key'\n"
		"  HEADER-FILE, PAYLOAD-FILE  the 52-byte packet header and the encrypted table,\n"
		"                     raw bytes as sevctl writes them; with --base64, base64 text as\n"
		"                     QMP sev-inject-launch-secret takes it ('packet-header', 'secret')\n"
		"  --pad-always       pad as libvirt does (always 1..16 bytes) instead of sevctl's round-up\n"
		"verify: checks the MAC and decrypts HEADER/PAYLOAD (raw or base64), lists the\n"
		"secrets; --extract DIR writes each secret to DIR/<guid> (mode 0600).\n");
}

struct sargs {
	const char *tik, *tek, *tk, *blob, *iv, *header, *payload, *extract;
	const char *secret[MAX_SECRETS];
	int nsecret, base64, pad_always;
	const char *pos[2];
	int npos;
};

/* --secret GUID:FILE, repeated */
static int add_secret(void *ctx, const char *arg)
{
	struct sargs *a = ctx;

	if (a->nsecret >= MAX_SECRETS) {
		cli_err("secret: at most %d secrets (the guest reads no more)", MAX_SECRETS);
		return -1;
	}
	a->secret[a->nsecret++] = arg;
	return 0;
}

static int parse_args(int argc, char **argv, struct sargs *a)
{
	const struct cli_opt opts[] = {
		{ "tik", &a->tik, NULL, NULL },
		{ "tek", &a->tek, NULL, NULL },
		{ "tk", &a->tk, NULL, NULL },
		{ "launch-measure-blob", &a->blob, NULL, NULL },
		{ "secret", NULL, NULL, add_secret },
		{ "iv", &a->iv, NULL, NULL }, /* sevctl's hidden test option */
		{ "base64", NULL, &a->base64, NULL },
		{ "pad-always", NULL, &a->pad_always, NULL },
		{ "header", &a->header, NULL, NULL },
		{ "payload", &a->payload, NULL, NULL },
		{ "extract", &a->extract, NULL, NULL },
		{ "json", NULL, &cli_g.json, NULL },
	};
	int r;

	memset(a, 0, sizeof(*a));
	r = cli_parse_opts("secret", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), usage, a,
			   a->pos, 2, &a->npos);
	if (r)
		return r;
	if (!a->blob) {
		cli_err("secret: --launch-measure-blob is required (the measurement the secret is bound to)");
		return -1;
	}
	return 0;
}

/* Reads the --secret values: GUID:FILE each. */
static int load_secrets(const struct sargs *a, struct swsev_secret_entry *e, uint8_t **bufs)
{
	for (int i = 0; i < a->nsecret; i++) {
		const char *colon = strchr(a->secret[i], ':');
		char guid[64];
		size_t gl;

		if (!colon || colon == a->secret[i] || !colon[1]) {
			cli_err("--secret '%s': expected GUID:FILE (GUID or 'luks-key')",
				a->secret[i]);
			return -1;
		}
		gl = (size_t)(colon - a->secret[i]);
		if (gl >= sizeof(guid)) {
			cli_err("--secret: '%.*s' is not a GUID", (int)gl, a->secret[i]);
			return -1;
		}
		memcpy(guid, a->secret[i], gl);
		guid[gl] = '\0';
		if (owner_secret_guid(guid, e[i].guid)) {
			cli_err("--secret: '%s' is neither a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) "
				"nor a known alias (luks-key)",
				guid);
			return -1;
		}
		if (cli_read_file(colon + 1, SWSEV_SECRET_TABLE_MAX, &bufs[i], &e[i].len))
			return -1;
		e[i].data = bufs[i];
		for (int j = 0; j < i; j++) {
			if (memcmp(e[j].guid, e[i].guid, 16) == 0) {
				cli_err("--secret: GUID %s given twice (the guest would refuse the table)",
					guid);
				return -1;
			}
		}
		if (swsev_ct_is_zero(e[i].guid, 16)) {
			cli_err("--secret: the all-zero GUID marks a deleted entry; the guest would skip it");
			return -1;
		}
	}
	return 0;
}

/* The owner's TEK and TIK, and the measurement the packet is bound to. */
static int read_keys(const struct sargs *a, uint8_t tek[16], uint8_t tik[16], uint8_t blob[48])
{
	if (owner_read_tek_tik(a->tek, a->tik, a->tk, tek, tik, 1))
		return -1;
	if (owner_read_fixed(a->blob, "--launch-measure-blob",
			     "a measurement blob (MEASURE || MNONCE)", blob, 48))
		return -1;
	return 0;
}

static int write_out(const char *path, const uint8_t *b, size_t n, int b64)
{
	if (b64)
		return cli_write_b64(path, b, n, 0644) ? -1 : 0;
	return cli_write_file(path, b, n, 0644) ? -1 : 0;
}

static int secret_build(int argc, char **argv)
{
	struct sargs a;
	struct swsev_secret_entry e[MAX_SECRETS];
	uint8_t *bufs[MAX_SECRETS];
	uint8_t tek[16], tik[16], iv[16], blob[48], hdr[SWSEV_PKT_HDR_LEN];
	uint8_t *table = NULL, *ct = NULL;
	size_t tlen = 0;
	struct swsev_pkt_hdr h;
	char *h64 = NULL, *p64 = NULL;
	int r, rc = CLI_EXIT_USAGE;
	swsev_err err;

	memset(bufs, 0, sizeof(bufs));
	memset(e, 0, sizeof(e));
	memset(tek, 0, sizeof(tek));
	memset(tik, 0, sizeof(tik));
	r = parse_args(argc, argv, &a);
	if (r > 0)
		return CLI_EXIT_OK;
	if (r < 0)
		goto usage;
	if (a.npos != 2) {
		cli_err("secret build: needs HEADER-FILE and PAYLOAD-FILE (where to write the packet)");
		goto usage;
	}
	if (a.nsecret == 0) {
		cli_err("secret build: no --secret GUID:FILE given");
		goto usage;
	}
	rc = CLI_EXIT_FAIL;
	if (read_keys(&a, tek, tik, blob))
		goto out;
	if (a.iv) {
		if (owner_read_fixed(a.iv, "--iv", "an IV", iv, 16))
			goto out;
	} else if (swsev_random(iv, sizeof(iv))) {
		cli_err("secret build: no randomness for the IV");
		goto out;
	}
	if (load_secrets(&a, e, bufs))
		goto out;
	err = swsev_secret_table_build(e, (size_t)a.nsecret, a.pad_always, &table, &tlen);
	if (err) {
		cli_err("secret build: cannot build the secret table: %s", swsev_strerror(err));
		goto out;
	}
	ct = malloc(tlen);
	if (!ct) {
		cli_err("out of memory");
		goto out;
	}
	err = swsev_pkt_seal(tek, tik, SWSEV_CTX_SECRET, iv, table, tlen, blob, &h, ct);
	if (err) {
		cli_err("secret build: cannot seal the packet: %s", swsev_strerror(err));
		goto out;
	}
	swsev_pkt_hdr_encode(&h, hdr);
	if (write_out(a.pos[0], hdr, sizeof(hdr), a.base64) ||
	    write_out(a.pos[1], ct, tlen, a.base64))
		goto out;
	if (cli_g.json) {
		if (swsev_base64_encode(hdr, sizeof(hdr), &h64) ||
		    swsev_base64_encode(ct, tlen, &p64)) {
			cli_err("out of memory");
			goto out;
		}
		cli_json_begin();
		cli_json_str("header_file", a.pos[0]);
		cli_json_str("payload_file", a.pos[1]);
		cli_json_int("secrets", a.nsecret);
		cli_json_int("length", (long long)tlen);
		/* what QMP sev-inject-launch-secret takes */
		cli_json_str("packet-header", h64);
		cli_json_str("secret", p64);
		cli_json_end();
	} else if (!cli_g.quiet) {
		printf("Wrote header to: %s\nWrote payload to: %s\n", a.pos[0], a.pos[1]);
	}
	rc = CLI_EXIT_OK;
	goto out;
usage:
	fprintf(stderr, "Run 'swsev secret --help' for the options.\n");
out:
	for (int i = 0; i < MAX_SECRETS; i++)
		swsev_clear_free(bufs[i], e[i].len);
	swsev_clear_free(table, tlen);
	free(ct);
	free(h64);
	free(p64);
	swsev_wipe(tek, sizeof(tek));
	swsev_wipe(tik, sizeof(tik));
	return rc;
}

/* A packet file: raw bytes (exact header size, or any payload), or base64 text. */
static int read_packet_file(const char *path, size_t raw_len, uint8_t **out, size_t *len)
{
	uint8_t *b = NULL, *d = NULL;
	size_t n = 0, dn = 0;

	if (cli_read_file(path, 4 * SWSEV_SECRET_TABLE_MAX, &b, &n))
		return -1;
	if (n == 0) {
		cli_err("%s: empty file", path);
		free(b);
		return -1;
	}
	if ((raw_len && n == raw_len) ||
	    (!raw_len && n % 16 == 0 &&
	     swsev_base64_decode((const char *)b, n, &d, &dn) != SWSEV_OK)) {
		*out = b;
		*len = n;
		return 0;
	}
	swsev_clear_free(d, dn);
	d = NULL;
	if (swsev_base64_decode((const char *)b, n, &d, &dn) != SWSEV_OK) {
		cli_err("%s: %zu bytes, neither %s nor base64 text", path, n,
			raw_len ? "a 52-byte packet header" : "a raw payload (multiple of 16)");
		free(b);
		return -1;
	}
	free(b);
	*out = d;
	*len = dn;
	return 0;
}

static int secret_verify(int argc, char **argv)
{
	struct sargs a;
	struct swsev_secret_entry ent[MAX_SECRETS];
	struct swsev_pkt_hdr h;
	uint8_t tek[16], tik[16], blob[48];
	uint8_t *hb = NULL, *pb = NULL, *plain = NULL;
	size_t hn = 0, pn = 0, n = 0;
	int r, rc = CLI_EXIT_USAGE;
	swsev_err err;

	memset(tek, 0, sizeof(tek));
	memset(tik, 0, sizeof(tik));
	r = parse_args(argc, argv, &a);
	if (r > 0)
		return CLI_EXIT_OK;
	if (r < 0)
		return CLI_EXIT_USAGE;
	if (!a.header || !a.payload || a.npos) {
		cli_err("secret verify: needs --header FILE and --payload FILE");
		return CLI_EXIT_USAGE;
	}
	rc = CLI_EXIT_FAIL;
	if (read_keys(&a, tek, tik, blob))
		goto out;
	if (read_packet_file(a.header, SWSEV_PKT_HDR_LEN, &hb, &hn) ||
	    read_packet_file(a.payload, 0, &pb, &pn))
		goto out;
	err = swsev_pkt_hdr_parse(hb, hn, &h);
	if (err) {
		cli_err("%s: %zu bytes, a packet header is %d", a.header, hn, SWSEV_PKT_HDR_LEN);
		goto out;
	}
	if (h.flags != 0) {
		cli_err("%s: flags 0x%x; the firmware accepts no flags on LAUNCH_SECRET (bit 0, "
			"compression, is unsupported)",
			a.header, h.flags);
		goto out;
	}
	plain = malloc(pn ? pn : 1);
	if (!plain) {
		cli_err("out of memory");
		goto out;
	}
	err = swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, pb, pn, blob, plain);
	if (err == SWSEV_E_BADMAC) {
		cli_err("packet MAC does not verify: wrong TIK, wrong measurement, or a changed "
			"header/payload (the firmware would answer BAD_MEASUREMENT)");
		goto out;
	}
	if (err) {
		cli_err("%s: %zu bytes: %s (a payload is a non-zero multiple of 16)", a.payload, pn,
			swsev_strerror(err));
		goto out;
	}
	err = swsev_secret_table_parse(plain, pn, ent, MAX_SECRETS, &n);
	if (err) {
		cli_err("the MAC holds but the decrypted payload is not a secret table: %s (wrong TEK?)",
			swsev_strerror(err));
		goto out;
	}
	if (cli_g.json) {
		cli_json_begin();
		cli_json_bool("ok", 1);
		cli_json_int("length", (long long)pn);
		cli_json_int("count", (long long)n);
		{
			char list[MAX_SECRETS * 64 + 8];
			size_t k = 0;

			list[k++] = '[';
			for (size_t i = 0; i < n; i++) {
				char g[37];

				swsev_guid_format(ent[i].guid, g);
				k += (size_t)snprintf(list + k, sizeof(list) - k,
						      "%s{\"guid\": \"%s\", \"length\": %zu}",
						      i ? ", " : "", g, ent[i].len);
			}
			snprintf(list + k, sizeof(list) - k, "]");
			cli_json_raw("secrets", list);
		}
		cli_json_end();
	} else {
		printf("packet OK: %zu-byte secret table, %zu secret%s\n", pn, n,
		       n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++) {
			char g[37];

			swsev_guid_format(ent[i].guid, g);
			printf("  %s  %zu bytes\n", g, ent[i].len);
		}
	}
	if (a.extract) {
		for (size_t i = 0; i < n; i++) {
			char g[37], path[PATH_MAX];

			swsev_guid_format(ent[i].guid, g);
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", a.extract, g) >=
			    sizeof(path)) {
				cli_err("--extract: path too long");
				goto out;
			}
			if (cli_write_file(path, ent[i].data, ent[i].len, 0600))
				goto out;
		}
	}
	rc = CLI_EXIT_OK;
out:
	swsev_clear_free(plain, pn);
	free(hb);
	free(pb);
	swsev_wipe(tek, sizeof(tek));
	swsev_wipe(tik, sizeof(tik));
	return rc;
}

int cmd_secret(int argc, char **argv)
{
	owner_note_json(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return secret_build(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return secret_verify(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	cli_err("secret: expected 'build' or 'verify'");
	usage(stderr);
	return CLI_EXIT_USAGE;
}
