/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole-program native replacement (CONFIG_BPF_NATIVE_PROG): a module
 * supplies native code for one BPF program.  The verifier checks the
 * bytecode as usual; the JIT calls the native code in its place only if the
 * program is the exact bytecode the module was built from (the binding
 * hash below) and the module's switch was on when the program was loaded.
 * The native code is trusted like any module code: it must touch only what
 * the bytecode touches.
 */
#ifndef _LINUX_BPF_NATIVE_PROG_H
#define _LINUX_BPF_NATIVE_PROG_H

#include <linux/types.h>

struct bpf_insn;
struct bpf_map;
struct bpf_prog;
struct bpf_verifier_env;
struct module;
struct seq_file;

#define BPF_NATIVE_HASH_SIZE	32	/* SHA-256 */

/**
 * struct bpf_native_prog - native code a module supplies for a BPF program
 * @name: the program's name (bpf_prog_info.name, at most 15 chars)
 * @owner: module holding @func, pinned while a program runs it
 * @hash: SHA-256 of the program as loaded, see bpf_native_prog_hash()
 * @func: called in the program's place, in the arch's BPF calling
 *	convention: @func(ctx) with the ctx in BPF R1, the 32-bit result in
 *	R0.  It reaches the program's maps through @maps.
 * @maps: @map_cnt slots the core fills with the program's maps, in the
 *	order the bytecode first references them, before the program can run
 * @map_cnt: number of maps the bytecode references
 * @maps_bound: optional, called when the first program to run @func has
 *	set @maps, before it can run, in process context: e.g. to point the
 *	native code's calls at the maps' ops directly, as the JIT does
 * @enabled: the module's switch, off by default; read once per program
 *	load, so every JIT pass makes the same choice
 * @bound_cnt: number of programs running @func (set by the core); they
 *	all name the same maps, since @maps holds one set
 */
struct bpf_native_prog {
	const char *name;
	struct module *owner;
	u8 hash[BPF_NATIVE_HASH_SIZE];
	unsigned int (*func)(const void *ctx, const struct bpf_insn *insn);
	struct bpf_map **maps;
	u32 map_cnt;
	void (*maps_bound)(struct bpf_native_prog *np);
	const bool *enabled;
	u32 bound_cnt;
};

bool bpf_jit_supports_native_prog(void);

#ifdef CONFIG_BPF_NATIVE_PROG
int register_bpf_native_prog(struct bpf_native_prog *np);
void unregister_bpf_native_prog(struct bpf_native_prog *np);
void bpf_native_prog_hash(struct bpf_verifier_env *env);
void bpf_native_prog_bind(struct bpf_verifier_env *env);
void bpf_native_prog_unbind(struct bpf_prog *prog);
void bpf_native_prog_show_fdinfo(struct seq_file *m,
				 const struct bpf_prog *prog);
#else
static inline void bpf_native_prog_hash(struct bpf_verifier_env *env)
{
}

static inline void bpf_native_prog_bind(struct bpf_verifier_env *env)
{
}

static inline void bpf_native_prog_unbind(struct bpf_prog *prog)
{
}

static inline void bpf_native_prog_show_fdinfo(struct seq_file *m,
					       const struct bpf_prog *prog)
{
}
#endif

#endif /* _LINUX_BPF_NATIVE_PROG_H */
