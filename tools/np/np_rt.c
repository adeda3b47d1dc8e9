// SPDX-License-Identifier: GPL-2.0
/*
 * The compiler runtime calls a BPF C source may make once it is compiled
 * as kernel C, which the kernel does not link (it has no libgcc): the
 * bit counts clang and gcc call for __builtin_popcount*() without
 * -mpopcnt.  hweight64() is POPCNT on CPUs that have it (patched in at
 * boot), a table-free software count on the others.
 */
#include <linux/bitops.h>
#include <linux/types.h>

int __popcountdi2(u64 x);
int __popcountsi2(u32 x);

int __popcountdi2(u64 x)
{
	return hweight64(x);
}

int __popcountsi2(u32 x)
{
	return hweight32(x);
}
