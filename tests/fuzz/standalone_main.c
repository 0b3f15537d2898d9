/*
 * A main() for the libFuzzer harnesses without libFuzzer: each argument is a
 * file (one input) or a directory (every regular file in it, in name order);
 * every input is passed once to LLVMFuzzerTestOneInput. Used by
 * tests/e2e/fuzz_regress.sh to replay the seed corpora and the kept crash
 * inputs (tests/fuzz/regress/) with the ordinary compiler, under `make check`
 * and, with the sanitizers, under `make asan`.
 *
 * Prints "replayed N input(s)" and exits 0 if every input returned; a crash
 * or sanitizer report ends the process, and the last "input:" line on stderr
 * (with SWSEV_REPLAY_VERBOSE=1) names the culprit.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Inputs bigger than this are a mistake in the corpus, not a test. */
#define REPLAY_MAX_INPUT (64u * 1024 * 1024)

static int verbose;

static int replay_file(const char *path, unsigned long *count)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	struct stat st;
	size_t got;
	int rc = -1;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: %lld bytes is over the %u-byte cap\n", path,
			(long long)st.st_size, REPLAY_MAX_INPUT);
		goto out;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	/* an exact-size heap copy, so ASan sees reads past the end */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (buf == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	if (got != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: short read (%zu of %lld bytes)\n", path, got,
			(long long)st.st_size);
		goto out;
	}
	if (verbose)
		fprintf(stderr, "input: %s (%zu bytes)\n", path, got);
	(void)LLVMFuzzerTestOneInput(buf, got);
	(*count)++;
	rc = 0;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int replay_dir(const char *dir, unsigned long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof(*nn));

			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
			cap = ncap;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (names[n] == NULL) {
			rc = -1;
			break;
		}
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc = replay_file(names[i], count);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	const char *v = getenv("SWSEV_REPLAY_VERBOSE");

	verbose = v != NULL && strcmp(v, "1") == 0;
	if (LLVMFuzzerInitialize != NULL)
		(void)LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (argv[i][0] == '-')
			continue; /* libFuzzer flags are accepted and ignored */
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		if ((S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) :
					   replay_file(argv[i], &count)) != 0)
			return 2;
	}
	printf("replayed %lu input(s)\n", count);
	return 0;
}
