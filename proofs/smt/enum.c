// SPDX-License-Identifier: GPL-2.0
/*
 * enum: the input of the SMT checker.  Runs the module's own op code,
 * compiled for user space from the modules/eins op files with the shim
 * headers next to this file, over every op variant, every assignment of
 * six representative registers to the operands with representative
 * immediates, and every immediate of the ops whose immediate space is
 * small (rotate counts, bit fields, shift_add shifts) with one assignment
 * of distinct registers, and prints one line per case the op's validator
 * accepts:
 *
 *   op variant imm feat | regs... | clobber | proof insns (16 hex digits
 *   each, as in memory) | x86-64 bytes | A64 words
 *
 * "-" stands for an emit that declined (the JIT would run the proof).
 * Registers are BPF numbers; the x86-64 and A64 operands are mapped with
 * the JITs' tables (reg2hex/is_ereg, bpf2a64), copied below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/bpf_kinsn.h>
#include <asm/cpufeature.h>
#include "eins.h"

unsigned long shim_cpu_features;
bool eins_native_emit = true;

/* arch/x86/net/bpf_jit_comp.c: reg2hex | is_ereg << 3 */
static const u8 x86_map[] = { 0, 7, 6, 2, 1, 8, 3, 13, 14, 15, 5 };
/* arch/arm64/net/bpf_jit_comp.c: bpf2a64 */
static const u8 a64_map[] = { 7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25 };

static const struct {
	const struct bpf_kinsn *op;
	const u16 *variants;
	int nr_variants;
} ops[] = {
#define OP(o, ...) { &eins_##o##_op, (const u16[]){ __VA_ARGS__ },	\
	sizeof((const u16[]){ __VA_ARGS__ }) / sizeof(u16) }
	OP(rotate, 0, 1, 2, 3, 4, 5, 6, 7),
#define SEL_CC(f) BPF_JEQ | (f), BPF_JNE | (f), BPF_JSET | (f), BPF_JGT | (f), \
	BPF_JGE | (f), BPF_JLT | (f), BPF_JLE | (f), BPF_JSGT | (f),	\
	BPF_JSGE | (f), BPF_JSLT | (f), BPF_JSLE | (f)
	OP(select, SEL_CC(0), SEL_CC(EINS_SEL_32), SEL_CC(EINS_SEL_IMM),
	   SEL_CC(EINS_SEL_32 | EINS_SEL_IMM)),
	OP(extract, 0, EINS_EXT_32),
	OP(swap_mem, 1, 2, 3, 5, 6, 7),
	OP(bitcount, 0, 1, 2, 4, 5, 6),
	OP(shift_add, 0, EINS_SA_SHIFT(3), EINS_SA_SHIFT(9),
	   EINS_SA_32 | EINS_SA_SHIFT(2), EINS_SA_32 | EINS_SA_SHIFT(20)),
	OP(mul_high, 0, EINS_MULH_SIGNED),
};
_Static_assert(sizeof(ops) / sizeof(ops[0]) == EINS_NR_OPS,
	       "an op of eins_ops.h without its variants here");

/*
 * Operand registers: r0 (rax / x7), r3 (rdx / x2), r4 (rcx / x3), r5 (r8,
 * REX / x4), r8 (r14, REX / x21, callee-saved) and r10 (rbp / x25, the
 * frame pointer): the special and the extended registers of both JITs.
 */
static const u8 pick[] = { 0, 3, 4, 5, 8, 10 };
#define NR_PICK	(sizeof(pick) / sizeof(pick[0]))

/*
 * representative immediates, with the edges of every encoding choice the
 * emits make (x86 imm8/imm32, A64 imm12, LDUR's -256..255, MOVZ/MOVN/MOVK
 * halves); the validator drops what does not fit
 */
static const s32 imms[] = { 0, 1, 3, 13, 31, 32, 63, -1, 127, 128, -128,
			    -129, 255, 256, -256, -257, 4095, 4096, -4097,
			    0x10000, -0x10000, 0x7fffffff, EINS_EXT_IMM(12, 20),
			    EINS_EXT_IMM(0, 64), EINS_EXT_IMM(33, 31), -104 };

static void print_case(const struct bpf_kinsn *op, struct bpf_kinsn_site *site)
{
	struct bpf_insn proof[BPF_KINSN_MAX_PROOF];
	u8 hw[BPF_KINSN_MAX_REGS], x86[BPF_KINSN_MAX_EMIT];
	u32 a64[BPF_KINSN_MAX_EMIT / 4];
	int i, n, feat;

	for (feat = 0; feat < 2; feat++) {
		shim_cpu_features = feat ? ~0UL : 0;
		printf("%s %#x %d %d |", op->name, site->variant, site->imm, feat);
		for (i = 0; i < site->nr_regs; i++)
			printf(" %d", site->regs[i]);
		printf(" | %#x |", site->clobber_regs);
		n = op->gen_proof(site, proof);
		for (i = 0; i < n; i++) {
			const unsigned char *b = (const unsigned char *)&proof[i];

			printf(" %02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1],
			       b[2], b[3], b[4], b[5], b[6], b[7]);
		}
		for (i = 0; i < site->nr_regs; i++)
			hw[i] = x86_map[site->regs[i]];
		n = op->emit_x86(x86, site, hw);
		printf(" | ");
		for (i = 0; i < n; i++)
			printf("%02x", x86[i]);
		if (!n)
			printf("-");
		for (i = 0; i < site->nr_regs; i++)
			hw[i] = a64_map[site->regs[i]];
		n = op->emit_arm64(a64, site, hw);
		printf(" |");
		for (i = 0; i < n; i++)
			printf(" %08x", a64[i]);
		printf("%s\n", n ? "" : " -");
	}
}

/* fill @site; print it if the op's validator accepts it */
static unsigned long try_case(const struct bpf_kinsn *op, u16 variant, s32 imm,
			      int nr, unsigned int regs)
{
	struct bpf_kinsn_site site;
	int r;

	memset(&site, 0, sizeof(site));
	site.variant = variant;
	site.imm = imm;
	site.nr_regs = nr;
	for (r = 0; r < nr; r++, regs /= NR_PICK)
		site.regs[r] = pick[regs % NR_PICK];
	if (op->validate(&site) ||
	    (site.def_regs | site.clobber_regs) & BIT(10))
		return 0;
	print_case(op, &site);
	return 1;
}

/*
 * Every immediate of a small immediate space, with operand i in pick[i]
 * (all different, r10 never written): rotate counts 1..63, every bit field
 * lsb | len << 8, and every shift_add shift (which lives in the variant).
 */
static unsigned long sweep_immediates(const struct bpf_kinsn *op)
{
	unsigned int canon, pos, lsb, len, v;
	unsigned long cases = 0;
	int nr, i;

	for (nr = 2; nr <= 5; nr++) {
		for (i = 0, pos = 1, canon = 0; i < nr; i++, pos *= NR_PICK)
			canon += i * pos;
		if (op == &eins_rotate_op) {
			for (v = 0; v < 8; v++)
				for (i = 1; i < 64; i++)
					cases += try_case(op, v, i, nr, canon);
		} else if (op == &eins_extract_op) {
			for (v = 0; v < 2; v++)
				for (lsb = 0; lsb < 64; lsb++)
					for (len = 1; lsb + len <= 64; len++)
						cases += try_case(op, v,
							EINS_EXT_IMM(lsb, len), nr, canon);
		} else if (op == &eins_shift_add_op) {
			for (v = 0; v < 64; v++)
				for (i = 0; i < 2; i++)
					cases += try_case(op, EINS_SA_SHIFT(v) | i,
							  v * 977 - 4096, nr, canon);
		}
	}
	return cases;
}

int main(int argc, char **argv)
{
	unsigned long cases = 0;
	unsigned int o, v, k, r, regs;
	int nr;

	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		const struct bpf_kinsn *op = ops[o].op;

		for (v = 0; v < (unsigned int)ops[o].nr_variants; v++) {
			for (k = 0; k < sizeof(imms) / sizeof(imms[0]); k++) {
				for (nr = 2; nr <= 6; nr++) {
					/* every assignment of these registers */
					unsigned int total = 1;

					for (r = 0; r < (unsigned int)nr; r++)
						total *= NR_PICK;
					for (regs = 0; regs < total; regs++)
						cases += try_case(op, ops[o].variants[v],
								  imms[k], nr, regs);
				}
			}
		}
		cases += sweep_immediates(op);
	}
	fprintf(stderr, "enum: %lu cases\n", cases);
	return 0;
}
