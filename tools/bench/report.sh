#!/bin/sh
# report.sh OUT RESULTS: the host half of `make bench`.  Time the x86-64
# images natively (bench_run), take the arm64 sizes, write the Markdown
# tables, CSV and SVG plots under RESULTS and print the tables.
set -eu
out=$1
res=$2
mkdir -p "$res"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')

{
	echo "# Benchmarks: stock JIT vs EInsn vs native C"
	echo
	echo "Measured by \`make bench\` on $(date -u +%Y-%m-%d): $cpu, $(nproc) cores."
	echo "x86-64 images were jited in the QEMU TCG VM (Linux 6.12 + Kops, no"
	echo "return thunks) and run natively on this CPU; each cell is the median of"
	echo "51 interleaved rounds of about 1 ms each. Every variant's result was checked against the"
	echo "others and the VM's BPF_PROG_TEST_RUN result first, and the three"
	echo "variants against each other on 256 more inputs. \"EInsn vs native\""
	echo "is native C's time over EInsn's (1.00x: as fast as clang -O2 for the"
	echo "baseline x86-64 ISA, no -march=native). Images that read clang's .rodata"
	echo "tables (stock bitcount and bitmap) run with the table relocated to a"
	echo "host copy. Verified insns: the verifier's processed-insn count."
	echo
	echo "## x86-64"
	echo
	"$out/bench-x86_64/bench_run" "$out/vm-bench-x86_64.log" "$res/x86_64.csv"
	echo
	echo "Load times are the kernel's verifier + JIT time of one program"
	echo "(BPF_PROG_LOAD of the insns libbpf produced), median of 9 loads, in"
	echo "the QEMU TCG VM: only their ratios mean something."
	echo
	echo "## arm64 (code size only: no arm64 hardware here)"
	echo
	"$out/bench-x86_64/bench_run" --sizes "$out/vm-bench-arm64.log" "$res/arm64.csv"
} > "$res/README.md"
python3 "$(dirname "$0")/plot.py" "$res/x86_64.csv" "$res/arm64.csv" "$res"
cat "$res/README.md"
echo
echo "bench: wrote $res/README.md, $res/*.csv, $res/speedup.svg, $res/size.svg"
