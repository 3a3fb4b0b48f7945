#!/usr/bin/env bash
# Check the exported series: it applies on the pinned base, every patch is checkpatch --strict clean,
# the files it touches gain no kernel-doc warnings, and every patch builds on its own without a
# warning: the kernel objects of the C files it touches (all of the series' if it touches a header)
# with the guest config plus configs/lint.config, and the selftests and tools it touches.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

EXCEPTIONS=$TOP/configs/checkpatch-exceptions
# Kernel C files the x86_64 lint config cannot compile, and the stage that compiles them.
ELSEWHERE="mm/nommu.c"    # make check-arch: the no-MMU build
tap_begin "$RESULTS/lint.checks"

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
	ok "the series applies on $BASE_VERSION with whitespace checks"
else
	"${LGIT[@]}" am --abort || true
	bad "the series does not apply on $BASE_VERSION with whitespace checks"
	count_results lint "lint=$TAP_LOG"
	exit 1
fi
commits=$("${LGIT[@]}" rev-list --reverse base..HEAD)

stage "lint: checkpatch --strict"
ignore=$(list_entries "$EXCEPTIONS" | awk '{print $1}' | paste -sd, || true)
for p in $(series_patches); do
	# Debian's python3 has ply and git for checkpatch's SPDX check.
	if out=$(cd "$LINT_TREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --quiet \
		${ignore:+--ignore "$ignore"} "$p" 2>&1 </dev/null); then
		ok "checkpatch: $(basename "$p")"
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
	[ -z "$new" ] && ok "kernel-doc: $f" || { bad "kernel-doc: $f"; echo "$new" >&2; }
done

stage "lint: building every patch on its own (objects, selftests and tools it touches) in $BUILD_LINT"
"$TOP/scripts/kconfig.sh" "$BUILD_LINT" x86_64 tinyconfig "$TOP/configs/guest.config" \
	"$TOP/configs/debug.config" "${KUNITCONFIGS[@]}" "$TOP/configs/lint.config"
BLOG=$CACHE/lint-build.log
series_c=$("${LGIT[@]}" diff --name-only --diff-filter=AM base HEAD -- '*.c' ':!tools/')
for c in $commits; do
	"${LGIT[@]}" checkout -q "$c"
	subject=$("${LGIT[@]}" log -1 --format=%s "$c")
	touched=$("${LGIT[@]}" diff --name-only --diff-filter=AM "$c^" "$c")
	grep -q '\.[ch]$' <<<"$touched" || continue    # documentation or build files only
	files=$(grep '\.c$' <<<"$touched" | grep -v '^tools/' || true)
	grep '\.h$' <<<"$touched" | grep -q -v '^tools/' && files="$files $series_c"
	objs=$(for f in $files; do
		if [ -f "$LINT_TREE/$f" ] && ! grep -qw -- "$f" <<<"$ELSEWHERE"; then echo "${f%.c}.o"; fi
	done | sort -u | paste -sd' ')
	ksft=$(sed -n 's|^tools/testing/selftests/\([^/]*\)/.*\.c$|\1|p' <<<"$touched" | sort -u | paste -sd' ')
	ksft_c=$(grep '^tools/testing/selftests/.*\.c$' <<<"$touched" | xargs -rn1 basename | paste -sd'|' || true)
	tools_mm=$(grep '^tools/mm/.*\.c$' <<<"$touched" | xargs -rn1 basename | paste -sd'|' || true)
	[ -n "$objs$ksft$tools_mm" ] ||
		bad "build of '$subject': it changes C that no lint build compiles"
	[ -z "$objs" ] || build_ok "build of '$subject': $objs" 'warning:' "$BLOG" \
		"${KMAKE[@]}" -C "$LINT_TREE" O="$BUILD_LINT" ARCH=x86_64 $objs
	[ -z "$ksft" ] || build_ok "build of '$subject': selftests $ksft" \
		"($ksft_c):[0-9]+:[0-9]+: warning:" "$BLOG" \
		make -s -j"$JOBS" -C "$LINT_TREE" O="$BUILD_LINT" ARCH=x86_64 TARGETS="$ksft" FORCE_TARGETS=1 \
		CC="ccache gcc" kselftest-all
	[ -z "$tools_mm" ] || build_ok "build of '$subject': tools/mm ($tools_mm)" \
		"($tools_mm):[0-9]+:[0-9]+: warning:" "$BLOG" \
		bash -c "rm -f '$LINT_TREE/tools/mm/page-types' && make -s -C '$LINT_TREE/tools/mm' page-types"
done

count_results lint "lint=$TAP_LOG"
