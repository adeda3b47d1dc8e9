// SPDX-License-Identifier: GPL-2.0
/*
 * corpus_run MANIFEST: the rewriter on code no one here wrote.  Each
 * manifest line names an object built by stock clang and eins-opt's
 * output of it.  For every program of a type BPF_PROG_TEST_RUN can feed
 * packets to (XDP, TC, socket filter, cgroup skb, LWT), the original and
 * the rewritten program are loaded alone (the other programs of the
 * object are not), and the rewritten one must pass the verifier and give
 * the original's return value and output packet on 1,000 generated
 * packets (Ethernet + IPv4/IPv6 + TCP/UDP headers with random fields and
 * payload, 64-512 bytes).  Programs eins-opt left as they were are only
 * counted; a program calling a helper whose result varies (time, random
 * numbers), or whose original gives different results when loaded again,
 * is reported as nondeterministic and not compared.  TAP output, one line
 * per compared program.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "eins_lib.h"
#include "libeins.h"

#define NR_INPUTS	1000
#define MAX_PKT		512

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static bool runnable(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
		return true;
	default:
		return false;
	}
}

/* packet @k: Ethernet, IPv4 or IPv6, TCP or UDP, random fields */
static int gen_packet(unsigned int k, unsigned char *p)
{
	int len, i, l3, l4;

	eins_srand(0x5eed0000ull + k);
	len = 64 + eins_rand() % (MAX_PKT - 64 + 1);
	for (i = 0; i < len; i++)
		p[i] = eins_rand();
	l3 = 14;
	if (k % 4 != 3) {			/* IPv4 */
		p[12] = 0x08, p[13] = 0x00;
		p[l3] = 0x45;
		p[l3 + 2] = (len - l3) >> 8, p[l3 + 3] = len - l3;
		p[l3 + 6] = 0x40, p[l3 + 7] = 0;	/* DF, no fragment */
		p[l3 + 9] = k % 2 ? 6 : 17;
		l4 = l3 + 20;
	} else {				/* IPv6 */
		p[12] = 0x86, p[13] = 0xdd;
		p[l3] = 0x60;
		p[l3 + 4] = (len - l3 - 40) >> 8, p[l3 + 5] = len - l3 - 40;
		p[l3 + 6] = k % 8 == 3 ? 6 : 17;
		l4 = l3 + 40;
	}
	if (k % 5 == 0)				/* well-known ports now and then */
		p[l4 + 2] = 0, p[l4 + 3] = 80;
	if (p[l3 + 9] == 6 || p[l3 + 6] == 6)
		p[l4 + 12] = 0x50;		/* TCP data offset */
	else
		p[l4 + 4] = (len - l4) >> 8, p[l4 + 5] = len - l4;
	return len;
}

struct loaded {
	struct bpf_object *obj;
	struct bpf_program *prog;
	int fd;
	int sites;	/* kinsn sites in the loaded program, subprograms too */
};

/* open @path (through libeins if @eins), load program @name alone */
static int load_one(const char *path, const char *name, bool eins,
		    struct loaded *l)
{
	struct bpf_program *p;
	int err;

	l->obj = eins ? eins_open_file(path, NULL, EINS_LOAD_QUIET) :
			bpf_object__open_file(path, NULL);
	if (!l->obj)
		return -errno;
	bpf_object__for_each_program(p, l->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), name));
	err = bpf_object__load(l->obj);
	if (err) {
		bpf_object__close(l->obj);
		l->obj = NULL;
		return err;
	}
	p = bpf_object__find_program_by_name(l->obj, name);
	l->prog = p;
	l->fd = bpf_program__fd(p);
	l->sites = 0;
	/* after the load, libbpf's copy holds the subprograms it appended */
	for (size_t i = 0; bpf_program__insns(p) && i < bpf_program__insn_cnt(p); i++)
		l->sites += bpf_program__insns(p)[i].code == BPF_KINSN_PAYLOAD;
	return 0;
}

struct result {
	__u32 retval, size;
	unsigned char out[MAX_PKT + 256];
};

static int run(int fd, unsigned int k, struct result *r)
{
	unsigned char in[MAX_PKT];
	LIBBPF_OPTS(bpf_test_run_opts, o);

	o.data_in = in;
	o.data_size_in = gen_packet(k, in);
	o.data_out = r->out;
	o.data_size_out = sizeof(r->out);
	memset(r, 0, sizeof(*r));
	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	r->retval = o.retval;
	r->size = o.data_size_out;
	return 0;
}

static bool same(const struct result *a, const struct result *b)
{
	return a->retval == b->retval && a->size == b->size &&
	       !memcmp(a->out, b->out, a->size < sizeof(a->out) ? a->size :
						      sizeof(a->out));
}

static int nr_test, nr_fail, nr_skip, nr_nodet, nr_noload, nr_same;
static int nr_sites, nr_unchanged;

/* helpers whose result differs from run to run */
static bool nondeterministic_helper(__s32 id)
{
	switch (id) {
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_get_prandom_u32:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_jiffies64:
	case BPF_FUNC_ktime_get_boot_ns:
	case BPF_FUNC_ktime_get_coarse_ns:
	case BPF_FUNC_ktime_get_tai_ns:
		return true;
	default:
		return false;
	}
}

/* the loaded program (with the subprograms libbpf appended) calls one */
static bool calls_nondeterministic(struct bpf_program *p)
{
	const struct bpf_insn *in = bpf_program__insns(p);
	size_t i, n = bpf_program__insn_cnt(p);

	for (i = 0; in && i < n; i++)
		if (in[i].code == (BPF_JMP | BPF_CALL) && !in[i].src_reg &&
		    nondeterministic_helper(in[i].imm))
			return true;
	return false;
}

/* same insns, 64-bit immediates that hold map fds aside */
static bool same_insns(struct bpf_program *a, struct bpf_program *b)
{
	const struct bpf_insn *x = bpf_program__insns(a), *y = bpf_program__insns(b);
	size_t i, n = bpf_program__insn_cnt(a);

	if (!x || !y || n != bpf_program__insn_cnt(b))
		return false;
	for (i = 0; i < n; i++) {
		if (x[i].code == (BPF_LD | BPF_IMM | BPF_DW) && x[i].src_reg &&
		    y[i].code == x[i].code && y[i].src_reg == x[i].src_reg &&
		    i + 1 < n) {
			i++;	/* a map fd (or address) and its offset */
			continue;
		}
		if (memcmp(&x[i], &y[i], sizeof(x[i])))
			return false;
	}
	return true;
}

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++nr_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		nr_fail++;
}

/* the original again, fresh: does it repeat its own results? */
static bool deterministic(const char *orig, const char *name, unsigned int upto,
			  const struct result *first)
{
	struct loaded l;
	struct result r;
	unsigned int k;
	bool ok = true;

	if (load_one(orig, name, false, &l))
		return false;
	for (k = 0; k <= upto && ok; k++)
		ok = !run(l.fd, k, &r) && same(&r, &first[k]);
	bpf_object__close(l.obj);
	return ok;
}

static void compare(const char *orig, const char *opt, const char *name)
{
	static struct result ro[NR_INPUTS];
	struct loaded a, b;
	struct result rb;
	unsigned int k;
	int err;

	if (load_one(orig, name, false, &a)) {
		nr_noload++;
		return;	/* the VM's kernel cannot load the original */
	}
	err = load_one(opt, name, true, &b);
	if (err) {
		tap(false, "%s %s: the rewritten program does not load (%d)",
		    opt, name, err);
		bpf_object__close(a.obj);
		return;
	}
	if (same_insns(a.prog, b.prog)) {
		nr_unchanged++;	/* eins-opt left this program as it was */
		goto out;
	}
	if (calls_nondeterministic(a.prog)) {
		nr_nodet++;
		printf("ok %d %s %s # SKIP calls a helper whose result varies (time, random)\n",
		       ++nr_test, orig, name);
		goto out;
	}
	for (k = 0; k < NR_INPUTS; k++) {
		if (run(a.fd, k, &ro[k])) {
			printf("ok %d %s %s # SKIP test run refused\n", ++nr_test,
			       orig, name);
			nr_skip++;
			goto out;
		}
		if (run(b.fd, k, &rb) || !same(&ro[k], &rb))
			break;
	}
	if (k == NR_INPUTS) {
		nr_same++;
		nr_sites += b.sites;
		tap(true, "%s %s: identical on %d packets (%d sites)", opt, name,
		    NR_INPUTS, b.sites);
	} else if (!deterministic(orig, name, k, ro)) {
		nr_nodet++;
		printf("ok %d %s %s # SKIP nondeterministic original\n", ++nr_test,
		       orig, name);
	} else {
		tap(false, "%s %s: packet %u: retval %u size %u, original %u size %u",
		    opt, name, k, rb.retval, rb.size, ro[k].retval, ro[k].size);
	}
out:
	bpf_object__close(a.obj);
	bpf_object__close(b.obj);
}

int main(int argc, char **argv)
{
	char orig[512], opt[512];
	FILE *m;

	if (argc != 2) {
		fprintf(stderr, "usage: corpus_run MANIFEST (lines: ORIG.o REWRITTEN.o)\n");
		return 2;
	}
	m = fopen(argv[1], "r");
	if (!m) {
		perror(argv[1]);
		return 1;
	}
	libbpf_set_print(quiet);
	while (fscanf(m, "%511s %511s", orig, opt) == 2) {
		struct bpf_object *obj = bpf_object__open_file(orig, NULL);
		struct bpf_program *p;

		if (!obj) {
			nr_noload++;
			continue;
		}
		bpf_object__for_each_program(p, obj)
			if (runnable(bpf_program__type(p)))
				compare(orig, opt, bpf_program__name(p));
		bpf_object__close(obj);
	}
	fclose(m);
	printf("1..%d\n", nr_test);
	printf("# corpus: %d changed programs identical on %d packets (%d sites), %d failed, %d nondeterministic, %d not runnable, %d left unchanged by eins-opt, %d objects/programs the VM kernel does not load\n",
	       nr_same, NR_INPUTS, nr_sites, nr_fail, nr_nodet, nr_skip,
	       nr_unchanged, nr_noload);
	return nr_fail ? 1 : 0;
}
