/* SPDX-License-Identifier: GPL-2.0 */
/* The packet np_sem.bpf.c computes on, shared with test_native.c. */
#ifndef NP_SEM_H
#define NP_SEM_H

struct np_sem_pkt {
	/* operands */
	__u64 ua, ub;
	__s64 sa, sb;
	__u8 byte, count, pad[6];
	/* results */
	__u64 udiv, umod;
	__s64 sdiv, smod, div8, mod8;
	__u32 udiv32;
	__s32 sdiv32;
	__u64 shl;
	__u32 shr32, pad2;
	__s64 sar;
};

#endif
