// SPDX-License-Identifier: GPL-2.0
/*
 * bench (runs in the VM): load the benchmark object built with plain C and
 * with eins.h builtins, run every program once on the benchmark input,
 * and print per program its result, BPF insns, verified insns and jited
 * image (hex), and its kernel load time (verifier + JIT; with --load-time,
 * of the stock build before eins.ko is loaded), for the host to check and
 * time natively (bench_run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workloads.h"
#include "module_btf.h"
#include "native_image.h"

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

/*
 * Verifier + JIT time of one program: the median of LOADS BPF_PROG_LOAD
 * calls with the insns libbpf produced (kfunc calls refer to fd_array[1]),
 * so libbpf's own work (BTF parsing, relocation) is not counted.
 */
static double load_time(struct bpf_program *prog, int btf_fd)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	int fd_array[2] = { 0, btf_fd };
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .fd_array = fd_array);
	double t[LOADS], t0;
	int i, fd;

	for (i = 0; i < LOADS; i++) {
		t0 = now_us();
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, bpf_program__name(prog),
				   "GPL", insns, bpf_program__insn_cnt(prog),
				   &opts);
		t[i] = now_us() - t0;
		if (fd < 0)
			return -1;
		close(fd);
	}
	return native_median(t, LOADS);
}

/* the load time of every program of a build, tagged @what */
static int load_times(const char *what, const char *path)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	__u32 btf_id;
	int btf_fd = module_btf_fd("eins", &btf_id);

	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj))
		return -1;
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog))
			printf("bench: load %s %s %.0f us\n", what,
			       bpf_program__name(prog) + 6,
			       load_time(prog, btf_fd));
	bpf_object__close(obj);
	if (btf_fd >= 0)
		close(btf_fd);
	return 0;
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
	/* before eins.ko is loaded: the stock build's cost without it */
	if (argc > 1 && !strcmp(argv[1], "--load-time"))
		return load_times("stock-without-eins", "bench_stock.bpf.o") ? 1 : 0;
	if (dump("stock", "bench_stock.bpf.o") ||
	    dump("eins", "bench_eins.bpf.o") ||
	    load_times("stock", "bench_stock.bpf.o") ||
	    load_times("eins", "bench_eins.bpf.o"))
		return 1;
	return 0;
}
