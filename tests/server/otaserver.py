#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Test server for otad: the device side of an OTA Community Edition gateway.

HTTPS on 127.0.0.1 demanding a client certificate from the test CA; Director and
Image repository metadata signed by tufsign.py (independent of otad's verifier);
device registry endpoints; a JSON-lines request log; a plain-HTTP control port
(127.0.0.1) to change targets and to make the server misbehave on command.
"""

import argparse
import hashlib
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tufsign  # noqa: E402
from otacerts import make_certs, issue_p12, make_credentials_zip  # noqa: E402

MAX_STALL_S = 30


class State:
    def __init__(self, d, director_full, dialect="tuf"):
        self.dir = d
        self.lock = threading.Lock()
        self.repo = tufsign.Repo("repo", dialect=dialect)
        # OTA CE's Director has root and targets only (aktualizr fetches just those)
        roles = (("root", "timestamp", "snapshot", "targets") if director_full
                 else ("root", "targets"))
        self.director = tufsign.Repo("director", roles, dialect=dialect)
        self.blobs = {}            # image repo target name -> bytes
        self.rules = []            # misbehaviour rules, applied in order
        self.ecu_keys = {}         # serial -> public key hex
        self.events_supported = True
        # ETags on metadata and If-None-Match answered with 304 (RFC 9110 8.8.3,
        # 13.1.2), as a static file server (nginx, a CDN) hosting a TUF repository
        # does; OTA CE's reposerver and Director send none, hence off by default
        self.etags = False
        # the campaigner (OTA CE campaigner, as aktualizr's campaign check reads it):
        # None answers 404 like a server without campaigns
        self.campaigns = None
        self.treehub = None        # an OSTree archive repo served under /treehub/
        self.log_path = os.path.join(d, "requests.jsonl")
        self.log = []
        self.write_roots()

    def write_roots(self):
        for repo in (self.repo, self.director):
            os.makedirs(os.path.join(self.dir, repo.name), exist_ok=True)
            with open(os.path.join(self.dir, repo.name, "root.json"), "wb") as f:
                f.write(repo.files["1.root.json"])

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            with open(self.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")
                f.flush()

    def take_rule(self, path):
        with self.lock:
            for r in self.rules:
                if not path.startswith(r.get("prefix", "/")):
                    continue
                if r.get("count", 1) == 0:
                    continue
                if r.get("after", 0) > 0:  # let this many through first
                    r["after"] -= 1
                    continue
                if r.get("count", 1) > 0:
                    r["count"] = r.get("count", 1) - 1
                return dict(r)
        return None


STATE = None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "otaserver/1"

    def log_message(self, fmt, *args):  # quiet; the JSON log is the record
        pass

    def handle(self):
        try:
            self.connection.do_handshake()
        except (ssl.SSLError, OSError) as e:
            STATE.record({"tls_error": str(e)})
            self._linger_close()
            return
        super().handle()

    def _linger_close(self):
        # as real servers do: after the alert, read what the client already sent
        # before closing; closing with unread data sends a TCP reset, which makes
        # the client drop the TLS 1.3 alert (certificate required) unread
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.5)
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                if not self.connection.recv(65536):
                    break
        except OSError:
            pass

    def _cn(self):
        cert = self.connection.getpeercert() or {}
        for rdn in cert.get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    return v
        return None

    def _send(self, status, body=b"", ctype="application/json", headers=None):
        if status == 304:
            body = b""
        self.send_response(status)
        if status != 304:  # no body and no body headers (RFC 9110 15.4.5)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return len(body)

    def _misbehave(self, rule):
        mode = rule["mode"]
        if mode == "stall":
            STATE.record({"stalling": self.path})
            time.sleep(min(float(rule.get("seconds", 5)), MAX_STALL_S))
            return None  # then answer normally
        if mode in ("drop", "down"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return 0
        if mode == "status":
            headers = {}
            if "retry_after" in rule:
                headers["Retry-After"] = str(rule["retry_after"])
            # e.g. {"Location": ...} with a 302: a redirect; or to the same path elsewhere
            headers.update(rule.get("headers", {}))
            if "redirect_base" in rule:
                headers["Location"] = rule["redirect_base"] + self.path
            return self._send(int(rule.get("status", 503)), b'{"error":"misbehaving"}',
                              headers=headers)
        if mode == "bad-length":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(int(rule.get("length", 100000))))
            self.end_headers()
            self.wfile.write(b'{"short":')
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return 9
        if mode == "oversize":
            size = int(rule.get("size", 64 * 1024 * 1024))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if not rule.get("chunked"):
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            chunk = b"x" * 65536
            try:
                while sent < size:
                    n = min(len(chunk), size - sent)
                    if rule.get("chunked"):
                        self.wfile.write(b"%x\r\n" % n + chunk[:n] + b"\r\n")
                    else:
                        self.wfile.write(chunk[:n])
                    sent += n
                if rule.get("chunked"):
                    self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client stopped reading, as it should
            self.close_connection = True
            return sent
        return None

    def _route(self, method, path, body):
        parts = path.strip("/").split("/")
        if method == "GET" and parts[0] in ("repo", "director") and len(parts) == 2:
            repo = STATE.repo if parts[0] == "repo" else STATE.director
            data = repo.files.get(parts[1])
            if data is None or parts[1] == "root.json":
                return 404, b'{"error":"not found"}', {}
            return 200, data, {}
        if method == "GET" and parts[0] == "repo" and len(parts) >= 3 and parts[1] == "targets":
            data = STATE.blobs.get("/".join(parts[2:]))
            if data is None:
                return 404, b"", {}
            rng = self.headers.get("Range", "")
            if rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
                if start >= len(data):
                    return 416, b"", {}
                self._extra_headers = {"Content-Range": "bytes %d-%d/%d" % (
                    start, len(data) - 1, len(data))}
                return 206, data[start:], {}
            return 200, data, {}
        if method in ("GET", "HEAD") and parts[0] == "treehub" and STATE.treehub:
            return self._treehub("/".join(parts[1:]))
        if method == "PUT" and path == "/director/manifest":
            return self._manifest(body)
        if method == "POST" and path == "/director/ecus":
            reg = json.loads(body)
            for ecu in reg.get("ecus", []):
                key = ecu.get("clientKey", {}).get("keyval", {}).get("public")
                STATE.ecu_keys[ecu["ecu_serial"]] = key
            return 201, b"{}", {"verified": True}
        if method == "PUT" and path in ("/system_info", "/system_info/network", "/core/installed"):
            json.loads(body)
            return 200, b"{}", {}
        if method == "POST" and path == "/devices":
            if self._cn() != "autoprov":
                return 403, b'{"error":"not a provisioning identity"}', {}
            req = json.loads(body)
            p12 = issue_p12(STATE.dir, req["deviceId"])
            return 200, p12, {"device_id": req["deviceId"], "ttl": req.get("ttl")}
        if method == "GET" and path == "/campaigner/campaigns":
            # aktualizr campaign.cc: {"campaigns": [{"id", "name", "size", "autoAccept",
            # "metadata": [{"type": "DESCRIPTION"|..., "value"}]}]}; the answers come back
            # as campaign_accepted/declined/postponed events ({"campaignId"}) on /events
            if STATE.campaigns is None:
                return 404, b'{"error":"no campaigner"}', {}
            return 200, json.dumps({"campaigns": STATE.campaigns}).encode(), {}
        if method == "POST" and path == "/events":
            if not STATE.events_supported:
                return 404, b"", {}
            json.loads(body)
            return 204, b"", {}
        return 404, b'{"error":"no such endpoint"}', {}

    def _treehub(self, rel):
        """static files of the OSTree repo, with Range (a resumed delta part)"""
        root = os.path.realpath(STATE.treehub)
        path = os.path.realpath(os.path.join(root, rel))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            return 404, b"", {}
        with open(path, "rb") as f:
            data = f.read()
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes="):
            first, _, last = rng[6:].split(",")[0].partition("-")
            start = int(first) if first else max(len(data) - int(last), 0)
            end = int(last) if first and last else len(data) - 1
            if start >= len(data):
                return 416, b"", {"_headers": {"Content-Range": "bytes */%d" % len(data)}}
            end = min(end, len(data) - 1)
            return 206, data[start:end + 1], {
                "_headers": {"Content-Range": "bytes %d-%d/%d" % (start, end, len(data))}}
        return 200, data, {}

    def _manifest(self, body):
        env = json.loads(body)
        signed = env["signed"]
        primary = signed["primary_ecu_serial"]
        key = STATE.ecu_keys.get(primary)
        if key is None:
            return 400, b'{"error":"unknown ECU"}', {"verified": False,
                                                     "reason": "unknown ECU " + primary}
        ok, reason = tufsign.verify_aktualizr_signed(env, key)
        for serial, ecu_env in signed.get("ecu_version_manifests", {}).items():
            ecu_key = STATE.ecu_keys.get(serial)
            ok2, reason2 = tufsign.verify_aktualizr_signed(ecu_env, ecu_key or "")
            if not ok2:
                ok, reason = False, "ECU %s: %s" % (serial, reason2)
        if not ok:
            return 400, b'{"error":"bad signature"}', {"verified": False, "reason": reason}
        return 200, b"{}", {"verified": True}

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        entry = {"method": self.command, "path": self.path, "cn": self._cn(),
                 "time": time.time(), "conn": "%s:%d" % self.client_address,
                 # the client resumed a TLS session (TLS 1.3: a ticket this server sent;
                 # OpenSSL sends two after each full handshake)
                 "resumed": self.connection.session_reused}
        if body:
            try:
                entry["json"] = json.loads(body)
            except ValueError:
                entry["body_bytes"] = len(body)
        if self.headers.get("Range"):
            entry["range"] = self.headers.get("Range")
        rule = STATE.take_rule(self.path)
        if rule is not None and rule["mode"] == "trickle":
            # the real answer at a byte a second (a slow retrieval attack), at most
            # "seconds" of it (30 at most), then the rest at once
            status, data, _ = self._route(self.command, self.path, body)
            entry.update({"misbehave": "trickle", "status": status, "bytes": len(data)})
            STATE.record(entry)
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            deadline = time.monotonic() + min(float(rule.get("seconds", 30)), MAX_STALL_S)
            sent = 0
            try:
                while sent < len(data) and time.monotonic() < deadline:
                    self.wfile.write(data[sent:sent + 1])
                    self.wfile.flush()
                    sent += 1
                    time.sleep(1.0)
                self.wfile.write(data[sent:])
            except OSError:
                self.close_connection = True  # the client gave up, as it should
            return
        if rule is not None and rule["mode"] == "truncate":
            # the real answer, cut after "bytes" bytes of its body
            status, data, _ = self._route(self.command, self.path, body)
            cut = int(rule.get("bytes", len(data) // 2))
            entry.update({"misbehave": "truncate", "status": status, "bytes": cut})
            STATE.record(entry)
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if rule is not None:
            entry["misbehave"] = rule["mode"]
            sent = self._misbehave(rule)
            if sent is not None:
                entry["bytes"] = sent
                STATE.record(entry)
                return
        try:
            status, data, extra = self._route(self.command, self.path, body)
        except (ValueError, KeyError, TypeError) as e:
            status, data, extra = 400, json.dumps({"error": str(e)}).encode(), {}
        headers = extra.pop("_headers", None)
        entry.update(extra)
        if (STATE.etags and self.command == "GET" and status == 200 and
                self.path.split("?")[0].endswith(".json")):
            # a strong validator of the very bytes (nginx uses mtime and length)
            etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
            headers = dict(headers or {}, ETag=etag)
            asked = self.headers.get("If-None-Match")
            if asked is not None:
                entry["if_none_match"] = asked
            if asked is not None and etag in [t.strip() for t in asked.split(",")]:
                status, data = 304, b""
                headers = {"ETag": etag}
        entry["status"] = status
        entry["bytes"] = len(data)
        STATE.record(entry)
        self._send(status, data, "application/json" if data[:1] in (b"{", b"[") else
                   "application/octet-stream",
                   headers or getattr(self, "_extra_headers", None))
        self._extra_headers = None

    do_GET = do_PUT = do_POST = do_HEAD = _handle


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _reply(self, obj, status=200):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/log":
            with STATE.lock:
                return self._reply(list(STATE.log))
        return self._reply({"error": "unknown"}, 404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        req = json.loads(self.rfile.read(length) or b"{}")
        with STATE.lock:
            if self.path == "/misbehave":
                STATE.rules.append(req)
            elif self.path == "/clear":
                STATE.rules = []
            elif self.path == "/reset-log":
                STATE.log = []
                open(STATE.log_path, "w").close()
            elif self.path == "/events":
                STATE.events_supported = bool(req.get("supported", True))
            elif self.path == "/etags":
                STATE.etags = bool(req.get("enabled", True))
            elif self.path == "/blob":  # replace a target's bytes without re-signing
                STATE.blobs[req["name"]] = req["content"].encode()
            elif self.path == "/ecu-key":
                STATE.ecu_keys[req["serial"]] = req["public"]
            elif self.path == "/targets":
                self._targets(req)
            elif self.path == "/campaigns":  # the campaigner's list, or null for none
                STATE.campaigns = req.get("campaigns")
            elif self.path == "/rotate-root":
                (STATE.repo if req.get("repo") == "repo" else STATE.director).rotate_root_key()
            elif self.path == "/tamper":  # change a signed file without re-signing it
                (STATE.repo if req.get("repo") == "repo" else STATE.director).tamper(
                    req.get("file", "targets.json"))
            else:
                return self._reply({"error": "unknown"}, 404)
        return self._reply({"ok": True})

    def _targets(self, req):
        """{"repo": [{name, content|sha256+length, custom}], "director": [...],
        "correlation_id": ...}: re-sign both repositories."""
        if "repo" in req:
            STATE.repo.targets = {}
            for t in req["repo"]:
                STATE.repo.targets[t["name"]] = _target_meta(t)
                if "content" in t:
                    STATE.blobs[t["name"]] = t["content"].encode()
            STATE.repo.publish()
        if "director" in req:
            STATE.director.targets = {t["name"]: _target_meta(t) for t in req["director"]}
            cid = req.get("correlation_id")
            STATE.director.targets_custom = {"correlationId": cid} if cid else None
            STATE.director.publish()


def _target_meta(t):
    if "content" in t:
        data = t["content"].encode()
        meta = {"length": len(data), "hashes": {"sha256": hashlib.sha256(data).hexdigest()}}
    else:
        meta = {"length": int(t.get("length", 0)), "hashes": {"sha256": t["sha256"]}}
    if "custom" in t:
        meta["custom"] = t["custom"]
    return meta


def main():
    global STATE
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--control-port", type=int, default=0)
    ap.add_argument("--director-full", action="store_true",
                    help="the Director has timestamp and snapshot roles too")
    ap.add_argument("--dialect", choices=tufsign.DIALECTS, default="tuf",
                    help="ota: metadata as OTA CE signs it (RSA, base64 signatures, "
                         "aktualizr's canonical form); the Director starts at targets "
                         "version 0, nothing assigned")
    ap.add_argument("--treehub", help="an OSTree archive repo to serve under /treehub/")
    ap.add_argument("--misbehave", action="append", default=[],
                    help="a JSON rule, as POSTed to /misbehave")
    args = ap.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    make_certs(args.dir)
    STATE = State(args.dir, args.director_full, args.dialect)
    STATE.treehub = args.treehub
    for r in args.misbehave:
        STATE.rules.append(json.loads(r))

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(args.dir, "server.pem"),
                        os.path.join(args.dir, "server.key"))
    ctx.load_verify_locations(os.path.join(args.dir, "ca.pem"))
    ctx.verify_mode = ssl.CERT_REQUIRED

    # socketserver's default backlog of 5 drops the SYNs of an OSTree pull's parallel
    # connections, which then wait for the kernel's 1 s and 3 s retransmits
    http.server.ThreadingHTTPServer.request_queue_size = 128
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    # the handshake happens in the handler thread, so one bad client blocks nobody
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True,
                                   do_handshake_on_connect=False)
    ctl = http.server.ThreadingHTTPServer(("127.0.0.1", args.control_port), ControlHandler)
    ctl.daemon_threads = True
    threading.Thread(target=ctl.serve_forever, daemon=True).start()

    make_credentials_zip(args.dir, "https://127.0.0.1:%d" % httpd.server_address[1])
    info = {"port": httpd.server_address[1], "control_port": ctl.server_address[1],
            "dir": args.dir, "pid": os.getpid()}
    with open(os.path.join(args.dir, "server.json.tmp"), "w") as f:
        json.dump(info, f)
    os.rename(os.path.join(args.dir, "server.json.tmp"), os.path.join(args.dir, "server.json"))
    print(json.dumps(info), file=sys.stderr, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
