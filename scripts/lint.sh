#!/usr/bin/env bash
# Check the exported series: it applies on the pinned base, every patch is checkpatch --strict clean,
# the files it touches gain no kernel-doc warnings, and every patch builds on its own (the objects of
# the C files it touches, or for a header-only patch those the series touches, with the guest config).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

EXCEPTIONS=$TOP/configs/checkpatch-exceptions
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'lint: FAIL: %s\n' "$*" >&2; }

"$TOP/scripts/src.sh"
if [ ! -d "$LINT_TREE" ]; then
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q --detach "$LINT_TREE" base
fi
LGIT=(git -C "$LINT_TREE" -c user.name=lint -c user.email=lint@localhost)

stage "lint: applying $(series_patches | wc -l) patches on a clean $BASE_VERSION"
"${LGIT[@]}" am --abort >/dev/null 2>&1 || true
"${LGIT[@]}" checkout -q -f --detach base
if series_patches | xargs -r "${LGIT[@]}" am -q --whitespace=error-all; then
	ok
else
	"${LGIT[@]}" am --abort || true
	bad "the series does not apply on $BASE_VERSION with whitespace checks"
	record_counts lint "$pass" "$fail" 0
	exit 1
fi
commits=$("${LGIT[@]}" rev-list --reverse base..HEAD)

stage "lint: checkpatch --strict"
ignore=$(list_entries "$EXCEPTIONS" | awk '{print $1}' | paste -sd, || true)
for p in $(series_patches); do
	# Debian's python3 has ply and git for checkpatch's SPDX check.
	if out=$(cd "$LINT_TREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --quiet \
		${ignore:+--ignore "$ignore"} "$p" 2>&1 </dev/null); then
		ok
	else
		bad "checkpatch: $(basename "$p")"
		echo "$out" >&2
	fi
done

stage "lint: kernel-doc on the files the series touches"
kdoc_warnings() { # FILE: the warnings of scripts/kernel-doc, line numbers dropped
	(cd "$LINT_TREE" && scripts/kernel-doc -none -Wall "$1" 2>&1 | sed -E 's/:[0-9]+([: ])/:\1/' | sort) || true
}
for f in $("${LGIT[@]}" diff --name-only --diff-filter=AM base HEAD -- '*.c' '*.h'); do
	now=$(kdoc_warnings "$f")
	before=$("${LGIT[@]}" show "base:$f" 2>/dev/null >"$CACHE/kdoc-base.tmp" &&
		(cd "$LINT_TREE" && scripts/kernel-doc -none -Wall "$CACHE/kdoc-base.tmp" 2>&1 |
			sed -E -e 's/:[0-9]+([: ])/:\1/' -e "s|$CACHE/kdoc-base.tmp|$f|" | sort) || true)
	new=$(comm -23 <(echo "$now") <(echo "$before") | grep . || true)
	[ -z "$new" ] && ok || { bad "kernel-doc: $f"; echo "$new" >&2; }
done

stage "lint: building every patch on its own (objects it touches) in $BUILD_LINT"
"$TOP/scripts/build-kernel.sh" >/dev/null   # its objects say which files the config builds
"$TOP/scripts/kconfig.sh" "$BUILD_LINT" x86_64 tinyconfig \
	"$TOP/configs/guest.config" "$TOP/configs/debug.config" "$TOP/configs/kunitconfig"
series_c=$("${LGIT[@]}" diff --name-only --diff-filter=AM base HEAD -- '*.c')
for c in $commits; do
	"${LGIT[@]}" checkout -q "$c"
	subject=$("${LGIT[@]}" log -1 --format=%s "$c")
	files=$("${LGIT[@]}" diff --name-only --diff-filter=AM "$c^" "$c" -- '*.c')
	"${LGIT[@]}" diff --name-only "$c^" "$c" -- '*.h' | grep -q . && files="$files $series_c"
	objs=""
	for f in $files; do
		[ -f "$LINT_TREE/$f" ] || continue
		# Only objects the guest config builds (mm/nommu.c, for one, is not).
		[ -f "$BUILD_X86/${f%.c}.o" ] || continue
		objs="$objs ${f%.c}.o"
	done
	objs=$(tr ' ' '\n' <<<"$objs" | sort -u | paste -sd' ')
	if [ -z "$objs" ]; then
		echo "lint: build: nothing to compile in '$subject'" >&2
		continue
	fi
	if "${KMAKE[@]}" -C "$LINT_TREE" O="$BUILD_LINT" ARCH=x86_64 $objs >"$CACHE/lint-build.log" 2>&1 &&
		! grep -q 'warning:' "$CACHE/lint-build.log"; then
		ok
	else
		bad "build of '$subject': $objs"
		tail -30 "$CACHE/lint-build.log" >&2
	fi
done

record_counts lint "$pass" "$fail" 0
[ "$fail" = 0 ]
