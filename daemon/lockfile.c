/*
 * One daemon per state directory: an exclusive flock on <dir>/lock, held
 * for the daemon's life (the kernel drops it if we die). The file holds the
 * holder's pid, for the error message of the one refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "swsevd.h"

int swsevd_lock(const char *dir)
{
	char path[4096], buf[32];
	int fd, n;

	if (snprintf(path, sizeof(path), "%s/lock", dir) >= (int)sizeof(path)) {
		log_err("%s: path too long", dir);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_err("%s: cannot open the lock file: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			log_err("%s: the state is in use by another swsevd (pid %s); "
				"stop it first or use another --state",
				path, buf[0] ? buf : "unknown");
		else
			log_err("%s: cannot lock: %s", path, strerror(e));
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn("%s: cannot record our pid: %s", path, strerror(errno));
	return fd;
}

void swsevd_unlock(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) != 0) {
		/* the lock itself is what matters; a stale pid is only cosmetic */
	}
	close(fd);
}
