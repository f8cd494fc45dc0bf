#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""otad's configuration file: a broken one stops otad with "FILE:LINE: [group]
key: reason"; the shipped data/otad.conf, with every default uncommented, is
accepted (so it stays in sync with the daemon's parser)."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import otadtest  # noqa: E402

SHIPPED_CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            '..', '..', 'data', 'otad.conf')


class Config(otadtest.OtadTestCase):
    START_DAEMON = False

    def run_otad(self, name, text):
        d = otadtest.Daemon(os.path.join(self.topdir, name), self.bus, self.sysroot, text)
        os.makedirs(d.state_dir)
        otadtest.write_file(d.config, text)
        res = otadtest.run(d.command(), check=False, timeout=otadtest.START_TIMEOUT)
        return d, res

    def assertConfigError(self, name, text, line, key):
        d, res = self.run_otad(name, text)
        out = res.stdout + res.stderr
        self.assertNotEqual(res.returncode, 0, out)
        self.assertIn(f'{d.config}:{line}', out)
        self.assertIn(key, out)
        self.assertFalse(self.bus.name_has_owner(otadtest.BUS_NAME))
        return out

    def test_bad_integer(self):
        text = '# polling\n[polling]\ninterval-sec=soon\n'
        out = self.assertConfigError('bad-int', text, 3, 'interval-sec')
        self.assertIn('[polling]', out)

    def test_unknown_key(self):
        text = '[server]\n\n\nno-such-key=1\n'
        out = self.assertConfigError('unknown-key', text, 4, 'no-such-key')
        self.assertIn('[server]', out)

    def test_syntax_error(self):
        d, res = self.run_otad('syntax', '[polling]\ninterval-sec=60\nthis is not a key file\n')
        out = res.stdout + res.stderr
        self.assertNotEqual(res.returncode, 0, out)
        self.assertIn(f'{d.config}:3', out)

    def test_bad_drop_in(self):
        """a bad key in FILE.d/*.conf is reported with the drop-in's name and line"""
        d = otadtest.Daemon(os.path.join(self.topdir, 'dropin'), self.bus, self.sysroot)
        os.makedirs(d.state_dir)
        otadtest.write_file(d.config, '[polling]\ninterval-sec=60\n')
        otadtest.write_file(d.config + '.d/10-ok.conf', '[polling]\njitter-percent=5\n')
        bad = d.config + '.d/20-bad.conf'
        otadtest.write_file(bad, '[update]\n# comment\npolicy=whenever\n')
        res = otadtest.run(d.command(), check=False, timeout=otadtest.START_TIMEOUT)
        out = res.stdout + res.stderr
        self.assertNotEqual(res.returncode, 0, out)
        self.assertIn(f'{bad}:3', out)
        self.assertIn('policy', out)
        self.assertFalse(self.bus.name_has_owner(otadtest.BUS_NAME))

    def test_good_drop_in(self):
        d = otadtest.Daemon(os.path.join(self.topdir, 'dropin-ok'), self.bus, self.sysroot)
        otadtest.write_file(d.config + '.d/10-ok.conf', '[polling]\njitter-percent=5\n')
        d.config_text = '[polling]\ninterval-sec=60\n'
        self.addCleanup(d.stop)
        d.start()
        self.assertIn('state', otadtest.otactl_status_json(self.bus.address))
        self.assertEqual(d.stop(), 0, d.logs())

    def test_missing_file(self):
        d = otadtest.Daemon(os.path.join(self.topdir, 'missing'), self.bus, self.sysroot)
        os.makedirs(d.state_dir)
        res = otadtest.run(d.command(), check=False, timeout=otadtest.START_TIMEOUT)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn(d.config, res.stdout + res.stderr)

    def test_shipped_config_defaults_are_accepted(self):
        with open(SHIPPED_CONF, encoding='utf-8') as f:
            shipped = f.read()
        # uncomment '#key=value' lines (not prose comments)
        text = re.sub(r'^#([a-z][a-z0-9-]*=.*)$', r'\1', shipped, flags=re.M)
        keys = re.findall(r'^([a-z][a-z0-9-]*)=', text, flags=re.M)
        self.assertGreater(len(keys), 5)
        d = self.start_daemon('shipped', text)
        status = otadtest.otactl_status_json(self.bus.address)
        self.assertIn('state', status)
        self.assertEqual(d.stop(), 0, d.logs())


if __name__ == '__main__':
    otadtest.main()
