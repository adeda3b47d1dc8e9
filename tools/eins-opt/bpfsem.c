// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * bpfsem: BPF instruction semantics, concrete and symbolic (bpfsem.h).
 * Both follow the BPF ISA (Documentation/bpf/standardization): shift
 * counts taken modulo the width, division by zero giving 0 and modulo by
 * zero leaving the dividend, ALU32 results zero-extended.
 */
#include <stdlib.h>
#include <string.h>
#include "bpfsem.h"

typedef unsigned long long u64;
typedef long long s64;

u64 sem_bswap(u64 x, int bits)
{
	u64 r = 0;
	int i;

	for (i = 0; i < bits / 8; i++)
		r = r << 8 | ((x >> (8 * i)) & 0xff);
	return r;
}

static u64 trunc_to(u64 x, int bits)
{
	return bits == 64 ? x : x & ((1ULL << bits) - 1);
}

static u64 sext(u64 x, int bits)
{
	return bits == 64 ? x : (u64)((s64)(x << (64 - bits)) >> (64 - bits));
}

/* dst op src in @bits (32 or 64); false if not modelled */
static bool alu_op(int op, int off, u64 *d, u64 s, int bits)
{
	u64 a = trunc_to(*d, bits), b = trunc_to(s, bits), r;
	bool sgn = off == 1;

	switch (op) {
	case BPF_ADD: r = a + b; break;
	case BPF_SUB: r = a - b; break;
	case BPF_MUL: r = a * b; break;
	case BPF_OR:  r = a | b; break;
	case BPF_AND: r = a & b; break;
	case BPF_XOR: r = a ^ b; break;
	case BPF_LSH: r = a << (b & (bits - 1)); break;
	case BPF_RSH: r = a >> (b & (bits - 1)); break;
	case BPF_ARSH: r = (u64)((s64)sext(a, bits) >> (b & (bits - 1))); break;
	case BPF_NEG: r = -a; break;
	case BPF_DIV:
		if (!b)
			r = 0;
		else if (sgn && (s64)sext(b, bits) == -1)
			r = -sext(a, bits);	/* LLONG_MIN / -1 wraps */
		else if (sgn)
			r = (u64)((s64)sext(a, bits) / (s64)sext(b, bits));
		else
			r = a / b;
		break;
	case BPF_MOD:
		if (!b)
			r = a;
		else if (sgn && (s64)sext(b, bits) == -1)
			r = 0;
		else if (sgn)
			r = (u64)((s64)sext(a, bits) % (s64)sext(b, bits));
		else
			r = a % b;
		break;
	case BPF_MOV:
		r = off ? sext(b, off) : b;
		break;
	default:
		return false;
	}
	*d = trunc_to(r, bits);
	return true;
}

bool sem_alu(const struct bpf_insn *insn, u64 *r)
{
	unsigned char cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
	int bits = cls == BPF_ALU64 ? 64 : 32;
	u64 src;

	if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		r[insn->dst_reg] = (unsigned int)insn[0].imm |
				   (u64)(unsigned int)insn[1].imm << 32;
		return true;
	}
	if ((cls != BPF_ALU && cls != BPF_ALU64) || insn->dst_reg >= SEM_NREGS ||
	    insn->src_reg >= SEM_NREGS)
		return false;
	if (op == BPF_END) {
		if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
			return false;
		/* to-le is a truncation on a little-endian machine */
		if (cls == BPF_ALU && BPF_SRC(insn->code) == BPF_TO_LE)
			r[insn->dst_reg] = trunc_to(r[insn->dst_reg], insn->imm);
		else
			r[insn->dst_reg] = sem_bswap(r[insn->dst_reg], insn->imm);
		return true;
	}
	src = BPF_SRC(insn->code) == BPF_X ? r[insn->src_reg] :
	      (u64)(s64)insn->imm;
	return alu_op(op, insn->off, &r[insn->dst_reg], src, bits);
}

int sem_jmp(const struct bpf_insn *insn, const u64 *r)
{
	int bits = BPF_CLASS(insn->code) == BPF_JMP32 ? 32 : 64;
	u64 a, b;

	if ((BPF_CLASS(insn->code) != BPF_JMP && BPF_CLASS(insn->code) != BPF_JMP32) ||
	    insn->dst_reg >= SEM_NREGS || insn->src_reg >= SEM_NREGS)
		return -1;
	a = trunc_to(r[insn->dst_reg], bits);
	b = trunc_to(BPF_SRC(insn->code) == BPF_X ? r[insn->src_reg] :
		     (u64)(s64)insn->imm, bits);
	switch (BPF_OP(insn->code)) {
	case BPF_JEQ:  return a == b;
	case BPF_JNE:  return a != b;
	case BPF_JGT:  return a > b;
	case BPF_JGE:  return a >= b;
	case BPF_JLT:  return a < b;
	case BPF_JLE:  return a <= b;
	case BPF_JSGT: return (s64)sext(a, bits) > (s64)sext(b, bits);
	case BPF_JSGE: return (s64)sext(a, bits) >= (s64)sext(b, bits);
	case BPF_JSLT: return (s64)sext(a, bits) < (s64)sext(b, bits);
	case BPF_JSLE: return (s64)sext(a, bits) <= (s64)sext(b, bits);
	case BPF_JSET: return (a & b) != 0;
	}
	return -1;
}

/* ---- symbolic ---- */

static Z3_ast num(Z3_context c, u64 v, int bits)
{
	return Z3_mk_unsigned_int64(c, v, Z3_mk_bv_sort(c, bits));
}

static Z3_ast low(Z3_context c, Z3_ast x, int bits)
{
	return bits == 64 ? x : Z3_mk_extract(c, bits - 1, 0, x);
}

static Z3_ast zext64(Z3_context c, Z3_ast x, int bits)
{
	return bits == 64 ? x : Z3_mk_zero_ext(c, 64 - bits, x);
}

static Z3_ast sym_bswap(Z3_context c, Z3_ast x, int bits)
{
	Z3_ast r = Z3_mk_extract(c, 7, 0, x);
	int i;

	for (i = 1; i < bits / 8; i++)
		r = Z3_mk_concat(c, r, Z3_mk_extract(c, 8 * i + 7, 8 * i, x));
	return r;
}

static Z3_ast alu_sym(Z3_context c, int op, int off, Z3_ast a, Z3_ast b,
		      int bits)
{
	Z3_ast zero = num(c, 0, bits), amt;

	switch (op) {
	case BPF_ADD: return Z3_mk_bvadd(c, a, b);
	case BPF_SUB: return Z3_mk_bvsub(c, a, b);
	case BPF_MUL: return Z3_mk_bvmul(c, a, b);
	case BPF_OR:  return Z3_mk_bvor(c, a, b);
	case BPF_AND: return Z3_mk_bvand(c, a, b);
	case BPF_XOR: return Z3_mk_bvxor(c, a, b);
	case BPF_NEG: return Z3_mk_bvneg(c, a);
	case BPF_MOV:
		return off ? Z3_mk_sign_ext(c, bits - off, low(c, b, off)) : b;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		amt = Z3_mk_bvand(c, b, num(c, bits - 1, bits));
		return op == BPF_LSH ? Z3_mk_bvshl(c, a, amt) :
		       op == BPF_RSH ? Z3_mk_bvlshr(c, a, amt) :
				       Z3_mk_bvashr(c, a, amt);
	case BPF_DIV:
		return Z3_mk_ite(c, Z3_mk_eq(c, b, zero), zero,
				 off == 1 ? Z3_mk_bvsdiv(c, a, b) :
					    Z3_mk_bvudiv(c, a, b));
	case BPF_MOD:
		return Z3_mk_ite(c, Z3_mk_eq(c, b, zero), a,
				 off == 1 ? Z3_mk_bvsrem(c, a, b) :
					    Z3_mk_bvurem(c, a, b));
	}
	return NULL;
}

static Z3_ast load(Z3_context c, Z3_ast mem, Z3_ast addr, int bytes)
{
	Z3_ast r = NULL, b;
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		b = Z3_mk_select(c, mem, Z3_mk_bvadd(c, addr, num(c, i, 64)));
		r = r ? Z3_mk_concat(c, r, b) : b;
	}
	return r;
}

static Z3_ast store(Z3_context c, Z3_ast mem, Z3_ast addr, Z3_ast v,
		    int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		mem = Z3_mk_store(c, mem, Z3_mk_bvadd(c, addr, num(c, i, 64)),
				  Z3_mk_extract(c, 8 * i + 7, 8 * i, v));
	return mem;
}

static int size_bytes(int code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static Z3_ast jump_cond(Z3_context c, const struct bpf_insn *insn,
			const struct sym_state *st)
{
	int bits = BPF_CLASS(insn->code) == BPF_JMP32 ? 32 : 64;
	Z3_ast a = low(c, st->r[insn->dst_reg], bits), b;

	b = BPF_SRC(insn->code) == BPF_X ? low(c, st->r[insn->src_reg], bits) :
	    low(c, num(c, (u64)(s64)insn->imm, 64), bits);
	switch (BPF_OP(insn->code)) {
	case BPF_JEQ:  return Z3_mk_eq(c, a, b);
	case BPF_JNE:  return Z3_mk_not(c, Z3_mk_eq(c, a, b));
	case BPF_JGT:  return Z3_mk_bvugt(c, a, b);
	case BPF_JGE:  return Z3_mk_bvuge(c, a, b);
	case BPF_JLT:  return Z3_mk_bvult(c, a, b);
	case BPF_JLE:  return Z3_mk_bvule(c, a, b);
	case BPF_JSGT: return Z3_mk_bvsgt(c, a, b);
	case BPF_JSGE: return Z3_mk_bvsge(c, a, b);
	case BPF_JSLT: return Z3_mk_bvslt(c, a, b);
	case BPF_JSLE: return Z3_mk_bvsle(c, a, b);
	case BPF_JSET:
		return Z3_mk_not(c, Z3_mk_eq(c, Z3_mk_bvand(c, a, b),
					     num(c, 0, bits)));
	}
	return NULL;
}

void sym_init(Z3_context c, struct sym_state *st, const char *tag)
{
	Z3_sort bv64 = Z3_mk_bv_sort(c, 64);
	char name[32];
	int i;

	for (i = 0; i < SEM_NREGS; i++) {
		snprintf(name, sizeof(name), "%s_r%d", tag, i);
		st->r[i] = Z3_mk_const(c, Z3_mk_string_symbol(c, name), bv64);
	}
	snprintf(name, sizeof(name), "%s_mem", tag);
	st->mem = Z3_mk_const(c, Z3_mk_string_symbol(c, name),
			      Z3_mk_array_sort(c, bv64, Z3_mk_bv_sort(c, 8)));
	st->reach = Z3_mk_true(c);
}

/* join the state @src (taken under @cond) into @dst */
static void merge(Z3_context c, struct sym_state *dst,
		  const struct sym_state *src, Z3_ast cond)
{
	Z3_ast args[2] = { src->reach, cond }, in;
	int i;

	in = cond ? Z3_mk_and(c, 2, args) : src->reach;
	if (!dst->reach) {
		*dst = *src;
		dst->reach = in;
		return;
	}
	for (i = 0; i < SEM_NREGS; i++)
		dst->r[i] = Z3_mk_ite(c, in, src->r[i], dst->r[i]);
	dst->mem = Z3_mk_ite(c, in, src->mem, dst->mem);
	args[0] = in;
	args[1] = dst->reach;
	dst->reach = Z3_mk_or(c, 2, args);
}

/* one insn that falls through; returns its length in slots, 0 if not
 * modelled
 */
static int step(Z3_context c, const struct bpf_insn *insn, int left,
		struct sym_state *st)
{
	unsigned char cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
	int bits = cls == BPF_ALU64 ? 64 : 32, bytes;
	Z3_ast a, b, r, addr;

	if (insn->dst_reg >= SEM_NREGS || insn->src_reg >= SEM_NREGS)
		return 0;
	if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (left < 2 || insn->src_reg)
			return 0;
		st->r[insn->dst_reg] = num(c, (unsigned int)insn[0].imm |
					      (u64)(unsigned int)insn[1].imm << 32, 64);
		return 2;
	}
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		a = low(c, st->r[insn->dst_reg], bits);
		if (op == BPF_END) {
			if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
				return 0;
			a = low(c, st->r[insn->dst_reg], insn->imm);
			r = cls == BPF_ALU && BPF_SRC(insn->code) == BPF_TO_LE ?
			    a : sym_bswap(c, a, insn->imm);
			st->r[insn->dst_reg] = zext64(c, r, insn->imm);
			return 1;
		}
		b = BPF_SRC(insn->code) == BPF_X ? low(c, st->r[insn->src_reg], bits) :
		    low(c, num(c, (u64)(s64)insn->imm, 64), bits);
		r = alu_sym(c, op, insn->off, a, b, bits);
		if (!r)
			return 0;
		st->r[insn->dst_reg] = zext64(c, r, bits);
		return 1;
	case BPF_LDX:
		if (BPF_MODE(insn->code) != BPF_MEM && BPF_MODE(insn->code) != BPF_MEMSX)
			return 0;
		bytes = size_bytes(insn->code);
		addr = Z3_mk_bvadd(c, st->r[insn->src_reg],
				   num(c, (u64)(s64)insn->off, 64));
		r = load(c, st->mem, addr, bytes);
		st->r[insn->dst_reg] = BPF_MODE(insn->code) == BPF_MEMSX ?
				       Z3_mk_sign_ext(c, 64 - 8 * bytes, r) :
				       zext64(c, r, 8 * bytes);
		return 1;
	case BPF_STX:
	case BPF_ST:
		if (BPF_MODE(insn->code) != BPF_MEM)
			return 0;
		bytes = size_bytes(insn->code);
		addr = Z3_mk_bvadd(c, st->r[insn->dst_reg],
				   num(c, (u64)(s64)insn->off, 64));
		r = cls == BPF_STX ? st->r[insn->src_reg] :
				     num(c, (u64)(s64)insn->imm, 64);
		st->mem = store(c, st->mem, addr, low(c, r, 8 * bytes), bytes);
		return 1;
	}
	return 0;
}

int sym_run(Z3_context c, const struct bpf_insn *insns, int n,
	    struct sym_state *st)
{
	struct sym_state *at = calloc(n + 1, sizeof(*at));
	int i, len, t, ret = -1;

	if (!at)
		return -1;
	at[0] = *st;
	for (i = 0; i < n; i += len) {
		const struct bpf_insn *insn = &insns[i];
		unsigned char cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
		struct sym_state cur = at[i];
		Z3_ast cond;

		len = 1;
		if (!cur.reach) {
			if (insn->code == (BPF_LD | BPF_IMM | BPF_DW))
				len = 2;
			continue;
		}
		if (cls == BPF_JMP || cls == BPF_JMP32) {
			if (op == BPF_CALL || op == BPF_EXIT)
				goto out;
			t = i + 1 + (cls == BPF_JMP32 && op == BPF_JA ? insn->imm :
							       insn->off);
			if (t <= i || t > n)
				goto out;
			if (op == BPF_JA) {
				merge(c, &at[t], &cur, NULL);
				continue;
			}
			cond = jump_cond(c, insn, &cur);
			if (!cond)
				goto out;
			merge(c, &at[t], &cur, cond);
			merge(c, &at[i + 1], &cur, Z3_mk_not(c, cond));
			continue;
		}
		len = step(c, insn, n - i, &cur);
		if (!len)
			goto out;
		merge(c, &at[i + len], &cur, NULL);
	}
	if (!at[n].reach)
		goto out;
	*st = at[n];
	ret = 0;
out:
	free(at);
	return ret;
}
