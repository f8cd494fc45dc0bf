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
from enginetest import otadtest, UpdateTestCase, TARGET, CAMPAIGN  # noqa: E402

MAX_REQUESTS = 4
# longer than the daemon's pause before it closes its connections after a job
# (OTAD_DAEMON_TRIM_DELAY_S), so that the next check-in connects again
AFTER_JOB_S = 4


def check_in(test, daemon, client):
    """one check through otad; the requests the server saw, and the properties after"""
    test.server.control('/reset-log')
    _, err = client.call('Check')
    test.assertIsNone(err)
    props = client.wait_state('update-available', daemon=daemon)
    return [e for e in test.server.log() if 'path' in e], props


class UnchangedCheckIn(UpdateTestCase):

    def check(self, daemon, client):
        return check_in(self, daemon, client)[0]

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


class ConditionalRequests(UpdateTestCase):
    """A server that sends ETags, as a static file server hosting TUF metadata does, is
    asked for what otad fetches under one name each check-in (the Image repository's
    timestamp.json, the Director's targets.json) with If-None-Match and the ETag of the
    stored copy, also after a restart; its 304s (without Content-Length, as nginx sends
    them) cost no body and no connection.  New metadata is seen at once."""

    def test_not_modified_then_changed(self):
        self.server.control('/etags', {'enabled': True})
        self.addCleanup(self.server.control, '/etags', {'enabled': False})
        daemon, client = self.start_otad('A')
        first, _ = check_in(self, daemon, client)
        second, props = check_in(self, daemon, client)
        print(f"# unchanged: {[(e['path'], e.get('status'), e['conn'], e['resumed']) for e in second]}")
        self.assertEqual([e['status'] for e in first if e['path'] == '/repo/timestamp.json'],
                         [200], first)
        self.assertEqual([(e['path'], e['status']) for e in second],
                         [('/director/2.root.json', 404), ('/director/targets.json', 304),
                          ('/repo/2.root.json', 404), ('/repo/timestamp.json', 304)])
        for e in (second[1], second[3]):
            self.assertTrue(e.get('if_none_match'), second)
            self.assertEqual(e['bytes'], 0, second)
        self.assertEqual(len({e['conn'] for e in second}), 1, second)
        self.assertEqual(props['UpdateInfo']['name'], TARGET)

        # the validator is kept with the metadata: a restarted otad asks the same way
        daemon.stop()
        daemon, client = self.start_otad('A', name='d2')
        third, props = check_in(self, daemon, client)
        self.assertEqual([e['status'] for e in third if e['path'] in
                          ('/repo/timestamp.json', '/director/targets.json')], [304, 304], third)
        self.assertEqual(props['UpdateInfo']['correlation-id'], CAMPAIGN)

        # new metadata: the old validator does not match, the new files are verified and used
        self.server.offer('otadtest-3.0', self.device.commits['B'], '3.0', 'campaign-43')
        fourth, props = check_in(self, daemon, client)
        print(f'# changed: {[(e["path"], e.get("status")) for e in fourth]}')
        self.assertEqual([e['status'] for e in fourth if e['path'] in
                          ('/repo/timestamp.json', '/director/targets.json')], [200, 200], fourth)
        self.assertIn('/repo/snapshot.json', [e['path'] for e in fourth])
        self.assertEqual(props['UpdateInfo']['version'], '3.0', daemon.logs())
        self.assertEqual(props['UpdateInfo']['correlation-id'], 'campaign-43')
        fifth, props = check_in(self, daemon, client)
        self.assertEqual([e['status'] for e in fifth if e['path'] in
                          ('/repo/timestamp.json', '/director/targets.json')], [304, 304], fifth)
        self.assertEqual(props['UpdateInfo']['version'], '3.0')


class ConditionalRequestsDirectorTimestamp(UpdateTestCase):
    """A Director with a timestamp role, at a server that sends ETags: two 304s (without
    Content-Length, as nginx sends them) in one check-in, and the connection still
    serves every request of it (libsoup alone would drop it after the first 304)."""

    SERVER_ARGS = ('--director-full',)

    def test_one_connection(self):
        self.server.control('/etags', {'enabled': True})
        self.addCleanup(self.server.control, '/etags', {'enabled': False})
        daemon, client = self.start_otad('A')
        check_in(self, daemon, client)
        second, props = check_in(self, daemon, client)
        print(f"# unchanged: {[(e['path'], e.get('status'), e['conn']) for e in second]}")
        self.assertEqual([(e['path'], e['status']) for e in second],
                         [('/director/2.root.json', 404), ('/director/timestamp.json', 304),
                          ('/repo/2.root.json', 404), ('/repo/timestamp.json', 304)])
        self.assertEqual(len({e['conn'] for e in second}), 1, second)
        self.assertEqual(props['UpdateInfo']['name'], TARGET)


if __name__ == '__main__':
    otadtest.main()
