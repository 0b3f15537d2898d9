/*
 * swsevd: start-up and shutdown order.
 *
 *   options -> (fork, unless --foreground) -> signals and no core dumps ->
 *   state directory -> lock -> manufacture or load the platform -> host
 *   layer -> socket -> "ready" -> accept loop -> (SIGTERM/SIGINT) -> drain
 *   connections -> free host, firmware, root -> unlock -> exit 0.
 *
 * Without --foreground the parent waits until the child listens (or fails)
 * and exits with that result, so `swsevd --state D && swsev ...` works.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/wire.h"
#include "swsevd.h"

/* Forks; the parent waits for the child's ready byte and exits. Returns the
 * write end of the ready pipe in the child. */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) != 0) {
		perror("swsevd: pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("swsevd: fork");
		exit(1);
	}
	if (pid > 0) {
		ssize_t n;

		close(p[1]);
		do {
			n = read(p[0], &c, 1);
		} while (n < 0 && errno == EINTR);
		exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		perror("swsevd: setsid");
	return p[1];
}

static void ready(int fd, const char *log_path)
{
	int nul;

	if (fd < 0)
		return;
	/* from now on the daemon talks only to its log */
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		close(nul);
	}
	if (swsevd_log_to_file(log_path) != 0)
		log_warn("%s: cannot log there: %s", log_path, strerror(errno));
	if (write(fd, "1", 1) != 1)
		log_warn("cannot tell the parent we are ready");
	close(fd);
}

int main(int argc, char **argv)
{
	struct swsevd_opts o;
	struct swsevd_state st;
	struct swsevd d;
	char log_path[4200];
	int rc = 1, lock_fd = -1, ready_fd = -1;
	const struct swsev_profile *p;

	/* Frames carry blobs of up to 16 MiB (images go in 1 MiB chunks). With
	 * glibc's defaults every such buffer is a fresh mmap whose pages fault in
	 * and are zeroed by the kernel, then unmapped on free: most of a launch's
	 * daemon-side time. Serve them from the arenas and keep freed memory. */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);

	switch (swsevd_opts_parse(argc, argv, &o)) {
	case 0: break;
	case 1: return 0;
	default: return 2;
	}
	swsevd_log_init(o.log_level);
	memset(&st, 0, sizeof(st));
	memset(&d, 0, sizeof(d));
	d.listen_fd = -1;
	d.sig_fd = -1;
	d.wake[0] = d.wake[1] = -1;
	d.opts = &o;
	if (o.socket)
		snprintf(d.sock_path, sizeof(d.sock_path), "%s", o.socket);
	else if (snprintf(d.sock_path, sizeof(d.sock_path), "%s/swsevd.sock", o.state_dir) >=
		 (int)sizeof(d.sock_path)) {
		log_err("%s/swsevd.sock: longer than a socket path may be; use --socket",
			o.state_dir);
		return 2;
	}
	snprintf(log_path, sizeof(log_path), "%s/swsevd.log", o.state_dir);

	if (!o.foreground)
		ready_fd = daemonize();
	d.sig_fd = swsevd_signals_setup();
	if (d.sig_fd < 0) {
		log_err("cannot set up signal handling: %s", strerror(errno));
		goto out;
	}
	if (pipe2(d.wake, O_CLOEXEC) != 0 || pthread_mutex_init(&d.mu, NULL) != 0 ||
	    pthread_cond_init(&d.idle, NULL) != 0) {
		log_err("cannot create the daemon's primitives: %s", strerror(errno));
		goto out;
	}
	if (swsevd_state_dir(o.state_dir) != SWSEV_OK)
		goto out;
	lock_fd = swsevd_lock(o.state_dir);
	if (lock_fd < 0)
		goto out;
	if (swsevd_creds_init(o.group, &d.creds) != SWSEV_OK)
		goto out;
	if (swsevd_state_open(&o, &st) != SWSEV_OK)
		goto out;
	d.nv_ops = &st.ops;
	if (swsev_host_new(st.fw, &d.host) != SWSEV_OK) {
		log_err("cannot create the host layer");
		goto out;
	}
	p = st.profile;
	snprintf(d.hello, sizeof(d.hello), "swsevd %s %s (SEV API %u.%u build %u)", SWSEVD_VERSION,
		 p->name, p->api_major, p->api_minor, p->build);
	if (swsevd_server_listen(&d) != SWSEV_OK)
		goto out;
	ready(ready_fd, log_path);
	ready_fd = -1;
	log_info("%s: listening (%s platform, protocol %u, at most %u connections%s%s)",
		 d.sock_path, p->name, SWSEV_PROTO_VERSION, o.max_clients,
		 o.group ? ", group " : "", o.group ? o.group : "");
	swsevd_server_run(&d);
	rc = 0;
out:
	swsevd_server_close(&d);
	if (d.host)
		swsev_host_free(d.host);
	swsevd_state_close(&st);
	swsevd_unlock(lock_fd);
	if (d.sig_fd >= 0)
		close(d.sig_fd);
	for (int i = 0; i < 2; i++)
		if (d.wake[i] >= 0)
			close(d.wake[i]);
	if (ready_fd >= 0)
		close(ready_fd);
	if (rc == 0)
		log_info("stopped; state intact in %s", o.state_dir);
	return rc;
}
