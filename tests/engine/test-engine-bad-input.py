#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every refusal has a name: what a broken server, a dropped connection or bad
input makes otad refuse ends in a named org.otad.Updater1.Error, never Failed, and
nothing a caller sends is echoed whole (a 1 MiB option name comes back cut)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, UpdateTestCase  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

PREFIX = 'org.otad.Updater1.Error.'

# (what the server does, the method, the error it must end in)
CASES = [
    # metadata larger than the verifier takes (endless data)
    ({'prefix': '/director/targets.json', 'mode': 'oversize', 'size': 80 * 1024 * 1024},
     'Check', 'Verification'),
    # JSON that is not metadata
    ({'prefix': '/director/targets.json', 'mode': 'status', 'status': 200}, 'Check',
     'Verification'),
    ({'prefix': '/repo/timestamp.json', 'mode': 'status', 'status': 200}, 'Check',
     'Verification'),
    # 304 Not Modified to a request that named no copy (no If-None-Match): not a
    # licence to keep the stored metadata
    ({'prefix': '/repo/timestamp.json', 'mode': 'status', 'status': 304}, 'Check',
     'Server'),
    # the connection cut in the middle of a body
    ({'prefix': '/director/targets.json', 'mode': 'truncate', 'bytes': 30}, 'Check',
     'Network'),
    # the connection dropped in the middle of a pull (after six objects)
    ({'prefix': '/treehub/objects/', 'mode': 'drop', 'after': 6}, 'Download', 'Network'),
    # an object that is not one
    ({'prefix': '/treehub/objects/', 'mode': 'status', 'status': 200, 'after': 6},
     'Download', 'Deployment'),
    # 80 MiB of junk for an object: the transport takes a file object up to 8 GiB (an
    # image), libostree refuses the content
    ({'prefix': '/treehub/objects/', 'mode': 'oversize', 'size': 80 * 1024 * 1024},
     'Download', 'Deployment'),
]


class NamedErrors(UpdateTestCase):

    def test_server_faults_are_named(self):
        daemon, client = self.start_otad('A', name='errors')
        for rule, method, expected in CASES:
            self.server.control('/clear')
            if method == 'Download':
                _, err = client.call('Check')
                self.assertIsNone(err)
                client.wait_state(('update-available',), daemon=daemon)
            self.server.control('/misbehave', dict(rule, count=-1))
            _, err = client.call(method)
            self.assertIsNone(err)
            props = client.wait_state(('error', 'update-available', 'idle'), daemon=daemon)
            print(f'# {rule["mode"]} on {rule["prefix"]}: {props["ErrorName"]}: '
                  f'{props["ErrorMessage"][:160]}')
            self.assertEqual(props['State'], 'error')
            self.assertEqual(props['ErrorName'], PREFIX + expected, props['ErrorMessage'])
        self.server.control('/clear')
        self.assertEqual(daemon.stop(), 0)

    def test_huge_option_cut(self):
        """every method with options: a 1 MiB key, and a 1 MiB value of the wrong type
        for a known key, are refused with InvalidArgument in a short reply and no long
        log line"""
        daemon, client = self.start_otad('A', name='option')
        key = 'x' * (1024 * 1024)
        cases = []
        for method in ('Check', 'Download', 'Install', 'Rollback', 'GetHistory', 'Hold'):
            cases.append((method, {key: GLib.Variant('b', True)}, '(1048576 bytes)'))
            cases.append((method, {'interactive': GLib.Variant('s', key)}, 'interactive'))
        for method, options, expected in cases:
            try:
                client.conn.call_sync(otadtest.BUS_NAME, otadtest.OBJECT_PATH,
                                      otadtest.INTERFACE, method,
                                      GLib.Variant('(a{sv})', (options,)),
                                      None, Gio.DBusCallFlags.NONE, 60000, None)
                self.fail(f'{method}: a 1 MiB option was accepted')
            except GLib.Error as e:
                name = Gio.DBusError.get_remote_error(e)
                Gio.DBusError.strip_remote_error(e)
                message = e.message
            # a method the state does not allow says so first; both are named
            self.assertIn(name, (PREFIX + 'InvalidArgument', PREFIX + 'WrongState'),
                          f'{method}: {message[:300]}')
            self.assertLess(len(message), 200, message[:300])
            if name.endswith('InvalidArgument'):
                self.assertIn(expected, message)
        self.assertEqual(daemon.stop(), 0)
        longest = max(len(line) for line in daemon.logs().splitlines())
        print(f'# {len(cases)} calls refused, longest reply under 200 bytes, '
              f'longest log line {longest} bytes')
        self.assertLess(longest, 4096)

if __name__ == '__main__':
    otadtest.main()
