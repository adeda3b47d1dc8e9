/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Raw BTF helpers shared by the kernel probe and the rewriter. */
#ifndef EINS_BTFRAW_H
#define EINS_BTFRAW_H

#include <linux/btf.h>

/* bytes that follow a struct btf_type of its kind */
long btf_type_extra(const struct btf_type *t);

#endif
