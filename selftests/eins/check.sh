#!/bin/sh
# Run inside the test VM: load eins.ko and run the selftests (TAP); where
# the whole-program module exists (x86-64), its tests too.
echo "# cpu: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
	grep -xE 'bmi1|bmi2|movbe|popcnt|abm' | tr '\n' ' ')"
modprobe eins || { echo "not ok 1 modprobe eins"; exit 1; }
./test_eins
if [ -x ./test_native ]; then
	./test_native
fi
