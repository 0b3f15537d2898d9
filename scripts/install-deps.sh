#!/bin/sh
# Installs the Debian packages swsev needs to build and test, when missing.
# Called by every `make`; does nothing when everything is present.
set -e
need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in libssl-dev pkg-config ovmf libvirt-clients-qemu python3-cryptography strace python3-lxml; do
	have_pkg "$p" || need="$need $p"
done
command -v cc >/dev/null 2>&1 || need="$need gcc"
[ -z "$need" ] && exit 0
echo "swsev: installing missing build/test dependencies:$need" >&2
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "swsev: run as root, or install:$need" >&2; exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
$SUDO apt-get install -y -qq --no-install-recommends $need >&2
