#!/usr/bin/env bash
# Obtain the pinned base tarball, verify it, and print its path.
# Order: $LINUX_TARBALL; the cached copy; the team's copy of the Debian package in ../shared/base/;
# the Debian archive through apt with private state (the system's apt sources are never edited).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DL=$CACHE/dl
TARBALL=$DL/linux-source-$BASE_VERSION.tar.xz
SHARED_BASE=${SHARED_BASE:-$TOP/../shared/base}

sha_ok() { echo "$2  $1" | sha256sum --quiet -c - >/dev/null 2>&1; }

if [ -n "${LINUX_TARBALL:-}" ]; then
	[ -f "$LINUX_TARBALL" ] || die "LINUX_TARBALL=$LINUX_TARBALL does not exist"
	sha_ok "$LINUX_TARBALL" "$BASE_TARBALL_SHA256" ||
		stage "note: $LINUX_TARBALL is not the pinned Debian tarball; its Makefile must say $BASE_VERSION"
	echo "$LINUX_TARBALL"
	exit 0
fi

if [ -f "$TARBALL" ] && sha_ok "$TARBALL" "$BASE_TARBALL_SHA256"; then
	echo "$TARBALL"
	exit 0
fi
mkdir -p "$DL"

# apt_download: fetch the package from the Debian archive into $DL with private apt state.
apt_download() {
	local state=$DL/apt uri
	uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list 2>/dev/null | grep -m1 -oE 'https?://[^ ]*/debian/?' || true)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	rm -rf "$state" && mkdir -p "$state/lists/partial" "$state/archives/partial"
	local suite
	for suite in $BASE_SUITES; do
		echo "deb ${uri%/} $suite main"
	done >"$state/sources.list"
	local opts=(-o Dir::State="$state" -o Dir::State::status=/dev/null
		-o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::Cache="$state" -o Dir::Cache::archives="$state/archives"
		-o APT::Architecture=amd64 -o Debug::NoLocking=1)
	stage "fetching $BASE_PKG=$BASE_PKG_VERSION from $uri ($BASE_SUITES)"
	apt-get "${opts[@]}" -q update >&2 || return 1
	(cd "$DL" && apt-get "${opts[@]}" -q download "$BASE_PKG=$BASE_PKG_VERSION" >&2) || return 1
}

DEB=""
for cand in "$SHARED_BASE/$BASE_DEB" "$DL/$BASE_DEB"; do
	if [ -f "$cand" ]; then
		sha_ok "$cand" "$BASE_DEB_SHA256" || die "$cand does not match the pinned sha256; delete it or fix ../shared/base"
		DEB=$cand
		break
	fi
done
if [ -z "$DEB" ]; then
	apt_download || die "$BASE_PKG $BASE_PKG_VERSION is not in the Debian archive any more.
Point LINUX_TARBALL=/path/to/linux-$BASE_VERSION.tar.xz or LINUX_SRC=/path/to/linux-$BASE_VERSION at another copy of $BASE_VERSION."
	DEB=$DL/$BASE_DEB
	sha_ok "$DEB" "$BASE_DEB_SHA256" || die "downloaded $DEB does not match the pinned sha256"
fi

stage "extracting $BASE_TARBALL_IN_DEB from $(basename "$DEB")"
dpkg-deb --fsys-tarfile "$DEB" | tar -xO "./$BASE_TARBALL_IN_DEB" >"$TARBALL.tmp"
sha_ok "$TARBALL.tmp" "$BASE_TARBALL_SHA256" || die "tarball inside $DEB does not match the pinned sha256"
mv "$TARBALL.tmp" "$TARBALL"
echo "$TARBALL"
