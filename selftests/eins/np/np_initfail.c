// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init registers native code for a program, waits, then
 * fails: test_native.c loads the program meanwhile and checks that it is
 * not bound to code that is about to be freed.
 *
 *   insmod np_initfail.ko prog=NAME hash=HEX wait_ms=MS
 */
#include <linux/bpf.h>
#include <linux/bpf_native_prog.h>
#include <linux/delay.h>
#include <linux/hex.h>
#include <linux/module.h>

static char *prog;
module_param(prog, charp, 0);
MODULE_PARM_DESC(prog, "the program's name");
static char *hash;
module_param(hash, charp, 0);
MODULE_PARM_DESC(hash, "its binding hash, 64 hex digits (np-hash)");
static uint wait_ms = 3000;
module_param(wait_ms, uint, 0);
MODULE_PARM_DESC(wait_ms, "how long init waits before failing");

static const bool np_enabled = true;

static unsigned int np_initfail_func(const void *ctx,
				     const struct bpf_insn *insn)
{
	return XDP_ABORTED;
}

static struct bpf_native_prog np_initfail_prog = {
	.owner = THIS_MODULE,
	.func = np_initfail_func,
	.enabled = &np_enabled,
};

static int __init np_initfail_init(void)
{
	int err;

	if (!prog || !hash || strlen(hash) != 2 * BPF_NATIVE_HASH_SIZE ||
	    hex2bin(np_initfail_prog.hash, hash, BPF_NATIVE_HASH_SIZE))
		return -EINVAL;
	np_initfail_prog.name = prog;
	err = register_bpf_native_prog(&np_initfail_prog);
	if (err)
		return err;
	pr_info("np_initfail: offering %s for %u ms, then failing\n", prog,
		wait_ms);
	msleep(wait_ms);
	unregister_bpf_native_prog(&np_initfail_prog);
	return -EAGAIN;
}

static void __exit np_initfail_exit(void)
{
}

module_init(np_initfail_init);
module_exit(np_initfail_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kops whole-program mode test: init fails after registering");
