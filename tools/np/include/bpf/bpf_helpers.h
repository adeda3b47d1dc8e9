/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <bpf/bpf_helpers.h> for a BPF C source compiled into a kernel module by
 * tools/np (the whole-program mode): the section and map-definition
 * macros become plain C, and the helpers a program calls become what the
 * kernel's helpers do (np_helpers.h).  A helper not listed there is a
 * compile error: the module cannot offer it.
 */
#ifndef KOPS_NP_BPF_HELPERS_H
#define KOPS_NP_BPF_HELPERS_H

#include "np_helpers.h"

#endif
