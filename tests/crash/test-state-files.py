#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""otad's own files never trap it and are never written through a planted symlink.

- A symlink planted at every state file's temporary name (and at the state files
  themselves) is never followed: a whole update runs, the files the links point at
  stay as they were, and every state file ends up a regular file of otad's, 0600.
- Every state file cut to 0 bytes (a power cut after the rename, before the data
  reached the disk) while an install waits for its reboot: otad starts without a
  critical, moves each aside with a warning, rebuilds the pending install from the
  sysroot and the bootloader, and the update is confirmed after the reboot; every
  event reaches the server under one id although the ledger of ids was lost.
- The same with the device already rebooted into B: the rebuilt record finds B on
  an armed trial boot, runs the health checks and confirms it.
- Every state file whose members have the wrong JSON type (a number where a string
  belongs, an array for an object, a string for the whole file) is treated as corrupt
  the same way: moved aside, rebuilt, no critical."""

import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashtest  # noqa: E402
from crashtest import enginetest, otadtest, Run, World  # noqa: E402

# the files otad keeps in its state directory, private to root
PRIVATE = ('state.json', 'boot-record.json', 'report-events.json', 'report-counter',
           'ecu.key')
# trusted metadata, written by the TUF layer
TUF = ('tuf/director/root.json', 'tuf/director/targets.json', 'tuf/repo/root.json',
       'tuf/repo/timestamp.json', 'tuf/repo/snapshot.json', 'tuf/repo/targets.json')
QUEUE = tuple(f'report-queue/{n:020d}.json' for n in range(1, 11))
# the hashes of what was last sent to /system_info and /core/installed: a link at the
# final name is not read (O_NOFOLLOW) and is replaced by a file of otad's
REPORTED = ('reported/hardware_info', 'reported/network_info')


class StateFiles(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        otadtest.env_path('OTAD_TEST_FAULT_SHIM')
        cls.topdir = tempfile.mkdtemp(prefix='otad-state-files-')
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
        return r

    def confirm(self, r):
        r.start('B', name='confirm')
        self.assertTrue(r.drive_confirm())
        props = r.props()
        self.assertEqual(props['State'], 'idle', r.log_text())
        self.assertEqual(props['ErrorName'], '')
        self.assertEqual(r.device.default().checksum, r.device.commits['B'])
        self.assertEqual(r.device.fw_printenv('upgrade_available'), '0')
        completed = [e for e in enginetest.events(self.world.server.log(),
                                                  'EcuInstallationCompleted')]
        self.assertEqual(len({e['id'] for e in completed}), 1, completed)

    def assert_each_event_once(self, r):
        """every event of the update reached the server, each under one id"""
        ids = r.event_ids()
        for t in crashtest.EVENT_TYPES:
            self.assertIn(t, {key[0] for key in ids}, f'{t} lost: {ids}')
        for key, found in ids.items():
            self.assertEqual(len(found), 1, f'{key}: {len(found)} ids at the server')

    def test_symlinks_never_followed(self):
        r = self.run_for('symlinks')
        outside = os.path.join(r.dir, 'outside')
        os.makedirs(outside)
        planted = {}
        for name in PRIVATE + TUF + QUEUE + REPORTED + ('reboot-requested',):
            for suffix in ('.tmp', '') if name in PRIVATE + REPORTED else ('.tmp',):
                link = os.path.join(r.state_dir, name + suffix)
                target = os.path.join(outside, name.replace('/', '_') + suffix)
                otadtest.write_file(target, 'outside\n')
                os.chmod(target, 0o644)
                os.makedirs(os.path.dirname(link), mode=0o700, exist_ok=True)
                os.symlink(target, link)
                planted[link] = target
        r.start('A', name='install')
        self.assertTrue(r.drive_install())
        r.stop()
        self.confirm(r)
        r.stop()

        for link, target in planted.items():
            with open(target, encoding='utf-8') as f:
                self.assertEqual(f.read(), 'outside\n', f'{link} was followed')
            self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o644, target)
        for name in PRIVATE + TUF + QUEUE[:2] + REPORTED:
            path = os.path.join(r.state_dir, name)
            if name.startswith('report-queue/'):
                continue  # delivered and removed
            st = os.lstat(path)
            self.assertTrue(stat.S_ISREG(st.st_mode), f'{name} is not a regular file')
            if name in PRIVATE + REPORTED:
                self.assertEqual(stat.S_IMODE(st.st_mode), 0o600, name)
        # the links at the final names were moved aside, never read
        for name in PRIVATE:
            aside = os.path.join(r.state_dir, name + '.corrupt')
            self.assertTrue(os.path.islink(aside), f'{name}: {aside}')
        print(f'# {len(planted)} planted symlinks, none followed')

    def cut_files(self, r, names):
        for name in names:
            path = os.path.join(r.state_dir, name)
            self.assertTrue(os.path.exists(path), name)
            os.truncate(path, 0)
        # an event item cut to nothing as well
        open(os.path.join(r.state_dir, 'report-queue', f'{99:020d}.json'), 'w').close()

    def test_zero_length_while_pending(self):
        r = self.run_for('zero-pending')
        r.start('A', name='install')
        self.assertTrue(r.drive_install())
        r.stop()
        self.cut_files(r, PRIVATE + TUF)
        # otad runs with G_DEBUG=fatal-criticals: a critical would kill it
        r.start('A', name='restart')
        props = r.settle()
        self.assertEqual(props['State'], 'pending-reboot', r.log_text())
        self.assertEqual(props['ErrorName'], '')
        self.assertEqual(props['PendingDeployment']['checksum'], r.device.commits['B'])
        self.assertEqual(r.device.fw_printenv('upgrade_available'), '1')
        history, err = r.client.call('GetHistory', signature='(aa{sv})')
        self.assertIsNone(err)
        self.assertEqual(history[0][0]['action'], 'install')
        self.assertEqual(history[0][0]['commit'], r.device.commits['B'])
        logs = r.log_text()
        self.assertNotIn('CRITICAL', logs)
        for name in ('state.json', 'boot-record.json', 'ecu.key'):
            self.assertIn(f'{name} is unreadable', logs)
            self.assertTrue(os.path.exists(os.path.join(r.state_dir, name + '.corrupt')))
        # a check works again: the trusted roots came back from the provisioned ones
        _, err = r.client.call('Check')
        self.assertEqual(err, 'WrongState')
        r.stop()
        self.confirm(r)
        # the ledger of event ids was lost with the rest: the confirmation sends the
        # install's events again in case a kill took them, under the ids they had
        self.assertTrue(os.path.exists(os.path.join(r.state_dir, 'report-events.json.corrupt')))
        self.assert_each_event_once(r)
        _, err = r.client.call('Check')
        self.assertIsNone(err)
        props = r.wait(('idle', 'update-available', 'error'))
        self.assertEqual(props['State'], 'idle', r.log_text())

    def test_zero_length_after_reboot(self):
        r = self.run_for('zero-rebooted')
        r.start('A', name='install')
        self.assertTrue(r.drive_install())
        r.stop()
        self.cut_files(r, ('boot-record.json', 'state.json'))
        # booted into B on its trial boot: the rebuilt record sends it to the checks
        self.confirm(r)
        history, err = r.client.call('GetHistory', signature='(aa{sv})')
        self.assertIsNone(err)
        self.assertEqual(history[0][0]['action'], 'confirm')
        self.assertIs(history[0][0]['success'], True)

    # members of the wrong JSON type, per reader: valid JSON, wrong shape
    WRONG_TYPES = {
        'state.json': '{"version": "1", "state": 5, "last-check-time": "x", '
                      '"error-name": [], "installed-target": {}}',
        # the pending install's commit is right: the array is what is wrong
        'boot-record.json': '{"version": 1, "pending": {"commit": "@B@", "phase": '
                            '"installed", "installed-at": [], "reboot-requests": {}}}',
        'report-events.json': '{"version": 1, "updates": [{"key": "k", "attempt": [], '
                              '"events": {}}]}',
        'tuf/director/root.json': '{"signed": [], "signatures": {}}',
        'tuf/repo/timestamp.json': '{"signed": {"_type": 5, "version": "5", '
                                   '"expires": 7, "meta": []}, "signatures": "x"}',
        'tuf/director/targets.json': '[1, 2, 3]',
    }

    def test_wrong_json_types(self):
        r = self.run_for('wrong-types')
        r.start('A', name='install')
        self.assertTrue(r.drive_install())
        r.stop()
        for name, text in self.WRONG_TYPES.items():
            path = os.path.join(r.state_dir, name)
            self.assertTrue(os.path.exists(path), name)
            otadtest.write_file(path, text.replace('@B@', r.device.commits['B']))
        queued = os.path.join(r.state_dir, 'report-queue', f'{98:020d}.json')
        otadtest.write_file(queued, '{"method": 5, "path": ["events"], "body": {}}')
        # G_DEBUG=fatal-criticals: a critical would kill otad here
        r.start('A', name='restart')
        props = r.settle()
        self.assertEqual(props['State'], 'pending-reboot', r.log_text())
        self.assertEqual(props['ErrorName'], '')
        self.assertEqual(props['PendingDeployment']['checksum'], r.device.commits['B'])
        logs = r.log_text()
        self.assertNotIn('CRITICAL', logs)
        for name in ('state.json', 'boot-record.json', 'report-events.json'):
            self.assertTrue(os.path.exists(os.path.join(r.state_dir, name + '.corrupt')),
                            f'{name} was not moved aside: {logs}')
        r.stop()
        # the queue item and the metadata are read when they are used: confirm and check
        self.confirm(r)
        self.assertFalse(os.path.exists(queued))
        _, err = r.client.call('Check')
        self.assertIsNone(err)
        props = r.wait(('idle', 'update-available', 'error'))
        self.assertEqual(props['State'], 'idle', r.log_text())
        self.assertNotIn('CRITICAL', r.log_text())


if __name__ == '__main__':
    otadtest.main()
