#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Crash consistency: otad is killed (SIGKILL, by tests/crash/otad-fault-shim.c) at one
point of a whole update per run -- check, download, install, "reboot", confirm --
then restarted, and the device must be fine:

  - the default deployment is bootable (its checkout and boot entries exist);
  - when B is the default and not yet confirmed, its trial boot is armed
    (upgrade_available=1): B never boots without a way back;
  - the state is consistent (no error, pending-reboot exactly when B is the default);
  - the update then completes (B confirmed: idle, upgrade_available=0);
  - no event is lost or duplicated: each event type of the campaign reaches the
    server under exactly one id.

The points come from a trace of a clean update: before and after each rename and
unlink in the state directory and in the sysroot's /boot (the boot loader switch),
the power-cut variants (the renamed file cut to 0 bytes: "trunc"; the temporary file
cut in half before the rename: "torn") and kills at byte offsets of the downloads.
--fast runs a handful (default suites), --full all of them (suite 'crash').
OTAD_CRASH_ONLY=REGEX runs the points whose spec matches."""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashtest  # noqa: E402
from crashtest import enginetest, otadtest, Run, World  # noqa: E402

# the state files written by otad's atomic helper (their temporary file can be torn)
STATE_FILE = re.compile(r'^(state\.json|boot-record\.json|report-events\.json|report-counter|'
                        r'ecu\.key|report-queue/\d+\.json|[a-z]+/[a-z0-9.]+\.json)$')
RECV_POINTS = 10


# SQLite's own journal files (the history log): their renames and unlinks are SQLite's
# atomic commit, recovered by SQLite on open (engine-history kills otad with a torn WAL);
# the WAL is unlinked when otad closes the log on its way out, a point no update reaches
SQLITE_PRIVATE = re.compile(r'\.db-(wal|shm|journal)$')


class Point:
    def __init__(self, phase, when, kind, name, count):  # noqa: PLR0913
        self.phase, self.when, self.kind, self.name, self.count = \
            phase, when, kind, name, count

    @property
    def spec(self):
        return f'{self.when} {self.kind} {self.name} {self.count}'

    def __str__(self):
        return f'{self.phase}: {self.spec}'


def make_points(install_trace, confirm_trace):
    points = []
    for phase, trace in (('install', install_trace), ('confirm', confirm_trace)):
        recv_total = max([c for k, _, c in trace if k == 'recv'] or [0])
        for kind, name, count in trace:
            if kind == 'recv' or SQLITE_PRIVATE.search(name):
                continue
            points.append(Point(phase, 'before', kind, name, count))
            points.append(Point(phase, 'after', kind, name, count))
            if kind == 'rename' and STATE_FILE.match(name):
                points.append(Point(phase, 'trunc', kind, name, count))
                points.append(Point(phase, 'torn', kind, name, count))
        if phase == 'install' and recv_total > 0:
            for i in range(1, RECV_POINTS + 1):
                points.append(Point(phase, 'at', 'recv', '-',
                                    recv_total * i // (RECV_POINTS + 1)))
    return points


def fast_points(points):
    """the handful that covers each kind of failure the issue found"""
    chosen = []

    def first(pred):
        for p in points:
            if pred(p) and p not in chosen:
                chosen.append(p)
                return

    def last(pred):
        for p in reversed(points):
            if pred(p) and p not in chosen:
                chosen.append(p)
                return
    # B the default, its trial boot not armed yet
    first(lambda p: p.phase == 'install' and p.when == 'after' and p.name == 'loader')
    # a power cut leaves an empty boot record
    first(lambda p: p.when == 'trunc' and p.name == 'boot-record.json')
    # the state file half written
    last(lambda p: p.phase == 'install' and p.when == 'torn' and p.name == 'state.json')
    # in the middle of the download
    recv = [p for p in points if p.kind == 'recv']
    if recv:
        chosen.append(recv[len(recv) // 2])
    # the outcome queued, not yet sent; sent, not yet removed from the queue
    last(lambda p: p.phase == 'confirm' and p.when == 'after' and
         p.name == 'report-events.json')
    last(lambda p: p.phase == 'confirm' and p.when == 'before' and p.kind == 'unlink' and
         p.name.startswith('report-queue/'))
    # a queued event cut to nothing
    first(lambda p: p.when == 'trunc' and p.name.startswith('report-queue/'))
    return chosen


class CrashSuite:

    def __init__(self, world):
        self.world = world
        self.snapshot = None
        self.ecu_public = None
        # (event type, outcome) -> ids the clean install sent before the snapshot
        self.install_ids = {}

    # -- the clean update, traced ---------------------------------------------------

    def trace(self):
        r = Run(self.world, 'trace')
        install_trace = os.path.join(r.dir, 'trace-install')
        confirm_trace = os.path.join(r.dir, 'trace-confirm')
        try:
            self.world.server.control('/reset-log')
            r.start('A', {'OTAD_FAULT_TRACE': install_trace}, name='install')
            self.assert_ok(r.drive_install(), r, 'the traced install died')
            r.stop()
            self.install_ids = r.event_ids()
            for e in self.world.server.log():
                if e.get('method') == 'POST' and e.get('path') == '/director/ecus':
                    for ecu in e['json']['ecus']:
                        self.ecu_public = ecu['clientKey']['keyval']['public']
            self.snapshot = os.path.join(self.world.topdir, 'after-install')
            otadtest.remove_tree(self.snapshot)
            crashtest.run(['cp', '-a', r.dir, self.snapshot])
            r.start('B', {'OTAD_FAULT_TRACE': confirm_trace}, name='confirm')
            self.assert_ok(r.drive_confirm(), r, 'the traced confirmation died')
            self.check_final(r, 'install')
        finally:
            r.close()
        return crashtest.read_trace(install_trace), crashtest.read_trace(confirm_trace)

    def assert_ok(self, cond, r, what):
        if not cond:
            raise AssertionError(what + '\n' + r.log_text())

    # -- one point ------------------------------------------------------------------

    def new_run(self, point, index):
        name = f'p{index:03d}'
        if point.phase == 'install':
            return Run(self.world, name)
        # from the device as the clean install left it; its ECU key is the registered one
        self.world.server.control('/ecu-key', {'serial': enginetest.SERIAL,
                                               'public': self.ecu_public})
        return Run(self.world, name, source=self.snapshot)

    def run_point(self, point, index):
        """Returns: 'killed' or 'not reached'; raises on a broken invariant"""
        r = self.new_run(point, index)
        booted = 'A' if point.phase == 'install' else 'B'
        marks = [('copy', time.monotonic())]
        self.marks = marks
        try:
            self.world.server.control('/reset-log')
            d = r.start(booted, {'OTAD_FAULT_AT': point.spec}, name='fault')
            marks.append(('start', time.monotonic()))
            if not d.died():
                if point.phase == 'install':
                    r.drive_install()
                else:
                    r.drive_confirm()
            if not d.died():
                r.stop()
                outcome = 'not reached'
            else:
                rc = d.reap()
                r.daemon = None
                self.assert_ok(crashtest.kill_signal(rc), r, f'otad exited with {rc}')
                outcome = 'killed'
                marks.append(('fault', time.monotonic()))
                r.start(booted, name='restart')
                marks.append(('restart', time.monotonic()))
                self.check_after_restart(r, point)
                marks.append(('checked', time.monotonic()))
            if point.phase == 'install':
                self.assert_ok(r.drive_install(), r, 'the install after the restart died')
                marks.append(('installed', time.monotonic()))
                r.stop()
                marks.append(('stopped', time.monotonic()))
                r.start('B', name='confirm')
            self.assert_ok(r.drive_confirm(), r, 'the confirmation died')
            marks.append(('confirmed', time.monotonic()))
            self.check_final(r, point.phase)
            marks.append(('final', time.monotonic()))
            r.close()
            otadtest.remove_tree(r.dir)
            return outcome
        except BaseException:
            r.close()
            raise

    def check_after_restart(self, r, point):
        props = r.settle()
        dev = r.device
        A, B = dev.commits['A'], dev.commits['B']
        status = dev.admin_status()
        default = status[0]
        where = f'{point}\n' + r.log_text()
        if default.checksum not in (A, B):
            raise AssertionError(f'default {default.checksum} is neither A nor B: {where}')
        if not dev.bootable(default):
            raise AssertionError(f'the default deployment is not bootable: {where}')
        if props['ErrorName']:
            raise AssertionError(f'error after the restart: {props["ErrorName"]}: '
                                 f'{props["ErrorMessage"]}: {where}')
        if point.phase == 'install':
            if default.checksum == B:
                if dev.fw_printenv('upgrade_available') != '1':
                    raise AssertionError(f'B is the default without an armed trial boot: '
                                         f'{where}')
                if props['State'] != 'pending-reboot':
                    raise AssertionError(f'B is the default in state {props["State"]}: '
                                         f'{where}')
            elif props['State'] not in ('idle', 'update-available', 'downloaded'):
                raise AssertionError(f'A is the default in state {props["State"]}: {where}')

    def check_final(self, r, phase):
        dev = r.device
        props = r.props()
        where = '\n' + r.log_text()
        if props['State'] != 'idle' or props['ErrorName']:
            raise AssertionError(f'not confirmed: {props["State"]} {props["ErrorName"]} '
                                 f'{props["ErrorMessage"]}' + where)
        if dev.default().checksum != dev.commits['B']:
            raise AssertionError('B is not the default' + where)
        if dev.fw_printenv('upgrade_available') != '0' or dev.fw_printenv('bootcount') != '0':
            raise AssertionError('the trial boot is still armed after confirmation' + where)
        history, err = r.client.call('GetHistory', signature='(aa{sv})')
        if err or history[0][0]['action'] != 'confirm' or not history[0][0]['success']:
            raise AssertionError(f'history: {err} {history}' + where)
        ids = r.event_ids()
        # each event once: one id per type and outcome (a download that failed under
        # load and was tried again is two events, its failure and its success)
        for key, found in ids.items():
            if len(found) != 1:
                raise AssertionError(f'{key}: {len(found)} ids at the server ({found})' + where)
        # none lost; the confirmation phase starts from a clean install, so only its
        # outcome is new there, and nothing else is sent again
        if phase == 'install':
            wanted = [('EcuDownloadStarted', None), ('EcuDownloadCompleted', True),
                      ('EcuInstallationStarted', None), ('EcuInstallationApplied', None),
                      ('EcuInstallationCompleted', True)]
        else:
            wanted = [('EcuInstallationCompleted', True)]
        for key in wanted:
            if key not in ids:
                raise AssertionError(f'{key} never reached the server' + where)
        # a confirmation that lost report-events.json (a power cut) cannot know the
        # install's events were delivered and sends them again: only under the ids the
        # snapshot's install sent them with (a repeat the server drops), never new ones
        extra = [k for k in ids if k not in wanted and
                 not (phase == 'install' and k == ('EcuDownloadCompleted', False)) and
                 not (phase == 'confirm' and ids[k] == self.install_ids.get(k))]
        if extra:
            raise AssertionError(f'unexpected events {extra}: {ids}' + where)


def run_points(suite, points, first_index, out):
    """runs points, writes one JSON line per result to out; the number failed"""
    failed = 0
    for i, point in enumerate(points, first_index):
        t0 = time.monotonic()
        result = {'index': i, 'point': str(point)}
        try:
            result['outcome'] = suite.run_point(point, i)
            result['steps'] = ' '.join(f'{n} {t - p:.1f}' for (n, t), (_, p) in
                                       zip(suite.marks[1:], suite.marks))
        except Exception as e:  # noqa: BLE001 - reported per point, the run goes on
            result['outcome'] = 'failed'
            result['error'] = '\n'.join(str(e).splitlines()[:80])
            failed += 1
        result['seconds'] = round(time.monotonic() - t0, 1)
        out.write(json.dumps(result) + '\n')
        out.flush()
    return failed


def tap(result):
    """the TAP line(s) of one result"""
    if result['outcome'] == 'failed':
        lines = [f'not ok {result["index"]} {result["point"]}']
        lines += [f'# {line}' for line in result['error'].splitlines()]
        return '\n'.join(lines)
    return (f'ok {result["index"]} {result["point"]} # {result["outcome"]} '
            f'({result["seconds"]} s: {result.get("steps", "")})')


def worker(args):
    """one of --jobs processes: its own server, bus and device template"""
    with open(args.points, encoding='utf-8') as f:
        todo = [(i, Point(**p)) for i, p in enumerate(json.load(f), 1)]
    mine = [(i, p) for i, p in todo if (i - 1) % args.jobs == args.worker]
    topdir = tempfile.mkdtemp(prefix=f'otad-crash-w{args.worker}-')
    world = World(topdir)
    failed = 0
    try:
        world.start()
        suite = CrashSuite(world)
        suite.trace()  # this worker's own snapshot after a clean install
        with open(args.results, 'a', encoding='utf-8') as out:
            for i, p in mine:
                failed += run_points(suite, [p], i, out)
    finally:
        world.stop()
        if os.environ.get('OTAD_TEST_KEEP') or failed:
            print(f'# kept {topdir}', flush=True)
        else:
            otadtest.remove_tree(topdir)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--fast', action='store_true')
    ap.add_argument('--full', action='store_true')
    ap.add_argument('--jobs', type=int, default=int(os.environ.get('OTAD_CRASH_JOBS', '0')),
                    help='points run in parallel processes, each with its own server and bus')
    ap.add_argument('--worker', type=int, default=-1, help=argparse.SUPPRESS)
    ap.add_argument('--points', help=argparse.SUPPRESS)
    ap.add_argument('--results', help=argparse.SUPPRESS)
    args = ap.parse_args()
    try:
        otadtest.env_path('OTAD_TEST_OTAD')
        otadtest.env_path('OTAD_TEST_FAULT_SHIM')
    except Exception as e:  # noqa: BLE001 - unittest.SkipTest
        print(f'1..0 # SKIP {e}')
        return 77
    if args.worker >= 0:
        return worker(args)
    jobs = max(args.jobs, 1)
    only = os.environ.get('OTAD_CRASH_ONLY')
    topdir = tempfile.mkdtemp(prefix='otad-crash-')
    world = World(topdir)
    results = []
    started = time.monotonic()
    try:
        world.start()
        suite = CrashSuite(world)
        install_trace, confirm_trace = suite.trace()
        points = make_points(install_trace, confirm_trace)
        print(f'# {len(points)} points from the trace of a clean update '
              f'({len(install_trace)} + {len(confirm_trace)} traced calls)', flush=True)
        if args.fast or not args.full:
            points = fast_points(points)
        if only:
            points = [p for p in points if re.search(only, str(p))]
        print(f'1..{len(points)}', flush=True)
        results_path = os.path.join(topdir, 'results.jsonl')
        if jobs <= 1 or len(points) <= 1:
            with open(results_path, 'w', encoding='utf-8') as out:
                run_points(suite, points, 1, out)
        else:
            world.stop()
            points_path = os.path.join(topdir, 'points.json')
            with open(points_path, 'w', encoding='utf-8') as f:
                json.dump([p.__dict__ for p in points], f)
            procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                       '--worker', str(w), '--jobs', str(jobs),
                                       '--points', points_path, '--results', results_path],
                                      stdin=subprocess.DEVNULL)
                     for w in range(jobs)]
            for proc in procs:
                proc.wait(timeout=7 * 3600)
        with open(results_path, encoding='utf-8') as f:
            results = sorted((json.loads(line) for line in f), key=lambda r: r['index'])
        for r in results:
            print(tap(r), flush=True)
    finally:
        world.stop()
        failed = [r for r in results if r['outcome'] == 'failed']
        if os.environ.get('OTAD_TEST_KEEP') or failed:
            print(f'# kept {topdir}')
        else:
            otadtest.remove_tree(topdir)
    killed = len([r for r in results if r['outcome'] == 'killed'])
    not_reached = len([r for r in results if r['outcome'] == 'not reached'])
    print(f'# crash points covered: {killed} killed and checked, {not_reached} not reached, '
          f'{len(failed)} failed, in {time.monotonic() - started:.0f} s ({jobs} jobs)',
          flush=True)
    if len(results) != len(points):
        print(f'# only {len(results)} of {len(points)} points have a result')
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
