// SPDX-License-Identifier: GPL-2.0
/*
 * EInsn hardening tests, run inside the test VM after "modprobe eins".
 * Each one is the regression test of a defect an adversarial review found
 * in the Kops core; the host fails the run if the console shows any kernel
 * report (WARN, BUG, Oops, KASAN, lockdep) while they run.
 *
 * - flip_race: loading programs with many sites in subprograms while
 *   another process flips eins.native_emit; every load must succeed and
 *   compute the right result (the JIT used to size the image with one
 *   answer of the op and write it with another);
 * - many_sites: 200,000 sites in one program load and compute the
 *   reference result (a program the verifier can take whole);
 * - too_many_sites: 100,000 popcount sites (400,003 insns) whose proof
 *   sequences would pass the 1M-insn limit are refused cleanly (E2BIG),
 *   never a kernel WARN from an oversized allocation;
 * - expansion_linear: the per-site load cost at 1k, 10k and 100k sites
 *   stays flat (the expansion used to copy the program once per site).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "eins_lib.h"
#include "kselftest_harness.h"

#define LOG_SIZE	(1 << 16)

static char log_buf[LOG_SIZE];

/* A program of any length, unlike the test suite's fixed-size one. */
struct big_prog {
	struct bpf_insn *insns;
	size_t cnt, cap;
};

static void big_emit(struct big_prog *p, struct bpf_insn insn)
{
	if (p->cnt == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 4096;
		p->insns = realloc(p->insns, p->cap * sizeof(*p->insns));
		if (!p->insns) {
			perror("realloc");
			exit(1);
		}
	}
	p->insns[p->cnt++] = insn;
}

static void big_emit_site(struct big_prog *p, const struct eins_site *site)
{
	struct bpf_insn insn[EINS_SITE_MAX_INSNS];
	int i, n = eins_site_insns(site, insn);

	for (i = 0; i < n; i++)
		big_emit(p, insn[i]);
}

static void big_emit_ld64(struct big_prog *p, int reg, __u64 val)
{
	struct bpf_insn ld[2] = { BPF_LD_IMM64(reg, val) };

	big_emit(p, ld[0]);
	big_emit(p, ld[1]);
}

/* Load as XDP; -errno on failure, with the verifier log in log_buf. */
static int big_load(const struct eins_ops *ops, const struct big_prog *p,
		    bool want_log)
{
	return eins_load_insns(ops, p->insns, p->cnt,
			       want_log ? log_buf : NULL, LOG_SIZE);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void get_ops(struct __test_metadata *_metadata, struct eins_ops *ops)
{
	ASSERT_EQ(0, eins_ops_get(ops)) TH_LOG("eins.ko BTF not found: is eins loaded?");
}

/* Only for TEST_F_TIMEOUT: under TCG these take longer than 30 s. */
FIXTURE(harden) {};
FIXTURE_SETUP(harden) {}
FIXTURE_TEARDOWN(harden) {}

/* ---- native_emit flipped while programs load ---- */

#define RACE_SUBPROGS	3
#define RACE_SITES	32
#define RACE_LOADS	150
#define RACE_SECONDS	20

static int clz64(__u64 x)
{
	return x ? __builtin_clzll(x) : 64;
}

/*
 * Subprogram k: r0 = sum over i of clz64(r1 + (i << k) * i), each clz one
 * site (dst r3, src r2, scratch r4, r5).
 */
static void race_subprog(struct big_prog *p, const struct eins_ops *ops,
			 int k)
{
	struct eins_site s = {
		.btf_id = ops->bitcount_id, .variant = EINS_BC_CLZ,
		.nr_regs = 4, .regs = { 3, 2, 4, 5 },
	};
	int i;

	big_emit(p, BPF_MOV64_IMM(BPF_REG_0, 0));
	for (i = 0; i < RACE_SITES; i++) {
		big_emit(p, BPF_MOV64_REG(BPF_REG_2, BPF_REG_1));
		big_emit(p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_2, (i * (k + 1)) % 64));
		big_emit_site(p, &s);
		big_emit(p, BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_3));
	}
	big_emit(p, BPF_EXIT_INSN());
}

static __u32 race_ref(const __u64 *arg)
{
	__u64 sum = 0;
	int k, i;

	for (k = 0; k < RACE_SUBPROGS; k++)
		for (i = 0; i < RACE_SITES; i++)
			sum += clz64(arg[k] >> ((i * (k + 1)) % 64));
	return sum;
}

/* main: r6 = sum of subprog k (arg[k]); return r6 */
static void race_prog(struct big_prog *p, const struct eins_ops *ops,
		      const __u64 *arg)
{
	int calls[RACE_SUBPROGS], k;

	p->cnt = 0;
	big_emit(p, BPF_MOV64_IMM(BPF_REG_6, 0));
	for (k = 0; k < RACE_SUBPROGS; k++) {
		big_emit_ld64(p, BPF_REG_1, arg[k]);
		calls[k] = p->cnt;
		big_emit(p, BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL,
					 0, 0));
		big_emit(p, BPF_ALU64_REG(BPF_ADD, BPF_REG_6, BPF_REG_0));
	}
	big_emit(p, BPF_MOV64_REG(BPF_REG_0, BPF_REG_6));
	big_emit(p, BPF_EXIT_INSN());
	for (k = 0; k < RACE_SUBPROGS; k++) {
		p->insns[calls[k]].imm = p->cnt - calls[k] - 1;
		race_subprog(p, ops, k);
	}
}

/* Flip eins.native_emit as fast as possible until killed. */
static void flipper(void)
{
	int fd = open("/sys/module/eins/parameters/native_emit", O_WRONLY);
	int on = 0;

	if (fd < 0)
		_exit(1);
	for (;;) {
		if (pwrite(fd, on ? "1" : "0", 1, 0) != 1)
			_exit(1);
		on = !on;
	}
}

TEST_F_TIMEOUT(harden, flip_race, 180)
{
	struct big_prog p = {};
	struct eins_ops ops;
	__u64 arg[RACE_SUBPROGS];
	int i, k, fd, err, status, loads = 0;
	double start = now_ms();
	__u32 ret;
	pid_t pid;

	get_ops(_metadata, &ops);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		flipper();

	for (i = 0; i < RACE_LOADS; i++) {
		for (k = 0; k < RACE_SUBPROGS; k++)
			arg[k] = eins_rand_edge() | (eins_rand() >> (eins_rand() % 64));
		race_prog(&p, &ops, arg);
		fd = big_load(&ops, &p, false);
		if (fd < 0)
			fd = big_load(&ops, &p, true);
		EXPECT_LE(0, fd) TH_LOG("load %d failed (%d) while native_emit flips:\n%s",
					i, fd, log_buf);
		if (fd < 0)
			break;
		err = eins_run_retval(fd, &ret);
		close(fd);
		EXPECT_EQ(0, err);
		EXPECT_EQ(race_ref(arg), ret) TH_LOG("load %d: wrong result", i);
		loads++;
		if (now_ms() - start > RACE_SECONDS * 1000)
			break;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* the flipper must have been running, not failed at once */
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("flipper exited: %d", status);
	eins_set_native(true);
	printf("# flip_race: %d loads of %d subprograms x %d clz sites in %.1f s\n",
	       loads, RACE_SUBPROGS, RACE_SITES, (now_ms() - start) / 1e3);
	free(p.insns);
}

/* ---- programs with very many sites ---- */

/* r0 = extract64(r0, lsb(i), 63) for @nr sites: 3 insns each */
static void extract_chain(struct big_prog *p, const struct eins_ops *ops,
			  int nr, __u64 seed)
{
	struct eins_site s = {
		.btf_id = ops->extract_id, .nr_regs = 2, .regs = { 0, 0 },
	};
	int i;

	p->cnt = 0;
	big_emit_ld64(p, BPF_REG_0, seed);
	for (i = 0; i < nr; i++) {
		s.imm = EINS_EXT_IMM(i % 3 == 0, 63);
		big_emit_site(p, &s);
	}
	big_emit(p, BPF_EXIT_INSN());
}

static __u32 extract_chain_ref(int nr, __u64 seed)
{
	__u64 x = seed;
	int i;

	for (i = 0; i < nr; i++)
		x = (x >> (i % 3 == 0)) & ((1ull << 63) - 1);
	return x;
}

/* a chain of @nr extract sites: the load's result, timed and printed */
static int chain_load(const struct eins_ops *ops, struct big_prog *p, int nr,
		      __u64 seed, const char *what)
{
	double start;
	int fd;

	extract_chain(p, ops, nr, seed);
	start = now_ms();
	fd = big_load(ops, p, false);
	printf("# %s: %d sites, %zu insns: %s (%d) in %.1f s\n", what, nr,
	       p->cnt, fd >= 0 ? "loaded" : "refused", fd < 0 ? fd : 0,
	       (now_ms() - start) / 1e3);
	return fd;
}

TEST_F_TIMEOUT(harden, many_sites, 600)
{
	const int nr = 200000;
	const __u64 seed = ~0ull;
	struct big_prog p = {};
	struct eins_ops ops;
	__u32 ret;
	int fd;

	get_ops(_metadata, &ops);
	fd = chain_load(&ops, &p, nr, seed, "many_sites");
	free(p.insns);
	ASSERT_LE(0, fd) TH_LOG("%d sites refused: errno %d", nr, -fd);
	ASSERT_EQ(0, eins_run_retval(fd, &ret));
	EXPECT_EQ(extract_chain_ref(nr, seed), ret);
	close(fd);
}

TEST_F_TIMEOUT(harden, too_many_sites, 600)
{
	/* r0 = popcount(r0), r1 and r2 scratch */
	struct eins_site s = {
		.nr_regs = 4, .regs = { 0, 0, 1, 2 }, .variant = EINS_BC_POPCNT,
	};
	const int nr = 100000;
	struct big_prog p = {};
	struct eins_ops ops;
	int i, fd;

	get_ops(_metadata, &ops);
	s.btf_id = ops.bitcount_id;
	big_emit_ld64(&p, BPF_REG_0, ~0ull);
	for (i = 0; i < nr; i++)
		big_emit_site(&p, &s);
	big_emit(&p, BPF_EXIT_INSN());
	fd = big_load(&ops, &p, false);
	printf("# too_many_sites: %d popcount sites, %zu insns: %s (%d)\n", nr,
	       p.cnt, fd >= 0 ? "loaded" : "refused", fd < 0 ? fd : 0);
	free(p.insns);
	if (fd >= 0)
		close(fd);
	/* the expanded program is longer than any program may be */
	EXPECT_EQ(-E2BIG, fd);
}

/* ---- expansion cost per site ---- */

#define SCALE_RUNS	3

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median load time of @nr sites, in microseconds per site. */
static double us_per_site(struct __test_metadata *_metadata,
			  const struct eins_ops *ops, int nr)
{
	struct big_prog p = {};
	double t[SCALE_RUNS], start;
	int i, fd;

	extract_chain(&p, ops, nr, 12345);
	for (i = 0; i < SCALE_RUNS; i++) {
		start = now_ms();
		fd = big_load(ops, &p, false);
		t[i] = (now_ms() - start) * 1e3 / nr;
		EXPECT_LE(0, fd) TH_LOG("%d sites: load failed (%d)", nr, fd);
		if (fd >= 0)
			close(fd);
	}
	free(p.insns);
	qsort(t, SCALE_RUNS, sizeof(t[0]), cmp_double);
	printf("# expansion_linear: %6d sites: %.2f us/site [%.2f-%.2f]\n",
	       nr, t[SCALE_RUNS / 2], t[0], t[SCALE_RUNS - 1]);
	return t[SCALE_RUNS / 2];
}

TEST_F_TIMEOUT(harden, expansion_linear, 600)
{
	struct eins_ops ops;
	double c1k, c10k, c100k;

	get_ops(_metadata, &ops);
	c1k = us_per_site(_metadata, &ops, 1000);
	c10k = us_per_site(_metadata, &ops, 10000);
	c100k = us_per_site(_metadata, &ops, 100000);
	printf("# expansion_linear: per-site cost 10k/1k %.2fx, 100k/1k %.2fx\n",
	       c10k / c1k, c100k / c1k);
	/* linear: the per-site cost may not grow with the site count */
	EXPECT_GT(3.0, c10k / c1k);
	EXPECT_GT(3.0, c100k / c1k);
}

TEST_HARNESS_MAIN
