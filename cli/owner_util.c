/* Helpers of the guest owner's launch commands (owner.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "codec/codec.h"
#include "owner.h"
#include "swsev/crypto.h"

static int is_hex_text(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* Decodes text held in a file or argument: hex (exactly 2*want digits) or base64. */
static swsev_err decode_text(const char *text, size_t tlen, size_t want, uint8_t **out, size_t *len)
{
	char *z;
	size_t a = 0, b = tlen;
	swsev_err e;

	*out = NULL;
	*len = 0;
	while (a < b && (text[a] == ' ' || text[a] == '\n' || text[a] == '\r' || text[a] == '\t'))
		a++;
	while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\n' || text[b - 1] == '\r' ||
			 text[b - 1] == '\t'))
		b--;
	z = malloc(b - a + 1);
	if (!z)
		return SWSEV_E_NOMEM;
	memcpy(z, text + a, b - a);
	z[b - a] = '\0';
	if (want && is_hex_text(z, 2 * want)) {
		*out = malloc(want);
		if (!*out) {
			e = SWSEV_E_NOMEM;
		} else {
			e = swsev_hex_decode(z, *out, want);
			if (e) {
				free(*out);
				*out = NULL;
			} else {
				*len = want;
			}
		}
	} else if (b == a) {
		e = SWSEV_E_BASE64;
	} else {
		e = swsev_base64_decode(z, b - a, out, len);
	}
	swsev_clear_free(z, b - a + 1);
	return e;
}

swsev_err owner_read_value(const char *arg, const char *what, const char *kind, size_t want_len,
			   size_t cap, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *raw = NULL;
	size_t n = 0;
	swsev_err e;

	*out = NULL;
	*len = 0;
	if (!arg || !*arg) {
		cli_err("%s: empty value", what);
		return SWSEV_E_INVALID;
	}
	if (stat(arg, &st) == 0) {
		/* a file: raw bytes of the expected size, else base64/hex text */
		e = cli_read_file(arg, cap * 2 + 64, &raw, &n);
		if (e)
			return e;
		if (n == 0) {
			cli_err("%s: empty file, %s is %zu bytes", arg, kind, want_len);
			free(raw);
			return SWSEV_E_LENGTH;
		}
		if (want_len && n == want_len) {
			*out = raw;
			*len = n;
			return SWSEV_OK;
		}
		e = decode_text((const char *)raw, n, want_len, out, len);
		if (e) {
			if (want_len)
				cli_err("%s: %zu bytes, %s is %zu (nor is it base64 text of %zu bytes)",
					arg, n, kind, want_len, want_len);
			else
				cli_err("%s: malformed base64", arg);
			swsev_clear_free(raw, n);
			return e == SWSEV_E_NOMEM ? e : SWSEV_E_LENGTH;
		}
		swsev_clear_free(raw, n);
		if (want_len && *len != want_len) {
			cli_err("%s: holds base64 of %zu bytes, %s is %zu", arg, *len, kind,
				want_len);
			goto bad_len;
		}
	} else {
		if (errno != ENOENT && errno != ENAMETOOLONG && errno != ENOTDIR) {
			cli_err("%s %s: %s", what, arg, strerror(errno));
			return SWSEV_E_IO;
		}
		e = decode_text(arg, strlen(arg), want_len, out, len);
		if (e == SWSEV_E_NOMEM)
			return e;
		if (e) {
			cli_err("%s '%s': no such file, and not %s text", what, arg,
				want_len ? "base64 or hex" : "base64");
			return SWSEV_E_BASE64;
		}
		if (want_len && *len != want_len) {
			cli_err("%s: decodes to %zu bytes, %s is %zu", what, *len, kind, want_len);
			goto bad_len;
		}
	}
	if (*len > cap) {
		cli_err("%s: %zu bytes, more than the %zu allowed", what, *len, cap);
		goto bad_len;
	}
	return SWSEV_OK;
bad_len:
	swsev_clear_free(*out, *len);
	*out = NULL;
	*len = 0;
	return SWSEV_E_LENGTH;
}

swsev_err owner_read_fixed(const char *arg, const char *what, const char *kind, uint8_t *out,
			   size_t n)
{
	uint8_t *b = NULL;
	size_t len = 0;
	swsev_err e;

	e = owner_read_value(arg, what, kind, n, n, &b, &len);
	if (e)
		return e;
	memcpy(out, b, n);
	swsev_clear_free(b, len);
	return SWSEV_OK;
}

swsev_err owner_read_tek_tik(const char *tek_arg, const char *tik_arg, const char *tk_arg,
			     uint8_t tek[16], uint8_t tik[16], int need_tek)
{
	uint8_t tk[32];
	swsev_err e;

	if (tk_arg) {
		if (tek_arg || tik_arg) {
			cli_err("--tk is the TEK and the TIK together: give it or --tek/--tik, not both");
			return SWSEV_E_INVALID;
		}
		e = owner_read_fixed(tk_arg, "--tk", "a TEK||TIK pair", tk, sizeof(tk));
		if (!e) {
			memcpy(tek, tk, 16);
			memcpy(tik, tk + 16, 16);
		}
		swsev_wipe(tk, sizeof(tk));
		return e;
	}
	if (!tik_arg) {
		cli_err("--tik is required (the TIK file written by 'swsev session', or --tk)");
		return SWSEV_E_INVALID;
	}
	e = owner_read_fixed(tik_arg, "--tik", "a TIK", tik, 16);
	if (e)
		return e;
	if (!need_tek)
		return SWSEV_OK;
	if (!tek_arg) {
		cli_err("--tek is required (the TEK file written by 'swsev session', or --tk)");
		swsev_wipe(tik, 16);
		return SWSEV_E_INVALID;
	}
	e = owner_read_fixed(tek_arg, "--tek", "a TEK", tek, 16);
	if (e)
		swsev_wipe(tik, 16);
	return e;
}

int owner_parse_u8(const char *s, const char *what, uint8_t *out)
{
	uint64_t v;
	swsev_err e = swsev_parse_u64(s, 0xff, &v);

	if (e == SWSEV_E_RANGE) {
		cli_err("%s '%s' is out of range (0..255)", what, s);
		return -1;
	}
	if (e) {
		cli_err("%s '%s' is not a number (use decimal or 0x-prefixed hex)", what, s);
		return -1;
	}
	*out = (uint8_t)v;
	return 0;
}

const char *owner_hex(const uint8_t *p, size_t n)
{
	static char buf[4][129];
	static int k;
	char *o = buf[k++ & 3];

	if (n > 64)
		n = 64;
	swsev_hex_encode(p, n, o);
	return o;
}

int owner_secret_guid(const char *text, uint8_t guid[16])
{
	/* libvirt virt-qemu-sev-validate's alias table */
	if (strcmp(text, "luks-key") == 0)
		text = "736869e5-84f0-4973-92ec-06879ce3da0b";
	return swsev_guid_parse(text, guid) == SWSEV_OK ? 0 : -1;
}

void owner_note_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli_g.json = 1;
}
