#!/bin/sh
# The benchmark, inside the VM: the stock object's load time without
# eins.ko, then load eins.ko and dump the three builds; on x86-64, whose
# images the host runs, switch np_bench.ko on and dump the whole-program
# build.
./bench --load-time && modprobe eins && ./bench || exit 1
if [ "$(uname -m)" = x86_64 ] &&
   [ -f "/lib/modules/$(uname -r)/extra/np_bench.ko" ]; then
	modprobe np_bench enable=1 && ./bench --np
fi
