#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A full (or failing) state disk: every write into otad's state directory fails with
ENOSPC (EIO) while a flag file exists (tests/crash/otad-fault-shim.c), as a full
/var would make it fail.

- Idle: Check() fails at once with NoSpace and a message naming the state file; the
  state stays idle.  Once space returns, Check() works without a restart.
- EIO instead: Check() fails with Failed, naming the file.
- Confirming after the reboot into B: D-Bus shows error/NoSpace naming the file, and
  once space returns the confirmation completes by itself, without a restart: B is
  marked good (upgrade_available=0) and its InstallationCompleted reaches the server
  once."""

import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashtest  # noqa: E402
from crashtest import enginetest, otadtest, Run, World, SLOW  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

# the confirmation retries after 3, 6, 12 ... s: space back within this is plenty
RECOVER_TIMEOUT = 60 * SLOW


def call_with_message(r, method):
    """(short error name, message) of a method call, or (None, None)"""
    try:
        r.client.conn.call_sync(otadtest.BUS_NAME, otadtest.OBJECT_PATH, otadtest.INTERFACE,
                                method, GLib.Variant('(a{sv})', ({},)), None,
                                Gio.DBusCallFlags.NONE, 60000 * SLOW, None)
        return None, None
    except GLib.Error as e:
        name = Gio.DBusError.get_remote_error(e) or ''
        Gio.DBusError.strip_remote_error(e)
        return name.rsplit('.', 1)[-1], e.message


class DiskFaults(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        otadtest.env_path('OTAD_TEST_FAULT_SHIM')
        cls.topdir = tempfile.mkdtemp(prefix='otad-disk-faults-')
        try:
            cls.world = World(cls.topdir).start()
        except BaseException:
            otadtest.remove_tree(cls.topdir)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.world.stop()
        if os.environ.get('OTAD_TEST_KEEP'):
            print(f'# kept {cls.topdir}')
        else:
            otadtest.remove_tree(cls.topdir)

    def run_for(self, name):
        r = Run(self.world, name)
        self.addCleanup(r.close)
        self.world.server.control('/reset-log')
        self.full = os.path.join(r.dir, 'disk-full')
        return r

    def check_refused(self, errno_name, error_name):
        r = self.run_for('idle-' + errno_name)
        r.start('A', {'OTAD_FAULT_ENOSPC': self.full, 'OTAD_FAULT_ERRNO': errno_name},
                name='idle')
        self.assertEqual(r.props()['State'], 'idle')
        otadtest.write_file(self.full, '')
        time.sleep(1.2)  # the library looks at the flag once a second
        t0 = time.monotonic()
        name, message = call_with_message(r, 'Check')
        elapsed = time.monotonic() - t0
        self.assertEqual(name, error_name, message)
        self.assertIn(os.path.join(r.state_dir, 'state.json'), message)
        self.assertLess(elapsed, 10 * SLOW)
        props = r.props()
        self.assertEqual(props['State'], 'idle')
        refused = message
        # space returns: the next Check() works, no restart
        os.unlink(self.full)
        time.sleep(1.2)
        name, message = call_with_message(r, 'Check')
        self.assertIsNone(name, message)
        props = r.wait(('update-available', 'error'))
        self.assertEqual(props['State'], 'update-available', r.log_text())
        print(f'# {errno_name}: Check() refused in {elapsed:.2f} s: {refused}')

    def test_idle_no_space(self):
        self.check_refused('ENOSPC', 'NoSpace')

    def test_idle_io_error(self):
        self.check_refused('EIO', 'Failed')

    def test_full_while_confirming(self):
        r = self.run_for('confirm')
        r.start('A', name='install')
        self.assertTrue(r.drive_install())
        r.stop()
        otadtest.write_file(self.full, '')
        r.start('B', {'OTAD_FAULT_ENOSPC': self.full}, name='confirm')
        props = r.wait(('error',), timeout=RECOVER_TIMEOUT)
        self.assertEqual(props['ErrorName'], 'org.otad.Updater1.Error.NoSpace', r.log_text())
        self.assertIn(r.state_dir, props['ErrorMessage'])
        self.assertEqual(r.device.fw_printenv('upgrade_available'), '1')
        print(f'# while full: {props["State"]}: {props["ErrorMessage"]}')
        # it stays an error while the disk is full, never a silent pending-reboot
        time.sleep(4)
        props = r.props()
        self.assertEqual(props['State'], 'error', r.log_text())
        t0 = time.monotonic()
        os.unlink(self.full)
        props = r.wait(('idle',), timeout=RECOVER_TIMEOUT)
        print(f'# confirmed {time.monotonic() - t0:.1f} s after space returned')
        self.assertEqual(props['ErrorName'], '')
        self.assertEqual(r.device.fw_printenv('upgrade_available'), '0')
        self.assertEqual(r.device.default().checksum, r.device.commits['B'])
        completed = enginetest.events(self.world.server.log(), 'EcuInstallationCompleted')
        self.assertEqual(len({e['id'] for e in completed}), 1, completed)
        self.assertIs(completed[-1]['event']['success'], True)
        history, err = r.client.call('GetHistory', signature='(aa{sv})')
        self.assertIsNone(err)
        self.assertEqual(history[0][0]['action'], 'confirm')
        # and what memory held while the disk was full is on disk now
        r.stop()
        r.start('B', name='after')
        self.assertEqual(r.props()['State'], 'idle')


if __name__ == '__main__':
    otadtest.main()
