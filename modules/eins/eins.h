/* SPDX-License-Identifier: GPL-2.0 */
/* EInsn: the ops eins.ko registers (one file each) and shared helpers. */
#ifndef _EINS_H
#define _EINS_H

#include <linux/bpf_kinsn.h>
#include <linux/bits.h>
#include "eins_abi.h"

extern const struct bpf_kinsn eins_rotate_op;
extern const struct bpf_kinsn eins_select_op;
extern const struct bpf_kinsn eins_extract_op;
extern const struct bpf_kinsn eins_swap_mem_op;
extern const struct bpf_kinsn eins_bitcount_op;
extern const struct bpf_kinsn eins_shift_add_op;
extern const struct bpf_kinsn eins_mul_high_op;

/* Module parameter: false makes every emit decline (proof sequence runs). */
extern bool eins_native_emit;

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
