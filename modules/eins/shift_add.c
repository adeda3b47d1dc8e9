// SPDX-License-Identifier: GPL-2.0
/*
 * shift_add: dst = a + (b << s) + imm, 64 bits, or 32 bits zero-extended.
 * Operands and payload: see eins_abi.h.
 *
 * Proof sequence, at most 5 insns: tmp = b; tmp <<= s; tmp += a;
 * tmp += imm; dst = tmp (the shift and the add of imm only when nonzero).
 * x86-64: one LEA dst, [a + b * 2^s + imm] for s <= 3; for larger shifts
 * MOV + SHL into the scratch operand and LEA dst, [a + tmp + imm].
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include "eins.h"

enum { SA_DST, SA_A, SA_B, SA_TMP };

static bool sa_is64(const struct bpf_kinsn_site *site)
{
	return !(site->variant & EINS_SA_32);
}

static int sa_shift(const struct bpf_kinsn_site *site)
{
	return site->variant >> 8 & 0x3f;
}

static const char *shift_add_validate(struct bpf_kinsn_site *site)
{
	if (site->variant & ~EINS_SA_VARIANTS)
		return "unknown shift_add variant";
	if (site->nr_regs != 4)
		return "shift_add needs 4 operands";
	if (sa_shift(site) >= (sa_is64(site) ? 64 : 32))
		return "shift_add shift out of range";
	if (!eins_regs_distinct(site, SA_TMP))
		return "shift_add scratch register must differ from the other operands";

	site->def_regs = BIT(site->regs[SA_DST]);
	site->clobber_regs = BIT(site->regs[SA_TMP]);
	return eins_site_done(site);
}

static int shift_add_gen_proof(const struct bpf_kinsn_site *site,
			       struct bpf_insn *insn)
{
	u8 class = sa_is64(site) ? BPF_ALU64 : BPF_ALU;
	u8 tmp = site->regs[SA_TMP];
	struct bpf_insn *start = insn;

	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, tmp, site->regs[SA_B], 0, 0);
	if (sa_shift(site))
		*insn++ = BPF_RAW_INSN(class | BPF_LSH | BPF_K, tmp, 0, 0,
				       sa_shift(site));
	*insn++ = BPF_RAW_INSN(class | BPF_ADD | BPF_X, tmp, site->regs[SA_A], 0, 0);
	if (site->imm)
		*insn++ = BPF_RAW_INSN(class | BPF_ADD | BPF_K, tmp, 0, 0, site->imm);
	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, site->regs[SA_DST], tmp, 0, 0);
	return insn - start;
}

#ifdef CONFIG_X86_64
#include "x86.h"

/* lea dst, [base + index * 2^scale + imm] */
static u8 *sa_x86_lea(u8 *p, bool w, u8 dst, u8 base, u8 index, int scale,
		      s32 imm)
{
	/* mod 00 has no displacement, but means none-or-RIP for rbp/r13 */
	bool disp0 = !imm && (base & 7) != 5;
	bool disp8 = imm == (s8)imm;
	u8 rex = 0x40 | (w ? 8 : 0) | (dst & 8 ? 4 : 0) | (index & 8 ? 2 : 0) |
		 (base & 8 ? 1 : 0);

	if (rex != 0x40)
		*p++ = rex;
	*p++ = 0x8d;
	*p++ = (disp0 ? 0 : disp8 ? 0x40 : 0x80) | (dst & 7) << 3 | 4;
	*p++ = scale << 6 | (index & 7) << 3 | (base & 7);
	if (disp0)
		return p;
	if (disp8) {
		*p++ = (u8)imm;
		return p;
	}
	return x86_imm32(p, imm);
}

static int shift_add_emit_x86(u8 *buf, const struct bpf_kinsn_site *site,
			      const u8 *hw)
{
	bool w = sa_is64(site);
	int s = sa_shift(site);
	u8 *p = buf;

	if (s <= 3)
		return sa_x86_lea(p, w, hw[SA_DST], hw[SA_A], hw[SA_B], s,
				  site->imm) - buf;
	/* the scratch operand is the op's to clobber */
	p = x86_mov(p, w, hw[SA_TMP], hw[SA_B]);
	p = x86_shift_imm(p, w, X86_SHL, hw[SA_TMP], s);
	return sa_x86_lea(p, w, hw[SA_DST], hw[SA_A], hw[SA_TMP], 0,
			  site->imm) - buf;
}
#endif

#ifdef CONFIG_ARM64
#include "a64.h"

static int shift_add_emit_arm64(u32 *code, const struct bpf_kinsn_site *site,
				const u8 *hw)
{
	bool sf = sa_is64(site);
	u8 dst = hw[SA_DST];
	int n = 0;

	/* add dst, a, b, lsl #s */
	code[n++] = a64_rrr(A64_ADD_SR, sf, dst, hw[SA_A], hw[SA_B],
			    sa_shift(site));
	if (site->imm > 0 && site->imm < 4096) {
		code[n++] = a64_ri(A64_ADD_I, sf, dst, dst, site->imm);
	} else if (site->imm) {
		n += a64_mov_imm32(code + n, sf, A64_TMP, site->imm);
		code[n++] = a64_rrr(A64_ADD_SR, sf, dst, dst, A64_TMP, 0);
	}
	return n;
}
#endif

const struct bpf_kinsn eins_shift_add_op = {
	.name		= "eins_shift_add",
	.owner		= THIS_MODULE,
	.max_insn_cnt	= 5,
	.max_emit_bytes	= 16,
	.validate	= shift_add_validate,
	.gen_proof	= shift_add_gen_proof,
#ifdef CONFIG_X86_64
	.emit_x86	= shift_add_emit_x86,
#endif
#ifdef CONFIG_ARM64
	.emit_arm64	= shift_add_emit_arm64,
#endif
};
