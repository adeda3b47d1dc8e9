/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The semantic rewriter: idioms of stock clang output -> kinsn sites. */
#ifndef EINS_REWRITE_H
#define EINS_REWRITE_H

#include <stdbool.h>
#include "elfobj.h"
#include "ops_user.h"

enum rewrite_reject {
	REJ_LIVE_TEMP,		/* a temporary of the window is still live */
	REJ_JUMP_IN,		/* a jump enters the window in the middle */
	REJ_INTERLEAVED,	/* other insns in the window use its registers */
	REJ_NO_SCRATCH,		/* no dead register for the op's scratch */
	REJ_UNPROVEN,		/* z3 did not prove the rewrite */
	REJ_MEMORY,		/* a store or call between load and use */
	REJ_NO_GAIN,		/* the site would not be shorter */
	REJ_OPERANDS,		/* the op's validate refuses the registers */
	NR_REJ,
};

struct rewrite_sec_stats {
	char name[64];
	unsigned int sites[EINS_NR_OPS];
	unsigned int rejected[NR_REJ];
	unsigned int insns_before, insns_after;
};

/* per program (function symbol) */
struct rewrite_func_stats {
	char name[64];
	int sec;
	unsigned int sites[EINS_NR_OPS];
	unsigned int insns_before, insns_after;
};

struct rewrite_opts {
	bool verbose, report;
	/* test hook: corrupt each candidate's proof (z3 must refuse all) */
	bool plant_wrong;
	struct rewrite_sec_stats *secs;
	int nr_secs;
	struct rewrite_func_stats *funcs;
	int nr_funcs;
	unsigned int proven, refuted;
};

int eins_rewrite_obj(struct eobj *o, struct rewrite_opts *opts);
void rewrite_print_report(const char *in, const struct rewrite_opts *opts,
			  double secs);

#endif
