#!/usr/bin/env bash
# Export the commits base..HEAD of $SRC into patches/ with git format-patch. The cover letter's
# subject and text come from patches/cover.txt (first line: subject; the rest: body).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$SRC/.git" ] || die "no tree at $SRC: run 'make src' first"
[ -z "$(git -C "$SRC" status --porcelain -uno)" ] || die "$SRC has uncommitted changes: commit them first"
count=$(git -C "$SRC" rev-list --count base..HEAD)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cover=()
[ "$count" -gt 1 ] && cover=(--cover-letter)
git -C "$SRC" format-patch -q --zero-commit --no-signature --base=base "${cover[@]}" -o "$tmp" base..HEAD
if [ -f "$tmp/0000-cover-letter.patch" ]; then
	[ -f "$TOP/patches/cover.txt" ] || die "patches/cover.txt (subject line, then the cover letter) is missing"
	python3 - "$tmp/0000-cover-letter.patch" "$TOP/patches/cover.txt" <<'PY'
import glob, os, re, sys
letter, cover = sys.argv[1], open(sys.argv[2]).read().split('\n', 1)
text = open(letter).read()
text = text.replace('*** SUBJECT HERE ***', cover[0].strip())
text = text.replace('*** BLURB HERE ***', cover[1].strip() if len(cover) > 1 else '')
# Date the letter like the newest patch, so that re-exporting an unchanged series changes nothing.
last = sorted(glob.glob(os.path.join(os.path.dirname(letter), '[0-9][0-9][0-9][0-9]-*.patch')))[-1]
date = re.search(r'^Date: .*$', open(last).read(), re.M).group(0)
text = re.sub(r'^Date: .*$', lambda _: date, text, count=1, flags=re.M)
open(letter, 'w').write(text)
PY
fi
rm -f "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch
[ "$count" = 0 ] || mv "$tmp"/*.patch "$TOP/patches/"
echo "$(patches_hash) $(git -C "$SRC" rev-parse HEAD)" >"$APPLIED_STAMP"
stage "exported $count patches to patches/"
