/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The kinsn site layout for user-space C: encode and decode the payload
 * and operand carriers that follow a site's call.  The layout itself is
 * defined once, in include/uapi/linux/bpf.h (BPF_KINSN_PAYLOAD and the
 * comment above it), so this needs the patched uapi <linux/bpf.h> of
 * out/headers-$(ARCH)/include.
 *
 * eins-opt and libeins (ops_user.c, rewrite.c) and the selftests
 * (eins_lib.c) share it.  The kernel decodes the same way in
 * kernel/bpf/kinsn.c (bpf_kinsn_decode) with its own copy, so that the
 * kernel patch stays self-contained; the reasons here are the kernel's,
 * word for word.  BPF C writes sites with tools/eins.h.
 */
#ifndef EINS_SITE_H
#define EINS_SITE_H

#include <stdbool.h>
#include <linux/bpf.h>

#ifndef BPF_KINSN_PAYLOAD
#error "eins_site.h needs the patched uapi linux/bpf.h (out/headers-*/include)"
#endif

/* Most operand registers of a site (BPF_KINSN_MAX_REGS), and so its
 * longest length: call, payload and four carriers.
 */
#define EINS_SITE_MAX_REGS	8
#define EINS_SITE_MAX_INSNS	(2 + EINS_SITE_MAX_REGS / 2)

/* Number of insns of a site with @nr_regs operands, call included. */
static inline unsigned int eins_site_len(unsigned int nr_regs)
{
	return 2 + (nr_regs + 1) / 2;
}

/* True if @insn (@avail insns left) is a call followed by a payload. */
static inline bool eins_site_start(const struct bpf_insn *insn,
				   unsigned int avail)
{
	return avail >= 2 && insn[0].code == (BPF_JMP | BPF_CALL) &&
	       insn[1].code == BPF_KINSN_PAYLOAD;
}

/*
 * Write the payload and carriers of a site to @insn[1..]; the caller
 * writes the call, @insn[0].  Returns the site's length.
 */
static inline unsigned int eins_site_encode(struct bpf_insn *insn,
					    unsigned short variant, int imm,
					    const unsigned char *regs,
					    unsigned int nr_regs)
{
	struct bpf_insn *c;
	unsigned int i;

	insn[1] = (struct bpf_insn) {
		.code = BPF_KINSN_PAYLOAD,
		.src_reg = nr_regs,
		.off = variant,
		.imm = imm,
	};
	for (i = 0; i < nr_regs; i += 2) {
		c = &insn[2 + i / 2];
		*c = (struct bpf_insn) {
			.code = BPF_ALU64 | BPF_MOV | BPF_X,
			.dst_reg = regs[i],
			.src_reg = i + 1 < nr_regs ? regs[i + 1] : regs[i],
		};
	}
	return eins_site_len(nr_regs);
}

/*
 * Decode the site whose call is @insn, with @avail insns left: its
 * variant, immediate and operand registers (room for EINS_SITE_MAX_REGS),
 * and its length in @len.  Returns NULL, or why the site is malformed.
 */
static inline const char *eins_site_decode(const struct bpf_insn *insn,
					   unsigned int avail,
					   unsigned short *variant, int *imm,
					   unsigned char *nr_regs,
					   unsigned char *regs,
					   unsigned int *len)
{
	const struct bpf_insn *payload = &insn[1], *c;
	unsigned int i, n;

	if (insn->dst_reg)
		return "call uses reserved fields";
	if (avail < 2 || payload->code != BPF_KINSN_PAYLOAD)
		return "call is not followed by a payload";
	if (payload->dst_reg || payload->src_reg > EINS_SITE_MAX_REGS)
		return "payload uses reserved fields";
	*len = eins_site_len(payload->src_reg);
	if (*len > avail)
		return "site truncated by the end of the program";
	*variant = payload->off;
	*imm = payload->imm;
	*nr_regs = n = payload->src_reg;
	for (i = 0; i < n; i++) {
		c = &insn[2 + i / 2];
		if (c->code != (BPF_ALU64 | BPF_MOV | BPF_X) || c->off || c->imm)
			return "operand carrier is not a register move";
		regs[i] = i % 2 ? c->src_reg : c->dst_reg;
		if (regs[i] >= MAX_BPF_REG)
			return "operand register out of range";
	}
	c = &insn[2 + n / 2];
	if (n % 2 && c->src_reg != c->dst_reg)
		return "unused carrier field does not repeat the register";
	return NULL;
}

#endif /* EINS_SITE_H */
