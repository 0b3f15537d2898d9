/*
 * libswsev-preload.so: gives an unmodified program that opens /dev/sev and
 * issues SEV_ISSUE_CMD the platform of a running swsevd.
 *
 *   LD_PRELOAD=libswsev-preload.so SWSEV_SOCKET=/path/to/swsevd.sock prog
 *
 * open/open64/openat (and glibc's fortified __open_2 variants) of exactly
 * "/dev/sev" return a real descriptor (a placeholder on /dev/null opened
 * with the caller's access mode and O_CLOEXEC) that this library tracks;
 * ioctl(fd, SEV_ISSUE_CMD, ...) on it becomes one SWSEV_OP_SEV_IOCTL
 * request over the socket, marshalled with the kernel's structs
 * (linux-abi.md §2, lib/client/sevabi.c): the user buffers the struct
 * points at become blobs, and the reply is copied back as the kernel
 * copies it (the struct, what the firmware wrote into the user buffers,
 * `error` in struct sev_issue_cmd, errno). A read-only descriptor sends
 * no SWSEV_REQ_WRITABLE flag, so state-changing commands get -EPERM from
 * the host layer, as from the driver. dup/dup2/dup3, fcntl's F_DUPFD and
 * F_DUPFD_CLOEXEC, and close keep the table right. Without SWSEV_SOCKET everything passes through to the real
 * device. SWSEV_PRELOAD_DEBUG=1 explains a failed open on stderr.
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
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "client/sevabi.h"
#include "client/wire.h"
#include "codec/codec.h"
#include "swsev/client.h"
#include "swsev/psp-sev.h"

#define EXPORT __attribute__((visibility("default")))
#define DEV_SEV "/dev/sev"
#define MAX_TRACKED 65536

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

	if (!path || strcmp(path, DEV_SEV) != 0)
		return 0;
	sock = getenv("SWSEV_SOCKET");
	return sock && *sock;
}

/* The emulated open: a real descriptor number, tracked with its access mode. */
static int open_sev(int flags)
{
	int acc = flags & O_ACCMODE, fd, ok;

	if (flags & (O_CREAT | O_DIRECTORY | O_TMPFILE)) {
		errno = (flags & O_DIRECTORY) ? ENOTDIR : EEXIST;
		return -1;
	}
	pthread_mutex_lock(&mu);
	ok = connect_locked() == 0;
	pthread_mutex_unlock(&mu);
	if (!ok) {
		errno = ENOENT; /* no SEV device here */
		return -1;
	}
	fd = sys_openat(AT_FDCWD, "/dev/null",
			(acc == O_RDONLY ? O_RDONLY : O_RDWR) | (flags & O_CLOEXEC), 0);
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
