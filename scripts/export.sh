#!/usr/bin/env bash
# Export the commits base..HEAD of $SRC into patches/ with git format-patch, in the name of whoever
# exports: git's user.name and user.email (GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL override them, as
# for git format-patch --signoff) become the author of every commit the placeholder identity wrote
# and sign off every patch; the placeholder's Signed-off-by lines are dropped. The cover letter's
# subject and text come from patches/cover.txt (first line: subject; the rest: body).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Identities that are no person: the team's placeholder and the tooling's committer (src.sh).
PLACEHOLDER_EMAILS='kop-dev@example\.org|tooling@localhost'
PLACEHOLDERS="Kernel-owned pages developers|kernel-owned-pages tooling|$PLACEHOLDER_EMAILS"

[ -d "$SRC/.git" ] || die "no tree at $SRC: run 'make src' first"
[ -z "$(git -C "$SRC" status --porcelain -uno)" ] || die "$SRC has uncommitted changes: commit them first"
[ -z "$(git -C "$SRC" rev-list --merges base..HEAD)" ] || die "base..HEAD of $SRC has merge commits: rebase them away first"

# Who exports. useConfigOnly: never an identity guessed from the user and host name.
ident=$(git -C "$TOP" -c user.useConfigOnly=true var GIT_COMMITTER_IDENT 2>/dev/null) ||
	die "git has no identity for you: the patches are exported with your name as author and in
Signed-off-by. Set it with 'git config --global user.name \"Your Name\"' and
'git config --global user.email you@example.org' (or in this clone without --global)."
ident=${ident% * *}              # "Name <email> <time> <zone>" -> "Name <email>"
name=${ident% <*}
email=${ident##*<} email=${email%>}
grep -q -x -E "$PLACEHOLDER_EMAILS" <<<"$email" &&
	die "your git identity is the placeholder '$ident': set your own user.name and user.email"
stage "exporting as $ident"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Copies of the commits with the exporter as author where the placeholder was, the same author dates
# and trees, and no placeholder sign-off. Their objects go to $tmp, never into $SRC.
mkdir -p "$tmp/objects" "$tmp/out"
G=(env GIT_OBJECT_DIRECTORY="$tmp/objects"
	GIT_ALTERNATE_OBJECT_DIRECTORIES="$(cd "$SRC" && cd "$(git rev-parse --git-path objects)" && pwd)"
	GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
	git -C "$SRC")
head=$("${G[@]}" rev-parse base)
for c in $("${G[@]}" rev-list --reverse base..HEAD); do
	{ read -r an; read -r ae; read -r ad; } < <("${G[@]}" log -1 --date=raw --format='%an%n%ae%n%ad' "$c")
	if grep -q -x -E "$PLACEHOLDER_EMAILS" <<<"$ae"; then
		an=$name ae=$email
	fi
	"${G[@]}" cat-file commit "$c" | sed '1,/^$/d' |
		{ grep -v -E "^Signed-off-by: .*<($PLACEHOLDER_EMAILS)>[[:space:]]*$" || true; } |
		git stripspace >"$tmp/message"
	head=$(GIT_AUTHOR_NAME=$an GIT_AUTHOR_EMAIL=$ae GIT_AUTHOR_DATE=$ad \
		"${G[@]}" commit-tree -p "$head" -F "$tmp/message" "$c^{tree}")
done

count=$("${G[@]}" rev-list --count base.."$head")
cover=()
[ "$count" -gt 1 ] && cover=(--cover-letter)
# The version of the posting: the newest "Changes in vN:" of the cover letter (none: v1).
version=$(sed -n 's/^Changes in v\([0-9][0-9]*\):$/\1/p' "$TOP/patches/cover.txt" 2>/dev/null | sort -n | tail -1)
[ -z "$version" ] || cover+=(--subject-prefix="PATCH v$version")
"${G[@]}" format-patch -q --zero-commit --no-signature --signoff --base=base "${cover[@]}" \
	-o "$tmp/out" base.."$head"
if [ -f "$tmp/out/0000-cover-letter.patch" ]; then
	[ -f "$TOP/patches/cover.txt" ] || die "patches/cover.txt (subject line, then the cover letter) is missing"
	python3 - "$tmp/out/0000-cover-letter.patch" "$TOP/patches/cover.txt" <<'PY'
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
left=$(grep -l -E "$PLACEHOLDERS" "$tmp"/out/*.patch 2>/dev/null | sed 's|.*/||' | paste -sd' ' || true)
[ -z "$left" ] || die "a placeholder identity is still in: $left
(a trailer other than Signed-off-by, or a cover.txt that names it): fix the commit messages"
rm -f "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch
[ "$count" = 0 ] || mv "$tmp"/out/*.patch "$TOP/patches/"
echo "$(patches_hash) $(git -C "$SRC" rev-parse HEAD)" >"$APPLIED_STAMP"
stage "exported $count patches to patches/, signed off by $ident"
