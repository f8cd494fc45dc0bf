#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Inhibitors through otad on a private bus.

- Inhibit → the Inhibitors property lists it; Install downloads, then waits in
  downloaded with Waiting = "inhibited"; Uninhibit → the install runs by itself to
  pending-reboot; bad reasons and options are refused, a foreign or released handle
  is NotFound, polkit's org.otad.install is needed.
- A subprocess takes an inhibitor and is killed: the inhibitor goes with it and the
  waiting install starts.
- otactl inhibit REASON holds one until Ctrl+C (SIGINT) and then releases it."""

import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest  # noqa: E402
from enginetest import ALL_ACTIONS, PYTHON, UpdateTestCase  # noqa: E402

from gi.repository import GLib  # noqa: E402

# held long enough that an install that ignored it would be seen
WAIT_S = 2

HOLDER = '''
import sys
from gi.repository import Gio, GLib
conn = Gio.DBusConnection.new_for_address_sync(
    sys.argv[1], Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
    | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
reply = conn.call_sync('org.otad.Updater', '/org/otad/Updater', 'org.otad.Updater1',
                       'Inhibit', GLib.Variant('(sa{sv})', (sys.argv[2], {})),
                       GLib.VariantType('(u)'), Gio.DBusCallFlags.NONE, 60000, None)
print(conn.get_unique_name(), reply.unpack()[0], flush=True)
sys.stdin.read()
'''


def inhibit(client, reason, options=None):
    return client.call('Inhibit', GLib.Variant('(sa{sv})', (reason, options or {})),
                       signature='(u)')


def wait_inhibitors(client, count, timeout=30):
    props = {}
    for _ in range(int(timeout / 0.1)):
        props = client.props()
        if len(props['Inhibitors']) == count:
            return props
        time.sleep(0.1)
    raise AssertionError(f'Inhibitors: {props.get("Inhibitors")}, not {count} of them')


class InhibitInstall(UpdateTestCase):

    def test_a_blocks_until_released(self):
        daemon, client = self.start_otad('A', name='inhibit')
        props = client.props()
        self.assertEqual(props['Inhibitors'], [])
        self.assertEqual(props['Waiting'], '')
        reply, err = inhibit(client, 'video call')
        self.assertIsNone(err)
        handle = reply[0]
        self.assertNotEqual(handle, 0)
        me = client.conn.get_unique_name()
        self.assertEqual(client.props()['Inhibitors'], [(handle, me, 'video call')])

        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        _, err = client.call('Install')
        self.assertIsNone(err)
        props = client.wait_state('downloaded', daemon=daemon)
        time.sleep(WAIT_S)
        props = client.props()
        self.assertEqual(props['State'], 'downloaded')
        self.assertEqual(props['Waiting'], 'inhibited')
        self.assertIn('the install waits: inhibited by', daemon.logs())
        # asking again still waits
        _, err = client.call('Install')
        self.assertIsNone(err)
        self.assertEqual(client.props()['State'], 'downloaded')

        # only the holder releases it
        other = enginetest.Client(self.bus.address)
        try:
            _, err = other.call('Uninhibit', GLib.Variant('(u)', (handle,)))
            self.assertEqual(err, 'NotFound')
        finally:
            other.close()
        _, err = client.call('Uninhibit', GLib.Variant('(u)', (handle,)))
        self.assertIsNone(err)
        props = client.wait_state('pending-reboot', daemon=daemon)
        self.assertEqual(props['Inhibitors'], [])
        self.assertEqual(props['Waiting'], '')
        _, err = client.call('Uninhibit', GLib.Variant('(u)', (handle,)))
        self.assertEqual(err, 'NotFound')

    def test_b_refused(self):
        daemon, client = self.start_otad('A', name='refused')
        for reason, options in (('', {}), ('x' * 257, {}), ('two\nlines', {}),
                                ('ok', {'bogus': GLib.Variant('b', True)}),
                                ('ok', {'interactive': GLib.Variant('s', 'yes')})):
            _, err = inhibit(client, reason, options)
            self.assertEqual(err, 'InvalidArgument', (reason, options))
        self.polkit.set_allowed(['org.otad.check'])
        try:
            _, err = inhibit(client, 'not allowed')
        finally:
            self.polkit.set_allowed(ALL_ACTIONS)
        self.assertEqual(err, 'AuthFailed')
        self.assertEqual(client.props()['Inhibitors'], [])


class InhibitorOwnerDies(UpdateTestCase):

    def test_released_when_owner_leaves(self):
        daemon, client = self.start_otad('A', name='owner')
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
        holder = subprocess.Popen([PYTHON, '-c', HOLDER, self.bus.address, 'backup running'],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                  text=True)
        self.addCleanup(lambda: holder.poll() is None and holder.kill())
        owner, handle = holder.stdout.readline().split()
        props = wait_inhibitors(client, 1)
        self.assertEqual(props['Inhibitors'], [(int(handle), owner, 'backup running')])

        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        _, err = client.call('Install')
        self.assertIsNone(err)
        client.wait_state('downloaded', daemon=daemon)
        time.sleep(WAIT_S)
        self.assertEqual(client.props()['State'], 'downloaded')
        self.assertEqual(client.props()['Waiting'], 'inhibited')

        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        holder.stdin.close()
        holder.stdout.close()
        props = client.wait_state('pending-reboot', daemon=daemon)
        self.assertEqual(props['Inhibitors'], [])
        self.assertIn(f'{owner} left the bus', daemon.logs())

    def test_otactl_inhibit(self):
        daemon, client = self.start_otad('A', name='otactl')
        proc = subprocess.Popen([otadtest.env_path('OTAD_TEST_OTACTL'), '--bus-address',
                                 self.bus.address, '--no-interactive', 'inhibit',
                                 'kiosk demo'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        # held once it says so (its signal handlers are in place by then)
        self.assertIn('kiosk demo', proc.stdout.readline())
        props = wait_inhibitors(client, 1)
        self.assertEqual(props['Inhibitors'][0][2], 'kiosk demo')
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        self.assertTrue(out.strip(), 'nothing said after the release')
        wait_inhibitors(client, 0)


if __name__ == '__main__':
    otadtest.main()
