#!/bin/sh
# Run inside the test VM: the kernel's own verifier suite (test_verifier
# from the 6.12 tree), without eins.ko and, where the module is there,
# with it.  One line per test and variant: "tv-RUN: #N/p PASS|FAIL|SKIP",
# "tv-RUN-kinsn: ..." for the tests the kinsn series adds.
echo 0 > /proc/sys/kernel/unprivileged_bpf_disabled
tv() {
	./test_verifier 2>/dev/null |
	awk -v run="$1" '/^#[0-9]+\/[up] / {
		if ($0 ~ / OK( \(NOTE:.*\))?$/) r = "PASS"
		else if ($0 ~ / SKIP( \(.*\))?$/) r = "SKIP"
		else r = "FAIL"
		# the kinsn tests (verifier/kinsn.c) apart: stock 6.12
		# fails them, and the parity check compares the others
		print "tv-" run ($2 == "kinsn:" ? "-kinsn" : "") ": " $1 " " r
	} /^Summary:/ { print "tv-" run ": " $0 }'
}
tv plain
if modprobe eins 2>/dev/null; then
	tv eins
fi
