#!/bin/sh
# np-build.sh: make a whole-program native module from one BPF C source.
#
#   np-build.sh -k KBUILD -o OUTDIR [-m MODULE] [-p PROG]... SRC.bpf.c [CFLAGS...]
#
# The same C is compiled twice:
#   - for BPF (clang -target bpf): OUTDIR/MODULE.bpf.o, the object to load;
#     its bytecode is what the verifier checks, the "proof";
#   - for the kernel, in a module built against KBUILD: OUTDIR/MODULE.ko,
#     holding each program's native code and its binding hash, computed
#     here from the BPF object by np-hash.
# CFLAGS (e.g. -I and -D options) go to both compilers.  PROG selects
# programs (default: every program np-hash accepts; it says why it refuses
# the others).  The module's switch is off: load it with
# "modprobe MODULE enable=1" or write 1 to
# /sys/module/MODULE/parameters/enable; it applies to programs loaded after.
#
# The module is compiled by clang (through np-cc, whatever compiler built
# the kernel) with the kernel's flags (no SSE, kernel code model, stack
# init...) and, for the program files, at -O2 (NP_OPT) whatever the
# kernel's optimization level.  np-cc gives the C BPF's semantics where C
# leaves it undefined (division by zero, shift counts past the width: see
# np-ir.py), so no packet can make the native code trap.
#
# On x86-64 the program files may use the extensions NP_CPU names (default
# "popcnt abm bmi1 bmi2 movbe", as /proc/cpuinfo spells them; "" for
# none): the module's init refuses a CPU without one of them, saying which.
# A kernel build for arm64 (KMAKE with ARCH=arm64 and CROSS_COMPILE) gives
# an arm64 module, for the base architecture (NP_CPU must be empty).
#
# Environment: CLANG (clang-19), NP_HASH (np-hash binary), BPF_CFLAGS
# (flags for the BPF compile, default -target bpf -mcpu=v4 -O2 -g),
# KMAKE (the kernel make command, default "make -C KBUILD"; it gets
# CC=np-cc and M=OUTDIR modules appended).
set -eu

usage() {
	sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
kbuild= out= mod= progs=
while getopts k:o:m:p:h opt; do
	case $opt in
	k) kbuild=$OPTARG ;;
	o) out=$OPTARG ;;
	m) mod=$OPTARG ;;
	p) progs="$progs $OPTARG" ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ -n "$kbuild" ] && [ -n "$out" ] || usage
src=$1
shift
[ -f "$src" ] || { echo "np-build: $src: no such file" >&2; exit 1; }
[ -f "$kbuild/Makefile" ] || { echo "np-build: $kbuild: not a kernel build directory" >&2; exit 1; }
grep -q '^CONFIG_BPF_NATIVE_PROG=y' "$kbuild/.config" || {
	echo "np-build: $kbuild: kernel built without CONFIG_BPF_NATIVE_PROG" >&2
	exit 1
}
base=$(basename "$src" .c)
base=${base%.bpf}
mod=${mod:-np_$base}
case $mod in *[!a-z0-9_]*|[0-9]*)
	echo "np-build: module name $mod: use [a-z0-9_]" >&2; exit 1 ;;
esac
clang=${CLANG:-clang-19}
nphash=${NP_HASH:-$here/np-hash}
bpfflags=${BPF_CFLAGS:--target bpf -mcpu=v4 -O2 -g}
srcdir=$(cd "$(dirname "$src")" && pwd)
srcabs=$srcdir/$(basename "$src")

mkdir -p "$out"
out=$(cd "$out" && pwd)

# put_file FILE: FILE.new becomes FILE if it differs (kbuild rebuilds less)
put_file() {
	if cmp -s "$1.new" "$1"; then
		rm -f "$1.new"
	else
		mv "$1.new" "$1"
	fi
}

# shellcheck disable=SC2086
"$clang" $bpfflags "$@" -c "$src" -o "$out/$mod.bpf.o.new"
put_file "$out/$mod.bpf.o"

# the CPU extensions the program files are compiled for: clang's flag and
# the kernel's feature bit for each
if grep -q '^CONFIG_X86_64=y' "$kbuild/.config"; then
	cpu=${NP_CPU-popcnt abm bmi1 bmi2 movbe}
else
	cpu=${NP_CPU-}
	[ -z "$cpu" ] || { echo "np-build: NP_CPU: x86-64 extensions, for an x86-64 kernel only" >&2; exit 1; }
fi
cpu_flags= cpu_checks=
for f in $cpu; do
	case $f in
	popcnt)	cpu_flags="$cpu_flags -mpopcnt" ;;
	abm)	cpu_flags="$cpu_flags -mlzcnt" ;;
	bmi1)	cpu_flags="$cpu_flags -mbmi" ;;
	bmi2)	cpu_flags="$cpu_flags -mbmi2" ;;
	movbe)	cpu_flags="$cpu_flags -mmovbe" ;;
	*) echo "np-build: NP_CPU: $f: not one of popcnt abm bmi1 bmi2 movbe" >&2; exit 1 ;;
	esac
	cpu_checks="$cpu_checks	{ X86_FEATURE_$(echo "$f" | tr a-z A-Z), \"$f\" },
"
done

# np-hash's records, and "cpu EXTENSION..." (what the module's init checks)
{
	"$nphash" "$out/$mod.bpf.o" || true
	echo "cpu $cpu"
} > "$out/bindings.new"
put_file "$out/bindings"
if [ -z "$progs" ]; then
	progs=$(awk '$1 == "prog" { print $2 }' "$out/bindings")
fi
[ -n "$progs" ] || { echo "np-build: no program to build" >&2; exit 1; }

for p in $progs; do
	awk -v p="$p" '$1 == "prog" && $2 == p { f = 1 } END { exit !f }' \
		"$out/bindings" || {
		echo "np-build: $p: no binding (see np-hash's message above)" >&2
		exit 1
	}
done
# the source is compiled as kernel C whole: every program must be XDP
awk '$1 == "func" && $3 != "xdp" { print $2 " is " $3; bad = 1 } END { exit bad }' \
	"$out/bindings" >&2 || {
	echo "np-build: only XDP programs are supported (the native ctx is struct xdp_buff, each program int NAME(struct xdp_md *ctx))" >&2
	exit 1
}

# a program's function keeps its name in the generated C: not one of ours
awk '$1 == "func" && $2 ~ /^np_(map|maps|entry|enable|prog_|unbound_|point$|array_lookup$|iter_num$|cpu)/ {
	print "np-build: program " $2 ": np-build generates C names of this form; rename the program"; bad = 1
} END { exit bad }' "$out/bindings" >&2 || exit 1

# gen_map_calls PROG MAP...: a static call per map slot and op (lookup for
# all but arrays, which np_helpers.h inlines; update; delete), the
# np_map_*() switches the helpers call them through, and np_maps_bound(),
# which points them at the bound maps' ops.  Read-only data has none.
gen_map_calls() {
	p=$1
	shift
	slots=
	i=0
	for m in "$@"; do
		case $m in
		*.rodata*) ;;
		*) type=$(awk -v m="$m" '$1 == "maptype" && $2 == m { print $3 }' \
				"$out/bindings")
		   [ "$type" = 2 ] && ops="update delete" || ops="lookup update delete"
		   slots="$slots $i:$(echo $ops | tr ' ' ,)" ;;
		esac
		i=$((i + 1))
	done
	for s in $slots; do
		for op in $(echo "${s#*:}" | tr , ' '); do
			echo "DEFINE_STATIC_CALL(np_${p}_${op}_${s%%:*}, np_unbound_$op);"
		done
	done
	# the switch of one op: gen_switch OP RETURN-TYPE PARAMS ARGS DEFAULT
	gen_switch() {
		echo
		echo "static __always_inline $2 np_map_$1(int slot, struct bpf_map *map,"
		echo "					   $3)"
		echo "{"
		echo "	switch (slot) {"
		for s in $slots; do
			case ,${s#*:}, in *,$1,*)
				echo "	case ${s%%:*}:"
				echo "		return static_call(np_${p}_$1_${s%%:*})(map, $4);" ;;
			esac
		done
		echo "	}"
		echo "	return $5;"
		echo "}"
	}
	gen_switch lookup "void *" "void *key" "key" NULL
	gen_switch update long "void *key, void *value, u64 flags" \
		"key, value, flags" -EINVAL
	gen_switch delete long "void *key" "key" -EINVAL
	echo
	echo "static void np_maps_bound(struct bpf_native_prog *np)"
	echo "{"
	for s in $slots; do
		for op in $(echo "${s#*:}" | tr , ' '); do
			echo "	np_point(np_${p}_${op}_${s%%:*}, np->maps[${s%%:*}]->ops->map_${op}_elem);"
		done
	done
	echo "}"
}

# gen_prog PROG: the program's file, np_PROG.c
gen_prog() {
	p=$1
	set -- $(awk -v p="$p" '$1 == "prog" && $2 == p' "$out/bindings")
	hash=$4
	shift 4
	nmaps=$#
	{
		echo "// SPDX-License-Identifier: GPL-2.0"
		echo "/* Generated by tools/np/np-build.sh from $(basename "$src"): program $p */"
		echo "#include \"np_shim.h\""
		echo
		echo "static struct bpf_map *np_maps[$((nmaps > 0 ? nmaps : 1))];"
		# each map's type, value size and entry count (the binding hash
		# pins them): an array lookup needs no load but the map's address
		for f in 3:types 4:value_size 5:max_entries; do
			printf 'static const u32 np_map_%s[%d] = {' ${f#*:} $((nmaps > 0 ? nmaps : 1))
			for m in "$@"; do
				printf ' %s,' "$(awk -v m="$m" -v f=${f%:*} \
					'$1 == "maptype" && $2 == m { print $f }' "$out/bindings")"
			done
			echo " };"
		done
		echo
		echo "/* the source's globals, private to this program's copy */"
		awk -v p="$p" '$1 == "sym" { printf "#define %s np_%s__%s\n", $2, p, $2 }' \
			"$out/bindings"
		echo
		echo "/* its programs: static, so the unused ones are dropped */"
		awk '$1 == "func" { printf "static int %s(struct xdp_md *ctx) __maybe_unused;\n", $2 }' \
			"$out/bindings"
		echo
		echo "#include \"$srcabs\""
		echo
		echo "static __always_inline int np_map_slot(const void *def)"
		echo "{"
		i=0
		for m in "$@"; do
			case $m in
			*.rodata*) ;;	# read-only data: compiled in, hashed
			*) echo "	if (def == (const void *)&$m)"
			   echo "		return $i;" ;;
			esac
			i=$((i + 1))
		done
		echo "	return -1;"
		echo "}"
		echo
		gen_map_calls "$p" "$@"
		echo
		echo "static unsigned int np_entry(const void *ctx, const struct bpf_insn *insn)"
		echo "{"
		echo "	return $p((struct xdp_buff *)ctx);"
		echo "}"
		echo
		echo "extern bool np_enable;"
		echo
		echo "struct bpf_native_prog np_prog_$p = {"
		echo "	.name = \"$p\","
		echo "	.owner = THIS_MODULE,"
		echo "	.hash = {"
		echo "$hash" | sed 's/\(..\)/0x\1, /g; s/\(\(0x.., \)\{8\}\)/\t\t\1\n/g' |
			sed '/^$/d; s/, $/,/'
		echo "	},"
		echo "	.func = np_entry,"
		echo "	.maps = np_maps,"
		echo "	.map_cnt = $nmaps,"
		echo "	.maps_bound = np_maps_bound,"
		echo "	.enabled = &np_enable,"
		echo "};"
	} > "$out/np_$p.c.new"
	put_file "$out/np_$p.c"
}

objs=
for p in $progs; do
	gen_prog "$p"
	objs="$objs np_$p.o"
done

{
	echo "// SPDX-License-Identifier: GPL-2.0"
	echo "/* Generated by tools/np/np-build.sh from $(basename "$src") */"
	echo "#include <linux/bpf_native_prog.h>"
	echo "#include <linux/module.h>"
	echo "#include <asm/cpufeature.h>"
	echo
	echo "/* the extensions the program files are compiled for (NP_CPU) */"
	echo "static const char *np_cpu_lacks(void)"
	echo "{"
	echo "#ifdef CONFIG_X86"
	echo "	static const struct { u16 bit; const char *name; } np_cpu[] = {"
	printf '%s' "$cpu_checks" | sed 's/^/	/'
	echo "		{ 0, NULL }"
	echo "	};"
	echo "	int i;"
	echo
	echo "	for (i = 0; np_cpu[i].name; i++)"
	echo "		if (!boot_cpu_has(np_cpu[i].bit))"
	echo "			return np_cpu[i].name;"
	echo "#endif"
	echo "	return NULL;"
	echo "}"
	echo
	echo "bool np_enable;"
	echo "module_param_named(enable, np_enable, bool, 0644);"
	echo "MODULE_PARM_DESC(enable, \"run the native code for programs loaded while set (default: off)\");"
	echo
	for p in $progs; do
		echo "extern struct bpf_native_prog np_prog_$p;"
	done
	echo
	echo "static struct bpf_native_prog *np_progs[] = {"
	for p in $progs; do
		echo "	&np_prog_$p,"
	done
	echo "};"
	cat <<'EOT'

static int __init np_init(void)
{
	const char *lacks = np_cpu_lacks();
	int i, err;

	if (lacks) {
		pr_err("%s: built for CPUs with %s, which this one lacks\n",
		       KBUILD_MODNAME, lacks);
		return -ENODEV;
	}
	for (i = 0; i < ARRAY_SIZE(np_progs); i++) {
		err = register_bpf_native_prog(np_progs[i]);
		if (err) {
			pr_err("%s: cannot offer %s: %d\n", KBUILD_MODNAME,
			       np_progs[i]->name, err);
			while (i--)
				unregister_bpf_native_prog(np_progs[i]);
			return err;
		}
	}
	return 0;
}

static void __exit np_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(np_progs); i++)
		unregister_bpf_native_prog(np_progs[i]);
}

module_init(np_init);
module_exit(np_exit);
MODULE_LICENSE("GPL");
EOT
	echo "MODULE_DESCRIPTION(\"Kops whole-program native code for $(basename "$src")\");"
} > "$out/${mod}_main.c.new"
put_file "$out/${mod}_main.c"

cmp -s "$here/np_rt.c" "$out/np_rt.c" || cp "$here/np_rt.c" "$out/np_rt.c"

# where np_array_lookup() reads struct bpf_array, for tools that run the
# native code outside the kernel (tools/bench/bench_run)
cat > "$out/${mod}_layout.c.new" <<'EOT'
// SPDX-License-Identifier: GPL-2.0
/* Generated by tools/np/np-build.sh: struct bpf_array as the native code reads it */
#include <linux/bpf.h>
#include <linux/stddef.h>

const u32 np_array_layout[] = {
	offsetof(struct bpf_array, map.max_entries),
	offsetof(struct bpf_array, elem_size),
	offsetof(struct bpf_array, index_mask),
	offsetof(struct bpf_array, value),
};
EOT
put_file "$out/${mod}_layout.c"

tools_sum=$(cat "$here/np-cc" "$here/np-ir.py" | cksum | cut -d' ' -f1)
{
	echo "# Generated by tools/np/np-build.sh"
	echo "obj-m := $mod.o"
	echo "$mod-y := ${mod}_main.o ${mod}_layout.o np_rt.o$objs"
	echo "# a BPF C source, not kernel C: comments mark its fall-throughs"
	echo "# -O2 whatever the kernel's choice (CC_OPTIMIZE_FOR_SIZE gives -Os)"
	echo "# no ftrace entry calls: clang has no -mrecord-mcount to list them"
	echo "ccflags-remove-y := \$(CC_FLAGS_FTRACE)"
	echo "# (KOPS_NP_CC: np-cc's and np-ir.py's checksum, so kbuild recompiles"
	echo "# when they change, as it does when the flags do)"
	echo "ccflags-y := -I$here/include -I$srcdir -DKOPS_NATIVE_PROG -DKOPS_NP_CC=$tools_sum -Wno-implicit-fallthrough ${NP_OPT:--O2} $*"
	for p in $progs; do
		echo "CFLAGS_np_$p.o :=$cpu_flags"
	done
} > "$out/Kbuild.new"
put_file "$out/Kbuild"

# kbuild does not relink an external module's BTF when vmlinux changes
[ ! "$kbuild/vmlinux" -nt "$out/$mod.ko" ] || rm -f "$out/$mod.ko"
# (a kernel built by gcc warns that the compiler differs)
eval "${KMAKE:-make -C \"\$kbuild\"} CC=\"\$here/np-cc \$clang\" M=\"\$out\" modules"
echo "np-build: $out/$mod.ko: $(echo $progs | wc -w) program(s); load $out/$mod.bpf.o"
