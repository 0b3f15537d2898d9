/*
 * libswsev-preload.so: gives an unmodified program that opens /dev/sev and
 * issues SEV_ISSUE_CMD the platform of a running swsevd.
 *
 *   LD_PRELOAD=libswsev-preload.so SWSEV_SOCKET=/path/to/swsevd.sock prog
 *
 * open/open64/openat (and glibc's fortified __open_2 variants) of exactly
 * "/dev/sev" return a real descriptor, a placeholder (below) that this
 * library tracks; ioctl(fd, SEV_ISSUE_CMD, ...) on it becomes one
 * SWSEV_OP_SEV_IOCTL request over the socket, marshalled with the kernel's
 * structs (linux-abi.md §2, lib/client/sevabi.c): the user buffers the
 * struct points at become blobs, and the reply is copied back as the kernel
 * copies it (the struct, what the firmware wrote into the user buffers,
 * `error` in struct sev_issue_cmd, errno). A read-only descriptor sends
 * no SWSEV_REQ_WRITABLE flag, so state-changing commands get -EPERM from
 * the host layer, as from the driver. dup/dup2/dup3, fcntl's F_DUPFD and
 * F_DUPFD_CLOEXEC, and close keep the table right. Without SWSEV_SOCKET
 * everything passes through to the real device. SWSEV_PRELOAD_DEBUG=1
 * explains a failed open on stderr.
 *
 * The placeholder is an empty, sealed memfd named "swsev-dev-sev" opened
 * with the caller's access mode and O_CLOEXEC choice. Its name marks it:
 * /proc/self/fd/N reads "/memfd:swsev-dev-sev (deleted)", which no /dev/null
 * or other ordinary descriptor can. So a descriptor the kernel keeps across
 * exec (no FD_CLOEXEC, whatever fcntl(F_SETFD) last said, whichever way the
 * program execs) is recognised by the constructor of the new image: it
 * scans /proc/self/fd for that name with exactly our seals and tracks what
 * it finds, with the access mode F_GETFL reports. No environment variable
 * is involved, so nothing can go stale. Where memfd_create or /proc is
 * unavailable the placeholder is /dev/null (works, but is not recognised
 * after exec).
 *
 * stat/lstat/fstatat/statx (and their 64 and __xstat variants) of
 * "/dev/sev", and fstat of a tracked descriptor, describe a character
 * device: mode 0600 owned by the caller's effective uid and gid (so what
 * the mode says agrees with access()), rdev 10:SWSEV_DEVSEV_MINOR (misc
 * major; the real minor is dynamic, this one is fixed and documented),
 * inode SWSEV_DEVSEV_INO on /dev/null's st_dev, size 0, /dev/null's times.
 * access/faccessat/euidaccess/eaccess of "/dev/sev" allow F_OK, R_OK and
 * W_OK and refuse X_OK (EACCES). Both answer ENOENT when the daemon cannot
 * be reached, as open does.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "client/sevabi.h"
#include "client/wire.h"
#include "codec/codec.h"
#include "swsev/client.h"
#include "swsev/psp-sev.h"

#define EXPORT __attribute__((visibility("default")))
#define DEV_SEV "/dev/sev"
#define MAX_TRACKED 65536
#define MEMFD_NAME "swsev-dev-sev"
#define MEMFD_LINK "/memfd:" MEMFD_NAME " (deleted)"
#define MEMFD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define SWSEV_DEVSEV_MAJOR 10 /* misc */
#define SWSEV_DEVSEV_MINOR 124
#define SWSEV_DEVSEV_INO 0x73657600u /* "sev" */

enum { FD_NONE = 0, FD_RO = 1, FD_RW = 2 };

/* `mu` guards the connection only. The descriptor table is read and written
 * with atomics and no lock: the library's own close() calls (the client
 * closing a socket while `mu` is held) come back through our close(). */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t fds[MAX_TRACKED]; /* FD_* per descriptor number */
static swsev_client *conn;       /* one connection per process, made on first open */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static int (*real_fcntl)(int, int, ...);
static int (*real_fcntl64)(int, int, ...);
static int (*real_stat)(const char *, struct stat *);
static int (*real_stat64)(const char *, struct stat64 *);
static int (*real_lstat)(const char *, struct stat *);
static int (*real_lstat64)(const char *, struct stat64 *);
static int (*real_fstat)(int, struct stat *);
static int (*real_fstat64)(int, struct stat64 *);
static int (*real_fstatat)(int, const char *, struct stat *, int);
static int (*real_fstatat64)(int, const char *, struct stat64 *, int);
static int (*real_xstat)(int, const char *, struct stat *);
static int (*real_xstat64)(int, const char *, struct stat64 *);
static int (*real_lxstat)(int, const char *, struct stat *);
static int (*real_lxstat64)(int, const char *, struct stat64 *);
static int (*real_fxstat)(int, int, struct stat *);
static int (*real_fxstat64)(int, int, struct stat64 *);
static int (*real_fxstatat)(int, int, const char *, struct stat *, int);
static int (*real_fxstatat64)(int, int, const char *, struct stat64 *, int);
static int (*real_statx)(int, const char *, int, unsigned int, struct statx *);
static int (*real_access)(const char *, int);
static int (*real_faccessat)(int, const char *, int, int);
static int (*real_euidaccess)(const char *, int);
static int (*real_eaccess)(const char *, int);

static void fork_prepare(void)
{
	pthread_mutex_lock(&mu);
}
static void fork_parent(void)
{
	pthread_mutex_unlock(&mu);
}
/* A child must not share the parent's stream: it reconnects on its next use. */
static void fork_child(void)
{
	swsev_client_close(conn);
	conn = NULL;
	pthread_mutex_unlock(&mu);
}

static void resolve(void)
{
	real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	real_dup = (int (*)(int))dlsym(RTLD_NEXT, "dup");
	real_dup2 = (int (*)(int, int))dlsym(RTLD_NEXT, "dup2");
	real_dup3 = (int (*)(int, int, int))dlsym(RTLD_NEXT, "dup3");
	real_fcntl = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl");
	real_fcntl64 = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl64");
#define RESOLVE(var, name) (*(void **)&(var) = dlsym(RTLD_NEXT, name))
	RESOLVE(real_stat, "stat");
	RESOLVE(real_stat64, "stat64");
	RESOLVE(real_lstat, "lstat");
	RESOLVE(real_lstat64, "lstat64");
	RESOLVE(real_fstat, "fstat");
	RESOLVE(real_fstat64, "fstat64");
	RESOLVE(real_fstatat, "fstatat");
	RESOLVE(real_fstatat64, "fstatat64");
	RESOLVE(real_xstat, "__xstat");
	RESOLVE(real_xstat64, "__xstat64");
	RESOLVE(real_lxstat, "__lxstat");
	RESOLVE(real_lxstat64, "__lxstat64");
	RESOLVE(real_fxstat, "__fxstat");
	RESOLVE(real_fxstat64, "__fxstat64");
	RESOLVE(real_fxstatat, "__fxstatat");
	RESOLVE(real_fxstatat64, "__fxstatat64");
	RESOLVE(real_statx, "statx");
	RESOLVE(real_access, "access");
	RESOLVE(real_faccessat, "faccessat");
	RESOLVE(real_euidaccess, "euidaccess");
	RESOLVE(real_eaccess, "eaccess");
#undef RESOLVE
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static void init(void)
{
	pthread_once(&once, resolve);
}

static int sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	if (real_openat)
		return real_openat(dirfd, path, flags, mode);
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

static int sys_close(int fd)
{
	return real_close ? real_close(fd) : (int)syscall(SYS_close, fd);
}

/* glibc declares the path and buffer arguments nonnull, which would let the
 * compiler drop our checks: a NULL from a program must still be EFAULT or a
 * pass-through, never a crash in here. */
static int is_null(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	__asm__("" : "+r"(a));
	return a == 0;
}

static int fail_errno(int e)
{
	errno = e;
	return -1;
}

static int tracked(int fd)
{
	if (fd < 0 || fd >= MAX_TRACKED)
		return FD_NONE;
	return __atomic_load_n(&fds[fd], __ATOMIC_ACQUIRE);
}

static void track(int fd, int mode)
{
	if (fd < 0 || fd >= MAX_TRACKED)
		return;
	__atomic_store_n(&fds[fd], (uint8_t)mode, __ATOMIC_RELEASE);
}

static void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void debug(const char *fmt, ...)
{
	va_list ap;
	const char *d = getenv("SWSEV_PRELOAD_DEBUG");

	if (!d || !*d || !strcmp(d, "0"))
		return;
	fputs("libswsev-preload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Connects if needed; caller holds mu. */
static int connect_locked(void)
{
	char err[320];

	if (conn)
		return 0;
	if (swsev_client_connect_err(getenv("SWSEV_SOCKET"), &conn, err, sizeof(err)) != SWSEV_OK) {
		debug("%s", err);
		conn = NULL;
		return -1;
	}
	return 0;
}

static int is_dev_sev(const char *path)
{
	const char *sock;

	if (is_null(path) || strcmp(path, DEV_SEV) != 0)
		return 0;
	sock = getenv("SWSEV_SOCKET");
	return sock && *sock;
}

static int sys_fcntl(int fd, int cmd, long arg)
{
	return real_fcntl ? real_fcntl(fd, cmd, arg) : (int)syscall(SYS_fcntl, fd, cmd, arg);
}

/* The marked memfd (see the top of the file) with access mode acc and
 * cloexec (0 or O_CLOEXEC), at the lowest free descriptor number as the
 * kernel's open would give; /dev/null where that cannot be made. */
static int placeholder(int acc, int cloexec)
{
	char path[48];
	int t, r, want = acc == O_RDONLY ? O_RDONLY : acc == O_WRONLY ? O_WRONLY : O_RDWR;

	t = memfd_create(MEMFD_NAME, MFD_ALLOW_SEALING | (cloexec ? MFD_CLOEXEC : 0));
	if (t < 0)
		goto devnull;
	if (sys_fcntl(t, F_ADD_SEALS, MEMFD_SEALS) != 0)
		goto drop;
	if (want == O_RDWR)
		return t;
	/* another access mode: reopen through /proc, then move it to t */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", t);
	r = sys_openat(AT_FDCWD, path, want | O_CLOEXEC, 0);
	if (r < 0)
		goto drop;
	if ((int)syscall(SYS_dup3, r, t, cloexec) != t) {
		sys_close(r);
		goto drop;
	}
	sys_close(r);
	return t;
drop:
	sys_close(t);
devnull:
	debug("no memfd placeholder (%s): /dev/null, not recognised after exec", strerror(errno));
	return sys_openat(AT_FDCWD, "/dev/null", want | cloexec, 0);
}

/* Is descriptor fd (inherited across exec) one of our placeholders? Its
 * link names our memfd and it carries exactly our seals. */
static int is_placeholder(int dirfd, const char *name, int fd)
{
	char link[64];
	ssize_t n = readlinkat(dirfd, name, link, sizeof(link) - 1);

	if (n <= 0)
		return 0;
	link[n] = '\0';
	return strcmp(link, MEMFD_LINK) == 0 && sys_fcntl(fd, F_GET_SEALS, 0) == MEMFD_SEALS;
}

/* At load: track the placeholders a previous image left open across exec. */
__attribute__((constructor)) static void adopt_inherited(void)
{
	const char *sock = getenv("SWSEV_SOCKET");
	struct dirent *de;
	DIR *d;
	int dfd;

	if (!sock || !*sock)
		return;
	init();
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd;
		int fl;

		errno = 0;
		fd = strtol(de->d_name, &end, 10);
		if (errno || end == de->d_name || *end || fd < 0 || fd >= MAX_TRACKED || fd == dfd)
			continue;
		if (!is_placeholder(dfd, de->d_name, (int)fd))
			continue;
		fl = sys_fcntl((int)fd, F_GETFL, 0);
		if (fl < 0)
			continue;
		track((int)fd, (fl & O_ACCMODE) == O_RDONLY ? FD_RO : FD_RW);
		debug("descriptor %ld inherited as /dev/sev", fd);
	}
	closedir(d);
}

/* The emulated open: a real descriptor number, tracked with its access mode. */
static int open_sev(int flags)
{
	int acc = flags & O_ACCMODE, fd, ok;

	/* the device exists: O_CREAT alone opens it (a shell's <> does that),
	 * with O_EXCL it is EEXIST; it is no directory (O_TMPFILE has that bit) */
	if (flags & O_DIRECTORY)
		return fail_errno(ENOTDIR);
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return fail_errno(EEXIST);
	pthread_mutex_lock(&mu);
	ok = connect_locked() == 0;
	pthread_mutex_unlock(&mu);
	if (!ok) {
		errno = ENOENT; /* no SEV device here */
		return -1;
	}
	fd = placeholder(acc, flags & O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fd >= MAX_TRACKED) {
		sys_close(fd);
		errno = EMFILE;
		return -1;
	}
	track(fd, acc == O_RDONLY ? FD_RO : FD_RW);
	return fd;
}

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	init();
	if (is_dev_sev(path))
		return open_sev(flags);
	return sys_openat(dirfd, path, flags, mode);
}

static mode_t va_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = va_mode(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags, m);
}

EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = va_mode(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags, m);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = va_mode(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, m);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = va_mode(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, m);
}

/* glibc's _FORTIFY_SOURCE entry points (declared by <fcntl.h> only when
 * fortification is on) */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

EXPORT int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

EXPORT int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

EXPORT int close(int fd)
{
	init();
	if (tracked(fd))
		track(fd, FD_NONE);
	return sys_close(fd);
}

/* A new descriptor n (or -1) duplicated from one of mode m: tracked like
 * it; one beyond the table is closed again (EMFILE), as it could not be. */
static int track_dup(int n, int m)
{
	if (n >= 0 && m) {
		if (n >= MAX_TRACKED) {
			sys_close(n);
			errno = EMFILE;
			return -1;
		}
		track(n, m);
	}
	return n;
}

EXPORT int dup(int fd)
{
	int m;

	init();
	m = tracked(fd);
	return track_dup(real_dup ? real_dup(fd) : (int)syscall(SYS_dup, fd), m);
}

static int dup_common(int fd, int nfd, int flags, int three)
{
	int m, r;

	init();
	m = tracked(fd);
	if (three)
		r = real_dup3 ? real_dup3(fd, nfd, flags) : (int)syscall(SYS_dup3, fd, nfd, flags);
	else
		r = real_dup2 ? real_dup2(fd, nfd) : (int)syscall(SYS_dup3, fd, nfd, 0);
	if (r >= 0 && r != fd)
		track(r, m);
	return r;
}

EXPORT int dup2(int fd, int nfd)
{
	return dup_common(fd, nfd, 0, 0);
}

EXPORT int dup3(int fd, int nfd, int flags)
{
	return dup_common(fd, nfd, flags, 1);
}

/*
 * fcntl: F_DUPFD and F_DUPFD_CLOEXEC duplicate a descriptor like dup; every
 * other command passes through. The third argument is read as a pointer,
 * as glibc's own wrapper does: on the supported ABIs an int argument
 * arrives in the same register.
 */
static int fcntl_common(int use64, int fd, int cmd, void *arg)
{
	int (*real)(int, int, ...);
	int m;

	init();
	real = use64 && real_fcntl64 ? real_fcntl64 : real_fcntl;
	m = (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) ? tracked(fd) : FD_NONE;
	return track_dup(real ? real(fd, cmd, arg) : (int)syscall(SYS_fcntl, fd, cmd, arg), m);
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(0, fd, cmd, arg);
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(1, fd, cmd, arg);
}

/* ---- stat and access of /dev/sev ---- */

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "an LP64 ABI: stat64 is stat");

/* The old __xstat interface's version numbers that mean struct stat. */
#if defined(__x86_64__)
#define XSTAT_OK(v) ((v) == 0 || (v) == 1)
#else
#define XSTAT_OK(v) ((v) == 0)
#endif

enum { NOT_OURS = -2 };

/* The kernel's newfstatat, for when a glibc entry point is missing: on the
 * LP64 ABIs this library is built for its struct is glibc's struct stat. */
static int sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (real_fstatat)
		return real_fstatat(dirfd, path, st, flags);
	return (int)syscall(SYS_newfstatat, dirfd, path, st, flags);
}

/* 0: the daemon answers; else errno ENOENT, as open would say. */
static int reachable(void)
{
	int ok;

	pthread_mutex_lock(&mu);
	ok = connect_locked() == 0;
	pthread_mutex_unlock(&mu);
	if (!ok) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* Does (dirfd, path, flags) name /dev/sev? 1: yes, filled in when asked;
 * 0: not ours; -1: ours but the daemon is away (errno ENOENT). */
static int names_sev(int dirfd, const char *path, int flags)
{
	init();
	if (!is_null(path) && !*path && (flags & AT_EMPTY_PATH))
		return tracked(dirfd) ? 1 : 0;
	if (!is_dev_sev(path))
		return 0;
	return reachable() == 0 ? 1 : -1;
}

static void fake_stat(struct stat *st)
{
	struct stat null;

	memset(st, 0, sizeof(*st));
	if (sys_fstatat(AT_FDCWD, "/dev/null", &null, 0) == 0) {
		st->st_dev = null.st_dev;
		st->st_atim = null.st_atim;
		st->st_mtim = null.st_mtim;
		st->st_ctim = null.st_ctim;
	}
	st->st_ino = SWSEV_DEVSEV_INO;
	st->st_mode = S_IFCHR | 0600;
	st->st_nlink = 1;
	st->st_uid = geteuid();
	st->st_gid = getegid();
	st->st_rdev = makedev(SWSEV_DEVSEV_MAJOR, SWSEV_DEVSEV_MINOR);
	st->st_size = 0;
	st->st_blksize = 4096;
	st->st_blocks = 0;
}

/* The fstatat core: NOT_OURS, or the result of describing /dev/sev. */
static int sev_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int r = names_sev(dirfd, path, flags);

	if (r == 0)
		return NOT_OURS;
	if (r < 0)
		return -1;
	if (is_null(st))
		return fail_errno(EFAULT);
	fake_stat(st);
	return 0;
}

static int sev_fstat(int fd, struct stat *st)
{
	init();
	if (!tracked(fd))
		return NOT_OURS;
	if (is_null(st))
		return fail_errno(EFAULT);
	fake_stat(st);
	return 0;
}

#define PASS(r, call) ((r) != NOT_OURS ? (r) : (call))

EXPORT int stat(const char *path, struct stat *st)
{
	int r = sev_fstatat(AT_FDCWD, path, st, 0);

	return PASS(r, real_stat ? real_stat(path, st) : sys_fstatat(AT_FDCWD, path, st, 0));
}

EXPORT int stat64(const char *path, struct stat64 *st)
{
	int r = sev_fstatat(AT_FDCWD, path, (struct stat *)st, 0);

	return PASS(r, real_stat64 ? real_stat64(path, st) :
				     sys_fstatat(AT_FDCWD, path, (struct stat *)st, 0));
}

EXPORT int lstat(const char *path, struct stat *st)
{
	int r = sev_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);

	return PASS(r, real_lstat ? real_lstat(path, st) :
				    sys_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW));
}

EXPORT int lstat64(const char *path, struct stat64 *st)
{
	int r = sev_fstatat(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);

	return PASS(r, real_lstat64 ?
			       real_lstat64(path, st) :
			       sys_fstatat(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW));
}

EXPORT int fstat(int fd, struct stat *st)
{
	int r = sev_fstat(fd, st);

	return PASS(r, real_fstat ? real_fstat(fd, st) : sys_fstatat(fd, "", st, AT_EMPTY_PATH));
}

EXPORT int fstat64(int fd, struct stat64 *st)
{
	int r = sev_fstat(fd, (struct stat *)st);

	return PASS(r, real_fstat64 ? real_fstat64(fd, st) :
				      sys_fstatat(fd, "", (struct stat *)st, AT_EMPTY_PATH));
}

EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int r = sev_fstatat(dirfd, path, st, flags);

	return PASS(r, sys_fstatat(dirfd, path, st, flags));
}

EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	int r = sev_fstatat(dirfd, path, (struct stat *)st, flags);

	return PASS(r, real_fstatat64 ? real_fstatat64(dirfd, path, st, flags) :
					sys_fstatat(dirfd, path, (struct stat *)st, flags));
}

/* glibc before 2.33 compiled stat into these; old binaries still call them */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

static int xstat_common(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	int ours;

	if (XSTAT_OK(ver))
		return sev_fstatat(dirfd, path, st, flags);
	/* a layout we do not know: glibc's EINVAL for ours, theirs pass */
	init();
	if (!is_null(path) && !*path && (flags & AT_EMPTY_PATH))
		ours = tracked(dirfd);
	else
		ours = is_dev_sev(path);
	return ours ? fail_errno(EINVAL) : NOT_OURS;
}

EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	int r = xstat_common(ver, AT_FDCWD, path, st, 0);

	return PASS(r, real_xstat ? real_xstat(ver, path, st) : sys_fstatat(AT_FDCWD, path, st, 0));
}

EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	int r = xstat_common(ver, AT_FDCWD, path, (struct stat *)st, 0);

	return PASS(r, real_xstat64 ? real_xstat64(ver, path, st) :
				      sys_fstatat(AT_FDCWD, path, (struct stat *)st, 0));
}

EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	int r = xstat_common(ver, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);

	return PASS(r, real_lxstat ? real_lxstat(ver, path, st) :
				     sys_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW));
}

EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	int r = xstat_common(ver, AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);

	return PASS(r, real_lxstat64 ?
			       real_lxstat64(ver, path, st) :
			       sys_fstatat(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW));
}

EXPORT int __fxstat(int ver, int fd, struct stat *st)
{
	int r = xstat_common(ver, fd, "", st, AT_EMPTY_PATH);

	return PASS(r, real_fxstat ? real_fxstat(ver, fd, st) :
				     sys_fstatat(fd, "", st, AT_EMPTY_PATH));
}

EXPORT int __fxstat64(int ver, int fd, struct stat64 *st)
{
	int r = xstat_common(ver, fd, "", (struct stat *)st, AT_EMPTY_PATH);

	return PASS(r, real_fxstat64 ? real_fxstat64(ver, fd, st) :
				       sys_fstatat(fd, "", (struct stat *)st, AT_EMPTY_PATH));
}

EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	int r = xstat_common(ver, dirfd, path, st, flags);

	return PASS(r, real_fxstatat ? real_fxstatat(ver, dirfd, path, st, flags) :
				       sys_fstatat(dirfd, path, st, flags));
}

EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	int r = xstat_common(ver, dirfd, path, (struct stat *)st, flags);

	return PASS(r, real_fxstatat64 ? real_fxstatat64(ver, dirfd, path, st, flags) :
					 sys_fstatat(dirfd, path, (struct stat *)st, flags));
}

static int sys_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
	if (real_statx)
		return real_statx(dirfd, path, flags, mask, sx);
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, sx);
}

EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
	struct stat st;
	int r = names_sev(dirfd, path, flags);

	if (r == 0)
		return sys_statx(dirfd, path, flags, mask, sx);
	if (r < 0)
		return -1;
	if (is_null(sx))
		return fail_errno(EFAULT);
	/* /dev/null's answer to the same question, with our identity */
	if (sys_statx(AT_FDCWD, "/dev/null", flags & AT_STATX_SYNC_TYPE, mask, sx) != 0)
		return -1;
	fake_stat(&st);
	sx->stx_mode = (uint16_t)st.st_mode;
	sx->stx_nlink = 1;
	sx->stx_uid = st.st_uid;
	sx->stx_gid = st.st_gid;
	sx->stx_ino = st.st_ino;
	sx->stx_size = 0;
	sx->stx_blocks = 0;
	sx->stx_blksize = 4096;
	sx->stx_attributes = 0;
	sx->stx_rdev_major = SWSEV_DEVSEV_MAJOR;
	sx->stx_rdev_minor = SWSEV_DEVSEV_MINOR;
	return 0;
}

/* F_OK, R_OK and W_OK: the caller owns a 0600 device; X_OK: it is no program */
static int sev_access(int dirfd, const char *path, int mode, int flags)
{
	int r;

	if (mode & ~(R_OK | W_OK | X_OK)) {
		init();
		if (!is_dev_sev(path))
			return NOT_OURS;
		return fail_errno(EINVAL);
	}
	r = names_sev(dirfd, path, flags);
	if (r == 0)
		return NOT_OURS;
	if (r < 0)
		return -1;
	return (mode & X_OK) ? fail_errno(EACCES) : 0;
}

EXPORT int access(const char *path, int mode)
{
	int r = sev_access(AT_FDCWD, path, mode, 0);

	return PASS(r, real_access ? real_access(path, mode) :
				     (int)syscall(SYS_faccessat, AT_FDCWD, path, mode));
}

EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	int r = sev_access(dirfd, path, mode, flags);

	return PASS(r, real_faccessat ? real_faccessat(dirfd, path, mode, flags) :
					(int)syscall(SYS_faccessat2, dirfd, path, mode, flags));
}

EXPORT int euidaccess(const char *path, int mode)
{
	int r = sev_access(AT_FDCWD, path, mode, AT_EACCESS);

	return PASS(r, real_euidaccess ?
			       real_euidaccess(path, mode) :
			       (int)syscall(SYS_faccessat2, AT_FDCWD, path, mode, AT_EACCESS));
}

EXPORT int eaccess(const char *path, int mode)
{
	int r = sev_access(AT_FDCWD, path, mode, AT_EACCESS);

	return PASS(r, real_eaccess ?
			       real_eaccess(path, mode) :
			       (int)syscall(SYS_faccessat2, AT_FDCWD, path, mode, AT_EACCESS));
}

/* ---- SEV_ISSUE_CMD ---- */

static int fail(int e)
{
	errno = e;
	return -1;
}

static void put_error(uint8_t *ic, uint32_t cmd, uint32_t error)
{
	/* the driver copies the struct back for its known commands only */
	if (cmd < SEV_MAX)
		swsev_wle32(ic + offsetof(struct sev_issue_cmd, error), error);
}

static int sev_issue_cmd(int mode, uint8_t *ic)
{
	const struct swsev_sevabi_cmd *d;
	struct swsev_req req;
	struct swsev_rsp rsp;
	uint8_t *user = NULL;
	uint64_t addr[2] = { 0, 0 };
	uint32_t len[2] = { 0, 0 };
	uint32_t cmd = swsev_le32(ic + offsetof(struct sev_issue_cmd, cmd));
	uint64_t data = swsev_le64(ic + offsetof(struct sev_issue_cmd, data));
	swsev_err e;
	int ok, err;

	d = swsev_sevabi_find(cmd);
	if (!d) {
		put_error(ic, cmd, SEV_RET_NO_FW_CALL);
		return fail(EINVAL);
	}
	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_SEV_IOCTL;
	req.cmd = cmd;
	req.flags = mode == FD_RW ? SWSEV_REQ_WRITABLE : 0;
	if (d->arg_len) {
		if (!data) {
			put_error(ic, cmd, SEV_RET_NO_FW_CALL);
			return fail(EFAULT);
		}
		user = (uint8_t *)(uintptr_t)data;
		memcpy(req.arg, user, d->arg_len);
		req.arg_len = d->arg_len;
	}
	for (int i = 0; i < d->nptr; i++) {
		addr[i] = swsev_le64(req.arg + d->ptr[i].addr_off);
		len[i] = swsev_le32(req.arg + d->ptr[i].len_off);
		if (!addr[i])
			continue;
		req.in[i].present = 1;
		/* The host reads only what the driver would copy in: buffers the
		 * driver just fills go as their capacity (the length field), and
		 * an over-long input is refused by the host from the length field. */
		if (d->ptr[i].copy_in && len[i] <= SEV_FW_BLOB_MAX_SIZE) {
			req.in[i].p = (uint8_t *)(uintptr_t)addr[i];
			req.in[i].len = len[i];
		}
	}
	pthread_mutex_lock(&mu);
	ok = connect_locked() == 0;
	e = ok ? swsev_client_call(conn, &req, &rsp) : SWSEV_E_IO;
	if (ok && e != SWSEV_OK) {
		debug("the daemon did not answer: %s", swsev_client_error(conn));
		swsev_client_close(conn); /* reconnect next time */
		conn = NULL;
	}
	pthread_mutex_unlock(&mu);
	if (e != SWSEV_OK) {
		put_error(ic, cmd, SEV_RET_NO_FW_CALL);
		return fail(EIO);
	}
	if (user && rsp.arg_len && rsp.arg_len <= d->arg_len) {
		memcpy(user, rsp.arg, rsp.arg_len);
		/* the kernel hands the user's own pointers back */
		for (int i = 0; i < d->nptr; i++)
			swsev_wle64(user + d->ptr[i].addr_off, addr[i]);
	}
	for (int i = 0; i < d->nptr; i++) {
		uint32_t n = rsp.out[i].len;

		if (d->ptr[i].copy_in || !addr[i] || !n)
			continue;
		if (n > len[i])
			n = len[i];
		memcpy((void *)(uintptr_t)addr[i], rsp.out[i].p, n);
	}
	put_error(ic, cmd, rsp.fw_error);
	err = rsp.err;
	swsev_wire_rsp_free(&rsp);
	return err ? fail(-err) : 0;
}

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;
	int mode;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	init();
	mode = tracked(fd);
	if (!mode) {
		if (real_ioctl)
			return real_ioctl(fd, request, arg);
		return (int)syscall(SYS_ioctl, fd, request, arg);
	}
	/* the kernel takes the request as an unsigned int: upper bits (a
	 * sign-extended int request) do not count */
	if ((uint32_t)request != SEV_ISSUE_CMD)
		return fail(EINVAL);
	if (!arg)
		return fail(EFAULT);
	return sev_issue_cmd(mode, arg);
}
