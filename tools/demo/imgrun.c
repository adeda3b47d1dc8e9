// SPDX-License-Identifier: GPL-2.0
/*
 * imgrun (host): take the jited images the VM printed (demo.c), write each
 * to DIR/NAME.bin (all --no-run does, for images of another arch), run each
 * natively on this CPU against the demo input
 * next to the same algorithm compiled natively, check all results agree
 * with each other and with what the VM computed, and time them side by
 * side: rounds interleave the variants, the median of the rounds is
 * reported.
 *
 * The images are self-contained (no helper calls; the kernel has no return
 * thunks), so an image is called as image(ctx) with ctx laid out like
 * struct xdp_buff: data, data_end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "demo_algo.h"
#include "demo_input.h"
#include "native_image.h"

#define MAX_IMAGES	4
#define ROUNDS		31
#define CALLS		2000

struct variant {
	char name[32];
	native_image_fn fn;
	unsigned int len;
	demo_u64 vm_result[2];
};

static struct variant vars[MAX_IMAGES + 1];
static int nr_vars;
static demo_u64 buf[DEMO_WORDS];

static unsigned int native_c(void *ctx)
{
	demo_u64 *w = *(demo_u64 **)ctx, out[2];

	DEMO_BODY(w, DEMO_WORDS, out, 0x7fffffff);
	w[0] = out[0];
	w[1] = out[1];
	return 2;
}

static int read_log(const char *log, const char *dir)
{
	static unsigned char code[1 << 16];
	char line[4096], name[32], result_of[32] = "", path[512];
	unsigned long long r0 = 0, r1 = 0;
	unsigned int len = 0, n = 0, b;
	struct variant *v = NULL;
	FILE *f = fopen(log, "r"), *o;
	char *p;

	if (!f) {
		perror(log);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if ((p = strstr(line, "demo: ")) &&
		    sscanf(p, "demo: %31[^:]: %*u BPF insns after verification, %*u bytes of %*s code, result %llx %llx",
			   result_of, &r0, &r1) == 3) {
			/* the image of this variant comes next */
		} else if (sscanf(line, "IMAGE %31s %u", name, &len) == 2 &&
			   nr_vars < MAX_IMAGES && len <= sizeof(code)) {
			v = &vars[nr_vars++];
			snprintf(v->name, sizeof(v->name), "%s", name);
			if (!strcmp(name, result_of)) {
				v->vm_result[0] = r0;
				v->vm_result[1] = r1;
			}
			n = 0;
		} else if (v && !strncmp(line, "IMG ", 4)) {
			for (p = line + 4; n < len && sscanf(p, "%2x", &b) == 1; p += 2)
				code[n++] = b;
		} else if (v && !strncmp(line, "END ", 4)) {
			if (n != len) {
				fprintf(stderr, "imgrun: %s: %u of %u bytes\n", v->name, n, len);
				return -1;
			}
			v->len = len;
			v->fn = native_map_image(code, len);
			snprintf(path, sizeof(path), "%s/%s.bin", dir, v->name);
			o = fopen(path, "w");
			if (!v->fn || !o || fwrite(code, 1, len, o) != len) {
				perror(path);
				return -1;
			}
			fclose(o);
			v = NULL;
		}
	}
	fclose(f);
	return nr_vars ? 0 : -1;
}

int main(int argc, char **argv)
{
	static double ns[MAX_IMAGES + 1][ROUNDS];
	void *ctx[8] = { buf, buf + DEMO_WORDS };
	demo_u64 want[2];
	struct timespec t0, t1;
	int i, r, k, bad = 0;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--no-run"))) {
		fprintf(stderr, "usage: imgrun VM_LOG OUTDIR [--no-run]\n");
		return 2;
	}
	if (read_log(argv[1], argv[2])) {
		fprintf(stderr, "imgrun: no jited images in %s\n", argv[1]);
		return 1;
	}
	if (argc == 4)		/* images of another arch: only write them */
		return 0;
	vars[nr_vars].fn = native_c;
	snprintf(vars[nr_vars++].name, sizeof(vars[0].name), "native C (clang -O2)");

	demo_fill(buf);
	native_c(ctx);
	want[0] = buf[0];
	want[1] = buf[1];
	for (i = 0; i < nr_vars; i++) {
		demo_fill(buf);
		if (vars[i].fn(ctx) != 2 || buf[0] != want[0] || buf[1] != want[1] ||
		    (vars[i].len && (vars[i].vm_result[0] != want[0] ||
				     vars[i].vm_result[1] != want[1]))) {
			printf("imgrun: %s: result differs: host %016llx %016llx, VM %016llx %016llx, native C %016llx %016llx\n",
			       vars[i].name, buf[0], buf[1], vars[i].vm_result[0],
			       vars[i].vm_result[1], want[0], want[1]);
			bad = 1;
		}
	}
	if (bad)
		return 1;
	printf("all variants agree: %016llx %016llx (host run and VM run)\n",
	       want[0], want[1]);

	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < nr_vars; k++) {
			i = (r + k) % nr_vars;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (int c = 0; c < CALLS; c++)
				vars[i].fn(ctx);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ns[i][r] = ((t1.tv_sec - t0.tv_sec) * 1e9 +
				    (t1.tv_nsec - t0.tv_nsec)) / CALLS;
		}
	}
	printf("%-22s %10s %8s %12s\n", "variant", "ns/run", "bytes", "vs stock");
	for (i = 0; i < nr_vars; i++)
		native_median(ns[i], ROUNDS);
	for (i = 0; i < nr_vars; i++) {
		double med = ns[i][ROUNDS / 2], stock = ns[0][ROUNDS / 2];
		char bytes[16] = "-";

		if (vars[i].len)
			snprintf(bytes, sizeof(bytes), "%u", vars[i].len);
		printf("%-22s %10.1f %8s %11.2fx\n", vars[i].name, med, bytes,
		       stock / med);
	}
	return 0;
}
