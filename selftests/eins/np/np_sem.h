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

/*
 * what np_hashmap does, one packet one op on a hash map: lookup, update or
 * delete of a key, then a lookup of it; an array counts the packets per op
 */
enum { NP_MAP_LOOKUP, NP_MAP_UPDATE, NP_MAP_DELETE };
#define NP_MAP_ENTRIES	8	/* the hash map's; keys span twice as many */
#define NP_MAP_OPS	3	/* the array's entries: an op past them fails */

struct np_map_pkt {
	/* operands */
	__u32 op, key;
	__u64 value, flags;
	/* results */
	__s64 ret;		/* the update's or delete's return; 0 */
	__u64 found;		/* the key's value after it, or ~0 */
	__s64 count_ret;	/* the array update's return */
	__u64 count;		/* packets of this op so far */
};

#endif
