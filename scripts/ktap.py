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
        if line.startswith('    '):
            line = line[4:]
        elif line.startswith('# ') and (RESULT.match(line[2:].lstrip()) or
                                        PLAN.match(line[2:].lstrip()) or
                                        HEADER.match(line[2:].lstrip()) or
                                        line[2:].startswith(('# ', '    '))):
            line = line[2:]
        else:
            return depth, line
        depth += 1


def parse_result(text):
    m = RESULT.match(text)
    if not m:
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
    status = 'pass' if ok else 'fail'
    if directive == 'SKIP':
        status = 'skip'
    elif directive == 'XFAIL':
        status = 'xfail'
    elif directive == 'XPASS':
        status = 'xpass'
    return Result(desc or '(unnamed)', status, reason)


TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\] ?')


def strip_prefix(lines):
    """Drop what the console prints before the first TAP header (printk timestamps, a prefix)."""
    lines = [TIMESTAMP.sub('', line) for line in lines]
    for line in lines:
        m = re.search(r'K?TAP version \d+', line)
        if m:
            prefix = line[:m.start()].rstrip(' ')
            break
    else:
        return lines
    if not prefix.strip():
        return lines
    return [line[len(prefix):].lstrip(' ') if line.startswith(prefix) else line for line in lines]


def parse(lines):
    """Parse LINES into the list of top-level results; plans go to each parent's plan."""
    pending = {}    # depth -> results at that depth not yet claimed by a parent
    plans = {}      # depth -> the plan of the block at that depth
    for raw in strip_prefix([line.rstrip('\r\n') for line in lines]):
        depth, text = split_line(raw)
        p = PLAN.match(text)
        if p:
            plans[depth] = int(p.group(1))
            continue
        r = parse_result(text)
        if r is None:
            continue
        r.children = pending.pop(depth + 1, [])
        r.plan = plans.pop(depth + 1, -1)
        for deeper in [d for d in pending if d > depth + 1]:
            r.children += pending.pop(deeper)    # results whose parent line never came
        pending.setdefault(depth, []).append(r)
    top = []
    for depth in sorted(pending):
        top += pending[depth]
    return top, plans.get(0, -1)


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
        elif r.status == 'fail' and not any(s == 'fail' for _, s, _ in below):
            yield name, 'fail', 'failed, but none of its results did'


def source_results(name, log, status):
    try:
        with open(log, errors='replace') as f:
            top, plan = parse(f)
    except OSError as e:
        return [(name, 'fail', f'no log: {e.strerror}')]
    found = list(leaves(top, name))
    if plan >= 0 and plan != len(top):
        found.append((name, 'fail', f'{plan} results planned, {len(top)} reported'))
    if not found:
        if status == 4:
            return [(name, 'skip', 'exit status 4 (kselftest skip), no results')]
        if status == -1:
            return [(name, 'fail', 'did not finish, no results')]
        return [(name, 'fail', f'no results in {log}' + (f' (exit status {status})' if status else ''))]
    if status == -1:
        found.append((name, 'fail', 'did not finish'))
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
