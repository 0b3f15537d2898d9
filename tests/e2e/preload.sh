#!/bin/sh
# The /dev/sev preload library: an unmodified program written only against
# the kernel ABI (tests/progs/devsev_test.c) runs every /dev/sev command
# against swsevd, including the length queries and a read-only descriptor
# being refused for state changes. Also: without SWSEV_SOCKET or without a
# daemon the device does not exist; other files pass through untouched; a
# forked child gets its own connection. tests/progs/devsev_exec.c: stat,
# fstat and access of /dev/sev describe a character device; a descriptor
# opened without O_CLOEXEC (or with FD_CLOEXEC cleared) still is /dev/sev
# after exec, execv, posix_spawn or system(3) alike; one with FD_CLOEXEC is
# gone (EBADF); a /dev/null descriptor is never taken for /dev/sev.
. tests/e2e/lib.sh
PRELOAD=$BUILD/libswsev-preload.so
DEVSEV=$BUILD/tests/progs/devsev_test
DEVEXEC=$BUILD/tests/progs/devsev_exec
require_bins preload "$SWSEVD" "$SWSEV" "$PRELOAD" "$DEVSEV" "$DEVEXEC"
PRELOAD=$(readlink -f "$PRELOAD")
DEVEXEC=$(readlink -f "$DEVEXEC")
# A sanitizer build of the library needs its runtime loaded first into
# programs that were not built with it (make asan).
RT=$(ldd "$PRELOAD" 2>/dev/null | awk '/lib(asan|ubsan)\.so/ { printf "%s:", $3 }')
if [ -n "$RT" ]; then
	PRELOAD="$RT$PRELOAD"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0
	export ASAN_OPTIONS
fi

start_daemon "$E2E_TMP/st" --generation naples || { fail start; e2e_finish; }

# every /dev/sev command through the preload library; its lines are ours
LD_PRELOAD=$PRELOAD "$DEVSEV" >"$E2E_TMP/devsev.out" 2>&1
rc=$?
grep -E '^(PASS|FAIL) ' "$E2E_TMP/devsev.out"
n=$(grep -c '^PASS ' "$E2E_TMP/devsev.out")
[ $rc -eq 0 ] && [ "$n" -ge 30 ] && pass devsev_test_exit_0 || fail devsev_test_exit_0 "rc=$rc, $n cases passed"
# the same program, the same answers, through the CLI's view of the platform
expect_ok platform_reset_by_program sh -c "'$SWSEV' --socket '$DAEMON_SOCK' show flags | grep -q 'owner: self'"

# stat/fstat/access of /dev/sev: a character device the caller may use
LD_PRELOAD=$PRELOAD "$DEVEXEC" present >"$E2E_TMP/present.out" 2>&1
rc=$?
grep -E '^(PASS|FAIL) ' "$E2E_TMP/present.out"
n=$(grep -c '^PASS ' "$E2E_TMP/present.out")
[ $rc -eq 0 ] && [ "$n" -ge 30 ] && pass devsev_stat_present || fail devsev_stat_present "rc=$rc, $n cases passed"
# what other binaries see: coreutils' stat(1) (statx) and the shell's test
out=$(LD_PRELOAD=$PRELOAD stat -c '%F %a %t:%T' /dev/sev 2>&1)
[ "$out" = "character special file 600 a:7c" ] && pass coreutils_stat || fail coreutils_stat "$out"
LD_PRELOAD=$PRELOAD sh -c 'test -c /dev/sev && test -r /dev/sev && test -w /dev/sev && ! test -x /dev/sev' &&
	pass shell_test_c_r_w || fail shell_test_c_r_w

# descriptors across exec: by execv, posix_spawn, and system(3) (a shell)
for how in exec spawn system; do
	LD_PRELOAD=$PRELOAD "$DEVEXEC" parent $how >"$E2E_TMP/inherit-$how.out" 2>&1
	rc=$?
	sed -n "s|^\\(PASS\\|FAIL\\) devsev_exec/|\\1 devsev_exec/$how/|p" "$E2E_TMP/inherit-$how.out"
	n=$(grep -c '^PASS devsev_exec/child/' "$E2E_TMP/inherit-$how.out")
	# 5 descriptors x 4 checks, 2 gone x 2, 2 /dev/null x 2
	[ $rc -eq 0 ] && [ "$n" -eq 28 ] && pass inherit_across_$how ||
		fail inherit_across_$how "rc=$rc, $n child cases passed: $(grep -v '^PASS' "$E2E_TMP/inherit-$how.out")"
done
# the child adopts exactly the five /dev/sev descriptors that survive exec
# (rw ro wo setfd_off dup2), not the /dev/null ones
LD_PRELOAD=$PRELOAD SWSEV_PRELOAD_DEBUG=1 "$DEVEXEC" parent exec >"$E2E_TMP/inherit-dbg.out" 2>&1
n=$(grep -c 'libswsev-preload: descriptor [0-9]* inherited as /dev/sev' "$E2E_TMP/inherit-dbg.out")
[ "$n" -eq 5 ] && pass inherit_adopts_five || fail inherit_adopts_five "$n descriptors adopted"
# a shell redirection (exec 7<>/dev/sev) keeps the descriptor for the program
# it execs; without SWSEV_SOCKET in the new image nothing is adopted
LD_PRELOAD=$PRELOAD sh -c 'exec 7<>/dev/sev; exec "$0" child shell=7:rw' "$DEVEXEC" >"$E2E_TMP/sh7.out" 2>&1 &&
	pass shell_redirection_inherited || fail shell_redirection_inherited "$(cat "$E2E_TMP/sh7.out")"
LD_PRELOAD=$PRELOAD sh -c 'exec 7<>/dev/sev; exec env -u SWSEV_SOCKET "$0" child shell=7:rw' "$DEVEXEC" \
	>"$E2E_TMP/sh7-nosock.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '^FAIL devsev_exec/child/shell/platform_status: fd 7 r=-1 errno=Inappropriate ioctl' \
	"$E2E_TMP/sh7-nosock.out" && pass no_socket_nothing_adopted ||
	fail no_socket_nothing_adopted "rc=$rc $(cat "$E2E_TMP/sh7-nosock.out")"

# no SWSEV_SOCKET: /dev/sev is left to the system (which has none here)
if [ ! -e /dev/sev ]; then
	env -u SWSEV_SOCKET LD_PRELOAD="$PRELOAD" "$DEVSEV" >"$E2E_TMP/nosock.out" 2>&1
	[ $? -ne 0 ] && grep -q '^FAIL devsev/open' "$E2E_TMP/nosock.out" && pass no_socket_passes_through ||
		fail no_socket_passes_through
	env -u SWSEV_SOCKET LD_PRELOAD="$PRELOAD" "$DEVEXEC" absent >"$E2E_TMP/nosock-stat.out" 2>&1
	rc=$?
	n=$(grep -c '^PASS ' "$E2E_TMP/nosock-stat.out")
	[ $rc -eq 0 ] && [ "$n" -ge 8 ] && pass no_socket_stat_enoent ||
		fail no_socket_stat_enoent "rc=$rc: $(cat "$E2E_TMP/nosock-stat.out")"
else
	skip no_socket_passes_through "this machine has a real /dev/sev"
	skip no_socket_stat_enoent "this machine has a real /dev/sev"
fi
# a socket nobody listens on: the device does not exist, and debug says why
SWSEV_SOCKET=$E2E_TMP/nothing.sock SWSEV_PRELOAD_DEBUG=1 LD_PRELOAD="$PRELOAD" "$DEVSEV" >"$E2E_TMP/dead.out" 2>&1
[ $? -ne 0 ] && grep -q 'open(/dev/sev): No such file or directory' "$E2E_TMP/dead.out" &&
	grep -q 'libswsev-preload: .*cannot connect' "$E2E_TMP/dead.out" && pass dead_socket_enoent ||
	fail dead_socket_enoent "$(cat "$E2E_TMP/dead.out")"
SWSEV_SOCKET=$E2E_TMP/nothing.sock LD_PRELOAD="$PRELOAD" "$DEVEXEC" absent >"$E2E_TMP/dead-stat.out" 2>&1
rc=$?
n=$(grep -c '^PASS ' "$E2E_TMP/dead-stat.out")
[ $rc -eq 0 ] && [ "$n" -ge 8 ] && pass dead_socket_stat_enoent ||
	fail dead_socket_stat_enoent "rc=$rc: $(cat "$E2E_TMP/dead-stat.out")"

# everything else passes through
echo "plain file" >"$E2E_TMP/plain.txt"
out=$(LD_PRELOAD=$PRELOAD cat "$E2E_TMP/plain.txt")
[ "$out" = "plain file" ] && pass other_files_pass_through || fail other_files_pass_through "$out"
LD_PRELOAD=$PRELOAD sh -c "echo written >'$E2E_TMP/w.txt'"
[ "$(cat "$E2E_TMP/w.txt")" = written ] && pass writes_pass_through || fail writes_pass_through

# another program (Python's own libc calls): fork, both processes use the device
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if [ -n "$PY" ]; then
	cat >"$E2E_TMP/fork.py" <<'EOF'
import ctypes, fcntl, os, struct, sys
SEV_ISSUE_CMD = 0xC0105300
def status(fd):
    out = ctypes.create_string_buffer(12)
    ic = bytearray(struct.pack("<IQI", 1, ctypes.addressof(out), 0xFFFFFFFF))
    fcntl.ioctl(fd, SEV_ISSUE_CMD, ic, True)
    return out.raw, struct.unpack("<I", ic[12:16])[0]
fd = os.open("/dev/sev", os.O_RDONLY)
raw, err = status(fd)
if err != 0 or raw[0:2] != bytes([0, 17]):
    print("parent before fork: error %d status %s" % (err, raw.hex())); sys.exit(1)
pid = os.fork()
if pid == 0:
    try:
        for _ in range(20):
            raw, err = status(fd)
            assert err == 0 and raw[1] == 17
    except Exception as e:
        print("child:", e); os._exit(1)
    os._exit(0)
for _ in range(20):
    raw, err = status(fd)
    if err != 0:
        print("parent after fork: error", err); sys.exit(1)
_, st = os.waitpid(pid, 0)
try:
    fcntl.ioctl(fd, SEV_ISSUE_CMD, bytearray(struct.pack("<IQI", 4, 0, 0)), True)  # PDH_GEN, read-only fd
    print("PDH_GEN on a read-only descriptor succeeded"); sys.exit(1)
except PermissionError:
    pass
os.close(fd)
sys.exit(0 if os.WEXITSTATUS(st) == 0 else 1)
EOF
	LD_PRELOAD=$PRELOAD "$PY" "$E2E_TMP/fork.py" >"$E2E_TMP/fork.out" 2>&1 && pass python_fork_and_eperm ||
		fail python_fork_and_eperm "$(cat "$E2E_TMP/fork.out")"
else
	skip python_fork_and_eperm "python3 is not installed"
fi

daemon_alive && pass daemon_alive || fail daemon_alive
stop_daemon && pass clean_shutdown || fail clean_shutdown
e2e_finish
