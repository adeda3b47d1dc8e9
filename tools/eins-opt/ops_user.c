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

/*
 * The layout of include/uapi/linux/bpf.h (BPF_KINSN_PAYLOAD): the kernel
 * decodes the same way in kernel/bpf/kinsn.c.
 */
static const char *decode(const struct bpf_insn *insn, unsigned int avail,
			  struct bpf_kinsn_site *site, unsigned int *len)
{
	const struct bpf_insn *payload = &insn[1], *c;
	int i;

	memset(site, 0, sizeof(*site));
	if (insn->dst_reg)
		return "call uses reserved fields";
	if (avail < 2 || payload->code != EINS_PAYLOAD_CODE)
		return "call is not followed by a payload";
	if (payload->dst_reg || payload->src_reg > BPF_KINSN_MAX_REGS)
		return "payload uses reserved fields";
	*len = 2 + (payload->src_reg + 1) / 2;
	if (*len > avail)
		return "site truncated by the end of the program";
	site->variant = payload->off;
	site->imm = payload->imm;
	site->nr_regs = payload->src_reg;
	for (i = 0; i < site->nr_regs; i++) {
		c = &insn[2 + i / 2];
		if (c->code != (BPF_ALU64 | BPF_MOV | BPF_X) || c->off || c->imm)
			return "operand carrier is not a register move";
		site->regs[i] = i % 2 ? c->src_reg : c->dst_reg;
		if (site->regs[i] >= MAX_BPF_REG)
			return "operand register out of range";
	}
	c = &insn[2 + site->nr_regs / 2];
	if (site->nr_regs % 2 && c->src_reg != c->dst_reg)
		return "unused carrier field does not repeat the register";
	return NULL;
}

int eins_site_proof(int op, const struct bpf_insn *insn, unsigned int avail,
		    struct bpf_insn *proof, unsigned int *site_len,
		    const char **reason)
{
	struct bpf_kinsn_site site;

	*reason = decode(insn, avail, &site, site_len);
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
	unsigned int i, len = 2 + (nr_regs + 1) / 2;

	memset(&site, 0, sizeof(site));
	site.variant = variant;
	site.imm = imm;
	site.nr_regs = nr_regs;
	memcpy(site.regs, regs, nr_regs);
	*reason = ops[op]->validate(&site);
	if (*reason)
		return -1;
	memset(insn, 0, len * sizeof(*insn));
	insn[0].code = BPF_JMP | BPF_CALL;
	insn[0].src_reg = BPF_PSEUDO_CALL;	/* as clang writes extern calls */
	insn[0].imm = -1;
	insn[1].code = EINS_PAYLOAD_CODE;
	insn[1].src_reg = nr_regs;
	insn[1].off = variant;
	insn[1].imm = imm;
	for (i = 0; i < (nr_regs + 1) / 2; i++) {
		insn[2 + i].code = BPF_ALU64 | BPF_MOV | BPF_X;
		insn[2 + i].dst_reg = regs[2 * i];
		insn[2 + i].src_reg = 2 * i + 1 < nr_regs ? regs[2 * i + 1] :
							    regs[2 * i];
	}
	if (proof)
		*proof_len = ops[op]->gen_proof(&site, proof);
	if (def_clobber)
		*def_clobber = site.clobber_regs;
	return len;
}
