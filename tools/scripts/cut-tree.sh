#!/bin/sh
# cut-tree.sh SRC MAIN_SRC PATCHDIR N
#
# Make SRC the Linux 6.12 tree that the first N patches of the series in
# PATCHDIR (make series writes them) give, applied with git am onto the
# base of MAIN_SRC (a tree prepare-tree.sh made).  For checking that the
# series can be cut: N=7 leaves off whole-program mode.  Only files that
# differ from SRC's current checkout are written, so a rebuild after a
# change recompiles what changed.
set -eu
src=$1
main=$(cd "$2" && pwd)
patches=$(cd "$3" && pwd)
n=$4

die() {
	echo "cut-tree: $*" >&2
	exit 1
}

export GIT_AUTHOR_NAME="EInsn Developers" GIT_AUTHOR_EMAIL=eins@localhost
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL=eins@localhost

list=$(find "$patches" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' |
       sort | head -n "$n")
[ "$(echo "$list" | grep -c .)" = "$n" ] ||
	die "$patches has fewer than $n patches (run make series)"

if [ ! -d "$src/.git" ]; then
	rm -rf "$src"
	mkdir -p "$(dirname "$src")"
	git clone -q --shared --no-checkout "$main" "$src"
	git -C "$src" checkout -q -f --detach base
fi

# git am in a scratch worktree, then move SRC to the result: checkout
# rewrites only the files that differ
tmp=$src.am
rm -rf "$tmp"
git -C "$src" worktree prune
git -C "$src" worktree add -q --detach "$tmp" base
# shellcheck disable=SC2086
git -C "$tmp" am -q $list || die "the first $n patches do not git am onto base"
head=$(git -C "$tmp" rev-parse HEAD)
git -C "$src" worktree remove --force "$tmp"
git -C "$src" checkout -q -f "$head"
git -C "$src" clean -q -f -d -e 'kernel/configs/eins*.config'
# the project's config fragments, which the series does not carry
top=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$top"/kernel/configs/*.config; do
	cmp -s "$f" "$src/kernel/configs/${f##*/}" || cp "$f" "$src/kernel/configs/"
done
echo "cut-tree: $src is base + patches 1-$n:"
git -C "$src" log --format='  %s' base..HEAD | sed '1!G;h;$!d'
