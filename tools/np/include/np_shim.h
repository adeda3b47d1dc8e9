/* SPDX-License-Identifier: GPL-2.0 */
/*
 * First include of every program file tools/np generates: the kernel
 * headers, then what makes a BPF C source compile as kernel C.
 *
 * The program's ctx: an XDP program's struct xdp_md is, to native code,
 * the struct xdp_buff the kernel passes (the verifier rewrites each ctx
 * field access into a load from it).  Fields with no xdp_buff member of
 * the same name and meaning (ingress_ifindex, rx_queue_index,
 * egress_ifindex) do not compile.
 */
#ifndef KOPS_NP_SHIM_H
#define KOPS_NP_SHIM_H

#include <linux/bpf.h>
#include <linux/bpf_native_prog.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/static_call.h>
#include <linux/timekeeping.h>
#include <net/xdp.h>

#ifndef KOPS_NATIVE_PROG
#define KOPS_NATIVE_PROG 1
#endif

#define xdp_md xdp_buff

/* the program's map slot for a map definition's address (generated) */
static __always_inline int np_map_slot(const void *def);

/* the ops of the map in a slot, called directly (generated) */
static __always_inline void *np_map_lookup(int slot, struct bpf_map *map,
					   void *key);
static __always_inline long np_map_update(int slot, struct bpf_map *map,
					  void *key, void *value, u64 flags);
static __always_inline long np_map_delete(int slot, struct bpf_map *map,
					  void *key);

#endif
