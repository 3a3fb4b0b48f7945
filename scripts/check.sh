#!/usr/bin/env bash
# make check: the tooling's tests, lint, KUnit (UML and x86_64), the selftests in the guest and the
# variant kernel. Every stage runs even if an earlier one failed; ends with the summed
# "N passed, N failed, N skipped" line of the stages' counts (scripts/ktap.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.counts
rc=0
for s in ${STAGES:-tooling lint kunit vmtest variant}; do
	"$TOP/scripts/$s.sh" && continue
	rc=1
	# A stage that stopped before it counted a failure still counts as one.
	failed=$(cat "$RESULTS/$s"*.counts 2>/dev/null | awk '{f += $2} END {print f + 0}' || true)
	[ "$failed" -gt 0 ] || record_counts "$s-aborted" 0 1 0
done
echo "results and logs: $RESULTS"
cat "$RESULTS"/*.counts | awk '{p += $1; f += $2; s += $3} END {printf "%d passed, %d failed, %d skipped\n", p, f, s}'
exit $rc
