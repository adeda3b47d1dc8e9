#!/bin/sh
# run.sh EINS_OPT OUTDIR CFLAGS: the rewriter's host tests, TAP-style
# ("ok - " / "not ok - " lines, counted by make check).
#
# - idioms.bpf.c built at -mcpu=v1..v4, with and without -g: every
#   pos_OP_* section gets a site of OP, every neg_no_OP_* section no site
#   of OP, every other neg_* and gap_* section none;
# - the self-check: z3 refutes every candidate whose proof is spoilt;
# - the output is deterministic, expands back (--expand) to an object with
#   no site, and bad input fails cleanly without writing anything.
set -u
opt=$1
out=$2
cflags=$3
mkdir -p "$out"
src=$(dirname "$0")/idioms.bpf.c
# the op names as a sed alternative, rotate\|select\|...: eins-opt's
# list (eins_ops.h)
op_re=$("$opt" --help | sed -n 's/^Ops: //p' | sed 's/ /\\|/g')

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; }
check() { if eval "$1"; then ok "$2"; else nok "$2"; fi; }

for mcpu in v1 v2 v3 v4; do
	for g in -g ""; do
		tag="mcpu=$mcpu${g:+ -g}"
		obj=$out/idioms-$mcpu$g.o
		if ! clang-19 -target bpf -mcpu=$mcpu -O2 $g -Wall $cflags -c "$src" -o "$obj"; then
			nok "$tag: compile idioms.bpf.c"
			continue
		fi
		if ! "$opt" --report "$obj" -o "$obj.opt" > "$obj.report" 2>&1; then
			sed 's/^/# /' "$obj.report"
			nok "$tag: eins-opt"
			continue
		fi
		# "OBJ:   program NAME insns A -> B, N sites op=k ..."
		sed -n 's|.*:   program \([a-z0-9_]*\) .*, *\([0-9]*\) sites\(.*\)|\1 \2 \3|p' \
			"$obj.report" > "$obj.sections"
		while read -r name n rest; do
			case $name in
			pos_*)
				op=$(echo "$name" | sed "s/^pos_\\($op_re\\)\\(_.*\\)\\{0,1\\}\$/\\1/")
				check "echo '$rest' | grep -Eq '(^| )$op=[1-9]'" \
					"$tag: $name: a $op site ($n sites:$rest)" ;;
			neg_no_*)
				op=$(echo "$name" | sed 's/^neg_no_\(rotate\|select\|extract\|swap_mem\|bitcount\|shift_add\|mul_high\)_.*$/\1/')
				check "[ '$op' != '$name' ] && ! echo '$rest' | grep -Eq '(^| )$op=[1-9]'" \
					"$tag: $name: no $op site ($n sites:$rest)" ;;
			neg_*|gap_*)
				check "[ '$n' = 0 ]" "$tag: $name: left alone ($n sites)" ;;
			esac
		done < "$obj.sections"
		want=$(grep -c '^PROG(\|^ROTATE_AROUND_CALL(\|^SEC("xdp/[a-z]\|^static .* pos_' "$src")
		check "[ \$(grep -c . '$obj.sections') = $want ]" \
			"$tag: all $want programs reported"
		# back to plain BPF: no site may remain
		if "$opt" --expand --report "$obj.opt" -o "$obj.rt" > "$obj.rt.report" 2>&1; then
			check "[ \$(llvm-objdump-19 -d '$obj.rt' | grep -c '^ *[0-9]*:	e7 ') = 0 ]" \
				"$tag: --expand leaves no payload insn"
		else
			sed 's/^/# /' "$obj.rt.report"
			nok "$tag: --expand of the rewritten object"
		fi
	done
done

# a site is a kfunc call, which the verifier refuses in a program whose
# license is not GPL-compatible: such an object gets none
obj=$out/idioms-proprietary.o
if clang-19 -target bpf -O2 -Wall $cflags -DIDIOMS_LICENSE='"Proprietary"' \
		-c "$src" -o "$obj" &&
   "$opt" --report "$obj" -o "$obj.opt" > "$obj.report" 2>&1; then
	sites=$(sed -n 's/.*total insns .*, \([0-9]*\) sites.*/\1/p' "$obj.report")
	check "[ '$sites' = 0 ]" "license not GPL-compatible: no site (${sites:-?} sites)"
else
	nok "license not GPL-compatible: compile and eins-opt"
fi

obj=$out/idioms-v4-g.o
[ -f "$obj" ] || obj=$out/idioms-v4.o
sites=$(sed -n 's/.*total insns .*, \([0-9]*\) sites.*/\1/p' "$obj.report")
"$opt" --self-check "$obj" > "$out/self-check.txt" 2>&1
refuted=$(sed -n 's/.*self-check: \([0-9]*\) planted.*/\1/p' "$out/self-check.txt")
accepted=$(sed -n 's/.*refuted, \([0-9]*\) accepted/\1/p' "$out/self-check.txt")
check "[ '${accepted:-x}' = 0 ] && [ '${refuted:-0}' -ge '${sites:-1}' ]" \
	"self-check: z3 refuted ${refuted:-?} spoilt rewrites (>= the $sites real ones), accepted ${accepted:-?}"

"$opt" "$obj" -o "$out/det1.o" > /dev/null 2>&1
"$opt" "$obj" -o "$out/det2.o" > /dev/null 2>&1
check "cmp -s '$out/det1.o' '$out/det2.o'" "the output is deterministic"

# bad input: a clear error naming the file, exit 1, nothing written
printf 'not an object' > "$out/bad.o"
rm -f "$out/bad.out"
"$opt" "$out/bad.o" -o "$out/bad.out" > "$out/bad.txt" 2>&1
rc=$?
check "[ $rc = 1 ] && grep -q 'bad.o: not an ELF object' '$out/bad.txt' && [ ! -e '$out/bad.out' ]" \
	"non-ELF input: exit 1, names the file, writes nothing"
"$opt" "$obj" > /dev/null 2>&1
check "[ $? = 2 ]" "no output given: usage error (exit 2)"
"$opt" --help | grep -q -- '--expand' && ok "--help" || nok "--help"
"$opt" --expand=rotate,bogus "$obj.opt" -o "$out/x.o" > "$out/bogus.txt" 2>&1
check "[ $? = 2 ] && grep -q \"unknown op 'bogus'\" '$out/bogus.txt'" \
	"--expand with an unknown op: usage error naming it"
