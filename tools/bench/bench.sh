#!/bin/sh
# The benchmark, inside the VM: the stock object's load time without
# eins.ko, then load eins.ko and dump the three builds; where np_bench.ko
# exists (x86-64), switch it on and dump the whole-program build.
./bench --load-time && modprobe eins && ./bench || exit 1
if [ -f "/lib/modules/$(uname -r)/extra/np_bench.ko" ]; then
	modprobe np_bench enable=1 && ./bench --np
fi
