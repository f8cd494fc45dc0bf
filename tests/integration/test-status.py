#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""otactl status (JSON and human) and otad's D-Bus properties against what
`ostree admin status` shows for a real two-deployment sysroot."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import otadtest  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

STATES = ('idle', 'checking', 'update-available', 'awaiting-consent', 'downloading',
          'downloaded', 'installing', 'pending-reboot', 'confirming', 'rolled-back', 'error')


def get_all_properties(address):
    """org.otad.Updater1 properties read with plain GDBus (not libota)"""
    conn = Gio.DBusConnection.new_for_address_sync(
        address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    try:
        reply = conn.call_sync(otadtest.BUS_NAME, otadtest.OBJECT_PATH,
                               'org.freedesktop.DBus.Properties', 'GetAll',
                               GLib.Variant('(s)', (otadtest.INTERFACE,)),
                               GLib.VariantType('(a{sv})'), Gio.DBusCallFlags.NONE,
                               otadtest.COMMAND_TIMEOUT * 1000, None)
        return reply.unpack()[0]
    finally:
        conn.close_sync(None)


class RolesMixin:
    """compare one otactl/D-Bus deployment object with an admin status line"""

    def assertDeployment(self, got, expected, role):
        self.assertIsNotNone(got, f'{role} is missing')
        self.assertIsInstance(got, dict, role)
        self.assertEqual(got['checksum'], expected.checksum, role)
        self.assertEqual(got['serial'], expected.serial, role)
        self.assertEqual(got['index'], expected.index, role)
        self.assertEqual(got['osname'], expected.osname, role)
        self.assertEqual(got['version'], expected.version, role)

    def assertEmpty(self, got, role):
        self.assertIn(got, (None, {}), f'{role} should be empty, is {got!r}')


class NotBootedSysroot(otadtest.OtadTestCase, RolesMixin):
    """a sysroot nobody booted: default B is pending, A is the rollback"""

    def test_admin_status_is_what_we_built(self):
        # the harness itself: B (deployed last) is the default, A the other
        deployments = self.sysroot.admin_status()
        self.assertEqual([d.checksum for d in deployments],
                         [self.sysroot.commits['B'], self.sysroot.commits['A']])
        self.assertEqual([d.version for d in deployments], ['2.0', '1.0'])
        self.assertFalse(any(d.booted for d in deployments))

    def test_status_json_roles(self):
        default, other = self.sysroot.admin_status()
        status = otadtest.otactl_status_json(self.bus.address)
        for key in ('state', 'booted', 'pending', 'rollback', 'last-check-time'):
            self.assertIn(key, status)
        self.assertIn(status['state'], STATES)
        self.assertIsNone(status['booted'])
        self.assertDeployment(status['pending'], default, 'pending')
        self.assertDeployment(status['rollback'], other, 'rollback')

    def test_dbus_properties_roles(self):
        default, other = self.sysroot.admin_status()
        props = get_all_properties(self.bus.address)
        self.assertIn(props['State'], STATES)
        self.assertEqual(props['BootedDeployment'], {})
        self.assertDeployment(props['PendingDeployment'], default, 'PendingDeployment')
        self.assertDeployment(props['RollbackDeployment'], other, 'RollbackDeployment')
        self.assertFalse(props['PendingDeployment']['booted'])
        self.assertEqual(props['LastCheckTime'], 0)
        # otactl shows what the daemon exports
        status = otadtest.otactl_status_json(self.bus.address)
        self.assertEqual(status['state'], props['State'])

    def test_status_human(self):
        default, other = self.sysroot.admin_status()
        res = otadtest.otactl(self.bus.address, 'status')
        self.assertEqual(res.returncode, 0, res.stderr)
        # full or abbreviated checksums of both slots, and the versions
        for d in (default, other):
            self.assertIn(d.checksum[:10], res.stdout)
            self.assertIn(d.version, res.stdout)
        props = get_all_properties(self.bus.address)
        self.assertIn(props['State'].lower(), res.stdout.lower())


class BootedA(otadtest.OtadTestCase, RolesMixin):
    """A "booted" (test option), B the new default: B is pending"""

    DAEMON_ARGS = ('--test-booted-deployment={A}',)

    def test_status_json_roles(self):
        default, other = self.sysroot.admin_status()
        self.assertEqual(other.checksum, self.sysroot.commits['A'])
        status = otadtest.otactl_status_json(self.bus.address)
        self.assertDeployment(status['booted'], other, 'booted')
        self.assertDeployment(status['pending'], default, 'pending')
        # the rollback slot, if reported, can only be the non-default one
        if status['rollback'] not in (None, {}):
            self.assertDeployment(status['rollback'], other, 'rollback')

    def test_booted_flag_on_dbus(self):
        props = get_all_properties(self.bus.address)
        self.assertTrue(props['BootedDeployment']['booted'])
        self.assertEqual(props['BootedDeployment']['checksum'], self.sysroot.commits['A'])
        self.assertFalse(props['PendingDeployment']['booted'])

    def test_status_human(self):
        res = otadtest.otactl(self.bus.address, 'status')
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(self.sysroot.commits['A'][:10], res.stdout)
        self.assertIn(self.sysroot.commits['B'][:10], res.stdout)


class BootedDefault(otadtest.OtadTestCase, RolesMixin):
    """B (the default) "booted" with its serial: nothing pending, A is the rollback"""

    DAEMON_ARGS = ('--test-booted-deployment={B}.0',)

    def test_status_json_roles(self):
        default, other = self.sysroot.admin_status()
        status = otadtest.otactl_status_json(self.bus.address)
        self.assertDeployment(status['booted'], default, 'booted')
        self.assertEmpty(status['pending'], 'pending')
        self.assertDeployment(status['rollback'], other, 'rollback')


class BadBootedOption(otadtest.OtadTestCase):
    """--test-booted-deployment naming no deployment is refused"""

    START_DAEMON = False

    def test_unknown_checksum(self):
        d = otadtest.Daemon(os.path.join(self.topdir, 'bad'), self.bus, self.sysroot, '',
                            ['--test-booted-deployment=' + '0' * 64])
        os.makedirs(d.state_dir)
        otadtest.write_file(d.config, '')
        res = otadtest.run(d.command(), check=False, timeout=otadtest.START_TIMEOUT)
        self.assertNotEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertFalse(self.bus.name_has_owner(otadtest.BUS_NAME))


if __name__ == '__main__':
    otadtest.main()
