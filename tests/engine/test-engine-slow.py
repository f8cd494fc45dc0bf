#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Slow retrieval through otad: a server that sends the Director's targets.json one
byte a second makes the check end with a named error within [server]
transfer-deadline-sec plus the file's size at min-transfer-speed, while otad keeps
answering on D-Bus."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enginetest import otadtest, UpdateTestCase  # noqa: E402

DEADLINE_S = 3
MIN_SPEED = 1024


class SlowRetrieval(UpdateTestCase):

    def test_trickle_ends_in_time(self):
        config = self.device.config(self.server, self.device.health_pass).replace(
            '[server]\n', f'[server]\ntransfer-deadline-sec={DEADLINE_S}\n'
            f'min-transfer-speed={MIN_SPEED}\n', 1)
        daemon, client = self.start_otad('A', name='slow', config=config)
        self.server.control('/misbehave', {'prefix': '/director/targets.json',
                                           'mode': 'trickle', 'seconds': 30, 'count': -1})
        started = time.monotonic()
        _, err = client.call('Check')
        self.assertIsNone(err)
        # the bound: the deadline plus a few KiB at the minimum speed, and slack for a
        # loaded machine; D-Bus answers all along
        bound = DEADLINE_S + 8 + 10 * otadtest.SLOW
        worst = 0.0
        props = client.props()
        while props['State'] == 'checking' and time.monotonic() - started < bound + 5:
            t = time.monotonic()
            props = client.props()
            worst = max(worst, time.monotonic() - t)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        print(f'# check ended after {elapsed:.1f} s ({props["ErrorName"]}: '
              f'{props["ErrorMessage"][:120]}); slowest property read {worst * 1000:.0f} ms')
        self.server.control('/clear')
        self.assertEqual(props['State'], 'error', daemon.logs())
        self.assertLess(elapsed, bound)
        self.assertNotEqual(props['ErrorName'], 'org.otad.Updater1.Error.Failed')
        self.assertIn('slow-retrieval', props['ErrorMessage'])
        self.assertLess(worst, 1.0)
        self.assertEqual(daemon.stop(), 0)


if __name__ == '__main__':
    otadtest.main()
