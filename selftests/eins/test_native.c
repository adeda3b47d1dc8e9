// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-program mode selftests (x86-64 and arm64 VMs), run with
 * np_bench.ko, the module tools/np/np-build.sh made from
 * tools/bench/bench.bpf.c, and its BPF object np_bench.bpf.o:
 *
 * - the module's switch is off by default: nothing is replaced;
 * - switched on, each of its programs is replaced (fdinfo says so, the
 *   kernel log names it, the image is a jump) and gives the normal JIT's
 *   results on a ring of packets, maps included;
 * - the switch is read once per load: turning it off later leaves a
 *   loaded program replaced, and the next load is not;
 * - one changed insn, or a map with another value size, is not replaced,
 *   and the verifier log says why;
 * - programs share the code only with the same maps: a second load of
 *   the same program with maps of its own is not replaced, one reusing
 *   the first one's maps is;
 * - under a registered name, a program with a tail call is not
 *   replaced, and the log says why;
 * - rmmod fails while a replaced program exists;
 * - on a CPU without the extensions the modules are built for, they do
 *   not load, and the kernel log says which one is missing;
 *
 * and with np_sem.ko, made from np/np_sem.bpf.c, and np_initfail.ko:
 *
 * - operations C leaves undefined (division by 0 and S64_MIN / -1, shift
 *   counts past the width) give the JIT's results on packet values, and
 *   no trap;
 * - loops (iterator kfuncs, bpf_for, bpf_loop with a callback) and a
 *   BPF-to-BPF call are replaced and give the JIT's results, bounds from
 *   the packet;
 * - map helpers on a hash map and an array (keys, values, flags from the
 *   packet) give the JIT's results and leave the same maps;
 * - a jited program tail-calls into a replaced one: its native code runs
 *   and returns to the caller's caller;
 * - a module whose init is still running, and then fails, is not bound;
 * - a loader without CAP_PERFMON gets no native code; programs with the
 *   same (no) maps share it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "eins_lib.h"
#include "workloads.h"
#include "bench_maps.h"
#include "np/np_fdinfo.h"
#include "np/np_sem.h"
#include "kselftest_harness.h"

#define OBJ		"np_bench.bpf.o"
#define MODULE		"np_bench"
#define SEM_OBJ		"np_sem.bpf.o"
#define SEM_MODULE	"np_sem"
#define SEM_PROG	"np_divide"
#define LOG_SIZE	(1 << 20)

static char log_buf[LOG_SIZE];
static struct bench_pkt ring[PKT_RING];

#define PKT_NAME(n)	"pkt_" #n,
static const char *const progs[] = { BENCH_PACKET_PROGS(PKT_NAME) };
#define NR_PROGS	(int)(sizeof(progs) / sizeof(progs[0]))

/* the verifier log's last lines, where the native code's verdict is */
static const char *log_tail(void)
{
	size_t n = strlen(log_buf);

	return log_buf + (n > 600 ? n - 600 : 0);
}

static int set_module_enable(const char *module, bool on)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/enable", module);
	fd = open(path, O_WRONLY);

	if (fd < 0)
		return -errno;
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -EIO;
}

static int set_enable(bool on)
{
	return set_module_enable(MODULE, on);
}

/* tweaks made to the object before it loads */
enum tweak { AS_BUILT, CHANGE_ONE_INSN, GROW_MAP_VALUE };

/*
 * Flip one "r0 = XDP_PASS" into "r0 = XDP_DROP": the program still
 * verifies, but it is not the bytecode the module was built from.
 */
static int change_one_insn(struct bpf_program *prog)
{
	size_t i, n = bpf_program__insn_cnt(prog);
	struct bpf_insn *insns = malloc(n * sizeof(*insns));
	int err = -ENOENT;

	if (!insns)
		return -ENOMEM;
	memcpy(insns, bpf_program__insns(prog), n * sizeof(*insns));
	for (i = 0; i < n; i++)
		if ((insns[i].code == (BPF_ALU64 | BPF_MOV | BPF_K) ||
		     insns[i].code == (BPF_ALU | BPF_MOV | BPF_K)) &&
		    insns[i].dst_reg == BPF_REG_0 && insns[i].imm == XDP_PASS) {
			insns[i].imm = XDP_DROP;
			err = bpf_program__set_insns(prog, insns, n);
			break;
		}
	free(insns);
	return err;
}

/* the first map the program's object defines in .maps */
static int grow_map_value(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (!bpf_map__is_internal(map))
			return bpf_map__set_value_size(map,
					bpf_map__value_size(map) + 8);
	return -ENOENT;
}

/* load() creates no maps of its own but uses this object's, if set */
static struct bpf_object *reuse_maps_of;

static int reuse_maps(struct bpf_object *obj)
{
	struct bpf_map *map, *old;
	int err;

	bpf_object__for_each_map(map, obj) {
		old = bpf_object__find_map_by_name(reuse_maps_of,
						   bpf_map__name(map));
		err = old ? bpf_map__reuse_fd(map, bpf_map__fd(old)) : -ENOENT;
		if (err)
			return err;
	}
	return 0;
}

/* load program @name alone from @path, its verifier log into log_buf */
static int load_from(const char *path, const char *name, enum tweak tweak,
		     struct bpf_object **objp)
{
	struct bpf_program *prog, *want = NULL;
	struct bpf_object *obj;
	int err;

	log_buf[0] = 0;
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj) {
		bool it = !strcmp(bpf_program__name(prog), name);

		bpf_program__set_autoload(prog, it);
		if (it)
			want = prog;
	}
	err = !want ? -ENOENT :
	      tweak == CHANGE_ONE_INSN ? change_one_insn(want) :
	      tweak == GROW_MAP_VALUE ? grow_map_value(obj) : 0;
	if (!err && reuse_maps_of)
		err = reuse_maps(obj);
	if (!err) {
		bpf_program__set_log_level(want, 1);
		bpf_program__set_log_buf(want, log_buf, LOG_SIZE);
		err = bpf_object__load(obj);
	}
	if (err) {
		bpf_object__close(obj);
		return err;
	}
	*objp = obj;
	return bpf_program__fd(want);
}

static int load(const char *name, enum tweak tweak, struct bpf_object **objp)
{
	return load_from(OBJ, name, tweak, objp);
}

static bool replaced(int fd)
{
	return np_prog_replaced(fd, MODULE);
}

static unsigned int jited_len(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_prog_get_info_by_fd(fd, &info, &len) ? 0 : info.jited_prog_len;
}

/* digest of the program's actions and output packets over the ring */
static int ring_digest(int fd, bu64 *digest)
{
	unsigned char out[PKT_SLOT];
	bu64 h = PKT_DIGEST_INIT;
	int i;

	for (i = 0; i < PKT_RING; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .data_in = ring[i].data, .data_size_in = ring[i].len,
			    .data_out = out, .data_size_out = sizeof(out));

		if (bpf_prog_test_run_opts(fd, &opts))
			return -errno;
		h = pkt_digest(h, opts.retval, out, opts.data_size_out);
	}
	*digest = h;
	return 0;
}

static int delete_named_module(const char *module)
{
	return syscall(__NR_delete_module, module, O_NONBLOCK) ? -errno : 0;
}

static int delete_module(void)
{
	return delete_named_module(MODULE);
}

/* rmmod, retried while freed programs still wait for their grace period */
static int delete_module_wait_named(const char *module)
{
	int tries, err = -EWOULDBLOCK;

	for (tries = 0; tries < 100 && err == -EWOULDBLOCK; tries++) {
		err = delete_named_module(module);
		if (err == -EWOULDBLOCK)
			usleep(20000);
	}
	return err;
}

static int delete_module_wait(void)
{
	return delete_module_wait_named(MODULE);
}

/* the first line of @path starting with @prefix into @line (newline cut) */
static int find_line(const char *path, const char *prefix, char *line,
		     size_t size)
{
	FILE *f = fopen(path, "r");
	bool found = false;

	while (f && !found && fgets(line, size - 1, f))
		found = !strncmp(line, prefix, strlen(prefix));
	if (f)
		fclose(f);
	if (!found)
		return -ENOENT;
	line[strcspn(line, "\n")] = 0;
	return 0;
}

/*
 * The first CPU extension the modules' program files use (np-build's
 * "cpu" record in np_sem.bindings; np_bench.ko is built alike) that this
 * CPU lacks, or NULL.
 */
static const char *cpu_lacks(void)
{
	static char need[256], lacking[32];
	char flags[8192], want[40], *ext;

	if (find_line("np_sem.bindings", "cpu ", need, sizeof(need)))
		return "(no cpu record)";
	ext = strtok(need + 3, " ");
	if (!ext)
		return NULL;		/* built for none (arm64) */
	if (find_line("/proc/cpuinfo", "flags", flags, sizeof(flags) - 1))
		return "(no cpu flags)";
	strcat(flags, " ");
	for (; ext; ext = strtok(NULL, " ")) {
		snprintf(want, sizeof(want), " %s ", ext);
		if (!strstr(flags, want)) {
			snprintf(lacking, sizeof(lacking), "%s", ext);
			return lacking;
		}
	}
	return NULL;
}

/*
 * @module afresh with the switch as given; programs of earlier tests gone.
 * On a CPU without the extensions the modules are built for, the test is
 * skipped (refuses_a_cpu_without_its_extensions checks the refusal).
 */
static void fresh_named_module(struct __test_metadata *_metadata,
			       const char *module, bool on)
{
	const char *lack = cpu_lacks();
	int err = delete_module_wait_named(module);
	char cmd[128];

	if (lack)
		SKIP(_exit(KSFT_SKIP), "this CPU lacks %s, which %s is built for",
		     lack, module);

	ASSERT_TRUE(!err || err == -ENOENT) TH_LOG("rmmod %s: %d", module, err);
	snprintf(cmd, sizeof(cmd), "modprobe %s%s", module, on ? " enable=1" : "");
	ASSERT_EQ(0, system(cmd));
}

static void fresh_module(struct __test_metadata *_metadata, bool on)
{
	fresh_named_module(_metadata, MODULE, on);
}

static bool kernel_log_has(const char *s)
{
	static char klog[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, klog, sizeof(klog) - 1);

	if (n < 0)
		return false;
	klog[n] = 0;
	return strstr(klog, s);
}

/* without an extension the program files use, the module does not load */
TEST(refuses_a_cpu_without_its_extensions)
{
	const char *lack = cpu_lacks();
	char msg[128];
	int err;

	if (!lack)
		SKIP(return, "this CPU has every extension the modules are built for");
	err = delete_module_wait();
	ASSERT_TRUE(!err || err == -ENOENT);
	EXPECT_NE(0, system("modprobe " MODULE " 2>/dev/null"));
	snprintf(msg, sizeof(msg), MODULE ": built for CPUs with %s, which this one lacks",
		 lack);
	EXPECT_TRUE(kernel_log_has(msg)) TH_LOG("no kernel log line: %s", msg);
}

TEST(off_by_default)
{
	struct bpf_object *obj;
	int fd;

	fresh_module(_metadata, false);
	fd = load("pkt_parse", AS_BUILT, &obj);
	ASSERT_LE(0, fd) TH_LOG("load: %d\n%s", fd, log_buf);
	EXPECT_FALSE(replaced(fd));
	EXPECT_NE(NULL, strstr(log_buf,
		"native code for pkt_parse not used: disabled by the module's switch"))
		TH_LOG("log: %s", log_tail());
	bpf_object__close(obj);
}

TEST(replaces_each_program)
{
	struct bpf_object *obj;
	char msg[128];
	int i, fd;

	fresh_module(_metadata, true);
	for (i = 0; i < NR_PROGS; i++) {
		fd = load(progs[i], AS_BUILT, &obj);
		ASSERT_LE(0, fd) TH_LOG("%s: load: %d", progs[i], fd);
		EXPECT_TRUE(replaced(fd)) TH_LOG("%s: not replaced: %s", progs[i],
						 log_tail());
		snprintf(msg, sizeof(msg),
			 "native code for %s from module " MODULE " replaces the program",
			 progs[i]);
		EXPECT_NE(NULL, strstr(log_buf, msg)) TH_LOG("%s: no log line", progs[i]);
		snprintf(msg, sizeof(msg), "bpf: program %s runs native code from module "
			 MODULE, progs[i]);
		EXPECT_TRUE(kernel_log_has(msg)) TH_LOG("no kernel log line: %s", msg);
		/* the image: the entry (on arm64 with its literal and PLT) */
		EXPECT_GT(96, jited_len(fd)) TH_LOG("%s: image %u bytes", progs[i],
						    jited_len(fd));
		bpf_object__close(obj);
	}
}

/*
 * Replaced and normally jited, each program, from the benchmark's tables,
 * gives the same actions and packets over the ring and leaves the same
 * tables behind (make check's benchmark run also compares them on the
 * host, with more rings).
 */
TEST(same_results_as_jit)
{
	struct bpf_object *obj;
	bu64 want, got;
	int i, fd;

	bench_ring_fill(ring, BENCH_RING_SEED);
	for (i = 0; i < NR_PROGS; i++) {
		fresh_module(_metadata, false);
		fd = load(progs[i], AS_BUILT, &obj);
		ASSERT_LE(0, fd);
		ASSERT_FALSE(replaced(fd));
		ASSERT_EQ(0, bench_maps_reset(obj));
		ASSERT_EQ(0, ring_digest(fd, &want));
		ASSERT_EQ(0, bench_maps_digest(obj, &want));
		bpf_object__close(obj);

		fresh_module(_metadata, true);
		fd = load(progs[i], AS_BUILT, &obj);
		ASSERT_LE(0, fd);
		ASSERT_TRUE(replaced(fd));
		ASSERT_EQ(0, bench_maps_reset(obj));
		ASSERT_EQ(0, ring_digest(fd, &got));
		ASSERT_EQ(0, bench_maps_digest(obj, &got));
		EXPECT_EQ(want, got) TH_LOG("%s: replaced %016llx, jited %016llx",
					    progs[i], got, want);
		bpf_object__close(obj);
	}
}

TEST(switch_read_at_load)
{
	struct bpf_object *obj, *obj2;
	int fd, fd2;

	fresh_module(_metadata, true);
	fd = load("pkt_lb", AS_BUILT, &obj);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(replaced(fd));
	ASSERT_EQ(0, set_enable(false));
	EXPECT_TRUE(replaced(fd));
	bpf_object__close(obj);
	fd2 = load("pkt_ratelimit", AS_BUILT, &obj2);
	ASSERT_LE(0, fd2);
	EXPECT_FALSE(replaced(fd2));
	bpf_object__close(obj2);
}

/* pkt_parse loaded with @tweak runs jited, for the binding hash differs */
static void expect_hash_differs(struct __test_metadata *_metadata,
				enum tweak tweak)
{
	struct bpf_object *obj;
	int fd;

	fresh_module(_metadata, true);
	fd = load("pkt_parse", tweak, &obj);
	ASSERT_LE(0, fd) TH_LOG("load: %d", fd);
	EXPECT_FALSE(replaced(fd));
	EXPECT_NE(NULL, strstr(log_buf, "native code for pkt_parse not used: "
			       "binding hash differs: not the bytecode the module was built from"))
		TH_LOG("log: %s", log_tail());
	bpf_object__close(obj);
}

TEST(one_insn_changed)
{
	expect_hash_differs(_metadata, CHANGE_ONE_INSN);
}

TEST(map_value_size_changed)
{
	expect_hash_differs(_metadata, GROW_MAP_VALUE);
}

/*
 * pkt_lb names two maps: a second load with maps of its own gets the JIT,
 * a third one reusing the first one's maps shares the code.
 */
TEST(shared_only_with_the_same_maps)
{
	struct bpf_object *obj, *obj2, *obj3;
	int fd, fd2, fd3;

	fresh_module(_metadata, true);
	fd = load("pkt_lb", AS_BUILT, &obj);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(replaced(fd));
	fd2 = load("pkt_lb", AS_BUILT, &obj2);
	ASSERT_LE(0, fd2);
	EXPECT_FALSE(replaced(fd2));
	EXPECT_NE(NULL, strstr(log_buf, "native code for pkt_lb not used: "
			       "the module's code already runs this program with other maps"))
		TH_LOG("log: %s", log_tail());
	reuse_maps_of = obj;
	fd3 = load("pkt_lb", AS_BUILT, &obj3);
	reuse_maps_of = NULL;
	ASSERT_LE(0, fd3);
	EXPECT_TRUE(replaced(fd3)) TH_LOG("log: %s", log_tail());
	bpf_object__close(obj3);
	bpf_object__close(obj2);
	bpf_object__close(obj);
}

/*
 * A program under a registered name but of a shape the mode refuses: its
 * load succeeds, runs jited, and the log says why.
 */
static void expect_unfit(struct __test_metadata *_metadata,
			 const struct bpf_insn *insns, int cnt, const char *why)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log_buf,
		    .log_size = LOG_SIZE, .log_level = 1);
	char want[256];
	int fd;

	fresh_module(_metadata, true);
	log_buf[0] = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "pkt_parse", "GPL", insns, cnt, &opts);
	ASSERT_LE(0, fd) TH_LOG("load: %d\n%s", -errno, log_buf);
	EXPECT_FALSE(replaced(fd));
	snprintf(want, sizeof(want), "native code for pkt_parse not used: %s", why);
	EXPECT_NE(NULL, strstr(log_buf, want)) TH_LOG("log: %s", log_tail());
	close(fd);
}

TEST(refuses_tail_calls)
{
	int map = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, NULL, 4, 4, 1, NULL);
	struct bpf_insn insns[] = {
		BPF_LD_MAP_FD(BPF_REG_2, map),
		BPF_MOV64_IMM(BPF_REG_3, 0),
		BPF_EMIT_CALL(BPF_FUNC_tail_call),
		BPF_MOV64_IMM(BPF_REG_0, XDP_PASS),
		BPF_EXIT_INSN(),
	};

	ASSERT_LE(0, map);
	expect_unfit(_metadata, insns, sizeof(insns) / sizeof(insns[0]),
		     "tail calls are not supported");
	close(map);
}

TEST(rmmod_refused_while_replaced)
{
	struct bpf_object *obj;
	int fd, err;

	fresh_module(_metadata, true);
	fd = load("pkt_siphash", AS_BUILT, &obj);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(replaced(fd));
	err = delete_module();
	EXPECT_EQ(-EWOULDBLOCK, err) TH_LOG("rmmod while replaced: %d", err);
	bpf_object__close(obj);
	EXPECT_EQ(0, delete_module_wait());
	ASSERT_EQ(0, system("modprobe " MODULE));
}

/*
 * np_divide's operands: a fixed set of the cases C leaves undefined, then
 * random ones with divisors drawn from 0, -1, 1 and anything.
 */
#define SEM_CASES	64

static void sem_case(struct np_sem_pkt *p, int i)
{
	static const __s64 divisors[] = { 0, -1, 1, 3, 0x7fffffff };
	unsigned int r = 0x9e3779b9u * (i + 1);

	memset(p, 0, sizeof(*p));
	switch (i) {
	case 0:		/* zero divisors */
		p->ua = 100, p->sa = -100, p->count = 64;
		break;
	case 1:		/* S64_MIN / -1, S32_MIN / -1 */
		p->ua = 7, p->ub = 2, p->sa = INT64_MIN, p->sb = -1;
		p->byte = 0xff, p->count = 200;
		break;
	case 2:
		p->ua = ~0ull, p->ub = 1, p->sa = INT32_MIN, p->sb = -1;
		p->byte = 0xff, p->count = 32;
		break;
	default:
		p->ua = (__u64)r * 0x100000001ull ^ i;
		p->sa = -(__s64)p->ua / 3;
		p->ub = divisors[r % 5];
		p->sb = divisors[(r >> 8) % 5];
		p->byte = (__u8)divisors[(r >> 16) % 5];
		p->count = r >> 24;
		break;
	}
}

/*
 * np_sem.bpf.o's program @prog twice: loaded with np_sem.ko switched on
 * (*@fd, replaced), then with it switched off (*@fd2, jited)
 */
static void load_native_and_jited(struct __test_metadata *_metadata,
				  const char *prog, int *fd,
				  struct bpf_object **obj, int *fd2,
				  struct bpf_object **obj2)
{
	fresh_named_module(_metadata, SEM_MODULE, true);
	*fd = load_from(SEM_OBJ, prog, AS_BUILT, obj);
	ASSERT_LE(0, *fd) TH_LOG("load: %d\n%s", *fd, log_tail());
	ASSERT_TRUE(np_prog_replaced(*fd, SEM_MODULE)) TH_LOG("log: %s", log_tail());
	ASSERT_EQ(0, set_module_enable(SEM_MODULE, false));
	*fd2 = load_from(SEM_OBJ, prog, AS_BUILT, obj2);
	ASSERT_LE(0, *fd2);
	ASSERT_FALSE(np_prog_replaced(*fd2, SEM_MODULE));
}

/* one packet of @size bytes through program @fd: the packet out, the verdict */
static int pkt_run(int fd, const void *in, void *out, __u32 size, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = in, .data_size_in = size,
		    .data_out = out, .data_size_out = size);
	int err = bpf_prog_test_run_opts(fd, &opts);

	*retval = opts.retval;
	return err ? -errno : 0;
}

/*
 * One packet of @size bytes through the replaced program @fd and the
 * jited @fd2: both run and return XDP_TX, their packets out in @native
 * and @jited.
 */
static void run_both(struct __test_metadata *_metadata, int fd, int fd2,
		     const void *in, void *native, void *jited, __u32 size)
{
	__u32 rn, rj;

	ASSERT_EQ(0, pkt_run(fd, in, native, size, &rn));
	ASSERT_EQ(0, pkt_run(fd2, in, jited, size, &rj));
	EXPECT_EQ(XDP_TX, rj);
	EXPECT_EQ(rj, rn);
}

/*
 * Division by a packet value, 0 and -1 among them, and shift counts past
 * the width: replaced and jited, the same packet out, and what BPF
 * defines (x / 0 = 0, x % 0 = x, S64_MIN / -1 = S64_MIN).  A module
 * compiled with C's semantics traps here (divide error) and panics.
 */
TEST(bpf_semantics_on_packet_values)
{
	struct np_sem_pkt in, native, jited;
	struct bpf_object *obj, *obj2;
	int i, fd, fd2;

	load_native_and_jited(_metadata, SEM_PROG, &fd, &obj, &fd2, &obj2);
	for (i = 0; i < SEM_CASES; i++) {
		sem_case(&in, i);
		run_both(_metadata, fd, fd2, &in, &native, &jited, sizeof(in));
		EXPECT_EQ(0, memcmp(&native, &jited, sizeof(native)))
			TH_LOG("case %d: udiv %llx/%llx smod %lld/%lld div8 %lld/%lld "
			       "shl %llx/%llx shr32 %x/%x", i,
			       native.udiv, jited.udiv, native.smod, jited.smod,
			       native.div8, jited.div8, native.shl, jited.shl,
			       native.shr32, jited.shr32);
		if (in.ub == 0) {
			EXPECT_EQ(0, native.udiv);
			EXPECT_EQ(in.ua, native.umod);
		}
		if (in.byte == 0) {
			EXPECT_EQ(0, native.div8);
			EXPECT_EQ(in.sa, native.mod8);
		}
		if (in.sa == INT64_MIN && in.sb == -1) {
			EXPECT_EQ(INT64_MIN, native.sdiv);
			EXPECT_EQ(0, native.smod);
		}
	}
	bpf_object__close(obj2);
	bpf_object__close(obj);
}

/*
 * A tail call into a replaced program lands X86_TAIL_CALL_OFFSET bytes
 * into its image, in the caller's frame (X86_TAIL_CALL_OFFSET, arm64's
 * PROLOGUE_OFFSET): the native code must run and return to the caller's
 * caller.  The caller calls a helper, uses the stack and the callee-saved
 * registers, and returns 9 if the tail call does not happen.
 */
/* the caller: a helper call, the stack, r6-r9, then a tail call to @map[0] */
static int load_tail_caller(int map)
{
	struct bpf_insn insns[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),
		/* a call first: the link register no longer returns */
		BPF_EMIT_CALL(BPF_FUNC_get_prandom_u32),
		BPF_MOV64_IMM(BPF_REG_7, 7),
		BPF_MOV64_IMM(BPF_REG_8, 8),
		BPF_MOV64_IMM(BPF_REG_9, 9),
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -8),
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_8, -64),
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),
		BPF_LD_MAP_FD(BPF_REG_2, map),
		BPF_MOV64_IMM(BPF_REG_3, 0),
		BPF_EMIT_CALL(BPF_FUNC_tail_call),
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
		BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_9),
		BPF_ALU64_REG(BPF_SUB, BPF_REG_0, BPF_REG_7),
		BPF_EXIT_INSN(),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log_buf,
		    .log_size = LOG_SIZE, .log_level = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "np_tc_caller", "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), &opts);

	return fd < 0 ? -errno : fd;
}

TEST(tail_call_into_replaced)
{
	int map = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, NULL, 4, 4, 1, NULL);
	struct np_sem_pkt in, direct, called;
	struct bpf_object *obj;
	__u32 rd, rc, key = 0;
	int i, fd, caller;

	ASSERT_LE(0, map);
	fresh_named_module(_metadata, SEM_MODULE, true);
	fd = load_from(SEM_OBJ, SEM_PROG, AS_BUILT, &obj);
	ASSERT_LE(0, fd) TH_LOG("load: %d\n%s", fd, log_tail());
	ASSERT_TRUE(np_prog_replaced(fd, SEM_MODULE));
	ASSERT_EQ(0, bpf_map_update_elem(map, &key, &fd, BPF_ANY));
	caller = load_tail_caller(map);
	ASSERT_LE(0, caller) TH_LOG("load: %d\n%s", caller, log_buf);

	for (i = 0; i < 16; i++) {
		sem_case(&in, i);
		ASSERT_EQ(0, pkt_run(fd, &in, &direct, sizeof(in), &rd));
		ASSERT_EQ(0, pkt_run(caller, &in, &called, sizeof(in), &rc));
		EXPECT_EQ(XDP_TX, rd);
		EXPECT_EQ(rd, rc) TH_LOG("case %d: the caller returned %u", i, rc);
		EXPECT_EQ(0, memcmp(&direct, &called, sizeof(direct)));
	}
	close(caller);
	close(map);
	bpf_object__close(obj);
}

/*
 * np_loops's operands: iterator ranges at the edges the kfuncs check
 * (start > end, wider than BPF_MAX_LOOPS, next to INT_MIN and INT_MAX),
 * bpf_loop() counts past BPF_MAX_LOOPS and with flags, then random ones.
 */
#define LOOP_CASES	48
#define MAX_LOOPS	(1 << 23)	/* BPF_MAX_LOOPS */

static void loop_case(struct np_loop_pkt *p, int i)
{
	static const __s32 ranges[][2] = {
		{ 0, 10 }, { 5, 5 }, { 7, 3 }, { -3, 4 }, { INT32_MIN, INT32_MAX },
		{ INT32_MAX - 3, INT32_MAX }, { INT32_MIN, INT32_MIN + 2 },
		{ 0, MAX_LOOPS + 1 }, { -100, 100 },
	};
	static const __u32 counts[] = { 0, 1, 20, MAX_LOOPS + 1 };
	unsigned int r = 0x9e3779b9u * (i + 1);

	memset(p, 0, sizeof(*p));
	if (i < (int)(sizeof(ranges) / sizeof(ranges[0]))) {
		p->start = ranges[i][0];
		p->end = ranges[i][1];
	} else {
		p->start = (int)(r % 64) - 32;
		p->end = p->start + (int)((r >> 8) % 48) - 8;
	}
	p->nr = i < 4 ? counts[i] : (r >> 12) % 40;
	p->stop_at = (r >> 16) % 48;
	p->flags = i == 5;
}

/*
 * Loops whose bounds come from the packet, through bpf_iter_num_*,
 * bpf_for(), bpf_loop() with a callback and a BPF-to-BPF call: the
 * program binds (its kfunc calls hashed by name, its subprograms as
 * libbpf appends them), and runs the iterations the JIT runs, with the
 * kfuncs' and the helper's results.
 */
TEST(loops_on_packet_values)
{
	struct np_loop_pkt in, native, jited;
	struct bpf_object *obj, *obj2;
	__s64 width;
	__u32 want;
	int i, fd, fd2;

	load_native_and_jited(_metadata, "np_loops", &fd, &obj, &fd2, &obj2);
	for (i = 0; i < LOOP_CASES; i++) {
		loop_case(&in, i);
		run_both(_metadata, fd, fd2, &in, &native, &jited, sizeof(in));
		EXPECT_EQ(0, memcmp(&native, &jited, sizeof(native)))
			TH_LOG("case %d [%d, %d) nr %u: new %lld/%lld iters %d/%d "
			       "for %d/%d loop %lld/%lld calls %u/%u mix %x/%x", i,
			       in.start, in.end, in.nr, native.new_ret, jited.new_ret,
			       native.iters, jited.iters, native.for_iters,
			       jited.for_iters, native.loop_ret, jited.loop_ret,
			       native.calls, jited.calls, native.mix, jited.mix);
		width = (__s64)in.end - in.start;
		EXPECT_EQ(width < 0 ? -EINVAL : width > MAX_LOOPS ? -E2BIG : 0,
			  native.new_ret) TH_LOG("case %d", i);
		EXPECT_EQ(width < 0 || width > MAX_LOOPS ? 0 : width, native.iters);
		EXPECT_EQ(native.iters, native.for_iters);
		want = in.stop_at < in.nr ? in.stop_at + 1 : in.nr;
		EXPECT_EQ(in.flags || in.nr > MAX_LOOPS ? 0 : want, native.calls);
		if (in.flags)
			want = -EINVAL;
		else if (in.nr > MAX_LOOPS)
			want = -E2BIG;
		EXPECT_EQ((__s32)want, native.loop_ret) TH_LOG("case %d", i);
	}
	bpf_object__close(obj2);
	bpf_object__close(obj);
}

/*
 * np_hashmap's operations: every op on keys that fill the hash map past its
 * entries, update flags BPF_ANY, BPF_NOEXIST, BPF_EXIST and an invalid
 * one, and an op number past the counting array.
 */
#define MAP_CASES	200

static void map_case(struct np_map_pkt *p, int i)
{
	static const __u64 flags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, 8 };
	unsigned int r = 0x9e3779b9u * (i + 1);

	memset(p, 0, sizeof(*p));
	p->op = i < 40 ? NP_MAP_UPDATE : (r >> 4) % (NP_MAP_OPS + 1);
	p->key = (r >> 8) % (2 * NP_MAP_ENTRIES);
	p->value = (__u64)r << 20 | i;
	p->flags = flags[(r >> 16) % 4];
}

/* the values left in np_hashmap's maps, folded into @digest */
static int map_digest(struct bpf_object *obj, __u64 *digest)
{
	int hash = bpf_object__find_map_fd_by_name(obj, "np_hash");
	int counts = bpf_object__find_map_fd_by_name(obj, "np_counts");
	__u32 k;
	__u64 v;

	if (hash < 0 || counts < 0)
		return -ENOENT;
	*digest = 0;
	for (k = 0; k < 2 * NP_MAP_ENTRIES; k++) {
		v = bpf_map_lookup_elem(hash, &k, &v) ? ~0ull : v;
		*digest = (*digest ^ v) * 0x100000001b3ull;
	}
	for (k = 0; k < NP_MAP_OPS; k++) {
		if (bpf_map_lookup_elem(counts, &k, &v))
			return -errno;
		*digest = (*digest ^ v) * 0x100000001b3ull;
	}
	return 0;
}

/*
 * The map helpers, which the native code calls through static calls the
 * module points at the maps' ops when the program binds: the same
 * returns, the same values seen and left in the maps as under the JIT.
 * (Unpointed, a lookup finds nothing and an update fails.)
 */
TEST(maps_on_packet_values)
{
	struct np_map_pkt in, native, jited;
	struct bpf_object *obj, *obj2;
	__u64 want, got;
	int i, fd, fd2, stored = 0;

	load_native_and_jited(_metadata, "np_hashmap", &fd, &obj, &fd2, &obj2);
	for (i = 0; i < MAP_CASES; i++) {
		map_case(&in, i);
		run_both(_metadata, fd, fd2, &in, &native, &jited, sizeof(in));
		EXPECT_EQ(0, memcmp(&native, &jited, sizeof(native)))
			TH_LOG("case %d op %u key %u flags %llu: ret %lld/%lld "
			       "found %llx/%llx count %llu/%llu (%lld/%lld)", i,
			       in.op, in.key, in.flags, native.ret, jited.ret,
			       native.found, jited.found, native.count, jited.count,
			       native.count_ret, jited.count_ret);
		stored += in.op == NP_MAP_UPDATE && !native.ret;
	}
	/* the cases did fill the map: updates that stored and ones refused */
	EXPECT_LE(NP_MAP_ENTRIES, stored);
	ASSERT_EQ(0, map_digest(obj, &got));
	ASSERT_EQ(0, map_digest(obj2, &want));
	EXPECT_EQ(want, got);
	bpf_object__close(obj2);
	bpf_object__close(obj);
}

/* the binding hash np-build computed for SEM_PROG, from np_sem.bindings */
static int sem_hash(char *hex, size_t size)
{
	char line[1024], type[64];

	if (find_line("np_sem.bindings", "prog " SEM_PROG " ", line, sizeof(line)) ||
	    sscanf(line, "prog " SEM_PROG " %63s %64s", type, hex) != 2 ||
	    strlen(hex) != size - 1)
		return -ENOENT;
	return 0;
}

/*
 * np_initfail.ko registers code under SEM_PROG with its binding hash,
 * waits and fails its init, which frees that code: a program loaded
 * meanwhile must not run it.
 */
TEST(binds_only_a_live_module)
{
	struct np_sem_pkt in, out;
	struct bpf_object *obj = NULL;
	char hex[65], cmd[256];
	int i, fd = -1, status;
	__u32 ret;
	pid_t pid;

	ASSERT_EQ(0, sem_hash(hex, sizeof(hex)));
	/* only np_initfail is to offer code under the name */
	i = delete_module_wait_named(SEM_MODULE);
	ASSERT_TRUE(!i || i == -ENOENT) TH_LOG("rmmod " SEM_MODULE ": %d", i);
	snprintf(cmd, sizeof(cmd), "exec modprobe np_initfail prog=%s hash=%s "
		 "wait_ms=3000 2>/dev/null", SEM_PROG, hex);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* until the verifier finds code offered under the name */
	for (i = 0; i < 100; i++) {
		fd = load_from(SEM_OBJ, SEM_PROG, AS_BUILT, &obj);
		ASSERT_LE(0, fd);
		if (strstr(log_buf, "native code for " SEM_PROG))
			break;
		bpf_object__close(obj);
		obj = NULL;
		usleep(20000);
	}
	ASSERT_NE(NULL, obj) TH_LOG("np_initfail never offered its code");
	EXPECT_FALSE(np_prog_replaced(fd, "np_initfail"));
	EXPECT_NE(NULL, strstr(log_buf, "native code for " SEM_PROG
			       " not used: the module is still loading"))
		TH_LOG("log: %s", log_tail());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status))
		TH_LOG("np_initfail's init did not fail: %x", status);
	/* the module is gone; the program runs jited */
	sem_case(&in, 3);
	ASSERT_EQ(0, pkt_run(fd, &in, &out, sizeof(in), &ret));
	EXPECT_EQ(XDP_TX, ret);
	bpf_object__close(obj);
}

#define CAP(c)	(1ull << (c))

/* CAP_BPF and CAP_NET_ADMIN load an XDP program, but get no native code */
TEST(needs_cap_perfmon)
{
	struct bpf_object *obj;
	int fd;

	fresh_named_module(_metadata, SEM_MODULE, true);
	ASSERT_EQ(0, eins_keep_caps(CAP(CAP_BPF) | CAP(CAP_NET_ADMIN) |
			       CAP(CAP_SYS_RESOURCE)));
	fd = load_from(SEM_OBJ, SEM_PROG, AS_BUILT, &obj);
	ASSERT_LE(0, fd) TH_LOG("load: %d\n%s", fd, log_tail());
	EXPECT_FALSE(np_prog_replaced(fd, SEM_MODULE));
	EXPECT_NE(NULL, strstr(log_buf, "native code for " SEM_PROG " not used: "
			       "the loader lacks CAP_BPF and CAP_PERFMON"))
		TH_LOG("log: %s", log_tail());
	bpf_object__close(obj);
}

/* np_divide names no maps: two loads share the code */
TEST(same_maps_share_the_code)
{
	struct bpf_object *obj, *obj2;
	int fd, fd2;

	fresh_named_module(_metadata, SEM_MODULE, true);
	fd = load_from(SEM_OBJ, SEM_PROG, AS_BUILT, &obj);
	ASSERT_LE(0, fd);
	fd2 = load_from(SEM_OBJ, SEM_PROG, AS_BUILT, &obj2);
	ASSERT_LE(0, fd2);
	EXPECT_TRUE(np_prog_replaced(fd, SEM_MODULE));
	EXPECT_TRUE(np_prog_replaced(fd2, SEM_MODULE)) TH_LOG("log: %s", log_tail());
	bpf_object__close(obj);
	/* the first one's release leaves the second bound and running */
	EXPECT_TRUE(np_prog_replaced(fd2, SEM_MODULE));
	EXPECT_EQ(-EWOULDBLOCK, delete_named_module(SEM_MODULE));
	bpf_object__close(obj2);
	EXPECT_EQ(0, delete_module_wait_named(SEM_MODULE));
}

TEST_HARNESS_MAIN
