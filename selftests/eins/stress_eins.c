// SPDX-License-Identifier: GPL-2.0
/*
 * stress_eins: load, run and free programs with sites of every op in a
 * loop for SECONDS, while stress.sh unloads and reloads eins.ko beside it.
 *
 *   stress_eins [-t SECONDS]
 *
 * A load may fail while the module is gone (its BTF or ops are not found);
 * a program that loads must compute the right result.  Prints one TAP
 * result (no plan: stress.sh adds its own) and how many loads succeeded
 * and failed, by errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "eins_lib.h"

static struct eins_prog prog;

static __u64 rotl64(__u64 x, int n)
{
	return x << n | x >> (64 - n);
}

/* r0 = popcount(rotl(K, 13)) + extract(K, 8, 16): one site of each */
static void build(const struct eins_ops *ops, __u64 k)
{
	struct bpf_insn ld[2] = { BPF_LD_IMM64(BPF_REG_1, k) };
	struct eins_site rot = {
		.btf_id = ops->rotate_id, .imm = 13, .nr_regs = 3,
		.regs = { 2, 1, 3 },
	}, pop = {
		.btf_id = ops->bitcount_id, .variant = EINS_BC_POPCNT,
		.nr_regs = 4, .regs = { 0, 2, 3, 4 },
	}, ext = {
		.btf_id = ops->extract_id, .imm = EINS_EXT_IMM(8, 16),
		.nr_regs = 2, .regs = { 5, 1 },
	};

	prog.cnt = 0;
	eins_emit(&prog, ld[0]);
	eins_emit(&prog, ld[1]);
	eins_emit_site(&prog, &rot);
	eins_emit_site(&prog, &pop);
	eins_emit_site(&prog, &ext);
	eins_emit(&prog, BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_5));
	eins_emit(&prog, BPF_EXIT_INSN());
}

static __u32 expect(__u64 k)
{
	return __builtin_popcountll(rotl64(k, 13)) + ((k >> 8) & 0xffff);
}

int main(int argc, char **argv)
{
	int errs[256] = {}, loads = 0, absent = 0, wrong = 0, fd, c, e;
	double limit = 30;
	time_t end;
	__u32 ret = 0;
	__u64 k;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't') {
			fprintf(stderr, "usage: %s [-t SECONDS]\n", argv[0]);
			return 2;
		}
		limit = atof(optarg);
	}
	end = time(NULL) + (time_t)limit;
	while (time(NULL) < end) {
		struct eins_ops ops;

		if (eins_ops_get(&ops)) {
			/* let the reloader bring it back */
			absent++;
			usleep(2000);
			continue;
		}
		k = eins_rand();
		build(&ops, k);
		fd = eins_load(&ops, &prog, NULL, 0);
		close(ops.btf_fd);
		if (fd < 0) {
			errs[-fd < 256 ? -fd : 0]++;
			continue;
		}
		loads++;
		if (eins_run_retval(fd, &ret) || ret != expect(k))
			wrong++;
		close(fd);
	}
	printf("# stress: %d programs loaded and run, %d wrong results, "
	       "module absent %d times\n", loads, wrong, absent);
	for (e = 0; e < 256; e++)
		if (errs[e])
			printf("# stress: %d loads failed with %s\n", errs[e],
			       strerror(e));
	/* stress.sh prints the plan: it adds its own checks */
	printf("%s 1 stress: load/run/free while eins.ko reloads\n",
	       loads && !wrong ? "ok" : "not ok");
	return loads && !wrong ? 0 : 1;
}
