// SPDX-License-Identifier: GPL-2.0
/*
 * EInsn selftests, run inside the test VM after "modprobe eins".
 *
 * - differential: random sites (registers and immediates) run on at least
 *   10,000 random and edge-case vectors per op shape, with the native emit
 *   on and off; both must match a C reference in the destination and leave
 *   every other non-clobbered register alone;
 * - jit: the image holds the native instruction and not the proof sequence
 *   (and the other way round with the native emit off);
 * - reject: malformed sites fail to load with the exact verifier message;
 * - fallback: regions rewritten after verification keep their bytecode;
 * - builtins: a clang-built object using tools/eins.h loads through libbpf;
 * - rmmod: eins.ko cannot be unloaded while a program uses one of its ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "eins_lib.h"
#include "kselftest_harness.h"

#define VECTORS_PER_SHAPE	10000
#define RUNS_PER_PROG		50
#define LOG_SIZE		(1 << 16)

static char log_buf[LOG_SIZE];

static void get_ops(struct __test_metadata *_metadata, struct eins_ops *ops)
{
	ASSERT_EQ(0, eins_ops_get(ops)) TH_LOG("eins.ko BTF not found: is eins loaded?");
}

/* ---- C reference semantics ---- */

static __u64 rotl64(__u64 x, unsigned int n)
{
	n &= 63;
	return n ? x << n | x >> (64 - n) : x;
}

static __u32 rotl32(__u32 x, unsigned int n)
{
	n &= 31;
	return n ? x << n | x >> (32 - n) : x;
}

static __u64 ref_rotate(const struct eins_site *s, const __u64 *in)
{
	bool reg = s->variant & EINS_ROT_REG;
	bool right = s->variant & EINS_ROT_RIGHT;
	__u64 x = in[s->regs[1]];
	unsigned int n = reg ? in[s->regs[2]] : s->imm;

	if (s->variant & EINS_ROT_32) {
		n &= 31;
		return rotl32(x, right ? 32 - n : n);
	}
	n &= 63;
	return rotl64(x, right ? 64 - n : n);
}

static bool ref_cond(int cc, bool is32, __u64 a, __u64 b)
{
	__s64 sa = is32 ? (__s32)a : (__s64)a, sb = is32 ? (__s32)b : (__s64)b;

	if (is32) {
		a = (__u32)a;
		b = (__u32)b;
	}
	switch (cc) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JSET: return a & b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	}
	abort();
}

static __u64 ref_select(const struct eins_site *s, const __u64 *in)
{
	bool imm = s->variant & EINS_SEL_IMM;
	__u64 b = imm ? (__u64)(__s64)s->imm : in[s->regs[4]];
	bool taken = ref_cond(s->variant & EINS_SEL_CC_MASK,
			      s->variant & EINS_SEL_32, in[s->regs[1]], b);

	return taken ? in[s->regs[2]] : in[s->regs[3]];
}

/* ---- random sites ---- */

static int rand_reg(void)
{
	return eins_rand() % EINS_NR_REGS;
}

static int rand_reg_except(__u16 used)
{
	int r;

	do {
		r = rand_reg();
	} while (used & (1u << r));
	return r;
}

static void gen_rotate(const struct eins_ops *ops, __u16 variant,
		       struct eins_site *s)
{
	bool reg = variant & EINS_ROT_REG;
	int width = variant & EINS_ROT_32 ? 32 : 64;
	__u16 used;
	int i;

	memset(s, 0, sizeof(*s));
	s->btf_id = ops->rotate_id;
	s->variant = variant;
	s->nr_regs = reg ? 5 : 3;
	s->regs[0] = rand_reg();
	s->regs[1] = rand_reg();
	used = 1u << s->regs[0] | 1u << s->regs[1];
	if (reg) {
		s->regs[2] = rand_reg();
		used |= 1u << s->regs[2];
	} else {
		s->imm = 1 + eins_rand() % (width - 1);
	}
	for (i = reg ? 3 : 2; i < s->nr_regs; i++) {
		s->regs[i] = rand_reg_except(used);
		used |= 1u << s->regs[i];
		s->clobber |= 1u << s->regs[i];
	}
}

static const int select_ccs[] = {
	BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
	BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE,
};
#define NR_CCS (int)(sizeof(select_ccs) / sizeof(select_ccs[0]))

static void gen_select(const struct eins_ops *ops, __u16 variant,
		       struct eins_site *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->btf_id = ops->select_id;
	s->variant = variant;
	s->nr_regs = variant & EINS_SEL_IMM ? 4 : 5;
	for (i = 0; i < s->nr_regs; i++)
		s->regs[i] = rand_reg();
	if (variant & EINS_SEL_IMM)
		s->imm = (__s32)eins_rand_edge();
}

/* Inputs that make the compare interesting: often equal, adjacent, signs. */
static void fill_inputs(const struct eins_site *s, struct eins_rec *rec)
{
	int r, a, b;

	for (r = 0; r < EINS_NR_REGS; r++)
		rec->in[r] = eins_rand_edge();
	/* for select with register b (for rotate, regs[4] is scratch) */
	if (s->nr_regs < 5)
		return;
	a = s->regs[1];
	b = s->regs[4];
	switch (eins_rand() % 4) {
	case 0:
		rec->in[b] = rec->in[a];
		break;
	case 1:
		rec->in[b] = rec->in[a] + (eins_rand() % 3) - 1;
		break;
	}
}

typedef void (*gen_fn)(const struct eins_ops *, __u16, struct eins_site *);
typedef __u64 (*ref_fn)(const struct eins_site *, const __u64 *);

/* Compare a run's records with the reference; 0 if all match. */
static int check_recs(const struct eins_site *sites, const struct eins_rec *recs,
		      ref_fn ref, const char *what)
{
	int k, r;

	for (k = 0; k < EINS_RECS_PER_RUN; k++) {
		const struct eins_site *s = &sites[k];

		for (r = 0; r < EINS_NR_REGS; r++) {
			__u64 want = recs[k].in[r];

			if (s->clobber & (1u << r))
				continue;
			if (r == s->regs[0])
				want = ref(s, recs[k].in);
			if (recs[k].out[r] == want)
				continue;
			fprintf(stderr, "# %s: variant %#x imm %d regs", what,
				s->variant, s->imm);
			for (int i = 0; i < s->nr_regs; i++)
				fprintf(stderr, " r%d", s->regs[i]);
			fprintf(stderr, ": r%d = %#llx, want %#llx (inputs",
				r, (unsigned long long)recs[k].out[r],
				(unsigned long long)want);
			for (int i = 0; i < EINS_NR_REGS; i++)
				fprintf(stderr, " %#llx",
					(unsigned long long)recs[k].in[i]);
			fprintf(stderr, ")\n");
			return -1;
		}
	}
	return 0;
}

/*
 * Run @vectors random vectors through programs of random sites of one
 * shape, with the native emit on and off.  Returns the number of vectors
 * checked, or -1 on the first mismatch or load failure.
 */
static int diff_shape(const struct eins_ops *ops, gen_fn gen, ref_fn ref,
		      __u16 variant, int vectors)
{
	static struct eins_prog prog;
	struct eins_site sites[EINS_RECS_PER_RUN];
	struct eins_rec in[EINS_RECS_PER_RUN], recs[EINS_RECS_PER_RUN];
	int done = 0, k, run, fd_native, fd_proof;

	eins_srand(0x5eed0000ull + variant);
	while (done < vectors) {
		for (k = 0; k < EINS_RECS_PER_RUN; k++)
			gen(ops, variant, &sites[k]);
		eins_build_diff_prog(&prog, sites, EINS_RECS_PER_RUN);
		eins_set_native(true);
		fd_native = eins_load(ops, &prog, log_buf, LOG_SIZE);
		eins_set_native(false);
		fd_proof = eins_load(ops, &prog, NULL, 0);
		eins_set_native(true);
		if (fd_native < 0 || fd_proof < 0) {
			fprintf(stderr, "# load failed (%d, %d):\n%s\n", fd_native,
				fd_proof, log_buf);
			return -1;
		}
		for (run = 0; run < RUNS_PER_PROG && done < vectors; run++) {
			for (k = 0; k < EINS_RECS_PER_RUN; k++)
				fill_inputs(&sites[k], &in[k]);
			memcpy(recs, in, sizeof(in));
			if (eins_run_recs(fd_native, recs, EINS_RECS_PER_RUN) ||
			    check_recs(sites, recs, ref, "native"))
				return -1;
			memcpy(recs, in, sizeof(in));
			if (eins_run_recs(fd_proof, recs, EINS_RECS_PER_RUN) ||
			    check_recs(sites, recs, ref, "proof"))
				return -1;
			done += EINS_RECS_PER_RUN;
		}
		close(fd_native);
		close(fd_proof);
	}
	return done;
}

TEST(diff_rotate)
{
	struct eins_ops ops;
	__u16 v;
	int n;

	get_ops(_metadata, &ops);
	for (v = 0; v <= EINS_ROT_VARIANTS; v++) {
		n = diff_shape(&ops, gen_rotate, ref_rotate, v, VECTORS_PER_SHAPE);
		ASSERT_LE(VECTORS_PER_SHAPE, n) TH_LOG("rotate variant %#x", v);
		TH_LOG("rotate variant %#x: %d vectors native == proof == C", v, n);
	}
}

TEST(diff_select)
{
	struct eins_ops ops;
	int i, n, flags;
	__u16 v;

	get_ops(_metadata, &ops);
	for (i = 0; i < NR_CCS; i++) {
		for (flags = 0; flags < 4; flags++) {
			v = select_ccs[i] | (flags & 1 ? EINS_SEL_32 : 0) |
			    (flags & 2 ? EINS_SEL_IMM : 0);
			n = diff_shape(&ops, gen_select, ref_select, v,
				       VECTORS_PER_SHAPE);
			ASSERT_LE(VECTORS_PER_SHAPE, n) TH_LOG("select variant %#x", v);
		}
	}
	TH_LOG("select: %d shapes x %d vectors native == proof == C",
	       NR_CCS * 4, VECTORS_PER_SHAPE);
}

/* ---- the jited image ---- */

static void jit_image_check(struct __test_metadata *_metadata,
			    const struct eins_ops *ops,
			    const struct eins_site *site, x86_match_fn native,
			    x86_match_fn proof, int proof_in_template)
{
	static struct eins_prog prog;
	static unsigned char img[2][65536];
	int fd[2], len[2], i;
	bool ok;

	eins_build_diff_prog(&prog, site, 1);
	for (i = 0; i < 2; i++) {
		eins_set_native(i == 0);
		fd[i] = eins_load(ops, &prog, log_buf, LOG_SIZE);
		ASSERT_LE(0, fd[i]) TH_LOG("load: %s", log_buf);
		len[i] = eins_jited(fd[i], img[i], sizeof(img[i]));
		ASSERT_LT(0, len[i]);
		close(fd[i]);
	}
	eins_set_native(true);
	/* the emit on: native insn, no proof insn; off: the other way round */
	ok = x86_count(img[0], len[0], native) > 0 &&
	     x86_count(img[1], len[1], native) == 0 &&
	     x86_count(img[0], len[0], proof) == proof_in_template &&
	     x86_count(img[1], len[1], proof) > proof_in_template;
	/* rcx juggling can make a register-count rotate as long as its proof */
	if (!(site->btf_id == ops->rotate_id && site->variant & EINS_ROT_REG))
		ok = ok && len[0] < len[1];
	if (!ok) {
		fprintf(stderr, "# variant %#x imm %d regs %d %d %d %d %d\n",
			site->variant, site->imm, site->regs[0], site->regs[1],
			site->regs[2], site->regs[3], site->regs[4]);
		eins_hexdump("native", img[0], len[0]);
		eins_hexdump("proof", img[1], len[1]);
	}
	EXPECT_TRUE(ok) TH_LOG("native insn only with the emit on, proof sequence only with it off");
}

TEST(jit_rotate)
{
	struct eins_ops ops;
	struct eins_site s;
	__u16 v;
	int i;

	get_ops(_metadata, &ops);
	eins_srand(42);
	for (v = 0; v <= EINS_ROT_VARIANTS; v++) {
		for (i = 0; i < 8; i++) {
			gen_rotate(&ops, v, &s);
			if (i == 0)	/* in place: plain ROL/ROR */
				s.regs[1] = s.regs[0];
			jit_image_check(_metadata, &ops, &s, x86_is_rotate,
					x86_is_shift, 0);
		}
	}
}

TEST(jit_select)
{
	struct eins_ops ops;
	struct eins_site s;
	int i, flags;

	get_ops(_metadata, &ops);
	eins_srand(43);
	for (i = 0; i < NR_CCS; i++) {
		for (flags = 0; flags < 4; flags++) {
			gen_select(&ops, select_ccs[i] |
				   (flags & 1 ? EINS_SEL_32 : 0) |
				   (flags & 2 ? EINS_SEL_IMM : 0), &s);
			/*
			 * A compare the verifier can decide (a with itself,
			 * w > 0xffffffff) leaves one arm dead; the region is
			 * then rewritten and keeps its bytecode.
			 */
			if (flags & 2)
				s.imm = 1000 + i;
			if (s.regs[4] == s.regs[1])
				s.regs[4] = (s.regs[1] + 1) % EINS_NR_REGS;
			/* the template's bounds check is one jcc */
			jit_image_check(_metadata, &ops, &s, x86_is_cmov,
					x86_is_jcc, 1);
		}
	}
}

/* ---- rejected sites ---- */

static struct eins_prog reject_prog;

static void prog_start(void)
{
	int r;

	reject_prog.cnt = 0;
	for (r = 0; r < EINS_NR_REGS; r++)
		eins_emit(&reject_prog, BPF_MOV64_IMM(r, r));
}

static void prog_end(void)
{
	eins_emit(&reject_prog, BPF_MOV64_IMM(BPF_REG_0, 2));
	eins_emit(&reject_prog, BPF_EXIT_INSN());
}

static void expect_reject(struct __test_metadata *_metadata,
			  const struct eins_ops *ops, const char *msg)
{
	int fd = eins_load(ops, &reject_prog, log_buf, LOG_SIZE);

	if (fd >= 0)
		close(fd);
	EXPECT_GT(0, fd) TH_LOG("loaded, expected \"%s\"", msg);
	EXPECT_NE(NULL, strstr(log_buf, msg))
		TH_LOG("expected \"%s\", log:\n%s", msg, log_buf);
}

static struct eins_site rot_site(const struct eins_ops *ops, __u16 variant,
				 __s32 imm, int dst, int src, int tmp)
{
	struct eins_site s = {
		.btf_id = ops->rotate_id, .variant = variant, .imm = imm,
		.nr_regs = 3, .regs = { dst, src, tmp },
	};
	return s;
}

/* one site after the register setup; the site starts at insn 10 */
static void reject_one(struct __test_metadata *_metadata,
		       const struct eins_ops *ops, struct eins_site s,
		       const char *msg)
{
	prog_start();
	eins_emit_site(&reject_prog, &s);
	prog_end();
	expect_reject(_metadata, ops, msg);
}

TEST(reject_bad_payload)
{
	struct eins_ops ops;
	struct eins_site s;

	get_ops(_metadata, &ops);
	reject_one(_metadata, &ops, rot_site(&ops, 0x8, 3, 0, 1, 2),
		   "kinsn eins_rotate at insn 10: unknown rotate variant\n");
	reject_one(_metadata, &ops, rot_site(&ops, 0, 0, 0, 1, 2),
		   "kinsn eins_rotate at insn 10: rotate count out of range\n");
	reject_one(_metadata, &ops, rot_site(&ops, 0, 64, 0, 1, 2),
		   "kinsn eins_rotate at insn 10: rotate count out of range\n");
	reject_one(_metadata, &ops, rot_site(&ops, EINS_ROT_32, 32, 0, 1, 2),
		   "kinsn eins_rotate at insn 10: rotate count out of range\n");
	reject_one(_metadata, &ops, rot_site(&ops, EINS_ROT_RIGHT, -1, 0, 1, 2),
		   "kinsn eins_rotate at insn 10: rotate count out of range\n");
	reject_one(_metadata, &ops, rot_site(&ops, 0, 3, 0, 1, 1),
		   "kinsn eins_rotate at insn 10: rotate scratch registers must be distinct from the other operands\n");
	s = rot_site(&ops, EINS_ROT_REG, 0, 0, 1, 2);
	reject_one(_metadata, &ops, s,
		   "kinsn eins_rotate at insn 10: rotate needs 3 operands (5 with a count register)\n");

	gen_select(&ops, BPF_JEQ, &s);
	s.variant = BPF_CALL;
	reject_one(_metadata, &ops, s,
		   "kinsn eins_select at insn 10: invalid select condition\n");
	s.variant = BPF_JA;
	reject_one(_metadata, &ops, s,
		   "kinsn eins_select at insn 10: invalid select condition\n");
	s.variant = BPF_JEQ | 0x400;
	reject_one(_metadata, &ops, s,
		   "kinsn eins_select at insn 10: unknown select variant\n");
}

TEST(reject_bad_register)
{
	struct eins_ops ops;
	struct eins_site s;

	get_ops(_metadata, &ops);
	reject_one(_metadata, &ops, rot_site(&ops, 0, 3, BPF_REG_10, 1, 2),
		   "kinsn eins_rotate at insn 10: frame pointer r10 cannot be written\n");
	reject_one(_metadata, &ops, rot_site(&ops, 0, 3, 0, 1, BPF_REG_10),
		   "kinsn eins_rotate at insn 10: frame pointer r10 cannot be written\n");
	reject_one(_metadata, &ops, rot_site(&ops, 0, 3, 11, 1, 2),
		   "kinsn eins_rotate at insn 10: operand register out of range\n");
	reject_one(_metadata, &ops, rot_site(&ops, 0, 3, 0, 15, 2),
		   "kinsn eins_rotate at insn 10: operand register out of range\n");

	/* the unused half of the last carrier must repeat its register */
	prog_start();
	eins_emit_site(&reject_prog, &(struct eins_site){
		.btf_id = ops.rotate_id, .imm = 3, .nr_regs = 3,
		.regs = { 0, 1, 2 } });
	reject_prog.insns[reject_prog.cnt - 1].src_reg = 3;
	prog_end();
	expect_reject(_metadata, &ops,
		      "kinsn eins_rotate at insn 10: unused carrier field does not repeat the register\n");

	/* a carrier that is not a plain register move */
	prog_start();
	s = rot_site(&ops, 0, 3, 0, 1, 2);
	eins_emit_site(&reject_prog, &s);
	reject_prog.insns[reject_prog.cnt - 1].imm = 1;
	prog_end();
	expect_reject(_metadata, &ops,
		      "kinsn eins_rotate at insn 10: operand carrier is not a register move\n");
}

TEST(reject_bad_layout)
{
	struct eins_ops ops;
	struct eins_site s;

	get_ops(_metadata, &ops);

	/* cut off by the end of the program */
	prog_start();
	s = rot_site(&ops, 0, 3, 0, 1, 2);
	eins_emit_site(&reject_prog, &s);
	reject_prog.cnt--;
	expect_reject(_metadata, &ops,
		      "kinsn eins_rotate at insn 10: site truncated by the end of the program\n");

	/* a call that is not followed by its payload */
	prog_start();
	eins_emit_site(&reject_prog, &s);
	reject_prog.insns[11] = BPF_MOV64_IMM(BPF_REG_0, 0);
	prog_end();
	expect_reject(_metadata, &ops,
		      "kinsn eins_rotate at insn 10: call is not followed by a payload\n");

	/* a payload without its call ("unknown op") */
	prog_start();
	eins_emit_site(&reject_prog, &s);
	reject_prog.insns[10] = BPF_MOV64_IMM(BPF_REG_0, 0);
	prog_end();
	expect_reject(_metadata, &ops,
		      "kinsn payload at insn 11 does not follow a kinsn call\n");

	/* a call naming a BTF id that is no function */
	prog_start();
	s.btf_id = 1;	/* a vmlinux type, not a kinsn op */
	eins_emit_site(&reject_prog, &s);
	prog_end();
	expect_reject(_metadata, &ops, "is not a function\n");

	/* a jump into the site's carriers */
	prog_start();
	s = rot_site(&ops, 0, 3, 0, 1, 2);
	eins_emit(&reject_prog, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 2));
	eins_emit_site(&reject_prog, &s);
	prog_end();
	expect_reject(_metadata, &ops,
		      "insn 10 jumps into the middle of kinsn eins_rotate at insn 11\n");

	/* a clobbered scratch register read after the site */
	prog_start();
	eins_emit_site(&reject_prog, &s);
	eins_emit(&reject_prog, BPF_MOV64_REG(BPF_REG_0, BPF_REG_2));
	eins_emit(&reject_prog, BPF_EXIT_INSN());
	expect_reject(_metadata, &ops, "R2 !read_ok\n");
}

/* ---- regions rewritten after verification fall back to bytecode ---- */

static void write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		perror(path);
	if (fd >= 0)
		close(fd);
}

TEST(fallback_blinding)
{
	static struct eins_prog prog;
	static unsigned char img[65536];
	struct eins_rec recs[EINS_RECS_PER_RUN];
	struct eins_site sites[EINS_RECS_PER_RUN];
	struct eins_ops ops;
	int k, fd, len;

	get_ops(_metadata, &ops);
	eins_srand(7);
	for (k = 0; k < EINS_RECS_PER_RUN; k++)
		gen_rotate(&ops, k & EINS_ROT_VARIANTS, &sites[k]);
	eins_build_diff_prog(&prog, sites, EINS_RECS_PER_RUN);

	write_sysctl("/proc/sys/net/core/bpf_jit_harden", "2");
	fd = eins_load(&ops, &prog, log_buf, LOG_SIZE);
	write_sysctl("/proc/sys/net/core/bpf_jit_harden", "0");
	ASSERT_LE(0, fd) TH_LOG("%s", log_buf);
	len = eins_jited(fd, img, sizeof(img));
	ASSERT_LT(0, len);
	EXPECT_EQ(0, x86_count(img, len, x86_is_rotate))
		TH_LOG("native code in a blinded program");
	for (k = 0; k < EINS_RECS_PER_RUN; k++)
		fill_inputs(&sites[k], &recs[k]);
	ASSERT_EQ(0, eins_run_recs(fd, recs, EINS_RECS_PER_RUN));
	EXPECT_EQ(0, check_recs(sites, recs, ref_rotate, "blinded"));
	close(fd);
}

TEST(fallback_dead_branch)
{
	static unsigned char img[65536];
	struct eins_ops ops;
	struct eins_site s;
	int fd, len;
	LIBBPF_OPTS(bpf_test_run_opts, run);
	char pkt[64] = {};

	get_ops(_metadata, &ops);
	/* r1 = 5 is known, so "r1 > 3" is decided and one arm is dead */
	s = (struct eins_site){ .btf_id = ops.select_id,
		.variant = BPF_JGT | EINS_SEL_IMM, .imm = 3, .nr_regs = 4,
		.regs = { BPF_REG_0, BPF_REG_1, BPF_REG_2, BPF_REG_3 } };
	prog_start();
	eins_emit(&reject_prog, BPF_MOV64_IMM(BPF_REG_1, 5));
	eins_emit(&reject_prog, BPF_MOV64_IMM(BPF_REG_2, 7));
	eins_emit(&reject_prog, BPF_MOV64_IMM(BPF_REG_3, 9));
	eins_emit_site(&reject_prog, &s);
	eins_emit(&reject_prog, BPF_EXIT_INSN());
	fd = eins_load(&ops, &reject_prog, log_buf, LOG_SIZE);
	ASSERT_LE(0, fd) TH_LOG("%s", log_buf);
	len = eins_jited(fd, img, sizeof(img));
	ASSERT_LT(0, len);
	EXPECT_EQ(0, x86_count(img, len, x86_is_cmov))
		TH_LOG("native code for a rewritten region");
	run.data_in = pkt;
	run.data_size_in = sizeof(pkt);
	ASSERT_EQ(0, bpf_prog_test_run_opts(fd, &run));
	EXPECT_EQ(7, run.retval);
	close(fd);
}

/* ---- eins.h builtins through libbpf ---- */

#define BUILTIN_RECS	16
#define BUILTIN_OUTS	14

struct builtin_rec {
	__u64 a, b;
	__u64 out[BUILTIN_OUTS];
};

static void ref_builtins(struct builtin_rec *r)
{
	__u64 a = r->a, b = r->b;

	r->out[0] = rotl64(a, 13);
	r->out[1] = rotl64(a, 64 - 7);
	r->out[2] = rotl32(a, 5);
	r->out[3] = rotl32(a, 32 - 31);
	r->out[4] = rotl64(a, b & 63);
	r->out[5] = rotl64(a, (64 - (b & 63)) & 63);
	r->out[6] = rotl32(a, b & 31);
	r->out[7] = rotl32(a, (32 - (b & 31)) & 31);
	r->out[8] = a > b ? a : b;
	r->out[9] = (__s64)a < (__s64)b ? a : b;
	r->out[10] = (__s32)a < -5 ? a : b;
	r->out[11] = a > 255 ? 255 : a;
	r->out[12] = (a & b) ? a : ~b;
	r->out[13] = (__u32)a == (__u32)b ? 1 : 2;
}

TEST(builtins_libbpf)
{
	static unsigned char img[65536];
	struct builtin_rec recs[BUILTIN_RECS], want[BUILTIN_RECS];
	struct bpf_object *obj;
	struct bpf_program *prog;
	int fd, len, i, run;

	obj = bpf_object__open_file("builtins.bpf.o", NULL);
	ASSERT_NE(NULL, obj);
	ASSERT_EQ(0, bpf_object__load(obj));
	prog = bpf_object__find_program_by_name(obj, "eins_builtins");
	ASSERT_NE(NULL, prog);
	fd = bpf_program__fd(prog);
	len = eins_jited(fd, img, sizeof(img));
	ASSERT_LT(0, len);
	EXPECT_LT(0, x86_count(img, len, x86_is_rotate));
	EXPECT_LT(0, x86_count(img, len, x86_is_cmov));

	eins_srand(99);
	for (run = 0; run < 64; run++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = recs,
			    .data_size_in = sizeof(recs), .data_out = recs,
			    .data_size_out = sizeof(recs));

		memset(recs, 0, sizeof(recs));
		for (i = 0; i < BUILTIN_RECS; i++) {
			recs[i].a = eins_rand_edge();
			recs[i].b = i % 4 ? eins_rand_edge() : recs[i].a;
			want[i] = recs[i];
			ref_builtins(&want[i]);
		}
		ASSERT_EQ(0, bpf_prog_test_run_opts(fd, &opts));
		ASSERT_EQ(2, opts.retval);
		ASSERT_EQ(0, memcmp(want, recs, sizeof(recs)))
			TH_LOG("eins.h builtins differ from the C reference");
	}
	bpf_object__close(obj);
}

/* ---- module refcounting ---- */

static int delete_eins(void)
{
	return syscall(__NR_delete_module, "eins", O_NONBLOCK) ? -errno : 0;
}

TEST(rmmod_refcount)
{
	struct eins_ops ops;
	struct eins_site s;
	int fd, err, tries;

	get_ops(_metadata, &ops);
	s = rot_site(&ops, 0, 3, 0, 1, 2);
	prog_start();
	eins_emit_site(&reject_prog, &s);
	prog_end();
	fd = eins_load(&ops, &reject_prog, log_buf, LOG_SIZE);
	ASSERT_LE(0, fd) TH_LOG("%s", log_buf);
	close(ops.btf_fd);

	err = delete_eins();
	EXPECT_EQ(-EWOULDBLOCK, err) TH_LOG("rmmod while a program uses eins: %d", err);

	close(fd);
	/* the program is freed after an RCU grace period */
	for (tries = 0; tries < 100; tries++) {
		err = delete_eins();
		if (err != -EWOULDBLOCK)
			break;
		usleep(20000);
	}
	EXPECT_EQ(0, err) TH_LOG("rmmod after the program is gone: %d", err);
	ASSERT_EQ(0, system("modprobe eins"));
}

TEST_HARNESS_MAIN
