/*
 * devsev_exec: what a program sees of /dev/sev besides open and ioctl,
 * written against the kernel ABI and libc only (no swsev library): run it
 * under the preload library (tests/e2e/preload.sh) or on a real machine.
 *
 *   devsev_exec present           stat/lstat/fstatat/statx/__xstat and access
 *                                 say /dev/sev is a character device the
 *                                 caller may read and write; fstat of an
 *                                 open descriptor says the same
 *   devsev_exec absent            the same calls say ENOENT
 *   devsev_exec parent exec|spawn|system
 *                                 opens /dev/sev (and /dev/null) with and
 *                                 without O_CLOEXEC, toggles FD_CLOEXEC with
 *                                 fcntl, and starts "devsev_exec child ..."
 *                                 through execv, posix_spawn or system(3)
 *   devsev_exec child NAME=FD:KIND...
 *                                 checks each inherited descriptor; KIND is
 *                                 rw, wo, ro (a /dev/sev descriptor of that
 *                                 access mode), ebadf (not inherited) or
 *                                 null (a /dev/null descriptor: not /dev/sev)
 *
 * It issues PDH_GEN (changes platform state). Output: "PASS devsev_exec/..."
 * or "FAIL devsev_exec/...: why" per case; exit status 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "swsev/psp-sev.h"

#define DEVSEV_TAG "devsev_exec"
#include "devsev_util.h"

/* the numbers the preload library documents for its /dev/sev */
#define SEV_MAJOR 10
#define SEV_MINOR 124

/* glibc before 2.33 compiled stat() into these; Debian 12's glibc still
 * exports them for old binaries */
#if defined(__x86_64__)
#define HAVE_XSTAT 1
#define XSTAT_VER 1
int __xstat(int ver, const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
#endif

extern char **environ;
static const char *dev = "/dev/sev";

/* the character device the library describes, owned by the caller */
static int is_sev_stat(const struct stat *st, char *why, size_t n)
{
	snprintf(why, n, "mode %o rdev %u:%u uid %u ino %llu", (unsigned)st->st_mode,
		 major(st->st_rdev), minor(st->st_rdev), (unsigned)st->st_uid,
		 (unsigned long long)st->st_ino);
	return S_ISCHR(st->st_mode) && (st->st_mode & 07777) == 0600 &&
	       major(st->st_rdev) == SEV_MAJOR && minor(st->st_rdev) == SEV_MINOR &&
	       st->st_uid == geteuid() && st->st_gid == getegid() && st->st_size == 0 &&
	       st->st_nlink == 1;
}

static void check_stat(const char *name, int r, const struct stat *st, ino_t ino)
{
	char why[128] = "";
	int ok = r == 0 && is_sev_stat(st, why, sizeof(why)) && (!ino || st->st_ino == ino);

	result(name, ok, "r=%d errno=%s %s", r, r ? strerror(errno) : "-", why);
}

static void check_enoent(const char *name, int r)
{
	int e = errno;

	result(name, r == -1 && e == ENOENT, "r=%d errno=%s, want ENOENT", r, strerror(e));
}

static void check_statx(const char *name, int r, const struct statx *sx, ino_t ino)
{
	int ok = r == 0 && S_ISCHR(sx->stx_mode) && (sx->stx_mode & 07777) == 0600 &&
		 sx->stx_rdev_major == SEV_MAJOR && sx->stx_rdev_minor == SEV_MINOR &&
		 sx->stx_ino == ino && sx->stx_uid == geteuid() && (sx->stx_mask & STATX_TYPE);

	result(name, ok, "r=%d mode %o rdev %u:%u ino %llu mask %x", r, (unsigned)sx->stx_mode,
	       sx->stx_rdev_major, sx->stx_rdev_minor, (unsigned long long)sx->stx_ino,
	       sx->stx_mask);
}

static int present(void)
{
	struct stat st, base, null;
	struct stat64 st64;
	struct statx sx;
	struct sev_user_data_status status;
	uint32_t fw;
	int r, e, fd, nfd;

	r = stat(dev, &base);
	check_stat("stat", r, &base, 0);
	if (r != 0)
		return 1;
	memset(&st, 0, sizeof(st));
	check_stat("lstat", lstat(dev, &st), &st, base.st_ino);
	memset(&st64, 0, sizeof(st64));
	check_stat("stat64", stat64(dev, &st64), (struct stat *)&st64, base.st_ino);
	memset(&st, 0, sizeof(st));
	check_stat("fstatat", fstatat(AT_FDCWD, dev, &st, 0), &st, base.st_ino);
	memset(&st, 0, sizeof(st));
	check_stat("fstatat_nofollow", fstatat(-1, dev, &st, AT_SYMLINK_NOFOLLOW), &st,
		   base.st_ino);
#ifdef HAVE_XSTAT
	memset(&st, 0, sizeof(st));
	check_stat("__xstat", __xstat(XSTAT_VER, dev, &st), &st, base.st_ino);
	memset(&st, 0, sizeof(st));
	check_stat("__lxstat", __lxstat(XSTAT_VER, dev, &st), &st, base.st_ino);
	memset(&st64, 0, sizeof(st64));
	check_stat("__xstat64", __xstat64(XSTAT_VER, dev, &st64), (struct stat *)&st64,
		   base.st_ino);
	errno = 0;
	r = __xstat(99, dev, &st);
	result("__xstat_bad_version", r == -1 && errno == EINVAL, "r=%d errno=%s", r,
	       strerror(errno));
#endif
	memset(&sx, 0, sizeof(sx));
	check_statx("statx", statx(AT_FDCWD, dev, 0, STATX_BASIC_STATS, &sx), &sx, base.st_ino);

	result("access_rw", access(dev, R_OK | W_OK) == 0, "%s", strerror(errno));
	result("access_f", access(dev, F_OK) == 0, "%s", strerror(errno));
	errno = 0;
	r = access(dev, X_OK);
	result("access_x_refused", r == -1 && errno == EACCES, "r=%d errno=%s", r, strerror(errno));
	result("faccessat_eaccess", faccessat(AT_FDCWD, dev, R_OK | W_OK, AT_EACCESS) == 0, "%s",
	       strerror(errno));
	result("euidaccess", euidaccess(dev, R_OK | W_OK) == 0, "%s", strerror(errno));
	result("eaccess", eaccess(dev, W_OK) == 0, "%s", strerror(errno));

	/* the open descriptor: fstat and friends agree with stat */
	fd = open(dev, O_RDWR);
	result("open", fd >= 0, "%s", strerror(errno));
	if (fd < 0)
		return 1;
	memset(&st, 0, sizeof(st));
	check_stat("fstat", fstat(fd, &st), &st, base.st_ino);
	memset(&st64, 0, sizeof(st64));
	check_stat("fstat64", fstat64(fd, &st64), (struct stat *)&st64, base.st_ino);
	memset(&st, 0, sizeof(st));
	check_stat("fstatat_empty_path", fstatat(fd, "", &st, AT_EMPTY_PATH), &st, base.st_ino);
#ifdef HAVE_XSTAT
	memset(&st, 0, sizeof(st));
	check_stat("__fxstat", __fxstat(XSTAT_VER, fd, &st), &st, base.st_ino);
	memset(&st, 0, sizeof(st));
	check_stat("__fxstatat_empty_path", __fxstatat(XSTAT_VER, fd, "", &st, AT_EMPTY_PATH), &st,
		   base.st_ino);
#endif
	memset(&sx, 0, sizeof(sx));
	check_statx("statx_empty_path", statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx), &sx,
		    base.st_ino);
	memset(&status, 0, sizeof(status));
	r = issue(fd, SEV_PLATFORM_STATUS, &status, &e, &fw);
	result("platform_status",
	       r == 0 && fw == 0 && status.api_major == 0 && status.api_minor == 17,
	       "r=%d errno=%s fw=%u api %u.%u", r, strerror(e), fw, status.api_major,
	       status.api_minor);
	/* a duplicate is the same device */
	nfd = dup(fd);
	memset(&st, 0, sizeof(st));
	check_stat("fstat_dup", fstat(nfd, &st), &st, base.st_ino);
	close(nfd);
	close(fd);
	/* a closed descriptor number that now holds something else is not ours */
	fd = open("/dev/null", O_RDONLY);
	memset(&st, 0, sizeof(st));
	r = fstat(fd, &st);
	result("fstat_reused_number_is_null",
	       r == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3,
	       "fd %d r=%d rdev %u:%u", fd, r, major(st.st_rdev), minor(st.st_rdev));
	close(fd);

	/* open flags a device node answers: O_CREAT opens it, O_EXCL says it
	 * exists, O_DIRECTORY says it is none */
	fd = open(dev, O_RDWR | O_CREAT, 0600);
	result("open_creat", fd >= 0, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	errno = 0;
	fd = open(dev, O_RDWR | O_CREAT | O_EXCL, 0600);
	result("open_excl_eexist", fd == -1 && errno == EEXIST, "fd %d errno=%s", fd,
	       strerror(errno));
	errno = 0;
	fd = open(dev, O_RDONLY | O_DIRECTORY);
	result("open_directory_enotdir", fd == -1 && errno == ENOTDIR, "fd %d errno=%s", fd,
	       strerror(errno));

	/* everything else passes through */
	r = stat("/dev/null", &null);
	result("stat_dev_null_passes",
	       r == 0 && major(null.st_rdev) == 1 && minor(null.st_rdev) == 3, "r=%d rdev %u:%u", r,
	       major(null.st_rdev), minor(null.st_rdev));
	result("stat_other_ino", null.st_ino != base.st_ino,
	       "/dev/null and /dev/sev share inode %llu", (unsigned long long)base.st_ino);
	errno = 0;
	check_enoent("stat_dev_sevx_passes", stat("/dev/sevx", &st));
	errno = 0;
	check_enoent("access_dev_sev0_passes", access("/dev/sev0", F_OK));
	r = stat("/proc/self/exe", &st);
	result("stat_regular_passes", r == 0 && S_ISREG(st.st_mode), "r=%d mode %o", r,
	       (unsigned)st.st_mode);
	errno = 0;
	r = access(dev, 0x40); /* not a valid mode */
	result("access_bad_mode", r == -1 && errno == EINVAL, "r=%d errno=%s", r, strerror(errno));
	return 0;
}

static int absent(void)
{
	struct stat st;
	struct statx sx;

	errno = 0;
	check_enoent("stat", stat(dev, &st));
	errno = 0;
	check_enoent("lstat", lstat(dev, &st));
	errno = 0;
	check_enoent("fstatat", fstatat(AT_FDCWD, dev, &st, 0));
	errno = 0;
	check_enoent("statx", statx(AT_FDCWD, dev, 0, STATX_BASIC_STATS, &sx));
#ifdef HAVE_XSTAT
	errno = 0;
	check_enoent("__xstat", __xstat(XSTAT_VER, dev, &st));
#endif
	errno = 0;
	check_enoent("access", access(dev, F_OK));
	errno = 0;
	check_enoent("faccessat", faccessat(AT_FDCWD, dev, R_OK, 0));
	errno = 0;
	check_enoent("open", open(dev, O_RDWR));
	return 0;
}

/* ---- inheritance across exec ---- */

static int open_dev(const char *name, int flags)
{
	int fd = open(dev, flags);

	result(name, fd >= 0, "open(%s, %#x): %s", dev, (unsigned)flags, strerror(errno));
	return fd;
}

static int set_cloexec(int fd, int on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

static int parent(const char *self, const char *how)
{
	char spec[10][32], cmd[1024];
	char *argv[13];
	int fd, rw, n = 0, st, r;
	pid_t pid;

	prefix = "parent/";
#define SPEC(name, f, kind) snprintf(spec[n++], sizeof(spec[0]), "%s=%d:%s", name, f, kind)
	rw = open_dev("open_rw", O_RDWR);
	SPEC("rw", rw, "rw");
	fd = open_dev("open_ro", O_RDONLY);
	SPEC("ro", fd, "ro");
	fd = open_dev("open_wo", O_WRONLY);
	SPEC("wo", fd, "wo");
	fd = open_dev("open_cloexec", O_RDWR | O_CLOEXEC);
	result("cloexec_flag_set", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "fd %d", fd);
	SPEC("cloexec", fd, "ebadf");
	fd = open_dev("open_then_setfd_cloexec", O_RDWR);
	result("setfd_cloexec", set_cloexec(fd, 1) == 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	       "fd %d", fd);
	SPEC("setfd_on", fd, "ebadf");
	fd = open_dev("open_cloexec_then_clear", O_RDONLY | O_CLOEXEC);
	result("setfd_clear", set_cloexec(fd, 0) == 0 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC),
	       "fd %d", fd);
	SPEC("setfd_off", fd, "ro");
	r = dup2(rw, 60);
	result("dup2", r == 60, "dup2 -> %d: %s", r, strerror(errno));
	SPEC("dup2", 60, "rw");
	/* /dev/null descriptors: one fresh, one on the number a closed /dev/sev had */
	fd = open("/dev/null", O_RDWR);
	SPEC("null", fd, "null");
	fd = open_dev("open_to_close", O_RDWR);
	close(fd);
	r = open("/dev/null", O_RDONLY);
	result("null_reuses_number", r == fd, "closed /dev/sev %d, /dev/null got %d", fd, r);
	SPEC("null_reused", r, "null");
#undef SPEC
	prefix = "";

	argv[0] = (char *)self;
	argv[1] = (char *)"child";
	for (int i = 0; i < n; i++)
		argv[2 + i] = spec[i];
	argv[2 + n] = NULL;
	fflush(stdout);
	if (!strcmp(how, "exec")) {
		pid = fork();
		if (pid == 0) {
			execv(self, argv);
			_exit(127);
		}
	} else if (!strcmp(how, "spawn")) {
		r = posix_spawn(&pid, self, NULL, NULL, argv, environ);
		if (r != 0)
			pid = -1;
	} else {
		/* system(3) starts the shell without going through any exec
		 * function the program calls */
		size_t off = (size_t)snprintf(cmd, sizeof(cmd), "exec '%s' child", self);

		for (int i = 0; i < n && off < sizeof(cmd); i++)
			off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, " %s", spec[i]);
		r = system(cmd);
		result("child_by_system", WIFEXITED(r) && WEXITSTATUS(r) == 0, "status %#x", r);
		return 0;
	}
	if (pid < 0) {
		result("start_child", 0, "%s", strerror(errno));
		return 0;
	}
	r = waitpid(pid, &st, 0);
	result("child_exit_0", r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	return 0;
}

static void child_one(const char *arg)
{
	char name[32], kind[8], buf[96];
	struct sev_user_data_status status;
	struct stat st;
	uint32_t fw;
	int fd, r, e, fl;

	const char *eq = strchr(arg, '='), *colon;
	char *end;
	long v;

	colon = eq ? strchr(eq, ':') : NULL;
	if (!eq || !colon || (size_t)(eq - arg) >= sizeof(name) ||
	    strlen(colon + 1) >= sizeof(kind)) {
		result(arg, 0, "bad argument");
		return;
	}
	errno = 0;
	v = strtol(eq + 1, &end, 10);
	if (errno || end != colon || v < 0 || v > 65535) {
		result(arg, 0, "bad descriptor number");
		return;
	}
	fd = (int)v;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	strcpy(kind, colon + 1);
	prefix = buf;
	snprintf(buf, sizeof(buf), "child/%s/", name);
	memset(&status, 0, sizeof(status));
	r = issue(fd, SEV_PLATFORM_STATUS, &status, &e, &fw);
	if (!strcmp(kind, "ebadf")) {
		result("platform_status_ebadf", r == -1 && e == EBADF, "fd %d r=%d errno=%s", fd, r,
		       strerror(e));
		result("not_open", fcntl(fd, F_GETFD) == -1 && errno == EBADF, "fd %d is open", fd);
	} else if (!strcmp(kind, "null")) {
		result("platform_status_enotty", r == -1 && e == ENOTTY, "fd %d r=%d errno=%s", fd,
		       r, strerror(e));
		r = fstat(fd, &st);
		result("fstat_is_dev_null",
		       r == 0 && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3,
		       "fd %d r=%d rdev %u:%u", fd, r, major(st.st_rdev), minor(st.st_rdev));
	} else {
		int want = !strcmp(kind, "ro") ? O_RDONLY : !strcmp(kind, "wo") ? O_WRONLY : O_RDWR;

		result("platform_status", r == 0 && fw == 0 && status.api_minor == 17,
		       "fd %d r=%d errno=%s fw=%u", fd, r, strerror(e), fw);
		fl = fcntl(fd, F_GETFL);
		result("access_mode", fl >= 0 && (fl & O_ACCMODE) == want, "F_GETFL %#x, want %#x",
		       fl, want);
		r = fstat(fd, &st);
		check_stat("fstat", r, &st, 0);
		r = issue(fd, SEV_PDH_GEN, NULL, &e, &fw);
		if (want == O_RDONLY)
			result("pdh_gen_eperm", r == -1 && e == EPERM, "r=%d errno=%s fw=%u", r,
			       strerror(e), fw);
		else
			result("pdh_gen", r == 0 && fw == 0, "r=%d errno=%s fw=%u", r, strerror(e),
			       fw);
	}
	prefix = "";
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "present"))
		present();
	else if (argc >= 2 && !strcmp(argv[1], "absent"))
		absent();
	else if (argc == 3 && !strcmp(argv[1], "parent"))
		parent(argv[0], argv[2]);
	else if (argc >= 2 && !strcmp(argv[1], "child"))
		for (int i = 2; i < argc; i++)
			child_one(argv[i]);
	else {
		fprintf(stderr, "usage: %s present|absent|parent exec|spawn|system|child SPEC...\n",
			argv[0]);
		return 2;
	}
	return failures ? 1 : 0;
}
