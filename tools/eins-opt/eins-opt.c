// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * eins-opt: rewrite a BPF object built by stock clang so that what the
 * EInsn ops compute becomes kinsn sites (default), or expand an object's
 * sites back into their proof sequences (--expand), so that it loads on a
 * kernel without eins.ko or without the Kops patch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "expand.h"
#include "ops_user.h"
#include "rewrite.h"

/* " rotate" " select" ...: the op names of eins_ops.h */
#define OP_NAME(name, NAME)	" " #name

static void usage(FILE *f)
{
	fprintf(f,
"Usage: eins-opt [OPTIONS] IN.bpf.o [-o OUT.bpf.o]\n"
"\n"
"Rewrite an object built by stock clang (-target bpf) so that rotates,\n"
"selects, bit-field extracts, byte-swapped loads and stores, bit counts,\n"
"scaled adds and high multiplies become EInsn kinsn sites.  Every rewrite\n"
"is proven with z3 before it is applied.  The output loads with libbpf,\n"
"bpftool and skeletons; on a kernel without eins.ko load it with libeins\n"
"(eins_open_file) or expand it first with --expand.\n"
"\n"
"  -o, --output FILE   write the result to FILE (written to a temporary\n"
"                      name and renamed: never half-written)\n"
"      --expand[=OPS]  instead of rewriting, replace kinsn sites by their\n"
"                      proof sequences: 'all' (default), 'auto' (the ops\n"
"                      the running kernel lacks) or a list, e.g.\n"
"                      rotate,select\n"
"      --strict        with --expand=auto: fail, naming the op, when the\n"
"                      kernel lacks an op the object uses\n"
"      --report        print, per object and program section, sites per\n"
"                      op, insns before and after, rejected windows and\n"
"                      why, and the time taken\n"
"      --dry-run       do everything but write the output\n"
"  -v, --verbose       print every rewrite and rejected window\n"
"      --self-check    test the prover: spoil every candidate's proof\n"
"                      sequence by one bit; z3 must refute them all\n"
"                      (writes nothing)\n"
"  -h, --help          this text\n"
"\n"
"Ops:" EINS_OPS(OP_NAME) "\n"
"Exit status: 0 success, 1 error (nothing written), 2 usage.\n");
}

static int parse_ops(const char *s, unsigned int *mask, bool *automode)
{
	char buf[256], *tok, *save;
	int op;

	*mask = 0;
	*automode = false;
	if (!s || !strcmp(s, "all")) {
		*mask = (1u << EINS_NR_OPS) - 1;
		return 0;
	}
	if (!strcmp(s, "auto")) {
		*automode = true;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (op = 0; op < EINS_NR_OPS; op++)
			if (!strcmp(tok, eins_op_name(op)))
				break;
		if (op == EINS_NR_OPS) {
			fprintf(stderr, "eins-opt: unknown op '%s'\n", tok);
			return -1;
		}
		*mask |= 1u << op;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report_expand(const char *in, const struct eins_expand_stats *st,
			  double secs)
{
	int op;

	printf("%s: expand:", in);
	for (op = 0; op < EINS_NR_OPS; op++)
		if (st->sites[op])
			printf(" %s %u/%u", eins_op_name(op), st->expanded[op],
			       st->sites[op]);
	printf("; insns %u -> %u; %.3f s\n", st->insns_before, st->insns_after,
	       secs);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "expand", optional_argument, NULL, 'e' },
		{ "strict", no_argument, NULL, 's' },
		{ "report", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "self-check", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct rewrite_opts ropts = {};
	const char *out = NULL, *in, *expand_ops = NULL;
	bool expand = false, strict = false, report = false, dry = false;
	bool automode;
	unsigned int mask = 0, have;
	struct eins_expand_stats st;
	struct eobj o;
	double t0;
	int c, err;

	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'e': expand = true; expand_ops = optarg; break;
		case 's': strict = true; break;
		case 'r': report = true; break;
		case 'n': dry = true; break;
		case 'v': ropts.verbose = true; break;
		case 'S': ropts.plant_wrong = true; dry = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "eins-opt: expected one input object\n");
		usage(stderr);
		return 2;
	}
	in = argv[optind];
	if (!out && !dry && !report && !ropts.plant_wrong) {
		fprintf(stderr, "eins-opt: no output: give -o FILE, --report or --dry-run\n");
		return 2;
	}
	if (strict && (!expand || (expand_ops && strcmp(expand_ops, "auto")))) {
		fprintf(stderr, "eins-opt: --strict goes with --expand=auto\n");
		return 2;
	}
	if (expand && parse_ops(expand_ops, &mask, &automode))
		return 2;

	t0 = now();
	err = eobj_open_file(&o, in);
	if (!err && expand) {
		if (automode) {
			eins_kernel_ops(&have);
			mask = ~have & ((1u << EINS_NR_OPS) - 1);
		}
		err = eins_expand_obj(&o, mask, &st);
		if (!err && automode && strict) {
			char list[128] = "";
			int op, n = 0;

			for (op = 0; op < EINS_NR_OPS; op++)
				if (st.expanded[op])
					n += snprintf(list + n, sizeof(list) - n, "%s%s",
						      n ? ", " : "", eins_op_name(op));
			if (n)
				err = eobj_error(&o, EOPNOTSUPP,
						 "this kernel lacks %s (modprobe eins?); --strict does not fall back",
						 list);
		}
		if (!err && report)
			report_expand(in, &st, now() - t0);
	} else if (!err) {
		ropts.report = report;
		err = eins_rewrite_obj(&o, &ropts);
		if (!err && report)
			rewrite_print_report(in, &ropts, now() - t0);
		if (!err && ropts.plant_wrong)
			printf("%s: self-check: %u planted wrong rewrites refuted, %u accepted\n",
			       in, ropts.refuted, ropts.proven);
	}
	if (!err && out && !dry)
		err = eobj_write_file(&o, out);
	if (err)
		fprintf(stderr, "eins-opt: %s\n", o.err[0] ? o.err : strerror(-err));
	eobj_free(&o);
	return err ? 1 : 0;
}
