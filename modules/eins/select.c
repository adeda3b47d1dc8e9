// SPDX-License-Identifier: GPL-2.0
/*
 * select: dst = (a cc b) ? x : y for every BPF conditional jump op, with a
 * 64- or 32-bit compare and b in a register or immediate.  Operands and
 * payload: see eins_abi.h.
 *
 * Proof sequence: the branch the compiler would have written,
 *	if a cc b goto +2; dst = y; goto +1; dst = x
 * x86-64: CMP (TEST for BPF_JSET), then MOV + CMOVcc, or one CMOVcc of the
 * inverse condition when dst already holds x.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include "eins.h"

enum { SEL_DST, SEL_A, SEL_X, SEL_Y, SEL_B };

static u8 sel_cc(const struct bpf_kinsn_site *site)
{
	return site->variant & EINS_SEL_CC_MASK;
}

static bool sel_cc_valid(u8 cc)
{
	switch (cc) {
	case BPF_JEQ: case BPF_JNE: case BPF_JSET:
	case BPF_JGT: case BPF_JGE: case BPF_JLT: case BPF_JLE:
	case BPF_JSGT: case BPF_JSGE: case BPF_JSLT: case BPF_JSLE:
		return true;
	default:
		return false;
	}
}

static const char *select_validate(struct bpf_kinsn_site *site)
{
	bool imm = site->variant & EINS_SEL_IMM;

	if (site->variant & ~EINS_SEL_VARIANTS)
		return "unknown select variant";
	if (!sel_cc_valid(sel_cc(site)))
		return "invalid select condition";
	if (site->nr_regs != (imm ? 4 : 5))
		return "select needs 5 operands (4 with an immediate)";
	if (!imm && site->imm)
		return "select with register b has a nonzero immediate";

	site->def_regs = BIT(site->regs[SEL_DST]);
	site->clobber_regs = 0;
	return eins_site_done(site);
}

static int select_gen_proof(const struct bpf_kinsn_site *site,
			    struct bpf_insn *insn)
{
	u8 class = site->variant & EINS_SEL_32 ? BPF_JMP32 : BPF_JMP;
	u8 dst = site->regs[SEL_DST];

	if (site->variant & EINS_SEL_IMM)
		insn[0] = BPF_RAW_INSN(class | sel_cc(site) | BPF_K,
				       site->regs[SEL_A], 0, 2, site->imm);
	else
		insn[0] = BPF_RAW_INSN(class | sel_cc(site) | BPF_X,
				       site->regs[SEL_A], site->regs[SEL_B], 2, 0);
	insn[1] = BPF_MOV64_REG(dst, site->regs[SEL_Y]);
	insn[2] = BPF_JMP_A(1);
	insn[3] = BPF_MOV64_REG(dst, site->regs[SEL_X]);
	return 4;
}

#ifdef CONFIG_X86_64
#include "x86.h"

static u8 select_x86_cc(u8 cc)
{
	switch (cc) {
	case BPF_JEQ:	return X86_CC_E;
	case BPF_JGT:	return X86_CC_A;
	case BPF_JGE:	return X86_CC_AE;
	case BPF_JLT:	return X86_CC_B;
	case BPF_JLE:	return X86_CC_BE;
	case BPF_JSGT:	return X86_CC_G;
	case BPF_JSGE:	return X86_CC_GE;
	case BPF_JSLT:	return X86_CC_L;
	case BPF_JSLE:	return X86_CC_LE;
	default:	return X86_CC_NE;	/* BPF_JNE, BPF_JSET */
	}
}

static int select_emit_x86(u8 *buf, const struct bpf_kinsn_site *site,
			   const u8 *hw)
{
	bool w = !(site->variant & EINS_SEL_32);
	bool test = sel_cc(site) == BPF_JSET;
	u8 cc = select_x86_cc(sel_cc(site));
	u8 dst = hw[SEL_DST], x = hw[SEL_X], y = hw[SEL_Y];
	u8 *p = buf;

	if (site->variant & EINS_SEL_IMM)
		p = x86_cmp_imm(p, w, test, hw[SEL_A], site->imm);
	else
		p = x86_cmp_rr(p, w, test, hw[SEL_A], hw[SEL_B]);

	/* mov and cmov leave the flags alone */
	if (dst == x)
		return x86_cmov(p, cc ^ 1, dst, y) - buf;
	if (dst != y)
		p = x86_mov(p, true, dst, y);
	return x86_cmov(p, cc, dst, x) - buf;
}
#endif

#ifdef CONFIG_ARM64
#include "a64.h"

static u8 select_a64_cc(u8 cc)
{
	switch (cc) {
	case BPF_JEQ:	return A64_EQ;
	case BPF_JGT:	return A64_HI;
	case BPF_JGE:	return A64_HS;
	case BPF_JLT:	return A64_LO;
	case BPF_JLE:	return A64_LS;
	case BPF_JSGT:	return A64_GT;
	case BPF_JSGE:	return A64_GE;
	case BPF_JSLT:	return A64_LT;
	case BPF_JSLE:	return A64_LE;
	default:	return A64_NE;	/* BPF_JNE, BPF_JSET */
	}
}

static int select_emit_arm64(u32 *code, const struct bpf_kinsn_site *site,
			     const u8 *hw)
{
	bool sf = !(site->variant & EINS_SEL_32);
	bool test = sel_cc(site) == BPF_JSET;
	int n = 0;
	u8 b;

	/* the immediate form has no operand b: compare with the immediate */
	if (!(site->variant & EINS_SEL_IMM)) {
		b = hw[SEL_B];
	} else {
		if (!test && site->imm >= 0 && site->imm < 4096) {
			code[n++] = a64_ri(A64_SUBS_I, sf, A64_XZR, hw[SEL_A],
					   site->imm);
			goto csel;
		}
		n = a64_mov_imm32(code, sf, A64_TMP, site->imm);
		b = A64_TMP;
	}
	code[n++] = a64_rrr(test ? A64_ANDS_SR : A64_SUBS_SR, sf, A64_XZR,
			    hw[SEL_A], b, 0);
csel:
	code[n++] = a64_csel(hw[SEL_DST], hw[SEL_X], hw[SEL_Y],
			     select_a64_cc(sel_cc(site)));
	return n;
}
#endif

const struct bpf_kinsn eins_select_op = {
	.name		= "eins_select",
	.owner		= THIS_MODULE,
	.max_insn_cnt	= 4,
	.max_emit_bytes	= 16,
	.validate	= select_validate,
	.gen_proof	= select_gen_proof,
#ifdef CONFIG_X86_64
	.emit_x86	= select_emit_x86,
#endif
#ifdef CONFIG_ARM64
	.emit_arm64	= select_emit_arm64,
#endif
};
