#!/usr/bin/env python3
"""Tests of scripts/ktap.py against recorded logs (tests/ktap-logs/) and small made-up ones.

Prints its results as TAP, which make check counts with ktap.py itself (the tooling stage).
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

LOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'ktap-logs')


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.expected = self.write('expected', '')

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def run_stage(self, sources, expected='', stage='vmtest'):
        self.write('expected', expected)
        final = ktap.evaluate(stage, self.expected, sources)
        counts = tuple(sum(1 for _, s, _ in final if s == w) for w in ('pass', 'fail', 'skip'))
        return counts, final

    def log(self, text, status=0, name='t'):
        return f'{name}={self.write(name + ".log", text)}:{status}'


class RecordedLogs(Case):
    def test_kselftest_harness(self):
        src = f'mmap_pages={LOGS}/kselftest-harness.log:0'
        counts, final = self.run_stage([src])
        self.assertEqual(counts, (20, 2, 0))    # two skips that are not listed
        expected = ('vmtest mmap_pages/global.aux_write_protection -- no AUX PMU\n'
                    'vmtest mmap_pages/rb.gup_fails_cleanly -- no ext4\n')
        counts, final = self.run_stage([src], expected)
        self.assertEqual(counts, (20, 0, 2))
        self.assertIn(('mmap_pages/rb.prot_none', 'pass', ''), final)

    def test_run_kselftest_nesting(self):
        counts, final = self.run_stage([f'perf_events:mmap_pages={LOGS}/run_kselftest.log:0'])
        self.assertEqual(counts, (26, 0, 0))    # the binary's 26 cases under the runner's one
        self.assertIn('perf_events:mmap_pages/selftests: perf_events: mmap_pages/rb.prot_none',
                      [t for t, _, _ in final])

    def test_run_vmtests_nesting(self):
        src = f'mm:gup_test={LOGS}/run_vmtests.log:0'
        counts, final = self.run_stage([src])
        # 5 gup_test runs of one result, gup_longterm's 40, and "# SKIP ./on-fault-limit"
        self.assertEqual(counts, (45, 1, 0))
        counts, final = self.run_stage([src], 'vmtest mm:gup_test/./on-fault-limit -- no sudo\n')
        self.assertEqual(counts, (45, 0, 1))
        self.assertIn('mm:gup_test/gup_test -u -n 1/ioctl status 0', [t for t, _, _ in final])

    def test_kunit_console_with_kernel_messages(self):
        expected = 'kunit-* kunit/*/VMA with find_normal_page -- not selected\n'
        counts, _ = self.run_stage([f'kunit={LOGS}/kunit-console.log:0'], expected, 'kunit-x86_64')
        self.assertEqual(counts, (41, 0, 1))    # what kunit.py parse counted for this log

    def test_kunit_uml(self):
        with open(f'{LOGS}/kunit-uml.log') as f:
            skips = sum(1 for line in f if '# SKIP' in line)
        counts, final = self.run_stage([f'kunit={LOGS}/kunit-uml.log:0'], stage='kunit-uml')
        self.assertEqual(counts, (36, skips, 0))
        self.assertIn('kunit/kernel_owned_pages/kop_test_refused/COW mapping',
                      [t for t, _, _ in final])

    def test_printk_timestamps(self):
        with open(f'{LOGS}/kunit-console.log') as f:
            text = ''.join(f'[  {n}.000{n:03d}] {line}' for n, line in enumerate(f))
        counts, _ = self.run_stage([self.log(text, name='kunit')],
                                   'kunit-x86_64 * -- any\n', 'kunit-x86_64')
        self.assertEqual(counts, (41, 0, 1))

    def test_kunit_crash_mid_suite(self):
        with open(f'{LOGS}/kunit-console.log') as f:
            lines = f.readlines()
        cut = next(n for n, line in enumerate(lines) if 'ok 5 kop_test_zap_unmap' in line)
        counts, final = self.run_stage([self.log(''.join(lines[:cut + 1]), 1, 'kunit')],
                                       stage='kunit-x86_64')
        self.assertEqual(counts[0], 5)          # the cases that passed before the crash
        self.assertGreaterEqual(counts[1], 1)
        self.assertTrue(any('planned' in r or 'never reported' in r
                            for _, s, r in final if s == 'fail'))


class Rules(Case):
    def test_zero_totals_fail(self):
        text = 'TAP version 13\n1..0\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n'
        counts, final = self.run_stage([self.log(text)])
        self.assertEqual(counts, (0, 1, 0))
        self.assertIn('no results', final[0][2])
        # Not a skip even where one would be allowed (the unused entry fails too).
        self.assertEqual(self.run_stage([self.log(text)], 'vmtest t -- any\n')[0], (0, 2, 0))

    def test_exit_4_without_results_must_be_listed(self):
        self.assertEqual(self.run_stage([self.log('', 4)])[0], (0, 1, 0))
        self.assertEqual(self.run_stage([self.log('', 4)], 'vmtest t -- why\n')[0], (0, 0, 1))

    def test_xfail_is_not_a_pass(self):
        text = 'TAP version 13\n1..2\nok 1 # XFAIL known breakage\nok 2 works\n'
        self.assertEqual(self.run_stage([self.log(text)])[0], (1, 1, 0))
        self.assertEqual(self.run_stage([self.log(text)], 'vmtest t/known* -- why\n')[0], (1, 0, 1))

    def test_xpass_fails(self):
        text = 'TAP version 13\n1..1\nok 1 # XPASS fixed by accident\n'
        self.assertEqual(self.run_stage([self.log(text)])[0], (0, 1, 0))

    def test_skip_name_before_and_after_directive(self):
        text = 'TAP version 13\n1..2\nok 1 # SKIP first case\nok 2 second # SKIP a reason\n'
        counts, final = self.run_stage([self.log(text)],
                                       'vmtest t/first case -- why\nvmtest t/second -- why\n')
        self.assertEqual(counts, (0, 0, 2))
        self.assertEqual([t for t, _, _ in final], ['t/first case', 't/second'])

    def test_plan_mismatch_fails(self):
        text = 'TAP version 13\n1..3\nok 1 a\nok 2 b\n'
        self.assertEqual(self.run_stage([self.log(text)])[0], (2, 1, 0))

    def test_failed_parent_with_passing_children(self):
        text = ('TAP version 13\n1..1\n# TAP version 13\n# 1..1\n# ok 1 inner\n'
                'not ok 1 ./binary\n')
        counts, final = self.run_stage([self.log(text)])
        self.assertEqual(counts, (1, 1, 0))
        self.assertEqual(final[1][0], 't/./binary')

    def test_exit_status_fails_passing_log(self):
        text = 'TAP version 13\n1..1\nok 1 a\n'
        self.assertEqual(self.run_stage([self.log(text, 1)])[0], (1, 1, 0))
        counts, final = self.run_stage([self.log(text, -1)])
        self.assertEqual(counts, (1, 1, 0))
        self.assertIn('did not finish', final[1][2])

    def test_missing_log_fails(self):
        self.assertEqual(self.run_stage(['t=/nonexistent/log:0'])[0], (0, 1, 0))

    def test_listed_entry_that_no_longer_skips_fails(self):
        text = 'TAP version 13\n1..1\nok 1 a\n'
        counts, final = self.run_stage([self.log(text)], 'vmtest t/a -- used to skip\n')
        self.assertEqual(counts, (1, 1, 0))
        self.assertIn('did not skip', final[-1][2])

    def test_entry_for_another_stage_is_ignored(self):
        text = 'TAP version 13\n1..1\nok 1 a\n'
        self.assertEqual(self.run_stage([self.log(text)], 'kunit-uml t/b -- elsewhere\n')[0],
                         (1, 0, 0))

    def test_runner_killed_mid_binary(self):
        text = ('TAP version 13\n1..2\n# TAP version 13\n# 1..3\n# ok 1 a\nok 1 first\n'
                '# TAP version 13\n# 1..3\n# ok 1 b\n')
        counts, final = self.run_stage([self.log(text, -1)])
        self.assertEqual(counts[0], 2)
        self.assertGreaterEqual(counts[1], 2)   # plan 2 with one top result; the orphan; no finish
        self.assertTrue(any('never reported' in r for _, s, r in final if s == 'fail'))

    def test_skipped_parent_with_passing_children(self):
        text = ('TAP version 13\n1..1\n# TAP version 13\n# 1..1\n# ok 1 inner\n'
                'ok 1 selftests: d: t # SKIP\n')
        self.assertEqual(self.run_stage([self.log(text, 4)])[0], (1, 1, 0))
        self.assertEqual(self.run_stage([self.log(text, 4)], 'vmtest t/selftests: d: t -- why\n')[0],
                         (1, 0, 1))

    def test_exit_4_with_passing_results_is_a_skip(self):
        text = 'TAP version 13\n1..1\nok 1 a\n'
        self.assertEqual(self.run_stage([self.log(text, 4)])[0], (1, 1, 0))

    def test_ksft_exit_skip_after_plan(self):
        text = 'TAP version 13\n1..5\nok 1 a\nok 2 # SKIP no feature\n'
        self.assertEqual(self.run_stage([self.log(text, 4)])[0], (1, 2, 0))
        self.assertEqual(self.run_stage([self.log(text, 4)], 'vmtest t -- why\nvmtest t/no feature -- why\n')[0],
                         (1, 0, 2))

    def test_not_ok_is_never_a_skip_and_bail_out_fails(self):
        text = 'TAP version 13\n1..2\nnot ok 1 a # SKIP odd\nok 2 b\n'
        self.assertEqual(self.run_stage([self.log(text)], 'vmtest t/a -- why\n')[0], (1, 2, 0))
        text = 'TAP version 13\nok 1 a\nBail out! no more\n'
        self.assertEqual(self.run_stage([self.log(text)])[0], (1, 1, 0))
        text = 'TAP version 13\n1..1\n#  not ok 1 nested, odd spacing\nok 1 parent\n'
        self.assertEqual(self.run_stage([self.log(text)])[0][1], 1)

    def test_prefix_keeps_indentation(self):
        with open(f'{LOGS}/kunit-console.log') as f:
            text = ''.join(f'kunit: {line}' for line in f)
        counts, _ = self.run_stage([self.log(text, name='kunit')],
                                   'kunit-x86_64 * -- any\n', 'kunit-x86_64')
        self.assertEqual(counts, (41, 0, 1))

    def test_diagnostics_are_not_results(self):
        text = ('TAP version 13\n1..1\n# ok, this is a comment\n#            OK  rb.x\n'
                '#  RUN           rb.x ...\nok 1 rb.x\n')
        self.assertEqual(self.run_stage([self.log(text)])[0], (1, 0, 0))


def tap_main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    tests = []
    for group in suite:
        tests += list(group)
    print('TAP version 13')
    print(f'1..{len(tests)}')
    failed = 0
    for n, test in enumerate(tests, 1):
        result = unittest.TestResult()
        test.run(result)
        name = test.id().split('.', 1)[1]
        if result.wasSuccessful():
            print(f'ok {n} {name}')
        else:
            failed += 1
            print(f'not ok {n} {name}')
            for _, trace in result.failures + result.errors:
                print(''.join(f'# {line}\n' for line in trace.splitlines()), end='')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(tap_main())
