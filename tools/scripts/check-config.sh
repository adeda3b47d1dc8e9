#!/bin/sh
# check-config.sh DOTCONFIG FRAGMENT...
# Fail if an option a fragment asks for did not survive olddefconfig
# (a missing dependency would otherwise silently drop it).
set -eu
cfg=$1
shift
bad=0
for frag in "$@"; do
	grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS= read -r line; do
		grep -qxF "$line" "$cfg" || {
			echo "config: $line requested by $frag is not set" >&2
			echo x
		}
	done
done | grep -q x && bad=1
exit $bad
