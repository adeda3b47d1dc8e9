// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Site expansion on the ELF image: the loader's fallback (see expand.h). */
#include <errno.h>
#include <string.h>
#include "expand.h"
#include "ops_user.h"

int eins_site_op(const struct eobj *o, int sec, const struct bpf_insn *insn,
		 unsigned int i, unsigned int n)
{
	int sym;

	if (!eins_site_start(&insn[i], n - i))
		return -1;
	sym = eobj_rel_sym(o, sec, i);
	return sym < 0 ? -1 : eins_op_by_func(eobj_sym_name(o, sym));
}

static int expand_sec(struct eobj *o, int sec, unsigned int mask,
		      struct eins_expand_stats *st)
{
	struct bpf_insn proof[EINS_PROOF_MAX];
	unsigned int i, n, len;
	struct bpf_insn *insn = eobj_insns(o, sec, &n);
	const char *why;
	int op, cnt, err;

	for (i = 0; i < n; i++) {
		op = eins_site_op(o, sec, insn, i, n);
		if (op < 0)
			continue;
		cnt = eins_site_proof(op, &insn[i], n - i, proof, &len, &why);
		if (cnt < 0)
			return eobj_error(o, EINVAL,
					  "section %s insn %u: bad %s site: %s",
					  o->secs[sec].name, i, eins_op_name(op),
					  why);
		st->sites[op]++;
		if (mask & (1u << op)) {
			err = eobj_replace(o, sec, i, len, proof, cnt, -1, -1);
			if (err)
				return err;
			st->expanded[op]++;
		}
		i += len - 1;
	}
	return 0;
}

static unsigned int count_insns(const struct eobj *o)
{
	unsigned int total = 0, n;
	int sec;

	for (sec = 1; sec < o->nr_secs; sec++)
		if (eobj_is_code(o, sec)) {
			eobj_insns(o, sec, &n);
			total += n;
		}
	return total;
}

int eins_expand_obj(struct eobj *o, unsigned int mask,
		    struct eins_expand_stats *st)
{
	int sec, op, err;

	memset(st, 0, sizeof(*st));
	st->insns_before = count_insns(o);
	for (sec = 1; sec < o->nr_secs; sec++) {
		if (!eobj_is_code(o, sec))
			continue;
		err = expand_sec(o, sec, mask, st);
		if (err)
			return err;
	}
	err = eobj_commit(o);
	if (err)
		return err;
	for (op = 0; op < EINS_NR_OPS; op++)
		if (mask & (1u << op))
			eobj_set_sym_weak(o, eobj_find_sym(o, eins_op_func(op)));
	st->insns_after = count_insns(o);
	return 0;
}
