#!/bin/sh
# Run inside the test VM: load eins.ko and fuzz (make fuzz N=... T=...
# SEED=... puts eins_fuzz=N,SECONDS,SEED on the kernel command line; a
# fourth field sets the seconds of the CAP_BPF loader's run, default a
# third of SECONDS).
# (a seed from the kernel's entropy: the arm64 VM has no RTC, its clock
# starts at 0)
n=1000000 t=300 u= seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	eins_fuzz=*)	# (empty fields keep their defaults)
		IFS=, read -r a b c d <<EOT
${arg#eins_fuzz=}
EOT
		n=${a:-$n} t=${b:-$t} seed=${c:-$seed} u=${d:-}
		;;
	esac
done
u=${u:-$((t / 3 > 10 ? t / 3 : 10))}
modprobe eins || { echo "not ok 1 modprobe eins"; exit 1; }
./fuzz_eins -n "$n" -t "$t" -s "$seed"
# the comparison itself must be able to fail: spoil the proof builds
./fuzz_eins -x -n 30 -t 60 -s "$seed"
# as a CAP_BPF loader, which the verifier gives its Spectre checks where
# the kernel has CPU mitigations (skipped on a kernel without)
./fuzz_eins -u -n "$n" -t "$u" -s "$seed"
