// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The rewriter's matching: the filter and the candidate search (rewrite.c). */
#include "rewrite_int.h"

/* ---- the filter: what a slice computes ---- */

static u64 rng = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static u64 trial_value(int t, int leaf)
{
	static const u64 edge[] = { 0, 1, ~0ULL, 1ULL << 63, 0x80000000ULL,
				    0xffffffffULL, 0x123456789abcdef0ULL };

	if (t < 4)
		return edge[(t * 3 + leaf * 5) % 7];
	return rnd();
}

static u64 rotl(u64 x, int n, int w)
{
	u64 m = w == 64 ? ~0ULL : (1ULL << w) - 1;

	x &= m;
	n &= w - 1;
	return n ? ((x << n) | (x >> (w - n))) & m : x;
}

static u64 popc(u64 x) { return __builtin_popcountll(x); }
static u64 clz(u64 x, int w)
{
	return x ? __builtin_clzll(x) - (64 - w) : w;
}
static u64 ctz(u64 x, int w)
{
	return x ? __builtin_ctzll(x) : w;
}
/* the index of the highest set bit, 0 for 0 (bits.bpf.h's log2) */
static u64 ilog2(u64 x)
{
	return x ? 63 - __builtin_clzll(x) : 0;
}

static u64 mulh(u64 a, u64 b, bool sgn)
{
	if (sgn)
		return (u64)(((__int128)(long long)a * (long long)b) >> 64);
	return (u64)(((unsigned __int128)a * b) >> 64);
}

struct trials {
	int nr_leaves;
	int leaf[2];
	int derived;		/* a register that is a relation of leaf[0], or -1 */
	struct bpf_insn dop;	/* that relation's op (code 0: a copy) */
	u64 in[NR_TRIALS][2];
	u64 out[NR_TRIALS];
	u16 hz;			/* leaves whose upper halves are zero */
};

/* the registers at the cut on trial @t: constants, leaves, relations */
static void trial_regs(const struct consts *k, const struct trials *tr,
		       int t, u64 *r)
{
	int l;

	for (l = 0; l < SEM_NREGS; l++)
		r[l] = k->known & bit(l) ? k->v[l] : 0;
	for (l = 0; l < tr->nr_leaves; l++)
		r[tr->leaf[l]] = tr->in[t][l];
	if (tr->derived >= 0) {
		r[tr->derived] = r[tr->leaf[0]];
		if (tr->dop.code)
			sem_alu(&tr->dop, r);
	}
}

#define ALL_TRIALS(cond) ({ int __t; bool __ok = true;			\
	for (__t = 0; __t < NR_TRIALS && __ok; __t++) {			\
		u64 x = tr->in[__t][0], y = tr->in[__t][1], out = tr->out[__t]; \
		(void)x; (void)y;					\
		__ok = (cond);						\
	}								\
	__ok; })

static bool match_one(const struct trials *tr, struct cand *c, int leaf_reg)
{
	int n, w, lsb, len, k, s;

	/*
	 * rotate by a constant; not where the bits it wraps around are
	 * always zero (a leaf whose upper half is zero, shifted left): that
	 * is a shift
	 */
	for (w = 64; w >= 32; w -= 32)
		for (n = 1; n < w; n++)
			if (ALL_TRIALS(out == rotl(x, n, w)) &&
			    !ALL_TRIALS(out == ((x << n) & (w == 64 ? ~0ULL : 0xffffffffULL))) &&
			    !ALL_TRIALS(out == ((x & (w == 64 ? ~0ULL : 0xffffffffULL)) >> (w - n)))) {
				cand_set(c, EINS_OP_ROTATE, w == 32 ? EINS_ROT_32 : 0,
					 n, 2, 1);
				c->regs[1] = leaf_reg;
				return true;
			}
	/* bit counts, possibly scaled by a shift clang folded in */
	for (w = 64; w >= 32; w -= 32)
		for (k = 0; k < 3; k++)
			for (s = 0; s < 8; s++) {
				u64 m = w == 64 ? ~0ULL : 0xffffffffULL;

				if (!ALL_TRIALS(out == ((k == 0 ? popc(x & m) :
							  k == 1 ? clz(x & m, w) :
								   ctz(x & m, w)) << s)))
					continue;
				cand_set(c, EINS_OP_BITCOUNT,
					 (k == 0 ? EINS_BC_POPCNT : k == 1 ?
					  EINS_BC_CLZ : EINS_BC_CTZ) |
					 (w == 32 ? EINS_BC_32 : 0), 0, 2, 2);
				c->post_shift = s;
				c->regs[1] = leaf_reg;
				return true;
			}
	/*
	 * log2 plus a constant (log2l adds 32): a ladder of compares and
	 * shifts in clang's code, and w - 1 - clz(x | 1), which is
	 * clz(x | 1) ^ (w - 1) since clz(x | 1) < w: x | 1 into d before
	 * the site, the xor and the add after it
	 */
	for (w = 64; w >= 32; w -= 32) {
		u64 m = w == 64 ? ~0ULL : 0xffffffffULL;
		u64 kk = tr->out[0] - ilog2(tr->in[0][0] & m);
		int cls = w == 32 ? BPF_ALU : BPF_ALU64;

		if ((long long)kk != (int)kk || !ALL_TRIALS(out == ilog2(x & m) + kk))
			continue;
		cand_set(c, EINS_OP_BITCOUNT, EINS_BC_CLZ | (w == 32 ? EINS_BC_32 : 0),
			 0, 2, 2);
		c->regs[1] = c->d;
		c->nr_pre = 0;
		if (c->d != leaf_reg || w == 32)
			c->pre[c->nr_pre++] = (struct bpf_insn){
				.code = cls | BPF_MOV | BPF_X, .dst_reg = c->d,
				.src_reg = leaf_reg };
		c->pre[c->nr_pre++] = (struct bpf_insn){
			.code = cls | BPF_OR | BPF_K, .dst_reg = c->d, .imm = 1 };
		c->post[0] = (struct bpf_insn){
			.code = BPF_ALU | BPF_XOR | BPF_K, .dst_reg = c->d, .imm = w - 1 };
		c->post[1] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = c->d, .imm = (int)kk };
		c->nr_post = kk ? 2 : 1;
		return true;
	}
	/*
	 * k - clz(x), in 32 or 64 bits: the log2l of samples/bpf's tracex3,
	 * "i = -(n == 0); if (n >= 1 << s) { i += s; n >>= s; }" for
	 * s = 32, 16, ... 1, is 63 - clz64(n): d = -d and d += k after the
	 * site
	 */
	for (w = 64; w >= 32; w -= 32)
		for (s = 64; s >= 32; s -= 32) {
			u64 m = w == 64 ? ~0ULL : 0xffffffffULL;
			u64 om = s == 64 ? ~0ULL : 0xffffffffULL;
			u64 kk = (tr->out[0] + clz(tr->in[0][0] & m, w)) & om;
			int cls = s == 32 ? BPF_ALU : BPF_ALU64;

			if ((s == 64 && (long long)kk != (int)kk) ||
			    !ALL_TRIALS(out == ((kk - clz(x & m, w)) & om)))
				continue;
			cand_set(c, EINS_OP_BITCOUNT,
				 EINS_BC_CLZ | (w == 32 ? EINS_BC_32 : 0), 0, 2, 2);
			c->regs[1] = leaf_reg;
			c->post[0] = (struct bpf_insn){
				.code = cls | BPF_NEG, .dst_reg = c->d };
			c->post[1] = (struct bpf_insn){
				.code = cls | BPF_ADD | BPF_K, .dst_reg = c->d,
				.imm = (int)kk };
			c->nr_post = 2;
			return true;
		}
	/* bit-field extract: solve lsb and len from the first trial */
	for (w = 64; w >= 32; w -= 32)
		for (lsb = 0; lsb < w; lsb++)
			for (len = 1; lsb + len <= w; len++) {
				u64 m = len == 64 ? ~0ULL : (1ULL << len) - 1;
				u64 wm = w == 64 ? ~0ULL : 0xffffffffULL;

				if ((((tr->in[0][0] & wm) >> lsb) & m) != tr->out[0])
					continue;
				if (!ALL_TRIALS(out == (((x & wm) >> lsb) & m)))
					continue;
				/*
				 * a shift or a mask alone is one insn already
				 * (also where the field's top is the leaf's,
				 * whose upper half is zero)
				 */
				if (lsb == 0 || lsb + len == w ||
				    ALL_TRIALS(out == ((x & wm) >> lsb)))
					return false;
				cand_set(c, EINS_OP_EXTRACT, w == 32 ? EINS_EXT_32 : 0,
					 EINS_EXT_IMM(lsb, len), 2, 0);
				c->regs[1] = leaf_reg;
				return true;
			}
	return false;
}

static bool match_two(const struct trials *tr, struct cand *c, int slice_len)
{
	int ord, s, w, sg;

	for (ord = 0; ord < 2; ord++) {
		int ra = tr->leaf[ord], rb = tr->leaf[!ord];

		/* high multiply */
		for (sg = 0; sg < 2; sg++)
			if (ALL_TRIALS(out == mulh(x, y, sg))) {
				cand_set(c, EINS_OP_MUL_HIGH,
					 sg ? EINS_MULH_SIGNED : 0, 0, 3, 3);
				c->regs[1] = tr->leaf[0];
				c->regs[2] = tr->leaf[1];
				return true;
			}
		/* rotate by a register */
		for (w = 64; w >= 32; w -= 32)
			for (sg = 0; sg < 2; sg++) {
				if (!(ord ? ALL_TRIALS(out == rotl(y, sg ? w - (x & (w - 1)) : x, w)) :
					    ALL_TRIALS(out == rotl(x, sg ? w - (y & (w - 1)) : y, w))))
					continue;
				cand_set(c, EINS_OP_ROTATE, EINS_ROT_REG |
					 (sg ? EINS_ROT_RIGHT : 0) |
					 (w == 32 ? EINS_ROT_32 : 0), 0, 3, 2);
				c->regs[1] = ra;
				c->regs[2] = rb;
				return true;
			}
		/*
		 * a + (b << s) + k.  Of two insns, only a shift by 1 to 3 and
		 * an add (an array's index, ptr += i << 2): one LEA or ADD
		 * with a shifted register for two insns; a mov and an add, or
		 * a larger shift (MOV, SHL, LEA on x86-64), are no better.
		 */
		for (w = 64; w >= 32; w -= 32)
			for (s = slice_len < 3; s < (slice_len < 3 ? 4 : w); s++) {
				u64 m = w == 64 ? ~0ULL : 0xffffffffULL;
				u64 a0 = ord ? tr->in[0][1] : tr->in[0][0];
				u64 b0 = ord ? tr->in[0][0] : tr->in[0][1];
				u64 k = (tr->out[0] - a0 - (b0 << s)) & m;
				long long ks = w == 64 ? (long long)k : (int)k;

				if (ks != (int)ks)
					continue;
				if (!(ord ? ALL_TRIALS(out == ((y + (x << s) + k) & m)) :
					    ALL_TRIALS(out == ((x + (y << s) + k) & m))))
					continue;
				cand_set(c, EINS_OP_SHIFT_ADD, EINS_SA_SHIFT(s) |
					 (w == 32 ? EINS_SA_32 : 0), (int)ks, 3, 1);
				c->regs[1] = ra;
				c->regs[2] = rb;
				return true;
			}
	}
	return false;
}

/* the constants the slice of @c uses, at most @max of them */
static int slice_consts(const struct ana *a, const struct cand *c,
			const struct consts *k, u64 *v, int max)
{
	unsigned int x;
	int n = 0;

	for (x = c->s0; x <= c->e && n < max; x++) {
		const struct bpf_insn *in = &a->insn[x];
		int cls = BPF_CLASS(in->code);

		if (!in_slice(c, x))
			continue;
		if (a->kind[x] == K_LD64)
			v[n++] = (u32)in->imm | (u64)in[1].imm << 32;
		else if ((cls == BPF_ALU64 || cls == BPF_ALU) && BPF_SRC(in->code) == BPF_K)
			v[n++] = (u32)in->imm;
		else if ((cls == BPF_ALU64 || cls == BPF_ALU) &&
			 (k->known & bit(in->src_reg)))
			v[n++] = k->v[in->src_reg];
	}
	return n;
}

/*
 * Whether out == (addend ? y : 0) + mulh(x, kv) on every trial, for a
 * constant kv made of the slice's constants (each pair as the halves, or
 * each 64-bit one whole); on a match @m gets the op and the constant.
 */
static bool match_mul_by(const struct trials *tr, const u64 *v, int n,
			 bool addend, struct cand *m)
{
	u64 kv;
	int i, j, sg;

	for (i = 0; i < n; i++)
		for (j = -1; j < n; j++) {
			if (j < 0)
				kv = v[i];
			else if (v[i] >> 32 || v[j] >> 32)
				continue;
			else
				kv = v[i] << 32 | v[j];
			/* both halves take part, or it is a shift */
			if (!(kv >> 32) || !(u32)kv)
				continue;
			for (sg = 0; sg < 2; sg++)
				if (ALL_TRIALS(out == (addend ? y : 0) + mulh(x, kv, sg))) {
					cand_set(m, EINS_OP_MUL_HIGH,
						 sg ? EINS_MULH_SIGNED : 0, 0, 3, 3);
					m->regs[1] = tr->leaf[0];
					m->kslot = 2;
					m->kval = kv;
					return true;
				}
		}
	return false;
}

/*
 * A high multiply by a constant, which clang splits into its 32-bit
 * halves: immediates, or registers known to hold them at the cut.  Try
 * each pair of the window's constants as the halves, and each 64-bit
 * one whole.  The site gets the constant in a dead register (apply).
 */
static bool match_mul_const(const struct ana *a, const struct cand *c,
			    const struct consts *k, const struct trials *tr,
			    struct cand *m)
{
	u64 v[24];

	return match_mul_by(tr, v, slice_consts(a, c, k, v, 24), false, m);
}

/*
 * The same plus a second input, which clang adds into the halves' sum
 * (tokens + mulhu(elapsed, RATE)): the site, then d += that input's
 * register, which must still hold it at the end of the window (@ld: the
 * load that is the leaf of each register, or -1).
 */
static bool match_mul_const_add(const struct ana *a, const struct cand *c,
				const struct consts *k, const struct trials *tr,
				const int *ld, struct cand *m)
{
	u64 v[24];
	int n = slice_consts(a, c, k, v, 24), ord;
	unsigned int x;

	for (ord = 0; ord < 2; ord++) {
		struct trials sw = *tr;
		int t, add = tr->leaf[!ord];

		for (t = 0; t < NR_TRIALS; t++) {
			sw.in[t][0] = tr->in[t][ord];
			sw.in[t][1] = tr->in[t][!ord];
		}
		sw.leaf[0] = tr->leaf[ord];
		sw.leaf[1] = add;
		for (x = ld[add] >= 0 ? ld[add] + 1 : c->s0; x <= c->e; x++)
			if (!in_slice(c, x) && (a->def[x] & bit(add)))
				break;
		if (x <= c->e || !match_mul_by(&sw, v, n, true, m))
			continue;
		m->post_add = add + 1;
		m->avoid = bit(add);
		return true;
	}
	return false;
}

/*
 * Run the slice of @c on @r; a jump in it (a hammock's, see is_join)
 * skips its move when taken.  With @val, each insn's result by its
 * offset from s0.  False if an insn is not one the filter evaluates.
 */
static bool run_slice(const struct ana *a, const struct cand *c, u64 *r,
		      u64 *val)
{
	unsigned int i;
	int taken;

	for (i = c->s0; i <= c->e; i++) {
		if (!in_slice(c, i))
			continue;
		if (a->kind[i] == K_JUMP) {
			taken = sem_jmp(&a->insn[i], r);
			if (taken < 0)
				return false;
			if (taken)
				i = jump_dest(&a->insn[i], i) - 1;
			continue;
		}
		if (!sem_alu(&a->insn[i], r))
			return false;
		if (val)
			val[i - c->s0] = r[a->insn[i].dst_reg];
	}
	return true;
}

/*
 * Run the slice on the trials; with @lo, keep only the low half of the
 * result (for a result whose upper half nothing reads).
 */
static bool eval_slice(const struct ana *a, const struct cand *c,
		       const struct consts *k, struct trials *tr, bool lo)
{
	int t, l;

	for (t = 0; t < NR_TRIALS; t++) {
		u64 r[SEM_NREGS];

		for (l = 0; l < tr->nr_leaves; l++)
			tr->in[t][l] = trial_value(t, l);
		/*
		 * the last trial's leaves are equal, so that a value on the
		 * way like their difference is 0 once (tracex3's log2l of a
		 * difference tells 0 apart)
		 */
		if (tr->nr_leaves == 2 && t == NR_TRIALS - 1)
			tr->in[t][1] = tr->in[t][0];
		for (l = 0; l < tr->nr_leaves; l++)
			if (tr->hz & bit(tr->leaf[l]))
				tr->in[t][l] &= 0xffffffffULL;
		trial_regs(k, tr, t, r);
		if (!run_slice(a, c, r, NULL))
			return false;
		tr->out[t] = lo ? (u32)r[c->d] : r[c->d];
	}
	return true;
}

/*
 * The op may take a value the window computes on its way rather than a
 * leaf: clang folds the left shift of "k *= c; k = rotl(k, n)" into a
 * second multiply, k * (c << n), so the rotate's input k * c is only the
 * right-shift half's.  For each ALU insn j of the slice, try its result
 * as the op's one input; the insns it depends on stay, the rest of the
 * slice goes.  The site then reads j's register at the end of the window,
 * so nothing that stays may write it after j.
 */
static bool match_inner(const struct ana *a, const struct cand *c,
			const struct consts *k, const struct trials *tr,
			struct cand *best)
{
	static u64 val[NR_TRIALS][MAX_WALK];
	unsigned int j, x;
	int t, keep;
	bool found = false;

	for (t = 0; t < NR_TRIALS; t++) {
		u64 r[SEM_NREGS];

		trial_regs(k, tr, t, r);
		if (!run_slice(a, c, r, val[t]))
			return false;
	}
	/* (a hammock's move has no value on every path: not an input) */
	for (j = c->e - 1; j > c->s0; j--) {
		struct trials in = *tr;
		struct cand m = *c;
		int rj = a->insn[j].dst_reg;
		u16 needed;
		bool cond = false;

		if (!in_slice(c, j) || a->kind[j] != K_ALU || is_join(a, j + 1))
			continue;
		/* a constant on the way is no input: clz(-1) is not an op */
		for (t = 1; t < NR_TRIALS && val[t][j - c->s0] == val[0][j - c->s0]; t++)
			;
		if (t == NR_TRIALS)
			continue;
		/* j and what it depends on stay */
		slice_clear(&m, j);
		keep = 1;
		needed = a->use[j];
		for (x = j; x-- > c->s0 && needed;) {
			if (!in_slice(c, x) || !(a->def[x] & needed))
				continue;
			/* what stays moves before the site: no hammock */
			cond |= is_join(a, x + 1);
			slice_clear(&m, x);
			keep++;
			needed = (needed & ~a->def[x]) | a->use[x];
		}
		/* a rotate or a field of what stays must drop 3 insns or more */
		if (cond || c->slice_len - keep < 3 ||
		    (found && c->slice_len - keep <= best->slice_len))
			continue;
		for (x = j + 1; x <= c->e; x++)
			if (!in_slice(&m, x) && (a->def[x] & bit(rj)))
				break;
		if (x <= c->e)
			continue;
		in.nr_leaves = 1;
		for (t = 0; t < NR_TRIALS; t++)
			in.in[t][0] = val[t][j - c->s0];
		if (!match_one(&in, &m, rj))
			continue;
		m.slice_len = c->slice_len - keep;
		*best = m;
		found = true;
	}
	return found;
}

/* ---- candidate search ---- */

/*
 * The first insn a window ending at @i may start at: the start of its
 * basic block, but at most MAX_WALK insns back (what a candidate's slice
 * bitmap and rewrite buffers hold).
 */
static unsigned int window_floor(const struct ana *a, unsigned int i)
{
	unsigned int lo = i >= MAX_WALK ? i - MAX_WALK + 1 : 0;

	while (i > lo && !a->leader[i])
		i--;
	return i;
}

/*
 * The same for a window that may span hammocks (is_join): past each
 * join to the start of the block before its jump, while within MAX_WALK.
 */
static unsigned int ladder_floor(const struct ana *a, unsigned int e)
{
	unsigned int lim = e >= MAX_WALK ? e - MAX_WALK + 1 : 0;
	unsigned int i = window_floor(a, e);

	while (i >= lim + 2 && is_join(a, i)) {
		i = window_floor(a, i - 2);
		if (i < lim)
			i = lim;
	}
	return i;
}

/*
 * A byte swap of a register that an earlier load in the block filled:
 * reload it byte-swapped (the load stays for its other uses).
 */
static bool match_swap_load(const struct ana *a, unsigned int ld,
			    const struct trials *tr, struct cand *c)
{
	const struct bpf_insn *l = &a->insn[ld];
	int bytes, n;

	if (a->kind[ld] != K_LDX || BPF_MODE(l->code) != BPF_MEM)
		return false;
	bytes = BPF_SIZE(l->code) == BPF_DW ? 8 : BPF_SIZE(l->code) == BPF_W ? 4 :
		BPF_SIZE(l->code) == BPF_H ? 2 : 1;
	for (n = 2; n <= bytes; n *= 2) {
		if (!ALL_TRIALS(out == sem_bswap(x, 8 * n)))
			continue;
		cand_set(c, EINS_OP_SWAP_MEM, n == 2 ? EINS_SWAP_16 :
			 n == 4 ? EINS_SWAP_32 : EINS_SWAP_64, l->off, 2, 0);
		c->regs[1] = l->src_reg;
		return true;
	}
	return false;
}

/*
 * The best candidate ending at insn e, if any: how many are returned, the
 * first in @best; a second, in @alt, is to be tried if the first is not
 * taken.
 */
int search_at(const struct ana *a, unsigned int e, struct cand *best,
	      struct cand *alt)
{
	unsigned int i, lo;
	u16 needed, leaves_ld = 0;
	int d = a->insn[e].dst_reg, loads[SEM_NREGS];
	struct cand c, inner;
	bool found = false, inner_found = false, lo_half = false, hammock;

	if (a->kind[e] != K_ALU || !(a->live_out[e] & bit(d)) || a->used[e])
		return false;
	lo = ladder_floor(a, e);
	memset(&c, 0, sizeof(c));
	c.d = d;
	c.e = e;
	needed = a->use[e];
	memset(loads, -1, sizeof(loads));
	/* walk back; i is the cut (the first insn of the window) */
	for (i = e;; i--) {
		hammock = false;
		if (i != e) {
			if (a->kind[i] == K_LD64_HI)
				goto next;
			if (is_join(a, i + 1)) {
				/*
				 * a hammock's move: it and its jump join the
				 * slice (d keeps its value when the jump is
				 * taken), or the window ends here
				 */
				if (!(a->def[i] & needed) || i < lo + 1)
					break;
				needed |= a->use[i] | a->use[i - 1];
				if (needed & leaves_ld)
					break;
				hammock = true;
				i--;	/* the cut is the jump */
			} else if (a->def[i] & needed) {
				if (a->kind[i] == K_LDX) {
					/* a loaded value is a leaf */
					loads[a->insn[i].dst_reg] = i;
					leaves_ld |= a->def[i];
					needed &= ~a->def[i];
					goto evaluate;
				}
				if (a->kind[i] != K_ALU && a->kind[i] != K_LD64)
					break;
				needed = (needed & ~a->def[i]) | a->use[i];
				/* read before the load that is its leaf */
				if (needed & leaves_ld)
					break;
			} else {
				goto next;
			}
		}
		/* a new slice insn at i: rebase the slice bitmap on i */
		{
			struct cand n = c;
			unsigned int k;

			memset(n.slice, 0, sizeof(n.slice));
			n.s0 = i;
			for (k = i; k <= e; k++)
				if (k == i || (hammock && k == i + 1) || in_slice(&c, k))
					slice_set(&n, k);
			n.slice_len = c.slice_len + 1 + hammock;
			c = n;
		}
evaluate:
		{
			struct trials tr = {};
			const struct consts *k = &a->cin[i];
			u16 vars = (needed & ~k->known) | leaves_ld;
			int r, nl = 0;
			struct cand m = c;

			for (r = 0; r < SEM_NREGS; r++)
				if (vars & bit(r)) {
					if (nl == 2) {
						nl = 3;
						break;
					}
					tr.leaf[nl++] = r;
				}
			if (nl < 1 || nl > 2 || (needed | leaves_ld) & bit(10))
				goto next;
			tr.derived = -1;
			for (r = 0; nl == 2 && r < 2; r++) {
				int dr = tr.leaf[r], b = tr.leaf[!r];

				/* one leaf a relation of the other: one input */
				if ((k->related & bit(dr)) && k->rbase[dr] == b &&
				    !(leaves_ld & bit(dr))) {
					tr.derived = dr;
					tr.dop = k->rop[dr];
					tr.leaf[0] = b;
					nl = 1;
				}
			}
			tr.nr_leaves = nl;
			/* (a leaf loaded in the window: nothing known of it) */
			tr.hz = k->hz & ~leaves_ld;
			if (!eval_slice(a, &m, k, &tr, lo_half))
				goto next;
			/* a constant result (the known upper half shifted down) is no op's */
			for (r = 1; r < NR_TRIALS && tr.out[r] == tr.out[0]; r++)
				;
			if (r == NR_TRIALS)
				goto next;
			if (nl == 1 && loads[tr.leaf[0]] >= 0 && !(needed & k->known) &&
			    match_swap_load(a, loads[tr.leaf[0]], &tr, &m)) {
				/* the window starts at the load */
				m.s0 = loads[tr.leaf[0]];
				memset(m.slice, 0, sizeof(m.slice));
				for (r = m.s0; r <= (int)e; r++)
					if (in_slice(&c, r) || r == (int)m.s0)
						slice_set(&m, r);
				m.slice_len = c.slice_len + 1;
			} else if (c.slice_len < 2 ||
				   !(nl == 1 ? match_one(&tr, &m, tr.leaf[0]) ||
					       (c.slice_len >= 4 &&
						match_mul_const(a, &c, k, &tr, &m)) :
					       match_two(&tr, &m, c.slice_len) ||
					       (c.slice_len >= 4 &&
						match_mul_const_add(a, &c, k, &tr, loads, &m)))) {
				/* second choice: the op on a value on the way */
				if (c.slice_len >= 4 && match_inner(a, &c, k, &tr, &m) &&
				    (!inner_found || m.slice_len > inner.slice_len)) {
					inner = m;
					inner_found = true;
				}
				/*
				 * Nothing reads d's upper half: try 32-bit ops on
				 * its low half (clang's code for u32 without ALU32
				 * leaves the upper half to a later mask).
				 */
				if (!lo_half && !(a->hi_live_out[e] & bit(d))) {
					lo_half = true;
					goto evaluate;
				}
				goto next;
			}
			if (!found || m.slice_len > best->slice_len) {
				*best = m;
				found = true;
			}
		}
next:
		lo_half = false;
		if (i == lo || c.slice_len >= MAX_SLICE)
			break;
	}
	/*
	 * The op on a value on the way: if nothing else, or first if it
	 * drops more insns than the op found on the leaves, which is then
	 * the second choice (at -mcpu=v1 a log2 ladder ends in a 32-bit
	 * add, a shift_add on its own).
	 */
	if (!inner_found)
		return found;
	if (!found) {
		*best = inner;
		return 1;
	}
	if (inner.slice_len <= best->slice_len)
		return 1;
	*alt = *best;
	*best = inner;
	return 2;
}

/*
 * The skipped arm loads a constant: d = imm (64-bit, or 32-bit, which
 * zero-extends) or a 64-bit immediate.  True with d and the value.
 */
static bool const_arm(const struct ana *a, unsigned int j, int *d, u64 *v)
{
	const struct bpf_insn *mv = &a->insn[j + 1];
	u64 r[SEM_NREGS] = {};

	if (a->kind[j + 1] == K_LD64 && !a->reloc[j + 1] && !mv->src_reg &&
	    a->insn[j].off == 2 && j + 3 <= a->n) {
		sem_alu(mv, r);
		*v = r[mv->dst_reg];
	} else if (mv->code == (BPF_ALU64 | BPF_MOV | BPF_K) && a->insn[j].off == 1) {
		*v = (u64)(long long)mv->imm;
	} else if (mv->code == (BPF_ALU | BPF_MOV | BPF_K) && a->insn[j].off == 1) {
		*v = (unsigned int)mv->imm;
	} else {
		return false;
	}
	*d = mv->dst_reg;
	return true;
}

/* a register other than @not that is known to hold @v at insn i, or -1 */
static int const_reg(const struct ana *a, unsigned int i, u64 v, int not)
{
	const struct consts *k = &a->cin[i];
	int reg;

	for (reg = 0; reg < 10; reg++)
		if (reg != not && (k->known & bit(reg)) && k->v[reg] == v)
			return reg;
	return -1;
}

/* cond jump over one register move: d = (a cc b) ? x : y */
bool search_select(const struct ana *a, unsigned int j, struct cand *c)
{
	const struct bpf_insn *jmp = &a->insn[j], *mv = &a->insn[j + 1];
	unsigned int q, lo;
	int d, x, y = -1, op = BPF_OP(jmp->code);
	bool is32 = BPF_CLASS(jmp->code) == BPF_JMP32, imm = BPF_SRC(jmp->code) == BPF_K;
	bool karm;
	u64 kv = 0;

	if (a->kind[j] != K_JUMP || j + 2 > a->n || a->jtarget[j + 1])
		return false;
	d = mv->dst_reg;
	karm = const_arm(a, j, &d, &kv);
	if (karm)
		y = const_reg(a, j, kv, d);
	else if (jmp->off != 1 || mv->code != (BPF_ALU64 | BPF_MOV | BPF_X) ||
		 mv->off)
		return false;
	else
		y = mv->src_reg;
	if (!(a->live_out[j + 1] & bit(d)))
		return false;
	lo = window_floor(a, j);
	memset(c, 0, sizeof(*c));
	/*
	 * An immediate arm no register holds (a clamp's bound, the 0 of
	 * "c ? 1 : 0"): apply loads it into a dead register before the
	 * site.  The compare's registers are read after that load.
	 */
	if (y < 0) {
		c->kslot = 3;
		c->kval = kv;
		c->avoid = bit(jmp->dst_reg) | (imm ? 0 : bit(jmp->src_reg));
		y = d;	/* a placeholder until apply picks the register */
	}
	c->d = d;
	c->e = j + 1;
	c->s0 = j;
	x = d;
	/* the last write of d before the jump: x, if it is a move */
	for (q = j; q-- > lo;) {
		if (a->kind[q] == K_LD64_HI)
			continue;
		if (a->def[q] & bit(d)) {
			if (a->insn[q].code == (BPF_ALU64 | BPF_MOV | BPF_X) &&
			    !a->insn[q].off) {
				x = a->insn[q].src_reg;
				c->s0 = q;
			}
			break;
		}
	}
	memset(c->slice, 0, sizeof(c->slice));
	if (c->s0 != j)
		slice_set(c, c->s0);
	slice_set(c, j);
	slice_set(c, j + 1);
	c->slice_len = c->s0 != j ? 3 : 2;
	cand_set(c, EINS_OP_SELECT,
		 op | (is32 ? EINS_SEL_32 : 0) | (imm ? EINS_SEL_IMM : 0),
		 imm ? jmp->imm : 0, imm ? 4 : 5, 0);
	/* the compare reads d before the move we drop: it reads x then */
	c->regs[1] = jmp->dst_reg == d ? x : jmp->dst_reg;
	c->regs[2] = x;
	c->regs[3] = y;
	if (!imm)
		c->regs[4] = jmp->src_reg == d ? x : jmp->src_reg;
	return true;
}

/* swapped register stored, then dead: a byte-swapping store */
bool search_swap_store(const struct ana *a, unsigned int p, struct cand *c)
{
	const struct bpf_insn *st = &a->insn[p], *sw;
	int v = st->src_reg, bytes;
	unsigned int q, lo = window_floor(a, p);

	if (a->kind[p] != K_STORE || BPF_CLASS(st->code) != BPF_STX ||
	    BPF_SIZE(st->code) == BPF_B || (a->live_out[p] & bit(v)) ||
	    v == st->dst_reg)
		return false;
	bytes = BPF_SIZE(st->code) == BPF_DW ? 8 : BPF_SIZE(st->code) == BPF_W ? 4 : 2;
	for (q = p; q-- > lo;) {
		if (a->kind[q] == K_LD64_HI)
			continue;
		if ((a->def[q] | a->use[q]) & bit(v))
			break;
	}
	if (q == (unsigned int)-1 || q < lo)
		return false;
	sw = &a->insn[q];
	if (BPF_OP(sw->code) != BPF_END || sw->dst_reg != v || sw->imm != bytes * 8 ||
	    (BPF_CLASS(sw->code) == BPF_ALU && BPF_SRC(sw->code) == BPF_TO_LE))
		return false;
	memset(c, 0, sizeof(*c));
	c->s0 = q;
	c->e = p;
	slice_set(c, q);
	slice_set(c, p);
	c->slice_len = 2;
	cand_set(c, EINS_OP_SWAP_MEM, EINS_SWAP_STORE | (bytes == 2 ? EINS_SWAP_16 :
		 bytes == 4 ? EINS_SWAP_32 : EINS_SWAP_64), st->off, 2, 1);
	c->d = st->dst_reg;	/* operand 0 is the base */
	c->regs[1] = v;
	return true;
}

/* ---- table lookups ---- */

/* where the filter puts a table: far from any value the slice computes */
#define TABLE_BASE	(1ULL << 52)

/* run a table lookup's slice (search_table) on @r; -1 if it leaves the table */
static int run_table_slice(const struct ana *a, const struct cand *c,
			   u64 *r, u64 *val)
{
	const struct bpf_insn *l = &a->insn[c->e];
	int bytes = BPF_SIZE(l->code) == BPF_DW ? 8 : BPF_SIZE(l->code) == BPF_W ? 4 :
		    BPF_SIZE(l->code) == BPF_H ? 2 : 1, b;
	unsigned int i;
	u64 at, v = 0;

	for (i = c->s0; i < c->e; i++) {
		if (!in_slice(c, i))
			continue;
		if (i == c->table_at - 1)
			r[a->insn[i].dst_reg] = TABLE_BASE;
		else if (!sem_alu(&a->insn[i], r))
			return -1;
		val[i - c->s0] = r[a->insn[i].dst_reg];
	}
	at = r[l->src_reg] + l->off - TABLE_BASE;
	if (r[l->src_reg] + l->off < TABLE_BASE || at + bytes > c->table_len)
		return -1;
	for (b = bytes; b--;)
		v = v << 8 | c->table[at + b];
	r[l->dst_reg] = v;
	return 0;
}

/*
 * A lookup in an anonymous read-only table (eobj_anon_rodata) at an index
 * computed from one register, as clang spells __builtin_ctz for BPF: a
 * de Bruijn multiply of x & -x indexes a table of 64 (or 32) bytes in
 * .rodata, which gives 0 for x = 0.  The slice of the load's address is
 * run with the table's bytes; a bit count of the register, masked to
 * w - 1 bits for the x = 0 case, replaces it.  The proof splits on the
 * value of x & -x (search_table finds the insn computing it): one bit
 * or none, a case each, which z3 proves in a moment where a proof over
 * the multiply alone does not end.
 */
bool search_table(const struct ana *a, unsigned int ld, struct cand *c)
{
	static u64 val[NR_TRIALS][MAX_WALK];
	const struct bpf_insn *l = &a->insn[ld];
	unsigned int i, lo = window_floor(a, ld), first = ld, tab = 0;
	unsigned int at[MAX_WALK];	/* the slice, from the load back */
	const unsigned char *bytes = NULL;
	size_t len = 0;
	u16 needed, vars;
	struct trials lookup = {}, *tr = &lookup;
	int t, w, leaf, n = 0;

	if (a->kind[ld] != K_LDX || BPF_MODE(l->code) != BPF_MEM || a->used[ld] ||
	    !(a->live_out[ld] & bit(l->dst_reg)))
		return false;
	memset(c, 0, sizeof(*c));
	needed = a->use[ld];
	/* the address's slice: ALU insns and the table's address */
	for (i = ld; i-- > lo && needed;) {
		if (a->kind[i] == K_LD64_HI || !(a->def[i] & needed))
			continue;
		if (a->kind[i] == K_LD64 && a->reloc[i]) {
			if (tab || !eobj_anon_rodata(a->o, a->sec, i, &bytes, &len))
				return false;
			tab = i + 1;
			needed &= ~a->def[i];
		} else if (a->kind[i] == K_ALU || a->kind[i] == K_LD64) {
			needed = (needed & ~a->def[i]) | a->use[i];
		} else {
			break;
		}
		first = i;
		at[n++] = i;
	}
	vars = needed & ~a->cin[first].known;
	if (!tab || first + MAX_WALK <= ld || (needed & bit(10)) ||
	    __builtin_popcount(vars) != 1)
		return false;
	leaf = __builtin_ctz(vars);
	c->s0 = first;
	c->e = ld;
	c->d = l->dst_reg;
	c->table_at = tab;
	c->table = bytes;
	c->table_len = len;
	c->slice_len = n + 1;
	slice_set(c, ld);
	while (n--)
		slice_set(c, at[n]);
	tr->nr_leaves = 1;
	tr->leaf[0] = leaf;
	tr->derived = -1;
	for (t = 0; t < NR_TRIALS; t++) {
		u64 reg[SEM_NREGS];

		tr->in[t][0] = trial_value(t, 0);
		if (a->cin[first].hz & bit(leaf))
			tr->in[t][0] &= 0xffffffffULL;
		trial_regs(&a->cin[first], tr, t, reg);
		if (run_table_slice(a, c, reg, val[t]))
			return false;
		tr->out[t] = reg[c->d];
	}
	/* the insn that isolates the lowest set bit, for the proof */
	for (i = first; i < ld && !c->split_at; i++) {
		if (!in_slice(c, i) || a->kind[i] != K_ALU)
			continue;
		for (t = 0; t < NR_TRIALS; t++) {
			u64 x = tr->in[t][0], v = val[t][i - first];

			if (v != (x & -x) && v != (x & -x & 0xffffffffULL))
				break;
		}
		if (t == NR_TRIALS) {
			c->split_at = i + 1;
			c->split_reg = a->insn[i].dst_reg;
		}
	}
	if (match_one(tr, c, leaf) && c->op == EINS_OP_BITCOUNT)
		return true;
	c->nr_post = 0;
	c->post_shift = 0;
	for (w = 64; w >= 32; w -= 32) {
		u64 m = w == 64 ? ~0ULL : 0xffffffffULL;

		if (!ALL_TRIALS(out == (ctz(x & m, w) & (w - 1))))
			continue;
		cand_set(c, EINS_OP_BITCOUNT, EINS_BC_CTZ | (w == 32 ? EINS_BC_32 : 0),
			 0, 2, 2);
		c->regs[1] = leaf;
		c->post[0] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_AND | BPF_K, .dst_reg = c->d,
			.imm = w - 1 };
		c->nr_post = 1;
		return true;
	}
	return false;
}
