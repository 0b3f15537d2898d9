#!/bin/sh
# Security invariants (issue 5), each a case, with the real daemon and CLI:
#  - the host's raw view of guest memory never contains the guest's
#    plaintext (a firmware image full of a marker, and the injected secret),
#    while the guest's own view does (so the scan is able to find it);
#  - DBG_DECRYPT/DBG_ENCRYPT refused under NODBG;
#  - SEND refused under NOSEND (policy bit 3; the guest stays intact at the source);
#  - a secret packet replayed to another guest, and a session replayed to
#    another platform, are refused;
#  - the TEK/TIK the owner holds, and the platform's secrets (chip secret,
#    OCA/PEK/PDH private scalars, read from the state file as
#    docs/state-format.md lays it out) never appear in the socket traffic
#    (every byte a client exchanged with the daemon, captured with strace)
#    or in the daemon's log, raw, reversed, as hex or as base64; the TEK/TIK
#    do not appear in the state file either;
#  - the state file, the vendor-root keys and the owner's key files are
#    0600, and nothing in the state directory is readable by others.
. tests/e2e/lib.sh

require_bins security "$SWSEVD" "$SWSEV"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
SW_ABS=$(pwd)/$SWSEV

e2e_vendor_root genoa || {
	fail vendor-root
	e2e_finish
}
ROOT=$E2E_ROOT
start_daemon "$E2E_TMP/a" --vendor-root "$ROOT" || {
	fail start
	e2e_finish
}
A_PID=$DAEMON_PID
A_SOCK=$DAEMON_SOCK
A_LOG=$DAEMON_LOG
OWNER=$E2E_TMP/owner
mkdir -p "$OWNER"

# traced CMD...: runs a hypervisor-side command under strace, appending
# every byte it read or wrote on a Unix socket to $E2E_TMP/traffic.bin
HAVE_STRACE=0
have strace && HAVE_STRACE=1
: >"$E2E_TMP/traffic.bin"
traced() {
	if [ $HAVE_STRACE = 1 ]; then
		# LeakSanitizer cannot run under ptrace: no leak check for traced
		# commands (the untraced runs of the same commands keep it)
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -xx -s 20000000 -yy -e trace=read,write,readv,writev,sendmsg,recvmsg,sendto,recvfrom \
			-o "$E2E_TMP/st.out" "$@"
		_rc=$?
		$PY - "$E2E_TMP/st.out" "$E2E_TMP/traffic.bin" <<'EOF'
import re, sys
out = open(sys.argv[2], "ab")
for line in open(sys.argv[1], errors="replace"):
    if "UNIX" not in line.split(",", 1)[0]:
        continue  # only socket descriptors (-yy names them UNIX-STREAM)
    for s in re.findall(r'"((?:\\x[0-9a-f]{2})*)"', line):
        out.write(bytes.fromhex(s.replace("\\x", "")))
EOF
		return $_rc
	fi
	"$@"
}

# ---- the owner, the platform chain and a session ------------------------------
expect_ok export sw export --full "$E2E_TMP/chain"
(cd "$OWNER" && "$SW_ABS" session --name vm "$E2E_TMP/chain/pdh.cert" 0x9 >/dev/null) || fail session
(cd "$OWNER" && "$SW_ABS" session --name dbg "$E2E_TMP/chain/pdh.cert" 0x0 >/dev/null) || fail session-dbg
api_minor=$(sw show --json 2>/dev/null | sed -n 's/.*"api-minor": *\([0-9]*\).*/\1/p')
[ -n "$api_minor" ] || api_minor=22

# a 64 KiB firmware image: 60 KiB of a plaintext marker, then the AmdSev
# footer (which names the secret area at 0x810000)
IMG=$E2E_TMP/marker.fd
MARK="SWSEV-PLAINTEXT-MARKER-7f3a"
$PY - "$IMG" "$MARK" <<'EOF'
import sys
mark = (sys.argv[2] + "\n").encode()
body = (mark * (61440 // len(mark) + 1))[:61440]
tail = open("tests/fixtures/vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin", "rb").read()
open(sys.argv[1], "wb").write(body + tail)
EOF
FW_GPA=0xffff0000

traced "$SWSEV" --socket "$A_SOCK" vm launch g1 --firmware "$IMG" --policy 0x9 \
	--dh-cert-file "$OWNER/vm_godh.b64" --session-file "$OWNER/vm_session.b64" >/dev/null 2>"$E2E_TMP/err" &&
	pass launch || fail launch "$(cat "$E2E_TMP/err")"
M=$(traced "$SWSEV" --socket "$A_SOCK" vm measurement g1)
B=$(sw vm info g1 --json | sed -n 's/.*"build-id": *\([0-9]*\).*/\1/p')
expect_ok owner-verifies "$SWSEV" measurement build --api-major 0 --api-minor "$api_minor" --build-id "$B" \
	--policy 0x9 --tik "$OWNER/vm_tik.bin" --firmware "$IMG" --verify "$M"
SECRET=attack-at-dawn-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
printf '%s' "$SECRET" >"$OWNER/secret.txt"
"$SWSEV" secret build --tik "$OWNER/vm_tik.bin" --tek "$OWNER/vm_tek.bin" --launch-measure-blob "$M" \
	--secret "luks-key:$OWNER/secret.txt" --base64 "$OWNER/hdr.b64" "$OWNER/pay.b64" >/dev/null ||
	fail secret-build
traced "$SWSEV" --socket "$A_SOCK" vm inject-secret g1 --header "$OWNER/hdr.b64" --payload "$OWNER/pay.b64" \
	>/dev/null 2>&1 && pass inject || fail inject
traced "$SWSEV" --socket "$A_SOCK" vm finish g1 >/dev/null 2>&1 && pass finish || fail finish

# ---- 1. the host's view never holds the plaintext ----------------------------------
traced "$SWSEV" --socket "$A_SOCK" vm peek g1 --gpa $FW_GPA --len 65536 --raw >"$E2E_TMP/host-fw.bin"
traced "$SWSEV" --socket "$A_SOCK" vm peek g1 --gpa 0x810000 --len 3072 --raw >"$E2E_TMP/host-secret.bin"
traced "$SWSEV" --socket "$A_SOCK" guest read g1 --gpa $FW_GPA --len 65536 --raw >"$E2E_TMP/guest-fw.bin"
"$SWSEV" --socket "$A_SOCK" guest read g1 --gpa 0x810000 --len 3072 --raw >"$E2E_TMP/guest-secret.bin"
nguest=$(grep -c -a -- "$MARK" "$E2E_TMP/guest-fw.bin")
[ "$nguest" -gt 1000 ] && pass guest-sees-plaintext || fail guest-sees-plaintext "marker lines seen by the guest: $nguest"
grep -q -a -- "$SECRET" "$E2E_TMP/guest-secret.bin" && pass guest-sees-secret || fail guest-sees-secret
[ "$(wc -c <"$E2E_TMP/host-fw.bin")" -eq 65536 ] && ! grep -q -a -- "SWSEV-PLAINTEXT" "$E2E_TMP/host-fw.bin" &&
	pass host-view-no-firmware-plaintext || fail host-view-no-firmware-plaintext
! grep -q -a -- "$SECRET" "$E2E_TMP/host-secret.bin" && ! grep -q -a -- "attack-at-dawn" "$E2E_TMP/host-secret.bin" &&
	pass host-view-no-secret || fail host-view-no-secret
# a page of one repeated 16-byte block must not repeat in the host view
# (the address tweak: equal plaintext at different addresses differs)
$PY - "$E2E_TMP/host-fw.bin" <<'EOF' && pass host-view-no-repeated-blocks || fail host-view-no-repeated-blocks
import sys
d = open(sys.argv[1], "rb").read()[:61440]
blocks = [d[i:i + 16] for i in range(0, len(d), 16)]
sys.exit(0 if len(set(blocks)) == len(blocks) else 1)
EOF

# ---- 2. DBG refused under NODBG ------------------------------------------------------
expect_fail nodbg-read-refused sw vm read g1 --gpa $FW_GPA --len 32
grep -q 'POLICY_FAILURE' "$E2E_TMP/.last" || fail nodbg-read-names-policy "$(cat "$E2E_TMP/.last")"
expect_fail nodbg-write-refused sw vm write g1 --gpa $FW_GPA --hex 00112233
"$SWSEV" --socket "$A_SOCK" guest read g1 --gpa $FW_GPA --len 64 --raw | grep -q -a -- "$MARK" &&
	pass nodbg-write-left-memory || fail nodbg-write-left-memory

# ---- 3. SEND refused under NOSEND; 4. replays refused ------------------------------------
DAEMON_LOG=$E2E_TMP/b.log
start_daemon "$E2E_TMP/b" --vendor-root "$ROOT" || fail start-b
B_SOCK=$DAEMON_SOCK
DAEMON_SOCK=$A_SOCK
expect_fail nosend-migrate-refused sw vm migrate g1 --to "$B_SOCK"
sw vm info g1 --json 2>/dev/null | grep -q '"state": "running"' && pass nosend-source-intact ||
	fail nosend-source-intact "$(sw vm info g1 2>&1 | head -n 3)"
"$SWSEV" --socket "$B_SOCK" vm list 2>/dev/null | grep -q -w g1 && fail nosend-nothing-at-target ||
	pass nosend-nothing-at-target
# control: a guest without NOSEND does migrate (so the refusal above is the policy)
expect_ok control-launch sw vm launch m1 --firmware "$IMG" --policy 0x0
expect_ok control-finish sw vm finish m1
expect_ok control-migrate-allowed sw vm migrate m1 --to "$B_SOCK"

# the same session on a second guest: its packet for g1 is refused by g2
expect_ok replay-launch-g2 sw vm launch g2 --firmware "$IMG" --policy 0x9 \
	--dh-cert-file "$OWNER/vm_godh.b64" --session-file "$OWNER/vm_session.b64"
if sw vm inject-secret g2 --header "$OWNER/hdr.b64" --payload "$OWNER/pay.b64" 2>"$E2E_TMP/err"; then
	fail secret-replay-refused "g1's secret packet was accepted by g2"
else
	grep -q 'BAD_MEASUREMENT' "$E2E_TMP/err" && pass secret-replay-refused ||
		fail secret-replay-refused "refused, but not with BAD_MEASUREMENT: $(cat "$E2E_TMP/err")"
fi
# a session made for platform A's PDH is refused by platform B
expect_fail session-replay-other-platform "$SWSEV" --socket "$B_SOCK" vm launch r1 --firmware "$IMG" --policy 0x9 \
	--dh-cert-file "$OWNER/vm_godh.b64" --session-file "$OWNER/vm_session.b64"

# ---- 5. secrets never in the traffic, the logs, or (TEK/TIK) the state file -----------------
# the platform's secrets, from the state file (docs/state-format.md)
$PY - "$E2E_TMP/a/nvstate.bin" >"$E2E_TMP/platform-secrets.hex" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"SWSEV-NV", "not an nvstate file"
blen = struct.unpack("<I", d[12:16])[0]
b, o = d[16:16 + blen], 0
n = b[o]; o += 1 + n
print("chip-secret", b[o:o + 32].hex()); o += 32
o += 2084                                   # CEK certificate
for _ in range(2):                          # ASK, ARK
    o += 2 + struct.unpack("<H", b[o:o + 2])[0]
flags = b[o]; o += 1
if not flags & 1:
    sys.exit(0)
if flags & 4:
    print("oca-private", b[o:o + 48].hex()); o += 48
o += 2084
print("pek-private", b[o:o + 48].hex()); o += 48 + 2084
print("pdh-private", b[o:o + 48].hex())
EOF
nsec=$(wc -l <"$E2E_TMP/platform-secrets.hex")
[ "$nsec" -ge 3 ] && pass state-file-parsed || fail state-file-parsed "found $nsec secrets in nvstate.bin"
{
	echo "tek $(od -An -tx1 -v "$OWNER/vm_tek.bin" | tr -d ' \n')"
	echo "tik $(od -An -tx1 -v "$OWNER/vm_tik.bin" | tr -d ' \n')"
} >"$E2E_TMP/owner-secrets.hex"

# scan NAME SECRETS FILE...: none of the secrets in any of the files, in any
# of the forms raw, byte-reversed, hex (either case) or base64 (any alignment)
scan() {
	_name=$1
	_secrets=$2
	shift 2
	if $PY - "$_secrets" "$@" >"$E2E_TMP/scan.out" <<'EOF'; then
import base64, sys
secrets = [l.split() for l in open(sys.argv[1]) if l.strip()]
hits = 0
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    for name, hx in secrets:
        s = bytes.fromhex(hx)
        forms = {"raw": s, "reversed": s[::-1], "hex": hx.encode(), "HEX": hx.upper().encode()}
        for k in range(3):  # base64 of the secret at each alignment, minus the edge characters
            e = base64.b64encode(b"\0" * k + s)
            forms["base64+%d" % k] = e[4 if k else 0:-4]
        for fname, f in forms.items():
            if len(f) >= 8 and f in data:
                print("%s: %s found (%s)" % (path, name, fname))
                hits += 1
sys.exit(min(hits, 100))
EOF
		_hits=0
	else
		_hits=$?
	fi
	if [ "$_hits" -eq "${SCAN_EXPECT:-0}" ]; then
		pass "$_name"
	else
		fail "$_name" "$_hits finding(s), expected ${SCAN_EXPECT:-0}: $(cat "$E2E_TMP/scan.out")"
	fi
}
# control: the scanner finds the TEK in the owner's own file, and its hex in text
od -An -tx1 -v "$OWNER/vm_tik.bin" | tr -d ' \n' >"$E2E_TMP/tik.hex.txt"
SCAN_EXPECT=2 scan scan-control-finds-tek-and-tik "$E2E_TMP/owner-secrets.hex" "$OWNER/vm_tek.bin" "$E2E_TMP/tik.hex.txt"
if [ $HAVE_STRACE = 1 ]; then
	ntraffic=$(wc -c <"$E2E_TMP/traffic.bin")
	# the capture must have seen the launch: the session blob passes through it
	$PY - "$E2E_TMP/traffic.bin" "$OWNER/vm_session.b64" <<'EOF' && pass traffic-captured || fail traffic-captured "$ntraffic bytes"
import base64, sys
t = open(sys.argv[1], "rb").read()
sys.exit(0 if base64.b64decode(open(sys.argv[2]).read()) in t else 1)
EOF
	scan traffic-no-tek-tik "$E2E_TMP/owner-secrets.hex" "$E2E_TMP/traffic.bin"
	scan traffic-no-platform-secrets "$E2E_TMP/platform-secrets.hex" "$E2E_TMP/traffic.bin"
else
	skip traffic "strace is not installed (Debian package strace)"
fi
stop_daemon "$A_PID"
stop_daemon
scan logs-no-secrets "$E2E_TMP/owner-secrets.hex" "$A_LOG" "$E2E_TMP/b.log"
cat "$E2E_TMP/platform-secrets.hex" >>"$E2E_TMP/owner-secrets.hex"
scan logs-no-platform-secrets "$E2E_TMP/owner-secrets.hex" "$A_LOG" "$E2E_TMP/b.log"
head -n 2 "$E2E_TMP/owner-secrets.hex" >"$E2E_TMP/tektik.hex"
scan state-file-no-tek-tik "$E2E_TMP/tektik.hex" "$E2E_TMP/a/nvstate.bin" "$E2E_TMP/b/nvstate.bin"

# ---- 6. modes -------------------------------------------------------------------------
m() { stat -c %a "$1"; }
[ "$(m "$E2E_TMP/a/nvstate.bin")" = 600 ] && pass state-file-0600 || fail state-file-0600 "$(m "$E2E_TMP/a/nvstate.bin")"
ok=1
for k in "$ROOT"/*.key; do
	[ -e "$k" ] || continue
	[ "$(m "$k")" = 600 ] || {
		ok=0
		echo "    $k is $(m "$k")" >&2
	}
done
[ $ok = 1 ] && pass vendor-root-keys-0600 || fail vendor-root-keys-0600
[ "$(m "$OWNER/vm_tek.bin")" = 600 ] && [ "$(m "$OWNER/vm_tik.bin")" = 600 ] && pass owner-tek-tik-0600 ||
	fail owner-tek-tik-0600 "tek $(m "$OWNER/vm_tek.bin"), tik $(m "$OWNER/vm_tik.bin")"
"$SWSEV" generate "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key" >/dev/null 2>&1
[ "$(m "$E2E_TMP/oca.key")" = 600 ] && pass oca-key-0600 || fail oca-key-0600 "$(m "$E2E_TMP/oca.key")"
others=$(find "$E2E_TMP/a" "$E2E_TMP/b" \( -perm -o=r -o -perm -o=w -o -perm -g=w \) ! -type l ! -type s | head -n 5)
[ -z "$others" ] && pass state-dir-private || fail state-dir-private "readable or writable by others: $others"
e2e_finish
