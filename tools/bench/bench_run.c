// SPDX-License-Identifier: GPL-2.0
/*
 * bench_run (host): read what bench printed in the VM, map every jited
 * image executable and run it natively on this CPU next to the same C
 * compiled natively, after checking that all of them compute what the
 * VM computed.
 *
 *	bench_run -k VMLINUX VM_LOG [CSV]	x86-64 images: check, time, tables
 *	bench_run -k VMLINUX --check VM_LOG	check only, no timing
 *	bench_run --sizes VM_LOG [CSV]		another arch's images: sizes only
 *
 * VMLINUX: the kernel the VM ran, whose bpf_iter_num_* kfuncs (bpf_for)
 * the loop programs' images call: their code is copied from it next to
 * each image, and the calls pointed at the copies.
 *
 * Variants: the stock JIT on plain C; EInsn (eins.h builtins); eins-opt
 * (the plain C's object rewritten); whole-program (the plain C's object
 * loaded with np_bench.ko switched on: each per-packet program's image
 * calls the module's native code, the same C compiled by kbuild, linked
 * in here from the module's objects, see np_host.c); native C at -O2 for
 * baseline x86-64 and at -O2 -march=native, and kernel-legal native C:
 * clang -O2 with the kernel's code generation flags (no SSE, kernel code
 * model, stack init) and POPCNT/BMI, the limit for code in the kernel
 * (bench_native.c, three builds).
 *
 * Method: RUNS full runs; a run times every workload once in every
 * variant (the order rotated per run), each a batch of about BATCH_NS.
 * The kernel places a jited image at a random offset; so does this, in
 * a way: run r runs the images' copy r % LAYOUTS, mapped that many
 * LAYOUT_STEPs into its page, so that the spread includes where the
 * code falls relative to cache lines (native code stays where the
 * linker put it).
 * A row is the median over the runs; a speedup is the median of the
 * per-run ratios with its 95% confidence interval (order statistics),
 * and a row whose interval contains 1.00x is marked as no measurable
 * difference.  The process is pinned to one CPU; the other CPUs' load
 * during the runs is measured from /proc/stat and a busy machine marks
 * the table.
 *
 * Images are self-contained: the bench kernel has no return thunks, the
 * verifier inlines the array-map lookups, and the 64-bit immediates that
 * hold kernel addresses of maps are pointed at host copies of them, one
 * set per variant; calls to bpf_for's kfuncs go to copies of the
 * kernel's own code for them.  An image is called as image(ctx), ctx laid out like
 * struct xdp_buff: data, data_end.  A whole-program image's jump to the
 * module (NPJMP) becomes a jump to the linked-in copy, whose maps are
 * host copies laid out like the kernel's struct bpf_array.
 */
#define _GNU_SOURCE
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include "workloads.h"
#include "bench_native.h"
#include "native_image.h"
#include "np_host.h"

#define RUNS		31
#define BATCH_NS	2e6
#define NB		4	/* BPF builds: stock, eins, opt, whole-program */
#define NV		7	/* and native -O2, -march=native, kernel-legal */
#define NK		(NB + 2)	/* the kernel-legal native build */

/* the native variants, in that order */
static const struct native_set *const native_sets[NV - NB] = {
	&native_base, &native_march, &native_kernel,
};
#define NSIZED		3	/* builds whose image is their code */
#define WP		3	/* the whole-program build */
#define MAX_REFS	16
#define CHECK_RINGS	4	/* more rings every variant must agree on */
#define CHECK_INPUTS	256	/* more micro inputs */
#define BUSY_CPUS	0.25	/* other load that marks the table */
#define LAYOUTS		8	/* image copies, LAYOUT_STEP bytes apart */
#define LAYOUT_STEP	8

static const char *const vnames[NB] = { "stock", "eins", "opt", "wp" };

/* a map an image addresses: a host copy per variant */
struct mbuf {
	unsigned int id, len;
	int hdr;		/* struct bpf_array header before the data */
	unsigned char *base, *init;
};

struct variant {
	native_image_fn fn;
	native_image_fn at[LAYOUTS];	/* copies at other offsets */
	unsigned int bytes, bpf, verified, funcs, helpers;
	bu64 result;
	bool seen;
	unsigned char *code;
	unsigned int nrefs, nbufs, nconsts;
	bu64 consts[64];		/* its constants in the kernel half */
	unsigned char *ref[MAX_REFS];	/* what each immediate points at */
	struct mbuf buf[MAX_REFS];
	double load[3];			/* verifier + JIT us: median, min, max */
	double tcg_ns;
	unsigned int map_len;		/* what is mapped: image and kfuncs */
	unsigned int nkcalls;		/* its calls to kfuncs: offset, which */
	unsigned int kcall_off[MAX_REFS], kcall_fn[MAX_REFS];
	int npjmp;			/* whole-program: offset of the jump */
	unsigned int nnp;		/* and the maps handed to the code */
	unsigned char *npmap[MAX_REFS];
};

struct workload {
	const char *name;
	bool packet, loop;
	native_image_fn native[NV - NB];
	struct variant v[NB];
	double load_without[3];		/* stock build, eins.ko not loaded */
	const char *not_runnable;
	double ns[NV][RUNS];
	double med[NV];
	bool timed;
};

#define MICRO(n)	{ .name = #n },
#define PACKET(n)	{ .name = #n, .packet = true },
#define LOOP(n)		{ .name = #n, .packet = true, .loop = true },
static struct workload wls[] = {
	BENCH_MICROS(MICRO) BENCH_HEADER_PROGS(PACKET) BENCH_LOOP_PROGS(LOOP)
};
#define NR_WLS	(int)(sizeof(wls) / sizeof(wls[0]))

static bu64 micro_buf[BENCH_WORDS];
static struct bench_pkt ring[PKT_RING];
static void *ring_ctx[PKT_RING][8];

static struct workload *find(const char *name)
{
	int i;

	for (i = 0; i < NR_WLS; i++)
		if (!strcmp(wls[i].name, name))
			return &wls[i];
	return NULL;
}

static int variant_idx(const char *s)
{
	int i;

	for (i = 0; i < NB; i++)
		if (!strcmp(s, vnames[i]))
			return i;
	return -1;
}

static int die(const char *what, const char *name)
{
	fprintf(stderr, "bench_run: %s%s%s\n", name ? name : "",
		name ? ": " : "", what);
	return -1;
}

/* the host copy of map @id for @v, made on its first reference */
static struct mbuf *map_buf(struct variant *v, unsigned int id, int hdr,
			    unsigned int len)
{
	struct mbuf *b;
	unsigned int i;

	for (i = 0; i < v->nbufs; i++)
		if (v->buf[i].id == id)
			return v->buf[i].hdr == hdr && v->buf[i].len == len ?
			       &v->buf[i] : NULL;
	if (v->nbufs == MAX_REFS)
		return NULL;
	b = &v->buf[v->nbufs++];
	b->id = id;
	b->hdr = hdr;
	b->len = len;
	b->base = calloc(1, hdr + len);
	b->init = calloc(1, len);
	return b->base && b->init ? b : NULL;
}

static void reset_maps(struct variant *v)
{
	unsigned int i;

	for (i = 0; i < v->nbufs; i++)
		memcpy(v->buf[i].base + v->buf[i].hdr, v->buf[i].init,
		       v->buf[i].len);
}

/*
 * Point the image's 64-bit immediates that hold kernel addresses (movabs
 * with a kernel-half value that is not one of the program's constants,
 * in program order) at the host copies.  Their number must match the
 * program's map references.
 */
static bool is_const(const struct variant *v, bu64 imm)
{
	unsigned int i;

	for (i = 0; i < v->nconsts; i++)
		if (v->consts[i] == imm)
			return true;
	return false;
}

static int relocate(struct variant *v)
{
	unsigned int i, n = 0;
	bu64 imm;

	for (i = 0; i + 10 <= v->bytes; i++) {
		if ((v->code[i] & 0xfe) != 0x48 || (v->code[i + 1] & 0xf8) != 0xb8)
			continue;
		memcpy(&imm, v->code + i + 2, 8);
		/* kernel half, 4 or 5 levels, and not a constant of the program */
		if (imm < 0xff00000000000000ULL || is_const(v, imm))
			continue;
		if (n == v->nrefs)
			return -1;
		imm = (bu64)(unsigned long)v->ref[n++];
		memcpy(v->code + i + 2, &imm, 8);
		i += 9;
	}
	return n == v->nrefs ? 0 : -1;
}

/*
 * The host copy of map @id for the whole-program build: @max_entries
 * values of @value_size at the kernel's stride, behind a header laid out
 * like struct bpf_array's, as the native code reads it.
 */
static struct mbuf *np_map_buf(struct variant *v, unsigned int id,
			       unsigned int value_size, unsigned int max_entries)
{
	unsigned int stride = (value_size + 7) & ~7u, mask = 0;
	struct mbuf *b = map_buf(v, id, np_array_layout[3], stride * max_entries);

	while (mask < max_entries - 1)
		mask = mask << 1 | 1;
	if (b) {
		memcpy(b->base + np_array_layout[0], &max_entries, 4);
		memcpy(b->base + np_array_layout[1], &stride, 4);
		memcpy(b->base + np_array_layout[2], &mask, 4);
	}
	return b;
}

/*
 * A whole-program image: its entry's jump to the module's code (jmp
 * rel32) becomes movabs r11, <the linked-in copy>; jmp r11.  What
 * follows it, where tail calls land, is dropped.
 */
static int np_link(struct workload *wl, struct variant *v)
{
	static const unsigned char jmp_r11[3] = { 0x41, 0xff, 0xe3 };
	char name[80];
	struct np_host_prog *np;
	unsigned char *code;
	unsigned long fn;
	unsigned int i;

	snprintf(name, sizeof(name), "pkt_%s", wl->name);
	np = np_host_prog(name);
	/* the verifier's maps come first; libbpf binds .rodata to every program after */
	if (!np || np->map_cnt > v->nnp || v->npjmp + 5 > (int)v->bytes ||
	    v->code[v->npjmp] != 0xe9)
		return -1;
	for (i = 0; i < np->map_cnt; i++)
		np->maps[i] = v->npmap[i];
	code = malloc(v->npjmp + 13);
	if (!code)
		return -1;
	fn = (unsigned long)np->func;
	memcpy(code, v->code, v->npjmp);
	code[v->npjmp] = 0x49;		/* movabs r11, imm64 */
	code[v->npjmp + 1] = 0xbb;
	memcpy(code + v->npjmp + 2, &fn, 8);
	memcpy(code + v->npjmp + 10, jmp_r11, 3);
	free(v->code);
	v->code = code;
	v->bytes = v->npjmp + 13;
	v->map_len = v->bytes;
	return 0;
}

/*
 * The kfuncs images may call, bpf_for's: their kernel address (KFUNC
 * lines of the VM log) and code (from VMLINUX, the kernel the VM ran:
 * leaf functions that touch only the iterator state the image passes).
 */
static struct kfunc {
	const char *name;
	unsigned long long addr;	/* in the VM */
	unsigned long long vaddr;	/* in VMLINUX: the same, no KASLR */
	unsigned char *code;		/* from VMLINUX */
	unsigned int len;
#define KFUNC_ENT(f)	{ .name = #f },
} kfuncs[] = { NATIVE_IMAGE_KFUNCS(KFUNC_ENT) };
#define NR_KFUNCS	(int)(sizeof(kfuncs) / sizeof(kfuncs[0]))

static int kfunc_idx(const char *name)
{
	int i;

	for (i = 0; i < NR_KFUNCS; i++)
		if (!strcmp(kfuncs[i].name, name))
			return i;
	return -1;
}

/*
 * ftrace's call at a function's entry, which the kernel turns into a
 * 5-byte nop at boot (ftrace_init()): the same here
 */
static void ftrace_nop(struct kfunc *kf, unsigned long long fentry)
{
	static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	unsigned int i;
	int rel;

	for (i = 0; i + 5 <= kf->len; i++) {
		if (kf->code[i] != 0xe8)
			continue;
		memcpy(&rel, kf->code + i + 1, 4);
		if (kf->vaddr + i + 5 + rel == fentry)
			memcpy(kf->code + i, nop5, 5);
	}
}

/* each kfunc's code from the vmlinux ELF file at @path, at its address */
static int read_vmlinux(const char *path)
{
	unsigned long long fentry = 0;
	size_t i, n, shnum;
	Elf_Scn *scn = NULL, *sec;
	GElf_Shdr sh, ts;
	GElf_Sym sym;
	Elf_Data *d, *td;
	const char *name;
	int fd = open(path, O_RDONLY), k;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrnum(elf, &shnum))
		return die("not an ELF file", path);
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			if (!gelf_getsym(d, i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (name && !strcmp(name, "__fentry__"))
				fentry = sym.st_value;
			k = name ? kfunc_idx(name) : -1;
			if (k < 0 || kfuncs[k].code || !sym.st_size ||
			    sym.st_shndx >= shnum)
				continue;
			sec = elf_getscn(elf, sym.st_shndx);
			td = sec ? elf_getdata(sec, NULL) : NULL;
			if (!td || !gelf_getshdr(sec, &ts) || sym.st_value < ts.sh_addr ||
			    sym.st_value - ts.sh_addr + sym.st_size > td->d_size)
				return die("bad symbol", name);
			kfuncs[k].vaddr = sym.st_value;
			kfuncs[k].len = sym.st_size;
			kfuncs[k].code = malloc(sym.st_size);
			if (!kfuncs[k].code)
				return die("out of memory", name);
			memcpy(kfuncs[k].code, (char *)td->d_buf + sym.st_value - ts.sh_addr,
			       sym.st_size);
		}
	}
	elf_end(elf);
	close(fd);
	for (k = 0; k < NR_KFUNCS; k++)
		if (kfuncs[k].code && fentry)
			ftrace_nop(&kfuncs[k], fentry);
	return 0;
}

/*
 * An image that calls kfuncs: the kfuncs' code copied after it (16-byte
 * aligned, as the kernel aligns functions), each call (e8 rel32) pointed
 * at its copy.  Image and copies are mapped as one.
 */
static int kfunc_link(struct variant *v)
{
	unsigned int i, at[NR_KFUNCS] = { 0 }, len = v->map_len;
	unsigned char *code;
	int k, rel;

	for (i = 0; i < v->nkcalls; i++) {
		k = v->kcall_fn[i];
		if (at[k])
			continue;
		if (!kfuncs[k].code || kfuncs[k].addr != kfuncs[k].vaddr) {
			fprintf(stderr, "bench_run: %s: %s\n", kfuncs[k].name,
				kfuncs[k].code ? "at another address in the VM: VMLINUX is not the kernel it ran" :
						 "no code: give the kernel the VM ran as -k VMLINUX");
			return -1;
		}
		at[k] = (len + 15) & ~15u;
		len = at[k] + kfuncs[k].len;
	}
	code = calloc(1, len);
	if (!code)
		return -1;
	memcpy(code, v->code, v->map_len);
	for (k = 0; k < NR_KFUNCS; k++)
		if (at[k])
			memcpy(code + at[k], kfuncs[k].code, kfuncs[k].len);
	for (i = 0; i < v->nkcalls; i++) {
		if (v->kcall_off[i] + 5 > v->map_len || code[v->kcall_off[i]] != 0xe8) {
			free(code);
			return -1;
		}
		rel = at[v->kcall_fn[i]] - (v->kcall_off[i] + 5);
		memcpy(code + v->kcall_off[i] + 1, &rel, 4);
	}
	free(v->code);
	v->code = code;
	v->map_len = len;
	return 0;
}

/* a line "bench: VARIANT NAME bpf .. result X" */
static void read_result(const char *p)
{
	unsigned int bpf, ver, bytes, funcs, helpers;
	char vname[32], name[64];
	unsigned long long r;
	struct workload *wl;
	struct variant *v;
	int vi;

	if (sscanf(p, "bench: %31s %63s bpf %u verified %u bytes %u funcs %u helpers %u result %llx",
		   vname, name, &bpf, &ver, &bytes, &funcs, &helpers, &r) != 8)
		return;
	wl = find(name);
	vi = variant_idx(vname);
	if (!wl || vi < 0)
		return;
	v = &wl->v[vi];
	v->bpf = bpf;
	v->verified = ver;
	v->bytes = bytes;
	v->funcs = funcs;
	v->helpers = helpers;
	v->result = r;
	v->seen = true;
	/* calls into other jited code cannot run here */
	if (funcs > 1)
		wl->not_runnable = "calls a BPF subprogram";
	else if (helpers)
		wl->not_runnable = "calls a helper";
}

static int read_log(const char *path, bool run)
{
	static unsigned char code[1 << 16];
	char line[4096], vname[32], name[64], kind[8], *p;
	unsigned long long imm;
	unsigned int len = 0, n = 0, b, id, size;
	double us[3];
	struct variant *last = NULL, *cur = NULL;
	unsigned char *data = NULL;
	struct workload *wl;
	int off, hdr, vi, i, k;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if ((p = strstr(line, "bench: load ")) &&
		    sscanf(p, "bench: load %31s %63s %lf %lf %lf us", vname,
			   name, &us[0], &us[1], &us[2]) == 5) {
			wl = find(name);
			vi = variant_idx(vname);
			if (wl && vi >= 0)
				memcpy(wl->v[vi].load, us, sizeof(us));
			else if (wl && !strcmp(vname, "stock-without-eins"))
				memcpy(wl->load_without, us, sizeof(us));
		} else if ((p = strstr(line, "bench: tcg ")) &&
			   sscanf(p, "bench: tcg %31s %63s %lf ns", vname, name,
				  &us[0]) == 3) {
			wl = find(name);
			vi = variant_idx(vname);
			if (wl && vi >= 0)
				wl->v[vi].tcg_ns = us[0];
		} else if ((p = strstr(line, "bench: "))) {
			read_result(p);
		} else if (sscanf(line, "IMAGE %31[^:]:%63s %u", vname, name, &len) == 3) {
			wl = find(name);
			vi = variant_idx(vname);
			cur = wl && vi >= 0 && len <= sizeof(code) ? &wl->v[vi] : NULL;
			if (cur)
				cur->npjmp = -1;
			n = 0;
		} else if (sscanf(line, "MAPREF %u %7s %d %d %u", &id, kind,
				  &off, &hdr, &size) == 5) {
			/* a map the last image addresses */
			struct mbuf *mb = last && last->nrefs < MAX_REFS &&
					  off >= 0 && (unsigned int)off < size ?
					  map_buf(last, id, hdr, size) : NULL;

			if (!mb)
				return die("bad MAPREF", path);
			last->ref[last->nrefs++] = mb->base +
				(strcmp(kind, "map") ? mb->hdr + off : 0);
			data = mb->init;
			len = size;
			n = 0;
		} else if (sscanf(line, "KFUNC %63s %llx", name, &imm) == 2) {
			k = kfunc_idx(name);
			if (k < 0 || (kfuncs[k].addr && kfuncs[k].addr != imm))
				return die("bad KFUNC", path);
			kfuncs[k].addr = imm;
		} else if (sscanf(line, "KCALL %d %63s", &off, name) == 2) {
			k = kfunc_idx(name);
			if (!last || k < 0 || off < 0 || last->nkcalls == MAX_REFS)
				return die("bad KCALL", path);
			last->kcall_off[last->nkcalls] = off;
			last->kcall_fn[last->nkcalls++] = k;
		} else if (sscanf(line, "NPJMP %d", &off) == 1) {
			if (!last)
				return die("bad NPJMP", path);
			last->npjmp = off;
		} else if (sscanf(line, "NPMAP %u %u %u", &id, &size, &b) == 3) {
			struct mbuf *mb = last && last->npjmp >= 0 &&
					  last->nnp < MAX_REFS ?
					  np_map_buf(last, id, size, b) : NULL;

			if (!mb)
				return die("bad NPMAP", path);
			last->npmap[last->nnp++] = mb->base;
			data = mb->init;
			len = mb->len;
			n = 0;
		} else if (sscanf(line, "CONST %llx", &imm) == 1) {
			if (!last || last->nconsts == 64)
				return die("bad CONST", path);
			last->consts[last->nconsts++] = imm;
		} else if (data && !strncmp(line, "MAPDATA ", 8)) {
			for (p = line + 8; n < len && sscanf(p, "%2x", &b) == 1; p += 2)
				data[n++] = b;
		} else if (cur && !strncmp(line, "IMG ", 4)) {
			for (p = line + 4; n < len && sscanf(p, "%2x", &b) == 1; p += 2)
				code[n++] = b;
		} else if (!strncmp(line, "END", 3)) {
			if (cur) {
				cur->code = malloc(len);
				if (n != len || !cur->code)
					return die("bad image", path);
				memcpy(cur->code, code, len);
				cur->bytes = len;
				cur->map_len = len;
				last = cur;
			} else if (data && n != len) {
				return die("short MAPDATA", path);
			}
			cur = NULL;
			data = NULL;
		}
	}
	fclose(f);
	for (i = 0; i < NR_WLS; i++) {
		for (k = 0; k < NB; k++) {
			struct variant *v = &wls[i].v[k];

			/* another arch's sizes: no whole-program build */
			if (k == WP && !run)
				continue;
			if (!v->seen || !v->code)
				return die("missing from the VM log", wls[i].name);
			if (!run || wls[i].not_runnable)
				continue;
			reset_maps(v);
			if (relocate(v))
				return die("cannot relocate image", wls[i].name);
			if (v->npjmp >= 0 && np_link(&wls[i], v))
				return die("cannot link the native code", wls[i].name);
			if (v->nkcalls && kfunc_link(v))
				return die("cannot link the kfuncs", wls[i].name);
			for (n = 0; n < LAYOUTS; n++)
				if (!(v->at[n] = native_map_image_at(v->code, v->map_len,
								     n * LAYOUT_STEP)))
					return die("cannot map image", wls[i].name);
			v->fn = v->at[0];
		}
		for (n = 0; n < NV - NB; n++) {
			for (k = 0; k < BENCH_NR_PROGS; k++)
				if (!strcmp(native_sets[n]->progs[k].name, wls[i].name))
					wls[i].native[n] = native_sets[n]->progs[k].fn;
			if (!wls[i].native[n])
				return die("no native build", wls[i].name);
		}
	}
	return 0;
}

static native_image_fn fn_of(struct workload *wl, int k)
{
	return k < NB ? wl->v[k].fn : wl->native[k - NB];
}

static void reset_variant(struct workload *wl, int k)
{
	if (k < NB)
		reset_maps(&wl->v[k]);
	else
		native_sets[k - NB]->reset();
}

static const char *variant_label(int k)
{
	static const char *const l[NV] = { "stock", "EInsn", "eins-opt",
		"whole-program", "native -O2", "native -march=native",
		"native kernel-legal" };

	return l[k];
}

static void ring_setup(bu64 seed)
{
	int i;

	bench_ring_fill(ring, seed);
	for (i = 0; i < PKT_RING; i++) {
		ring_ctx[i][0] = ring[i].data;
		ring_ctx[i][1] = ring[i].data + ring[i].len;
	}
}

/* variant @k over a fresh ring from @seed: the digest the VM computes */
static bu64 ring_digest(struct workload *wl, int k, bu64 seed)
{
	native_image_fn fn = fn_of(wl, k);
	bu64 h = PKT_DIGEST_INIT;
	int i;

	reset_variant(wl, k);
	ring_setup(seed);
	for (i = 0; i < PKT_RING; i++)
		h = pkt_digest(h, fn(ring_ctx[i]), ring[i].data, ring[i].len);
	return h;
}

static bu64 micro_result(struct workload *wl, int k, bu64 seed)
{
	void *ctx[8] = { micro_buf, micro_buf + BENCH_WORDS };

	if (seed)
		bench_fill_seed(micro_buf, seed);
	else
		bench_fill(micro_buf);
	if (fn_of(wl, k)(ctx) != 2)
		return ~0ULL;
	return micro_buf[0];
}

/*
 * Every variant gives the VM's result (a micro's u64 on the micro
 * input, a program's digest over the ring), and the same results as each
 * other on more inputs.
 */
static int check(struct workload *wl)
{
	bu64 want, got;
	int k, s, n = wl->packet ? CHECK_RINGS : CHECK_INPUTS;

	for (k = 1; k < NB; k++)
		if (wl->v[k].result != wl->v[0].result) {
			printf("bench_run: %s: the VM's %s result %016llx, stock %016llx\n",
			       wl->name, vnames[k], wl->v[k].result, wl->v[0].result);
			return -1;
		}
	for (s = 0; s <= n; s++) {
		bu64 seed = s ? s * 0x9e3779b97f4a7c15ULL : 0;

		for (k = 0; k < NV; k++) {
			if (wl->packet)
				got = ring_digest(wl, k, s ? seed : BENCH_RING_SEED);
			else
				got = micro_result(wl, k, seed);
			if (!k)
				want = s ? got : wl->v[0].result;
			if (got != want) {
				printf("bench_run: %s: %s gives %016llx on input %d, want %016llx\n",
				       wl->name, variant_label(k), got, s, want);
				return -1;
			}
		}
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* the machine's busy CPU-seconds so far */
static double busy_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return 0;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	       sysconf(_SC_CLK_TCK);
}

/* CPUs' worth of load besides this process over @ms */
static double other_load(double ms)
{
	double b0 = busy_s(), c0 = cpu_s(), t0 = now_ns(), load;

	while (now_ns() - t0 < ms * 1e6)
		;		/* stay on the CPU, as during the runs */
	load = (busy_s() - b0 - (cpu_s() - c0)) / ((now_ns() - t0) / 1e9);
	/* two counters of clock ticks: a quiet machine can read just below 0 */
	return load > 0 ? load : 0;
}

/* one batch: ns per call (micro) or per packet */
static double batch(struct workload *wl, int k, int calls)
{
	native_image_fn fn = fn_of(wl, k);
	void *ctx[8] = { micro_buf, micro_buf + BENCH_WORDS };
	double t0 = now_ns();
	int c, i;

	if (!wl->packet) {
		for (c = 0; c < calls; c++)
			fn(ctx);
		return (now_ns() - t0) / calls;
	}
	for (c = 0; c < calls; c++)
		for (i = 0; i < PKT_RING; i++)
			fn(ring_ctx[i]);
	return (now_ns() - t0) / calls / PKT_RING;
}

/* calls per batch: about BATCH_NS of the stock variant */
static int calibrate(struct workload *wl)
{
	int calls = 1;
	double t;

	do {
		calls *= 2;
		t = batch(wl, 0, calls) * calls * (wl->packet ? PKT_RING : 1);
	} while (t < BATCH_NS / 4 && calls < (1 << 22));
	return calls * 4;
}

static void time_all(void)
{
	int calls[NR_WLS], r, i, j, k;

	for (i = 0; i < NR_WLS; i++)
		if (wls[i].timed) {
			ring_setup(BENCH_RING_SEED);
			bench_fill(micro_buf);
			calls[i] = calibrate(&wls[i]);
		}
	for (r = 0; r < RUNS; r++)
		for (i = 0; i < NR_WLS; i++) {
			if (!wls[i].timed)
				continue;
			for (k = 0; k < NB; k++)
				if (wls[i].v[k].at[0])
					wls[i].v[k].fn = wls[i].v[k].at[r % LAYOUTS];
			for (j = 0; j < NV; j++) {
				k = (r + j) % NV;
				wls[i].ns[k][r] = batch(&wls[i], k, calls[i]);
			}
		}
	for (i = 0; i < NR_WLS; i++)
		for (k = 0; wls[i].timed && k < NV; k++) {
			double t[RUNS];

			memcpy(t, wls[i].ns[k], sizeof(t));
			wls[i].med[k] = native_median(t, RUNS);
		}
}

/* a median with its 95% interval, from RUNS per-run values */
struct est {
	double med, lo, hi;
};

static struct est estimate(double *v)
{
	/* ranks of the order statistics around the median (binomial, 95%) */
	int j = (int)floor(RUNS / 2.0 - 0.98 * sqrt(RUNS));
	struct est e;

	native_median(v, RUNS);
	e.med = v[RUNS / 2];
	e.lo = v[j - 1 < 0 ? 0 : j - 1];
	e.hi = v[RUNS - j];
	return e;
}

/* stock over variant @k, per run */
static struct est speedup(struct workload *wl, int k)
{
	double v[RUNS];
	int r;

	for (r = 0; r < RUNS; r++)
		v[r] = wl->ns[0][r] / wl->ns[k][r];
	return estimate(v);
}

/*
 * the per-run geometric mean of a/b over the timed per-packet programs
 * that read headers (@loop false) or loop over the payload
 */
static struct est geo_ratio(int a, int b, bool loop)
{
	double v[RUNS];
	int r, i, n;

	for (r = 0; r < RUNS; r++) {
		double s = 0;

		for (i = n = 0; i < NR_WLS; i++)
			if (wls[i].packet && wls[i].loop == loop && wls[i].timed) {
				s += log(wls[i].ns[a][r] / wls[i].ns[b][r]);
				n++;
			}
		v[r] = n ? exp(s / n) : 0;
	}
	return estimate(v);
}

static void print_est(struct est e)
{
	printf(" %.2fx [%.2f-%.2f]%s |", e.med, e.lo, e.hi,
	       e.lo <= 1.0 && e.hi >= 1.0 ? " (no difference)" : "");
}

static void print_speed_table(void)
{
	int i, k;

	printf("| program | stock | EInsn | eins-opt | whole-program | native -O2 | native -march=native | native kernel-legal | EInsn speedup [95%% CI] | eins-opt speedup [95%% CI] | whole-program speedup [95%% CI] | eins-opt / EInsn | EInsn vs native -march=native | whole-program vs native kernel-legal |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < NR_WLS; i++) {
		struct workload *wl = &wls[i];

		if (i == 0 || wl->loop != wls[i - 1].loop ||
		    wl->packet != wls[i - 1].packet)
			printf("| **%s** | %s | | | | | | | | | | | | |\n",
			       wl->loop ? "per-packet programs, loops over the payload (bpf_for)" :
			       wl->packet ? "per-packet programs" : "micro, one per op",
			       wl->packet ? "ns/packet" : "ns/run");
		if (!wl->timed) {
			printf("| %s | not runnable natively: %s | | | | | | | | | | | | |\n",
			       wl->name, wl->not_runnable);
			continue;
		}
		printf("| %s |", wl->name);
		for (k = 0; k < NV; k++)
			printf(" %.1f |", wl->med[k]);
		print_est(speedup(wl, 1));
		print_est(speedup(wl, 2));
		if (wl->v[WP].npjmp >= 0)
			print_est(speedup(wl, WP));
		else
			printf(" not replaced |");
		printf(" %.2f | %.2fx |", wl->med[1] / wl->med[2],
		       wl->med[NB + 1] / wl->med[1]);
		if (wl->v[WP].npjmp >= 0)
			printf(" %.2fx |\n", wl->med[NK] / wl->med[WP]);
		else
			printf(" |\n");
	}
}

/* the geometric means of one kind of per-packet program */
static void print_geo(bool loop)
{
	struct est g = geo_ratio(0, 1, loop);

	printf("\n%s, geometric mean of the per-run speedups: EInsn %.2fx [%.2f-%.2f]",
	       loop ? "loop programs" : "per-packet programs", g.med, g.lo, g.hi);
	g = geo_ratio(0, 2, loop);
	printf(", eins-opt %.2fx [%.2f-%.2f]", g.med, g.lo, g.hi);
	g = geo_ratio(0, WP, loop);
	printf(", whole-program %.2fx [%.2f-%.2f]", g.med, g.lo, g.hi);
	g = geo_ratio(NB + 1, 1, loop);
	printf("; EInsn vs native -march=native %.2fx [%.2f-%.2f]", g.med, g.lo, g.hi);
	g = geo_ratio(NK, WP, loop);
	printf("; whole-program vs native kernel-legal %.2fx [%.2f-%.2f]", g.med, g.lo, g.hi);
	g = geo_ratio(0, NK, loop);
	printf("; native kernel-legal vs stock %.2fx [%.2f-%.2f]\n", g.med, g.lo, g.hi);
}

static double ms(double us)
{
	return us / 1000;
}

static void print_cost_table(void)
{
	int i;

	printf("| program | bytes stock / EInsn / eins-opt | size EInsn, eins-opt | verified insns stock / EInsn / eins-opt | load ms (TCG), median [min-max]: stock without eins.ko; stock; EInsn; eins-opt | TCG test_run stock/EInsn, stock/eins-opt |\n");
	printf("|---|---:|---:|---:|---|---:|\n");
	for (i = 0; i < NR_WLS; i++) {
		struct workload *wl = &wls[i];
		struct variant *v = wl->v;
		int k;

		printf("| %s | %u / %u / %u | %+.0f%%, %+.0f%% | %u / %u / %u | %.1f [%.1f-%.1f]",
		       wl->name, v[0].bytes, v[1].bytes, v[2].bytes,
		       (100.0 * v[1].bytes / v[0].bytes) - 100,
		       (100.0 * v[2].bytes / v[0].bytes) - 100,
		       v[0].verified, v[1].verified, v[2].verified,
		       ms(wl->load_without[0]), ms(wl->load_without[1]),
		       ms(wl->load_without[2]));
		for (k = 0; k < NSIZED; k++)
			printf("; %.1f [%.1f-%.1f]", ms(v[k].load[0]),
			       ms(v[k].load[1]), ms(v[k].load[2]));
		if (wl->packet && v[1].tcg_ns > 0 && v[2].tcg_ns > 0)
			printf(" | %.2fx, %.2fx |\n", v[0].tcg_ns / v[1].tcg_ns,
			       v[0].tcg_ns / v[2].tcg_ns);
		else
			printf(" | |\n");
	}
}

/* geometric mean of the size ratio of build @k over the programs */
static double size_geo(int k, bool packet)
{
	double s = 0;
	int i, n = 0;

	for (i = 0; i < NR_WLS; i++)
		if (wls[i].packet == packet) {
			s += log((double)wls[i].v[k].bytes / wls[i].v[0].bytes);
			n++;
		}
	return (exp(s / n) - 1) * 100;
}

static void print_sizes(void)
{
	int i;

	printf("| program | stock bytes | EInsn bytes | eins-opt bytes | size EInsn | size eins-opt |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < NR_WLS; i++) {
		struct variant *v = wls[i].v;

		printf("| %s | %u | %u | %u | %+.0f%% | %+.0f%% |\n", wls[i].name,
		       v[0].bytes, v[1].bytes, v[2].bytes,
		       100.0 * v[1].bytes / v[0].bytes - 100,
		       100.0 * v[2].bytes / v[0].bytes - 100);
	}
}

static int write_csv(const char *path, bool timed)
{
	FILE *out = fopen(path, "w");
	int i;

	if (!out) {
		perror(path);
		return -1;
	}
	fprintf(out, "workload,packet,stock_ns,eins_ns,opt_ns,wp_ns,native_ns,march_ns,kernel_ns,eins_speedup,eins_lo,eins_hi,opt_speedup,opt_lo,opt_hi,wp_speedup,wp_lo,wp_hi,stock_bytes,eins_bytes,opt_bytes,stock_verified,eins_verified,opt_verified\n");
	for (i = 0; i < NR_WLS; i++) {
		struct workload *wl = &wls[i];
		struct est e = { 0 }, o = { 0 }, w = { 0 };

		if (timed && wl->timed) {
			e = speedup(wl, 1);
			o = speedup(wl, 2);
			w = speedup(wl, WP);
		}
		fprintf(out, "%s,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%u,%u,%u,%u,%u,%u\n",
			wl->name, wl->packet, wl->med[0], wl->med[1], wl->med[2],
			wl->med[3], wl->med[4], wl->med[5], wl->med[6], e.med, e.lo, e.hi,
			o.med, o.lo, o.hi, w.med, w.lo, w.hi,
			wl->v[0].bytes, wl->v[1].bytes, wl->v[2].bytes,
			wl->v[0].verified, wl->v[1].verified, wl->v[2].verified);
	}
	return fclose(out);
}

/* the CPU this runs on: model and the ISA extensions that matter here */
static void print_machine(int cpu, double load_before)
{
	static const char *const feats[] = { "popcnt", "abm", "bmi1", "bmi2",
					     "movbe", "avx2" };
	char line[8192], model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	double la[3] = { 0 };
	unsigned int i;

	printf("Machine: ");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = 0;
		} else if (!strncmp(line, "flags", 5)) {
			printf("%s, %ld CPUs, pinned to CPU %d; has", model,
			       sysconf(_SC_NPROCESSORS_ONLN), cpu);
			for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
				char pat[32];

				snprintf(pat, sizeof(pat), " %s ", feats[i]);
				if (strstr(line, pat))
					printf(" %s", feats[i]);
			}
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen("/proc/loadavg", "r");
	if (f && fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
		la[0] = -1;
	if (f)
		fclose(f);
	printf(". Load average at the start %.2f; other load before the runs %.2f CPUs.\n",
	       la[0], load_before);
}

/* pin to the last online CPU; returns it, or -1 */
static int pin(void)
{
	int cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

int main(int argc, char **argv)
{
	bool sizes = false, check_only = false;
	const char *log, *csv, *vmlinux = NULL;
	double before, during, t0;
	int i, cpu, tries, a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--sizes"))
			sizes = true;
		else if (!strcmp(argv[a], "--check"))
			check_only = true;
		else if (!strcmp(argv[a], "-k") && a + 1 < argc)
			vmlinux = argv[++a];
		else
			break;
	}
	if (argc - a < 1 || argc - a > 2 || (sizes && check_only)) {
		fprintf(stderr, "usage: bench_run [-k VMLINUX] [--sizes | --check] VM_LOG [CSV]\n");
		return 2;
	}
	log = argv[a];
	csv = argc - a > 1 ? argv[a + 1] : NULL;
	if (vmlinux && read_vmlinux(vmlinux))
		return 1;
	if (read_log(log, !sizes))
		return 1;
	if (sizes) {
		print_sizes();
		printf("\ngeometric mean size: micro EInsn %+.0f%%, eins-opt %+.0f%%; per-packet programs EInsn %+.0f%%, eins-opt %+.0f%%\n",
		       size_geo(1, false), size_geo(2, false), size_geo(1, true),
		       size_geo(2, true));
		return csv && write_csv(csv, false) ? 1 : 0;
	}
	for (i = 0; i < NR_WLS; i++) {
		if (wls[i].not_runnable)
			continue;
		if (check(&wls[i]))
			return 1;
		wls[i].timed = true;
	}
	if (check_only) {
		int n = 0, packets = 0, wp = 0;

		for (i = 0; i < NR_WLS; i++) {
			n += wls[i].timed;
			packets += wls[i].packet;
			wp += wls[i].packet && wls[i].v[WP].npjmp >= 0;
		}
		printf("bench_run: %d of %d programs run natively; all agree in %d variants with the VM; %d of %d per-packet programs ran the whole-program module's code\n",
		       n, NR_WLS, NV, wp, packets);
		return n == NR_WLS && wp == packets ? 0 : 1;
	}

	cpu = pin();
	/* wait up to a minute for a quiet machine */
	for (tries = 0; (before = other_load(500)) > BUSY_CPUS && tries < 60; tries++)
		sleep(1);
	print_machine(cpu, before);
	t0 = busy_s() - cpu_s();
	{
		double w0 = now_ns();

		time_all();
		during = (busy_s() - cpu_s() - t0) / ((now_ns() - w0) / 1e9);
		if (during < 0)
			during = 0;
	}
	printf("Other load during the %d runs: %.2f CPUs%s\n\n", RUNS, during,
	       during > BUSY_CPUS ? " -- BUSY: the machine was not quiet, treat these numbers as suspect" : "");
	print_speed_table();
	print_geo(false);
	print_geo(true);
	printf("geometric mean size (x86-64): micro EInsn %+.0f%%, eins-opt %+.0f%%; per-packet programs EInsn %+.0f%%, eins-opt %+.0f%%\n\n",
	       size_geo(1, false), size_geo(2, false), size_geo(1, true),
	       size_geo(2, true));
	print_cost_table();
	if (csv && write_csv(csv, true))
		return 1;
	return 0;
}
