#!/usr/bin/env bash
# Make $SRC a git tree of the pinned base (tag "base") with patches/ applied as commits on branch
# "series". Idempotent: does nothing when the tree already holds exactly the exported series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The tooling commits as itself: it is only the committer. git am keeps each patch's author and date
# from the files, which name whoever exported them (scripts/export.sh); the base commit is the
# tooling's own (and, with a fixed date, the same on every machine).
TOOLING_ID=(-c user.name="kernel-owned-pages tooling" -c user.email=tooling@localhost)
GIT=(git -C "$SRC" "${TOOLING_ID[@]}")

import_base() {
	local tmp=$SRC.new
	rm -rf "$tmp" && mkdir -p "$tmp"
	if [ -n "${LINUX_SRC:-}" ]; then
		[ -f "$LINUX_SRC/Makefile" ] || die "LINUX_SRC=$LINUX_SRC is not a kernel source tree"
		stage "importing base from LINUX_SRC=$LINUX_SRC"
		rsync -a --exclude=.git "$LINUX_SRC/" "$tmp/"
	else
		local tarball
		tarball=$("$TOP/scripts/fetch-base.sh")
		stage "unpacking $(basename "$tarball")"
		tar -xJf "$tarball" -C "$tmp" --strip-components=1
	fi
	local v
	v=$(make -s -C "$tmp" kernelversion 2>/dev/null) || die "cannot read the kernel version of the base"
	[ "$v" = "$BASE_VERSION" ] || die "base is Linux $v, the series needs $BASE_VERSION"
	stage "committing the base tree (tag base)"
	git -C "$tmp" init -q -b series
	git -C "$tmp" config gc.auto 0   # no repacking of 90,000 files in the middle of git am
	git -C "$tmp" add -f -A .
	# A fixed identity and date make the base commit the same on every machine (format-patch --base).
	GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
		git -C "$tmp" "${TOOLING_ID[@]}" commit -q -m "Linux $BASE_VERSION ($BASE_PKG $BASE_PKG_VERSION)"
	git -C "$tmp" tag base
	rm -rf "$SRC" && mv "$tmp" "$SRC"
	rm -f "$APPLIED_STAMP"
}

[ -d "$SRC/.git" ] && base_commit >/dev/null || import_base

# SRC_AS_IS=1: build and test the tree as it is, uncommitted changes included (to show that a test
# fails with the change it checks reverted); nothing is applied or checked.
if [ "${SRC_AS_IS:-0}" = 1 ]; then
	stage "SRC_AS_IS=1: using $SRC as it is ($(git -C "$SRC" status --porcelain -uno | wc -l) changed files)"
	exit 0
fi

want=$(patches_hash)
head=$("${GIT[@]}" rev-parse HEAD)
if [ -f "$APPLIED_STAMP" ]; then
	read -r have_hash have_head <"$APPLIED_STAMP"
	if [ "$have_head" != "$head" ] || [ -n "$("${GIT[@]}" status --porcelain -uno)" ]; then
		[ "${FORCE:-0}" = 1 ] || die "$SRC has commits or changes not exported to patches/.
Run 'make export' to keep them, or 'make src FORCE=1' to discard them."
	elif [ "$have_hash" = "$want" ]; then
		exit 0
	fi
fi

stage "applying $(series_patches | wc -l) patches from patches/ on base"
"${GIT[@]}" am --abort >/dev/null 2>&1 || true
"${GIT[@]}" checkout -q -f -B series base
if series_patches | grep -q .; then
	series_patches | xargs "${GIT[@]}" am -q --whitespace=nowarn ||
		{ "${GIT[@]}" am --abort || true; die "the series does not apply on $BASE_VERSION (see git am output above)"; }
fi
echo "$want $("${GIT[@]}" rev-parse HEAD)" >"$APPLIED_STAMP"
