// SPDX-License-Identifier: GPL-2.0
/*
 * demo (runs in the VM): load the demo program built with plain C idioms
 * and with eins.h builtins, check both compute the same results, and print
 * their jited images as hex for the host to disassemble and run natively.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "demo_algo.h"
#include "demo_input.h"

#ifdef __aarch64__
#define ARCH_NAME "arm64"
#else
#define ARCH_NAME "x86-64"
#endif

static unsigned char img[1 << 16];

static int show(const char *name, const char *path, demo_u64 *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	struct bpf_prog_info info;
	demo_u64 buf[DEMO_WORDS];
	__u32 len = sizeof(info);
	struct bpf_object *obj;
	struct bpf_program *prog;
	int fd, i;

	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "demo: cannot load %s\n", path);
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, "demo");
	fd = bpf_program__fd(prog);

	demo_fill(buf);
	run.data_in = buf;
	run.data_out = buf;
	run.data_size_in = run.data_size_out = sizeof(buf);
	if (bpf_prog_test_run_opts(fd, &run) || run.retval != 2) {
		fprintf(stderr, "demo: %s did not run\n", name);
		return -1;
	}
	res[0] = buf[0];
	res[1] = buf[1];

	memset(&info, 0, sizeof(info));
	info.jited_prog_insns = (unsigned long)img;
	info.jited_prog_len = sizeof(img);
	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return -1;
	printf("demo: %s: %u BPF insns after verification, %u bytes of %s code, result %016llx %016llx\n",
	       name, info.xlated_prog_len / 8, info.jited_prog_len, ARCH_NAME,
	       res[0], res[1]);
	printf("IMAGE %s %u", name, info.jited_prog_len);
	for (i = 0; i < (int)info.jited_prog_len; i++)
		printf("%s%02x", i % 32 ? "" : "\nIMG ", img[i]);
	printf("\nEND %s\n", name);
	bpf_object__close(obj);
	return 0;
}

int main(void)
{
	demo_u64 stock[2], eins[2];

	if (show("stock", "demo_stock.bpf.o", stock) ||
	    show("eins", "demo_eins.bpf.o", eins))
		return 1;
	if (memcmp(stock, eins, sizeof(stock))) {
		printf("demo: FAIL: stock and eins results differ\n");
		return 1;
	}
	printf("demo: stock and eins agree\n");
	return 0;
}
