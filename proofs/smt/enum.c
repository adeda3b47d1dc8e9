// SPDX-License-Identifier: GPL-2.0
/*
 * enum: the input of the SMT checker (issue 6, in progress).  Runs the
 * module's own op code, compiled for user space from the modules/eins op files with
 * the shim headers next to this file, over op variants, operand register
 * assignments and immediates, and prints one line per case the op's
 * validator accepts:
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
	OP(select, BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JGT, BPF_JGE, BPF_JLT,
	   BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE,
	   BPF_JEQ | EINS_SEL_32, BPF_JSLT | EINS_SEL_32,
	   BPF_JGT | EINS_SEL_IMM, BPF_JSET | EINS_SEL_IMM | EINS_SEL_32),
	OP(extract, 0, EINS_EXT_32),
	OP(swap_mem, 1, 2, 3, 5, 6, 7),
	OP(bitcount, 0, 1, 2, 4, 5, 6),
	OP(shift_add, 0, EINS_SA_SHIFT(3), EINS_SA_SHIFT(9),
	   EINS_SA_32 | EINS_SA_SHIFT(2), EINS_SA_32 | EINS_SA_SHIFT(20)),
	OP(mul_high, 0, EINS_MULH_SIGNED),
};

/*
 * Operand registers: r0 (rax / x7), r3 (rdx / x2), r4 (rcx / x3), r5 (r8,
 * REX / x4), r8 (r14, REX / x21, callee-saved) and r10 (rbp / x25, the
 * frame pointer): the special and the extended registers of both JITs.
 */
static const u8 pick[] = { 0, 3, 4, 5, 8, 10 };
#define NR_PICK	(sizeof(pick) / sizeof(pick[0]))

/* representative immediates; the validator drops what does not fit */
static const s32 imms[] = { 0, 1, 3, 13, 31, 32, 63, -1, 255, 4096, -4097,
			    0x7fffffff, EINS_EXT_IMM(12, 20),
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

int main(int argc, char **argv)
{
	struct bpf_kinsn_site site;
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
					for (regs = 0; regs < total; regs++) {
						unsigned int x = regs;

						memset(&site, 0, sizeof(site));
						site.variant = ops[o].variants[v];
						site.imm = imms[k];
						site.nr_regs = nr;
						for (r = 0; r < (unsigned int)nr; r++, x /= NR_PICK)
							site.regs[r] = pick[x % NR_PICK];
						if (op->validate(&site) ||
						    (site.def_regs | site.clobber_regs) & BIT(10))
							continue;
						print_case(op, &site);
						cases++;
					}
				}
			}
		}
	}
	fprintf(stderr, "enum: %lu cases\n", cases);
	return 0;
}
