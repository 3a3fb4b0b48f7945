#!/bin/sh
# perf record / perf report from Debian's linux-perf in the guest: a system-wide software event
# whose samples must come back through the ring buffer mapping and show up in the report. TAP.
set -u
out=${TMPDIR:-/tmp}/perf-record.data
echo "TAP version 13"
echo "1..1"
if ! perf record -q -e cpu-clock -a -o "$out" -- sleep 1; then
	echo "not ok 1 perf record and report"
	exit 1
fi
samples=$(perf report -i "$out" --stdio 2>/dev/null | sed -n 's/^# Samples: \([0-9]*\).*/\1/p' | head -1)
echo "# perf report: ${samples:-no} samples"
if [ "${samples:-0}" -gt 0 ]; then
	echo "ok 1 perf record and report"
else
	echo "not ok 1 perf record and report"
	exit 1
fi
