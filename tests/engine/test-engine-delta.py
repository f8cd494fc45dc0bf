#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A static-delta update through otad: the server has a delta from the booted A to B.

Install fetches the delta's superblock once (issue 13: the space check and the pull each
asked for it), applies the delta's parts and fetches no file object; B is deployed.
Counted at the test server's request log."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest  # noqa: E402


def requests(log, suffix, under='/treehub/'):
    return [e for e in log
            if e.get('path', '').startswith(under) and e['path'].endswith(suffix)]


class DeltaUpdate(enginetest.UpdateTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        A, B = cls.device.commits['A'], cls.device.commits['B']
        otadtest.run(['ostree', f'--repo={cls.device.treehub}', 'static-delta', 'generate',
                      f'--from={A}', f'--to={B}'])

    def test_superblock_fetched_once(self):
        B = self.device.commits['B']
        daemon, client = self.start_otad('A', name='delta')
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('update-available', daemon=daemon)
        self.assertEqual(props['UpdateInfo']['checksum'], B)
        # the check sized the offer from the superblock (once); the download starts afresh
        self.assertEqual(len(requests(self.server.log(), '/superblock')), 1)
        self.server.control('/reset-log')

        _, err = client.call('Install')
        self.assertIsNone(err)
        props = client.wait_state(('pending-reboot', 'error'), daemon=daemon)
        self.assertEqual(props['State'], 'pending-reboot', props['ErrorMessage'])
        self.assertEqual(props['PendingDeployment']['checksum'], B)
        log = self.server.log()
        superblocks = requests(log, '/superblock')
        self.assertEqual(len(superblocks), 1, [e['path'] for e in superblocks])
        # the update came from the delta: its part, no file object
        parts = [e for e in log if e.get('path', '').startswith('/treehub/deltas/')
                 and not e['path'].endswith('/superblock')]
        self.assertTrue(parts, [e.get('path') for e in log])
        self.assertEqual(requests(log, '.filez'), [])
        self.assertEqual(daemon.stop(), 0)


if __name__ == '__main__':
    unittest.main(verbosity=2)
