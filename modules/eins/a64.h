/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal A64 encoders for the EInsn emits.  The arm64 JIT's own encoders
 * (aarch64_insn_gen_*) are not exported to modules, so the few insns the
 * emits need are encoded here, one helper per insn form; each returns the
 * 32-bit insn word.  Registers are A64 numbers as the JIT hands them to an
 * emit; 31 is xzr/wzr in these forms.  @sf selects the 64-bit form.
 */
#ifndef _EINS_A64_H
#define _EINS_A64_H

#include <linux/types.h>

#define A64_XZR		31
#define A64_TMP		10	/* JIT scratch x10 */
#define A64_TMP2	11	/* JIT scratch x11 */

/* Condition codes */
#define A64_EQ		0x0
#define A64_NE		0x1
#define A64_HS		0x2
#define A64_LO		0x3
#define A64_HI		0x8
#define A64_LS		0x9
#define A64_GE		0xa
#define A64_LT		0xb
#define A64_GT		0xc
#define A64_LE		0xd

static inline u32 a64_sf(bool sf)
{
	return sf ? 0x80000000u : 0;
}

/* <op> Rd, Rn, Rm (data-processing, register; shifted-register forms with
 * LSL #@shift)
 */
static inline u32 a64_rrr(u32 base, bool sf, u8 rd, u8 rn, u8 rm, u8 shift)
{
	return base | a64_sf(sf) | (u32)rm << 16 | (u32)shift << 10 |
	       (u32)rn << 5 | rd;
}

#define A64_ADD_SR	0x0b000000u	/* add (shifted register) */
#define A64_SUB_SR	0x4b000000u	/* sub (shifted register) */
#define A64_SUBS_SR	0x6b000000u	/* subs: cmp with rd = xzr */
#define A64_ANDS_SR	0x6a000000u	/* ands: tst with rd = xzr */
#define A64_RORV	0x1ac02c00u
#define A64_UMULH	0x9bc07c00u	/* 64-bit only */
#define A64_SMULH	0x9b407c00u	/* 64-bit only */

/* extr rd, rn, rm, #lsb (ror rd, rn, #lsb when rn == rm) */
static inline u32 a64_extr(bool sf, u8 rd, u8 rn, u8 rm, u8 lsb)
{
	return (sf ? 0x93c00000u : 0x13800000u) | (u32)rm << 16 |
	       (u32)lsb << 10 | (u32)rn << 5 | rd;
}

/* ubfm rd, rn, #immr, #imms (ubfx rd, rn, #lsb, #len: immr = lsb,
 * imms = lsb + len - 1)
 */
static inline u32 a64_ubfm(bool sf, u8 rd, u8 rn, u8 immr, u8 imms)
{
	return (sf ? 0xd3400000u : 0x53000000u) | (u32)immr << 16 |
	       (u32)imms << 10 | (u32)rn << 5 | rd;
}

/* csel rd, rn, rm, cond: rd = cond ? rn : rm (64-bit) */
static inline u32 a64_csel(u8 rd, u8 rn, u8 rm, u8 cond)
{
	return 0x9a800000u | (u32)rm << 16 | (u32)cond << 12 | (u32)rn << 5 |
	       rd;
}

/* One-source data processing: rbit, rev16, rev (32 and 64), clz, cnt */
#define A64_RBIT	0x5ac00000u
#define A64_REV16	0x5ac00400u
#define A64_REV32	0x5ac00800u	/* rev wd; in the 64-bit form rev32 */
#define A64_REV64	0xdac00c00u
#define A64_CLZ		0x5ac01000u
#define A64_CNT		0x5ac01c00u	/* FEAT_CSSC */

static inline u32 a64_rr(u32 base, bool sf, u8 rd, u8 rn)
{
	return base | a64_sf(sf) | (u32)rn << 5 | rd;
}

/* movz / movn / movk rd, #imm16, lsl #(16 * hw) */
#define A64_MOVN	0x12800000u
#define A64_MOVZ	0x52800000u
#define A64_MOVK	0x72800000u

static inline u32 a64_mov16(u32 base, bool sf, u8 rd, u16 imm, u8 hw)
{
	return base | a64_sf(sf) | (u32)hw << 21 | (u32)imm << 5 | rd;
}

/* rd = (s64)imm, or (u32)imm with !sf; returns the number of insns */
static inline int a64_mov_imm32(u32 *code, bool sf, u8 rd, s32 imm)
{
	u16 lo = imm & 0xffff, hi = (u32)imm >> 16;
	int n = 0;

	if (imm < 0 && sf) {
		code[n++] = a64_mov16(A64_MOVN, sf, rd, ~lo, 0);
		if (hi != 0xffff)
			code[n++] = a64_mov16(A64_MOVK, sf, rd, hi, 1);
		return n;
	}
	code[n++] = a64_mov16(A64_MOVZ, sf, rd, lo, 0);
	if (hi)
		code[n++] = a64_mov16(A64_MOVK, sf, rd, hi, 1);
	return n;
}

/* add / sub rd, rn, #imm12 (optionally lsl 12); cmp with rd = xzr, subs */
#define A64_ADD_I	0x11000000u
#define A64_SUBS_I	0x71000000u
#define A64_ADDS_I	0x31000000u

static inline u32 a64_ri(u32 base, bool sf, u8 rd, u8 rn, u16 imm12)
{
	return base | a64_sf(sf) | (u32)imm12 << 10 | (u32)rn << 5 | rd;
}

/* Loads and stores: size 1 = 16, 2 = 32, 3 = 64 bits */
static inline u32 a64_ldst_size(int bits)
{
	return (bits == 16 ? 1u : bits == 32 ? 2u : 3u) << 30;
}

/* ldur / stur rt, [rn, #simm9] */
static inline u32 a64_ldst_unscaled(bool load, int bits, u8 rt, u8 rn,
				    s16 off)
{
	return 0x38000000u | a64_ldst_size(bits) | (load ? 0x400000u : 0) |
	       ((u32)off & 0x1ff) << 12 | (u32)rn << 5 | rt;
}

/* ldr / str rt, [rn, rm] */
static inline u32 a64_ldst_reg(bool load, int bits, u8 rt, u8 rn, u8 rm)
{
	return 0x38206800u | a64_ldst_size(bits) | (load ? 0x400000u : 0) |
	       (u32)rm << 16 | (u32)rn << 5 | rt;
}

/* A load or store at [rn + off]: one insn, or two with off in x10. */
static inline int a64_ldst(u32 *code, bool load, int bits, u8 rt, u8 rn,
			   s16 off)
{
	int n;

	if (off >= -256 && off <= 255) {
		code[0] = a64_ldst_unscaled(load, bits, rt, rn, off);
		return 1;
	}
	n = a64_mov_imm32(code, true, A64_TMP, off);
	code[n] = a64_ldst_reg(load, bits, rt, rn, A64_TMP);
	return n + 1;
}

#endif /* _EINS_A64_H */
