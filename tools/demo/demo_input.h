/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The demo's input, made the same way in the VM and on the host. */
#ifndef DEMO_INPUT_H
#define DEMO_INPUT_H

#include "demo_algo.h"

static inline void demo_fill(demo_u64 *w)
{
	demo_u64 x = 0x243f6a8885a308d3ULL;
	int i;

	for (i = 0; i < DEMO_WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

#endif
