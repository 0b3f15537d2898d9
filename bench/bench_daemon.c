/*
 * The cost of the daemon's socket (docs/protocol.md): the round trip of
 * PLATFORM_STATUS through a real swsevd against the same call in-process
 * (swsev_client_inproc over swsev_host_call), and the throughput of 4 MiB
 * host writes into guest RAM (VM_WRITE) both ways. The daemon is the built
 * binary ($SWSEVD, else <build>/swsevd beside bench/swsev-bench) on a
 * temporary state directory, manufactured as naples (a 2048-bit root
 * keeps start-up short).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "codec/codec.h"
#include "swsev/client.h"
#include "swsev/fw.h"
#include "swsev/host.h"
#include "swsev/psp-sev.h"

#define WRITE_LEN (4u << 20)

struct bd {
	swsev_client *c;
	uint32_t vm;
	uint8_t *buf;
};

static int op_status(void *arg)
{
	struct bd *b = arg;
	struct swsev_req req;
	struct swsev_rsp rsp;
	int bad;

	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_SEV_IOCTL;
	req.cmd = SEV_PLATFORM_STATUS;
	req.arg_len = sizeof(struct sev_user_data_status);
	if (swsev_client_call(b->c, &req, &rsp) != SWSEV_OK)
		return -1;
	bad = rsp.err != 0 || rsp.arg_len != 12;
	swsev_rsp_clear(&rsp);
	return bad;
}

static int op_write(void *arg)
{
	struct bd *b = arg;
	struct swsev_req req;
	struct swsev_rsp rsp;
	int bad;

	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_VM_WRITE;
	req.vm = b->vm;
	req.arg_len = 8;
	swsev_wle64(req.arg, 0x100000);
	req.in[0].p = b->buf;
	req.in[0].len = WRITE_LEN;
	req.in[0].present = 1;
	if (swsev_client_call(b->c, &req, &rsp) != SWSEV_OK)
		return -1;
	bad = rsp.err != 0;
	swsev_rsp_clear(&rsp);
	return bad;
}

static int vm_create(struct bd *b, const char *name)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc = -1;

	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_VM_CREATE;
	req.arg_len = 12;
	swsev_wle64(req.arg, 64u << 20);
	swsev_wle32(req.arg + 8, SWSEV_VM_TYPE_DEFAULT);
	req.in[0].p = (uint8_t *)(uintptr_t)name;
	req.in[0].len = (uint32_t)strlen(name);
	req.in[0].present = 1;
	if (swsev_client_call(b->c, &req, &rsp) == SWSEV_OK && rsp.err == 0 && rsp.arg_len >= 4) {
		b->vm = swsev_le32(rsp.arg);
		rc = 0;
	}
	swsev_rsp_clear(&rsp);
	return rc;
}

/* Starts swsevd on dir; returns its pid or -1. */
static pid_t start_daemon(const char *dir, const char *sock)
{
	char exe[PATH_MAX], bin[PATH_MAX + 16];
	const char *env = getenv("SWSEVD");
	ssize_t n;
	pid_t pid;

	if (env) {
		snprintf(bin, sizeof(bin), "%s", env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return -1;
		exe[n] = '\0';
		for (int up = 0; up < 2; up++) {
			char *s = strrchr(exe, '/');
			if (!s)
				return -1;
			*s = '\0';
		}
		snprintf(bin, sizeof(bin), "%s/swsevd", exe);
	}
	if (access(bin, X_OK) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);

		if (nul >= 0) {
			dup2(nul, STDOUT_FILENO);
			dup2(nul, STDERR_FILENO);
		}
		execl(bin, bin, "--state", dir, "--socket", sock, "--generation", "naples",
		      "--foreground", "--log-level", "error", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; pid > 0 && i < 1200; i++) { /* up to 60 s */
		struct stat st;
		int status;

		if (stat(sock, &st) == 0)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		usleep(50 * 1000);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

static void rm_state(const char *dir)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_daemon: could not remove %s\n", dir);
}

static void emit(const char *id, const char *fig, double v, const char *unit, const char *target,
		 const char *note)
{
	struct bench_row r = { id, fig, v, unit, "-", target, "-", 0, note };

	bench_emit(&r);
}

void bench_daemon(const struct bench_opts *o)
{
	char dir[] = "/tmp/swsev-bench-daemon.XXXXXX", state[64], sock[80];
	struct swsev_fw_ops ops;
	swsev_vendor_root *root = NULL;
	swsev_fw *fw = NULL;
	swsev_host *h = NULL;
	struct bd in = { 0 }, sk = { 0 };
	double r_in, r_sk, w_in = NAN, w_sk = NAN;
	pid_t pid = -1;
	int have_ops = 0;

	if (!mkdtemp(dir)) {
		bench_fail("daemon.status_rtt", "PLATFORM_STATUS round trip through swsevd",
			   strerror(errno));
		return;
	}
	snprintf(state, sizeof(state), "%s/st", dir);
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	in.buf = sk.buf = calloc(1, WRITE_LEN);
	if (!in.buf || swsev_vendor_root_new(2048, &root) != SWSEV_OK ||
	    swsev_nvmem_ops(&ops) != SWSEV_OK) {
		bench_fail("daemon.status_inproc", "PLATFORM_STATUS in-process", "set-up failed");
		goto out;
	}
	have_ops = 1;
	if (swsev_fw_new(swsev_profile_find("naples"), &ops, root, &fw) != SWSEV_OK ||
	    swsev_host_new(fw, &h) != SWSEV_OK || swsev_client_inproc(h, &in.c) != SWSEV_OK) {
		bench_fail("daemon.status_inproc", "PLATFORM_STATUS in-process",
			   "platform set-up failed");
		goto out;
	}
	pid = start_daemon(state, sock);
	if (pid < 0 || swsev_client_connect(sock, &sk.c) != SWSEV_OK) {
		bench_fail("daemon.status_rtt", "PLATFORM_STATUS round trip through swsevd",
			   "swsevd did not start (set SWSEVD=path)");
		goto out;
	}
	r_in = bench_rate(o, op_status, &in);
	r_sk = bench_rate(o, op_status, &sk);
	emit("daemon.status_inproc", "PLATFORM_STATUS in-process (swsev_host_call)",
	     r_in > 0 ? 1e6 / r_in : NAN, "us", "-", "");
	emit("daemon.status_rtt", "PLATFORM_STATUS round trip through swsevd's socket",
	     r_sk > 0 ? 1e6 / r_sk : NAN, "us", "-",
	     "one request, one response, a thread per connection");
	emit("daemon.status_overhead", "socket round trip / in-process call",
	     r_in > 0 && r_sk > 0 ? r_in / r_sk : NAN, "x", "-", "");
	if (vm_create(&in, "bench") == 0 && vm_create(&sk, "bench") == 0) {
		double wi = bench_rate(o, op_write, &in), ws = bench_rate(o, op_write, &sk);

		w_in = wi > 0 ? wi * WRITE_LEN / 1e6 : NAN;
		w_sk = ws > 0 ? ws * WRITE_LEN / 1e6 : NAN;
	}
	emit("daemon.vm_write_inproc", "VM_WRITE of 4 MiB into guest RAM, in-process", w_in, "MB/s",
	     "-", "");
	emit("daemon.vm_write_socket", "VM_WRITE of 4 MiB into guest RAM through swsevd", w_sk,
	     "MB/s", "-", "the blob goes by writev, zero-copy decode in the daemon");
	emit("daemon.vm_write_ratio", "4 MiB VM_WRITE: in-process time / socket time", w_sk / w_in,
	     "x", "-", "");
out:
	swsev_client_close(sk.c);
	swsev_client_close(in.c);
	if (pid > 0) {
		int st;

		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
	}
	if (h)
		swsev_host_free(h);
	swsev_fw_free(fw);
	if (have_ops)
		swsev_fw_ops_release(&ops);
	swsev_vendor_root_free(root);
	free(in.buf);
	rm_state(dir);
}
