#!/bin/sh
# calls_check.sh MODULE.ko...: every call the native code of an x86-64
# whole-program module makes is direct, as the JIT's are: no "call *",
# no retpoline thunk.  The map helpers reach the maps' ops through static
# calls (np_helpers.h); the count of those is printed.
set -eu
for ko; do
	name=$(basename "$ko")
	dis=$(objdump -dr --no-show-raw-insn "$ko") || {
		echo "not ok - $name: objdump failed"
		continue
	}
	indirect=$(printf '%s\n' "$dis" |
		grep -E '\scall[q]?\s+\*|__x86_indirect_(thunk|call)' || true)
	sites=$(printf '%s\n' "$dis" | grep -c 'R_X86_64_PLT32\s*__SCT__' || true)
	if [ -n "$indirect" ]; then
		printf '%s\n' "$indirect" | head -5
		echo "not ok - $name: the native code calls indirectly"
	else
		echo "ok - $name: every call is direct ($sites to maps' ops through static calls)"
	fi
done
