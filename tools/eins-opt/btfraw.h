/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Raw BTF helpers shared by the kernel probe and the rewriter. */
#ifndef EINS_BTFRAW_H
#define EINS_BTFRAW_H

#include <linux/btf.h>

/*
 * The type record at *@pos of the @len bytes of type records at @types,
 * or NULL past the last one; *@pos moves on to the next record.
 */
const struct btf_type *btf_walk(const char *types, long len, long *pos);

#endif
