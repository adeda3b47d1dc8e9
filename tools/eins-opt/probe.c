// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Which ops the running kernel has: eins.ko's BTF (/sys/kernel/btf/eins)
 * names a FUNC eins_<op> for each op it registers, and the module only
 * loads on a kernel with the Kops core.  Read directly (no libbpf) so
 * eins-opt needs only libelf and libz3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include "libeins.h"
#include "ops_user.h"
#include "btfraw.h"
#include "elfobj.h"

/* bytes that follow a btf_type of this kind */
static long btf_type_extra(const struct btf_type *t)
{
	unsigned int vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:	return 4;
	case BTF_KIND_ARRAY:	return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:	return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:	return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO: return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:	return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:	return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:	return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64:	return vlen * sizeof(struct btf_enum64);
	default:		return 0;
	}
}

const struct btf_type *btf_walk(const char *types, long len, long *pos)
{
	const struct btf_type *t;

	if (*pos + (long)sizeof(*t) > len)
		return NULL;
	t = (const void *)(types + *pos);
	*pos += sizeof(*t) + btf_type_extra(t);
	return t;
}

int eins_kernel_ops(unsigned int *mask)
{
	size_t vsize, msize;
	long pos = 0, base_strs;
	const struct btf_type *t;
	const struct btf_header *vh, *mh;
	char *vbuf, *mbuf;
	int op;

	*mask = 0;
	vbuf = eobj_read_file("/sys/kernel/btf/vmlinux", &vsize);
	mbuf = eobj_read_file("/sys/kernel/btf/eins", &msize);
	vh = (const void *)vbuf;
	mh = (const void *)mbuf;
	if (!vbuf || !mbuf || vsize < sizeof(*vh) ||
	    msize < sizeof(*mh) || vh->magic != BTF_MAGIC ||
	    mh->magic != BTF_MAGIC ||
	    mh->hdr_len + (size_t)mh->type_off + mh->type_len > msize ||
	    mh->hdr_len + (size_t)mh->str_off + mh->str_len > msize)
		goto out;
	/* split BTF: string offsets continue the base's string section */
	base_strs = vh->str_len;
	while ((t = btf_walk(mbuf + mh->hdr_len + mh->type_off, mh->type_len,
			     &pos))) {
		long name = (long)t->name_off - base_strs;

		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC && name >= 0 &&
		    name < (long)mh->str_len) {
			op = eins_op_by_func(mbuf + mh->hdr_len + mh->str_off + name);
			if (op >= 0)
				*mask |= 1u << op;
		}
	}
out:
	free(vbuf);
	free(mbuf);
	return 0;
}
