// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* libeins: open BPF objects with kinsn sites on any kernel (libeins.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "expand.h"
#include "ops_user.h"

/* the ops this object's sites need that the kernel lacks, as a list */
static void op_list(unsigned int mask, char *buf, size_t size)
{
	int op, n = 0;

	buf[0] = 0;
	for (op = 0; op < EINS_NR_OPS; op++)
		if (mask & (1u << op))
			n += snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
				      eins_op_name(op));
}

/* true if the object declares any op's extern (eins.h declares all) */
static bool names_an_op(const struct eobj *o)
{
	int op;

	for (op = 0; op < EINS_NR_OPS; op++)
		if (eobj_find_sym(o, eins_op_func(op)) >= 0)
			return true;
	return false;
}

#define ALL_OPS	((1u << EINS_NR_OPS) - 1)

/*
 * Expand the sites of the ops the kernel lacks (or all); the image to
 * open is returned in @out (NULL: open @buf as it is).  An op the kernel
 * lacks has its extern made weak even without sites.
 */
static int prepare(const char *name, const void *buf, size_t size,
		   unsigned int flags, void **out, size_t *out_size)
{
	struct eins_expand_stats st;
	unsigned int have, missing, fell = 0, nr = 0;
	char list[128];
	struct eobj o;
	int ret, op;

	*out = NULL;
	eins_kernel_ops(&have);
	missing = (flags & EINS_LOAD_EXPAND_ALL ? ALL_OPS : ~have) & ALL_OPS;
	if (!missing)
		return 0;
	ret = eobj_open_mem(&o, name, buf, size);
	if (ret)
		goto out;
	ret = eins_expand_obj(&o, missing, &st);
	if (ret)
		goto out;
	for (op = 0; op < EINS_NR_OPS; op++)
		if (st.expanded[op]) {
			fell |= 1u << op;
			nr += st.expanded[op];
		}
	op_list(fell & ~have, list, sizeof(list));
	if ((fell & ~have) && (flags & EINS_LOAD_STRICT)) {
		ret = eobj_error(&o, EOPNOTSUPP,
				 "this kernel lacks %s (modprobe eins?); strict mode does not fall back",
				 list);
		goto out;
	}
	if (!nr && !names_an_op(&o))
		goto out;
	ret = eobj_write_mem(&o, out, out_size);
	if (!ret && fell && !(flags & EINS_LOAD_QUIET)) {
		op_list(fell, list, sizeof(list));
		fprintf(stderr, "eins: %s: %s %s: %u site%s run as proof sequences\n",
			name, list, flags & EINS_LOAD_EXPAND_ALL ?
			"expanded on request" : "not in this kernel", nr,
			nr == 1 ? "" : "s");
	}
out:
	if (ret)
		fprintf(stderr, "eins: %s\n", o.err[0] ? o.err : strerror(-ret));
	eobj_free(&o);
	return ret;
}

struct bpf_object *eins_open_mem(const void *buf, size_t size,
				 const struct bpf_object_open_opts *opts,
				 unsigned int flags)
{
	const char *name = opts && opts->object_name ? opts->object_name :
			   "object";
	struct bpf_object *obj;
	size_t out_size;
	void *out;
	int ret;

	ret = prepare(name, buf, size, flags, &out, &out_size);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	obj = bpf_object__open_mem(out ? out : buf, out ? out_size : size, opts);
	ret = errno;
	free(out);	/* libbpf is done with the image once opened */
	errno = ret;
	return obj;
}

struct bpf_object *eins_open_file(const char *path,
				  const struct bpf_object_open_opts *opts,
				  unsigned int flags)
{
	LIBBPF_OPTS(bpf_object_open_opts, o);
	struct bpf_object *obj;
	const char *base;
	size_t size;
	void *buf;
	int err;

	buf = eobj_read_file(path, &size);
	if (!buf)
		return NULL;
	if (!size) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	o.sz = sizeof(o);
	if (!o.object_name) {
		/* libbpf names file objects after their base name */
		base = strrchr(path, '/');
		o.object_name = base ? base + 1 : path;
	}
	obj = eins_open_mem(buf, size, &o, flags);
	err = errno;
	free(buf);
	errno = err;
	return obj;
}

int eins_open_skeleton(struct bpf_object_skeleton *s,
		       const struct bpf_object_open_opts *opts,
		       unsigned int flags)
{
	const void *orig = s->data;
	size_t orig_size = s->data_sz, out_size;
	void *out;
	int ret;

	ret = prepare(s->name, orig, orig_size, flags, &out, &out_size);
	if (ret)
		return ret;
	if (out) {
		s->data = out;
		s->data_sz = out_size;
	}
	ret = bpf_object__open_skeleton(s, opts);
	s->data = orig;
	s->data_sz = orig_size;
	free(out);
	return ret;
}
