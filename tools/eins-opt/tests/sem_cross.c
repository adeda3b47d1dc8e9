// SPDX-License-Identifier: GPL-2.0
/*
 * sem_cross [-n COUNT] [-s SEED]: cases for the cross-check of the two BPF
 * models, bpfsem.c (eins-opt's filter and prover) and the SMT checker's
 * proofs/smt/checker/bpf.py (proofs/smt/checker/cross.py reads them).
 *
 * Each case is a random run of the insns both model and proof sequences
 * use: ALU and ALU64 ops with register or immediate operands, byte swaps,
 * 64-bit immediates, loads and stores of every size below r10, and
 * forward jumps (conditional, 32 and 64-bit, and ja).  Registers start
 * with random values, r10 with a fixed stack address, memory with zeroes.
 * For each case this prints one line, the results of running it in
 * bpfsem.c, both the concrete filter (cases without memory: the filter
 * runs ALU ops and, as in a log2 ladder's window, forward jumps) and the
 * z3 terms (simplified to numbers):
 *
 *   INSN-HEX... | R0..R10 in | R0..R10 out | 64 stack bytes out | filter
 *
 * where "filter" is the concrete filter's R0..R9, or "-" for a case with
 * memory, which it does not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpfsem.h"

#define MAX_LEN		12
#define STACK_TOP	0x7f0000001000ULL
#define STACK_BYTES	64

typedef unsigned long long u64;

static u64 seed = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* a value with edges: 0, -1, sign bits, small and wide numbers */
static u64 value(void)
{
	static const u64 edge[] = {
		0, 1, ~0ULL, 0x80000000ULL, 0x7fffffffULL, 0xffffffffULL,
		0x8000000000000000ULL, 0x100000000ULL, 0xff, 0x8000,
	};

	return rnd() % 3 ? rnd() : edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
}

static const unsigned char alu_ops[] = {
	BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_XOR, BPF_LSH,
	BPF_RSH, BPF_ARSH, BPF_MOV, BPF_NEG,
};
static const unsigned char jmp_ops[] = {
	BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT,
	BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET,
};
static const unsigned char sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

#define PICK(a)	((a)[rnd() % (sizeof(a) / sizeof((a)[0]))])

/* one insn (two for ld_imm64) at @p[i] of @len; returns how many */
static int gen_insn(struct bpf_insn *p, int i, int len, bool *plain)
{
	struct bpf_insn *in = &p[i];
	int kind = rnd() % 10, bits;

	memset(in, 0, 2 * sizeof(*in));
	in->dst_reg = rnd() % 10;
	in->src_reg = rnd() % 11;
	if (kind < 5) {		/* ALU, ALU64 */
		in->code = (rnd() % 2 ? BPF_ALU64 : BPF_ALU) | PICK(alu_ops) |
			   (rnd() % 2 ? BPF_X : BPF_K);
		bits = BPF_CLASS(in->code) == BPF_ALU64 ? 64 : 32;
		in->imm = BPF_OP(in->code) >= BPF_LSH && BPF_OP(in->code) <= BPF_ARSH &&
			  rnd() % 4 ? (int)(rnd() % bits) : (int)value();
		if (BPF_OP(in->code) == BPF_NEG)
			in->code &= ~BPF_X;
		return 1;
	}
	if (kind == 5) {	/* byte swaps: to_le, to_be, bswap */
		static const unsigned char end[] = {
			BPF_ALU | BPF_END | BPF_TO_LE, BPF_ALU | BPF_END | BPF_TO_BE,
			BPF_ALU64 | BPF_END | BPF_TO_LE,
		};

		in->code = PICK(end);
		in->src_reg = 0;
		in->imm = 16 << (rnd() % 3);
		return 1;
	}
	if (kind == 6 && i + 2 <= len) {	/* ld_imm64 */
		u64 v = value();

		in->code = BPF_LD | BPF_IMM | BPF_DW;
		in->src_reg = 0;
		in->imm = (int)v;
		in[1].imm = (int)(v >> 32);
		return 2;
	}
	if (kind <= 8) {	/* a load or a store below r10 */
		int size = PICK(sizes), n = size == BPF_DW ? 8 : size == BPF_W ? 4 :
						  size == BPF_H ? 2 : 1;

		*plain = false;
		in->off = -(int)(n + rnd() % (STACK_BYTES - n + 1));
		if (rnd() % 2) {
			in->code = BPF_LDX | BPF_MEM | size;
			in->src_reg = BPF_REG_10;
		} else {
			in->code = BPF_STX | BPF_MEM | size;
			in->dst_reg = BPF_REG_10;
			in->src_reg = rnd() % 10;
		}
		return 1;
	}
	/* a forward jump that lands in the run or at its end */
	if (rnd() % 5 == 0) {
		in->code = BPF_JMP | BPF_JA;
		in->src_reg = in->dst_reg = 0;
	} else {
		in->code = (rnd() % 2 ? BPF_JMP : BPF_JMP32) | PICK(jmp_ops) |
			   (rnd() % 2 ? BPF_X : BPF_K);
		in->imm = (int)value();
	}
	in->off = rnd() % (len - i);
	return 1;
}

/* an ld_imm64 may not be jumped into: move such a target past it */
static void fix_jumps(struct bpf_insn *p, int len)
{
	int i, t;

	for (i = 0; i < len; i++) {
		if (BPF_CLASS(p[i].code) != BPF_JMP && BPF_CLASS(p[i].code) != BPF_JMP32)
			continue;
		t = i + 1 + p[i].off;
		if (t > 0 && t < len && p[t - 1].code == (BPF_LD | BPF_IMM | BPF_DW))
			p[i].off++;
	}
}

static u64 numeral(Z3_context c, Z3_ast a)
{
	uint64_t v = 0;
	Z3_ast s = Z3_simplify(c, a);

	if (!Z3_get_numeral_uint64(c, s, &v)) {
		fprintf(stderr, "sem_cross: not a number: %s\n", Z3_ast_to_string(c, s));
		exit(1);
	}
	return v;
}

static void one_case(Z3_context c)
{
	struct bpf_insn p[MAX_LEN + 1];
	u64 in[SEM_NREGS], filt[SEM_NREGS];
	int len = 1 + rnd() % MAX_LEN, i, k;
	bool plain = true;
	struct sym_state st;
	Z3_sort bv64 = Z3_mk_bv_sort(c, 64), bv8 = Z3_mk_bv_sort(c, 8);

	for (i = 0; i < len;)
		i += gen_insn(p, i, len, &plain);
	len = i;
	fix_jumps(p, len);
	for (i = 0; i < SEM_NREGS; i++)
		in[i] = i == BPF_REG_10 ? STACK_TOP : value();
	for (i = 0; i < SEM_NREGS; i++)
		st.r[i] = Z3_mk_unsigned_int64(c, in[i], bv64);
	st.mem = Z3_mk_const_array(c, bv64, Z3_mk_unsigned_int64(c, 0, bv8));
	st.reach = Z3_mk_true(c);
	if (sym_run(c, p, len, &st)) {
		fprintf(stderr, "sem_cross: bpfsem.c refuses a generated run\n");
		exit(1);
	}
	for (i = 0; i < len; i++)
		printf("%02x%02x%02x%02x%02x%02x%02x%02x ", p[i].code,
		       p[i].dst_reg | p[i].src_reg << 4, p[i].off & 0xff,
		       (p[i].off >> 8) & 0xff, p[i].imm & 0xff, (p[i].imm >> 8) & 0xff,
		       (p[i].imm >> 16) & 0xff, (p[i].imm >> 24) & 0xff);
	printf("|");
	for (i = 0; i < SEM_NREGS; i++)
		printf(" %llx", in[i]);
	printf(" |");
	for (i = 0; i < SEM_NREGS; i++)
		printf(" %llx", numeral(c, st.r[i]));
	printf(" |");
	for (i = 0; i < STACK_BYTES; i++)
		printf(" %llx", numeral(c, Z3_mk_select(c, st.mem,
			Z3_mk_unsigned_int64(c, STACK_TOP - STACK_BYTES + i, bv64))));
	printf(" |");
	memcpy(filt, in, sizeof(filt));
	for (k = 0; plain && k < len; k += p[k].code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1) {
		int cls = BPF_CLASS(p[k].code), taken;

		if (cls == BPF_JMP || cls == BPF_JMP32) {
			taken = BPF_OP(p[k].code) == BPF_JA ? 1 : sem_jmp(&p[k], filt);
			if (taken < 0)
				plain = false;
			else if (taken)
				k += p[k].off;
			continue;
		}
		if (!sem_alu(&p[k], filt))
			plain = false;
	}
	if (!plain) {
		printf(" -\n");
		return;
	}
	for (i = 0; i < 10; i++)
		printf(" %llx", filt[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	long n = 2000, i;
	Z3_config cfg;
	Z3_context c;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n': n = strtol(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0) | 1; break;
		default:
			fprintf(stderr, "usage: sem_cross [-n COUNT] [-s SEED]\n");
			return 2;
		}
	}
	cfg = Z3_mk_config();
	c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	for (i = 0; i < n; i++)
		one_case(c);
	Z3_del_context(c);
	return 0;
}
