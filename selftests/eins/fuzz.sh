#!/bin/sh
# Run inside the test VM: load eins.ko and fuzz (make fuzz N=... T=...
# SEED=... puts eins_fuzz=N,SECONDS,SEED on the kernel command line).
# (a seed from the kernel's entropy: the arm64 VM has no RTC, its clock
# starts at 0)
n=1000000 t=300 seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	eins_fuzz=*)
		set -- $(echo "${arg#eins_fuzz=}" | tr ',' ' ')
		n=${1:-$n} t=${2:-$t} seed=${3:-$seed}
		;;
	esac
done
modprobe eins || { echo "not ok 1 modprobe eins"; exit 1; }
./fuzz_eins -n "$n" -t "$t" -s "$seed"
# the comparison itself must be able to fail: spoil the proof builds
./fuzz_eins -x -n 30 -t 60 -s "$seed"
