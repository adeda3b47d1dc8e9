#!/bin/sh
# mkinitramfs.sh OUTPUT KERNEL_RELEASE BUSYBOX [FILE...]
#
# Build the test VM's initramfs: static busybox, tools/vm/init, every .ko
# FILE under /lib/modules/KERNEL_RELEASE/extra (indexed with depmod, so
# "modprobe eins" works) and every other FILE under /opt/eins.
set -eu
out=$1
krel=$2
busybox=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/opt/eins" "$root/lib/modules/$krel/extra"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
for f in "$@"; do
	case "$f" in
	*.ko) cp "$f" "$root/lib/modules/$krel/extra/" ;;
	*) cp -r "$f" "$root/opt/eins/" ;;
	esac
done
touch "$root/lib/modules/$krel/modules.order" \
	"$root/lib/modules/$krel/modules.builtin" \
	"$root/lib/modules/$krel/modules.builtin.modinfo"
depmod -b "$root" "$krel"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out"
