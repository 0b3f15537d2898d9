/*
 * swsev-bench: the benchmark binary behind `make bench` (see
 * docs/benchmarks.md for the method and how to add a benchmark).
 *
 * Each benchmark is one function `void bench_<name>(const struct
 * bench_opts *)` in its own file bench/bench_<name>.c, listed once in
 * bench/list.h. It measures with bench_rate() (or its own loop around
 * bench_now()) and reports every figure with bench_emit(): one row of
 * bench/out/swsev.tsv. bench/run.sh joins each row with the speed of the
 * primitive that bounds it, measured by `openssl speed` in the same run,
 * and prints the table.
 */
#ifndef SWSEV_BENCH_H
#define SWSEV_BENCH_H

#include <stddef.h>
#include <stdint.h>

struct bench_opts {
	double seconds; /* minimum measuring time per figure */
	int quick;      /* smaller sizes and counts (smoke runs) */
	int rounds;     /* rounds per figure, the fastest kept (0: 5) */
};
#define BENCH_ROUNDS_OF(o) ((o)->rounds > 0 ? (o)->rounds : 5)
/*
 * The options for a figure that has a target: twenty rounds of the
 * measuring time each (not in --quick runs), the fastest kept. This
 * machine's CPU speed switches between two levels (P-384 ECDH 1100 or
 * 1600 op/s, on either vCPU, idle or not) for stretches of ten seconds and
 * more; twenty seconds of rounds nearly always include the fast level, as
 * `openssl speed`'s fastest of three passes spread over the run does
 * (bench/run.sh), so both sides of a ratio come from the same level.
 */
struct bench_opts bench_long(const struct bench_opts *o);

/*
 * One reported figure. Strings must not contain tabs or newlines.
 *   id      stable machine name, "<module>.<what>[.<variant>]"
 *   figure  human description for the table
 *   value   the measurement (NAN when it could not be measured)
 *   unit    "MB/s" (10^6 bytes/s, as openssl speed), "op/s", "us"
 *           (latency of one operation), "B" (bytes), "x" (a ratio of two
 *           swsev figures)
 *   prim    the bounding primitive, a key run.sh measures with openssl
 *           speed (see PRIMITIVES in bench/run.sh), or "-" for none
 *   target  ">=R" / "<=R": for a row with a primitive, R bounds the ratio
 *           value/primitive (for "us", primitive latency/value); without
 *           a primitive, R bounds the value itself. "-" for none.
 *   series, x  for plots (bench/plot.sh): rows of one series are points
 *           (x, value); "-" and 0 otherwise. Series the plots read:
 *           "lud_size" (LAUNCH_UPDATE_DATA MB/s vs image bytes) and
 *           "launch_clients" (launches/s vs concurrent clients).
 *   note    free text, "" for none
 */
struct bench_row {
	const char *id;
	const char *figure;
	double value;
	const char *unit;
	const char *prim;
	const char *target;
	const char *series;
	double x;
	const char *note;
};

void bench_emit(const struct bench_row *r);
/* Emits a row whose figure could not be measured (value NAN) with the reason. */
void bench_fail(const char *id, const char *figure, const char *why);

/* Seconds from CLOCK_MONOTONIC. */
double bench_now(void);

/*
 * The rate of op(arg), one unit of work per call: warm-up calls first
 * (at least 3 and 5% of the budget), then 5 rounds of o->seconds/5 of
 * wall-clock time each (CLOCK_MONOTONIC), calling op in batches of about
 * 1 ms. Returns the fastest round's calls per second, or a negative number
 * if op returned non-zero.
 *
 * bench_rate divides by wall-clock time: use it for anything that waits
 * (a daemon round trip, I/O, several threads).
 * bench_rate_cpu divides by the calling thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID), which is what `openssl speed` divides by by
 * default: use it for in-process, single-threaded work compared with a
 * primitive, so the ratio stays right on a busy machine (time the thread
 * was preempted counts on neither side).
 */
double bench_rate(const struct bench_opts *o, int (*op)(void *arg), void *arg);
double bench_rate_cpu(const struct bench_opts *o, int (*op)(void *arg), void *arg);

/* Bytes of heap in use now (glibc mallinfo2): measure what an object costs
 * as the difference around creating many of them, divided by their number. */
size_t bench_heap_in_use(void);

/* The registered benchmarks (bench/list.h). */
#define BENCH(name, desc) void bench_##name(const struct bench_opts *o);
#include "list.h"
#undef BENCH

#endif
