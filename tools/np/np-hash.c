// SPDX-License-Identifier: GPL-2.0
/*
 * np-hash OBJ: for every program of a BPF object, the binding hash the
 * kernel will compute when libbpf loads it (kernel/bpf/native_prog.c), the
 * maps it references in the order the kernel will list them, and the
 * object's global symbols.  Output, one record a line:
 *
 *   prog NAME TYPE HASH MAP...
 *   maptype MAP TYPE-NUMBER VALUE-SIZE MAX-ENTRIES
 *   func NAME TYPE		every program, bound or not
 *   sym NAME
 *
 * The hash covers the program type and expected attach type (BPF_XDP
 * counted as 0), the
 * instructions as libbpf sends them (a map reference as the index of the
 * map in first-reference order) and each map's type, key and value size,
 * entry count and flags; a kfunc call as the function's name; the
 * subprograms (bpf_loop() callbacks, functions not inlined) appended as
 * libbpf appends them.  Programs the whole-program mode cannot take
 * (kfuncs other than bpf_for's, tail calls, global data) are refused
 * with the reason.  Read-only global data (.rodata, frozen by libbpf) is hashed
 * with its bytes, so the native code may hold its own copy.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <openssl/evp.h>

#define MAX_MAPS	64

struct stream {
	unsigned char *buf;
	size_t len, cap;
};

static void put(struct stream *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf) {
			perror("np-hash");
			exit(1);
		}
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void put_u32(struct stream *s, unsigned int v)
{
	unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };

	put(s, b, 4);
}

static void put_insn(struct stream *s, const struct bpf_insn *insn)
{
	unsigned char b[4] = { insn->code, insn->dst_reg | insn->src_reg << 4,
			       (unsigned short)insn->off,
			       (unsigned short)insn->off >> 8 };

	put(s, b, 4);
	put_u32(s, insn->imm);
}

struct elf_info {
	Elf *elf;
	size_t shstrndx;
	Elf_Scn *symtab;
	GElf_Shdr symtab_hdr;
	int maps_shndx;
	int text_shndx;
};

static const char *sec_name(struct elf_info *ei, int idx)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(ei->elf, idx);

	if (!scn || !gelf_getshdr(scn, &sh))
		return "";
	return elf_strptr(ei->elf, ei->shstrndx, sh.sh_name);
}

static int find_sec(struct elf_info *ei, const char *name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ei->elf, scn)))
		if (!strcmp(sec_name(ei, elf_ndxscn(scn)), name))
			return elf_ndxscn(scn);
	return -1;
}

static int get_sym(struct elf_info *ei, size_t i, GElf_Sym *sym,
		   const char **name)
{
	Elf_Data *d = elf_getdata(ei->symtab, NULL);

	if (!gelf_getsym(d, i, sym))
		return -1;
	*name = elf_strptr(ei->elf, ei->symtab_hdr.sh_link, sym->st_name);
	return 0;
}

/* The offset of program @name in section @shndx. */
static long prog_offset(struct elf_info *ei, int shndx, const char *name)
{
	size_t i, n = ei->symtab_hdr.sh_size / ei->symtab_hdr.sh_entsize;
	const char *sname;
	GElf_Sym sym;

	for (i = 0; i < n; i++)
		if (!get_sym(ei, i, &sym, &sname) && sym.st_shndx == shndx &&
		    GELF_ST_TYPE(sym.st_info) == STT_FUNC && !strcmp(sname, name))
			return sym.st_value;
	return -1;
}

/* The symbol the relocation at byte @off of section @shndx names; 0 if any. */
static int reloc_sym(struct elf_info *ei, int shndx, long off, GElf_Sym *sym,
		     const char **name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Rel rel;
	size_t i;

	while ((scn = elf_nextscn(ei->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_REL ||
		    (int)sh.sh_info != shndx)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);

		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++)
			if (gelf_getrel(d, i, &rel) &&
			    rel.r_offset == (GElf_Addr)off)
				return get_sym(ei, GELF_R_SYM(rel.r_info), sym, name);
	}
	return -1;
}

/*
 * The map named by the relocation of the ld_imm64 at byte @off of section
 * @shndx, as libbpf will name it, or NULL; *@val_off: the offset into
 * global data.
 */
static const char *reloc_target(struct bpf_object *obj, struct elf_info *ei,
				int shndx, long off, int *val_off,
				const char **err)
{
	const char *name, *sec;
	struct bpf_map *map;
	GElf_Sym sym;
	size_t n;

	if (reloc_sym(ei, shndx, off, &sym, &name))
		return NULL;
	if (sym.st_shndx == ei->maps_shndx)
		return name;
	if (!sym.st_shndx || sym.st_shndx >= SHN_LORESERVE) {
		*err = "references an extern (kfunc, kconfig or ksym)";
		return NULL;
	}
	sec = sec_name(ei, sym.st_shndx);
	if (strncmp(sec, ".rodata", 7)) {
		*err = "writes global data (.data or .bss); use a map";
		return NULL;
	}
	/* libbpf's internal map for the section: OBJ.rodata */
	bpf_object__for_each_map(map, obj) {
		n = strlen(bpf_map__name(map));
		if (bpf_map__is_internal(map) && n >= strlen(sec) &&
		    !strcmp(bpf_map__name(map) + n - strlen(sec), sec)) {
			*val_off = sym.st_value;
			return bpf_map__name(map);
		}
	}
	*err = "references a global data section libbpf does not map";
	return NULL;
}

/*
 * The kfuncs whole-program code may call: tools/np/include/np_helpers.h
 * gives their C form.
 */
static const char *const np_kfuncs[] = {
	"bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy",
};

/*
 * A call clang emitted to an extern function, a kfunc: libbpf sends it
 * with src_reg BPF_PSEUDO_KFUNC_CALL and the function's BTF id, which the
 * kernel hashes as imm 0 followed by the function's name.  NULL if the
 * call at byte @off of section @shndx is not one; *@err if the kfunc has
 * no C form here.
 */
static const char *kfunc_call(struct elf_info *ei, int shndx, long off,
			      const char **err)
{
	const char *name;
	GElf_Sym sym;
	size_t i;

	if (reloc_sym(ei, shndx, off, &sym, &name) || sym.st_shndx ||
	    GELF_ST_TYPE(sym.st_info) == STT_SECTION)
		return NULL;
	for (i = 0; i < sizeof(np_kfuncs) / sizeof(np_kfuncs[0]); i++)
		if (!strcmp(name, np_kfuncs[i]))
			return name;
	*err = "calls a kfunc other than bpf_iter_num_* (bpf_for)";
	return NULL;
}

static int map_index(const char **names, int *cnt, const char *name)
{
	int i;

	for (i = 0; i < *cnt; i++)
		if (!strcmp(names[i], name))
			return i;
	if (*cnt == MAX_MAPS)
		return -1;
	names[*cnt] = name;
	return (*cnt)++;
}

/*
 * A program as libbpf sends it: its own instructions, then every
 * subprogram of .text it calls or takes the address of (a bpf_loop()
 * callback), each appended where it is first reached, depth first, and
 * the calls' and addresses' imm made relative to where the callee landed
 * (libbpf's bpf_object__reloc_code()).  For each instruction, where it
 * comes from: the section and byte offset its relocations are at.
 */
struct linked {
	struct bpf_insn *insns;
	int *shndx;
	long *off;
	size_t cnt, cap;
	size_t placed_start[64], placed_at[64];	/* .text insn -> linked */
	int nplaced;
};

static int append_code(struct linked *l, const struct bpf_insn *src, size_t n,
		       int shndx, long off)
{
	size_t i;

	if (l->cnt + n > l->cap) {
		l->cap = (l->cnt + n) * 2;
		l->insns = realloc(l->insns, l->cap * sizeof(*l->insns));
		l->shndx = realloc(l->shndx, l->cap * sizeof(*l->shndx));
		l->off = realloc(l->off, l->cap * sizeof(*l->off));
		if (!l->insns || !l->shndx || !l->off)
			return -1;
	}
	for (i = 0; i < n; i++) {
		l->insns[l->cnt + i] = src[i];
		l->shndx[l->cnt + i] = shndx;
		l->off[l->cnt + i] = off + i * 8;
	}
	l->cnt += n;
	return 0;
}

/* The .text function holding insn @idx of .text: its start and length. */
static int text_func(struct elf_info *ei, size_t idx, size_t *start, size_t *cnt)
{
	size_t i, n = ei->symtab_hdr.sh_size / ei->symtab_hdr.sh_entsize;
	const char *name;
	GElf_Sym sym;

	for (i = 0; i < n; i++)
		if (!get_sym(ei, i, &sym, &name) && sym.st_shndx == ei->text_shndx &&
		    GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
		    sym.st_value / 8 <= idx && idx < (sym.st_value + sym.st_size) / 8) {
			*start = sym.st_value / 8;
			*cnt = sym.st_size / 8;
			return 0;
		}
	return -1;
}

/* libbpf's sym_is_subprog(): a symbol naming code in .text */
static bool sym_is_text(struct elf_info *ei, const GElf_Sym *sym)
{
	int bind = GELF_ST_BIND(sym->st_info), type = GELF_ST_TYPE(sym->st_info);

	return ei->text_shndx > 0 && sym->st_shndx == ei->text_shndx &&
	       ((bind == STB_LOCAL && type == STT_SECTION) ||
		(bind == STB_GLOBAL && type == STT_FUNC));
}

static bool is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* link the code at @at, @cnt insns long: see struct linked */
static int link_code(struct elf_info *ei, struct linked *l, size_t at,
		     size_t cnt, const char **err)
{
	Elf_Data *text = ei->text_shndx > 0 ?
		elf_getdata(elf_getscn(ei->elf, ei->text_shndx), NULL) : NULL;
	size_t i, idx, start, n;
	const char *name;
	struct bpf_insn *in;
	GElf_Sym sym;
	bool rel;
	int k;

	for (i = at; i < at + cnt; i++) {
		in = &l->insns[i];
		if (!is_ldimm64(in) && in->code != (BPF_JMP | BPF_CALL))
			continue;
		rel = !reloc_sym(ei, l->shndx[i], l->off[i], &sym, &name);
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL &&
		    !in->dst_reg && !in->off) {
			if (rel && !sym.st_shndx)
				continue;		/* a kfunc */
			if (rel && !sym_is_text(ei, &sym)) {
				*err = "calls a function outside .text";
				return -1;
			}
			idx = rel ? sym.st_value / 8 + in->imm + 1 :
			      l->off[i] / 8 + in->imm + 1;
			if (!rel && l->shndx[i] != ei->text_shndx) {
				*err = "calls a function of its own section";
				return -1;
			}
		} else if (is_ldimm64(in) && rel && sym_is_text(ei, &sym)) {
			in->src_reg = BPF_PSEUDO_FUNC;
			idx = (sym.st_value + in->imm) / 8;
		} else {
			continue;
		}
		if (!text || text_func(ei, idx, &start, &n) ||
		    (start + n) * 8 > text->d_size) {
			*err = "calls or takes the address of code not in a .text function";
			return -1;
		}
		for (k = 0; k < l->nplaced && l->placed_start[k] != start; k++)
			;
		if (k == l->nplaced) {
			if (k == 64) {
				*err = "calls too many subprograms";
				return -1;
			}
			l->placed_start[k] = start;
			l->placed_at[k] = l->cnt;
			l->nplaced++;
			if (append_code(l, (const struct bpf_insn *)text->d_buf + start,
					n, ei->text_shndx, start * 8) ||
			    link_code(ei, l, l->placed_at[k], n, err))
				return -1;
		}
		l->insns[i].imm = l->placed_at[k] - i - 1;
	}
	return 0;
}

static int do_prog(struct bpf_object *obj, struct bpf_program *prog,
		   struct elf_info *ei)
{
	const char *name = bpf_program__name(prog), *err = NULL, *kfunc;
	const struct bpf_insn *insns;
	const char *maps[MAX_MAPS];
	int shndx, nmaps = 0;
	struct stream s = {}, body = {};
	struct linked l = {};
	unsigned char md[32];
	unsigned int mdlen;
	size_t cnt, i;
	long off;

	shndx = find_sec(ei, bpf_program__section_name(prog));
	off = prog_offset(ei, shndx, name);
	if (shndx < 0 || off < 0) {
		fprintf(stderr, "np-hash: %s: not found in the ELF symbols\n", name);
		return -1;
	}
	if (strlen(name) >= BPF_OBJ_NAME_LEN) {
		fprintf(stderr, "np-hash: %s: name longer than %d chars; the kernel would see it cut\n",
			name, BPF_OBJ_NAME_LEN - 1);
		return -1;
	}
	if (append_code(&l, bpf_program__insns(prog), bpf_program__insn_cnt(prog),
			shndx, off)) {
		perror("np-hash");
		exit(1);
	}
	i = 0;
	if (link_code(ei, &l, 0, l.cnt, &err))
		goto refuse;
	insns = l.insns;
	cnt = l.cnt;

	for (i = 0; i < cnt; i++) {
		struct bpf_insn in = insns[i];

		if (in.code == (BPF_JMP | BPF_CALL) && in.src_reg == BPF_PSEUDO_CALL &&
		    (kfunc = kfunc_call(ei, l.shndx[i], l.off[i], &err))) {
			/* as libbpf relocates it, the BTF id hashed as its name */
			in.src_reg = BPF_PSEUDO_KFUNC_CALL;
			in.off = 0;
			in.imm = 0;
			put_insn(&body, &in);
			put(&body, kfunc, strlen(kfunc) + 1);
			continue;
		}
		if (err)
			break;
		if (in.code == (BPF_JMP | BPF_CALL) && in.src_reg &&
		    in.src_reg != BPF_PSEUDO_CALL)
			err = "calls a kfunc";
		else if (in.code == (BPF_JMP | BPF_CALL) && in.imm == BPF_FUNC_tail_call)
			err = "uses tail calls";
		if (is_ldimm64(&in) && i + 1 < cnt && in.src_reg == BPF_PSEUDO_FUNC) {
			/* a callback's address, relative, as linked */
			put_insn(&body, &in);
			put_insn(&body, &insns[++i]);
			continue;
		}
		if (is_ldimm64(&in) && i + 1 < cnt) {
			int val_off = -1;
			const char *map = reloc_target(obj, ei, l.shndx[i], l.off[i],
						       &val_off, &err);
			struct bpf_insn hi = insns[i + 1];

			if (map) {
				int m = map_index(maps, &nmaps, map);

				if (m < 0) {
					err = "references too many maps";
					break;
				}
				/* as libbpf relocates it */
				hi.imm = val_off < 0 ? 0 : in.imm + val_off;
				in.src_reg = val_off < 0 ? BPF_PSEUDO_MAP_FD :
					     BPF_PSEUDO_MAP_VALUE;
				in.imm = m;
			}
			put_insn(&body, &in);
			put_insn(&body, &hi);
			i++;
		} else {
			put_insn(&body, &in);
		}
		if (err)
			break;
	}
	if (err) {
refuse:
		fprintf(stderr, "np-hash: %s: %s at insn %zu: not supported in whole-program mode\n",
			name, err, i);
		return -1;
	}

	put_u32(&s, bpf_program__type(prog));
	/* BPF_XDP and 0 mean the same; libbpf sends either (a feature probe) */
	put_u32(&s, bpf_program__type(prog) == BPF_PROG_TYPE_XDP &&
		    bpf_program__expected_attach_type(prog) == BPF_XDP ? 0 :
		    bpf_program__expected_attach_type(prog));
	put_u32(&s, cnt);
	put_u32(&s, nmaps);
	put(&s, body.buf, body.len);
	for (i = 0; i < (size_t)nmaps; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, maps[i]);

		if (!map) {
			fprintf(stderr, "np-hash: %s: map %s not in the object\n", name, maps[i]);
			return -1;
		}
		put_u32(&s, bpf_map__type(map));
		put_u32(&s, bpf_map__key_size(map));
		put_u32(&s, bpf_map__value_size(map));
		put_u32(&s, bpf_map__max_entries(map));
		put_u32(&s, bpf_map__map_flags(map));
		/* read-only global data: its bytes (libbpf freezes the map) */
		if (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG) {
			size_t sz;
			const void *val = bpf_map__initial_value(map, &sz);

			put_u32(&s, 1);
			put(&s, val, sz);
		} else {
			put_u32(&s, 0);
		}
	}
	if (!EVP_Digest(s.buf, s.len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		fprintf(stderr, "np-hash: SHA-256 failed\n");
		return -1;
	}

	printf("prog %s %s ", name, libbpf_bpf_prog_type_str(bpf_program__type(prog)));
	for (i = 0; i < 32; i++)
		printf("%02x", md[i]);
	for (i = 0; i < (size_t)nmaps; i++)
		printf(" %s", maps[i]);
	printf("\n");
	free(s.buf);
	free(body.buf);
	free(l.insns);
	free(l.shndx);
	free(l.off);
	return 0;
}

static void print_globals(struct elf_info *ei)
{
	size_t i, n = ei->symtab_hdr.sh_size / ei->symtab_hdr.sh_entsize;
	const char *name;
	GElf_Sym sym;

	for (i = 0; i < n; i++)
		if (!get_sym(ei, i, &sym, &name) &&
		    GELF_ST_BIND(sym.st_info) == STB_GLOBAL &&
		    sym.st_shndx != SHN_UNDEF && *name)
			printf("sym %s\n", name);
}

int main(int argc, char **argv)
{
	struct elf_info ei = {};
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int fd, ret = 0;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: np-hash OBJ.bpf.o\n"
			"Print each program's whole-program binding hash and maps.\n");
		return 2;
	}
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "np-hash: %s: cannot open: %s\n", argv[1], strerror(errno));
		return 1;
	}
	elf_version(EV_CURRENT);
	fd = open(argv[1], O_RDONLY);
	ei.elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!ei.elf || elf_getshdrstrndx(ei.elf, &ei.shstrndx)) {
		fprintf(stderr, "np-hash: %s: not an ELF object\n", argv[1]);
		return 1;
	}
	while ((scn = elf_nextscn(ei.elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			ei.symtab = scn;
			ei.symtab_hdr = sh;
		}
	if (!ei.symtab) {
		fprintf(stderr, "np-hash: %s: no symbol table\n", argv[1]);
		return 1;
	}
	ei.maps_shndx = find_sec(&ei, ".maps");
	ei.text_shndx = find_sec(&ei, ".text");

	bpf_object__for_each_program(prog, obj)
		if (do_prog(obj, prog, &ei))
			ret = 1;
	bpf_object__for_each_map(map, obj)
		printf("maptype %s %u %u %u\n", bpf_map__name(map),
		       bpf_map__type(map), bpf_map__value_size(map),
		       bpf_map__max_entries(map));
	bpf_object__for_each_program(prog, obj)
		printf("func %s %s\n", bpf_program__name(prog),
		       libbpf_bpf_prog_type_str(bpf_program__type(prog)));
	print_globals(&ei);
	elf_end(ei.elf);
	close(fd);
	bpf_object__close(obj);
	return ret;
}
