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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "eins_lib.h"
#include "kselftest_harness.h"

#define VECTORS_PER_SHAPE	10000

#ifdef __aarch64__
#define IS_ARM64		true
#else
#define IS_ARM64		false
#endif
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

static __u64 ref_rotate(const struct eins_site *s, const __u64 *in, __u64 *mem)
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

static __u64 ref_select(const struct eins_site *s, const __u64 *in, __u64 *mem)
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
	rec->mem_in = eins_rand_edge();
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
/* the destination's value; a memory op also updates *mem */
typedef __u64 (*ref_fn)(const struct eins_site *, const __u64 *, __u64 *);

/* Compare a run's records with the reference; 0 if all match. */
static int check_recs(const struct eins_site *sites, const struct eins_rec *recs,
		      ref_fn ref, const char *what)
{
	int k, r;

	for (k = 0; k < EINS_RECS_PER_RUN; k++) {
		const struct eins_site *s = &sites[k];
		__u64 mem = recs[k].mem_in;
		__u64 dst = ref(s, recs[k].in, &mem);

		for (r = 0; r <= EINS_NR_REGS; r++) {
			__u64 want = r < EINS_NR_REGS ? recs[k].in[r] : mem;
			__u64 got = r < EINS_NR_REGS ? recs[k].out[r] :
						       recs[k].mem_out;

			if (r == EINS_NR_REGS ? !s->mem : s->clobber & (1u << r))
				continue;
			if (r < EINS_NR_REGS && r == s->regs[0])
				want = dst;
			if (got == want)
				continue;
			fprintf(stderr, "# %s: variant %#x imm %d regs", what,
				s->variant, s->imm);
			for (int i = 0; i < s->nr_regs; i++)
				fprintf(stderr, " r%d", s->regs[i]);
			fprintf(stderr, ": %s%d = %#llx, want %#llx (inputs",
				r < EINS_NR_REGS ? "r" : "mem", r,
				(unsigned long long)got, (unsigned long long)want);
			for (int i = 0; i < EINS_NR_REGS; i++)
				fprintf(stderr, " %#llx",
					(unsigned long long)recs[k].in[i]);
			fprintf(stderr, " mem %#llx)\n",
				(unsigned long long)recs[k].mem_in);
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

/* ---- extract, swap_mem, bitcount, shift_add, mul_high ---- */

static __u64 field_mask(int len)
{
	return len >= 64 ? ~0ull : (1ull << len) - 1;
}

/* shape: EINS_EXT_32 or 0 */
static void gen_extract(const struct eins_ops *ops, __u16 shape,
			struct eins_site *s)
{
	int width = shape & EINS_EXT_32 ? 32 : 64;
	int len = 1 + eins_rand() % width;
	int lsb = eins_rand() % (width - len + 1);

	memset(s, 0, sizeof(*s));
	s->btf_id = ops->extract_id;
	s->variant = shape;
	s->imm = EINS_EXT_IMM(lsb, len);
	s->nr_regs = 2;
	s->regs[0] = rand_reg();
	s->regs[1] = rand_reg();
}

static __u64 ref_extract(const struct eins_site *s, const __u64 *in, __u64 *mem)
{
	__u64 x = in[s->regs[1]];

	if (s->variant & EINS_EXT_32)
		x = (__u32)x;
	return (x >> (s->imm & 0xff)) & field_mask((s->imm >> 8) & 0xff);
}

static int swap_bytes(__u16 variant)
{
	return 1 << (variant & EINS_SWAP_SIZE_MASK);
}

/* shape: the swap_mem variant; the access is to the record's stack word */
static void gen_swap_mem(const struct eins_ops *ops, __u16 shape,
			 struct eins_site *s)
{
	int size = swap_bytes(shape);

	memset(s, 0, sizeof(*s));
	s->btf_id = ops->swap_mem_id;
	s->variant = shape;
	s->imm = EINS_SLOT_MEM + (eins_rand() % (8 / size)) * size;
	s->mem = true;
	if (!(shape & EINS_SWAP_STORE)) {
		s->nr_regs = 2;
		s->regs[0] = rand_reg();
		s->regs[1] = BPF_REG_10;
		return;
	}
	s->nr_regs = 3;
	s->regs[0] = BPF_REG_10;
	s->regs[1] = rand_reg();
	s->regs[2] = rand_reg_except(1u << s->regs[1]);
	s->clobber = 1u << s->regs[2];
}

static __u64 bswap_n(__u64 x, int bytes)
{
	__u64 r = 0;
	int i;

	for (i = 0; i < bytes; i++)
		r = r << 8 | ((x >> (8 * i)) & 0xff);
	return r;
}

static __u64 ref_swap_mem(const struct eins_site *s, const __u64 *in,
			  __u64 *mem)
{
	int size = swap_bytes(s->variant), shift = 8 * (s->imm - EINS_SLOT_MEM);
	__u64 mask = field_mask(8 * size) << shift;

	if (!(s->variant & EINS_SWAP_STORE))
		return bswap_n(*mem >> shift, size);
	*mem = (*mem & ~mask) | bswap_n(in[s->regs[1]], size) << shift;
	return 0;
}

/* shape: EINS_BC_* | EINS_BC_32 */
static void gen_bitcount(const struct eins_ops *ops, __u16 shape,
			 struct eins_site *s)
{
	__u16 used;

	memset(s, 0, sizeof(*s));
	s->btf_id = ops->bitcount_id;
	s->variant = shape;
	s->nr_regs = 4;
	s->regs[0] = rand_reg();
	s->regs[1] = rand_reg();
	used = 1u << s->regs[0] | 1u << s->regs[1];
	s->regs[2] = rand_reg_except(used);
	s->regs[3] = rand_reg_except(used | 1u << s->regs[2]);
	s->clobber = 1u << s->regs[2] | 1u << s->regs[3];
}

static __u64 ref_bitcount(const struct eins_site *s, const __u64 *in,
			  __u64 *mem)
{
	bool is32 = s->variant & EINS_BC_32;
	__u64 x = is32 ? (__u32)in[s->regs[1]] : in[s->regs[1]];
	int width = is32 ? 32 : 64;

	switch (s->variant & EINS_BC_OP_MASK) {
	case EINS_BC_POPCNT:
		return __builtin_popcountll(x);
	case EINS_BC_CLZ:
		return x ? __builtin_clzll(x) - (64 - width) : width;
	default:
		return x ? __builtin_ctzll(x) : width;
	}
}

/* shape: EINS_SA_32 | 2 for shifts of 4 and more (no single LEA) */
static void gen_shift_add(const struct eins_ops *ops, __u16 shape,
			  struct eins_site *s)
{
	int width = shape & EINS_SA_32 ? 32 : 64;
	int shift = shape & 2 ? 4 + eins_rand() % (width - 4) : eins_rand() % 4;
	__u16 used;

	memset(s, 0, sizeof(*s));
	s->btf_id = ops->shift_add_id;
	s->variant = (shape & EINS_SA_32) | EINS_SA_SHIFT(shift);
	s->imm = eins_rand() % 3 ? (__s32)eins_rand_edge() : 0;
	s->nr_regs = 4;
	s->regs[0] = rand_reg();
	s->regs[1] = rand_reg();
	s->regs[2] = rand_reg();
	used = 1u << s->regs[0] | 1u << s->regs[1] | 1u << s->regs[2];
	s->regs[3] = rand_reg_except(used);
	s->clobber = 1u << s->regs[3];
}

static __u64 ref_shift_add(const struct eins_site *s, const __u64 *in,
			   __u64 *mem)
{
	__u64 r = in[s->regs[1]] + (in[s->regs[2]] << (s->variant >> 8)) +
		  (__u64)(__s64)s->imm;

	return s->variant & EINS_SA_32 ? (__u32)r : r;
}

/* shape: EINS_MULH_SIGNED or 0 */
static void gen_mul_high(const struct eins_ops *ops, __u16 shape,
			 struct eins_site *s)
{
	__u16 used;
	int i;

	memset(s, 0, sizeof(*s));
	s->btf_id = ops->mul_high_id;
	s->variant = shape;
	s->nr_regs = 6;
	s->regs[1] = rand_reg();
	s->regs[2] = eins_rand() % 8 ? rand_reg() : s->regs[1];
	used = 1u << s->regs[1] | 1u << s->regs[2];
	s->regs[0] = rand_reg_except(used);
	used |= 1u << s->regs[0];
	for (i = 3; i < 6; i++) {
		s->regs[i] = rand_reg_except(used);
		used |= 1u << s->regs[i];
		s->clobber |= 1u << s->regs[i];
	}
}

static __u64 ref_mul_high(const struct eins_site *s, const __u64 *in,
			  __u64 *mem)
{
	__u64 a = in[s->regs[1]], b = in[s->regs[2]];

	if (s->variant & EINS_MULH_SIGNED)
		return (__u64)(((__int128)(__s64)a * (__s64)b) >> 64);
	return (__u64)(((unsigned __int128)a * b) >> 64);
}

#define DIFF(gen, ref, shape) do {					\
	int __n = diff_shape(&ops, gen, ref, shape, VECTORS_PER_SHAPE);	\
	ASSERT_LE(VECTORS_PER_SHAPE, __n) TH_LOG(#gen " shape %#x", shape); \
} while (0)

TEST(diff_extract)
{
	struct eins_ops ops;

	get_ops(_metadata, &ops);
	DIFF(gen_extract, ref_extract, 0);
	DIFF(gen_extract, ref_extract, EINS_EXT_32);
}

TEST(diff_swap_mem)
{
	struct eins_ops ops;
	__u16 size;

	get_ops(_metadata, &ops);
	for (size = EINS_SWAP_16; size <= EINS_SWAP_64; size++) {
		DIFF(gen_swap_mem, ref_swap_mem, size);
		DIFF(gen_swap_mem, ref_swap_mem, size | EINS_SWAP_STORE);
	}
}

TEST(diff_bitcount)
{
	struct eins_ops ops;
	__u16 op;

	get_ops(_metadata, &ops);
	for (op = EINS_BC_POPCNT; op <= EINS_BC_CTZ; op++) {
		DIFF(gen_bitcount, ref_bitcount, op);
		DIFF(gen_bitcount, ref_bitcount, op | EINS_BC_32);
	}
}

TEST(diff_shift_add)
{
	struct eins_ops ops;
	__u16 shape;

	get_ops(_metadata, &ops);
	for (shape = 0; shape < 4; shape++)
		DIFF(gen_shift_add, ref_shift_add, shape);
}

TEST(diff_mul_high)
{
	struct eins_ops ops;

	get_ops(_metadata, &ops);
	DIFF(gen_mul_high, ref_mul_high, 0);
	DIFF(gen_mul_high, ref_mul_high, EINS_MULH_SIGNED);
}

/* ---- the jited image ---- */

/* What the images of one site must show. */
struct jit_expect {
	enum jit_kind native;	/* the native insn */
	enum jit_kind proof;	/* an insn only the proof sequence has */
	int proof_in_template;	/* how many of those the template has */
	bool cpu_ok;		/* the CPU has the feature the emit needs */
	bool smaller;		/* the native code is shorter */
	bool not_larger;	/* the native code is no longer */
};

static void jit_image_check(struct __test_metadata *_metadata,
			    const struct eins_ops *ops,
			    const struct eins_site *site,
			    const struct jit_expect *e)
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
	if (e->cpu_ok) {
		/* emit on: native insn, no proof insn; off: the other way */
		ok = jit_count(img[0], len[0], e->native) > 0 &&
		     jit_count(img[1], len[1], e->native) == 0 &&
		     jit_count(img[0], len[0], e->proof) == e->proof_in_template &&
		     jit_count(img[1], len[1], e->proof) > e->proof_in_template;
		if (e->smaller)
			ok = ok && len[0] < len[1];
	} else {
		/* without the CPU feature, no native insn either way */
		ok = jit_count(img[0], len[0], e->native) == 0 &&
		     jit_count(img[1], len[1], e->native) == 0;
	}
	if (e->not_larger)
		ok = ok && len[0] <= len[1];
	if (!ok) {
		fprintf(stderr, "# variant %#x imm %d regs %d %d %d %d %d %d\n",
			site->variant, site->imm, site->regs[0], site->regs[1],
			site->regs[2], site->regs[3], site->regs[4], site->regs[5]);
		eins_hexdump("native", img[0], len[0]);
		eins_hexdump("proof", img[1], len[1]);
	}
	EXPECT_TRUE(ok) TH_LOG("%s", e->cpu_ok ?
		"native insn only with the emit on, proof sequence only with it off" :
		"a native insn the CPU does not have");
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
			struct jit_expect e = {
				.native = JIT_ROTATE, .proof = JIT_SHIFT,
				.cpu_ok = true,
				/* moving rcx aside costs as much as the proof */
				.smaller = !(v & EINS_ROT_REG),
			};

			jit_image_check(_metadata, &ops, &s, &e);
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
			struct jit_expect e = {
				.native = JIT_SELECT, .proof = JIT_BRANCH,
				.proof_in_template = 1, .cpu_ok = true,
				.smaller = true,
			};

			jit_image_check(_metadata, &ops, &s, &e);
		}
	}
}

TEST(jit_extract)
{
	struct jit_expect e = {
		.native = JIT_EXTRACT, .proof = JIT_SHIFT,
		.cpu_ok = IS_ARM64 || cpu_has("bmi1"),
		.smaller = IS_ARM64,
	};
	struct eins_ops ops;
	struct eins_site s;
	int i;

	get_ops(_metadata, &ops);
	eins_srand(44);
	for (i = 0; i < 16; i++) {
		gen_extract(&ops, i & 1 ? EINS_EXT_32 : 0, &s);
		s.imm = EINS_EXT_IMM(3 + i / 2, 5 + i);	/* shifted fields */
		jit_image_check(_metadata, &ops, &s, &e);
	}
}

TEST(jit_swap_mem)
{
	struct jit_expect e = {
		.native = JIT_MOVBE, .proof = JIT_BSWAP,
		.cpu_ok = cpu_has("movbe"), .not_larger = true,
	};
	struct eins_ops ops;
	struct eins_site s;
	__u16 v;
	int i;

	get_ops(_metadata, &ops);
	eins_srand(45);
	/* 16-bit loads are MOVZX + ROL either way */
	for (v = EINS_SWAP_16; v <= (EINS_SWAP_64 | EINS_SWAP_STORE); v++) {
		if (!(v & EINS_SWAP_SIZE_MASK) || v == EINS_SWAP_16)
			continue;
		for (i = 0; i < 4; i++) {
			gen_swap_mem(&ops, v, &s);
			jit_image_check(_metadata, &ops, &s, &e);
		}
	}
}

TEST(jit_bitcount)
{
	/* arm64 has CLZ (and RBIT) always, a scalar CNT only with CSSC */
	static const char * const feature[] = {
		IS_ARM64 ? "cssc" : "popcnt", IS_ARM64 ? NULL : "abm",
		IS_ARM64 ? NULL : "bmi1",
	};
	struct jit_expect e = {
		.native = JIT_BITCOUNT, .proof = JIT_MUL,
		.smaller = true,
	};
	struct eins_ops ops;
	struct eins_site s;
	__u16 v;

	get_ops(_metadata, &ops);
	eins_srand(46);
	for (v = 0; v <= (EINS_BC_CTZ | EINS_BC_32); v++) {
		if ((v & EINS_BC_OP_MASK) > EINS_BC_CTZ)
			continue;
		e.cpu_ok = !feature[v & EINS_BC_OP_MASK] ||
			   cpu_has(feature[v & EINS_BC_OP_MASK]);
		gen_bitcount(&ops, v, &s);
		jit_image_check(_metadata, &ops, &s, &e);
	}
}

TEST(jit_shift_add)
{
	struct jit_expect e = {
		/* x86: the proof's adds; arm64: the proof's shift */
		.native = JIT_SHIFT_ADD, .proof = IS_ARM64 ? JIT_SHIFT : JIT_ADD,
		.cpu_ok = true,
		.smaller = true,
	};
	struct eins_ops ops;
	struct eins_site s;
	__u16 shape;
	int i;

	get_ops(_metadata, &ops);
	eins_srand(47);
	for (shape = 0; shape < 4; shape++) {
		for (i = 0; i < 4; i++) {
			gen_shift_add(&ops, shape, &s);
			if (!(s.variant >> 8))	/* a shift for the proof */
				s.variant |= EINS_SA_SHIFT(1);
			jit_image_check(_metadata, &ops, &s, &e);
		}
	}
}

TEST(jit_mul_high)
{
	struct jit_expect e = {
		.native = JIT_MUL_HIGH, .proof = JIT_MUL,
		.cpu_ok = true, .smaller = true,
	};
	struct eins_ops ops;
	struct eins_site s;
	int i;

	get_ops(_metadata, &ops);
	eins_srand(48);
	for (i = 0; i < 16; i++) {
		gen_mul_high(&ops, i & 1 ? EINS_MULH_SIGNED : 0, &s);
		jit_image_check(_metadata, &ops, &s, &e);
	}
}

#define SIZE_SITES	4

/*
 * Jited size of a diff program running @site on SIZE_SITES records,
 * native emit on or off.  Several copies average out the arm64 JIT's
 * alignment padding.
 */
static int site_image_len(const struct eins_ops *ops,
			  const struct eins_site *site, bool native)
{
	static struct eins_prog prog;
	static unsigned char img[65536];
	struct eins_site sites[SIZE_SITES];
	int fd, len, i;

	for (i = 0; i < SIZE_SITES; i++)
		sites[i] = *site;
	eins_build_diff_prog(&prog, sites, SIZE_SITES);
	eins_set_native(native);
	fd = eins_load(ops, &prog, log_buf, LOG_SIZE);
	eins_set_native(true);
	if (fd < 0)
		return fd;
	len = eins_jited(fd, img, sizeof(img));
	close(fd);
	return len;
}

/*
 * Not a check but a measurement for docs/design.md: the native code size of
 * one site of each op shape next to its proof sequence's, in bytes, as the
 * difference to the same program without the sites, per site.  Operands are r1, r2,
 * ... (scratch last); the CPU features in use are the VM's.
 */
TEST(site_sizes)
{
	static const struct { const char *name; int op; __u16 variant;
			      __s32 imm; int nr_regs; __u8 clobbered; } shapes[] = {
		{ "rotl64 imm", 0, 0, 13, 3, 1 },
		{ "rotl32 imm", 0, EINS_ROT_32, 13, 3, 1 },
		{ "rotl64 reg", 0, EINS_ROT_REG, 0, 5, 2 },
		{ "select64 gt imm", 1, BPF_JGT | EINS_SEL_IMM, 255, 4, 0 },
		{ "select64 slt reg", 1, BPF_JSLT, 0, 5, 0 },
		{ "extract64 12,20", 2, 0, EINS_EXT_IMM(12, 20), 2, 0 },
		{ "load_swap32", 3, EINS_SWAP_32, -104, 2, 0 },
		{ "store_swap64", 3, EINS_SWAP_64 | EINS_SWAP_STORE, -104, 3, 1 },
		{ "popcount64", 4, EINS_BC_POPCNT, 0, 4, 2 },
		{ "clz64", 4, EINS_BC_CLZ, 0, 4, 2 },
		{ "ctz32", 4, EINS_BC_CTZ | EINS_BC_32, 0, 4, 2 },
		{ "shift_add64 s=3", 5, EINS_SA_SHIFT(3), 100, 4, 1 },
		{ "mulhu64", 6, 0, 0, 6, 3 },
		{ "mulhs64", 6, EINS_MULH_SIGNED, 0, 6, 3 },
	};
	struct eins_ops ops;
	struct eins_site s, none;
	int i, r, base, nat, prf;

	get_ops(_metadata, &ops);
	for (i = 0; i < (int)(sizeof(shapes) / sizeof(shapes[0])); i++) {
		const __u32 ids[] = { ops.rotate_id, ops.select_id,
			ops.extract_id, ops.swap_mem_id, ops.bitcount_id,
			ops.shift_add_id, ops.mul_high_id };

		memset(&s, 0, sizeof(s));
		s.btf_id = ids[shapes[i].op];
		s.variant = shapes[i].variant;
		s.imm = shapes[i].imm;
		s.nr_regs = shapes[i].nr_regs;
		for (r = 0; r < s.nr_regs; r++)
			s.regs[r] = r + 1;
		for (r = s.nr_regs - shapes[i].clobbered; r < s.nr_regs; r++)
			s.clobber |= 1u << s.regs[r];
		if (shapes[i].op == 3) {	/* base is the frame pointer */
			s.mem = true;
			s.regs[s.variant & EINS_SWAP_STORE ? 0 : 1] = BPF_REG_10;
		}
		none = s;
		none.btf_id = 0;
		base = site_image_len(&ops, &none, true);
		nat = site_image_len(&ops, &s, true);
		prf = site_image_len(&ops, &s, false);
		ASSERT_LT(0, base);
		ASSERT_LT(0, nat);
		ASSERT_LT(0, prf);
		printf("# size %-18s native %3d bytes, proof sequence %3d bytes\n",
		       shapes[i].name, (nat - base + SIZE_SITES / 2) / SIZE_SITES,
		       (prf - base + SIZE_SITES / 2) / SIZE_SITES);
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

/* the site's call is replaced before the verifier checks it as a call */
TEST(reject_call_reserved)
{
	struct eins_ops ops;
	struct eins_site s;

	get_ops(_metadata, &ops);
	s = rot_site(&ops, 0, 3, 0, 1, 2);
	prog_start();
	eins_emit_site(&reject_prog, &s);
	reject_prog.insns[10].dst_reg = 7;
	prog_end();
	expect_reject(_metadata, &ops,
		      "kinsn eins_rotate at insn 10: call uses reserved fields\n");
}

/*
 * The ifindex of a netdevsim port, the one device a program can be
 * offloaded to without hardware; the device is created on first use.
 * 0 if there is none.
 */
static unsigned int nsim_ifindex(void)
{
	static const char dir[] = "/sys/bus/netdevsim/devices/netdevsim4242/net";
	unsigned int ifindex = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	int fd;

	if (!d) {
		fd = open("/sys/bus/netdevsim/new_device", O_WRONLY);
		if (fd < 0)
			return 0;
		if (write(fd, "4242 1", 6) != 6) {
			close(fd);
			return 0;
		}
		close(fd);
		d = opendir(dir);
	}
	while (d && (e = readdir(d)) && !ifindex)
		if (e->d_name[0] != '.')
			ifindex = if_nametoindex(e->d_name);
	if (d)
		closedir(d);
	return ifindex;
}

/*
 * A program offloaded to a device never reaches a host JIT, and the
 * device's verifier callbacks would meet a site they do not know: sites
 * are refused there.  The same program without the site offloads, so
 * the refusal is the site's.
 */
TEST(reject_offload)
{
	unsigned int ifindex = nsim_ifindex();
	struct eins_ops ops;
	int fd;

	/* the x86-64 test kernel has netdevsim; the arm64 one does not */
#ifdef __x86_64__
	ASSERT_NE(0, ifindex) TH_LOG("no netdevsim device in the test kernel");
#else
	if (!ifindex)
		SKIP(return, "no netdevsim device in this test kernel");
#endif
	get_ops(_metadata, &ops);
	prog_start();
	prog_end();
	fd = eins_load_insns_dev(&ops, reject_prog.insns, reject_prog.cnt, ifindex,
				 log_buf, LOG_SIZE);
	EXPECT_LE(0, fd) TH_LOG("a plain program did not offload: %s", log_buf);
	if (fd >= 0)
		close(fd);

	prog_start();
	eins_emit_site(&reject_prog, &(struct eins_site){
		.btf_id = ops.rotate_id, .imm = 3, .nr_regs = 3,
		.regs = { 0, 1, 2 } });
	prog_end();
	fd = eins_load_insns_dev(&ops, reject_prog.insns, reject_prog.cnt, ifindex,
				 log_buf, LOG_SIZE);
	if (fd >= 0)
		close(fd);
	EXPECT_GT(0, fd) TH_LOG("a program with a site was offloaded");
	EXPECT_NE(NULL, strstr(log_buf,
			       "kinsn eins_rotate at insn 10: not supported in offloaded programs\n"))
		TH_LOG("log:\n%s", log_buf);
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

static struct eins_site op_site(__u32 btf_id, __u16 variant, __s32 imm,
				 int nr_regs, const __u8 *regs)
{
	struct eins_site s = {
		.btf_id = btf_id, .variant = variant, .imm = imm,
		.nr_regs = nr_regs,
	};

	memcpy(s.regs, regs, nr_regs);
	return s;
}

TEST(reject_more_ops)
{
	static const __u8 two[] = { 0, 1 }, four[] = { 0, 1, 2, 3 };
	static const __u8 six[] = { 0, 1, 2, 3, 4, 5 };
	static const __u8 st[] = { BPF_REG_10, 1, 1 };
	static const __u8 ld_fp[] = { 0, BPF_REG_10 };
	struct eins_ops ops;

	get_ops(_metadata, &ops);
	reject_one(_metadata, &ops, op_site(ops.extract_id, 0, EINS_EXT_IMM(3, 0), 2, two),
		   "kinsn eins_extract at insn 10: extract length is 0\n");
	reject_one(_metadata, &ops, op_site(ops.extract_id, 0, EINS_EXT_IMM(60, 5), 2, two),
		   "kinsn eins_extract at insn 10: extract field exceeds the operand width\n");
	reject_one(_metadata, &ops, op_site(ops.extract_id, EINS_EXT_32, EINS_EXT_IMM(0, 33), 2, two),
		   "kinsn eins_extract at insn 10: extract field exceeds the operand width\n");
	reject_one(_metadata, &ops, op_site(ops.extract_id, 0, 0x10801, 2, two),
		   "kinsn eins_extract at insn 10: extract immediate has bits beyond lsb and len\n");
	reject_one(_metadata, &ops, op_site(ops.extract_id, 2, EINS_EXT_IMM(0, 8), 2, two),
		   "kinsn eins_extract at insn 10: unknown extract variant\n");

	reject_one(_metadata, &ops, op_site(ops.swap_mem_id, 0, -8, 2, ld_fp),
		   "kinsn eins_swap_mem at insn 10: unknown swap_mem variant\n");
	reject_one(_metadata, &ops, op_site(ops.swap_mem_id, EINS_SWAP_32, 40000, 2, ld_fp),
		   "kinsn eins_swap_mem at insn 10: swap_mem offset out of range\n");
	reject_one(_metadata, &ops, op_site(ops.swap_mem_id, EINS_SWAP_32 | EINS_SWAP_STORE, -8, 3, st),
		   "kinsn eins_swap_mem at insn 10: swap_mem scratch register must differ from base and source\n");
	/* the proof sequence's access is checked like any other */
	reject_one(_metadata, &ops, op_site(ops.swap_mem_id, EINS_SWAP_32, 8, 2, ld_fp),
		   "invalid read from stack R10 off=8 size=4\n");
	reject_one(_metadata, &ops, op_site(ops.swap_mem_id, EINS_SWAP_64, -4, 2, ld_fp),
		   "misaligned stack access off 0+0+-4 size 8\n");

	reject_one(_metadata, &ops, op_site(ops.bitcount_id, 3, 0, 4, four),
		   "kinsn eins_bitcount at insn 10: unknown bitcount variant\n");
	reject_one(_metadata, &ops, op_site(ops.bitcount_id, 0, 1, 4, four),
		   "kinsn eins_bitcount at insn 10: bitcount has a nonzero immediate\n");
	reject_one(_metadata, &ops, op_site(ops.bitcount_id, 0, 0, 4, (const __u8[]){ 0, 1, 1, 3 }),
		   "kinsn eins_bitcount at insn 10: bitcount scratch registers must be distinct from the other operands\n");

	reject_one(_metadata, &ops, op_site(ops.shift_add_id, EINS_SA_SHIFT(64), 0, 4, four),
		   "kinsn eins_shift_add at insn 10: unknown shift_add variant\n");
	reject_one(_metadata, &ops, op_site(ops.shift_add_id, EINS_SA_32 | EINS_SA_SHIFT(32), 0, 4, four),
		   "kinsn eins_shift_add at insn 10: shift_add shift out of range\n");
	reject_one(_metadata, &ops, op_site(ops.shift_add_id, 0, 0, 4, (const __u8[]){ 0, 1, 2, 1 }),
		   "kinsn eins_shift_add at insn 10: shift_add scratch register must differ from the other operands\n");

	reject_one(_metadata, &ops, op_site(ops.mul_high_id, 0, 0, 6, (const __u8[]){ 1, 1, 2, 3, 4, 5 }),
		   "kinsn eins_mul_high at insn 10: mul_high destination must differ from its sources\n");
	reject_one(_metadata, &ops, op_site(ops.mul_high_id, 0, 0, 6, (const __u8[]){ 0, 1, 2, 3, 3, 5 }),
		   "kinsn eins_mul_high at insn 10: mul_high scratch registers must be distinct from the other operands\n");
	reject_one(_metadata, &ops, op_site(ops.mul_high_id, 2, 0, 6, six),
		   "kinsn eins_mul_high at insn 10: unknown mul_high variant\n");
	reject_one(_metadata, &ops, op_site(ops.mul_high_id, 0, 0, 4, four),
		   "kinsn eins_mul_high at insn 10: mul_high needs 6 operands\n");
}

TEST(reject_swap_mem_packet)
{
	struct eins_ops ops;
	struct eins_site s;

	get_ops(_metadata, &ops);
	/* a packet load without a bounds check */
	reject_prog.cnt = 0;
	eins_emit(&reject_prog, BPF_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_1,
					    offsetof(struct xdp_md, data)));
	s = op_site(ops.swap_mem_id, EINS_SWAP_32, 0, 2, (const __u8[]){ 0, 2 });
	eins_emit_site(&reject_prog, &s);
	prog_end();
	expect_reject(_metadata, &ops, "invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)\n");
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
	EXPECT_EQ(0, jit_count(img, len, JIT_ROTATE))
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
	EXPECT_EQ(0, jit_count(img, len, JIT_SELECT))
		TH_LOG("native code for a rewritten region");
	run.data_in = pkt;
	run.data_size_in = sizeof(pkt);
	ASSERT_EQ(0, bpf_prog_test_run_opts(fd, &run));
	EXPECT_EQ(7, run.retval);
	close(fd);
}

TEST(fallback_ctx_access)
{
	static unsigned char img[65536];
	struct eins_ops ops;
	struct eins_site s;
	int fd, len;
	LIBBPF_OPTS(bpf_test_run_opts, run);
	char pkt[64] = {};

	get_ops(_metadata, &ops);
	/*
	 * A swapped load of xdp_md->ingress_ifindex: ctx access conversion
	 * turns the load into two pointer loads, so the region keeps its
	 * bytecode.  The test_run device is lo (ifindex 1).
	 */
	s = op_site(ops.swap_mem_id, EINS_SWAP_32,
		    offsetof(struct xdp_md, ingress_ifindex), 2,
		    (const __u8[]){ BPF_REG_0, BPF_REG_1 });
	reject_prog.cnt = 0;
	eins_emit_site(&reject_prog, &s);
	eins_emit(&reject_prog, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 24));
	eins_emit(&reject_prog, BPF_EXIT_INSN());
	fd = eins_load(&ops, &reject_prog, log_buf, LOG_SIZE);
	ASSERT_LE(0, fd) TH_LOG("%s", log_buf);
	len = eins_jited(fd, img, sizeof(img));
	ASSERT_LT(0, len);
	EXPECT_EQ(0, jit_count(img, len, JIT_MOVBE))
		TH_LOG("native code for a converted ctx access");
	run.data_in = pkt;
	run.data_size_in = sizeof(pkt);
	ASSERT_EQ(0, bpf_prog_test_run_opts(fd, &run));
	EXPECT_EQ(1, run.retval) TH_LOG("bswap32(ifindex) >> 24");
	close(fd);
}

/* Byte offset of @member in type @id, looking into anonymous members. */
static int member_offset_in(const struct btf *btf, int id, const char *member)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);
	int i, off;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return m->offset / 8;
		if (m->name_off || !btf_is_composite(btf__type_by_id(btf, m->type)))
			continue;
		off = member_offset_in(btf, m->type, member);
		if (off >= 0)
			return m->offset / 8 + off;
	}
	return -1;
}

static int member_offset(const struct btf *btf, const char *name,
			 const char *member)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	return id < 0 ? -1 : member_offset_in(btf, id, member);
}

TEST(fallback_btf_pointer)
{
	static unsigned char img[65536];
	int fd, len, attach_id, mm_off, count_off;
	struct btf *vmlinux;
	struct eins_ops ops;
	struct eins_site s;
	int fd_array[2];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log_buf,
		    .log_size = LOG_SIZE, .log_level = 1,
		    .expected_attach_type = BPF_TRACE_RAW_TP);

	get_ops(_metadata, &ops);
	vmlinux = btf__load_vmlinux_btf();
	ASSERT_NE(NULL, vmlinux);
	attach_id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_process_exec",
					   BTF_KIND_TYPEDEF);
	mm_off = member_offset(vmlinux, "task_struct", "mm");
	count_off = member_offset(vmlinux, "mm_struct", "map_count");
	btf__free(vmlinux);
	ASSERT_LT(0, attach_id);
	ASSERT_LT(0, mm_off);
	ASSERT_LT(0, count_off);

	/*
	 * tp_btf/sched_process_exec: ctx[0] is a trusted task_struct
	 * pointer; task->mm is not trusted, so a load through it becomes a
	 * PROBE_MEM load after verification and the region keeps its
	 * bytecode.  (Loads through trusted pointers stay plain loads, and
	 * native code is fine there.)
	 */
	reject_prog.cnt = 0;
	eins_emit(&reject_prog, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 0));
	eins_emit(&reject_prog, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_2, mm_off));
	s = op_site(ops.swap_mem_id, EINS_SWAP_32, count_off, 2,
		    (const __u8[]){ BPF_REG_0, BPF_REG_2 });
	eins_emit_site(&reject_prog, &s);
	eins_emit(&reject_prog, BPF_MOV64_IMM(BPF_REG_0, 0));
	eins_emit(&reject_prog, BPF_EXIT_INSN());
	fd_array[0] = 0;
	fd_array[1] = ops.btf_fd;
	opts.fd_array = fd_array;
	opts.attach_btf_id = attach_id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "eins_tp", "GPL",
			   reject_prog.insns, reject_prog.cnt, &opts);
	ASSERT_LE(0, fd) TH_LOG("%s", log_buf);
	len = eins_jited(fd, img, sizeof(img));
	ASSERT_LT(0, len);
	EXPECT_EQ(0, jit_count(img, len, JIT_MOVBE))
		TH_LOG("native code for a PROBE_MEM load");
	EXPECT_LT(0, jit_count(img, len, JIT_BSWAP))
		TH_LOG("the proof sequence's bswap is missing");
	close(fd);
}

/* ---- eins.h builtins through libbpf ---- */

#define BUILTIN_RECS	8
#define BUILTIN_OUTS	29

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
	r->out[14] = (a >> 12) & 0xfffff;
	r->out[15] = ((__u32)a >> 5) & 0x7ffffff;
	r->out[16] = (a >> 40) & 0xffffff;
	r->out[17] = bswap_n(a, 2);
	r->out[18] = bswap_n(a, 4);
	r->out[19] = bswap_n(b, 8);
	r->out[20] = bswap_n(a, 4);
	r->out[21] = __builtin_popcountll(a);
	r->out[22] = a ? __builtin_clzll(a) : 64;
	r->out[23] = (__u32)a ? __builtin_ctz((__u32)a) : 32;
	r->out[24] = a + (b << 3) + 1000;
	r->out[25] = (__u32)(a + (b << 7) - 5);
	r->out[26] = (__u64)(((unsigned __int128)a * b) >> 64);
	r->out[27] = (__u64)(((__int128)(__s64)a * (__s64)b) >> 64);
	r->out[28] = b;
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
	EXPECT_LT(0, jit_count(img, len, JIT_ROTATE));
	EXPECT_LT(0, jit_count(img, len, JIT_SELECT));
	EXPECT_LT(0, jit_count(img, len, JIT_SHIFT_ADD));
	EXPECT_LT(0, jit_count(img, len, JIT_MUL_HIGH));

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
