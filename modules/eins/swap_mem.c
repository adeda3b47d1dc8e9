// SPDX-License-Identifier: GPL-2.0
/*
 * swap_mem: byte-swapping (network byte order) load or store of 16, 32 or
 * 64 bits at base + off.  Operands and payload: see eins_abi.h.
 *
 * Proof sequence: the plain load followed by BPF_END (bswap), or bswap of
 * a copy followed by the plain store.  The verifier checks the access like
 * any other: packet, stack or map value.  Accesses a later pass rewrites
 * (ctx field conversion, PROBE_MEM loads, arena) no longer match the proof
 * sequence, so they keep their bytecode.
 * x86-64: MOVBE when the CPU has it, else MOV + BSWAP; 16-bit loads are
 * MOVZX + ROL 8 either way, since MOVBE r16 leaves bits 16-63 alone.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include "eins.h"

enum { SWAP_DST, SWAP_BASE };			/* load */
enum { SWAP_SBASE, SWAP_SRC, SWAP_TMP };	/* store */

static int swap_bits(const struct bpf_kinsn_site *site)
{
	return 8 << (site->variant & EINS_SWAP_SIZE_MASK);
}

static bool swap_is_store(const struct bpf_kinsn_site *site)
{
	return site->variant & EINS_SWAP_STORE;
}

static u8 swap_bpf_size(const struct bpf_kinsn_site *site)
{
	switch (swap_bits(site)) {
	case 16:	return BPF_H;
	case 32:	return BPF_W;
	default:	return BPF_DW;
	}
}

static const char *swap_mem_validate(struct bpf_kinsn_site *site)
{
	bool store = swap_is_store(site);

	if (site->variant & ~EINS_SWAP_VARIANTS ||
	    !(site->variant & EINS_SWAP_SIZE_MASK))
		return "unknown swap_mem variant";
	if (site->nr_regs != (store ? 3 : 2))
		return "swap_mem needs 2 operands (3 to store)";
	if (site->imm != (s16)site->imm)
		return "swap_mem offset out of range";
	if (store && !eins_regs_distinct(site, SWAP_TMP))
		return "swap_mem scratch register must differ from base and source";

	site->def_regs = store ? 0 : BIT(site->regs[SWAP_DST]);
	site->clobber_regs = store ? BIT(site->regs[SWAP_TMP]) : 0;
	return eins_site_done(site);
}

static int swap_mem_gen_proof(const struct bpf_kinsn_site *site,
			      struct bpf_insn *insn)
{
	u8 size = swap_bpf_size(site);
	s16 off = site->imm;
	u8 tmp;

	if (!swap_is_store(site)) {
		u8 dst = site->regs[SWAP_DST];

		insn[0] = BPF_LDX_MEM(size, dst, site->regs[SWAP_BASE], off);
		insn[1] = BPF_BSWAP(dst, swap_bits(site));
		return 2;
	}
	tmp = site->regs[SWAP_TMP];
	insn[0] = BPF_MOV64_REG(tmp, site->regs[SWAP_SRC]);
	insn[1] = BPF_BSWAP(tmp, swap_bits(site));
	insn[2] = BPF_STX_MEM(size, site->regs[SWAP_SBASE], tmp, off);
	return 3;
}

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include "x86.h"

/* [66] [REX] 0F @op2 [@op3] with a [base + off] operand */
static u8 *swap_x86_mem(u8 *p, int bits, u8 op2, int op3, u8 reg, u8 base,
			s16 off)
{
	if (bits == 16)
		*p++ = 0x66;
	p = x86_rex(p, bits == 64, reg, base);
	*p++ = 0x0f;
	*p++ = op2;
	if (op3 >= 0)
		*p++ = op3;
	return x86_modrm_mem(p, reg, base, off);
}

/* bswap r32/r64 (0F C8+r) */
static u8 *swap_x86_bswap(u8 *p, bool w, u8 reg)
{
	p = x86_rex(p, w, 0, reg);
	*p++ = 0x0f;
	*p++ = 0xc8 + (reg & 7);
	return p;
}

/* rol r16, 8 */
static u8 *swap_x86_rol16(u8 *p, u8 reg)
{
	*p++ = 0x66;
	return x86_shift_imm(p, false, X86_ROL, reg, 8);
}

static int swap_mem_emit_x86(u8 *buf, const struct bpf_kinsn_site *site,
			     const u8 *hw)
{
	bool movbe = boot_cpu_has(X86_FEATURE_MOVBE);
	int bits = swap_bits(site);
	s16 off = site->imm;
	u8 *p = buf, tmp;

	if (!swap_is_store(site)) {
		u8 dst = hw[SWAP_DST], base = hw[SWAP_BASE];

		if (bits == 16) {	/* movzx dst, word [m]; rol dst16, 8 */
			p = x86_rex(p, false, dst, base);
			*p++ = 0x0f;
			*p++ = 0xb7;
			p = x86_modrm_mem(p, dst, base, off);
			return swap_x86_rol16(p, dst) - buf;
		}
		if (movbe)
			return swap_x86_mem(p, bits, 0x38, 0xf0, dst, base, off) - buf;
		p = x86_rex(p, bits == 64, dst, base);
		*p++ = 0x8b;
		p = x86_modrm_mem(p, dst, base, off);
		return swap_x86_bswap(p, bits == 64, dst) - buf;
	}

	if (movbe)
		return swap_x86_mem(p, bits, 0x38, 0xf1, hw[SWAP_SRC],
				    hw[SWAP_SBASE], off) - buf;
	/* swap a copy in the scratch operand, then a plain store of it */
	tmp = hw[SWAP_TMP];
	p = x86_mov(p, bits == 64, tmp, hw[SWAP_SRC]);
	if (bits == 16)
		p = swap_x86_rol16(p, tmp);
	else
		p = swap_x86_bswap(p, bits == 64, tmp);
	if (bits == 16)
		*p++ = 0x66;
	p = x86_rex(p, bits == 64, tmp, hw[SWAP_SBASE]);
	*p++ = 0x89;
	return x86_modrm_mem(p, tmp, hw[SWAP_SBASE], off) - buf;
}
#endif

#ifdef CONFIG_ARM64
#include "a64.h"

/* rev16 / rev (32) / rev (64) rd, rn; the 16- and 32-bit forms write wd */
static u32 swap_a64_rev(int bits, u8 rd, u8 rn)
{
	if (bits == 64)
		return a64_rr(A64_REV64, false, rd, rn);
	return a64_rr(bits == 16 ? A64_REV16 : A64_REV32, false, rd, rn);
}

static int swap_mem_emit_arm64(u32 *code, const struct bpf_kinsn_site *site,
			       const u8 *hw)
{
	int n, bits = swap_bits(site);
	s16 off = site->imm;

	if (!swap_is_store(site)) {
		/* ldrh/ldr zero-extend; rev16 keeps the upper half zero */
		n = a64_ldst(code, true, bits, hw[SWAP_DST], hw[SWAP_BASE], off);
		code[n] = swap_a64_rev(bits, hw[SWAP_DST], hw[SWAP_DST]);
		return n + 1;
	}
	/* swap a copy in x11 (x10 may hold the offset), then store it */
	code[0] = swap_a64_rev(bits, A64_TMP2, hw[SWAP_SRC]);
	return 1 + a64_ldst(code + 1, false, bits, A64_TMP2, hw[SWAP_SBASE], off);
}
#endif

const struct bpf_kinsn eins_swap_mem_op = {
	.name		= "eins_swap_mem",
	.owner		= THIS_MODULE,
	.max_insn_cnt	= 3,
	.max_emit_bytes	= 20,
	.validate	= swap_mem_validate,
	.gen_proof	= swap_mem_gen_proof,
#ifdef CONFIG_X86_64
	.emit_x86	= swap_mem_emit_x86,
#endif
#ifdef CONFIG_ARM64
	.emit_arm64	= swap_mem_emit_arm64,
#endif
};
