// SPDX-License-Identifier: GPL-2.0
/* Helpers for the EInsn selftests; see eins_lib.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "eins_lib.h"
#include "module_btf.h"

#define NATIVE_PARAM "/sys/module/eins/parameters/native_emit"

static int find_op(const struct btf *btf, const char *name, __u32 *id)
{
	int r = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);

	if (r < 0)
		return -ENOENT;
	*id = r;
	return 0;
}

int eins_ops_get(struct eins_ops *ops)
{
	struct btf *vmlinux, *btf;
	__u32 id;
	int err;

	ops->btf_fd = module_btf_fd("eins", &id);
	if (ops->btf_fd < 0)
		return ops->btf_fd;
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -errno;
	btf = btf__load_from_kernel_by_id_split(id, vmlinux);
	if (!btf) {
		btf__free(vmlinux);
		return -errno;
	}
#define EINS_OP_FIND(name, NAME) \
	find_op(btf, "eins_" #name, &ops->name##_id) ?:
	err = EINS_OPS(EINS_OP_FIND) 0;
	btf__free(btf);
	btf__free(vmlinux);
	return err;
}

void eins_set_native(bool on)
{
	int fd = open(NATIVE_PARAM, O_WRONLY);

	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1) {
		perror(NATIVE_PARAM);
		exit(1);
	}
	close(fd);
}

int eins_keep_caps(__u64 caps)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};
	int i;

	for (i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = caps >> (32 * i);
	return syscall(__NR_capset, &head, data) ? -errno : 0;
}

void eins_emit(struct eins_prog *p, struct bpf_insn insn)
{
	if (p->cnt >= EINS_MAX_INSNS) {
		fprintf(stderr, "test program too long\n");
		exit(1);
	}
	p->insns[p->cnt++] = insn;
}

int eins_site_insns(const struct eins_site *site, struct bpf_insn *insn)
{
	insn[0] = BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL,
			       1, site->btf_id);
	return eins_site_encode(insn, site->variant, site->imm, site->regs,
				site->nr_regs);
}

void eins_emit_site(struct eins_prog *p, const struct eins_site *site)
{
	struct bpf_insn insn[EINS_SITE_MAX_INSNS];
	int i, n = eins_site_insns(site, insn);

	for (i = 0; i < n; i++)
		eins_emit(p, insn[i]);
}

#define REC_OFF(k, field, r) \
	((k) * (int)sizeof(struct eins_rec) + \
	 (int)offsetof(struct eins_rec, field) + 8 * (r))
#define SLOT_PKT	(-8)
#define SLOT_REG(r)	(-16 - 8 * (r))

void eins_build_diff_prog(struct eins_prog *p, const struct eins_site *sites,
			  int nr_sites)
{
	int k, r, exit_jump;

	p->cnt = 0;
	eins_emit(p, BPF_LDX_MEM(BPF_W, BPF_REG_6, BPF_REG_1,
				 offsetof(struct xdp_md, data)));
	eins_emit(p, BPF_LDX_MEM(BPF_W, BPF_REG_7, BPF_REG_1,
				 offsetof(struct xdp_md, data_end)));
	eins_emit(p, BPF_MOV64_REG(BPF_REG_8, BPF_REG_6));
	eins_emit(p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_8,
				   nr_sites * sizeof(struct eins_rec)));
	exit_jump = p->cnt;
	eins_emit(p, BPF_JMP_REG(BPF_JGT, BPF_REG_8, BPF_REG_7, 0));

	for (k = 0; k < nr_sites; k++) {
		eins_emit(p, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_6, SLOT_PKT));
		if (sites[k].mem) {
			eins_emit(p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6,
						 REC_OFF(k, mem_in, 0)));
			eins_emit(p, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1,
						 EINS_SLOT_MEM));
		}
		for (r = 0; r < EINS_NR_REGS; r++)
			if (r != BPF_REG_6)
				eins_emit(p, BPF_LDX_MEM(BPF_DW, r, BPF_REG_6,
							 REC_OFF(k, in, r)));
		eins_emit(p, BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_6,
					 REC_OFF(k, in, BPF_REG_6)));
		if (sites[k].btf_id)	/* no op: the template alone */
			eins_emit_site(p, &sites[k]);
		for (r = 0; r < EINS_NR_REGS; r++)
			if (!(sites[k].clobber & (1u << r)))
				eins_emit(p, BPF_STX_MEM(BPF_DW, BPF_REG_10, r,
							 SLOT_REG(r)));
		eins_emit(p, BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_10, SLOT_PKT));
		for (r = 0; r < EINS_NR_REGS; r++) {
			if (sites[k].clobber & (1u << r))
				continue;
			eins_emit(p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10,
						 SLOT_REG(r)));
			eins_emit(p, BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1,
						 REC_OFF(k, out, r)));
		}
		if (sites[k].mem) {
			eins_emit(p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10,
						 EINS_SLOT_MEM));
			eins_emit(p, BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1,
						 REC_OFF(k, mem_out, 0)));
		}
	}
	p->insns[exit_jump].off = p->cnt - exit_jump - 1;
	eins_emit(p, BPF_MOV64_IMM(BPF_REG_0, 2 /* XDP_PASS */));
	eins_emit(p, BPF_EXIT_INSN());
}

int eins_load_insns_dev(const struct eins_ops *ops, const struct bpf_insn *insns,
			size_t cnt, unsigned int ifindex, char *log,
			size_t log_size)
{
	int fd_array[2] = { 0, ops->btf_fd };
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .fd_array = fd_array,
		    .prog_ifindex = ifindex,
		    .log_buf = log,
		    .log_size = log ? log_size : 0,
		    .log_level = log ? 1 : 0);
	int fd;

	if (log)
		log[0] = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "eins_test", "GPL", insns, cnt,
			   &opts);
	return fd < 0 ? -errno : fd;
}

int eins_load_insns(const struct eins_ops *ops, const struct bpf_insn *insns,
		    size_t cnt, char *log, size_t log_size)
{
	return eins_load_insns_dev(ops, insns, cnt, 0, log, log_size);
}

static int load_xdp(const struct eins_ops *ops, const struct eins_prog *p,
		    char *log, size_t log_size)
{
	return eins_load_insns(ops, p->insns, p->cnt, log, log_size);
}

int eins_load(const struct eins_ops *ops, const struct eins_prog *p,
	      char *log, size_t log_size)
{
	int fd;

	/* a full verifier log would not fit: ask for it only to say why */
	if (log)
		log[0] = 0;
	fd = load_xdp(ops, p, NULL, 0);
	if (fd < 0 && log)
		load_xdp(ops, p, log, log_size);
	return fd;
}

int eins_run_retval(int prog_fd, __u32 *retval)
{
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = pkt,
		    .data_size_in = sizeof(pkt),
		    .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

int eins_run_recs(int prog_fd, struct eins_rec *recs, int nr)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = recs,
		    .data_size_in = nr * sizeof(*recs),
		    .data_out = recs,
		    .data_size_out = nr * sizeof(*recs),
		    .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	return opts.retval == 2 ? 0 : -EINVAL;
}

int eins_jited(int prog_fd, unsigned char *buf, size_t size)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	info.jited_prog_insns = (unsigned long)buf;
	info.jited_prog_len = size;
	if (bpf_prog_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	return info.jited_prog_len > size ? -E2BIG : (int)info.jited_prog_len;
}

/* Length of the ModRM byte and what follows it (SIB, displacement). */
static int modrm_len(const unsigned char *p)
{
	int mod = p[0] >> 6, rm = p[0] & 7, len = 1;

	if (mod != 3 && rm == 4)
		len++;				/* SIB */
	if (mod == 1)
		len += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		len += 4;
	else if (mod == 0 && rm == 4 && (p[1] & 7) == 5)
		len += 4;			/* SIB with no base */
	return len;
}

/*
 * Decode the x86-64 insn at @p well enough for the JIT's output: fill
 * @insn and return its length, or -1 for bytes this decoder does not know.
 */
int x86_decode(const unsigned char *p, int avail, struct x86_insn *insn)
{
	const unsigned char *start = p;
	bool rexw = false, has_imm8 = false, has_imm32 = false;
	unsigned char op;

	memset(insn, 0, sizeof(*insn));
	while (p - start < avail && (*p == 0x66 || *p == 0xf2 || *p == 0xf3))
		p++;
	if (p - start < avail && (*p & 0xf0) == 0x40)
		rexw = *p++ & 8;
	if (p - start >= avail)
		return -1;
	op = *p++;
	insn->op = op;

	if (op == 0xc4 || op == 0xc5) {		/* VEX */
		int map = op == 0xc4 ? p[0] & 0x1f : 1;

		insn->vex_map = map;
		insn->vex_pp = p[op == 0xc4 ? 1 : 0] & 3;
		p += op == 0xc4 ? 2 : 1;
		insn->op = *p++;
		insn->modrm = *p;
		p += modrm_len(p);
		if (map == 3)
			p++;
		return p - start;
	}
	if (op == 0x0f) {
		insn->op2 = *p++;
		insn->two_byte = true;
		if (insn->op2 == 0x38) {		/* 0F 38 xx /r (MOVBE) */
			insn->op3 = *p++;
			insn->modrm = *p;
			p += modrm_len(p);
		} else if ((insn->op2 & 0xf0) == 0x80) {
			p += 4;
		} else if ((insn->op2 & 0xf8) == 0xc8) {
			/* bswap */
		} else if ((insn->op2 & 0xf0) == 0x40 || insn->op2 == 0x1e ||
			   insn->op2 == 0x1f || insn->op2 == 0xaf ||
			   insn->op2 == 0xae || insn->op2 == 0xb6 ||
			   insn->op2 == 0xb7 || insn->op2 == 0xbe ||
			   insn->op2 == 0xbf || insn->op2 == 0xbc ||
			   insn->op2 == 0xbd || insn->op2 == 0xb8) {
			insn->modrm = *p;
			p += modrm_len(p);
		} else {
			return -1;
		}
		return p - start;
	}

	switch (op) {
	case 0x01: case 0x03: case 0x09: case 0x0b: case 0x21: case 0x23:
	case 0x29: case 0x2b: case 0x31: case 0x33: case 0x39: case 0x3b:
	case 0x63: case 0x85: case 0x87: case 0x88: case 0x89: case 0x8a:
	case 0x8b: case 0x8d: case 0xd1: case 0xd3:
		break;
	case 0x80: case 0x83: case 0xc0: case 0xc1: case 0xc6:
		has_imm8 = true;
		break;
	case 0x81: case 0xc7: case 0x69:
		has_imm32 = true;
		break;
	case 0xf6: case 0xf7:
		has_imm8 = op == 0xf6 && ((p[0] >> 3) & 7) < 2;
		has_imm32 = op == 0xf7 && ((p[0] >> 3) & 7) < 2;
		break;
	case 0x04: case 0x0c: case 0x24: case 0x2c: case 0x34: case 0x3c:
	case 0xa8:
		return p + 1 - start;		/* op al, imm8 */
	case 0x05: case 0x0d: case 0x25: case 0x2d: case 0x35: case 0x3d:
	case 0xa9:
		return p + 4 - start;		/* op eax, imm32 */
	case 0x50 ... 0x5f: case 0x90: case 0x98: case 0x99: case 0xc3:
	case 0xc9: case 0xcc:
		return p - start;
	case 0x70 ... 0x7f: case 0xeb:
		return p + 1 - start;
	case 0xe8: case 0xe9:
		return p + 4 - start;
	case 0xb8 ... 0xbf:
		return p + (rexw ? 8 : 4) - start;
	default:
		return -1;
	}
	insn->has_modrm = true;
	insn->modrm = *p;
	p += modrm_len(p);
	return p + (has_imm8 ? 1 : 0) + (has_imm32 ? 4 : 0) - start;
}

static int reg_digit(const struct x86_insn *insn)
{
	return (insn->modrm >> 3) & 7;
}

/* Walk @img insn by insn; -1 if it holds bytes the decoder does not know. */
int x86_count(const unsigned char *img, int len, x86_match_fn match)
{
	struct x86_insn insn;
	int off = 0, n, cnt = 0;

	while (off < len) {
		n = x86_decode(img + off, len - off, &insn);
		if (n <= 0) {
			fprintf(stderr, "# x86 decode: unknown byte %02x at %d\n",
				img[off], off);
			return -1;
		}
		cnt += match(&insn);
		off += n;
	}
	return cnt;
}

static bool x86_is_grp2(const struct x86_insn *insn)
{
	return !insn->two_byte && !insn->vex_map &&
	       (insn->op == 0xc1 || insn->op == 0xd1 || insn->op == 0xd3);
}

bool x86_is_rotate(const struct x86_insn *insn)
{
	/* ROL/ROR (C1/D1/D3 /0, /1) or RORX (VEX 0F3A F0) */
	if (insn->vex_map)
		return insn->vex_map == 3 && insn->op == 0xf0;
	return x86_is_grp2(insn) && reg_digit(insn) < 2;
}

bool x86_is_shift(const struct x86_insn *insn)
{
	/* SHL/SHR/SAR (C1/D1/D3 /4, /5, /7), SHLX/SHRX/SARX (VEX 0F38 F7
	 * with a 66/F2/F3 prefix; with none it is BEXTR)
	 */
	if (insn->vex_map)
		return insn->vex_map == 2 && insn->op == 0xf7 && insn->vex_pp;
	return x86_is_grp2(insn) &&
	       (reg_digit(insn) == 4 || reg_digit(insn) == 5 ||
		reg_digit(insn) == 7);
}

bool x86_is_cmov(const struct x86_insn *insn)
{
	return insn->two_byte && (insn->op2 & 0xf0) == 0x40;
}

bool x86_is_jcc(const struct x86_insn *insn)
{
	return (!insn->two_byte && !insn->vex_map &&
		(insn->op & 0xf0) == 0x70) ||
	       (insn->two_byte && (insn->op2 & 0xf0) == 0x80);
}

bool x86_is_bextr(const struct x86_insn *insn)
{
	return insn->vex_map == 2 && insn->op == 0xf7 && insn->vex_pp == 0;
}

bool x86_is_movbe(const struct x86_insn *insn)
{
	return insn->two_byte && insn->op2 == 0x38 &&
	       (insn->op3 == 0xf0 || insn->op3 == 0xf1);
}

bool x86_is_bswap(const struct x86_insn *insn)
{
	/* BSWAP, or ROL/ROR r16, 8 as the JIT swaps 16 bits */
	return (insn->two_byte && (insn->op2 & 0xf8) == 0xc8) ||
	       (insn->op == 0xc1 && ((insn->modrm >> 3) & 7) < 2);
}

bool x86_is_bitcount(const struct x86_insn *insn)
{
	return insn->two_byte && (insn->op2 == 0xb8 || insn->op2 == 0xbc ||
				  insn->op2 == 0xbd);
}

bool x86_is_lea(const struct x86_insn *insn)
{
	return !insn->two_byte && !insn->vex_map && insn->op == 0x8d;
}

bool x86_is_mul_wide(const struct x86_insn *insn)
{
	/* MULX, or one-operand MUL/IMUL (F7 /4, /5) */
	if (insn->vex_map)
		return insn->vex_map == 2 && insn->op == 0xf6;
	return !insn->two_byte && insn->op == 0xf7 &&
	       (((insn->modrm >> 3) & 7) == 4 || ((insn->modrm >> 3) & 7) == 5);
}

bool x86_is_add_rr(const struct x86_insn *insn)
{
	return !insn->two_byte && !insn->vex_map && insn->op == 0x01;
}

bool x86_is_imul_rr(const struct x86_insn *insn)
{
	return insn->two_byte && insn->op2 == 0xaf;
}

bool cpu_has(const char *flag)
{
	char line[4096], *tok;
	FILE *f = fopen("/proc/cpuinfo", "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) && strncmp(line, "Features", 8))
			continue;
		for (tok = strtok(line, " \t\n:"); tok && !found;
		     tok = strtok(NULL, " \t\n:"))
			found = !strcmp(tok, flag);
		break;
	}
	if (f)
		fclose(f);
	return found;
}

#ifndef __aarch64__
static x86_match_fn const x86_kinds[] = {
	[JIT_ROTATE] = x86_is_rotate,	[JIT_SHIFT] = x86_is_shift,
	[JIT_SELECT] = x86_is_cmov,	[JIT_BRANCH] = x86_is_jcc,
	[JIT_EXTRACT] = x86_is_bextr,	[JIT_MOVBE] = x86_is_movbe,
	[JIT_BSWAP] = x86_is_bswap,	[JIT_BITCOUNT] = x86_is_bitcount,
	[JIT_SHIFT_ADD] = x86_is_lea,	[JIT_ADD] = x86_is_add_rr,
	[JIT_MUL_HIGH] = x86_is_mul_wide, [JIT_MUL] = x86_is_imul_rr,
};
#endif

/* UBFM as LSL or LSR (not a bit-field extract) */
static bool a64_is_ubfm_shift(__u32 w)
{
	unsigned int immr = (w >> 16) & 0x3f, imms = (w >> 10) & 0x3f;
	unsigned int top = w >> 31 ? 63 : 31;

	return imms == top || imms < immr;
}

static bool a64_is(__u32 w, enum jit_kind kind)
{
	switch (kind) {
	case JIT_ROTATE:
		return (w & 0x7fa00000) == 0x13800000 ||	/* extr */
		       (w & 0x7fe0fc00) == 0x1ac02c00;		/* rorv */
	case JIT_SHIFT:
		return ((w & 0x7f800000) == 0x53000000 && a64_is_ubfm_shift(w)) ||
		       ((w & 0x7f800000) == 0x13000000 &&	/* asr imm */
			((w >> 10) & 0x3f) == (w >> 31 ? 63 : 31)) ||
		       ((w & 0x7fe0f000) == 0x1ac02000 &&	/* lslv..asrv */
			((w >> 10) & 3) != 3);
	case JIT_SELECT:
		return (w & 0x7fe00c00) == 0x1a800000;
	case JIT_BRANCH:
		return (w & 0xff000010) == 0x54000000;
	case JIT_EXTRACT:
		return (w & 0x7f800000) == 0x53000000 && !a64_is_ubfm_shift(w);
	case JIT_MOVBE:
		return false;
	case JIT_BSWAP:
		return (w & 0x7ffff000) == 0x5ac00000 &&
		       ((w >> 10) & 3) != 0;			/* rev16/rev32/rev */
	case JIT_BITCOUNT:
		return (w & 0x7ffffc00) == 0x5ac01000 ||	/* clz */
		       (w & 0x7ffffc00) == 0x5ac01c00;		/* cnt */
	case JIT_SHIFT_ADD:
		return (w & 0x7f200000) == 0x0b000000 && ((w >> 10) & 0x3f);
	case JIT_ADD:
		return (w & 0x7f20fc00) == 0x0b000000;
	case JIT_MUL_HIGH:
		return (w & 0xffe0fc00) == 0x9bc07c00 ||
		       (w & 0xffe0fc00) == 0x9b407c00;
	case JIT_MUL:
		return (w & 0x7fe08000) == 0x1b000000;
	}
	return false;
}

int jit_count(const unsigned char *img, int len, enum jit_kind kind)
{
#ifdef __aarch64__
	int i, cnt = 0;
	__u32 w;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&w, img + i, 4);
		cnt += a64_is(w, kind);
	}
	return cnt;
#else
	(void)a64_is;	/* compiled on both, so both stay building */
	return x86_count(img, len, x86_kinds[kind]);
#endif
}

void eins_hexdump(const char *what, const unsigned char *img, int len)
{
	int i;

	fprintf(stderr, "# %s (%d bytes):", what, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n# ", img[i]);
	fprintf(stderr, "\n");
}

static __u64 rng_state = 0x9e3779b97f4a7c15ull;

void eins_srand(__u64 seed)
{
	rng_state = seed ? seed : 1;
}

__u64 eins_rand(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

__u64 eins_rand_edge(void)
{
	static const __u64 edges[] = {
		0, 1, 2, ~0ull, 1ull << 63, (1ull << 63) - 1, 1ull << 31,
		(1ull << 31) - 1, 0xffffffffull, 0x100000000ull, 31, 32, 63,
		64, 65, 0xffffffff80000000ull, 0x8000000080000000ull,
	};
	__u64 r = eins_rand();

	switch (r % 4) {
	case 0:
		return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return (r >> 8) & 0xff;	/* small values, shift counts */
	default:
		return eins_rand();
	}
}
