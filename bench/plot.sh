#!/bin/bash
# Draws the report's plots from bench/out/results.tsv (written by
# bench/run.sh) into docs/, with gnuplot (Debian: gnuplot-nox):
#
#   docs/bench-throughput.png  LAUNCH_UPDATE_DATA MB/s against image size
#                              (series "lud_size"), with the ~4 MB/s at
#                              which Milan hardware encrypts launch data
#   docs/bench-launches.png    launches/s against concurrent clients
#                              (series "launch_clients"), with the ceiling
#                              real firmware imposes: it serializes guests,
#                              each extra concurrent one adding ~556 ms of
#                              boot time, so at most ~1/0.556 = 1.8/s
#
# Missing rows are tolerated: a plot without swsev data still shows its
# reference line and says that the series has no data yet.
#
#   RESULTS=file  (default bench/out/results.tsv)   DOCS=dir (default docs)
set -euo pipefail

cd "$(dirname "$0")/.."
RESULTS=${RESULTS:-bench/out/results.tsv}
DOCS=${DOCS:-docs}
command -v gnuplot >/dev/null || { echo "plot: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$DOCS"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# series NAME -> "x value" lines, sorted by x, numeric rows only
series() {
	[ -f "$RESULTS" ] || return 0
	awk -F'\t' -v s="$1" 'NR > 1 && $11 == s && $3 != "nan" && $12 + 0 > 0 { print $12, $3 }' "$RESULTS" | sort -g
}

series lud_size >"$tmp/lud.dat"
series launch_clients >"$tmp/clients.dat"

plot_one() { # out title xlabel ylabel logx datafile ref_value ref_title series_title
	local out=$1 title=$2 xl=$3 yl=$4 logx=$5 dat=$6 ref=$7 reft=$8 st=$9 xr
	{
		echo "set terminal pngcairo size 900,540 noenhanced font ',10'"
		echo "set output '$out'"
		echo "set title '$title'"
		echo "set xlabel '$xl'"
		echo "set ylabel '$yl'"
		echo "set grid"
		echo "set key top left"
		echo "set logscale y"
		if [ "$logx" = 1 ]; then
			echo "set logscale x 2"
			xr="[65536:268435456]"
			echo "set format x '%.0b%B'"
		else
			xr="[1:16]"
		fi
		if [ -s "$dat" ]; then
			xr="[*:*]" # the data's own range (the reference line spans it)
			echo "set offsets graph 0.03, graph 0.03, 0, 0"
			echo "plot $xr '$dat' using 1:2 with linespoints lw 2 pt 7 title '$st', $ref with lines dt 2 lw 2 title '$reft'"
		else
			echo "set label 1 'no swsev data in this run yet (series not measured)' at graph 0.5, graph 0.5 center"
			echo "set yrange [0.1:1000]"
			echo "plot $xr $ref with lines dt 2 lw 2 title '$reft'"
		fi
	} >"$tmp/plot.gp"
	gnuplot "$tmp/plot.gp"
	echo "plot: $out ($(wc -l <"$dat") points)"
}

plot_one "$DOCS/bench-throughput.png" "LAUNCH_UPDATE_DATA throughput vs image size" \
	"image size (bytes)" "MB/s" 1 "$tmp/lud.dat" 4 \
	"AMD Milan hardware, ~4 MB/s" "swsev LAUNCH_UPDATE_DATA"
plot_one "$DOCS/bench-launches.png" "Launches per second vs concurrent clients" \
	"concurrent clients" "launches/s" 0 "$tmp/clients.dat" 1.8 \
	"real SEV firmware ceiling ~1.8/s (serialized, +556 ms per extra concurrent guest)" "swsevd"
