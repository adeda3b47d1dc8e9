// SPDX-License-Identifier: GPL-2.0
/*
 * The whole-program column of bench_run: np_bench.ko's program objects,
 * compiled by kbuild for the kernel, linked into this host binary as they
 * are, and what they need outside the kernel:
 *
 * - np_prog_<name>: struct bpf_native_prog (include/linux/bpf_native_prog.h),
 *   mirrored here; bench_run fills .maps with host copies of the maps;
 * - the module symbols they reference (__this_module, np_enable), and
 *   __static_call_update(), which their maps_bound() (never called here)
 *   calls in the kernel: the benchmark's programs look up arrays only,
 *   which the native code reads inline, with no static call.
 *
 * np-build.sh compiles them without ftrace's entry calls, so they run
 * here byte for byte as in the kernel.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "np_host.h"
#include "workloads.h"

char __this_module[4096];
bool np_enable;

void __static_call_update(void *key, void *tramp, void *func)
{
	abort();
}

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
