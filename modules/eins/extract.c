// SPDX-License-Identifier: GPL-2.0
/*
 * extract: dst = (src >> lsb) & mask(len), an unsigned bit-field of a 32-
 * or 64-bit value.  Operands and payload: see eins_abi.h.
 *
 * Proof sequence, at most 3 insns: a move and either a right shift and a
 * mask (when the mask fits a positive immediate), or a left shift that
 * drops the bits above the field and a right shift that drops those below.
 * x86-64: BEXTR (BMI1) with the control word in r11; without BMI1 the same
 * shifts and mask as the proof sequence.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include "eins.h"

enum { EXT_DST, EXT_SRC };

struct ext_field {
	bool is64;
	int width, lsb, len;
};

static struct ext_field ext_field(const struct bpf_kinsn_site *site)
{
	struct ext_field f = {
		.is64 = !(site->variant & EINS_EXT_32),
		.lsb = site->imm & 0xff,
		.len = (site->imm >> 8) & 0xff,
	};

	f.width = f.is64 ? 64 : 32;
	return f;
}

static const char *extract_validate(struct bpf_kinsn_site *site)
{
	struct ext_field f = ext_field(site);

	if (site->variant & ~EINS_EXT_VARIANTS)
		return "unknown extract variant";
	if (site->nr_regs != 2)
		return "extract needs 2 operands";
	if (site->imm & ~0xffff)
		return "extract immediate has bits beyond lsb and len";
	if (!f.len)
		return "extract length is 0";
	if (f.lsb + f.len > f.width)
		return "extract field exceeds the operand width";

	site->def_regs = BIT(site->regs[EXT_DST]);
	site->clobber_regs = 0;
	return eins_site_done(site);
}

/* How the field is cut out; the proof and the plain x86 form share it. */
enum ext_form { EXT_SHIFT_RIGHT, EXT_SHIFT_MASK, EXT_SHIFT_BOTH };

static enum ext_form ext_form(const struct ext_field *f)
{
	if (f->lsb + f->len == f->width)
		return EXT_SHIFT_RIGHT;		/* the field is the top bits */
	if (f->len < 32)
		return EXT_SHIFT_MASK;		/* mask fits a positive imm32 */
	return EXT_SHIFT_BOTH;
}

static int extract_gen_proof(const struct bpf_kinsn_site *site,
			     struct bpf_insn *insn)
{
	struct ext_field f = ext_field(site);
	u8 class = f.is64 ? BPF_ALU64 : BPF_ALU;
	u8 dst = site->regs[EXT_DST];
	struct bpf_insn *start = insn;

	*insn++ = BPF_RAW_INSN(class | BPF_MOV | BPF_X, dst,
			       site->regs[EXT_SRC], 0, 0);
	switch (ext_form(&f)) {
	case EXT_SHIFT_RIGHT:
		if (f.lsb)
			*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, dst, 0, 0, f.lsb);
		break;
	case EXT_SHIFT_MASK:
		if (f.lsb)
			*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, dst, 0, 0, f.lsb);
		*insn++ = BPF_RAW_INSN(class | BPF_AND | BPF_K, dst, 0, 0,
				       (1u << f.len) - 1);
		break;
	case EXT_SHIFT_BOTH:
		*insn++ = BPF_RAW_INSN(class | BPF_LSH | BPF_K, dst, 0, 0,
				       f.width - f.lsb - f.len);
		*insn++ = BPF_RAW_INSN(class | BPF_RSH | BPF_K, dst, 0, 0,
				       f.width - f.len);
		break;
	}
	return insn - start;
}

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include "x86.h"

static int extract_emit_x86(u8 *buf, const struct bpf_kinsn_site *site,
			    const u8 *hw)
{
	u8 dst = hw[EXT_DST], src = hw[EXT_SRC];
	struct ext_field f = ext_field(site);
	u8 *p = buf;

	if (boot_cpu_has(X86_FEATURE_BMI1)) {
		/* mov r11d, lsb | len << 8; bextr dst, src, r11 */
		p = x86_rex(p, false, 0, X86_R11);
		*p++ = 0xb8 + (X86_R11 & 7);
		p = x86_imm32(p, site->imm);
		p = x86_vex3(p, X86_VEX_0F38, f.is64, X86_VEX_NP, X86_R11,
			     dst, src);
		*p++ = 0xf7;
		*p++ = x86_modrm_rr(dst, src);
		return p - buf;
	}

	/* the 32-bit mov also zero-extends when nothing else is left to do */
	if (dst != src || !f.is64)
		p = x86_mov(p, f.is64, dst, src);
	switch (ext_form(&f)) {
	case EXT_SHIFT_RIGHT:
		if (f.lsb)
			p = x86_shift_imm(p, f.is64, X86_SHR, dst, f.lsb);
		break;
	case EXT_SHIFT_MASK:
		if (f.lsb)
			p = x86_shift_imm(p, f.is64, X86_SHR, dst, f.lsb);
		p = x86_op_rr(p, f.is64, 0x81, 4, dst);
		p = x86_imm32(p, (1u << f.len) - 1);
		break;
	case EXT_SHIFT_BOTH:
		p = x86_shift_imm(p, f.is64, X86_SHL, dst, f.width - f.lsb - f.len);
		p = x86_shift_imm(p, f.is64, X86_SHR, dst, f.width - f.len);
		break;
	}
	return p - buf;
}
#endif

#ifdef CONFIG_ARM64
#include "a64.h"

static int extract_emit_arm64(u32 *code, const struct bpf_kinsn_site *site,
			      const u8 *hw)
{
	struct ext_field f = ext_field(site);

	/* ubfx dst, src, #lsb, #len */
	code[0] = a64_ubfm(f.is64, hw[EXT_DST], hw[EXT_SRC], f.lsb,
			   f.lsb + f.len - 1);
	return 1;
}
#endif

const struct bpf_kinsn eins_extract_op = {
	.name		= "eins_extract",
	.owner		= THIS_MODULE,
	.max_insn_cnt	= 3,
	.max_emit_bytes	= 17,
	.validate	= extract_validate,
	.gen_proof	= extract_gen_proof,
#ifdef CONFIG_X86_64
	.emit_x86	= extract_emit_x86,
#endif
#ifdef CONFIG_ARM64
	.emit_arm64	= extract_emit_arm64,
#endif
};
