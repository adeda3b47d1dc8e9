// SPDX-License-Identifier: GPL-2.0
/*
 * Operations BPF defines and C does not, on values from the packet: a
 * whole-program module built from this source must compute what the
 * bytecode computes (tools/np/np-ir.py), never trap.  test_native.c runs
 * it natively and under the JIT on packets with divisors 0 and -1, shift
 * counts past the width, and compares.  np_loops: loops whose bounds come
 * from the packet, through the iterator kfuncs, bpf_for(), bpf_loop() and
 * a subprogram, compared the same way.  np_hashmap: lookups, updates and
 * deletes on a hash map and an array, keys, values and flags from the
 * packet, compared with the maps left behind.
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

struct loop_ctx {
	__u32 calls, stop_at;
};

static int loop_step(__u32 i, void *arg)
{
	struct loop_ctx *c = arg;

	c->calls++;
	return i == c->stop_at;
}

/* a BPF-to-BPF call, not inlined */
static __noinline __u32 mix(__u32 a, __u32 b)
{
	return (a * 0x9e3779b1u) ^ (b >> 3) ^ (b << 29);
}

SEC("xdp")
int np_loops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct np_loop_pkt *p = data;
	struct loop_ctx c = {};
	struct bpf_iter_num it;
	int i, *v, n = 0, sum = 0;

	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	p->new_ret = bpf_iter_num_new(&it, p->start, p->end);
	while ((v = bpf_iter_num_next(&it))) {
		n++;
		sum += *v * 3 + 1;
	}
	bpf_iter_num_destroy(&it);
	p->iters = n;
	p->sum = sum;

	n = sum = 0;
	bpf_for(i, p->start, p->end) {
		n++;
		sum ^= i;
	}
	p->for_iters = n;
	p->for_sum = sum;

	c.stop_at = p->stop_at;
	p->loop_ret = bpf_loop(p->nr, loop_step, &c, p->flags);
	p->calls = c.calls;
	p->mix = mix(p->sum, c.calls);
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NP_MAP_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} np_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NP_MAP_OPS);
	__type(key, __u32);
	__type(value, __u64);
} np_counts SEC(".maps");

SEC("xdp")
int np_hashmap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct np_map_pkt *p = data;
	__u64 value, count, *v;
	__u32 key, op;

	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	op = p->op;
	key = p->key;
	value = p->value;
	if (op == NP_MAP_UPDATE)
		p->ret = bpf_map_update_elem(&np_hash, &key, &value, p->flags);
	else if (op == NP_MAP_DELETE)
		p->ret = bpf_map_delete_elem(&np_hash, &key);
	else
		p->ret = 0;
	v = bpf_map_lookup_elem(&np_hash, &key);
	p->found = v ? *v : ~0ULL;
	if (v)
		*v += 1;	/* through the pointer the lookup gave */

	v = bpf_map_lookup_elem(&np_counts, &op);
	count = (v ? *v : 0) + 1;
	p->count_ret = bpf_map_update_elem(&np_counts, &op, &count, BPF_ANY);
	p->count = count;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
