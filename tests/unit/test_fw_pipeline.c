/*
 * The firmware pipeline (lib/fw/pipeline.c) and the commands around it:
 * the job engine's ordering, window and error rules; chunk geometry; the
 * incremental HMAC; LAUNCH_UPDATE_DATA byte-identical with and without the
 * worker (two platforms from one deterministic seed, one with the pipeline
 * switched off); SEND_UPDATE_DATA with the channel's kept MAC context and
 * the IV pool, its packets opened by a real receiver, also after a new
 * SEND_START; concurrent commands on one platform.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fw/fw_int.h"
#include "test_fw_util.h"

#define ASID 300 /* genoa: SEV (non-ES) ASIDs are 201..1006 */
#define SEED "pipeline test seed"

/* ---- the job engine on synthetic jobs ---- */

struct syn {
	uint32_t n, ahead;
	uint32_t vals[4096];
	_Atomic uint32_t consumed;
	_Atomic uint32_t produced_by_worker;
	_Atomic uint32_t window_violations;
	_Atomic uint32_t produce_calls;
	uint32_t consume_next, consume_calls, order_errors;
	uint32_t fail_produce_at, fail_consume_at; /* UINT32_MAX: never */
	unsigned spin_us;
	pthread_t caller;
};

static void spin_us(unsigned us)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < (long)us * 1000L);
}

static uint16_t syn_produce(void *arg, uint32_t i)
{
	struct syn *s = arg;

	atomic_fetch_add(&s->produce_calls, 1);
	if (i >= atomic_load(&s->consumed) + s->ahead)
		atomic_fetch_add(&s->window_violations, 1);
	if (!pthread_equal(pthread_self(), s->caller))
		atomic_fetch_add(&s->produced_by_worker, 1);
	if (i == s->fail_produce_at)
		return SEV_STATUS_INVALID_ADDRESS;
	s->vals[i] = i * 7u + 1u;
	return SEV_STATUS_SUCCESS;
}

static uint16_t syn_consume(void *arg, uint32_t i)
{
	struct syn *s = arg;

	s->consume_calls++;
	if (i != s->consume_next++ || s->vals[i] != i * 7u + 1u)
		s->order_errors++;
	if (s->spin_us)
		spin_us(s->spin_us);
	atomic_store(&s->consumed, i + 1);
	return i == s->fail_consume_at ? SEV_STATUS_HWERROR_PLATFORM : SEV_STATUS_SUCCESS;
}

static void syn_init(struct syn *s, uint32_t n, uint32_t ahead)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->ahead = ahead;
	s->fail_produce_at = s->fail_consume_at = UINT32_MAX;
	s->caller = pthread_self();
}

static uint16_t syn_run(swsev_fw *fw, struct syn *s)
{
	struct fw_pipe_job job = { .n = s->n,
				   .ahead = s->ahead,
				   .produce = syn_produce,
				   .consume = syn_consume,
				   .arg = s };
	uint8_t *ring = NULL;
	uint16_t st;
	int tries = 0;

	/* the worker may still be clearing the last job's scratch (and be
	 * preempted doing it on a loaded machine): retry for up to a second */
	while (!fw_pipe_acquire(fw, &ring)) {
		struct timespec ms = { 0, 1000000 };
		if (++tries == 1000)
			return 0xffff;
		nanosleep(&ms, NULL);
	}
	CHECK(ring != NULL);
	st = fw_pipe_run(fw, &job);
	fw_pipe_release(fw, 4096);
	return st;
}

TEST(engine_order_and_window)
{
	static const uint32_t cases[][2] = { { 1, 1 },    { 2, 1 }, { 5, 2 },   { 64, 8 },
					     { 300, 16 }, { 4, 4 }, { 4096, 3 } };
	static struct syn s;
	struct tplat p;
	uint64_t runs0, runs1, wc;

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(fw_pipe_stats(p.fw, &runs0, &wc), 1); /* this machine has a second CPU */
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int rep = 0; rep < 20; rep++) {
			syn_init(&s, cases[c][0], cases[c][1]);
			s.spin_us = rep % 4 == 0 ? 20 : 0;
			CHECK_EQ(syn_run(p.fw, &s), SEV_STATUS_SUCCESS);
			CHECK_EQ(s.consume_calls, s.n);
			CHECK_EQ(atomic_load(&s.produce_calls), s.n);
			CHECK_EQ(s.order_errors, 0);
			CHECK_EQ(atomic_load(&s.window_violations), 0);
		}
	}
	fw_pipe_stats(p.fw, &runs1, &wc);
	CHECK_EQ(runs1 - runs0, 20 * sizeof(cases) / sizeof(cases[0]));

	/* a slow consumer: the worker produces ahead (retried: on a loaded
	 * machine it may not be scheduled during one short job) */
	{
		uint32_t by_worker = 0;
		for (int rep = 0; rep < 200 && by_worker == 0; rep++) {
			syn_init(&s, 64, 8);
			s.spin_us = 100;
			CHECK_EQ(syn_run(p.fw, &s), SEV_STATUS_SUCCESS);
			CHECK_EQ(s.order_errors, 0);
			CHECK_EQ(atomic_load(&s.window_violations), 0);
			by_worker = atomic_load(&s.produced_by_worker);
		}
		CHECK(by_worker > 0);
	}

	/* one claim at a time; a disabled pipeline cannot be claimed */
	{
		uint8_t *r1, *r2;
		CHECK_EQ(fw_pipe_acquire(p.fw, &r1), 1);
		CHECK_EQ(fw_pipe_acquire(p.fw, &r2), 0);
		fw_pipe_release(p.fw, 0);
		fw_pipe_enable(p.fw, 0);
		CHECK_EQ(fw_pipe_acquire(p.fw, &r2), 0);
		fw_pipe_enable(p.fw, 1);
		CHECK_EQ(fw_pipe_acquire(p.fw, &r2), 1);
		/* a release with a wipe pending: the next claim clears the ring
		 * itself or waits for the worker to finish clearing it */
		for (int i = 0; i < 50; i++) {
			int got = 0;
			struct timespec ms = { 0, 1000000 };
			r2[0] = 0xa5;
			r2[FW_PIPE_RING - 1] = 0x5a;
			fw_pipe_release(p.fw, FW_PIPE_RING);
			for (int t = 0; t < 1000 && !got; t++) {
				got = fw_pipe_acquire(p.fw, &r2);
				if (!got)
					nanosleep(&ms, NULL);
			}
			CHECK(got);
			CHECK(r2[0] == 0 && r2[FW_PIPE_RING - 1] == 0);
		}
		fw_pipe_release(p.fw, 0);
	}
	t_plat_free(&p);
}

TEST(engine_errors)
{
	static struct syn s;
	struct tplat p;

	CHECK(t_plat_new(&p, "genoa") == 0);
	for (uint32_t k = 0; k < 40; k += 3) {
		/* produce fails at k: its status, chunks before k consumed, none after */
		syn_init(&s, 40, 4);
		s.fail_produce_at = k;
		s.spin_us = k % 2 ? 10 : 0;
		CHECK_EQ(syn_run(p.fw, &s), SEV_STATUS_INVALID_ADDRESS);
		CHECK_EQ(s.consume_calls, k);
		CHECK_EQ(s.order_errors, 0);
		/* consume fails at k: its status, nothing consumed after it */
		syn_init(&s, 40, 4);
		s.fail_consume_at = k;
		CHECK_EQ(syn_run(p.fw, &s), SEV_STATUS_HWERROR_PLATFORM);
		CHECK_EQ(s.consume_calls, k + 1);
		CHECK(atomic_load(&s.produce_calls) <= k + 1 + 4);
	}
	/* bad shapes are refused; an empty job succeeds */
	{
		struct fw_pipe_job job = { .n = 4,
					   .ahead = FW_PIPE_MAX_AHEAD + 1,
					   .produce = syn_produce,
					   .consume = syn_consume,
					   .arg = &s };
		uint8_t *ring;
		CHECK_EQ(fw_pipe_acquire(p.fw, &ring), 1);
		CHECK_EQ(fw_pipe_run(p.fw, &job), SEV_STATUS_HWERROR_PLATFORM);
		job.ahead = 0;
		CHECK_EQ(fw_pipe_run(p.fw, &job), SEV_STATUS_HWERROR_PLATFORM);
		job.n = 0;
		job.ahead = 1;
		CHECK_EQ(fw_pipe_run(p.fw, &job), SEV_STATUS_SUCCESS);
		fw_pipe_release(p.fw, 0);
	}
	/* and the pipeline still works afterwards */
	syn_init(&s, 100, 8);
	CHECK_EQ(syn_run(p.fw, &s), SEV_STATUS_SUCCESS);
	CHECK_EQ(s.consume_calls, 100);
	t_plat_free(&p);
}

/* ---- chunk geometry ---- */

TEST(span_geometry)
{
	static const uint64_t starts[] = { 0, 16, 1008, 1024, 4080, 4096, 0x10000 - 16, 0x123450 };
	static const uint64_t lens[] = { 16,      1008,    1024,   4096,    4112,
					 0x10000, 0x10010, 0x5000, 3u << 20 };
	static const uint32_t geo[][2] = {
		{ 1024, 4096 }, { 4096, 16384 }, { 4096, 65536 }, { 4096, 4096 }
	};
	unsigned bad = 0;

	for (size_t g = 0; g < sizeof(geo) / sizeof(geo[0]); g++)
		for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
			for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
				uint64_t a = 0x10000000ULL + starts[i], pos = a, lo;
				uint32_t first = geo[g][0], ch = geo[g][1];
				struct fw_span sp;
				size_t n;

				fw_span_init(&sp, a, lens[j], first, ch);
				for (uint32_t k = 0; k < sp.n; k++) {
					fw_span_get(&sp, k, &lo, &n);
					/* the chunks tile the range in order, none empty */
					bad += lo != pos || n == 0;
					/* chunk 0 stops at the first `first` boundary, the
					 * others never cross a ch boundary */
					if (k == 0)
						bad += (lo + n) % first != 0 &&
						       lo + n != a + lens[j];
					else
						bad += lo / ch != (lo + n - 1) / ch;
					pos = lo + n;
				}
				bad += pos != a + lens[j];
			}
	CHECK_EQ(bad, 0);
	/* a 16 KiB packet on a page: 1 KiB, 3 KiB, then three pages */
	{
		struct fw_span sp;
		uint64_t lo;
		size_t n;
		fw_span_init(&sp, 0x10000000ULL, 0x4000, 1024, 4096);
		CHECK_EQ(sp.n, 5);
		fw_span_get(&sp, 1, &lo, &n);
		CHECK_EQ(lo, 0x10000400ULL);
		CHECK_EQ(n, 0xc00);
		fw_span_get(&sp, 4, &lo, &n);
		CHECK_EQ(lo, 0x10003000ULL);
		CHECK_EQ(n, 0x1000);
	}
}

/* ---- incremental HMAC ---- */

TEST(hmac_stream)
{
	static uint8_t msg[20000];
	uint8_t key[16], want[32], got[32], again[32];
	swsev_hmac_ctx *c = NULL;
	struct swsev_iov part = { msg, sizeof(msg) };

	t_pattern(msg, sizeof(msg), 3);
	memset(key, 0x17, sizeof(key));
	CHECK_EQ(swsev_hmac_sha256_v(key, sizeof(key), &part, 1, want), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_new(key, sizeof(key), &c), SWSEV_OK);
	/* pieces of uneven sizes, empty ones included */
	for (size_t off = 0, step = 1; off < sizeof(msg); step = step * 3 + 1) {
		size_t n = step > sizeof(msg) - off ? sizeof(msg) - off : step;
		CHECK_EQ(swsev_hmac_sha256_update(c, msg + off, n), SWSEV_OK);
		CHECK_EQ(swsev_hmac_sha256_update(c, msg, 0), SWSEV_OK);
		off += n;
	}
	CHECK_EQ(swsev_hmac_sha256_final(c, got), SWSEV_OK);
	CHECK_MEM(got, want, 32);
	/* spent until reset */
	CHECK_EQ(swsev_hmac_sha256_update(c, msg, 1), SWSEV_E_STATE);
	CHECK_EQ(swsev_hmac_sha256_final(c, again), SWSEV_E_STATE);
	/* reset: the same key again */
	CHECK_EQ(swsev_hmac_sha256_reset(c), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_update(c, msg, sizeof(msg)), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_final(c, again), SWSEV_OK);
	CHECK_MEM(again, want, 32);
	/* a flipped message byte, a flipped key byte: other MACs */
	msg[12345] ^= 1;
	CHECK_EQ(swsev_hmac_sha256_reset(c), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_update(c, msg, sizeof(msg)), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_final(c, got), SWSEV_OK);
	CHECK(memcmp(got, want, 32) != 0);
	msg[12345] ^= 1;
	swsev_hmac_sha256_free(c);
	key[0] ^= 1;
	CHECK_EQ(swsev_hmac_sha256_new(key, sizeof(key), &c), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_update(c, msg, sizeof(msg)), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_final(c, got), SWSEV_OK);
	CHECK(memcmp(got, want, 32) != 0);
	swsev_hmac_sha256_free(c);
	/* RFC 4231 test case 2: key "Jefe" */
	CHECK_EQ(swsev_hmac_sha256_new("Jefe", 4, &c), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_update(c, "what do ya want ", 16), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_update(c, "for nothing?", 12), SWSEV_OK);
	CHECK_EQ(swsev_hmac_sha256_final(c, got), SWSEV_OK);
	CHECK_HEX(got, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	swsev_hmac_sha256_free(c);
	/* bad arguments */
	CHECK_EQ(swsev_hmac_sha256_new(NULL, 1, &c), SWSEV_E_INVALID);
	CHECK(c == NULL);
	CHECK_EQ(swsev_hmac_sha256_update(NULL, msg, 1), SWSEV_E_INVALID);
	CHECK_EQ(swsev_hmac_sha256_reset(NULL), SWSEV_E_INVALID);
	swsev_hmac_sha256_free(NULL);
}

/* ---- the commands, pipelined and not ---- */

static int det_plat(struct tplat *p, int pipe)
{
	memset(p, 0, sizeof(*p));
	if (swsev_nvmem_ops(&p->ops) != SWSEV_OK ||
	    swsev_fw_ops_deterministic(&p->ops, SEED, strlen(SEED)) != SWSEV_OK ||
	    swsev_fw_new(swsev_profile_find("genoa"), &p->ops, t_root(), &p->fw) != SWSEV_OK)
		return -1;
	p->mem = swsev_fw_dram(p->fw);
	fw_pipe_enable(p->fw, pipe);
	return t_init_flush(p, 0) == SEV_STATUS_SUCCESS ? 0 : -1;
}

/* LAUNCH_START, ACTIVATE, the image in pieces, LAUNCH_MEASURE. */
static void lud_launch(struct tplat *p, uint64_t pa, const uint8_t *img, uint32_t len,
		       const uint32_t *pieces, uint8_t m[48])
{
	uint32_t h = 0, off = 0;

	t_write(p, pa, img, len);
	CHECK_EQ(t_launch_start(p, 0, 0, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(p, h, ASID), SEV_STATUS_SUCCESS);
	for (int i = 0; off < len; i++) {
		uint32_t n = pieces[i] == 0 || pieces[i] > len - off ? len - off : pieces[i];
		CHECK_EQ(t_update(p, SEV_CMD_LAUNCH_UPDATE_DATA, h, pa + off, n),
			 SEV_STATUS_SUCCESS);
		off += n;
	}
	CHECK_EQ(t_measure(p, h, m), SEV_STATUS_SUCCESS);
}

TEST(launch_update_identical)
{
	static const struct {
		uint64_t off;
		uint32_t len;
		uint32_t pieces[3];
	} cases[] = {
		{ 0, 16, { 0 } },
		{ 0, 32 * 1024, { 0 } },
		{ 16, 64 * 1024 + 32, { 0 } },
		{ 4096 - 16, (1u << 20) + 16, { 0 } },
		{ 0x30, 600 * 1024, { 40 * 1024, 300 * 1024, 0 } },
		{ 0x40, 300 * 1024, { 0 } },
		{ 0, 3u << 20, { 0 } },
		{ 0x1230, (5u << 20) + 0x40, { 1u << 20, 0 } },
	};
	const struct swsev_profile *prof = swsev_profile_find("genoa");
	uint64_t runs0 = 0, runs1 = 0, wc = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint32_t len = cases[c].len;
		uint64_t pa = T_GUEST + cases[c].off;
		uint8_t *img = malloc(len), *ca = malloc(len), *cb = malloc(len),
			*back = malloc(len);
		uint8_t ma[48], mb[48], ld[32], want[32], zero_tik[16] = { 0 };
		struct tplat a, b;

		CHECK(img && ca && cb && back);
		t_pattern(img, len, (uint32_t)c + 11);
		CHECK(det_plat(&a, 1) == 0 && det_plat(&b, 0) == 0);
		fw_pipe_stats(a.fw, &runs0, &wc);
		lud_launch(&a, pa, img, len, cases[c].pieces, ma);
		lud_launch(&b, pa, img, len, cases[c].pieces, mb);
		fw_pipe_stats(a.fw, &runs1, &wc);
		if (len >= 256 * 1024)
			CHECK(runs1 > runs0); /* the pipelined path ran */
		else
			CHECK_EQ(runs1, runs0); /* small images stay on one thread */
		/* same seed: the same measurement blob (MEASURE || MNONCE) and ciphertext */
		CHECK_MEM(ma, mb, 48);
		t_read(&a, pa, ca, len);
		t_read(&b, pa, cb, len);
		CHECK_MEM(ca, cb, len);
		CHECK(memcmp(ca, img, len < 4096 ? len : 4096) != 0);
		/* the guest sees its image; the digest is SHA-256 of the image */
		CHECK_EQ(swsev_mem_read_enc(a.mem, ASID, pa, back, len), SWSEV_OK);
		CHECK_MEM(back, img, len);
		CHECK_EQ(swsev_sha256(img, len, ld), SWSEV_OK);
		CHECK_EQ(swsev_measure(zero_tik, prof->api_major, prof->api_minor, prof->build, 0,
				       ld, ma + 32, want),
			 SWSEV_OK);
		CHECK_MEM(ma, want, 32);
		t_plat_free(&a);
		t_plat_free(&b);

		/* a flipped image byte changes the measurement */
		if (len >= 64 * 1024) {
			img[len / 2 + 3] ^= 0x10;
			CHECK(det_plat(&a, 1) == 0);
			lud_launch(&a, pa, img, len, cases[c].pieces, ma);
			CHECK(memcmp(ma, mb, 32) != 0);
			CHECK_MEM(ma + 32, mb + 32, 16); /* same nonce: only the digest moved */
			t_plat_free(&a);
		}
		free(img);
		free(ca);
		free(cb);
		free(back);
	}
}

/* SEND_START on p for guest h towards the PDH `target` (policy without
 * SEV/DOMAIN: only the PDH is checked); the session blob goes to sess. */
static uint16_t send_start(struct tplat *p, uint32_t h, const uint8_t target[SWSEV_CERT_LEN],
			   uint8_t sess[SWSEV_SESSION_LEN])
{
	uint8_t b[0x44] = { 0 };
	uint16_t st;

	t_write(p, T_BUF, target, SWSEV_CERT_LEN);
	swsev_wle32(b, h);
	swsev_wle64(b + 0x08, T_BUF);
	swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(b + 0x38, T_BUF2);
	swsev_wle32(b + 0x40, SWSEV_SESSION_LEN);
	st = t_cmd(p, SEV_CMD_SEND_START, b);
	if (st == SEV_STATUS_SUCCESS)
		t_read(p, T_BUF2, sess, SWSEV_SESSION_LEN);
	return st;
}

static uint16_t send_packet(struct tplat *p, uint32_t h, uint64_t ga, uint32_t len, uint8_t *hdr,
			    uint8_t *pkt)
{
	uint16_t st = t_xport(p, SEV_CMD_SEND_UPDATE_DATA, h, T_OUT, SWSEV_PKT_HDR_LEN, ga, len,
			      T_BUF4, len, NULL);
	if (st == SEV_STATUS_SUCCESS) {
		t_read(p, T_OUT, hdr, SWSEV_PKT_HDR_LEN);
		t_read(p, T_BUF4, pkt, len);
	}
	return st;
}

static const struct {
	uint32_t off, len;
} send_cases[] = {
	{ 0, 16 },     { 0, 4096 },        { 0, 8192 }, { 16, 0x4000 }, { 4096 - 32, 0x5000 },
	{ 0, 0x5000 }, { 0x2000, 0x3010 },
};
#define SEND_IMG 0x10000

TEST(send_update_identical)
{
	uint8_t target[SWSEV_CERT_LEN], sa[SWSEV_SESSION_LEN], sb[SWSEV_SESSION_LEN];
	uint8_t ha[SWSEV_PKT_HDR_LEN], hb[SWSEV_PKT_HDR_LEN];
	uint8_t *pa = malloc(FW_SCRATCH), *pb = malloc(FW_SCRATCH);
	struct tplat a, b, t;
	uint32_t gha, ghb;
	uint64_t runs0, runs1, wc, piped = 0;
	int have_worker = 0;

	CHECK(pa && pb);
	CHECK(det_plat(&a, 1) == 0 && det_plat(&b, 0) == 0);
	CHECK(t_plat_new(&t, "genoa") == 0);
	CHECK_EQ(t_init_flush(&t, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&t, target, NULL), SEV_STATUS_SUCCESS);
	gha = t_quick_guest(&a, 0, ASID, SEND_IMG);
	ghb = t_quick_guest(&b, 0, ASID, SEND_IMG);
	CHECK(gha != 0 && ghb != 0);
	CHECK_EQ(send_start(&a, gha, target, sa), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&b, ghb, target, sb), SEV_STATUS_SUCCESS);
	CHECK_MEM(sa, sb, SWSEV_SESSION_LEN);
	for (size_t c = 0; c < sizeof(send_cases) / sizeof(send_cases[0]); c++) {
		uint32_t len = send_cases[c].len;
		uint64_t ga = T_GUEST + send_cases[c].off;

		fw_pipe_stats(a.fw, &runs0, &wc);
		CHECK_EQ(send_packet(&a, gha, ga, len, ha, pa), SEV_STATUS_SUCCESS);
		CHECK_EQ(send_packet(&b, ghb, ga, len, hb, pb), SEV_STATUS_SUCCESS);
		/* from 8 KiB SEND_UPDATE_DATA runs on the pipeline when the
		 * worker is free (it may still be clearing the launch's ring) */
		have_worker = fw_pipe_stats(a.fw, &runs1, &wc);
		CHECK(runs1 - runs0 <= (len >= FW_SEND_PIPE_MIN ? 1u : 0u));
		piped += runs1 - runs0;
		CHECK_MEM(ha, hb, SWSEV_PKT_HDR_LEN);
		CHECK_MEM(pa, pb, len);
	}
	if (have_worker)
		CHECK(piped >= 1);
	/* a new channel after SEND_CANCEL: the MAC is keyed with the new TIK */
	CHECK_EQ(t_handle_cmd(&a, SEV_CMD_SEND_CANCEL, gha), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&b, SEV_CMD_SEND_CANCEL, ghb), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&a, gha, target, sa), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&b, ghb, target, sb), SEV_STATUS_SUCCESS);
	CHECK_MEM(sa, sb, SWSEV_SESSION_LEN);
	CHECK_EQ(send_packet(&a, gha, T_GUEST, 0x4000, ha, pa), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_packet(&b, ghb, T_GUEST, 0x4000, hb, pb), SEV_STATUS_SUCCESS);
	CHECK_MEM(ha, hb, SWSEV_PKT_HDR_LEN);
	CHECK_MEM(pa, pb, 0x4000);
	/* the transport buffer overlapping the guest range: every page is read
	 * before any ciphertext lands on it, as in the sequential path */
	fw_pipe_stats(a.fw, &runs0, &wc);
	for (int i = 0; i < 2; i++) {
		struct tplat *q = i ? &b : &a;
		uint32_t gh = i ? ghb : gha;
		CHECK_EQ(t_xport(q, SEV_CMD_SEND_UPDATE_DATA, gh, T_OUT, SWSEV_PKT_HDR_LEN, T_GUEST,
				 0x4000, T_GUEST + 0x1000, 0x4000, NULL),
			 SEV_STATUS_SUCCESS);
		t_read(q, T_OUT, i ? hb : ha, SWSEV_PKT_HDR_LEN);
		t_read(q, T_GUEST + 0x1000, i ? pb : pa, 0x4000);
	}
	fw_pipe_stats(a.fw, &runs1, &wc);
	CHECK_EQ(runs1 - runs0, 0); /* overlapping: on the calling thread */
	CHECK_MEM(ha, hb, SWSEV_PKT_HDR_LEN);
	CHECK_MEM(pa, pb, 0x4000);
	t_plat_free(&a);
	t_plat_free(&b);
	t_plat_free(&t);
	free(pa);
	free(pb);
}

/* The adaptive choice (fw_pipe_choose, fw_pipe_record): one thread until
 * the pipeline is measured; each period opens with a probe of the other
 * way until FW_PIPE_BURST probes counted (a pipelined one only if the
 * worker took part), the first FW_PIPE_WARM unmeasured; a 1/8-weighted
 * mean that a single outlier cannot move by more than 1/16. */
TEST(send_adaptive_choice)
{
	struct tplat p;
	uint64_t runs, wc;
	uint32_t cost[2], pos = 0;
	unsigned w;

	CHECK(t_plat_new(&p, "genoa") == 0);
	if (!fw_pipe_stats(p.fw, &runs, &wc)) {
		/* no worker (one CPU): never the pipeline */
		CHECK_EQ(fw_pipe_choose(p.fw, FW_PIPE_SEND), 0u);
		t_plat_free(&p);
		return;
	}
	/* nothing measured: pipeline probes; the worker asleep does not count */
	for (int i = 0; i < 10; i++, pos++) {
		w = fw_pipe_choose(p.fw, FW_PIPE_SEND);
		CHECK_EQ(w, FW_WAY_PIPE | FW_WAY_PROBE);
		fw_pipe_record(p.fw, FW_PIPE_SEND, w, 1, 0, 90000, 16384);
	}
	CHECK(fw_pipe_costs(p.fw, FW_PIPE_SEND, cost));
	CHECK_EQ(cost[1], 0u);
	/* with the worker: the first FW_PIPE_WARM unmeasured, then 750 ns/KiB */
	for (uint32_t i = 0; i < FW_PIPE_BURST; i++, pos++) {
		w = fw_pipe_choose(p.fw, FW_PIPE_SEND);
		CHECK_EQ(w, FW_WAY_PIPE | FW_WAY_PROBE);
		fw_pipe_record(p.fw, FW_PIPE_SEND, w, 1, 3, i < FW_PIPE_WARM ? 90000 : 12000,
			       16384);
	}
	CHECK(fw_pipe_costs(p.fw, FW_PIPE_SEND, cost));
	CHECK_EQ(cost[0], 0u);
	CHECK_EQ(cost[1], 750u);
	/* the burst is over: the pipeline, the only way measured, to the
	 * period's end */
	for (; pos < FW_PIPE_PERIOD; pos++)
		CHECK_EQ(fw_pipe_choose(p.fw, FW_PIPE_SEND), FW_WAY_PIPE);
	/* the next period probes one thread: 1000 ns/KiB */
	for (uint32_t i = 0; i < FW_PIPE_BURST; i++) {
		w = fw_pipe_choose(p.fw, FW_PIPE_SEND);
		CHECK_EQ(w, FW_WAY_PROBE);
		fw_pipe_record(p.fw, FW_PIPE_SEND, w, 0, 0, 16000, 16384);
	}
	CHECK(fw_pipe_costs(p.fw, FW_PIPE_SEND, cost));
	CHECK_EQ(cost[0], 1000u);
	CHECK_EQ(fw_pipe_choose(p.fw, FW_PIPE_SEND), FW_WAY_PIPE);
	/* one preempted command (20x the mean) moves the mean by 1/16 only */
	fw_pipe_record(p.fw, FW_PIPE_SEND, FW_WAY_PIPE, 1, 3, 240000, 16384);
	CHECK(fw_pipe_costs(p.fw, FW_PIPE_SEND, cost));
	CHECK_EQ(cost[1], 796u); /* (7 * 750 + 1125) / 8 */
	CHECK_EQ(fw_pipe_choose(p.fw, FW_PIPE_SEND), FW_WAY_PIPE);
	/* the pipeline turns slower (a busy second core): the mean follows, and
	 * one thread takes over */
	for (int i = 0; i < 16; i++)
		fw_pipe_record(p.fw, FW_PIPE_SEND, FW_WAY_PIPE, 1, 3, 24000, 16384);
	CHECK(fw_pipe_costs(p.fw, FW_PIPE_SEND, cost));
	CHECK(cost[1] > 1000u && cost[1] <= 1500u);
	CHECK_EQ(fw_pipe_choose(p.fw, FW_PIPE_SEND), 0u);
	/* an unknown kind, and a zero length, change nothing */
	CHECK_EQ(fw_pipe_choose(p.fw, FW_PIPE_KINDS), 0u);
	fw_pipe_record(p.fw, FW_PIPE_SEND, 0, 0, 0, 1u << 30, 0);
	CHECK(fw_pipe_costs(p.fw, FW_PIPE_SEND, cost));
	CHECK_EQ(cost[0], 1000u);
	t_plat_free(&p);
}

/* SWSEV_FW_PIPELINE=0: a platform without a worker; packets still right. */
TEST(pipeline_env_off)
{
	uint8_t target[SWSEV_CERT_LEN], sess[SWSEV_SESSION_LEN], hdr[SWSEV_PKT_HDR_LEN];
	uint8_t *pkt = malloc(0x4000);
	struct tplat p, t;
	uint64_t runs, wc;
	uint32_t h;

	CHECK(pkt != NULL);
	CHECK(setenv("SWSEV_FW_PIPELINE", "0", 1) == 0);
	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK(unsetenv("SWSEV_FW_PIPELINE") == 0);
	CHECK_EQ(fw_pipe_stats(p.fw, &runs, &wc), 0);
	CHECK_EQ(fw_pipe_choose(p.fw, FW_PIPE_SEND), 0u);
	CHECK(t_plat_new(&t, "genoa") == 0);
	CHECK_EQ(t_init_flush(&t, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&t, target, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	h = t_quick_guest(&p, 0, ASID, SEND_IMG);
	CHECK(h != 0);
	CHECK_EQ(send_start(&p, h, target, sess), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_packet(&p, h, T_GUEST, 0x4000, hdr, pkt), SEV_STATUS_SUCCESS);
	fw_pipe_stats(p.fw, &runs, &wc);
	CHECK_EQ(runs, 0u);
	t_plat_free(&p);
	t_plat_free(&t);
	free(pkt);
}

/* The IV pool (production randomness): packets a real receiver opens;
 * fresh IVs; a flipped ciphertext byte is refused. */
TEST(send_update_received)
{
	uint8_t target[SWSEV_CERT_LEN], src_pdh[SWSEV_CERT_LEN], sess[SWSEV_SESSION_LEN];
	uint8_t hdr[SWSEV_PKT_HDR_LEN], hdr2[SWSEV_PKT_HDR_LEN], b[0x24] = { 0 };
	uint8_t *pkt = malloc(FW_SCRATCH), *orig = malloc(SEND_IMG), *got = malloc(SEND_IMG);
	struct tplat s, d;
	uint32_t sh, dh;

	CHECK(pkt && orig && got);
	CHECK(t_plat_new(&s, "genoa") == 0 && t_plat_new(&d, "genoa") == 0);
	CHECK_EQ(t_init_flush(&s, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init_flush(&d, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&d, target, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&s, src_pdh, NULL), SEV_STATUS_SUCCESS);
	sh = t_quick_guest(&s, 0, ASID, SEND_IMG);
	CHECK(sh != 0);
	CHECK_EQ(swsev_mem_read_enc(s.mem, ASID, T_GUEST, orig, SEND_IMG), SWSEV_OK);
	CHECK_EQ(send_start(&s, sh, target, sess), SEV_STATUS_SUCCESS);
	/* RECEIVE_START on d with the sender's PDH and the session blob */
	t_write(&d, T_BUF, src_pdh, SWSEV_CERT_LEN);
	t_write(&d, T_BUF2, sess, SWSEV_SESSION_LEN);
	swsev_wle64(b + 8, T_BUF);
	swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(b + 0x18, T_BUF2);
	swsev_wle32(b + 0x20, SWSEV_SESSION_LEN);
	CHECK_EQ(t_cmd(&d, SEV_CMD_RECEIVE_START, b), SEV_STATUS_SUCCESS);
	dh = swsev_le32(b);
	CHECK_EQ(t_activate(&d, dh, ASID + 1), SEV_STATUS_SUCCESS);

	for (size_t c = 0; c < sizeof(send_cases) / sizeof(send_cases[0]); c++) {
		uint32_t off = send_cases[c].off, len = send_cases[c].len;

		CHECK_EQ(send_packet(&s, sh, T_GUEST + off, len, hdr, pkt), SEV_STATUS_SUCCESS);
		/* the same data again: another IV, so another ciphertext */
		CHECK_EQ(send_packet(&s, sh, T_GUEST + off, len, hdr2, pkt), SEV_STATUS_SUCCESS);
		CHECK(memcmp(hdr + 4, hdr2 + 4, 16) != 0);
		/* tampered: refused, nothing written */
		pkt[len / 2] ^= 1;
		t_write(&d, T_OUT, hdr2, sizeof(hdr2));
		t_write(&d, T_BUF4, pkt, len);
		CHECK_EQ(t_xport(&d, SEV_CMD_RECEIVE_UPDATE_DATA, dh, T_OUT, SWSEV_PKT_HDR_LEN,
				 T_GUEST2 + off, len, T_BUF4, len, NULL),
			 SEV_STATUS_BAD_MEASUREMENT);
		pkt[len / 2] ^= 1;
		t_write(&d, T_BUF4, pkt, len);
		CHECK_EQ(t_xport(&d, SEV_CMD_RECEIVE_UPDATE_DATA, dh, T_OUT, SWSEV_PKT_HDR_LEN,
				 T_GUEST2 + off, len, T_BUF4, len, NULL),
			 SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_mem_read_enc(d.mem, ASID + 1, T_GUEST2 + off, got, len), SWSEV_OK);
		CHECK_MEM(got, orig + off, len);
	}
	/* SEND_CANCEL, a new SEND_START (new TEK and TIK) to a new receiving
	 * guest: the kept MAC context must not carry the old TIK over */
	CHECK_EQ(t_handle_cmd(&s, SEV_CMD_SEND_CANCEL, sh), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&s, sh, target, sess), SEV_STATUS_SUCCESS);
	t_write(&d, T_BUF2, sess, SWSEV_SESSION_LEN);
	memset(b, 0, sizeof(b));
	swsev_wle64(b + 8, T_BUF);
	swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(b + 0x18, T_BUF2);
	swsev_wle32(b + 0x20, SWSEV_SESSION_LEN);
	CHECK_EQ(t_cmd(&d, SEV_CMD_RECEIVE_START, b), SEV_STATUS_SUCCESS);
	dh = swsev_le32(b);
	CHECK_EQ(t_activate(&d, dh, ASID + 2), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_packet(&s, sh, T_GUEST, 0x4000, hdr, pkt), SEV_STATUS_SUCCESS);
	t_write(&d, T_OUT, hdr, sizeof(hdr));
	t_write(&d, T_BUF4, pkt, 0x4000);
	CHECK_EQ(t_xport(&d, SEV_CMD_RECEIVE_UPDATE_DATA, dh, T_OUT, SWSEV_PKT_HDR_LEN, T_GUEST,
			 0x4000, T_BUF4, 0x4000, NULL),
		 SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_mem_read_enc(d.mem, ASID + 2, T_GUEST, got, 0x4000), SWSEV_OK);
	CHECK_MEM(got, orig, 0x4000);
	t_plat_free(&s);
	t_plat_free(&d);
	free(pkt);
	free(orig);
	free(got);
}

/* ---- concurrent commands: one worker, two guests ---- */

struct conc {
	struct tplat *p;
	uint32_t h;
	uint64_t pa;
	uint32_t len;
	int rounds;
	uint16_t st;
};

static void *conc_main(void *arg)
{
	struct conc *c = arg;

	c->st = SEV_STATUS_SUCCESS;
	for (int i = 0; i < c->rounds && c->st == SEV_STATUS_SUCCESS; i++) {
		uint8_t b[0x14] = { 0 };
		swsev_wle32(b, c->h);
		swsev_wle64(b + 8, c->pa + (uint64_t)i * c->len);
		swsev_wle32(b + 0x10, c->len);
		c->st = swsev_fw_command(c->p->fw, SEV_CMD_LAUNCH_UPDATE_DATA, b, sizeof(b));
	}
	return NULL;
}

TEST(concurrent_launches)
{
	const uint32_t len = 256 * 1024;
	const int rounds = 8;
	const struct swsev_profile *prof = swsev_profile_find("genoa");
	struct conc c[2];
	pthread_t th[2];
	struct tplat p;
	uint8_t *img = malloc((size_t)len * rounds), m[48], ld[32], want[32], zero_tik[16] = { 0 };
	uint64_t runs, wc;

	CHECK(img != NULL);
	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	for (int i = 0; i < 2; i++) {
		c[i] = (struct conc){
			.p = &p, .pa = i ? T_GUEST2 : T_GUEST, .len = len, .rounds = rounds
		};
		t_pattern(img, (size_t)len * rounds, 100 + (uint32_t)i);
		t_write(&p, c[i].pa, img, (size_t)len * rounds);
		CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &c[i].h), SEV_STATUS_SUCCESS);
		CHECK_EQ(t_activate(&p, c[i].h, ASID + (uint32_t)i), SEV_STATUS_SUCCESS);
	}
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, conc_main, &c[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	fw_pipe_stats(p.fw, &runs, &wc);
	CHECK(runs >= 1);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(c[i].st, SEV_STATUS_SUCCESS);
		t_pattern(img, (size_t)len * rounds, 100 + (uint32_t)i);
		CHECK_EQ(t_measure(&p, c[i].h, m), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_sha256(img, (size_t)len * rounds, ld), SWSEV_OK);
		CHECK_EQ(swsev_measure(zero_tik, prof->api_major, prof->api_minor, prof->build, 0,
				       ld, m + 32, want),
			 SWSEV_OK);
		CHECK_MEM(m, want, 32);
	}
	t_plat_free(&p);
	free(img);
}

TH_MAIN_BEGIN("test_fw_pipeline")
RUN(engine_order_and_window);
RUN(engine_errors);
RUN(span_geometry);
RUN(hmac_stream);
RUN(launch_update_identical);
RUN(send_update_identical);
RUN(send_adaptive_choice);
RUN(pipeline_env_off);
RUN(send_update_received);
RUN(concurrent_launches);
TH_MAIN_END
