#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What systemd reads from otad (Type=notify, WatchdogSec= in otad.service): READY=1
once it is on the bus, STATUS= with the state, WATCHDOG=1 from the main loop at half
the period systemd set ($WATCHDOG_USEC), none when $WATCHDOG_PID names another
process, STOPPING=1 on SIGTERM.  The notify socket is a datagram socket of the test."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import otadtest  # noqa: E402

WATCHDOG_USEC = 300000


class SdNotify(otadtest.OtadTestCase):
    START_DAEMON = False
    DAEMON_ARGS = ('--test-booted-deployment={A}',)

    def listen(self):
        path = os.path.join(self.topdir, f'notify-{len(os.listdir(self.topdir))}')
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        self.addCleanup(sock.close)
        return sock, path

    def collect(self, sock, seconds):
        messages = []
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return messages
            sock.settimeout(left)
            try:
                messages.append(sock.recv(4096).decode())
            except socket.timeout:
                return messages

    def start_with(self, name, env):
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            return self.start_daemon(name, '', self.DAEMON_ARGS)
        finally:
            for k, v in saved.items():
                if v is None:
                    del os.environ[k]
                else:
                    os.environ[k] = v

    def test_ready_status_watchdog(self):
        sock, path = self.listen()
        d = self.start_with('watched', {'NOTIFY_SOCKET': path,
                                        'WATCHDOG_USEC': str(WATCHDOG_USEC)})
        seconds = 2.0
        messages = self.collect(sock, seconds)
        lines = [line for m in messages for line in m.splitlines()]
        self.assertEqual(lines.count('READY=1'), 1, lines)
        self.assertIn('STATUS=State: idle', lines)
        pings = lines.count('WATCHDOG=1')
        print(f'# {pings} watchdog pings in {seconds} s (period {WATCHDOG_USEC} us)')
        # every WATCHDOG_USEC/2: about 13 in 2 s, and never a gap of a whole period
        self.assertGreaterEqual(pings, int(seconds * 1e6 / WATCHDOG_USEC))
        self.assertEqual(d.stop(), 0)
        lines = [line for m in self.collect(sock, 1.0) for line in m.splitlines()]
        self.assertIn('STOPPING=1', lines)

    def test_watchdog_of_another_process(self):
        sock, path = self.listen()
        d = self.start_with('other', {'NOTIFY_SOCKET': path,
                                      'WATCHDOG_USEC': str(WATCHDOG_USEC),
                                      'WATCHDOG_PID': '1'})
        lines = [line for m in self.collect(sock, 1.0) for line in m.splitlines()]
        self.assertIn('READY=1', lines)
        self.assertNotIn('WATCHDOG=1', lines)
        self.assertEqual(d.stop(), 0)


if __name__ == '__main__':
    otadtest.main()
