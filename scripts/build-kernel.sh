#!/usr/bin/env bash
# build-kernel.sh [O [FRAGMENT...]]: build an x86_64 guest kernel (tinyconfig + configs/guest.config,
# debug.config, kunitconfig and the extra FRAGMENTs) and the UAPI headers the selftests compile
# against, incrementally, in O (default $BUILD_X86). Prints the bzImage's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD_X86}
shift || true
"$TOP/scripts/src.sh"
"$TOP/scripts/kconfig.sh" "$out" x86_64 tinyconfig \
	"$TOP/configs/guest.config" "$TOP/configs/debug.config" "$TOP/configs/kunitconfig" "$@"
stage "building the x86_64 kernel in $out (incremental; a cold build takes ~10 minutes)"
"${KMAKE[@]}" -C "$SRC" O="$out" ARCH=x86_64 bzImage headers
echo "$out/arch/x86/boot/bzImage"
