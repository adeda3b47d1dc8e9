/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What the rewriter's stages share (rewrite.c's comment describes them):
 * analysis.c finds per-insn facts, match.c the candidates (the filter and
 * the search), prove.c proves a candidate with z3, and rewrite.c edits the
 * object with the proven ones, round by round.
 */
#ifndef EINS_OPT_REWRITE_INT_H
#define EINS_OPT_REWRITE_INT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>
#include "bpfsem.h"
#include "expand.h"
#include "btfraw.h"
#include "rewrite.h"
#include "eins_abi.h"

typedef unsigned long long u64;
typedef unsigned short u16;

#define MAX_WALK	96	/* insns a slice may reach back */
#define MAX_SLICE	64
#define NR_TRIALS	10
#define MAX_ROUNDS	4
#define Z3_RLIMIT	7000000	/* z3's resource steps per proof */
#define ALL_REGS	0x3ff	/* r0-r9 */
#define ARRAY_LEN(x)	(sizeof(x) / sizeof((x)[0]))
#define BTF_INFO_ENC(kind, kflag, vlen) \
	((!!(kflag) << 31) | ((kind) << 24) | ((vlen) & 0xffff))


enum kind { K_ALU, K_LD64, K_LD64_HI, K_LDX, K_STORE, K_JUMP, K_JA, K_CALL,
	    K_EXIT, K_OTHER };

struct consts {
	u16 known;
	u64 v[SEM_NREGS];
	/*
	 * Relations: bit r of related says r holds rop[r] applied to a copy
	 * of register rbase[r] (rop[r].code 0: the copy itself), as after
	 * "r = b; r >>= 1", which clang hoists out of the block that uses it.
	 */
	u16 related;
	unsigned char rbase[SEM_NREGS];
	struct bpf_insn rop[SEM_NREGS];
	/* registers whose upper 32 bits are zero (hz_step, edge_facts) */
	u16 hz;
};

/* analysis of one code section */
struct ana {
	struct eobj *o;
	int sec;
	struct bpf_insn *insn;
	unsigned int n;
	unsigned char *kind, *leader, *jtarget, *used, *reloc, *func_start;
	unsigned char *nr_in;	/* jumps landing at each insn (at most 2 counted) */
	u16 *use, *def, *live_out;
	u16 *hi_live_out;	/* registers whose upper 32 bits are read later */
	struct consts *cin;
};

struct cand {
	int op;
	unsigned int variant;
	int imm;
	unsigned char regs[8];	/* operands, scratch filled in later */
	int nr_regs, nr_scratch;
	int post_shift;		/* d <<= post_shift after the site */
	int post_add;		/* d += r(post_add - 1) after the site, if set */
	u16 avoid;		/* registers scratch may not take */
	int kslot;		/* regs[kslot] = kval before the site, if set */
	u64 kval;
	struct bpf_insn pre[2];	/* before the site (after kept insns) */
	struct bpf_insn post[2];	/* after it */
	int nr_pre, nr_post;
	int via;		/* 1: the site writes regs[0], then d = regs[0] */
	/*
	 * a table lookup (search_table): table_at - 1 is the slice's 64-bit
	 * immediate load of the table's address, and split_at - 1, if set,
	 * the insn whose result (in split_reg) has at most one bit set, on
	 * which the proof splits into cases
	 */
	unsigned int table_at, split_at;
	int split_reg;
	const unsigned char *table;
	size_t table_len;
	unsigned int s0, e;	/* window */
	unsigned long long slice[(MAX_WALK + 63) / 64 + 1];	/* bit i: insn s0+i */
	int slice_len;
	int d;
};

/* the slice: bit i - s0 set for insn i */
static inline bool in_slice(const struct cand *c, unsigned int i)
{
	return i >= c->s0 && i <= c->e &&
	       (c->slice[(i - c->s0) / 64] >> ((i - c->s0) % 64) & 1);
}

static inline void slice_set(struct cand *c, unsigned int i)
{
	c->slice[(i - c->s0) / 64] |= 1ULL << ((i - c->s0) % 64);
}

static inline void slice_clear(struct cand *c, unsigned int i)
{
	c->slice[(i - c->s0) / 64] &= ~(1ULL << ((i - c->s0) % 64));
}

/* fill in what an op match found */
static inline void cand_set(struct cand *c, int op, unsigned int variant, int imm,
		     int nr_regs, int nr_scratch)
{
	c->op = op;
	c->variant = variant;
	c->imm = imm;
	c->nr_regs = nr_regs;
	c->nr_scratch = nr_scratch;
}


static inline u16 bit(int r)
{
	return r < SEM_NREGS ? 1u << r : 0;
}

/* analysis.c: per-insn facts */
long jump_dest(const struct bpf_insn *in, unsigned int i);
void const_step(const struct ana *a, unsigned int i, struct consts *c);
int analyse(struct eobj *o, int sec, struct ana *a);
void ana_free(struct ana *a);
bool is_join(const struct ana *a, unsigned int i);

/* match.c: the candidates */
int search_at(const struct ana *a, unsigned int e, struct cand *best,
	      struct cand *alt);
bool search_select(const struct ana *a, unsigned int j, struct cand *c);
bool search_swap_store(const struct ana *a, unsigned int p, struct cand *c);
bool search_table(const struct ana *a, unsigned int ld, struct cand *c);

/* prove.c: z3 */
struct prove_table {
	int at;			/* old insn loading the table's address */
	const unsigned char *bytes;
	size_t len;
	int split_at;		/* old insn whose result splits the proof, or -1 */
	int split_reg;
};

bool prove(const struct bpf_insn *old, int nold, const struct bpf_insn *new,
	   int nnew, u16 live, u16 hi_live, const struct consts *k,
	   u16 live_in, const struct prove_table *tab);

#endif /* EINS_OPT_REWRITE_INT_H */
