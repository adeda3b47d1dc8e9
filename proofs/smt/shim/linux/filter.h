/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: the insn macros of tools/include/linux/filter.h (passed
 * in as SHIM_TOOLS_FILTER_H) plus the one it lacks.
 */
#ifndef _SHIM_LINUX_FILTER_H
#define _SHIM_LINUX_FILTER_H
#include <linux/bpf.h>
#include SHIM_TOOLS_FILTER_H
#define BPF_BSWAP(DST, LEN)						\
	((struct bpf_insn) {						\
		.code = BPF_ALU64 | BPF_END | BPF_SRC(BPF_TO_LE),	\
		.dst_reg = DST, .imm = LEN })
#endif
