#!/bin/sh
# The benchmark, inside the VM: the stock object's load time without
# eins.ko, then load eins.ko and dump both builds.
./bench --load-time && modprobe eins && ./bench
