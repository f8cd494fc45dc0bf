#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small HTTP server for TUF/Uptane tests, on 127.0.0.1 and a random port.

Serves files below a root directory (``GET /repo/timestamp.json`` reads
``ROOT/repo/timestamp.json``), answers 404 for anything missing, records
every request (method, path, status, bytes sent) and can misbehave per path:

* ``endless``: 200 without Content-Length, streaming filler until the client
  gives up (bounded by `limit` bytes so a broken client cannot hang a test);
* ``oversize``: a Content-Length and a body of `limit` bytes;
* ``content``: serve the given bytes instead of the file;
* ``append``: the file followed by extra bytes (longer than declared);
* ``status``: answer with the given HTTP status;
* ``chunked`` (server-wide attribute): files sent with chunked encoding,
  as nginx / akka-http in front of OTA CE do;
* ``slow``: send the file in pieces with a (bounded) delay between them;
* ``trickle``: one byte per second (slow retrieval), for at most `arg` seconds.

Usage::

    with TufServer(root) as srv:
        url = srv.url('/repo')
        ...
        srv.paths()   # ['/repo/2.root.json', '/repo/timestamp.json', ...]
"""

import http.server
import os
import posixpath
import socket
import threading
import time
import urllib.parse

MAX_MISBEHAVE_BYTES = 64 * 1024 * 1024
CHUNK = 64 * 1024


class Request:
    def __init__(self, method, path, headers):
        self.method = method
        self.path = path
        self.headers = headers
        self.status = None
        self.sent = 0

    def __repr__(self):
        return '<%s %s -> %s (%d bytes)>' % (self.method, self.path, self.status, self.sent)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'tufserver/1'

    def log_message(self, fmt, *args):  # keep test output quiet
        if os.environ.get('TUFSERVER_VERBOSE'):
            super().log_message(fmt, *args)

    def _write(self, req, data):
        self.wfile.write(data)
        req.sent += len(data)

    def _send(self, req, status, body, headers=None, length=None):
        req.status = status
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body) if length is None else length))
        self.end_headers()
        if self.command != 'HEAD':
            self._write(req, body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        srv = self.server.owner
        path = urllib.parse.urlsplit(self.path).path
        req = Request(self.command, path, dict(self.headers))
        with srv.lock:
            srv.requests.append(req)
            behaviour = srv.behaviours.get(path)
        try:
            self._serve(srv, req, path, behaviour)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    def _serve(self, srv, req, path, behaviour):
        local = srv.local_path(path)
        data = None
        if local is not None and os.path.isfile(local):
            with open(local, 'rb') as f:
                data = f.read()
        kind, arg = behaviour if behaviour else (None, None)

        if kind == 'status':
            self._send(req, arg, b'')
            return
        if kind == 'content':
            self._send(req, 200, arg)
            return
        if kind == 'endless':
            # no length: the body ends when the connection does
            req.status = 200
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Connection', 'close')
            self.end_headers()
            self.close_connection = True
            filler = (b'{"signed": ' + b' ' * (CHUNK - 11))
            while req.sent < (arg or MAX_MISBEHAVE_BYTES):
                self._write(req, filler)
            return
        if kind == 'oversize':
            size = arg or MAX_MISBEHAVE_BYTES
            req.status = 200
            self.send_response(200)
            self.send_header('Content-Length', str(size))
            self.end_headers()
            self.close_connection = True
            left = size
            while left > 0:
                n = min(CHUNK, left)
                self._write(req, b' ' * n)
                left -= n
            return
        if data is None:
            self._send(req, 404, b'not found\n')
            return
        if kind == 'append':
            self._send(req, 200, data + arg)
            return
        if srv.chunked:
            req.status = 200
            self.send_response(200)
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            for i in range(0, len(data), 100):
                piece = data[i:i + 100]
                self._write(req, b'%x\r\n%s\r\n' % (len(piece), piece))
            self._write(req, b'0\r\n\r\n')
            return
        if kind == 'trickle':
            # one byte per second (a slow retrieval attack), for at most `arg`
            # seconds, then the rest at once
            req.status = 200
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            deadline = time.monotonic() + float(arg or 60)
            i = 0
            while i < len(data) and time.monotonic() < deadline:
                self._write(req, data[i:i + 1])
                self.wfile.flush()
                i += 1
                time.sleep(1.0)
            self._write(req, data[i:])
            return
        if kind == 'slow':
            delay = min(float(arg), 2.0)
            req.status = 200
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            for i in range(0, len(data), 16):
                self._write(req, data[i:i + 16])
                self.wfile.flush()
                time.sleep(delay / max(1, len(data) // 16))
            return
        self._send(req, 200, data)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class TufServer:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.requests = []
        self.behaviours = {}
        self.chunked = False    # serve files with Transfer-Encoding: chunked
        self.lock = threading.Lock()
        self.httpd = _Server(('127.0.0.1', 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = None

    def local_path(self, path):
        # a file stored under its percent-encoded name (a delegated role called
        # "../x" is "..%2Fx.json", as python-tuf names it) first, then the
        # decoded path (target names with spaces)
        for candidate in (path, urllib.parse.unquote(path)):
            norm = posixpath.normpath(candidate)
            full = os.path.realpath(os.path.join(self.root, norm.lstrip('/')))
            if full != self.root and not full.startswith(self.root + os.sep):
                continue
            if os.path.exists(full) or candidate is not path:
                return full
        return None

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={'poll_interval': 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread:
            self.thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, prefix=''):
        return 'http://127.0.0.1:%d%s' % (self.port, prefix)

    # -- misbehaviour ---------------------------------------------------------
    def misbehave(self, path, kind, arg=None):
        assert kind in ('endless', 'oversize', 'content', 'append', 'status', 'slow', 'trickle')
        with self.lock:
            self.behaviours[path] = (kind, arg)

    def behave(self, path=None):
        with self.lock:
            if path is None:
                self.behaviours.clear()
            else:
                self.behaviours.pop(path, None)

    # -- request log ----------------------------------------------------------
    def clear_log(self):
        with self.lock:
            self.requests = []

    def log(self):
        with self.lock:
            return list(self.requests)

    def paths(self):
        return [r.path for r in self.log()]

    def sent(self, path):
        return sum(r.sent for r in self.log() if r.path == path)


if __name__ == '__main__':
    import sys
    srv = TufServer(sys.argv[1] if len(sys.argv) > 1 else '.').start()
    print(srv.url(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
