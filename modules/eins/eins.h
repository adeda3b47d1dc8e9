/* SPDX-License-Identifier: GPL-2.0 */
/* EInsn: the ops eins.ko registers (one file each) and shared helpers. */
#ifndef _EINS_H
#define _EINS_H

#include <linux/bpf_kinsn.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include "eins_abi.h"
#include "eins_ops.h"

#define EINS_OP_DECL(name, NAME)	extern const struct bpf_kinsn eins_##name##_op;
EINS_OPS(EINS_OP_DECL)
#undef EINS_OP_DECL

/* Module parameter: false makes sites verified from now on keep their
 * proof sequences.
 */
extern bool eins_native_emit;

/*
 * The last step of every validate: the setting in force when the program
 * is verified decides for all JIT passes over it, so flipping the
 * parameter cannot change a site's code between two passes.
 */
static inline const char *eins_site_done(struct bpf_kinsn_site *site)
{
	site->flags = READ_ONCE(eins_native_emit) ? 0 : BPF_KINSN_PROOF_ONLY;
	return NULL;
}

/* True if the registers named by operands @first..@nr-1 of @site are all
 * different from each other and from operands 0..@first-1.
 */
static inline bool eins_regs_distinct(const struct bpf_kinsn_site *site,
				      int first)
{
	int i, j;

	for (i = first; i < site->nr_regs; i++)
		for (j = 0; j < i; j++)
			if (site->regs[i] == site->regs[j])
				return false;
	return true;
}

#endif /* _EINS_H */
