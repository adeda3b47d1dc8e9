#!/bin/sh
# The benchmark, inside the VM: load eins.ko, dump both builds.
modprobe eins && ./bench
