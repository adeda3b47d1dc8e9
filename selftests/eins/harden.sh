#!/bin/sh
# Run inside the test VM: the hardening tests (TAP), then programs loaded
# and freed while eins.ko reloads (stress.sh; 30 s unless eins_stress=T is
# on the kernel command line).
t=30
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	eins_stress=*) t=${arg#eins_stress=} ;;
	esac
done
modprobe eins || { echo "not ok 1 modprobe eins"; exit 1; }
./test_harden
./stress.sh "$t"
