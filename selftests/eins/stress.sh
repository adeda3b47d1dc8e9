#!/bin/sh
# Run inside the test VM: load and free programs with sites while eins.ko
# is unloaded and reloaded beside them, then check that nothing leaked
# (kmemleak, on the debug kernel) and that the module still unloads.
t=${1:-60}
modprobe eins || { echo "not ok 1 modprobe eins"; exit 1; }
end=$(($(date +%s) + t))
(
	n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		rmmod eins 2>/dev/null && n=$((n + 1))
		modprobe eins
		sleep 0.3
	done
	echo "# stress: eins.ko unloaded and reloaded $n times"
) &
./stress_eins -t "$t"
wait
# the last programs are freed after an RCU grace period
i=0
while ! rmmod eins 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
if lsmod | grep -q '^eins '; then
	echo "not ok 2 stress: eins.ko unloads once the programs are gone"
else
	echo "ok 2 stress: eins.ko unloads once the programs are gone"
fi
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	if [ "$leaks" = 0 ]; then
		echo "ok 3 stress: kmemleak reports no unreferenced object"
	else
		head -60 /sys/kernel/debug/kmemleak
		echo "not ok 3 stress: kmemleak reports $leaks unreferenced objects"
	fi
	echo "1..3"
else
	echo "# stress: no kmemleak in this kernel"
	echo "1..2"
fi
