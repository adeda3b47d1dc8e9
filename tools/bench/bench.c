// SPDX-License-Identifier: GPL-2.0
/*
 * bench (runs in the VM): load the benchmark object built with plain C and
 * with eins.h builtins, run every program once on the benchmark input,
 * and print per program its result, BPF insns, verified insns and jited
 * image (hex), plus the object's load time (verifier + JIT) for both
 * builds, for the host to check and time natively (bench_run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workloads.h"

#define LOADS	9

static unsigned char img[1 << 16];
static struct bpf_insn xlated[1 << 13];

/*
 * Map data a program reads (clang's .rodata tables): its map id and offset
 * for each 64-bit immediate that the JIT turned into a kernel address, in
 * program order, and the map's contents, so the host can relocate them.
 */
static int dump_map_refs(const struct bpf_prog_info *info)
{
	int i, n = info->xlated_prog_len / sizeof(xlated[0]);

	for (i = 0; i + 1 < n; i++) {
		const struct bpf_insn *insn = &xlated[i];
		struct bpf_map_info minfo;
		__u32 len = sizeof(minfo), key = 0, j;
		unsigned char val[4096];
		int fd;

		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		i++;
		if (insn->src_reg != BPF_PSEUDO_MAP_VALUE)
			continue;
		fd = bpf_map_get_fd_by_id(insn->imm);
		memset(&minfo, 0, sizeof(minfo));
		if (fd < 0 || bpf_map_get_info_by_fd(fd, &minfo, &len) ||
		    minfo.value_size > sizeof(val) ||
		    bpf_map_lookup_elem(fd, &key, val))
			return -1;
		printf("MAPREF %u %d %u", insn->imm, insn[1].imm, minfo.value_size);
		for (j = 0; j < minfo.value_size; j++)
			printf("%s%02x", j % 32 ? "" : "\nMAPDATA ", val[j]);
		printf("\nEND\n");
		close(fd);
	}
	return 0;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median time to open and load the whole object (all programs) */
static double load_time(const char *path)
{
	double t[LOADS], t0;
	struct bpf_object *obj;
	int i;

	for (i = 0; i < LOADS; i++) {
		t0 = now_us();
		obj = bpf_object__open_file(path, NULL);
		if (!obj || bpf_object__load(obj))
			return -1;
		t[i] = now_us() - t0;
		bpf_object__close(obj);
	}
	qsort(t, LOADS, sizeof(t[0]), cmp_double);
	return t[LOADS / 2];
}

static int dump(const char *variant, const char *path)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	bu64 buf[BENCH_WORDS];
	int fd, i;

	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "bench: cannot load %s\n", path);
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = buf,
			    .data_out = buf, .data_size_in = sizeof(buf),
			    .data_size_out = sizeof(buf));
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog))
			continue;
		fd = bpf_program__fd(prog);
		bench_fill(buf);
		if (bpf_prog_test_run_opts(fd, &run) || run.retval != XDP_PASS)
			return -1;
		memset(&info, 0, sizeof(info));
		info.jited_prog_insns = (unsigned long)img;
		info.jited_prog_len = sizeof(img);
		info.xlated_prog_insns = (unsigned long)xlated;
		info.xlated_prog_len = sizeof(xlated);
		if (bpf_prog_get_info_by_fd(fd, &info, &len))
			return -1;
		printf("bench: %s %s bpf %u verified %u bytes %u funcs %u result %016llx\n",
		       variant, bpf_program__name(prog) + 6,
		       info.xlated_prog_len / 8, info.verified_insns,
		       info.jited_prog_len, info.nr_jited_ksyms, buf[0]);
		printf("IMAGE %s:%s %u", variant, bpf_program__name(prog) + 6,
		       info.jited_prog_len);
		for (i = 0; i < (int)info.jited_prog_len; i++)
			printf("%s%02x", i % 32 ? "" : "\nIMG ", img[i]);
		printf("\nEND\n");
		if (dump_map_refs(&info))
			return -1;
	}
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	/* before eins.ko is loaded: the stock object's cost without it */
	if (argc > 1 && !strcmp(argv[1], "--load-time")) {
		printf("bench: load stock without eins.ko %.0f us (median of %d, whole object, under TCG)\n",
		       load_time("bench_stock.bpf.o"), LOADS);
		return 0;
	}
	if (dump("stock", "bench_stock.bpf.o") ||
	    dump("eins", "bench_eins.bpf.o"))
		return 1;
	printf("bench: load with eins.ko: stock %.0f us, eins %.0f us (median of %d, whole object, under TCG)\n",
	       load_time("bench_stock.bpf.o"), load_time("bench_eins.bpf.o"),
	       LOADS);
	return 0;
}
