/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Find the kinsn sites of an object and expand the chosen ones. */
#ifndef EINS_EXPAND_H
#define EINS_EXPAND_H

#include "elfobj.h"
#include "libeins.h"

/* the op called at insn @i (of @n) of @sec as a kinsn site, or -1 */
int eins_site_op(const struct eobj *o, int sec, const struct bpf_insn *insn,
		 unsigned int i, unsigned int n);

/*
 * Validate every site as the module would and replace those of the ops in
 * @expand_mask by their proof sequences (committed).  The extern of an op
 * whose sites are all gone becomes weak, so libbpf does not ask the kernel
 * for it.  0 or -errno with o->err set.
 */
int eins_expand_obj(struct eobj *o, unsigned int expand_mask,
		    struct eins_expand_stats *st);

#endif
