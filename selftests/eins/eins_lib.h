/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the EInsn selftests: resolve ops in eins.ko's BTF, build
 * kinsn sites and test programs from raw insns, load and run them, read
 * back the JIT image.
 */
#ifndef EINS_LIB_H
#define EINS_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include "eins_abi.h"
#include "eins_ops.h"
#include "eins_site.h"

#define EINS_NR_REGS	10		/* r0-r9 are test-visible */
#define EINS_MAX_INSNS	4096

/* Ops by BTF id plus the module BTF fd that goes into fd_array[1]. */
#define EINS_OP_ID_FIELD(name, NAME)	__u32 name##_id;
struct eins_ops {
	int btf_fd;
	EINS_OPS(EINS_OP_ID_FIELD)	/* rotate_id, select_id, ... */
};

/* A site to build: op, payload and operand registers. */
struct eins_site {
	__u32 btf_id;
	__u16 variant;
	__s32 imm;
	__u8 nr_regs;
	__u8 regs[EINS_SITE_MAX_REGS];
	__u16 clobber;		/* registers the op may clobber */
	bool mem;		/* accesses the record's memory word, kept
				 * at r10 + EINS_SLOT_MEM while it runs */
};

/* The 8-byte stack slot a memory site works on: r10 + EINS_SLOT_MEM */
#define EINS_SLOT_MEM		(-104)

struct eins_prog {
	struct bpf_insn insns[EINS_MAX_INSNS];
	int cnt;
};

/* The record the differential programs work on: r0-r9 before and after. */
struct eins_rec {
	__u64 in[EINS_NR_REGS];
	__u64 out[EINS_NR_REGS];
	__u64 mem_in, mem_out;
};

#define EINS_RECS_PER_RUN	18	/* fits an XDP test_run packet */

int eins_ops_get(struct eins_ops *ops);
void eins_set_native(bool on);
/* Keep only the capabilities in the mask @caps (1 << CAP_*), this process. */
int eins_keep_caps(__u64 caps);

/* EINS_SITE_MAX_INSNS, the longest site: eins_site.h */

/* Write the insns of @site to @insn; returns how many. */
int eins_site_insns(const struct eins_site *site, struct bpf_insn *insn);
void eins_emit(struct eins_prog *p, struct bpf_insn insn);
void eins_emit_site(struct eins_prog *p, const struct eins_site *site);
/* An XDP program running site[i] on record i of the packet, with every
 * register loaded from rec.in and every non-clobbered one stored to rec.out.
 */
void eins_build_diff_prog(struct eins_prog *p, const struct eins_site *sites,
			  int nr_sites);

/* Load @cnt insns as XDP, with fd_array[1] the module BTF; -errno on
 * failure, with the verifier log in @log if it is not NULL.
 */
int eins_load_insns(const struct eins_ops *ops, const struct bpf_insn *insns,
		    size_t cnt, char *log, size_t log_size);
/* The same, offloaded to the device @ifindex (0: not offloaded). */
int eins_load_insns_dev(const struct eins_ops *ops, const struct bpf_insn *insns,
			size_t cnt, unsigned int ifindex, char *log,
			size_t log_size);
/* Load as XDP; on failure returns -errno and leaves the log in @log. */
int eins_load(const struct eins_ops *ops, const struct eins_prog *p,
	      char *log, size_t log_size);
int eins_run_recs(int prog_fd, struct eins_rec *recs, int nr);
/* Run once on a zeroed 64-byte packet; the program's return value. */
int eins_run_retval(int prog_fd, __u32 *retval);
/* Copy the jited image into @buf; returns its length or -errno. */
int eins_jited(int prog_fd, unsigned char *buf, size_t size);

/* Just enough of an x86-64 decoder to find insns in a jited image. */
struct x86_insn {
	unsigned char op, op2, op3, modrm, vex_map, vex_pp;
	bool two_byte, has_modrm;
};
typedef bool (*x86_match_fn)(const struct x86_insn *insn);

int x86_decode(const unsigned char *p, int avail, struct x86_insn *insn);
/* Number of insns in @img that @match; -1 if @img does not decode. */
int x86_count(const unsigned char *img, int len, x86_match_fn match);
bool x86_is_rotate(const struct x86_insn *insn);
bool x86_is_shift(const struct x86_insn *insn);
bool x86_is_cmov(const struct x86_insn *insn);
bool x86_is_jcc(const struct x86_insn *insn);
bool x86_is_bextr(const struct x86_insn *insn);
bool x86_is_movbe(const struct x86_insn *insn);
bool x86_is_bswap(const struct x86_insn *insn);
bool x86_is_bitcount(const struct x86_insn *insn);
bool x86_is_lea(const struct x86_insn *insn);
bool x86_is_mul_wide(const struct x86_insn *insn);
bool x86_is_imul_rr(const struct x86_insn *insn);
bool x86_is_add_rr(const struct x86_insn *insn);
/* What an insn of a jited image does, across the JITs. */
enum jit_kind {
	JIT_ROTATE,	/* ROL/ROR/RORX;	EXTR (ror), RORV */
	JIT_SHIFT,	/* SHL/SHR/SAR(X);	LSL/LSR/ASR (imm and reg) */
	JIT_SELECT,	/* CMOVcc;		CSEL */
	JIT_BRANCH,	/* Jcc;			B.cond */
	JIT_EXTRACT,	/* BEXTR;		UBFX that is no LSR */
	JIT_MOVBE,	/* MOVBE;		(none) */
	JIT_BSWAP,	/* BSWAP, ROL r16 8;	REV, REV16 */
	JIT_BITCOUNT,	/* POPCNT/LZCNT/TZCNT;	CLZ, CNT */
	JIT_SHIFT_ADD,	/* LEA;			ADD with a shifted register */
	JIT_ADD,	/* ADD r, r;		ADD r, r (no shift) */
	JIT_MUL_HIGH,	/* MULX, MUL/IMUL r/m;	UMULH, SMULH */
	JIT_MUL,	/* IMUL r, r;		MUL (MADD) */
};

/* How many insns of @kind the image holds; -1 if it does not decode. */
int jit_count(const unsigned char *img, int len, enum jit_kind kind);

/* "flag" is in /proc/cpuinfo's flags (x86) or Features (arm64) */
bool cpu_has(const char *flag);
void eins_hexdump(const char *what, const unsigned char *img, int len);

__u64 eins_rand(void);
void eins_srand(__u64 seed);
/* A random value biased toward edge cases (0, 1, ~0, sign bits...). */
__u64 eins_rand_edge(void);

#endif
