/*
 * The platform chain (certificates.md §1, §5.3, §9):
 *
 *   ARK --RSA-PSS--> ARK (self), ASK --RSA-PSS--> CEK --ECDSA--> PEK --ECDSA--> PDH
 *                                 OCA --ECDSA--> OCA (self), OCA --ECDSA--> PEK
 *
 * Trust comes from the pinned ARK and the five links ARK -> ASK -> CEK ->
 * PEK -> PDH and OCA -> PEK. The two self-signatures prove nothing about
 * trust (a forged ARK or OCA self-signs as easily as a real one), so they
 * are verified only with SWSEV_CHAIN_SELF_SIGS (certificates.md §5.3's
 * recommendation); by default they are reported as not checked.
 *
 * Forms read:
 *   - a directory: pdh.cert pek.cert oca.cert cek.cert (or pek_oca_cek.cert,
 *     PDH_CERT_EXPORT's PEK||OCA||CEK, with pdh.cert), plus optionally
 *     ark.cert and ask.cert, or ask_ark.cert (ASK||ARK as AMD publishes it);
 *   - one file: sevctl's `export --full` bundle PDH||PEK||OCA||CEK||ASK||ARK,
 *     or PDH||PEK||OCA||CEK alone.
 * Missing AMD certs are taken from the built-in roots at verification time.
 *
 * Parsers fill the struct; swsev_chain_verify decides, link by link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/codec.h"
#include "swsev/cert.h"

#define CHAIN_FILE_MAX (64 * 1024) /* far above 4 x 2084 + 2 x 1600 */
#define BUNDLE_SEV_LEN (4 * SWSEV_CERT_LEN)

static void setmsg(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void setmsg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

const char *swsev_link_name(enum swsev_link l)
{
	switch (l) {
	case SWSEV_LINK_ARK_SELF: return "ARK -> ARK";
	case SWSEV_LINK_ARK_ASK: return "ARK -> ASK";
	case SWSEV_LINK_ASK_CEK: return "ASK -> CEK";
	case SWSEV_LINK_OCA_SELF: return "OCA -> OCA";
	case SWSEV_LINK_OCA_PEK: return "OCA -> PEK";
	case SWSEV_LINK_CEK_PEK: return "CEK -> PEK";
	case SWSEV_LINK_PEK_PDH: return "PEK -> PDH";
	default: return "?";
	}
}

static void hex16(const uint8_t id[16], char out[33])
{
	swsev_hex_encode(id, 16, out);
}

/* ---- parsing with messages that name the part ---- */

static swsev_err parse_sev(const uint8_t *buf, size_t len, const char *name, struct swsev_cert *out,
			   char *eb, size_t el)
{
	swsev_err r = swsev_cert_parse(buf, len, out);

	switch (r) {
	case SWSEV_OK: break;
	case SWSEV_E_TRUNCATED:
	case SWSEV_E_TRAILING:
		setmsg(eb, el, "%s: %zu bytes, a SEV certificate is %d", name, len, SWSEV_CERT_LEN);
		break;
	case SWSEV_E_VERSION:
		setmsg(eb, el, "%s: version %u, a SEV certificate is version 1", name,
		       swsev_le32(buf));
		break;
	case SWSEV_E_USAGE:
		setmsg(eb, el,
		       "%s: key usage 0x%x or a signature slot's usage is not a SEV certificate usage",
		       name, swsev_le32(buf + 8));
		break;
	case SWSEV_E_ALGO:
		setmsg(eb, el, "%s: algorithm 0x%x or a signature slot's algorithm is unknown",
		       name, swsev_le32(buf + 12));
		break;
	case SWSEV_E_FORMAT:
		setmsg(eb, el,
		       "%s: malformed: reserved bytes not zero or bad key fields (curve or size)",
		       name);
		break;
	default: setmsg(eb, el, "%s: %s", name, swsev_strerror(r)); break;
	}
	return r;
}

/* The usage, algo and key each place in the chain needs. key_out: NULL, or
 * receives the validated key (the caller frees it). */
static swsev_err check_role_key(const struct swsev_cert *c, uint32_t usage, const char *name,
				char *eb, size_t el, swsev_ec_key **key_out)
{
	swsev_ec_key *k = NULL;
	int want_ecdh = usage == SWSEV_USAGE_PDH;
	int algo_ok;

	if (c->pub_key_usage != usage) {
		setmsg(eb, el, "%s: usage %s (0x%x), expected %s (0x%x)", name,
		       swsev_usage_name(c->pub_key_usage), c->pub_key_usage,
		       swsev_usage_name(usage), usage);
		return SWSEV_E_USAGE;
	}
	if (want_ecdh)
		algo_ok = c->pub_key_algo == SWSEV_ALGO_ECDH_SHA256 ||
			  c->pub_key_algo == SWSEV_ALGO_ECDH_SHA384;
	else
		algo_ok = c->pub_key_algo == SWSEV_ALGO_ECDSA_SHA256 ||
			  c->pub_key_algo == SWSEV_ALGO_ECDSA_SHA384;
	if (!algo_ok) {
		setmsg(eb, el, "%s: algorithm %s (0x%x), expected %s", name,
		       swsev_algo_name(c->pub_key_algo), c->pub_key_algo,
		       want_ecdh ? "ECDH_SHA256 (0x3) or ECDH_SHA384 (0x103)" :
				   "ECDSA_SHA256 (0x2) or ECDSA_SHA384 (0x102)");
		return SWSEV_E_ALGO;
	}
	if (swsev_cert_ec_key(c, &k) != SWSEV_OK) {
		setmsg(eb, el, "%s: public key is not a valid P-384 point (curve %u)", name,
		       swsev_le32(c->pub_key));
		return SWSEV_E_BADKEY;
	}
	if (key_out != NULL)
		*key_out = k;
	else
		swsev_ec_free(k);
	return SWSEV_OK;
}

static swsev_err check_role(const struct swsev_cert *c, uint32_t usage, const char *name, char *eb,
			    size_t el)
{
	return check_role_key(c, usage, name, eb, el, NULL);
}

static swsev_err parse_amd(const uint8_t *buf, size_t len, int allow_unsigned, const char *name,
			   uint32_t usage, struct swsev_amd_cert *out, size_t *used, char *eb,
			   size_t el)
{
	swsev_err r = swsev_amd_cert_parse(buf, len, allow_unsigned, out, used);

	switch (r) {
	case SWSEV_OK:
		if (out->key_usage != usage) {
			setmsg(eb, el, "%s: usage %s (0x%x), expected %s (0x%x)", name,
			       swsev_usage_name(out->key_usage), out->key_usage,
			       swsev_usage_name(usage), usage);
			memset(out, 0, sizeof(*out));
			return SWSEV_E_USAGE;
		}
		break;
	case SWSEV_E_TRUNCATED:
		setmsg(eb, el,
		       "%s: %zu bytes, shorter than its header says (an AMD certificate is 832 or 1600)",
		       name, len);
		break;
	case SWSEV_E_UNSIGNED: setmsg(eb, el, "%s: no signature (%zu bytes)", name, len); break;
	case SWSEV_E_LENGTH:
		setmsg(eb, el, "%s: key sizes %u/%u bits, an AMD certificate has 2048 or 4096",
		       name, len >= 0x40 ? swsev_le32(buf + 0x38) : 0,
		       len >= 0x40 ? swsev_le32(buf + 0x3c) : 0);
		break;
	case SWSEV_E_VERSION:
		setmsg(eb, el, "%s: version %u, an AMD certificate is version 1", name,
		       swsev_le32(buf));
		break;
	case SWSEV_E_USAGE:
		setmsg(eb, el, "%s: key usage 0x%x is neither ARK (0x0) nor ASK (0x13)", name,
		       swsev_le32(buf + 0x24));
		break;
	default: setmsg(eb, el, "%s: %s", name, swsev_strerror(r)); break;
	}
	return r;
}

/* The four SEV certs in their places. */
static swsev_err parse_sev_part(struct swsev_chain *c, const uint8_t *pdh, size_t pdh_len,
				const uint8_t *pek, size_t pek_len, const uint8_t *oca,
				size_t oca_len, const uint8_t *cek, size_t cek_len,
				const char *names[4], char *eb, size_t el)
{
	swsev_err r;

	if ((r = parse_sev(pdh, pdh_len, names[0], &c->pdh, eb, el)) != SWSEV_OK ||
	    (r = parse_sev(pek, pek_len, names[1], &c->pek, eb, el)) != SWSEV_OK ||
	    (r = parse_sev(oca, oca_len, names[2], &c->oca, eb, el)) != SWSEV_OK ||
	    (r = parse_sev(cek, cek_len, names[3], &c->cek, eb, el)) != SWSEV_OK)
		return r;
	if ((r = check_role(&c->pdh, SWSEV_USAGE_PDH, names[0], eb, el)) != SWSEV_OK ||
	    (r = check_role(&c->pek, SWSEV_USAGE_PEK, names[1], eb, el)) != SWSEV_OK ||
	    (r = check_role(&c->oca, SWSEV_USAGE_OCA, names[2], eb, el)) != SWSEV_OK ||
	    (r = check_role(&c->cek, SWSEV_USAGE_CEK, names[3], eb, el)) != SWSEV_OK)
		return r;
	return SWSEV_OK;
}

swsev_err swsev_chain_set_ask_ark(struct swsev_chain *c, const uint8_t *buf, size_t len, char *eb,
				  size_t el)
{
	size_t used = 0, used2 = 0;
	swsev_err r;

	c->have_amd = c->have_ask = c->have_ark = 0;
	if ((r = parse_amd(buf, len, 0, "ASK (ASK||ARK)", SWSEV_USAGE_ASK, &c->ask, &used, eb,
			   el)) != SWSEV_OK)
		return r;
	if (used == len) {
		setmsg(eb, el, "ASK||ARK: %zu bytes hold only the ASK; the ARK is missing", len);
		memset(&c->ask, 0, sizeof(c->ask));
		return SWSEV_E_TRUNCATED;
	}
	r = parse_amd(buf + used, len - used, 1, "ARK (ASK||ARK)", SWSEV_USAGE_ARK, &c->ark, &used2,
		      eb, el);
	if (r == SWSEV_OK && used2 != len - used) {
		setmsg(eb, el, "ASK||ARK: %zu trailing bytes after the ARK", len - used - used2);
		r = SWSEV_E_TRAILING;
	}
	if (r != SWSEV_OK) {
		memset(&c->ask, 0, sizeof(c->ask));
		memset(&c->ark, 0, sizeof(c->ark));
		return r;
	}
	c->have_amd = c->have_ask = c->have_ark = 1;
	return SWSEV_OK;
}

swsev_err swsev_chain_parse_bundle_msg(const uint8_t *buf, size_t len, struct swsev_chain *out,
				       char *eb, size_t el)
{
	static const char *names[4] = { "PDH (bundle bytes 0-2083)", "PEK (bundle bytes 2084-4167)",
					"OCA (bundle bytes 4168-6251)",
					"CEK (bundle bytes 6252-8335)" };
	const size_t L = SWSEV_CERT_LEN;
	swsev_err r;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < BUNDLE_SEV_LEN) {
		setmsg(eb, el, "bundle: %zu bytes, shorter than PDH||PEK||OCA||CEK (%d bytes)", len,
		       BUNDLE_SEV_LEN);
		return SWSEV_E_TRUNCATED;
	}
	r = parse_sev_part(out, buf, L, buf + L, L, buf + 2 * L, L, buf + 3 * L, L, names, eb, el);
	if (r == SWSEV_OK && len > BUNDLE_SEV_LEN)
		r = swsev_chain_set_ask_ark(out, buf + BUNDLE_SEV_LEN, len - BUNDLE_SEV_LEN, eb,
					    el);
	if (r != SWSEV_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

swsev_err swsev_chain_parse_bundle(const uint8_t *buf, size_t len, struct swsev_chain *out)
{
	return swsev_chain_parse_bundle_msg(buf, len, out, NULL, 0);
}

swsev_err swsev_chain_parse_export(const uint8_t *certs, size_t certs_len, const uint8_t *pdh,
				   size_t pdh_len, struct swsev_chain *out, char *eb, size_t el)
{
	static const char *names[4] = { "pdh.cert", "PEK (PEK||OCA||CEK bytes 0-2083)",
					"OCA (PEK||OCA||CEK bytes 2084-4167)",
					"CEK (PEK||OCA||CEK bytes 4168-6251)" };
	const size_t L = SWSEV_CERT_LEN;
	swsev_err r;

	memset(out, 0, sizeof(*out));
	if (certs == NULL || certs_len != SWSEV_CHAIN_LEN) {
		setmsg(eb, el, "PEK||OCA||CEK: %zu bytes, expected %d (3 x %d)", certs_len,
		       SWSEV_CHAIN_LEN, SWSEV_CERT_LEN);
		return certs_len < SWSEV_CHAIN_LEN ? SWSEV_E_TRUNCATED : SWSEV_E_TRAILING;
	}
	r = parse_sev_part(out, pdh, pdh_len, certs, L, certs + L, L, certs + 2 * L, L, names, eb,
			   el);
	if (r != SWSEV_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/* ---- loading from files ---- */

/* Reads a whole regular file of at most CHAIN_FILE_MAX bytes. */
static swsev_err read_file(const char *path, const char *name, uint8_t **buf, size_t *len, char *eb,
			   size_t el)
{
	struct stat st;
	uint8_t *b = NULL;
	size_t n = 0;
	swsev_err r = SWSEV_E_IO;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		setmsg(eb, el, "%s: %s", name, errno == ENOENT ? "missing" : strerror(errno));
		return errno == ENOENT ? SWSEV_E_NOTFOUND : SWSEV_E_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		setmsg(eb, el, "%s: not a regular file", name);
		goto out;
	}
	if (st.st_size > CHAIN_FILE_MAX) {
		setmsg(eb, el, "%s: %lld bytes, more than any certificate chain (%d at most)", name,
		       (long long)st.st_size, CHAIN_FILE_MAX);
		r = SWSEV_E_TRAILING;
		goto out;
	}
	/* one byte more than the cap so a file that grew is noticed */
	b = malloc(CHAIN_FILE_MAX + 1);
	if (b == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	for (;;) {
		ssize_t k = read(fd, b + n, CHAIN_FILE_MAX + 1 - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			setmsg(eb, el, "%s: read: %s", name, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > CHAIN_FILE_MAX) {
			setmsg(eb, el, "%s: more than %d bytes", name, CHAIN_FILE_MAX);
			r = SWSEV_E_TRAILING;
			goto out;
		}
	}
	*buf = b;
	*len = n;
	b = NULL;
	r = SWSEV_OK;
out:
	free(b);
	close(fd);
	return r;
}

static int exists(const char *dir, const char *name)
{
	char p[4096];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return 0;
	return stat(p, &st) == 0;
}

static swsev_err read_in(const char *dir, const char *name, uint8_t **buf, size_t *len, char *eb,
			 size_t el)
{
	char p[4096];

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p)) {
		setmsg(eb, el, "%s: path too long", name);
		return SWSEV_E_INVALID;
	}
	return read_file(p, name, buf, len, eb, el);
}

static swsev_err load_dir(const char *dir, struct swsev_chain *c, char *eb, size_t el)
{
	static const char *names[4] = { "pdh.cert", "pek.cert", "oca.cert", "cek.cert" };
	uint8_t *b[4] = { NULL, NULL, NULL, NULL }, *amd = NULL, *amd2 = NULL;
	size_t n[4] = { 0, 0, 0, 0 }, an = 0, an2 = 0, used = 0;
	swsev_err r = SWSEV_E_INTERNAL;

	if (!exists(dir, "pek.cert") && !exists(dir, "oca.cert") && !exists(dir, "cek.cert") &&
	    exists(dir, "pek_oca_cek.cert")) {
		/* PDH_CERT_EXPORT's output: PEK||OCA||CEK and the PDH */
		if ((r = read_in(dir, "pdh.cert", &b[0], &n[0], eb, el)) != SWSEV_OK ||
		    (r = read_in(dir, "pek_oca_cek.cert", &b[1], &n[1], eb, el)) != SWSEV_OK)
			goto out;
		if ((r = swsev_chain_parse_export(b[1], n[1], b[0], n[0], c, eb, el)) != SWSEV_OK) {
			if (n[1] != SWSEV_CHAIN_LEN)
				setmsg(eb, el, "pek_oca_cek.cert: %zu bytes, PEK||OCA||CEK is %d",
				       n[1], SWSEV_CHAIN_LEN);
			goto out;
		}
	} else {
		for (int i = 0; i < 4; i++)
			if ((r = read_in(dir, names[i], &b[i], &n[i], eb, el)) != SWSEV_OK)
				goto out;
		if ((r = parse_sev_part(c, b[0], n[0], b[1], n[1], b[2], n[2], b[3], n[3], names,
					eb, el)) != SWSEV_OK)
			goto out;
	}

	if (exists(dir, "ask.cert")) {
		if ((r = read_in(dir, "ask.cert", &amd, &an, eb, el)) != SWSEV_OK ||
		    (r = parse_amd(amd, an, 0, "ask.cert", SWSEV_USAGE_ASK, &c->ask, &used, eb,
				   el)) != SWSEV_OK)
			goto out;
		if (used != an) {
			setmsg(eb, el, "ask.cert: %zu bytes, the certificate uses %zu", an, used);
			r = SWSEV_E_TRAILING;
			goto out;
		}
		c->have_ask = 1;
	}
	if (exists(dir, "ark.cert")) {
		if ((r = read_in(dir, "ark.cert", &amd2, &an2, eb, el)) != SWSEV_OK ||
		    (r = parse_amd(amd2, an2, 1, "ark.cert", SWSEV_USAGE_ARK, &c->ark, &used, eb,
				   el)) != SWSEV_OK)
			goto out;
		if (used != an2) {
			setmsg(eb, el, "ark.cert: %zu bytes, the certificate uses %zu", an2, used);
			r = SWSEV_E_TRAILING;
			goto out;
		}
		c->have_ark = 1;
	}
	if (!c->have_ask && !c->have_ark && exists(dir, "ask_ark.cert")) {
		if ((r = read_in(dir, "ask_ark.cert", &amd, &an, eb, el)) != SWSEV_OK ||
		    (r = swsev_chain_set_ask_ark(c, amd, an, eb, el)) != SWSEV_OK)
			goto out;
	}
	c->have_amd = c->have_ask && c->have_ark;
	r = SWSEV_OK;
out:
	for (int i = 0; i < 4; i++)
		free(b[i]);
	free(amd);
	free(amd2);
	return r;
}

swsev_err swsev_chain_load(const char *path, struct swsev_chain *out, char *errbuf, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	const char *base;
	swsev_err r;

	memset(out, 0, sizeof(*out));
	setmsg(errbuf, errlen, "%s", "");
	if (path == NULL)
		return SWSEV_E_INVALID;
	if (stat(path, &st) != 0) {
		setmsg(errbuf, errlen, "%s: %s", path,
		       errno == ENOENT ? "missing" : strerror(errno));
		return errno == ENOENT ? SWSEV_E_NOTFOUND : SWSEV_E_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		r = load_dir(path, out, errbuf, errlen);
	} else {
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		r = read_file(path, base, &buf, &len, errbuf, errlen);
		if (r == SWSEV_OK && len == 0) {
			setmsg(errbuf, errlen, "%s: empty file (0 bytes)", base);
			r = SWSEV_E_TRUNCATED;
		}
		if (r == SWSEV_OK) {
			char sub[SWSEV_CHAIN_MSG];

			r = swsev_chain_parse_bundle_msg(buf, len, out, sub, sizeof(sub));
			if (r != SWSEV_OK)
				setmsg(errbuf, errlen, "%s: %s", base, sub);
		}
		free(buf);
	}
	if (r != SWSEV_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/* ---- verification ---- */

static void link_set(struct swsev_chain_result *res, enum swsev_link l, int checked, swsev_err r,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void link_set(struct swsev_chain_result *res, enum swsev_link l, int checked, swsev_err r,
		     const char *fmt, ...)
{
	va_list ap;

	res->checked[l] = checked;
	res->link[l] = r;
	res->msg[l][0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(res->msg[l], sizeof(res->msg[l]), fmt, ap);
		va_end(ap);
	}
}

/* The reason text for a signature check of child under signer. */
static void link_sig(struct swsev_chain_result *res, enum swsev_link l, swsev_err r,
		     const struct swsev_cert *child, uint32_t su, uint32_t sa)
{
	(void)child;
	switch (r) {
	case SWSEV_OK: link_set(res, l, 1, r, NULL); break;
	case SWSEV_E_BADSIG: link_set(res, l, 1, r, "signature does not verify"); break;
	case SWSEV_E_NOSIG:
		link_set(res, l, 1, r, "no signature slot names the signer (%s, %s)",
			 swsev_usage_name(su), swsev_algo_name(sa));
		break;
	case SWSEV_E_FORMAT:
		link_set(
			res, l, 1, r,
			"a signature slot is malformed (usage and algo disagree, or padding not zero)");
		break;
	case SWSEV_E_UNSIGNED:
		link_set(
			res, l, 1, r,
			"unsigned: the CEK carries no ASK signature (PDH_CERT_EXPORT returns it so; "
			"fetch the signed CEK from AMD's key server)");
		break;
	default: link_set(res, l, 1, r, "%s", swsev_strerror(r)); break;
	}
}

/*
 * A SEV cert's place in the chain, checked once per verification (usage,
 * algo, valid P-384 key); the key built by the check verifies the links
 * the cert signs, so each key is built and validated once.
 */
struct role {
	swsev_err r;
	swsev_ec_key *key;
	char msg[SWSEV_CHAIN_MSG];
};

static void role_check(struct role *ro, const struct swsev_cert *c, uint32_t usage,
		       const char *name)
{
	ro->key = NULL;
	ro->msg[0] = '\0';
	ro->r = check_role_key(c, usage, name, ro->msg, sizeof(ro->msg), &ro->key);
}

/* role error of a cert as the text of a link */
static int link_role(struct swsev_chain_result *res, enum swsev_link l, const struct role *ro)
{
	if (ro->r != SWSEV_OK)
		link_set(res, l, 1, ro->r, "%s", ro->msg);
	return ro->r == SWSEV_OK;
}

static int slots_empty(const struct swsev_cert *c)
{
	for (int i = 0; i < 2; i++)
		if (c->sig[i].usage != SWSEV_USAGE_INVALID || c->sig[i].algo != SWSEV_ALGO_INVALID)
			return 0;
	return 1;
}

/* The first failing link that was checked; else the first failing one. */
enum swsev_link swsev_chain_first_failure(const struct swsev_chain_result *res)
{
	for (int pass = 0; pass < 2; pass++)
		for (int l = 0; l < SWSEV_LINK_COUNT; l++)
			if (res->link[l] != SWSEV_OK && (pass == 1 || res->checked[l]))
				return (enum swsev_link)l;
	return SWSEV_LINK_COUNT;
}

/* a's signed part (header, exponent, modulus) equals b's */
static int same_body(const struct swsev_amd_cert *a, const struct swsev_amd_cert *b)
{
	return a->signed_len == b->signed_len && memcmp(a->raw, b->raw, a->signed_len) == 0;
}

static int same_cert(const struct swsev_amd_cert *a, const struct swsev_amd_cert *b)
{
	return a->len == b->len && memcmp(a->raw, b->raw, a->len) == 0;
}

/* Parses a built-in root's ARK or ASK (never fails on the built-in data). */
static int builtin_parse(const uint8_t *p, size_t n, struct swsev_amd_cert *out)
{
	size_t used = 0;

	return swsev_amd_cert_parse(p, n, 0, out, &used) == SWSEV_OK && used == n;
}

/*
 * Per-process verdict on each built-in ARK's self-signature: the built-in
 * ARKs are constants, so one verification per process settles it for every
 * chain whose ARK is byte-identical to one of them. 0: not known yet, 1:
 * verifies. Only success is kept (a failure may be a transient one, e.g.
 * out of memory, and is simply retried). Threads racing on an unknown entry
 * both verify and both store 1: harmless.
 */
#define BUILTIN_ARK_CACHE 8
static atomic_int builtin_ark_self[BUILTIN_ARK_CACHE];

/* The built-in ARK of br verifies under itself (cached per process). */
static int builtin_ark_self_ok(const struct swsev_builtin_root *br, const struct swsev_amd_cert *b)
{
	size_t n = 0;
	const struct swsev_builtin_root *roots = swsev_builtin_roots(&n);
	size_t i = (size_t)(br - roots);
	int ok;

	if (i < BUILTIN_ARK_CACHE &&
	    atomic_load_explicit(&builtin_ark_self[i], memory_order_acquire) == 1)
		return 1;
	ok = b->key_usage == SWSEV_USAGE_ARK && memcmp(b->key_id, b->certifying_id, 16) == 0 &&
	     swsev_amd_cert_verify(b, b) == SWSEV_OK;
	if (ok && i < BUILTIN_ARK_CACHE)
		atomic_store_explicit(&builtin_ark_self[i], 1, memory_order_release);
	return ok;
}

/*
 * The built-in root whose ARK is this very ARK: byte-identical, or the
 * unsigned Naples ARK with the same signed bytes. *full receives the
 * built-in ARK. NULL if none.
 */
static const struct swsev_builtin_root *builtin_ark_of(const struct swsev_amd_cert *ark,
						       struct swsev_amd_cert *full)
{
	const struct swsev_builtin_root *br = swsev_builtin_root_by_id(ark->key_id);

	if (br == NULL || !builtin_parse(br->ark, br->ark_len, full))
		return NULL;
	if (same_cert(ark, full) || (ark->len == ark->signed_len && same_body(ark, full)))
		return br;
	return NULL;
}

#define SELF_NOT_CHECKED "a self-signature carries no trust; --self-signatures checks it"

static void verify_ark_self(const struct swsev_amd_cert *ark, unsigned flags,
			    struct swsev_chain_result *res)
{
	const struct swsev_builtin_root *br;
	struct swsev_amd_cert full;
	int unsig = ark->len == ark->signed_len;
	char a[33], b[33];
	swsev_err r;

	if (ark->key_usage != SWSEV_USAGE_ARK) {
		link_set(res, SWSEV_LINK_ARK_SELF, 1, SWSEV_E_USAGE,
			 "ARK: usage %s (0x%x), expected ARK (0x0)",
			 swsev_usage_name(ark->key_usage), ark->key_usage);
		return;
	}
	if (memcmp(ark->key_id, ark->certifying_id, 16) != 0) {
		hex16(ark->key_id, a);
		hex16(ark->certifying_id, b);
		link_set(res, SWSEV_LINK_ARK_SELF, 1, SWSEV_E_NOSIG,
			 "ARK is not self-certified: certifying_id %s, key_id %s", b, a);
		return;
	}
	/* the Naples ARK as AMD first distributed it: no signature (both modes) */
	if (unsig)
		res->ark_unsigned = 1;
	if (!(flags & SWSEV_CHAIN_SELF_SIGS)) {
		/* a built-in ARK's self-signature is known: report it, at no cost */
		br = builtin_ark_of(ark, &full);
		if (br != NULL && builtin_ark_self_ok(br, &full)) {
			if (unsig)
				link_set(res, SWSEV_LINK_ARK_SELF, 1, SWSEV_OK,
					 "unsigned: the Naples ARK as first distributed; the "
					 "built-in %s ARK's self-signature covers the same bytes",
					 br->gen);
			else
				link_set(res, SWSEV_LINK_ARK_SELF, 1, SWSEV_OK,
					 "built-in %s ARK: self-signature verified once per "
					 "process",
					 br->gen);
			return;
		}
		link_set(res, SWSEV_LINK_ARK_SELF, 0, SWSEV_OK, "not checked (%s%s)",
			 unsig ? "unsigned: the Naples ARK as first distributed; " : "",
			 SELF_NOT_CHECKED);
		return;
	}
	if (unsig) {
		/*
		 * When its signed bytes are exactly those of the built-in
		 * (signed) ARK of that key id, the built-in copy's
		 * self-signature covers these very bytes.
		 */
		br = builtin_ark_of(ark, &full);
		if (br != NULL && swsev_amd_cert_verify(&full, &full) == SWSEV_OK) {
			link_set(
				res, SWSEV_LINK_ARK_SELF, 1, SWSEV_OK,
				"unsigned: the Naples ARK as first distributed; the built-in %s ARK's "
				"self-signature covers the same bytes",
				br->gen);
			return;
		}
		link_set(res, SWSEV_LINK_ARK_SELF, 1, SWSEV_E_UNSIGNED,
			 "unsigned: the Naples ARK as first distributed (no self-signature)");
		return;
	}
	r = swsev_amd_cert_verify(ark, ark);
	if (r == SWSEV_OK)
		link_set(res, SWSEV_LINK_ARK_SELF, 1, r, NULL);
	else
		link_set(res, SWSEV_LINK_ARK_SELF, 1, r, "%s",
			 r == SWSEV_E_BADSIG ? "self-signature does not verify" :
					       swsev_strerror(r));
}

static void verify_ark_ask(const struct swsev_amd_cert *ark, const struct swsev_amd_cert *ask,
			   struct swsev_chain_result *res)
{
	char a[33], b[33];
	swsev_err r;

	if (ask->key_usage != SWSEV_USAGE_ASK) {
		link_set(res, SWSEV_LINK_ARK_ASK, 1, SWSEV_E_USAGE,
			 "ASK: usage %s (0x%x), expected ASK (0x13)",
			 swsev_usage_name(ask->key_usage), ask->key_usage);
		return;
	}
	if (memcmp(ask->certifying_id, ark->key_id, 16) != 0) {
		hex16(ask->certifying_id, a);
		hex16(ark->key_id, b);
		link_set(res, SWSEV_LINK_ARK_ASK, 1, SWSEV_E_NOSIG,
			 "the ASK is certified by key %s, not by this ARK (key_id %s)", a, b);
		return;
	}
	r = swsev_amd_cert_verify(ask, ark);
	if (r == SWSEV_OK)
		link_set(res, SWSEV_LINK_ARK_ASK, 1, r, NULL);
	else
		link_set(res, SWSEV_LINK_ARK_ASK, 1, r, "%s",
			 r == SWSEV_E_BADSIG ? "signature does not verify" : swsev_strerror(r));
}

/* Decides whether ark is the trusted root. */
static void verify_trust(const struct swsev_amd_cert *ark, const struct swsev_amd_cert *trusted,
			 struct swsev_chain_result *res)
{
	const struct swsev_builtin_root *br;
	struct swsev_amd_cert b;
	char id[33];

	res->trust = SWSEV_E_UNTRUSTED;
	if (ark == NULL) {
		snprintf(res->trust_msg, sizeof(res->trust_msg), "no ARK to trust");
		return;
	}
	hex16(ark->key_id, id);
	br = swsev_builtin_root_by_id(ark->key_id);
	if (br != NULL &&
	    (!builtin_parse(br->ark, br->ark_len, &b) || memcmp(b.key_id, ark->key_id, 16) != 0))
		br = NULL; /* the id is an ASK's, not an ARK's */
	if (trusted != NULL) {
		if (same_cert(ark, trusted) ||
		    (ark->len == ark->signed_len && same_body(ark, trusted))) {
			res->trust = SWSEV_OK;
			/* name the generation if the given root is a built-in one */
			if (br != NULL && same_body(&b, trusted))
				res->root_gen = br->gen;
			return;
		}
		snprintf(res->trust_msg, sizeof(res->trust_msg),
			 "the chain's ARK (key_id %s) is not the trusted root given with --ca", id);
		return;
	}
	if (br == NULL) {
		snprintf(
			res->trust_msg, sizeof(res->trust_msg),
			"ARK key_id %s is not a built-in AMD root (use --ca to trust another root)",
			id);
		return;
	}
	if (!(same_cert(ark, &b) || (ark->len == ark->signed_len && same_body(ark, &b)))) {
		snprintf(res->trust_msg, sizeof(res->trust_msg),
			 "the ARK has the key_id of the built-in %s root (%s) but other bytes",
			 br->gen, id);
		return;
	}
	res->trust = SWSEV_OK;
	res->root_gen = br->gen;
}

swsev_err swsev_chain_verify(const struct swsev_chain *c, const struct swsev_amd_cert *trusted_ark,
			     struct swsev_chain_result *res)
{
	return swsev_chain_verify_ex(c, trusted_ark, 0, res);
}

swsev_err swsev_chain_verify_ex(const struct swsev_chain *c,
				const struct swsev_amd_cert *trusted_ark, unsigned flags,
				struct swsev_chain_result *res)
{
	const struct swsev_amd_cert *ask = NULL, *ark = NULL;
	struct swsev_amd_cert bask, bark;
	const struct swsev_builtin_root *roots, *br;
	struct role pdh, pek, oca, cek;
	size_t nroots = 0;
	enum swsev_link first;
	int cek_verified = 0; /* the built-in ASK search already verified ASK -> CEK */
	swsev_err r;

	memset(res, 0, sizeof(*res));
	for (int l = 0; l < SWSEV_LINK_COUNT; l++)
		res->link[l] = SWSEV_E_INTERNAL;
	res->trust = SWSEV_E_UNTRUSTED;
	if (c == NULL)
		return SWSEV_E_INVALID;

	/* the ASK: the chain's, else the built-in one that signed the CEK */
	if (c->have_ask) {
		ask = &c->ask;
	} else if (!slots_empty(&c->cek)) {
		roots = swsev_builtin_roots(&nroots);
		for (size_t i = 0; i < nroots && ask == NULL; i++) {
			if (builtin_parse(roots[i].ask, roots[i].ask_len, &bask) &&
			    swsev_cert_verify_amd(&c->cek, &bask) == SWSEV_OK) {
				ask = &bask;
				res->amd_builtin = 1;
				cek_verified = 1;
			}
		}
	}
	/* the ARK: the chain's, else the trusted one, else the built-in one named by the ASK */
	if (c->have_ark) {
		ark = &c->ark;
	} else if (trusted_ark != NULL) {
		ark = trusted_ark;
	} else if (ask != NULL) {
		br = swsev_builtin_root_by_id(ask->certifying_id);
		if (br != NULL && builtin_parse(br->ark, br->ark_len, &bark) &&
		    memcmp(bark.key_id, ask->certifying_id, 16) == 0) {
			ark = &bark;
			res->amd_builtin = 1;
		}
	}

	/* ARK -> ARK */
	if (ark != NULL)
		verify_ark_self(ark, flags, res);
	else
		link_set(
			res, SWSEV_LINK_ARK_SELF, 0, SWSEV_E_NOTFOUND,
			ask != NULL ?
				"no ARK: the ASK's signer is not a built-in AMD root; give ark.cert or --ca" :
				"no ARK: give ark.cert/ask.cert (or ask_ark.cert) or --ca");
	/* ARK -> ASK */
	if (ark != NULL && ask != NULL)
		verify_ark_ask(ark, ask, res);
	else
		link_set(res, SWSEV_LINK_ARK_ASK, 0, SWSEV_E_NOTFOUND, "no %s",
			 ask == NULL ? "ASK" : "ARK");
	role_check(&pdh, &c->pdh, SWSEV_USAGE_PDH, "PDH");
	role_check(&pek, &c->pek, SWSEV_USAGE_PEK, "PEK");
	role_check(&oca, &c->oca, SWSEV_USAGE_OCA, "OCA");
	role_check(&cek, &c->cek, SWSEV_USAGE_CEK, "CEK");
	/* ASK -> CEK */
	if (link_role(res, SWSEV_LINK_ASK_CEK, &cek)) {
		if (ask != NULL) {
			r = cek_verified ? SWSEV_OK : swsev_cert_verify_amd(&c->cek, ask);
			link_sig(res, SWSEV_LINK_ASK_CEK, r, &c->cek, ask->key_usage,
				 swsev_amd_cert_algo(ask));
		} else if (slots_empty(&c->cek)) {
			link_sig(res, SWSEV_LINK_ASK_CEK, SWSEV_E_UNSIGNED, &c->cek, 0, 0);
		} else {
			link_set(
				res, SWSEV_LINK_ASK_CEK, 0, SWSEV_E_NOTFOUND,
				"no built-in AMD signing key signed this CEK; give ask.cert and ark.cert, "
				"ask_ark.cert, or --ca ASK||ARK");
		}
	}
	/* OCA -> OCA: the role always, the self-signature on request */
	if (link_role(res, SWSEV_LINK_OCA_SELF, &oca)) {
		if (flags & SWSEV_CHAIN_SELF_SIGS)
			link_sig(res, SWSEV_LINK_OCA_SELF,
				 swsev_cert_verify_ec(&c->oca, &c->oca, oca.key), &c->oca,
				 c->oca.pub_key_usage, c->oca.pub_key_algo);
		else
			link_set(res, SWSEV_LINK_OCA_SELF, 0, SWSEV_OK, "not checked (%s)",
				 SELF_NOT_CHECKED);
	}
	/* OCA -> PEK */
	if (link_role(res, SWSEV_LINK_OCA_PEK, &oca) && link_role(res, SWSEV_LINK_OCA_PEK, &pek))
		link_sig(res, SWSEV_LINK_OCA_PEK, swsev_cert_verify_ec(&c->pek, &c->oca, oca.key),
			 &c->pek, c->oca.pub_key_usage, c->oca.pub_key_algo);
	/* CEK -> PEK */
	if (link_role(res, SWSEV_LINK_CEK_PEK, &cek) && link_role(res, SWSEV_LINK_CEK_PEK, &pek))
		link_sig(res, SWSEV_LINK_CEK_PEK, swsev_cert_verify_ec(&c->pek, &c->cek, cek.key),
			 &c->pek, c->cek.pub_key_usage, c->cek.pub_key_algo);
	/* PEK -> PDH */
	if (link_role(res, SWSEV_LINK_PEK_PDH, &pek) && link_role(res, SWSEV_LINK_PEK_PDH, &pdh))
		link_sig(res, SWSEV_LINK_PEK_PDH, swsev_cert_verify_ec(&c->pdh, &c->pek, pek.key),
			 &c->pdh, c->pek.pub_key_usage, c->pek.pub_key_algo);
	swsev_ec_free(pdh.key);
	swsev_ec_free(pek.key);
	swsev_ec_free(oca.key);
	swsev_ec_free(cek.key);

	verify_trust(ark, trusted_ark, res);

	first = swsev_chain_first_failure(res);
	if (first != SWSEV_LINK_COUNT)
		return res->link[first];
	return res->trust;
}
