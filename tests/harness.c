#include "harness.h"

#include <ctype.h>
#include <ftw.h>
#include <unistd.h>

int th_case_failed;
int th_total_failed;
int th_total_passed;
const char *th_prog = "test";

void th_dump(const char *label, const void *p, size_t n)
{
	const uint8_t *b = p;

	fprintf(stderr, "    %s:", label);
	for (size_t i = 0; i < n && i < 128; i++)
		fprintf(stderr, "%02x", b[i]);
	fprintf(stderr, "%s\n", n > 128 ? "..." : "");
}

size_t th_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;
		if (isspace((unsigned char)*hex))
			continue;
		if (!isxdigit((unsigned char)*hex)) {
			fprintf(stderr, "bad hex in test\n");
			abort();
		}
		v = isdigit((unsigned char)*hex) ? *hex - '0' :
						   (tolower((unsigned char)*hex) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= cap)
				abort();
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

int th_eq_hex(const void *p, const char *hex)
{
	uint8_t buf[4096];
	size_t n = th_unhex(hex, buf, sizeof(buf));

	return memcmp(p, buf, n) == 0;
}

void th_run(const char *name, void (*fn)(void))
{
	th_case_failed = 0;
	fn();
	if (th_case_failed) {
		th_total_failed++;
		printf("FAIL %s/%s\n", th_prog, name);
	} else {
		th_total_passed++;
		printf("PASS %s/%s\n", th_prog, name);
	}
	fflush(stdout);
}

int th_done(void)
{
	return th_total_failed ? 1 : 0;
}

uint8_t *th_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long sz;

	if (!f) {
		fprintf(stderr, "  cannot open %s\n", path);
		th_case_failed = 1;
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)sz + 1);
		if (buf && fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
			*len = (size_t)sz;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	if (!buf)
		th_case_failed = 1;
	return buf;
}

const char *th_fixture(const char *rel)
{
	static char path[4096];
	const char *base = getenv("SWSEV_FIXTURES");

	snprintf(path, sizeof(path), "%s/%s", base ? base : "tests/fixtures", rel);
	return path;
}

char *th_tmpdir(void)
{
	char tmpl[] = "/tmp/swsev-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void th_rmrf(const char *path)
{
	if (path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
