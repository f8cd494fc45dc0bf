#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The translation pipeline: POTFILES.in lists every source file with
translatable strings, every language in LINGUAS is complete (nothing
untranslated or fuzzy, nothing missing against a fresh extraction), and
otactl really speaks German with the catalogue built in the build tree."""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'require'))
from requiretool import require_program  # noqa: E402
from localemount import LOCALE_MOUNT_SCRIPT as MOUNT_SCRIPT  # noqa: E402

# a missing one ends the test with one line naming the Debian package, never a skip
require_program('msgfmt', 'gettext')
require_program('xgettext', 'gettext')
require_program('unshare', 'util-linux')
require_program('mount', 'mount')   # inside unshare: the build tree catalogue at LOCALEDIR

ARGS = None

# the keywords of meson's i18n 'glib' preset
XGETTEXT_KEYWORDS = ['--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
                     '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
                     '--keyword=g_dpgettext2:2c,3']


def run(cmd, **kwargs):
    kwargs.setdefault('timeout', 120)
    return subprocess.run(cmd, check=False, capture_output=True, text=True, **kwargs)


def read_list(path):
    with open(path, encoding='utf-8') as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith('#')]


def parse_po(path):
    """msgid -> (msgstr, [references]) for the singular, non-header entries; an
    entry with a context is keyed "CONTEXT\\x04MSGID", as gettext stores it"""
    entries = {}
    refs, ctx, msgid, msgstr, cur = [], None, None, None, None

    def flush():
        if msgid:
            key = msgid if ctx is None else ctx + '\x04' + msgid
            entries[key] = (msgstr or '', refs)

    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#:'):
                if cur == 'msgstr':
                    flush()
                    refs, ctx, msgid, msgstr, cur = [], None, None, None, None
                refs = refs + line[2:].split()
            elif line.startswith('msgctxt '):
                if cur == 'msgstr':
                    flush()
                    refs, msgid, msgstr = [], None, None
                ctx, cur = eval(line[8:]), 'msgctxt'
            elif line.startswith('msgid '):
                if cur == 'msgstr':
                    flush()
                    refs, ctx = [], None
                msgid, msgstr, cur = eval(line[6:]), None, 'msgid'
            elif line.startswith('msgstr '):
                msgstr, cur = eval(line[7:]), 'msgstr'
            elif line.startswith('"'):
                if cur == 'msgctxt':
                    ctx += eval(line)
                elif cur == 'msgid':
                    msgid += eval(line)
                elif cur == 'msgstr':
                    msgstr += eval(line)
            elif not line.strip():
                if cur == 'msgstr':
                    flush()
                refs, ctx, msgid, msgstr, cur = [], None, None, None, None
    if cur == 'msgstr':
        flush()
    return entries


class PoTest(unittest.TestCase):
    def setUp(self):
        self.po_dir = os.path.join(ARGS.source_dir, 'po')
        self.linguas = read_list(os.path.join(self.po_dir, 'LINGUAS'))
        self.potfiles = read_list(os.path.join(self.po_dir, 'POTFILES.in'))

    def test_linguas_has_german(self):
        self.assertIn('de', self.linguas)

    def test_potfiles_complete(self):
        """every C file of cli/, client/ and daemon/ (with its layers' folders) that
        marks strings is listed"""
        for path in self.potfiles:
            self.assertTrue(os.path.isfile(os.path.join(ARGS.source_dir, path)), path)
        marked = re.compile(r'\b(_|N_|C_|NC_)\s*\(\s*"')
        missing = []
        for sub in ('cli', 'client', 'daemon'):
            top = os.path.join(ARGS.source_dir, sub)
            for d, dirs, names in os.walk(top):
                dirs.sort()
                for name in sorted(names):
                    if not name.endswith('.c'):
                        continue
                    rel = os.path.relpath(os.path.join(d, name), ARGS.source_dir)
                    with open(os.path.join(d, name), encoding='utf-8') as f:
                        if marked.search(f.read()) and rel not in self.potfiles:
                            missing.append(rel)
        self.assertEqual(missing, [], 'files with _() missing from po/POTFILES.in')

    def test_translations_complete(self):
        for lang in self.linguas:
            with self.subTest(lang=lang):
                res = run(['msgfmt', '--check', '--statistics', '-o', '/dev/null',
                           os.path.join(self.po_dir, f'{lang}.po')],
                          env=dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE=''))
                self.assertEqual(res.returncode, 0, res.stderr)
                stats = res.stderr.strip()
                self.assertRegex(stats, r'^[1-9][0-9]* translated messages?\.$')

    def test_translations_cover_sources(self):
        """a fresh extraction from POTFILES.in has no msgid the .po files lack"""
        with tempfile.TemporaryDirectory() as tmp:
            pot = os.path.join(tmp, 'fresh.pot')
            res = run(['xgettext', '--from-code=UTF-8', '--add-comments', *XGETTEXT_KEYWORDS,
                       '--directory', ARGS.source_dir, '--files-from',
                       os.path.join(self.po_dir, 'POTFILES.in'), '-o', pot])
            self.assertEqual(res.returncode, 0, res.stderr)
            fresh = parse_po(pot)
            self.assertGreater(len(fresh), 0)
            for lang in self.linguas:
                with self.subTest(lang=lang):
                    have = parse_po(os.path.join(self.po_dir, f'{lang}.po'))
                    missing = sorted(set(fresh) - set(have))
                    self.assertEqual(missing, [], f'po/{lang}.po lacks these; run '
                                     'ninja -C BUILD otad-update-po and translate')
                    empty = sorted(k for k in fresh if not have[k][0])
                    self.assertEqual(empty, [])

    def check_help_in_german(self, program, source_prefix):
        """LANGUAGE=de PROGRAM --help prints the German text of every de.po
        string from SOURCE_PREFIX that its English --help shows"""
        if not program or not os.path.exists(program):
            self.skipTest(f'{program or "the program"} is not built')
        mo = os.path.join(ARGS.build_dir, 'po', 'de', 'LC_MESSAGES', 'otad.mo')
        self.assertTrue(os.path.isfile(mo), mo)
        if os.geteuid() != 0:
            self.skipTest('needs root to show the build tree catalogue at LOCALEDIR')
        probe = run(['unshare', '--mount', '--propagation', 'private', 'true'])
        if probe.returncode != 0:
            self.skipTest('no mount namespace here: ' + probe.stderr.strip())
        english = run([program, '--help'], env=dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE=''))
        self.assertEqual(english.returncode, 0, english.stderr)
        pairs = [(k, v[0]) for k, v in parse_po(os.path.join(self.po_dir, 'de.po')).items()
                 if v[0] and v[0] != k and any(r.startswith(source_prefix) for r in v[1])
                 and '\n' not in k and len(k) > 3 and k in english.stdout]
        self.assertGreater(len(pairs), 2, f'{program} --help shows no string of de.po')
        # the programs bind their domain to the compiled-in LOCALEDIR: in a
        # private mount namespace, put the build tree's po/ there
        script = MOUNT_SCRIPT
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='de',
                   BUILD_PO=os.path.join(ARGS.build_dir, 'po'))
        res = run(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script,
                   'sh', ARGS.localedir, program, '--help'], env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        for msgid, msgstr in pairs:
            with self.subTest(msgid=msgid):
                self.assertIn(msgstr, res.stdout)

    def in_build_tree_catalogue(self, cmd):
        """CMD in a private mount namespace where LOCALEDIR shows the build tree's po/"""
        return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', MOUNT_SCRIPT,
                'sh', ARGS.localedir] + list(cmd)

    def require_namespace(self):
        mo = os.path.join(ARGS.build_dir, 'po', 'de', 'LC_MESSAGES', 'otad.mo')
        self.assertTrue(os.path.isfile(mo), mo)
        if not ARGS.otad or not ARGS.otactl:
            self.skipTest('otad and otactl are not built')
        if os.geteuid() != 0:
            self.skipTest('needs root to show the build tree catalogue at LOCALEDIR')
        probe = run(['unshare', '--mount', '--propagation', 'private', 'true'])
        if probe.returncode != 0:
            self.skipTest('no mount namespace here: ' + probe.stderr.strip())

    def test_states_and_otad_errors_in_german(self):
        """otad with LANGUAGE=de answers in German; otactl shows states in German"""
        self.require_namespace()
        sys.path.insert(0, os.path.join(ARGS.source_dir, 'tests', 'integration'))
        import otadtest  # noqa: E402  (checks ostree, dbus-daemon, gdbus first)
        german = {'LC_ALL': 'C.UTF-8', 'LANGUAGE': 'de',
                  'BUILD_PO': os.path.join(ARGS.build_dir, 'po'), 'OTAD_TEST_OTAD': ARGS.otad}
        saved = {k: os.environ.get(k) for k in german}
        topdir = tempfile.mkdtemp(prefix='otad-po-')
        bus = daemon = None
        test = self

        class GermanDaemon(otadtest.Daemon):
            def command(self):
                return test.in_build_tree_catalogue(super().command())

        try:
            os.environ.update(german)
            bus = otadtest.Bus(topdir).start()
            sysroot = otadtest.Sysroot(topdir).create()
            daemon = GermanDaemon(os.path.join(topdir, 'd'), bus, sysroot,
                                  '[polling]\nenabled=false\n').start()
            env = dict(os.environ, **german)
            # a refused call: otad's own message, in otad's language
            res = run(self.in_build_tree_catalogue(
                [ARGS.otactl, '--bus-address', bus.address, 'download']), env=env)
            self.assertEqual(res.returncode, 1, res.stderr)
            self.assertIn('Download() ist im Zustand idle nicht möglich', res.stderr)
            # a state name, in otactl's language; --json keeps the name
            res = run(self.in_build_tree_catalogue(
                [ARGS.otactl, '--bus-address', bus.address, 'status']), env=env)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn('Zustand: bereit', res.stdout)
            res = run(self.in_build_tree_catalogue(
                [ARGS.otactl, '--bus-address', bus.address, 'status', '--json']), env=env)
            self.assertIn('"idle"', res.stdout)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            if daemon:
                daemon.stop()
            if bus:
                bus.stop()
            otadtest.remove_tree(topdir)

    def test_otactl_help_in_german(self):
        self.check_help_in_german(ARGS.otactl, 'cli/')

    def test_otad_help_in_german(self):
        self.check_help_in_german(ARGS.otad, 'daemon/')


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument('--source-dir', required=True)
    p.add_argument('--build-dir', required=True)
    p.add_argument('--localedir', required=True)
    p.add_argument('--otactl', default='')
    p.add_argument('--otad', default='')
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
