#!/bin/sh
# save-tree.sh SRC
#
# The reverse of prepare-tree.sh for development: after editing the kernel
# tree SRC directly, write its changes back into the project, new files
# whole and changes to base files as FILE.diff.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$(cd "$1" && pwd)
cd "$src"
{ git diff --name-only base; git ls-files --others; } | sort -u |
while read -r f; do
	if git cat-file -e "base:$f" 2>/dev/null; then
		mkdir -p "$top/$(dirname "$f")"
		git diff base -- "$f" > "$top/$f.diff.new"
		if cmp -s "$top/$f.diff.new" "$top/$f.diff"; then
			rm "$top/$f.diff.new"
		else
			mv "$top/$f.diff.new" "$top/$f.diff"
			echo "save-tree: $f.diff"
		fi
	elif cmp -s "$f" "$top/$f"; then
		:
	elif [ "$top/$f" -nt "$f" ]; then
		echo "save-tree: $f: the project copy is newer, not overwritten" >&2
	else
		mkdir -p "$top/$(dirname "$f")"
		cp "$f" "$top/$f"
		echo "save-tree: $f"
	fi
done
