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
 * insns (but for a table lookup's table address, which the site drops) or
 * existing sites.
 * Rewriting runs in rounds, re-analysing after each, so a window found
 * inside another's leftover insns is taken in the next round.
 *
 * The stages live apart: analysis.c (per-insn facts: kinds, liveness,
 * constants), match.c (steps 1 and 2), prove.c (step 3's z3 check) and
 * this file, which proves each candidate (prove_cand) before it edits the
 * object for it (edit_cand), and drives the rounds.
 */
#include "rewrite_int.h"

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
		if ((a->reloc[i] && i + 1 != c->table_at) ||
		    a->kind[i] == K_CALL || a->kind[i] == K_EXIT ||
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

/*
 * The proof stage for @c: check its window, build the rewritten window
 * (@out, with the site's call at @call_at) and prove it equal to the
 * original with z3.  Nothing is edited.  1 if proven, 0 if rejected,
 * < 0 on error.
 */
static int prove_cand(struct rw *rw, struct ana *a, struct cand *c,
		      struct bpf_insn *out, int *nout, int *call_at)
{
	struct bpf_insn chk[MAX_WALK + EINS_PROOF_MAX + 8];
	int nchk, first = c->nr_regs, why;
	struct prove_table tab;

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
	if (build(rw, a, c, out, nout, call_at, chk, &nchk)) {
		/* the op may want its result apart from its inputs (mul_high):
		 * write it to the first dead register and move it
		 */
		c->via = pick_dead(a, c, first, c->nr_scratch + 1);
		if (c->via) {
			c->regs[0] = c->regs[first];
			memmove(&c->regs[first], &c->regs[first + 1], c->nr_scratch);
		}
		if (!c->via || build(rw, a, c, out, nout, call_at, chk, &nchk)) {
			reject(rw, a, c, REJ_OPERANDS);
			return 0;
		}
	}
	if (c->table_at)
		tab = (struct prove_table){
			.at = c->table_at - 1 - c->s0,
			.bytes = c->table, .len = c->table_len,
			.split_at = c->split_at ? (int)(c->split_at - 1 - c->s0) : -1,
			.split_reg = c->split_reg,
		};
	if (!prove(&a->insn[c->s0], old_len(a, c), chk, nchk, a->live_out[c->e],
		   a->hi_live_out[c->e], &a->cin[c->s0], a->use[c->s0] | a->live_out[c->s0],
		   c->table_at ? &tab : NULL)) {
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
	return 1;
}

/*
 * The edit stage for a proven @c: declare the op's extern, replace the
 * window with @out and count the site.  1 if applied, < 0 on error.
 */
static int edit_cand(struct rw *rw, struct ana *a, const struct cand *c,
		     const struct bpf_insn *out, int nout, int call_at)
{
	struct rewrite_func_stats *f;
	unsigned int i;
	int sym, err;

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
	f = func_stats(rw->opts, rw->o, a->sec, c->s0);
	if (f)
		f->sites[c->op]++;
	rw->edits++;
	if (rw->opts->verbose)
		fprintf(stderr, "eins-opt: %s: section %s insns %u-%u: %s (variant %#x imm %d), %d insns -> %d\n",
			rw->o->name, a->o->secs[a->sec].name, c->s0, c->e,
			eins_op_name(c->op), c->variant, c->imm, old_len(a, c), nout);
	return 1;
}

/* prove the rewrite of @c, then make it; 1 if applied */
static int apply(struct rw *rw, struct ana *a, struct cand *c)
{
	struct bpf_insn out[MAX_WALK + 16];
	int nout, call_at, err;

	err = prove_cand(rw, a, c, out, &nout, &call_at);
	if (err <= 0)
		return err;
	return edit_cand(rw, a, c, out, nout, call_at);
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
		if (search_select(&a, e, &c) || search_swap_store(&a, e, &c) ||
		    search_table(&a, e, &c)) {
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

