/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side helpers to run jited BPF images natively (docs/benchmarks.md),
 * shared by the demo (tools/demo/imgrun.c) and the benchmarks
 * (tools/bench/bench_run.c).
 */
#ifndef NATIVE_IMAGE_H
#define NATIVE_IMAGE_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * The kernel functions a jited image may call that the host runs too,
 * from copies of the kernel's code for them: bpf_for's kfuncs, leaf
 * functions touching only the iterator state the image passes
 */
#define NATIVE_IMAGE_KFUNCS(X)						\
	X(bpf_iter_num_new) X(bpf_iter_num_next) X(bpf_iter_num_destroy)

/* A jited image, called as image(ctx) with an xdp_buff-shaped ctx. */
typedef unsigned int (*native_image_fn)(void *ctx);

/*
 * Copy @code into fresh executable memory, @offset bytes into its page
 * (where it starts relative to cache lines and fetch blocks changes its
 * speed); NULL on failure.
 */
static inline native_image_fn native_map_image_at(const unsigned char *code,
						  unsigned int len,
						  unsigned int offset)
{
	void *p = mmap(NULL, len + offset, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy((char *)p + offset, code, len);
	if (mprotect(p, len + offset, PROT_READ | PROT_EXEC))
		return NULL;
	return (native_image_fn)((char *)p + offset);
}

static inline native_image_fn native_map_image(const unsigned char *code,
					       unsigned int len)
{
	return native_map_image_at(code, len, 0);
}

static inline int native_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n samples (sorts them). */
static inline double native_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), native_cmp_double);
	return v[n / 2];
}

#endif
