// SPDX-License-Identifier: GPL-2.0
/*
 * The loader on this kernel: objects with kinsn sites must load and give
 * the plain program's results whether the kernel has eins.ko, has the
 * Kops core without the module, or is a stock 6.12 without the core.
 * EINS_EXPECT=eins says the ops should be there (the VM loaded eins.ko),
 * anything else that they should not.
 *
 * Objects (built from progs/loader.bpf.c, see the Makefile):
 *   loader_plain.bpf.o   plain C, stock clang: the reference
 *   loader_eins.bpf.o    the same with eins.h builtins
 *   loader_eins.exp.o    the latter after eins-opt --expand (plain libbpf)
 *   loader_plain.opt.o   the reference after the eins-opt rewriter
 * Each runs on the same 1,024 generated records (128 runs of 8, edge and
 * random values); outputs and the map they update must be identical.
 * "# loader-digest" is the reference's results, compared across kernels
 * by the host.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "eins_lib.h"
#include "libeins.h"
#include "loader_plain_opt.skel.h"
#include "kselftest_harness.h"

#define NR_RECS		8
#define NR_OUTS		16
#define NR_RUNS		128

struct rec {
	__u64 a, b;
	__u64 out[NR_OUTS];
};

struct result {
	struct rec recs[NR_RUNS][NR_RECS];
	__u64 acc;
};

static bool expect_ops(void)
{
	const char *e = getenv("EINS_EXPECT");

	return e && !strcmp(e, "eins");
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int run_loaded(struct bpf_object *obj, struct result *res, bool close);

/* load @obj, run NR_RUNS packets, close it; 0 or -errno */
static int run_object(struct bpf_object *obj, struct result *res)
{
	return run_loaded(obj, res, true);
}

static int run_loaded(struct bpf_object *obj, struct result *res, bool close)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	__u32 key = 0;
	int fd, run, i, err;

	if (!obj)
		return -errno;
	err = bpf_object__load(obj);
	if (err)
		goto out;
	prog = bpf_object__find_program_by_name(obj, "loader_prog");
	map = bpf_object__find_map_by_name(obj, "acc");
	err = -ENOENT;
	if (!prog || !map)
		goto out;
	fd = bpf_program__fd(prog);
	eins_srand(4242);
	for (run = 0; run < NR_RUNS; run++) {
		struct rec *r = res->recs[run];
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = r,
			    .data_size_in = sizeof(res->recs[run]), .data_out = r,
			    .data_size_out = sizeof(res->recs[run]));

		memset(r, 0, sizeof(res->recs[run]));
		for (i = 0; i < NR_RECS; i++) {
			r[i].a = eins_rand_edge();
			r[i].b = i % 4 ? eins_rand_edge() : r[i].a >> (i + 1);
		}
		err = bpf_prog_test_run_opts(fd, &opts);
		if (!err && opts.retval != XDP_PASS)
			err = -EPROTO;
		if (err)
			goto out;
	}
	err = bpf_map_lookup_elem(bpf_map__fd(map), &key, &res->acc);
out:
	if (close)
		bpf_object__close(obj);
	return err;
}

static struct result ref, got;

static int run_ref(void)
{
	return run_object(bpf_object__open_file("loader_plain.bpf.o", NULL), &ref);
}

/* first differing output, or -1 */
static int first_diff(const struct result *a, const struct result *b)
{
	int run, i, k;

	for (run = 0; run < NR_RUNS; run++)
		for (i = 0; i < NR_RECS; i++)
			for (k = 0; k < NR_OUTS; k++)
				if (a->recs[run][i].out[k] != b->recs[run][i].out[k]) {
					fprintf(stderr,
						"# run %d rec %d out[%d]: %#llx, reference %#llx (a=%#llx b=%#llx)\n",
						run, i, k,
						(unsigned long long)b->recs[run][i].out[k],
						(unsigned long long)a->recs[run][i].out[k],
						(unsigned long long)a->recs[run][i].a,
						(unsigned long long)a->recs[run][i].b);
					return run * NR_RECS + i;
				}
	return a->acc == b->acc ? -1 : NR_RUNS * NR_RECS;
}

#define CHECK_SAME_AS_REF(obj)						\
	do {								\
		ASSERT_EQ(0, run_ref());				\
		ASSERT_EQ(0, run_object(obj, &got));			\
		EXPECT_EQ(-1, first_diff(&ref, &got));			\
	} while (0)

TEST(probe)
{
	unsigned int have;

	ASSERT_EQ(0, eins_kernel_ops(&have));
	EXPECT_EQ(expect_ops() ? 0x7fu : 0u, have)
		TH_LOG("ops found in this kernel: %#x", have);
}

TEST(reference_digest)
{
	__u64 h = 0xcbf29ce484222325ull;
	const unsigned char *p = (const void *)&ref;
	size_t i;

	ASSERT_EQ(0, run_ref());
	for (i = 0; i < sizeof(ref); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	printf("# loader-digest: %016llx\n", (unsigned long long)h);
}

/* eins.h builtins through eins_open_file: native sites or fallback */
TEST(builtins_auto)
{
	CHECK_SAME_AS_REF(eins_open_file("loader_eins.bpf.o", NULL, 0));
}

/* every site expanded by the library, whatever the kernel has */
TEST(builtins_expand_all)
{
	CHECK_SAME_AS_REF(eins_open_file("loader_eins.bpf.o", NULL,
					 EINS_LOAD_EXPAND_ALL | EINS_LOAD_QUIET));
}

/* eins-opt --expand output, loaded by plain libbpf */
TEST(expanded_file)
{
	CHECK_SAME_AS_REF(bpf_object__open_file("loader_eins.exp.o", NULL));
}

/* the rewriter's output of the plain object */
TEST(rewritten)
{
	CHECK_SAME_AS_REF(eins_open_file("loader_plain.opt.o", NULL, 0));
}

/* a skeleton of the rewritten object, opened through eins_open_skeleton */
TEST(skeleton)
{
	struct loader_plain_opt *skel = calloc(1, sizeof(*skel));

	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, loader_plain_opt__create_skeleton(skel));
	ASSERT_EQ(0, eins_open_skeleton(skel->skeleton, NULL, EINS_LOAD_QUIET));
	ASSERT_EQ(0, run_ref());
	EXPECT_EQ(0, run_loaded(skel->obj, &got, false));
	EXPECT_EQ(-1, first_diff(&ref, &got));
	loader_plain_opt__destroy(skel);
}

/* strict: loads as is where the ops are, fails naming them where not */
TEST(strict)
{
	struct bpf_object *obj;

	obj = eins_open_file("loader_eins.bpf.o", NULL, EINS_LOAD_STRICT);
	if (expect_ops()) {
		ASSERT_NE(NULL, obj);
		EXPECT_EQ(0, bpf_object__load(obj));
		bpf_object__close(obj);
	} else {
		EXPECT_EQ(NULL, obj);
		EXPECT_EQ(EOPNOTSUPP, errno);
	}
}

/* without the library the builtins object needs eins.ko */
TEST(plain_libbpf_needs_module)
{
	struct bpf_object *obj = bpf_object__open_file("loader_eins.bpf.o", NULL);
	int err;

	ASSERT_NE(NULL, obj);
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (expect_ops()) {
		EXPECT_EQ(0, err);
	} else {
		EXPECT_NE(0, err);
	}
}

int main(int argc, char **argv)
{
	libbpf_set_print(silent);
	return test_harness_run(argc, argv);
}
