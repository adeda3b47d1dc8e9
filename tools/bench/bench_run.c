// SPDX-License-Identifier: GPL-2.0
/*
 * bench_run (host): read what bench printed in the VM, map every jited
 * image executable and run it natively on this CPU next to the same
 * workload compiled natively (clang -O2), after checking that all of them
 * compute what the VM computed.  Variants are interleaved round by round;
 * the median of the rounds is reported.  Prints a Markdown table and,
 * with a second argument, writes the numbers as CSV for the plots.
 *
 *	bench_run VM_LOG [CSV]		x86-64 images: check, time, sizes
 *	bench_run --sizes VM_LOG [CSV]	another arch's images: sizes only
 *
 * The images are self-contained (no helper calls; the bench kernel has
 * no return thunks), so an image is called as image(ctx) with ctx laid
 * out like struct xdp_buff: data, data_end.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "workloads.h"
#include "native_image.h"

#define ROUNDS	51
#define MAX_NS	1e7	/* calls per timing batch are sized to ~1 ms */

typedef native_image_fn prog_fn;

struct variant {
	prog_fn fn;
	unsigned int bytes, bpf, verified;
	bu64 vm_result;
	bool seen;
	bool not_run;		/* this variant's image cannot run here */
	unsigned char *code;	/* the image as the VM printed it */
	double load_us;		/* verifier + JIT in the VM (TCG) */
	unsigned int nr_relocs;
	unsigned char *reloc[8];	/* host addresses of map data it reads */
};

struct workload {
	const char *name;
	prog_fn native;
	struct variant v[2];	/* stock, eins */
	double ns[3];		/* stock, eins, native */
	const char *not_runnable;	/* why the images cannot run natively */
	double load_us_without;	/* stock build, eins.ko not loaded */
};

#define NATIVE_FN(name)							\
static unsigned int native_##name(void *ctx)				\
{									\
	bu64 *w = *(bu64 **)ctx;					\
									\
	w[0] = wl_##name(w, (const bu8 *)w);				\
	return 2;							\
}
BENCH_WORKLOADS(NATIVE_FN)

#define WORKLOAD(n)	{ .name = #n, .native = native_##n },
static struct workload wls[] = { BENCH_WORKLOADS(WORKLOAD) };
#define NR_WLS	(int)(sizeof(wls) / sizeof(wls[0]))

static bu64 buf[BENCH_WORDS];

static struct workload *find(const char *name)
{
	int i;

	for (i = 0; i < NR_WLS; i++)
		if (!strcmp(wls[i].name, name))
			return &wls[i];
	return NULL;
}

static int variant_idx(const char *s)
{
	return !strcmp(s, "eins") ? 1 : !strcmp(s, "stock") ? 0 : -1;
}

/*
 * Point the image's 64-bit immediates that hold kernel addresses of map
 * data (movabs with a kernel-half value, in program order) at the host
 * copies of that data.  Their number must match the program's map refs.
 */
static int relocate(struct variant *v)
{
	unsigned int i, n = 0;
	bu64 imm;

	for (i = 0; i + 10 <= v->bytes; i++) {
		if ((v->code[i] & 0xfe) != 0x48 || (v->code[i + 1] & 0xf8) != 0xb8)
			continue;
		memcpy(&imm, v->code + i + 2, 8);
		if (imm < 0xff00000000000000ULL)	/* kernel half, 4 or 5 levels */
			continue;
		if (n == v->nr_relocs)
			return -1;
		imm = (bu64)(unsigned long)v->reloc[n++];
		memcpy(v->code + i + 2, &imm, 8);
		i += 9;
	}
	return n == v->nr_relocs ? 0 : -1;
}

static int read_log(const char *path, bool run)
{
	static unsigned char code[1 << 16];
	char line[4096], vname[32], name[64], *p;
	unsigned int len = 0, n = 0, b, bpf, ver, bytes, funcs, id, size;
	double us;
	struct variant *last = NULL;
	unsigned char *data = NULL;
	int off;
	struct variant *cur = NULL;
	struct workload *wl;
	unsigned long long r;
	FILE *f = fopen(path, "r");
	int vi;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if ((p = strstr(line, "bench: ")) &&
		    sscanf(p, "bench: %31s %63s bpf %u verified %u bytes %u funcs %u result %llx",
			   vname, name, &bpf, &ver, &bytes, &funcs, &r) == 7) {
			wl = find(name);
			vi = variant_idx(vname);
			if (!wl || vi < 0)
				continue;
			wl->v[vi].bpf = bpf;
			wl->v[vi].verified = ver;
			wl->v[vi].bytes = bytes;
			wl->v[vi].vm_result = r;
			wl->v[vi].seen = true;
			/* calls into other jited functions cannot run here */
			wl->v[vi].not_run = funcs > 1;
			if (funcs > 1)
				wl->not_runnable = "%s calls a BPF subprogram";
		} else if ((p = strstr(line, "bench: load ")) &&
			   sscanf(p, "bench: load %31s %63s %lf us", vname, name, &us) == 3) {
			wl = find(name);
			vi = variant_idx(vname);
			if (wl && vi >= 0)
				wl->v[vi].load_us = us;
			else if (wl && !strcmp(vname, "stock-without-eins"))
				wl->load_us_without = us;
		} else if (sscanf(line, "IMAGE %31[^:]:%63s %u", vname, name, &len) == 3) {
			wl = find(name);
			vi = variant_idx(vname);
			cur = wl && vi >= 0 && len <= sizeof(code) ? &wl->v[vi] : NULL;
			n = 0;
		} else if (sscanf(line, "MAPREF %u %d %u", &id, &off, &size) == 3) {
			/* map data the last image reads: keep a host copy */
			data = last && last->nr_relocs < 8 && off >= 0 &&
			       (unsigned int)off < size ? calloc(1, size) : NULL;
			if (!data) {
				fprintf(stderr, "bench_run: bad MAPREF\n");
				return -1;
			}
			last->reloc[last->nr_relocs++] = data + off;
			len = size;
			n = 0;
		} else if (data && !strncmp(line, "MAPDATA ", 8)) {
			for (p = line + 8; n < len && sscanf(p, "%2x", &b) == 1; p += 2)
				data[n++] = b;
		} else if (cur && !strncmp(line, "IMG ", 4)) {
			for (p = line + 4; n < len && sscanf(p, "%2x", &b) == 1; p += 2)
				code[n++] = b;
		} else if (!strncmp(line, "END", 3)) {
			if (cur) {
				cur->code = malloc(len);
				if (n != len || !cur->code) {
					fprintf(stderr, "bench_run: bad image\n");
					return -1;
				}
				memcpy(cur->code, code, len);
				last = cur;
			}
			cur = NULL;
			data = NULL;
		}
	}
	fclose(f);
	for (vi = 0; vi < NR_WLS; vi++) {
		for (n = 0; run && n < 2; n++) {
			struct variant *v = &wls[vi].v[n];

			if (!v->code || v->not_run)
				continue;
			if (relocate(v) || !(v->fn = native_map_image(v->code, v->bytes))) {
				fprintf(stderr, "bench_run: %s: cannot map image\n",
					wls[vi].name);
				return -1;
			}
		}
		if (!wls[vi].v[0].seen || !wls[vi].v[1].seen ||
		    (run && !wls[vi].not_runnable &&
		     (!wls[vi].v[0].fn || !wls[vi].v[1].fn))) {
			fprintf(stderr, "bench_run: %s: missing from %s\n",
				wls[vi].name, path);
			return -1;
		}
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static prog_fn fn_of(struct workload *wl, int k)
{
	return k == 2 ? wl->native : wl->v[k].fn;
}

#define CHECK_INPUTS	256

/*
 * All three variants give the VM's result on the benchmark input, and the
 * same results as each other on CHECK_INPUTS more inputs.
 */
static int check(struct workload *wl)
{
	void *ctx[8] = { buf, buf + BENCH_WORDS };
	bu64 want;
	int k, s;

	for (s = 1; s <= CHECK_INPUTS; s++) {
		for (k = 0; k < 3; k++) {
			bench_fill_seed(buf, s * 0x9e3779b97f4a7c15ULL);
			fn_of(wl, k)(ctx);
			if (!k)
				want = buf[0];
			else if (buf[0] != want) {
				printf("bench_run: %s: variant %d differs on input %d\n",
				       wl->name, k, s);
				return -1;
			}
		}
	}

	for (k = 0; k < 3; k++) {
		if (getenv("BENCH_DEBUG"))
			fprintf(stderr, "bench_run: %s variant %d\n", wl->name, k);
		bench_fill(buf);
		if (fn_of(wl, k)(ctx) != 2 || buf[0] != wl->v[0].vm_result ||
		    wl->v[1].vm_result != wl->v[0].vm_result) {
			printf("bench_run: %s: variant %d gives %016llx, VM %016llx / %016llx\n",
			       wl->name, k, buf[0], wl->v[0].vm_result,
			       wl->v[1].vm_result);
			return -1;
		}
	}
	return 0;
}

static void time_workload(struct workload *wl)
{
	void *ctx[8] = { buf, buf + BENCH_WORDS };
	double ns[3][ROUNDS], t0;
	int calls = 1, k, r, c;

	/* calls per batch: about 0.2 ms of the stock variant */
	bench_fill(buf);
	do {
		calls *= 2;
		t0 = now_ns();
		for (c = 0; c < calls; c++)
			wl->v[0].fn(ctx);
	} while (now_ns() - t0 < MAX_NS / 10 && calls < (1 << 20));

	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < 3; k++) {
			int v = (r + k) % 3;
			prog_fn fn = fn_of(wl, v);

			t0 = now_ns();
			for (c = 0; c < calls; c++)
				fn(ctx);
			ns[v][r] = (now_ns() - t0) / calls;
		}
	}
	for (k = 0; k < 3; k++)
		wl->ns[k] = native_median(ns[k], ROUNDS);
}

int main(int argc, char **argv)
{
	bool sizes = argc > 1 && !strcmp(argv[1], "--sizes");
	const char *log = argv[sizes ? 2 : 1];
	const char *csv = argc > (sizes ? 3 : 2) ? argv[sizes ? 3 : 2] : NULL;
	double geo = 1, size_geo = 1;
	FILE *out = NULL;
	double load[3] = { 0 };
	int i, napps = 0;

	if (argc < 2 + sizes || argc > 3 + sizes) {
		fprintf(stderr, "usage: bench_run [--sizes] VM_LOG [CSV]\n");
		return 2;
	}
	if (read_log(log, !sizes))
		return 1;
	if (csv && !(out = fopen(csv, "w"))) {
		perror(csv);
		return 1;
	}
	if (out)
		fprintf(out, "workload,stock_ns,eins_ns,native_ns,stock_bytes,eins_bytes,stock_verified,eins_verified\n");

	if (sizes) {
		printf("| program | stock bytes | EInsn bytes | size | stock insns | EInsn insns |\n");
		printf("|---|---:|---:|---:|---:|---:|\n");
	} else {
		printf("| program | stock ns/run | EInsn ns/run | native C ns/run | EInsn speedup | EInsn vs native | stock bytes | EInsn bytes | size | verified insns stock / EInsn | load ms (TCG): stock without eins.ko / stock / EInsn |\n");
		printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	}
	for (i = 0; i < NR_WLS; i++) {
		struct workload *wl = &wls[i];
		double size = (double)wl->v[1].bytes / wl->v[0].bytes;

		if (!sizes && wl->not_runnable) {
			printf("| %s | not runnable natively: ", wl->name);
			printf(wl->not_runnable, wl->v[0].not_run ? "stock" : "EInsn");
			printf(" | | | | | %u | %u | %+.0f%% | %u / %u |\n",
			       wl->v[0].bytes,
			       wl->v[1].bytes, (size - 1) * 100,
			       wl->v[0].verified, wl->v[1].verified);
			continue;
		}
		if (!sizes) {
			if (check(wl))
				return 1;
			time_workload(wl);
		}
		if (sizes)
			printf("| %s | %u | %u | %+.0f%% | %u | %u |\n", wl->name,
			       wl->v[0].bytes, wl->v[1].bytes, (size - 1) * 100,
			       wl->v[0].bytes / 4, wl->v[1].bytes / 4);
		else
			printf("| %s | %.1f | %.1f | %.1f | %.2fx | %.2fx | %u | %u | %+.0f%% | %u / %u | %.1f / %.1f / %.1f |\n",
			       wl->name, wl->ns[0], wl->ns[1], wl->ns[2],
			       wl->ns[0] / wl->ns[1], wl->ns[2] / wl->ns[1],
			       wl->v[0].bytes, wl->v[1].bytes, (size - 1) * 100,
			       wl->v[0].verified, wl->v[1].verified,
			       wl->load_us_without / 1000, wl->v[0].load_us / 1000,
			       wl->v[1].load_us / 1000);
		if (out)
			fprintf(out, "%s,%.2f,%.2f,%.2f,%u,%u,%u,%u\n", wl->name,
				wl->ns[0], wl->ns[1], wl->ns[2], wl->v[0].bytes,
				wl->v[1].bytes, wl->v[0].verified, wl->v[1].verified);
		load[0] += wl->load_us_without;
		load[1] += wl->v[0].load_us;
		load[2] += wl->v[1].load_us;
		if (i >= 7) {	/* the application-shaped programs */
			geo *= sizes ? 1 : wl->ns[0] / wl->ns[1];
			size_geo *= size;
			napps++;
		}
	}
	printf("\napplication-shaped programs (%d run): geometric mean size %+.0f%%",
	       napps, (pow(size_geo, 1.0 / napps) - 1) * 100);
	if (!sizes)
		printf(", speedup %.2fx", pow(geo, 1.0 / napps));
	printf("\n");
	if (!sizes)
		printf("load time, all programs (TCG): stock without eins.ko %.0f ms, stock %.0f ms, EInsn %.0f ms (%+.1f%% over stock without eins.ko)\n",
		       load[0] / 1000, load[1] / 1000, load[2] / 1000,
		       (load[2] / load[0] - 1) * 100);
	if (out)
		fclose(out);
	return 0;
}
