/*
 * swsevd: the emulated SEV platform as a daemon (docs/daemon.md). One
 * concern per file:
 *   main.c      start-up and shutdown order
 *   options.c   command line
 *   log.c       leveled logging to stderr or the state directory's log
 *   signals.c   SIGTERM/SIGINT through a signalfd, SIGPIPE ignored, no core dumps
 *   lockfile.c  the state directory's lock (one daemon per state)
 *   state.c     state directory, vendor root, manufacturing or loading
 *   creds.c     who may talk to us (SO_PEERCRED)
 *   server.c    the listening socket and the accept loop
 *   conn.c      one connection: framing (docs/protocol.md), timeouts, calls
 */
#ifndef SWSEVD_H
#define SWSEVD_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>

#include "swsev/error.h"
#include "swsev/fw.h"
#include "swsev/host.h"

#define SWSEVD_VERSION "0.1.0"

/* ---- options.c ---- */
enum swsevd_log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

struct swsevd_opts {
	const char *state_dir;
	const char *socket;      /* default: <state>/swsevd.sock */
	const char *generation;  /* NULL: stored one, else the default */
	const char *vendor_root; /* NULL: <state>/vendor-root */
	const char *group;       /* socket group (0660) */
	const char *firmware;    /* --firmware: image to download at start-up, or NULL */
	int foreground;
	int log_level;
	unsigned max_clients;
	unsigned frame_timeout_ms;
};
/* Returns 0 to run, 1 to exit 0 (help/version printed), 2 on a usage error. */
int swsevd_opts_parse(int argc, char **argv, struct swsevd_opts *o);

/* ---- fault.c ----
 * --inject-fault CMD[@POINT][#N]: the Nth (default first; '*' every)
 * occurrence of command CMD (a name, a number, or 'any') fails at fault
 * point POINT (default 'command': on entry, HWERROR_PLATFORM; the clean-up
 * points give HWERROR_UNSAFE). 0, or -1 with err filled. */
int swsevd_fault_add(const char *spec, char *err, size_t errlen);
/* Arms the hook in ops when any specification was given (before swsev_fw_new). */
void swsevd_fault_install(struct swsev_fw_ops *ops);

/* ---- log.c ---- */
void swsevd_log_init(int level);
/* Redirects the log to a file (daemon mode); 0 or -1. */
int swsevd_log_to_file(const char *path);
void swsevd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) swsevd_log(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) swsevd_log(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) swsevd_log(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) swsevd_log(LOG_LVL_DEBUG, __VA_ARGS__)
int swsevd_log_enabled(int level);

/* ---- signals.c ---- */
/* Blocks SIGTERM/SIGINT/SIGHUP (before any thread starts), ignores SIGPIPE,
 * disables core dumps. Returns a signalfd for the blocked set, or -1. */
int swsevd_signals_setup(void);
/* Reads one pending signal; returns its number or 0. */
int swsevd_signals_read(int sfd);

/* ---- lockfile.c ---- */
/* Takes <dir>/lock exclusively (flock) and writes our pid; returns its fd
 * or -1 with a message logged (SWSEV_E_BUSY-style: another daemon). */
int swsevd_lock(const char *dir);
void swsevd_unlock(int fd);

/* ---- state.c ---- */
struct swsevd_state {
	struct swsev_fw_ops ops;
	int have_ops;
	swsev_fw *fw;
	swsev_vendor_root *root;
	const struct swsev_profile *profile;
	int manufactured; /* 1 if this start made the platform */
};
/* Checks/creates the state directory (0700). */
swsev_err swsevd_state_dir(const char *dir) SWSEV_MUST_CHECK;
/* Manufactures or loads the platform (errors logged, naming the file). */
swsev_err swsevd_state_open(const struct swsevd_opts *o, struct swsevd_state *st) SWSEV_MUST_CHECK;
void swsevd_state_close(struct swsevd_state *st);

/* ---- creds.c ---- */
struct swsevd_creds {
	uid_t uid; /* the daemon's effective uid */
	int have_group;
	gid_t gid; /* --group */
};
swsev_err swsevd_creds_init(const char *group, struct swsevd_creds *c) SWSEV_MUST_CHECK;
/* 1 if the connected peer may talk to us; fills a reason otherwise. */
int swsevd_creds_allowed(const struct swsevd_creds *c, int fd, char *why, size_t whylen);

/* ---- server.c ---- */
struct swsevd {
	const struct swsevd_opts *opts;
	swsev_host *host;
	const struct swsev_fw_ops *nv_ops; /* for storage errors in the log */
	struct swsevd_creds creds;
	int listen_fd;
	char sock_path[108];
	int sig_fd;
	int wake[2]; /* written once at shutdown; every thread polls [0] */
	pthread_mutex_t mu;
	pthread_cond_t idle;  /* signalled when `active` drops */
	unsigned active;      /* live connection threads */
	unsigned long served; /* connections accepted (statistics) */
	int stopping;
	char hello[128]; /* the HELLO text */
};
/* Creates the socket (mode 0600/0660, parent checked). */
swsev_err swsevd_server_listen(struct swsevd *d) SWSEV_MUST_CHECK;
/* Accepts until SIGTERM/SIGINT; then drains the connections. */
void swsevd_server_run(struct swsevd *d);
/* Closes the socket and removes the socket file. */
void swsevd_server_close(struct swsevd *d);

/* ---- conn.c ---- */
/* Serves one accepted, permitted connection (runs on its own thread). */
void swsevd_conn_serve(struct swsevd *d, int fd);
/* Best effort: one ERROR frame, then the caller closes. */
void swsevd_conn_send_error(int fd, swsev_err code, const char *msg);
/* ERROR frame, stop writing, discard the peer's input for at most 250 ms
 * (so the peer reads our reason instead of ECONNRESET); the caller closes. */
void swsevd_conn_linger(int fd, swsev_err code, const char *msg);

#endif
