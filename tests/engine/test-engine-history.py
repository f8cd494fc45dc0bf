#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""GetHistory as a log (history.db, SQLite), through otad on a private bus.

- Install → "reboot" → confirm: check, download, install and confirm each once, right
  and in order; the install entry stays after the confirmation; limit and since
  filter; unknown options are refused.
- A failed health check: the failure is the newest entry (never "install succeeded"),
  then the old deployment back; a successful manual rollback reads succeeded.
- A failed download appears with its error name and message.
- Crash safety: otad killed with SIGKILL leaves a WAL behind, torn at its end: the
  next otad reads every committed entry; a corrupt history.db is moved aside with a
  warning and the log starts again, otad never in error; max-entries bounds it."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest  # noqa: E402
from enginetest import CAMPAIGN, TARGET, UpdateTestCase  # noqa: E402

from gi.repository import GLib  # noqa: E402

PREFIX = enginetest.ERROR_PREFIX


def history(client, **options):
    variants = {k: GLib.Variant('u' if k == 'limit' else 't', v) for k, v in options.items()}
    reply, err = client.call('GetHistory', GLib.Variant('(a{sv})', (variants,)),
                             signature='(aa{sv})')
    if err:
        raise AssertionError(f'GetHistory: {err}')
    return reply[0]


def actions(entries):
    return [e['action'] for e in entries]


class InstallConfirm(UpdateTestCase):

    def assert_offer(self, entry):
        self.assertEqual(entry['commit'], self.device.commits['B'], entry)
        self.assertEqual(entry['version'], '2.0', entry)
        self.assertEqual(entry['correlation-id'], CAMPAIGN, entry)
        self.assertEqual(entry['result'], 'succeeded', entry)
        self.assertIs(entry['success'], True, entry)
        self.assertEqual(entry['error-name'], '', entry)

    def test_install_reboot_confirm(self):
        t0 = int(time.time())
        daemon, client = self.start_otad('A', name='install')
        self.assertEqual(history(client), [])
        self.check_and_install(daemon, client)
        entries = history(client)
        self.assertEqual(actions(entries), ['install', 'download', 'check'])
        for e in entries:
            self.assert_offer(e)
            self.assertGreaterEqual(e['time'], t0)
        self.assertEqual(entries[0]['name'], TARGET)
        self.assertEqual(daemon.stop(), 0)

        daemon, client = self.start_otad('B', name='confirm')
        client.wait_state('idle', daemon=daemon)
        entries = history(client)
        # each once, and the install entry is still there once confirmed
        self.assertEqual(actions(entries), ['confirm', 'install', 'download', 'check'])
        for e in entries:
            self.assert_offer(e)
        ids = [e['id'] for e in entries]
        self.assertEqual(ids, sorted(ids, reverse=True))

        # limit and since
        self.assertEqual(actions(history(client, limit=2)), ['confirm', 'install'])
        self.assertEqual(len(history(client, limit=0)), 4)
        self.assertEqual(history(client, since=entries[0]['time'] + 1), [])
        self.assertEqual(len(history(client, since=entries[-1]['time'])), 4)
        self.assertEqual(actions(history(client, since=entries[0]['time'], limit=1)),
                         ['confirm'])
        for bad in ({'bogus': GLib.Variant('u', 1)}, {'limit': GLib.Variant('t', 1)},
                    {'since': GLib.Variant('u', 1)}):
            _, err = client.call('GetHistory', GLib.Variant('(a{sv})', (bad,)))
            self.assertEqual(err, 'InvalidArgument', bad)


class HealthCheckFails(UpdateTestCase):

    def test_failure_shown(self):
        B = self.device.commits['B']
        daemon, client = self.start_otad('A', name='install')
        self.check_and_install(daemon, client)
        self.assertEqual(daemon.stop(), 0)

        daemon, client = self.start_otad('B', health='fail', name='confirm')
        client.wait_state('rolled-back', daemon=daemon)
        entries = history(client)
        self.assertEqual(actions(entries), ['health-check-failed', 'install', 'download',
                                            'check'])
        failed = entries[0]
        self.assertEqual(failed['result'], 'failed')
        self.assertIs(failed['success'], False)
        self.assertEqual(failed['commit'], B)
        self.assertEqual(failed['error-name'], PREFIX + 'HealthCheck')
        self.assertTrue(failed['error-message'])
        self.assertEqual(daemon.stop(), 0)

        # back in A: the old deployment runs again
        daemon, client = self.start_otad('A', name='after')
        client.wait_state('rolled-back', daemon=daemon)
        entries = history(client)
        self.assertEqual(actions(entries)[:2], ['rollback', 'health-check-failed'])
        self.assertEqual(entries[0]['result'], 'succeeded')
        self.assertEqual(actions(entries).count('health-check-failed'), 1)


class DownloadFailsThenRollback(UpdateTestCase):

    def test_failed_download_and_manual_rollback(self):
        daemon, client = self.start_otad('A', name='d')
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        self.server.control('/misbehave', {'prefix': '/treehub/', 'mode': 'status',
                                           'status': 403, 'count': -1})
        try:
            _, err = client.call('Download')
            self.assertIsNone(err)
            props = client.wait_state('error', daemon=daemon)
        finally:
            self.server.control('/clear')
        entries = history(client)
        self.assertEqual(actions(entries), ['download', 'check'])
        failed = entries[0]
        self.assertEqual(failed['result'], 'failed')
        self.assertEqual(failed['error-name'], props['ErrorName'])
        self.assertEqual(failed['error-message'], props['ErrorMessage'])
        self.assertEqual(failed['commit'], self.device.commits['B'])

        # it works the next time; then a manual rollback drops it and reads succeeded
        self.check_and_install(daemon, client)
        _, err = client.call('Rollback')
        self.assertIsNone(err)
        client.wait_state('idle', daemon=daemon)
        entries = history(client)
        self.assertEqual(actions(entries)[:3], ['rollback', 'install', 'download'])
        self.assertEqual(entries[0]['result'], 'succeeded')
        self.assertEqual(entries[0]['commit'], self.device.commits['B'])


class CrashSafety(UpdateTestCase):

    def db(self, daemon, suffix=''):
        return os.path.join(daemon.state_dir, 'history.db' + suffix)

    def config(self, extra=''):
        return self.device.config(self.server, self.device.health_pass, extra)

    def check(self, daemon, client):
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        # the entry follows the state on the main loop: one more round trip
        client.props()

    def test_a_killed_with_a_torn_wal(self):
        daemon, client = self.start_otad('A', name='kill')
        for _ in range(3):
            self.check(daemon, client)
        self.assertEqual(len(history(client)), 3)
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait(timeout=30)
        daemon.stop()
        wal = self.db(daemon, '-wal')
        self.assertTrue(os.path.exists(wal), 'SQLite left no WAL after SIGKILL')
        # a frame cut short at the end, as a crash mid-write leaves it
        with open(wal, 'ab') as f:
            f.write(os.urandom(3000))
        daemon, client = self.start_otad('A', name='after-kill')
        entries = history(client)
        self.assertEqual(actions(entries), ['check'] * 3)
        self.check(daemon, client)
        self.assertEqual(len(history(client)), 4)
        self.assertNotIn('unreadable', daemon.logs())

    def test_b_corrupt_file_moved_aside(self):
        daemon, client = self.start_otad('A', name='before-corrupt')
        self.check(daemon, client)
        self.assertEqual(daemon.stop(), 0)
        for suffix in ('-wal', '-shm'):
            if os.path.exists(self.db(daemon, suffix)):
                os.unlink(self.db(daemon, suffix))
        with open(self.db(daemon), 'wb') as f:
            f.write(b'this is no SQLite database\n' * 300)
        daemon, client = self.start_otad('A', name='corrupt')
        props = client.props()
        self.assertNotEqual(props['State'], 'error', daemon.logs())
        self.assertEqual(history(client), [])
        self.assertIn('history.db is unreadable', daemon.logs())
        self.assertTrue(os.path.exists(self.db(daemon, '.corrupt')))
        self.check(daemon, client)
        self.assertEqual(actions(history(client)), ['check'])
        self.assertEqual(os.stat(self.db(daemon)).st_mode & 0o777, 0o600)

    def test_c_bounded(self):
        daemon, client = self.start_otad('A', name='bounded',
                                         config=self.config('[history]\nmax-entries=3\n'))
        for _ in range(5):
            self.check(daemon, client)
        entries = history(client)
        self.assertEqual(len(entries), 3)
        self.assertEqual(actions(entries), ['check'] * 3)
        ids = [e['id'] for e in entries]
        self.assertEqual(ids, sorted(ids, reverse=True))


if __name__ == '__main__':
    otadtest.main()
