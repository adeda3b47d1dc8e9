/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: CPU features are variables the enumerator sets. */
#ifndef _SHIM_ASM_CPUFEATURE_H
#define _SHIM_ASM_CPUFEATURE_H
#include <stdbool.h>
extern unsigned long shim_cpu_features;
enum {
	X86_FEATURE_BMI1, X86_FEATURE_BMI2, X86_FEATURE_MOVBE,
	X86_FEATURE_POPCNT, X86_FEATURE_ABM, SHIM_ARM64_CSSC,
};
#define boot_cpu_has(f)			((shim_cpu_features >> (f)) & 1)
#define cpu_have_named_feature(f)	boot_cpu_has(SHIM_ARM64_##f)
#endif
