#!/bin/sh
# mkseries.sh [--build CONFIG] OUT
#
# Write the project's kernel changes as an upstream-style patch series in
# OUT/series: commit them patch by patch, as tools/scripts/series.list
# groups them, onto the 6.12 base of the tree OUT/linux (see prepare-tree.sh)
# and run git format-patch with a cover letter.  Then check the series:
# it must git am onto base and give the same tree, and checkpatch --strict
# must find nothing in any patch.  With --build, also build kernel/bpf/ and
# arch/x86/net/ after every patch, using the kernel config CONFIG.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
scripts=$top/tools/scripts
config=
if [ "${1-}" = --build ]; then
	config=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	shift 2
fi
[ $# -eq 1 ] || { echo "usage: $0 [--build CONFIG] OUT" >&2; exit 2; }
out=$(cd "$1" && pwd)
src=$out/linux
work=$out/series-work
dir=$out/series

export GIT_AUTHOR_NAME="EInsn Developers" GIT_AUTHOR_EMAIL=eins@localhost
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL=eins@localhost

die() {
	echo "mkseries: $*" >&2
	exit 1
}

[ -d "$src/.git" ] || die "$src is not prepared, run make tree"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# base_checkout DIR: make DIR a clean checkout of base on branch series,
# (re)cloning it from $src if it is missing or has another base
base_checkout() {
	if [ "$(git -C "$1" rev-parse -q --verify base 2>/dev/null)" != \
	     "$(git -C "$src" rev-parse base)" ]; then
		rm -rf "$1"
		git clone -q --shared --no-checkout "$src" "$1"
	fi
	git -C "$1" checkout -q -f -B series base
	git -C "$1" clean -q -f -d -x
}

# Commit the project's files onto base, one series.list line at a time;
# FILE@STAGE commits an intermediate version of a file a later line lists
# (tools/scripts/series/stages/STAGE/FILE.diff).
base_checkout "$work"
sh "$scripts/prepare-tree.sh" "$work" > /dev/null
sed -e '/^#/d' -e '/^[[:space:]]*$/d' "$scripts/series.list" > "$tmp/list"
while read -r msg files; do
	[ -f "$scripts/series/$msg.msg" ] || die "no series/$msg.msg"
	add=
	for f in $files; do
		case $f in
		*@*)	# FILE@STAGE: FILE as series/stages/STAGE/FILE.diff
			# makes it from base, for a file that more than one
			# patch changes
			stage=$scripts/series/stages/${f#*@}/${f%@*}.diff
			f=${f%@*}
			[ -f "$stage" ] || die "$msg: the project has no $stage"
			mkdir -p "$tmp/final/$(dirname "$f")"
			[ -f "$tmp/final/$f" ] || cp "$work/$f" "$tmp/final/$f"
			git -C "$work" show "base:$f" > "$tmp/orig"
			patch -s -f -o "$work/$f" "$tmp/orig" < "$stage" > /dev/null ||
				die "$msg: $stage does not apply to base"
			;;
		*)	[ -f "$top/$f" ] || [ -f "$top/$f.diff" ] ||
				die "$msg: the project has no $f or $f.diff"
			# staged by an earlier patch: back to its final version
			[ ! -f "$tmp/final/$f" ] || cp "$tmp/final/$f" "$work/$f"
			;;
		esac
		add="$add $f"
	done
	# shellcheck disable=SC2086
	git -C "$work" add -f -- $add
	! git -C "$work" diff --cached --quiet || die "$msg: nothing to commit"
	git -C "$work" commit -q -s -F "$scripts/series/$msg.msg"
done < "$tmp/list"
left=$({ git -C "$work" diff --name-only HEAD
	 git -C "$work" ls-files --others; } |
       sed '/^kernel\/configs\//d' | tr '\n' ' ')
[ -z "$left" ] || die "not in series.list: $left"

rm -rf "$dir"
git -C "$work" format-patch -q --cover-letter -o "$dir" \
	--subject-prefix="PATCH bpf-next" base..HEAD
sed -n '3,$p' "$scripts/series/cover.msg" > "$tmp/blurb"
awk -v subj="$(sed -n 1p "$scripts/series/cover.msg")" -v blurb="$tmp/blurb" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		while ((getline line < blurb) > 0)
			print line
		next
	}
	{ print }' "$dir/0000-cover-letter.patch" > "$tmp/cover"
mv "$tmp/cover" "$dir/0000-cover-letter.patch"
patches=
echo "mkseries: wrote $dir:"
for p in "$dir"/*.patch; do
	echo "  ${p##*/}"
	[ "${p##*/}" = 0000-cover-letter.patch ] || patches="$patches $p"
done
fail=0

# The series applies to a fresh base with git am and gives the same tree.
am=$out/series-am
base_checkout "$am"
# shellcheck disable=SC2086
if git -C "$am" am -q $patches > "$tmp/am" 2>&1 &&
   [ "$(git -C "$am" rev-parse "HEAD^{tree}")" = \
     "$(git -C "$work" rev-parse "HEAD^{tree}")" ]; then
	echo "mkseries: git am onto base: ok"
else
	cat "$tmp/am"
	git -C "$am" am --abort 2>/dev/null || true
	echo "mkseries: git am onto base: FAILED"
	fail=1
fi

# checkpatch checks SPDX tags with the first python3 on PATH, which needs
# ply and GitPython (Debian: python3-ply python3-git).
mkdir "$tmp/bin"
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import ply, git' 2> /dev/null; then
		ln -s "$(command -v "$py")" "$tmp/bin/python3"
		break
	fi
done
[ -e "$tmp/bin/python3" ] ||
	echo "mkseries: no python3 with ply and git, SPDX tags not checked"
for p in $patches; do
	echo "mkseries: checkpatch --strict $(basename "$p")"
	(cd "$work" && PATH=$tmp/bin:$PATH \
		perl scripts/checkpatch.pl --strict --show-types "$p") || fail=1
done

# Each patch builds on its own.
if [ -n "$config" ]; then
	build=$out/series-build
	mkdir -p "$build"
	for c in $(git -C "$work" rev-list --reverse base..series); do
		git -C "$work" checkout -q "$c"
		# the whole config each time: an option a later patch adds
		# (CONFIG_BPF_NATIVE_PROG) is dropped by an earlier olddefconfig
		cmp -s "$config" "$build/.config" || cp "$config" "$build/.config"
		name=$(git -C "$work" log -1 --format=%s "$c")
		log=$build/build-$(git -C "$work" rev-list --count base.."$c").log
		if make -C "$work" O="$build" ARCH=x86 CC="ccache gcc" \
		     HOSTCC="ccache gcc" -j"$(nproc)" olddefconfig \
		     kernel/bpf/ arch/x86/net/ > "$log" 2>&1; then
			echo "mkseries: build ok ($(grep -c 'warning:' "$log") warnings): $name"
		else
			grep -E 'error|warning:' "$log" | head -20
			echo "mkseries: build FAILED: $name (see $log)"
			fail=1
		fi
	done
	git -C "$work" checkout -q series
fi

[ "$fail" = 0 ] || die "the series has problems, see above"
