// SPDX-License-Identifier: GPL-2.0
/*
 * The workloads compiled natively for bench_run's "native C" columns:
 * built three times, -O2 for baseline x86-64 (NATIVE_SET=native_base),
 * -O2 -march=native (NATIVE_SET=native_march) and -O2 with the kernel's
 * code generation flags plus POPCNT/BMI (NATIVE_SET=native_kernel, see
 * the Makefile), with the high multiply
 * as unsigned __int128.  Each build has its own tables.  The functions
 * take the ctx a jited image takes: data, data_end.
 */
#include <string.h>
#define BENCH_NATIVE
#include "workloads.h"
#include "bench_native.h"

#define MICRO_FN(name)							\
static unsigned int micro_##name(void *ctx)				\
{									\
	bu64 *w = *(bu64 **)ctx;					\
									\
	w[0] = wl_##name(w, (const bu8 *)w);				\
	return 2;							\
}

#define PACKET_FN(name)							\
static unsigned int packet_##name(void *ctx)				\
{									\
	bu8 **c = ctx;							\
									\
	return pk_##name(c[0], c[1]);					\
}

BENCH_MICROS(MICRO_FN)
BENCH_PACKET_PROGS(PACKET_FN)

static void reset(void)
{
	memset(stats, 0, sizeof(stats));
	memset(buckets, 0, sizeof(buckets));
	memset(tb_clock, 0, sizeof(tb_clock));
	bench_fill_maglev(maglev);
	bench_fill_backends(backends);
	bench_fill_cls(cls_bits, cls_rules);
}

#define MICRO_ENT(name)		{ #name, micro_##name },
#define PACKET_ENT(name)	{ #name, packet_##name },

const struct native_set NATIVE_SET = {
	.reset = reset,
	.progs = { BENCH_MICROS(MICRO_ENT) BENCH_PACKET_PROGS(PACKET_ENT) },
};
