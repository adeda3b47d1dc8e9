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
 * Prove that @old and @new (both @nold/@nnew insns) leave the registers in
 * @live and memory equal, given the constants @k of registers in @live_in.
 */
bool prove(const struct bpf_insn *old, int nold, const struct bpf_insn *new,
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
