#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The update methods on the bus: polkit (python-dbusmock's polkitd, denied by
default), state guards, strict options, GetHistory; otad on a private bus with a
real test sysroot and no server configured."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest  # noqa: E402

from gi.repository import GLib  # noqa: E402

CONFIG = '[polling]\nenabled=false\n[update]\npolicy=consent\n'


class MethodGuards(otadtest.OtadTestCase):
    """everything denied by polkit, otad idle"""

    START_DAEMON = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.polkit = enginetest.Polkit(cls.bus).start()
            cls.daemon = otadtest.Daemon(os.path.join(cls.topdir, 'd0'), cls.bus, cls.sysroot,
                                         CONFIG).start()
            cls.client = enginetest.Client(cls.bus.address)
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.polkit.stop()
        super().tearDownClass()

    def setUp(self):
        self.polkit.set_allowed([])

    def test_version_and_properties(self):
        props = self.client.props()
        self.assertEqual(props['Version'], 4)
        self.assertEqual(props['State'], 'idle')
        self.assertEqual(props['Policy'], 'consent')
        self.assertEqual(props['UpdateInfo'], {})
        self.assertEqual(props['NextCheckTime'], 0)   # polling is off
        for key in ('DownloadedBytes', 'DownloadSize', 'Progress', 'WaitingUntil'):
            self.assertEqual(props[key], 0, key)
        self.assertEqual(props['WaitingFor'], '')
        self.assertIs(props['RebootRequired'], False)

    def test_denied_by_polkit(self):
        for method in ('Check', 'Rollback'):
            _, err = self.client.call(method)
            self.assertEqual(err, 'AuthFailed', method)
        self.assertEqual(self.client.props()['State'], 'idle')

    def test_denied_interactive(self):
        _, err = self.client.call('Check', GLib.Variant(
            '(a{sv})', ({'interactive': GLib.Variant('b', True)},)))
        self.assertEqual(err, 'AuthFailed')

    def test_wrong_state(self):
        # allowed by polkit, but not in state idle
        self.polkit.set_allowed(['org.otad.check', 'org.otad.install', 'org.otad.rollback'])
        for method in ('Download', 'Install', 'Cancel'):
            _, err = self.client.call(method)
            self.assertEqual(err, 'WrongState', method)
        self.assertEqual(self.client.props()['State'], 'idle')

    def test_wrong_state_comes_before_polkit(self):
        _, err = self.client.call('Download')
        self.assertEqual(err, 'WrongState')

    def test_unknown_option(self):
        self.polkit.set_allowed(['org.otad.check'])
        _, err = self.client.call('Check', GLib.Variant(
            '(a{sv})', ({'bogus': GLib.Variant('b', True)},)))
        self.assertEqual(err, 'InvalidArgument')
        _, err = self.client.call('Check', GLib.Variant(
            '(a{sv})', ({'interactive': GLib.Variant('s', 'yes')},)))
        self.assertEqual(err, 'InvalidArgument')
        _, err = self.client.call('GetHistory', GLib.Variant(
            '(a{sv})', ({'bogus': GLib.Variant('u', 3)},)))
        self.assertEqual(err, 'InvalidArgument')
        _, err = self.client.call('GetHistory', GLib.Variant(
            '(a{sv})', ({'limit': GLib.Variant('s', '3')},)))
        self.assertEqual(err, 'InvalidArgument')
        self.assertEqual(self.client.props()['State'], 'idle')

    def test_history_empty(self):
        reply, err = self.client.call('GetHistory', signature='(aa{sv})')
        self.assertIsNone(err)
        self.assertEqual(reply, ([],))

    def test_z_allowed_check_without_server_fails_later(self):
        # the call is accepted; the failure arrives through State/ErrorName
        self.polkit.set_allowed(['org.otad.check'])
        reply, err = self.client.call('Check')
        self.assertIsNone(err)
        props = self.client.wait_state('error', daemon=self.daemon)
        self.assertEqual(props['ErrorName'], 'org.otad.Updater1.Error.InvalidConfig')
        self.assertIn('server', props['ErrorMessage'])
        # from error a Check is allowed again, a Download is not
        _, err = self.client.call('Download')
        self.assertEqual(err, 'WrongState')


if __name__ == '__main__':
    otadtest.main()
