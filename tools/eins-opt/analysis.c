// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The rewriter's analysis: per-insn facts of a code section (rewrite.c). */
#include "rewrite_int.h"

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

long jump_dest(const struct bpf_insn *in, unsigned int i)
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

/*
 * Whether insn i leaves the upper 32 bits of its result zero, given the
 * registers @hz whose upper halves are zero before it: 32-bit ALU ops and
 * byte swaps of 32 bits or less (they zero-extend), loads of 4 bytes or
 * less, a mask or move of a non-negative immediate, a right shift by 32
 * or more, and ops that cannot set bits their zero-half operands lack.
 */
static bool hz_result(const struct ana *a, unsigned int i, u16 hz)
{
	const struct bpf_insn *in = &a->insn[i];
	bool dst = hz & bit(in->dst_reg), x = BPF_SRC(in->code) == BPF_X;
	bool src = x ? !!(hz & bit(in->src_reg)) : in->imm >= 0;

	if (a->kind[i] == K_LDX)
		return BPF_MODE(in->code) == BPF_MEM && BPF_SIZE(in->code) != BPF_DW;
	if (a->kind[i] != K_ALU)
		return false;
	if (BPF_OP(in->code) == BPF_END)
		return in->imm <= 32;
	if (BPF_CLASS(in->code) == BPF_ALU)
		return true;
	switch (BPF_OP(in->code)) {
	case BPF_MOV:
		return !in->off && src;
	case BPF_AND:
		return dst || src;
	case BPF_OR:
	case BPF_XOR:
		return dst && src;
	case BPF_RSH:
		return dst || (!x && in->imm >= 32);
	case BPF_DIV:
	case BPF_MOD:
		return dst && !in->off;	/* unsigned: no larger than dst */
	default:
		return false;
	}
}

static void hz_step(const struct ana *a, unsigned int i, struct consts *c)
{
	bool z = hz_result(a, i, c->hz);
	int d = a->insn[i].dst_reg;

	if (a->kind[i] == K_OTHER)
		c->hz = 0;
	c->hz &= ~a->def[i];
	if (d < SEM_NREGS && (a->def[i] & bit(d)) &&
	    (z || ((c->known & bit(d)) && !(c->v[d] >> 32))))
		c->hz |= bit(d);
}

/*
 * What the edge from the conditional jump at p to i tells: an unsigned
 * bound below 2^32 on a register (log2l's "if (v < 1ULL << 32)" arm, a
 * compare with a constant in a register or an immediate) zeroes its
 * upper half there.
 */
static void edge_facts(const struct ana *a, unsigned int p, unsigned int i,
		       struct consts *c)
{
	const struct bpf_insn *in = &a->insn[p];
	bool taken = jump_dest(in, p) == i, fall = p + 1 == i;
	int op = BPF_OP(in->code), r = in->dst_reg, n;
	u64 k, lim;

	if (a->kind[p] != K_JUMP || taken == fall ||
	    BPF_CLASS(in->code) != BPF_JMP || r >= SEM_NREGS)
		return;
	if (BPF_SRC(in->code) == BPF_K) {
		if (in->imm < 0)
			return;
		k = in->imm;
	} else if (in->src_reg < SEM_NREGS && (c->known & bit(in->src_reg)) &&
		   !(c->known & bit(r))) {
		k = c->v[in->src_reg];
	} else if (in->src_reg < SEM_NREGS && (c->known & bit(r)) &&
		   !(c->known & bit(in->src_reg))) {
		/* k OP src: the same bound on src, the other way round */
		k = c->v[r];
		r = in->src_reg;
		op = op == BPF_JGT ? BPF_JLT : op == BPF_JGE ? BPF_JLE :
		     op == BPF_JLT ? BPF_JGT : op == BPF_JLE ? BPF_JGE : op;
	} else {
		return;
	}
	/* lim: r < lim on this edge, 0 if no bound */
	n = fall ? (op == BPF_JGT ? BPF_JLE : op == BPF_JGE ? BPF_JLT :
		    op == BPF_JNE ? BPF_JEQ : 0) : op;
	lim = n == BPF_JLT ? k : (n == BPF_JLE || n == BPF_JEQ) && k < ~0ULL ? k + 1 : 0;
	if (lim && lim <= 1ULL << 32)
		c->hz |= bit(r);
}

/* transfer constants and relations through insn i */
void const_step(const struct ana *a, unsigned int i, struct consts *c)
{
	const struct bpf_insn *in = &a->insn[i];
	u64 r[SEM_NREGS] = {};
	int d = in->dst_reg, k;

	rel_step(a, i, c);
	if (a->kind[i] == K_LD64 && !a->reloc[i] && !in->src_reg) {
		sem_alu(in, r);
		c->known |= bit(d);
		c->v[d] = r[d];
		goto hz;
	}
	if (a->kind[i] == K_ALU && d < SEM_NREGS &&
	    (a->use[i] & ~c->known) == 0) {
		for (k = 0; k < SEM_NREGS; k++)
			r[k] = c->v[k];
		if (sem_alu(in, r)) {
			c->known |= bit(d);
			c->v[d] = r[d];
			goto hz;
		}
	}
	if (a->kind[i] == K_OTHER)
		c->known = 0;	/* sites, atomics, legacy loads */
	c->known &= ~a->def[i];
hz:
	hz_step(a, i, c);
}

static void meet(struct consts *dst, const struct consts *src, bool *first)
{
	int k;

	if (*first) {
		*dst = *src;
		*first = false;
		return;
	}
	dst->hz &= src->hz;
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
					if (done[preds[i][p]]) {
						struct consts e = out[preds[i][p]];

						edge_facts(a, preds[i][p], i, &e);
						meet(&in, &e, &first);
					}
			/*
			 * Not reached yet: a block that only later insns jump
			 * to waits for them rather than starting from nothing
			 * known, which the meet could never take back
			 */
			if (first && !a->func_start[i] && npred[i])
				continue;
			if (first) {
				in.known = 0;
				in.hz = 0;
			}
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

int analyse(struct eobj *o, int sec, struct ana *a)
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

void ana_free(struct ana *a)
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
bool is_join(const struct ana *a, unsigned int i)
{
	if (i < 2 || i >= a->n || a->kind[i - 2] != K_JUMP || a->nr_in[i] != 1 ||
	    jump_dest(&a->insn[i - 2], i - 2) != i || a->jtarget[i - 1] ||
	    a->func_start[i - 1] || a->func_start[i])
		return false;
	return a->kind[i - 1] == K_ALU && BPF_OP(a->insn[i - 1].code) == BPF_MOV;
}
