#!/usr/bin/env bash
# Run the KUnit suites of configs/kunitconfig on UML (kunit.py run) and on x86_64 (the guest kernel
# booted under QEMU TCG, its console piped to kunit.py parse). Logs go to $RESULTS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUNIT_PY=$SRC/tools/testing/kunit/kunit.py
"$TOP/scripts/src.sh"
mkdir -p "$RESULTS"
rc=0

stage "KUnit on UML (a cold build takes ~5 minutes); log: $RESULTS/kunit-uml.log"
python3 "$KUNIT_PY" run --kunitconfig="$TOP/configs/kunitconfig" --build_dir="$BUILD_UML" \
	--jobs="$JOBS" --make_options="CC=ccache gcc" --timeout=600 >"$RESULTS/kunit-uml.log" 2>&1 || true
"$TOP/scripts/kunit-counts.sh" kunit-uml "$RESULTS/kunit-uml.log" || rc=1

"$TOP/scripts/build-kernel.sh" >/dev/null
stage "KUnit on x86_64 under QEMU TCG; log: $RESULTS/kunit-x86_64.log"
"$TOP/scripts/vm-run.sh" --dir "$CACHE/vm/kunit" --timeout 900 true ||
	{ echo "kunit-x86_64: the KUnit boot failed; console log: $CACHE/vm/kunit/console.log" >&2; rc=1; }
python3 "$KUNIT_PY" parse "$CACHE/vm/kunit/console.log" >"$RESULTS/kunit-x86_64.log" 2>&1 || true
"$TOP/scripts/kunit-counts.sh" kunit-x86_64 "$RESULTS/kunit-x86_64.log" || rc=1
exit $rc
