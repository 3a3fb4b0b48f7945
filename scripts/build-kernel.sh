#!/usr/bin/env bash
# build-kernel.sh [--bare] [O [FRAGMENT...]]: build an x86_64 guest kernel (tinyconfig +
# configs/guest.config, debug.config, kunitconfig and the extra FRAGMENTs; with --bare only
# guest.config and the FRAGMENTs) and the UAPI headers the selftests compile against,
# incrementally, in O (default $BUILD_X86). Prints the bzImage's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fragments=("$TOP/configs/guest.config")
if [ "${1:-}" = --bare ]; then
	shift
else
	fragments+=("$TOP/configs/debug.config" "$TOP/configs/kunitconfig")
fi
out=${1:-$BUILD_X86}
shift || true
"$TOP/scripts/src.sh"
"$TOP/scripts/kconfig.sh" "$out" x86_64 tinyconfig "${fragments[@]}" "$@"
stage "building the x86_64 kernel in $out (incremental; a cold build takes ~10 minutes)"
"${KMAKE[@]}" -C "$SRC" O="$out" ARCH=x86_64 bzImage headers
echo "$out/arch/x86/boot/bzImage"
