/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF helpers, for a BPF program compiled as kernel C by tools/np:
 * each does what the kernel's helper (or the verifier's inline form of
 * it) does, on the maps the core bound to the program (np_maps[], in the
 * order the bytecode first references them).  Included through the
 * <bpf/bpf_helpers.h> shim, after the generated np_maps[],
 * np_map_types[], np_map_value_size[] and np_map_max_entries[] of the
 * program's file.
 */
#ifndef KOPS_NP_HELPERS_H
#define KOPS_NP_HELPERS_H

#include "np_shim.h"

/* map definitions: plain C objects, only their addresses are used */
#define SEC(name)
#define __uint(name, val)	int (*name)[val]
#define __type(name, val)	typeof(val) *name
#define __array(name, val)	typeof(val) *name[]
#define __ulong(name, val)	enum { ___bpf_concat(__unique_value, __COUNTER__) = val } name
#define ___bpf_concat(a, b)	a ## b
#define __hidden		__attribute__((visibility("hidden")))
#define __noinline		noinline	/* the kernel's spelling */

/*
 * array_map_lookup_elem(), which the verifier inlines for the bytecode,
 * with the map's entry count and value size as constants (the binding
 * hash pins them); the element size and index mask are what
 * array_map_alloc() derives from them.
 */
static __always_inline void *np_array_lookup(int slot, struct bpf_map *map,
					     const void *key)
{
	struct bpf_array *array = container_of(map, struct bpf_array, map);
	u32 max_entries = np_map_max_entries[slot];
	u32 index_mask = (1ULL << fls_long(max_entries - 1)) - 1;
	u32 index = *(const u32 *)key;

	if (unlikely(index >= max_entries))
		return NULL;
	return array->value +
	       (u64)round_up(np_map_value_size[slot], 8) * (index & index_mask);
}

/*
 * The map helpers call the map's ops directly, as the verifier has the
 * JIT do: through a static call per slot and op (np_map_lookup() and its
 * kin, generated), which the module points at the bound maps' ops before
 * a program runs (struct bpf_native_prog.maps_bound).  An indirect call
 * through map->ops would cost a retpoline where those are on.  Until
 * then (and for a map type without the op) a call lands in these.
 */
static void *np_unbound_lookup(struct bpf_map *map, void *key) __maybe_unused;
static void *np_unbound_lookup(struct bpf_map *map, void *key)
{
	return NULL;
}

static long np_unbound_update(struct bpf_map *map, void *key, void *value,
			      u64 flags) __maybe_unused;
static long np_unbound_update(struct bpf_map *map, void *key, void *value,
			      u64 flags)
{
	return -EINVAL;
}

static long np_unbound_delete(struct bpf_map *map, void *key) __maybe_unused;
static long np_unbound_delete(struct bpf_map *map, void *key)
{
	return -EINVAL;
}

/* point static call @name at the op @fn, if the map type has it */
#define np_point(name, fn) do {				\
	if (fn)						\
		static_call_update(name, fn);		\
} while (0)

static __always_inline void *bpf_map_lookup_elem(const void *def,
						 const void *key)
{
	int slot = np_map_slot(def);
	struct bpf_map *map;

	if (slot < 0)
		return NULL;
	map = np_maps[slot];
	if (np_map_types[slot] == BPF_MAP_TYPE_ARRAY)
		return np_array_lookup(slot, map, key);
	return np_map_lookup(slot, map, (void *)key);
}

static __always_inline long bpf_map_update_elem(const void *def,
						const void *key,
						const void *value, u64 flags)
{
	int slot = np_map_slot(def);
	struct bpf_map *map;

	if (slot < 0)
		return -EINVAL;
	map = np_maps[slot];
	return np_map_update(slot, map, (void *)key, (void *)value, flags);
}

static __always_inline long bpf_map_delete_elem(const void *def,
						const void *key)
{
	int slot = np_map_slot(def);
	struct bpf_map *map;

	if (slot < 0)
		return -EINVAL;
	map = np_maps[slot];
	return np_map_delete(slot, map, (void *)key);
}

static __always_inline u64 bpf_ktime_get_ns(void)
{
	return ktime_get_mono_fast_ns();
}

static __always_inline u32 bpf_get_smp_processor_id(void)
{
	return raw_smp_processor_id();
}

/*
 * bpf_for(): the bpf_iter_num kfuncs (kernel/bpf/bpf_iter.c) inline, on
 * the same state with the same results, so that the loop runs the
 * iterations the bytecode runs; the loop itself as <bpf/bpf_helpers.h>
 * writes it, which bounds i to [start, end) however the state ends.
 * (The kernel builds with -fno-strict-overflow: cur + 1 wraps there too.)
 */
struct np_iter_num {
	int cur;	/* the value last returned; start - 1 before the first */
	int end;
} __aligned(8);

static __always_inline int bpf_iter_num_new(struct bpf_iter_num *it,
					    int start, int end)
{
	struct np_iter_num *s = (void *)it;

	BUILD_BUG_ON(sizeof(*s) != sizeof(*it));
	if (start > end || (s64)end - (s64)start > BPF_MAX_LOOPS) {
		s->cur = s->end = 0;
		return start > end ? -EINVAL : -E2BIG;
	}
	s->cur = start - 1;
	s->end = end;
	return 0;
}

static __always_inline int *bpf_iter_num_next(struct bpf_iter_num *it)
{
	struct np_iter_num *s = (void *)it;

	if ((s64)(s->cur + 1) >= s->end) {
		s->cur = s->end = 0;
		return NULL;
	}
	s->cur++;
	return &s->cur;
}

static __always_inline void bpf_iter_num_destroy(struct bpf_iter_num *it)
{
	struct np_iter_num *s = (void *)it;

	s->cur = s->end = 0;
}

#define bpf_for(i, start, end)						\
	for (struct bpf_iter_num ___it __aligned(8)			\
		     __cleanup(bpf_iter_num_destroy),			\
	     *___p __maybe_unused =					\
		     (bpf_iter_num_new(&___it, (start), (end)), NULL);	\
	     ({								\
		int *___t = bpf_iter_num_next(&___it);			\
									\
		___t && ((i) = *___t, (i) >= (start) && (i) < (end));	\
	     });)

#define bpf_repeat(n)							\
	for (struct bpf_iter_num ___it __aligned(8)			\
		     __cleanup(bpf_iter_num_destroy),			\
	     *___p __maybe_unused =					\
		     (bpf_iter_num_new(&___it, 0, (n)), NULL);		\
	     bpf_iter_num_next(&___it);)

/*
 * bpf_loop(): the helper (kernel/bpf/bpf_iter.c) with the callback called
 * directly, so that clang inlines it: the same checks, the same count of
 * calls and the same result.  The verifier holds the callback's result
 * to 0 (go on) or 1 (stop).
 */
#define bpf_loop(nr_loops, callback_fn, callback_ctx, flags)		\
({									\
	u32 ___n = (nr_loops), ___i;					\
	void *___ctx = (callback_ctx);					\
	long ___ret;							\
									\
	if ((u64)(flags)) {						\
		___ret = -EINVAL;					\
	} else if (___n > BPF_MAX_LOOPS) {				\
		___ret = -E2BIG;					\
	} else {							\
		for (___i = 0; ___i < ___n; ___i++)			\
			if ((callback_fn)(___i, ___ctx)) {		\
				___i++;					\
				break;					\
			}						\
		___ret = ___i;						\
	}								\
	___ret;								\
})

#endif
