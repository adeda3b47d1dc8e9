#!/bin/sh
# Install the Debian packages the project needs (idempotent, quiet when
# everything is present). Run as root on Debian 12.
set -eu

PKGS="linux-source-6.12 clang-19 llvm-19 lld-19 qemu-system-x86 \
qemu-system-arm gcc-aarch64-linux-gnu flex bison bc libelf-dev libssl-dev \
dwarves busybox-static cpio kmod ccache z3 libz3-dev python3-z3 zlib1g-dev \
libzstd-dev pkg-config xz-utils rsync git file python3-ply python3-git"

# arm64 libraries for the statically linked arm64 test programs
PKGS="$PKGS libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "setup: missing packages:$missing (run as root or install them)" >&2
	exit 1
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
dpkg --print-foreign-architectures | grep -qx arm64 ||
	dpkg --add-architecture arm64
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
