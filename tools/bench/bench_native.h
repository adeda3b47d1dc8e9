/* SPDX-License-Identifier: GPL-2.0 */
/* The natively compiled workloads (bench_native.c), one set per build. */
#ifndef BENCH_NATIVE_H
#define BENCH_NATIVE_H

#define BENCH_NR_PROGS	18	/* 7 micros + 11 per-packet programs */

struct native_set {
	void (*reset)(void);	/* the tables as the VM starts them */
	struct {
		const char *name;
		unsigned int (*fn)(void *ctx);
	} progs[BENCH_NR_PROGS];
};

extern const struct native_set native_base, native_march, native_kernel;

#endif
