/* SPDX-License-Identifier: GPL-2.0 */
/* The module's ops in user space (ops_user.c): names, decode, proofs. */
#ifndef EINS_OPS_USER_H
#define EINS_OPS_USER_H

#include "eins_ops.h"
#include "eins_site.h"

/* op numbers EINS_OP_*, EINS_NR_OPS: eins_ops.h, in the module's order */
#define EINS_PROOF_MAX		64	/* BPF_KINSN_MAX_PROOF */
#define EINS_SITE_MAX		EINS_SITE_MAX_INSNS

const char *eins_op_name(int op);
/* the op's BTF function, e.g. "eins_rotate" */
const char *eins_op_func(int op);
/* "eins_rotate" -> EINS_OP_ROTATE, -1 if not an op's function */
int eins_op_by_func(const char *func);
/*
 * Decode and validate the site at @insn (@avail insns left) as the module
 * does; write its proof sequence to @proof and return its length, with
 * the site's length in @site_len.  -1 with @reason if the site is bad.
 */
int eins_site_proof(int op, const struct bpf_insn *insn, unsigned int avail,
		    struct bpf_insn *proof, unsigned int *site_len,
		    const char **reason);
/*
 * Encode a site of @op (the call's imm is left for the relocation); the
 * op's validate must accept it.  Returns the site's length, writes its
 * proof sequence to @proof (if not NULL) and the registers it may
 * clobber to @def_clobber.  -1 with @reason if the op refuses it.
 */
int eins_site_build(int op, unsigned int variant, int imm,
		    const unsigned char *regs, unsigned int nr_regs,
		    struct bpf_insn *insn, struct bpf_insn *proof,
		    int *proof_len, unsigned short *def_clobber,
		    const char **reason);

#endif
