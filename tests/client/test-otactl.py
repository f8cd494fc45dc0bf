#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
'''otactl against the otad dbusmock template: text, JSON, help, exit codes.'''

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# first: it checks for dbus-daemon, python3-dbus and python3-dbusmock
import otad_mock  # noqa: E402

import dbus  # noqa: E402

OTACTL = os.environ['OTACTL']

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


class TestOtactl(otad_mock.OtadMockTestCase):

    def otactl(self, *args, env=None):
        full_env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='', TZ='UTC')
        full_env.update(env or {})
        proc = subprocess.run([OTACTL, *args], capture_output=True, text=True, env=full_env,
                              timeout=60, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def assert_unreachable(self, rc, out, err):
        self.assertEqual(rc, EXIT_UNREACHABLE, err)
        self.assertEqual(out, '')
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith('otactl: cannot reach otad (org.otad.Updater): '),
                        lines[0])
        return lines[0]

    def test_help_lists_commands(self):
        rc, out, err = self.otactl('--help')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn('otactl [OPTION…] COMMAND', out)
        self.assertRegex(out, r'\n  status +Show the state of otad')
        self.assertIn('--json', out)
        self.assertIn('Exit status:', out)
        self.assertIn('  3   otad cannot be reached', out)

    def test_status_help(self):
        for args in (['status', '--help'], ['--help', 'status'], ['status', '-h']):
            rc, out, err = self.otactl(*args)
            self.assertEqual(rc, EXIT_OK, err)
            self.assertIn('otactl status [OPTION…]', out)
            self.assertIn('booted, pending and rollback deployments', out)
            self.assertIn('--json', out)
            self.assertEqual(err, '')

    def test_version(self):
        rc, out, _ = self.otactl('--version')
        self.assertEqual(rc, EXIT_OK)
        self.assertRegex(out, r'^otactl \d+\.\d+\.\d+\n$')

    def test_usage_errors(self):
        for args, needle in (((), 'no command given'),
                             (('frobnicate',), 'unknown command “frobnicate”'),
                             (('status', '--bogus'), 'Unknown option --bogus'),
                             (('status', 'extra'), 'unexpected argument “extra”')):
            rc, out, err = self.otactl(*args)
            self.assertEqual(rc, EXIT_USAGE, (args, err))
            self.assertEqual(out, '')
            self.assertIn(needle, err)
            self.assertIn('--help', err)

    def test_unreachable(self):
        self.assertFalse(self.name_has_owner())
        line = self.assert_unreachable(*self.otactl('status'))
        self.assertTrue(line.endswith('not running'), line)

    def test_unreachable_json(self):
        # --json: the error is JSON on stdout, stderr stays empty
        self.assertFalse(self.name_has_owner())
        for args in (['status', '--json'], ['--json', 'status']):
            rc, out, err = self.otactl(*args)
            self.assertEqual(rc, EXIT_UNREACHABLE, err)
            self.assertEqual(err, '')
            error = json.loads(out)['error']
            self.assertEqual(error['name'], 'org.otad.Updater1.Error.NotSupported')
            self.assertIn('not running', error['message'])
            self.assertEqual(error['exit-code'], EXIT_UNREACHABLE)

    def test_usage_error_json(self):
        rc, out, err = self.otactl('status', '--json', 'extra')
        self.assertEqual(rc, EXIT_USAGE)
        self.assertEqual(err, '')
        error = json.loads(out)['error']
        self.assertEqual(error['name'], 'org.otad.Updater1.Error.InvalidArgument')
        self.assertIn('extra', error['message'])

    def test_unreachable_bus(self):
        with tempfile.TemporaryDirectory() as tmp:
            address = 'unix:path=' + os.path.join(tmp, 'nobus')
            line = self.assert_unreachable(*self.otactl('status', '--bus-address', address))
            self.assertIn(address, line)

    def test_status_text(self):
        self.start_mock()
        rc, out, err = self.otactl('status')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(err, '')
        lines = out.splitlines()
        self.assertEqual(lines[0], 'State: pending-reboot '
                         '(an update is installed and waits for a reboot)')
        self.assertIn('Last check: 2026-01-01 00:00:00 UTC', lines)
        self.assertNotIn('Last error', out)
        # each deployment under its heading, in the A/B roles the daemon gave
        blocks = {}
        heading = None
        for line in lines:
            if line and not line.startswith(' '):
                heading = line
                blocks[heading] = []
            elif line.startswith('  ') and heading:
                blocks[heading].append(line.split(None, 1))
        booted = dict(blocks['Booted deployment:'])
        self.assertEqual(booted['Commit:'], '1' * 64)
        self.assertEqual(booted['Version:'], '1.0')
        self.assertEqual(booted['OS:'], 'demo')
        self.assertEqual(booted['Origin:'], 'demo:demo/x86_64')
        pending = dict(blocks['Pending deployment (boots next):'])
        self.assertEqual(pending['Commit:'], '3' * 64)
        self.assertEqual(pending['Flags:'], 'staged')
        rollback = dict(blocks['Rollback deployment (other slot):'])
        self.assertEqual(rollback['Commit:'], '2' * 64)
        self.assertEqual(rollback['Serial:'], '2')
        self.assertEqual(rollback['Flags:'], 'pinned')

    def test_status_text_none(self):
        self.start_mock({'State': 'idle', 'BootedDeployment': {}, 'RollbackDeployment': {},
                         'PendingDeployment': {}})
        rc, out, err = self.otactl('status')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn('State: idle (nothing to do)\n', out)
        self.assertIn('Last check: never\n', out)
        self.assertIn('Booted deployment: none\n', out)
        self.assertIn('Pending deployment (boots next): none\n', out)
        self.assertIn('Rollback deployment (other slot): none', out)

    def test_status_json(self):
        self.start_mock()
        for args in (['status', '--json'], ['--json', 'status']):
            rc, out, err = self.otactl(*args)
            self.assertEqual(rc, EXIT_OK, err)
            data = json.loads(out)
            self.assertEqual(set(data), {'state', 'error', 'booted', 'pending', 'rollback',
                                         'last-check-time', 'daemon-version'})
            self.assertEqual(data['state'], 'pending-reboot')
            self.assertIsNone(data['error'])
            self.assertEqual(data['booted'], otad_mock.BOOTED)
            self.assertEqual(data['pending'], otad_mock.PENDING)
            self.assertEqual(data['rollback'], otad_mock.ROLLBACK)
            self.assertEqual(data['last-check-time'], 1767225600)
            self.assertEqual(data['daemon-version'], 1)

    def test_status_json_error_and_none(self):
        self.start_mock({'State': 'error', 'ErrorName': 'org.otad.Updater1.Error.Network',
                         'ErrorMessage': 'cannot reach the server',
                         'BootedDeployment': {}, 'RollbackDeployment': {},
                         'PendingDeployment': {}})
        rc, out, err = self.otactl('status', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        data = json.loads(out)
        self.assertEqual(data['state'], 'error')
        self.assertEqual(data['error'], {'name': 'org.otad.Updater1.Error.Network',
                                         'message': 'cannot reach the server'})
        self.assertIsNone(data['booted'])
        self.assertIsNone(data['pending'])
        self.assertIsNone(data['rollback'])
        self.assertIsNone(data['last-check-time'])

        rc, out, err = self.otactl('status')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn('Last error: org.otad.Updater1.Error.Network: cannot reach the server',
                      out)

    def test_bus_address_option(self):
        self.start_mock()
        with tempfile.TemporaryDirectory() as tmp:
            # the option wins over the (broken) system bus address
            env = {'DBUS_SYSTEM_BUS_ADDRESS': 'unix:path=' + os.path.join(tmp, 'nobus')}
            rc, out, err = self.otactl('--bus-address', self.bus_address, 'status', '--json',
                                       env=env)
            self.assertEqual(rc, EXIT_OK, err)
            self.assertEqual(json.loads(out)['booted']['checksum'], '1' * 64)
            self.assert_unreachable(*self.otactl('status', env=env))

    def test_activation(self):
        # a bus that can start otad does so, instead of reporting it not running
        service = os.path.join(self.get_services_dir(system_bus=True), 'org.otad.Updater.service')
        with open(service, 'w', encoding='utf-8') as f:
            f.write('[D-BUS Service]\nName=org.otad.Updater\n'
                    'Exec=%s -m dbusmock --system -t %s\n' % (sys.executable,
                                                              otad_mock.TEMPLATE))
        bus = dbus.Interface(self.dbus_con.get_object('org.freedesktop.DBus',
                                                      '/org/freedesktop/DBus'),
                             'org.freedesktop.DBus')
        bus.ReloadConfig()
        try:
            rc, out, err = self.otactl('status', '--json')
            self.assertEqual(rc, EXIT_OK, err)
            self.assertEqual(json.loads(out)['booted']['checksum'], 'a' * 64)
        finally:
            os.unlink(service)
            bus.ReloadConfig()
            if self.name_has_owner():
                pid = bus.GetConnectionUnixProcessID(otad_mock.BUS_NAME)
                os.kill(pid, 15)
                self.wait_for_owner(False)


if __name__ == '__main__':
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
