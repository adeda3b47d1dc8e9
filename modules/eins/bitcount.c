// SPDX-License-Identifier: GPL-2.0
/*
 * bitcount: popcount, count leading zeros, count trailing zeros of a 32-
 * or 64-bit value (clz and ctz of 0 are the width).  Operands and payload:
 * see eins_abi.h.
 *
 * Proof sequences, branch-free:
 *   popcount  SWAR: pairs, nibbles, bytes, then a multiply sums the bytes
 *             (64-bit: 24 insn slots, 8 of them for the four 64-bit
 *             constants; 32-bit: 20)
 *   clz       smear the highest set bit into every lower bit (x |= x >> k
 *             for k = 1, 2, 4, ... width/2), invert, popcount (64-bit: 43,
 *             32-bit: 36)
 *   ctz       popcount((x & -x) - 1) (64-bit: 28, 32-bit: 24)
 * All counts include the move of src into dst.
 * x86-64: POPCNT, LZCNT (ABM), TZCNT (BMI1) when the CPU has them; without
 * the feature the JIT runs the proof sequence.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include "eins.h"

enum { BC_DST, BC_SRC, BC_TMP, BC_TMP2 };

static bool bc_is64(const struct bpf_kinsn_site *site)
{
	return !(site->variant & EINS_BC_32);
}

static int bc_op(const struct bpf_kinsn_site *site)
{
	return site->variant & EINS_BC_OP_MASK;
}

static const char *bitcount_validate(struct bpf_kinsn_site *site)
{
	if (site->variant & ~EINS_BC_VARIANTS || bc_op(site) > EINS_BC_CTZ)
		return "unknown bitcount variant";
	if (site->nr_regs != 4)
		return "bitcount needs 4 operands";
	if (site->imm)
		return "bitcount has a nonzero immediate";
	if (!eins_regs_distinct(site, BC_TMP))
		return "bitcount scratch registers must be distinct from the other operands";

	site->def_regs = BIT(site->regs[BC_DST]);
	site->clobber_regs = BIT(site->regs[BC_TMP]) | BIT(site->regs[BC_TMP2]);
	return eins_site_done(site);
}

/* Load a mask of repeated bytes @byte: one insn for 32 bits, two for 64. */
static struct bpf_insn *bc_const(struct bpf_insn *insn, bool is64, u8 reg,
				 u8 byte)
{
	u32 lo = byte * 0x01010101u;

	if (!is64) {
		*insn++ = BPF_MOV32_IMM(reg, lo);
		return insn;
	}
	*insn++ = (struct bpf_insn) {
		.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = reg, .imm = lo,
	};
	*insn++ = (struct bpf_insn) { .imm = lo };
	return insn;
}

/* dst = popcount(dst) with scratch t and m */
static struct bpf_insn *bc_popcount(struct bpf_insn *insn, bool is64, u8 dst,
				    u8 t, u8 m)
{
	u8 class = is64 ? BPF_ALU64 : BPF_ALU;

	/* dst -= (dst >> 1) & 0x55..: bit pairs */
	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, t, dst, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, t, 0, 0, 1);
	insn = bc_const(insn, is64, m, 0x55);
	*insn++ = BPF_RAW_INSN(class | BPF_AND | BPF_X, t, m, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_SUB | BPF_X, dst, t, 0, 0);
	/* dst = (dst & 0x33..) + ((dst >> 2) & 0x33..): nibbles */
	insn = bc_const(insn, is64, m, 0x33);
	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, t, dst, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, t, 0, 0, 2);
	*insn++ = BPF_RAW_INSN(class | BPF_AND | BPF_X, t, m, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_AND | BPF_X, dst, m, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_ADD | BPF_X, dst, t, 0, 0);
	/* dst = (dst + (dst >> 4)) & 0x0f..: bytes */
	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, t, dst, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, t, 0, 0, 4);
	*insn++ = BPF_RAW_INSN(class | BPF_ADD | BPF_X, dst, t, 0, 0);
	insn = bc_const(insn, is64, m, 0x0f);
	*insn++ = BPF_RAW_INSN(class | BPF_AND | BPF_X, dst, m, 0, 0);
	/* the top byte of dst * 0x01.. is the sum of all bytes */
	insn = bc_const(insn, is64, m, 0x01);
	*insn++ = BPF_RAW_INSN(class | BPF_MUL | BPF_X, dst, m, 0, 0);
	*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, dst, 0, 0,
			       is64 ? 56 : 24);
	return insn;
}

static int bitcount_gen_proof(const struct bpf_kinsn_site *site,
			      struct bpf_insn *insn)
{
	u8 dst = site->regs[BC_DST], t = site->regs[BC_TMP];
	u8 m = site->regs[BC_TMP2];
	bool is64 = bc_is64(site);
	u8 class = is64 ? BPF_ALU64 : BPF_ALU;
	struct bpf_insn *start = insn;
	int k;

	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, dst,
			       site->regs[BC_SRC], 0, 0);
	switch (bc_op(site)) {
	case EINS_BC_CLZ:
		/* every bit below the highest set one becomes set */
		for (k = 1; k < (is64 ? 64 : 32); k <<= 1) {
			*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, t, dst, 0, 0);
			*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, t, 0, 0, k);
			*insn++ = BPF_RAW_INSN(class | BPF_OR | BPF_X, dst, t, 0, 0);
		}
		*insn++ = BPF_RAW_INSN(class | BPF_XOR | BPF_K, dst, 0, 0, -1);
		break;
	case EINS_BC_CTZ:
		/* the bits below the lowest set one (all of them for 0) */
		*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, t, dst, 0, 0);
		*insn++ = BPF_RAW_INSN(class | BPF_NEG | BPF_K, t, 0, 0, 0);
		*insn++ = BPF_RAW_INSN(class | BPF_AND | BPF_X, dst, t, 0, 0);
		*insn++ = BPF_RAW_INSN(class | BPF_ADD | BPF_K, dst, 0, 0, -1);
		break;
	}
	insn = bc_popcount(insn, is64, dst, t, m);
	return insn - start;
}

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include "x86.h"

static int bitcount_emit_x86(u8 *buf, const struct bpf_kinsn_site *site,
			     const u8 *hw)
{
	static const u8 opcode[] = {
		[EINS_BC_POPCNT] = 0xb8, [EINS_BC_CLZ] = 0xbd,
		[EINS_BC_CTZ] = 0xbc,
	};
	static const u16 feature[] = {
		[EINS_BC_POPCNT] = X86_FEATURE_POPCNT,
		[EINS_BC_CLZ] = X86_FEATURE_ABM,
		[EINS_BC_CTZ] = X86_FEATURE_BMI1,
	};
	u8 dst = hw[BC_DST], src = hw[BC_SRC];
	u8 *p = buf;

	if (!boot_cpu_has(feature[bc_op(site)]))
		return 0;
	/* F3 [REX] 0F op /r; the 32-bit forms zero-extend */
	*p++ = 0xf3;
	p = x86_rex(p, bc_is64(site), dst, src);
	*p++ = 0x0f;
	*p++ = opcode[bc_op(site)];
	*p++ = x86_modrm_rr(dst, src);
	return p - buf;
}
#endif

#ifdef CONFIG_ARM64
#include <asm/cpufeature.h>
#include "a64.h"

static int bitcount_emit_arm64(u32 *code, const struct bpf_kinsn_site *site,
			       const u8 *hw)
{
	u8 dst = hw[BC_DST], src = hw[BC_SRC];
	bool sf = bc_is64(site);

	switch (bc_op(site)) {
	case EINS_BC_CLZ:
		code[0] = a64_rr(A64_CLZ, sf, dst, src);
		return 1;
	case EINS_BC_CTZ:
		code[0] = a64_rr(A64_RBIT, sf, A64_TMP, src);
		code[1] = a64_rr(A64_CLZ, sf, dst, A64_TMP);
		return 2;
	default:
		/* a scalar popcount only comes with FEAT_CSSC */
		if (!cpu_have_named_feature(CSSC))
			return 0;
		code[0] = a64_rr(A64_CNT, sf, dst, src);
		return 1;
	}
}
#endif

const struct bpf_kinsn eins_bitcount_op = {
	.name		= "eins_bitcount",
	.owner		= THIS_MODULE,
	.max_insn_cnt	= 43,
	.max_emit_bytes	= 8,
	.validate	= bitcount_validate,
	.gen_proof	= bitcount_gen_proof,
#ifdef CONFIG_X86_64
	.emit_x86	= bitcount_emit_x86,
#endif
#ifdef CONFIG_ARM64
	.emit_arm64	= bitcount_emit_arm64,
#endif
};
