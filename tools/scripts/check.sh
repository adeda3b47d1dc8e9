#!/bin/sh
# check.sh [--hardening]: build everything, run the selftests, the
# hardening tests, the fuzzer and the kernel's test_verifier in the VMs
# (QEMU TCG) and the host-side checks, and end with one line
# "N passed, N failed".  --hardening runs the debug kernel (KASAN, lockdep,
# kmemleak) with a long stress and a long fuzz instead.
#
# Each TAP "ok"/"not ok" line from the VM counts as one test; a VM that
# does not boot, times out or stops early counts as a failure, and so does
# a kernel report (WARN, BUG, Oops, KASAN, lockdep) in its console.  The
# host checks (core patch series: git am + checkpatch --strict; test_verifier
# results against stock 6.12) count one each, and so do each lemma and
# (op, arch, variant) of the SMT check and each check of the Lean sources.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=${OUT:-$top/out}
mkdir -p "$out"
passed=0
failed=0

# took WHAT START: how long a stage took, for CI's time budget
took() { echo "# $1: $(($(date +%s) - $2)) s"; }

pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }

# Kernel reports that fail a VM run whatever its tests say.
KREPORT='WARNING:|BUG:|Oops|Kernel panic|KASAN|UBSAN|possible recursive locking|inconsistent lock state|circular locking|bpf_jit: kinsn|Call Trace:'

# no_kreport LOG WHAT: one test, failed if the console shows a kernel report
no_kreport() {
	if grep -Eq "$KREPORT" "$1"; then
		grep -E -A5 "$KREPORT" "$1" | head -40
		fail "$2: kernel report in the console (log: $1)"
	else
		pass "$2: no kernel report in the console"
	fi
}

# build ARCH [VARIANT]: kernel, module and VM image
build() {
	blog="$out/build${2:+-$2}-$1.log"
	if ! make --no-print-directory ARCH="$1" VARIANT="${2:-}" initramfs \
			> "$blog" 2>&1; then
		tail -30 "$blog"
		fail "$1${2:+ $2}: build kernel, eins.ko and selftests (log: $blog)"
		return 1
	fi
}

# run_vm ARCH CPU [RUN [TIMEOUT [APPEND]]]: boot the test VM (of $VARIANT)
# running RUN (check: the selftests; harden: the hardening tests and the
# load/unload stress; fuzz: the fuzzer), count its TAP results, and fail
# the run if the console shows a kernel report
run_vm() {
	run=${3:-check}
	what="$1 ($2, $run${VARIANT:+, $VARIANT kernel})"
	log="$out/$run${VARIANT:+-$VARIANT}-$1-$2.log"
	echo "# $what"
	t0=$(date +%s)
	build "$1" "${VARIANT:-}" || return
	took "$what: build" "$t0"
	t0=$(date +%s)
	# (the serial console ends lines with CR LF)
	EINS_APPEND="${5:-}" make --no-print-directory -s ARCH="$1" \
		VARIANT="${VARIANT:-}" VM_CPU="$2" VM_TIMEOUT="${4:-300}" \
		vm-"$run" 2>&1 | tr -d '\r' > "$log"
	count_tap "$log" "$what"
	took "$what: VM run" "$t0"
}

# count_tap LOG WHAT: add a VM log's TAP results; fail an incomplete run or
# one with a kernel report
count_tap() {
	grep -E '^(not )?ok |^# |^Bail out|BUG:|Oops|panic' "$1" |
		grep -Ev '^# [0-9a-f][0-9a-f] |^# +[0-9]+: '
	ok=$(grep -c '^ok ' "$1")
	nok=$(grep -c '^not ok ' "$1")
	# one plan line per test binary
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$1" |
		awk '{ n += $1 } END { print n + 0 }')
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$plan" = 0 ] || [ $((ok + nok)) -ne "$plan" ] ||
	   ! grep -q '^eins-vm: done' "$1"; then
		fail "$2: VM run incomplete (log: $1)"
	fi
	no_kreport "$1" "$2"
}

# build_stock: the stock 6.12 kernel (same config, no Kops) and its VM image
build_stock() {
	if ! make --no-print-directory ARCH=x86_64 stock-initramfs \
			> "$out/build-stock-x86_64.log" 2>&1; then
		tail -30 "$out/build-stock-x86_64.log"
		fail "stock 6.12 kernel build (log: $out/build-stock-x86_64.log)"
		return 1
	fi
}

# The loader: objects with kinsn sites (eins.h builtins, eins-opt output)
# load and compute the plain program's results on the patched kernel
# without and with eins.ko and on stock 6.12; the plain program's results
# themselves must be the same on all of them.
run_loader() {
	run_vm x86_64 max loader
	echo "# x86_64 (stock 6.12, loader)"
	slog="$out/loader-stock-x86_64.log"
	build_stock || return
	make --no-print-directory -s ARCH=x86_64 vm-stock-loader 2>&1 |
		tr -d '\r' > "$slog"
	count_tap "$slog" "x86_64 (stock 6.12, loader)"
	digests=$(cat "$out/loader-x86_64-max.log" "$slog" |
		sed -n 's/^# loader-digest: //p')
	if [ "$(echo "$digests" | grep -c .)" = 3 ] &&
	   [ "$(echo "$digests" | sort -u | grep -c .)" = 1 ]; then
		pass "loader: the reference program gives the same results on the patched kernel without and with eins.ko and on stock 6.12"
	else
		fail "loader: reference results differ between kernels: $(echo $digests)"
	fi
}

# tv_results LOG RUN: the "#N/p RESULT" lines of one test_verifier run
tv_results() {
	sed -n "s/^tv-$2: \(#.*\)/\1/p" "$1" | sort
}

# tv_totals LOG RUN: its summary line
tv_totals() {
	sed -n "s/^tv-$2: Summary: //p" "$1"
}

# kinsn_tv RUN LOG WANT [up|p]: every verifier/kinsn.c result of RUN in LOG
# is WANT (of the privileged and unprivileged runs, or the privileged only)
kinsn_tv() {
	k=$(sed -n "s/^tv-$1-kinsn: #[0-9]*\/[${4:-up}] //p" "$2")
	n=$(echo "$k" | grep -c "^$3$")
	what="test_verifier kinsn tests, $1 run on $(case $2 in *stock*) echo stock 6.12;; *) echo the patched kernel;; esac)"
	if [ -n "$k" ] && [ "$(echo "$k" | grep -c .)" = "$n" ]; then
		pass "$what: all $n $3"
	else
		fail "$what: not all $3 ($(echo "$k" | sort | uniq -c | tr '\n' ' '))"
	fi
}

# The kernel's own verifier suite must give, test by test, the same
# PASS/FAIL/SKIP on the patched kernel without eins.ko, with it, and on a
# stock 6.12 built with the same config.
run_tv() {
	echo "# test_verifier: patched kernel (without and with eins.ko) vs stock 6.12"
	t_tv=$(date +%s)
	build x86_64 || return
	build_stock || return
	make --no-print-directory -s ARCH=x86_64 VM_TIMEOUT=900 vm-tv 2>&1 |
		tr -d '\r' > "$out/tv-x86_64.log"
	make --no-print-directory -s ARCH=x86_64 VM_TIMEOUT=900 vm-stock-tv 2>&1 |
		tr -d '\r' > "$out/tv-stock-x86_64.log"
	no_kreport "$out/tv-x86_64.log" "test_verifier on the patched kernel"
	no_kreport "$out/tv-stock-x86_64.log" "test_verifier on stock 6.12"
	tv_results "$out/tv-stock-x86_64.log" plain > "$out/tv-stock.txt"
	echo "# test_verifier stock 6.12:               $(tv_totals "$out/tv-stock-x86_64.log" plain)"
	for run in plain eins; do
		tv_results "$out/tv-x86_64.log" $run > "$out/tv-$run.txt"
		echo "# test_verifier patched, $(if [ $run = eins ]; then echo "with eins.ko:   "; else echo "without eins.ko:"; fi) $(tv_totals "$out/tv-x86_64.log" $run)"
		if [ -s "$out/tv-stock.txt" ] &&
		   cmp -s "$out/tv-stock.txt" "$out/tv-$run.txt"; then
			pass "test_verifier: every test as on stock 6.12 ($run: $(wc -l < "$out/tv-$run.txt") results)"
		else
			diff "$out/tv-stock.txt" "$out/tv-$run.txt" | head -20
			fail "test_verifier: results differ from stock 6.12 ($run; logs: $out/tv-*.log)"
		fi
	done
	# the series' verifier/kinsn.c: malformed sites, rejected with the
	# kinsn message by the patched kernel; stock 6.12 fails every one
	# loaded with privileges (it reports an unknown opcode; one is refused
	# unprivileged for its bpf-to-bpf call on both)
	kinsn_tv plain "$out/tv-x86_64.log" PASS
	kinsn_tv eins "$out/tv-x86_64.log" PASS
	kinsn_tv plain "$out/tv-stock-x86_64.log" FAIL p
	took "test_verifier runs" "$t_tv"
}

if [ "${1:-}" = --hardening ]; then
	# the debug kernel: hardening tests, a long stress and a long fuzz
	VARIANT=debug
	run_vm x86_64 max harden 1800 "eins_stress=${STRESS_SECONDS:-300}"
	run_vm x86_64 max fuzz 2400 "eins_fuzz=1000000,${FUZZ_SECONDS:-1200},${SEED:-}"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
fi

# with every CPU feature the emits use, and with none of them (the emits
# must fall back: same results, different images)
run_vm x86_64 max
run_vm x86_64 qemu64
run_vm arm64 max
# the hardening tests (flip race, 200,000 sites, linear expansion) and
# programs loaded while eins.ko reloads, on both arches
run_vm x86_64 max harden 900
run_vm arm64 max harden 1200
# objects with sites on every kernel (and arm64 with and without eins.ko)
run_loader
run_vm arm64 max loader
# the fuzzer, FUZZ_SECONDS (default 300) split over every emit variant:
# x86-64 with every CPU feature the emits use, with none (qemu64: the
# fallbacks), and arm64
fuzz_s=$((${FUZZ_SECONDS:-300} / 3))
for vm in "x86_64 max" "x86_64 qemu64" "arm64 max"; do
	# shellcheck disable=SC2086
	run_vm $vm fuzz $((fuzz_s + 300)) "eins_fuzz=1000000,$fuzz_s,${SEED:-}"
done
# sites under the verifier's Spectre checks: each fuzz run above ends with
# the fuzzer as a CAP_BPF loader, which gets them where the kernel has CPU
# mitigations (arm64's); on x86-64 the kernel with them compiled in
# (eins-spectre.config), fuzzing mostly that way
VARIANT=spectre
run_vm x86_64 max fuzz 600 "eins_fuzz=1000000,20,${SEED:-},${SPECTRE_SECONDS:-90}"
VARIANT=
run_tv

if make --no-print-directory series > "$out/series.log" 2>&1; then
	pass "core patch series: git am applies, checkpatch --strict clean"
else
	tail -20 "$out/series.log"
	fail "core patch series (log: $out/series.log)"
fi

# The series cut before its last patch (whole-program mode): a kernel of
# patches 1-7 alone, with eins.ko and the selftests, passes test_eins.
echo "# the series without whole-program mode (patches 1-7): build and test_eins"
t_cut=$(date +%s)
# (on the patches make series wrote above)
make --no-print-directory -s series-cut-vm 2>&1 | tr -d '\r' > "$out/cut.log"
count_tap "$out/cut.log" "x86_64 (max, check, patches 1-7 of the series)"
took "the series without whole-program mode" "$t_cut"

# host_tap TARGET LOG WHAT: run a make target that prints TAP-style
# "ok - " / "not ok - " lines and count them
host_tap() {
	log="$out/$2"
	t0=$(date +%s)
	if make --no-print-directory -s "$1" > "$log" 2>&1 ||
	   grep -q '^not ok - ' "$log"; then
		grep -E '^not ok - ' "$log"
		passed=$((passed + $(grep -c '^ok - ' "$log")))
		failed=$((failed + $(grep -c '^not ok - ' "$log")))
	else
		tail -20 "$log"
		fail "$3 did not run (log: $log)"
	fi
	took "$3" "$t0"
}

echo "# eins-opt: idiom shapes at -mcpu=v1..v4, near misses, prover self-check"
host_tap rewriter-check rewriter.log "eins-opt tests"

echo "# whole-program mode: np-ir.py gives division, shifts and bit counts BPF's results"
host_tap np-ir-check np-ir.log "np-ir tests"
echo "# whole-program mode: the native code's calls are direct (x86-64)"
host_tap np-calls-check np-calls.log "np call check"

echo "# benchmarks: the hash functions against published vectors, the packet ring, Maglev"
host_tap bench-check bench-check.log "bench vectors"
# every benchmark program in its three builds, jited in the VM and run
# natively on the host, against the VM's results and native C (no timing)
echo "# benchmarks: 18 programs x (stock, EInsn, eins-opt, whole-program, 3 native builds) agree"
if make --no-print-directory -s ARCH=x86_64 bench-vm > "$out/bench-vm.log" 2>&1 &&
   "$out/bench-x86_64/bench_run" -k "$out/build-x86_64/vmlinux" --check "$out/vm-bench-x86_64.log" \
	> "$out/bench-run-check.log" 2>&1; then
	pass "$(cat "$out/bench-run-check.log")"
else
	tail -5 "$out/bench-vm.log" "$out/bench-run-check.log" 2>/dev/null
	fail "benchmark programs (logs: $out/bench-vm.log, $out/bench-run-check.log)"
fi

# the corpus subset: built by stock clang, rewritten, and in the VM (with
# eins.ko) every runnable program against its rewrite on 1,000 packets
echo "# corpus: 6.12 selftest programs with sites, built, rewritten, compared in the VM"
host_tap corpus-check corpus.log "corpus build"
grep '^corpus:' "$out/corpus.log"
run_vm x86_64 max corpus 900

echo "# SMT check of the native emits against the proof sequences"
host_tap proofs-check proofs.log "SMT check"
echo "# the two BPF models (eins-opt's bpfsem.c, the SMT checker's bpf.py) agree"
host_tap models-check models.log "BPF model cross-check"
# the Lean proofs cannot be compiled here (no toolchain): check at least
# that they leave nothing unproven and name a theorem for every SMT group
echo "# Lean sources (not compiled here)"
host_tap proofs-lean-sources lean.log "Lean source check"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
