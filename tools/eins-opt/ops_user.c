// SPDX-License-Identifier: GPL-2.0
/*
 * The module's op files (modules/eins, one per op) built for user space with the
 * shim headers of proofs/smt: the same validate and gen_proof the module
 * runs, for eins-opt and libeins (the loader's fallback expansion and the
 * rewriter's candidate sites).  One source of truth for every op.
 */
#include <string.h>
#include <linux/bpf.h>
#include <linux/bpf_kinsn.h>
#include <asm/cpufeature.h>
#include "eins.h"
#include "ops_user.h"

unsigned long shim_cpu_features;
bool eins_native_emit = true;

#define EINS_OP_PTR(name, NAME)	[EINS_OP_##NAME] = &eins_##name##_op,
static const struct bpf_kinsn *const ops[EINS_NR_OPS] = {
	EINS_OPS(EINS_OP_PTR)
};

_Static_assert(EINS_PROOF_MAX == BPF_KINSN_MAX_PROOF, "EINS_PROOF_MAX");
_Static_assert(EINS_SITE_MAX_REGS == BPF_KINSN_MAX_REGS, "EINS_SITE_MAX_REGS");

const char *eins_op_name(int op)
{
	/* "eins_rotate" -> "rotate" */
	return op >= 0 && op < EINS_NR_OPS ? ops[op]->name + 5 : "?";
}

const char *eins_op_func(int op)
{
	return ops[op]->name;
}

int eins_op_by_func(const char *func)
{
	int i;

	for (i = 0; i < EINS_NR_OPS; i++)
		if (!strcmp(func, ops[i]->name))
			return i;
	return -1;
}

int eins_site_proof(int op, const struct bpf_insn *insn, unsigned int avail,
		    struct bpf_insn *proof, unsigned int *site_len,
		    const char **reason)
{
	struct bpf_kinsn_site site;

	memset(&site, 0, sizeof(site));
	*reason = eins_site_decode(insn, avail, &site.variant, &site.imm,
				   &site.nr_regs, site.regs, site_len);
	if (!*reason)
		*reason = ops[op]->validate(&site);
	if (!*reason && ((site.def_regs | site.clobber_regs) & BIT(BPF_REG_10)))
		*reason = "frame pointer r10 cannot be written";
	if (*reason)
		return -1;
	return ops[op]->gen_proof(&site, proof);
}

int eins_site_build(int op, unsigned int variant, int imm,
		    const unsigned char *regs, unsigned int nr_regs,
		    struct bpf_insn *insn, struct bpf_insn *proof,
		    int *proof_len, unsigned short *def_clobber,
		    const char **reason)
{
	struct bpf_kinsn_site site;
	unsigned int len = eins_site_len(nr_regs);

	memset(&site, 0, sizeof(site));
	site.variant = variant;
	site.imm = imm;
	site.nr_regs = nr_regs;
	memcpy(site.regs, regs, nr_regs);
	*reason = ops[op]->validate(&site);
	if (*reason)
		return -1;
	memset(insn, 0, sizeof(*insn));
	insn[0].code = BPF_JMP | BPF_CALL;
	insn[0].src_reg = BPF_PSEUDO_CALL;	/* as clang writes extern calls */
	insn[0].imm = -1;
	eins_site_encode(insn, variant, imm, regs, nr_regs);
	if (proof)
		*proof_len = ops[op]->gen_proof(&site, proof);
	if (def_clobber)
		*def_clobber = site.clobber_regs;
	return len;
}
