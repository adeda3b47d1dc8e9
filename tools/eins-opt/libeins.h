/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * libeins: load BPF objects with kinsn sites on every kernel.
 *
 * A site of an op the running kernel lacks (no eins.ko, or a kernel
 * without the Kops patch) is replaced by the op's proof sequence before
 * libbpf sees the object, so the program loads and computes the same
 * result; sites of ops the kernel has are left for the verifier and JIT.
 *
 * libbpf gives no public way to change a program's instructions between
 * bpf_object__open() and bpf_object__load() while keeping its relocations,
 * so the expansion happens on the ELF image, in place of the open call:
 *
 *	obj = eins_open_file("prog.bpf.o", NULL, 0);	// was bpf_object__open_file
 *	bpf_object__load(obj);
 *
 * Skeletons: call eins_open_skeleton() where the generated X__open_opts()
 * calls bpf_object__open_skeleton() (see docs/rewriter.md, "Loading everywhere").
 */
#ifndef EINS_LIBEINS_H
#define EINS_LIBEINS_H

#include <stddef.h>

struct bpf_object;
struct bpf_object_open_opts;
struct bpf_object_skeleton;

#define EINS_LOAD_STRICT	(1u << 0)	/* fail, naming the missing op */
#define EINS_LOAD_EXPAND_ALL	(1u << 1)	/* expand every site */
#define EINS_LOAD_QUIET		(1u << 2)	/* no "fell back" line */

#define EINS_MAX_OPS		7

struct eins_expand_stats {
	unsigned int sites[EINS_MAX_OPS];	/* sites per op found */
	unsigned int expanded[EINS_MAX_OPS];	/* of which expanded */
	unsigned int insns_before, insns_after;	/* all code sections */
};

/* Bit i set: the running kernel has op i (eins.ko's BTF names it). */
int eins_kernel_ops(unsigned int *mask);
/* bpf_object__open_file/_mem with the fallback expansion; NULL + errno */
struct bpf_object *eins_open_file(const char *path,
				  const struct bpf_object_open_opts *opts,
				  unsigned int flags);
struct bpf_object *eins_open_mem(const void *buf, size_t size,
				 const struct bpf_object_open_opts *opts,
				 unsigned int flags);
/* bpf_object__open_skeleton with the fallback expansion; 0 or -errno */
int eins_open_skeleton(struct bpf_object_skeleton *s,
		       const struct bpf_object_open_opts *opts,
		       unsigned int flags);

#endif
