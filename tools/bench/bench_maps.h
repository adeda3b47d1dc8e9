/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark programs' maps, from user space (libbpf): the tables as
 * every run starts them, and a digest of what the programs left in them.
 * Used in the VM by bench.c and selftests/eins/test_native.c.
 */
#ifndef BENCH_MAPS_H
#define BENCH_MAPS_H

#include <stdbool.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workloads.h"

/* the array maps the programs use: not libbpf's global data (OBJ.rodata) */
static inline bool bench_map_is_table(struct bpf_map *map)
{
	return bpf_map__type(map) == BPF_MAP_TYPE_ARRAY &&
	       !strchr(bpf_map__name(map), '.');
}

/*
 * Zero every map of @obj, then fill the tables the programs look up
 * (computed once: every program starts from the same tables).
 */
static inline int bench_maps_reset(struct bpf_object *obj)
{
	static bu32 lut[MAGLEV_M];
	static struct backend be[NR_BACKENDS + 1];
	static bu64 bits[CLS_FIELDS * 256];
	static struct cls_rule rules[CLS_RULES];
	static unsigned char zero[4096];
	static bool filled;
	struct bpf_map *map;
	bu32 k;

	if (!filled) {
		bench_fill_maglev(lut);
		bench_fill_backends(be);
		bench_fill_cls(bits, rules);
		filled = true;
	}
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		int fd = bpf_map__fd(map);
		unsigned int vs = bpf_map__value_size(map);
		const void *v;

		if (!bench_map_is_table(map))
			continue;
		for (k = 0; k < bpf_map__max_entries(map); k++) {
			v = !strcmp(name, "maglev") ? (void *)&lut[k] :
			    !strcmp(name, "backends") ? (void *)&be[k] :
			    !strcmp(name, "cls_bits") ? (void *)&bits[k] :
			    !strcmp(name, "cls_rules") ? (void *)&rules[k] :
			    (void *)zero;
			if (vs > sizeof(zero) || bpf_map_update_elem(fd, &k, v, 0))
				return -1;
		}
	}
	return 0;
}

/* fold every entry of @obj's tables into @h; -1 if one cannot be read */
static inline int bench_maps_digest(struct bpf_object *obj, bu64 *h)
{
	unsigned char val[4096];
	struct bpf_map *map;
	bu32 k, vs;

	bpf_object__for_each_map(map, obj) {
		vs = bpf_map__value_size(map);
		if (!bench_map_is_table(map) || bpf_map__fd(map) < 0)
			continue;
		if (vs > sizeof(val))
			return -1;
		for (k = 0; k < bpf_map__max_entries(map); k++) {
			if (bpf_map_lookup_elem(bpf_map__fd(map), &k, val))
				return -1;
			*h = pkt_digest(*h, k, val, vs);
		}
	}
	return 0;
}

#endif
