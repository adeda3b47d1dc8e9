/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * eins.h - EInsn builtins for BPF C (clang -target bpf, libbpf)
 *
 * Each builtin expands to one kinsn site: a kfunc call naming the op in
 * eins.ko's BTF, a payload word with the op's variant and immediate, and
 * register moves that only carry the compiler-chosen operand registers.
 * The verifier replaces the site with the op's proof sequence (plain BPF)
 * and the JIT emits the CPU instruction instead.  No argument registers,
 * no spills: operands stay where the compiler keeps them.
 *
 * Immediate arguments (rotate counts, select immediates) must be
 * compile-time constants.  Loading needs eins.ko (modprobe eins): without
 * it libbpf fails with "extern (func ksym) 'eins_rotate': not found in
 * kernel BTF", naming the missing op.
 *
 * Semantics (u64 = unsigned long long, u32 = unsigned int):
 *   eins_rotl64(x, n), eins_rotr64(x, n)   n constant, 1 <= n <= 63
 *   eins_rotl32(x, n), eins_rotr32(x, n)   n constant, 1 <= n <= 31
 *       rotate x left/right by n bits; out-of-range n fails to load with
 *       "rotate count out of range"
 *   eins_rotl64_var(x, n) ... eins_rotr32_var(x, n)
 *       rotate by a run-time count, taken modulo the width (n = 64 rotates
 *       a u64 by 0), like the CPU instructions
 *   eins_select(cc, a, b, x, y)       (a cc b) ? x : y, 64-bit compare
 *   eins_select32(cc, a, b, x, y)     same, comparing the low 32 bits
 *   eins_select_imm(cc, a, k, x, y)   b is the constant k (sign-extended
 *   eins_select32_imm(cc, a, k, x, y)   to 64 bits for the 64-bit compare)
 *       cc is one of EINS_EQ, EINS_NE, EINS_GT, EINS_GE, EINS_LT, EINS_LE
 *       (unsigned), EINS_SGT, EINS_SGE, EINS_SLT, EINS_SLE (signed) and
 *       EINS_SET (a & b != 0); x, y and the result are 64-bit.
 *   eins_select_<cc>(a, b, x, y), e.g. eins_select_gt(a, b, x, y)
 *   eins_extract64(x, lsb, len), eins_extract32(x, lsb, len)
 *       (x >> lsb) & ((1 << len) - 1), lsb and len constants with len >= 1
 *       and lsb + len <= 64 (32); anything else fails to load
 *   eins_load_swap16(p, off), eins_load_swap32(p, off), eins_load_swap64(p, off)
 *       the 16/32/64-bit value at (char *)p + off, byte-swapped (zero-
 *       extended), i.e. a big-endian (network order) load on x86-64 and
 *       arm64; off a constant in -32768..32767.  The verifier checks the
 *       access like any other (packet bounds, stack, map value).  Where
 *       the value is only compared with constants, keep bpf_ntohs(): clang
 *       swaps the constants instead and loads plainly, which a builtin
 *       (asm to clang) stops.
 *   eins_store_swap16(p, off, v), eins_store_swap32(...), eins_store_swap64(...)
 *       store v byte-swapped (big-endian) at (char *)p + off
 *   eins_popcount64(x), eins_clz64(x), eins_ctz64(x), and the 32-bit
 *   eins_popcount32(x), eins_clz32(x), eins_ctz32(x): bit counts; clz and
 *       ctz of 0 are the width (64 or 32)
 *   eins_shift_add64(a, b, s, k), eins_shift_add32(a, b, s, k)
 *       a + (b << s) + k, wrapping; s and k constants, 0 <= s < width
 *   eins_mulhu64(a, b), eins_mulhs64(a, b)
 *       the high 64 bits of the unsigned / signed 128-bit product
 */
#ifndef __EINS_H
#define __EINS_H

#include "eins_abi.h"
#include "eins_ops.h"

#define EINS_EQ		0x10	/* BPF_JEQ */
#define EINS_GT		0x20	/* BPF_JGT */
#define EINS_GE		0x30	/* BPF_JGE */
#define EINS_SET	0x40	/* BPF_JSET */
#define EINS_NE		0x50	/* BPF_JNE */
#define EINS_SGT	0x60	/* BPF_JSGT */
#define EINS_SGE	0x70	/* BPF_JSGE */
#define EINS_LT		0xa0	/* BPF_JLT */
#define EINS_LE		0xb0	/* BPF_JLE */
#define EINS_SLT	0xc0	/* BPF_JSLT */
#define EINS_SLE	0xd0	/* BPF_JSLE */

/* the ops' BTF functions, eins_rotate ... (eins_ops.h) */
#define __EINS_KSYM(name, NAME)						\
	extern void eins_##name(void) __attribute__((section(".ksyms")));
EINS_OPS(__EINS_KSYM)

/*
 * clang only describes an extern function in the object's BTF (which
 * libbpf needs to resolve it) when C code calls it.  This never-loaded
 * program is that call; "?" keeps libbpf from loading it.
 */
#define __EINS_CALL(name, NAME)	eins_##name();
__attribute__((weak, section("?tc"), used)) int eins__btf_anchor(void)
{
	EINS_OPS(__EINS_CALL)
	return 0;
}

/*
 * The payload insn: code BPF_KINSN_PAYLOAD, src_reg = operand count (the
 * layout of include/uapi/linux/bpf.h).  The code is written out so that
 * this header builds against stock headers; with the patched ones it is
 * checked.
 */
#define __EINS_PAYLOAD_CODE	0xe7	/* BPF_ALU64 | BPF_K | 0xe0 */
#ifdef BPF_KINSN_PAYLOAD
_Static_assert(BPF_KINSN_PAYLOAD == __EINS_PAYLOAD_CODE,
	       "eins.h: payload code differs from linux/bpf.h");
#endif
#define __EINS_PAYLOAD(nregs, variant, imm)				\
	(__EINS_PAYLOAD_CODE | (unsigned long long)(nregs) << 12 |	\
	 (unsigned long long)(unsigned short)(variant) << 16 |		\
	 (unsigned long long)(unsigned int)(imm) << 32)

#define __EINS_SITE	"call %[op]\n\t.quad %[payload]\n\t"

/*
 * A site zero-extends a 32-bit result, and a bit count is at most 64:
 * telling clang spares the masks it would add for a narrowing cast.
 */
#define __eins_max(_v, _max) ({					\
	unsigned long long __m = (_v);					\
	__builtin_assume(__m <= (_max));				\
	__m; })

#define __eins_rot_imm(_x, _n, _v) ({				\
	unsigned long long __d, __t;					\
	asm(__EINS_SITE "%[d] = %[s]\n\t%[t] = %[t]"			\
	    : [d] "=r"(__d), [t] "=&r"(__t)				\
	    : [s] "r"((unsigned long long)(_x)), [op] "i"(eins_rotate),	\
	      [payload] "i"(__EINS_PAYLOAD(3, _v, _n)));		\
	__d; })

#define __eins_rot_reg(_x, _n, _v) ({				\
	unsigned long long __d, __t, __t2;				\
	asm(__EINS_SITE "%[d] = %[s]\n\t%[c] = %[t]\n\t%[t2] = %[t2]"	\
	    : [d] "=r"(__d), [t] "=&r"(__t), [t2] "=&r"(__t2)		\
	    : [s] "r"((unsigned long long)(_x)),			\
	      [c] "r"((unsigned long long)(_n)), [op] "i"(eins_rotate),	\
	      [payload] "i"(__EINS_PAYLOAD(5, (_v) | EINS_ROT_REG, 0)));	\
	__d; })

#define eins_rotl64(x, n)	__eins_rot_imm(x, n, 0)
#define eins_rotr64(x, n)	__eins_rot_imm(x, n, EINS_ROT_RIGHT)
#define eins_rotl32(x, n)						\
	((unsigned int)__eins_max(__eins_rot_imm(x, n, EINS_ROT_32), 0xffffffffULL))
#define eins_rotr32(x, n)						\
	((unsigned int)__eins_max(__eins_rot_imm(x, n, EINS_ROT_32 | EINS_ROT_RIGHT), \
				  0xffffffffULL))
#define eins_rotl64_var(x, n)	__eins_rot_reg(x, n, 0)
#define eins_rotr64_var(x, n)	__eins_rot_reg(x, n, EINS_ROT_RIGHT)
#define eins_rotl32_var(x, n)						\
	((unsigned int)__eins_max(__eins_rot_reg(x, n, EINS_ROT_32), 0xffffffffULL))
#define eins_rotr32_var(x, n)						\
	((unsigned int)__eins_max(__eins_rot_reg(x, n, EINS_ROT_32 | EINS_ROT_RIGHT), \
				  0xffffffffULL))

#define __eins_sel_reg(_v, _a, _b, _x, _y) ({				\
	unsigned long long __d;						\
	asm(__EINS_SITE "%[d] = %[a]\n\t%[x] = %[y]\n\t%[b] = %[b]"	\
	    : [d] "=r"(__d)						\
	    : [a] "r"((unsigned long long)(_a)),			\
	      [x] "r"((unsigned long long)(_x)),			\
	      [y] "r"((unsigned long long)(_y)),			\
	      [b] "r"((unsigned long long)(_b)), [op] "i"(eins_select),	\
	      [payload] "i"(__EINS_PAYLOAD(5, _v, 0)));			\
	__d; })

#define __eins_sel_imm(_v, _a, _k, _x, _y) ({				\
	unsigned long long __d;						\
	asm(__EINS_SITE "%[d] = %[a]\n\t%[x] = %[y]"			\
	    : [d] "=r"(__d)						\
	    : [a] "r"((unsigned long long)(_a)),			\
	      [x] "r"((unsigned long long)(_x)),			\
	      [y] "r"((unsigned long long)(_y)), [op] "i"(eins_select),	\
	      [payload] "i"(__EINS_PAYLOAD(4, (_v) | EINS_SEL_IMM, _k))); \
	__d; })

#define eins_select(cc, a, b, x, y)	__eins_sel_reg(cc, a, b, x, y)
#define eins_select32(cc, a, b, x, y)	__eins_sel_reg((cc) | EINS_SEL_32, a, b, x, y)
#define eins_select_imm(cc, a, k, x, y)	__eins_sel_imm(cc, a, k, x, y)
#define eins_select32_imm(cc, a, k, x, y) \
	__eins_sel_imm((cc) | EINS_SEL_32, a, k, x, y)

#define eins_select_eq(a, b, x, y)	eins_select(EINS_EQ, a, b, x, y)
#define eins_select_ne(a, b, x, y)	eins_select(EINS_NE, a, b, x, y)
#define eins_select_gt(a, b, x, y)	eins_select(EINS_GT, a, b, x, y)
#define eins_select_ge(a, b, x, y)	eins_select(EINS_GE, a, b, x, y)
#define eins_select_lt(a, b, x, y)	eins_select(EINS_LT, a, b, x, y)
#define eins_select_le(a, b, x, y)	eins_select(EINS_LE, a, b, x, y)
#define eins_select_sgt(a, b, x, y)	eins_select(EINS_SGT, a, b, x, y)
#define eins_select_sge(a, b, x, y)	eins_select(EINS_SGE, a, b, x, y)
#define eins_select_slt(a, b, x, y)	eins_select(EINS_SLT, a, b, x, y)
#define eins_select_sle(a, b, x, y)	eins_select(EINS_SLE, a, b, x, y)
#define eins_select_set(a, b, x, y)	eins_select(EINS_SET, a, b, x, y)

#define __eins_extract(_x, _lsb, _len, _v) ({			\
	unsigned long long __d;						\
	asm(__EINS_SITE "%[d] = %[s]"					\
	    : [d] "=r"(__d)						\
	    : [s] "r"((unsigned long long)(_x)), [op] "i"(eins_extract),	\
	      [payload] "i"(__EINS_PAYLOAD(2, _v, EINS_EXT_IMM(_lsb, _len)))); \
	__d; })

#define eins_extract64(x, lsb, len)	__eins_extract(x, lsb, len, 0)
#define eins_extract32(x, lsb, len)					\
	((unsigned int)__eins_max(__eins_extract(x, lsb, len, EINS_EXT_32), \
				  0xffffffffULL))

#define __eins_load_swap(_p, _off, _size) ({				\
	unsigned long long __d;						\
	asm(__EINS_SITE "%[d] = %[b]"					\
	    : [d] "=r"(__d)						\
	    : [b] "r"(_p), [op] "i"(eins_swap_mem),			\
	      [payload] "i"(__EINS_PAYLOAD(2, _size, _off))		\
	    : "memory");						\
	__d; })

#define __eins_store_swap(_p, _off, _val, _size) ({			\
	unsigned long long __t;						\
	asm volatile(__EINS_SITE "%[b] = %[s]\n\t%[t] = %[t]"		\
		     : [t] "=&r"(__t)					\
		     : [b] "r"(_p), [s] "r"((unsigned long long)(_val)),	\
		       [op] "i"(eins_swap_mem),				\
		       [payload] "i"(__EINS_PAYLOAD(3, (_size) | EINS_SWAP_STORE, _off)) \
		     : "memory");					\
	(void)__t; })

/*
 * An int, as bpf_ntohs()'s __u16 is after promotion.  Not a 16-bit type
 * and no hint that the value is below 0x10000: with either, clang narrows
 * a compare to 16 bits, which BPF has not got, and masks the value first.
 * The hint that it is not negative spares a sign extension.
 */
#define eins_load_swap16(p, off)					\
	((int)__eins_max(__eins_load_swap(p, off, EINS_SWAP_16), 0x7fffffff))
#define eins_load_swap32(p, off)					\
	((unsigned int)__eins_max(__eins_load_swap(p, off, EINS_SWAP_32), \
				  0xffffffffULL))
#define eins_load_swap64(p, off)	__eins_load_swap(p, off, EINS_SWAP_64)
#define eins_store_swap16(p, off, v)	__eins_store_swap(p, off, v, EINS_SWAP_16)
#define eins_store_swap32(p, off, v)	__eins_store_swap(p, off, v, EINS_SWAP_32)
#define eins_store_swap64(p, off, v)	__eins_store_swap(p, off, v, EINS_SWAP_64)

#define __eins_bitcount(_x, _v) ({					\
	unsigned long long __d, __t, __t2;				\
	asm(__EINS_SITE "%[d] = %[s]\n\t%[t] = %[t2]"			\
	    : [d] "=r"(__d), [t] "=&r"(__t), [t2] "=&r"(__t2)		\
	    : [s] "r"((unsigned long long)(_x)), [op] "i"(eins_bitcount),	\
	      [payload] "i"(__EINS_PAYLOAD(4, _v, 0)));			\
	__d; })

#define eins_popcount64(x)	__eins_max(__eins_bitcount(x, EINS_BC_POPCNT), 64)
#define eins_clz64(x)		__eins_max(__eins_bitcount(x, EINS_BC_CLZ), 64)
#define eins_ctz64(x)		__eins_max(__eins_bitcount(x, EINS_BC_CTZ), 64)
#define eins_popcount32(x)						\
	((unsigned int)__eins_max(__eins_bitcount(x, EINS_BC_POPCNT | EINS_BC_32), 32))
#define eins_clz32(x)							\
	((unsigned int)__eins_max(__eins_bitcount(x, EINS_BC_CLZ | EINS_BC_32), 32))
#define eins_ctz32(x)							\
	((unsigned int)__eins_max(__eins_bitcount(x, EINS_BC_CTZ | EINS_BC_32), 32))

#define __eins_shift_add(_a, _b, _s, _k, _v) ({			\
	unsigned long long __d, __t;					\
	asm(__EINS_SITE "%[d] = %[a]\n\t%[b] = %[t]"			\
	    : [d] "=r"(__d), [t] "=&r"(__t)				\
	    : [a] "r"((unsigned long long)(_a)),			\
	      [b] "r"((unsigned long long)(_b)), [op] "i"(eins_shift_add), \
	      [payload] "i"(__EINS_PAYLOAD(4, (_v) | EINS_SA_SHIFT(_s), _k))); \
	__d; })

#define eins_shift_add64(a, b, s, k)	__eins_shift_add(a, b, s, k, 0)
#define eins_shift_add32(a, b, s, k)					\
	((unsigned int)__eins_max(__eins_shift_add(a, b, s, k, EINS_SA_32), \
				  0xffffffffULL))

#define __eins_mul_high(_a, _b, _v) ({					\
	unsigned long long __d, __t, __t2, __t3;			\
	asm(__EINS_SITE "%[d] = %[a]\n\t%[b] = %[t]\n\t%[t2] = %[t3]"	\
	    : [d] "=&r"(__d), [t] "=&r"(__t), [t2] "=&r"(__t2),	\
	      [t3] "=&r"(__t3)						\
	    : [a] "r"((unsigned long long)(_a)),			\
	      [b] "r"((unsigned long long)(_b)), [op] "i"(eins_mul_high),	\
	      [payload] "i"(__EINS_PAYLOAD(6, _v, 0)));			\
	__d; })

#define eins_mulhu64(a, b)	__eins_mul_high(a, b, 0)
#define eins_mulhs64(a, b)	((long long)__eins_mul_high(a, b, EINS_MULH_SIGNED))

#endif /* __EINS_H */
