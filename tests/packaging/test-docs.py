#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""meson install --destdir, then: man otactl, otad and otad.conf render with man(1)
(`man -l FILE` and `MANPATH=… man NAME`); otactl(1) documents every command and
option otactl has (the lists come from `otactl --help`, so a command without docs
fails here); otad(8) every option of otad; otad.conf(5) every key of
data/otad.conf.  The installed bash completion, sourced into bash, completes
otactl's commands and options (the completion function called with COMP_WORDS)."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'require'))
from requiretool import require_program  # noqa: E402

require_program('man', 'man-db')

ARGS = None
C_ENV = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')


def run(cmd, **kwargs):
    kwargs.setdefault('timeout', 120)
    kwargs.setdefault('env', C_ENV)
    return subprocess.run(cmd, check=False, capture_output=True, text=True, **kwargs)


def otactl_commands():
    out = run([ARGS.otactl, '--help']).stdout
    block = out.split('Commands:\n', 1)[1].split('\n\n', 1)[0]
    return [m[1] for m in re.finditer(r'^  ([a-z][a-z-]*) ', block, re.M)]


def long_options(program, *args):
    out = run([program, *args, '--help']).stdout
    return sorted(set(re.findall(r'^ +(?:-[a-zA-Z], )?(--[a-z][a-z-]*)', out, re.M)))


class DocsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='otad-docs-')
        cls.destdir = os.path.join(cls.tmp, 'root')
        res = run([ARGS.meson, 'install', '-C', ARGS.build_dir, '--no-rebuild', '--quiet'],
                  env=dict(os.environ, DESTDIR=cls.destdir), timeout=600)
        if res.returncode != 0:
            raise RuntimeError('meson install failed:\n' + res.stdout + res.stderr)
        cls.mandir = os.path.join(cls.destdir, ARGS.mandir.lstrip('/'))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def page(self, name, section):
        path = os.path.join(self.mandir, f'man{section}', f'{name}.{section}')
        if not os.path.exists(path) and not ARGS.man_built:
            sys.stderr.write('missing tool rst2man: install the Debian package '
                             'python3-docutils\n')
            os._exit(1)
        self.assertTrue(os.path.isfile(path), path)
        return path

    def render(self, *args, env=None):
        full = dict(C_ENV, MANPAGER='cat', PAGER='cat', MANWIDTH='200', **(env or {}))
        res = run(['man', *args], env=full)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn('warning', res.stderr.lower())
        # plain text: no overstrike bold, joined hyphenation
        return re.sub(r'.\x08', '', res.stdout)

    def test_otactl_page(self):
        text = self.render('-l', self.page('otactl', '1'))
        self.assertIn('otactl - control the otad over-the-air updater', text)
        words = set(re.findall(r'[a-z][a-z-]*', text))
        commands = otactl_commands()
        self.assertGreater(len(commands), 5)
        for cmd in commands:
            with self.subTest(command=cmd):
                self.assertRegex(text, rf'\n {{3,}}{cmd}\b', f'otactl(1) lacks the command {cmd}')
                for option in long_options(ARGS.otactl, cmd):
                    self.assertIn(option, text, f'otactl(1) lacks {cmd} {option}')
        for code in ('77', '130'):
            self.assertIn(code, words | set(re.findall(r'\d+', text)))

    def test_man_finds_pages_by_name(self):
        env = {'MANPATH': self.mandir}
        self.page('otactl', '1')
        self.assertIn('OTACTL(1)', self.render('otactl', env=env))
        self.assertIn('OTAD(8)', self.render('8', 'otad', env=env))
        self.assertIn('OTAD.CONF(5)', self.render('5', 'otad.conf', env=env))

    def test_otad_page(self):
        text = self.render('-l', self.page('otad', '8'))
        for option in long_options(ARGS.otad):
            with self.subTest(option=option):
                self.assertIn(option, text)

    def test_otad_conf_page(self):
        text = self.render('-l', self.page('otad.conf', '5'))
        group = None
        n = 0
        with open(os.path.join(ARGS.source_dir, 'data', 'otad.conf'), encoding='utf-8') as f:
            for line in f:
                m = re.match(r'^\[([a-z0-9-]+)\]', line)
                if m:
                    group = m[1]
                    self.assertIn(f'[{group}]', text)
                m = re.match(r'^#([a-z0-9-]+)=(.*)$', line.rstrip('\n'))
                if m and group:
                    n += 1
                    self.assertRegex(text, rf'\n +{re.escape(m[1])}=', f'[{group}] {m[1]}')
        self.assertGreater(n, 20)

    def complete(self, *words):
        """COMPREPLY of _otactl for the command line WORDS (the last is being typed)"""
        script = os.path.join(self.destdir, ARGS.completionsdir.lstrip('/'), 'otactl')
        self.assertTrue(os.path.isfile(script), script)
        words = list(words)
        prog_dir = os.path.dirname(ARGS.otactl)
        bash = ('set -e; source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
                'COMP_LINE="$*"; _otactl; printf "%s\\n" "${COMPREPLY[@]}"')
        res = run(['bash', '--norc', '--noprofile', '-c', bash, 'bash', script, 'otactl', *words],
                  env=dict(C_ENV, PATH=prog_dir + os.pathsep + os.environ.get('PATH', '')))
        self.assertEqual(res.returncode, 0, res.stderr)
        return [w for w in res.stdout.splitlines() if w]

    def test_completion(self):
        commands = otactl_commands()
        self.assertEqual(sorted(self.complete('')), sorted(commands))
        self.assertEqual(self.complete('dow'), ['download'])
        self.assertEqual(sorted(self.complete('--json', 'r')), ['reboot', 'rollback'])
        self.assertEqual(self.complete('--json', 'ro'), ['rollback'])
        self.assertEqual(self.complete('--bus-address', 'unix:path=/x', 'hi'), ['history'])
        self.assertIn('--json', self.complete('--js'))
        self.assertEqual(self.complete('download', '--ti'), ['--timeout='])
        self.assertEqual(self.complete('update', '--no-'), ['--no-interactive', '--no-install'])
        # after the command, no second command
        self.assertEqual(self.complete('status', ''), [])


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument('--meson', required=True)
    p.add_argument('--build-dir', required=True)
    p.add_argument('--source-dir', required=True)
    p.add_argument('--mandir', required=True)
    p.add_argument('--completionsdir', required=True)
    p.add_argument('--otactl', required=True)
    p.add_argument('--otad', required=True)
    p.add_argument('--man-built', type=int, default=0)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
