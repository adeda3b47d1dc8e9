/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The EInsn ops, listed once.  X(name, NAME) for each op, in the order of
 * eins.ko's kinsn set: the op lives in modules/eins/<name>.c as
 * "struct bpf_kinsn eins_<name>_op", programs call it as the BTF function
 * eins_<name>, and user space numbers it EINS_OP_<NAME>.
 *
 * It sits beside eins_abi.h because every user already has modules/eins
 * on its include path: the module, eins-opt and libeins (EOPT_CFLAGS), the
 * selftests (UCFLAGS), BPF C through tools/eins.h (BPF_CFLAGS) and
 * proofs/smt/enum.c.  The Makefile and Kbuild read the op files' names
 * from the X(...) lines below, so keep one op per line.
 *
 * The list is an X-macro like __BPF_FUNC_MAPPER in the uapi bpf.h, so
 * checkpatch's notes on its users' macros (complex values, unused
 * arguments) are expected.
 */
#ifndef _EINS_OPS_H
#define _EINS_OPS_H

#define EINS_OPS(X)			\
	X(rotate, ROTATE)		\
	X(select, SELECT)		\
	X(extract, EXTRACT)		\
	X(swap_mem, SWAP_MEM)		\
	X(bitcount, BITCOUNT)		\
	X(shift_add, SHIFT_ADD)		\
	X(mul_high, MUL_HIGH)

#define __EINS_OP_ENUM(name, NAME)	EINS_OP_##NAME,
enum {
	EINS_OPS(__EINS_OP_ENUM)
	EINS_NR_OPS
};

#undef __EINS_OP_ENUM

#endif /* _EINS_OPS_H */
