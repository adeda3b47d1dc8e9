#!/bin/sh
# run-vm.sh ARCH KERNEL INITRAMFS RUN [TIMEOUT [CPU]]
#
# Boot the test VM under QEMU TCG (nested KVM guests hang on these
# machines; set EINS_KVM=1 to use KVM where it works), run /opt/eins/RUN.sh
# inside it and print the serial console.  The boot is killed after
# TIMEOUT seconds (default 300).  CPU is the QEMU CPU model (default max).
# EINS_APPEND adds to the kernel command line (e.g. eins_fuzz=N,T,SEED).
set -eu
arch=$1
kernel=$2
initrd=$3
run=$4
timeout=${5:-300}
cpu=${6:-max}
accel=tcg
[ "${EINS_KVM:-0}" = 1 ] && accel=kvm

case "$arch" in
x86_64)
	set -- qemu-system-x86_64 -M q35 -cpu "$cpu" -no-reboot \
		-append "console=ttyS0 loglevel=4 panic=-1 eins_run=$run ${EINS_APPEND:-}"
	;;
arm64)
	set -- qemu-system-aarch64 -M virt -cpu "$cpu" \
		-append "console=ttyAMA0 loglevel=4 panic=-1 eins_run=$run ${EINS_APPEND:-}"
	;;
*)
	echo "run-vm: unknown arch $arch" >&2
	exit 2
	;;
esac

rc=0
timeout --foreground -k 5 "$timeout" "$@" -accel "$accel" -smp 1 -m 1024 \
	-nographic -monitor none -serial stdio -nodefaults \
	-kernel "$kernel" -initrd "$initrd" </dev/null || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "run-vm: VM did not finish within ${timeout}s" >&2
fi
exit "$rc"
