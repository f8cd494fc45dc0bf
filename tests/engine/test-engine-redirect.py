#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""No downgrade on a redirect, through otad on D-Bus: the HTTPS test server answers a
metadata request (the Director's targets.json), an OSTree object and a static delta
superblock with a 302 to http://127.0.0.1:PORT/... where this test listens in plain
HTTP; each job ends with Error.Server naming the refused redirect and not one request
(not even a connection) reaches the plain port.  A redirect to another host, even on
https, is refused the same way; one that stays on https and on the configured host is
followed and the update completes.  Reports (PUT and POST) are never redirected."""

import http.server
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enginetest import otadtest, UpdateTestCase, ERROR_PREFIX  # noqa: E402


class PlainListener:
    """a plain HTTP server on 127.0.0.1 counting every connection it is offered"""

    def __init__(self):
        listener = self
        self.connections = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def setup(self):
                listener.connections.append(self.client_address)
                super().setup()

            def do_GET(self):
                self.send_response(200)
                self.send_header('Content-Length', '2')
                self.end_headers()
                self.wfile.write(b'{}')

            do_PUT = do_POST = do_HEAD = do_GET

            def log_message(self, fmt, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={'poll_interval': 0.1}, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class Redirects(UpdateTestCase):

    def setUp(self):
        self.plain = PlainListener()
        self.addCleanup(self.plain.stop)
        self.server.control('/clear')
        self.server.control('/reset-log')
        self.addCleanup(self.server.control, '/clear')

    def redirect(self, prefix, to, count=-1, after=0):
        self.server.control('/misbehave', {'prefix': prefix, 'mode': 'status', 'status': 302,
                                           'redirect_base': to, 'count': count,
                                           'after': after})

    def wait_done(self, client, busy, timeout=60 * otadtest.SLOW):
        started = time.monotonic()
        props = client.props()
        while props['State'] in busy and time.monotonic() - started < timeout:
            time.sleep(0.1)
            props = client.props()
        return props

    def assert_refused(self, props, what):
        print(f'# {what}: {props["ErrorName"]}: {props["ErrorMessage"][:200]}')
        self.assertEqual(props['State'], 'error')
        self.assertEqual(props['ErrorName'], ERROR_PREFIX + 'Server')
        self.assertIn('refused redirect', props['ErrorMessage'])
        self.assertEqual(self.plain.connections, [], f'{what}: plain http was used')

    def check(self, client):
        _, err = client.call('Check')
        self.assertIsNone(err)
        return self.wait_done(client, ('idle', 'checking'))

    def install(self, client):
        props = self.check(client)
        self.assertEqual(props['State'], 'update-available', props['ErrorMessage'])
        _, err = client.call('Install')
        self.assertIsNone(err)
        return self.wait_done(client, ('update-available', 'downloading', 'installing'))

    def test_downgrades_refused_everywhere(self):
        plain = f'http://127.0.0.1:{self.plain.port}'
        daemon, client = self.start_otad('A', name='redirect')
        # metadata: the Director's targets.json
        self.redirect('/director/targets.json', plain)
        self.redirect('/events', plain)
        self.redirect('/director/manifest', plain)
        props = self.check(client)
        self.assert_refused(props, 'metadata')
        # to another host, on https all the same
        self.server.control('/clear')
        port = self.server.info['port']
        self.redirect('/director/targets.json', f'https://localhost:{port}')
        props = self.check(client)
        self.assert_refused(props, 'another host')
        self.assertIn('not a configured host', props['ErrorMessage'])
        # OSTree objects (the commit object first, then dirtree, dirmeta, filez)
        self.server.control('/clear')
        self.redirect('/treehub/objects/', plain)
        self.assert_refused(self.install(client), 'objects')
        # and past the commit object: the tree's metadata and file objects
        self.server.control('/clear')
        self.redirect('/treehub/objects/', plain, after=3)
        props = self.install(client)
        self.assert_refused(props, 'tree objects')
        self.assertNotIn('.commit', props['ErrorMessage'])
        # a static delta's superblock
        self.server.control('/clear')
        self.redirect('/treehub/deltas/', plain)
        self.assert_refused(self.install(client), 'delta')
        # no report was redirected either (they stay queued, the next flush sends them)
        self.assertEqual(self.plain.connections, [])
        self.assertEqual(daemon.stop(), 0)

    def test_https_same_host_followed(self):
        daemon, client = self.start_otad('A', name='redirect-ok')
        same = self.server.url
        # the first object request and the Director's targets.json go round once
        self.redirect('/director/targets.json', same, count=1)
        self.redirect('/treehub/objects/', same, count=1)
        props = self.install(client)
        self.assertEqual(props['State'], 'pending-reboot', props['ErrorMessage'])
        log = self.server.log()
        redirected = [e for e in log if e.get('misbehave') == 'status']
        self.assertEqual(len(redirected), 2, redirected)
        self.assertEqual(self.plain.connections, [])
        self.assertEqual(daemon.stop(), 0)


if __name__ == '__main__':
    otadtest.main()
