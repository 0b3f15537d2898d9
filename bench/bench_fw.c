/*
 * Firmware-core benchmarks (issue 3): LAUNCH_UPDATE_DATA throughput against
 * SHA-256 across image sizes, SEND_UPDATE_DATA against HMAC-SHA256,
 * LAUNCH_START with a session against the P-384 ECDH rate, the latency of
 * the platform commands, and the memory a guest context costs.
 * Everything runs in-process on one platform with in-memory NV storage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "codec/codec.h"
#include "fw/fw_int.h" /* fw_pipe_stats: the worker's share of a pipelined command */
#include "swsev/cert.h"
#include "swsev/fw.h"
#include "swsev/launch.h"
#include "swsev/mem.h"
#include "swsev/status.h"

#define B_GUEST 0x10000000ULL
#define B_BUF 0x01000000ULL
#define B_OUT 0x01400000ULL

struct bfw {
	struct swsev_fw_ops ops;
	swsev_fw *fw;
	swsev_mem *mem;
	uint8_t cmd[0x44];
	uint32_t cmd_id;
	size_t bytes;
};

static swsev_vendor_root *root;

static int bfw_new(struct bfw *b)
{
	uint8_t init[0x14] = { 0 };
	memset(b, 0, sizeof(*b));
	if (root == NULL && swsev_vendor_root_new(2048, &root) != SWSEV_OK)
		return -1;
	if (swsev_nvmem_ops(&b->ops) != SWSEV_OK ||
	    swsev_fw_new(swsev_profile_find("genoa"), &b->ops, root, &b->fw) != SWSEV_OK)
		return -1;
	b->mem = swsev_fw_dram(b->fw);
	if (swsev_fw_command(b->fw, SEV_CMD_INIT, init, sizeof(init)) != 0)
		return -1;
	swsev_fw_wbinvd(b->fw);
	return swsev_fw_command(b->fw, SEV_CMD_DF_FLUSH, NULL, 0) == 0 ? 0 : -1;
}

static void bfw_free(struct bfw *b)
{
	swsev_fw_free(b->fw);
	swsev_fw_ops_release(&b->ops);
}

static uint16_t cmd4(struct bfw *b, uint32_t id, uint32_t h)
{
	uint8_t x[8] = { 0 };
	swsev_wle32(x, h);
	return swsev_fw_command(b->fw, id, x, swsev_cmd_buf_len(id));
}

static int op_cmd(void *arg)
{
	struct bfw *b = arg;
	return swsev_fw_command(b->fw, b->cmd_id, b->cmd, sizeof(b->cmd)) != 0;
}

/* A guest in LUPDATE (ASID 300) or, with `send`, in SUPDATE. */
static int guest(struct bfw *b, size_t len, int send, uint32_t *h)
{
	uint8_t x[0x44] = { 0 }, pdh[SWSEV_CERT_LEN];
	void *img = calloc(1, len);
	int rc = -1;

	if (img == NULL)
		return -1;
	memset(img, 0x5a, len);
	if (swsev_mem_write(b->mem, B_GUEST, img, len) != SWSEV_OK)
		goto out;
	if (swsev_fw_command(b->fw, SEV_CMD_LAUNCH_START, x, 0x24) != 0)
		goto out;
	*h = swsev_le32(x);
	memset(x, 0, sizeof(x));
	swsev_wle32(x, *h);
	swsev_wle32(x + 4, 300);
	if (swsev_fw_command(b->fw, SEV_CMD_ACTIVATE, x, 8) != 0)
		goto out;
	if (!send) {
		rc = 0;
		goto out;
	}
	memset(x, 0, sizeof(x));
	swsev_wle32(x, *h);
	swsev_wle64(x + 8, B_GUEST);
	swsev_wle32(x + 0x10, (uint32_t)len);
	if (swsev_fw_command(b->fw, SEV_CMD_LAUNCH_UPDATE_DATA, x, 0x14) != 0)
		goto out;
	swsev_wle64(x + 8, B_OUT);
	swsev_wle32(x + 0x10, 48);
	if (swsev_fw_command(b->fw, SEV_CMD_LAUNCH_MEASURE, x, 0x14) != 0 ||
	    cmd4(b, SEV_CMD_LAUNCH_FINISH, *h) != 0)
		goto out;
	memset(x, 0, sizeof(x));
	swsev_wle64(x, B_OUT);
	swsev_wle32(x + 8, SWSEV_CERT_LEN);
	swsev_wle64(x + 0x10, B_OUT + 0x1000);
	swsev_wle32(x + 0x18, SWSEV_CHAIN_LEN);
	if (swsev_fw_command(b->fw, SEV_CMD_PDH_CERT_EXPORT, x, 0x1C) != 0 ||
	    swsev_mem_read(b->mem, B_OUT, pdh, sizeof(pdh)) != SWSEV_OK ||
	    swsev_mem_write(b->mem, B_BUF, pdh, sizeof(pdh)) != SWSEV_OK)
		goto out;
	memset(x, 0, sizeof(x));
	swsev_wle32(x, *h);
	swsev_wle64(x + 0x08, B_BUF);
	swsev_wle32(x + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(x + 0x38, B_OUT);
	swsev_wle32(x + 0x40, SWSEV_SESSION_LEN);
	rc = swsev_fw_command(b->fw, SEV_CMD_SEND_START, x, 0x44) != 0;
out:
	free(img);
	return rc;
}

/*
 * LAUNCH_UPDATE_DATA from 256 KiB runs on two threads when the platform's
 * pipeline worker is free (lib/fw/pipeline.c): the calling thread hashes
 * while the worker copies and encrypts, and the caller does any chunk the
 * worker has not claimed in time itself. One pass measures three clocks per round (the best
 * round of each is kept):
 *   thread  the calling thread's CPU time: the headline figure, comparable
 *           with openssl speed's CPU time like every compute figure; the
 *           worker's work is not in it, but work the worker failed to take
 *           is, and so is any spin-wait for it;
 *   all     the CPU time of all the process's threads (caller + worker):
 *           what the speed costs in total;
 *   wall    wall-clock time: what an idle 2-CPU machine would show; on a
 *           loaded machine both threads are preempted and it falls.
 */
struct rates {
	double thread, all, wall;
	double worker_share; /* chunks the worker produced / all chunks */
	double piped_share;  /* commands that ran on the pipeline / all commands */
	int pipelined;       /* the command ran on the pipeline */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int rate3(const struct bench_opts *o, struct bfw *b, uint32_t chunks_per_call,
		 struct rates *out)
{
	double t0 = bench_now(), round = o->seconds / BENCH_ROUNDS_OF(o);
	unsigned long n = 0, batch;
	uint64_t runs0, wc0, runs1, wc1;

	memset(out, 0, sizeof(*out));
	do {
		if (op_cmd(b) != 0)
			return -1;
		n++;
	} while (n < 3 || bench_now() - t0 < o->seconds * 0.05);
	batch = (unsigned long)((double)n / (bench_now() - t0) * 1e-3) + 1;
	fw_pipe_stats(b->fw, &runs0, &wc0);
	n = 0;
	for (int r = 0; r < BENCH_ROUNDS_OF(o); r++) {
		double w0 = bench_now(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		double a0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w, c, a;
		unsigned long k = 0;

		for (;;) {
			for (unsigned long i = 0; i < batch; i++)
				if (op_cmd(b) != 0)
					return -1;
			k += batch;
			if (bench_now() - w0 >= round)
				break;
		}
		w = bench_now() - w0;
		c = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
		a = clock_s(CLOCK_PROCESS_CPUTIME_ID) - a0;
		n += k;
		if (c > 0 && (double)k / c > out->thread)
			out->thread = (double)k / c;
		if (a > 0 && (double)k / a > out->all)
			out->all = (double)k / a;
		if (w > 0 && (double)k / w > out->wall)
			out->wall = (double)k / w;
	}
	fw_pipe_stats(b->fw, &runs1, &wc1);
	out->pipelined = runs1 > runs0;
	if (n > 0)
		out->piped_share = (double)(runs1 - runs0) / (double)n;
	if (n > 0 && chunks_per_call > 0)
		out->worker_share = (double)(wc1 - wc0) / ((double)n * chunks_per_call);
	return 0;
}

/* The companion rows of a pipelined figure: all threads' CPU, wall clock. */
static void emit_companions(const char *id, const char *figure, const char *prim, double rate,
			    const struct rates *rt)
{
	char cid[96], fig[128], note[160];
	struct bench_row r = { .id = cid,
			       .figure = fig,
			       .unit = "MB/s",
			       .prim = prim,
			       .target = "-",
			       .series = "-",
			       .note = note };

	snprintf(cid, sizeof(cid), "%s.cpu_all", id);
	snprintf(fig, sizeof(fig), "%s, per CPU-second of both threads", figure);
	snprintf(note, sizeof(note), "caller + pipeline worker CPU time");
	r.value = rt->all * rate;
	bench_emit(&r);
	snprintf(cid, sizeof(cid), "%s.wall", id);
	snprintf(fig, sizeof(fig), "%s, wall clock", figure);
	snprintf(note, sizeof(note), "wall-clock time: meaningful on an idle machine only");
	r.value = rt->wall * rate;
	bench_emit(&r);
}

static void launch_update(const struct bench_opts *o)
{
	static const size_t sizes[] = { 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20 };
	size_t n = o->quick ? 3 : sizeof(sizes) / sizeof(sizes[0]);

	for (size_t i = 0; i < n; i++) {
		struct bfw b;
		uint32_t h;
		char id[64], fig[96], note[160];
		struct bench_row r = { .id = id,
				       .figure = fig,
				       .unit = "MB/s",
				       .prim = "sha256@16384",
				       /* the firmware issue's figure is the 4 MiB image;
					* the other sizes show the curve */
				       .target = sizes[i] == (4u << 20) ? ">=0.85" : "-",
				       .series = "lud_size",
				       .x = (double)sizes[i],
				       .note = note };
		struct rates rt;
		struct fw_span sp;
		snprintf(id, sizeof(id), "fw.launch_update_data.%zuk", sizes[i] >> 10);
		snprintf(fig, sizeof(fig), "LAUNCH_UPDATE_DATA, %zu KiB image", sizes[i] >> 10);
		if (bfw_new(&b) != 0 || guest(&b, sizes[i], 0, &h) != 0) {
			bench_fail(id, fig, "setup failed");
			bfw_free(&b);
			continue;
		}
		b.cmd_id = SEV_CMD_LAUNCH_UPDATE_DATA;
		memset(b.cmd, 0, sizeof(b.cmd));
		swsev_wle32(b.cmd, h);
		swsev_wle64(b.cmd + 8, B_GUEST);
		swsev_wle32(b.cmd + 0x10, (uint32_t)sizes[i]);
		/* chunks per call as lib/fw/launch.c cuts them */
		fw_span_init(&sp, B_GUEST, sizes[i], 4096,
			     sizes[i] >= (512u << 10) ? 65536 : 16384);
		struct bench_opts lo = bench_long(o);

		if (rate3(sizes[i] == (4u << 20) ? &lo : o, &b, sp.n, &rt) != 0) {
			bench_fail(id, fig, "LAUNCH_UPDATE_DATA failed");
			bfw_free(&b);
			continue;
		}
		if (rt.pipelined)
			snprintf(note, sizeof(note),
				 "caller-thread CPU: SHA-256 while the worker copies and encrypts "
				 "(it produced %.0f%% of the chunks)",
				 rt.worker_share * 100);
		else
			snprintf(note, sizeof(note),
				 "one thread (small images are not pipelined): read, SHA-256, "
				 "encrypt in place");
		r.value = rt.thread * (double)sizes[i] / 1e6;
		bench_emit(&r);
		if (sizes[i] == (4u << 20))
			emit_companions(id, fig, r.prim, (double)sizes[i] / 1e6, &rt);
		bfw_free(&b);
	}
}

/* SEND_UPDATE_DATA of `len`-byte packets (16 KiB: the firmware issue's
 * figure; 4 KiB: what KVM sends, one page per KVM_SEV_SEND_UPDATE_DATA).
 * From 8 KiB the firmware picks one thread or the pipeline by what each
 * has cost lately (fw_pipe_choose); the note says how the run split. */
static void send_update_len(const struct bench_opts *o, uint32_t len)
{
	char id[64], fig[96], note[320];
	int big = len >= FW_SEND_PIPE_MIN;
	struct bench_row r = { .id = id,
			       .figure = fig,
			       .unit = "MB/s",
			       .prim = big ? "hmac-sha256@16384" : "hmac-sha256@4096",
			       .target = big ? ">=0.80" : "-",
			       .series = "-",
			       .note = note };
	struct rates rt;
	struct bfw b;
	uint32_t h;

	snprintf(id, sizeof(id), "fw.send_update_data.%uk", len >> 10);
	snprintf(fig, sizeof(fig), "SEND_UPDATE_DATA, %u KiB packets", len >> 10);
	if (bfw_new(&b) != 0 || guest(&b, 1 << 20, 1, &h) != 0) {
		bench_fail(r.id, r.figure, "setup failed");
		bfw_free(&b);
		return;
	}
	b.cmd_id = SEV_CMD_SEND_UPDATE_DATA;
	memset(b.cmd, 0, sizeof(b.cmd));
	swsev_wle32(b.cmd, h);
	swsev_wle64(b.cmd + 0x08, B_OUT);
	swsev_wle32(b.cmd + 0x10, 52);
	swsev_wle64(b.cmd + 0x18, B_GUEST);
	swsev_wle32(b.cmd + 0x20, len);
	swsev_wle64(b.cmd + 0x28, B_OUT + 0x1000);
	swsev_wle32(b.cmd + 0x30, len);
	struct bench_opts lo = bench_long(o);

	if (rate3(big ? &lo : o, &b, 0, &rt) != 0) {
		bench_fail(r.id, r.figure, "SEND_UPDATE_DATA failed");
		bfw_free(&b);
		return;
	}
	if (big) {
		uint32_t cost[2];
		fw_pipe_costs(b.fw, FW_PIPE_SEND, cost);
		snprintf(note, sizeof(note),
			 "%.0f%% of packets on the pipeline (worker: decrypt under the VEK, "
			 "AES-128-CTR with the TEK, copy out; caller: HMAC with the TIK), the "
			 "rest on one thread, chosen by recent cost: %u ns/KiB one thread, "
			 "%u ns/KiB pipeline at the end",
			 100.0 * rt.piped_share, cost[0], cost[1]);
	} else {
		snprintf(note, sizeof(note),
			 "KVM's packet size (one page per KVM_SEV_SEND_UPDATE_DATA); one "
			 "thread: decrypt under the VEK, AES-128-CTR with the TEK in place, "
			 "HMAC with the TIK (contexts kept per channel, pooled IVs)");
	}
	r.value = rt.thread * len / 1e6;
	bench_emit(&r);
	if (big)
		emit_companions(id, fig, r.prim, (double)len / 1e6, &rt);
	bfw_free(&b);
}

static void send_update(const struct bench_opts *o)
{
	send_update_len(o, 0x4000);
	send_update_len(o, 0x1000);
}

static int op_launch_start(void *arg)
{
	struct bfw *b = arg;
	uint8_t x[0x44];
	memcpy(x, b->cmd, sizeof(x));
	if (swsev_fw_command(b->fw, SEV_CMD_LAUNCH_START, x, 0x24) != 0)
		return 1;
	return cmd4(b, SEV_CMD_DECOMMISSION, swsev_le32(x)) != 0;
}

static void launch_start(const struct bench_opts *o)
{
	struct bench_row r = {
		.id = "fw.launch_start",
		.figure = "LAUNCH_START with a session (+DECOMMISSION)",
		.unit = "op/s",
		.prim = "ecdhp384",
		.target = ">=0.80",
		.series = "-",
		.note = "GODH sanity check, ECDH with the PDH, KDF, MAC checks, unwrap"
	};
	struct bfw b;
	uint8_t pdh_raw[SWSEV_CERT_LEN], godh_raw[SWSEV_CERT_LEN], sess[SWSEV_SESSION_LEN], tek[16],
		tik[16];
	struct swsev_cert pdh, godh;
	struct swsev_session s;
	uint8_t x[0x1C] = { 0 };

	if (bfw_new(&b) != 0)
		goto fail;
	swsev_wle64(x, B_OUT);
	swsev_wle32(x + 8, SWSEV_CERT_LEN);
	swsev_wle64(x + 0x10, B_OUT + 0x1000);
	swsev_wle32(x + 0x18, SWSEV_CHAIN_LEN);
	if (swsev_fw_command(b.fw, SEV_CMD_PDH_CERT_EXPORT, x, sizeof(x)) != 0 ||
	    swsev_mem_read(b.mem, B_OUT, pdh_raw, sizeof(pdh_raw)) != SWSEV_OK ||
	    swsev_cert_parse(pdh_raw, sizeof(pdh_raw), &pdh) != SWSEV_OK ||
	    swsev_owner_session(&pdh, 0, &godh, &s, tek, tik) != SWSEV_OK ||
	    swsev_cert_encode(&godh, godh_raw) != SWSEV_OK)
		goto fail;
	swsev_session_encode(&s, sess);
	if (swsev_mem_write(b.mem, B_BUF, godh_raw, sizeof(godh_raw)) != SWSEV_OK ||
	    swsev_mem_write(b.mem, B_BUF + 0x1000, sess, sizeof(sess)) != SWSEV_OK)
		goto fail;
	memset(b.cmd, 0, sizeof(b.cmd));
	swsev_wle64(b.cmd + 8, B_BUF);
	swsev_wle32(b.cmd + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(b.cmd + 0x18, B_BUF + 0x1000);
	swsev_wle32(b.cmd + 0x20, SWSEV_SESSION_LEN);
	{
		struct bench_opts lo = bench_long(o);
		double rate = bench_rate_cpu(&lo, op_launch_start, &b);
		r.value = rate < 0 ? NAN : rate;
	}
	bench_emit(&r);
	bfw_free(&b);
	return;
fail:
	bench_fail(r.id, r.figure, "setup failed");
	bfw_free(&b);
}

static void latencies(const struct bench_opts *o)
{
	static const struct {
		uint32_t id;
		const char *name;
	} cmds[] = {
		{ SEV_CMD_PLATFORM_STATUS, "platform_status" },
		{ SEV_CMD_GET_ID, "get_id" },
		{ SEV_CMD_PEK_CSR, "pek_csr" },
		{ SEV_CMD_PDH_CERT_EXPORT, "pdh_cert_export" },
		{ SEV_CMD_PDH_GEN, "pdh_gen" },
		{ SEV_CMD_PEK_GEN, "pek_gen" },
		{ SEV_CMD_DF_FLUSH, "df_flush" },
	};
	struct bfw b;

	if (bfw_new(&b) != 0) {
		bench_fail("fw.latency", "platform command latency", "setup failed");
		bfw_free(&b);
		return;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char id[64], fig[96];
		struct bench_row r = { .id = id,
				       .figure = fig,
				       .unit = "us",
				       .prim = "-",
				       .target = "-",
				       .series = "-",
				       .note = "in-process, in-memory NV store" };
		snprintf(id, sizeof(id), "fw.latency.%s", cmds[i].name);
		snprintf(fig, sizeof(fig), "%s latency", swsev_cmd_name(cmds[i].id));
		memset(b.cmd, 0, sizeof(b.cmd));
		swsev_wle64(b.cmd, B_OUT);
		swsev_wle32(b.cmd + 8, SWSEV_CERT_LEN);
		swsev_wle64(b.cmd + 0x10, B_OUT + 0x1000);
		swsev_wle32(b.cmd + 0x18, SWSEV_CHAIN_LEN);
		b.cmd_id = cmds[i].id;
		if (cmds[i].id == SEV_CMD_DF_FLUSH)
			swsev_fw_wbinvd(b.fw);
		{
			double rate = bench_rate_cpu(o, op_cmd, &b);
			r.value = rate <= 0 ? NAN : 1e6 / rate;
		}
		bench_emit(&r);
	}
	bfw_free(&b);
}

static void guest_ctx(const struct bench_opts *o)
{
	const unsigned n = o->quick ? 64 : 1000;
	struct bench_row r = {
		.id = "fw.guest_ctx",
		.figure = "firmware guest context (beyond guest pages)",
		.unit = "B",
		.prim = "-",
		.target = "<=8192",
		.series = "-",
		.note = "heap per guest after LAUNCH_START (context, launch digest state, table slot)"
	};
	struct bfw b;
	size_t h0, h1;

	if (bfw_new(&b) != 0) {
		bench_fail(r.id, r.figure, "setup failed");
		bfw_free(&b);
		return;
	}
	h0 = bench_heap_in_use();
	for (unsigned i = 0; i < n; i++) {
		uint8_t x[0x24] = { 0 };
		if (swsev_fw_command(b.fw, SEV_CMD_LAUNCH_START, x, sizeof(x)) != 0) {
			bench_fail(r.id, r.figure, "LAUNCH_START failed");
			bfw_free(&b);
			return;
		}
	}
	h1 = bench_heap_in_use();
	r.value = (double)(h1 - h0) / n;
	bench_emit(&r);
	bfw_free(&b);
}

void bench_fw(const struct bench_opts *o)
{
	launch_update(o);
	send_update(o);
	launch_start(o);
	latencies(o);
	guest_ctx(o);
	swsev_vendor_root_free(root);
	root = NULL;
}
