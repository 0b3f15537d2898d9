/*
 * Logging: one line per event with a timestamp and level, to stderr (or the
 * state directory's swsevd.log when daemonized). Callers log ids, names,
 * sizes and status codes only: never key material or guest data.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "swsevd.h"

static int log_level = LOG_LVL_INFO;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void swsevd_log_init(int level)
{
	log_level = level;
}

int swsevd_log_enabled(int level)
{
	return level <= log_level;
}

int swsevd_log_to_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -1;
	if (dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void swsevd_log(int level, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char ts[32], line[1024];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ swsevd[%d] %s: ", ts, now.tv_nsec / 1000000,
		     (int)getpid(),
		     names[level < 0 ? 0 :
			   level > 3 ? 3 :
				       level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* one line: no control characters from names or paths */
	for (char *p = line + n; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	pthread_mutex_lock(&log_mu);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&log_mu);
}
