#!/bin/sh
# Run inside the test VM: the corpus (tools/corpus), each program as built
# by stock clang against eins-opt's rewrite of it, with eins.ko loaded so
# the sites run as native code.
modprobe eins || { echo "not ok 1 modprobe eins"; echo "1..1"; exit 1; }
cd vm && ../corpus_run manifest
