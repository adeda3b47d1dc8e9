// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The rewriter's proof: z3 on a candidate window (rewrite.c). */
#include "rewrite_int.h"

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
 * Run @old, with @tab's table address a fresh constant @base (any address
 * holding the table), and the split insn's result in *@split.  The pieces
 * run apart, so @old may not jump.
 */
static int run_old(Z3_context c, const struct bpf_insn *old, int nold,
		   struct sym_state *st, const struct prove_table *tab,
		   Z3_ast base, Z3_ast *split)
{
	int at = 0, stop, i;

	if (!tab)
		return sym_run(c, old, nold, st);
	for (i = 0; i < nold; i++)
		if ((BPF_CLASS(old[i].code) == BPF_JMP ||
		     BPF_CLASS(old[i].code) == BPF_JMP32))
			return -1;
	while (at < nold) {
		stop = nold;
		if (tab->at >= at && tab->at + 2 < stop)
			stop = tab->at + 2;
		if (tab->split_at >= at && tab->split_at + 1 < stop)
			stop = tab->split_at + 1;
		if (sym_run(c, old + at, stop - at, st))
			return -1;
		if (stop == tab->at + 2)
			st->r[old[tab->at].dst_reg] = base;
		if (stop == tab->split_at + 1)
			*split = st->r[tab->split_reg];
		at = stop;
	}
	return 0;
}

/* a solver check, with the rewriter's limits: true if unsatisfiable */
static bool unsat(Z3_context c, Z3_solver sol)
{
	Z3_lbool res = Z3_solver_check(c, sol);

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
	return res == Z3_L_FALSE;
}

/* a solver with the rewriter's limits */
static Z3_solver new_solver(Z3_context c)
{
	Z3_solver sol;
	Z3_params p;

	/* (each object's reference before the next call may free it) */
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
	Z3_params_dec_ref(c, p);
	return sol;
}

/*
 * The proof of a window with a table lookup: the table's bytes are in
 * memory at its address.  With a split term, each of its 65 values (0 or
 * one bit) is a case, and z3 must refute "none of them" on its own, so
 * the cases cover every input.  Each case gets a solver of its own: z3
 * simplifies a first check with the case's value substituted for the
 * term, which an incremental check (push, pop) does not.
 */
static bool unsat_cases(Z3_context c, Z3_solver base_sol,
			const struct sym_state *s0,
			const struct prove_table *tab, Z3_ast base, Z3_ast split)
{
	Z3_sort bv64 = Z3_mk_bv_sort(c, 64), bv8 = Z3_mk_bv_sort(c, 8);
	Z3_ast_vector asserts;
	Z3_ast none[65];
	unsigned int i, n;
	int v;
	bool ok = true;

	/* (the index must stay in the first 256 bytes to be proven) */
	for (i = 0; i < tab->len && i < 256; i++)
		Z3_solver_assert(c, base_sol, Z3_mk_eq(c,
			Z3_mk_select(c, s0->mem, Z3_mk_bvadd(c, base,
				Z3_mk_unsigned_int64(c, i, bv64))),
			Z3_mk_unsigned_int64(c, tab->bytes[i], bv8)));
	if (!split)
		return unsat(c, base_sol);
	asserts = Z3_solver_get_assertions(c, base_sol);
	Z3_ast_vector_inc_ref(c, asserts);
	n = Z3_ast_vector_size(c, asserts);
	for (v = -1; v < 65 && ok; v++) {
		Z3_solver sol = new_solver(c);

		/* (the cover holds for every input: no other assertion) */
		for (i = 0; i < n && v < 64; i++)
			Z3_solver_assert(c, sol, Z3_ast_vector_get(c, asserts, i));
		if (v < 64) {
			Z3_ast val = Z3_mk_unsigned_int64(c, v < 0 ? 0 : 1ULL << v, bv64);

			none[v + 1] = Z3_mk_not(c, Z3_mk_eq(c, split, val));
			Z3_solver_assert(c, sol, Z3_mk_eq(c, split, val));
		} else {
			Z3_solver_assert(c, sol, Z3_mk_and(c, 65, none));
		}
		ok = unsat(c, sol);
		Z3_solver_dec_ref(c, sol);
	}
	Z3_ast_vector_dec_ref(c, asserts);
	return ok;
}

/*
 * Prove that @old and @new (both @nold/@nnew insns) leave the registers in
 * @live and memory equal, given what @k knows of registers in @live_in
 * (constants, relations, zero upper halves) and @tab's table, if set.
 */
bool prove(const struct bpf_insn *old, int nold, const struct bpf_insn *new,
	   int nnew, u16 live, u16 hi_live, const struct consts *k,
	   u16 live_in, const struct prove_table *tab)
{
	Z3_context c = z3_new();
	struct sym_state s0, s1, s2;
	Z3_ast diff[SEM_NREGS + 1], split = NULL, base;
	Z3_solver sol;
	int i, nd = 0;
	bool ok = false;

	sym_init(c, &s0, "in");
	s1 = s0;
	s2 = s0;
	base = Z3_mk_const(c, Z3_mk_string_symbol(c, "table"), Z3_mk_bv_sort(c, 64));
	if (run_old(c, old, nold, &s1, tab, base, &split) ||
	    sym_run(c, new, nnew, &s2))
		goto out;
	sol = new_solver(c);
	for (i = 0; i < SEM_NREGS; i++)
		if (k->known & live_in & bit(i))
			Z3_solver_assert(c, sol, Z3_mk_eq(c, s0.r[i],
				Z3_mk_unsigned_int64(c, k->v[i], Z3_mk_bv_sort(c, 64))));
	for (i = 0; i < SEM_NREGS; i++)
		if (k->hz & live_in & bit(i))
			Z3_solver_assert(c, sol, Z3_mk_eq(c,
				Z3_mk_extract(c, 63, 32, s0.r[i]),
				Z3_mk_unsigned_int64(c, 0, Z3_mk_bv_sort(c, 32))));
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
	ok = tab ? unsat_cases(c, sol, &s0, tab, base, split) : unsat(c, sol);
out_solver:
	Z3_solver_dec_ref(c, sol);
out:
	Z3_del_context(c);
	return ok;
}
