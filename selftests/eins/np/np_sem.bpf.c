// SPDX-License-Identifier: GPL-2.0
/*
 * Operations BPF defines and C does not, on values from the packet: a
 * whole-program module built from this source must compute what the
 * bytecode computes (tools/np/np-ir.py), never trap.  test_native.c runs
 * it natively and under the JIT on packets with divisors 0 and -1, shift
 * counts past the width, and compares.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "np_sem.h"

SEC("xdp")
int np_divide(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct np_sem_pkt *p = data;
	__s8 by;

	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	by = p->byte;
	p->udiv = p->ua / p->ub;
	p->umod = p->ua % p->ub;
	p->sdiv = p->sa / p->sb;
	p->smod = p->sa % p->sb;
	p->div8 = p->sa / by;		/* by a packet byte, 0 or -1 */
	p->mod8 = p->sa % by;
	p->udiv32 = (__u32)p->ua / (__u32)p->ub;
	p->sdiv32 = (__s32)p->sa / (__s32)p->sb;
	p->shl = p->ua << p->count;	/* counts past the width */
	p->shr32 = (__u32)p->ua >> p->count;
	p->sar = p->sa >> p->count;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
