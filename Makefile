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

export CCACHE_DIR

SRC		:= $(OUT)/linux
KBUILD		:= $(OUT)/build-$(ARCH)
STAMP		:= $(OUT)/stamp

ifeq ($(ARCH),x86_64)
KARCH		:= x86
KIMAGE		:= $(KBUILD)/arch/x86/boot/bzImage
CROSS		:=
else ifeq ($(ARCH),arm64)
KARCH		:= arm64
KIMAGE		:= $(KBUILD)/arch/arm64/boot/Image
CROSS		:= aarch64-linux-gnu-
else
$(error ARCH must be x86_64 or arm64)
endif

KMAKE = $(MAKE) -C $(SRC) O=$(KBUILD) ARCH=$(KARCH) \
	CROSS_COMPILE=$(CROSS) CC="ccache $(CROSS)gcc" HOSTCC="ccache gcc" \
	KBUILD_BUILD_TIMESTAMP=eins KBUILD_BUILD_USER=eins KBUILD_BUILD_HOST=eins

.PHONY: all setup tree kernel module tools selftests initramfs demo check \
	series clean

all: demo

setup:
	@sh tools/scripts/setup.sh

tree: setup
	@sh tools/scripts/prepare-tree.sh $(SRC)

$(KBUILD)/.config: kernel/configs/eins.config kernel/configs/eins-$(ARCH).config | tree
	mkdir -p $(KBUILD)
	$(KMAKE) tinyconfig >/dev/null
	$(KMAKE) eins.config eins-$(ARCH).config >/dev/null
	@sh tools/scripts/check-config.sh $(KBUILD)/.config \
		kernel/configs/eins.config kernel/configs/eins-$(ARCH).config

kernel: tree $(KBUILD)/.config
	+$(KMAKE) -j$(JOBS) $(notdir $(KIMAGE)) modules
	+$(KMAKE) -j$(JOBS) headers_install INSTALL_HDR_PATH=$(OUT)/headers-$(ARCH) >/dev/null

clean:
	rm -rf $(OUT)

# eins.ko, built from a copy so the checkout stays free of build products
MODDIR		:= $(OUT)/eins-$(ARCH)
EINS_KO		:= $(MODDIR)/eins.ko

module: kernel
	mkdir -p $(MODDIR)
	rsync -a --checksum modules/eins/ $(MODDIR)/
	+$(KMAKE) -j$(JOBS) M=$(MODDIR) modules
