/* SPDX-License-Identifier: GPL-2.0 */
/* Does a loaded BPF program run a module's whole-program native code? */
#ifndef NP_FDINFO_H
#define NP_FDINFO_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* fdinfo's native_prog line names @module */
static inline bool np_prog_replaced(int fd, const char *module)
{
	char path[64], line[256], want[128];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(want, sizeof(want), "native_prog:\t%s\n", module);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		found |= !strcmp(line, want);
	if (f)
		fclose(f);
	return found;
}

#endif
