# EInsn / Kops top-level build.
#
#   make            build kernel, eins.ko, tools and selftests, boot the VM,
#                   load eins and run the demo (native emit vs stock JIT)
#   make check      build everything and run all tests (VM selftests + host)
#   make series     write the core patch series under out/series/
#
# Everything is built under $(OUT) (default out/), the compiler cache lives
# outside the checkout in $(CCACHE_DIR).

ARCH		?= x86_64
OUT		?= $(CURDIR)/out
CCACHE_DIR	?= $(HOME)/.cache/eins/ccache
JOBS		?= $(shell nproc)
VM_TIMEOUT	?= 300

# Paths below the checkout are hashed relative to it, so clones in other
# directories (CI) share the cache.
CCACHE_BASEDIR	:= $(CURDIR)
CCACHE_NOHASHDIR := 1
export CCACHE_DIR CCACHE_BASEDIR CCACHE_NOHASHDIR

SRC		:= $(OUT)/linux
# VARIANT=debug builds the hardening kernel (eins-debug.config: KASAN,
# lockdep, kmemleak...) and its module and VM image beside the normal ones;
# VARIANT=spectre the x86-64 kernel with CPU mitigations (eins-spectre.config)
VARIANT		?=
VSUF		:= $(if $(VARIANT),-$(VARIANT))
VCONFIG		:= $(if $(VARIANT),kernel/configs/eins-$(VARIANT).config)
KBUILD		:= $(OUT)/build$(VSUF)-$(ARCH)
STAMP		:= $(OUT)/stamp

ifeq ($(ARCH),x86_64)
KARCH		:= x86
KIMAGE		:= $(KBUILD)/arch/x86/boot/bzImage
CROSS		:=
BUSYBOX		:= /bin/busybox
else ifeq ($(ARCH),arm64)
KARCH		:= arm64
KIMAGE		:= $(KBUILD)/arch/arm64/boot/Image
CROSS		:= aarch64-linux-gnu-
# the cross compiler finds Debian's arm64 -dev packages (multiarch) here
XFLAGS		:= -idirafter /usr/include/aarch64-linux-gnu -idirafter /usr/include
XLIBS		:= -L/usr/lib/aarch64-linux-gnu
# busybox-static:arm64 would replace the host's busybox, so it is unpacked
BUSYBOX		:= $(OUT)/busybox-arm64/bin/busybox
else
$(error ARCH must be x86_64 or arm64)
endif

KMAKE = $(MAKE) -C $(SRC) O=$(KBUILD) ARCH=$(KARCH) \
	CROSS_COMPILE=$(CROSS) CC="ccache $(CROSS)gcc" HOSTCC="ccache gcc" \
	KBUILD_BUILD_TIMESTAMP=eins KBUILD_BUILD_USER=eins KBUILD_BUILD_HOST=eins

.PHONY: all setup tree kernel module selftests initramfs demo demo-files \
	stock-kernel stock-initramfs fuzz hardening eins-opt rewriter-check np np-ir-check np-calls-check \
	corpus corpus-check vm-corpus \
	check series clean bench bench-vm bench-files bench-check \
	proofs-enum proofs-check proofs-lean-sources models-check

all: demo

setup:
	@sh tools/scripts/setup.sh

# SERIES_CUT=N: the kernel tree is the first N patches of the series
# (SERIES_PATCHES, which make series writes) instead of the whole project;
# see series-cut-check
SERIES_CUT	?=
SERIES_PATCHES	?= $(CURDIR)/out/series
CUT_FROM	?= $(CURDIR)/out/linux

tree: setup
ifeq ($(SERIES_CUT),)
	@sh tools/scripts/prepare-tree.sh $(SRC)
else
	@sh tools/scripts/cut-tree.sh $(SRC) $(CUT_FROM) $(SERIES_PATCHES) $(SERIES_CUT)
endif

$(KBUILD)/.config: kernel/configs/eins.config kernel/configs/eins-$(ARCH).config \
		$(VCONFIG) | tree
	mkdir -p $(KBUILD)
	@# a failed step must not leave a .config that looks up to date
	$(KMAKE) tinyconfig >/dev/null || { rm -f $@; exit 1; }
	$(KMAKE) eins.config eins-$(ARCH).config $(notdir $(VCONFIG)) >/dev/null || \
		{ rm -f $@; exit 1; }
	@CONFIG_ABSENT="$(if $(SERIES_CUT),CONFIG_BPF_NATIVE_PROG)" \
		sh tools/scripts/check-config.sh $(KBUILD)/.config \
		kernel/configs/eins.config kernel/configs/eins-$(ARCH).config $(VCONFIG) || \
		{ rm -f $@; exit 1; }

kernel: tree $(KBUILD)/.config
	+$(KMAKE) -j$(JOBS) $(notdir $(KIMAGE)) modules
	+$(KMAKE) -j$(JOBS) headers_install INSTALL_HDR_PATH=$(OUT)/headers-$(ARCH) >/dev/null

clean:
	rm -rf $(OUT)

# eins.ko, built from a copy so the checkout stays free of build products
MODDIR		:= $(OUT)/eins$(VSUF)-$(ARCH)
EINS_KO		:= $(MODDIR)/eins.ko

module: kernel
	mkdir -p $(MODDIR)
	rsync -a --checksum modules/eins/ $(MODDIR)/
	@# kbuild does not relink an external module's BTF when vmlinux changes
	[ ! $(KBUILD)/vmlinux -nt $(EINS_KO) ] || rm -f $(EINS_KO)
	+$(KMAKE) -j$(JOBS) M=$(MODDIR) modules

# The core patch series, checked with git am and checkpatch --strict;
# series-check also builds kernel/bpf/ and arch/x86/net/ after every patch.
.PHONY: series-check series-cut-check series-cut-vm

series: tree
	@sh tools/scripts/mkseries.sh $(OUT)

series-check: tree
	@sh tools/scripts/mkseries.sh --build $(OUT)/build-x86_64/.config $(OUT)

# The series without its last patch (whole-program mode): its own tree,
# kernel, module and tests in $(OUT)/cut, booted and checked like the
# whole (make vm-check; test_native is left out with the mode)
# (series-cut-vm: the same on the patches make series wrote last)
CUT_N		?= 7
series-cut-check: series
	$(MAKE) --no-print-directory series-cut-vm

series-cut-vm:
	$(MAKE) --no-print-directory OUT=$(OUT)/cut SERIES_CUT=$(CUT_N) \
		SERIES_PATCHES=$(OUT)/series CUT_FROM=$(SRC) ARCH=$(ARCH) vm-check

# libbpf from the 6.12 tree, static, for the test and demo binaries
LIBBPF_DIR	:= $(OUT)/libbpf-$(ARCH)
LIBBPF_ROOT	:= $(LIBBPF_DIR)/root
LIBBPF_A	:= $(LIBBPF_ROOT)/usr/lib64/libbpf.a
HDRS		:= $(OUT)/headers-$(ARCH)/include

$(LIBBPF_A): | tree
	mkdir -p $(LIBBPF_DIR)
	$(MAKE) -C $(SRC)/tools/lib/bpf OUTPUT=$(LIBBPF_DIR)/ \
		CC="ccache $(CROSS)gcc" LD=$(CROSS)ld AR=$(CROSS)ar \
		EXTRA_CFLAGS="$(XFLAGS)" BUILD_STATIC_ONLY=1 \
		DESTDIR=$(LIBBPF_ROOT) prefix=/usr LIBDIR=/usr/lib64 install >/dev/null

# the benchmark sources' headers (the benchmarks are further down)
BENCH_HDRS	:= tools/bench/workloads.h tools/bench/hashes.h tools/bench/packets.h \
		   tools/bench/bench_maps.h

# The whole-program mode (x86-64): np-hash, a host tool, and np_bench.ko
# with np_bench.bpf.o, made from the benchmark source by np-build.sh
NP_HASH		:= $(OUT)/np-tools/np-hash
NP_DIR		:= $(OUT)/np$(VSUF)-$(ARCH)
NP_KO		:= $(NP_DIR)/np_bench.ko
NP_OBJ		:= $(NP_DIR)/np_bench.bpf.o
NP_PROGS	:= pkt_parse pkt_lb pkt_ratelimit pkt_classify pkt_jhash \
		   pkt_siphash pkt_xxh64 pkt_murmur3_32 pkt_murmur3_128 \
		   pkt_csum pkt_scan
NP_TOOL		:= tools/np/np-build.sh tools/np/np-cc tools/np/np-ir.py tools/np/np_rt.c \
		   $(wildcard tools/np/include/*.h) $(wildcard tools/np/include/bpf/*.h)
NP_SRCS		:= $(NP_TOOL) tools/bench/bench.bpf.c

$(NP_HASH): tools/np/np-hash.c | kernel
	$(MAKE) --no-print-directory ARCH=x86_64 \
		$(OUT)/libbpf-x86_64/root/usr/lib64/libbpf.a
	mkdir -p $(dir $@)
	gcc -O2 -Wall -I$(OUT)/libbpf-x86_64/root/usr/include \
		-I$(OUT)/headers-x86_64/include -o $@ $< \
		$(OUT)/libbpf-x86_64/root/usr/lib64/libbpf.a -lelf -lz -lzstd -lcrypto

# (run each time, like the module target: np-build.sh rewrites only what
# changed, and relinks when vmlinux, whose BTF the module's is split from,
# changed)
$(NP_KO) $(NP_OBJ) &: $(NP_SRCS) $(BENCH_HDRS) $(NP_HASH) $(LIBBPF_A) kernel
	NP_HASH=$(NP_HASH) BPF_CFLAGS="$(BPF_CFLAGS)" KMAKE='$(KMAKE)' \
		sh tools/np/np-build.sh -k $(KBUILD) -o $(NP_DIR) -m np_bench \
		$(addprefix -p ,$(NP_PROGS)) tools/bench/bench.bpf.c -Itools/bench

np: $(NP_KO)

# np-ir.py on its own: division, shifts and bit counts get BPF's results
np-ir-check: setup
	@sh tools/np/tests/sem_check.sh $(OUT)/np-ir-check

# user-space test programs (static, they run in the busybox VM)
SELFTESTS	:= selftests/eins
TESTBIN		:= $(OUT)/selftests-$(ARCH)
UCFLAGS		:= -O2 -g -Wall -static $(XFLAGS) -I$(HDRS) -I$(LIBBPF_ROOT)/usr/include \
		   -Imodules/eins -Itools -I$(SRC)/tools/testing/selftests \
		   -include $(SRC)/tools/include/linux/filter.h
ULIBS		:= $(LIBBPF_A) $(XLIBS) -lelf -lz -lzstd
BPF_CFLAGS	:= -target bpf -mcpu=v4 -O2 -g -Wall -I$(HDRS) \
		   -I$(LIBBPF_ROOT)/usr/include -Itools -Imodules/eins

# the VM's test programs, each one C file linked with eins_lib.c
TEST_PROGS	:= test_eins test_harden fuzz_eins stress_eins

# the whole-program mode's tests (x86-64 and arm64)
$(TESTBIN)/test_native: $(SELFTESTS)/test_native.c $(BENCH_HDRS) tools/np/np_fdinfo.h \
		$(SELFTESTS)/np/np_sem.h $(SELFTESTS)/eins_lib.c $(SELFTESTS)/eins_lib.h \
		modules/eins/eins_ops.h tools/eins_site.h $(LIBBPF_A) | kernel
	mkdir -p $(TESTBIN)
	$(CROSS)gcc $(UCFLAGS) -Itools/bench -I$(SELFTESTS) -o $@ $< \
		$(SELFTESTS)/eins_lib.c $(ULIBS)

# the mode's test modules (test_native): np_sem.ko, from a program that
# divides and shifts by packet values, with its bindings (the hash
# np_initfail.ko offers code under); np_initfail.ko, whose init fails
# after registering
NP_SEM_DIR	:= $(OUT)/np-sem-$(ARCH)
NP_SEM_KO	:= $(NP_SEM_DIR)/np_sem.ko
NP_SEM_OBJ	:= $(NP_SEM_DIR)/np_sem.bpf.o
NP_INITFAIL_DIR	:= $(OUT)/np-initfail-$(ARCH)
NP_INITFAIL_KO	:= $(NP_INITFAIL_DIR)/np_initfail.ko

$(NP_SEM_KO) $(NP_SEM_OBJ) $(NP_SEM_DIR)/bindings &: $(SELFTESTS)/np/np_sem.bpf.c $(SELFTESTS)/np/np_sem.h \
		$(NP_TOOL) $(NP_HASH) $(LIBBPF_A) kernel
	NP_HASH=$(NP_HASH) BPF_CFLAGS="$(BPF_CFLAGS)" KMAKE='$(KMAKE)' \
		sh tools/np/np-build.sh -k $(KBUILD) -o $(NP_SEM_DIR) -m np_sem \
		$(SELFTESTS)/np/np_sem.bpf.c

$(TESTBIN)/np_sem.bindings: $(NP_SEM_DIR)/bindings
	mkdir -p $(TESTBIN)
	cp $< $@

# x86-64: every call the modules' native code makes is direct, the map
# helpers' through static calls, as the JIT's calls are
np-calls-check: $(NP_KO) $(NP_SEM_KO)
	@sh tools/np/tests/calls_check.sh $(NP_KO) $(NP_SEM_KO)

$(NP_INITFAIL_KO): $(SELFTESTS)/np/np_initfail.c kernel
	mkdir -p $(NP_INITFAIL_DIR)
	cmp -s $< $(NP_INITFAIL_DIR)/np_initfail.c || cp $< $(NP_INITFAIL_DIR)/
	echo "obj-m := np_initfail.o" > $(NP_INITFAIL_DIR)/Kbuild
	[ ! $(KBUILD)/vmlinux -nt $@ ] || rm -f $@
	+$(KMAKE) M=$(NP_INITFAIL_DIR) modules

$(addprefix $(TESTBIN)/,$(TEST_PROGS)): $(TESTBIN)/%: $(SELFTESTS)/%.c \
		$(SELFTESTS)/eins_lib.c $(SELFTESTS)/eins_lib.h \
		modules/eins/eins_abi.h modules/eins/eins_ops.h tools/eins_site.h \
		tools/module_btf.h $(LIBBPF_A) | kernel
	mkdir -p $(TESTBIN)
	$(CROSS)gcc $(UCFLAGS) -o $@ $< $(SELFTESTS)/eins_lib.c $(ULIBS)

$(TESTBIN)/%.bpf.o: $(SELFTESTS)/progs/%.bpf.c tools/eins.h \
		modules/eins/eins_abi.h modules/eins/eins_ops.h $(LIBBPF_A) | kernel
	mkdir -p $(TESTBIN)
	clang-19 $(BPF_CFLAGS) -c $< -o $@

# the kernel's own verifier suite, from the 6.12 tree
# (rebuilt when the series' own cases change; the tree copy is made by tree)
$(TESTBIN)/test_verifier: tools/scripts/build-test-verifier.sh $(LIBBPF_A) \
		$(wildcard tools/testing/selftests/bpf/verifier/*.c) | kernel
	sh tools/scripts/build-test-verifier.sh $(SRC) $(TESTBIN) $(CROSS)gcc \
		"-O2 $(XFLAGS)" $(LIBBPF_A) $(LIBBPF_ROOT)/usr/include "$(XLIBS)"

# the op files of eins.ko, also built for user space (proofs, eins-opt)
# (one per op, named in eins_ops.h, as in Kbuild)
EINS_OPS	:= $(shell sed -n 's/^[[:space:]]*X.\([a-z_0-9]*\),.*/\1/p' \
		   modules/eins/eins_ops.h)
OP_FILES	:= $(addprefix modules/eins/,$(addsuffix .c,$(EINS_OPS)))

# eins-opt (host tool) and libeins (linked into the VM's test_loader):
# the module's op files built for user space, as for proofs/smt
EOPT		:= tools/eins-opt
EOPT_OUT	:= $(OUT)/eins-opt
EOPT_BIN	:= $(EOPT_OUT)/eins-opt
EOPT_CORE	:= $(addprefix $(EOPT)/,elfobj.c expand.c probe.c ops_user.c) \
		   $(OP_FILES)
EOPT_DEPS	:= $(EOPT_CORE) $(wildcard $(EOPT)/*.h) \
		   $(wildcard proofs/smt/shim/*/*.h) include/linux/bpf_kinsn.h \
		   modules/eins/eins.h modules/eins/eins_abi.h modules/eins/eins_ops.h \
		   modules/eins/x86.h modules/eins/a64.h tools/eins_site.h
EOPT_CFLAGS	:= -Iproofs/smt/shim -Iinclude -Imodules/eins -I$(EOPT) -Itools \
		   -DCONFIG_X86_64 -DCONFIG_ARM64 \
		   -DSHIM_TOOLS_FILTER_H='"$(SRC)/tools/include/linux/filter.h"'

# the number of arguments of every helper, from libbpf's bpf_helper_defs.h
# (a call's liveness), stored + 1 so that 0 means unknown
$(EOPT_OUT)/helper_args.h: $(LIBBPF_A)
	mkdir -p $(EOPT_OUT)
	awk 'BEGIN { print "static const unsigned char helper_args[] = {" } \
	     /= \(void \*\) [0-9]+;$$/ { \
		p = $$0; sub(/^[^)]*\)\(/, "", p); sub(/\) = \(void.*/, "", p); \
		n = p == "void" ? 0 : split(p, a, ","); \
		id = $$NF; sub(/;/, "", id); print "\t[" id "] = " n + 1 "," } \
	     END { print "};" }' \
		$(LIBBPF_ROOT)/usr/include/bpf/bpf_helper_defs.h > $@.tmp && mv $@.tmp $@

# the rewriter by stage: analysis, matching, proof, and rewrite.c's edits
EOPT_REWRITER	:= $(addprefix $(EOPT)/,analysis.c match.c prove.c rewrite.c)

$(EOPT_BIN): $(EOPT)/eins-opt.c $(EOPT_REWRITER) $(EOPT)/rewrite_int.h $(EOPT)/bpfsem.c \
		$(EOPT_DEPS) $(EOPT_OUT)/helper_args.h | kernel
	mkdir -p $(EOPT_OUT)
	gcc -O2 -g -Wall $(EOPT_CFLAGS) -I$(EOPT_OUT) -I$(HDRS) -o $@ $(EOPT)/eins-opt.c \
		$(EOPT_REWRITER) $(EOPT)/bpfsem.c $(EOPT_CORE) -lelf -lz3

eins-opt: $(EOPT_BIN)

# the rewriter's host tests: idiom shapes at every -mcpu, near misses, the
# prover's self-check, bad input (TAP-style lines)
rewriter-check: $(EOPT_BIN)
	sh $(EOPT)/tests/run.sh $(EOPT_BIN) $(EOPT_OUT)/tests \
		"-I$(HDRS) -I$(LIBBPF_ROOT)/usr/include"

# bpftool from the 6.12 tree (host): skeletons for the tests, vmlinux.h
# for the corpus
BPFTOOL		:= $(OUT)/corpus/bpftool/bpftool

$(BPFTOOL): | tree
	mkdir -p $(dir $@)
	$(MAKE) -s -C $(SRC)/tools/bpf/bpftool OUTPUT=$(dir $@) \
		CC="ccache gcc" > $(dir $@)build.log 2>&1 || \
		{ tail -20 $(dir $@)build.log; exit 1; }

# the rewritten loader object as a skeleton: eins_open_skeleton's test
$(TESTBIN)/loader_plain_opt.skel.h: $(TESTBIN)/loader_plain.opt.o $(BPFTOOL)
	$(BPFTOOL) gen skeleton $< name loader_plain_opt > $@.tmp && mv $@.tmp $@

$(TESTBIN)/test_loader: $(TESTBIN)/loader_plain_opt.skel.h

# the VM programs that link libeins (the loader) and the op files
LIBEINS_PROGS	:= test_loader corpus_run

$(addprefix $(TESTBIN)/,$(LIBEINS_PROGS)): $(TESTBIN)/%: $(SELFTESTS)/%.c \
		$(EOPT)/libeins.c $(EOPT_DEPS) $(SELFTESTS)/eins_lib.c \
		$(SELFTESTS)/eins_lib.h $(LIBBPF_A) | kernel
	mkdir -p $(TESTBIN)
	$(CROSS)gcc $(EOPT_CFLAGS) $(UCFLAGS) -I$(TESTBIN) -o $@ $< \
		$(EOPT)/libeins.c $(EOPT_CORE) $(SELFTESTS)/eins_lib.c $(ULIBS)

# the corpus: the 6.12 tree's BPF selftest programs built by stock clang
# and rewritten (make corpus: all of them, and the table in
# out/corpus/table.txt; make corpus-check: the sources in which eins-opt
# finds sites, for make check), and the VM run comparing each program with
# its rewrite on 1,000 packets
CORPUS_LIST	:= tools/corpus/selftests-sites.list
CORPUS_INITRAMFS := $(OUT)/initramfs-corpus-$(ARCH).cpio.gz

corpus: $(EOPT_BIN) $(LIBBPF_A) $(BPFTOOL)
	sh tools/corpus/build.sh $(OUT) $(SRC) $(LIBBPF_ROOT)/usr/include $(EOPT_BIN)

corpus-check: $(EOPT_BIN) $(LIBBPF_A) $(BPFTOOL)
	sh tools/corpus/build.sh $(OUT) $(SRC) $(LIBBPF_ROOT)/usr/include \
		$(EOPT_BIN) $(CORPUS_LIST)

vm-corpus: module $(TESTBIN)/corpus_run $(BUSYBOX)
	@[ -f $(OUT)/corpus/vm/manifest ] || \
		{ echo "no corpus: run make corpus or make corpus-check first"; exit 1; }
	sh tools/vm/mkinitramfs.sh $(CORPUS_INITRAMFS) $(KREL) $(BUSYBOX) \
		$(EINS_KO) $(TESTBIN)/corpus_run $(SELFTESTS)/corpus.sh \
		$(OUT)/corpus/vm
	sh tools/vm/run-vm.sh $(ARCH) $(KIMAGE) $(CORPUS_INITRAMFS) corpus \
		$(VM_TIMEOUT) $(VM_CPU) | tee $(OUT)/vm-corpus-$(ARCH).log

# the loader's test object, with eins.h builtins and as plain C, and what
# eins-opt makes of them
LOADER_OBJS	:= $(addprefix $(TESTBIN)/,loader_eins.bpf.o loader_plain.bpf.o \
		   loader_eins.exp.o loader_plain.opt.o)

$(TESTBIN)/loader_eins.bpf.o: $(SELFTESTS)/progs/loader.bpf.c tools/eins.h \
		modules/eins/eins_abi.h modules/eins/eins_ops.h $(LIBBPF_A) | kernel
	mkdir -p $(TESTBIN)
	clang-19 $(BPF_CFLAGS) -DUSE_EINS -c $< -o $@

$(TESTBIN)/loader_plain.bpf.o: $(SELFTESTS)/progs/loader.bpf.c $(LIBBPF_A) | kernel
	mkdir -p $(TESTBIN)
	clang-19 $(BPF_CFLAGS) -c $< -o $@

$(TESTBIN)/%.exp.o: $(TESTBIN)/%.bpf.o $(EOPT_BIN)
	$(EOPT_BIN) --expand $< -o $@

$(TESTBIN)/%.opt.o: $(TESTBIN)/%.bpf.o $(EOPT_BIN)
	$(EOPT_BIN) $< -o $@

selftests: kernel $(addprefix $(TESTBIN)/,$(TEST_PROGS)) \
	$(TESTBIN)/test_verifier $(TESTBIN)/builtins.bpf.o \
	$(TESTBIN)/test_loader $(LOADER_OBJS)

# the VM: busybox initramfs with eins.ko and the test programs
$(OUT)/busybox-arm64/bin/busybox:
	rm -rf $(OUT)/busybox-arm64 && mkdir -p $(OUT)/busybox-arm64
	cd $(OUT)/busybox-arm64 && apt-get download -qq busybox-static:arm64 \
		2>/dev/null && dpkg-deb -x busybox-static_*_arm64.deb .
KREL		= $(shell cat $(KBUILD)/include/config/kernel.release)
INITRAMFS	:= $(OUT)/initramfs$(VSUF)-$(ARCH).cpio.gz
VM_FILES	= $(EINS_KO) $(TESTBIN)/test_eins $(TESTBIN)/builtins.bpf.o \
		  $(SELFTESTS)/check.sh $(TESTBIN)/test_harden \
		  $(SELFTESTS)/harden.sh $(TESTBIN)/fuzz_eins $(SELFTESTS)/fuzz.sh \
		  $(TESTBIN)/test_verifier $(SELFTESTS)/tv.sh $(TESTBIN)/stress_eins \
		  $(SELFTESTS)/stress.sh $(TESTBIN)/test_loader $(LOADER_OBJS) \
		  $(SELFTESTS)/loader.sh $(DEMO)/demo $(DEMO)/demo_stock.bpf.o \
		  $(DEMO)/demo_eins.bpf.o tools/demo/demo.sh $(BENCH)/bench \
		  $(BENCH)/bench_stock.bpf.o $(BENCH)/bench_eins.bpf.o \
		  $(BENCH)/bench_opt.bpf.o tools/bench/bench.sh $(NP_FILES)
ifeq ($(VARIANT)$(SERIES_CUT),)
NP_FILES	= $(NP_KO) $(NP_OBJ) $(TESTBIN)/test_native $(NP_SEM_KO) $(NP_SEM_OBJ) \
		  $(TESTBIN)/np_sem.bindings $(NP_INITFAIL_KO)
endif

initramfs: module selftests demo-files bench-files $(NP_FILES) $(BUSYBOX)
	sh tools/vm/mkinitramfs.sh $(INITRAMFS) $(KREL) $(BUSYBOX) $(VM_FILES)

# A stock 6.12 kernel (the base tree, no Kops patch, the same .config) and
# its VM, which runs test_verifier only: the baseline the patched kernel's
# results must equal.
# (laid out like linux/ and build-ARCH/, so the compiler cache sees the
# same relative paths and reuses every object the patch does not change)
STOCK_SRC	:= $(OUT)/stock/linux
STOCK_BUILD	:= $(OUT)/stock/build-$(ARCH)
STOCK_KIMAGE	:= $(STOCK_BUILD)/$(patsubst $(KBUILD)/%,%,$(KIMAGE))
STOCK_INITRAMFS	:= $(OUT)/initramfs-stock-$(ARCH).cpio.gz
STOCK_KMAKE	= $(subst -C $(SRC) O=$(KBUILD),-C $(STOCK_SRC) O=$(STOCK_BUILD),$(KMAKE))

stock-kernel: kernel
	[ -f $(STOCK_SRC)/Makefile ] || { git -C $(SRC) worktree prune && \
		git -C $(SRC) worktree add -q -f --detach $(STOCK_SRC) base; }
	mkdir -p $(STOCK_BUILD)
	cmp -s $(KBUILD)/.config $(STOCK_BUILD)/.config || \
		cp $(KBUILD)/.config $(STOCK_BUILD)/.config
	+$(STOCK_KMAKE) olddefconfig >/dev/null
	+$(STOCK_KMAKE) -j$(JOBS) $(notdir $(KIMAGE))

STOCK_FILES	= $(TESTBIN)/test_verifier $(SELFTESTS)/tv.sh $(TESTBIN)/test_loader \
		  $(LOADER_OBJS) $(SELFTESTS)/loader.sh

stock-initramfs: stock-kernel $(STOCK_FILES) $(BUSYBOX)
	sh tools/vm/mkinitramfs.sh $(STOCK_INITRAMFS) \
		$$(cat $(STOCK_BUILD)/include/config/kernel.release) $(BUSYBOX) \
		$(STOCK_FILES)

# vm-stock-RUN: the stock kernel's VM running RUN (tv, loader)
vm-stock-%: stock-initramfs
	sh tools/vm/run-vm.sh $(ARCH) $(STOCK_KIMAGE) $(STOCK_INITRAMFS) $* \
		$(VM_TIMEOUT) $(VM_CPU) | tee $(OUT)/vm-stock-$*-$(ARCH).log

# run-vm RUN: boot the VM running /opt/eins/RUN.sh, console saved to a log
vm-%: initramfs
	sh tools/vm/run-vm.sh $(ARCH) $(KIMAGE) $(INITRAMFS) $* $(VM_TIMEOUT) \
		$(VM_CPU) | tee $(OUT)/vm-$*$(VSUF)-$(ARCH).log

# the fuzzer alone, as long as asked: make fuzz [N=programs] [T=seconds]
# [SEED=n] [VARIANT=debug]; the summary and any failure's seed are printed
N		?= 1000000
T		?= 600
SEED		?=
fuzz:
	EINS_APPEND="eins_fuzz=$(N),$(T),$(SEED)" $(MAKE) --no-print-directory \
		VM_TIMEOUT=$$(($(T) + 300)) vm-fuzz | tr -d '\r' | \
		grep -E '^# (FAIL|fuzz)|^(not )?ok |BUG|WARNING|Oops|KASAN'

# the hardening kernel (KASAN, lockdep, kmemleak) running the hardening
# tests, a long load/unload stress and a long fuzz; fails on any report
hardening: setup
	@sh tools/scripts/check.sh --hardening

VM_CPU		?= max

check: setup
	@sh tools/scripts/check.sh

# the demo: the same program through the stock JIT and with eins.h builtins
DEMO		:= $(OUT)/demo-$(ARCH)

$(DEMO)/demo: tools/demo/demo.c tools/demo/demo_algo.h tools/demo/demo_input.h \
		$(LIBBPF_A) | kernel
	mkdir -p $(DEMO)
	$(CROSS)gcc $(UCFLAGS) -Itools -Itools/demo -o $@ tools/demo/demo.c $(ULIBS)

$(DEMO)/demo_stock.bpf.o $(DEMO)/demo_eins.bpf.o: tools/demo/demo.bpf.c \
		tools/demo/demo_algo.h tools/eins.h $(LIBBPF_A) | kernel
	mkdir -p $(DEMO)
	clang-19 $(BPF_CFLAGS) -Itools/demo $(if $(findstring eins,$@),-DDEMO_EINS) \
		-c $< -o $@

$(DEMO)/imgrun: tools/demo/imgrun.c tools/demo/demo_algo.h tools/demo/demo_input.h \
		tools/native_image.h
	mkdir -p $(DEMO)
	clang-19 -O2 -Wall -Itools -Itools/demo -o $@ $<

demo-files: $(DEMO)/demo $(DEMO)/demo_stock.bpf.o $(DEMO)/demo_eins.bpf.o \
	$(DEMO)/imgrun

demo: setup
	$(MAKE) --no-print-directory ARCH=$(ARCH) demo-files initramfs
	sh tools/vm/run-vm.sh $(ARCH) $(KIMAGE) $(INITRAMFS) demo $(VM_TIMEOUT) \
		$(VM_CPU) > $(OUT)/vm-demo-$(ARCH).log 2>&1 || \
		{ cat $(OUT)/vm-demo-$(ARCH).log; exit 1; }
	@sh tools/demo/show.sh $(OUT)/vm-demo-$(ARCH).log $(DEMO) $(ARCH)

# benchmarks: stock JIT vs EInsn vs native C (DESIGN.md section 8)
BENCH		:= $(OUT)/bench-$(ARCH)
RESULTS		:= tools/bench/results


$(BENCH)/bench: tools/bench/bench.c $(BENCH_HDRS) tools/module_btf.h \
		tools/native_image.h tools/np/np_fdinfo.h $(LIBBPF_A) | kernel
	mkdir -p $(BENCH)
	$(CROSS)gcc $(UCFLAGS) -Itools/bench -o $@ tools/bench/bench.c $(ULIBS)

$(BENCH)/bench_stock.bpf.o $(BENCH)/bench_eins.bpf.o: tools/bench/bench.bpf.c \
		$(BENCH_HDRS) tools/eins.h $(LIBBPF_A) | kernel
	mkdir -p $(BENCH)
	clang-19 $(BPF_CFLAGS) -Itools/bench \
		$(if $(findstring eins,$(notdir $@)),-DBENCH_EINS) -c $< -o $@

# the plain-C build after the rewriter
$(BENCH)/bench_opt.bpf.o: $(BENCH)/bench_stock.bpf.o $(EOPT_BIN)
	$(EOPT_BIN) $< -o $@

# the host side: bench_run with the workloads natively, baseline,
# -march=native, and kernel-legal: the kernel's code generation flags (no
# SSE or x87, kernel code model, no red zone, stack init, wrapping
# overflow, IBT landing pads, no jump tables), with POPCNT/LZCNT/BMI
NATIVE_KERNEL_FLAGS := -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -mno-80387 \
		   -mcmodel=kernel -mno-red-zone -fno-pic -fno-strict-aliasing \
		   -fno-strict-overflow -fno-delete-null-pointer-checks \
		   -ftrivial-auto-var-init=zero -fcf-protection=branch -fno-jump-tables \
		   -fno-stack-protector -mpopcnt -mlzcnt -mbmi -mbmi2
$(BENCH)/native_%.o: tools/bench/bench_native.c tools/bench/bench_native.h $(BENCH_HDRS)
	mkdir -p $(BENCH)
	clang-19 -O2 -Wall $(if $(findstring march,$*),-march=native) \
		$(if $(findstring kernel,$*),$(NATIVE_KERNEL_FLAGS)) \
		-Itools -Itools/bench -DNATIVE_SET=native_$* -c $< -o $@

# and the whole-program build's native code: np_bench.ko's own objects
# (x86-64), linked in without PIE (they are built for -mcmodel=kernel)
NP_HOST_OBJS	= $(NP_DIR)/np_bench_layout.o $(patsubst %,$(NP_DIR)/np_%.o,$(NP_PROGS))

$(BENCH)/bench_run: tools/bench/bench_run.c tools/bench/bench_native.h $(BENCH_HDRS) \
		tools/native_image.h tools/bench/np_host.c tools/bench/np_host.h \
		$(BENCH)/native_base.o $(BENCH)/native_march.o $(BENCH)/native_kernel.o $(NP_KO)
	clang-19 -O2 -Wall -no-pie -Itools -Itools/bench -o $@ $< \
		tools/bench/np_host.c $(BENCH)/native_base.o \
		$(BENCH)/native_march.o $(BENCH)/native_kernel.o $(NP_HOST_OBJS) \
		-lelf -lm -z noexecstack

bench-files: $(BENCH)/bench $(BENCH)/bench_stock.bpf.o $(BENCH)/bench_eins.bpf.o \
	$(BENCH)/bench_opt.bpf.o \
	$(if $(filter x86_64,$(ARCH)$(VARIANT)$(SERIES_CUT)),$(BENCH)/bench_run)

# the hash functions against their published vectors, the packet ring
bench-check: setup
	mkdir -p $(OUT)/bench-host
	clang-19 -O2 -Wall -Itools -Itools/bench -o $(OUT)/bench-host/vectors \
		tools/bench/vectors.c
	$(OUT)/bench-host/vectors $(SRC)/lib/siphash_kunit.c

# the VM part of one arch: the images and their results, in a log
bench-vm: setup
	$(MAKE) --no-print-directory ARCH=$(ARCH) bench-files initramfs
	sh tools/vm/run-vm.sh $(ARCH) $(KIMAGE) $(INITRAMFS) bench $(VM_TIMEOUT) \
		$(VM_CPU) | tr -d '\r' > $(OUT)/vm-bench-$(ARCH).log || \
		{ cat $(OUT)/vm-bench-$(ARCH).log; exit 1; }

bench: setup
	$(MAKE) --no-print-directory ARCH=x86_64 bench-vm
	$(MAKE) --no-print-directory ARCH=arm64 bench-vm
	@sh tools/bench/report.sh $(OUT) $(RESULTS) README.md

# proofs: the module's real op code, compiled for
# user space, enumerates proof sequences and native emits per case
PROOFS		:= $(OUT)/proofs

$(PROOFS)/enum: proofs/smt/enum.c $(OP_FILES) $(wildcard proofs/smt/shim/*/*.h) \
		modules/eins/eins.h modules/eins/eins_ops.h modules/eins/x86.h \
		modules/eins/a64.h | kernel
	mkdir -p $(PROOFS)
	gcc -O1 -Wall -Iproofs/smt/shim -I$(OUT)/headers-x86_64/include -Iinclude \
		-Imodules/eins -DCONFIG_X86_64 -DCONFIG_ARM64 \
		-DSHIM_TOOLS_FILTER_H='"$(SRC)/tools/include/linux/filter.h"' \
		-o $@ proofs/smt/enum.c $(OP_FILES)

proofs-enum: $(PROOFS)/enum
	$(PROOFS)/enum > $(PROOFS)/cases.txt
	@echo "proofs: $$(wc -l < $(PROOFS)/cases.txt) lines in $(PROOFS)/cases.txt"

# the SMT check: every (op, arch, variant) proven for every immediate in one
# assignment of distinct registers plus PROOF_SAMPLE other cases, with
# planted bugs refuted; PROOF_SAMPLE=0 proves every case (slow)
PROOF_SAMPLE	?= 10

proofs-check: proofs-enum
	/usr/bin/python3 proofs/smt/checker/check.py $(PROOFS)/cases.txt --plant \
		$(if $(filter-out 0,$(PROOF_SAMPLE)),--per-group $(PROOF_SAMPLE))

# the two BPF models, eins-opt's bpfsem.c and the checker's bpf.py, on the
# same 3,000 random runs of the insns proof sequences use
$(PROOFS)/sem_cross: $(EOPT)/tests/sem_cross.c $(EOPT)/bpfsem.c $(EOPT)/bpfsem.h | kernel
	mkdir -p $(PROOFS)
	gcc -O2 -g -Wall -I$(EOPT) -I$(HDRS) -o $@ $(EOPT)/tests/sem_cross.c \
		$(EOPT)/bpfsem.c -lz3

models-check: $(PROOFS)/sem_cross
	$(PROOFS)/sem_cross -n 3000 > $(PROOFS)/sem_cross.txt
	/usr/bin/python3 proofs/smt/checker/cross.py $(PROOFS)/sem_cross.txt

# the Lean proofs are not compiled here (no toolchain on these machines):
# check that they admit nothing and have a theorem per SMT group
proofs-lean-sources: proofs-enum
	/usr/bin/python3 proofs/lean/check_sources.py $(PROOFS)/cases.txt
