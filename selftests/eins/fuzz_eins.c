// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_eins: random programs with random kinsn sites, run in the test VM.
 *
 *   fuzz_eins [-s SEED] [-n COUNT] [-t SECONDS] [-i INDEX] [-u] [-v] [-x]
 *
 * Program i of a run is generated from (SEED, i) alone, so "-s SEED -i i"
 * rebuilds exactly the program a failure names.  Each program mixes plain
 * ALU code, valid sites of every op (random variants, registers,
 * immediates; swapping loads and stores on the stack or the packet),
 * forward branches and helper calls around them and, in a subprogram and
 * in a bpf_loop callback, the same again; one program in four also
 * carries one planted defect (a malformed
 * site, a jump into a site, a payload on its own, a read of a clobbered
 * register).
 *
 * - a clean program must load, with eins.native_emit on and off, and give
 *   the same 64-bit result and packet both ways on every input;
 * - a planted program must be rejected, and the verifier must name the
 *   defect (the message each kind of defect expects).
 *
 * With -u the loader keeps only CAP_BPF and CAP_NET_ADMIN: without
 * CAP_PERFMON, on a kernel with CPU mitigations, the verifier applies its
 * Spectre checks (masking of pointer offsets, barriers, no reads of
 * unwritten stack) to every program, sites and proof sequences included.
 * A probe shows they are on (the verifier adds insns to it that it does
 * not add for root); where they are not, the run is skipped.
 *
 * Prints one TAP result for the run, a "# FAIL" line per failure, and a
 * summary: programs, accepted,
 * rejects by reason, mismatches.  Exit status 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "eins_lib.h"

#define MAX_INSNS	4096
#define NR_INPUTS	4
#define PKT_SIZE	96	/* r0-r9 in, the result at RESULT_OFF */
#define RESULT_OFF	88
#define SLOT_PKT	(-72)	/* the packet pointer, below the fuzzed slots */
#define FUZZ_SLOTS	8	/* r10-8 ... r10-64 hold values */
#define LOG_SIZE	(1 << 20)

static char log_buf[LOG_SIZE];
static struct eins_ops ops;
static bool verbose;
/* -x: the proof build computes something else; every mismatch must show */
static bool self_check;
/* -u: loading as a CAP_BPF loader; clean programs past the complexity limit */
static bool unpriv;
static int too_complex, native_used;
static int loops_run;	/* accepted programs with a bpf_loop callback */
static int planted_caught;

enum plant {
	PLANT_NONE,
	PLANT_VARIANT,		/* a variant bit no op defines */
	PLANT_REG_RANGE,	/* an operand register above r10 */
	PLANT_CALL_RESERVED,	/* dst_reg set in the site's call */
	PLANT_PAYLOAD_RESERVED,	/* dst_reg set in the payload */
	PLANT_FP_WRITE,		/* r10 as the destination */
	PLANT_JUMP_INTO,	/* a branch to a site's payload */
	PLANT_LONE_PAYLOAD,	/* a payload with no call before it */
	PLANT_CLOBBER_READ,	/* reading a register the site clobbered */
	NR_PLANTS,
};

/* What the verifier log must say for each planted defect. */
static const char *const plant_msg[NR_PLANTS] = {
	[PLANT_VARIANT]		 = "variant\n",
	[PLANT_REG_RANGE]	 = "operand register out of range",
	[PLANT_CALL_RESERVED]	 = "call uses reserved fields",
	[PLANT_PAYLOAD_RESERVED] = "payload uses reserved fields",
	[PLANT_FP_WRITE]	 = "frame pointer r10 cannot be written",
	[PLANT_JUMP_INTO]	 = "jumps into the middle of kinsn",
	[PLANT_LONE_PAYLOAD]	 = "does not follow a kinsn call",
	[PLANT_CLOBBER_READ]	 = "!read_ok",
};

struct gen {
	struct bpf_insn insn[MAX_INSNS];
	bool in_site[MAX_INSNS];	/* insn belongs to a site */
	int cnt;
	int depth;		/* branches the code being generated is in */
	__u16 init;		/* registers that hold a value here */
	enum plant plant;	/* the defect still to plant, if any */
	bool planted;
	bool in_subprog;	/* generating the subprogram (its own stack) */
	int pkt_base;		/* the site's base register holds the packet, or -1 */
	int callback;		/* where the bpf_loop callback starts, or -1 */
	int subprog;		/* where the subprogram starts, or -1 */
};

static void emit(struct gen *g, struct bpf_insn insn)
{
	if (g->cnt < MAX_INSNS) {
		g->insn[g->cnt] = insn;
		g->in_site[g->cnt] = false;
	}
	g->cnt++;
}

static unsigned int rnd(unsigned int n)
{
	return eins_rand() % n;
}

/* A random register in r0-r9 among @mask; -1 if none. */
static int pick(__u16 mask)
{
	int regs[10], n = 0, r;

	for (r = 0; r < 10; r++)
		if (mask & (1u << r))
			regs[n++] = r;
	return n ? regs[rnd(n)] : -1;
}

#define ALL_REGS	0x3ff

/* A random initialized register; makes one if there is none. */
static int pick_init(struct gen *g)
{
	int r = pick(g->init);

	if (r < 0) {
		r = rnd(10);
		emit(g, BPF_MOV64_IMM(r, (__s32)eins_rand()));
		g->init |= 1u << r;
	}
	return r;
}

static int pick_except(__u16 used)
{
	return pick(ALL_REGS & ~used);
}

/* ---- plain code ---- */

static void gen_alu(struct gen *g)
{
	static const __u8 ops_rr[] = { BPF_ADD, BPF_SUB, BPF_XOR, BPF_OR,
				       BPF_AND, BPF_MUL, BPF_MOV };
	static const __u8 ops_sh[] = { BPF_LSH, BPF_RSH, BPF_ARSH };
	__u8 class = rnd(4) ? BPF_ALU64 : BPF_ALU;
	int dst = rnd(10), src;

	if (!(g->init & (1u << dst)) || !rnd(6)) {
		if (rnd(2))
			emit(g, BPF_MOV64_REG(dst, pick_init(g)));
		else
			emit(g, BPF_RAW_INSN(class | BPF_MOV | BPF_K, dst, 0, 0,
					     (__s32)eins_rand_edge()));
		g->init |= 1u << dst;
		return;
	}
	switch (rnd(3)) {
	case 0:
		src = pick_init(g);
		emit(g, BPF_RAW_INSN(class | ops_rr[rnd(sizeof(ops_rr))] | BPF_X,
				     dst, src, 0, 0));
		break;
	case 1:
		emit(g, BPF_RAW_INSN(class | ops_rr[rnd(sizeof(ops_rr))] | BPF_K,
				     dst, 0, 0, (__s32)eins_rand_edge()));
		break;
	default:
		emit(g, BPF_RAW_INSN(class | ops_sh[rnd(sizeof(ops_sh))] | BPF_K,
				     dst, 0, 0,
				     rnd(class == BPF_ALU64 ? 64 : 32)));
		break;
	}
}

/* ---- sites ---- */

static const __u8 conds[] = { BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JGT, BPF_JGE,
			      BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT,
			      BPF_JSLE };

/*
 * A valid site of a random op; @reads gets the registers it reads,
 * s->clobber those it leaves undefined, and @def the one it defines.
 */
static void make_site(struct gen *g, struct eins_site *s, __u16 *reads,
		      int *def)
{
	__u16 used;
	int w, len, base, val;

	memset(s, 0, sizeof(*s));
	*reads = 0;
	*def = -1;
	g->pkt_base = -1;
	/* one case per op of eins_ops.h: a new op needs its own */
	_Static_assert(EINS_OP_MUL_HIGH == EINS_NR_OPS - 1, "an op without a case");
	switch (rnd(EINS_NR_OPS)) {
	case EINS_OP_ROTATE:
		s->btf_id = ops.rotate_id;
		s->variant = rnd(8);
		w = s->variant & EINS_ROT_32 ? 32 : 64;
		s->regs[0] = rnd(10);
		s->regs[1] = pick_init(g);
		if (s->variant & EINS_ROT_REG) {
			s->nr_regs = 5;
			s->regs[2] = pick_init(g);
			used = 1u << s->regs[0] | 1u << s->regs[1] |
			       1u << s->regs[2];
			s->regs[3] = pick_except(used);
			s->regs[4] = pick_except(used | 1u << s->regs[3]);
			s->clobber = 1u << s->regs[3] | 1u << s->regs[4];
			*reads = 1u << s->regs[1] | 1u << s->regs[2];
		} else {
			s->nr_regs = 3;
			s->imm = 1 + rnd(w - 1);
			s->regs[2] = pick_except(1u << s->regs[0] |
						 1u << s->regs[1]);
			s->clobber = 1u << s->regs[2];
			*reads = 1u << s->regs[1];
		}
		break;
	case EINS_OP_SELECT:
		s->btf_id = ops.select_id;
		s->variant = conds[rnd(sizeof(conds))] | (rnd(2) ? EINS_SEL_32 : 0);
		s->regs[0] = rnd(10);
		s->regs[1] = pick_init(g);
		s->regs[2] = pick_init(g);
		s->regs[3] = pick_init(g);
		if (rnd(2)) {
			s->variant |= EINS_SEL_IMM;
			s->nr_regs = 4;
			s->imm = (__s32)eins_rand_edge();
		} else {
			s->nr_regs = 5;
			s->regs[4] = pick_init(g);
		}
		for (len = 1; len < s->nr_regs; len++)
			*reads |= 1u << s->regs[len];
		break;
	case EINS_OP_EXTRACT:
		s->btf_id = ops.extract_id;
		s->variant = rnd(2) ? EINS_EXT_32 : 0;
		w = s->variant ? 32 : 64;
		len = 1 + rnd(w);
		s->imm = EINS_EXT_IMM(rnd(w - len + 1), len);
		s->nr_regs = 2;
		s->regs[0] = rnd(10);
		s->regs[1] = pick_init(g);
		*reads = 1u << s->regs[1];
		break;
	case EINS_OP_SWAP_MEM:	/* on the stack slots or the packet */
		s->btf_id = ops.swap_mem_id;
		s->variant = 1 + rnd(3);
		w = 1 << s->variant;	/* bytes */
		/* stack accesses must be aligned to their size */
		s->imm = -w * (int)(1 + rnd(8 * FUZZ_SLOTS / w));
		base = BPF_REG_10;
		/* the packet (main program only: SLOT_PKT is its stack's) */
		if (!g->in_subprog && rnd(2)) {
			base = g->pkt_base = rnd(10);
			s->imm = rnd(PKT_SIZE - w + 1);
		}
		if (rnd(2)) {
			s->nr_regs = 2;
			s->regs[0] = rnd(10);
			s->regs[1] = base;
		} else {
			s->variant |= EINS_SWAP_STORE;
			s->nr_regs = 3;
			s->regs[0] = base;
			/* the value: initialized, and not the base */
			val = pick(g->init & ~(1u << base) & ALL_REGS);
			if (val < 0) {
				val = pick_except(1u << base);
				emit(g, BPF_MOV64_IMM(val, (__s32)eins_rand()));
				g->init |= 1u << val;
			}
			s->regs[1] = val;
			s->regs[2] = pick_except(1u << s->regs[1] |
						 (base == BPF_REG_10 ? 0 : 1u << base));
			s->clobber = 1u << s->regs[2];
			*reads = 1u << s->regs[1];
		}
		break;
	case EINS_OP_BITCOUNT:
		s->btf_id = ops.bitcount_id;
		s->variant = rnd(3) | (rnd(2) ? EINS_BC_32 : 0);
		s->nr_regs = 4;
		s->regs[0] = rnd(10);
		s->regs[1] = pick_init(g);
		used = 1u << s->regs[0] | 1u << s->regs[1];
		s->regs[2] = pick_except(used);
		s->regs[3] = pick_except(used | 1u << s->regs[2]);
		s->clobber = 1u << s->regs[2] | 1u << s->regs[3];
		*reads = 1u << s->regs[1];
		break;
	case EINS_OP_SHIFT_ADD:
		s->btf_id = ops.shift_add_id;
		w = rnd(2);
		s->variant = EINS_SA_SHIFT(rnd(w ? 32 : 64)) | (w ? EINS_SA_32 : 0);
		s->imm = (__s32)eins_rand_edge();
		s->nr_regs = 4;
		s->regs[0] = rnd(10);
		s->regs[1] = pick_init(g);
		s->regs[2] = pick_init(g);
		s->regs[3] = pick_except(1u << s->regs[0] | 1u << s->regs[1] |
					 1u << s->regs[2]);
		s->clobber = 1u << s->regs[3];
		*reads = 1u << s->regs[1] | 1u << s->regs[2];
		break;
	default: /* EINS_OP_MUL_HIGH, the last */
		s->btf_id = ops.mul_high_id;
		s->variant = rnd(2);
		s->nr_regs = 6;
		s->regs[1] = pick_init(g);
		s->regs[2] = rnd(4) ? pick_init(g) : s->regs[1];
		used = 1u << s->regs[1] | 1u << s->regs[2];
		s->regs[0] = pick_except(used);
		used |= 1u << s->regs[0];
		s->regs[3] = pick_except(used);
		used |= 1u << s->regs[3];
		s->regs[4] = pick_except(used);
		used |= 1u << s->regs[4];
		s->regs[5] = pick_except(used);
		s->clobber = 1u << s->regs[3] | 1u << s->regs[4] |
			     1u << s->regs[5];
		*reads = 1u << s->regs[1] | 1u << s->regs[2];
		break;
	}
	if (!(s->btf_id == ops.swap_mem_id && (s->variant & EINS_SWAP_STORE)))
		*def = s->regs[0];
}

static void emit_site(struct gen *g, const struct eins_site *s)
{
	struct bpf_insn insn[EINS_SITE_MAX_INSNS];
	int i, n = eins_site_insns(s, insn), start = g->cnt;

	for (i = 0; i < n; i++)
		emit(g, insn[i]);
	for (i = start; i < g->cnt && i < MAX_INSNS; i++)
		g->in_site[i] = true;
}

/* Spoil a valid site in the way g->plant says. */
static void plant_in_site(struct gen *g, struct eins_site *s, int start)
{
	switch (g->plant) {
	case PLANT_VARIANT:
		g->insn[start + 1].off |= 0x8000;
		break;
	case PLANT_REG_RANGE:
		g->insn[start + 2].dst_reg = 11 + rnd(5);
		break;
	case PLANT_CALL_RESERVED:
		g->insn[start].dst_reg = 1 + rnd(10);
		break;
	case PLANT_PAYLOAD_RESERVED:
		g->insn[start + 1].dst_reg = 1 + rnd(15);
		break;
	case PLANT_FP_WRITE:
		/* operand 0 is written by every op but a store */
		if (s->btf_id == ops.swap_mem_id)
			return;
		g->insn[start + 2].dst_reg = BPF_REG_10;
		break;
	default:
		return;
	}
	g->planted = true;
}

static void gen_site(struct gen *g)
{
	struct eins_site s;
	__u16 reads;
	int def, start, r;

	make_site(g, &s, &reads, &def);
	/* a packet base: the pointer the program saved, for this site only */
	if (g->pkt_base >= 0)
		emit(g, BPF_LDX_MEM(BPF_DW, g->pkt_base, BPF_REG_10, SLOT_PKT));
	start = g->cnt;
	if (g->plant == PLANT_JUMP_INTO && !g->planted) {
		/* if r0 == imm goto <payload of the site> */
		r = pick_init(g);
		start = g->cnt;
		emit(g, BPF_JMP_IMM(BPF_JEQ, r, (__s32)eins_rand(), 1));
		g->planted = true;
		start = g->cnt;
	}
	emit_site(g, &s);
	if (!g->planted && g->plant >= PLANT_VARIANT &&
	    g->plant <= PLANT_FP_WRITE)
		plant_in_site(g, &s, start);
	g->init &= ~s.clobber;
	if (def >= 0)
		g->init |= 1u << def;
	/* the base is a scalar again, unless the load wrote it */
	if (g->pkt_base >= 0 && def != g->pkt_base) {
		emit(g, BPF_MOV64_IMM(g->pkt_base, (__s32)eins_rand()));
		g->init |= 1u << g->pkt_base;
	}
	/* only where the verifier surely goes: outside every branch */
	if (g->plant == PLANT_CLOBBER_READ && !g->planted && s.clobber &&
	    !g->depth) {
		r = pick(s.clobber);
		emit(g, BPF_ALU64_REG(BPF_ADD, pick_init(g), r));
		g->planted = true;
	}
	(void)reads;
}

static void gen_block(struct gen *g, int items, int depth);

/* if rX cc imm goto over a block of its own */
static void gen_branch(struct gen *g, int depth)
{
	__u16 before;
	int at, r = pick_init(g);

	at = g->cnt;
	emit(g, BPF_RAW_INSN((rnd(2) ? BPF_JMP : BPF_JMP32) |
			     conds[rnd(sizeof(conds))] | BPF_K, r, 0, 0,
			     (__s32)eins_rand_edge()));
	before = g->init;
	g->depth++;
	gen_block(g, 1 + rnd(6), depth + 1);
	g->depth--;
	if (g->cnt < MAX_INSNS)
		g->insn[at].off = g->cnt - at - 1;
	/* after the join, only what both paths defined */
	g->init &= before;
}

/*
 * A helper call between sites: it clobbers r1-r5 and leaves in r0 a value
 * the two builds need not agree on, so all six count as unset after it;
 * what the sites computed before lives on in r6-r9 and the stack.
 */
static void gen_helper_call(struct gen *g)
{
	emit(g, BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ktime_get_ns));
	g->init &= ~0x3f;
}

static void gen_block(struct gen *g, int items, int depth)
{
	int i, k;

	for (i = 0; i < items && g->cnt < MAX_INSNS - 200; i++) {
		k = rnd(20);
		if (k < 8)
			gen_alu(g);
		else if (k < 16)
			gen_site(g);
		else if (k == 19)
			gen_helper_call(g);
		else if (depth < 3)
			gen_branch(g, depth);
		else
			gen_alu(g);
	}
}

/* xor-multiply every live register and stack slot into r0 */
static void gen_fold(struct gen *g)
{
	int r, k;

	if (!(g->init & 1))
		emit(g, BPF_MOV64_IMM(BPF_REG_0, 0));
	for (r = 1; r < 10; r++) {
		if (!(g->init & (1u << r)))
			continue;
		emit(g, BPF_ALU64_REG(BPF_XOR, BPF_REG_0, r));
		emit(g, BPF_ALU64_IMM(BPF_MUL, BPF_REG_0, 0x9e3779b1));
	}
	for (k = 1; k <= FUZZ_SLOTS; k++) {
		emit(g, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8 * k));
		emit(g, BPF_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_1));
		emit(g, BPF_ALU64_IMM(BPF_MUL, BPF_REG_0, 0x7feb352d));
	}
	g->init = 1;
}

/* fill the callee's own stack slots from its arguments */
static void gen_callee_stack(struct gen *g)
{
	int k;

	for (k = 1; k <= FUZZ_SLOTS; k++)
		emit(g, BPF_STX_MEM(BPF_DW, BPF_REG_10, 1 + (k - 1) % 5, -8 * k));
}

/*
 * bpf_loop(1-3 times, callback, &slot, 0) on one of the main program's
 * stack slots: the verifier inlines the call and the callback is a
 * subprogram of its own, sites and all.  Returns where the callback's
 * address is loaded, for gen_loop_callback() to fill in.
 */
static int gen_loop_call(struct gen *g)
{
	int at;

	emit(g, BPF_MOV64_IMM(BPF_REG_1, 1 + rnd(3)));
	at = g->cnt;
	emit(g, BPF_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2,
			     BPF_PSEUDO_FUNC, 0, 0));
	emit(g, BPF_RAW_INSN(0, 0, 0, 0, 0));
	emit(g, BPF_MOV64_REG(BPF_REG_3, BPF_REG_10));
	emit(g, BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, -8 * (int)(1 + rnd(FUZZ_SLOTS))));
	emit(g, BPF_MOV64_IMM(BPF_REG_4, 0));
	emit(g, BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_loop));
	/* r0 is the number of iterations, the same in both builds */
	g->init = (g->init & ~0x3e) | 1;
	return at;
}

/*
 * The callback (r1 the iteration, r2 the slot): a random body on its own
 * stack, from the iteration and the slot's value, folded back into the
 * slot; it returns 0 to go on.
 */
static void gen_loop_callback(struct gen *g, int at)
{
	if (g->cnt < MAX_INSNS)
		g->insn[at].imm = g->cnt - at - 1;
	g->callback = g->cnt;
	g->in_subprog = true;
	emit(g, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, SLOT_PKT));
	emit(g, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_2, 0));
	emit(g, BPF_MOV64_REG(BPF_REG_3, BPF_REG_2));
	emit(g, BPF_ALU64_REG(BPF_XOR, BPF_REG_3, BPF_REG_1));
	emit(g, BPF_MOV64_REG(BPF_REG_4, BPF_REG_2));
	emit(g, BPF_ALU64_IMM(BPF_MUL, BPF_REG_4, 0x2545f491));
	emit(g, BPF_MOV64_REG(BPF_REG_5, BPF_REG_1));
	emit(g, BPF_ALU64_REG(BPF_ADD, BPF_REG_5, BPF_REG_2));
	g->init = 0x3e;
	gen_callee_stack(g);
	gen_block(g, 3 + rnd(12), 0);
	gen_fold(g);
	emit(g, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, SLOT_PKT));
	emit(g, BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
	emit(g, BPF_MOV64_IMM(BPF_REG_0, 0));
	emit(g, BPF_EXIT_INSN());
}

/*
 * The whole program: read r0-r9 from the packet, fill the stack slots, run
 * the random body (calling the subprogram, if any, from it, and bpf_loop
 * with a callback in one program in three), fold the registers and slots
 * into the result and store it in the packet.
 */
static int gen_prog(struct gen *g, bool subprog)
{
	int r, k, exit_jump, body, call = -1, loop = -1;

	g->cnt = 0;
	g->planted = false;
	g->in_subprog = false;
	g->callback = -1;
	g->subprog = -1;
	emit(g, BPF_LDX_MEM(BPF_W, BPF_REG_6, BPF_REG_1,
			    offsetof(struct xdp_md, data)));
	emit(g, BPF_LDX_MEM(BPF_W, BPF_REG_7, BPF_REG_1,
			    offsetof(struct xdp_md, data_end)));
	emit(g, BPF_MOV64_REG(BPF_REG_8, BPF_REG_6));
	emit(g, BPF_ALU64_IMM(BPF_ADD, BPF_REG_8, PKT_SIZE));
	exit_jump = g->cnt;
	emit(g, BPF_JMP_REG(BPF_JGT, BPF_REG_8, BPF_REG_7, 0));
	emit(g, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_6, SLOT_PKT));
	for (r = 0; r < 10; r++)
		if (r != BPF_REG_6)
			emit(g, BPF_LDX_MEM(BPF_DW, r, BPF_REG_6, 8 * r));
	emit(g, BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_6, 8 * BPF_REG_6));
	for (k = 1; k <= FUZZ_SLOTS; k++)
		emit(g, BPF_STX_MEM(BPF_DW, BPF_REG_10, k - 1, -8 * k));
	g->init = ALL_REGS;
	g->depth = 0;
	body = g->cnt;

	gen_block(g, 5 + rnd(20), 0);
	if (subprog) {
		for (r = 1; r <= 5; r++)
			if (!(g->init & (1u << r)))
				emit(g, BPF_MOV64_IMM(r, (__s32)eins_rand()));
		call = g->cnt;
		emit(g, BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
		g->init = (g->init & ~0x3e) | 1;
		gen_block(g, 2 + rnd(10), 0);
	}
	if (!rnd(3)) {
		loop = gen_loop_call(g);
		gen_block(g, 1 + rnd(5), 0);
	}
	gen_fold(g);
	emit(g, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, SLOT_PKT));
	emit(g, BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, RESULT_OFF));
	if (g->cnt < MAX_INSNS)
		g->insn[exit_jump].off = g->cnt - exit_jump - 1;
	emit(g, BPF_MOV64_IMM(BPF_REG_0, 2 /* XDP_PASS */));
	emit(g, BPF_EXIT_INSN());

	if (loop >= 0)
		gen_loop_callback(g, loop);
	if (!subprog)
		return body;
	/* the subprogram: r1-r5 are its arguments, r0 its result */
	g->in_subprog = true;
	if (g->cnt < MAX_INSNS)
		g->insn[call].imm = g->cnt - call - 1;
	g->subprog = g->cnt;
	g->init = 0x3e;
	gen_callee_stack(g);
	gen_block(g, 5 + rnd(20), 0);
	gen_fold(g);
	emit(g, BPF_EXIT_INSN());
	return body;
}

/* A payload on its own, in place of a plain ALU insn of the body. */
static void plant_lone_payload(struct gen *g, int body)
{
	int i, tries;

	for (tries = 0; tries < 100; tries++) {
		i = body + rnd(g->cnt - body);
		if (g->in_site[i] || (BPF_CLASS(g->insn[i].code) != BPF_ALU &&
				      BPF_CLASS(g->insn[i].code) != BPF_ALU64))
			continue;
		g->insn[i] = BPF_RAW_INSN(BPF_KINSN_PAYLOAD, 0, 2, 0, 0);
		g->planted = true;
		return;
	}
}

/*
 * For -x: change the multiplier of the main program's last fold step,
 * right before the result is stored, so the result must differ (unless
 * the value it multiplies is 0 or 1 << 63).
 */
static void spoil_fold(struct gen *g)
{
	int i;

	for (i = 2; i < g->cnt; i++)
		if (g->insn[i].code == (BPF_STX | BPF_MEM | BPF_DW) &&
		    g->insn[i].off == RESULT_OFF &&
		    g->insn[i - 2].code == (BPF_ALU64 | BPF_MUL | BPF_K)) {
			g->insn[i - 2].imm += 2;
			return;
		}
}

/* ---- running ---- */

/*
 * The BTF a program with a callback needs: the verifier wants func_info
 * for every subprogram once one is passed as a callback.  Three functions
 * returning int, no arguments: the main program, the subprogram and the
 * callback (static: their arguments are not checked against the BTF).
 */
static int prog_btf_fd(void)
{
	static int fd = -1;
	struct btf *btf;
	int proto;

	if (fd >= 0)
		return fd;
	btf = btf__new_empty();
	if (!btf)
		return -ENOMEM;
	proto = btf__add_func_proto(btf, btf__add_int(btf, "int", 4,
						      BTF_INT_SIGNED));
	if (btf__add_func(btf, "fuzz_main", BTF_FUNC_GLOBAL, proto) < 0 ||
	    btf__add_func(btf, "fuzz_subprog", BTF_FUNC_STATIC, proto) < 0 ||
	    btf__add_func(btf, "fuzz_callback", BTF_FUNC_STATIC, proto) < 0 ||
	    btf__load_into_kernel(btf)) {
		btf__free(btf);
		return -EINVAL;
	}
	fd = dup(btf__fd(btf));
	btf__free(btf);
	return fd;
}

/* a program with a callback: with func_info for each of its functions */
static int load_with_btf(const struct gen *g, char *log)
{
	struct bpf_func_info fi[3] = { { 0, 3 } };
	int fd_array[2] = { 0, ops.btf_fd };
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .fd_array = fd_array,
		    .func_info = fi,
		    .func_info_rec_size = sizeof(fi[0]),
		    .log_buf = log,
		    .log_size = log ? LOG_SIZE : 0,
		    .log_level = log ? 1 : 0);
	int n = 1, fd;

	opts.prog_btf_fd = prog_btf_fd();
	if (opts.prog_btf_fd < 0)
		return opts.prog_btf_fd;
	/* in insn order, as the verifier wants them */
	if (g->subprog >= 0 && (g->callback < 0 || g->subprog < g->callback))
		fi[n++] = (struct bpf_func_info){ g->subprog, 4 };
	if (g->callback >= 0)
		fi[n++] = (struct bpf_func_info){ g->callback, 5 };
	if (g->subprog > g->callback && g->callback >= 0)
		fi[n++] = (struct bpf_func_info){ g->subprog, 4 };
	opts.func_info_cnt = n;
	if (log)
		log[0] = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "eins_test", "GPL", g->insn,
			   g->cnt, &opts);
	return fd < 0 ? -errno : fd;
}

static int load(const struct gen *g, bool native, bool want_log)
{
	eins_set_native(native);
	if (g->callback >= 0)
		return load_with_btf(g, want_log ? log_buf : NULL);
	return eins_load_insns(&ops, g->insn, g->cnt,
			       want_log ? log_buf : NULL, LOG_SIZE);
}

static int run(int fd, const __u64 *in, __u64 *result)
{
	__u64 pkt[PKT_SIZE / 8];
	int i;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = pkt,
		    .data_size_in = sizeof(pkt),
		    .data_out = pkt,
		    .data_size_out = sizeof(pkt),
		    .repeat = 1);

	memcpy(pkt, in, sizeof(pkt));
	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	if (opts.retval != 2)
		return -EINVAL;
	/* the result, and every packet byte a swapping store may have written */
	*result = pkt[RESULT_OFF / 8];
	for (i = 0; i < PKT_SIZE / 8; i++)
		*result = (*result ^ pkt[i]) * 0x100000001b3ull;
	return 0;
}

/*
 * The line of the verifier log saying why it refused: the last one that
 * is not the statistics it always ends with.
 */
static const char *reject_reason(void)
{
	static char line[256];
	char *end = log_buf + strlen(log_buf), *start;

	for (;;) {
		while (end > log_buf && end[-1] == '\n')
			end--;
		start = end;
		while (start > log_buf && start[-1] != '\n')
			start--;
		if (start == log_buf || (strncmp(start, "processed ", 10) &&
					 strncmp(start, "verification time", 17)))
			break;
		end = start;
	}
	snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}

#define MAX_REASONS	64

static struct {
	char what[96];
	int cnt;
} reasons[MAX_REASONS];

/* Count a rejection by its message, insn numbers written as N. */
static void count_reason(const char *msg)
{
	char what[96];
	int i, n = 0;

	for (i = 0; msg[i] && n < (int)sizeof(what) - 2; i++) {
		if (msg[i] >= '0' && msg[i] <= '9' && i && msg[i - 1] == ' ') {
			while (msg[i + 1] >= '0' && msg[i + 1] <= '9')
				i++;
			what[n++] = 'N';
			continue;
		}
		what[n++] = msg[i];
	}
	what[n] = 0;
	for (i = 0; i < MAX_REASONS && reasons[i].cnt; i++)
		if (!strcmp(reasons[i].what, what))
			break;
	if (i == MAX_REASONS)
		return;
	strcpy(reasons[i].what, what);
	reasons[i].cnt++;
}

static int dumps;

/* The program and its verifier log, for the first few failures only. */
static void dump_prog(const struct gen *g)
{
	int i;

	if (dumps++ >= 3)
		return;
	fprintf(stderr, "# verifier log:\n%s\n", log_buf);
	for (i = 0; i < g->cnt; i++)
		fprintf(stderr, "# %4d: %02x %x %x %6d %11d\n", i,
			g->insn[i].code, g->insn[i].dst_reg,
			g->insn[i].src_reg, g->insn[i].off, g->insn[i].imm);
}

static int failures, tests;

static void report(bool ok, const char *fmt, __u64 seed, long idx,
		   const char *detail)
{
	tests++;
	if (ok)
		return;
	failures++;
	printf("# FAIL fuzz: %s (reproduce: fuzz_eins -s %llu -i %ld)%s%s\n",
	       fmt, (unsigned long long)seed, idx, detail ? ": " : "",
	       detail ? detail : "");
}

/* the jited image's length (a CAP_BPF loader may not read the image) */
static __u32 jited_len(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_prog_get_info_by_fd(fd, &info, &len) ? 0 : info.jited_prog_len;
}

static bool is_complexity_limit(const char *reason)
{
	return strstr(reason, "BPF program is too large") ||
	       strstr(reason, "is too complex");
}

/* Generate, load and run program @idx of the run seeded @seed. */
static void fuzz_one(__u64 seed, long idx, int *accepted, int *mismatches)
{
	static struct gen g;
	__u64 in[NR_INPUTS][PKT_SIZE / 8], res_n, res_p;
	int fd_n, fd_p, i, k, err;
	int body;
	bool bad;

	eins_srand(seed * 0x9e3779b97f4a7c15ull + idx + 1);
	g.plant = rnd(4) ? PLANT_NONE : 1 + rnd(NR_PLANTS - 1);
	body = gen_prog(&g, rnd(3) == 0);
	if (g.plant == PLANT_LONE_PAYLOAD && g.cnt <= MAX_INSNS)
		plant_lone_payload(&g, body);
	if (g.cnt > MAX_INSNS) {
		report(true, NULL, seed, idx, NULL);
		return;
	}
	for (i = 0; i < NR_INPUTS; i++)
		for (k = 0; k < PKT_SIZE / 8; k++)
			in[i][k] = eins_rand_edge();
	bad = g.plant != PLANT_NONE && g.planted;

	fd_n = load(&g, true, false);
	if (fd_n < 0) {
		load(&g, true, true);
		count_reason(reject_reason());
		if (verbose || !bad)
			fprintf(stderr, "# program %ld: %s\n", idx, reject_reason());
		/*
		 * Under the Spectre checks the verifier walks each branch's
		 * speculative path too, and a branchy program can exceed its
		 * insn budget: the bytecode's limit, the same with proof
		 * sequences, not a site's defect.
		 */
		if (!bad && unpriv && is_complexity_limit(reject_reason())) {
			too_complex++;
			report(true, NULL, seed, idx, NULL);
			return;
		}
		if (!bad) {
			dump_prog(&g);
			report(false, "a clean program was rejected", seed, idx,
			       reject_reason());
		} else {
			report(strstr(log_buf, plant_msg[g.plant]), "planted defect rejected for another reason",
			       seed, idx, reject_reason());
		}
		return;
	}
	if (bad) {
		close(fd_n);
		report(false, "a planted defect was accepted", seed, idx,
		       plant_msg[g.plant]);
		return;
	}
	if (self_check)
		spoil_fold(&g);
	fd_p = load(&g, false, false);
	if (fd_p < 0) {
		load(&g, false, true);
		report(false, "accepted with native code, rejected without", seed,
		       idx, reject_reason());
		close(fd_n);
		return;
	}
	(*accepted)++;
	loops_run += g.callback >= 0;
	/* native code replaced some proof sequence: the images differ */
	native_used += unpriv && jited_len(fd_n) != jited_len(fd_p);
	for (i = 0; i < NR_INPUTS; i++) {
		err = run(fd_n, in[i], &res_n) ?: run(fd_p, in[i], &res_p);
		if (err) {
			report(false, "test run failed", seed, idx, strerror(-err));
			break;
		}
		if (self_check) {
			if (res_n != res_p) {
				planted_caught++;
				break;
			}
			continue;
		}
		if (res_n != res_p) {
			char d[80];

			snprintf(d, sizeof(d), "input %d: native %016llx, proof %016llx",
				 i, (unsigned long long)res_n,
				 (unsigned long long)res_p);
			(*mismatches)++;
			dump_prog(&g);
			report(false, "native and proof results differ", seed, idx, d);
			break;
		}
	}
	close(fd_n);
	close(fd_p);
	report(true, NULL, seed, idx, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The probe: a variable offset added to a map value pointer, which the
 * Spectre checks mask with insns of their own.  Its xlated length in
 * insns, or -errno.
 */
static int probe_len(int map_fd)
{
	struct bpf_insn insns[] = {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
		BPF_LD_MAP_FD(BPF_REG_1, map_fd),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),
		BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_0, 0),
		BPF_ALU64_IMM(BPF_AND, BPF_REG_1, 7),
		BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
		BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	int fd, err = 0;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "eins_probe", "GPL",
			   insns, sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0)
		return -errno;
	if (bpf_prog_get_info_by_fd(fd, &info, &info_len))
		err = -errno;
	close(fd);
	return err ?: (int)(info.xlated_prog_len / sizeof(struct bpf_insn));
}

/*
 * -u: drop to CAP_BPF and CAP_NET_ADMIN.  1 if the verifier's Spectre
 * checks are then on, 0 if not (this kernel has no CPU mitigations), or
 * -errno; @root_len and @unpriv_len get the probe's lengths.
 */
static int drop_to_cap_bpf(int *root_len, int *unpriv_len)
{
	int map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL);
	int err;

	if (map_fd < 0)
		return -errno;
	*root_len = probe_len(map_fd);
	err = *root_len < 0 ? *root_len :
	      eins_keep_caps(1ull << CAP_BPF | 1ull << CAP_NET_ADMIN);
	*unpriv_len = err ? err : probe_len(map_fd);
	close(map_fd);
	if (*unpriv_len < 0)
		return *unpriv_len;
	return *unpriv_len > *root_len;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n COUNT] [-t SECONDS] [-i INDEX] [-u] [-v] [-x]\n"
		"  -s SEED     run seed (default: from the clock; printed)\n"
		"  -n COUNT    stop after COUNT programs (default 1000000)\n"
		"  -t SECONDS  stop after SECONDS (default 60)\n"
		"  -i INDEX    only program INDEX of the run (to reproduce one)\n"
		"  -u          load as a CAP_BPF and CAP_NET_ADMIN loader, under the\n"
		"              verifier's Spectre checks (skipped where they are off)\n"
		"  -v          print every rejection\n"
		"  -x          self-check: spoil the proof build of every program;\n"
		"              passes if every accepted one shows a mismatch\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long seed = time(NULL);
	long count = 1000000, only = -1, idx, done = 0;
	int accepted = 0, mismatches = 0, c, i, root_len = 0, unpriv_len = 0;
	const char *what = "fuzz";
	double limit = 60, start;

	while ((c = getopt(argc, argv, "s:n:t:i:uvxh")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': count = strtol(optarg, NULL, 0); break;
		case 't': limit = strtod(optarg, NULL); break;
		case 'i': only = strtol(optarg, NULL, 0); break;
		case 'u': unpriv = true; break;
		case 'v': verbose = true; break;
		case 'x': self_check = true; break;
		default: usage(argv[0]);
		}
	}
	if (eins_ops_get(&ops)) {
		printf("1..1\nnot ok 1 fuzz: eins.ko BTF not found: is eins loaded?\n");
		return 1;
	}
	printf("TAP version 13\n# fuzz: seed %llu\n", seed);
	if (unpriv) {
		c = drop_to_cap_bpf(&root_len, &unpriv_len);
		if (c < 0) {
			printf("not ok 1 fuzz: cannot load as a CAP_BPF loader: %s\n1..1\n",
			       strerror(-c));
			return 1;
		}
		if (!c) {
			printf("1..0 # SKIP the verifier's Spectre checks are off for "
			       "every loader (a kernel without CPU mitigations)\n");
			return 0;
		}
		printf("# fuzz: CAP_BPF and CAP_NET_ADMIN only: Spectre checks on "
		       "(the probe verifies to %d insns, %d for root)\n",
		       unpriv_len, root_len);
		what = "fuzz as a CAP_BPF loader, Spectre checks on";
	}
	start = now_s();
	for (idx = only >= 0 ? only : 0; done < count; idx++) {
		fuzz_one(seed, idx, &accepted, &mismatches);
		done++;
		if (only >= 0 || now_s() - start > limit)
			break;
	}
	eins_set_native(true);
	printf("# fuzz: %ld programs in %.0f s (seed %llu): %d accepted and run "
	       "%d times each way, %ld rejected, %d mismatches\n", done,
	       now_s() - start, seed, accepted, NR_INPUTS, done - accepted,
	       mismatches);
	for (i = 0; i < MAX_REASONS && reasons[i].cnt; i++)
		printf("# fuzz: rejected %5d: %s\n", reasons[i].cnt, reasons[i].what);
	printf("# fuzz: %d accepted programs call bpf_loop\n", loops_run);
	/* one program in three has a callback: some must get through */
	if (!self_check && accepted >= 100 && !loops_run) {
		failures++;
		printf("# FAIL fuzz: no program with a bpf_loop callback was accepted\n");
	}
	if (unpriv) {
		printf("# fuzz: %d clean programs past the verifier's complexity limit "
		       "(its speculative paths)\n", too_complex);
		printf("# fuzz: native code in %d of %d accepted programs (jited "
		       "length differs from the proof build's)\n", native_used,
		       accepted);
		/* the Spectre checks must not have turned every site to proof */
		if (accepted && !native_used) {
			failures++;
			printf("# FAIL fuzz: no accepted program got native code\n");
		}
	}
	if (self_check) {
		printf("%s 1 fuzz self-check: %d of %d spoiled programs caught\n1..1\n",
		       accepted && planted_caught == accepted ? "ok" : "not ok",
		       planted_caught, accepted);
		return accepted && planted_caught == accepted ? 0 : 1;
	}
	printf("%s 1 %s: %ld programs, %d failures\n1..1\n",
	       failures ? "not ok" : "ok", what, done, failures);
	return failures ? 1 : 0;
}
