#!/bin/sh
# one.sh OUT SRC INCLUDE EINS_OPT FILE: build one corpus source the way the
# selftests do and rewrite it; prints "NAME cc-ok|cc-fail EINS_OPT_RC SECONDS"
out=$1
src=$2
inc=$3
opt=$4
f=$5
sel=$src/tools/testing/selftests/bpf
b=$(basename "$f" .c)
o=$out/obj/$b.bpf.o
if ! timeout 120 clang-19 -target bpf -mcpu="${CORPUS_MCPU:-v3}" -O2 -g -std=gnu11 \
	-D__TARGET_ARCH_x86 -Wno-compare-distinct-pointer-types \
	-I"$out" -I"$(dirname "$f")" -I"$sel" -I"$sel/progs" -I"$inc" \
	-I"$src/tools/include/uapi" -I"$src/tools/include" \
	-idirafter /usr/lib/llvm-19/lib/clang/19/include \
	-idirafter /usr/local/include \
	-idirafter /usr/include/x86_64-linux-gnu -idirafter /usr/include \
	-c "$f" -o "$o" 2> "$out/obj/$b.cc.log"; then
	echo "$b cc-fail - -"
	exit 0
fi
t0=$(date +%s.%N)
timeout 600 "$opt" --report "$o" -o "$out/opt/$b.opt.o" \
	> "$out/opt/$b.report" 2> "$out/opt/$b.err"
rc=$?
echo "$b cc-ok $rc $(echo "$(date +%s.%N) - $t0" | bc)"
