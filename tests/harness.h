/*
 * A tiny test harness. Each test binary defines cases with TEST(name) and
 * lists them in main() with RUN(name); CHECK* record failures with file and
 * line. Output: one "PASS <binary>/<case>" or "FAIL <binary>/<case>" line
 * per case; tests/run.sh counts them and prints "N passed, N failed".
 * The binary exits non-zero if any case failed.
 */
#ifndef SWSEV_TEST_HARNESS_H
#define SWSEV_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int th_case_failed;
extern int th_total_failed;
extern int th_total_passed;
extern const char *th_prog;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			th_case_failed = 1;                                                        \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                         \
	do {                                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);                            \
		if (_a != _b) {                                                                \
			fprintf(stderr,                                                        \
				"  %s:%d: %s == %s failed: %lld != %lld (0x%llx != 0x%llx)\n", \
				__FILE__, __LINE__, #a, #b, _a, _b, (unsigned long long)_a,    \
				(unsigned long long)_b);                                       \
			th_case_failed = 1;                                                    \
		}                                                                              \
	} while (0)

#define CHECK_MEM(a, b, n)                                                                  \
	do {                                                                                \
		if (memcmp((a), (b), (n)) != 0) {                                           \
			fprintf(stderr, "  %s:%d: memory %s != %s (%zu bytes)\n", __FILE__, \
				__LINE__, #a, #b, (size_t)(n));                             \
			th_dump("got", (a), (n));                                           \
			th_dump("want", (b), (n));                                          \
			th_case_failed = 1;                                                 \
		}                                                                           \
	} while (0)

/* Compare n bytes against a hex string. */
#define CHECK_HEX(a, hex)                                                                    \
	do {                                                                                 \
		if (!th_eq_hex((a), (hex))) {                                                \
			fprintf(stderr, "  %s:%d: %s != %s\n", __FILE__, __LINE__, #a, hex); \
			th_dump("got", (a), strlen(hex) / 2);                                \
			th_case_failed = 1;                                                  \
		}                                                                            \
	} while (0)

#define TEST(name) static void name(void)
#define RUN(name) th_run(#name, name)

void th_dump(const char *label, const void *p, size_t n);
int th_eq_hex(const void *p, const char *hex);
/* Decodes hex (whitespace ignored) into out; returns bytes written; aborts on junk. */
size_t th_unhex(const char *hex, uint8_t *out, size_t cap);
void th_run(const char *name, void (*fn)(void));
int th_done(void);
/* Reads a whole file (aborts the case on failure: returns NULL, sets failed). */
uint8_t *th_read_file(const char *path, size_t *len);
/* Path of a fixture: $SWSEV_FIXTURES (default "tests/fixtures") + "/" + rel. Static buffer. */
const char *th_fixture(const char *rel);
/* A fresh temporary directory (removed by the caller with th_rmrf). */
char *th_tmpdir(void);
void th_rmrf(const char *path);

#define TH_MAIN_BEGIN(prog) \
	int main(void)      \
	{                   \
		th_prog = prog;
#define TH_MAIN_END       \
	return th_done(); \
	}

#endif
