#!/bin/sh
# Run inside the test VM: load eins.ko and run the selftests (TAP).
modprobe eins || { echo "not ok 1 modprobe eins"; exit 1; }
./test_eins
