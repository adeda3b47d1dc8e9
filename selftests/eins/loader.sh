#!/bin/sh
# Run inside the test VM: the loader tests as the kernel boots (no eins.ko)
# and, where the module loads (not on stock 6.12), again with it.
EINS_EXPECT=none ./test_loader
if modprobe eins 2>/dev/null; then
	EINS_EXPECT=eins ./test_loader
fi
