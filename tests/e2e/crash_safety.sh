#!/bin/sh
# Crash safety of the platform state (issue 5).
#
# 1. SIGKILL at random moments: a state-changing command (PDH_GEN through
#    `swsev rotate`, PEK_GEN through an unmodified /dev/sev program under
#    the preload library, PLATFORM_RESET through `swsev reset`,
#    PEK_CERT_IMPORT through `swsev provision`) is started and swsevd is
#    killed with SIGKILL after a random delay, hundreds of times within a
#    bounded time. After each kill the daemon is restarted and must load the
#    state; the exported chain (PDH, PEK, OCA, CEK) must verify under the
#    root, the CEK never changes, and the certificates are exactly those
#    before the command or a consistent "after" (never a mixture); when the
#    client saw success before the kill, it must be the "after" state (a
#    reported success is never lost).
# 2. A full disk (a tiny tmpfs) and a read-only state directory: the command
#    fails with an error that names the cause, the daemon keeps serving, and
#    the old state is intact in memory and on disk (after a restart).
#
# CRASH_SECONDS (default 60) bounds part 1 (it may run up to twice as long
# on a loaded machine to reach CRASH_MIN, default 150, kills; fewer are
# reported as SKIP, fewer than 30 fail);
# CRASH_ITERATIONS (default 400) caps it.
. tests/e2e/lib.sh

require_bins crash "$SWSEVD" "$SWSEV"
have python3 || {
	skip crash "python3 is needed for the /dev/sev client"
	exit 0
}
PRELOAD=$(pwd)/$BUILD/libswsev-preload.so
DUR=${CRASH_SECONDS:-60}
MAXIT=${CRASH_ITERATIONS:-400}
MINIT=${CRASH_MIN:-150}

e2e_vendor_root genoa || {
	fail vendor-root "could not mint an emulated AMD root"
	e2e_finish
}
ROOT=$E2E_ROOT
S=$E2E_TMP/st

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # starts in 30 ms, unlike a pyenv shim
WIRE="$PY tests/e2e/wire_client.py"
# PEK_GEN: /dev/sev command 2, through the socket protocol (docs/protocol.md)
pekgen() {
	$WIRE "$DAEMON_SOCK" sev PEK_GEN
}
# every client is bounded: a client that hangs when the daemon dies is a bug too
T="timeout -s KILL 5"

rnd() { # a random number in [0, $1)
	echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1))
}

# snap DIR: export the chain and print "pdh pek oca cek" digests; fails if
# the export fails or the chain does not verify under the root
snap() {
	rm -rf "$1"
	sw export "$1" >/dev/null 2>"$E2E_TMP/snap.err" || return 1
	cp "$ROOT/ark.cert" "$ROOT/ask.cert" "$1/" 2>/dev/null
	"$SWSEV" verify --ca "$ROOT/ark.cert" "$1" >"$E2E_TMP/verify.out" 2>&1 || return 2
	(cd "$1" && sha256sum pdh.cert pek.cert oca.cert cek.cert) | cut -c1-16 | tr '\n' ' '
}

start_daemon "$S" --vendor-root "$ROOT" || {
	fail start
	e2e_finish
}
expect_ok generate-oca "$SWSEV" generate "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key"
OCA_FP=$(sha256sum "$E2E_TMP/oca.cert" | cut -c1-16)
cur=$(snap "$E2E_TMP/s0") || {
	fail initial-export "$(cat "$E2E_TMP/snap.err" "$E2E_TMP/verify.out" 2>/dev/null)"
	e2e_finish
}
cek0=$(echo "$cur" | cut -d' ' -f4)

# the delay window covers "before the request", "in the command" and "after
# the reply": one window per command, twice the time it takes here
op_ms() {
	_t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	_t1=$(date +%s%N)
	echo $(((_t1 - _t0) / 500000 + 5))
}
W_rotate=$(op_ms sw rotate)
W_pekgen=$(op_ms pekgen)
W_reset=$(op_ms sw reset)
W_provision=$(op_ms sw provision "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key")
sw reset >/dev/null 2>&1
WINDOW="rotate ${W_rotate} pekgen ${W_pekgen} reset ${W_reset} provision ${W_provision}"
cur=$(snap "$E2E_TMP/s0")

it=0
n_before=0
n_after=0
n_inflight=0
n_bad=0
end=$(($(date +%s) + DUR))
hard_end=$((end + DUR)) # a loaded machine gets up to twice the time to reach MINIT
while [ $it -lt "$MAXIT" ]; do
	now=$(date +%s)
	{ [ "$now" -ge $end ] && [ $it -ge "$MINIT" ]; } && break
	[ "$now" -ge $hard_end ] && break
	it=$((it + 1))
	case $(rnd 7) in
	0 | 1) op=rotate ;;
	2 | 3) op=pekgen ;;
	4) op=reset ;;
	*) op=provision ;;
	esac
	before=$cur
	case $op in
	rotate) $T "$SWSEV" --socket "$DAEMON_SOCK" rotate >/dev/null 2>&1 & ;;
	pekgen) $T $WIRE "$DAEMON_SOCK" sev PEK_GEN >/dev/null 2>&1 & ;;
	reset) $T "$SWSEV" --socket "$DAEMON_SOCK" reset >/dev/null 2>&1 & ;;
	provision) $T "$SWSEV" --socket "$DAEMON_SOCK" provision "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key" >/dev/null 2>&1 & ;;
	esac
	cpid=$!
	w=50
	eval "w=\$W_$op"
	d=$(rnd "$w")
	sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
	kill_daemon
	wait $cpid
	crc=$?
	if [ $crc -eq 137 ]; then
		fail "client-hang-$it" "the $op client hung when the daemon was killed under it (killed after 5 s)"
		n_bad=$((n_bad + 1))
		break
	fi
	if ! start_daemon "$S" --vendor-root "$ROOT" 2>"$E2E_TMP/restart.err"; then
		fail "restart-$it" "after SIGKILL during $op the daemon does not start: $(cat "$E2E_TMP/restart.err")"
		n_bad=$((n_bad + 1))
		break
	fi
	cur=$(snap "$E2E_TMP/s$it")
	src=$?
	if [ $src -ne 0 ]; then
		fail "chain-$it" "after SIGKILL during $op: export/verify failed ($src): $(cat "$E2E_TMP/snap.err" "$E2E_TMP/verify.out")"
		n_bad=$((n_bad + 1))
		break
	fi
	# shellcheck disable=SC2086 # split the four digests
	set -- $before
	bp=$1 bk=$2 bo=$3 bc=$4
	# shellcheck disable=SC2086
	set -- $cur
	ap=$1 ak=$2 ao=$3 ac=$4
	verdict=""
	if [ "$ac" != "$cek0" ] || [ "$bc" != "$cek0" ]; then
		verdict="the CEK changed"
	elif [ "$cur" = "$before" ]; then
		[ $crc -eq 0 ] && [ $op != provision ] && verdict="the command reported success but its effect was lost"
		[ $crc -eq 0 ] && [ $op = provision ] && [ "$bo" != "$OCA_FP" ] &&
			verdict="provision reported success but the OCA is not the imported one"
		n_before=$((n_before + 1))
	else
		case $op in
		rotate) # PDH_GEN: a new PDH, nothing else
			{ [ "$ap" != "$bp" ] && [ "$ak" = "$bk" ] && [ "$ao" = "$bo" ]; } || verdict="mixture after PDH_GEN" ;;
		pekgen | reset) # PEK_GEN / PLATFORM_RESET: a new identity, PDH and PEK both new
			{ [ "$ap" != "$bp" ] && [ "$ak" != "$bk" ]; } || verdict="mixture after $op" ;;
		provision) # PEK_CERT_IMPORT: our OCA, the PEK re-signed by it
			{ [ "$ao" = "$OCA_FP" ] && [ "$ak" != "$bk" ]; } || verdict="mixture after PEK_CERT_IMPORT" ;;
		esac
		n_after=$((n_after + 1))
	fi
	[ $crc -ne 0 ] && n_inflight=$((n_inflight + 1))
	if [ -n "$verdict" ]; then
		fail "state-$it" "$op, client exit $crc: $verdict (before: $before; after: $cur)"
		n_bad=$((n_bad + 1))
		break
	fi
	[ "$(stat -c %a "$S/nvstate.bin")" = 600 ] || {
		fail "mode-$it" "nvstate.bin is $(stat -c %a "$S/nvstate.bin") after a crash"
		n_bad=$((n_bad + 1))
		break
	}
done
echo "  crash_safety: $it kills ($n_before left the state before, $n_after after;" \
	"$n_inflight clients cut off); windows (ms): $WINDOW" >&2
if [ $n_bad -eq 0 ]; then
	pass kill-restart-state-consistent
	if [ $it -ge "$MINIT" ] || [ $it -ge "$MAXIT" ]; then
		pass "kill-restart-$it-times"
	elif [ $it -ge 30 ]; then
		# the count depends on the machine's load, not on swsev: report it
		skip "kill-restart-count" "only $it kills in $((2 * DUR))s on this loaded machine (target $MINIT)"
	else
		fail "kill-restart-count" "only $it kills in $((2 * DUR))s (wanted $MINIT, at least 30)"
	fi
	# a test that never sees both outcomes did not test the interesting moments
	[ $n_before -gt 0 ] && [ $n_after -gt 0 ] && pass both-outcomes-seen ||
		fail both-outcomes-seen "before=$n_before after=$n_after"
fi
# interrupted writes may leave temporary files; they must not pile up
ntmp=$(find "$S" -maxdepth 1 -name 'nvstate.bin.tmp*' | wc -l)
[ "$ntmp" -le 1 ] && pass no-temp-file-pileup || fail no-temp-file-pileup "$ntmp temporary files left in $S"
stop_daemon

# An unmodified /dev/sev program under the preload library must get an
# error, not hang, when the daemon is gone (the case a crash creates).
PRELOAD=$(pwd)/$BUILD/libswsev-preload.so
if [ -f "$PRELOAD" ]; then
	cat >"$E2E_TMP/devsev.py" <<'EOF'
import fcntl, os, struct, sys
fd = os.open("/dev/sev", os.O_RDWR)
buf = bytearray(struct.pack("<IQI", 2, 0, 0))  # SEV_ISSUE_CMD PEK_GEN
fcntl.ioctl(fd, 0xC0105300, buf)
EOF
	SWSEV_SOCKET=$E2E_TMP/st/s.sock LD_PRELOAD=$PRELOAD $T $PY "$E2E_TMP/devsev.py" >/dev/null 2>&1
	prc=$?
	[ $prc -ne 137 ] && [ $prc -ne 0 ] && pass preload-daemon-gone-errors ||
		fail preload-daemon-gone-errors "a /dev/sev program with no daemon behind the preload library exited $prc (137: hung and was killed)"
fi

# ---- part 2: full disk, read-only state directory ----------------------------
# refused_intact NAME PATTERN: rotate must fail naming PATTERN, the daemon
# keeps serving the old chain, and the old state loads after a restart
refused_intact() {
	_name=$1
	_pat=$2
	_old=$(snap "$E2E_TMP/r-$_name-0")
	if sw rotate >"$E2E_TMP/r.out" 2>&1; then
		fail "$_name-refused" "rotate succeeded"
		return 1
	fi
	if grep -qiE "$_pat" "$E2E_TMP/r.out" "$DAEMON_LOG"; then
		pass "$_name-clear-error"
	else
		fail "$_name-clear-error" "no message naming '$_pat': $(cat "$E2E_TMP/r.out")"
	fi
	daemon_alive && [ "$(snap "$E2E_TMP/r-$_name-1")" = "$_old" ] && pass "$_name-still-serving-old-state" ||
		fail "$_name-still-serving-old-state"
	R_OLD=$_old
}

FS=$E2E_TMP/fs
mkdir -p "$FS"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k,mode=0700 swsev-e2e "$FS" 2>/dev/null; then
	at_exit "umount '$FS' 2>/dev/null"
	cp -a "$S" "$FS/st"
	# (the copy may hold a temporary file a SIGKILL above left behind)
	rm -f "$FS/st/lock" "$FS/st"/nvstate.bin.tmp*
	if start_daemon "$FS/st" --vendor-root "$ROOT"; then
		dd if=/dev/zero of="$FS/fill" bs=1k count=1024 2>/dev/null # fills it: ENOSPC
		sync
		if refused_intact full-disk 'no space|ENOSPC|full'; then
			stop_daemon
			rm -f "$FS/fill"
			start_daemon "$FS/st" --vendor-root "$ROOT" && [ "$(snap "$E2E_TMP/r-fd-2")" = "$R_OLD" ] &&
				pass full-disk-old-state-after-restart || fail full-disk-old-state-after-restart
			[ -z "$(find "$FS/st" -maxdepth 1 -name '*.tmp*')" ] && pass full-disk-no-temp-left ||
				fail full-disk-no-temp-left "$(ls "$FS/st")"
		fi
		stop_daemon
		# read-only: the state directory bind-mounted read-only over itself
		# (the file system holds the daemon's open lock file, so it cannot be
		# remounted read-only as a whole)
		if start_daemon "$FS/st" --vendor-root "$ROOT" && mount --bind "$FS/st" "$FS/st" 2>/dev/null; then
			at_exit "umount '$FS/st' 2>/dev/null"
			if mount -o remount,bind,ro "$FS/st" 2>/dev/null; then
				refused_intact read-only 'read-only|EROFS'
				stop_daemon
				umount "$FS/st"
				start_daemon "$FS/st" --vendor-root "$ROOT" && [ "$(snap "$E2E_TMP/r-ro-2")" = "$R_OLD" ] &&
					pass read-only-old-state-after-restart || fail read-only-old-state-after-restart
			else
				umount "$FS/st"
				skip read-only "cannot remount a bind mount read-only here"
			fi
		else
			skip read-only "cannot bind-mount the state directory"
		fi
		stop_daemon
	else
		fail full-disk-start "the daemon does not start on the tmpfs copy"
	fi
	umount "$FS" 2>/dev/null
elif [ "$(id -u)" != 0 ]; then
	skip full-disk "not root: cannot mount a small tmpfs"
	# without root a directory without write permission is read-only to the daemon
	start_daemon "$S" --vendor-root "$ROOT" || fail read-only-start
	chmod 500 "$S"
	at_exit "chmod 700 '$S'"
	refused_intact read-only 'read-only|permission|EACCES'
	stop_daemon
	chmod 700 "$S"
	start_daemon "$S" --vendor-root "$ROOT" && [ "$(snap "$E2E_TMP/r-ro-2")" = "$R_OLD" ] &&
		pass read-only-old-state-after-restart || fail read-only-old-state-after-restart
	stop_daemon
else
	skip full-disk "mount -t tmpfs is not permitted here (no CAP_SYS_ADMIN)"
	skip read-only "as root without mounts a read-only directory cannot be made (root ignores modes)"
fi
e2e_finish
