#!/bin/sh
# libvirt's virt-qemu-sev-validate (Debian package libvirt-clients-qemu, run
# offline with /usr/bin/python3) against the measurement swsevd reports for a
# launch of Debian's OVMF (and of the AmdSev sample with kernel hashes),
# SEV and SEV-ES; then the secret packet it builds is accepted by swsevd and
# the guest reads it. A wrong TIK or another image must be refused by it.
. tests/e2e/lib.sh

VALIDATE=/usr/bin/virt-qemu-sev-validate
OVMF=/usr/share/OVMF/OVMF_CODE_4M.fd
SAMPLE=tests/fixtures/vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin

require_bins interop "$SWSEV" "$SWSEVD"
if [ ! -r "$VALIDATE" ]; then
	skip interop "virt-qemu-sev-validate not installed (Debian package libvirt-clients-qemu)"
	exit 0
fi
if ! /usr/bin/python3 -c 'import lxml' 2>/dev/null; then
	skip interop "virt-qemu-sev-validate needs python3-lxml"
	exit 0
fi
validate() { /usr/bin/python3 "$VALIDATE" "$@"; }

start_daemon "$E2E_TMP/state" || { fail start-daemon; e2e_finish; }
O=$E2E_TMP/owner
mkdir -p "$O"
sw export "$O/chain" >/dev/null || fail export
printf 'swsev interop secret' >"$O/secret.txt"

info_field() { sw vm info "$1" --json | sed -n "s/.*\"$2\": *\([0-9]*\).*/\1/p"; }

# check NAME FIRMWARE POLICY [validator args...]
check() {
	name=$1 fw=$2 pol=$3
	shift 3
	M=$(sw vm measurement "$name")
	maj=$(info_field "$name" api-major)
	min=$(info_field "$name" api-minor)
	bld=$(info_field "$name" build-id)
	if validate --measurement "$M" --api-major "$maj" --api-minor "$min" --build-id "$bld" --policy "$pol" \
		--firmware "$fw" --tik "$O/${name}_tik.bin" --tek "$O/${name}_tek.bin" "$@" \
		--inject-secret "luks-key:$O/secret.txt" --secret-header "$O/$name.hdr" \
		--secret-payload "$O/$name.pay" >"$E2E_TMP/v.log" 2>&1; then
		pass "$name-validator-agrees"
	else
		fail "$name-validator-agrees" "$(cat "$E2E_TMP/v.log")"
		return
	fi
	# the validator must refuse a wrong TIK (a test that can fail)
	head -c 16 /dev/urandom >"$E2E_TMP/badtik"
	if validate --measurement "$M" --api-major "$maj" --api-minor "$min" --build-id "$bld" --policy "$pol" \
		--firmware "$fw" --tik "$E2E_TMP/badtik" --tek "$O/${name}_tek.bin" "$@" >/dev/null 2>&1; then
		fail "$name-validator-refuses-wrong-tik"
	else
		pass "$name-validator-refuses-wrong-tik"
	fi
}

# SEV, Debian OVMF
if [ -r "$OVMF" ]; then
	(cd "$O" && "$OLDPWD/$SWSEV" session --name deb chain/pdh.cert 0x3 >/dev/null)
	expect_ok deb-launch sw vm launch deb --firmware "$OVMF" --policy 0x3 \
		--dh-cert-file "$O/deb_godh.b64" --session-file "$O/deb_session.b64"
	check deb "$OVMF" 3
	# libvirt writes base64 header/payload, as QMP takes them; Debian's OVMF names no secret area
	expect_ok deb-secret-accepted sw vm inject-secret deb --header "$O/deb.hdr" --payload "$O/deb.pay" --gpa 0x800000
	expect_ok deb-finish sw vm finish deb
	sw guest read deb --gpa 0x800000 --len 96 --secret-table | grep -q 'swsev interop secret' &&
		pass deb-guest-reads-libvirt-secret || fail deb-guest-reads-libvirt-secret

	(cd "$O" && "$OLDPWD/$SWSEV" session --name es chain/pdh.cert 0x7 >/dev/null)
	expect_ok es-launch sw vm launch es --firmware "$OVMF" --policy 0x7 --vcpus 2 --cpu-family 23 \
		--cpu-model 49 --cpu-stepping 0 --dh-cert-file "$O/es_godh.b64" --session-file "$O/es_session.b64"
	check es "$OVMF" 7 --num-cpus 2 --cpu-family 23 --cpu-model 49 --cpu-stepping 0
	expect_ok es-secret-accepted sw vm inject-secret es --header "$O/es.hdr" --payload "$O/es.pay" --gpa 0x800000
else
	skip deb "$OVMF not installed (Debian package ovmf)"
fi

# SEV with direct kernel boot (kernel hashes), the AmdSev footer sample
cp "$SAMPLE" "$O/amdsev.fd"
printf 'not really a bzImage' >"$O/vmlinuz"
printf 'initrd bytes' >"$O/initrd"
(cd "$O" && "$OLDPWD/$SWSEV" session --name kh chain/pdh.cert 0x1 >/dev/null)
expect_ok kh-launch sw vm launch kh --firmware "$O/amdsev.fd" --kernel "$O/vmlinuz" --initrd "$O/initrd" \
	--cmdline "console=ttyS0 root=/dev/vda" --dh-cert-file "$O/kh_godh.b64" --session-file "$O/kh_session.b64"
check kh "$O/amdsev.fd" 1 --kernel "$O/vmlinuz" --initrd "$O/initrd" --cmdline "console=ttyS0 root=/dev/vda"
expect_ok kh-secret-accepted sw vm inject-secret kh --header "$O/kh.hdr" --payload "$O/kh.pay"
expect_ok kh-finish sw vm finish kh
sw guest read kh --gpa 0x810000 --len 96 --secret-table | grep -q 'swsev interop secret' &&
	pass kh-guest-reads-libvirt-secret || fail kh-guest-reads-libvirt-secret
# another cmdline than the one booted: the validator refuses
M=$(sw vm measurement kh)
if validate --measurement "$M" --api-major 0 --api-minor "$(info_field kh api-minor)" \
	--build-id "$(info_field kh build-id)" --policy 1 --firmware "$O/amdsev.fd" --kernel "$O/vmlinuz" \
	--initrd "$O/initrd" --cmdline "console=ttyS0 root=/dev/vdb" --tik "$O/kh_tik.bin" \
	--tek "$O/kh_tek.bin" >/dev/null 2>&1; then
	fail kh-validator-refuses-other-cmdline
else
	pass kh-validator-refuses-other-cmdline
fi
e2e_finish
