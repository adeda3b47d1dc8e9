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

#endif /* _EINS_ABI_H */
