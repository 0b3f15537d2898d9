#!/bin/sh
# Hostile and broken clients against the real daemon (docs/protocol.md):
# garbage, bad versions, oversized and malformed frames, frames out of
# order, a client stalling mid-frame, clients vanishing mid-command, random
# frames and random requests, too many connections, and a peer without
# permission. Throughout, a well-behaved client keeps being served, and the
# daemon ends with a clean shutdown. python3 is only the test driver here
# (standard library only).
. tests/e2e/lib.sh
require_bins abuse "$SWSEVD" "$SWSEV"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if [ -z "$PY" ]; then
	skip abuse "python3 is not installed"
	exit 0
fi

# The socket lives in a directory others may traverse (0711) so that a
# peer of another uid reaches the daemon and its SO_PEERCRED check.
PUB=$(mktemp -d /tmp/swsev-abuse-pub.XXXXXX)
chmod 711 "$PUB"
at_exit "rm -rf '$PUB'"
DRV=$PUB/drv.py
cat >"$DRV" <<'EOF'
import os, random, socket, struct, sys, time

MAGIC = 0x56535753
HELLO, REQUEST, RESPONSE, ERROR = 1, 2, 3, 4
E_VERSION, E_TRUNCATED, E_LENGTH, E_PROTOCOL, E_PERM, E_BUSY = -7, -3, -5, -24, -25, -26
BODY_MAX = 16 * 1024 * 1024 + 1024 * 1024
path, mode = sys.argv[1], sys.argv[2]
fails = 0

def result(name, ok, why=""):
    global fails
    if ok:
        print("PASS abuse/%s" % name)
    else:
        fails += 1
        print("FAIL abuse/%s: %s" % (name, why))
    sys.stdout.flush()

def hdr(t, n, ver=1, flags=0, magic=MAGIC):
    return struct.pack("<IHHII", magic, ver, t, flags, n)

def conn(timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b

def recv_frame(s):
    h = recv_exact(s, 16)
    if h is None:
        return None, None
    magic, ver, t, flags, n = struct.unpack("<IHHII", h)
    if magic != MAGIC or ver != 1:
        return "bad", h
    return t, recv_exact(s, n)

def hello(s):
    s.sendall(hdr(HELLO, 8) + struct.pack("<II", 1, 1))
    t, b = recv_frame(s)
    return t == HELLO and b is not None and b[:4] == b"\x01\x00\x00\x00"

def req_body(op, cmd, arg=b"", blobs=(), vm=0, flags=0):
    present, lens, data = 0, [0, 0, 0, 0], b""
    for i, bl in enumerate(blobs):
        if bl is not None:
            present |= 1 << i
            lens[i] = len(bl)
            data += bl
    return struct.pack("<IIIIII4I", op, vm, cmd, flags, len(arg), present, *lens) + arg + data

def status_call(s):
    body = req_body(2, 1, bytes(12))
    s.sendall(hdr(REQUEST, len(body)) + body)
    t, b = recv_frame(s)
    if t != RESPONSE or b is None:
        return False
    err, fw = struct.unpack("<iI", b[:8])
    return err == 0 and fw == 0 and len(b) == 32 + 12

def good_client():
    try:
        s = conn()
        ok = hello(s) and status_call(s)
        s.close()
        return ok
    except OSError:
        return False

def error_then_close(s, code):
    try:
        t, b = recv_frame(s)
        if t != ERROR or b is None:
            return False, "got frame type %r" % (t,)
        got = struct.unpack("<i", b[:4])[0]
        if code is not None and got != code:
            return False, "error code %d, expected %d (%r)" % (got, code, b[8:])
        rest = s.recv(1)
        return rest == b"", "connection not closed after the error"
    except OSError as e:
        return False, str(e)

def case_error(name, data, code, do_hello=True):
    s = conn()
    if do_hello and not hello(s):
        result(name, False, "hello failed")
        return
    s.sendall(data)
    ok, why = error_then_close(s, code)
    s.close()
    result(name, ok, why)
    result(name + "_others_served", good_client(), "a well-behaved client was not served")

if mode == "main":
    frame_timeout = float(sys.argv[3]) / 1000.0
    result("baseline", good_client(), "no service at all")
    rnd = random.Random(4242)
    case_error("garbage", bytes(rnd.randrange(256) for _ in range(64)), E_PROTOCOL, do_hello=False)
    case_error("bad_magic", hdr(HELLO, 8, magic=0x12345678) + bytes(8), E_PROTOCOL, do_hello=False)
    case_error("bad_version", hdr(HELLO, 8, ver=2) + struct.pack("<II", 2, 2), E_VERSION, do_hello=False)
    case_error("no_common_version", hdr(HELLO, 8) + struct.pack("<II", 2, 9), E_VERSION, do_hello=False)
    case_error("request_before_hello", hdr(REQUEST, 52) + req_body(2, 1, bytes(12)), E_PROTOCOL, do_hello=False)
    case_error("second_hello", hdr(HELLO, 8) + struct.pack("<II", 1, 1), E_PROTOCOL)
    case_error("oversized_4g", hdr(REQUEST, 0xFFFFFFFF), E_LENGTH)
    case_error("oversized_max_plus_1", hdr(REQUEST, BODY_MAX + 1), E_LENGTH)
    case_error("undersized_body_len", hdr(REQUEST, 39) + bytes(39), E_LENGTH)
    case_error("response_type_from_client", hdr(RESPONSE, 32) + bytes(32), E_PROTOCOL)
    case_error("reserved_flags", hdr(REQUEST, 52, flags=1) + req_body(2, 1, bytes(12)), E_PROTOCOL)
    b = bytearray(req_body(2, 1, bytes(12)))
    b[16] = 13  # arg_len 13 in a body holding 12
    case_error("inconsistent_lengths", hdr(REQUEST, len(b)) + bytes(b), E_PROTOCOL)
    b = req_body(2, 1, bytes(12), blobs=(b"x" * 10,))
    b = b[:24] + struct.pack("<I", 16 * 1024 * 1024 + 1) + b[28:]
    case_error("blob_over_cap", hdr(REQUEST, len(b)) + b, E_PROTOCOL)

    # truncated frames: the peer leaves mid-frame
    for i, cut in enumerate((3, 16, 30, 51)):
        s = conn()
        hello(s)
        s.sendall((hdr(REQUEST, 52) + req_body(2, 1, bytes(12)))[:cut])
        s.close()
    result("truncated_then_gone", good_client(), "not served after truncated frames")

    # a client stalling mid-frame: dropped after the frame timeout, others served meanwhile
    s = conn(timeout=frame_timeout * 10 + 5)
    hello(s)
    s.sendall(hdr(REQUEST, 52) + req_body(2, 1, bytes(12))[:20])
    t0 = time.time()
    served = good_client()
    result("stall_others_served", served and time.time() - t0 < frame_timeout,
           "served=%s after %.2fs" % (served, time.time() - t0))
    ok, why = error_then_close(s, E_TRUNCATED)
    took = time.time() - t0
    result("stall_mid_body_dropped", ok and frame_timeout * 0.8 <= took < frame_timeout * 5,
           "%s (after %.2fs)" % (why, took))
    s.close()
    s = conn(timeout=frame_timeout * 10 + 5)
    hello(s)
    s.sendall(hdr(REQUEST, 52)[:5])
    ok, why = error_then_close(s, E_TRUNCATED)
    result("stall_mid_header_dropped", ok, why)
    s.close()
    # an idle connection (between frames) is not dropped
    s = conn()
    hello(s)
    time.sleep(frame_timeout * 2)
    result("idle_between_frames_kept", status_call(s), "an idle connection was dropped")
    s.close()

    # clients vanishing mid-command, many times and in parallel
    socks = []
    for i in range(40):
        s = conn()
        hello(s)
        cmd = (1, 5, 7, 8)[i % 4]
        arg = {1: bytes(12), 5: bytes(24), 7: bytes(128), 8: bytes(12)}[cmd]
        body = req_body(2, cmd, arg, flags=1)
        s.sendall(hdr(REQUEST, len(body)) + body)
        socks.append(s)
    for s in socks:
        s.close()
    time.sleep(0.2)
    result("vanish_mid_command", good_client(), "not served after vanishing clients")
    # a client that never reads its replies cannot pin the daemon
    s = conn()
    hello(s)
    body = req_body(2, 7, bytes(128))
    for i in range(2000):
        try:
            s.setblocking(False)
            s.send(hdr(REQUEST, len(body)) + body)
        except OSError:
            break
    result("never_reads_others_served", good_client(), "not served while a client never reads")
    s.close()

    # random bodies behind valid headers
    bad = 0
    for i in range(300):
        s = conn()
        hello(s)
        n = rnd.randrange(40, 400)
        body = bytearray(rnd.randrange(256) for _ in range(n))
        if i % 2:  # mostly sane descriptors, random content
            body[16:40] = struct.pack("<II4I", rnd.randrange(0, 300), rnd.randrange(16),
                                      *[rnd.randrange(0, 64) for _ in range(4)])
        s.sendall(hdr(REQUEST, n) + bytes(body))
        t, b = recv_frame(s)
        if t not in (RESPONSE, ERROR):
            bad += 1
        s.close()
    result("random_bodies", bad == 0, "%d frames got neither a response nor an error" % bad)
    # well-formed requests with random ops, commands, arguments and blobs
    bad = 0
    s = conn()
    hello(s)
    for i in range(500):
        op = rnd.choice((1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 99))
        cmd = rnd.randrange(0, 16) if rnd.random() < 0.8 else rnd.randrange(0, 1 << 32)
        if op == 2 and cmd == 0:
            cmd = 1  # keep the platform's identity (FACTORY_RESET is exercised elsewhere)
        arg = bytes(rnd.randrange(256) for _ in range(rnd.choice((0, 4, 8, 12, 16, 24, 40, 128, 256))))
        blobs = tuple(None if rnd.random() < 0.5 else bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 64)))
                      for _ in range(4))
        body = req_body(op, cmd, arg, blobs, vm=rnd.randrange(0, 4), flags=rnd.randrange(2))
        try:
            s.sendall(hdr(REQUEST, len(body)) + body)
            t, b = recv_frame(s)
        except OSError:
            t = None
        if t != RESPONSE:
            bad += 1
            s.close()
            s = conn()
            hello(s)
    s.close()
    result("random_requests", bad == 0, "%d requests got no response" % bad)
    result("served_at_end", good_client(), "not served at the end")

elif mode == "maxclients":
    limit = int(sys.argv[3])
    held = []
    for i in range(limit):
        s = conn()
        hello(s)
        held.append(s)
    s = conn()
    ok, why = error_then_close(s, E_BUSY)
    result("over_max_clients_busy", ok, why)
    s.close()
    held.pop().close()
    time.sleep(0.3)
    result("slot_freed_after_close", good_client(), "not served after a connection closed")
    for s in held:
        s.close()

elif mode == "perm":
    try:
        s = conn()
    except PermissionError:
        result(sys.argv[3], sys.argv[3] == "connect_refused_by_mode", "connect refused by the socket's mode")
        sys.exit(1 if fails else 0)
    if sys.argv[3] == "connect_refused_by_mode":
        result(sys.argv[3], False, "a uid other than the daemon's could connect to a 0600 socket")
    else:
        try:
            s.sendall(hdr(HELLO, 8) + struct.pack("<II", 1, 1))
        except BrokenPipeError:
            pass  # refused at once: the reason is queued for us
        ok, why = error_then_close(s, E_PERM)
        result(sys.argv[3], ok, why)
sys.exit(1 if fails else 0)
EOF
chmod 755 "$DRV"

TMO=500
SWSEV_SOCKET_PATH=$PUB/s.sock
export SWSEV_SOCKET_PATH
start_daemon "$E2E_TMP/st" --generation naples --frame-timeout $TMO --log-level info || { fail start; e2e_finish; }
P=$DAEMON_PID
"$PY" "$DRV" "$DAEMON_SOCK" main $TMO || E2E_FAILS=$((E2E_FAILS + 1))
daemon_alive "$P" && pass daemon_alive_after_abuse || fail daemon_alive_after_abuse
expect_ok cli_served_after_abuse sw show

# a peer of another uid: the socket's mode refuses it; with the mode opened
# up, SO_PEERCRED still does
if [ "$(id -u)" = 0 ] && have setpriv; then
	NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$NOBODY "$PY" "$DRV" "$DAEMON_SOCK" perm connect_refused_by_mode || E2E_FAILS=$((E2E_FAILS + 1))
	chmod 666 "$DAEMON_SOCK"
	$NOBODY "$PY" "$DRV" "$DAEMON_SOCK" perm peercred_refused || E2E_FAILS=$((E2E_FAILS + 1))
	if [ -x "$(readlink -f "$SWSEV")" ] && $NOBODY "$SWSEV" --version >/dev/null 2>&1; then
		$NOBODY "$SWSEV" --socket "$DAEMON_SOCK" show >"$PUB/cli.out" 2>&1
		rc=$?
		[ $rc -eq 1 ] && grep -q 'permission denied: uid 65534' "$PUB/cli.out" && pass cli_peer_refused_clearly ||
			fail cli_peer_refused_clearly "rc=$rc $(cat "$PUB/cli.out")"
	else
		skip cli_peer_refused_clearly "the swsev binary is not reachable for uid 65534"
	fi
	chmod 600 "$DAEMON_SOCK"
	grep -q 'refused a connection: permission denied: uid 65534' "$DAEMON_LOG" && pass peercred_logged ||
		fail peercred_logged
	expect_ok served_after_perm sw show version
else
	skip peer_permission "needs root and setpriv to act as another uid"
fi
stop_daemon && pass clean_shutdown_after_abuse || fail clean_shutdown_after_abuse

# too many connections
start_daemon "$E2E_TMP/st" --max-clients 3 || { fail start_max; e2e_finish; }
"$PY" "$DRV" "$DAEMON_SOCK" maxclients 3 || E2E_FAILS=$((E2E_FAILS + 1))
stop_daemon && pass clean_shutdown_after_maxclients || fail clean_shutdown_after_maxclients

e2e_finish
