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

# Kernel reports that fail a VM run whatever its tests say.
KREPORT='WARNING:|BUG:|Oops|Kernel panic|KASAN|UBSAN|possible recursive locking|inconsistent lock state|circular locking|bpf_jit: kinsn|Call Trace:'

# run_vm ARCH CPU [RUN]: boot the test VM running RUN (check: the selftests,
# harden: the hardening tests), count its TAP results, and fail the run if
# the console shows a kernel report
run_vm() {
	run=${3:-check}
	log="$out/$run-$1-$2.log"
	echo "# $1 VM, -cpu $2, $run"
	if ! make --no-print-directory ARCH="$1" initramfs > "$out/build-$1.log" 2>&1; then
		tail -30 "$out/build-$1.log"
		fail "$1: build kernel, eins.ko and selftests (log: $out/build-$1.log)"
		return
	fi
	# (the serial console ends lines with CR LF)
	make --no-print-directory -s ARCH="$1" VM_CPU="$2" vm-"$run" 2>&1 |
		tr -d '\r' > "$log"
	grep -E '^(not )?ok |^# |^Bail out|BUG:|Oops|panic' "$log" |
		grep -v '^# [0-9a-f][0-9a-f] '
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep -c '^not ok ' "$log")
	# one plan line per test binary
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" |
		awk '{ n += $1 } END { print n + 0 }')
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$plan" = 0 ] || [ $((ok + nok)) -ne "$plan" ] ||
	   ! grep -q '^eins-vm: done' "$log"; then
		fail "$1 ($2, $run): VM run incomplete (log: $log)"
	fi
	if grep -Eq "$KREPORT" "$log"; then
		grep -E -A5 "$KREPORT" "$log" | head -40
		fail "$1 ($2, $run): kernel report in the console (log: $log)"
	else
		pass "$1 ($2, $run): no kernel report in the console"
	fi
}

# with every CPU feature the emits use, and with none of them (the emits
# must fall back: same results, different images)
run_vm x86_64 max
run_vm x86_64 qemu64
run_vm arm64 max
# the hardening tests (flip race, 200,000 sites, linear expansion)
run_vm x86_64 max harden
run_vm arm64 max harden

if make --no-print-directory series > "$out/series.log" 2>&1; then
	pass "core patch series: git am applies, checkpatch --strict clean"
else
	tail -20 "$out/series.log"
	fail "core patch series (log: $out/series.log)"
fi

# host_tap TARGET LOG WHAT: run a make target that prints TAP-style
# "ok - " / "not ok - " lines and count them
host_tap() {
	log="$out/$2"
	if make --no-print-directory -s "$1" > "$log" 2>&1 ||
	   grep -q '^not ok - ' "$log"; then
		grep -E '^not ok - ' "$log"
		passed=$((passed + $(grep -c '^ok - ' "$log")))
		failed=$((failed + $(grep -c '^not ok - ' "$log")))
	else
		tail -20 "$log"
		fail "$3 did not run (log: $log)"
	fi
}

echo "# SMT check of the native emits against the proof sequences"
host_tap proofs-check proofs.log "SMT check"
# the Lean proofs cannot be compiled here (no toolchain): check at least
# that they leave nothing unproven and name a theorem for every SMT group
echo "# Lean sources (not compiled here)"
host_tap proofs-lean-sources lean.log "Lean source check"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
