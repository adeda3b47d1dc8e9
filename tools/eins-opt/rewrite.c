// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The semantic rewriter.  Candidates are found by what code computes, not
 * by how clang spelled it:
 *
 * 1. For every insn e that writes a register d that is live afterwards,
 *    walk back through e's basic block collecting the backward slice of
 *    d (the insns its value depends on).  At each step the slice's leaves
 *    are the registers it reads from before the cut; leaves that constant
 *    propagation knows are constants.
 * 2. Cheap filter: evaluate the slice on edge and random values of its one
 *    or two leaves and compare with each op's semantics, solving for the
 *    op's parameters (rotate count, field, shift and addend, log2's
 *    addend, ...).  The largest matching slice wins.  Selects are
 *    conditional jumps over one register move (the shape clang gives
 *    ternaries; an immediate arm is loaded into a dead register);
 *    byte-swapped stores are a swap followed by a store of the swapped
 *    register.
 * 3. Proof: the window [first slice insn, e] is rewritten to its other
 *    insns followed by the site, and z3 must prove that the original
 *    window and the rewritten one (with the site's proof sequence, which
 *    is what the verifier checks) leave every register live after the
 *    window and all of memory equal, assuming only the constants the
 *    analysis proved.  Unproven windows are left alone.
 *
 * Windows never contain jumps into their middle (they lie in one basic
 * block, or a select's two, or span hammocks, jumps over one move whose
 * jump and move are both in the slice: log2's ladder), calls, relocated
 * insns or existing sites.
 * Rewriting runs in rounds, re-analysing after each, so a window found
 * inside another's leftover insns is taken in the next round.
 */
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

static const char *const rej_names[NR_REJ] = {
	[REJ_LIVE_TEMP] = "live temporary",
	[REJ_JUMP_IN] = "jump into window",
	[REJ_INTERLEAVED] = "interleaved use",
	[REJ_NO_SCRATCH] = "no dead scratch register",
	[REJ_UNPROVEN] = "unproven",
	[REJ_MEMORY] = "relocation or memory in window",
	[REJ_NO_GAIN] = "no gain",
	[REJ_OPERANDS] = "operands the op refuses",
};

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
	unsigned int s0, e;	/* window */
	unsigned long long slice[(MAX_WALK + 63) / 64 + 1];	/* bit i: insn s0+i */
	int slice_len;
	int d;
};

/* the slice: bit i - s0 set for insn i */
static bool in_slice(const struct cand *c, unsigned int i)
{
	return i >= c->s0 && i <= c->e &&
	       (c->slice[(i - c->s0) / 64] >> ((i - c->s0) % 64) & 1);
}

static void slice_set(struct cand *c, unsigned int i)
{
	c->slice[(i - c->s0) / 64] |= 1ULL << ((i - c->s0) % 64);
}

static void slice_clear(struct cand *c, unsigned int i)
{
	c->slice[(i - c->s0) / 64] &= ~(1ULL << ((i - c->s0) % 64));
}

/* fill in what an op match found */
static void cand_set(struct cand *c, int op, unsigned int variant, int imm,
		     int nr_regs, int nr_scratch)
{
	c->op = op;
	c->variant = variant;
	c->imm = imm;
	c->nr_regs = nr_regs;
	c->nr_scratch = nr_scratch;
}

/* ---- how many arguments a call reads (liveness at calls) ---- */

#include "helper_args.h"	/* generated from libbpf's bpf_helper_defs.h */

/* the BTF type @id's record, or NULL */
static const struct btf_type *btf_type_at(const struct eobj *o, __u32 id)
{
	const struct btf_type *t;
	const char *types, *strs;
	__u32 tlen, slen, nr = 0;
	long pos = 0;

	if (!id || !eobj_btf(o, &types, &tlen, &strs, &slen))
		return NULL;
	while ((t = btf_walk(types, tlen, &pos)))
		if (++nr == id)
			return t;
	return NULL;
}

static int btf_func_args(const struct eobj *o, __u32 id)
{
	const struct btf_type *f = btf_type_at(o, id), *p;

	if (!f || BTF_INFO_KIND(f->info) != BTF_KIND_FUNC)
		return -1;
	p = btf_type_at(o, f->type);
	return p && BTF_INFO_KIND(p->info) == BTF_KIND_FUNC_PROTO ?
	       (int)BTF_INFO_VLEN(p->info) : -1;
}

static int btf_func_args_by_name(const struct eobj *o, const char *name)
{
	const struct btf_type *t;
	const char *types, *strs;
	__u32 tlen, slen, nr = 0;
	long pos = 0;

	if (!eobj_btf(o, &types, &tlen, &strs, &slen))
		return -1;
	while ((t = btf_walk(types, tlen, &pos))) {
		nr++;
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC && t->name_off < slen &&
		    !strcmp(strs + t->name_off, name))
			return btf_func_args(o, nr);
	}
	return -1;
}

/* registers a call at insn i of @sec reads: r1..rN (all five if unknown) */
static u16 call_uses(const struct eobj *o, int sec, const struct bpf_insn *in,
		     unsigned int i)
{
	const Elf64_Sym *s = o->secs[o->symtab].data;
	int sym = eobj_rel_sym(o, sec, i), n = -1;
	long tid = -1;

	if (!in->src_reg) {
		if (in->imm > 0 && in->imm < (int)ARRAY_LEN(helper_args) &&
		    helper_args[in->imm])
			n = helper_args[in->imm] - 1;	/* stored + 1 */
	} else if (sym > 0) {
		if (s[sym].st_shndx == SHN_UNDEF ||
		    ELF64_ST_TYPE(s[sym].st_info) == STT_FUNC)
			n = btf_func_args_by_name(o, eobj_sym_name(o, sym));
		else if (ELF64_ST_TYPE(s[sym].st_info) == STT_SECTION)
			tid = eobj_func_info_type(o, s[sym].st_shndx,
						  s[sym].st_value / 8 + in->imm + 1);
	} else if (in->src_reg == BPF_PSEUDO_CALL) {
		tid = eobj_func_info_type(o, sec, (long)i + 1 + in->imm);
	}
	if (tid >= 0)
		n = btf_func_args(o, tid);
	if (n < 0 || n > 5)
		n = 5;
	return ((1u << (n + 1)) - 1) & ~1u;
}

/* ---- per-insn facts ---- */

static u16 bit(int r)
{
	return r < SEM_NREGS ? 1u << r : 0;
}

static void classify(struct ana *a, unsigned int i)
{
	const struct bpf_insn *in = &a->insn[i];
	unsigned char cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	u16 use = 0, def = 0;
	enum kind k = K_OTHER;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		k = K_ALU;
		def = bit(in->dst_reg);
		if (op != BPF_MOV)
			use |= bit(in->dst_reg);
		if (BPF_SRC(in->code) == BPF_X && op != BPF_END && op != BPF_NEG)
			use |= bit(in->src_reg);
		if (in->code == BPF_KINSN_PAYLOAD)
			k = K_OTHER;
		break;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			k = K_LD64;
			def = bit(in->dst_reg);
		} else {	/* LD_ABS/IND: r0, clobbers r1-r5 */
			use = bit(6) | bit(in->src_reg);
			def = 0x3f;
		}
		break;
	case BPF_LDX:
		k = BPF_MODE(in->code) == BPF_MEM || BPF_MODE(in->code) == BPF_MEMSX ?
		    K_LDX : K_OTHER;
		use = bit(in->src_reg);
		def = bit(in->dst_reg);
		break;
	case BPF_ST:
	case BPF_STX:
		k = BPF_MODE(in->code) == BPF_MEM ? K_STORE : K_OTHER;
		use = bit(in->dst_reg) | (cls == BPF_STX ? bit(in->src_reg) : 0);
		if (BPF_MODE(in->code) == BPF_ATOMIC) {
			use |= bit(0);
			if (in->imm & BPF_FETCH)
				def = in->imm == BPF_CMPXCHG ? bit(0) : bit(in->src_reg);
		}
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			k = K_CALL;
			use = call_uses(a->o, a->sec, in, i);
			def = 0x3f;
		} else if (op == BPF_EXIT) {
			k = K_EXIT;
			use = 1;
		} else if (op == BPF_JA) {
			k = K_JA;
		} else {
			k = K_JUMP;
			use = bit(in->dst_reg) |
			      (BPF_SRC(in->code) == BPF_X ? bit(in->src_reg) : 0);
		}
		break;
	}
	a->kind[i] = k;
	a->use[i] = use & ALL_REGS;
	a->def[i] = def & ALL_REGS;
}

static long jump_dest(const struct bpf_insn *in, unsigned int i)
{
	bool wide = BPF_CLASS(in->code) == BPF_JMP32 && BPF_OP(in->code) == BPF_JA;

	return (long)i + 1 + (wide ? in->imm : in->off);
}

/* successors of insn i: up to two */
static int succs(const struct ana *a, unsigned int i, unsigned int *s)
{
	int n = 0;
	long t;

	switch (a->kind[i]) {
	case K_EXIT:
		return 0;
	case K_JA:
		t = jump_dest(&a->insn[i], i);
		if (t >= 0 && t < a->n)
			s[n++] = t;
		return n;
	case K_JUMP:
		t = jump_dest(&a->insn[i], i);
		if (t >= 0 && t < a->n)
			s[n++] = t;
		break;
	case K_LD64:
		if (i + 2 < a->n)
			s[n++] = i + 2;
		return n;
	default:
		break;
	}
	if (i + 1 < a->n)
		s[n++] = i + 1;
	return n;
}

/*
 * The registers whose upper 32 bits insn i reads, given @hi_out, those
 * whose upper halves are read after it.  The low half of ADD, SUB, MUL,
 * AND, OR, XOR, NEG, a left shift and a move depends only on the low
 * halves of the operands, so such an insn reads the upper halves only if
 * its result's upper half is read later.  32-bit ALU ops and compares,
 * narrow stores and narrow byte swaps read no upper half; a mask with a
 * non-negative immediate, a left shift by 32 or more and a sign-extending
 * move make the result's upper half from the low one.  A mask in a
 * register the analysis knows to be below 2^32 clears the upper half: the
 * masked register's upper half is not read (the mask's is: the rewritten
 * code must keep it).  Anything else
 * (right shifts, division, 64-bit compares, addresses, calls, exit)
 * reads all of what it uses.
 */
static u16 hi_uses(const struct ana *a, unsigned int i, u16 hi_out)
{
	const struct bpf_insn *in = &a->insn[i];
	unsigned char cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	bool k = BPF_SRC(in->code) == BPF_K;

	switch (a->kind[i]) {
	case K_LD64:
		return 0;
	case K_ALU:
		if (op == BPF_END)
			return in->imm == 64 ? a->use[i] : 0;
		if (cls == BPF_ALU)
			return 0;
		if (op == BPF_AND && !k && in->src_reg != in->dst_reg &&
		    (a->cin[i].known & bit(in->src_reg)) &&
		    !(a->cin[i].v[in->src_reg] >> 32))
			return bit(in->src_reg);
		if ((op == BPF_AND && k && in->imm >= 0) ||
		    (op == BPF_LSH && k && in->imm >= 32) ||
		    (op == BPF_MOV && (in->off == 8 || in->off == 16 ||
					    in->off == 32)))
			return 0;
		if (!(hi_out & bit(in->dst_reg)) &&
		    (op == BPF_ADD || op == BPF_SUB || op == BPF_MUL ||
		     op == BPF_AND || op == BPF_OR || op == BPF_XOR ||
		     op == BPF_NEG || op == BPF_LSH || op == BPF_MOV) && !in->off)
			return 0;
		return a->use[i];
	case K_STORE:
		return bit(in->dst_reg) |
		       (cls == BPF_STX && BPF_SIZE(in->code) == BPF_DW ?
			bit(in->src_reg) : 0);
	case K_JUMP:
		return cls == BPF_JMP32 ? 0 : a->use[i];
	default:
		return a->use[i];
	}
}

/*
 * Backward liveness to its fixpoint: into @live, of the registers or,
 * with @hi, of their upper halves (see hi_uses; only live registers').
 */
static void live_fixpoint(struct ana *a, u16 *live, bool hi)
{
	unsigned int s[2];
	bool changed = true;
	long i;
	int k;

	while (changed) {
		changed = false;
		for (i = a->n - 1; i >= 0; i--) {
			u16 out = 0;

			if (a->kind[i] == K_LD64_HI)
				continue;
			for (k = succs(a, i, s) - 1; k >= 0; k--)
				out |= (hi ? hi_uses(a, s[k], live[s[k]]) : a->use[s[k]]) |
				       (live[s[k]] & ~a->def[s[k]]);
			if (hi)
				out &= a->live_out[i];
			if (out != live[i]) {
				live[i] = out;
				changed = true;
			}
		}
	}
}

static void rel_clear(struct consts *c, int r)
{
	c->related &= ~bit(r);
	c->rbase[r] = 0;
	memset(&c->rop[r], 0, sizeof(c->rop[r]));
}

/* one insn's effect on the relations: made by a copy and one ALU64 op */
static void rel_step(const struct ana *a, unsigned int i, struct consts *c)
{
	const struct bpf_insn *in = &a->insn[i];
	int d = in->dst_reg, base = -1, r;
	struct bpf_insn op = {};

	if (a->kind[i] == K_OTHER) {
		for (r = 0; r < SEM_NREGS; r++)
			rel_clear(c, r);
		return;
	}
	if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->src_reg != d &&
	    in->src_reg < 10) {
		base = in->src_reg;
	} else if (a->kind[i] == K_ALU && BPF_CLASS(in->code) == BPF_ALU64 &&
		   BPF_SRC(in->code) == BPF_K && BPF_OP(in->code) != BPF_MOV &&
		   BPF_OP(in->code) != BPF_END && d < SEM_NREGS &&
		   (c->related & bit(d)) && !c->rop[d].code) {
		base = c->rbase[d];
		op = *in;
	}
	for (r = 0; r < SEM_NREGS; r++)
		if ((a->def[i] & bit(r)) ||
		    ((c->related & bit(r)) && (a->def[i] & bit(c->rbase[r]))))
			rel_clear(c, r);
	if (base >= 0 && !(a->def[i] & bit(base))) {
		c->related |= bit(d);
		c->rbase[d] = base;
		c->rop[d] = op;
	}
}

/* transfer constants and relations through insn i */
static void const_step(const struct ana *a, unsigned int i, struct consts *c)
{
	const struct bpf_insn *in = &a->insn[i];
	u64 r[SEM_NREGS] = {};
	int d = in->dst_reg, k;

	rel_step(a, i, c);
	if (a->kind[i] == K_LD64 && !a->reloc[i] && !in->src_reg) {
		sem_alu(in, r);
		c->known |= bit(d);
		c->v[d] = r[d];
		return;
	}
	if (a->kind[i] == K_ALU && d < SEM_NREGS &&
	    (a->use[i] & ~c->known) == 0) {
		for (k = 0; k < SEM_NREGS; k++)
			r[k] = c->v[k];
		if (sem_alu(in, r)) {
			c->known |= bit(d);
			c->v[d] = r[d];
			return;
		}
	}
	if (a->kind[i] == K_OTHER)
		c->known = 0;	/* sites, atomics, legacy loads */
	c->known &= ~a->def[i];
}

static void meet(struct consts *dst, const struct consts *src, bool *first)
{
	int k;

	if (*first) {
		*dst = *src;
		*first = false;
		return;
	}
	for (k = 0; k < SEM_NREGS; k++) {
		if ((dst->known & bit(k)) &&
		    (!(src->known & bit(k)) || src->v[k] != dst->v[k]))
			dst->known &= ~bit(k);
		if ((dst->related & bit(k)) &&
		    (!(src->related & bit(k)) || src->rbase[k] != dst->rbase[k] ||
		     memcmp(&src->rop[k], &dst->rop[k], sizeof(src->rop[k]))))
			rel_clear(dst, k);
	}
}

/* forward constant propagation to a fixed point */
static void constants(struct ana *a)
{
	struct consts *out = calloc(a->n, sizeof(*out));
	unsigned char *done = calloc(a->n, 1);
	unsigned int i, s[2], **preds, *npred;
	bool changed = true;
	int k;

	npred = calloc(a->n, sizeof(*npred));
	preds = calloc(a->n, sizeof(*preds));
	for (i = 0; i < a->n; i++)
		for (k = succs(a, i, s) - 1; k >= 0; k--) {
			preds[s[k]] = realloc(preds[s[k]], (npred[s[k]] + 1) * sizeof(**preds));
			preds[s[k]][npred[s[k]]++] = i;
		}
	while (changed) {
		changed = false;
		for (i = 0; i < a->n; i++) {
			struct consts in = {}, o;
			bool first = true;
			unsigned int p;

			if (a->kind[i] == K_LD64_HI)
				continue;
			if (!a->func_start[i])
				for (p = 0; p < npred[i]; p++)
					if (done[preds[i][p]])
						meet(&in, &out[preds[i][p]], &first);
			/*
			 * Not reached yet: a block that only later insns jump
			 * to waits for them rather than starting from nothing
			 * known, which the meet could never take back
			 */
			if (first && !a->func_start[i] && npred[i])
				continue;
			if (first)
				in.known = 0;
			o = in;
			const_step(a, i, &o);
			if (!done[i] || memcmp(&o, &out[i], sizeof(o)) ||
			    memcmp(&in, &a->cin[i], sizeof(in))) {
				changed |= !done[i] || memcmp(&o, &out[i], sizeof(o));
				out[i] = o;
				a->cin[i] = in;
				done[i] = 1;
			}
		}
	}
	for (i = 0; i < a->n; i++)
		free(preds[i]);
	free(preds);
	free(npred);
	free(out);
	free(done);
}

/*
 * What an existing site reads and surely writes, from its proof sequence:
 * reads of registers not yet written on every path, and the writes of
 * insns no jump skips.  Unknown sites read everything and write nothing.
 */
static void site_use_def(const struct eobj *o, int sec,
			 const struct bpf_insn *insn, unsigned int i,
			 unsigned int n, u16 *use, u16 *def)
{
	struct bpf_insn proof[EINS_PROOF_MAX];
	unsigned char skipped[EINS_PROOF_MAX] = {};
	int op = eins_site_op(o, sec, insn, i, n), cnt, k, t;
	unsigned int len;
	const char *why;
	struct ana pa = { .insn = proof };
	unsigned char kind[EINS_PROOF_MAX];
	u16 u[EINS_PROOF_MAX], d[EINS_PROOF_MAX];

	*use = ALL_REGS;
	*def = 0;
	if (op < 0)
		return;
	cnt = eins_site_proof(op, &insn[i], n - i, proof, &len, &why);
	if (cnt <= 0)
		return;
	pa.n = cnt;
	pa.kind = kind;
	pa.use = u;
	pa.def = d;
	for (k = 0; k < cnt; k++) {
		classify(&pa, k);
		if (kind[k] == K_JUMP || kind[k] == K_JA)
			for (t = k + 1; t < (int)jump_dest(&proof[k], k) && t < cnt; t++)
				skipped[t] = 1;
	}
	*use = 0;
	for (k = 0; k < cnt; k++) {
		*use |= u[k] & ~*def;
		if (!skipped[k])
			*def |= d[k];
	}
}

static int analyse(struct eobj *o, int sec, struct ana *a)
{
	unsigned int i, n;
	long t;
	int k, cnt;
	const Elf64_Sym *sym;

	memset(a, 0, sizeof(*a));
	a->o = o;
	a->sec = sec;
	a->insn = eobj_insns(o, sec, &n);
	a->n = n;
	a->kind = calloc(n + 1, 1);
	a->leader = calloc(n + 1, 1);
	a->jtarget = calloc(n + 1, 1);
	a->used = calloc(n + 1, 1);
	a->reloc = calloc(n + 1, 1);
	a->func_start = calloc(n + 1, 1);
	a->nr_in = calloc(n + 1, 1);
	a->use = calloc(n + 1, sizeof(u16));
	a->def = calloc(n + 1, sizeof(u16));
	a->live_out = calloc(n + 1, sizeof(u16));
	a->hi_live_out = calloc(n + 1, sizeof(u16));
	a->cin = calloc(n + 1, sizeof(*a->cin));
	if (!a->kind || !a->leader || !a->jtarget || !a->used || !a->reloc ||
	    !a->func_start || !a->nr_in || !a->use || !a->def || !a->live_out ||
	    !a->hi_live_out || !a->cin)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		classify(a, i);
		if (eins_site_start(&a->insn[i], n - i)) {
			/* an existing site: never in a window */
			unsigned int len = eins_site_len(a->insn[i + 1].src_reg), k;

			for (k = 0; k < len && i + k < n; k++) {
				a->kind[i + k] = K_OTHER;
				a->use[i + k] = 0;
				a->def[i + k] = 0;
			}
			site_use_def(o, sec, a->insn, i, n, &a->use[i], &a->def[i]);
			i += len - 1;
			continue;
		}
		if (a->kind[i] == K_LD64 && i + 1 < n) {
			a->kind[i + 1] = K_LD64_HI;
			i++;
		}
	}
	eobj_core_relo_insns(o, sec, a->reloc);
	for (i = 0; i < n; i++)
		if (a->kind[i] == K_CALL || a->kind[i] == K_LD64)
			a->reloc[i] |= eobj_rel_sym(o, sec, i) >= 0;
	sym = o->secs[o->symtab].data;
	cnt = o->secs[o->symtab].size / sizeof(*sym);
	a->func_start[0] = a->leader[0] = 1;
	for (k = 0; k < cnt; k++)
		if (sym[k].st_shndx == sec && ELF64_ST_TYPE(sym[k].st_info) == STT_FUNC &&
		    sym[k].st_value / 8 < n)
			a->func_start[sym[k].st_value / 8] = a->leader[sym[k].st_value / 8] = 1;
	for (i = 0; i < n; i++) {
		if (a->kind[i] == K_JUMP || a->kind[i] == K_JA) {
			t = jump_dest(&a->insn[i], i);
			if (t >= 0 && t < n) {
				a->jtarget[t] = a->leader[t] = 1;
				a->nr_in[t] += a->nr_in[t] < 2;
			}
		}
		if (a->insn[i].code == (BPF_JMP | BPF_CALL) &&
		    a->insn[i].src_reg == BPF_PSEUDO_CALL && !a->reloc[i]) {
			t = (long)i + 1 + a->insn[i].imm;
			if (t >= 0 && t < n)
				a->func_start[t] = a->leader[t] = 1;
		}
		if ((a->kind[i] == K_JUMP || a->kind[i] == K_JA ||
		     a->kind[i] == K_EXIT || a->kind[i] == K_CALL) && i + 1 < n)
			a->leader[i + 1] = 1;
	}
	live_fixpoint(a, a->live_out, false);
	constants(a);
	live_fixpoint(a, a->hi_live_out, true);
	return 0;
}

static void ana_free(struct ana *a)
{
	free(a->kind);
	free(a->leader);
	free(a->jtarget);
	free(a->used);
	free(a->reloc);
	free(a->func_start);
	free(a->nr_in);
	free(a->use);
	free(a->def);
	free(a->live_out);
	free(a->hi_live_out);
	free(a->cin);
}

/*
 * Insn i joins a hammock: the conditional jump at i - 2 skips only the
 * register move at i - 1 (clang's "d = c ? d : v"; log2's ladder is a
 * chain of them), and nothing else jumps to i or i - 1.  A window may
 * span such joins when the jump and the move are both in its slice.
 */
static bool is_join(const struct ana *a, unsigned int i)
{
	if (i < 2 || i >= a->n || a->kind[i - 2] != K_JUMP || a->nr_in[i] != 1 ||
	    jump_dest(&a->insn[i - 2], i - 2) != i || a->jtarget[i - 1] ||
	    a->func_start[i - 1] || a->func_start[i])
		return false;
	return a->kind[i - 1] == K_ALU && BPF_OP(a->insn[i - 1].code) == BPF_MOV;
}

/* ---- the filter: what a slice computes ---- */

static u64 rng = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static u64 trial_value(int t, int leaf)
{
	static const u64 edge[] = { 0, 1, ~0ULL, 1ULL << 63, 0x80000000ULL,
				    0xffffffffULL, 0x123456789abcdef0ULL };

	if (t < 4)
		return edge[(t * 3 + leaf * 5) % 7];
	return rnd();
}

static u64 rotl(u64 x, int n, int w)
{
	u64 m = w == 64 ? ~0ULL : (1ULL << w) - 1;

	x &= m;
	n &= w - 1;
	return n ? ((x << n) | (x >> (w - n))) & m : x;
}

static u64 popc(u64 x) { return __builtin_popcountll(x); }
static u64 clz(u64 x, int w)
{
	return x ? __builtin_clzll(x) - (64 - w) : w;
}
static u64 ctz(u64 x, int w)
{
	return x ? __builtin_ctzll(x) : w;
}
/* the index of the highest set bit, 0 for 0 (bits.bpf.h's log2) */
static u64 ilog2(u64 x)
{
	return x ? 63 - __builtin_clzll(x) : 0;
}

static u64 mulh(u64 a, u64 b, bool sgn)
{
	if (sgn)
		return (u64)(((__int128)(long long)a * (long long)b) >> 64);
	return (u64)(((unsigned __int128)a * b) >> 64);
}

struct trials {
	int nr_leaves;
	int leaf[2];
	int derived;		/* a register that is a relation of leaf[0], or -1 */
	struct bpf_insn dop;	/* that relation's op (code 0: a copy) */
	u64 in[NR_TRIALS][2];
	u64 out[NR_TRIALS];
};

/* the registers at the cut on trial @t: constants, leaves, relations */
static void trial_regs(const struct consts *k, const struct trials *tr,
		       int t, u64 *r)
{
	int l;

	for (l = 0; l < SEM_NREGS; l++)
		r[l] = k->known & bit(l) ? k->v[l] : 0;
	for (l = 0; l < tr->nr_leaves; l++)
		r[tr->leaf[l]] = tr->in[t][l];
	if (tr->derived >= 0) {
		r[tr->derived] = r[tr->leaf[0]];
		if (tr->dop.code)
			sem_alu(&tr->dop, r);
	}
}

#define ALL_TRIALS(cond) ({ int __t; bool __ok = true;			\
	for (__t = 0; __t < NR_TRIALS && __ok; __t++) {			\
		u64 x = tr->in[__t][0], y = tr->in[__t][1], out = tr->out[__t]; \
		(void)x; (void)y;					\
		__ok = (cond);						\
	}								\
	__ok; })

static bool match_one(const struct trials *tr, struct cand *c, int leaf_reg)
{
	int n, w, lsb, len, k, s;

	/* rotate by a constant */
	for (w = 64; w >= 32; w -= 32)
		for (n = 1; n < w; n++)
			if (ALL_TRIALS(out == rotl(x, n, w))) {
				cand_set(c, EINS_OP_ROTATE, w == 32 ? EINS_ROT_32 : 0,
					 n, 2, 1);
				c->regs[1] = leaf_reg;
				return true;
			}
	/* bit counts, possibly scaled by a shift clang folded in */
	for (w = 64; w >= 32; w -= 32)
		for (k = 0; k < 3; k++)
			for (s = 0; s < 8; s++) {
				u64 m = w == 64 ? ~0ULL : 0xffffffffULL;

				if (!ALL_TRIALS(out == ((k == 0 ? popc(x & m) :
							  k == 1 ? clz(x & m, w) :
								   ctz(x & m, w)) << s)))
					continue;
				cand_set(c, EINS_OP_BITCOUNT,
					 (k == 0 ? EINS_BC_POPCNT : k == 1 ?
					  EINS_BC_CLZ : EINS_BC_CTZ) |
					 (w == 32 ? EINS_BC_32 : 0), 0, 2, 2);
				c->post_shift = s;
				c->regs[1] = leaf_reg;
				return true;
			}
	/*
	 * log2 plus a constant (log2l adds 32): a ladder of compares and
	 * shifts in clang's code, and w - 1 - clz(x | 1), which is
	 * clz(x | 1) ^ (w - 1) since clz(x | 1) < w: x | 1 into d before
	 * the site, the xor and the add after it
	 */
	for (w = 64; w >= 32; w -= 32) {
		u64 m = w == 64 ? ~0ULL : 0xffffffffULL;
		u64 kk = tr->out[0] - ilog2(tr->in[0][0] & m);
		int cls = w == 32 ? BPF_ALU : BPF_ALU64;

		if ((long long)kk != (int)kk || !ALL_TRIALS(out == ilog2(x & m) + kk))
			continue;
		cand_set(c, EINS_OP_BITCOUNT, EINS_BC_CLZ | (w == 32 ? EINS_BC_32 : 0),
			 0, 2, 2);
		c->regs[1] = c->d;
		c->nr_pre = 0;
		if (c->d != leaf_reg || w == 32)
			c->pre[c->nr_pre++] = (struct bpf_insn){
				.code = cls | BPF_MOV | BPF_X, .dst_reg = c->d,
				.src_reg = leaf_reg };
		c->pre[c->nr_pre++] = (struct bpf_insn){
			.code = cls | BPF_OR | BPF_K, .dst_reg = c->d, .imm = 1 };
		c->post[0] = (struct bpf_insn){
			.code = BPF_ALU | BPF_XOR | BPF_K, .dst_reg = c->d, .imm = w - 1 };
		c->post[1] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = c->d, .imm = (int)kk };
		c->nr_post = kk ? 2 : 1;
		return true;
	}
	/*
	 * k - clz(x), in 32 or 64 bits: the log2l of samples/bpf's tracex3,
	 * "i = -(n == 0); if (n >= 1 << s) { i += s; n >>= s; }" for
	 * s = 32, 16, ... 1, is 63 - clz64(n): d = -d and d += k after the
	 * site
	 */
	for (w = 64; w >= 32; w -= 32)
		for (s = 64; s >= 32; s -= 32) {
			u64 m = w == 64 ? ~0ULL : 0xffffffffULL;
			u64 om = s == 64 ? ~0ULL : 0xffffffffULL;
			u64 kk = (tr->out[0] + clz(tr->in[0][0] & m, w)) & om;
			int cls = s == 32 ? BPF_ALU : BPF_ALU64;

			if ((s == 64 && (long long)kk != (int)kk) ||
			    !ALL_TRIALS(out == ((kk - clz(x & m, w)) & om)))
				continue;
			cand_set(c, EINS_OP_BITCOUNT,
				 EINS_BC_CLZ | (w == 32 ? EINS_BC_32 : 0), 0, 2, 2);
			c->regs[1] = leaf_reg;
			c->post[0] = (struct bpf_insn){
				.code = cls | BPF_NEG, .dst_reg = c->d };
			c->post[1] = (struct bpf_insn){
				.code = cls | BPF_ADD | BPF_K, .dst_reg = c->d,
				.imm = (int)kk };
			c->nr_post = 2;
			return true;
		}
	/* bit-field extract: solve lsb and len from the first trial */
	for (w = 64; w >= 32; w -= 32)
		for (lsb = 0; lsb < w; lsb++)
			for (len = 1; lsb + len <= w; len++) {
				u64 m = len == 64 ? ~0ULL : (1ULL << len) - 1;
				u64 wm = w == 64 ? ~0ULL : 0xffffffffULL;

				if ((((tr->in[0][0] & wm) >> lsb) & m) != tr->out[0])
					continue;
				if (!ALL_TRIALS(out == (((x & wm) >> lsb) & m)))
					continue;
				/* a shift or a mask alone is one insn already */
				if (lsb == 0 || lsb + len == w)
					return false;
				cand_set(c, EINS_OP_EXTRACT, w == 32 ? EINS_EXT_32 : 0,
					 EINS_EXT_IMM(lsb, len), 2, 0);
				c->regs[1] = leaf_reg;
				return true;
			}
	return false;
}

static bool match_two(const struct trials *tr, struct cand *c, int slice_len)
{
	int ord, s, w, sg;

	for (ord = 0; ord < 2; ord++) {
		int ra = tr->leaf[ord], rb = tr->leaf[!ord];

		/* high multiply */
		for (sg = 0; sg < 2; sg++)
			if (ALL_TRIALS(out == mulh(x, y, sg))) {
				cand_set(c, EINS_OP_MUL_HIGH,
					 sg ? EINS_MULH_SIGNED : 0, 0, 3, 3);
				c->regs[1] = tr->leaf[0];
				c->regs[2] = tr->leaf[1];
				return true;
			}
		/* rotate by a register */
		for (w = 64; w >= 32; w -= 32)
			for (sg = 0; sg < 2; sg++) {
				if (!(ord ? ALL_TRIALS(out == rotl(y, sg ? w - (x & (w - 1)) : x, w)) :
					    ALL_TRIALS(out == rotl(x, sg ? w - (y & (w - 1)) : y, w))))
					continue;
				cand_set(c, EINS_OP_ROTATE, EINS_ROT_REG |
					 (sg ? EINS_ROT_RIGHT : 0) |
					 (w == 32 ? EINS_ROT_32 : 0), 0, 3, 2);
				c->regs[1] = ra;
				c->regs[2] = rb;
				return true;
			}
		/* a + (b << s) + k; a mov and an add are no better as a site */
		for (w = slice_len < 3 ? 0 : 64; w >= 32; w -= 32)
			for (s = 0; s < w; s++) {
				u64 m = w == 64 ? ~0ULL : 0xffffffffULL;
				u64 a0 = ord ? tr->in[0][1] : tr->in[0][0];
				u64 b0 = ord ? tr->in[0][0] : tr->in[0][1];
				u64 k = (tr->out[0] - a0 - (b0 << s)) & m;
				long long ks = w == 64 ? (long long)k : (int)k;

				if (ks != (int)ks)
					continue;
				if (!(ord ? ALL_TRIALS(out == ((y + (x << s) + k) & m)) :
					    ALL_TRIALS(out == ((x + (y << s) + k) & m))))
					continue;
				cand_set(c, EINS_OP_SHIFT_ADD, EINS_SA_SHIFT(s) |
					 (w == 32 ? EINS_SA_32 : 0), (int)ks, 3, 1);
				c->regs[1] = ra;
				c->regs[2] = rb;
				return true;
			}
	}
	return false;
}

/* the constants the slice of @c uses, at most @max of them */
static int slice_consts(const struct ana *a, const struct cand *c,
			const struct consts *k, u64 *v, int max)
{
	unsigned int x;
	int n = 0;

	for (x = c->s0; x <= c->e && n < max; x++) {
		const struct bpf_insn *in = &a->insn[x];
		int cls = BPF_CLASS(in->code);

		if (!in_slice(c, x))
			continue;
		if (a->kind[x] == K_LD64)
			v[n++] = (u32)in->imm | (u64)in[1].imm << 32;
		else if ((cls == BPF_ALU64 || cls == BPF_ALU) && BPF_SRC(in->code) == BPF_K)
			v[n++] = (u32)in->imm;
		else if ((cls == BPF_ALU64 || cls == BPF_ALU) &&
			 (k->known & bit(in->src_reg)))
			v[n++] = k->v[in->src_reg];
	}
	return n;
}

/*
 * Whether out == (addend ? y : 0) + mulh(x, kv) on every trial, for a
 * constant kv made of the slice's constants (each pair as the halves, or
 * each 64-bit one whole); on a match @m gets the op and the constant.
 */
static bool match_mul_by(const struct trials *tr, const u64 *v, int n,
			 bool addend, struct cand *m)
{
	u64 kv;
	int i, j, sg;

	for (i = 0; i < n; i++)
		for (j = -1; j < n; j++) {
			if (j < 0)
				kv = v[i];
			else if (v[i] >> 32 || v[j] >> 32)
				continue;
			else
				kv = v[i] << 32 | v[j];
			/* both halves take part, or it is a shift */
			if (!(kv >> 32) || !(u32)kv)
				continue;
			for (sg = 0; sg < 2; sg++)
				if (ALL_TRIALS(out == (addend ? y : 0) + mulh(x, kv, sg))) {
					cand_set(m, EINS_OP_MUL_HIGH,
						 sg ? EINS_MULH_SIGNED : 0, 0, 3, 3);
					m->regs[1] = tr->leaf[0];
					m->kslot = 2;
					m->kval = kv;
					return true;
				}
		}
	return false;
}

/*
 * A high multiply by a constant, which clang splits into its 32-bit
 * halves: immediates, or registers known to hold them at the cut.  Try
 * each pair of the window's constants as the halves, and each 64-bit
 * one whole.  The site gets the constant in a dead register (apply).
 */
static bool match_mul_const(const struct ana *a, const struct cand *c,
			    const struct consts *k, const struct trials *tr,
			    struct cand *m)
{
	u64 v[24];

	return match_mul_by(tr, v, slice_consts(a, c, k, v, 24), false, m);
}

/*
 * The same plus a second input, which clang adds into the halves' sum
 * (tokens + mulhu(elapsed, RATE)): the site, then d += that input's
 * register, which must still hold it at the end of the window (@ld: the
 * load that is the leaf of each register, or -1).
 */
static bool match_mul_const_add(const struct ana *a, const struct cand *c,
				const struct consts *k, const struct trials *tr,
				const int *ld, struct cand *m)
{
	u64 v[24];
	int n = slice_consts(a, c, k, v, 24), ord;
	unsigned int x;

	for (ord = 0; ord < 2; ord++) {
		struct trials sw = *tr;
		int t, add = tr->leaf[!ord];

		for (t = 0; t < NR_TRIALS; t++) {
			sw.in[t][0] = tr->in[t][ord];
			sw.in[t][1] = tr->in[t][!ord];
		}
		sw.leaf[0] = tr->leaf[ord];
		sw.leaf[1] = add;
		for (x = ld[add] >= 0 ? ld[add] + 1 : c->s0; x <= c->e; x++)
			if (!in_slice(c, x) && (a->def[x] & bit(add)))
				break;
		if (x <= c->e || !match_mul_by(&sw, v, n, true, m))
			continue;
		m->post_add = add + 1;
		m->avoid = bit(add);
		return true;
	}
	return false;
}

/*
 * Run the slice of @c on @r; a jump in it (a hammock's, see is_join)
 * skips its move when taken.  With @val, each insn's result by its
 * offset from s0.  False if an insn is not one the filter evaluates.
 */
static bool run_slice(const struct ana *a, const struct cand *c, u64 *r,
		      u64 *val)
{
	unsigned int i;
	int taken;

	for (i = c->s0; i <= c->e; i++) {
		if (!in_slice(c, i))
			continue;
		if (a->kind[i] == K_JUMP) {
			taken = sem_jmp(&a->insn[i], r);
			if (taken < 0)
				return false;
			if (taken)
				i = jump_dest(&a->insn[i], i) - 1;
			continue;
		}
		if (!sem_alu(&a->insn[i], r))
			return false;
		if (val)
			val[i - c->s0] = r[a->insn[i].dst_reg];
	}
	return true;
}

/*
 * Run the slice on the trials; with @lo, keep only the low half of the
 * result (for a result whose upper half nothing reads).
 */
static bool eval_slice(const struct ana *a, const struct cand *c,
		       const struct consts *k, struct trials *tr, bool lo)
{
	int t, l;

	for (t = 0; t < NR_TRIALS; t++) {
		u64 r[SEM_NREGS];

		for (l = 0; l < tr->nr_leaves; l++)
			tr->in[t][l] = trial_value(t, l);
		/*
		 * the last trial's leaves are equal, so that a value on the
		 * way like their difference is 0 once (tracex3's log2l of a
		 * difference tells 0 apart)
		 */
		if (tr->nr_leaves == 2 && t == NR_TRIALS - 1)
			tr->in[t][1] = tr->in[t][0];
		trial_regs(k, tr, t, r);
		if (!run_slice(a, c, r, NULL))
			return false;
		tr->out[t] = lo ? (u32)r[c->d] : r[c->d];
	}
	return true;
}

/*
 * The op may take a value the window computes on its way rather than a
 * leaf: clang folds the left shift of "k *= c; k = rotl(k, n)" into a
 * second multiply, k * (c << n), so the rotate's input k * c is only the
 * right-shift half's.  For each ALU insn j of the slice, try its result
 * as the op's one input; the insns it depends on stay, the rest of the
 * slice goes.  The site then reads j's register at the end of the window,
 * so nothing that stays may write it after j.
 */
static bool match_inner(const struct ana *a, const struct cand *c,
			const struct consts *k, const struct trials *tr,
			struct cand *best)
{
	static u64 val[NR_TRIALS][MAX_WALK];
	unsigned int j, x;
	int t, keep;
	bool found = false;

	for (t = 0; t < NR_TRIALS; t++) {
		u64 r[SEM_NREGS];

		trial_regs(k, tr, t, r);
		if (!run_slice(a, c, r, val[t]))
			return false;
	}
	/* (a hammock's move has no value on every path: not an input) */
	for (j = c->e - 1; j > c->s0; j--) {
		struct trials in = *tr;
		struct cand m = *c;
		int rj = a->insn[j].dst_reg;
		u16 needed;
		bool cond = false;

		if (!in_slice(c, j) || a->kind[j] != K_ALU || is_join(a, j + 1))
			continue;
		/* a constant on the way is no input: clz(-1) is not an op */
		for (t = 1; t < NR_TRIALS && val[t][j - c->s0] == val[0][j - c->s0]; t++)
			;
		if (t == NR_TRIALS)
			continue;
		/* j and what it depends on stay */
		slice_clear(&m, j);
		keep = 1;
		needed = a->use[j];
		for (x = j; x-- > c->s0 && needed;) {
			if (!in_slice(c, x) || !(a->def[x] & needed))
				continue;
			/* what stays moves before the site: no hammock */
			cond |= is_join(a, x + 1);
			slice_clear(&m, x);
			keep++;
			needed = (needed & ~a->def[x]) | a->use[x];
		}
		/* a rotate or a field of what stays must drop 3 insns or more */
		if (cond || c->slice_len - keep < 3 ||
		    (found && c->slice_len - keep <= best->slice_len))
			continue;
		for (x = j + 1; x <= c->e; x++)
			if (!in_slice(&m, x) && (a->def[x] & bit(rj)))
				break;
		if (x <= c->e)
			continue;
		in.nr_leaves = 1;
		for (t = 0; t < NR_TRIALS; t++)
			in.in[t][0] = val[t][j - c->s0];
		if (!match_one(&in, &m, rj))
			continue;
		m.slice_len = c->slice_len - keep;
		*best = m;
		found = true;
	}
	return found;
}

/* ---- proof ---- */

static Z3_context z3_new(void)
{
	Z3_config cfg = Z3_mk_config();
	Z3_context ctx;

	Z3_set_param_value(cfg, "model", "false");
	ctx = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	return ctx;
}

/*
 * Prove that @old and @new (both @nold/@nnew insns) leave the registers in
 * @live and memory equal, given the constants @k of registers in @live_in.
 */
static bool prove(const struct bpf_insn *old, int nold, const struct bpf_insn *new,
		  int nnew, u16 live, u16 hi_live, const struct consts *k,
		  u16 live_in)
{
	Z3_context c = z3_new();
	struct sym_state s0, s1, s2;
	Z3_ast diff[SEM_NREGS + 1];
	Z3_solver sol;
	Z3_params p;
	int i, nd = 0;
	bool ok = false;

	sym_init(c, &s0, "in");
	s1 = s0;
	s2 = s0;
	if (sym_run(c, old, nold, &s1) || sym_run(c, new, nnew, &s2))
		goto out;
	sol = Z3_mk_solver(c);
	Z3_solver_inc_ref(c, sol);
	p = Z3_mk_params(c);
	Z3_params_inc_ref(c, p);
	/*
	 * A resource limit, not a time limit, so that what is proven does
	 * not depend on the machine or its load (the output must be
	 * deterministic); the timeout is only a backstop.  The heaviest
	 * proofs taken need about 5.4 million steps (a popcount across
	 * blocks), gap_mul_high_carry more than 10 million.
	 */
	Z3_params_set_uint(c, p, Z3_mk_string_symbol(c, "rlimit"), Z3_RLIMIT);
	Z3_params_set_uint(c, p, Z3_mk_string_symbol(c, "timeout"), 60000);
	Z3_solver_set_params(c, sol, p);
	for (i = 0; i < SEM_NREGS; i++)
		if (k->known & live_in & bit(i))
			Z3_solver_assert(c, sol, Z3_mk_eq(c, s0.r[i],
				Z3_mk_unsigned_int64(c, k->v[i], Z3_mk_bv_sort(c, 64))));
	for (i = 0; i < SEM_NREGS; i++)
		if (k->related & live_in & bit(i)) {
			/* i = rop[i] of a copy of rbase[i], as the analysis proved */
			struct bpf_insn rel[2] = {
				{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = i,
				  .src_reg = k->rbase[i] },
				k->rop[i],
			};
			struct sym_state sr = s0;

			if (sym_run(c, rel, k->rop[i].code ? 2 : 1, &sr))
				goto out_solver;
			Z3_solver_assert(c, sol, Z3_mk_eq(c, s0.r[i], sr.r[i]));
		}
	/* a register whose upper half nothing reads: its low half */
	for (i = 0; i < SEM_NREGS; i++)
		if (live & hi_live & bit(i))
			diff[nd++] = Z3_mk_not(c, Z3_mk_eq(c, s1.r[i], s2.r[i]));
		else if (live & bit(i))
			diff[nd++] = Z3_mk_not(c, Z3_mk_eq(c,
				Z3_mk_extract(c, 31, 0, s1.r[i]),
				Z3_mk_extract(c, 31, 0, s2.r[i])));
	diff[nd++] = Z3_mk_not(c, Z3_mk_eq(c, s1.mem, s2.mem));
	Z3_solver_assert(c, sol, Z3_mk_or(c, nd, diff));
	{
		Z3_lbool res = Z3_solver_check(c, sol);

		ok = res == Z3_L_FALSE;
		if (getenv("EINS_OPT_DEBUG")) {
			Z3_stats st = Z3_solver_get_statistics(c, sol);
			unsigned int si;
			double rl = -1;

			Z3_stats_inc_ref(c, st);
			for (si = 0; si < Z3_stats_size(c, st); si++)
				if (!strcmp(Z3_stats_get_key(c, st, si), "rlimit count"))
					rl = Z3_stats_is_uint(c, st, si) ?
					     Z3_stats_get_uint_value(c, st, si) :
					     Z3_stats_get_double_value(c, st, si);
			Z3_stats_dec_ref(c, st);
			fprintf(stderr, "z3: %s rlimit %.0f\n", res == Z3_L_FALSE ? "proven" :
				res == Z3_L_TRUE ? "counterexample" : "unknown", rl);
		}
	}
out_solver:
	Z3_params_dec_ref(c, p);
	Z3_solver_dec_ref(c, sol);
out:
	Z3_del_context(c);
	return ok;
}

/* ---- applying a candidate ---- */

struct rw {
	struct eobj *o;
	struct rewrite_opts *opts;
	struct rewrite_sec_stats *st;
	int edits;
	unsigned int declared;	/* ops whose extern is in the object's BTF */
};

static void reject(struct rw *rw, const struct ana *a, const struct cand *c,
		   int why)
{
	rw->st->rejected[why]++;
	if (rw->opts->verbose)
		fprintf(stderr, "eins-opt: %s: section %s insns %u-%u: %s not rewritten: %s\n",
			rw->o->name, a->o->secs[a->sec].name, c->s0, c->e,
			eins_op_name(c->op), rej_names[why]);
}

/*
 * Fill regs[first..first + n - 1] with registers dead after the window
 * and not among regs[0..first - 1]; false if there are not enough.  Then,
 * if still short, registers that hold a known constant after the window
 * (a loop's masks, kept in registers across it): the constant is loaded
 * again after the site.
 */
static bool pick_dead(const struct ana *a, struct cand *c, int first, int n)
{
	u16 busy = c->avoid, dead = ~a->live_out[c->e] & ALL_REGS;
	struct consts end = a->cin[c->e];
	int i, r, got = 0;

	for (i = 0; i < first; i++)
		busy |= bit(c->regs[i]);
	for (r = 0; r < 10 && got < n; r++)
		if ((dead & bit(r)) && !(busy & bit(r))) {
			c->regs[first + got++] = r;
			busy |= bit(r);
		}
	const_step(a, c->e, &end);
	for (r = 0; r < 10 && got < n; r++)
		if ((end.known & bit(r)) && !(busy & bit(r))) {
			c->regs[first + got++] = r;
			busy |= bit(r);
		}
	return got == n;
}

/*
 * The registers the site and its moves write besides d that are live
 * after the window: pick_dead only took such a register when it holds a
 * known constant there, so load it again.  Returns the insns written.
 */
static int reload_consts(const struct ana *a, const struct cand *c,
			 struct bpf_insn *out)
{
	struct consts end = a->cin[c->e];
	u16 written = 0;
	int i, n = 0;

	if (c->regs[0] != c->d)
		written |= bit(c->regs[0]);
	if (c->kslot)
		written |= bit(c->regs[c->kslot]);
	for (i = 0; i < c->nr_scratch; i++)
		written |= bit(c->regs[c->nr_regs + i]);
	written &= a->live_out[c->e] & ~bit(c->d);
	const_step(a, c->e, &end);
	for (i = 0; i < SEM_NREGS; i++)
		if ((written & bit(i)) && (end.known & bit(i))) {
			out[n++] = (struct bpf_insn){
				.code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = i,
				.imm = (u32)end.v[i] };
			out[n++] = (struct bpf_insn){ .imm = end.v[i] >> 32 };
		}
	return n;
}

/*
 * Build the rewritten window (other insns, then the site) into @out, and
 * the same with the site's proof sequence into @chk; returns the lengths.
 */
static int build(struct rw *rw, const struct ana *a, struct cand *c,
		 struct bpf_insn *out, int *nout, int *call_at,
		 struct bpf_insn *chk, int *nchk)
{
	struct bpf_insn site[EINS_SITE_MAX], proof[EINS_PROOF_MAX];
	unsigned int i;
	int len, plen, no = 0, nc = 0;
	unsigned short clob;
	const char *why;

	len = eins_site_build(c->op, c->variant, c->imm, c->regs,
			      c->nr_regs + c->nr_scratch, site, proof, &plen,
			      &clob, &why);
	if (len < 0)
		return -1;
	for (i = c->s0; i <= c->e; i++) {
		if (a->kind[i] == K_LD64_HI || in_slice(c, i))
			continue;
		out[no++] = chk[nc++] = a->insn[i];
		if (a->kind[i] == K_LD64)
			out[no++] = chk[nc++] = a->insn[i + 1];
	}
	if (c->kslot) {
		/*
		 * the constant operand (a high multiply's constant, a select's
		 * immediate arm): one insn if a move's immediate, sign- or
		 * zero-extended, makes it
		 */
		struct bpf_insn ld[2] = {
			{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = c->regs[c->kslot],
			  .imm = (u32)c->kval },
			{ .imm = c->kval >> 32 },
		};

		if ((long long)c->kval == (int)c->kval)
			ld[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
		else if (!(c->kval >> 32))
			ld[0].code = BPF_ALU | BPF_MOV | BPF_K;
		out[no++] = chk[nc++] = ld[0];
		if (ld[0].code == (BPF_LD | BPF_IMM | BPF_DW))
			out[no++] = chk[nc++] = ld[1];
	}
	for (i = 0; i < (unsigned int)c->nr_pre; i++)
		out[no++] = chk[nc++] = c->pre[i];
	*call_at = no;
	memcpy(&out[no], site, len * sizeof(*site));
	no += len;
	memcpy(&chk[nc], proof, plen * sizeof(*proof));
	nc += plen;
	if (c->via) {
		struct bpf_insn mv = {
			.code = BPF_ALU64 | BPF_MOV | BPF_X,
			.dst_reg = c->d, .src_reg = c->regs[0],
		};

		out[no++] = chk[nc++] = mv;
	}
	if (c->post_shift) {
		struct bpf_insn sh = {
			.code = BPF_ALU64 | BPF_LSH | BPF_K,
			.dst_reg = c->d, .imm = c->post_shift,
		};

		out[no++] = chk[nc++] = sh;
	}
	if (c->post_add) {
		struct bpf_insn add = {
			.code = BPF_ALU64 | BPF_ADD | BPF_X,
			.dst_reg = c->d, .src_reg = c->post_add - 1,
		};

		out[no++] = chk[nc++] = add;
	}
	for (i = 0; i < (unsigned int)c->nr_post; i++)
		out[no++] = chk[nc++] = c->post[i];
	no += reload_consts(a, c, &out[no]);
	nc += reload_consts(a, c, &chk[nc]);
	if (rw->opts->plant_wrong) {
		/* the test of the prover: a rewrite that is off by one bit */
		struct bpf_insn bad = {
			.code = BPF_ALU64 | BPF_XOR | BPF_K,
			.dst_reg = c->d, .imm = 1,
		};

		if (c->op == EINS_OP_SWAP_MEM && (c->variant & EINS_SWAP_STORE))
			bad = (struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_B,
				.dst_reg = c->regs[0], .off = c->imm, .imm = 0x5a };
		chk[nc++] = bad;
	}
	*nout = no;
	*nchk = nc;
	return 0;
}

static int old_len(const struct ana *a, const struct cand *c)
{
	return c->e - c->s0 + 1 + (a->kind[c->e] == K_LD64);
}

static bool window_ok(struct rw *rw, const struct ana *a, const struct cand *c)
{
	unsigned int i;

	for (i = c->s0; i <= c->e; i++) {
		if (a->used[i]) {
			return false;
		}
		if (i > c->s0 && a->jtarget[i] && !(c->op == EINS_OP_SELECT && i == c->e) &&
		    !(is_join(a, i) && in_slice(c, i - 2))) {
			reject(rw, a, c, REJ_JUMP_IN);
			return false;
		}
		if (a->reloc[i] || a->kind[i] == K_CALL || a->kind[i] == K_EXIT ||
		    a->kind[i] == K_OTHER) {
			reject(rw, a, c, REJ_MEMORY);
			return false;
		}
	}
	return true;
}

/* true if the value insn i writes is read by a kept insn or after e */
static bool read_after(const struct ana *a, const struct cand *c,
		       unsigned int i)
{
	u16 val = a->def[i];
	unsigned int k;

	for (k = i + 1; k <= c->e && val; k++) {
		if (a->kind[k] == K_LD64_HI)
			continue;
		if (!in_slice(c, k) && (a->use[k] & val))
			return true;
		val &= ~a->def[k];
	}
	return val & a->live_out[c->e];
}

/*
 * Reasons z3 would refuse, found cheaply: a register the dropped insns
 * compute (other than the result) is still live after the window, or an
 * insn that stays reads a value only a dropped insn computed.
 */
static int window_conflict(const struct ana *a, struct cand *c)
{
	u16 by_slice = 0;	/* registers whose current value a dropped insn made */
	unsigned int i;

	/*
	 * Constants and loads the slice uses stay where something else still
	 * reads them; they depend on nothing the site drops.
	 */
	for (i = c->s0; i < c->e; i++)
		if (in_slice(c, i) &&
		    ((a->kind[i] == K_LD64 && !a->reloc[i]) || a->kind[i] == K_LDX ||
		     a->insn[i].code == (BPF_ALU64 | BPF_MOV | BPF_K)) &&
		    !is_join(a, i + 1) && read_after(a, c, i)) {
			slice_clear(c, i);
			c->slice_len--;
		}

	for (i = c->s0; i <= c->e; i++) {
		if (a->kind[i] == K_LD64_HI)
			continue;
		if (in_slice(c, i)) {
			by_slice |= a->def[i];
			continue;
		}
		if (a->use[i] & by_slice)
			return REJ_INTERLEAVED;
		by_slice &= ~a->def[i];
	}
	if (c->op == EINS_OP_SWAP_MEM && (c->variant & EINS_SWAP_STORE))
		return -1;
	if (by_slice & ~bit(c->d) & a->live_out[c->e])
		return REJ_LIVE_TEMP;
	return -1;
}

static int ensure_ksym_btf(struct eobj *o, const char *name);

/* the function symbol of @sec containing insn @idx */
static int func_sym_at(const struct eobj *o, int sec, unsigned int idx)
{
	const Elf64_Sym *sym = o->secs[o->symtab].data;
	int i, best = -1, cnt = o->secs[o->symtab].size / sizeof(*sym);

	for (i = 1; i < cnt; i++)
		if (sym[i].st_shndx == sec && ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC &&
		    sym[i].st_value / 8 <= idx &&
		    (best < 0 || sym[i].st_value > sym[best].st_value))
			best = i;
	return best;
}

static struct rewrite_func_stats *func_stats(struct rewrite_opts *opts,
					     const struct eobj *o, int sec,
					     unsigned int idx)
{
	int sym = func_sym_at(o, sec, idx), i;
	const char *name = sym < 0 ? o->secs[sec].name : eobj_sym_name(o, sym);

	for (i = 0; i < opts->nr_funcs; i++)
		if (opts->funcs[i].sec == sec && !strcmp(opts->funcs[i].name, name))
			return &opts->funcs[i];
	return NULL;
}

/* one entry per function symbol of every code section, with its size */
static int func_sizes(struct rewrite_opts *opts, const struct eobj *o,
		      bool after)
{
	const Elf64_Sym *sym = o->secs[o->symtab].data;
	int i, cnt = o->secs[o->symtab].size / sizeof(*sym);
	struct rewrite_func_stats *f;

	for (i = 1; i < cnt; i++) {
		int sec = sym[i].st_shndx;

		if (sec <= 0 || sec >= o->nr_secs || !eobj_is_code(o, sec) ||
		    ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC)
			continue;
		f = func_stats(opts, o, sec, sym[i].st_value / 8);
		if (!f && !after) {
			f = realloc(opts->funcs, (opts->nr_funcs + 1) * sizeof(*f));
			if (!f)
				return -ENOMEM;
			opts->funcs = f;
			f = &f[opts->nr_funcs++];
			memset(f, 0, sizeof(*f));
			snprintf(f->name, sizeof(f->name), "%s", eobj_sym_name(o, i));
			f->sec = sec;
		}
		if (!f)
			continue;
		if (after)
			f->insns_after = sym[i].st_size / 8;
		else
			f->insns_before = sym[i].st_size / 8;
	}
	return 0;
}

/* prove and record the rewrite of @c; 1 if applied */
static int apply(struct rw *rw, struct ana *a, struct cand *c)
{
	struct bpf_insn out[MAX_WALK + 16], chk[MAX_WALK + EINS_PROOF_MAX + 8];
	int nout, nchk, call_at, first = c->nr_regs, sym, err, why;
	unsigned int i;

	c->regs[0] = c->d;
	if (!window_ok(rw, a, c))
		return 0;
	why = window_conflict(a, c);
	if (why >= 0) {
		reject(rw, a, c, why);
		return 0;
	}
	/*
	 * regs[kslot] for the constant: dead after the window, not d or an
	 * operand before it (a later one is in avoid)
	 */
	if ((c->kslot && !pick_dead(a, c, c->kslot, 1)) ||
	    !pick_dead(a, c, first, c->nr_scratch)) {
		reject(rw, a, c, REJ_NO_SCRATCH);
		return 0;
	}
	if (build(rw, a, c, out, &nout, &call_at, chk, &nchk)) {
		/* the op may want its result apart from its inputs (mul_high):
		 * write it to the first dead register and move it
		 */
		c->via = pick_dead(a, c, first, c->nr_scratch + 1);
		if (c->via) {
			c->regs[0] = c->regs[first];
			memmove(&c->regs[first], &c->regs[first + 1], c->nr_scratch);
		}
		if (!c->via || build(rw, a, c, out, &nout, &call_at, chk, &nchk)) {
			reject(rw, a, c, REJ_OPERANDS);
			return 0;
		}
	}
	if (!prove(&a->insn[c->s0], old_len(a, c), chk, nchk, a->live_out[c->e],
		   a->hi_live_out[c->e], &a->cin[c->s0], a->use[c->s0] | a->live_out[c->s0])) {
		if (rw->opts->plant_wrong)
			rw->opts->refuted++;
		reject(rw, a, c, REJ_UNPROVEN);
		return 0;
	}
	if (rw->opts->plant_wrong) {
		/* a wrong rewrite was proven: the prover is broken */
		return eobj_error(rw->o, EPROTO,
				  "section %s insns %u-%u: z3 accepted a planted wrong %s rewrite",
				  a->o->secs[a->sec].name, c->s0, c->e,
				  eins_op_name(c->op));
	}
	/* the op's extern, declared in BTF once per object */
	if (!(rw->declared & (1u << c->op))) {
		err = ensure_ksym_btf(rw->o, eins_op_func(c->op));
		if (err)
			return err;
		rw->declared |= 1u << c->op;
	}
	sym = eobj_add_extern(rw->o, eins_op_func(c->op));
	if (sym < 0)
		return sym;
	err = eobj_replace(rw->o, a->sec, c->s0, old_len(a, c), out, nout,
			   call_at, sym);
	if (err)
		return err;
	for (i = c->s0; i <= c->e; i++)
		a->used[i] = 1;
	rw->opts->proven++;
	rw->st->sites[c->op]++;
	{
		struct rewrite_func_stats *f = func_stats(rw->opts, rw->o, a->sec, c->s0);

		if (f)
			f->sites[c->op]++;
	}
	rw->edits++;
	if (rw->opts->verbose)
		fprintf(stderr, "eins-opt: %s: section %s insns %u-%u: %s (variant %#x imm %d), %d insns -> %d\n",
			rw->o->name, a->o->secs[a->sec].name, c->s0, c->e,
			eins_op_name(c->op), c->variant, c->imm, old_len(a, c), nout);
	return 1;
}

/* ---- candidate search ---- */

/*
 * The first insn a window ending at @i may start at: the start of its
 * basic block, but at most MAX_WALK insns back (what a candidate's slice
 * bitmap and rewrite buffers hold).
 */
static unsigned int window_floor(const struct ana *a, unsigned int i)
{
	unsigned int lo = i >= MAX_WALK ? i - MAX_WALK + 1 : 0;

	while (i > lo && !a->leader[i])
		i--;
	return i;
}

/*
 * The same for a window that may span hammocks (is_join): past each
 * join to the start of the block before its jump, while within MAX_WALK.
 */
static unsigned int ladder_floor(const struct ana *a, unsigned int e)
{
	unsigned int lim = e >= MAX_WALK ? e - MAX_WALK + 1 : 0;
	unsigned int i = window_floor(a, e);

	while (i >= lim + 2 && is_join(a, i)) {
		i = window_floor(a, i - 2);
		if (i < lim)
			i = lim;
	}
	return i;
}

/*
 * A byte swap of a register that an earlier load in the block filled:
 * reload it byte-swapped (the load stays for its other uses).
 */
static bool match_swap_load(const struct ana *a, unsigned int ld,
			    const struct trials *tr, struct cand *c)
{
	const struct bpf_insn *l = &a->insn[ld];
	int bytes, n;

	if (a->kind[ld] != K_LDX || BPF_MODE(l->code) != BPF_MEM)
		return false;
	bytes = BPF_SIZE(l->code) == BPF_DW ? 8 : BPF_SIZE(l->code) == BPF_W ? 4 :
		BPF_SIZE(l->code) == BPF_H ? 2 : 1;
	for (n = 2; n <= bytes; n *= 2) {
		if (!ALL_TRIALS(out == sem_bswap(x, 8 * n)))
			continue;
		cand_set(c, EINS_OP_SWAP_MEM, n == 2 ? EINS_SWAP_16 :
			 n == 4 ? EINS_SWAP_32 : EINS_SWAP_64, l->off, 2, 0);
		c->regs[1] = l->src_reg;
		return true;
	}
	return false;
}

/*
 * The best candidate ending at insn e, if any: how many are returned, the
 * first in @best; a second, in @alt, is to be tried if the first is not
 * taken.
 */
static int search_at(const struct ana *a, unsigned int e, struct cand *best,
		     struct cand *alt)
{
	unsigned int i, lo;
	u16 needed, leaves_ld = 0;
	int d = a->insn[e].dst_reg, loads[SEM_NREGS];
	struct cand c, inner;
	bool found = false, inner_found = false, lo_half = false, hammock;

	if (a->kind[e] != K_ALU || !(a->live_out[e] & bit(d)) || a->used[e])
		return false;
	lo = ladder_floor(a, e);
	memset(&c, 0, sizeof(c));
	c.d = d;
	c.e = e;
	needed = a->use[e];
	memset(loads, -1, sizeof(loads));
	/* walk back; i is the cut (the first insn of the window) */
	for (i = e;; i--) {
		hammock = false;
		if (i != e) {
			if (a->kind[i] == K_LD64_HI)
				goto next;
			if (is_join(a, i + 1)) {
				/*
				 * a hammock's move: it and its jump join the
				 * slice (d keeps its value when the jump is
				 * taken), or the window ends here
				 */
				if (!(a->def[i] & needed) || i < lo + 1)
					break;
				needed |= a->use[i] | a->use[i - 1];
				if (needed & leaves_ld)
					break;
				hammock = true;
				i--;	/* the cut is the jump */
			} else if (a->def[i] & needed) {
				if (a->kind[i] == K_LDX) {
					/* a loaded value is a leaf */
					loads[a->insn[i].dst_reg] = i;
					leaves_ld |= a->def[i];
					needed &= ~a->def[i];
					goto evaluate;
				}
				if (a->kind[i] != K_ALU && a->kind[i] != K_LD64)
					break;
				needed = (needed & ~a->def[i]) | a->use[i];
				/* read before the load that is its leaf */
				if (needed & leaves_ld)
					break;
			} else {
				goto next;
			}
		}
		/* a new slice insn at i: rebase the slice bitmap on i */
		{
			struct cand n = c;
			unsigned int k;

			memset(n.slice, 0, sizeof(n.slice));
			n.s0 = i;
			for (k = i; k <= e; k++)
				if (k == i || (hammock && k == i + 1) || in_slice(&c, k))
					slice_set(&n, k);
			n.slice_len = c.slice_len + 1 + hammock;
			c = n;
		}
evaluate:
		{
			struct trials tr = {};
			const struct consts *k = &a->cin[i];
			u16 vars = (needed & ~k->known) | leaves_ld;
			int r, nl = 0;
			struct cand m = c;

			for (r = 0; r < SEM_NREGS; r++)
				if (vars & bit(r)) {
					if (nl == 2) {
						nl = 3;
						break;
					}
					tr.leaf[nl++] = r;
				}
			if (nl < 1 || nl > 2 || (needed | leaves_ld) & bit(10))
				goto next;
			tr.derived = -1;
			for (r = 0; nl == 2 && r < 2; r++) {
				int dr = tr.leaf[r], b = tr.leaf[!r];

				/* one leaf a relation of the other: one input */
				if ((k->related & bit(dr)) && k->rbase[dr] == b &&
				    !(leaves_ld & bit(dr))) {
					tr.derived = dr;
					tr.dop = k->rop[dr];
					tr.leaf[0] = b;
					nl = 1;
				}
			}
			tr.nr_leaves = nl;
			if (!eval_slice(a, &m, k, &tr, lo_half))
				goto next;
			if (nl == 1 && loads[tr.leaf[0]] >= 0 && !(needed & k->known) &&
			    match_swap_load(a, loads[tr.leaf[0]], &tr, &m)) {
				/* the window starts at the load */
				m.s0 = loads[tr.leaf[0]];
				memset(m.slice, 0, sizeof(m.slice));
				for (r = m.s0; r <= (int)e; r++)
					if (in_slice(&c, r) || r == (int)m.s0)
						slice_set(&m, r);
				m.slice_len = c.slice_len + 1;
			} else if (c.slice_len < 2 ||
				   !(nl == 1 ? match_one(&tr, &m, tr.leaf[0]) ||
					       (c.slice_len >= 4 &&
						match_mul_const(a, &c, k, &tr, &m)) :
					       match_two(&tr, &m, c.slice_len) ||
					       (c.slice_len >= 4 &&
						match_mul_const_add(a, &c, k, &tr, loads, &m)))) {
				/* second choice: the op on a value on the way */
				if (c.slice_len >= 4 && match_inner(a, &c, k, &tr, &m) &&
				    (!inner_found || m.slice_len > inner.slice_len)) {
					inner = m;
					inner_found = true;
				}
				/*
				 * Nothing reads d's upper half: try 32-bit ops on
				 * its low half (clang's code for u32 without ALU32
				 * leaves the upper half to a later mask).
				 */
				if (!lo_half && !(a->hi_live_out[e] & bit(d))) {
					lo_half = true;
					goto evaluate;
				}
				goto next;
			}
			if (!found || m.slice_len > best->slice_len) {
				*best = m;
				found = true;
			}
		}
next:
		lo_half = false;
		if (i == lo || c.slice_len >= MAX_SLICE)
			break;
	}
	/*
	 * The op on a value on the way: if nothing else, or first if it
	 * drops more insns than the op found on the leaves, which is then
	 * the second choice (at -mcpu=v1 a log2 ladder ends in a 32-bit
	 * add, a shift_add on its own).
	 */
	if (!inner_found)
		return found;
	if (!found) {
		*best = inner;
		return 1;
	}
	if (inner.slice_len <= best->slice_len)
		return 1;
	*alt = *best;
	*best = inner;
	return 2;
}

/*
 * The skipped arm loads a constant: d = imm (64-bit, or 32-bit, which
 * zero-extends) or a 64-bit immediate.  True with d and the value.
 */
static bool const_arm(const struct ana *a, unsigned int j, int *d, u64 *v)
{
	const struct bpf_insn *mv = &a->insn[j + 1];
	u64 r[SEM_NREGS] = {};

	if (a->kind[j + 1] == K_LD64 && !a->reloc[j + 1] && !mv->src_reg &&
	    a->insn[j].off == 2 && j + 3 <= a->n) {
		sem_alu(mv, r);
		*v = r[mv->dst_reg];
	} else if (mv->code == (BPF_ALU64 | BPF_MOV | BPF_K) && a->insn[j].off == 1) {
		*v = (u64)(long long)mv->imm;
	} else if (mv->code == (BPF_ALU | BPF_MOV | BPF_K) && a->insn[j].off == 1) {
		*v = (unsigned int)mv->imm;
	} else {
		return false;
	}
	*d = mv->dst_reg;
	return true;
}

/* a register other than @not that is known to hold @v at insn i, or -1 */
static int const_reg(const struct ana *a, unsigned int i, u64 v, int not)
{
	const struct consts *k = &a->cin[i];
	int reg;

	for (reg = 0; reg < 10; reg++)
		if (reg != not && (k->known & bit(reg)) && k->v[reg] == v)
			return reg;
	return -1;
}

/* cond jump over one register move: d = (a cc b) ? x : y */
static bool search_select(const struct ana *a, unsigned int j, struct cand *c)
{
	const struct bpf_insn *jmp = &a->insn[j], *mv = &a->insn[j + 1];
	unsigned int q, lo;
	int d, x, y = -1, op = BPF_OP(jmp->code);
	bool is32 = BPF_CLASS(jmp->code) == BPF_JMP32, imm = BPF_SRC(jmp->code) == BPF_K;
	bool karm;
	u64 kv = 0;

	if (a->kind[j] != K_JUMP || j + 2 > a->n || a->jtarget[j + 1])
		return false;
	d = mv->dst_reg;
	karm = const_arm(a, j, &d, &kv);
	if (karm)
		y = const_reg(a, j, kv, d);
	else if (jmp->off != 1 || mv->code != (BPF_ALU64 | BPF_MOV | BPF_X) ||
		 mv->off)
		return false;
	else
		y = mv->src_reg;
	if (!(a->live_out[j + 1] & bit(d)))
		return false;
	lo = window_floor(a, j);
	memset(c, 0, sizeof(*c));
	/*
	 * An immediate arm no register holds (a clamp's bound, the 0 of
	 * "c ? 1 : 0"): apply loads it into a dead register before the
	 * site.  The compare's registers are read after that load.
	 */
	if (y < 0) {
		c->kslot = 3;
		c->kval = kv;
		c->avoid = bit(jmp->dst_reg) | (imm ? 0 : bit(jmp->src_reg));
		y = d;	/* a placeholder until apply picks the register */
	}
	c->d = d;
	c->e = j + 1;
	c->s0 = j;
	x = d;
	/* the last write of d before the jump: x, if it is a move */
	for (q = j; q-- > lo;) {
		if (a->kind[q] == K_LD64_HI)
			continue;
		if (a->def[q] & bit(d)) {
			if (a->insn[q].code == (BPF_ALU64 | BPF_MOV | BPF_X) &&
			    !a->insn[q].off) {
				x = a->insn[q].src_reg;
				c->s0 = q;
			}
			break;
		}
	}
	memset(c->slice, 0, sizeof(c->slice));
	if (c->s0 != j)
		slice_set(c, c->s0);
	slice_set(c, j);
	slice_set(c, j + 1);
	c->slice_len = c->s0 != j ? 3 : 2;
	cand_set(c, EINS_OP_SELECT,
		 op | (is32 ? EINS_SEL_32 : 0) | (imm ? EINS_SEL_IMM : 0),
		 imm ? jmp->imm : 0, imm ? 4 : 5, 0);
	/* the compare reads d before the move we drop: it reads x then */
	c->regs[1] = jmp->dst_reg == d ? x : jmp->dst_reg;
	c->regs[2] = x;
	c->regs[3] = y;
	if (!imm)
		c->regs[4] = jmp->src_reg == d ? x : jmp->src_reg;
	return true;
}

/* swapped register stored, then dead: a byte-swapping store */
static bool search_swap_store(const struct ana *a, unsigned int p, struct cand *c)
{
	const struct bpf_insn *st = &a->insn[p], *sw;
	int v = st->src_reg, bytes;
	unsigned int q, lo = window_floor(a, p);

	if (a->kind[p] != K_STORE || BPF_CLASS(st->code) != BPF_STX ||
	    BPF_SIZE(st->code) == BPF_B || (a->live_out[p] & bit(v)) ||
	    v == st->dst_reg)
		return false;
	bytes = BPF_SIZE(st->code) == BPF_DW ? 8 : BPF_SIZE(st->code) == BPF_W ? 4 : 2;
	for (q = p; q-- > lo;) {
		if (a->kind[q] == K_LD64_HI)
			continue;
		if ((a->def[q] | a->use[q]) & bit(v))
			break;
	}
	if (q == (unsigned int)-1 || q < lo)
		return false;
	sw = &a->insn[q];
	if (BPF_OP(sw->code) != BPF_END || sw->dst_reg != v || sw->imm != bytes * 8 ||
	    (BPF_CLASS(sw->code) == BPF_ALU && BPF_SRC(sw->code) == BPF_TO_LE))
		return false;
	memset(c, 0, sizeof(*c));
	c->s0 = q;
	c->e = p;
	slice_set(c, q);
	slice_set(c, p);
	c->slice_len = 2;
	cand_set(c, EINS_OP_SWAP_MEM, EINS_SWAP_STORE | (bytes == 2 ? EINS_SWAP_16 :
		 bytes == 4 ? EINS_SWAP_32 : EINS_SWAP_64), st->off, 2, 1);
	c->d = st->dst_reg;	/* operand 0 is the base */
	c->regs[1] = v;
	return true;
}

static int rewrite_round(struct rw *rw, int sec)
{
	struct ana a;
	struct cand c, alt;
	long e;
	int ret, n;

	ret = analyse(rw->o, sec, &a);
	if (ret) {
		ana_free(&a);
		return ret < 0 ? ret : 0;
	}
	/* from the end, so the largest windows claim their insns first */
	for (e = a.n - 1; e >= 0; e--) {
		if (a.kind[e] == K_LD64_HI)
			continue;
		ret = 0;
		if (search_select(&a, e, &c) || search_swap_store(&a, e, &c)) {
			ret = apply(rw, &a, &c);
		} else if ((n = search_at(&a, e, &c, &alt))) {
			ret = apply(rw, &a, &c);
			if (!ret && n > 1)
				ret = apply(rw, &a, &alt);
		}
		if (ret < 0)
			break;
	}
	ana_free(&a);
	return ret < 0 ? ret : 0;
}

/*
 * Whether the object's license is one the kernel lets call kfuncs (its
 * license_is_gpl_compatible()): a site is a kfunc call, and the verifier
 * refuses it in any other program ("cannot call kernel function from
 * non-GPL compatible program").
 */
static bool gpl_compatible(const struct eobj *o)
{
	static const char *const ok[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
		"Dual MIT/GPL", "Dual MPL/GPL",
	};
	unsigned int i;
	int sec;

	for (sec = 1; sec < o->nr_secs; sec++) {
		const char *lic = o->secs[sec].data;

		if (strcmp(o->secs[sec].name, "license") || !lic ||
		    !memchr(lic, 0, o->secs[sec].size))
			continue;
		for (i = 0; i < ARRAY_LEN(ok); i++)
			if (!strcmp(lic, ok[i]))
				return true;
	}
	return false;
}

int eins_rewrite_obj(struct eobj *o, struct rewrite_opts *opts)
{
	struct rw rw = { .o = o, .opts = opts };
	int sec, round, rounds, err, i;

	opts->secs = calloc(o->nr_secs, sizeof(*opts->secs));
	if (!opts->secs)
		return -ENOMEM;
	opts->nr_secs = o->nr_secs;
	err = func_sizes(opts, o, false);
	if (err)
		return err;
	for (sec = 1; sec < o->nr_secs; sec++)
		if (eobj_is_code(o, sec)) {
			snprintf(opts->secs[sec].name, sizeof(opts->secs[sec].name),
				 "%s", o->secs[sec].name);
			opts->secs[sec].insns_before = o->secs[sec].size / 8;
		}
	/* no site in a program that may not call kfuncs: no round */
	rounds = gpl_compatible(o) ? MAX_ROUNDS : 0;
	if (!rounds && opts->verbose)
		fprintf(stderr, "eins-opt: %s: license not GPL-compatible: no sites\n",
			o->name);
	for (round = 0; round < rounds; round++) {
		rw.edits = 0;
		for (sec = 1; sec < o->nr_secs; sec++) {
			if (!eobj_is_code(o, sec) || !o->secs[sec].size)
				continue;
			rw.st = &opts->secs[sec];
			err = rewrite_round(&rw, sec);
			if (err)
				return err;
		}
		if (!rw.edits)
			break;
		err = eobj_commit(o);
		if (err)
			return err;
	}
	for (i = 1; i < o->nr_secs && i < opts->nr_secs; i++)
		if (eobj_is_code(o, i))
			opts->secs[i].insns_after = o->secs[i].size / 8;
	return func_sizes(opts, o, true);
}

void rewrite_print_report(const char *in, const struct rewrite_opts *opts,
			  double secs)
{
	unsigned int tot_b = 0, tot_a = 0, tot_s = 0;
	int i, op, r, f;

	for (i = 1; i < opts->nr_secs; i++) {
		const struct rewrite_sec_stats *s = &opts->secs[i];
		unsigned int n = 0, rej = 0;

		if (!s->insns_before)
			continue;
		for (op = 0; op < EINS_NR_OPS; op++)
			n += s->sites[op];
		for (r = 0; r < NR_REJ; r++)
			rej += s->rejected[r];
		tot_b += s->insns_before;
		tot_a += s->insns_after;
		tot_s += n;
		printf("%s: section %-24s insns %5u -> %5u, %3u sites", in,
		       s->name, s->insns_before, s->insns_after, n);
		for (op = 0; op < EINS_NR_OPS; op++)
			if (s->sites[op])
				printf(" %s=%u", eins_op_name(op), s->sites[op]);
		if (rej) {
			printf("; rejected %u:", rej);
			for (r = 0; r < NR_REJ; r++)
				if (s->rejected[r])
					printf(" %s=%u", rej_names[r], s->rejected[r]);
		}
		printf("\n");
		for (f = 0; f < opts->nr_funcs; f++) {
			const struct rewrite_func_stats *fs = &opts->funcs[f];
			unsigned int fn = 0;

			if (fs->sec != i)
				continue;
			for (op = 0; op < EINS_NR_OPS; op++)
				fn += fs->sites[op];
			printf("%s:   program %-30s insns %5u -> %5u, %3u sites", in,
			       fs->name, fs->insns_before, fs->insns_after, fn);
			for (op = 0; op < EINS_NR_OPS; op++)
				if (fs->sites[op])
					printf(" %s=%u", eins_op_name(op), fs->sites[op]);
			printf("\n");
		}
	}
	printf("%s: total insns %u -> %u, %u sites, %.3f s\n", in, tot_b, tot_a,
	       tot_s, secs);
}

/* ---- BTF: the extern declarations libbpf needs for a new site's op ---- */

/*
 * Add FUNC @name (extern, void(void)) to .BTF and to its .ksyms DATASEC,
 * as clang does for `extern void eins_rotate(void) __ksym`, unless the
 * object already declares it.
 */
static int ensure_ksym_btf(struct eobj *o, const char *name)
{
	struct eobj_sec *b;
	const struct btf_header *h;
	const struct btf_type *bt;
	const char *types, *strs;
	char *nb;
	long pos = 0, ksyms_end = -1, add_at;
	__u32 nr = 0, proto_id = 0, name_off, ksyms_off = 0, tlen, slen;
	struct btf_type t[2];
	struct btf_var_secinfo vs;
	struct btf_header nh;
	size_t nsize;

	if (!o->btf) {
		/* built without -g: an empty BTF (header and the "" string) */
		struct btf_header e = { .magic = BTF_MAGIC, .version = BTF_VERSION,
					.hdr_len = sizeof(e), .str_len = 1 };
		char blob[sizeof(e) + 1] = {};
		GElf_Shdr sh = { .sh_type = SHT_PROGBITS, .sh_addralign = 4 };
		int sec;

		memcpy(blob, &e, sizeof(e));
		sec = eobj_add_sec(o, ".BTF", &sh, blob, sizeof(blob));
		if (sec < 0)
			return sec;
		o->btf = sec;
	}
	if (!eobj_btf(o, &types, &tlen, &strs, &slen))
		return eobj_error(o, EINVAL, ".BTF: bad header");
	b = &o->secs[o->btf];
	h = b->data;
	while ((bt = btf_walk(types, tlen, &pos))) {
		const char *nm = bt->name_off < slen ? strs + bt->name_off : "";
		int kind = BTF_INFO_KIND(bt->info);

		nr++;
		if (kind == BTF_KIND_FUNC && !strcmp(nm, name))
			return 0;
		if (kind == BTF_KIND_FUNC_PROTO && !BTF_INFO_VLEN(bt->info) &&
		    !bt->type && !proto_id)
			proto_id = nr;
		if (kind == BTF_KIND_DATASEC && !strcmp(nm, ".ksyms"))
			ksyms_end = pos, ksyms_off = (const char *)bt - types;
	}
	/* new strings: the name (and ".ksyms") */
	nsize = b->size + 3 * sizeof(struct btf_type) + sizeof(vs) +
		strlen(name) + 8 + 16;
	nb = calloc(1, nsize);
	if (!nb)
		return -ENOMEM;
	memcpy(nb, h, h->hdr_len);
	memcpy(&nh, h, sizeof(nh));
	/* types first, then strings */
	add_at = h->hdr_len;
	memcpy(nb + add_at, types, ksyms_end >= 0 ? ksyms_end : tlen);
	pos = add_at + (ksyms_end >= 0 ? ksyms_end : tlen);
	name_off = slen;
	memset(t, 0, sizeof(t));
	if (ksyms_end >= 0) {
		struct btf_type *ks = (void *)(nb + add_at + ksyms_off);

		/* FUNC's id: after every existing type (and the new proto) */
		vs.type = nr + 1 + !proto_id;
		vs.offset = 0;
		vs.size = 0;
		memcpy(nb + pos, &vs, sizeof(vs));
		pos += sizeof(vs);
		ks->info = BTF_INFO_ENC(BTF_KIND_DATASEC, 0, BTF_INFO_VLEN(ks->info) + 1);
		memcpy(nb + pos, types + ksyms_end, tlen - ksyms_end);
		pos += tlen - ksyms_end;
	}
	if (!proto_id) {
		t[0].info = BTF_INFO_ENC(BTF_KIND_FUNC_PROTO, 0, 0);
		memcpy(nb + pos, &t[0], sizeof(t[0]));
		pos += sizeof(t[0]);
		proto_id = ++nr;
	}
	t[1].name_off = name_off;
	t[1].info = BTF_INFO_ENC(BTF_KIND_FUNC, 0, BTF_FUNC_EXTERN);
	t[1].type = proto_id;
	memcpy(nb + pos, &t[1], sizeof(t[1]));
	pos += sizeof(t[1]);
	nr++;
	if (ksyms_end < 0) {
		struct btf_type ds = {
			.name_off = slen + strlen(name) + 1,
			.info = BTF_INFO_ENC(BTF_KIND_DATASEC, 0, 1),
		};

		vs.type = nr;
		vs.offset = 0;
		vs.size = 0;
		memcpy(nb + pos, &ds, sizeof(ds));
		pos += sizeof(ds);
		memcpy(nb + pos, &vs, sizeof(vs));
		pos += sizeof(vs);
	}
	nh.type_off = 0;
	nh.type_len = pos - add_at;
	nh.str_off = nh.type_len;
	memcpy(nb + pos, strs, slen);
	pos += slen;
	strcpy(nb + pos, name);
	pos += strlen(name) + 1;
	if (ksyms_end < 0) {
		strcpy(nb + pos, ".ksyms");
		pos += 7;
	}
	nh.str_len = pos - add_at - nh.type_len;
	memcpy(nb, &nh, sizeof(nh));
	free(b->data);
	b->data = nb;
	b->size = pos;
	b->shdr.sh_size = pos;
	return 0;
}
