// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark programs: one XDP program per workload, reading the packet
 * as the input and writing the u64 result over its first 8 bytes.  Built
 * twice: plain C (stock JIT) and with -DBENCH_EINS (eins.h builtins).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "workloads.h"

#define BENCH_PROG(name)						\
SEC("xdp") int bench_##name(struct xdp_md *ctx)				\
{									\
	bu64 *w = (void *)(long)ctx->data;				\
									\
	if ((void *)(w + BENCH_WORDS) > (void *)(long)ctx->data_end)	\
		return XDP_DROP;					\
	w[0] = wl_##name(w, (const bu8 *)w);				\
	return XDP_PASS;						\
}

BENCH_WORKLOADS(BENCH_PROG)

char _license[] SEC("license") = "GPL";
