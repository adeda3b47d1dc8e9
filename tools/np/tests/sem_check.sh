#!/bin/sh
# sem_check.sh OUTDIR: build sem_ops.c as np-cc builds a whole-program
# module's files (front end, np-ir.py, optimizer; -fno-strict-overflow as
# in the kernel), link it with sem_check.c and run it.  Also checks that
# np-ir.py refuses what it does not understand, with a message.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
clang=${CLANG:-clang-19}
mkdir -p "$out"
"$clang" -O2 -fno-strict-overflow -Xclang -disable-llvm-passes -S -emit-llvm \
	-o "$out/sem_ops.fe.ll" "$here/sem_ops.c"
python3 "$here/../np-ir.py" "$out/sem_ops.fe.ll" "$out/sem_ops.bpf.ll"
"$clang" -O2 -c -o "$out/sem_ops.o" "$out/sem_ops.bpf.ll"
"$clang" -O2 -Wall -o "$out/sem_check" "$here/sem_check.c" "$out/sem_ops.o"
"$out/sem_check" || echo "not ok - np-ir: sem_check failed or trapped (exit $?)"

# a vector division is not one np-ir.py knows how to give BPF semantics
printf '%s\n' 'define <2 x i64> @f(<2 x i64> %a, <2 x i64> %b) {' \
	'  %q = udiv <2 x i64> %a, %b' '  ret <2 x i64> %q' '}' > "$out/vec.ll"
if python3 "$here/../np-ir.py" "$out/vec.ll" "$out/vec.out.ll" 2> "$out/vec.err"; then
	echo "not ok - np-ir: a vector division was accepted"
elif grep -q 'refused' "$out/vec.err"; then
	echo "ok - np-ir: a vector division is refused with a message"
else
	echo "not ok - np-ir: a vector division failed without its message"
fi
