#!/bin/sh
# build-test-verifier.sh SRC OUT CC CFLAGS LIBBPF_A LIBBPF_INCLUDE [LDFLAGS]
#
# Build the kernel's own verifier suite, tools/testing/selftests/bpf/
# test_verifier from the tree SRC, as one static binary OUT/test_verifier
# for the busybox test VM.  The selftests Makefile would also build
# vmlinux.h, bpftool and bpf_testmod.ko; test_verifier needs none of them
# but its list of tests (verifier/tests.h) and three helper files.
#
# 6.12's test_verifier refuses to run without ./bpf_testmod.ko; the VM has
# no such module, so its loader is wrapped to load it only if present
# (the kfunc tests that need it fail the same way on every kernel).
set -eu
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
cc=$3
cflags=$4
libbpf_a=$5
libbpf_inc=$6
ldflags=${7:-}
st=$src/tools/testing/selftests/bpf
gen=$out/gen

mkdir -p "$gen/verifier"
# absolute paths: an #include resolves relative to the including file
{
	echo '#ifdef FILL_ARRAY'
	for f in "$st"/verifier/*.c; do
		echo "#include \"$f\""
	done
	echo '#endif'
} > "$gen/verifier/tests.h.new"
cmp -s "$gen/verifier/tests.h.new" "$gen/verifier/tests.h" ||
	mv "$gen/verifier/tests.h.new" "$gen/verifier/tests.h"
rm -f "$gen/verifier/tests.h.new"

cat > "$gen/testmod_optional.c" <<'CEOF'
/* test_verifier's bpf_testmod loader, made optional (see the script) */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

int load_bpf_testmod(bool verbose);
int unload_bpf_testmod(bool verbose);

static bool testmod_loaded;

/* line-buffered, so the log is whole up to a kernel crash */
__attribute__((constructor)) static void stdout_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int optional_load_bpf_testmod(bool verbose)
{
	testmod_loaded = !access("bpf_testmod.ko", R_OK) &&
			 !load_bpf_testmod(verbose);
	return 0;
}

int optional_unload_bpf_testmod(bool verbose)
{
	if (!testmod_loaded)
		return 0;
	testmod_loaded = false;
	return unload_bpf_testmod(verbose);
}
CEOF

inc="-I$gen -I$st -I$libbpf_inc -I$src/tools/include -I$src/tools/include/uapi"
flags="-g0 -Wall -Wno-unused -fno-strict-aliasing $cflags $inc"
cd "$gen"
# shellcheck disable=SC2086
$cc $flags -Dload_bpf_testmod=optional_load_bpf_testmod \
	-Dunload_bpf_testmod=optional_unload_bpf_testmod \
	-c "$st/test_verifier.c" -o test_verifier.o
for f in testing_helpers cap_helpers unpriv_helpers; do
	# shellcheck disable=SC2086
	$cc $flags -c "$st/$f.c" -o "$f.o"
done
# shellcheck disable=SC2086
$cc $flags -c testmod_optional.c -o testmod_optional.o
# shellcheck disable=SC2086
$cc -static -o "$out/test_verifier" test_verifier.o testing_helpers.o \
	cap_helpers.o unpriv_helpers.o testmod_optional.o "$libbpf_a" \
	$ldflags -lelf -lz -lzstd -lpthread
