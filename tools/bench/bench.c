// SPDX-License-Identifier: GPL-2.0
/*
 * bench (runs in the VM): load the benchmark object in its three builds
 * (stock: plain C; eins: eins.h builtins; opt: plain C after eins-opt),
 * and per program print, for the host to check and time natively
 * (bench_run):
 *
 *   IMAGE/IMG/END	the jited image, hex
 *   KFUNC		the kernel address of each kfunc bench_run can run
 *			(bpf_for's), once
 *   KCALL		each call of the last image to one of them: offset,
 *			name
 *   MAPREF/MAPDATA	each map the image addresses, in the order of its
 *			64-bit immediates, with its contents at load time
 *   bench: ...		BPF insns, verified insns, image bytes, helper calls
 *			left in the image, and the result: a micro's u64 on
 *			the micro input, or a per-packet program's digest of
 *			its actions and output packets over the packet ring
 *   bench: tcg ...	BPF_PROG_TEST_RUN's own ns per run with repeat, in
 *			this TCG VM (only a ratio between builds means much)
 *   bench: load ...	the kernel's verifier + JIT time: median, min, max
 *
 * With --load-time: only the stock build's load times, before eins.ko is
 * loaded.  With --np: the whole-program mode's build ("wp": np_bench.bpf.o,
 * made by tools/np/np-build.sh with np_bench.ko, whose switch is on), and
 * for each program it replaced NPJMP (where the image jumps to the native
 * code) and NPMAP (the maps handed to it) instead of MAPREF.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workloads.h"
#include "bench_maps.h"
#include "module_btf.h"
#include "native_image.h"
#include "np/np_fdinfo.h"

#define LOADS		9
#define TCG_PACKETS	32
#define TCG_REPEAT	500

static unsigned char img[1 << 16];
static struct bpf_insn xlated[1 << 14];
static struct bench_pkt ring[PKT_RING];

/*
 * @n bytes as hex, 32 to a line that starts with @tag; @at is where they
 * fall in the whole dump, so that a dump may come in pieces
 */
static void print_hex(const char *tag, const unsigned char *p, unsigned int n,
		      unsigned int at)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		printf("%s%s%02x", (at + i) % 32 ? "" : "\n",
		       (at + i) % 32 ? "" : tag, p[i]);
}

/* every entry of an array map, at the kernel's stride, to stdout */
static int print_map(int fd, const struct bpf_map_info *m)
{
	unsigned int stride = (m->value_size + 7) & ~7u, k;
	unsigned char val[4096];

	if (m->type != BPF_MAP_TYPE_ARRAY || m->value_size > sizeof(val))
		return -1;
	for (k = 0; k < m->max_entries; k++) {
		memset(val, 0, sizeof(val));
		if (bpf_map_lookup_elem(fd, &k, val))
			return -1;
		print_hex("MAPDATA ", val, stride, k * stride);
	}
	return 0;
}

/*
 * The maps an image addresses, one per 64-bit immediate the JIT turned
 * into a kernel address, in program order: MAPREF id kind off hdr bytes;
 * and as CONST, the program's own constants in the kernel half.
 * kind "value": the immediate is the address of byte @off of the map's
 * data (global data, clang's .rodata tables); kind "map": it is the
 * struct bpf_array, whose data starts @hdr bytes in (the verifier's
 * inlined array lookup adds that constant next).
 */
static int dump_map_refs(const struct bpf_prog_info *info)
{
	int i, n = info->xlated_prog_len / sizeof(xlated[0]);

	for (i = 0; i + 1 < n; i++) {
		const struct bpf_insn *insn = &xlated[i];
		struct bpf_map_info minfo;
		__u32 len = sizeof(minfo);
		int fd, hdr = 0, ret;

		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		i++;
		/* a constant the host could take for a kernel address */
		if (!insn->src_reg &&
		    ((__u64)insn[1].imm << 32 | (__u32)insn->imm) >=
		    0xff00000000000000ULL)
			printf("CONST %llx\n",
			       (__u64)insn[1].imm << 32 | (__u32)insn->imm);
		if (insn->src_reg != BPF_PSEUDO_MAP_VALUE &&
		    insn->src_reg != BPF_PSEUDO_MAP_FD)
			continue;
		if (insn->src_reg == BPF_PSEUDO_MAP_FD) {
			const struct bpf_insn *add = &xlated[i + 1];

			if (i + 1 >= n || add->code != (BPF_ALU64 | BPF_ADD | BPF_K) ||
			    add->dst_reg != insn->dst_reg)
				return -1;
			hdr = add->imm;
		}
		fd = bpf_map_get_fd_by_id(insn->imm);
		memset(&minfo, 0, sizeof(minfo));
		if (fd < 0 || bpf_map_get_info_by_fd(fd, &minfo, &len))
			return -1;
		printf("MAPREF %u %s %d %d %u", insn->imm,
		       insn->src_reg == BPF_PSEUDO_MAP_FD ? "map" : "value",
		       insn->src_reg == BPF_PSEUDO_MAP_FD ? 0 : insn[1].imm, hdr,
		       ((minfo.value_size + 7) & ~7u) * minfo.max_entries);
		ret = print_map(fd, &minfo);
		printf("\nEND\n");
		close(fd);
		if (ret)
			return -1;
	}
	return 0;
}

/*
 * Which of @targets the jump or call (@opcode rel32) at @off of the image
 * at kernel address @ksym goes to; -1 if none or not one
 */
static int rel32_target(unsigned int off, unsigned char opcode,
			unsigned long long ksym,
			const unsigned long long *targets, int n)
{
	__s32 rel;
	int k;

	if (img[off] != opcode)
		return -1;
	memcpy(&rel, img + off + 1, 4);
	for (k = 0; k < n; k++)
		if (targets[k] == ksym + off + 5 + (long long)rel)
			return k;
	return -1;
}

/*
 * The kernel addresses of the native entries the np_bench module offers,
 * read from /proc/kallsyms on the first call
 */
static int np_entries(const unsigned long long **addr)
{
	static unsigned long long entry[64];
	static int n = -1;
	char line[256], name[128], mod[64], type;
	unsigned long long a;
	FILE *f;

	*addr = entry;
	if (n >= 0)
		return n;
	n = 0;
	f = fopen("/proc/kallsyms", "r");
	while (f && n < 64 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s %63s", &a, &type, name, mod) == 4 &&
		    !strcmp(name, "np_entry") && !strcmp(mod, "[np_bench]"))
			entry[n++] = a;
	if (f)
		fclose(f);
	return n;
}

/*
 * A program the whole-program mode replaced: its image jumps to the
 * module's native code.  NPJMP: the jump's offset in the image; NPMAP:
 * each map the program uses, in the order the core hands them to the
 * native code, with its contents.
 */
static int dump_native(int fd, const struct bpf_prog_info *info)
{
	const unsigned long long *entry;
	unsigned long long ksym = 0;
	struct bpf_prog_info mi = {};
	__u32 ids[64], len = sizeof(mi), i, off;
	int n = np_entries(&entry), mfd, ret;

	mi.nr_jited_ksyms = 1;
	mi.jited_ksyms = (unsigned long)&ksym;
	mi.nr_map_ids = 64;
	mi.map_ids = (unsigned long)ids;
	if (bpf_prog_get_info_by_fd(fd, &mi, &len) || mi.nr_map_ids > 64)
		return -1;
	for (off = 0; off + 5 <= info->jited_prog_len; off++)
		if (rel32_target(off, 0xe9, ksym, entry, n) >= 0)
			break;
	if (off + 5 > info->jited_prog_len)
		return -1;
	printf("NPJMP %u\n", off);
	for (i = 0; i < mi.nr_map_ids; i++) {
		struct bpf_map_info minfo = {};
		__u32 mlen = sizeof(minfo);

		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0 || bpf_map_get_info_by_fd(mfd, &minfo, &mlen))
			return -1;
		printf("NPMAP %u %u %u", ids[i], minfo.value_size, minfo.max_entries);
		ret = print_map(mfd, &minfo);
		printf("\nEND\n");
		close(mfd);
		if (ret)
			return -1;
	}
	return 0;
}

#ifdef __x86_64__
#define IS_X86_64	1
#else
#define IS_X86_64	0
#endif

/* the kfuncs an image may call that bench_run runs (bpf_for's) */
#define KFUNC_NAME(f)	#f,
static const char *const kfuncs[] = { NATIVE_IMAGE_KFUNCS(KFUNC_NAME) };
#define NR_KFUNCS	(sizeof(kfuncs) / sizeof(kfuncs[0]))
static unsigned long long kfunc_addr[NR_KFUNCS];

/* their addresses, from /proc/kallsyms: KFUNC NAME ADDR */
static int find_kfuncs(void)
{
	char line[256], name[128], type;
	unsigned long long a;
	unsigned int k, n = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &a, &type, name) == 3)
			for (k = 0; k < NR_KFUNCS; k++)
				if (!strcmp(name, kfuncs[k]) && !kfunc_addr[k]) {
					kfunc_addr[k] = a;
					printf("KFUNC %s %llx\n", name, a);
					n++;
				}
	if (f)
		fclose(f);
	return n == NR_KFUNCS ? 0 : -1;
}

/*
 * KCALL OFF NAME: each call (e8 rel32) of the image to a kfunc above;
 * there must be one per kfunc call the verifier left in the program
 */
static int dump_kfunc_calls(int fd, const struct bpf_prog_info *info)
{
	unsigned int i, n = info->xlated_prog_len / sizeof(xlated[0]);
	unsigned int calls = 0, found = 0, off;
	unsigned long long ksym = 0;
	struct bpf_prog_info mi = {};
	__u32 len = sizeof(mi);
	int k;

	for (i = 0; i < n; i++)
		calls += xlated[i].code == (BPF_JMP | BPF_CALL) &&
			 xlated[i].src_reg == BPF_PSEUDO_KFUNC_CALL &&
			 !xlated[i].off;
	/* only x86-64 images run on the host; the others are measured */
	if (!calls || !IS_X86_64)
		return 0;
	mi.nr_jited_ksyms = 1;
	mi.jited_ksyms = (unsigned long)&ksym;
	if (bpf_prog_get_info_by_fd(fd, &mi, &len))
		return -1;
	for (off = 0; off + 5 <= info->jited_prog_len; off++) {
		k = rel32_target(off, 0xe8, ksym, kfunc_addr, NR_KFUNCS);
		if (k < 0)
			continue;
		printf("KCALL %u %s\n", off, kfuncs[k]);
		found++;
		off += 4;
	}
	return found == calls ? 0 : -1;
}

/* helper calls left after the verifier inlined the array lookups */
static unsigned int helper_calls(const struct bpf_prog_info *info)
{
	unsigned int i, n = info->xlated_prog_len / sizeof(xlated[0]), c = 0;

	for (i = 0; i < n; i++)
		c += xlated[i].code == (BPF_JMP | BPF_CALL) && !xlated[i].src_reg;
	return c;
}

/* a micro on the micro input: its u64 result */
static int run_micro(int fd, bu64 *result)
{
	bu64 buf[BENCH_WORDS];
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = buf, .data_out = buf,
		    .data_size_in = sizeof(buf), .data_size_out = sizeof(buf));

	bench_fill(buf);
	if (bpf_prog_test_run_opts(fd, &run) || run.retval != XDP_PASS)
		return -1;
	*result = buf[0];
	return 0;
}

/* a per-packet program over the ring: the digest of actions and packets */
static int run_ring(int fd, bu64 *digest)
{
	unsigned char out[PKT_SLOT];
	bu64 h = PKT_DIGEST_INIT;
	int i;

	for (i = 0; i < PKT_RING; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = ring[i].data,
			    .data_out = out, .data_size_in = ring[i].len,
			    .data_size_out = sizeof(out));

		if (bpf_prog_test_run_opts(fd, &run) ||
		    run.data_size_out != ring[i].len)
			return -1;
		h = pkt_digest(h, run.retval, out, ring[i].len);
	}
	*digest = h;
	return 0;
}

/*
 * BPF_PROG_TEST_RUN's own ns per run (it times the repeats), the median
 * over the first TCG_PACKETS packets: TCG's translation of new code
 * makes some runs outliers
 */
static double tcg_ns(int fd)
{
	unsigned char out[PKT_SLOT];
	double t[TCG_PACKETS];
	int i;

	for (i = 0; i < TCG_PACKETS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = ring[i].data,
			    .data_out = out, .data_size_in = ring[i].len,
			    .data_size_out = sizeof(out), .repeat = TCG_REPEAT);

		if (bpf_prog_test_run_opts(fd, &run))
			return -1;
		t[i] = run.duration;
	}
	return native_median(t, TCG_PACKETS);
}

static void print_image(const char *variant, const char *name,
			const struct bpf_prog_info *info)
{
	printf("IMAGE %s:%s %u", variant, name, info->jited_prog_len);
	print_hex("IMG ", img, info->jited_prog_len, 0);
	printf("\nEND\n");
}

/* the workload's name: the program's without its bench_/pkt_ prefix */
static const char *wl_name(struct bpf_program *prog)
{
	const char *n = bpf_program__name(prog);

	return strchr(n, '_') + 1;
}

static int dump_prog(const char *variant, struct bpf_object *obj,
		     struct bpf_program *prog)
{
	int fd = bpf_program__fd(prog);
	bool packet = !strncmp(bpf_program__name(prog), "pkt_", 4);
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	bool replaced;
	bu64 result;

	if (bench_maps_reset(obj))
		return -1;
	memset(&info, 0, sizeof(info));
	info.jited_prog_insns = (unsigned long)img;
	info.jited_prog_len = sizeof(img);
	info.xlated_prog_insns = (unsigned long)xlated;
	info.xlated_prog_len = sizeof(xlated);
	if (bpf_prog_get_info_by_fd(fd, &info, &len) ||
	    info.jited_prog_len > sizeof(img) ||
	    info.xlated_prog_len > sizeof(xlated))
		return -1;
	print_image(variant, wl_name(prog), &info);
	replaced = !strcmp(variant, "wp") && np_prog_replaced(fd, "np_bench");
	if (replaced ? dump_native(fd, &info) :
	    dump_map_refs(&info) || dump_kfunc_calls(fd, &info))
		return -1;
	if (packet ? run_ring(fd, &result) : run_micro(fd, &result))
		return -1;
	printf("bench: %s %s bpf %u verified %u bytes %u funcs %u helpers %u result %016llx\n",
	       variant, wl_name(prog), info.xlated_prog_len / 8,
	       info.verified_insns, info.jited_prog_len, info.nr_jited_ksyms,
	       helper_calls(&info), result);
	if (!strcmp(variant, "wp"))
		printf("bench: native %s %s\n", wl_name(prog),
		       replaced ? "replaced" : "jited");
	if (packet) {
		if (bench_maps_reset(obj))
			return -1;
		printf("bench: tcg %s %s %.1f ns\n", variant, wl_name(prog),
		       tcg_ns(fd));
	}
	return 0;
}

static int dump(const char *variant, const char *path)
{
	struct bpf_program *prog;
	struct bpf_object *obj;

	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "bench: cannot load %s\n", path);
		return -1;
	}
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog) &&
		    dump_prog(variant, obj, prog)) {
			fprintf(stderr, "bench: %s: %s failed\n", path,
				bpf_program__name(prog));
			return -1;
		}
	bpf_object__close(obj);
	return 0;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/*
 * Verifier + JIT time of one program: LOADS BPF_PROG_LOAD calls with the
 * insns libbpf produced (kfunc calls refer to fd_array[1]), so libbpf's
 * own work (BTF parsing, relocation) is not counted; t[] sorted.
 */
static int load_time(struct bpf_program *prog, int btf_fd, double *t)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	int fd_array[2] = { 0, btf_fd };
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .fd_array = fd_array);
	double t0;
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
	native_median(t, LOADS);
	return 0;
}

/* the load time of every program of a build, tagged @what */
static int load_times(const char *what, const char *path)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	__u32 btf_id;
	int btf_fd = module_btf_fd("eins", &btf_id);
	double t[LOADS];

	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj))
		return -1;
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		if (load_time(prog, btf_fd, t))
			return -1;
		printf("bench: load %s %s %.0f %.0f %.0f us\n", what,
		       wl_name(prog), t[LOADS / 2], t[0], t[LOADS - 1]);
	}
	bpf_object__close(obj);
	if (btf_fd >= 0)
		close(btf_fd);
	return 0;
}

static const char *const variants[] = { "stock", "eins", "opt" };

int main(int argc, char **argv)
{
	char path[64];
	unsigned int i;

	/* before eins.ko is loaded: the stock build's cost without it */
	if (argc > 1 && !strcmp(argv[1], "--load-time"))
		return load_times("stock-without-eins", "bench_stock.bpf.o") ? 1 : 0;
	bench_ring_fill(ring, BENCH_RING_SEED);
	if (find_kfuncs()) {
		fprintf(stderr, "bench: bpf_iter_num_* not in /proc/kallsyms\n");
		return 1;
	}
	/* with np_bench.ko switched on: its object, programs replaced */
	if (argc > 1 && !strcmp(argv[1], "--np"))
		return dump("wp", "np_bench.bpf.o") ? 1 : 0;
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		snprintf(path, sizeof(path), "bench_%s.bpf.o", variants[i]);
		if (dump(variants[i], path))
			return 1;
	}
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		snprintf(path, sizeof(path), "bench_%s.bpf.o", variants[i]);
		if (load_times(variants[i], path))
			return 1;
	}
	return 0;
}
