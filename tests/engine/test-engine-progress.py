#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Progress and otactl against the real otad on a private bus, with the protocol
test server slowing TreeHub down so that a download takes a few seconds:

- Ctrl+C during `otactl download`: otactl says otad goes on and how to stop it
  (exit 130); otad is still downloading; `otactl cancel` prints the state otad is
  really back in (update-available), not the busy state of the moment;
- during a download every PropertiesChanged is recorded: DownloadSize is fixed
  from the first one of the job, DownloadedBytes and Progress never go down,
  Progress ends at 100 with DownloadedBytes = DownloadSize; ProgressPhase goes
  through preparing/downloading and ends empty; at the same time `otactl
  download` prints lines whose percentages never go down, whose total never
  changes and whose last one is 100 %;
- `--json` errors are JSON on stdout with the D-Bus error name;
- `otactl rollback` right after an install says the pending update was dropped
  (it read the deployments after the job, not before).
"""

import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, JOB_TIMEOUT  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

OTACTL = os.environ['OTAD_TEST_OTACTL']
EXIT_INTERRUPTED = 130
PROGRESS_KEYS = ('State', 'DownloadedBytes', 'DownloadSize', 'Progress', 'ProgressPhase',
                 'TimeRemaining')


def nbsp(text):
    return text.replace('\xa0', ' ')


class Recorder:
    """every PropertiesChanged of otad, in order, while the GLib loop runs"""

    def __init__(self, client):
        self.conn = client.conn
        self.changes = []
        self.sub = self.conn.signal_subscribe(
            otadtest.BUS_NAME, 'org.freedesktop.DBus.Properties', 'PropertiesChanged',
            otadtest.OBJECT_PATH, None, Gio.DBusSignalFlags.NONE, self._cb)

    def _cb(self, conn, sender, path, iface, signal_name, params):
        changed = params.unpack()[1]
        self.changes.append({k: v for k, v in changed.items() if k in PROGRESS_KEYS})

    def run_until(self, done, timeout):
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            ctx.iteration(False)
            time.sleep(0.01)
        while ctx.pending():
            ctx.iteration(False)

    def close(self):
        self.conn.signal_unsubscribe(self.sub)


class ProgressTest(enginetest.UpdateTestCase):

    def otactl(self, *args):
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
        res = subprocess.run([OTACTL, '--bus-address', self.bus.address, *args],
                             capture_output=True, text=True, env=env, timeout=JOB_TIMEOUT,
                             check=False, stdin=subprocess.DEVNULL)
        return res.returncode, nbsp(res.stdout), res.stderr

    def slow_treehub(self, count, seconds, after):
        # some object requests answer late: the download lasts some seconds
        self.server.control('/clear')
        self.server.control('/misbehave', {'mode': 'stall', 'seconds': seconds,
                                           'count': count, 'after': after,
                                           'prefix': '/treehub/objects/'})

    def test_flow(self):
        daemon, client = self.start_otad('A')
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)

        with self.subTest('Ctrl+C leaves otad downloading, cancel prints the real state'):
            # every object late: otad has fetched (almost) nothing when it is cancelled
            self.slow_treehub(count=40, seconds=5, after=0)
            env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
            proc = subprocess.Popen([OTACTL, '--bus-address', self.bus.address, 'download'],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=env, stdin=subprocess.DEVNULL)
            try:
                client.wait_state('downloading', daemon=daemon)
                time.sleep(0.5)
                proc.send_signal(signal.SIGINT)
                out, err = proc.communicate(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            self.assertEqual(proc.returncode, EXIT_INTERRUPTED, err)
            self.assertIn('otad goes on downloading in the background', err)
            self.assertIn('otactl cancel', err)
            self.assertEqual(client.props()['State'], 'downloading')
            rc, out, err = self.otactl('cancel')
            self.assertEqual(rc, 0, err)
            self.assertEqual(out, 'Cancelled; otad is back in state update-available.\n')
            self.assertEqual(client.props()['State'], 'update-available')

        with self.subTest('totals fixed, percent monotonic, ends at 100; otactl agrees'):
            # a quarter of the objects at once, then a pause: otad publishes a share between
            self.slow_treehub(count=8, seconds=2, after=24)
            recorder = Recorder(client)
            self.addCleanup(recorder.close)
            env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
            proc = subprocess.Popen([OTACTL, '--bus-address', self.bus.address, 'download'],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=env, stdin=subprocess.DEVNULL)
            try:
                recorder.run_until(lambda: proc.poll() is not None, JOB_TIMEOUT)
                out, err = proc.communicate(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            self.assertEqual(proc.returncode, 0, err)
            self.assert_bus_progress(recorder.changes, daemon)
            self.assert_otactl_lines(nbsp(out), client.props())

        with self.subTest('--json errors on stdout'):
            rc, out, err = self.otactl('download', '--json')
            self.assertEqual(rc, 1, err)
            self.assertEqual(err, '')
            error = json.loads(out)['error']
            self.assertEqual(error['name'], 'org.otad.Updater1.Error.WrongState')
            self.assertIn('downloaded', error['message'])
            self.assertEqual(error['what'], 'cannot download the update')

        with self.subTest('rollback reads the deployments after its job'):
            rc, out, err = self.otactl('install')
            self.assertEqual(rc, 0, err)
            self.assertIn('Installing…\n', out)
            self.assertEqual(client.props()['PendingDeployment']['checksum'],
                             self.device.commits['B'])
            rc, out, err = self.otactl('rollback')
            self.assertEqual(rc, 0, err)
            self.assertEqual(out, 'Rolled back: the pending update was dropped.\n')
            self.assertEqual(client.props()['PendingDeployment'], {})

    def assert_bus_progress(self, changes, daemon):
        state, values = None, {k: None for k in PROGRESS_KEYS}
        sizes, percents, done, phases = [], [], [], []
        for change in changes:
            values.update(change)
            state = values['State'] or state
            if state != 'downloading' and 'State' not in change:
                continue
            if values['DownloadSize']:
                sizes.append(values['DownloadSize'])
            if values['Progress'] is not None:
                percents.append(values['Progress'])
            if values['DownloadedBytes'] is not None:
                done.append(values['DownloadedBytes'])
            if 'ProgressPhase' in change:
                phases.append(change['ProgressPhase'])
        logs = daemon.logs()
        self.assertEqual(state, 'downloaded', logs)
        self.assertGreater(len(sizes), 0, changes)
        self.assertEqual(len(set(sizes)), 1, f'DownloadSize changed: {sizes}')
        self.assertEqual(percents, sorted(percents), f'Progress went down: {percents}')
        self.assertEqual(done, sorted(done), f'DownloadedBytes went down: {done}')
        self.assertEqual(percents[-1], 100)
        self.assertTrue(any(0 < p < 100 for p in percents), (percents, changes))
        self.assertEqual(done[-1], sizes[-1])
        self.assertIn('downloading', phases)
        self.assertEqual(phases[-1], '')

    def assert_otactl_lines(self, out, props):
        lines = out.splitlines()
        self.assertEqual(lines[-1], 'Update 2.0 downloaded.', out)
        progress = lines[:-1]
        self.assertGreater(len(progress), 1, out)
        percents, totals = [], set()
        for line in progress:
            label, rest = line.split(': ', 1)
            self.assertIn(label, ('Preparing', 'Downloading', 'Applying', 'Verifying'), line)
            pct, _, detail = rest.partition('%')
            percents.append(int(pct))
            if ' of ' in detail:
                totals.add(detail.split(' of ', 1)[1].split(',')[0])
        self.assertEqual(percents, sorted(percents), out)
        self.assertEqual(percents[-1], 100, out)
        self.assertEqual(len(totals), 1, out)
        self.assertTrue(progress[-1].endswith(' of ' + totals.pop()), out)


if __name__ == '__main__':
    otadtest.main()
