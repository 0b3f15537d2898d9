/*
 * swsev-bench: runs the benchmarks of bench/list.h and writes one TSV row
 * per figure (see bench.h) to stdout or -o FILE.
 *
 *   swsev-bench [--seconds S] [--quick] [--only SUBSTR] [--list] [-o FILE]
 */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static FILE *out;

struct bench_def {
	const char *name;
	const char *desc;
	void (*fn)(const struct bench_opts *o);
};

static const struct bench_def benches[] = {
#define BENCH(name, desc) { #name, desc, bench_##name },
#include "list.h"
#undef BENCH
};

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double thread_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Rounds are budgeted in wall-clock time (CLOCK_MONOTONIC); each round's
 * rate divides by the chosen clock; the best round wins. */
static double rate(const struct bench_opts *o, int (*op)(void *arg), void *arg, int cpu)
{
	double t0 = bench_now(), warm = o->seconds * 0.05, round = o->seconds / BENCH_ROUNDS_OF(o),
	       best = 0;
	unsigned long n = 0, batch = 1;

	/* warm-up: caches, lazily fetched algorithms, page allocation; it
	 * also sizes the batch (about 1 ms of calls) */
	do {
		if (op(arg) != 0)
			return -1;
		n++;
	} while (n < 3 || bench_now() - t0 < warm);
	batch = (unsigned long)((double)n / (bench_now() - t0) * 1e-3) + 1;

	for (int r = 0; r < BENCH_ROUNDS_OF(o); r++) {
		double w0 = bench_now(), c0 = thread_cpu_now(), took;
		n = 0;
		for (;;) {
			for (unsigned long i = 0; i < batch; i++)
				if (op(arg) != 0)
					return -1;
			n += batch;
			if (bench_now() - w0 >= round)
				break;
		}
		took = cpu ? thread_cpu_now() - c0 : bench_now() - w0;
		if (took > 0 && (double)n / took > best)
			best = (double)n / took;
	}
	return best;
}

struct bench_opts bench_long(const struct bench_opts *o)
{
	struct bench_opts l = *o;

	if (!o->quick) {
		l.rounds = 20;
		l.seconds = o->seconds * l.rounds;
	}
	return l;
}

double bench_rate(const struct bench_opts *o, int (*op)(void *arg), void *arg)
{
	return rate(o, op, arg, 0);
}

double bench_rate_cpu(const struct bench_opts *o, int (*op)(void *arg), void *arg)
{
	return rate(o, op, arg, 1);
}

size_t bench_heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void field(const char *s)
{
	/* keep the TSV well-formed whatever a benchmark passes */
	for (; s != NULL && *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, out);
}

void bench_emit(const struct bench_row *r)
{
	field(r->id);
	fputc('\t', out);
	field(r->figure);
	if (isnan(r->value))
		fprintf(out, "\tnan\t");
	else
		fprintf(out, "\t%.6g\t", r->value);
	field(r->unit);
	fputc('\t', out);
	field(r->prim && *r->prim ? r->prim : "-");
	fputc('\t', out);
	field(r->target && *r->target ? r->target : "-");
	fputc('\t', out);
	field(r->series && *r->series ? r->series : "-");
	fprintf(out, "\t%.6g\t", r->x);
	field(r->note ? r->note : "");
	fputc('\n', out);
	fflush(out);
	fprintf(stderr, "  %-40s %14.6g %s\n", r->id, r->value, r->unit);
}

void bench_fail(const char *id, const char *figure, const char *why)
{
	struct bench_row r = { .id = id,
			       .figure = figure,
			       .value = NAN,
			       .unit = "-",
			       .prim = "-",
			       .target = "-",
			       .series = "-",
			       .note = why };
	bench_emit(&r);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swsev-bench [--seconds S] [--quick] [--only SUBSTR] [--list] [-o FILE]\n");
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .seconds = 1.0, .quick = 0 };
	const char *only = NULL, *path = NULL;
	size_t ran = 0;

	out = stdout;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			char *end;
			o.seconds = strtod(argv[++i], &end);
			if (*end != '\0' || !(o.seconds > 0 && o.seconds <= 600)) {
				fprintf(stderr,
					"swsev-bench: --seconds wants a number in (0, 600], got '%s'\n",
					argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--quick") == 0) {
			o.quick = 1;
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--list") == 0) {
			for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++)
				printf("%-16s %s\n", benches[b].name, benches[b].desc);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "swsev-bench: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (path != NULL && (out = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	fprintf(out, "id\tfigure\tvalue\tunit\tprimitive\ttarget\tseries\tx\tnote\n");
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		if (only != NULL && strstr(benches[b].name, only) == NULL)
			continue;
		fprintf(stderr, "swsev-bench: %s: %s\n", benches[b].name, benches[b].desc);
		benches[b].fn(&o);
		ran++;
	}
	if (out != stdout && fclose(out) != 0) {
		perror(path);
		return 1;
	}
	if (ran == 0) {
		fprintf(stderr, "swsev-bench: no benchmark matches '%s'\n", only ? only : "");
		return 2;
	}
	return 0;
}
