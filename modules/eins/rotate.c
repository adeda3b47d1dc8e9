// SPDX-License-Identifier: GPL-2.0
/*
 * rotate: dst = rotl(src, n) / rotr(src, n), 32 or 64 bits, n immediate or
 * in a register (taken modulo the width).  Operands and payload: see
 * eins_abi.h.
 *
 * Proof sequence: two shifts and an or (BPF shifts by a register already
 * take the count modulo the width, and x >> (-n % w) | x << n is a rotate
 * for every n, including 0).
 * x86-64: ROL/ROR, or RORX (BMI2) when dst and src differ.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include "eins.h"

enum { ROT_DST, ROT_SRC, ROT_IMM_TMP, ROT_CNT = 2, ROT_TMP, ROT_TMP2 };

static bool rot_is64(const struct bpf_kinsn_site *site)
{
	return !(site->variant & EINS_ROT_32);
}

static int rot_width(const struct bpf_kinsn_site *site)
{
	return rot_is64(site) ? 64 : 32;
}

/* The immediate count as a left rotate. */
static int rot_left_count(const struct bpf_kinsn_site *site)
{
	return site->variant & EINS_ROT_RIGHT ? rot_width(site) - site->imm :
						site->imm;
}

static const char *rotate_validate(struct bpf_kinsn_site *site)
{
	bool reg = site->variant & EINS_ROT_REG;

	if (site->variant & ~EINS_ROT_VARIANTS)
		return "unknown rotate variant";
	if (site->nr_regs != (reg ? 5 : 3))
		return "rotate needs 3 operands (5 with a count register)";
	if (reg && site->imm)
		return "rotate by register has a nonzero immediate";
	if (!reg && (site->imm < 1 || site->imm >= rot_width(site)))
		return "rotate count out of range";
	if (!eins_regs_distinct(site, reg ? ROT_TMP : ROT_IMM_TMP))
		return "rotate scratch registers must be distinct from the other operands";

	site->def_regs = BIT(site->regs[ROT_DST]);
	site->clobber_regs = BIT(site->regs[reg ? ROT_TMP : ROT_IMM_TMP]);
	if (reg)
		site->clobber_regs |= BIT(site->regs[ROT_TMP2]);
	return eins_site_done(site);
}

static int rotate_gen_proof(const struct bpf_kinsn_site *site,
			    struct bpf_insn *insn)
{
	u8 class = rot_is64(site) ? BPF_ALU64 : BPF_ALU;
	u8 dst = site->regs[ROT_DST], src = site->regs[ROT_SRC];
	bool right = site->variant & EINS_ROT_RIGHT;
	u8 first = right ? BPF_RSH : BPF_LSH;
	u8 second = right ? BPF_LSH : BPF_RSH;
	struct bpf_insn *start = insn;
	u8 cnt, tmp, tmp2;
	int n;

	if (!(site->variant & EINS_ROT_REG)) {
		/* tmp = src >> (w - n); dst = src << n; dst |= tmp */
		n = rot_left_count(site);
		tmp = site->regs[ROT_IMM_TMP];
		*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, tmp, src, 0, 0);
		*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, tmp, 0, 0,
				       rot_width(site) - n);
		if (dst != src)
			*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, dst, src, 0, 0);
		*insn++ = BPF_RAW_INSN(class | BPF_LSH | BPF_K, dst, 0, 0, n);
		*insn++ = BPF_RAW_INSN(class | BPF_OR | BPF_X, dst, tmp, 0, 0);
		return insn - start;
	}

	/* tmp = src << cnt; tmp2 = -cnt; dst = src >> tmp2; dst |= tmp */
	cnt = site->regs[ROT_CNT];
	tmp = site->regs[ROT_TMP];
	tmp2 = site->regs[ROT_TMP2];
	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, tmp, src, 0, 0);
	*insn++ = BPF_RAW_INSN(class | first | BPF_X, tmp, cnt, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_K, tmp2, 0, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_SUB | BPF_X, tmp2, cnt, 0, 0);
	if (dst != src)
		*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, dst, src, 0, 0);
	*insn++ = BPF_RAW_INSN(class | second | BPF_X, dst, tmp2, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_OR | BPF_X, dst, tmp, 0, 0);
	return insn - start;
}

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include "x86.h"

/*
 * Rotate by a register count: x86 takes the count in cl.  Use rcx directly
 * when it holds the count or is one of the op's scratch registers;
 * otherwise rotate in r11 with rcx saved in r10.  @ext selects the
 * group-2 op (/0 rol, /1 ror).
 */
static u8 *rotate_x86_by_reg(u8 *p, bool w, u8 ext, const u8 *hw)
{
	u8 dst = hw[ROT_DST], src = hw[ROT_SRC], cnt = hw[ROT_CNT];
	bool rcx_free = hw[ROT_TMP] == X86_RCX || hw[ROT_TMP2] == X86_RCX;

	if ((cnt == X86_RCX && dst != X86_RCX) || rcx_free) {
		if (cnt != X86_RCX)
			p = x86_mov(p, false, X86_RCX, cnt);
		/* the 32-bit mov also zero-extends when the count is 0 */
		if (dst != src || !w)
			p = x86_mov(p, w, dst, src);
		return x86_shift_cl(p, w, ext, dst);
	}

	if (cnt != X86_RCX)
		p = x86_mov(p, true, X86_R10, X86_RCX);
	p = x86_mov(p, w, X86_R11, src);
	if (cnt != X86_RCX)
		p = x86_mov(p, false, X86_RCX, cnt);
	p = x86_shift_cl(p, w, ext, X86_R11);
	if (cnt != X86_RCX)
		p = x86_mov(p, true, X86_RCX, X86_R10);
	return x86_mov(p, true, dst, X86_R11);
}

static int rotate_emit_x86(u8 *buf, const struct bpf_kinsn_site *site,
			   const u8 *hw)
{
	u8 dst = hw[ROT_DST], src = hw[ROT_SRC];
	bool w = rot_is64(site);
	int n;
	u8 *p = buf;

	if (site->variant & EINS_ROT_REG) {
		p = rotate_x86_by_reg(p, w, site->variant & EINS_ROT_RIGHT ?
				      X86_ROR : X86_ROL, hw);
		return p - buf;
	}

	n = rot_left_count(site);
	if (dst != src && boot_cpu_has(X86_FEATURE_BMI2)) {
		p = x86_rorx(p, w, dst, src, rot_width(site) - n);
	} else {
		if (dst != src)
			p = x86_mov(p, w, dst, src);
		p = x86_shift_imm(p, w, X86_ROL, dst, n);
	}
	return p - buf;
}
#endif

#ifdef CONFIG_ARM64
#include "a64.h"

static int rotate_emit_arm64(u32 *code, const struct bpf_kinsn_site *site,
			     const u8 *hw)
{
	u8 dst = hw[ROT_DST], src = hw[ROT_SRC];
	bool sf = rot_is64(site);

	if (!(site->variant & EINS_ROT_REG)) {
		/* ror dst, src, #(w - left count) */
		code[0] = a64_extr(sf, dst, src, src,
				   rot_width(site) - rot_left_count(site));
		return 1;
	}
	if (site->variant & EINS_ROT_RIGHT) {
		code[0] = a64_rrr(A64_RORV, sf, dst, src, hw[ROT_CNT], 0);
		return 1;
	}
	/* a left rotate is a right rotate by the negated count */
	code[0] = a64_rrr(A64_SUB_SR, sf, A64_TMP, A64_XZR, hw[ROT_CNT], 0);
	code[1] = a64_rrr(A64_RORV, sf, dst, src, A64_TMP, 0);
	return 2;
}
#endif

const struct bpf_kinsn eins_rotate_op = {
	.name		= "eins_rotate",
	.owner		= THIS_MODULE,
	.max_insn_cnt	= 7,
	.max_emit_bytes	= 18,
	.validate	= rotate_validate,
	.gen_proof	= rotate_gen_proof,
#ifdef CONFIG_X86_64
	.emit_x86	= rotate_emit_x86,
#endif
#ifdef CONFIG_ARM64
	.emit_arm64	= rotate_emit_arm64,
#endif
};
