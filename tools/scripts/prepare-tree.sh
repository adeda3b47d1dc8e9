#!/bin/sh
# prepare-tree.sh SRC
#
# Make SRC a Linux 6.12 tree (Debian's linux-source-6.12, committed once as
# git tag "base") carrying this project's kernel changes: every whole file
# under kernel/ arch/ include/ tools/include/ tools/testing/ Documentation/
# is copied to its tree path and every FILE.diff there (and MAINTAINERS.diff)
# is applied to the base version of FILE: the tree the whole series makes
# (tools/scripts/series/stages/ holds what earlier patches of the series
# make of some files, see mkseries.sh).  Only files whose content changes are
# written, so an incremental kernel build recompiles only what changed.
# Tree files modified earlier but no longer covered are restored to base.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
src=$1
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}

if [ ! -d "$src/.git" ]; then
	echo "prepare-tree: unpacking $tarball into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
	git -C "$src.tmp" init -q
	git -C "$src.tmp" -c user.name=eins -c user.email=eins@localhost \
		add -f -A .
	git -C "$src.tmp" -c user.name=eins -c user.email=eins@localhost \
		commit -q -m "Linux 6.12 (Debian linux-source-6.12)"
	git -C "$src.tmp" tag base
	mv "$src.tmp" "$src"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ours="$tmp/ours"
: > "$ours"

# install_file NAME CONTENT: write tree file NAME unless it already matches
install_file() {
	echo "$1" >> "$ours"
	if ! cmp -s "$2" "$src/$1"; then
		mkdir -p "$(dirname "$src/$1")"
		cp "$2" "$src/$1"
		echo "prepare-tree: updated $1"
	fi
}

cd "$top"
for f in $(find kernel arch include tools/include tools/testing Documentation MAINTAINERS.diff -type f \
		2>/dev/null | sort); do
	case "$f" in
	*.diff)
		t=${f%.diff}
		git -C "$src" show "base:$t" > "$tmp/orig"
		if ! patch -s -f -o "$tmp/new" "$tmp/orig" < "$f" > "$tmp/log" 2>&1; then
			cat "$tmp/log" >&2
			echo "prepare-tree: $f does not apply to the 6.12 base" >&2
			exit 1
		fi
		install_file "$t" "$tmp/new"
		;;
	*)
		install_file "$f" "$f"
		;;
	esac
done

# Restore files an earlier run changed that the project no longer touches.
# (Debian's top-level .gitignore hides everything, so list files directly.)
{ git -C "$src" diff --name-only base; git -C "$src" ls-files --others; } |
while read -r f; do
	grep -qxF "$f" "$ours" && continue
	if git -C "$src" cat-file -e "base:$f" 2>/dev/null; then
		git -C "$src" checkout -q base -- "$f"
	else
		rm -f "$src/$f"
	fi
	echo "prepare-tree: restored $f"
done
