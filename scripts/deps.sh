#!/usr/bin/env bash
# Install the Debian packages the tooling needs (as root), or name them (otherwise).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES="make gcc git perl python3 flex bison bc libelf-dev libssl-dev ccache cpio xz-utils rsync
dpkg-dev linux-perf python3-ply python3-git qemu-system-x86 busybox-static liburing-dev libcap-dev libnuma-dev
e2fsprogs util-linux sudo liburcu-dev gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu qemu-system-arm"
missing=$(for p in $PACKAGES; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
[ -n "$missing" ] || exit 0
missing=$(echo $missing)
if [ "$(id -u)" != 0 ]; then
	die "missing packages: $missing
Install them with: sudo apt-get install $missing"
fi
stage "installing $missing"
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	die "apt-get install failed for: $missing"
