#!/usr/bin/env bash
# make bench: the map+unmap benchmark of the series (KUnit suite kernel_owned_pages_bench in a
# guest kernel without debug options, configs/bench.config) over BOOTS boots (default 3). Prints, per number of pages, the median ratio of
# each variant against vm_insert_pages_prot() with its spread over the boots. Not a test: it
# reports ratios and is not part of make check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BOOTS=${BOOTS:-3}
kernel=$("$TOP/scripts/build-kernel.sh" --bare "$CACHE/build/x86_64-bench" "$TOP/configs/bench.config")
mkdir -p "$RESULTS"
for i in $(seq 1 "$BOOTS"); do
	stage "bench: boot $i of $BOOTS under QEMU TCG"
	"$TOP/scripts/vm-run.sh" --kernel "$kernel" --dir "$CACHE/vm/bench-$i" --timeout 1800 \
		--append "kunit.filter_glob=kernel_owned_pages_bench" true ||
		die "benchmark boot $i failed; console log: $CACHE/vm/bench-$i/console.log"
	grep -q 'N=[0-9]* ' "$CACHE/vm/bench-$i/console.log" ||
		die "no benchmark lines in $CACHE/vm/bench-$i/console.log "
done
python3 - "$CACHE"/vm/bench-*/console.log <<'PY' | tee "$RESULTS/bench.txt"
import re, statistics, sys
runs = {}                      # (N, ratio name) -> [values, one per boot]
for log in sys.argv[1:]:
    for m in re.finditer(r'N=(\d+) (.*)', open(log, errors='replace').read()):
        for name, val in re.findall(r'([\w-]+/[\w-]+)=(\d+\.\d+)', m.group(2)):
            runs.setdefault((int(m.group(1)), name), []).append(float(val))
names = sorted({k[1] for k in runs})
print('map+unmap time ratios a/b (above 1: b is faster), median [min-max] over %d boots' % len(sys.argv[1:]))
print('%6s  ' % 'pages' + '  '.join('%-26s' % n for n in names))
for n in sorted({k[0] for k in runs}):
    cells = []
    for name in names:
        v = runs.get((n, name), [])
        cells.append('%-26s' % ('%.2f [%.2f-%.2f]' % (statistics.median(v), min(v), max(v)) if v else '-'))
    print('%6d  ' % n + '  '.join(cells))
PY
