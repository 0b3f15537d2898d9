/*
 * The end-to-end launch of a 4 MiB firmware image through the host layer
 * (issue 4 targets): in-process (swsev_client_inproc) against the same
 * work through a real swsevd (the socket transport), and concurrent
 * launches through the daemon by 1, 2 and 4 clients.
 *
 * One launch: VM_CREATE, KVM_SEV_INIT, LAUNCH_START, load 4 MiB at
 * 4 GiB - 4 MiB, LAUNCH_UPDATE_DATA, LAUNCH_MEASURE, LAUNCH_SECRET (a
 * packet sealed with the all-zero TEK/TIK of a launch without a session),
 * LAUNCH_FINISH, VM_DESTROY.
 *
 * The daemon is $SWSEVD or $BUILD/swsevd, started on a temporary state
 * directory with a 2048-bit vendor root made here (so no RSA-4096 key
 * generation is timed or waited for).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "swsev/client.h"
#include "swsev/crypto.h"
#include "swsev/fw.h"
#include "swsev/host.h"
#include "swsev/kvm-sev.h"
#include "swsev/launch.h"

extern char **environ;

#define IMG (4u << 20)
#define SECRET_GPA 0x800000ull

static uint8_t *g_img;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static int call(swsev_client *c, struct swsev_req *r, struct swsev_rsp *s)
{
	if (swsev_client_call(c, r, s) != SWSEV_OK)
		return -1;
	return s->err == 0 ? 0 : -1;
}

static int kvm(swsev_client *c, uint32_t vm, uint32_t cmd, const void *arg, size_t n)
{
	struct swsev_req r;
	struct swsev_rsp s;
	int rc;

	memset(&r, 0, sizeof(r));
	r.op = SWSEV_OP_KVM;
	r.vm = vm;
	r.cmd = cmd;
	if (arg)
		memcpy(r.arg, arg, n);
	r.arg_len = (uint32_t)n;
	rc = call(c, &r, &s);
	swsev_rsp_clear(&s);
	return rc;
}

static int one_launch(swsev_client *c, const char *name)
{
	struct swsev_req r;
	struct swsev_rsp s;
	uint8_t a[48], m[48], zero[16] = { 0 }, iv[16] = { 0 }, secret[64], ct[64],
			      hb[SWSEV_PKT_HDR_LEN];
	struct swsev_pkt_hdr hdr;
	uint32_t vm;
	uint64_t gpa = SWSEV_GPA_4G - IMG;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.op = SWSEV_OP_VM_CREATE;
	put64(r.arg, 64ull << 20);
	put32(r.arg + 8, 0);
	r.arg_len = 12;
	r.in[0].p = (uint8_t *)(uintptr_t)name;
	r.in[0].len = (uint32_t)strlen(name);
	r.in[0].present = 1;
	if (call(c, &r, &s)) {
		swsev_rsp_clear(&s);
		return -1;
	}
	vm = (uint32_t)s.arg[0] | (uint32_t)s.arg[1] << 8 | (uint32_t)s.arg[2] << 16 |
	     (uint32_t)s.arg[3] << 24;
	swsev_rsp_clear(&s);
	memset(a, 0, sizeof(a));
	if (kvm(c, vm, KVM_SEV_INIT, NULL, 0) || kvm(c, vm, KVM_SEV_LAUNCH_START, a, 40))
		goto out;
	for (uint32_t off = 0; off < IMG; off += 1u << 20) {
		memset(&r, 0, sizeof(r));
		r.op = SWSEV_OP_VM_WRITE;
		r.vm = vm;
		put64(r.arg, gpa + off);
		r.arg_len = 8;
		r.in[0].p = g_img + off;
		r.in[0].len = 1u << 20;
		r.in[0].present = 1;
		if (call(c, &r, &s)) {
			swsev_rsp_clear(&s);
			goto out;
		}
		swsev_rsp_clear(&s);
	}
	memset(a, 0, 16);
	put64(a, gpa);
	put32(a + 8, IMG);
	if (kvm(c, vm, KVM_SEV_LAUNCH_UPDATE_DATA, a, 16))
		goto out;
	memset(&r, 0, sizeof(r));
	r.op = SWSEV_OP_KVM;
	r.vm = vm;
	r.cmd = KVM_SEV_LAUNCH_MEASURE;
	memset(r.arg, 0, 16);
	put32(r.arg + 8, 48);
	r.arg_len = 16;
	r.in[0].present = 1;
	if (call(c, &r, &s) || s.out[0].len != 48) {
		swsev_rsp_clear(&s);
		goto out;
	}
	memcpy(m, s.out[0].p, 48);
	swsev_rsp_clear(&s);
	memset(secret, 0x5a, sizeof(secret));
	if (swsev_pkt_seal(zero, zero, SWSEV_CTX_SECRET, iv, secret, sizeof(secret), m, &hdr, ct) !=
	    SWSEV_OK)
		goto out;
	swsev_pkt_hdr_encode(&hdr, hb);
	memset(&r, 0, sizeof(r));
	r.op = SWSEV_OP_KVM;
	r.vm = vm;
	r.cmd = KVM_SEV_LAUNCH_SECRET;
	memset(r.arg, 0, 48);
	put32(r.arg + 8, sizeof(hb));
	put64(r.arg + 16, SECRET_GPA);
	put32(r.arg + 24, sizeof(ct));
	put32(r.arg + 40, sizeof(ct));
	r.arg_len = 48;
	r.in[0].p = hb;
	r.in[0].len = sizeof(hb);
	r.in[0].present = 1;
	r.in[2].p = ct;
	r.in[2].len = sizeof(ct);
	r.in[2].present = 1;
	if (call(c, &r, &s)) {
		swsev_rsp_clear(&s);
		goto out;
	}
	swsev_rsp_clear(&s);
	if (kvm(c, vm, KVM_SEV_LAUNCH_FINISH, NULL, 0))
		goto out;
	rc = 0;
out:
	memset(&r, 0, sizeof(r));
	r.op = SWSEV_OP_VM_DESTROY;
	r.vm = vm;
	if (call(c, &r, &s))
		rc = -1;
	swsev_rsp_clear(&s);
	return rc;
}

struct lctx {
	swsev_client *c;
	unsigned n;
	int tag;
};

static int op_launch(void *arg)
{
	struct lctx *x = arg;
	char name[32];

	snprintf(name, sizeof(name), "bench%d-%u", x->tag, x->n++);
	return one_launch(x->c, name);
}

/* ---- the daemon ---- */

struct daemon {
	pid_t pid;
	char dir[64], sock[128];
};

static int daemon_start(struct daemon *d, const swsev_vendor_root *root)
{
	const char *bin = getenv("SWSEVD");
	char binbuf[512], state[128], rootdir[128];
	char *argv[11];
	struct stat st;

	memset(d, 0, sizeof(*d));
	if (bin == NULL) {
		snprintf(binbuf, sizeof(binbuf), "%s/swsevd",
			 getenv("BUILD") ? getenv("BUILD") : "build");
		bin = binbuf;
	}
	if (access(bin, X_OK) != 0)
		return -1;
	snprintf(d->dir, sizeof(d->dir), "/tmp/swsev-bench.XXXXXX");
	if (mkdtemp(d->dir) == NULL)
		return -1;
	snprintf(state, sizeof(state), "%s/state", d->dir);
	snprintf(rootdir, sizeof(rootdir), "%s/root", d->dir);
	snprintf(d->sock, sizeof(d->sock), "%s/s.sock", d->dir);
	if (mkdir(rootdir, 0700) != 0 || swsev_vendor_root_save(root, rootdir) != SWSEV_OK)
		return -1;
	argv[0] = (char *)bin;
	argv[1] = "--state";
	argv[2] = state;
	argv[3] = "--socket";
	argv[4] = d->sock;
	argv[5] = "--vendor-root";
	argv[6] = rootdir;
	argv[7] = "--foreground";
	argv[8] = "--log-level";
	argv[9] = "error";
	argv[10] = NULL;
	if (posix_spawn(&d->pid, bin, NULL, NULL, argv, environ) != 0)
		return -1;
	for (int i = 0; i < 600; i++) {
		if (stat(d->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			d->pid = 0;
			return -1;
		}
		usleep(50000);
	}
	return -1;
}

static void rmrf_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_host: could not remove %s\n", dir);
}

static void daemon_stop(struct daemon *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
	}
	if (d->dir[0])
		rmrf_dir(d->dir);
}

/* ---- concurrent clients ---- */

struct worker {
	const char *sock;
	int tag;
	unsigned count;
	int ok;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct lctx x = { .tag = w->tag };

	if (swsev_client_connect(w->sock, &x.c) != SWSEV_OK)
		return NULL;
	for (unsigned i = 0; i < w->count; i++)
		if (op_launch(&x) != 0) {
			swsev_client_close(x.c);
			return NULL;
		}
	swsev_client_close(x.c);
	w->ok = 1;
	return NULL;
}

static double clients_rate(const char *sock, unsigned nclients, unsigned per)
{
	pthread_t t[8];
	struct worker w[8];
	double t0, t1;
	int ok = 1;

	t0 = bench_now();
	for (unsigned i = 0; i < nclients; i++) {
		w[i] = (struct worker){ .sock = sock,
					.tag = 100 + (int)(nclients * 10 + i),
					.count = per };
		if (pthread_create(&t[i], NULL, worker, &w[i]) != 0)
			return -1;
	}
	for (unsigned i = 0; i < nclients; i++) {
		pthread_join(t[i], NULL);
		ok &= w[i].ok;
	}
	t1 = bench_now();
	return ok ? (double)(nclients * per) / (t1 - t0) : -1;
}

void bench_host(const struct bench_opts *o)
{
	struct swsev_fw_ops ops;
	swsev_vendor_root *root = NULL;
	swsev_fw *fw = NULL;
	swsev_host *h = NULL;
	struct lctx in = { .tag = 1 }, dm = { .tag = 2 };
	struct daemon d = { 0 };
	double r_in = NAN, r_dm = NAN, rc[3] = { NAN, NAN, NAN };
	static const unsigned nclients[3] = { 1, 2, 4 };
	int have_ops = 0;

	g_img = malloc(IMG);
	if (g_img == NULL || swsev_random(g_img, IMG) != SWSEV_OK ||
	    swsev_vendor_root_new(2048, &root) != SWSEV_OK || swsev_nvmem_ops(&ops) != SWSEV_OK) {
		bench_fail("host.launch4m.inproc", "launch of a 4 MiB image, in-process",
			   "setup failed");
		goto out;
	}
	have_ops = 1;
	if (swsev_fw_new(swsev_profile_find("genoa"), &ops, root, &fw) != SWSEV_OK ||
	    swsev_host_new(fw, &h) != SWSEV_OK || swsev_client_inproc(h, &in.c) != SWSEV_OK) {
		bench_fail("host.launch4m.inproc", "launch of a 4 MiB image, in-process",
			   "platform setup failed");
		goto out;
	}
	r_in = bench_rate(o, op_launch, &in);
	{
		struct bench_row row = {
			.id = "host.launch4m.inproc",
			.figure = "launch of a 4 MiB image, in-process (start..finish)",
			.value = r_in,
			.unit = "op/s",
			.prim = "-",
			.target = "-",
			.series = "-",
			.note = "create, INIT, LAUNCH_START, load, UPDATE_DATA, MEASURE, SECRET, FINISH, destroy"
		};
		if (r_in < 0)
			bench_fail(row.id, row.figure, "a launch failed");
		else
			bench_emit(&row);
	}
	if (daemon_start(&d, root) != 0 || swsev_client_connect(d.sock, &dm.c) != SWSEV_OK) {
		bench_fail("host.launch4m.daemon", "launch of a 4 MiB image through swsevd",
			   "could not start swsevd (build it first)");
		goto out;
	}
	r_dm = bench_rate(o, op_launch, &dm);
	{
		struct bench_row row = { .id = "host.launch4m.daemon",
					 .figure =
						 "launch of a 4 MiB image through swsevd (socket)",
					 .value = r_dm,
					 .unit = "op/s",
					 .prim = "-",
					 .target = "-",
					 .series = "-",
					 .note = "same work as host.launch4m.inproc" };
		struct bench_row ratio = { .id = "host.launch4m.daemon_vs_inproc",
					   .figure =
						   "daemon launch speed / in-process launch speed",
					   .value = r_dm / r_in,
					   .unit = "x",
					   .prim = "-",
					   .target = ">=0.667",
					   .series = "-",
					   .note = "issue 4: within 1.5x of in-process" };
		if (r_dm < 0) {
			bench_fail(row.id, row.figure, "a launch failed");
		} else {
			bench_emit(&row);
			if (r_in > 0)
				bench_emit(&ratio);
		}
	}
	swsev_client_close(dm.c);
	dm.c = NULL;
	for (int i = 0; i < 3; i++) {
		unsigned per =
			o->quick ? 2 :
				   (unsigned)(o->seconds * (r_dm > 0 ? r_dm : 5) / nclients[i]) + 2;
		char fig[96];
		struct bench_row row = {
			.id = NULL,
			.figure = fig,
			.unit = "op/s",
			.prim = "-",
			.target = "-",
			.series = "launch_clients",
			.x = nclients[i],
			.note = "each client its own connection, launches back to back"
		};
		char id[64];

		if (per > 200)
			per = 200;
		snprintf(id, sizeof(id), "host.launch4m.clients%u", nclients[i]);
		snprintf(fig, sizeof(fig), "launches/s through swsevd, %u concurrent client%s",
			 nclients[i], nclients[i] > 1 ? "s" : "");
		row.id = id;
		rc[i] = clients_rate(d.sock, nclients[i], per);
		row.value = rc[i];
		if (rc[i] < 0)
			bench_fail(id, fig, "a launch failed");
		else
			bench_emit(&row);
	}
	if (rc[0] > 0 && rc[1] > 0) {
		struct bench_row row = {
			.id = "host.launch4m.scaling2",
			.figure = "launch throughput, 2 clients / 1 client",
			.value = rc[1] / rc[0],
			.unit = "x",
			.prim = "-",
			.target = ">=1.7",
			.series = "-",
			.note = "issue 4: real firmware serializes all guests (<=1x)"
		};
		bench_emit(&row);
	}
out:
	if (dm.c)
		swsev_client_close(dm.c);
	daemon_stop(&d);
	if (in.c)
		swsev_client_close(in.c);
	swsev_host_free(h);
	swsev_fw_free(fw);
	if (have_ops)
		swsev_fw_ops_release(&ops);
	swsev_vendor_root_free(root);
	free(g_img);
	g_img = NULL;
}
