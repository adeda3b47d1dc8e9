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

/* what np_loops (bpf_for, bpf_iter_num_*, bpf_loop, a subprogram) reads */
struct np_loop_pkt {
	/* operands */
	__s32 start, end;	/* an iterator's range */
	__u32 nr, stop_at;	/* bpf_loop's count; the callback stops here */
	__u64 flags;		/* bpf_loop's flags */
	/* results */
	__s64 new_ret;		/* bpf_iter_num_new() */
	__s32 iters, sum;	/* its loop */
	__s32 for_iters, for_sum;	/* bpf_for's */
	__s64 loop_ret;		/* bpf_loop() */
	__u32 calls, mix;	/* callback calls; a subprogram's result */
};

#endif
