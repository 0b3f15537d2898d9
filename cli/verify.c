/*
 * swsev verify [--ca FILE|DIR] [--pdh FILE] [--self-signatures] [--json] PATH
 *
 * Validates a platform certificate chain, as sevctl verify does: the trust
 * links ARK -> ASK -> CEK -> PEK -> PDH and OCA -> PEK, and that the ARK is
 * a trusted root (a built-in AMD root matched by key id, or the root given
 * with --ca). The ARK's and OCA's self-signatures carry no trust and are
 * checked only with --self-signatures (certificates.md §5.3's full list).
 * Exit 0 only if everything checked holds; 1 naming the failing link; 2 on
 * a usage error.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "codec/codec.h"
#include "swsev/cert.h"

#define VERIFY_FILE_MAX (64 * 1024)

static void verify_usage(FILE *f)
{
	fprintf(f,
		"usage: swsev verify [--ca FILE|DIR] [--pdh FILE] [--self-signatures] [--json] PATH\n\n"
		"Validates a SEV platform certificate chain and prints each link.\n\n"
		"PATH is one of:\n"
		"  a directory with pdh.cert pek.cert oca.cert cek.cert (or pek_oca_cek.cert,\n"
		"    the PDH_CERT_EXPORT output, with pdh.cert) and optionally ark.cert and\n"
		"    ask.cert, or ask_ark.cert (ASK||ARK as AMD publishes it);\n"
		"  a file: sevctl's `export --full` bundle PDH||PEK||OCA||CEK||ASK||ARK, or\n"
		"    PDH||PEK||OCA||CEK (the ASK and ARK then come from the built-in roots);\n"
		"  with --pdh FILE: a PEK||OCA||CEK file (6252 bytes).\n\n"
		"Trust: by default the ARK must be one of AMD's real roots built into swsev\n"
		"(Naples, Rome, Milan, Genoa, Turin), matched by key id and byte-identical.\n"
		"  --ca FILE|DIR  trust this root instead: an ARK cert file, an ASK||ARK file,\n"
		"                 or a directory holding ark.cert (and maybe ask.cert) or\n"
		"                 ask_ark.cert (e.g. an emulated swsev root)\n"
		"  --pdh FILE     the PDH, when PATH is a PEK||OCA||CEK file\n"
		"  --self-signatures\n"
		"                 also verify the ARK's and the OCA's self-signatures\n"
		"                 (ARK -> ARK, OCA -> OCA): all seven signatures\n"
		"  --json         machine-readable output\n\n"
		"Checked by default: the five signatures that carry trust from the pinned\n"
		"ARK to the PDH (ARK -> ASK, ASK -> CEK, CEK -> PEK, OCA -> PEK, PEK -> PDH),\n"
		"every certificate's usage, algorithm and key, the key ids, and the pinned\n"
		"ARK. A self-signature proves nothing about trust (whoever forges an ARK or\n"
		"an OCA can self-sign it), so ARK -> ARK and OCA -> OCA are printed \"not\n"
		"checked\", except the self-signature of a built-in AMD ARK, which is known.\n"
		"--self-signatures verifies both as well (AMD's recommendation); a bad one\n"
		"then fails the chain, naming the link.\n\n"
		"Exit status: 0 the chain is valid, 1 it is not (the failing link is named),\n"
		"2 usage error.\n");
}

static void verr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void verr(const char *fmt, ...)
{
	va_list ap;

	fputs("swsev verify: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct ca {
	struct swsev_amd_cert ark, ask;
	int have_ask;
};

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* Reads an AMD cert file holding an ARK, or ASK||ARK. Returns 0 or prints why. */
static int ca_from_file(const char *path, struct ca *ca)
{
	uint8_t *buf = NULL;
	size_t len = 0, used = 0, used2 = 0;
	struct swsev_amd_cert first;
	int ok = 0;
	swsev_err r;

	if (cli_read_file(path, VERIFY_FILE_MAX, &buf, &len) != SWSEV_OK)
		return -1;
	r = swsev_amd_cert_parse(buf, len, 1, &first, &used);
	if (r != SWSEV_OK) {
		verr("--ca %s: not an AMD root certificate (%zu bytes): %s", path, len,
		     swsev_strerror(r));
		goto out;
	}
	if (first.key_usage == SWSEV_USAGE_ARK) {
		if (used != len) {
			verr("--ca %s: %zu bytes after the %zu-byte ARK", path, len - used, used);
			goto out;
		}
		swsev_amd_cert_copy(&ca->ark, &first);
		ok = 1;
		goto out;
	}
	/* an ASK: the ARK must follow (ASK||ARK) */
	if (used == len) {
		verr("--ca %s: an ASK alone; a root is an ARK (or ASK||ARK)", path);
		goto out;
	}
	r = swsev_amd_cert_parse(buf + used, len - used, 1, &ca->ark, &used2);
	if (r != SWSEV_OK || ca->ark.key_usage != SWSEV_USAGE_ARK || used + used2 != len) {
		verr("--ca %s: ASK followed by %zu bytes that are not exactly one ARK%s%s", path,
		     len - used, r != SWSEV_OK ? ": " : "", r != SWSEV_OK ? swsev_strerror(r) : "");
		goto out;
	}
	swsev_amd_cert_copy(&ca->ask, &first);
	ca->have_ask = 1;
	ok = 1;
out:
	free(buf);
	return ok ? 0 : -1;
}

/* Reads a file holding exactly one ASK. */
static int ask_from_file(const char *path, struct ca *ca)
{
	uint8_t *buf = NULL;
	size_t len = 0, used = 0;
	int ok = 0;
	swsev_err r;

	if (cli_read_file(path, VERIFY_FILE_MAX, &buf, &len) != SWSEV_OK)
		return -1;
	r = swsev_amd_cert_parse(buf, len, 0, &ca->ask, &used);
	if (r != SWSEV_OK)
		verr("%s: not an AMD certificate (%zu bytes): %s", path, len, swsev_strerror(r));
	else if (ca->ask.key_usage != SWSEV_USAGE_ASK)
		verr("%s: usage %s (0x%x), expected ASK (0x13)", path,
		     swsev_usage_name(ca->ask.key_usage), ca->ask.key_usage);
	else if (used != len)
		verr("%s: %zu bytes after the %zu-byte ASK", path, len - used, used);
	else
		ok = 1;
	ca->have_ask = ok;
	free(buf);
	return ok ? 0 : -1;
}

static int ca_load(const char *path, struct ca *ca)
{
	char p[4096];

	memset(ca, 0, sizeof(*ca));
	if (!is_dir(path))
		return ca_from_file(path, ca);
	if (snprintf(p, sizeof(p), "%s/ark.cert", path) < (int)sizeof(p) && file_exists(p)) {
		if (ca_from_file(p, ca) != 0)
			return -1;
		/* an emulated root directory also holds the ASK it issued */
		if (!ca->have_ask && snprintf(p, sizeof(p), "%s/ask.cert", path) < (int)sizeof(p) &&
		    file_exists(p))
			return ask_from_file(p, ca);
		return 0;
	}
	if (snprintf(p, sizeof(p), "%s/ask_ark.cert", path) < (int)sizeof(p) && file_exists(p))
		return ca_from_file(p, ca);
	verr("--ca %s: the directory holds neither ark.cert nor ask_ark.cert", path);
	return -1;
}

static void gen_title(const char *gen, char *out, size_t n)
{
	snprintf(out, n, "AMD %s root", gen);
	if (strlen(out) > 4)
		out[4] = (char)toupper((unsigned char)out[4]);
}

/* The ARK the result is about, for display. */
static const struct swsev_amd_cert *shown_ark(const struct swsev_chain *c, const struct ca *ca)
{
	if (c->have_ark)
		return &c->ark;
	if (ca != NULL)
		return &ca->ark;
	return NULL;
}

static void print_text(const struct swsev_chain *c, const struct swsev_chain_result *res,
		       const struct ca *ca, const char *ca_path)
{
	const struct swsev_amd_cert *ark = shown_ark(c, ca);
	char title[64], id[33];

	for (int l = 0; l < SWSEV_LINK_COUNT; l++) {
		const char *name = swsev_link_name((enum swsev_link)l);

		if (res->link[l] == SWSEV_OK && !res->checked[l])
			printf("%-11s %s\n", name, res->msg[l][0] ? res->msg[l] : "not checked");
		else if (res->link[l] == SWSEV_OK)
			printf("%-11s OK%s%s%s\n", name, res->msg[l][0] ? " (" : "", res->msg[l],
			       res->msg[l][0] ? ")" : "");
		else
			printf("%-11s %s: %s\n", name, res->checked[l] ? "FAILED" : "NOT CHECKED",
			       res->msg[l][0] ? res->msg[l] : swsev_strerror(res->link[l]));
	}
	if (res->root_gen != NULL) {
		gen_title(res->root_gen, title, sizeof(title));
		printf("root:       %s%s\n", title,
		       res->amd_builtin ? " (ASK/ARK from the built-in roots)" : "");
	} else if (ca != NULL && res->trust == SWSEV_OK) {
		swsev_hex_encode(ca->ark.key_id, 16, id);
		printf("root:       custom root from --ca %s (ARK key_id %s)\n", ca_path, id);
	} else if (ark != NULL) {
		swsev_hex_encode(ark->key_id, 16, id);
		printf("root:       ARK key_id %s\n", id);
	}
	if (res->trust != SWSEV_OK)
		printf("trust:      FAILED: %s\n", res->trust_msg);
}

/*
 * "links": one object per link: "ok" true (holds), false (fails) or null
 * (a self-signature not checked by choice), "checked", "error" (why it
 * fails) and "note" (a remark on a link that holds or was not checked).
 */
static void print_json(const struct swsev_chain_result *res, int valid, int self_sigs,
		       const char *err)
{
	char title[64];
	size_t cap = 4096, off = 0;
	char *links = malloc(cap);

	if (links == NULL)
		abort();
	links[off++] = '[';
	for (int l = 0; l < SWSEV_LINK_COUNT; l++) {
		int ok = res->link[l] == SWSEV_OK;
		/* a link not checked by choice neither holds nor fails */
		const char *okv = ok && !res->checked[l] ? "null" : ok ? "true" : "false";
		char *name = cli_json_quote(swsev_link_name((enum swsev_link)l));
		char *msg = cli_json_quote(res->msg[l]);
		int k = snprintf(
			links + off, cap - off,
			"%s{\"link\": %s, \"ok\": %s, \"checked\": %s, \"error\": %s, \"note\": %s}",
			l ? ", " : "", name, okv, res->checked[l] ? "true" : "false",
			ok ? "null" : msg, ok && res->msg[l][0] ? msg : "null");

		free(name);
		free(msg);
		if (k < 0 || (size_t)k >= cap - off - 2)
			abort(); /* cannot happen: 7 links with bounded messages */
		off += (size_t)k;
	}
	links[off++] = ']';
	links[off] = '\0';

	cli_json_begin();
	cli_json_bool("valid", valid);
	cli_json_bool("self_signatures", self_sigs);
	cli_json_str("generation", res->root_gen);
	if (res->root_gen != NULL) {
		gen_title(res->root_gen, title, sizeof(title));
		cli_json_str("root", title);
	} else {
		cli_json_str("root", NULL);
	}
	cli_json_bool("ark_unsigned", res->ark_unsigned);
	cli_json_bool("amd_builtin", res->amd_builtin);
	cli_json_bool("trusted", res->trust == SWSEV_OK);
	cli_json_str("trust_error", res->trust == SWSEV_OK ? NULL : res->trust_msg);
	cli_json_raw("links", links);
	cli_json_str("error", err);
	cli_json_end();
	free(links);
}

static void print_json_error(const char *err)
{
	cli_json_begin();
	cli_json_bool("valid", 0);
	cli_json_str("generation", NULL);
	cli_json_raw("links", "[]");
	cli_json_str("error", err);
	cli_json_end();
}

int cmd_verify(int argc, char **argv)
{
	const char *path = NULL, *ca_path = NULL, *pdh_path = NULL;
	struct swsev_chain *chain = NULL;
	struct swsev_chain_result res;
	struct ca *ca = NULL;
	char errbuf[512], why[640];
	uint8_t *certs = NULL, *pdh = NULL;
	size_t certs_len = 0, pdh_len = 0;
	int json = cli_g.json, self_sigs = 0, rc = CLI_EXIT_FAIL;
	enum swsev_link first;
	swsev_err r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			verify_usage(stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--self-signatures")) {
			self_sigs = 1;
		} else if (!strcmp(a, "--ca") || !strcmp(a, "--pdh")) {
			if (i + 1 >= argc) {
				verr("%s needs a path", a);
				verify_usage(stderr);
				return CLI_EXIT_USAGE;
			}
			if (!strcmp(a, "--ca"))
				ca_path = argv[++i];
			else
				pdh_path = argv[++i];
		} else if (!strcmp(a, "--")) {
			if (i + 1 < argc && path == NULL && i + 2 == argc) {
				path = argv[++i];
			} else {
				verr("expected exactly one PATH after --");
				return CLI_EXIT_USAGE;
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			verr("unknown option '%s'", a);
			verify_usage(stderr);
			return CLI_EXIT_USAGE;
		} else if (path == NULL) {
			path = a;
		} else {
			verr("one PATH only (got '%s' and '%s')", path, a);
			verify_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (path == NULL) {
		verr("missing PATH (a chain directory or bundle file)");
		verify_usage(stderr);
		return CLI_EXIT_USAGE;
	}

	chain = calloc(1, sizeof(*chain));
	if (chain == NULL)
		goto out;
	if (ca_path != NULL) {
		ca = calloc(1, sizeof(*ca));
		if (ca == NULL)
			goto out;
		if (ca_load(ca_path, ca) != 0) {
			if (json)
				print_json_error("--ca: cannot load the trusted root");
			goto out;
		}
	}

	errbuf[0] = '\0';
	if (pdh_path != NULL) {
		if (cli_read_file(path, VERIFY_FILE_MAX, &certs, &certs_len) != SWSEV_OK ||
		    cli_read_file(pdh_path, VERIFY_FILE_MAX, &pdh, &pdh_len) != SWSEV_OK) {
			if (json)
				print_json_error("cannot read the input files");
			goto out;
		}
		r = swsev_chain_parse_export(certs, certs_len, pdh, pdh_len, chain, errbuf,
					     sizeof(errbuf));
	} else {
		r = swsev_chain_load(path, chain, errbuf, sizeof(errbuf));
	}
	if (r != SWSEV_OK) {
		snprintf(why, sizeof(why), "%s", errbuf[0] ? errbuf : swsev_strerror(r));
		verr("%s", why);
		if (json)
			print_json_error(why);
		goto out;
	}
	/* an ASK||ARK given with --ca completes a chain that has no ASK */
	if (ca != NULL && ca->have_ask && !chain->have_ask) {
		swsev_amd_cert_copy(&chain->ask, &ca->ask);
		chain->have_ask = 1;
	}

	r = swsev_chain_verify_ex(chain, ca != NULL ? &ca->ark : NULL,
				  self_sigs ? SWSEV_CHAIN_SELF_SIGS : 0, &res);
	first = swsev_chain_first_failure(&res);
	why[0] = '\0';
	if (r != SWSEV_OK) {
		if (first != SWSEV_LINK_COUNT)
			snprintf(why, sizeof(why), "link %s: %s", swsev_link_name(first),
				 res.msg[first][0] ? res.msg[first] :
						     swsev_strerror(res.link[first]));
		else
			snprintf(why, sizeof(why), "ARK not trusted: %s",
				 res.trust_msg[0] ? res.trust_msg : swsev_strerror(res.trust));
	}
	if (json) {
		print_json(&res, r == SWSEV_OK, self_sigs, r == SWSEV_OK ? NULL : why);
	} else {
		print_text(chain, &res, ca, ca_path);
		printf("%s\n", r == SWSEV_OK ? "chain valid" : "chain INVALID");
	}
	if (r != SWSEV_OK) {
		verr("chain invalid: %s", why);
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	free(certs);
	free(pdh);
	free(chain);
	free(ca);
	return rc;
}
