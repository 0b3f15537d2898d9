/*
 * Emulated AMD roots (certificates.md §6.3): an ARK and an ASK in the exact
 * AMD format, RSA of the profile's size, RSA-PSS with SHA-256 (2048) or
 * SHA-384 (4096). The ARK is self-signed (certifying_id = key_id), the ASK
 * is signed by the ARK (certifying_id = the ARK's key_id).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

struct swsev_vendor_root {
	swsev_rsa_key *ark_key, *ask_key;
	struct swsev_amd_cert ark, ask;
};

void swsev_vendor_root_free(swsev_vendor_root *r)
{
	if (r == NULL)
		return;
	swsev_rsa_free(r->ark_key);
	swsev_rsa_free(r->ask_key);
	swsev_wipe(r, sizeof(*r));
	free(r);
}

swsev_err swsev_vendor_root_new(unsigned bits, swsev_vendor_root **out)
{
	swsev_vendor_root *r;
	uint8_t ark_id[16], ask_id[16];
	swsev_err e;

	*out = NULL;
	if (bits != 2048 && bits != 4096)
		return SWSEV_E_INVALID;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return SWSEV_E_NOMEM;
	e = swsev_random(ark_id, sizeof(ark_id));
	if (e == SWSEV_OK)
		e = swsev_random(ask_id, sizeof(ask_id));
	if (e == SWSEV_OK)
		e = swsev_rsa_generate(bits, &r->ark_key);
	if (e == SWSEV_OK)
		e = swsev_rsa_generate(bits, &r->ask_key);
	if (e == SWSEV_OK)
		e = swsev_amd_cert_make(r->ark_key, SWSEV_USAGE_ARK, ark_id, ark_id, r->ark_key,
					&r->ark);
	if (e == SWSEV_OK)
		e = swsev_amd_cert_make(r->ask_key, SWSEV_USAGE_ASK, ask_id, ark_id, r->ark_key,
					&r->ask);
	if (e != SWSEV_OK) {
		swsev_vendor_root_free(r);
		return e;
	}
	*out = r;
	return SWSEV_OK;
}

void swsev_vendor_root_certs(const swsev_vendor_root *r, const uint8_t **ark, size_t *ark_len,
			     const uint8_t **ask, size_t *ask_len)
{
	*ark = r->ark.raw;
	*ark_len = r->ark.len;
	*ask = r->ask.raw;
	*ask_len = r->ask.len;
}

/* Signs a CEK certificate (slot 0) with the ASK. */
swsev_err fw_root_sign_cek(const swsev_vendor_root *r, struct swsev_cert *cek)
{
	uint32_t algo = swsev_rsa_bits(r->ask_key) == 2048 ? SWSEV_ALGO_RSA_SHA256 :
							     SWSEV_ALGO_RSA_SHA384;
	return swsev_cert_sign_rsa(cek, 0, algo, r->ask_key);
}

const struct swsev_amd_cert *fw_root_ark(const swsev_vendor_root *r)
{
	return &r->ark;
}
const struct swsev_amd_cert *fw_root_ask(const swsev_vendor_root *r)
{
	return &r->ask;
}

static swsev_err write_file(const char *dir, const char *name, const void *buf, size_t len,
			    mode_t mode)
{
	char path[4096], tmp[4200];
	const uint8_t *p = buf;
	int fd;
	swsev_err r = SWSEV_E_IO;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
		return SWSEV_E_INVALID;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return SWSEV_E_IO;
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	return SWSEV_OK;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	return r;
}

static swsev_err read_file(const char *dir, const char *name, size_t cap, uint8_t **out,
			   size_t *len)
{
	char path[4096];
	uint8_t *b = NULL;
	size_t got = 0;
	struct stat st;
	int fd;
	swsev_err r = SWSEV_E_IO;

	*out = NULL;
	*len = 0;
	memset(&st, 0, sizeof(st));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return SWSEV_E_INVALID;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? SWSEV_E_NOTFOUND : SWSEV_E_IO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if (st.st_size <= 0 || (size_t)st.st_size > cap) {
		r = SWSEV_E_LENGTH;
		goto out;
	}
	b = malloc((size_t)st.st_size);
	if (b == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	*out = b;
	*len = got;
	b = NULL;
	r = SWSEV_OK;
out:
	close(fd);
	swsev_clear_free(b, (size_t)st.st_size);
	return r;
}

swsev_err swsev_vendor_root_save(const swsev_vendor_root *r, const char *dir)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	swsev_err e;

	if (r == NULL || dir == NULL)
		return SWSEV_E_INVALID;
	e = write_file(dir, "ark.cert", r->ark.raw, r->ark.len, 0644);
	if (e == SWSEV_OK)
		e = write_file(dir, "ask.cert", r->ask.raw, r->ask.len, 0644);
	if (e == SWSEV_OK)
		e = swsev_rsa_export_private(r->ark_key, &der, &der_len);
	if (e == SWSEV_OK)
		e = write_file(dir, "ark.key", der, der_len, 0600);
	swsev_clear_free(der, der_len);
	der = NULL;
	der_len = 0;
	if (e == SWSEV_OK)
		e = swsev_rsa_export_private(r->ask_key, &der, &der_len);
	if (e == SWSEV_OK)
		e = write_file(dir, "ask.key", der, der_len, 0600);
	swsev_clear_free(der, der_len);
	return e;
}

/* The private key must belong to the certificate: compare the moduli. */
static swsev_err key_matches(const swsev_rsa_key *k, const struct swsev_amd_cert *c)
{
	uint8_t n[512], e[4], cn[512];
	size_t nb = c->modulus_bits / 8;
	swsev_err r;

	if (swsev_rsa_bits(k) != c->modulus_bits || nb > sizeof(n))
		return SWSEV_E_BADKEY;
	r = swsev_rsa_get_public(k, n, nb, e, sizeof(e));
	if (r != SWSEV_OK)
		return r;
	swsev_reverse(cn, c->modulus, nb); /* the cert stores it little-endian */
	return memcmp(n, cn, nb) == 0 ? SWSEV_OK : SWSEV_E_BADKEY;
}

swsev_err swsev_vendor_root_load(const char *dir, swsev_vendor_root **out)
{
	swsev_vendor_root *r;
	uint8_t *b = NULL;
	size_t len = 0, used = 0;
	swsev_err e;

	*out = NULL;
	if (dir == NULL)
		return SWSEV_E_INVALID;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return SWSEV_E_NOMEM;
	e = read_file(dir, "ark.cert", SWSEV_AMD_CERT_MAX, &b, &len);
	if (e == SWSEV_OK)
		e = swsev_amd_cert_parse(b, len, 0, &r->ark, &used);
	if (e == SWSEV_OK && used != len)
		e = SWSEV_E_TRAILING;
	swsev_clear_free(b, len);
	b = NULL;
	if (e == SWSEV_OK)
		e = read_file(dir, "ask.cert", SWSEV_AMD_CERT_MAX, &b, &len);
	if (e == SWSEV_OK)
		e = swsev_amd_cert_parse(b, len, 0, &r->ask, &used);
	if (e == SWSEV_OK && used != len)
		e = SWSEV_E_TRAILING;
	swsev_clear_free(b, len);
	b = NULL;
	if (e == SWSEV_OK &&
	    (r->ark.key_usage != SWSEV_USAGE_ARK || r->ask.key_usage != SWSEV_USAGE_ASK))
		e = SWSEV_E_USAGE;
	if (e == SWSEV_OK)
		e = swsev_amd_cert_verify(&r->ark, &r->ark);
	if (e == SWSEV_OK)
		e = swsev_amd_cert_verify(&r->ask, &r->ark);
	if (e == SWSEV_OK && memcmp(r->ask.certifying_id, r->ark.key_id, 16) != 0)
		e = SWSEV_E_FORMAT;
	if (e == SWSEV_OK)
		e = read_file(dir, "ark.key", 16384, &b, &len);
	if (e == SWSEV_OK)
		e = swsev_rsa_import_private(b, len, &r->ark_key);
	swsev_clear_free(b, len);
	b = NULL;
	if (e == SWSEV_OK)
		e = read_file(dir, "ask.key", 16384, &b, &len);
	if (e == SWSEV_OK)
		e = swsev_rsa_import_private(b, len, &r->ask_key);
	swsev_clear_free(b, len);
	if (e == SWSEV_OK)
		e = key_matches(r->ark_key, &r->ark);
	if (e == SWSEV_OK)
		e = key_matches(r->ask_key, &r->ask);
	if (e != SWSEV_OK) {
		swsev_vendor_root_free(r);
		return e;
	}
	*out = r;
	return SWSEV_OK;
}
