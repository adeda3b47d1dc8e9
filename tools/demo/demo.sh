#!/bin/sh
# The demo, inside the VM: load eins.ko, run both builds of the program.
modprobe eins && echo "demo: modprobe eins: ok" && ./demo
