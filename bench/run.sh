#!/bin/bash
# `make bench`: the benchmark report. Measures the primitives with
# `openssl speed`, runs swsev-bench, and prints ONE table where every swsev
# figure stands next to the primitive that bounds it, measured in the same
# run, and the ratio between them.
#
#   BUILD=dir          where swsev-bench was built (default build)
#   BENCH_SECONDS=S    measuring time per swsev figure (default 1)
#   BENCH_ONLY=substr  only the benchmarks whose name contains substr
#   BENCH_QUICK=1      a fast smoke run (small sizes, short times)
#   BENCH_STRICT=1     exit non-zero when a figure misses its target
#   BENCH_OUT=dir      output directory (default bench/out)
#   BENCH_PLOT=0       do not redraw docs/bench-*.png (full runs redraw them)
#   BENCH_UPDATE_DOCS=1  also replace the results table in docs/benchmarks.md
#                      (between its bench-results markers)
#
# Outputs in $BENCH_OUT: openssl.tsv (primitive speeds), swsev.tsv (raw
# rows of swsev-bench, see bench/bench.h), results.tsv (the joined table:
# what bench/plot.sh and docs/benchmarks.md use), report.txt (the table).
#
# Method (docs/benchmarks.md): openssl speed runs once before and twice
# after swsev-bench; each primitive keeps its fastest result. openssl speed
# divides by the process's user CPU time (its default); swsev-bench's
# figures compared with a primitive divide by their thread's CPU time too
# (bench_rate_cpu) and keep the fastest of 5 rounds (rows with a target:
# of 20 rounds, bench_long). Both are
# single-threaded, and time spent preempted counts on neither side, so
# the ratios hold on a busy machine.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${BENCH_OUT:-bench/out}
SECS=${BENCH_SECONDS:-1}
OSECS=1
BIN=$BUILD/bench/swsev-bench
ARGS=(--seconds "$SECS")
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	ARGS=(--seconds 0.2 --quick)
fi
if [ -n "${BENCH_ONLY:-}" ]; then
	ARGS+=(--only "$BENCH_ONLY")
fi

command -v openssl >/dev/null || { echo "bench: openssl not found" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench: $BIN not built (run make bench)" >&2; exit 1; }
mkdir -p "$OUT"

# The primitives: key | openssl speed arguments | which +F field | unit.
# A row of swsev-bench names its bounding primitive by key. To add one,
# add a line here (field: "bytes" = last field of a +F: line in bytes/s;
# "F5:4" = field 4 of the +F5: line, and so on).
PRIMITIVES='
aes-128-xts@4096|-evp aes-128-xts -bytes 4096|bytes|MB/s
aes-128-ctr@4096|-evp aes-128-ctr -bytes 4096|bytes|MB/s
aes-128-ecb@4096|-evp aes-128-ecb -bytes 4096|bytes|MB/s
sha256@4096|-evp sha256 -bytes 4096|bytes|MB/s
sha256@16384|-evp sha256 -bytes 16384|bytes|MB/s
hmac-sha256@4096|-hmac sha256 -bytes 4096|bytes|MB/s
hmac-sha256@16384|-hmac sha256 -bytes 16384|bytes|MB/s
ecdhp384|ecdhp384|F5:4|op/s
ecdsap384-sign|ecdsap384|F4:4|op/s
ecdsap384-verify|ecdsap384|F4:5|op/s
rsa2048-verify|rsa2048|F2:5|op/s
rsa4096-sign|rsa4096|F2:4|op/s
rsa4096-verify|rsa4096|F2:5|op/s
'

# speed ARGS... -> the machine-readable +F lines
speed() {
	# shellcheck disable=SC2086
	openssl speed -mr -seconds "$OSECS" $1 2>/dev/null | grep '^+F' || true
}

# One pass over all primitives: appends "key<TAB>value<TAB>unit" to $1.
# Runs each distinct openssl invocation once (ecdsap384 gives sign and verify).
measure_primitives() {
	local dst=$1 cache key args field unit lines val
	declare -A cache=()
	while IFS='|' read -r key args field unit; do
		[ -n "$key" ] || continue
		if [ -z "${cache[$args]+x}" ]; then
			cache[$args]=$(speed "$args")
		fi
		lines=${cache[$args]}
		case $field in
		bytes) val=$(printf '%s\n' "$lines" | awk -F: '/^\+F:/ { v = $NF } END { if (v != "") printf "%.6g", v / 1e6 }') ;;
		F*) val=$(printf '%s\n' "$lines" | awk -F: -v tag="+${field%%:*}" -v i="${field#*:}" '$1 == tag { v = $i } END { if (v != "") printf "%.6g", v }') ;;
		*) val= ;;
		esac
		printf '%s\t%s\t%s\n' "$key" "${val:-nan}" "$unit" >>"$dst"
	done <<<"$PRIMITIVES"
}

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU(s): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(openssl version | cut -d' ' -f1-2)"
echo "bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: openssl speed (pass 1 of 3) ..."
: >"$OUT/openssl.1"
measure_primitives "$OUT/openssl.1"
echo "bench: swsev-bench ${ARGS[*]} ..."
"$BIN" "${ARGS[@]}" -o "$OUT/swsev.tsv"
for p in 2 3; do
	echo "bench: openssl speed (pass $p of 3) ..."
	: >"$OUT/openssl.$p"
	measure_primitives "$OUT/openssl.$p"
done
echo "bench: load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
# keep the fastest of the three passes per primitive
awk -F'\t' -v OFS='\t' '
	{ v = ($2 == "nan") ? -1 : $2 + 0
	  if (!($1 in best) || v > best[$1]) { best[$1] = v; unit[$1] = $3 }
	  if (!($1 in order)) { order[$1] = n++; keys[n - 1] = $1 } }
	END { for (i = 0; i < n; i++) { k = keys[i]; print k, (best[k] < 0 ? "nan" : best[k]), unit[k] } }
' "$OUT/openssl.1" "$OUT/openssl.2" "$OUT/openssl.3" >"$OUT/openssl.tsv"
rm -f "$OUT/openssl.1" "$OUT/openssl.2" "$OUT/openssl.3"

# Join: ratio = value / primitive for rates; primitive latency / value for "us";
# for a "sum:" primitive (e.g. sum:2*rsa4096-verify+3*ecdsap384-verify), the
# summed latency of its parts, and ratio = swsev's time / that sum.
awk -F'\t' -v OFS='\t' '
	function num(s) { return (s == "nan" || s == "" || s == "-") ? "" : s + 0 }
	function meets(t, r,   op, lim) {
		if (t == "-" || r == "") return "-"
		op = substr(t, 1, 2); lim = substr(t, 3) + 0
		if (op == ">=") return (r >= lim) ? "ok" : "MISS"
		if (op == "<=") return (r <= lim) ? "ok" : "MISS"
		return "?"
	}
	# "sum:2*a+b": the summed time of primitives a (twice) and b, in us;
	# "" if one of them is unknown or was not measured
	function sum_us(spec,   n, t, i, k, m, tot, v) {
		n = split(spec, t, "+"); tot = 0
		for (i = 1; i <= n; i++) {
			k = t[i]; m = 1
			if (index(k, "*") > 0) { m = substr(k, 1, index(k, "*") - 1) + 0; k = substr(k, index(k, "*") + 1) }
			if (!(k in pv)) return ""
			v = num(pv[k])
			if (v == "" || v <= 0) return ""
			tot += m * 1e6 / v
		}
		return tot
	}
	FNR == NR { pv[$1] = $2; pu[$1] = $3; next }
	FNR == 1 { print "id", "figure", "value", "unit", "primitive", "primitive_value", "primitive_unit", "ratio", "target", "verdict", "series", "x", "note"; next }
	{
		id = $1; fig = $2; val = num($3); unit = $4; prim = $5; tgt = $6
		p = ""; punit = "-"; ratio = ""
		if (prim ~ /^sum:/) {
			# a sum of primitives: time(swsev) / summed time, so "<=R" reads "within R x"
			p = sum_us(substr(prim, 5)); punit = (p == "") ? "unknown" : "us"
			if (val != "" && p != "" && p > 0 && val > 0) {
				if (unit == "us") ratio = val / p
				else if (unit == "op/s") ratio = 1e6 / val / p
			}
			verdict = meets(tgt, ratio)
		} else if (prim != "-") {
			if (prim in pv) { p = num(pv[prim]); punit = pu[prim] } else { punit = "unknown" }
			if (val != "" && p != "" && p > 0 && val > 0) {
				if (unit == "us") ratio = (1e6 / p) / val
				else ratio = val / p
			}
			verdict = meets(tgt, ratio)
		} else {
			verdict = meets(tgt, val)
		}
		if (val == "") verdict = (tgt == "-") ? "-" : "n/a"
		print id, fig, (val == "" ? "nan" : sprintf("%.6g", val)), unit, prim, \
		      (p == "" ? "-" : sprintf("%.6g", p)), punit, \
		      (ratio == "" ? "-" : sprintf("%.3f", ratio)), tgt, verdict, $7, $8, $9
	}
' "$OUT/openssl.tsv" "$OUT/swsev.tsv" >"$OUT/results.tsv"

# The table.
awk -F'\t' '
	function fmt(v, u) {
		if (v == "nan" || v == "-" || v == "") return "-"
		if (u == "B") return sprintf("%.0f B", v)
		if (v >= 100) return sprintf("%.0f %s", v, u)
		return sprintf("%.3g %s", v, u)
	}
	NR == 1 { printf "%-52s | %14s | %-18s | %15s | %6s | %-7s | %s\n", "figure", "value", "bounding primitive", "primitive speed", "ratio", "target", "";
		  printf "%s\n", "-----------------------------------------------------+----------------+--------------------+-----------------+--------+---------+-----"; next }
	{ printf "%-52s | %14s | %-18s | %15s | %6s | %-7s | %s\n", substr($2, 1, 52), fmt($3, $4), $5, fmt($6, $7), $8, $9, $10
	  if ($13 != "" && ($3 == "nan" || $8 == "-" && $5 != "-")) printf "%-52s   (%s)\n", "", $13 }
' "$OUT/results.tsv" | tee "$OUT/report.txt"

# The same table in Markdown (bench/out/report.md), for docs/benchmarks.md.
awk -F'\t' '
	function fmt(v, u) {
		if (v == "nan" || v == "-" || v == "") return "-"
		if (u == "B") return sprintf("%.0f B", v)
		if (v >= 100) return sprintf("%.0f %s", v, u)
		return sprintf("%.3g %s", v, u)
	}
	NR == 1 { print "| figure | value | bounding primitive | primitive speed | ratio | target | |"; print "|---|---:|---|---:|---:|---|---|"; next }
	{ t = $9; gsub(/>=/, "≥ ", t); gsub(/<=/, "≤ ", t); prim = ($5 == "-") ? "-" : "`" $5 "`"
	  printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, fmt($3, $4), prim, fmt($6, $7), $8, t, $10 }
' "$OUT/results.tsv" >"$OUT/report.md"
if [ "${BENCH_UPDATE_DOCS:-0}" = 1 ]; then
	awk -v tbl="$OUT/report.md" '
		/<!-- bench-results:begin -->/ { print; while ((getline l < tbl) > 0) print l; skip = 1; next }
		/<!-- bench-results:end -->/ { skip = 0 }
		!skip { print }
	' docs/benchmarks.md >"$OUT/benchmarks.md.new" && mv "$OUT/benchmarks.md.new" docs/benchmarks.md
	echo "bench: results table written into docs/benchmarks.md"
fi

# The plots (docs/bench-*.png), from full runs only: a quick or partial run
# would replace the report's figures with smoke numbers.
if [ "${BENCH_QUICK:-0}" != 1 ] && [ -z "${BENCH_ONLY:-}" ] && [ "${BENCH_PLOT:-1}" = 1 ] &&
	command -v gnuplot >/dev/null; then
	RESULTS="$OUT/results.tsv" ./bench/plot.sh || echo "bench: plotting failed (the table above stands)" >&2
fi

misses=$(awk -F'\t' 'NR > 1 && $10 == "MISS"' "$OUT/results.tsv" | wc -l)
echo "bench: $(($(wc -l <"$OUT/results.tsv") - 1)) figures, $misses below target; results in $OUT/results.tsv"
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$misses" -gt 0 ]; then
	exit 1
fi
