/*
 * The firmware's pipeline worker and the transport IV pool (fw_int.h,
 * "pipeline.c"; docs/firmware.md "Pipelining").
 *
 * One worker thread per platform. A command that claims it publishes a run
 * (struct run, on the caller's stack): chunks 0..n-1, each produced once by
 * whichever thread claims it first (an atomic "next unclaimed" counter) and
 * consumed in order by the caller. The worker produces at most `ahead`
 * chunks beyond the consumer (the scratch ring's size). The caller produces
 * a chunk itself when the worker has not claimed it yet, so it never waits
 * for a worker that is asleep, busy or preempted; it waits only for a chunk
 * the worker is producing right now.
 *
 * Waiting: a short spin (the other side is usually about to deliver), then
 * a futex sleep on an event counter. A signal costs an atomic increment,
 * and a syscall only when someone sleeps. The worker polls for the next
 * command for SPIN_IDLE_NS after each one (the LAUNCH_UPDATE_DATA commands
 * of a launch come back to back), then sleeps until a command wakes it.
 *
 * Memory ordering: every shared field is a sequentially consistent atomic,
 * except the run pointer and the chunk statuses, which are published by a
 * later atomic store (open, done) and read after the matching load.
 */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fw/fw_int.h"

#define SPIN_IDLE_NS 50000u  /* worker: polling for the next command */
#define SPIN_CHUNK_NS 20000u /* caller: a chunk the worker is producing */
#define SPIN_WINDOW_NS 2000u /* worker: waiting for the caller to free ring slots */
#define SPIN_WIPE_NS 50000u  /* caller: the worker clearing a whole ring takes about 25 us */
#define IV_POOL 4096u

/* Fields written by different threads live on different cache lines: a
 * line that bounces between the cores costs about as much per chunk as a
 * page of AES. */
#define LINE 64

struct ev {
	_Alignas(LINE) _Atomic uint32_t seq;
	_Atomic uint32_t waiters;
};

struct run {
	const struct fw_pipe_job *job;
	_Alignas(LINE) _Atomic uint32_t next;     /* lowest unclaimed chunk (either thread) */
	_Alignas(LINE) _Atomic uint32_t consumed; /* chunks consumed (caller) */
	_Atomic uint32_t cancel;
	_Alignas(LINE) _Atomic uint32_t wake_at; /* the worker sleeps until consumed reaches it */
	struct {
		_Alignas(LINE) _Atomic uint32_t done; /* chunk number + 1 once produced */
		uint16_t st;
	} slot[FW_PIPE_MAX_AHEAD];
};

/* P_WIPE: the last command's ring slots await clearing, by the worker
 * (P_WIPING while it clears) or by the next command to claim the ring. */
enum { P_FREE = 0, P_CLAIMED = 1, P_WIPE = 2, P_WIPING = 3 };

struct fw_pipe {
	pthread_t th;
	int have_thread;
	unsigned gen;  /* fork_gen at creation: a forked child has no worker */
	uint8_t *ring; /* FW_PIPE_RING bytes */
	/* written by the caller once per command, polled by the worker */
	_Alignas(LINE) _Atomic uint32_t state; /* P_* */
	_Atomic uint32_t enabled;
	_Atomic uint32_t stop;
	_Atomic uint32_t open;    /* the current run accepts the worker */
	_Atomic uint32_t run_seq; /* one per run */
	_Atomic size_t wipe;      /* bytes of the ring to clear (P_WIPE) */
	struct run *run;
	_Alignas(LINE) _Atomic uint32_t in_run; /* the worker is inside the current run */
	struct ev to_worker, to_caller;
	_Alignas(LINE) _Atomic uint64_t runs;
	_Alignas(LINE) _Atomic uint64_t worker_chunks; /* fw_pipe_stats */
	/* fw_pipe_choose: per kind of command, the recent cost of each way to
	 * run it (ns per KiB, 1/8 weight per sample, 0 = not measured yet) and
	 * the eligible commands seen; written by whichever thread runs one */
	_Alignas(LINE) struct {
		_Atomic uint32_t cost[2];
		_Atomic uint32_t seen;
		_Atomic uint32_t probes;    /* probe commands counted this period */
		_Atomic uint32_t probe_way; /* FW_WAY_PIPE or 0: what this period probes */
	} way[FW_PIPE_KINDS];

	pthread_mutex_t iv_lock;
	uint8_t iv_pool[IV_POOL];
	size_t iv_pos;   /* IV_POOL: empty */
	unsigned iv_gen; /* fork_gen when the pool was filled */
};

/* Bumped in every child of fork(): a child must neither wait for the
 * worker (it has none) nor draw the IVs its parent draws too. Cheaper
 * than a getpid() system call per command. */
static _Atomic unsigned fork_gen;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void fork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
}

static void fork_hook(void)
{
	pthread_atfork(NULL, NULL, fork_child);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

uint64_t fw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void ev_signal(struct ev *e)
{
	atomic_fetch_add(&e->seq, 1);
	if (atomic_load(&e->waiters) != 0)
		syscall(SYS_futex, &e->seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/*
 * Returns once ok(a) holds: polls for spin_ns, then sleeps on the event.
 * No lost wake-up: the sleeper reads seq before re-checking ok(), the
 * signaller changes what ok() reads before bumping seq, and FUTEX_WAIT
 * returns at once if seq moved in between.
 */
static void ev_wait(struct ev *e, int (*ok)(void *a), void *a, uint64_t spin_ns)
{
	uint64_t t0 = 0;

	for (unsigned i = 0;; i++) {
		uint32_t s;

		if (ok(a))
			return;
		if (spin_ns != 0) {
			if (i % 64 == 0) {
				uint64_t t = fw_now_ns();
				if (t0 == 0)
					t0 = t;
				else if (t - t0 >= spin_ns)
					spin_ns = 0;
			}
			if (spin_ns != 0) {
				cpu_relax();
				continue;
			}
		}
		s = atomic_load(&e->seq);
		atomic_fetch_add(&e->waiters, 1);
		if (!ok(a))
			syscall(SYS_futex, &e->seq, FUTEX_WAIT_PRIVATE, s, NULL, NULL, 0);
		atomic_fetch_sub(&e->waiters, 1);
	}
}

static void produce(struct fw_pipe *p, struct run *r, uint32_t i, int by_worker)
{
	const struct fw_pipe_job *j = r->job;
	unsigned s = i % j->ahead;

	r->slot[s].st = j->produce(j->arg, i);
	/* release, not seq_cst: the caller is polling this line, and a fenced
	 * store would wait for the other core to give it up */
	atomic_store_explicit(&r->slot[s].done, i + 1, memory_order_release);
	if (by_worker)
		ev_signal(&p->to_caller);
}

/* ---- worker ---- */

struct wstate {
	struct fw_pipe *p;
	uint32_t last; /* run_seq of the last run entered */
};

static int worker_wanted(void *a)
{
	const struct wstate *w = a;
	struct fw_pipe *p = w->p;

	return atomic_load(&p->stop) || atomic_load(&p->state) == P_WIPE ||
	       (atomic_load(&p->open) && atomic_load(&p->run_seq) != w->last);
}

static int window_open(void *a)
{
	struct run *r = a;

	return atomic_load(&r->cancel) || atomic_load(&r->consumed) >= atomic_load(&r->wake_at);
}

static void worker_run(struct fw_pipe *p, struct run *r)
{
	const struct fw_pipe_job *j = r->job;

	for (;;) {
		uint32_t i = atomic_load(&r->next);

		if (atomic_load(&r->cancel) || i >= j->n)
			return;
		if (i >= atomic_load(&r->consumed) + j->ahead) {
			/* ring full: sleep until the caller has freed about half of it */
			atomic_store(&r->wake_at, i + 1 - j->ahead + (j->ahead - 1) / 2);
			ev_wait(&p->to_worker, window_open, r, SPIN_WINDOW_NS);
			atomic_store(&r->wake_at, UINT32_MAX);
			continue;
		}
		if (atomic_compare_exchange_strong(&r->next, &i, i + 1)) {
			produce(p, r, i, 1);
			atomic_fetch_add_explicit(&p->worker_chunks, 1, memory_order_relaxed);
		}
	}
}

static void *worker_main(void *arg)
{
	struct wstate w = { .p = arg, .last = 0 };
	struct fw_pipe *p = w.p;

	for (;;) {
		uint32_t want = P_WIPE;

		ev_wait(&p->to_worker, worker_wanted, &w, SPIN_IDLE_NS);
		if (atomic_compare_exchange_strong(&p->state, &want, P_WIPING)) {
			swsev_wipe(p->ring, atomic_load(&p->wipe));
			atomic_store(&p->state, P_FREE);
			continue;
		}
		if (atomic_load(&p->stop))
			break;
		/* Dekker with fw_pipe_run's close: in_run first, then open */
		atomic_store(&p->in_run, 1);
		if (atomic_load(&p->open)) {
			w.last = atomic_load(&p->run_seq);
			worker_run(p, p->run);
		}
		atomic_store(&p->in_run, 0);
		ev_signal(&p->to_caller);
	}
	return NULL;
}

/* ---- platform side ---- */

/* SWSEV_FW_PIPELINE=0: no worker thread (every command on its caller's
 * thread), for hosts where a second core is not the firmware's to take. */
static int pipe_wanted(void)
{
	const char *v = getenv("SWSEV_FW_PIPELINE");

	return v == NULL || strcmp(v, "0") != 0;
}

void fw_pipe_start(swsev_fw *fw)
{
	/* cache-line aligned (the struct's own alignment; calloc gives 16) */
	size_t sz = (sizeof(struct fw_pipe) + LINE - 1) / LINE * LINE;
	struct fw_pipe *p = aligned_alloc(LINE, sz);
	sigset_t all, old;

	if (p == NULL)
		return; /* no pool, no worker: every path still works */
	memset(p, 0, sz);
	pthread_mutex_init(&p->iv_lock, NULL);
	p->iv_pos = IV_POOL;
	pthread_once(&fork_once, fork_hook);
	p->gen = atomic_load(&fork_gen);
	atomic_init(&p->enabled, 1);
	fw->pipe = p;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || !pipe_wanted() ||
	    (p->ring = malloc(FW_PIPE_RING)) == NULL)
		return;
	/* the worker takes no process signals: they stay with the host's threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&p->th, NULL, worker_main, p) == 0) {
		p->have_thread = 1;
		pthread_setname_np(p->th, "swsev-fw-pipe");
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void fw_pipe_stop(swsev_fw *fw)
{
	struct fw_pipe *p = fw->pipe;

	if (p == NULL)
		return;
	if (p->have_thread && atomic_load(&fork_gen) == p->gen) {
		atomic_store(&p->stop, 1);
		ev_signal(&p->to_worker);
		pthread_join(p->th, NULL);
	}
	swsev_clear_free(p->ring, p->ring != NULL ? FW_PIPE_RING : 0);
	pthread_mutex_destroy(&p->iv_lock);
	swsev_clear_free(p, sizeof(*p));
	fw->pipe = NULL;
}

void fw_pipe_enable(swsev_fw *fw, int on)
{
	if (fw->pipe != NULL)
		atomic_store(&fw->pipe->enabled, on != 0);
}

int fw_pipe_stats(swsev_fw *fw, uint64_t *runs, uint64_t *worker_chunks)
{
	struct fw_pipe *p = fw->pipe;

	*runs = p != NULL ? atomic_load(&p->runs) : 0;
	*worker_chunks = p != NULL ? atomic_load(&p->worker_chunks) : 0;
	return p != NULL && p->have_thread;
}

int fw_pipe_acquire(swsev_fw *fw, uint8_t **scratch)
{
	struct fw_pipe *p = fw->pipe;
	uint64_t t0 = 0;

	if (p == NULL || !p->have_thread || !atomic_load(&p->enabled) ||
	    atomic_load(&fork_gen) != p->gen)
		return 0;
	for (unsigned i = 0;; i++) {
		uint32_t s = atomic_load(&p->state);

		if (s == P_CLAIMED)
			return 0; /* another command has it: run single-threaded */
		if (s == P_FREE || s == P_WIPE) {
			if (!atomic_compare_exchange_strong(&p->state, &s, P_CLAIMED))
				continue;
			/* commands back to back: clear the last one's slots here
			 * rather than wait for the worker to do it */
			if (s == P_WIPE)
				swsev_wipe(p->ring, atomic_load(&p->wipe));
			*scratch = p->ring;
			return 1;
		}
		/* P_WIPING: the worker is clearing them, a few microseconds,
		 * unless it was preempted: then give up */
		if (i % 64 == 0) {
			uint64_t t = fw_now_ns();
			if (t0 == 0)
				t0 = t;
			else if (t - t0 >= SPIN_WIPE_NS)
				return 0;
		}
		cpu_relax();
	}
}

void fw_pipe_release(swsev_fw *fw, size_t wipe)
{
	struct fw_pipe *p = fw->pipe;

	if (wipe == 0) {
		atomic_store_explicit(&p->state, P_FREE, memory_order_release);
		return;
	}
	atomic_store(&p->wipe, wipe < FW_PIPE_RING ? wipe : FW_PIPE_RING);
	atomic_store(&p->state, P_WIPE);
	ev_signal(&p->to_worker);
}

/*
 * Whether a command of this kind should run on the pipeline, by what the
 * last ones cost each way on this machine: a second core helps only while
 * it is free and the cache lines between the two are cheap, and neither
 * holds on every machine, nor at every moment on a virtual one.
 *
 * The cheaper way runs (one thread while the pipeline is not measured).
 * Each period of FW_PIPE_PERIOD commands opens with a probe of the other
 * way, so a change in either is seen: up to FW_PIPE_PROBE_MAX commands run
 * it until FW_PIPE_BURST of them have counted, the first FW_PIPE_WARM of
 * those unmeasured. A pipelined command counts only if the worker produced
 * a chunk of it: after a stretch on one thread the worker is asleep, and on
 * a virtual machine its idle vCPU can take a hundred microseconds and more
 * to run again; waking it is not what the pipeline costs.
 */
unsigned fw_pipe_choose(swsev_fw *fw, unsigned kind)
{
	struct fw_pipe *p = fw->pipe;
	uint32_t pos, one, two;
	unsigned best;

	if (p == NULL || !p->have_thread || kind >= FW_PIPE_KINDS)
		return 0;
	pos = atomic_fetch_add_explicit(&p->way[kind].seen, 1, memory_order_relaxed) %
	      FW_PIPE_PERIOD;
	one = atomic_load_explicit(&p->way[kind].cost[0], memory_order_relaxed);
	two = atomic_load_explicit(&p->way[kind].cost[1], memory_order_relaxed);
	best = two != 0 && (one == 0 || two <= one) ? FW_WAY_PIPE : 0;
	if (pos == 0) {
		/* the way this period probes is fixed at its start */
		atomic_store_explicit(&p->way[kind].probes, 0, memory_order_relaxed);
		atomic_store_explicit(&p->way[kind].probe_way, best ^ FW_WAY_PIPE,
				      memory_order_relaxed);
	}
	if (pos < FW_PIPE_PROBE_MAX &&
	    atomic_load_explicit(&p->way[kind].probes, memory_order_relaxed) < FW_PIPE_BURST)
		return atomic_load_explicit(&p->way[kind].probe_way, memory_order_relaxed) |
		       FW_WAY_PROBE;
	return best;
}

void fw_pipe_record(swsev_fw *fw, unsigned kind, unsigned way, int piped, uint32_t worker_chunks,
		    uint64_t ns, uint32_t len)
{
	struct fw_pipe *p = fw->pipe;
	uint64_t c;
	uint32_t old;

	if (p == NULL || kind >= FW_PIPE_KINDS || len == 0)
		return;
	if (piped && worker_chunks == 0)
		return; /* the worker was not there: not the pipeline's cost */
	if ((way & FW_WAY_PROBE) &&
	    atomic_fetch_add_explicit(&p->way[kind].probes, 1, memory_order_relaxed) < FW_PIPE_WARM)
		return;
	c = ns * 1024u / len;
	if (c == 0)
		c = 1;
	if (c > UINT32_MAX / 2)
		c = UINT32_MAX / 2;
	old = atomic_load_explicit(&p->way[kind].cost[piped != 0], memory_order_relaxed);
	if (old != 0) {
		/* a sample counts for at most 1.5 times the mean: the host
		 * preempting a vCPU for 50 us and more (about 1 command in 60
		 * here, either way) must not decide the choice */
		if (c > (uint64_t)old + old / 2)
			c = (uint64_t)old + old / 2;
		c = (7u * (uint64_t)old + c) / 8u;
	}
	atomic_store_explicit(&p->way[kind].cost[piped != 0], (uint32_t)(c != 0 ? c : 1),
			      memory_order_relaxed);
}

int fw_pipe_costs(swsev_fw *fw, unsigned kind, uint32_t cost[2])
{
	struct fw_pipe *p = fw->pipe;

	cost[0] = cost[1] = 0;
	if (p == NULL || kind >= FW_PIPE_KINDS)
		return 0;
	cost[0] = atomic_load_explicit(&p->way[kind].cost[0], memory_order_relaxed);
	cost[1] = atomic_load_explicit(&p->way[kind].cost[1], memory_order_relaxed);
	return 1;
}

struct chunk_wait {
	struct run *r;
	uint32_t k;
};

static int chunk_ready(void *a)
{
	const struct chunk_wait *c = a;

	return atomic_load_explicit(&c->r->slot[c->k % c->r->job->ahead].done,
				    memory_order_acquire) == c->k + 1;
}

static int worker_out(void *a)
{
	struct fw_pipe *p = a;

	return atomic_load(&p->in_run) == 0;
}

uint16_t fw_pipe_run(swsev_fw *fw, const struct fw_pipe_job *job)
{
	struct fw_pipe *p = fw->pipe;
	struct run r;
	uint16_t st = SEV_STATUS_SUCCESS;
	uint32_t mine = 0; /* chunks the caller produced */

	if (job->n == 0)
		return SEV_STATUS_SUCCESS;
	if (job->ahead == 0 || job->ahead > FW_PIPE_MAX_AHEAD)
		return SEV_STATUS_HWERROR_PLATFORM;
	atomic_fetch_add_explicit(&p->runs, 1, memory_order_relaxed);
	memset(&r, 0, sizeof(r));
	r.job = job;
	atomic_init(&r.wake_at, UINT32_MAX);
	p->run = &r;
	/* plain stores, no fence: the worker is likely polling these lines, and
	 * a fenced write would wait for it to give them up. Only the claim's
	 * holder writes run_seq. */
	atomic_store_explicit(&p->run_seq,
			      atomic_load_explicit(&p->run_seq, memory_order_relaxed) + 1,
			      memory_order_release);
	atomic_store_explicit(&p->open, 1, memory_order_release);
	ev_signal(&p->to_worker);

	for (uint32_t k = 0; k < job->n && st == SEV_STATUS_SUCCESS; k++) {
		unsigned s = k % job->ahead;

		if (atomic_load_explicit(&r.slot[s].done, memory_order_acquire) != k + 1) {
			uint32_t want = k;
			/* a plain load first: a failing compare-and-swap would still
			 * take the line from the worker */
			if (atomic_load_explicit(&r.next, memory_order_relaxed) == k &&
			    atomic_compare_exchange_strong(&r.next, &want, k + 1)) {
				produce(p, &r, k, 0); /* not claimed yet: do it here */
				mine++;
			} else {
				struct chunk_wait c = { &r, k };
				ev_wait(&p->to_caller, chunk_ready, &c,
					job->wait_ns != 0 ? job->wait_ns : SPIN_CHUNK_NS);
			}
		}
		st = r.slot[s].st;
		if (st == SEV_STATUS_SUCCESS)
			st = job->consume(job->arg, k);
		if (job->n <= job->ahead) {
			/* the ring never fills, so the worker never waits for
			 * room: a release store (the slot's bytes were read before
			 * it) and no fence */
			atomic_store_explicit(&r.consumed, k + 1, memory_order_release);
		} else {
			atomic_store(&r.consumed, k + 1);
			if (k + 1 >= atomic_load(&r.wake_at))
				ev_signal(&p->to_worker);
		}
	}
	if (st != SEV_STATUS_SUCCESS) {
		atomic_store(&r.cancel, 1);
		ev_signal(&p->to_worker);
	}
	/* close the run and wait until the worker has left it */
	atomic_store(&p->open, 0);
	ev_wait(&p->to_caller, worker_out, p, SPIN_CHUNK_NS);
	p->run = NULL;
	/* on success every chunk was produced, by one side or the other (no
	 * read of the worker's counter: its cache line is the worker's) */
	if (job->worker_chunks != NULL)
		*job->worker_chunks = st == SEV_STATUS_SUCCESS ? job->n - mine : 0;
	return st;
}

swsev_err fw_xport_iv(swsev_fw *fw, uint8_t iv[16])
{
	struct fw_pipe *p = fw->pipe;
	swsev_err r = SWSEV_OK;
	unsigned gen;

	if (fw->ops.random != NULL || p == NULL)
		return fw_random(fw, iv, 16);
	gen = atomic_load(&fork_gen);
	pthread_mutex_lock(&p->iv_lock);
	if (p->iv_pos + 16 > IV_POOL || p->iv_gen != gen) {
		/* a forked child never reuses its parent's IVs */
		r = swsev_random(p->iv_pool, IV_POOL);
		p->iv_pos = r == SWSEV_OK ? 0 : IV_POOL;
		p->iv_gen = gen;
	}
	if (r == SWSEV_OK) {
		memcpy(iv, p->iv_pool + p->iv_pos, 16);
		swsev_wipe(p->iv_pool + p->iv_pos, 16); /* each IV leaves the pool once */
		p->iv_pos += 16;
	}
	pthread_mutex_unlock(&p->iv_lock);
	return r;
}

void fw_span_init(struct fw_span *s, uint64_t a, uint64_t len, uint32_t first, uint32_t ch)
{
	uint64_t b1 = (a & ~(uint64_t)(first - 1)) + first;

	s->a = a;
	s->end = a + len;
	s->b1 = b1 < s->end ? b1 : s->end;
	s->base1 = s->b1 & ~(uint64_t)(ch - 1);
	s->ch = ch;
	s->n = 1 + (s->b1 < s->end ? (uint32_t)((s->end - 1 - s->base1) / ch + 1) : 0);
}

void fw_span_get(const struct fw_span *s, uint32_t i, uint64_t *lo, size_t *n)
{
	uint64_t b = s->a, e = s->b1;

	if (i > 0) {
		b = s->base1 + (uint64_t)(i - 1) * s->ch;
		e = b + s->ch;
		if (b < s->b1)
			b = s->b1;
		if (e > s->end)
			e = s->end;
	}
	*lo = b;
	*n = (size_t)(e - b);
}
