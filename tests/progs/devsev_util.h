/*
 * Shared by the /dev/sev test programs (tests/progs/devsev_*.c), which use
 * the kernel ABI and libc only: the PASS/FAIL reporter and one
 * SEV_ISSUE_CMD. A program defines DEVSEV_TAG (its name in the output)
 * before including this; `prefix` names a sub-group of cases ("" if none).
 */
#ifndef SWSEV_TESTS_DEVSEV_UTIL_H
#define SWSEV_TESTS_DEVSEV_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "swsev/psp-sev.h"

static int failures;
static const char *prefix = "";

/* "PASS <tag>/<prefix><name>", or "FAIL <tag>/<prefix><name>: why" */
static void result(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s/%s%s\n", DEVSEV_TAG, prefix, name);
	} else {
		failures++;
		printf("FAIL %s/%s%s: ", DEVSEV_TAG, prefix, name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

/* One SEV_ISSUE_CMD: the ioctl result, errno in *err, the firmware status in *fw. */
static int issue(int fd, uint32_t cmd, void *data, int *err, uint32_t *fw)
{
	struct sev_issue_cmd ic;
	int r;

	memset(&ic, 0, sizeof(ic));
	ic.cmd = cmd;
	ic.data = (uint64_t)(uintptr_t)data;
	ic.error = 0xdeadbeef;
	errno = 0;
	r = ioctl(fd, SEV_ISSUE_CMD, &ic);
	*err = r < 0 ? errno : 0;
	*fw = ic.error;
	return r;
}

#endif
