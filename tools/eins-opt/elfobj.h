/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * elfobj: a BPF ELF object (as clang writes it) held in memory, with
 * edits that replace runs of instructions by other runs of any length.
 *
 * Committing the edits keeps the object loadable: jump offsets, BPF-to-BPF
 * calls and callback addresses (relative or relocated), relocation
 * offsets, function symbols (value and size) and the .BTF.ext func, line
 * and CO-RE records (and .rel.BTF.ext) follow their instructions.  Nothing
 * is written until every edit of every section has been applied without
 * error; the output file is written to a temporary name and renamed.
 */
#ifndef EINS_ELFOBJ_H
#define EINS_ELFOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <gelf.h>
#include <linux/bpf.h>

struct eobj_edit {
	unsigned int start;	/* first replaced insn */
	unsigned int len;	/* replaced insns */
	struct bpf_insn *insns;	/* the replacement */
	unsigned int cnt;
	int call_at;		/* insn of the replacement that calls... */
	int call_sym;		/* ...this symbol (a new relocation), or -1 */
};

struct eobj_sec {
	const char *name;
	GElf_Shdr shdr;
	void *data;		/* current contents (owned) */
	size_t size;
	struct eobj_edit *edits;
	int nr_edits;
	/* old insn index -> new, while committing */
	unsigned int *map;
	unsigned int old_cnt;
};

struct eobj {
	const char *name;	/* for messages */
	GElf_Ehdr ehdr;
	int nr_secs;
	struct eobj_sec *secs;
	int symtab, strtab, btf, btf_ext;
	char err[512];
};

int eobj_open_mem(struct eobj *o, const char *name, const void *buf,
		  size_t size);
int eobj_open_file(struct eobj *o, const char *path);
/* a whole file, malloc'd; NULL with errno set */
void *eobj_read_file(const char *path, size_t *size);
void eobj_free(struct eobj *o);

static inline bool eobj_is_code(const struct eobj *o, int sec)
{
	const GElf_Shdr *sh = &o->secs[sec].shdr;

	return sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_EXECINSTR);
}

static inline struct bpf_insn *eobj_insns(const struct eobj *o, int sec,
					  unsigned int *cnt)
{
	*cnt = o->secs[sec].size / sizeof(struct bpf_insn);
	return o->secs[sec].data;
}

/* Relocations: visit every Elf64_Rel applying to section @sec. */
int eobj_rel_sym(const struct eobj *o, int sec, unsigned int insn);
const char *eobj_sym_name(const struct eobj *o, int sym);
int eobj_find_sym(const struct eobj *o, const char *name);
/* the anonymous read-only constant an ld_imm64 at @insn points to */
bool eobj_anon_rodata(const struct eobj *o, int sec, unsigned int insn,
		      const unsigned char **bytes, size_t *len);
/* add an undefined global symbol (an extern); returns its index */
int eobj_add_extern(struct eobj *o, const char *name);
void eobj_set_sym_weak(struct eobj *o, int sym);

/* the BTF FUNC type id .BTF.ext gives the function at @insn, or -1 */
long eobj_func_info_type(const struct eobj *o, int sec, long insn);
/* the object's .BTF type records and strings; false if none or malformed */
bool eobj_btf(const struct eobj *o, const char **types, __u32 *type_len,
	      const char **strs, __u32 *str_len);

/* mark[i] = 1 for every insn of @sec a CO-RE relocation patches */
void eobj_core_relo_insns(const struct eobj *o, int sec, unsigned char *mark);

/* append a section (its header's name, size and offset are set here) */
int eobj_add_sec(struct eobj *o, const char *name, const GElf_Shdr *shdr,
		 const void *data, size_t size);

/* Replace insns [start, start + len) of @sec by @cnt insns (copied). */
int eobj_replace(struct eobj *o, int sec, unsigned int start,
		 unsigned int len, const struct bpf_insn *insns,
		 unsigned int cnt, int call_at, int call_sym);
/* Apply all edits; on error the object is unusable and o->err says why. */
int eobj_commit(struct eobj *o);

/* Serialize; never leaves a half-written @path. */
int eobj_write_file(struct eobj *o, const char *path);
int eobj_write_mem(struct eobj *o, void **buf, size_t *size);

int eobj_error(struct eobj *o, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
