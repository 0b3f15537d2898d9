/* Shared helpers of the swsev tool: files, base64, numbers, JSON. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "codec/codec.h"
#include "swsev/crypto.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("swsev: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (cli_g.quiet)
		return;
	fputs("swsev: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

swsev_err cli_read_file(const char *path, size_t cap, uint8_t **buf, size_t *len)
{
	struct stat st;
	uint8_t *b = NULL;
	size_t n = 0, alloc;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_err("%s: cannot open: %s", path, strerror(errno));
		return SWSEV_E_IO;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		cli_err("%s: not a regular file", path);
		close(fd);
		return SWSEV_E_IO;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap) {
		cli_err("%s: %lld bytes, more than the %zu allowed", path, (long long)st.st_size,
			cap);
		close(fd);
		return SWSEV_E_LENGTH;
	}
	alloc = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	b = malloc(alloc);
	if (!b) {
		close(fd);
		cli_err("%s: out of memory", path);
		return SWSEV_E_NOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == alloc) {
			size_t na;
			uint8_t *nb;

			if (alloc > cap) {
				cli_err("%s: more than the %zu bytes allowed", path, cap);
				goto fail;
			}
			na = alloc * 2;
			nb = malloc(na);
			if (!nb)
				goto fail;
			memcpy(nb, b, n);
			swsev_clear_free(b, alloc);
			b = nb;
			alloc = na;
		}
		r = read(fd, b + n, alloc - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cli_err("%s: read error: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap) {
			cli_err("%s: more than the %zu bytes allowed", path, cap);
			goto fail;
		}
	}
	close(fd);
	*buf = b;
	*len = n;
	return SWSEV_OK;
fail:
	close(fd);
	swsev_clear_free(b, alloc);
	return SWSEV_E_IO;
}

swsev_err cli_read_exact(const char *path, uint8_t *out, size_t want)
{
	uint8_t *b;
	size_t n;
	swsev_err e;

	e = cli_read_file(path, want + 1, &b, &n);
	if (e)
		return e;
	if (n != want) {
		cli_err("%s: %zu bytes, expected exactly %zu", path, n, want);
		swsev_clear_free(b, n);
		return SWSEV_E_LENGTH;
	}
	memcpy(out, b, n);
	swsev_clear_free(b, n);
	return SWSEV_OK;
}

swsev_err cli_read_b64(const char *path, size_t cap, uint8_t **buf, size_t *len)
{
	uint8_t *text;
	size_t n;
	swsev_err e;

	*buf = NULL;
	*len = 0;
	/* base64 is 4/3 of the data, plus line breaks */
	e = cli_read_file(path, cap / 3 * 4 + 4 + cap / 32 + 64, &text, &n);
	if (e)
		return e;
	if (n == 0) {
		cli_err("%s: empty file, expected base64 text", path);
		free(text);
		return SWSEV_E_LENGTH;
	}
	e = swsev_base64_decode((const char *)text, n, buf, len);
	swsev_clear_free(text, n);
	if (e) {
		cli_err("%s: malformed base64", path);
		return e;
	}
	if (*len > cap) {
		cli_err("%s: %zu bytes decoded, more than the %zu allowed", path, *len, cap);
		swsev_clear_free(*buf, *len);
		*buf = NULL;
		*len = 0;
		return SWSEV_E_LENGTH;
	}
	return SWSEV_OK;
}

swsev_err cli_write_file(const char *path, const void *buf, size_t len, unsigned mode)
{
	char tmp[PATH_MAX];
	const uint8_t *p = buf;
	size_t off = 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		cli_err("%s: path too long", path);
		return SWSEV_E_INVALID;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		cli_err("%s: cannot create: %s", path, strerror(errno));
		return SWSEV_E_IO;
	}
	/* the umask must not widen nor narrow what we ask for secrets */
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		cli_err("%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
		return SWSEV_E_IO;
	}
	return SWSEV_OK;
fail:
	cli_err("%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return SWSEV_E_IO;
}

swsev_err cli_write_b64(const char *path, const void *buf, size_t len, unsigned mode)
{
	char *text = NULL;
	swsev_err e;

	e = swsev_base64_encode(buf, len, &text);
	if (e) {
		cli_err("%s: cannot encode: %s", path, swsev_strerror(e));
		return e;
	}
	e = cli_write_file(path, text, strlen(text), mode);
	swsev_clear_free(text, strlen(text));
	return e;
}

int cli_parse_u32(const char *s, const char *what, uint32_t *out)
{
	uint64_t v;
	swsev_err e = swsev_parse_u64(s, UINT32_MAX, &v);

	if (e == SWSEV_E_RANGE) {
		cli_err("%s '%s' is out of range (at most 0xffffffff)", what, s);
		return -1;
	}
	if (e) {
		cli_err("%s '%s' is not a number (use decimal or 0x-prefixed hex)", what, s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int cli_parse_u64(const char *s, const char *what, uint64_t *out)
{
	swsev_err e = swsev_parse_u64(s, UINT64_MAX, out);

	if (e == SWSEV_E_RANGE) {
		cli_err("%s '%s' is out of range", what, s);
		return -1;
	}
	if (e) {
		cli_err("%s '%s' is not a number (use decimal or 0x-prefixed hex)", what, s);
		return -1;
	}
	return 0;
}

int cli_parse_size(const char *s, const char *what, uint64_t *out)
{
	char num[64];
	size_t n = strlen(s);
	unsigned shift = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof(num)) {
		cli_err("%s '%s' is not a size (e.g. 512M, 4G)", what, s);
		return -1;
	}
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k':
	case 'K': shift = 10; break;
	case 'm':
	case 'M': shift = 20; break;
	case 'g':
	case 'G': shift = 30; break;
	case 't':
	case 'T': shift = 40; break;
	default: break;
	}
	if (shift)
		num[n - 1] = '\0';
	if (swsev_parse_u64(num, UINT64_MAX >> shift, &v)) {
		cli_err("%s '%s' is not a size (e.g. 512M, 4G)", what, s);
		return -1;
	}
	*out = v << shift;
	return 0;
}

/* ---- JSON ---- */
static int json_first = 1;

char *cli_json_quote(const char *s)
{
	size_t n = strlen(s), k = 0;
	char *o = malloc(n * 6 + 3);

	if (!o)
		abort();
	o[k++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			o[k++] = '\\';
			o[k++] = (char)*p;
		} else if (*p == '\n') {
			o[k++] = '\\';
			o[k++] = 'n';
		} else if (*p < 0x20) {
			k += (size_t)sprintf(o + k, "\\u%04x", *p);
		} else {
			o[k++] = (char)*p;
		}
	}
	o[k++] = '"';
	o[k] = '\0';
	return o;
}

void cli_json_begin(void)
{
	json_first = 1;
	fputc('{', stdout);
}

static void json_key(const char *key)
{
	char *q = cli_json_quote(key);

	printf("%s%s: ", json_first ? "" : ", ", q);
	free(q);
	json_first = 0;
}

void cli_json_str(const char *key, const char *val)
{
	json_key(key);
	if (!val) {
		fputs("null", stdout);
	} else {
		char *q = cli_json_quote(val);
		fputs(q, stdout);
		free(q);
	}
}

void cli_json_int(const char *key, long long val)
{
	json_key(key);
	printf("%lld", val);
}

void cli_json_bool(const char *key, int val)
{
	json_key(key);
	fputs(val ? "true" : "false", stdout);
}

void cli_json_raw(const char *key, const char *raw_json)
{
	json_key(key);
	fputs(raw_json, stdout);
}

void cli_json_end(void)
{
	fputs("}\n", stdout);
	json_first = 1;
}

const char *cli_socket(void)
{
	if (cli_g.socket)
		return cli_g.socket;
	return getenv("SWSEV_SOCKET");
}

int cli_parse_opts(const char *who, int argc, char **argv, const struct cli_opt *opts, size_t n,
		   void (*usage)(FILE *f), void *ctx, const char **pos, int maxpos, int *npos)
{
	struct option lo[CLI_OPTS_MAX + 2];
	int c;

	if (n > CLI_OPTS_MAX) {
		cli_err("%s: internal error: %zu options, at most %d", who, n, CLI_OPTS_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].flag ? no_argument : required_argument;
		lo[i].flag = NULL;
		lo[i].val = 256 + (int)i;
	}
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	if (npos)
		*npos = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		const struct cli_opt *o;

		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c < 256 || (size_t)(c - 256) >= n) {
			cli_err("%s: unknown option or missing value: '%s'", who, argv[optind - 1]);
			return -1;
		}
		o = &opts[c - 256];
		if (o->val)
			*o->val = optarg;
		else if (o->flag)
			*o->flag = 1;
		else if (o->fn && o->fn(ctx, optarg))
			return -1;
	}
	for (; optind < argc; optind++) {
		if (!pos || !npos || *npos >= maxpos) {
			cli_err("%s: unexpected argument '%s'", who, argv[optind]);
			return -1;
		}
		pos[(*npos)++] = argv[optind];
	}
	return 0;
}
