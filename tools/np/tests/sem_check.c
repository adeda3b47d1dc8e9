// SPDX-License-Identifier: GPL-2.0
/*
 * sem_check: the functions of sem_ops.c, compiled through np-ir.py, give
 * what BPF defines on the inputs C leaves undefined (and what C gives on
 * the others), and do not trap.  TAP-style "ok - " / "not ok - " lines.
 */
#include <stdint.h>
#include <stdio.h>
#include "sem_ops.h"

static int failed;

#define CHECK(expr, want) do {						\
	long long got_ = (long long)(expr), want_ = (long long)(want);	\
	if (got_ == want_) {						\
		printf("ok - np-ir: %s = %lld\n", #expr, want_);	\
	} else {							\
		printf("not ok - np-ir: %s = %lld, want %lld\n", #expr,	\
		       got_, want_);					\
		failed++;						\
	}								\
} while (0)

int main(void)
{
	/* x / 0 = 0, x % 0 = x */
	CHECK(sem_udiv64(5, 0), 0);
	CHECK(sem_umod64(5, 0), 5);
	CHECK(sem_sdiv64(-7, 0), 0);
	CHECK(sem_smod64(-7, 0), -7);
	CHECK(sem_udiv32(9, 0), 0);
	CHECK(sem_umod32(9, 0), 9);
	CHECK(sem_sdiv32(-9, 0), 0);
	CHECK(sem_smod32(-9, 0), -9);
	CHECK(sem_sdiv8(1000, 0), 0);
	/* S_MIN / -1 = S_MIN, S_MIN % -1 = 0; x / -1 = -x */
	CHECK(sem_sdiv64(INT64_MIN, -1), INT64_MIN);
	CHECK(sem_smod64(INT64_MIN, -1), 0);
	CHECK(sem_sdiv32(INT32_MIN, -1), INT32_MIN);
	CHECK(sem_smod32(INT32_MIN, -1), 0);
	CHECK(sem_sdiv8(INT64_MIN, -1), INT64_MIN);
	CHECK(sem_sdiv64(6, -1), -6);
	/* defined cases as in C */
	CHECK(sem_sdiv64(-7, 2), -3);
	CHECK(sem_smod64(-7, 2), -1);
	CHECK(sem_udiv64(~0ull, 3), 0x5555555555555555ll);
	CHECK(sem_sdiv8(-1000, 7), -142);
	/* shift counts modulo the width */
	CHECK(sem_shl64(1, 65), 2);
	CHECK(sem_shr64(4, 66), 1);
	CHECK(sem_sar64(-8, 66), -2);
	CHECK(sem_shl32(1, 33), 2);
	CHECK(sem_sar32(-8, 34), -2);
	CHECK(sem_shl64(3, 63), 1ull << 63);
	/* bit counts of 0 are the width */
	CHECK(sem_clz64(0), 64);
	CHECK(sem_clz64(1), 63);
	CHECK(sem_ctz32(0), 32);
	/* the zero test after a division survives */
	CHECK(sem_div_then_test(7, 0), 0xdead);
	CHECK(sem_div_then_test(7, 2), 3);
	return failed != 0;
}
