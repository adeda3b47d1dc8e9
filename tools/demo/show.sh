#!/bin/sh
# show.sh VM_LOG OUTDIR: the host half of the demo.  Disassemble the stock
# and EInsn images the VM printed side by side, then run them natively.
set -eu
log=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
grep -E '^(demo|eins-vm):' "$log" || true
"$dir/imgrun" "$log" "$dir" > "$dir/imgrun.out"

dis() {
	objdump -D -b binary -m i386:x86-64 -M intel --no-show-raw-insn "$1" |
		sed -n 's/^ *\([0-9a-f]*\):\t\(.*\)$/\1: \2/p' | tr -s ' '
}
dis "$dir/stock.bin" > "$dir/stock.s"
dis "$dir/eins.bin" > "$dir/eins.s"
echo
printf '%-50s %s\n' "stock JIT ($(wc -l < "$dir/stock.s") insns)" \
	"EInsn JIT ($(wc -l < "$dir/eins.s") insns)"
pr -m -t -w 100 "$dir/stock.s" "$dir/eins.s"
echo
echo "Native run on this machine's CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')):"
cat "$dir/imgrun.out"
