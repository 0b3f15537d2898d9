#!/bin/bash
# `make lint`: static analysis and formatting for swsev.
#
#   1. cppcheck  (--enable=warning,portability,performance), fatal
#   2. clang-tidy with .clang-tidy (bugprone-*, cert-*, clang-analyzer-*), fatal
#   3. suppression policy: every cppcheck-suppress / NOLINT carries a reason, fatal
#   4. shellcheck on the shell scripts: errors fatal, warnings reported
#   5. clang-format against .clang-format: fatal (LINT_STRICT=0: report only)
#
#   LINT_ONLY=cppcheck,tidy,policy,shell,format   run a subset
#   LINT_JOBS=N                                   parallel clang-tidy (default: CPUs)
#   LINT_FILES="a.c b.c"                          check only these C files
#
# Suppressions (docs/testing.md, "Static analysis policy"):
#   cppcheck: inline, on the line before the finding:
#       // cppcheck-suppress <id> ; <reason>
#     or project-wide in .ci/cppcheck-suppressions.txt, each entry under a
#     comment line giving the reason.
#   clang-tidy: NOLINT(<check>): <reason>  or  NOLINTNEXTLINE(<check>): <reason>;
#     project-wide exclusions live in .clang-tidy (tests/ and bench/:
#     .ci/clang-tidy-tests), each with a reason; a finding in a file one may
#     not edit is accepted by (file, check) in .ci/lint-known.txt, marked FP
#     (false positive, with why) or BUG (reported, until fixed).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
JOBS=${LINT_JOBS:-$(nproc 2>/dev/null || echo 1)}
ONLY=${LINT_ONLY:-cppcheck,tidy,policy,shell,format}
STRICT=${LINT_STRICT:-1}
CFLAGS_LINT=(-std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib -Itests)
failed=()

want() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
tool() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "lint: $1 is not installed (Debian: apt-get install $2)" >&2
		failed+=("$1-missing")
		return 1
	fi
}

if [ -n "${LINT_FILES:-}" ]; then
	read -r -a CFILES <<<"$LINT_FILES"
else
	mapfile -t CFILES < <(ls lib/*/*.c cli/*.c daemon/*.c preload/*.c tests/*.c \
		tests/unit/*.c tests/kat/*.c tests/e2e/*.c tests/progs/*.c tests/fuzz/*.c \
		bench/*.c 2>/dev/null | sort)
fi
mapfile -t HFILES < <(ls include/swsev/*.h lib/*/*.h cli/*.h daemon/*.h preload/*.h \
	tests/*.h bench/*.h 2>/dev/null | sort)

# ---- 1. cppcheck -------------------------------------------------------------
if want cppcheck && tool cppcheck cppcheck; then
	echo "lint: cppcheck (${#CFILES[@]} files)"
	mkdir -p build/lint
	if ! cppcheck --enable=warning,portability,performance --error-exitcode=1 \
		--inline-suppr --suppressions-list=.ci/cppcheck-suppressions.txt \
		--std=c11 --platform=unix64 -D__GNUC__ -D_GNU_SOURCE -D__x86_64__ -Iinclude -Ilib -Itests \
		--cppcheck-build-dir=build/lint -j "$JOBS" --quiet \
		--template='{file}:{line}: {severity}: {message} [{id}]' \
		"${CFILES[@]}"; then
		failed+=(cppcheck)
	fi
fi

# ---- 2. clang-tidy -----------------------------------------------------------
if want tidy && tool clang-tidy clang-tidy; then
	echo "lint: clang-tidy (${#CFILES[@]} files, $JOBS at a time)"
	out=$(mktemp -d)
	# one process per file: the flags are those of the build (no compile
	# database needed); tests/ and bench/ use .ci/clang-tidy-tests
	printf '%s\n' "${CFILES[@]}" | xargs -P "$JOBS" -I{} sh -c \
		'f=$1; shift; cfg=.clang-tidy; case "$f" in tests/*|bench/*) cfg=.ci/clang-tidy-tests ;; esac
		 clang-tidy --quiet --config-file=$cfg "$f" -- "$@" >"$0/$(echo "$f" | tr / _).log" 2>&1 ||
		 echo "$f" >>"$0/failed"' \
		"$out" {} "${CFLAGS_LINT[@]}"
	if [ -s "$out/failed" ]; then
		for f in $(sort "$out/failed"); do
			cat "$out/$(echo "$f" | tr / _).log"
		done >"$out/all.log"
		# each finding: accepted when .ci/lint-known.txt lists its (file, check)
		if ! python3 - "$out/all.log" .ci/lint-known.txt "$PWD/" <<'EOF'; then
import re, sys
log, known_path, root = sys.argv[1], sys.argv[2], sys.argv[3]
known = {}
for line in open(known_path):
    if line.strip() and not line.startswith("#"):
        f = line.split(None, 3)
        known[(f[0], f[1])] = f[2] + " " + (f[3].strip() if len(f) > 3 else "")
new, seen = [], set()
lines = open(log, errors="replace").read().splitlines()
for i, l in enumerate(lines):
    m = re.match(r"(\S+?):(\d+):(\d+): error: (.*) \[([^,\]]+)", l)
    if not m:
        continue
    path = m.group(1)
    if path.startswith(root):
        path = path[len(root):]
    key = (path, m.group(5))
    if key in known:
        if (path, m.group(2), key[1]) not in seen:
            print("  known %s:%s [%s] %s" % (path, m.group(2), key[1], known[key]))
            seen.add((path, m.group(2), key[1]))
        continue
    new.append("\n".join(lines[i:i + 3]))
for n in new:
    print(n)
sys.exit(1 if new else 0)
EOF
			failed+=(clang-tidy)
		fi
	fi
	rm -rf "$out"
fi

# ---- 3. suppression policy ---------------------------------------------------
if want policy; then
	echo "lint: suppression policy (each suppression names its check and a reason)"
	bad=0
	# cppcheck-suppress <id> ; <reason of at least a few words>
	while IFS= read -r hit; do
		text=${hit#*cppcheck-suppress}
		case "$text" in
		*";"*[a-zA-Z]*[a-zA-Z]*) ;;
		*)
			echo "$hit" | cut -d: -f1,2 | tr '\n' ' '
			echo ": cppcheck-suppress without '; <reason>'"
			bad=1
			;;
		esac
	done < <(grep -n -H 'cppcheck-suppress' "${CFILES[@]}" "${HFILES[@]}" 2>/dev/null || true)
	# NOLINT(check): reason / NOLINTNEXTLINE(check): reason
	while IFS= read -r hit; do
		if ! echo "$hit" | grep -q -E 'NOLINT(NEXTLINE)?\([a-z0-9.,*-]+\):? *[-—:]? *[A-Za-z].{8,}'; then
			echo "$hit" | cut -d: -f1,2 | tr '\n' ' '
			echo ": NOLINT without (check) and a reason"
			bad=1
		fi
	done < <(grep -n -H 'NOLINT' "${CFILES[@]}" "${HFILES[@]}" 2>/dev/null || true)
	# the suppressions file: every entry preceded by a comment
	if [ -f .ci/cppcheck-suppressions.txt ]; then
		awk 'BEGIN{c=0} /^[[:space:]]*$/ {next} /^#/ {c=1; next}
			{ if (!c) { printf ".ci/cppcheck-suppressions.txt:%d: entry without a reason comment above it\n", NR; bad=1 } }
			END { exit bad }' .ci/cppcheck-suppressions.txt || bad=1
	fi
	# .ci/lint-known.txt: file, check, FP or BUG, and a reason
	if [ -f .ci/lint-known.txt ]; then
		awk '/^[[:space:]]*(#|$)/ {next}
			!($3 == "FP" || $3 == "BUG") || NF < 5 {
				printf ".ci/lint-known.txt:%d: needs <file> <check> FP|BUG <reason>\n", NR; bad=1 }
			END { exit bad }' .ci/lint-known.txt || bad=1
	fi
	[ $bad -eq 0 ] || failed+=(suppression-policy)
fi

# ---- 4. shellcheck -----------------------------------------------------------
if want shell && tool shellcheck shellcheck; then
	mapfile -t SFILES < <(ls .ci/run scripts/*.sh tests/run.sh tests/e2e/*.sh tests/fuzz/*.sh \
		bench/*.sh 2>/dev/null | sort)
	echo "lint: shellcheck (${#SFILES[@]} scripts; errors fatal, warnings reported)"
	# tests/run.sh runs tests/e2e scripts with sh: a script without a shebang is checked as sh
	sc() {
		local f=$1
		shift
		if head -n 1 "$f" | grep -q '^#!'; then shellcheck -x "$@" "$f"; else shellcheck -x -s sh "$@" "$f"; fi
	}
	serr=0
	nwarn=0
	for f in "${SFILES[@]}"; do
		sc "$f" -S error || serr=1
		nwarn=$((nwarn + $(sc "$f" -S warning -f gcc 2>/dev/null | wc -l)))
	done
	[ $serr -eq 0 ] || failed+=(shellcheck)
	[ "$nwarn" -eq 0 ] || echo "lint: shellcheck: $nwarn warning(s) (not fatal): shellcheck -x -S warning FILE"
fi

# ---- 5. formatting -----------------------------------------------------------
if want format && tool clang-format clang-format; then
	echo "lint: clang-format (fatal; LINT_STRICT=0 makes it report-only)"
	nbad=0
	for f in "${CFILES[@]}" "${HFILES[@]}"; do
		n=$(clang-format --style=file "$f" | diff "$f" - | grep -c '^>' || true)
		if [ "$n" -gt 0 ]; then
			echo "  $f: $n line(s) differ from .clang-format"
			nbad=$((nbad + 1))
		fi
	done
	if [ $nbad -gt 0 ]; then
		echo "lint: $nbad file(s) not in .clang-format style (see: clang-format --style=file FILE | diff FILE -)"
		[ "$STRICT" = 1 ] && failed+=(format)
	fi
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "lint: FAILED: ${failed[*]}"
	exit 1
fi
echo "lint: OK"
