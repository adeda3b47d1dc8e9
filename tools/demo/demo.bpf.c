// SPDX-License-Identifier: GPL-2.0
/*
 * The demo program: hash and clamp DEMO_WORDS words of the packet, write
 * the two results over its first 16 bytes.  Built twice from this source:
 * with plain C idioms (stock JIT) and with -DDEMO_EINS (eins.h builtins).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "demo_algo.h"

SEC("xdp")
int demo(struct xdp_md *ctx)
{
	demo_u64 *w = (void *)(long)ctx->data;
	demo_u64 out[2];

	if ((void *)(w + DEMO_WORDS) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	DEMO_BODY(w, DEMO_WORDS, out, 0x7fffffff);
	w[0] = out[0];
	w[1] = out[1];
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
