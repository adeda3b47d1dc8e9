/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kops: operations ("kinsns") that a module registers and BPF programs
 * use as single native instructions.
 *
 * A kinsn site in a program is a kfunc call to the op's BTF function,
 * followed by a payload insn and operand carriers (see the layout in
 * include/uapi/linux/bpf.h).  The verifier replaces every site with the
 * op's proof sequence, plain BPF that it then checks as usual; a JIT that
 * knows the op emits the op's native code for the region instead, as long
 * as the region is still exactly what the verifier checked.
 */
#ifndef _LINUX_BPF_KINSN_H
#define _LINUX_BPF_KINSN_H

#include <linux/bits.h>
#include <linux/types.h>

struct bpf_insn;
struct bpf_prog;
struct bpf_verifier_env;
struct btf;
struct module;

/* Most operand registers one site can name (four carrier insns). */
#define BPF_KINSN_MAX_REGS	8
/* Longest proof sequence and native code an op may declare. */
#define BPF_KINSN_MAX_PROOF	64
#define BPF_KINSN_MAX_EMIT	128

/* bpf_kinsn_site.flags: keep this site's proof sequence, never native code */
#define BPF_KINSN_PROOF_ONLY	BIT(0)

/**
 * struct bpf_kinsn_site - the operands of one kinsn site
 * @variant: payload off field, meaning defined by the op
 * @imm: payload imm field, meaning defined by the op
 * @nr_regs: number of operand registers
 * @regs: BPF register numbers of the operands, in the op's order
 * @def_regs: mask of registers the op writes with a result (set by validate)
 * @clobber_regs: mask of registers the op may leave with any value; the
 *	verifier marks them uninitialized after the region (set by validate).
 *	The proof sequence may write no register outside these two masks.
 * @flags: BPF_KINSN_* (set by validate).  Read once, when the program is
 *	verified, so every JIT pass over the program makes the same choice.
 */
struct bpf_kinsn_site {
	u16 variant;
	s32 imm;
	u8 nr_regs;
	u8 regs[BPF_KINSN_MAX_REGS];
	u16 def_regs;
	u16 clobber_regs;
	u16 flags;
};

/**
 * struct bpf_kinsn - an operation a module registers
 * @name: op name, used in verifier messages and dumps
 * @owner: module providing the op
 * @max_insn_cnt: longest proof sequence gen_proof() writes
 * @max_emit_bytes: longest native code an emit callback writes, in bytes
 * @validate: check a site's payload and operands and fill its @def_regs
 *	and @clobber_regs; return NULL, or why the site is malformed (the
 *	verifier prints it)
 * @gen_proof: write the proof sequence for a validated site into @insn
 *	(room for @max_insn_cnt insns) and return its length.  Jumps must stay
 *	inside the sequence; every path ends by falling off its end.
 * @emit_x86: write x86-64 code for the site to @buf (room for
 *	BPF_KINSN_MAX_EMIT bytes), with @hw[i] the hardware register (0-15)
 *	holding operand i.  Returns the length, or 0 if the CPU lacks what the
 *	native form needs (the JIT then emits the proof sequence).  Must
 *	return the same for the same site every time it is called.  May write
 *	only operand registers, the clobber registers and the JIT scratch
 *	registers r10 and r11.
 * @emit_arm64: the same for arm64, writing A64 insns, returning their
 *	count; scratch registers are x9-x12.
 */
struct bpf_kinsn {
	const char *name;
	struct module *owner;
	u16 max_insn_cnt;
	u16 max_emit_bytes;
	const char *(*validate)(struct bpf_kinsn_site *site);
	int (*gen_proof)(const struct bpf_kinsn_site *site,
			 struct bpf_insn *insn);
	int (*emit_x86)(u8 *buf, const struct bpf_kinsn_site *site,
			const u8 *hw);
	int (*emit_arm64)(u32 *buf, const struct bpf_kinsn_site *site,
			  const u8 *hw);
};

/**
 * struct bpf_kinsn_set - ops a module registers together
 * @owner: the module
 * @cnt: number of ops
 * @btf_ids: BTF ids of the op functions (a BTF_ID_LIST), call targets of
 *	the sites; resolved against the module's BTF like kfunc ids
 * @ops: @ops[i] is the op called as @btf_ids[i]
 */
struct bpf_kinsn_set {
	struct module *owner;
	u32 cnt;
	const u32 *btf_ids;
	const struct bpf_kinsn * const *ops;
};

/**
 * struct bpf_kinsn_region - a proof sequence the JIT may replace
 * @off: index of its first insn in the (sub)program
 * @len: number of insns
 * @kinsn: the op
 * @site: the operands
 * @jit_len: length of the native code the JIT placed here (bytes on
 *	x86-64, insns on arm64), 0 if it kept the proof sequence,
 *	BPF_KINSN_JIT_UNSET before its first pass
 */
struct bpf_kinsn_region {
	u32 off;
	u32 len;
	const struct bpf_kinsn *kinsn;
	struct bpf_kinsn_site site;
	s32 jit_len;
};

#define BPF_KINSN_JIT_UNSET	(-1)

#ifdef CONFIG_BPF_SYSCALL
int register_bpf_kinsn_set(const struct bpf_kinsn_set *set);
void unregister_bpf_kinsn_set(const struct bpf_kinsn_set *set);

const struct bpf_kinsn *bpf_kinsn_find(const struct btf *btf, u32 btf_id);
int bpf_kinsn_decode(const struct bpf_kinsn *kinsn,
		     const struct bpf_insn *insn, u32 insn_cnt,
		     struct bpf_kinsn_site *site, const char **reason);
int bpf_kinsn_gen_proof(struct bpf_verifier_env *env,
			const struct bpf_kinsn_region *region,
			struct bpf_insn *insn);
struct bpf_kinsn_region *
bpf_jit_kinsn_region(const struct bpf_prog *prog, u32 idx);
bool bpf_jit_kinsn_wants_native(const struct bpf_kinsn_region *region);
int bpf_jit_kinsn_settle(struct bpf_kinsn_region *region, int len, int max);
int bpf_kinsn_split_regions(struct bpf_prog *func, const struct bpf_prog *prog,
			    u32 start);
#else
static inline struct bpf_kinsn_region *
bpf_jit_kinsn_region(const struct bpf_prog *prog, u32 idx)
{
	return NULL;
}

static inline bool
bpf_jit_kinsn_wants_native(const struct bpf_kinsn_region *region)
{
	return false;
}

static inline int bpf_jit_kinsn_settle(struct bpf_kinsn_region *region,
				       int len, int max)
{
	return 0;
}
#endif

#endif /* _LINUX_BPF_KINSN_H */
