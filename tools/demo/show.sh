#!/bin/sh
# show.sh VM_LOG OUTDIR ARCH: the host half of the demo.  Disassemble the
# stock and EInsn images the VM printed side by side, then (x86-64) run them
# natively on this machine.
set -eu
log=$1
dir=$2
arch=${3:-x86_64}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
grep -E '^(demo|eins-vm):' "$log" || true
if [ "$arch" = x86_64 ]; then
	"$dir/imgrun" "$log" "$dir" > "$dir/imgrun.out"
else
	"$dir/imgrun" "$log" "$dir" --no-run
fi

dis() {
	if [ "$arch" = arm64 ]; then
		aarch64-linux-gnu-objdump -D -b binary -m aarch64 \
			--no-show-raw-insn "$1"
	else
		objdump -D -b binary -m i386:x86-64 -M intel \
			--no-show-raw-insn "$1"
	fi | sed -n 's/^ *\([0-9a-f]*\):\t\(.*\)$/\1: \2/p' | tr -s ' '
}
dis "$dir/stock.bin" > "$dir/stock.s"
dis "$dir/eins.bin" > "$dir/eins.s"
echo
printf '%-50s %s\n' "stock JIT ($(wc -l < "$dir/stock.s") insns)" \
	"EInsn JIT ($(wc -l < "$dir/eins.s") insns)"
pr -m -t -w 100 "$dir/stock.s" "$dir/eins.s"
echo
if [ "$arch" != x86_64 ]; then
	echo "($arch images are not run: no $arch hardware here; sizes above)"
	exit 0
fi
echo "Native run on this machine's CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')):"
cat "$dir/imgrun.out"
