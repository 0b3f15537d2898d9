# shellcheck shell=sh
# Shared helpers for the end-to-end scripts in tests/e2e/ (POSIX sh: run.sh
# runs every script with `sh`). Source it from the repository root:
#
#	. tests/e2e/lib.sh
#
# Result lines (tests/run.sh counts them):
#	pass NAME              -> "PASS <script>/NAME"
#	fail NAME [MSG...]     -> "FAIL <script>/NAME" (MSG to stderr, indented)
#	skip NAME REASON...    -> "SKIP <script>/NAME: REASON"
#	expect_ok NAME CMD...  runs CMD; PASS if it exits 0, else FAIL with its output
#	expect_fail NAME CMD...  PASS if CMD exits non-zero (a refusal), FAIL if it succeeds
#	e2e_finish             exit status of the script: 1 if any FAIL was printed
#
# Scratch space: $E2E_TMP, a fresh 0700 directory removed at exit (kept when
# E2E_KEEP=1). Daemons started here are stopped at exit. Add your own exit
# work with `at_exit 'command'` instead of replacing the EXIT trap.
#
# The daemon (DESIGN.md "fronts"):
#	start_daemon DIR [swsevd args...]
#		runs $SWSEVD --state DIR --socket DIR/s.sock --foreground ARGS in
#		the background, waits for the socket, and sets DAEMON_PID,
#		DAEMON_SOCK, DAEMON_LOG (stdout+stderr, beside DIR as DIR.log
#		unless DAEMON_LOG is set before the call) and exports SWSEV_SOCKET.
#		Returns non-zero (after printing the log) if the daemon exits or
#		the socket does not appear in time. Must not be called inside $(...)
#		(the daemon has to stay a child of the script). With
#		SWSEV_SOCKET_PATH set, that path is used instead of DIR/s.sock.
#	stop_daemon [PID]      SIGTERM, waits (SIGKILL after a timeout); returns
#		the daemon's exit status (0 = clean shutdown).
#	kill_daemon [PID]      SIGKILL and reap (crash tests).
#	daemon_alive [PID]     true while the process runs (zombies count as dead).
#	sw ARGS...             "$SWSEV" --socket "$DAEMON_SOCK" ARGS
#	e2e_vendor_root [GEN]  sets E2E_ROOT to a copy of a cached emulated AMD root
#		(minted once per build tree): start_daemon DIR --vendor-root "$E2E_ROOT"
#	require_bins NAME BIN...  SKIP NAME and exit 0 when a built binary is missing
#	require_files NAME FILE...  the same for any file (e.g. $BUILD/libswsev.a)
#	have CMD               true if CMD is on PATH
#
# SWSEV_VALGRIND=1 runs swsevd under valgrind memcheck (.ci/run does this
# for the daemon tests): a memory error or a definite leak makes the daemon
# exit 99, which stop_daemon turns into a FAIL line with the valgrind log.
# Timeouts: SWSEV_DAEMON_TIMEOUT seconds for the socket to appear (default
# 30, or 600 under valgrind: manufacturing generates RSA keys).

BUILD=${BUILD:-build}
export BUILD
SWSEV=${SWSEV:-$BUILD/swsev}
SWSEVD=${SWSEVD:-$BUILD/swsevd}
E2E_NAME=$(basename "$0" .sh)
E2E_FAILS=0
E2E_PIDS=""
E2E_AT_EXIT=""
DAEMON_PID=""
DAEMON_SOCK=""
DAEMON_LOG_FIXED=${DAEMON_LOG:-}

pass() {
	echo "PASS $E2E_NAME/$1"
}

fail() {
	_n=$1
	shift
	echo "FAIL $E2E_NAME/$_n"
	[ $# -gt 0 ] && echo "  $E2E_NAME/$_n: $*" >&2
	E2E_FAILS=$((E2E_FAILS + 1))
	return 0
}

skip() {
	_n=$1
	shift
	echo "SKIP $E2E_NAME/$_n: $*"
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# expect_ok NAME CMD... : the command must succeed.
expect_ok() {
	_n=$1
	shift
	"$@" >"$E2E_TMP/.last" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ]; then
		pass "$_n"
		return 0
	fi
	fail "$_n" "'$*' exited $_rc"
	sed 's/^/    | /' "$E2E_TMP/.last" | tail -n 20 >&2
	return 1
}

# expect_fail NAME CMD... : the command must be refused (non-zero exit, no crash).
expect_fail() {
	_n=$1
	shift
	"$@" >"$E2E_TMP/.last" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ]; then
		fail "$_n" "'$*' succeeded but should have been refused"
		return 1
	fi
	if [ $_rc -gt 128 ]; then
		fail "$_n" "'$*' died from signal $((_rc - 128))"
		sed 's/^/    | /' "$E2E_TMP/.last" | tail -n 20 >&2
		return 1
	fi
	pass "$_n"
	return 0
}

at_exit() {
	E2E_AT_EXIT="$E2E_AT_EXIT
$1"
}

require_bins() {
	_n=$1
	shift
	for _b in "$@"; do
		if [ ! -x "$_b" ]; then
			skip "$_n" "$_b is not built yet"
			exit 0
		fi
	done
}

require_files() {
	_n=$1
	shift
	for _b in "$@"; do
		if [ ! -e "$_b" ]; then
			skip "$_n" "$_b is not built yet"
			exit 0
		fi
	done
}

e2e_finish() {
	[ "$E2E_FAILS" -eq 0 ]
	exit $?
}

daemon_alive() {
	_p=${1:-$DAEMON_PID}
	[ -n "$_p" ] || return 1
	[ -r "/proc/$_p/status" ] || return 1
	_st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$_p/status" 2>/dev/null)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

_e2e_forget_pid() {
	_keep=""
	for _q in $E2E_PIDS; do
		[ "$_q" = "$1" ] || _keep="$_keep $_q"
	done
	E2E_PIDS=$_keep
}

_e2e_log_of() {
	eval "echo \${E2E_LOG_$1:-}"
}

# Under valgrind, minting a root (RSA-4096 key generation) would take many
# minutes: when the daemon is about to mint one (a new --vendor-root
# directory, or a new state directory without --vendor-root), the root
# directory is filled from the e2e cache first (minted natively). The
# minting path itself runs in the native and ASan passes. SWSEV_VALGRIND_MINT=1
# turns this off.
_e2e_valgrind_preseed() {
	[ "${SWSEV_VALGRIND_MINT:-0}" = 1 ] && return 0
	_pd=$1
	shift
	_pr=""
	_pg=genoa
	while [ $# -gt 0 ]; do
		case $1 in
		--vendor-root) _pr=$2; shift ;;
		--generation) _pg=$2; shift ;;
		esac
		shift
	done
	if [ -z "$_pr" ]; then
		[ -e "$_pd/nvstate.bin" ] && return 0
		_pr=$_pd/vendor-root
	fi
	[ -f "$_pr/ark.cert" ] && return 0
	[ -n "$(ls -A "$_pr" 2>/dev/null)" ] && return 0
	_pv=$E2E_ROOT
	# a distinct cached root for each directory, as minting would give
	E2E_PRESEED_N=$((${E2E_PRESEED_N:-0} + 1))
	SWSEV_VALGRIND=0 e2e_vendor_root "$_pg" "vg$E2E_PRESEED_N" || return 0
	SWSEV_VALGRIND=1
	mkdir -p "$_pr" && cp "$E2E_ROOT"/* "$_pr/" && chmod 700 "$_pr"
	E2E_ROOT=$_pv
}

start_daemon() {
	if [ $# -lt 1 ]; then
		echo "start_daemon: needs a state directory" >&2
		return 2
	fi
	# (before this function's own variables: the preseed may start a daemon)
	[ "${SWSEV_VALGRIND:-0}" = 1 ] && _e2e_valgrind_preseed "$@"
	_dir=$1
	shift
	_sock=${SWSEV_SOCKET_PATH:-$_dir/s.sock}
	if [ -n "$DAEMON_LOG_FIXED" ]; then
		DAEMON_LOG=$DAEMON_LOG_FIXED
	else
		DAEMON_LOG=${_dir%/}.log
	fi
	(umask 077 && mkdir -p "$_dir") 2>/dev/null
	rm -f "$_sock"
	_limit=${SWSEV_DAEMON_TIMEOUT:-30}
	if [ "${SWSEV_VALGRIND:-0}" = 1 ]; then
		_limit=${SWSEV_DAEMON_TIMEOUT:-600}
		valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			--track-origins=yes --num-callers=30 \
			--log-file="$DAEMON_LOG.valgrind" \
			"$SWSEVD" --state "$_dir" --socket "$_sock" --foreground "$@" \
			>>"$DAEMON_LOG" 2>&1 &
	else
		"$SWSEVD" --state "$_dir" --socket "$_sock" --foreground "$@" >>"$DAEMON_LOG" 2>&1 &
	fi
	DAEMON_PID=$!
	DAEMON_SOCK=$_sock
	SWSEV_SOCKET=$_sock
	export SWSEV_SOCKET
	E2E_PIDS="$E2E_PIDS $DAEMON_PID"
	eval "E2E_LOG_$DAEMON_PID=\$DAEMON_LOG"
	# poll every 10 ms
	_ticks=$((_limit * 100))
	while [ $_ticks -gt 0 ]; do
		[ -S "$_sock" ] && return 0
		if ! daemon_alive "$DAEMON_PID"; then
			wait "$DAEMON_PID"
			_rc=$?
			_e2e_forget_pid "$DAEMON_PID"
			echo "start_daemon: swsevd exited with status $_rc before its socket appeared; log:" >&2
			sed 's/^/    | /' "$DAEMON_LOG" | tail -n 30 >&2
			return 1
		fi
		sleep 0.01
		_ticks=$((_ticks - 1))
	done
	echo "start_daemon: no socket at $_sock after ${_limit}s; log:" >&2
	sed 's/^/    | /' "$DAEMON_LOG" | tail -n 30 >&2
	kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	_e2e_forget_pid "$DAEMON_PID"
	return 1
}

# Waits for a signalled daemon to end, reaps it, returns its status.
_e2e_reap() {
	_p=$1
	_t=$2
	_ticks=$((_t * 20))
	while daemon_alive "$_p" && [ $_ticks -gt 0 ]; do
		sleep 0.05
		_ticks=$((_ticks - 1))
	done
	if daemon_alive "$_p"; then
		echo "stop_daemon: pid $_p still running after ${_t}s; sending SIGKILL" >&2
		kill -KILL "$_p" 2>/dev/null
	fi
	wait "$_p" 2>/dev/null
	_rc=$?
	_e2e_forget_pid "$_p"
	return $_rc
}

_e2e_valgrind_verdict() {
	_p=$1
	_rc=$2
	[ "${SWSEV_VALGRIND:-0}" = 1 ] || return 0
	[ "$_rc" -eq 99 ] || return 0
	_l=$(_e2e_log_of "$_p")
	fail "valgrind-swsevd-$_p" "memcheck found errors in swsevd; see $_l.valgrind"
	[ -n "$_l" ] && sed 's/^/    | /' "$_l.valgrind" | grep -v '^    | ==[0-9]*== *$' | head -n 80 >&2
	return 0
}

stop_daemon() {
	_sp=${1:-$DAEMON_PID}
	[ -n "$_sp" ] || return 0
	_t=10
	[ "${SWSEV_VALGRIND:-0}" = 1 ] && _t=120
	kill -TERM "$_sp" 2>/dev/null
	_e2e_reap "$_sp" "$_t"
	_src=$?
	_e2e_valgrind_verdict "$_sp" "$_src"
	[ "$_sp" = "$DAEMON_PID" ] && DAEMON_PID=""
	return $_src
}

kill_daemon() {
	_kp=${1:-$DAEMON_PID}
	[ -n "$_kp" ] || return 0
	kill -KILL "$_kp" 2>/dev/null
	wait "$_kp" 2>/dev/null
	_e2e_forget_pid "$_kp"
	[ "$_kp" = "$DAEMON_PID" ] && DAEMON_PID=""
	return 0
}

# e2e_vendor_root [GEN]: sets E2E_ROOT to a private copy of an emulated AMD
# root (ARK/ASK certs and keys) minted once per build tree in
# $BUILD/e2e-cache/ (minting RSA-4096 keys takes seconds, much longer under
# valgrind). Pass it to start_daemon as --vendor-root "$E2E_ROOT". GEN
# naples gives an RSA-2048 root, the others RSA-4096 (default genoa). A
# second argument names another cached root (a different key pair).
e2e_vendor_root() {
	_g=${1:-genoa}
	_cache=$BUILD/e2e-cache/root-$_g${2:+-$2}
	if [ ! -f "$_cache/ark.cert" ]; then
		_save_pid=$DAEMON_PID _save_sock=$DAEMON_SOCK _save_log=$DAEMON_LOG _save_vg=${SWSEV_VALGRIND:-0}
		_save_env=${SWSEV_SOCKET:-}
		SWSEV_VALGRIND=0
		_m=$E2E_TMP/.mint-$_g
		if start_daemon "$_m/st" --vendor-root "$_m/root" --generation "$_g"; then
			stop_daemon
			mkdir -p "$BUILD/e2e-cache"
			rm -rf "$_cache.tmp.$$"
			cp -r "$_m/root" "$_cache.tmp.$$" && mv -T "$_cache.tmp.$$" "$_cache" 2>/dev/null
			rm -rf "$_cache.tmp.$$"
		fi
		rm -rf "$_m"
		SWSEV_VALGRIND=$_save_vg DAEMON_PID=$_save_pid DAEMON_SOCK=$_save_sock DAEMON_LOG=$_save_log
		if [ -n "$_save_env" ]; then SWSEV_SOCKET=$_save_env; else unset SWSEV_SOCKET; fi
	fi
	[ -f "$_cache/ark.cert" ] || return 1
	E2E_ROOT_N=$((${E2E_ROOT_N:-0} + 1))
	E2E_ROOT=$E2E_TMP/root-$_g-$E2E_ROOT_N
	cp -r "$_cache" "$E2E_ROOT" && chmod 700 "$E2E_ROOT"
}

sw() {
	"$SWSEV" --socket "$DAEMON_SOCK" "$@"
}

_e2e_cleanup() {
	_saved_rc=$?
	trap - EXIT INT TERM
	if [ -n "$E2E_AT_EXIT" ]; then
		eval "$E2E_AT_EXIT"
	fi
	for _cp in $E2E_PIDS; do
		stop_daemon "$_cp" || true
	done
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "($E2E_NAME: scratch kept in $E2E_TMP)" >&2
	elif [ -n "$E2E_TMP" ] && [ -d "$E2E_TMP" ]; then
		chmod -R u+w "$E2E_TMP" 2>/dev/null
		rm -rf "$E2E_TMP"
	fi
	[ "$E2E_FAILS" -gt 0 ] && [ "$_saved_rc" -eq 0 ] && _saved_rc=1
	exit $_saved_rc
}

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/swsev-$E2E_NAME.XXXXXX") || {
	echo "FAIL $E2E_NAME/setup"
	exit 1
}
chmod 700 "$E2E_TMP"
trap _e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
