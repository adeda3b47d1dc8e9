/* SPDX-License-Identifier: GPL-2.0 */
/* np_bench.ko's native programs, run on the host by bench_run (np_host.c) */
#ifndef NP_HOST_H
#define NP_HOST_H

#include <stdbool.h>

/* struct bpf_native_prog of include/linux/bpf_native_prog.h, field for field */
struct np_host_prog {
	const char *name;
	void *owner;
	unsigned char hash[32];
	unsigned int (*func)(const void *ctx, const void *insn);
	void **maps;
	unsigned int map_cnt;
	void (*maps_bound)(void *np);
	const bool *enabled;
	unsigned int bound_cnt;
};

/* struct bpf_array offsets: max_entries, elem_size, index_mask, value */
extern const unsigned int np_array_layout[4];

struct np_host_prog *np_host_prog(const char *name);

#endif
