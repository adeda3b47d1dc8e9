#!/bin/sh
# check.sh: build everything, run the selftests in the VM (x86-64, QEMU TCG)
# and the host-side checks, and end with one line "N passed, N failed".
#
# Each TAP "ok"/"not ok" line from the VM counts as one test; a VM that
# does not boot, times out or stops early counts as a failure.  The host
# checks (core patch series: git am + checkpatch --strict) count one each,
# and so do each lemma and (op, arch, variant) of the SMT check and each
# check of the Lean sources.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=${OUT:-$top/out}
mkdir -p "$out"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }

# run_vm ARCH CPU: boot the test VM and count its TAP results
run_vm() {
	log="$out/check-$1-$2.log"
	echo "# $1 VM, -cpu $2"
	if ! make --no-print-directory ARCH="$1" initramfs > "$out/build-$1.log" 2>&1; then
		tail -30 "$out/build-$1.log"
		fail "$1: build kernel, eins.ko and selftests (log: $out/build-$1.log)"
		return
	fi
	# (the serial console ends lines with CR LF)
	make --no-print-directory -s ARCH="$1" VM_CPU="$2" vm-check 2>&1 |
		tr -d '\r' > "$log"
	grep -E '^(not )?ok |^# |^Bail out|BUG:|Oops|panic' "$log" |
		grep -v '^# [0-9a-f][0-9a-f] '
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep -c '^not ok ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -1)
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ -z "$plan" ] || [ $((ok + nok)) -ne "$plan" ] ||
	   ! grep -q '^eins-vm: done' "$log"; then
		fail "$1 ($2): VM run incomplete (log: $log)"
	fi
}

# with every CPU feature the emits use, and with none of them (the emits
# must fall back: same results, different images)
run_vm x86_64 max
run_vm x86_64 qemu64
run_vm arm64 max

if make --no-print-directory series > "$out/series.log" 2>&1; then
	pass "core patch series: git am applies, checkpatch --strict clean"
else
	tail -20 "$out/series.log"
	fail "core patch series (log: $out/series.log)"
fi

# SMT translation validation of the emits (proofs/smt): its ok/not ok lines
echo "# SMT check of the native emits against the proof sequences"
if make --no-print-directory -s proofs-check > "$out/proofs.log" 2>&1 ||
   grep -q '^not ok - ' "$out/proofs.log"; then
	grep -E '^not ok - ' "$out/proofs.log"
	passed=$((passed + $(grep -c '^ok - ' "$out/proofs.log")))
	failed=$((failed + $(grep -c '^not ok - ' "$out/proofs.log")))
else
	tail -20 "$out/proofs.log"
	fail "SMT check did not run (log: $out/proofs.log)"
fi

# the Lean proofs cannot be checked here (no toolchain): check at least
# that they admit nothing and name a theorem for every SMT group
echo "# Lean sources (not compiled here)"
if make --no-print-directory -s proofs-lean-sources > "$out/lean.log" 2>&1 ||
   grep -q '^not ok - ' "$out/lean.log"; then
	grep -E '^not ok - ' "$out/lean.log"
	passed=$((passed + $(grep -c '^ok - ' "$out/lean.log")))
	failed=$((failed + $(grep -c '^not ok - ' "$out/lean.log")))
else
	tail -20 "$out/lean.log"
	fail "Lean source check did not run (log: $out/lean.log)"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
