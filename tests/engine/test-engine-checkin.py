#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What an unchanged check-in costs at the server, counted by the test server through
otad on a bus: at most 4 requests (2 per repository: the next root's 404 and the
Director's targets, or the Image repository's timestamp), over one kept-alive
connection, and no full TLS handshake once otad has a session ticket (the server
offers resumption: OpenSSL sends tickets after each handshake)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enginetest import otadtest, UpdateTestCase  # noqa: E402

MAX_REQUESTS = 4
# longer than the daemon's pause before it closes its connections after a job
# (OTAD_DAEMON_TRIM_DELAY_S), so that the next check-in connects again
AFTER_JOB_S = 4


class UnchangedCheckIn(UpdateTestCase):

    def check(self, daemon, client):
        self.server.control('/reset-log')
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        return [e for e in self.server.log() if 'path' in e]

    def test_requests_connections_resumption(self):
        daemon, client = self.start_otad('A')
        first = self.check(daemon, client)
        time.sleep(AFTER_JOB_S)
        second = self.check(daemon, client)
        print(f'# first check-in: {[(e["method"], e["path"], e.get("status")) for e in first]}')
        print(f'# unchanged check-in: {[(e["method"], e["path"], e.get("status"), e["conn"], e["resumed"]) for e in second]}')

        self.assertGreater(len(first), len(second), daemon.logs())
        self.assertLessEqual(len(second), MAX_REQUESTS, daemon.logs())
        # 2 per repository: the next root (404) and one more file each
        director = [e for e in second if e['path'].startswith('/director/')]
        image = [e for e in second if e['path'].startswith('/repo/')]
        self.assertEqual(len(director), 2, second)
        self.assertEqual(len(image), 2, second)
        self.assertNotIn('/director/timestamp.json', [e['path'] for e in second])
        # kept alive within the check-in
        self.assertEqual(len({e['conn'] for e in second}), 1, second)
        # a new connection (the last one closed after the first job) resumed the session
        # the first check-in's handshake left a ticket for, with the device's identity
        self.assertTrue(second[0]['resumed'], second)
        self.assertEqual({e['cn'] for e in second}, {e['cn'] for e in first})


class DirectorTimestampGone(UnchangedCheckIn):
    """A Director whose root lists timestamp and snapshot roles but that serves neither
    (as aktualizr never asks a Director for them): the 404 is remembered, not asked for
    at every check-in."""

    SERVER_ARGS = ('--director-full',)

    def test_requests_connections_resumption(self):
        for name in ('timestamp.json', 'snapshot.json'):
            self.server.control('/misbehave', {'prefix': '/director/' + name, 'mode': 'status',
                                               'status': 404, 'count': -1})
        daemon, client = self.start_otad('A')
        first = self.check(daemon, client)
        second = self.check(daemon, client)
        print(f'# first check-in: {[(e["method"], e["path"], e.get("status")) for e in first]}')
        print(f'# unchanged check-in: {[(e["method"], e["path"], e.get("status")) for e in second]}')
        self.assertIn('/director/timestamp.json', [e['path'] for e in first])
        self.assertNotIn('/director/timestamp.json', [e['path'] for e in second])
        self.assertLessEqual(len(second), MAX_REQUESTS, daemon.logs())


if __name__ == '__main__':
    otadtest.main()
