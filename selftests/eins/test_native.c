// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-program mode selftests (x86-64 VM), run with np_bench.ko, the
 * module tools/np/np-build.sh made from tools/bench/bench.bpf.c, and its
 * BPF object np_bench.bpf.o:
 *
 * - the module's switch is off by default: nothing is replaced;
 * - switched on, each of its programs is replaced (fdinfo says so, the
 *   kernel log names it, the image is a jump) and gives the normal JIT's
 *   results on a ring of packets, maps included;
 * - the switch is read once per load: turning it off later leaves a
 *   loaded program replaced, and the next load is not;
 * - one changed insn, or a map with another value size, is not replaced,
 *   and the verifier log says why;
 * - one program at a time: a second load of the same program is not;
 * - under a registered name, a program with a tail call or a subprogram
 *   is not replaced, and the log says why;
 * - rmmod fails while a replaced program exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workloads.h"
#include "bench_maps.h"
#include "np/np_fdinfo.h"
#include "kselftest_harness.h"

#define OBJ		"np_bench.bpf.o"
#define MODULE		"np_bench"
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

static int set_enable(bool on)
{
	int fd = open("/sys/module/" MODULE "/parameters/enable", O_WRONLY);
	int ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -EIO;
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

/* load program @name alone from OBJ, its verifier log into log_buf */
static int load(const char *name, enum tweak tweak, struct bpf_object **objp)
{
	struct bpf_program *prog, *want = NULL;
	struct bpf_object *obj;
	int err;

	log_buf[0] = 0;
	obj = bpf_object__open_file(OBJ, NULL);
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

static int delete_module(void)
{
	return syscall(__NR_delete_module, MODULE, O_NONBLOCK) ? -errno : 0;
}

/* rmmod, retried while freed programs still wait for their grace period */
static int delete_module_wait(void)
{
	int tries, err = -EWOULDBLOCK;

	for (tries = 0; tries < 100 && err == -EWOULDBLOCK; tries++) {
		err = delete_module();
		if (err == -EWOULDBLOCK)
			usleep(20000);
	}
	return err;
}

/* a fresh module with the switch as given; programs of earlier tests gone */
static void fresh_module(struct __test_metadata *_metadata, bool on)
{
	int err = delete_module_wait();

	ASSERT_TRUE(!err || err == -ENOENT) TH_LOG("rmmod " MODULE ": %d", err);
	ASSERT_EQ(0, system(on ? "modprobe " MODULE " enable=1" : "modprobe " MODULE));
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
		/* the image: prologue, jump */
		EXPECT_GT(64, jited_len(fd)) TH_LOG("%s: image %u bytes", progs[i],
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

TEST(one_program_at_a_time)
{
	struct bpf_object *obj, *obj2;
	int fd, fd2;

	fresh_module(_metadata, true);
	fd = load("pkt_xxh64", AS_BUILT, &obj);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(replaced(fd));
	fd2 = load("pkt_xxh64", AS_BUILT, &obj2);
	ASSERT_LE(0, fd2);
	EXPECT_FALSE(replaced(fd2));
	EXPECT_NE(NULL, strstr(log_buf, "native code for pkt_xxh64 not used: "
			       "the module's code already runs another program"));
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

TEST(refuses_subprograms)
{
	struct bpf_insn insns[] = {
		BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 2),
		BPF_MOV64_IMM(BPF_REG_0, XDP_PASS),
		BPF_EXIT_INSN(),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};

	expect_unfit(_metadata, insns, sizeof(insns) / sizeof(insns[0]),
		     "BPF-to-BPF calls and callbacks are not supported");
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

TEST_HARNESS_MAIN
