/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SEM_OPS_H
#define SEM_OPS_H

typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;
typedef signed char s8;

u64 sem_udiv64(u64 a, u64 b);
u64 sem_umod64(u64 a, u64 b);
s64 sem_sdiv64(s64 a, s64 b);
s64 sem_smod64(s64 a, s64 b);
u32 sem_udiv32(u32 a, u32 b);
u32 sem_umod32(u32 a, u32 b);
s32 sem_sdiv32(s32 a, s32 b);
s32 sem_smod32(s32 a, s32 b);
s64 sem_sdiv8(s64 a, s8 b);
u64 sem_shl64(u64 a, u32 n);
u64 sem_shr64(u64 a, u32 n);
s64 sem_sar64(s64 a, u32 n);
u32 sem_shl32(u32 a, u32 n);
s32 sem_sar32(s32 a, u32 n);
u32 sem_clz64(u64 a);
u32 sem_ctz32(u32 a);
u64 sem_div_then_test(u64 a, u64 b);

#endif
