// SPDX-License-Identifier: GPL-2.0
/*
 * The operations np-ir.py gives BPF's semantics, one function each:
 * compiled through np-ir.py by sem_check.sh, called by sem_check.c.
 */
#include "sem_ops.h"

u64 sem_udiv64(u64 a, u64 b) { return a / b; }
u64 sem_umod64(u64 a, u64 b) { return a % b; }
s64 sem_sdiv64(s64 a, s64 b) { return a / b; }
s64 sem_smod64(s64 a, s64 b) { return a % b; }
u32 sem_udiv32(u32 a, u32 b) { return a / b; }
u32 sem_umod32(u32 a, u32 b) { return a % b; }
s32 sem_sdiv32(s32 a, s32 b) { return a / b; }
s32 sem_smod32(s32 a, s32 b) { return a % b; }
s64 sem_sdiv8(s64 a, s8 b) { return a / b; }
u64 sem_shl64(u64 a, u32 n) { return a << n; }
u64 sem_shr64(u64 a, u32 n) { return a >> n; }
s64 sem_sar64(s64 a, u32 n) { return a >> n; }
u32 sem_shl32(u32 a, u32 n) { return a << n; }
s32 sem_sar32(s32 a, u32 n) { return a >> n; }
u32 sem_clz64(u64 a) { return __builtin_clzll(a); }
u32 sem_ctz32(u32 a) { return __builtin_ctz(a); }

/* a zero test after the division: C lets the compiler drop it */
u64 sem_div_then_test(u64 a, u64 b)
{
	u64 q = a / b;

	return b ? q : 0xdead;
}
