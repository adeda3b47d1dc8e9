#!/bin/sh
# build.sh OUT SRC LIBBPF_INCLUDE EINS_OPT [LIST]
#
# The rewriter's corpus: BPF programs no one here wrote, the 6.12 tree's
# tools/testing/selftests/bpf/progs/*.c and samples/bpf/*.bpf.c, built by
# stock clang-19 the way the selftests build them (-mcpu=v3 -O2 -g,
# vmlinux.h from the running kernel's BTF through the tree's bpftool),
# then rewritten by eins-opt.
# With LIST, only the sources it names (make check's subset: those in
# which eins-opt finds sites).
#
# Writes OUT/corpus/: obj/ (as built), opt/ (rewritten, with reports),
# table.txt (per object with sites: insns before -> after, sites per op,
# time), summary.txt, and vm/ (originals, rewritten objects and a manifest
# for corpus_run in the test VM).  Prints TAP-style lines: one per object
# (compiles, eins-opt succeeds) in LIST mode.
set -u
out=$1/corpus
src=$2
inc=$3
opt=$4
list=${5:-}
# the op names as a grep alternative, rotate\|select\|...: eins-opt's
# list (eins_ops.h)
op_re=$("$opt" --help | sed -n 's/^Ops: //p' | sed 's/ /\\|/g')
sel=$src/tools/testing/selftests/bpf
rm -rf "$out/vm" "$out/obj" "$out/opt"
mkdir -p "$out/obj" "$out/opt" "$out/bpftool"
mkdir -p "$out/vm"

if [ ! -x "$out/bpftool/bpftool" ]; then
	make -s -C "$src/tools/bpf/bpftool" OUTPUT="$out/bpftool/" \
		CC="ccache gcc" -j"$(nproc)" > "$out/bpftool.log" 2>&1 ||
		{ tail -20 "$out/bpftool.log"; echo "not ok - build bpftool"; exit 1; }
fi
btf=/sys/kernel/btf/vmlinux
[ -r "$btf" ] || btf=$1/build-x86_64/vmlinux
"$out/bpftool/bpftool" btf dump file "$btf" format c > "$out/vmlinux.h.tmp" &&
	mv "$out/vmlinux.h.tmp" "$out/vmlinux.h" ||
	{ echo "not ok - vmlinux.h from $btf"; exit 1; }

# a list entry is a selftests/bpf/progs file name, or a path in the tree
if [ -n "$list" ]; then
	sources=$(sed 's/#.*//' "$list" | grep . |
		sed "/\//s|^|$src/|; /\//!s|^|$sel/progs/|")
else
	sources=$(ls "$sel"/progs/*.c "$src"/samples/bpf/*.bpf.c)
fi

results=$out/results.txt
for f in $sources; do
	echo "$f"
done | xargs -P"$(nproc)" -n1 sh "$(dirname "$0")/one.sh" "$out" "$src" "$inc" "$opt" \
	> "$results"
sort -o "$results" "$results"

# the table: objects with sites
{
	printf "%-36s %7s %7s %6s  %s\n" object before after time sites
	while read -r b cc rc secs; do
		[ "$cc" = cc-ok ] && [ "$rc" = 0 ] || continue
		line=$(grep 'total insns' "$out/opt/$b.report")
		n=$(echo "$line" | sed 's/.*, \([0-9]*\) sites.*/\1/')
		[ "$n" -gt 0 ] || continue
		ops=$(grep ': section ' "$out/opt/$b.report" |
			grep -o " \\($op_re\\)=[0-9]*" | awk -F= '{c[$1]+=$2} END {for (k in c) printf "%s=%d ", k, c[k]}')
		printf "%-36s %7s %7s %6.2f  %s\n" "$b" \
			"$(echo "$line" | sed 's/.*total insns \([0-9]*\) .*/\1/')" \
			"$(echo "$line" | sed 's/.*-> \([0-9]*\),.*/\1/')" "$secs" "$n: $ops"
		cp "$out/obj/$b.bpf.o" "$out/opt/$b.opt.o" "$out/vm/"
		echo "$b.bpf.o $b.opt.o" >> "$out/vm/manifest"
	done < "$results"
} > "$out/table.txt"

total=$(grep -c . "$results")
cc_ok=$(grep -c ' cc-ok ' "$results")
opt_ok=$(grep -c ' cc-ok 0 ' "$results")
with=$(($(grep -c . "$out/table.txt") - 1))
reports=$(sed -n 's|^\([^ ]*\) cc-ok 0 .*|'"$out"'/opt/\1.report|p' "$results")
cat $reports /dev/null | grep 'total insns' |
	sed 's/.*total insns \([0-9]*\) -> \([0-9]*\), \([0-9]*\) sites.*/\1 \2 \3/' |
	awk -v t="$total" -v c="$cc_ok" -v o="$opt_ok" -v w="$with" \
	'{ b += $1; a += $2; s += $3 } END {
		printf "corpus: %d sources, %d compiled, eins-opt succeeded on %d; %d sites in %d objects; insns %d -> %d\n", t, c, o, s, w, b, a }' \
	> "$out/summary.txt"
cat $reports /dev/null | grep ': section ' | grep -o " \\($op_re\\)=[0-9]*" |
	awk -F= '{ sub(/^ /, "", $1); c[$1] += $2 } END { for (k in c) printf "%s=%d ", k, c[k]; print "" }' \
	>> "$out/summary.txt"
cat "$out/summary.txt"

if [ -n "$list" ]; then
	while read -r b cc rc secs; do
		if [ "$cc" != cc-ok ]; then
			echo "not ok - corpus $b: does not compile (log: $out/obj/$b.cc.log)"
		elif [ "$rc" != 0 ]; then
			echo "not ok - corpus $b: eins-opt failed ($rc): $(head -1 "$out/opt/$b.err")"
		else
			echo "ok - corpus $b: rewritten ($(grep 'total insns' "$out/opt/$b.report" | sed 's/.*total //'))"
		fi
	done < "$results"
fi
