// SPDX-License-Identifier: GPL-2.0
/*
 * The loader's and the rewriter's test object, built twice: with
 * -DUSE_EINS every op is an eins.h builtin, without it the same
 * computation is the plain C a BPF programmer writes.  test_loader runs
 * both (and eins-opt's outputs of both) on the same packets and compares.
 * Sites sit in the main program, in a static subprogram, in a global
 * function and in a bpf_loop callback, around a map, so the expansion
 * must keep calls, callbacks, relocations and line info right.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef long long s64;

#ifdef USE_EINS
#include "eins.h"
#define ROTL64(x, n)		eins_rotl64(x, n)
#define ROTR32(x, n)		eins_rotr32(x, n)
#define ROTL64_VAR(x, n)	eins_rotl64_var(x, n)
#define MAX_U(a, b)		eins_select_gt(a, b, a, b)
#define MIN_S(a, b)		eins_select_slt(a, b, a, b)
#define FIELD(x, lsb, len)	eins_extract64(x, lsb, len)
#define LOAD_BE32(p, off)	eins_load_swap32(p, off)
#define LOAD_BE64(p, off)	eins_load_swap64(p, off)
#define STORE_BE32(p, off, v)	eins_store_swap32(p, off, v)
#define POPCNT(x)		eins_popcount64(x)
#define CLZ(x)			eins_clz64(x)
#define CTZ32(x)		eins_ctz32(x)
#define SCALE(a, b)		eins_shift_add64(a, b, 3, 40)
#define MULHU(a, b)		eins_mulhu64(a, b)
#else
#define ROTL64(x, n)		(((x) << (n)) | ((x) >> (64 - (n))))
#define ROTR32(x, n)		((u32)(((u32)(x) >> (n)) | ((u32)(x) << (32 - (n)))))
#define ROTL64_VAR(x, n)	(((x) << ((n) & 63)) | ((x) >> ((64 - (n)) & 63)))
#define MAX_U(a, b)		((a) > (b) ? (a) : (b))
#define MIN_S(a, b)		((s64)(a) < (s64)(b) ? (a) : (b))
#define FIELD(x, lsb, len)	(((x) >> (lsb)) & ((1ULL << (len)) - 1))
#define LOAD_BE32(p, off)	bpf_ntohl(*(u32 *)((char *)(p) + (off)))
#define LOAD_BE64(p, off)	bpf_be64_to_cpu(*(u64 *)((char *)(p) + (off)))
#define STORE_BE32(p, off, v)	(*(u32 *)((char *)(p) + (off)) = bpf_htonl(v))
#define POPCNT(x)		__builtin_popcountll(x)
#define CLZ(x)			((x) ? __builtin_clzll(x) : 64)
#define CTZ32(x)		((u32)(x) ? __builtin_ctz((u32)(x)) : 32)
#define SCALE(a, b)		((a) + ((b) << 3) + 40)
#define MULHU(a, b)		mulhu(a, b)

/* the high half of a 64x64 product from 32-bit halves (BPF has no
 * 128-bit multiply)
 */
static __always_inline u64 mulhu(u64 a, u64 b)
{
	u64 al = (u32)a, ah = a >> 32, bl = (u32)b, bh = b >> 32;
	u64 lo = al * bl, m1 = ah * bl, m2 = al * bh;
	u64 mid = (lo >> 32) + (u32)m1 + (u32)m2;

	return ah * bh + (m1 >> 32) + (m2 >> 32) + (mid >> 32);
}
#endif

#define NR_RECS	8
#define NR_OUTS	16

struct rec {
	u64 a, b;
	u64 out[NR_OUTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} acc SEC(".maps");

static __attribute__((noinline)) u64 mix(u64 a, u64 b)
{
	return ROTL64(a ^ b, 23) + MULHU(a, b | 1);
}

__attribute__((noinline)) u64 global_fold(u64 a, u64 b)
{
	return SCALE(POPCNT(a), CLZ(b)) ^ FIELD(a, 7, 19);
}

struct loop_ctx {
	u64 h, seed;
};

static long step(u32 i, struct loop_ctx *c)
{
	c->h = ROTL64_VAR(c->h ^ c->seed, i + c->seed) + CTZ32(c->h + i);
	return 0;
}

SEC("xdp")
int loader_prog(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	struct rec *r = (void *)(long)ctx->data;
	u32 key = 0;
	u64 *sum;
	int i;

	sum = bpf_map_lookup_elem(&acc, &key);
	if (!sum)
		return XDP_ABORTED;
	for (i = 0; i < NR_RECS; i++, r++) {
		struct loop_ctx c;
		u64 a, b;

		if ((void *)(r + 1) > end)
			break;
		a = r->a;
		b = r->b;
		r->out[0] = ROTL64(a, 13);
		r->out[1] = ROTR32(b, 9);
		r->out[2] = MAX_U(a, b);
		r->out[3] = MIN_S(a, b);
		r->out[4] = FIELD(b, 12, 20);
		r->out[5] = LOAD_BE32(r, 0);
		r->out[6] = LOAD_BE64(r, 8);
		r->out[7] = POPCNT(b);
		r->out[8] = CLZ(a);
		r->out[9] = CTZ32(b);
		r->out[10] = SCALE(a, b);
		r->out[11] = MULHU(a, b);
		r->out[12] = mix(a, b);
		r->out[13] = global_fold(a, b);
		c.h = a;
		c.seed = b & 7;
		bpf_loop(4, step, &c, 0);
		r->out[14] = c.h;
		STORE_BE32(r, 16 + 15 * 8, (u32)(a ^ b));
		*sum += r->out[0];
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
