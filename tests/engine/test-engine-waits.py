#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every wait is bounded, through otad on D-Bus.  With [server] timeout-sec=5,
transfer-deadline-sec=3, min-transfer-speed=1024, max-retry-after-sec=5 and
max-retry-time-sec=8, each job ends in the error state with a named error within the
bound the case states:
- objects trickled at 1 byte/s: slow retrieval (Error.Network) once the deadline has
  passed without the minimum average speed: bound 3 + 8 s;
- metadata and objects that stall (no byte for 30 s): the per-read timeout cuts the
  attempt, the deadline refuses another one: bound 5 + 3 + 8 s;
- Retry-After: 3000, and an HTTP date in 2099: more than max-retry-after-sec, the request
  fails at once (Error.Server): bound 8 s;
- Retry-After: 4 on every attempt: each wait is allowed, but the job's waits would pass
  max-retry-time-sec on the third: Error.Server "gave up": bound 8 + 8 s; the same for
  objects, which 8 workers fetch at once (their waits add up in the one budget);
- report endpoints that stall hold an install only for one attempt per flush (the
  download's and the install's), the reports stay queued: bound 3 * 5 + 8 s.
Every bound has 10 s times OTAD_TEST_SLOW more for a loaded machine; D-Bus answers
throughout (property reads under 1 s)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enginetest import otadtest, UpdateTestCase, ERROR_PREFIX  # noqa: E402

TIMEOUT_S = 5
DEADLINE_S = 3
MIN_SPEED = 1024
MAX_RETRY_AFTER_S = 5
MAX_RETRY_TIME_S = 8
SLACK = 8 + 10 * otadtest.SLOW


class Waits(UpdateTestCase):

    def setUp(self):
        self.server.control('/clear')
        self.server.control('/reset-log')
        self.addCleanup(self.server.control, '/clear')
        config = self.device.config(self.server, self.device.health_pass)
        config = config.replace('timeout-sec=30\n', f'timeout-sec={TIMEOUT_S}\n'
                                f'transfer-deadline-sec={DEADLINE_S}\n'
                                f'min-transfer-speed={MIN_SPEED}\n'
                                f'max-retry-after-sec={MAX_RETRY_AFTER_S}\n'
                                f'max-retry-time-sec={MAX_RETRY_TIME_S}\n', 1)
        self.assertIn('max-retry-time-sec', config)
        self.daemon, self.client = self.start_otad('A', name=self.id().split('.')[-1],
                                                   config=config)

    def rule(self, prefix, **kw):
        self.server.control('/misbehave', dict(prefix=prefix, count=-1, **kw))

    def run_job(self, method, busy, bound):
        """calls @method, waits while the state is in @busy; (props, seconds)"""
        started = time.monotonic()
        _, err = self.client.call(method)
        self.assertIsNone(err)
        worst = 0.0
        props = self.client.props()
        while props['State'] in busy and time.monotonic() - started < bound + 10:
            t = time.monotonic()
            props = self.client.props()
            worst = max(worst, time.monotonic() - t)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        print(f'# {self.id().split(".")[-1]}: {method} ended after {elapsed:.1f} s '
              f'(bound {bound:.0f} s) in {props["State"]} {props["ErrorName"]}: '
              f'{props["ErrorMessage"][:160]}; slowest property read {worst * 1000:.0f} ms')
        self.assertLess(worst, 1.0)
        self.assertLess(elapsed, bound, self.daemon.logs())
        return props

    def check(self, bound):
        return self.run_job('Check', ('idle', 'checking'), bound)

    def install(self, bound):
        props = self.check(20 * otadtest.SLOW + SLACK)
        self.assertEqual(props['State'], 'update-available', props['ErrorMessage'])
        return self.run_job('Install', ('update-available', 'downloading', 'installing'),
                            bound)

    def assert_error(self, props, name, text):
        self.assertEqual(props['State'], 'error', self.daemon.logs())
        self.assertEqual(props['ErrorName'], ERROR_PREFIX + name)
        self.assertIn(text, props['ErrorMessage'])

    def test_trickled_objects(self):
        self.rule('/treehub/objects/', mode='trickle', seconds=30)
        props = self.install(DEADLINE_S + SLACK)
        self.assert_error(props, 'Network', 'slow retrieval')

    def test_stalled_metadata(self):
        self.rule('/director/targets.json', mode='stall', seconds=30)
        props = self.check(TIMEOUT_S + DEADLINE_S + SLACK)
        self.assertEqual(props['State'], 'error')
        self.assertNotEqual(props['ErrorName'], ERROR_PREFIX + 'Failed')

    def test_stalled_objects(self):
        self.rule('/treehub/objects/', mode='stall', seconds=30)
        props = self.install(TIMEOUT_S + DEADLINE_S + SLACK)
        self.assertEqual(props['State'], 'error')
        self.assertIn(props['ErrorName'], (ERROR_PREFIX + 'Network',
                                           ERROR_PREFIX + 'Deployment'))

    def test_retry_after_3000(self):
        self.rule('/director/targets.json', mode='status', status=503, retry_after=3000)
        props = self.check(SLACK)
        self.assert_error(props, 'Server', 'longer than otad waits')

    def test_retry_after_date_2099(self):
        self.rule('/director/targets.json', mode='status', status=429,
                  retry_after='Thu, 01 Jan 2099 00:00:00 GMT')
        props = self.check(SLACK)
        self.assert_error(props, 'Server', 'longer than otad waits')

    def test_retry_after_objects(self):
        self.rule('/treehub/objects/', mode='status', status=503, retry_after=3000)
        props = self.install(SLACK)
        self.assertEqual(props['State'], 'error')
        self.assertEqual(props['ErrorName'], ERROR_PREFIX + 'Server')

    def test_retry_time_capped(self):
        self.rule('/director/targets.json', mode='status', status=503, retry_after=4)
        props = self.check(MAX_RETRY_TIME_S + SLACK)
        self.assert_error(props, 'Server', 'gave up')
        waits = [e for e in self.server.log() if e.get('misbehave') == 'status']
        self.assertLessEqual(len(waits), 3, waits)

    def test_retry_time_capped_objects(self):
        # past the commit object and the root tree: the object pull's 8 workers all get
        # 503 with Retry-After: 4, and their waits together stop at max-retry-time-sec
        self.rule('/treehub/objects/', mode='status', status=503, retry_after=4, after=3)
        started = time.monotonic()
        props = self.install(MAX_RETRY_TIME_S + SLACK)
        took = time.monotonic() - started
        self.assert_error(props, 'Server', 'gave up')
        waits = [e for e in self.server.log() if e.get('misbehave') == 'status']
        print(f'# {len(waits)} object requests answered 503 in {took:.1f} s')
        # each worker's first attempt, then at most the waits that fit the budget
        self.assertLessEqual(len(waits), 8 + MAX_RETRY_TIME_S // 4, waits)

    def test_with_stalled_reports(self):
        # named to run last (unittest sorts by name): it leaves the install pending
        # every report endpoint stalls: each flush a job makes (the download's, the
        # install's) is one attempt cut by the per-read timeout, the reports stay queued
        for prefix in ('/director/manifest', '/events', '/system_info', '/core/installed'):
            self.rule(prefix, mode='stall', seconds=30)
        props = self.install(3 * TIMEOUT_S + SLACK)
        self.assertEqual(props['State'], 'pending-reboot', props['ErrorMessage'])
        stalled = [e for e in self.server.log() if 'stalling' in e]
        print(f'# {len(stalled)} report requests stalled, none retried within a flush')
        self.assertGreater(len(stalled), 0)
        self.assertLessEqual(len(stalled), 4, stalled)

if __name__ == '__main__':
    otadtest.main()
