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
#define EINS_OP_FUNC(name, NAME)	__bpf_kfunc void eins_##name(void) { }
EINS_OPS(EINS_OP_FUNC)
__bpf_kfunc_end_defs();

/* the ops' BTF functions and the ops, both in the order of eins_ops.h */
#define EINS_OP_BTF_ID(name, NAME)	BTF_ID(func, eins_##name)
BTF_ID_LIST(eins_btf_ids)
EINS_OPS(EINS_OP_BTF_ID)

#define EINS_OP_PTR(name, NAME)		&eins_##name##_op,
static const struct bpf_kinsn * const eins_ops[] = {
	EINS_OPS(EINS_OP_PTR)
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
/* "EInsn: native BPF instructions: rotate select ... mul_high" */
#define EINS_OP_NAME(name, NAME)	" " #name
MODULE_DESCRIPTION("EInsn: native BPF instructions:" EINS_OPS(EINS_OP_NAME));
MODULE_LICENSE("GPL");
