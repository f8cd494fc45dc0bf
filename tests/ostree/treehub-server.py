#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A test TreeHub: serves a directory (an archive OSTree repo) over HTTP(S) on 127.0.0.1.

It supports HTTP Range requests, counts the body bytes it sends per path and can cut
connections after a byte budget to simulate an interrupted download.  Control endpoints:

  GET /__stats          JSON {"total": N, "requests": N, "paths": {path: bytes},
                        "max_in_flight": N (the most requests answered at once)}
  GET /__reset          zero the counters and lift any cut and delay
  GET /__delay?ms=N     hold every object request N ms before answering (a round trip)
  GET /__cut?after=N    after N more body bytes, drop the connection; later requests are
                        dropped too until /__reset

The first line on stdout is "PORT <n>".  The server exits when stdin reaches EOF, so it
never outlives the test that started it.
"""

import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"total": 0, "requests": 0, "paths": {}, "budget": None, "cut": False,
         "in_flight": 0, "max_in_flight": 0, "delay_ms": 0}
CHUNK = 16384


def reset():
    STATE.update(total=0, requests=0, paths={}, budget=None, cut=False, in_flight=0,
                 max_in_flight=0, delay_ms=0)


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle(self):
        # the TLS handshake runs here, in the handler's thread, so that a refused client
        # gets a lingering close (see below) instead of a reset from accept()
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                self.linger_close()
                return
        super().handle()

    def linger_close(self):
        # read what the client already sent before closing: closing with unread data
        # sends a TCP reset, and the client then loses the TLS 1.3 alert unread
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.5)
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                if not self.connection.recv(65536):
                    break
        except OSError:
            pass

    def log_message(self, fmt, *args):
        if os.environ.get("TREEHUB_VERBOSE"):
            sys.stderr.write("treehub: " + (fmt % args) + "\n")

    def send_json(self, obj):
        data = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def control(self, url):
        query = urllib.parse.parse_qs(url.query)
        with LOCK:
            if url.path == "/__stats":
                obj = {k: STATE[k]
                       for k in ("total", "requests", "paths", "cut", "max_in_flight")}
            elif url.path == "/__reset":
                reset()
                obj = {}
            elif url.path == "/__delay":
                STATE["delay_ms"] = int(query["ms"][0])
                obj = {}
            elif url.path == "/__cut":
                STATE["budget"] = int(query["after"][0])
                STATE["cut"] = False
                obj = {}
            else:
                obj = None
        if obj is None:
            self.send_error(404)
        else:
            self.send_json(obj)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        self.serve(head=False)

    def serve(self, head):
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/__"):
            self.control(url)
            return
        with LOCK:
            if STATE["cut"]:
                self.drop()
                return
            STATE["requests"] += 1
            STATE["in_flight"] += 1
            STATE["max_in_flight"] = max(STATE["max_in_flight"], STATE["in_flight"])
            delay_ms = STATE["delay_ms"]
        try:
            time.sleep(min(delay_ms, 5000) / 1000)
            self.serve_file(url, head)
        finally:
            with LOCK:
                STATE["in_flight"] = max(0, STATE["in_flight"] - 1)

    def serve_file(self, url, head):
        rel = urllib.parse.unquote(url.path).lstrip("/")
        path = os.path.realpath(os.path.join(self.server.root, rel))
        if not path.startswith(self.server.root + os.sep) or not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start, end = 0, size - 1
        status = 200
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            first, _, last = rng[6:].split(",")[0].strip().partition("-")
            if first == "":
                start = max(0, size - int(last))
            else:
                start = int(first)
                if last:
                    end = min(int(last), size - 1)
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        if head:
            return
        with open(path, "rb") as f:
            f.seek(start)
            left = length
            while left > 0:
                want = min(CHUNK, left)
                with LOCK:
                    budget = STATE["budget"]
                    if budget is not None:
                        want = min(want, budget)
                        STATE["budget"] = budget - want
                    if want == 0:
                        STATE["cut"] = True
                data = f.read(want) if want else b""
                if data:
                    try:
                        self.wfile.write(data)
                    except OSError:
                        self.close_connection = True
                        return
                    with LOCK:
                        STATE["total"] += len(data)
                        STATE["paths"][url.path] = STATE["paths"].get(url.path, 0) + len(data)
                    left -= len(data)
                if want == 0 or not data:
                    self.drop()
                    return


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca", help="require a client certificate signed by this CA")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.root = os.path.realpath(args.root)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)

    def watch_stdin():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
