/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * EInsn op encodings: what the payload's off ("variant") and imm fields and
 * the operand registers mean for each op.  Shared by the module, the BPF C
 * builtins (tools/eins.h) and the tests.
 */
#ifndef _EINS_ABI_H
#define _EINS_ABI_H

/*
 * rotate: dst = rotl(src, n) or rotr(src, n), n taken modulo the width.
 *   immediate count:  operands dst, src, tmp;  imm = n, 1 <= n < width
 *   register count:   operands dst, src, cnt, tmp, tmp2;  imm = 0
 * tmp and tmp2 are scratch registers the op may clobber; they must differ
 * from each other and from dst, src and cnt.  The 32-bit form rotates the
 * low 32 bits and zero-extends the result like every BPF ALU32 op.
 */
#define EINS_ROT_RIGHT		0x1
#define EINS_ROT_32		0x2
#define EINS_ROT_REG		0x4
#define EINS_ROT_VARIANTS	(EINS_ROT_RIGHT | EINS_ROT_32 | EINS_ROT_REG)

/*
 * select: dst = (a cc b) ? x : y, for every BPF conditional jump op cc
 * (BPF_JEQ ... BPF_JSLE, BPF_JSET), comparing 64 or 32 bits of a and b
 * like BPF_JMP / BPF_JMP32.  x, y and the result are 64-bit.
 *   register b:   operands dst, a, x, y, b
 *   immediate b:  operands dst, a, x, y;  imm = b (sign-extended for a
 *                 64-bit compare, as in BPF_JMP | BPF_K)
 * variant = cc | EINS_SEL_32 (32-bit compare) | EINS_SEL_IMM
 */
#define EINS_SEL_CC_MASK	0x00f0
#define EINS_SEL_32		0x0100
#define EINS_SEL_IMM		0x0200
#define EINS_SEL_VARIANTS	(EINS_SEL_CC_MASK | EINS_SEL_32 | EINS_SEL_IMM)

/*
 * extract: dst = (src >> lsb) & ((1 << len) - 1), unsigned bit-field.
 *   operands dst, src;  imm = lsb | len << 8;  variant = EINS_EXT_32 or 0
 *   1 <= len, lsb + len <= width (32 or 64); the 32-bit form reads the low
 *   32 bits of src and zero-extends.
 */
#define EINS_EXT_32		0x1
#define EINS_EXT_VARIANTS	EINS_EXT_32
#define EINS_EXT_IMM(lsb, len)	((lsb) | (len) << 8)

/*
 * swap_mem: byte-swapping load or store of 16, 32 or 64 bits.
 *   load:   dst = bswap(*(uN *)(base + off));  operands dst, base
 *           (16 and 32 bits zero-extend)
 *   store:  *(uN *)(base + off) = bswap(src);  operands base, src, tmp
 *           (tmp: scratch, distinct from base and src)
 *   imm = off (-32768..32767); variant = size | EINS_SWAP_STORE
 */
#define EINS_SWAP_16		0x1
#define EINS_SWAP_32		0x2
#define EINS_SWAP_64		0x3
#define EINS_SWAP_SIZE_MASK	0x3
#define EINS_SWAP_STORE		0x4
#define EINS_SWAP_VARIANTS	(EINS_SWAP_SIZE_MASK | EINS_SWAP_STORE)

/*
 * bitcount: dst = popcount / count-leading-zeros / count-trailing-zeros of
 * src, 32 or 64 bits; clz and ctz of 0 are the width.
 *   operands dst, src, tmp, tmp2 (scratch, distinct from dst, src and each
 *   other);  imm = 0;  variant = EINS_BC_{POPCNT,CLZ,CTZ} | EINS_BC_32
 */
#define EINS_BC_POPCNT		0x0
#define EINS_BC_CLZ		0x1
#define EINS_BC_CTZ		0x2
#define EINS_BC_OP_MASK		0x3
#define EINS_BC_32		0x4
#define EINS_BC_VARIANTS	(EINS_BC_OP_MASK | EINS_BC_32)

/*
 * shift_add: dst = a + (b << s) + imm, wrapping; the 32-bit form computes
 * in 32 bits and zero-extends.
 *   operands dst, a, b, tmp (scratch, distinct from dst, a, b);
 *   imm = addend (sign-extended);  variant = s << 8 | EINS_SA_32,
 *   0 <= s < width
 */
#define EINS_SA_32		0x1
#define EINS_SA_SHIFT(s)	((s) << 8)
#define EINS_SA_VARIANTS	(EINS_SA_32 | 0x3f00)

/*
 * mul_high: dst = high 64 bits of the 128-bit product a * b, unsigned or
 * (EINS_MULH_SIGNED) signed.
 *   operands dst, a, b, tmp, tmp2, tmp3;  imm = 0
 *   dst and the scratch registers must differ from a, b and each other
 *   (a and b may be the same register)
 */
#define EINS_MULH_SIGNED	0x1
#define EINS_MULH_VARIANTS	EINS_MULH_SIGNED

#endif /* _EINS_ABI_H */
