#!/bin/sh
# check-config.sh DOTCONFIG FRAGMENT...
# Fail if an option a fragment asks for did not survive olddefconfig
# (a missing dependency would otherwise silently drop it).  Options named
# in CONFIG_ABSENT (space-separated) are not checked: a tree cut from the
# series does not have them.
set -eu
cfg=$1
shift
bad=0
for frag in "$@"; do
	grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS= read -r line; do
		case " ${CONFIG_ABSENT:-} " in
		*" ${line%%=*} "*) continue ;;	# not in this tree's Kconfig
		esac
		grep -qxF "$line" "$cfg" || {
			echo "config: $line requested by $frag is not set" >&2
			echo x
		}
	done
done | grep -q x && bad=1
exit $bad
