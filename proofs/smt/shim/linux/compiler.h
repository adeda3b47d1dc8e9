/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/compiler.h>: what the op files use. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))

#endif
