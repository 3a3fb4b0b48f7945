#!/usr/bin/env bash
# Run the KUnit suites of $KUNITCONFIGS (lib.sh) on UML (kunit.py run) and on x86_64 (the guest
# kernel booted under QEMU TCG, its console piped to kunit.py parse for the log). The raw KTAP of
# both is counted by scripts/ktap.py; kunit.py's logs go to $RESULTS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUNIT_PY=$SRC/tools/testing/kunit/kunit.py
"$TOP/scripts/src.sh"
mkdir -p "$RESULTS"
rc=0

stage "KUnit on UML (a cold build takes ~5 minutes); log: $RESULTS/kunit-uml.log"
rm -f "$BUILD_UML/test.log"   # kunit.py writes the raw KTAP there, unless the build fails
uml_rc=0
python3 "$KUNIT_PY" run "${KUNITCONFIGS[@]/#/--kunitconfig=}" --build_dir="$BUILD_UML" \
	--jobs="$JOBS" --make_options="CC=ccache gcc" --timeout=600 >"$RESULTS/kunit-uml.log" 2>&1 || uml_rc=$?
count_results kunit-uml "kunit=$BUILD_UML/test.log:$uml_rc" \
	"console=$(console_checks kunit-uml "$BUILD_UML/test.log")" || rc=1

"$TOP/scripts/build-kernel.sh" >/dev/null
stage "KUnit on x86_64 under QEMU TCG; log: $RESULTS/kunit-x86_64.log"
vm_rc=0
"$TOP/scripts/vm-run.sh" --dir "$CACHE/vm/kunit" --timeout 900 true || vm_rc=$?
python3 "$KUNIT_PY" parse "$CACHE/vm/kunit/console.log" >"$RESULTS/kunit-x86_64.log" 2>&1 || true
count_results kunit-x86_64 "kunit=$CACHE/vm/kunit/console.log:$vm_rc" || rc=1
exit $rc
