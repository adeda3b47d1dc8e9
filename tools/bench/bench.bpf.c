// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark programs, XDP, built from workloads.h twice: plain C
 * (the stock JIT's input, and eins-opt's) and with -DBENCH_EINS (eins.h
 * builtins).
 *
 * bench_<micro>: reads a 1 KiB packet as the input and writes the u64
 * result over its first 8 bytes.  pkt_<name>: a per-packet program.
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

#define PACKET_PROG(name)						\
SEC("xdp") int pkt_##name(struct xdp_md *ctx)				\
{									\
	return pk_##name((void *)(long)ctx->data,			\
			 (void *)(long)ctx->data_end);			\
}

BENCH_MICROS(BENCH_PROG)
BENCH_PACKET_PROGS(PACKET_PROG)

char _license[] SEC("license") = "GPL";
