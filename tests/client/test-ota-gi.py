#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
'''libota from Python through GObject Introspection (Ota-1.0).'''

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# first: it checks for dbus-daemon, python3-dbus and python3-dbusmock
import otad_mock  # noqa: E402

import dbus  # noqa: E402

from requiretool import require_typelib  # noqa: E402
require_typelib('GLib', '2.0', 'gir1.2-glib-2.0')

import gi  # noqa: E402
gi.require_version('Ota', '1.0')
from gi.repository import Gio, GLib, Ota  # noqa: E402


class TestOtaGI(otad_mock.OtadMockTestCase):

    def run_until(self, predicate):
        # bounded wait for the test's own events, guards against a hang only
        context = GLib.MainContext.default()
        deadline = GLib.get_monotonic_time() + 20 * GLib.USEC_PER_SEC
        while not predicate() and GLib.get_monotonic_time() < deadline:
            context.iteration(False) or GLib.usleep(10000)
        self.assertTrue(predicate())

    def test_read_state_sync(self):
        self.start_mock()
        client = Ota.Client.new()
        self.assertTrue(client.connect_sync(None))
        self.assertTrue(client.props.connected)
        self.assertEqual(client.get_state(), Ota.State.PENDING_REBOOT)
        self.assertEqual(client.props.state, Ota.State.PENDING_REBOOT)
        self.assertEqual(Ota.State.to_string(client.props.state), 'pending-reboot')
        self.assertEqual(client.props.daemon_version, 1)
        self.assertEqual(client.props.last_check_time, 1767225600)
        self.assertEqual(client.props.error_name, '')

        booted = client.get_booted_deployment()
        self.assertIsInstance(booted, Ota.Deployment)
        for key, value in otad_mock.BOOTED.items():
            self.assertEqual(booted.get_property(key), value, key)
        self.assertEqual(client.props.rollback_deployment.get_checksum(), '2' * 64)
        self.assertTrue(client.props.rollback_deployment.props.pinned)
        self.assertEqual(client.props.pending_deployment.props.checksum, '3' * 64)
        self.assertTrue(client.props.pending_deployment.get_staged())

    def test_async_and_notify(self):
        self.start_mock()
        client = Ota.Client.new_for_bus_address(self.bus_address)
        results = []
        client.connect_async(None, lambda c, res: results.append(c.connect_finish(res)))
        self.run_until(lambda: results)
        self.assertEqual(results, [True])

        # GObject's own connect() is not shadowed by the library
        states = []
        client.connect('notify::state', lambda c, pspec: states.append(c.props.state))
        self.mock_call('SetState', 'downloading', '', '')
        self.run_until(lambda: states)
        self.assertEqual(states[-1], Ota.State.DOWNLOADING)

        pending = []
        client.connect('notify::pending-deployment',
                       lambda c, pspec: pending.append(c.props.pending_deployment))
        self.mock_call('SetDeployment', 'pending', dbus.Dictionary({}, signature='sv'))
        self.run_until(lambda: pending)
        self.assertIsNone(pending[-1])

    def test_check_and_history(self):
        params = dict(otad_mock.PARAMS, State='idle', PendingDeployment={})
        self.start_mock(params)
        offer = dbus.Dictionary({'name': 'demo-2.0', 'version': '2.0', 'checksum': 'c' * 64,
                                 'download-size': dbus.UInt64(4000),
                                 'correlation-id': 'urn:campaign:7'}, signature='sv')
        self.mock_call('SetOffer', offer)
        client = Ota.Client.new()
        self.assertTrue(client.connect_sync(None))
        self.assertIsNone(client.props.update_info)

        # notifications connected before the call, as the documentation asks
        states = []
        client.connect('notify::state', lambda c, pspec: states.append(c.props.state))
        results = []
        client.check_async(Ota.ClientFlags.NONE, None,
                           lambda c, res: results.append(c.check_finish(res)))
        self.run_until(lambda: results and client.props.state == Ota.State.UPDATE_AVAILABLE)
        self.assertEqual(results, [True])
        self.assertEqual(states[0], Ota.State.CHECKING)
        info = client.props.update_info
        self.assertIsInstance(info, Ota.UpdateInfo)
        self.assertEqual(info.get_name(), 'demo-2.0')
        self.assertEqual(info.props.checksum, 'c' * 64)
        self.assertEqual(info.props.download_size, 4000)
        self.assertEqual(info.get_correlation_id(), 'urn:campaign:7')

        # install, then the history has it
        self.assertTrue(client.install_sync(Ota.ClientFlags.INTERACTIVE, None))
        self.run_until(lambda: client.props.state == Ota.State.PENDING_REBOOT)
        history = client.get_history_sync(Ota.ClientFlags.NONE, None)
        self.assertEqual(len(history), 1)
        self.assertIsInstance(history[0], Ota.HistoryEntry)
        self.assertEqual(history[0].get_action(), 'install')
        self.assertTrue(history[0].props.success)
        self.assertEqual(history[0].props.commit, 'c' * 64)
        self.assertEqual(history[0].props.correlation_id, 'urn:campaign:7')
        got = []
        client.get_history_async(Ota.ClientFlags.NONE, None,
                                 lambda c, res: got.append(c.get_history_finish(res)))
        self.run_until(lambda: got)
        self.assertEqual([e.props.action for e in got[0]], ['install'])

    def test_history_filters_and_inhibit(self):
        params = dict(otad_mock.PARAMS, State='idle', PendingDeployment={}, Version=4)
        self.start_mock(params)
        entries = [
            {'time': dbus.UInt64(1767229200), 'action': 'download', 'result': 'failed',
             'success': False, 'name': 'demo-2.0', 'offer-id': 'o' * 64,
             'error-name': 'org.otad.Updater1.Error.Network', 'error-message': 'no route'},
            {'time': dbus.UInt64(1767225600), 'action': 'check', 'result': 'succeeded',
             'success': True},
        ]
        self.mock_call('SetHistory', dbus.Array(entries, signature='a{sv}'))
        client = Ota.Client.new()
        self.assertTrue(client.connect_sync(None))
        history = client.get_history_filtered_sync(1, 0, Ota.ClientFlags.NONE, None)
        self.assertEqual([e.props.action for e in history], ['download'])
        self.assertEqual(history[0].get_result(), 'failed')
        self.assertEqual(history[0].get_name(), 'demo-2.0')
        self.assertEqual(history[0].get_offer_id(), 'o' * 64)
        self.assertEqual(history[0].get_error_name(), 'org.otad.Updater1.Error.Network')
        self.assertEqual(history[0].props.error_message, 'no route')
        history = client.get_history_filtered_sync(0, 1767229200, Ota.ClientFlags.NONE, None)
        self.assertEqual(len(history), 1)
        self.assertEqual(len(client.get_history_sync(Ota.ClientFlags.NONE, None)), 2)

        ok, handle = client.inhibit_sync('demo', Ota.ClientFlags.NONE, None)
        self.assertTrue(ok)
        self.assertNotEqual(handle, 0)
        self.assertTrue(client.uninhibit_sync(handle, None))
        with self.assertRaises(GLib.Error) as caught:
            client.uninhibit_sync(handle, None)
        self.assertTrue(caught.exception.matches(Ota.error_quark(), Ota.Error.NOT_FOUND))

    def test_jobs_finish_at_their_end(self):
        # interface version 4: each call finishes with JobFinished, not with the reply
        self.start_mock(dict(otad_mock.PARAMS, State='idle', PendingDeployment={}, Version=4))
        offer = dbus.Dictionary({'name': 'demo-2.0', 'version': '2.0', 'checksum': 'c' * 64,
                                 'download-size': dbus.UInt64(4000)}, signature='sv')
        self.mock_call('SetOffer', offer)
        self.mock_call('SetStepTiming', dbus.UInt32(4), dbus.UInt32(100))
        client = Ota.Client.new()
        self.assertTrue(client.connect_sync(None))
        results = []

        def done(c, res, finish):
            try:
                results.append((finish(res), c.props.state))
            except GLib.Error as e:
                results.append((e, c.props.state))

        client.check_async(Ota.ClientFlags.NONE, None, lambda c, r: done(c, r, c.check_finish))
        self.run_until(lambda: results)
        self.assertEqual(results.pop(), (True, Ota.State.UPDATE_AVAILABLE))

        # the job's failure is the call's error
        self.mock_call('SetJobError', 'Download', 'NoSpace', 'need 4000 bytes, 10 free')
        with self.assertRaises(GLib.Error) as caught:
            client.download_sync(Ota.ClientFlags.NONE, None)
        self.assertTrue(caught.exception.matches(Ota.error_quark(), Ota.Error.NO_SPACE))
        self.assertEqual(caught.exception.message, 'need 4000 bytes, 10 free')

        # cancelling the wait stops waiting, not the job
        self.mock_call('SetState', 'update-available', '', '')
        self.mock_call('SetStepTiming', dbus.UInt32(4), dbus.UInt32(600000))
        cancellable = Gio.Cancellable()
        client.download_async(Ota.ClientFlags.NONE, cancellable,
                              lambda c, r: done(c, r, c.download_finish))
        self.run_until(lambda: client.props.state == Ota.State.DOWNLOADING)
        cancellable.cancel()
        self.run_until(lambda: results)
        error, state = results.pop()
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), error)
        self.assertEqual(state, Ota.State.DOWNLOADING)

        # Cancel ends the job: a call that waits finishes with CANCELLED
        self.assertTrue(client.cancel_sync(Ota.ClientFlags.NONE, None))
        self.run_until(lambda: client.props.state == Ota.State.UPDATE_AVAILABLE)
        client.download_async(Ota.ClientFlags.NONE, None,
                              lambda c, r: done(c, r, c.download_finish))
        self.run_until(lambda: client.props.state == Ota.State.DOWNLOADING)
        self.assertTrue(client.cancel_sync(Ota.ClientFlags.NONE, None))
        self.run_until(lambda: results)
        error, state = results.pop()
        self.assertTrue(error.matches(Ota.error_quark(), Ota.Error.CANCELLED), error)

        # otad gone mid-job: the wait ends instead of hanging
        self.run_until(lambda: client.props.state == Ota.State.UPDATE_AVAILABLE)
        client.download_async(Ota.ClientFlags.NONE, None,
                              lambda c, r: done(c, r, c.download_finish))
        self.run_until(lambda: client.props.state == Ota.State.DOWNLOADING)
        self.stop_mock()
        self.run_until(lambda: results)
        error, state = results.pop()
        self.assertTrue(error.matches(Ota.error_quark(), Ota.Error.NOT_SUPPORTED), error)
        self.assertIn('left the bus', error.message)

    def test_wrong_state_error(self):
        self.start_mock(dict(otad_mock.PARAMS, State='idle', PendingDeployment={}))
        client = Ota.Client.new()
        self.assertTrue(client.connect_sync(None))
        with self.assertRaises(GLib.Error) as ctx:
            client.download_sync(Ota.ClientFlags.NONE, None)
        self.assertTrue(ctx.exception.matches(Ota.error_quark(), Ota.Error.WRONG_STATE),
                        ctx.exception)
        self.assertEqual(ctx.exception.message, "Can't call Download() while in state idle")

    def test_not_running(self):
        client = Ota.Client.new()
        with self.assertRaises(GLib.Error) as ctx:
            client.connect_sync(None)
        self.assertTrue(ctx.exception.matches(Ota.error_quark(), Ota.Error.NOT_SUPPORTED),
                        ctx.exception)
        self.assertIn('not running', ctx.exception.message)
        self.assertFalse(client.props.connected)
        self.assertIsNone(client.props.booted_deployment)


if __name__ == '__main__':
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
