#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""otactl without a daemon: one clear line on stderr and a non-zero exit."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import otadtest  # noqa: E402

# otactl's documented exit code for "otad is not reachable"
EXIT_UNREACHABLE = 3


class NoDaemon(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.topdir = tempfile.mkdtemp(prefix='otad-it-')
        cls.bus = otadtest.Bus(cls.topdir).start()

    @classmethod
    def tearDownClass(cls):
        cls.bus.stop()
        otadtest.remove_tree(cls.topdir)

    def assertOneLineError(self, res, json_output=False):
        self.assertNotEqual(res.returncode, 0)
        self.assertEqual(res.returncode, EXIT_UNREACHABLE, res.stderr)
        if json_output:
            # --json: the error is JSON on stdout (a script reads one stream), nothing
            # on stderr
            self.assertEqual(res.stderr, '')
            err = json.loads(res.stdout)['error']
            self.assertTrue(err['name'].startswith('org.otad.Updater1.Error.'), err)
            self.assertGreater(len(err['message']), 10)
            self.assertEqual(err['exit-code'], EXIT_UNREACHABLE)
            return
        lines = res.stderr.splitlines()
        self.assertEqual(len(lines), 1, f'expected one line, got {res.stderr!r}')
        self.assertGreater(len(lines[0].strip()), 10)
        self.assertEqual(res.stdout, '')

    def test_bus_without_otad(self):
        """a working bus on which nobody owns org.otad.Updater"""
        for args in (['status'], ['status', '--json'], ['--json', 'status']):
            with self.subTest(args=args):
                self.assertOneLineError(otadtest.otactl(self.bus.address, *args),
                                        json_output='--json' in args)

    def test_no_bus(self):
        """a bus address with nothing listening"""
        address = 'unix:path=' + os.path.join(self.topdir, 'no-such-socket')
        self.assertOneLineError(otadtest.otactl(address, 'status'))

    def test_system_bus_unreachable(self):
        """no --bus-address: the system bus, here pointed at nothing"""
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS='unix:path=' +
                   os.path.join(self.topdir, 'no-system-bus'))
        self.assertOneLineError(otadtest.otactl(None, 'status', env=env))


if __name__ == '__main__':
    otadtest.main()
