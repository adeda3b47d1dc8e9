// SPDX-License-Identifier: GPL-2.0
/* Every eins.h builtin once per record; test_eins.c checks the results. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "eins.h"

typedef unsigned long long u64;

#define NR_RECS	8
#define NR_OUTS	29

struct rec {
	u64 a, b;
	u64 out[NR_OUTS];
};

/* a global variable: swap_mem on a map value */
static u64 scratch;

SEC("xdp")
int eins_builtins(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	struct rec *r = (void *)(long)ctx->data;
	int i;

	for (i = 0; i < NR_RECS; i++, r++) {
		u64 a, b;

		if ((void *)(r + 1) > end)
			break;
		a = r->a;
		b = r->b;
		r->out[0] = eins_rotl64(a, 13);
		r->out[1] = eins_rotr64(a, 7);
		r->out[2] = eins_rotl32(a, 5);
		r->out[3] = eins_rotr32(a, 31);
		r->out[4] = eins_rotl64_var(a, b);
		r->out[5] = eins_rotr64_var(a, b);
		r->out[6] = eins_rotl32_var(a, b);
		r->out[7] = eins_rotr32_var(a, b);
		r->out[8] = eins_select_gt(a, b, a, b);
		r->out[9] = eins_select_slt(a, b, a, b);
		r->out[10] = eins_select32_imm(EINS_SLT, a, -5, a, b);
		r->out[11] = eins_select_imm(EINS_GT, a, 255, 255, a);
		r->out[12] = eins_select_set(a, b, a, ~b);
		r->out[13] = eins_select32(EINS_EQ, a, b, 1, 2);
		r->out[14] = eins_extract64(a, 12, 20);
		r->out[15] = eins_extract32(a, 5, 27);
		r->out[16] = eins_extract64(a, 40, 24);
		/* swap_mem on the packet */
		r->out[17] = eins_load_swap16(r, 0);
		r->out[18] = eins_load_swap32(r, 0);
		r->out[19] = eins_load_swap64(r, 8);
		eins_store_swap32(r, 16 + 20 * 8, a);
		r->out[21] = eins_popcount64(a);
		r->out[22] = eins_clz64(a);
		r->out[23] = eins_ctz32(a);
		r->out[24] = eins_shift_add64(a, b, 3, 1000);
		r->out[25] = eins_shift_add32(a, b, 7, -5);
		r->out[26] = eins_mulhu64(a, b);
		r->out[27] = eins_mulhs64(a, b);
		eins_store_swap64(&scratch, 0, b);
		r->out[28] = eins_load_swap64(&scratch, 0);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
