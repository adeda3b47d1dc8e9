/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * bpfsem: what a run of BPF instructions computes, concretely (the
 * rewriter's cheap filter) and as z3 terms (its proof).  Straight-line
 * code with forward jumps that stay in the run, like proof sequences and
 * the windows the rewriter looks at; no calls or exits.
 */
#ifndef EINS_BPFSEM_H
#define EINS_BPFSEM_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <z3.h>

#define SEM_NREGS	11

/* the low @bits bits of @x, byte-swapped */
unsigned long long sem_bswap(unsigned long long x, int bits);

/* Run one ALU/ALU64 insn (or a 64-bit immediate) on @r; false if it is
 * not one the filter evaluates.
 */
bool sem_alu(const struct bpf_insn *insn, unsigned long long *r);

/*
 * Whether conditional jump @insn is taken on @r: 1 or 0, or -1 if it is
 * not a conditional jump the filter evaluates.
 */
int sem_jmp(const struct bpf_insn *insn, const unsigned long long *r);

struct sym_state {
	Z3_ast r[SEM_NREGS];
	Z3_ast mem;		/* Array (_ BitVec 64) (_ BitVec 8) */
	Z3_ast reach;		/* path condition; NULL: not reached */
};

/* Fresh registers and memory (names prefixed by @tag). */
void sym_init(Z3_context c, struct sym_state *st, const char *tag);
/*
 * Execute @n insns from @st; jumps must go forward and land in the run or
 * at its end.  0, or -1 if an insn is outside what is modelled.
 */
int sym_run(Z3_context c, const struct bpf_insn *insns, int n,
	    struct sym_state *st);

#endif
