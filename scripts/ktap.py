#!/usr/bin/env python3
"""The one result parser of the tooling: counts the KTAP/TAP results of every stage.

ktap.py STAGE EXPECTED TAP_OUT [NAME=LOG[:STATUS]]...

Reads each LOG (a KUnit console or test.log, kselftest output, run_vmtests.sh output nested with
"# ", or a stage's own TAP), counts its leaf results (as kunit.py does) and writes one TAP line per
result to TAP_OUT. STATUS is the exit status of the command that wrote LOG, if it has one (-1: it
did not finish). Prints "PASS FAIL SKIP" on stdout; the reasons for failures go to stderr.

Counted as failures besides "not ok": a log with no result at all (totals all zero), a plan
("1..N") that the results do not match, a parent that failed while its results passed, an exit
status other than 0 (or 4, kselftest's skip, for a log with no results), an XPASS, and every skip
or XFAIL that the EXPECTED file does not list. An EXPECTED entry that matches no skip of a stage it
names fails that stage too: a test that stopped skipping must leave the list.

EXPECTED lines: STAGES TEST -- REASON. STAGES is a comma-separated list of shell patterns matched
against STAGE; TEST a shell pattern matched against the result's name, NAME/parent/.../result.
"""

import fnmatch
import re
import sys
from dataclasses import dataclass, field

RESULT = re.compile(r'^(not ok|ok)\s+(\d+)\b(?:\s+-)?\s*(.*)$')
PLAN = re.compile(r'^1\.\.(\d+)')
HEADER = re.compile(r'^K?TAP version \d+')
DIRECTIVE = re.compile(r'#\s*(SKIP|XFAIL|XPASS|TODO)\b\s*(.*)$', re.IGNORECASE)
NOT_OK = re.compile(r'^not ok\b')


@dataclass
class Result:
    name: str
    status: str          # pass, fail, skip, xfail, xpass
    reason: str = ''
    children: list = field(default_factory=list)
    plan: int = -1       # the plan of its children's block, -1 if none


def split_line(line):
    """Return (depth, text): the TAP nesting depth of LINE ("    " for KTAP, "# " for kselftest)."""
    depth = 0
    while True:
        rest = line[2:].lstrip(' ')
        if line.startswith('    '):
            line = line[4:]
        elif line.startswith('# ') and (RESULT.match(rest) or PLAN.match(rest) or
                                        HEADER.match(rest) or NOT_OK.match(rest) or
                                        line[2:].startswith(('# ', '    '))):
            line = line[2:] if line[2:].startswith(('# ', '    ')) else rest
        else:
            return depth, line
        depth += 1


def parse_result(text):
    m = RESULT.match(text)
    if not m:
        if NOT_OK.match(text):      # "not ok" without a number: still a failure
            return Result(text[6:].strip() or '(unnamed)', 'fail', 'malformed result line')
        return None
    ok, desc = m.group(1) == 'ok', m.group(3).strip()
    directive, reason = None, ''
    d = DIRECTIVE.search(desc)
    if d:
        directive, reason = d.group(1).upper(), d.group(2).strip()
        if d.start() == 0:          # "ok 2 # SKIP name": kselftest.h names the test after it
            desc = reason
        else:
            desc = desc[:d.start()].strip()
    status = 'pass' if ok else 'fail'     # "not ok ... # SKIP" stays a failure
    if ok and directive == 'SKIP':
        status = 'skip'
    elif ok and directive == 'XFAIL':
        status = 'xfail'
    elif ok and directive == 'XPASS':
        status = 'xpass'
    return Result(desc or '(unnamed)', status, reason)


TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\] ?')
# run_vmtests.sh's own lines for a test it did not run: "# SKIP ./on-fault-limit" (one space, as
# opposed to the harness's "#      SKIP      reason" under an ok line) and "# [SKIP] ./khugepaged".
VMTESTS_SKIP = re.compile(r'^# (?:SKIP|\[SKIP\]) (\S.*)$')


def strip_prefix(lines):
    """Drop what the console prints before the first TAP header (printk timestamps, a prefix)."""
    lines = [TIMESTAMP.sub('', line) for line in lines]
    for line in lines:
        m = re.search(r'K?TAP version \d+', line)
        if m:
            prefix = line[:m.start()]
            break
    else:
        return lines
    if not prefix.strip():
        return lines
    return [line[len(prefix):] if line.startswith(prefix) else line for line in lines]


def parse(lines):
    """Parse LINES: (top-level results, their plan, results that lost their parent, skip lines)."""
    pending = {}    # depth -> results at that depth not yet claimed by a parent
    plans = {}      # depth -> the plan of the block at that depth
    outside = []    # results outside the plan: run_vmtests.sh's skip lines
    for raw in strip_prefix([line.rstrip('\r\n') for line in lines]):
        v = VMTESTS_SKIP.match(raw)
        if v:
            outside.append(Result(v.group(1), 'skip', 'not run by run_vmtests.sh'))
            continue
        depth, text = split_line(raw)
        p = PLAN.match(text)
        if p:
            plans[depth] = int(p.group(1))
            continue
        if text.startswith('Bail out!'):
            pending.setdefault(depth, []).append(Result('Bail out!', 'fail', text))
            continue
        r = parse_result(text)
        if r is None:
            continue
        r.children = pending.pop(depth + 1, [])
        r.plan = plans.pop(depth + 1, -1)
        for deeper in [d for d in pending if d > depth + 1]:
            r.children += pending.pop(deeper)    # results whose parent line never came
        pending.setdefault(depth, []).append(r)
    orphans = [r for d in sorted(pending) if d > 0 for r in pending[d]]
    return pending.get(0, []), plans.get(0, -1), orphans, outside


def leaves(results, path):
    """Yield (name, status, reason) for every result that counts, failures of structure included."""
    for r in results:
        name = f'{path}/{r.name}'
        if not r.children and r.plan <= 0:
            yield name, r.status, r.reason
            continue
        below = list(leaves(r.children, name))
        yield from below
        if r.plan >= 0 and r.plan != len(r.children):
            yield name, 'fail', f'{r.plan} results planned, {len(r.children)} reported'
        elif r.status != 'pass' and not any(s == r.status for _, s, _ in below):
            # a failed, skipped or XFAIL parent whose results say otherwise counts as itself
            yield name, r.status, r.reason or f'{r.status}, but none of its results did'


def source_results(name, log, status):
    try:
        with open(log, errors='replace') as f:
            top, plan, orphans, outside = parse(f)
    except OSError as e:
        return [(name, 'fail', f'no log: {e.strerror}')]
    found = list(leaves(top, name))
    if orphans:     # counted as they say, plus one failure: their parent never reported
        found += list(leaves(orphans, name))
        found.append((name, 'fail', f'{len(orphans)} results whose parent never reported '
                                    '(the run stopped?)'))
    if plan >= 0 and plan != len(top):
        if status == 4 and top and top[-1].status == 'skip':
            # ksft_exit_skip() after a plan: "ok N # SKIP reason", the rest not run
            found.append((name, 'skip', f'{plan - len(top)} planned results not run: {top[-1].reason}'))
        else:
            found.append((name, 'fail', f'{plan} results planned, {len(top)} reported'))
    found += list(leaves(outside, name))
    if not found:
        if status == 4:
            return [(name, 'skip', 'exit status 4 (kselftest skip), no results')]
        if status == -1:
            return [(name, 'fail', 'did not finish, no results')]
        return [(name, 'fail', f'no results in {log}' + (f' (exit status {status})' if status else ''))]
    if status == -1:
        found.append((name, 'fail', 'did not finish'))
    elif status == 4 and not any(s in ('skip', 'fail') for _, s, _ in found):
        found.append((name, 'skip', 'exit status 4 (kselftest skip) with only passing results'))
    elif status not in (None, 0, 4) and not any(s == 'fail' for _, s, _ in found):
        found.append((name, 'fail', f'exit status {status}'))
    return found


def read_expected(path, stage):
    """The entries of PATH whose STAGES match STAGE: [(pattern, reason)]."""
    entries = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            head, sep, reason = line.partition(' -- ')
            stages, _, pattern = head.partition(' ')
            if not sep or not pattern.strip() or not reason.strip():
                sys.exit(f'{path}:{n}: expected "STAGES TEST -- REASON"')
            if any(fnmatch.fnmatchcase(stage, s) for s in stages.split(',')):
                entries.append((pattern.strip(), reason.strip()))
    return entries


def parse_source(src):
    """NAME=LOG[:STATUS] -> (name, log, status or None)."""
    name, _, rest = src.partition('=')
    m = re.match(r'^(.*):(-?\d+)$', rest)
    return (name, m.group(1), int(m.group(2))) if m else (name, rest, None)


def evaluate(stage, expected, sources):
    """The final [(test, status, reason)] of STAGE: pass, fail or skip (listed skips and XFAILs)."""
    entries = read_expected(expected, stage)
    used, final = set(), []
    for src in sources:
        for test, status, reason in source_results(*parse_source(src)):
            if status in ('skip', 'xfail'):
                kind = status.upper()
                hit = next((p for p, _ in entries if fnmatch.fnmatchcase(test, p)), None)
                if hit is None:
                    status, reason = 'fail', f'{kind} not listed in {expected}: {reason}'
                else:
                    used.add(hit)
                    status, reason = 'skip', f'{kind} {reason}'
            elif status == 'xpass':
                status, reason = 'fail', f'XPASS: {reason}'
            final.append((test, status, reason))
    for pattern, reason in entries:
        if pattern not in used:
            final.append((pattern, 'fail', f'listed in {expected} ({reason}) but did not skip'))
    return final


def main(stage, expected, tap_out, sources):
    final = evaluate(stage, expected, sources)
    with open(tap_out, 'w') as f:
        f.write('TAP version 13\n')
        for n, (test, status, reason) in enumerate(final, 1):
            if status == 'pass':
                f.write(f'ok {n} {test}\n')
            elif status == 'skip':
                f.write(f'ok {n} {test} # {reason}\n')
            else:
                f.write(f'not ok {n} {test}' + (f' # {reason}' if reason else '') + '\n')
                print(f'{stage}: FAIL: {test}' + (f': {reason}' if reason else ''), file=sys.stderr)
        f.write(f'1..{len(final)}\n')
    print(*(sum(1 for _, s, _ in final if s == want) for want in ('pass', 'fail', 'skip')))


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
