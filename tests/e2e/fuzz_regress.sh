#!/bin/sh
# Replays every seed input (tests/fuzz/corpus/<name>/) and every kept crash
# input (tests/fuzz/regress/<name>/) through each libFuzzer harness
# tests/fuzz/fuzz_<name>.c, built without libFuzzer: the harness source plus
# tests/fuzz/standalone_main.c, the ordinary compiler and $BUILD/libswsev.a.
# Under `make asan` (SAN=1, or a library built with ASan) the replay binaries
# get the same sanitizers, so a fixed bug that comes back is caught there.
# One PASS/FAIL line per harness; a harness that no longer builds fails.
. tests/e2e/lib.sh

LIB=$BUILD/libswsev.a
require_files setup "$LIB"
CCR=${CC:-cc}
OUTDIR=$BUILD/tests/fuzz-replay
mkdir -p "$OUTDIR"

SANF=""
if [ "${SAN:-0}" = 1 ] || nm "$LIB" 2>/dev/null | grep -q ' U __asan_'; then
	SANF="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
fi
: >"$E2E_TMP/empty"

# newer A B: A was modified after B (test -nt is not POSIX)
newer() {
	[ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]
}

found=0
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	found=1
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin=$OUTDIR/fuzz_$name
	if [ ! -x "$bin" ] || newer "$src" "$bin" || newer "$LIB" "$bin" ||
		newer tests/fuzz/standalone_main.c "$bin"; then
		# shellcheck disable=SC2086 # SANF is a list of flags
		if ! $CCR -std=gnu11 -D_GNU_SOURCE -g -O1 -pthread $SANF -Iinclude -Ilib -Itests \
			-o "$bin" "$src" tests/fuzz/standalone_main.c "$LIB" -lcrypto -pthread \
			>"$E2E_TMP/cc.log" 2>&1; then
			fail "$name" "the harness does not build for replay"
			sed 's/^/    | /' "$E2E_TMP/cc.log" | head -n 30 >&2
			rm -f "$bin"
			continue
		fi
	fi
	set -- "$E2E_TMP/empty"
	for d in "tests/fuzz/corpus/$name" "tests/fuzz/regress/$name"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
		SWSEV_REPLAY_VERBOSE=1 timeout 300 "$bin" "$@" >"$E2E_TMP/run.out" 2>"$E2E_TMP/run.err"
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "$name"
	else
		last=$(grep '^input: ' "$E2E_TMP/run.err" | tail -n 1 | sed 's/^input: //')
		fail "$name" "replay exited $rc on $last"
		grep -v '^input: ' "$E2E_TMP/run.err" | head -n 40 | sed 's/^/    | /' >&2
	fi
done
[ $found = 1 ] || skip harnesses "no tests/fuzz/fuzz_*.c yet"
e2e_finish
