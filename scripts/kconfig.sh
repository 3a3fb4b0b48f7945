#!/usr/bin/env bash
# kconfig.sh O ARCH BASECONFIG FRAGMENT...: write O/.config from BASECONFIG (a make target such as
# tinyconfig) plus the fragments, and check that every value the fragments ask for is in the result.
# Leaves O/.config untouched (mtime included) when the result did not change, so builds stay warm.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 arch=$2 baseconfig=$3
shift 3
mkdir -p "$out"
[ -f "$out/.config" ] && cp -p "$out/.config" "$out/.config.prev"
make -s -C "$SRC" O="$out" ARCH="$arch" "$baseconfig" >/dev/null
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$@" >/dev/null
make -s -C "$SRC" O="$out" ARCH="$arch" olddefconfig >/dev/null

missing=$(cat "$@" | grep -E '^CONFIG_[A-Za-z0-9_]+=' | while IFS= read -r line; do
	grep -qxF "$line" "$out/.config" || echo "  $line"
done)
[ -z "$missing" ] || die "these fragment values did not survive kconfig for $arch (missing dependency?):
$missing"

if [ -f "$out/.config.prev" ] && cmp -s "$out/.config" "$out/.config.prev"; then
	mv "$out/.config.prev" "$out/.config"
else
	rm -f "$out/.config.prev"
fi
