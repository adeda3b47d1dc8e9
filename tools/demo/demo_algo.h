/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The demo's workload, shared by the BPF program (stock idioms or eins.h
 * builtins) and the natively compiled C it is compared with: an
 * xxhash64-style hash over a buffer of u64 words, and a per-word score
 * clamped with a select.
 */
#ifndef DEMO_ALGO_H
#define DEMO_ALGO_H

typedef unsigned long long demo_u64;

#define DEMO_WORDS	256
#define DEMO_P1		0x9e3779b185ebca87ULL
#define DEMO_P2		0xc2b2ae3d27d4eb4fULL
#define DEMO_P4		0x85ebca77c2b2ae63ULL

#ifdef DEMO_EINS
#include "eins.h"
#define DEMO_ROTL(x, n)		eins_rotl64(x, n)
#define DEMO_MIN(a, b)		eins_select_lt(a, b, a, b)
#else
#define DEMO_ROTL(x, n)		((x) << (n) | (x) >> (64 - (n)))
#define DEMO_MIN(a, b)		((a) < (b) ? (a) : (b))
#endif

static inline demo_u64 demo_round(demo_u64 acc, demo_u64 v)
{
	acc += v * DEMO_P2;
	acc = DEMO_ROTL(acc, 31);
	return acc * DEMO_P1;
}

/* out[0] = hash of w[0..n), out[1] = sum of min(w[i] >> 32, limit) */
#define DEMO_BODY(w, n, out, limit) do {				\
	demo_u64 __h = DEMO_P4, __s = 0;				\
	int __i;							\
									\
	for (__i = 0; __i < (n); __i++) {				\
		__h ^= demo_round(0, (w)[__i]);				\
		__h = DEMO_ROTL(__h, 27) * DEMO_P1 + DEMO_P4;		\
		__s += DEMO_MIN((w)[__i] >> 32, (demo_u64)(limit));	\
	}								\
	(out)[0] = __h;							\
	(out)[1] = __s;							\
} while (0)

#endif
