// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * elfobj: edit the instructions of a BPF ELF object and keep everything
 * that points at them right (see elfobj.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/btf.h>
#include "elfobj.h"

#ifndef R_BPF_64_32
#define R_BPF_64_32	10
#endif

#define INSN_SZ		sizeof(struct bpf_insn)

int eobj_error(struct eobj *o, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(o->err, sizeof(o->err), "%s: ", o->name);
	va_start(ap, fmt);
	vsnprintf(o->err + n, sizeof(o->err) - n, fmt, ap);
	va_end(ap);
	return -err;
}

static void *memdup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

static int find_sec(const struct eobj *o, const char *name)
{
	int i;

	for (i = 1; i < o->nr_secs; i++)
		if (!strcmp(o->secs[i].name, name))
			return i;
	return 0;
}

static int load_sections(struct eobj *o, Elf *elf)
{
	size_t nr, shstrndx;
	int i;

	if (elf_getshdrnum(elf, &nr) || elf_getshdrstrndx(elf, &shstrndx))
		return eobj_error(o, EINVAL, "cannot read section headers: %s",
				  elf_errmsg(-1));
	o->secs = calloc(nr, sizeof(*o->secs));
	if (!o->secs)
		return -ENOMEM;
	o->nr_secs = nr;
	for (i = 1; i < (int)nr; i++) {
		struct eobj_sec *s = &o->secs[i];
		Elf_Scn *scn = elf_getscn(elf, i);
		Elf_Data *d;
		const char *name;

		if (!scn || !gelf_getshdr(scn, &s->shdr))
			return eobj_error(o, EINVAL, "bad section %d", i);
		name = elf_strptr(elf, shstrndx, s->shdr.sh_name);
		s->name = strdup(name ? name : "");
		d = s->shdr.sh_type == SHT_NOBITS ? NULL : elf_rawdata(scn, NULL);
		s->size = d ? d->d_size : 0;
		s->data = memdup(d ? d->d_buf : NULL, s->size);
		if (!s->name || !s->data)
			return -ENOMEM;
		if (s->shdr.sh_type == SHT_SYMTAB) {
			o->symtab = i;
			o->strtab = s->shdr.sh_link;
		}
	}
	o->secs[0].name = strdup("");
	o->btf = find_sec(o, ".BTF");
	o->btf_ext = find_sec(o, ".BTF.ext");
	if (!o->symtab)
		return eobj_error(o, EINVAL, "no symbol table");
	return 0;
}

int eobj_open_mem(struct eobj *o, const char *name, const void *buf,
		  size_t size)
{
	char *copy;
	Elf *elf;
	int err;

	memset(o, 0, sizeof(*o));
	o->name = name;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return eobj_error(o, EINVAL, "libelf too old");
	copy = memdup(buf, size);
	if (!copy)
		return -ENOMEM;
	elf = elf_memory(copy, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &o->ehdr)) {
		err = eobj_error(o, EINVAL, "not an ELF object");
		goto out;
	}
	if (o->ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
	    o->ehdr.e_machine != EM_BPF || o->ehdr.e_type != ET_REL) {
		err = eobj_error(o, EINVAL,
				 "not a relocatable 64-bit BPF object (e_machine %d)",
				 o->ehdr.e_machine);
		goto out;
	}
	if (o->ehdr.e_ident[EI_DATA] != ELFDATA2LSB) {
		err = eobj_error(o, EINVAL, "big-endian BPF objects are not supported");
		goto out;
	}
	err = load_sections(o, elf);
out:
	if (elf)
		elf_end(elf);
	free(copy);
	return err;
}

void *eobj_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t got;

	*size = 0;
	if (!f)
		return NULL;
	/* in chunks: sysfs files do not know their size */
	do {
		p = realloc(buf, *size + 65536);
		if (!p) {
			free(buf);
			fclose(f);
			errno = ENOMEM;
			return NULL;
		}
		buf = p;
		got = fread(buf + *size, 1, 65536, f);
		*size += got;
	} while (got == 65536);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	return buf;
}

int eobj_open_file(struct eobj *o, const char *path)
{
	size_t size;
	void *buf;
	int err;

	memset(o, 0, sizeof(*o));
	o->name = path;
	buf = eobj_read_file(path, &size);
	if (!buf)
		return eobj_error(o, errno, "%s", strerror(errno));
	err = eobj_open_mem(o, path, buf, size);
	free(buf);
	return err;
}

void eobj_free(struct eobj *o)
{
	int i, j;

	for (i = 0; i < o->nr_secs; i++) {
		for (j = 0; j < o->secs[i].nr_edits; j++)
			free(o->secs[i].edits[j].insns);
		free(o->secs[i].edits);
		free(o->secs[i].map);
		free(o->secs[i].data);
		free((void *)o->secs[i].name);
	}
	free(o->secs);
	o->secs = NULL;
	o->nr_secs = 0;
}

/* ---- symbols and relocations ---- */

static Elf64_Sym *syms(const struct eobj *o, int *cnt)
{
	*cnt = o->secs[o->symtab].size / sizeof(Elf64_Sym);
	return o->secs[o->symtab].data;
}

const char *eobj_sym_name(const struct eobj *o, int sym)
{
	const struct eobj_sec *str = &o->secs[o->strtab];
	int cnt;
	Elf64_Sym *s = syms(o, &cnt);

	if (sym < 0 || sym >= cnt || s[sym].st_name >= str->size)
		return "";
	return (const char *)str->data + s[sym].st_name;
}

int eobj_find_sym(const struct eobj *o, const char *name)
{
	int i, cnt;

	syms(o, &cnt);
	for (i = 1; i < cnt; i++)
		if (!strcmp(eobj_sym_name(o, i), name))
			return i;
	return -1;
}

static int grow(struct eobj_sec *s, const void *add, size_t n)
{
	void *p = realloc(s->data, s->size + n);

	if (!p)
		return -ENOMEM;
	memcpy((char *)p + s->size, add, n);
	s->data = p;
	s->size += n;
	s->shdr.sh_size = s->size;
	return 0;
}

int eobj_add_extern(struct eobj *o, const char *name)
{
	struct eobj_sec *str = &o->secs[o->strtab];
	Elf64_Sym sym = {
		.st_name = str->size,
		.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE),
		.st_shndx = SHN_UNDEF,
	};
	int idx = eobj_find_sym(o, name);

	if (idx >= 0)
		return idx;
	if (grow(str, name, strlen(name) + 1) ||
	    grow(&o->secs[o->symtab], &sym, sizeof(sym)))
		return -ENOMEM;
	return o->secs[o->symtab].size / sizeof(Elf64_Sym) - 1;
}

void eobj_set_sym_weak(struct eobj *o, int sym)
{
	int cnt;
	Elf64_Sym *s = syms(o, &cnt);

	if (sym > 0 && sym < cnt)
		s[sym].st_info = ELF64_ST_INFO(STB_WEAK,
					       ELF64_ST_TYPE(s[sym].st_info));
}

static int rel_sec_of(const struct eobj *o, int sec)
{
	int i;

	for (i = 1; i < o->nr_secs; i++)
		if (o->secs[i].shdr.sh_type == SHT_REL &&
		    (int)o->secs[i].shdr.sh_info == sec)
			return i;
	return 0;
}

static Elf64_Rel *rels(const struct eobj *o, int rsec, int *cnt)
{
	*cnt = rsec ? o->secs[rsec].size / sizeof(Elf64_Rel) : 0;
	return rsec ? o->secs[rsec].data : NULL;
}

int eobj_rel_sym(const struct eobj *o, int sec, unsigned int insn)
{
	int i, cnt;
	Elf64_Rel *r = rels(o, rel_sec_of(o, sec), &cnt);

	for (i = 0; i < cnt; i++)
		if (r[i].r_offset == insn * INSN_SZ)
			return ELF64_R_SYM(r[i].r_info);
	return -1;
}

/*
 * The bytes a 64-bit immediate load at @insn points to when they are an
 * anonymous read-only constant: the relocation is against the section
 * symbol of a read-only ".rodata*" section, and no named symbol covers
 * the address, so no source variable (and no skeleton field) names them.
 * clang's constant pools, such as the de Bruijn table of __builtin_ctz,
 * look like this.  The run ends where the next named symbol or the
 * section does.  False if the insn is not such a load.
 */
bool eobj_anon_rodata(const struct eobj *o, int sec, unsigned int insn,
		      const unsigned char **bytes, size_t *len)
{
	const struct bpf_insn *in = (const struct bpf_insn *)o->secs[sec].data + insn;
	int symi = eobj_rel_sym(o, sec, insn), cnt, i;
	const struct eobj_sec *ts;
	Elf64_Sym *s = syms(o, &cnt);
	Elf64_Addr at, end;

	if (symi <= 0 || symi >= cnt ||
	    ELF64_ST_TYPE(s[symi].st_info) != STT_SECTION ||
	    s[symi].st_shndx == SHN_UNDEF || s[symi].st_shndx >= o->nr_secs ||
	    in->code != (BPF_LD | BPF_IMM | BPF_DW) || in->src_reg)
		return false;
	ts = &o->secs[s[symi].st_shndx];
	if (strncmp(ts->name, ".rodata", 7) || ts->shdr.sh_type != SHT_PROGBITS ||
	    (ts->shdr.sh_flags & SHF_WRITE) || !ts->data)
		return false;
	at = s[symi].st_value + (__u32)in->imm;
	end = ts->size;
	if (at >= end)
		return false;
	for (i = 1; i < cnt; i++) {
		if (s[i].st_shndx != s[symi].st_shndx || !s[i].st_name ||
		    ELF64_ST_TYPE(s[i].st_info) == STT_SECTION)
			continue;
		if (s[i].st_value == at ||
		    (s[i].st_value < at && at < s[i].st_value + s[i].st_size))
			return false;
		if (s[i].st_value > at && s[i].st_value < end)
			end = s[i].st_value;
	}
	*bytes = (const unsigned char *)ts->data + at;
	*len = end - at;
	return true;
}

int eobj_add_sec(struct eobj *o, const char *name, const GElf_Shdr *shdr,
		 const void *data, size_t size)
{
	struct eobj_sec *shstr = &o->secs[o->ehdr.e_shstrndx];
	struct eobj_sec *secs, *s;
	size_t name_off = shstr->size;

	if (grow(shstr, name, strlen(name) + 1))
		return -ENOMEM;
	secs = realloc(o->secs, (o->nr_secs + 1) * sizeof(*secs));
	if (!secs)
		return -ENOMEM;
	o->secs = secs;
	s = &secs[o->nr_secs];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->data = memdup(data, size);
	s->size = size;
	s->shdr = *shdr;
	s->shdr.sh_name = name_off;
	s->shdr.sh_size = size;
	if (!s->name || !s->data)
		return -ENOMEM;
	return o->nr_secs++;
}

/* a new, empty .rel section for @sec */
static int add_rel_sec(struct eobj *o, int sec)
{
	GElf_Shdr sh = {
		.sh_type = SHT_REL, .sh_flags = SHF_INFO_LINK,
		.sh_link = o->symtab, .sh_info = sec, .sh_addralign = 8,
		.sh_entsize = sizeof(Elf64_Rel),
	};
	char name[256];

	snprintf(name, sizeof(name), ".rel%s", o->secs[sec].name);
	return eobj_add_sec(o, name, &sh, NULL, 0);
}

/* ---- edits ---- */

int eobj_replace(struct eobj *o, int sec, unsigned int start,
		 unsigned int len, const struct bpf_insn *insns,
		 unsigned int cnt, int call_at, int call_sym)
{
	struct eobj_sec *s = &o->secs[sec];
	struct eobj_edit *e;

	e = realloc(s->edits, (s->nr_edits + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	s->edits = e;
	e = &e[s->nr_edits];
	e->start = start;
	e->len = len;
	e->cnt = cnt;
	e->call_at = call_at;
	e->call_sym = call_sym;
	e->insns = memdup(insns, cnt * INSN_SZ);
	if (!e->insns)
		return -ENOMEM;
	s->nr_edits++;
	return 0;
}

static int cmp_edit(const void *a, const void *b)
{
	const struct eobj_edit *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * old -> new index map of an edited section; inner[i] marks old insns
 * strictly inside a replaced run (nothing may point there).
 */
static int build_map(struct eobj *o, int sec, unsigned char **inner)
{
	struct eobj_sec *s = &o->secs[sec];
	unsigned int i, n = s->size / INSN_SZ, at = 0, pos = 0;
	int k;

	qsort(s->edits, s->nr_edits, sizeof(*s->edits), cmp_edit);
	s->old_cnt = n;
	s->map = calloc(n + 1, sizeof(*s->map));
	*inner = calloc(n + 1, 1);
	if (!s->map || !*inner)
		return -ENOMEM;
	for (k = 0; k < s->nr_edits; k++) {
		const struct eobj_edit *e = &s->edits[k];

		if (e->start < at || e->start + e->len > n || !e->len)
			return eobj_error(o, EINVAL,
					  "section %s: overlapping edits at insn %u",
					  s->name, e->start);
		for (i = at; i < e->start; i++)
			s->map[i] = pos++;
		for (i = e->start; i < e->start + e->len; i++) {
			s->map[i] = pos;
			(*inner)[i] = i != e->start;
		}
		pos += e->cnt;
		at = e->start + e->len;
	}
	for (i = at; i <= n; i++)
		s->map[i] = pos++;
	return 0;
}

static bool is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static bool is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

/* the relative target of a jump, or false if @insn is not one */
static bool jump_target(const struct bpf_insn *insn, long *rel, bool *wide)
{
	unsigned char class = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	if (class != BPF_JMP && class != BPF_JMP32)
		return false;
	if (op == BPF_EXIT || op == BPF_CALL)
		return false;
	*wide = class == BPF_JMP32 && op == BPF_JA;
	*rel = *wide ? insn->imm : insn->off;
	return true;
}

/* the new relative offset from old insn @i to old insn @t, checked */
static int remap_rel(struct eobj *o, int sec, const unsigned char *inner,
		     unsigned int i, long t, long *out)
{
	struct eobj_sec *s = &o->secs[sec];

	if (t < 0 || t > (long)s->old_cnt || inner[t])
		return eobj_error(o, EINVAL,
				  "section %s insn %u: jump or call into the middle of a replaced run (target %ld)",
				  s->name, i, t);
	*out = (long)s->map[t] - (long)s->map[i] - 1;
	return 0;
}

/* copy the section's insns into their new places, fixing relative jumps */
static int rebuild_code(struct eobj *o, int sec, const unsigned char *inner)
{
	struct eobj_sec *s = &o->secs[sec];
	struct bpf_insn *old = s->data, *nw;
	unsigned int i, n = s->old_cnt;
	int k = 0, err;

	nw = calloc(s->map[n] + 1, INSN_SZ);
	if (!nw)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct bpf_insn *d = &nw[s->map[i]];
		long rel, t;
		bool wide;

		if (k < s->nr_edits && s->edits[k].start == i) {
			memcpy(d, s->edits[k].insns, s->edits[k].cnt * INSN_SZ);
			i += s->edits[k].len - 1;
			k++;
			continue;
		}
		*d = old[i];
		if (is_ldimm64(&old[i]) && i + 1 < n) {
			d[1] = old[++i];
			continue;
		}
		if (is_pseudo_call(&old[i]) && eobj_rel_sym(o, sec, i) < 0) {
			err = remap_rel(o, sec, inner, i, (long)i + 1 + old[i].imm, &t);
			if (err)
				goto fail;
			d->imm = t;
			continue;
		}
		if (!jump_target(&old[i], &rel, &wide))
			continue;
		err = remap_rel(o, sec, inner, i, (long)i + 1 + rel, &t);
		if (err)
			goto fail;
		if (wide) {
			d->imm = t;
		} else if (t < -32768 || t > 32767) {
			err = eobj_error(o, ERANGE,
					 "section %s insn %u: jump offset %ld does not fit in 16 bits after the rewrite",
					 s->name, i, t);
			goto fail;
		} else {
			d->off = t;
		}
	}
	free(s->data);
	s->data = nw;
	s->size = s->map[n] * INSN_SZ;
	s->shdr.sh_size = s->size;
	return 0;
fail:
	free(nw);
	return err;
}

static int cmp_rel(const void *a, const void *b)
{
	const Elf64_Rel *x = a, *y = b;

	return x->r_offset < y->r_offset ? -1 : x->r_offset > y->r_offset;
}

/* move the relocations of an edited section, drop those of replaced insns,
 * add the edits' new calls
 */
static int remap_rels(struct eobj *o, int sec)
{
	struct eobj_sec *s = &o->secs[sec];
	int rsec = rel_sec_of(o, sec), cnt, i, j, k;
	Elf64_Rel *r;

	for (k = 0; k < s->nr_edits; k++)
		if (s->edits[k].call_sym >= 0 && !rsec) {
			rsec = add_rel_sec(o, sec);
			if (rsec < 0)
				return rsec;
			s = &o->secs[sec];
		}
	r = rels(o, rsec, &cnt);
	for (i = 0, j = 0; i < cnt; i++) {
		unsigned int idx = r[i].r_offset / INSN_SZ;
		bool gone = false;

		for (k = 0; k < s->nr_edits; k++)
			if (idx >= s->edits[k].start &&
			    idx < s->edits[k].start + s->edits[k].len)
				gone = true;
		if (gone)
			continue;
		r[j] = r[i];
		r[j++].r_offset = (Elf64_Addr)s->map[idx] * INSN_SZ;
	}
	o->secs[rsec].size = j * sizeof(*r);
	for (k = 0; k < s->nr_edits; k++) {
		const struct eobj_edit *e = &s->edits[k];
		Elf64_Rel add;

		if (e->call_sym < 0)
			continue;
		add.r_offset = (Elf64_Addr)(s->map[e->start] + e->call_at) * INSN_SZ;
		add.r_info = ELF64_R_INFO(e->call_sym, R_BPF_64_32);
		if (grow(&o->secs[rsec], &add, sizeof(add)))
			return -ENOMEM;
	}
	qsort(o->secs[rsec].data, o->secs[rsec].size / sizeof(*r), sizeof(*r),
	      cmp_rel);
	o->secs[rsec].shdr.sh_size = o->secs[rsec].size;
	return 0;
}

/* symbols defined in edited sections: new value, and size for functions */
static void remap_syms(struct eobj *o, Elf64_Addr *old_val)
{
	int i, cnt;
	Elf64_Sym *sym = syms(o, &cnt);

	for (i = 0; i < cnt; i++) {
		const struct eobj_sec *s;
		unsigned int a, b;

		old_val[i] = sym[i].st_value;
		if (sym[i].st_shndx == SHN_UNDEF || sym[i].st_shndx >= o->nr_secs)
			continue;
		s = &o->secs[sym[i].st_shndx];
		if (!s->map || sym[i].st_value % INSN_SZ)
			continue;
		a = sym[i].st_value / INSN_SZ;
		b = (sym[i].st_value + sym[i].st_size) / INSN_SZ;
		if (a > s->old_cnt || b > s->old_cnt)
			continue;
		sym[i].st_value = (Elf64_Addr)s->map[a] * INSN_SZ;
		if (sym[i].st_size)
			sym[i].st_size = (Elf64_Xword)(s->map[b] - s->map[a]) * INSN_SZ;
	}
}

/*
 * Calls and callback addresses relocated against a symbol in an edited
 * section encode the target relative to the symbol: a call's imm is the
 * target insn minus the symbol's insn minus one, a callback ld_imm64's imm
 * the target's byte offset from the symbol.
 */
static int remap_relocated_targets(struct eobj *o, const Elf64_Addr *old_val)
{
	int rsec, i, cnt, nsyms;
	Elf64_Sym *sym = syms(o, &nsyms);

	for (rsec = 1; rsec < o->nr_secs; rsec++) {
		int tsec = o->secs[rsec].shdr.sh_info;
		struct bpf_insn *code;
		Elf64_Rel *r;

		if (o->secs[rsec].shdr.sh_type != SHT_REL ||
		    tsec <= 0 || tsec >= o->nr_secs || !eobj_is_code(o, tsec))
			continue;
		code = o->secs[tsec].data;
		r = rels(o, rsec, &cnt);
		for (i = 0; i < cnt; i++) {
			int si = ELF64_R_SYM(r[i].r_info);
			struct bpf_insn *insn;
			const struct eobj_sec *ds;
			long old_t, base_old, base_new;

			if (si <= 0 || si >= nsyms || sym[si].st_shndx == SHN_UNDEF ||
			    sym[si].st_shndx >= o->nr_secs)
				continue;
			ds = &o->secs[sym[si].st_shndx];
			if (!ds->map || r[i].r_offset + INSN_SZ > o->secs[tsec].size)
				continue;
			insn = &code[r[i].r_offset / INSN_SZ];
			base_old = old_val[si] / INSN_SZ;
			base_new = sym[si].st_value / INSN_SZ;
			if (is_pseudo_call(insn)) {
				old_t = base_old + insn->imm + 1;
				if (old_t < 0 || old_t > ds->old_cnt)
					return eobj_error(o, EINVAL,
							  "section %s: call target out of range",
							  o->secs[tsec].name);
				insn->imm = (long)ds->map[old_t] - base_new - 1;
			} else if (is_ldimm64(insn) &&
				   eobj_is_code(o, sym[si].st_shndx)) {
				/* a callback's address (libbpf makes it
				 * BPF_PSEUDO_FUNC)
				 */
				old_t = base_old + insn->imm / (long)INSN_SZ;
				if (old_t < 0 || old_t > ds->old_cnt)
					return eobj_error(o, EINVAL,
							  "section %s: callback target out of range",
							  o->secs[tsec].name);
				insn->imm = ((long)ds->map[old_t] - base_new) * INSN_SZ;
			}
		}
	}
	return 0;
}

/* ---- .BTF.ext ---- */

struct ext_hdr {
	__u16 magic;
	__u8 version, flags;
	__u32 hdr_len;
	struct { __u32 off, len; } blk[3];	/* func, line, CO-RE info */
};

bool eobj_btf(const struct eobj *o, const char **types, __u32 *type_len,
	      const char **strs, __u32 *str_len)
{
	const struct eobj_sec *b = o->btf ? &o->secs[o->btf] : NULL;
	const struct btf_header *h = b ? b->data : NULL;

	if (!b || b->size < sizeof(*h) || h->magic != BTF_MAGIC ||
	    h->hdr_len + (size_t)h->type_off + h->type_len > b->size ||
	    h->hdr_len + (size_t)h->str_off + h->str_len > b->size)
		return false;
	*types = (const char *)b->data + h->hdr_len + h->type_off;
	*type_len = h->type_len;
	*strs = (const char *)b->data + h->hdr_len + h->str_off;
	*str_len = h->str_len;
	return true;
}

static const char *btf_str(const struct eobj *o, __u32 off)
{
	const char *types, *strs;
	__u32 tlen, slen;

	if (!eobj_btf(o, &types, &tlen, &strs, &slen) || off >= slen)
		return "";
	return strs + off;
}

/*
 * Rebuild one info block (func, line or CO-RE records, insn_off first in
 * each): records of edited sections follow their insns; line records of
 * replaced insns are dropped.  @xlat maps old u32 slots to new ones.
 */
static int rebuild_ext_block(struct eobj *o, int kind, const char *blk,
			     __u32 len, __u32 blk_off, char **out, size_t *olen,
			     int *xlat)
{
	static const char *const kinds[] = { "func", "line", "CO-RE" };
	__u32 rec, pos;
	size_t at = *olen;
	char *p;

	if (len < 4)
		return 0;
	rec = *(const __u32 *)blk;
	if (rec < 4 || rec % 4)
		return eobj_error(o, EINVAL, ".BTF.ext: bad %s record size %u",
				  kinds[kind], rec);
	p = realloc(*out, at + len);
	if (!p)
		return -ENOMEM;
	*out = p;
	memcpy(p + at, blk, 4);
	xlat[blk_off / 4] = at / 4;
	at += 4;
	for (pos = 4; pos + 8 <= len;) {
		__u32 name = ((const __u32 *)(blk + pos))[0];
		__u32 num = ((const __u32 *)(blk + pos))[1], i, kept = 0;
		int sec = find_sec(o, btf_str(o, name));
		const struct eobj_sec *s = sec ? &o->secs[sec] : NULL;
		size_t hdr_at = at;
		long last = -1;

		if (pos + 8 + (size_t)num * rec > len)
			return eobj_error(o, EINVAL, ".BTF.ext: truncated %s info",
					  kinds[kind]);
		memcpy(p + at, blk + pos, 8);
		xlat[(blk_off + pos) / 4] = at / 4;
		at += 8;
		pos += 8;
		for (i = 0; i < num; i++, pos += rec) {
			__u32 off = *(const __u32 *)(blk + pos), idx = off / INSN_SZ, k;
			long nw = off;

			if (s && s->map && idx <= s->old_cnt) {
				unsigned int e;
				bool in = false;

				for (e = 0; e < (unsigned int)s->nr_edits; e++)
					in |= idx > s->edits[e].start &&
					      idx < s->edits[e].start + s->edits[e].len;
				if (in && kind != 1)
					return eobj_error(o, EINVAL,
							  "section %s insn %u: %s record inside a replaced run",
							  s->name, idx, kinds[kind]);
				nw = (long)s->map[idx] * INSN_SZ;
				if (in || (kind == 1 && nw == last))
					continue;
			}
			last = nw;
			memcpy(p + at, blk + pos, rec);
			*(__u32 *)(p + at) = nw;
			for (k = 0; k < rec / 4; k++)
				xlat[(blk_off + pos) / 4 + k] = at / 4 + k;
			at += rec;
			kept++;
		}
		((__u32 *)(p + hdr_at))[1] = kept;
	}
	*olen = at;
	return 0;
}

static int rebuild_btf_ext(struct eobj *o)
{
	struct eobj_sec *x = &o->secs[o->btf_ext];
	const struct ext_hdr *h = x->data;
	struct ext_hdr nh;
	int nblk, b, err, rsec, i, cnt, j;
	char *out = NULL;
	size_t olen;
	int *xlat;
	Elf64_Rel *r;

	if (x->size < 24 || h->magic != 0xeB9F || h->hdr_len > x->size)
		return eobj_error(o, EINVAL, ".BTF.ext: bad header");
	nblk = h->hdr_len >= 32 ? 3 : 2;
	xlat = malloc((x->size / 4 + 1) * sizeof(*xlat));
	if (!xlat)
		return -ENOMEM;
	for (i = 0; i <= (int)(x->size / 4); i++)
		xlat[i] = i < (int)(h->hdr_len / 4) ? i : -1;
	memset(&nh, 0, sizeof(nh));
	memcpy(&nh, h, h->hdr_len < sizeof(nh) ? h->hdr_len : sizeof(nh));
	out = malloc(h->hdr_len);
	if (!out) {
		free(xlat);
		return -ENOMEM;
	}
	memcpy(out, h, h->hdr_len);
	olen = h->hdr_len;
	for (b = 0; b < nblk; b++) {
		__u32 off = h->blk[b].off, len = h->blk[b].len;
		size_t start = olen;

		if (h->hdr_len + (size_t)off + len > x->size) {
			err = eobj_error(o, EINVAL, ".BTF.ext: block out of range");
			goto out;
		}
		err = rebuild_ext_block(o, b, (const char *)x->data + h->hdr_len + off,
					len, h->hdr_len + off, &out, &olen, xlat);
		if (err)
			goto out;
		nh.blk[b].off = start - h->hdr_len;
		nh.blk[b].len = olen - start;
	}
	memcpy(out, &nh, h->hdr_len < sizeof(nh) ? h->hdr_len : sizeof(nh));
	/* .rel.BTF.ext points into the records: follow them */
	rsec = rel_sec_of(o, o->btf_ext);
	r = rels(o, rsec, &cnt);
	for (i = 0, j = 0; i < cnt; i++) {
		long slot = r[i].r_offset / 4;

		if (r[i].r_offset % 4 || slot > (long)(x->size / 4) || xlat[slot] < 0)
			continue;
		r[j] = r[i];
		r[j++].r_offset = (Elf64_Addr)xlat[slot] * 4;
	}
	if (rsec) {
		o->secs[rsec].size = j * sizeof(*r);
		o->secs[rsec].shdr.sh_size = o->secs[rsec].size;
	}
	free(x->data);
	x->data = out;
	x->size = olen;
	x->shdr.sh_size = olen;
	out = NULL;
	err = 0;
out:
	free(out);
	free(xlat);
	return err;
}

/*
 * .BTF.ext info block @kind (0 func, 1 line, 2 CO-RE): its bytes, length
 * and record size; false if the object has none or it is malformed.
 */
static bool ext_block(const struct eobj *o, int kind, const char **blk,
		      __u32 *len, __u32 *rec)
{
	const struct eobj_sec *x;
	const struct ext_hdr *h;

	if (!o->btf_ext || !o->btf)
		return false;
	x = &o->secs[o->btf_ext];
	h = x->data;
	if (x->size < 24 || h->magic != 0xeB9F || h->hdr_len < 24 + 8 * (kind == 2) ||
	    h->hdr_len + (size_t)h->blk[kind].off + h->blk[kind].len > x->size)
		return false;
	*blk = (const char *)x->data + h->hdr_len + h->blk[kind].off;
	*len = h->blk[kind].len;
	if (*len < 4)
		return false;
	*rec = *(const __u32 *)*blk;
	return *rec >= 8 || (kind != 0 && *rec >= 4);
}

/*
 * Visit the records of info block @kind that belong to section @sec:
 * @fn(record, arg) for each; stops when it returns true (returned).
 */
static bool ext_records(const struct eobj *o, int kind, int sec,
			bool (*fn)(const __u32 *rec, void *arg), void *arg)
{
	const char *blk;
	__u32 rec, pos, len, i;

	if (!ext_block(o, kind, &blk, &len, &rec))
		return false;
	for (pos = 4; pos + 8 <= len;) {
		const __u32 *sh = (const void *)(blk + pos);
		bool mine = find_sec(o, btf_str(o, sh[0])) == sec;
		__u32 num = sh[1];

		pos += 8;
		for (i = 0; i < num && pos + rec <= len; i++, pos += rec)
			if (mine && fn((const void *)(blk + pos), arg))
				return true;
	}
	return false;
}

struct mark_arg {
	unsigned char *mark;
	__u32 n;
};

static bool mark_insn(const __u32 *rec, void *arg)
{
	struct mark_arg *m = arg;

	if (rec[0] / INSN_SZ < m->n)
		m->mark[rec[0] / INSN_SZ] = 1;
	return false;
}

void eobj_core_relo_insns(const struct eobj *o, int sec, unsigned char *mark)
{
	struct mark_arg m = { mark, o->secs[sec].size / INSN_SZ };

	ext_records(o, 2, sec, mark_insn, &m);
}

struct find_arg {
	long insn, type;
};

static bool find_func(const __u32 *rec, void *arg)
{
	struct find_arg *f = arg;

	if (rec[0] != f->insn * INSN_SZ)
		return false;
	f->type = rec[1];
	return true;
}

long eobj_func_info_type(const struct eobj *o, int sec, long insn)
{
	struct find_arg f = { insn, -1 };

	if (insn >= 0)
		ext_records(o, 0, sec, find_func, &f);
	return f.type;
}

int eobj_commit(struct eobj *o)
{
	unsigned char **inner;
	Elf64_Addr *old_val;
	int i, nsyms, err = 0, any = 0, nsecs = o->nr_secs;

	syms(o, &nsyms);
	inner = calloc(nsecs, sizeof(*inner));
	old_val = calloc(nsyms + 1, sizeof(*old_val));
	if (!inner || !old_val) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 1; i < nsecs && !err; i++)
		if (o->secs[i].nr_edits) {
			err = build_map(o, i, &inner[i]);
			any = 1;
		}
	if (err || !any)
		goto out;
	for (i = 1; i < nsecs && !err; i++)
		if (o->secs[i].map)
			err = rebuild_code(o, i, inner[i]);
	for (i = 1; i < o->nr_secs && !err; i++)
		if (o->secs[i].map)
			err = remap_rels(o, i);
	if (err)
		goto out;
	remap_syms(o, old_val);
	err = remap_relocated_targets(o, old_val);
	if (!err && o->btf_ext && o->btf)
		err = rebuild_btf_ext(o);
out:
	for (i = 0; i < o->nr_secs; i++) {
		struct eobj_sec *s = &o->secs[i];
		int k;

		if (inner && i < nsecs)
			free(inner[i]);
		for (k = 0; k < s->nr_edits; k++)
			free(s->edits[k].insns);
		free(s->edits);
		s->edits = NULL;
		s->nr_edits = 0;
		free(s->map);
		s->map = NULL;
	}
	free(inner);
	free(old_val);
	return err;
}

/* ---- output ---- */

static int write_fd(struct eobj *o, int fd)
{
	GElf_Ehdr eh;
	Elf *e;
	int i, err = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return eobj_error(o, EINVAL, "libelf too old");
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e || !gelf_newehdr(e, ELFCLASS64))
		return eobj_error(o, EIO, "libelf: %s", elf_errmsg(-1));
	gelf_getehdr(e, &eh);
	memcpy(eh.e_ident, o->ehdr.e_ident, EI_NIDENT);
	eh.e_type = o->ehdr.e_type;
	eh.e_machine = o->ehdr.e_machine;
	eh.e_version = o->ehdr.e_version;
	eh.e_flags = o->ehdr.e_flags;
	eh.e_shstrndx = o->ehdr.e_shstrndx;
	if (!gelf_update_ehdr(e, &eh))
		err = -EIO;
	for (i = 1; i < o->nr_secs && !err; i++) {
		struct eobj_sec *s = &o->secs[i];
		Elf_Scn *scn = elf_newscn(e);
		Elf_Data *d = scn ? elf_newdata(scn) : NULL;

		if (!d) {
			err = -EIO;
			break;
		}
		d->d_type = ELF_T_BYTE;
		d->d_align = s->shdr.sh_addralign ? s->shdr.sh_addralign : 1;
		d->d_version = EV_CURRENT;
		if (s->shdr.sh_type == SHT_NOBITS) {
			d->d_buf = NULL;
			d->d_size = s->shdr.sh_size;
		} else {
			d->d_buf = s->data;
			d->d_size = s->size;
			s->shdr.sh_size = s->size;
		}
		if (!gelf_update_shdr(scn, &s->shdr))
			err = -EIO;
	}
	if (!err && elf_update(e, ELF_C_WRITE) < 0)
		err = -EIO;
	if (err)
		eobj_error(o, EIO, "writing the object: %s", elf_errmsg(-1));
	elf_end(e);
	return err;
}

int eobj_write_file(struct eobj *o, const char *path)
{
	char *tmp;
	int fd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		free(tmp);
		return eobj_error(o, err, "cannot create %s.*: %s", path,
				  strerror(err));
	}
	err = write_fd(o, fd);
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = eobj_error(o, errno, "writing %s: %s", path, strerror(errno));
	close(fd);
	if (!err && rename(tmp, path))
		err = eobj_error(o, errno, "renaming to %s: %s", path,
				 strerror(errno));
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

int eobj_write_mem(struct eobj *o, void **buf, size_t *size)
{
	FILE *f = tmpfile();
	long n;
	int err;

	if (!f)
		return eobj_error(o, errno, "tmpfile: %s", strerror(errno));
	err = write_fd(o, fileno(f));
	if (!err) {
		n = lseek(fileno(f), 0, SEEK_END);
		*buf = malloc(n > 0 ? n : 1);
		*size = n;
		if (!*buf || n <= 0 || pread(fileno(f), *buf, n, 0) != n)
			err = eobj_error(o, EIO, "reading back the object");
	}
	fclose(f);
	return err;
}
