/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal x86-64 encoders for the EInsn emits.  Registers are hardware
 * numbers 0-15 (rax=0 ... r15=15), as the JIT hands them to an emit.
 * Each helper appends to the byte cursor and returns the new cursor.
 */
#ifndef _EINS_X86_H
#define _EINS_X86_H

#include <linux/types.h>

#define X86_RAX		0
#define X86_RCX		1
#define X86_RDX		2
#define X86_R10		10	/* JIT scratch */
#define X86_R11		11	/* JIT scratch */

/* Condition codes, the low nibble of Jcc / CMOVcc / SETcc. */
#define X86_CC_B	0x2
#define X86_CC_AE	0x3
#define X86_CC_E	0x4
#define X86_CC_NE	0x5
#define X86_CC_BE	0x6
#define X86_CC_A	0x7
#define X86_CC_L	0xc
#define X86_CC_GE	0xd
#define X86_CC_LE	0xe
#define X86_CC_G	0xf

static inline u8 x86_modrm_rr(u8 reg, u8 rm)
{
	return 0xc0 | (reg & 7) << 3 | (rm & 7);
}

/* REX prefix, emitted only when the op is 64-bit or names r8-r15. */
static inline u8 *x86_rex(u8 *p, bool w, u8 reg, u8 rm)
{
	u8 rex = 0x40 | (w ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0);

	if (rex != 0x40)
		*p++ = rex;
	return p;
}

/* op r/m(@rm), r(@reg) with a one-byte opcode */
static inline u8 *x86_op_rr(u8 *p, bool w, u8 op, u8 reg, u8 rm)
{
	p = x86_rex(p, w, reg, rm);
	*p++ = op;
	*p++ = x86_modrm_rr(reg, rm);
	return p;
}

/* mov dst, src (the 32-bit form zero-extends) */
static inline u8 *x86_mov(u8 *p, bool w, u8 dst, u8 src)
{
	return x86_op_rr(p, w, 0x89, src, dst);
}

/* Group-2 shifts and rotates: the /digit of each op */
#define X86_ROL		0
#define X86_ROR		1
#define X86_SHL		4
#define X86_SHR		5
#define X86_SAR		7

/* Group-2 op by immediate */
static inline u8 *x86_shift_imm(u8 *p, bool w, u8 ext, u8 rm, u8 imm)
{
	p = x86_op_rr(p, w, 0xc1, ext, rm);
	*p++ = imm;
	return p;
}

/* Group-2 op by cl */
static inline u8 *x86_shift_cl(u8 *p, bool w, u8 ext, u8 rm)
{
	return x86_op_rr(p, w, 0xd3, ext, rm);
}

static inline u8 *x86_imm32(u8 *p, s32 imm)
{
	*p++ = (u8)imm;
	*p++ = (u8)(imm >> 8);
	*p++ = (u8)(imm >> 16);
	*p++ = (u8)(imm >> 24);
	return p;
}

/* ModRM (+SIB) and displacement for [base + off]; never mod 00, so rbp
 * and r13 need no special case, and rsp/r12 get their SIB byte.
 */
static inline u8 *x86_modrm_mem(u8 *p, u8 reg, u8 base, s32 off)
{
	bool disp8 = off == (s8)off;

	*p++ = (disp8 ? 0x40 : 0x80) | (reg & 7) << 3 | (base & 7);
	if ((base & 7) == 4)
		*p++ = 0x24;
	if (disp8)
		*p++ = (u8)off;
	else
		p = x86_imm32(p, off);
	return p;
}

#define X86_VEX_0F	1
#define X86_VEX_0F38	2
#define X86_VEX_0F3A	3
#define X86_VEX_NP	0
#define X86_VEX_66	1
#define X86_VEX_F3	2
#define X86_VEX_F2	3

/* three-byte VEX prefix (L = 0); @vvvv is the extra register operand */
static inline u8 *x86_vex3(u8 *p, u8 map, bool w, u8 pp, u8 vvvv, u8 reg,
			   u8 rm)
{
	*p++ = 0xc4;
	*p++ = (reg & 8 ? 0 : 0x80) | 0x40 | (rm & 8 ? 0 : 0x20) | map;
	*p++ = (w ? 0x80 : 0) | (~vvvv & 0xf) << 3 | pp;
	return p;
}

/* rorx dst, src, imm (BMI2): VEX.LZ.F2.0F3A.W0/W1 F0 /r ib */
static inline u8 *x86_rorx(u8 *p, bool w, u8 dst, u8 src, u8 imm)
{
	p = x86_vex3(p, X86_VEX_0F3A, w, X86_VEX_F2, 0, dst, src);
	*p++ = 0xf0;
	*p++ = x86_modrm_rr(dst, src);
	*p++ = imm;
	return p;
}

/* cmovcc dst, src (64-bit) */
static inline u8 *x86_cmov(u8 *p, u8 cc, u8 dst, u8 src)
{
	p = x86_rex(p, true, dst, src);
	*p++ = 0x0f;
	*p++ = 0x40 | cc;
	*p++ = x86_modrm_rr(dst, src);
	return p;
}

/* cmp a, b (flags of a - b) or test a, b (flags of a & b) */
static inline u8 *x86_cmp_rr(u8 *p, bool w, bool test, u8 a, u8 b)
{
	return x86_op_rr(p, w, test ? 0x85 : 0x39, b, a);
}

/* cmp a, imm or test a, imm; imm sign-extended to the operand size */
static inline u8 *x86_cmp_imm(u8 *p, bool w, bool test, u8 a, s32 imm)
{
	if (!test && imm == (s8)imm) {
		p = x86_op_rr(p, w, 0x83, 7, a);
		*p++ = (u8)imm;
		return p;
	}
	p = x86_op_rr(p, w, test ? 0xf7 : 0x81, test ? 0 : 7, a);
	return x86_imm32(p, imm);
}

#endif /* _EINS_X86_H */
