// SPDX-License-Identifier: GPL-2.0
/*
 * The whole-program column of bench_run: np_bench.ko's program objects,
 * compiled by kbuild for the kernel, linked into this host binary as they
 * are, and what they need outside the kernel:
 *
 * - np_prog_<name>: struct bpf_native_prog (include/linux/bpf_kinsn.h),
 *   mirrored here; bench_run fills .maps with host copies of the maps;
 * - the module symbols they reference (__this_module, np_enable);
 * - __fentry__: the kernel was built with CONFIG_FUNCTION_TRACER, so every
 *   function starts with a call to it, which ftrace turns into a 5-byte
 *   nop when the module loads.  So does np_host_init(), at the addresses
 *   the objects list in __mcount_loc.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "np_host.h"
#include "workloads.h"

char __this_module[4096];
bool np_enable;

asm(".text\n.globl __fentry__\n__fentry__:\n\tret\n");

extern unsigned long __start___mcount_loc[], __stop___mcount_loc[];

#define NP_DECL(n)	extern struct np_host_prog np_prog_pkt_##n;
BENCH_PACKET_PROGS(NP_DECL)
#define NP_ENT(n)	&np_prog_pkt_##n,
static struct np_host_prog *const progs[] = { BENCH_PACKET_PROGS(NP_ENT) };

struct np_host_prog *np_host_prog(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (!strcmp(progs[i]->name, name))
			return progs[i];
	return NULL;
}

int np_host_init(void)
{
	static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	long page = sysconf(_SC_PAGESIZE);
	unsigned long *loc;
	unsigned char *p;

	for (loc = __start___mcount_loc; loc < __stop___mcount_loc; loc++) {
		p = (unsigned char *)*loc;
		if (p[0] != 0xe8)
			return -1;
		if (mprotect((void *)((unsigned long)p & ~(page - 1)), 2 * page,
			     PROT_READ | PROT_WRITE | PROT_EXEC))
			return -1;
		memcpy(p, nop5, 5);
		if (mprotect((void *)((unsigned long)p & ~(page - 1)), 2 * page,
			     PROT_READ | PROT_EXEC))
			return -1;
	}
	return 0;
}
