#!/bin/sh
# Runs every test binary and end-to-end script; prints "N passed, N failed".
# Each test prints one "PASS name" or "FAIL name" line per case; a binary or
# script that exits non-zero without a FAIL line counts as one failure.
BUILD=${BUILD:-build}
export BUILD
export SWSEV_FIXTURES=${SWSEV_FIXTURES:-tests/fixtures}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
filter=${TESTS:-}
rc_total=0

run_one() {
	name=$1; shift
	case "$name" in *"$filter"*) ;; *) return 0 ;; esac
	out=$(mktemp)
	# a hung test must not hang the suite: it fails after TEST_TIMEOUT seconds
	timeout -k 10 "${TEST_TIMEOUT:-900}" "$@" >"$out" 2>&1
	rc=$?
	[ $rc -eq 124 ] && echo "FAIL $name (timed out after ${TEST_TIMEOUT:-900} s)" >>"$out"
	grep -E '^(PASS|FAIL|SKIP) ' "$out" >>"$log"
	if [ $rc -ne 0 ] || grep -q '^FAIL ' "$out"; then
		echo "--- $name (exit $rc)"
		cat "$out"
		if ! grep -q '^FAIL ' "$out"; then
			echo "FAIL $name (exited $rc)" >>"$log"
		fi
		rc_total=1
	elif [ -n "$VERBOSE" ]; then
		cat "$out"
	fi
	rm -f "$out"
}

for t in $(find "$BUILD/tests/unit" "$BUILD/tests/kat" "$BUILD/tests/e2e" -maxdepth 1 -type f -name 'test_*' ! -name '*.o' ! -name '*.d' 2>/dev/null | sort); do
	run_one "$(basename "$t")" "$t"
done
for s in $(ls tests/e2e/*.sh 2>/dev/null | grep -v '/lib.sh$' | sort); do
	run_one "$(basename "$s")" sh "$s"
done
grep '^FAIL ' "$log"
p=$(grep -c '^PASS ' "$log")
f=$(grep -c '^FAIL ' "$log")
s=$(grep -c '^SKIP ' "$log")
[ "$s" -gt 0 ] && echo "($s skipped)"
echo "$p passed, $f failed"
[ "$f" -eq 0 ] && [ $rc_total -eq 0 ]
