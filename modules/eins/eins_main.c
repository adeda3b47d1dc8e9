// SPDX-License-Identifier: GPL-2.0
/*
 * eins.ko: registers the EInsn ops with Kops.  Each op lives in its own
 * file (proof sequence and native emits side by side); this file only
 * names their BTF functions and registers them.
 */
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/module.h>
#include "eins.h"

bool eins_native_emit = true;
module_param_named(native_emit, eins_native_emit, bool, 0644);
MODULE_PARM_DESC(native_emit,
		 "emit native code for EInsn sites (0: JIT their proof sequences)");

/*
 * The functions programs "call" to name an op.  A site's call is replaced
 * before the program runs, so the bodies never execute.
 */
__bpf_kfunc_start_defs();
__bpf_kfunc void eins_rotate(void) { }
__bpf_kfunc void eins_select(void) { }
__bpf_kfunc void eins_extract(void) { }
__bpf_kfunc void eins_swap_mem(void) { }
__bpf_kfunc void eins_bitcount(void) { }
__bpf_kfunc void eins_shift_add(void) { }
__bpf_kfunc void eins_mul_high(void) { }
__bpf_kfunc_end_defs();

BTF_ID_LIST(eins_btf_ids)
BTF_ID(func, eins_rotate)
BTF_ID(func, eins_select)
BTF_ID(func, eins_extract)
BTF_ID(func, eins_swap_mem)
BTF_ID(func, eins_bitcount)
BTF_ID(func, eins_shift_add)
BTF_ID(func, eins_mul_high)

static const struct bpf_kinsn * const eins_ops[] = {
	&eins_rotate_op,
	&eins_select_op,
	&eins_extract_op,
	&eins_swap_mem_op,
	&eins_bitcount_op,
	&eins_shift_add_op,
	&eins_mul_high_op,
};

static const struct bpf_kinsn_set eins_kinsn_set = {
	.owner		= THIS_MODULE,
	.cnt		= ARRAY_SIZE(eins_ops),
	.btf_ids	= eins_btf_ids,
	.ops		= eins_ops,
};

static int __init eins_init(void)
{
	return register_bpf_kinsn_set(&eins_kinsn_set);
}

static void __exit eins_exit(void)
{
	unregister_bpf_kinsn_set(&eins_kinsn_set);
}

module_init(eins_init);
module_exit(eins_exit);
MODULE_DESCRIPTION("EInsn: native BPF instructions (rotate, select, extract, swap_mem, bitcount, shift_add, mul_high)");
MODULE_LICENSE("GPL");
