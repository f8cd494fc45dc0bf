#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The "require a tool first" helpers (otad-test-require.c, requiretool.py) and the
test programs that use them: with a tool missing from PATH each ends at once with
exit status 1 and exactly one line on stderr naming the Debian package, rather than
a skip, a traceback or a hang.  Also: every package a test names is one that
.ci/debian-packages installs.

Arguments (from tests/meson.build): --probe (otad-test-require-probe), --source-root,
and --case NAME=TOOL=PACKAGE=PROGRAM[,ARG...]: a real test program to run with TOOL
hidden from PATH; PROGRAM ending in .py runs with /usr/bin/python3.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
PYTHON = '/usr/bin/python3'
# a hang is the failure this guards against: far below meson's timeout
TIMEOUT = 60


def message(what, name, package):
    return f'missing {what} {name}: install the Debian package {package}'


def shadow_path(topdir, hidden):
    """a directory with a link to every program on PATH but HIDDEN; returns it"""
    shadow = tempfile.mkdtemp(prefix='path-', dir=topdir)
    for d in os.environ.get('PATH', '').split(os.pathsep):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            src = os.path.join(d, name)
            dst = os.path.join(shadow, name)
            if name == hidden or os.path.lexists(dst) or not os.access(src, os.X_OK) \
                    or os.path.isdir(src):
                continue
            os.symlink(src, dst)
    return shadow


class RequireTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='otad-require-')
        self.addCleanup(shutil.rmtree, self.tmp)
        self.empty = os.path.join(self.tmp, 'empty')
        os.mkdir(self.empty)

    def run_with_path(self, argv, path, **env):
        full_env = dict(os.environ, PATH=path, **env)
        # a sanitized test program must not inherit a preload meant for Python
        full_env.pop('LD_PRELOAD', None)
        try:
            return subprocess.run(argv, env=full_env, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            self.fail(f'{argv} still ran after {TIMEOUT}s with a tool missing')

    def assert_one_line_failure(self, res, expected):
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertEqual(res.stderr, expected + '\n')

    # -- the C helper -------------------------------------------------------------
    def test_c_missing_tool(self):
        res = self.run_with_path([ARGS.probe, 'fw_setenv', 'libubootenv-tool'], self.empty)
        self.assert_one_line_failure(res, message('tool', 'fw_setenv', 'libubootenv-tool'))
        self.assertEqual(res.stdout, '')

    def test_c_present_tool(self):
        fake = os.path.join(self.empty, 'fw_setenv')
        with open(fake, 'w') as f:
            f.write('#!/bin/sh\n')
        os.chmod(fake, 0o755)
        res = self.run_with_path([ARGS.probe, 'fw_setenv', 'libubootenv-tool'], self.empty)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, 'found fw_setenv\n')

    def test_c_missing_python_module(self):
        res = self.run_with_path([ARGS.probe, '--module', 'otad_no_such_module',
                                  'python3-otad-no-such'], os.environ['PATH'])
        self.assert_one_line_failure(res, message('Python module', 'otad_no_such_module',
                                                  'python3-otad-no-such'))

    def test_c_present_python_module(self):
        res = self.run_with_path([ARGS.probe, '--module', 'json', 'python3'],
                                 os.environ['PATH'])
        self.assertEqual(res.returncode, 0, res.stderr)

    # -- the Python helper --------------------------------------------------------
    def run_python(self, code, path):
        return self.run_with_path([PYTHON, '-c', code], path,
                                  PYTHONPATH=os.path.join(ARGS.source_root, 'tests', 'require'))

    def test_python_missing_tool(self):
        res = self.run_python('from requiretool import require_program\n'
                              'require_program("fw_setenv", "libubootenv-tool")\n'
                              'print("went on")\n', self.empty)
        self.assert_one_line_failure(res, message('tool', 'fw_setenv', 'libubootenv-tool'))
        self.assertEqual(res.stdout, '')

    def test_python_missing_tool_inside_unittest(self):
        # unittest would turn SystemExit into a traceback: the helper must get past it
        res = self.run_python('import unittest\n'
                              'from requiretool import require_program\n'
                              'class T(unittest.TestCase):\n'
                              '    def test(self):\n'
                              '        require_program("grub-editenv", "grub-common")\n'
                              'unittest.main()\n', self.empty)
        self.assert_one_line_failure(res, message('tool', 'grub-editenv', 'grub-common'))

    def test_python_missing_module(self):
        res = self.run_python('from requiretool import require_module\n'
                              'require_module("otad_no_such_module", "python3-otad-no-such")\n',
                              os.environ['PATH'])
        self.assert_one_line_failure(res, message('Python module', 'otad_no_such_module',
                                                  'python3-otad-no-such'))

    def test_python_missing_file(self):
        missing = os.path.join(self.tmp, 'no-such.dtd')
        res = self.run_python('from requiretool import require_file\n'
                              f'require_file({missing!r}, "polkitd")\n', os.environ['PATH'])
        self.assert_one_line_failure(res, message('file', missing, 'polkitd'))

    # -- the real test programs, each with one tool it needs hidden ----------------
    def test_real_programs(self):
        self.assertGreater(len(ARGS.case), 3)
        for case in ARGS.case:
            name, tool, package, command = case.split('=', 3)
            argv = command.split(',')
            if argv[0].endswith('.py'):
                argv = [PYTHON] + argv
            with self.subTest(name=name, tool=tool):
                shadow = shadow_path(self.tmp, tool)
                self.assertIsNone(shutil.which(tool, path=shadow))
                res = self.run_with_path(argv, shadow)
                self.assert_one_line_failure(res, message('tool', tool, package))

    # -- the packages named are the ones CI installs --------------------------------
    # a call whose last argument (the package) is a literal
    CALL_RE = re.compile(r'''require_(?:program|python_module|module|typelib|file)\s*'''
                         r'''\([^()]*,\s*["']([^"']+)["']\s*\)''')

    def test_packages_are_installed_by_ci(self):
        with open(os.path.join(ARGS.source_root, '.ci', 'debian-packages')) as f:
            listed = {re.sub(r'#.*', '', line).strip() for line in f} - {''}
        named = {}
        tests = os.path.join(ARGS.source_root, 'tests')
        for dirpath, _, files in os.walk(tests):
            for fn in files:
                if not fn.endswith(('.c', '.py')):
                    continue
                path = os.path.join(dirpath, fn)
                with open(path, encoding='utf-8') as f:
                    text = f.read()
                for m in self.CALL_RE.finditer(text):
                    named.setdefault(m[1], []).append(os.path.relpath(path, tests))
        # the helpers are in use across the suites (a broken pattern finds nothing)
        self.assertGreater(len(named), 15, named)
        missing = {p: where for p, where in named.items() if p not in listed}
        # the probe tests name made-up packages on purpose
        missing.pop('python3-otad-no-such', None)
        self.assertEqual(missing, {}, 'packages the tests name but .ci/debian-packages '
                         'does not install')


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument('--probe', required=True)
    p.add_argument('--source-root', required=True)
    p.add_argument('--case', action='append', default=[])
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
