// SPDX-License-Identifier: GPL-2.0
/*
 * The rewriter's idiom tests: each program computes one idiom in one of
 * the shapes a BPF C programmer writes; clang (any -mcpu, with and without
 * -g) spells them differently again.  Programs (and the subprogram) named
 * pos_OP_* must get a site of OP; those named neg_* (near misses, windows
 * that must stay) and gap_* (correct code the rewriter cannot prove yet)
 * must be left alone, and those named neg_no_OP_* (near misses of OP
 * whose parts are other ops' sites) must get no site of OP (see run.sh).  Compiled only: test_loader runs
 * rewritten code in the VM.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef long long s64;
typedef int s32;

#define PROG(name, body...)						\
SEC("xdp/" #name) int name(struct xdp_md *ctx)				\
{									\
	u64 *p = (void *)(long)ctx->data;				\
	u64 x, y, n;							\
									\
	if ((void *)(p + 8) > (void *)(long)ctx->data_end)		\
		return XDP_DROP;					\
	x = p[0];							\
	y = p[1];							\
	n = p[2];							\
	(void)x; (void)y; (void)n;					\
	body;								\
	return XDP_PASS;						\
}

/* a subprogram (in .text, called by call_mul_high_subprog) */
static __attribute__((noinline)) u64 pos_mul_high_subprog(u64 a, u64 b)
{
	u64 a0 = (u32)a, a1 = a >> 32, b0 = (u32)b, b1 = b >> 32;
	u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	u64 carry = ((p00 >> 32) + (u32)p01 + (u32)p10) >> 32;

	return p11 + (p01 >> 32) + (p10 >> 32) + carry;
}

/* rotates */
PROG(pos_rotate_or, p[3] = (x << 13) | (x >> 51))
PROG(pos_rotate_right, p[3] = (x >> 7) | (x << 57))
PROG(pos_rotate_add, p[3] = (x << 29) + (x >> 35))
PROG(pos_rotate_xor_32bit, p[3] = (u32)(((u32)x << 5) ^ ((u32)x >> 27)))
PROG(pos_rotate_var, p[3] = (x << (n & 63)) | (x >> (-n & 63)))
PROG(pos_rotate_var_32bit, p[3] = ((u32)x << (n & 31)) | ((u32)x >> (-n & 31)))
/*
 * jhash's mix on u32 (rol32 as the kernel writes it): without ALU32
 * (-mcpu=v1, v2) each rotate is computed in 64-bit registers, the upper
 * half left for the final cast to clear; the rotates are 32-bit ones on
 * the low halves
 */
static inline u32 rol32(u32 w, unsigned int s)
{
	return (w << s) | (w >> ((-s) & 31));
}

PROG(pos_rotate_32bit_upper_dead, {
	u32 a = x, b = y, c = n;

	a -= c; a ^= rol32(c, 4); c += b;
	b -= a; b ^= rol32(a, 6); a += c;
	c -= b; c ^= rol32(b, 8); b += a;
	p[3] = a ^ b ^ c;
})
/*
 * MurmurHash's k *= c; k = rotl(k, r): clang folds the left shift into a
 * second multiply, k * (c << r), so the rotate's input is the product
 */
PROG(pos_rotate_after_mul, {
	u64 k = x * 0x87c37b91114253d5ULL;

	p[3] = (k << 31) | (k >> 33);
})
PROG(pos_rotate_after_mul_32bit, {
	u32 k = (u32)x * 0xcc9e2d51;

	p[3] = (u32)((k << 15) | (k >> 17));
})
/* byte-swapped loads and stores */
PROG(pos_swap_mem_ntohl, p[3] = bpf_ntohl(*(u32 *)((char *)p + 36)))
PROG(pos_swap_mem_ntohs, p[3] = bpf_ntohs(*(u16 *)((char *)p + 18)))
PROG(pos_swap_mem_be64, p[3] = bpf_be64_to_cpu(p[4]))
PROG(pos_swap_mem_htonl, *(u32 *)((char *)p + 40) = bpf_htonl((u32)(x + y)))
PROG(pos_swap_mem_htons, *(u16 *)((char *)p + 42) = bpf_htons((u16)(x ^ y)))
/* selects */
PROG(pos_select_max, p[3] = x > y ? x : y)
PROG(pos_select_smin, p[3] = (s64)x < (s64)y ? x : y)
PROG(pos_select_eq, p[3] = x == y ? x : n; p[4] = x + y + n)
PROG(pos_select_u32_compare, p[3] = (u32)x < (u32)y ? x : y)
PROG(pos_select_clamp_const, {
	u64 lo = 1ULL << 40;

	p[3] = x > lo ? x : lo;
	p[4] = lo ^ y;
})
PROG(pos_select_branchy, if (x & y) p[3] = x; else p[3] = y; p[4] = 0)
/* immediate arms: a register is loaded with the arm before the site */
PROG(pos_select_imm_clamp, { u32 s = x; if (s > 26) s = 26; p[3] = s; })
PROG(pos_select_imm_bool, p[3] = (x > 0xffff) << 4)
PROG(pos_select_imm_both, p[3] = (u32)x > (u32)y ? 7 : 3)
/* bit fields */
PROG(pos_extract_shift_mask, p[3] = (x >> 12) & 0xfffff)
PROG(pos_extract_mask_shift, p[3] = (x & 0xff0000) >> 16)
PROG(pos_extract_32bit, p[3] = ((u32)x >> 5) & 0x7ffffff)
/* bit counts */
PROG(pos_bitcount_popcount, p[3] = __builtin_popcountll(x))
PROG(pos_bitcount_popcount_32bit, p[3] = __builtin_popcount((u32)x))
PROG(pos_bitcount_swar, {
	u64 v = x - ((x >> 1) & 0x5555555555555555ULL);

	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	p[3] = (v * 0x0101010101010101ULL) >> 56;
})
PROG(pos_bitcount_clz, p[3] = x ? __builtin_clzll(x) : 64)
/* (clang turns __builtin_ctzll into a de Bruijn table in .rodata, which
 * the rewriter does not model: not a positive case)
 */
PROG(pos_bitcount_clz_32bit, p[3] = (u32)x ? __builtin_clz((u32)x) : 32)
/*
 * In a loop: clang computes x >> 1 before the zero test and the rest of
 * the popcount after it (a relation between registers across blocks),
 * and keeps the masks in registers (scratch that holds a constant)
 */
PROG(pos_bitcount_loop, {
	u64 s = 0;
	int i;

	_Pragma("nounroll")
	for (i = 0; i < 6; i++)
		s += __builtin_popcountll(p[i]) + (p[i] ? __builtin_clzll(p[i]) : 64);
	p[7] = s;
})
/*
 * log2 and log2l of libbpf-tools' bits.bpf.h, verbatim but for the names:
 * a ladder of selects, compares and shifts, which is clz(v | 1) ^ 31
 * (log2l's high half: + 32).  log2l's other arm compares the 64-bit v
 * with 0xffff, which is log2 only given v < 2^32, the branch's bound,
 * which the analysis knows.  A latency histogram's slot clamps the log2.
 */
static __always_inline u64 bits_log2(u32 v)
{
	u32 shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline u64 bits_log2l(u64 v)
{
	u32 hi = v >> 32;

	if (hi)
		return bits_log2(hi) + 32;
	else
		return bits_log2(v);
}

PROG(pos_bitcount_log2, p[3] = bits_log2((u32)x))
PROG(pos_bitcount_log2l, p[3] = bits_log2l(x))
/*
 * log2l's low arm alone: bits_log2's ladder on the 64-bit v, which the
 * branch bounds below 2^32 (its 64-bit compares are log2's only there);
 * without the bound the same ladder is no clz
 */
PROG(pos_bitcount_log2l_low_arm, {
	if (x < 1ULL << 32)
		p[3] = bits_log2l(x);
})
PROG(neg_no_bitcount_log2_ladder_u64, {
	u64 v = x, r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	p[3] = r | (v >> 1);
})
/*
 * samples/bpf/tracex3's log2l, -1 for 0: 63 - clz64(n); of a difference,
 * as tracex3 takes it of a time's delta
 */
static __always_inline unsigned int tracex3_log2l(u64 n)
{
#define S(k) if (n >= (1ull << k)) { i += k; n >>= k; }
	int i = -(n == 0);

	S(32); S(16); S(8); S(4); S(2); S(1);
	return i;
#undef S
}

PROG(pos_bitcount_log2l_tracex3, p[3] = tracex3_log2l(x - y))
PROG(pos_bitcount_log2_hist_slot, {
	u64 slot = bits_log2l(x);

	if (slot > 26)
		slot = 26;
	p[3] = slot;
})
/*
 * __builtin_ctz: clang multiplies x & -x by a de Bruijn constant and
 * looks the count up in a table it puts in .rodata, which the rewriter
 * reads from the object.  A table the source names stays: a const
 * volatile one can be changed before the load (a skeleton's rodata,
 * bpf_map__set_initial_value).  (A static const one that holds the de
 * Bruijn table clang turns into __builtin_ctz and a table of its own.)
 */
PROG(pos_bitcount_ctz_table, p[3] = __builtin_ctzll(x))
PROG(pos_bitcount_ctz_table_32bit, p[3] = __builtin_ctz((u32)x))
PROG(pos_bitcount_ctz_table_guarded, p[3] = (u32)x ? __builtin_ctz((u32)x) : 32)
const volatile unsigned char debruijn64[64] = {
	0, 1, 2, 7, 3, 13, 8, 19, 4, 25, 14, 28, 9, 34, 20, 40,
	5, 17, 26, 38, 15, 46, 29, 48, 10, 31, 35, 54, 21, 50, 41, 57,
	63, 6, 12, 18, 24, 27, 33, 39, 16, 37, 45, 47, 30, 53, 49, 56,
	62, 11, 23, 32, 36, 44, 52, 55, 61, 22, 43, 51, 60, 42, 59, 58,
};
PROG(neg_ctz_table_named, p[3] = debruijn64[((x & -x) * 0x218a392cd3d5dbfULL) >> 58])
/* scaled adds */
PROG(pos_shift_add, p[3] = x + (y << 3) + 40)
PROG(pos_shift_add_mul, p[3] = x + y * 16 - 3)
PROG(pos_shift_add_index, p[3] = (u64)&((u64 *)x)[y + 2])
PROG(pos_shift_add_32bit, p[3] = (u32)(x + (y << 7) - 5))
/*
 * ptr += i << 2 alone, two insns: one LEA (x86-64) or ADD with a shifted
 * register (arm64) for a shift of 1 to 3; an element of 16 bytes (a
 * shift of 4) takes MOV, SHL and LEA on x86-64, so it stays
 */
PROG(pos_shift_add_ptr_index, p[3] = ((u32 *)(long)y)[x & 63])
PROG(neg_ptr_index_shift4, {
	struct pair { u64 a, b; } *t = (struct pair *)(long)y;

	p[3] = t[x & 63].a;
})
/* high multiply from 32-bit halves, two spellings */
PROG(pos_mul_high_halves, {
	u64 al = (u32)x, ah = x >> 32, bl = (u32)y, bh = y >> 32;
	u64 lo = al * bl, m1 = ah * bl, m2 = al * bh;
	u64 mid = (lo >> 32) + (u32)m1 + (u32)m2;

	p[3] = ah * bh + (m1 >> 32) + (m2 >> 32) + (mid >> 32);
})
PROG(pos_mul_high_masks, {
	u64 al = x & 0xffffffff, ah = x >> 32, bl = y & 0xffffffff, bh = y >> 32;
	u64 lo = bl * al, m1 = bl * ah, m2 = bh * al;
	u64 mid = (m1 & 0xffffffff) + (m2 & 0xffffffff) + (lo >> 32);

	p[3] = (mid >> 32) + (m2 >> 32) + (m1 >> 32) + bh * ah;
})
PROG(call_mul_high_subprog, p[3] = pos_mul_high_subprog(x, y))
/* high multiply by a constant: clang folds the constant's halves in */
#define MULHU_HALVES(a, b, carry) ({					\
	u64 __al = (u32)(a), __ah = (a) >> 32;				\
	u64 __bl = (u32)(b), __bh = (b) >> 32;				\
	u64 __lo = __al * __bl, __m1 = __ah * __bl, __m2 = __al * __bh;	\
	u64 __mid = (__lo >> 32) + (u32)__m1 + (u32)__m2;		\
	__ah * __bh + (__m1 >> 32) + (__m2 >> 32) + (carry ? __mid >> 32 : 0); })
PROG(pos_mul_high_const, p[3] = MULHU_HALVES(x, 0xc2b2ae3d27d4eb4fULL, 1))
/* a low half >= 2^31: a register, not an immediate */
PROG(pos_mul_high_const_big_low, p[3] = MULHU_HALVES(x, 0x019999999999999aULL, 1))
/* fixed point, tokens + elapsed * rate: clang adds y into the halves' sum */
PROG(pos_mul_high_const_add, p[3] = y + MULHU_HALVES(x, 0x019999999999999aULL, 1))
/* a spelling z3 does not prove within its resource limit: left alone */
PROG(gap_mul_high_carry, {
	u64 al = x & 0xffffffff, ah = x >> 32, bl = y & 0xffffffff, bh = y >> 32;
	u64 t = ah * bl + ((al * bl) >> 32);
	u64 w1 = (t & 0xffffffff) + al * bh;

	p[3] = ah * bh + (t >> 32) + (w1 >> 32);
})

/* near misses and windows that must stay */
/*
 * always 0 (the 32-bit op zero-extends), and so clz() of the -1 on the
 * way: an op on a constant is no rewrite
 */
PROG(neg_op_on_constant, {
	u64 r;

	asm volatile("r1 = %[x]\n\tr0 = -1\n\tw0 %%= w1\n\tr0 >>= 32\n\t%[r] = r0"
		     : [r] "=r"(r) : [x] "r"(x) : "r0", "r1");
	p[3] = r;
})
PROG(neg_rotate_counts, p[3] = (x << 13) | (x >> 50))
/* a 32-bit rotate's shape in 64 bits, whose upper half is stored: no rotate */
PROG(neg_rotate_32bit_upper_read, {
	u64 v = (u32)x;

	p[3] = (v << 4) | (v >> 28);
})
/* the same with the upper half shifted down into the stored low half */
PROG(neg_rotate_32bit_upper_shifted, {
	u64 v = (u32)x, r = (v << 4) | (v >> 28);

	p[3] = (u32)(r ^ (r >> 32));
})
PROG(neg_rotate_sources, p[3] = (x << 13) | (y >> 51))
PROG(neg_extract_holes, p[3] = (x >> 12) & 0xff0f)
/* the high multiply by a constant without the carry of the middle sum */
PROG(neg_mul_high_const_no_carry, p[3] = MULHU_HALVES(x, 0xc2b2ae3d27d4eb4fULL, 0))
PROG(neg_live_temp, { u64 t = x << 13; p[3] = t | (x >> 51); p[4] = t; })
/*
 * A helper call between the halves of a rotate.  r6-r9 survive it, so the
 * half kept in r7 is still r6 >> 51 after it: the window after the call
 * reads it through that relation.  The half in r2 does not survive: no
 * rotate, and no window may hold the call.
 */
#define ROTATE_AROUND_CALL(name, half)					\
SEC("xdp/" #name) int name(struct xdp_md *ctx)				\
{									\
	u64 r;								\
									\
	asm volatile("r6 = r1\n\t"					\
		     half " = r6\n\t"					\
		     half " >>= 51\n\t"					\
		     "call 5\n\t"						\
		     "r8 = r6\n\t"						\
		     "r8 <<= 13\n\t"					\
		     "r8 |= " half "\n\t"					\
		     "%[r] = r8"						\
		     : [r] "=r"(r) : : "r0", "r1", "r2", "r3", "r4", "r5",	\
		       "r6", "r7", "r8");					\
	return r;							\
}
ROTATE_AROUND_CALL(pos_rotate_across_call, "r7")
ROTATE_AROUND_CALL(neg_rotate_half_lost_in_call, "r2")

PROG(neg_popcount_wrong, {
	u64 v = x - ((x >> 1) & 0x5555555555555555ULL);

	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	p[3] = (v * 0x0101010101010101ULL) >> 57;
})

/* a ladder with one wrong constant (0xFE): the steps stay selects */
PROG(neg_no_bitcount_log2_wrong_const, {
	u32 v = x, shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFE) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	p[3] = r | (v >> 1);
})
/* a step's value is read elsewhere: the ladder's window would drop it */
PROG(neg_no_bitcount_log2_step_read, {
	u32 v = x, shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	p[4] = v;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	p[3] = r | (v >> 1);
})
/* another jump lands on a clamp's immediate arm: not a select */
SEC("xdp/neg_select_imm_jump_in") int neg_select_imm_jump_in(struct xdp_md *ctx)
{
	u64 r;

	asm volatile("r2 = r1\n\t"
		     "if r1 == 0 goto 1f\n\t"
		     "if w2 < 26 goto 2f\n\t"
		     "1:\n\t"
		     "w2 = 26\n\t"
		     "2:\n\t"
		     "%[r] = r2"
		     : [r] "=r"(r) : : "r2");
	return r;
}

/* a jump into the middle of a rotate: the window is two blocks */
SEC("xdp/neg_jump_in") int neg_jump_in(struct xdp_md *ctx)
{
	u64 r;

	asm volatile("r2 = r1\n\t"
		     "r3 = r1\n\t"
		     "if r1 == 0 goto 1f\n\t"
		     "r2 <<= 13\n\t"
		     "1:\n\t"
		     "r3 >>= 51\n\t"
		     "r2 |= r3\n\t"
		     "%[r] = r2"
		     : [r] "=r"(r) : : "r2", "r3");
	return r;
}

/* run.sh also builds it under a license that may not call kfuncs */
#ifndef IDIOMS_LICENSE
#define IDIOMS_LICENSE "GPL"
#endif
char _license[] SEC("license") = IDIOMS_LICENSE;
