/*
 * The listening socket and the accept loop. One detached thread per
 * connection, at most --max-clients; the loop also watches the signalfd and
 * on SIGTERM/SIGINT stops accepting, wakes every idle connection (the wake
 * pipe) and waits until the last command in flight has answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/wire.h"
#include "swsevd.h"

/* The socket's directory must not let others swap the socket under us. */
static swsev_err check_parent(const char *path)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	char *dir;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	if (stat(dir, &st) != 0) {
		log_err("%s: the socket's directory %s: %s", path, dir, strerror(errno));
		return SWSEV_E_IO;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("%s: %s is not a directory", path, dir);
		return SWSEV_E_INVALID;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		log_err("%s: the directory %s belongs to uid %u, not to us", path, dir,
			(unsigned)st.st_uid);
		return SWSEV_E_PERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		log_err("%s: the directory %s is writable by others (mode %04o) and not sticky",
			path, dir, (unsigned)(st.st_mode & 07777));
		return SWSEV_E_PERM;
	}
	return SWSEV_OK;
}

/* An existing path: a stale socket is removed; a live one or a file is refused. */
static swsev_err clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? SWSEV_OK : SWSEV_E_IO;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("%s: exists and is not a socket; refusing to replace it", path);
		return SWSEV_E_INVALID;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return SWSEV_E_IO;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		log_err("%s: another daemon is listening there", path);
		return SWSEV_E_BUSY;
	}
	if (unlink(path) != 0) {
		log_err("%s: cannot remove the stale socket: %s", path, strerror(errno));
		return SWSEV_E_IO;
	}
	log_info("%s: removed a stale socket", path);
	return SWSEV_OK;
}

swsev_err swsevd_server_listen(struct swsevd *d)
{
	struct sockaddr_un sa;
	mode_t old;
	swsev_err e;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(d->sock_path) >= sizeof(sa.sun_path)) {
		log_err("%s: socket path longer than %zu bytes", d->sock_path,
			sizeof(sa.sun_path) - 1);
		return SWSEV_E_INVALID;
	}
	memcpy(sa.sun_path, d->sock_path, strlen(d->sock_path));
	e = check_parent(d->sock_path);
	if (e == SWSEV_OK)
		e = clear_stale(d->sock_path, &sa);
	if (e)
		return e;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("socket: %s", strerror(errno));
		return SWSEV_E_IO;
	}
	/* created owner-only: no window in which others could connect */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(old);
		log_err("%s: bind: %s", d->sock_path, strerror(errno));
		close(fd);
		return SWSEV_E_IO;
	}
	umask(old);
	if (d->creds.have_group) {
		if (chown(d->sock_path, (uid_t)-1, d->creds.gid) != 0 ||
		    chmod(d->sock_path, 0660) != 0) {
			log_err("%s: cannot give the socket to group %u: %s", d->sock_path,
				(unsigned)d->creds.gid, strerror(errno));
			close(fd);
			unlink(d->sock_path);
			return SWSEV_E_IO;
		}
	}
	if (listen(fd, 128) != 0) {
		log_err("%s: listen: %s", d->sock_path, strerror(errno));
		close(fd);
		unlink(d->sock_path);
		return SWSEV_E_IO;
	}
	d->listen_fd = fd;
	return SWSEV_OK;
}

void swsevd_server_close(struct swsevd *d)
{
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		d->listen_fd = -1;
		unlink(d->sock_path);
	}
}

struct conn_arg {
	struct swsevd *d;
	int fd;
};

static void *conn_thread(void *p)
{
	struct conn_arg a = *(struct conn_arg *)p;

	free(p);
	swsevd_conn_serve(a.d, a.fd);
	close(a.fd);
	pthread_mutex_lock(&a.d->mu);
	a.d->active--;
	pthread_cond_broadcast(&a.d->idle);
	pthread_mutex_unlock(&a.d->mu);
	return NULL;
}

/* Refusals at accept time linger on their own short thread (bounded in
 * number) so that the accept loop never waits for a refused peer. */
#define MAX_LINGER 16
static atomic_uint lingering;

struct refusal {
	int fd;
	swsev_err code;
	char why[160];
};

static void *linger_thread(void *p)
{
	struct refusal *r = p;

	swsevd_conn_linger(r->fd, r->code, r->why);
	close(r->fd);
	free(r);
	atomic_fetch_sub(&lingering, 1);
	return NULL;
}

static void refuse_at_accept(int fd, swsev_err code, const char *why)
{
	struct refusal *r = NULL;
	pthread_attr_t attr;
	pthread_t t;

	if (atomic_fetch_add(&lingering, 1) < MAX_LINGER && (r = malloc(sizeof(*r)))) {
		r->fd = fd;
		r->code = code;
		snprintf(r->why, sizeof(r->why), "%s", why);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		if (pthread_create(&t, &attr, linger_thread, r) == 0) {
			pthread_attr_destroy(&attr);
			return;
		}
		pthread_attr_destroy(&attr);
		free(r);
	}
	atomic_fetch_sub(&lingering, 1);
	swsevd_conn_send_error(fd, code, why);
	close(fd);
}

static void accept_one(struct swsevd *d)
{
	char why[160];
	struct conn_arg *a;
	pthread_attr_t attr;
	pthread_t t;
	int fd, full;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		if (errno == EMFILE || errno == ENFILE)
			usleep(100 * 1000); /* do not spin while out of descriptors */
		return;
	}
	if (!swsevd_creds_allowed(&d->creds, fd, why, sizeof(why))) {
		log_warn("refused a connection: %s", why);
		refuse_at_accept(fd, SWSEV_E_PERM, why);
		return;
	}
	pthread_mutex_lock(&d->mu);
	full = d->active >= d->opts->max_clients;
	if (!full) {
		d->active++;
		d->served++;
	}
	pthread_mutex_unlock(&d->mu);
	if (full) {
		log_warn("refused a connection: %u connections already (--max-clients)",
			 d->opts->max_clients);
		refuse_at_accept(fd, SWSEV_E_BUSY, "too many connections; try again later");
		return;
	}
	a = malloc(sizeof(*a));
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (!a || (a->d = d, a->fd = fd, pthread_create(&t, &attr, conn_thread, a) != 0)) {
		log_err("cannot start a connection thread");
		free(a);
		swsevd_conn_send_error(fd, SWSEV_E_NOMEM, "the daemon is out of resources");
		close(fd);
		pthread_mutex_lock(&d->mu);
		d->active--;
		pthread_cond_broadcast(&d->idle);
		pthread_mutex_unlock(&d->mu);
	}
	pthread_attr_destroy(&attr);
}

void swsevd_server_run(struct swsevd *d)
{
	struct pollfd p[2];
	int sig = 0;

	p[0].fd = d->listen_fd;
	p[0].events = POLLIN;
	p[1].fd = d->sig_fd;
	p[1].events = POLLIN;
	while (!sig) {
		int r = poll(p, 2, -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents & POLLIN) {
			sig = swsevd_signals_read(d->sig_fd);
			if (sig == SIGHUP) {
				log_info("SIGHUP ignored (nothing to reload)");
				sig = 0;
			}
			continue;
		}
		if (p[0].revents & POLLIN)
			accept_one(d);
	}
	log_info("%s: shutting down", sig ? strsignal(sig) : "poll failure");
	/* stop accepting, then wake the idle connections and drain the busy ones */
	swsevd_server_close(d);
	pthread_mutex_lock(&d->mu);
	d->stopping = 1;
	pthread_mutex_unlock(&d->mu);
	if (write(d->wake[1], "x", 1) != 1)
		log_warn("cannot wake the connection threads");
	pthread_mutex_lock(&d->mu);
	while (d->active > 0)
		pthread_cond_wait(&d->idle, &d->mu);
	pthread_mutex_unlock(&d->mu);
	/* refused peers linger 250 ms at most */
	for (int i = 0; i < 100 && atomic_load(&lingering) > 0; i++)
		usleep(10 * 1000);
	log_info("all connections closed (%lu served)", d->served);
}
