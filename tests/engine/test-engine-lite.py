#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""aktualizr-lite's flow through the daemon: the Image repository alone, over the same
mutual-TLS gateway, no Director.  The newest target (custom.version compared as
aktualizr-lite compares it) whose hardwareIds hold the device's and whose tags meet the
configured tag wins: a newer one for another tag and one for other hardware are passed
over.  The tag comes from aktualizr-lite's own [pacman] tags (via [aktualizr] config);
otad.conf says mode=lite.  Not one request goes to the Director."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, HWID, UpdateTestCase  # noqa: E402


class Lite(UpdateTestCase):

    def test_lite_update_by_hardware_and_tag(self):
        B = self.device.commits['B']
        other = 'f' * 64
        self.server.control('/targets', {'repo': [
            {'name': 'otadtest-lmp-20', 'sha256': B, 'length': 0,
             'custom': {'name': 'otadtest-lmp', 'version': '20', 'hardwareIds': [HWID],
                        'tags': ['main'], 'targetFormat': 'OSTREE'}},
            {'name': 'otadtest-lmp-21', 'sha256': other, 'length': 0,
             'custom': {'name': 'otadtest-lmp', 'version': '21', 'hardwareIds': [HWID],
                        'tags': ['beta'], 'targetFormat': 'OSTREE'}},
            {'name': 'other-board-99', 'sha256': other, 'length': 0,
             'custom': {'name': 'other-board', 'version': '99', 'hardwareIds': ['other'],
                        'tags': ['main'], 'targetFormat': 'OSTREE'}},
            {'name': 'otadtest-lmp-9', 'sha256': other, 'length': 0,
             'custom': {'name': 'otadtest-lmp', 'version': '9', 'hardwareIds': [HWID],
                        'tags': ['main'], 'targetFormat': 'OSTREE'}}]})
        toml = os.path.join(self.topdir, 'lite', 'z-50-fioctl.toml')
        otadtest.write_file(toml, '[pacman]\ntags = "main"\n')
        config = self.device.config(self.server, self.device.health_pass).replace(
            '[server]\n', '[server]\nmode=lite\n') + f'[aktualizr]\nconfig={toml}\n'
        self.server.control('/reset-log')
        daemon, client = self.start_otad('A', name='lite', config=config)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('update-available', 'error', 'idle'), daemon=daemon)
        self.assertEqual(props['State'], 'update-available', props['ErrorMessage'])
        self.assertEqual(props['UpdateInfo']['name'], 'otadtest-lmp-20')
        self.assertEqual(props['UpdateInfo']['version'], '20')
        self.assertEqual(props['UpdateInfo']['checksum'], B)
        _, err = client.call('Install')
        self.assertIsNone(err)
        client.wait_state('pending-reboot', daemon=daemon)
        self.assert_slots('B', 'A')
        self.assertEqual(daemon.stop(), 0)

        log = self.server.log()
        requests = [e for e in log if 'method' in e]
        self.assertEqual([e['path'] for e in requests if e['path'].startswith('/director/')],
                         [])
        self.assertTrue(any(e['path'] == '/repo/targets.json' for e in requests))
        self.assertTrue(any(e['path'].startswith('/treehub/') for e in requests))
        self.assertEqual({e.get('cn') for e in requests}, {'device-1'})
        self.assertEqual([e for e in log if 'tls_error' in e], [])


if __name__ == '__main__':
    otadtest.main()
