/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: the uapi header plus what the op files take from the
 * kernel's linux/bpf.h.
 */
#ifndef _SHIM_LINUX_BPF_H
#define _SHIM_LINUX_BPF_H
#include <linux/types.h>
#include_next <linux/bpf.h>
#define THIS_MODULE ((struct module *)0)
#endif
