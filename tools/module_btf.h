/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Find a kernel module's BTF object by name with libbpf: the fd that goes
 * into fd_array for kfunc and kinsn calls into that module.  Shared by the
 * selftests and the benchmark's VM side.
 */
#ifndef MODULE_BTF_H
#define MODULE_BTF_H

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

/* fd of module @name's BTF (its BTF id in *@id_out), or -ENOENT */
static inline int module_btf_fd(const char *name, __u32 *id_out)
{
	struct bpf_btf_info info;
	__u32 id = 0, len;
	char buf[64];
	int fd;

	while (!bpf_btf_get_next_id(id, &id)) {
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.name = (unsigned long)buf;
		info.name_len = sizeof(buf);
		len = sizeof(info);
		if (!bpf_btf_get_info_by_fd(fd, &info, &len) &&
		    info.kernel_btf && !strcmp(buf, name)) {
			*id_out = id;
			return fd;
		}
		close(fd);
	}
	return -ENOENT;
}

#endif
