// SPDX-License-Identifier: GPL-2.0
/*
 * mul_high: dst = the high 64 bits of the 128-bit product a * b, unsigned
 * or signed.  Operands and payload: see eins_abi.h.
 *
 * Proof sequence (27 insns unsigned, 35 signed), exact for all inputs,
 * from 32-bit halves: with p0 = lo(a)*lo(b), p1 = lo(a)*hi(b),
 * p2 = hi(a)*lo(b), p3 = hi(a)*hi(b),
 *	mid = hi32(p0) + lo32(p1) + lo32(p2)	(< 3 * 2^32, no overflow)
 *	high = p3 + hi32(p1) + hi32(p2) + hi32(mid)
 * and for the signed product high -= (a < 0 ? b : 0) + (b < 0 ? a : 0).
 * dst is written last but used as scratch, so it must differ from a and b.
 * x86-64: MULX (BMI2) for the unsigned product, with rdx (BPF r3) saved in
 * r10 when neither operand is already there; otherwise one-operand
 * MUL/IMUL with rax and rdx (BPF r0, r3) saved in r10/r11.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include "eins.h"

enum { MULH_DST, MULH_A, MULH_B, MULH_T1, MULH_T2, MULH_T3 };

static const char *mul_high_validate(struct bpf_kinsn_site *site)
{
	u8 *r = site->regs;

	if (site->variant & ~EINS_MULH_VARIANTS)
		return "unknown mul_high variant";
	if (site->nr_regs != 6)
		return "mul_high needs 6 operands";
	if (site->imm)
		return "mul_high has a nonzero immediate";
	if (r[MULH_DST] == r[MULH_A] || r[MULH_DST] == r[MULH_B])
		return "mul_high destination must differ from its sources";
	if (!eins_regs_distinct(site, MULH_T1))
		return "mul_high scratch registers must be distinct from the other operands";

	site->def_regs = BIT(r[MULH_DST]);
	site->clobber_regs = BIT(r[MULH_T1]) | BIT(r[MULH_T2]) | BIT(r[MULH_T3]);
	return eins_site_done(site);
}

static int mul_high_gen_proof(const struct bpf_kinsn_site *site,
			      struct bpf_insn *insn)
{
	const u8 *r = site->regs;
	u8 d = r[MULH_DST], a = r[MULH_A], b = r[MULH_B];
	u8 t1 = r[MULH_T1], t2 = r[MULH_T2], t3 = r[MULH_T3];
	struct bpf_insn *start = insn;

	/* t1 = mid = hi32(p0) */
	*insn++ = BPF_MOV32_REG(t1, a);
	*insn++ = BPF_MOV32_REG(t2, b);
	*insn++ = BPF_ALU64_REG(BPF_MUL, t1, t2);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, t1, 32);
	/* t2 = p1; mid += lo32(p1); t2 = high so far = hi32(p1) */
	*insn++ = BPF_MOV32_REG(t2, a);
	*insn++ = BPF_MOV64_REG(t3, b);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, t3, 32);
	*insn++ = BPF_ALU64_REG(BPF_MUL, t2, t3);
	*insn++ = BPF_MOV32_REG(t3, t2);
	*insn++ = BPF_ALU64_REG(BPF_ADD, t1, t3);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, t2, 32);
	/* d = p2; mid += lo32(p2); high += hi32(p2) */
	*insn++ = BPF_MOV64_REG(d, a);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, d, 32);
	*insn++ = BPF_MOV32_REG(t3, b);
	*insn++ = BPF_ALU64_REG(BPF_MUL, d, t3);
	*insn++ = BPF_MOV32_REG(t3, d);
	*insn++ = BPF_ALU64_REG(BPF_ADD, t1, t3);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, d, 32);
	*insn++ = BPF_ALU64_REG(BPF_ADD, t2, d);
	/* d = p3 + high + hi32(mid) */
	*insn++ = BPF_MOV64_REG(d, a);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, d, 32);
	*insn++ = BPF_MOV64_REG(t3, b);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, t3, 32);
	*insn++ = BPF_ALU64_REG(BPF_MUL, d, t3);
	*insn++ = BPF_ALU64_REG(BPF_ADD, d, t2);
	*insn++ = BPF_ALU64_IMM(BPF_RSH, t1, 32);
	*insn++ = BPF_ALU64_REG(BPF_ADD, d, t1);
	if (!(site->variant & EINS_MULH_SIGNED))
		return insn - start;

	/* signed: d -= (a >> 63 arith) & b; d -= (b >> 63 arith) & a */
	*insn++ = BPF_MOV64_REG(t1, a);
	*insn++ = BPF_ALU64_IMM(BPF_ARSH, t1, 63);
	*insn++ = BPF_ALU64_REG(BPF_AND, t1, b);
	*insn++ = BPF_ALU64_REG(BPF_SUB, d, t1);
	*insn++ = BPF_MOV64_REG(t1, b);
	*insn++ = BPF_ALU64_IMM(BPF_ARSH, t1, 63);
	*insn++ = BPF_ALU64_REG(BPF_AND, t1, a);
	*insn++ = BPF_ALU64_REG(BPF_SUB, d, t1);
	return insn - start;
}

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include "x86.h"

/* mulx r11, r11, src: r11 = high 64 bits of rdx * src (BMI2) */
static u8 *mulh_x86_mulx(u8 *p, u8 src)
{
	p = x86_vex3(p, X86_VEX_0F38, true, X86_VEX_F2, X86_R11, X86_R11, src);
	*p++ = 0xf6;
	*p++ = x86_modrm_rr(X86_R11, src);
	return p;
}

static int mul_high_emit_x86(u8 *buf, const struct bpf_kinsn_site *site,
			     const u8 *hw)
{
	bool is_signed = site->variant & EINS_MULH_SIGNED;
	u8 d = hw[MULH_DST], a = hw[MULH_A], b = hw[MULH_B];
	u8 *p = buf;

	if (!is_signed && boot_cpu_has(X86_FEATURE_BMI2)) {
		if (a == X86_RDX || b == X86_RDX) {
			p = mulh_x86_mulx(p, a == X86_RDX ? b : a);
		} else {
			p = x86_mov(p, true, X86_R10, X86_RDX);
			p = x86_mov(p, true, X86_RDX, a);
			p = mulh_x86_mulx(p, b);
			p = x86_mov(p, true, X86_RDX, X86_R10);
		}
		return x86_mov(p, true, d, X86_R11) - buf;
	}

	/* rdx:rax = rax * src; rax and rdx are saved in r10 and r11 */
	p = x86_mov(p, true, X86_R10, X86_RAX);
	p = x86_mov(p, true, X86_R11, X86_RDX);
	if (a != X86_RAX)
		p = x86_mov(p, true, X86_RAX, a);
	/* b == rax was overwritten by a, its value is in r10 */
	p = x86_op_rr(p, true, 0xf7, is_signed ? 5 : 4,
		      b == X86_RAX ? X86_R10 : b);
	p = x86_mov(p, true, X86_RAX, X86_R10);
	if (d != X86_RDX) {
		p = x86_mov(p, true, d, X86_RDX);
		p = x86_mov(p, true, X86_RDX, X86_R11);
	}
	return p - buf;
}
#endif

#ifdef CONFIG_ARM64
#include "a64.h"

static int mul_high_emit_arm64(u32 *code, const struct bpf_kinsn_site *site,
			       const u8 *hw)
{
	bool is_signed = site->variant & EINS_MULH_SIGNED;

	code[0] = a64_rrr(is_signed ? A64_SMULH : A64_UMULH, true,
			  hw[MULH_DST], hw[MULH_A], hw[MULH_B], 0);
	return 1;
}
#endif

const struct bpf_kinsn eins_mul_high_op = {
	.name		= "eins_mul_high",
	.owner		= THIS_MODULE,
	.max_insn_cnt	= 35,
	.max_emit_bytes	= 24,
	.validate	= mul_high_validate,
	.gen_proof	= mul_high_gen_proof,
#ifdef CONFIG_X86_64
	.emit_x86	= mul_high_emit_x86,
#endif
#ifdef CONFIG_ARM64
	.emit_arm64	= mul_high_emit_arm64,
#endif
};
