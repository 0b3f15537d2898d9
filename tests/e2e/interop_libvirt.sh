#!/bin/sh
# Interoperability with libvirt's guest-owner tool, virt-qemu-sev-validate
# (Debian libvirt-clients-qemu), in its offline mode (no libvirt connection:
# measurement, api, build, policy and the keys are passed directly).
#
#   - swsev computes a measurement blob; the peer validates it ("OK: Looks
#     good to me"), and refuses it after a flipped byte;
#   - the peer builds secret packets (--inject-secret with --secret-header/
#     --secret-payload, base64 files); swsev checks their MAC, decrypts them
#     and finds exactly the secret files;
#   - on Debian's real OVMF_CODE_4M.fd (and OVMF_CODE.fd), with and without
#     kernel hashes, and for SEV-ES with VMSA files and with CPU
#     family/model/stepping, 1 and 4 vCPUs.
# Debian's OVMF builds have an empty kernel-hashes block (base 0, size 0), so
# QEMU could not launch them with kernel-hashes=on: the kernel cases are
# also run on the two AmdSev images of the vectors, which have real blocks.
. tests/e2e/lib.sh

require_bins interop_libvirt "$SWSEV"
PEER=/usr/bin/virt-qemu-sev-validate
PY=/usr/bin/python3
if [ ! -x "$PEER" ] || [ ! -x "$PY" ]; then
	skip interop_libvirt "$PEER (libvirt-clients-qemu) or $PY not installed"
	exit 0
fi
if ! $PY -c 'import cryptography, lxml' 2>/dev/null; then
	skip interop_libvirt "the peer needs python3-cryptography and python3-lxml"
	exit 0
fi

T=$E2E_TMP
W=$(pwd)
PDH=$W/tests/fixtures/vectors/virtee-sev/tests/milan/pdh.cert
SEVCTL=$W/tests/fixtures/vectors/virtee-sevctl/data
FWS=""
for f in /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF.amdsev.fd; do
	[ -r "$f" ] && FWS="$FWS $f"
done
[ -n "$FWS" ] || skip debian_ovmf "no /usr/share/OVMF/OVMF_CODE*.fd (Debian package ovmf)"
AMDSEV_FWS="$SEVCTL/OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9 $W/tests/fixtures/vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin"

# a fake kernel and initrd, and secrets whose tables are and are not 16-aligned
printf 'MZ fake bzImage for the interop test\n' >"$T/vmlinuz"
head -c 3000 /dev/urandom >"$T/initrd"
printf 'passphrase-8' | head -c 8 >"$T/secret8"        # 20 + 20 + 8 = 48: aligned
printf 'a longer secret of 27 bytes' >"$T/secret27"

# fresh keys through swsev's own session command (against a real Milan PDH)
cd "$T" && "$W/$SWSEV" session "$PDH" 1 --name k >/dev/null 2>"$T/session.err"
rc=$?
cd "$W" || exit 1
if [ $rc -ne 0 ]; then
	fail session_keys "$(cat "$T/session.err")"
	e2e_finish
fi
cat "$T/k_tek.bin" "$T/k_tik.bin" >"$T/k_tk.bin"
nonce() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
flip() { $PY -c "import base64,sys;b=bytearray(base64.b64decode(sys.argv[1]));b[int(sys.argv[2])]^=1;print(base64.b64encode(bytes(b)).decode())" "$@"; }

# agree NAME POLICY FW [extra args shared by both tools...]
# extra args use the names both tools share (--kernel --initrd --cmdline
# --num-cpus --vmsa-cpu0 --vmsa-cpu1 --cpu-family --cpu-model --cpu-stepping)
agree() {
	_n=$1
	_pol=$2
	_fw=$3
	shift 3
	_b=$("$SWSEV" measurement build --api-major 1 --api-minor 51 --build-id 3 --policy "$_pol" \
		--tik "$T/k_tik.bin" --nonce "$(nonce)" --firmware "$_fw" "$@" 2>"$T/sw.err")
	if [ -z "$_b" ]; then
		fail "$_n" "swsev failed: $(cat "$T/sw.err")"
		return 1
	fi
	if ! $PY "$PEER" --measurement "$_b" --api-major 1 --api-minor 51 --build-id 3 --policy "$_pol" \
		--firmware "$_fw" --tik "$T/k_tik.bin" --tek "$T/k_tek.bin" "$@" >"$T/peer.out" 2>&1; then
		fail "$_n" "peer refused swsev's measurement: $(cat "$T/peer.out")"
		return 1
	fi
	grep -q "OK: Looks good to me" "$T/peer.out" || {
		fail "$_n" "peer said: $(cat "$T/peer.out")"
		return 1
	}
	# the peer must refuse the same blob with one flipped bit
	if [ "${NEG:-0}" = 1 ] && $PY "$PEER" --measurement "$(flip "$_b" 9)" --api-major 1 --api-minor 51 --build-id 3 --policy "$_pol" \
		--firmware "$_fw" --tk "$T/k_tk.bin" "$@" >"$T/peer.out" 2>&1; then
		fail "$_n" "peer accepted a flipped measurement"
		return 1
	fi
	LAST_BLOB=$_b
	pass "$_n"
}

for fw in $FWS; do
	b=$(basename "$fw" .fd)
	NEG=1 agree "sev_$b" 1 "$fw"
	if [ "$b" != OVMF_CODE_4M ]; then
		# the other images: one SEV-ES case each, the full set on the 4M image
		NEG=1 agree "es_${b}_milan_4cpu_kernel" 5 "$fw" --num-cpus 4 --cpu-family 25 --cpu-model 1 \
			--cpu-stepping 1 --kernel "$T/vmlinuz" --initrd "$T/initrd" --cmdline "quiet"
		continue
	fi
	NEG=1 agree "sev_${b}_kernel" 1 "$fw" --kernel "$T/vmlinuz" --initrd "$T/initrd" --cmdline "console=ttyS0 root=/dev/vda1"
	agree "sev_${b}_kernel_only" 3 "$fw" --kernel "$T/vmlinuz"
	agree "sev_${b}_kernel_empty_cmdline" 1 "$fw" --kernel "$T/vmlinuz" --cmdline ""
	# SEV-ES: CPU models EPYC-v4, EPYC-Milan, EPYC-Genoa; 1 and 4 vCPUs
	agree "es_${b}_epyc_v4_1cpu" 5 "$fw" --num-cpus 1 --cpu-family 23 --cpu-model 1 --cpu-stepping 2
	NEG=1 agree "es_${b}_epyc_v4_4cpu" 5 "$fw" --num-cpus 4 --cpu-family 23 --cpu-model 1 --cpu-stepping 2
	agree "es_${b}_milan_2cpu_kernel" 7 "$fw" --num-cpus 2 --cpu-family 25 --cpu-model 1 --cpu-stepping 1 \
		--kernel "$T/vmlinuz" --initrd "$T/initrd"
	agree "es_${b}_genoa_3cpu" 69 "$fw" --num-cpus 3 --cpu-family 25 --cpu-model 17 --cpu-stepping 0
	# swsev's VMSA files, given to both tools
	"$SWSEV" vmsa build "$T/v0" --cpu 0 --userspace qemu --family 25 --model 1 --stepping 1 --firmware "$fw"
	"$SWSEV" vmsa build "$T/v1" --cpu 1 --userspace qemu --family 25 --model 1 --stepping 1 --firmware "$fw"
	agree "es_${b}_vmsa_files_4cpu" 5 "$fw" --num-cpus 4 --vmsa-cpu0 "$T/v0" --vmsa-cpu1 "$T/v1"
done
for fw in $AMDSEV_FWS; do
	b=$(basename "$fw" | cut -c1-16)
	agree "amdsev_${b}_kernel" 1 "$fw" --kernel "$T/vmlinuz" --initrd "$T/initrd" --cmdline "console=ttyS0"
	agree "amdsev_${b}_es_kernel_4cpu" 5 "$fw" --kernel "$T/vmlinuz" --num-cpus 4 --cpu-family 25 --cpu-model 1 --cpu-stepping 1
done

# ---- the peer's secret packets open with swsev ----
fw=$(echo $FWS $AMDSEV_FWS | cut -d' ' -f1)
secrets_case() {
	_sn=$1
	shift
	agree "${_sn}_measure" 1 "$fw" || return 1
	rm -f "$T/ph" "$T/pp"
	if ! $PY "$PEER" --measurement "$LAST_BLOB" --api-major 1 --api-minor 51 --build-id 3 --policy 1 \
		--firmware "$fw" --tik "$T/k_tik.bin" --tek "$T/k_tek.bin" "$@" \
		--secret-header "$T/ph" --secret-payload "$T/pp" >"$T/peer.out" 2>&1; then
		fail "$_sn" "peer could not build the secret: $(cat "$T/peer.out")"
		return 1
	fi
	rm -rf "$T/x" && mkdir "$T/x"
	if ! "$SWSEV" secret verify --tk "$T/k_tk.bin" --launch-measure-blob "$LAST_BLOB" \
		--header "$T/ph" --payload "$T/pp" --extract "$T/x" >"$T/verify.out" 2>&1; then
		fail "$_sn" "swsev refused the peer's packet: $(cat "$T/verify.out")"
		return 1
	fi
	pass "$_sn"
}
if secrets_case peer_secret_luks --inject-secret "luks-key:$T/secret27"; then
	cmp -s "$T/x/736869e5-84f0-4973-92ec-06879ce3da0b" "$T/secret27" && pass peer_secret_luks_content ||
		fail peer_secret_luks_content
fi
if secrets_case peer_secret_two --inject-secret "luks-key:$T/secret8" \
	--inject-secret "0b6fa2a6-5a45-4e35-9b0a-2e0b53c1d38e:$T/secret27"; then
	if cmp -s "$T/x/736869e5-84f0-4973-92ec-06879ce3da0b" "$T/secret8" &&
		cmp -s "$T/x/0b6fa2a6-5a45-4e35-9b0a-2e0b53c1d38e" "$T/secret27"; then
		pass peer_secret_two_content
	else
		fail peer_secret_two_content
	fi
fi
# libvirt pads always: an aligned table (48 bytes) gets 16 more; swsev
# --pad-always makes the same layout, sevctl's default does not
if secrets_case peer_secret_aligned --inject-secret "luks-key:$T/secret8"; then
	plen=$(base64 -d <"$T/pp" | wc -c)
	"$SWSEV" secret build --tk "$T/k_tk.bin" --launch-measure-blob "$LAST_BLOB" --pad-always \
		--secret "luks-key:$T/secret8" "$T/sh" "$T/sp" >/dev/null
	"$SWSEV" secret build --tk "$T/k_tk.bin" --launch-measure-blob "$LAST_BLOB" \
		--secret "luks-key:$T/secret8" "$T/sh2" "$T/sp2" >/dev/null
	if [ "$plen" = 64 ] && [ "$(wc -c <"$T/sp")" = 64 ] && [ "$(wc -c <"$T/sp2")" = 48 ]; then
		pass padding_libvirt_vs_sevctl
	else
		fail padding_libvirt_vs_sevctl "peer $plen, swsev --pad-always $(wc -c <"$T/sp"), default $(wc -c <"$T/sp2")"
	fi
fi
# a peer packet bound to another measurement is refused by swsev
if [ -s "$T/ph" ]; then
	other=$(flip "$LAST_BLOB" 0)
	if "$SWSEV" secret verify --tk "$T/k_tk.bin" --launch-measure-blob "$other" \
		--header "$T/ph" --payload "$T/pp" >/dev/null 2>&1; then
		fail peer_secret_other_measurement "accepted"
	else
		pass peer_secret_other_measurement
	fi
fi
# swsev --verify agrees with the peer on the peer-validated blob
if [ -n "$LAST_BLOB" ]; then
	out=$("$SWSEV" measurement build --api-major 1 --api-minor 51 --build-id 3 --policy 1 \
		--tik "$T/k_tik.bin" --verify "$LAST_BLOB" --firmware "$fw")
	[ "$out" = "measurement OK" ] && pass swsev_verify_peer_blob || fail swsev_verify_peer_blob "$out"
fi

e2e_finish
