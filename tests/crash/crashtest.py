# SPDX-License-Identifier: LGPL-2.1-or-later
"""Harness of the crash-consistency tests: a device (sysroot with A, U-Boot env in a
file) copied from a template for each run, the protocol test server, a private bus
and polkit from tests/engine/enginetest.py, and otad started with the fault library
(otad-fault-shim.c) preloaded.

Every wait is bounded in count and time; every process is stopped by its own handle."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'engine'))
import enginetest  # noqa: E402
from enginetest import otadtest, Client  # noqa: E402
from otadtest import run, write_file, SLOW, START_TIMEOUT  # noqa: E402

BUSY = ('checking', 'downloading', 'installing', 'confirming')
EVENT_TYPES = ('EcuDownloadStarted', 'EcuDownloadCompleted', 'EcuInstallationStarted',
               'EcuInstallationApplied', 'EcuInstallationCompleted')
SETTLE_TIMEOUT = 90 * SLOW


def fault_shim():
    path = otadtest.env_path('OTAD_TEST_FAULT_SHIM')
    preload = [path]
    asan = otadtest.asan_runtime(otadtest.env_path('OTAD_TEST_OTAD'))
    if asan:
        # the ASan runtime must come first in the library list
        preload.insert(0, asan)
    return ' '.join(preload)


class FaultDaemon(otadtest.Daemon):
    """otad with the fault library preloaded (faults only when `fault` is given)"""

    def __init__(self, topdir, bus, device, config_text, extra_args, fault_env):
        super().__init__(topdir, bus, device, config_text, extra_args)
        self.fault_env = fault_env

    def start(self):
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        write_file(self.config, self.config_text)
        self.log = open(self.log_path, 'a')
        env = dict(os.environ, LD_PRELOAD=fault_shim(), G_DEBUG='fatal-criticals',
                   **self.fault_env)
        # the library interposes libc: ASan must not refuse to start behind it
        env['ASAN_OPTIONS'] = 'verify_asan_link_order=0:' + env.get('ASAN_OPTIONS', '')
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + START_TIMEOUT
        for _ in range(int(START_TIMEOUT / 0.05) + 1):
            if self.proc.poll() is not None:
                return self  # a kill point during start-up: the caller looks
            if self.bus.name_has_owner(otadtest.BUS_NAME):
                return self
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        raise AssertionError(f'otad did not own {otadtest.BUS_NAME}:\n' + self.logs())

    def died(self, grace=0):
        """it exited (waiting up to grace seconds: the bus may tell before the kernel)"""
        if self.proc is None:
            return False
        if self.proc.poll() is not None:
            return True
        if grace > 0:
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                return False
            return True
        return False

    def reap(self):
        """after a kill point: the exit status, the handle closed"""
        rc = self.proc.wait(timeout=30)
        self.proc = None
        self.returncode = rc
        self.log.close()
        return rc


class Device(enginetest.Device):
    """a copy of the template device in its own directory"""

    @classmethod
    def copy_from(cls, template, topdir, copy=True):
        """the template's sysroot and env in topdir (copy=False: already there)"""
        d = cls.__new__(cls)
        d.topdir = topdir
        d.sysroot = otadtest.Sysroot(topdir)
        d.sysroot.commits = dict(template.commits)
        d.path = d.sysroot.path
        d.treehub = template.treehub
        d.commits = d.sysroot.commits
        d.health_pass = template.health_pass
        d.health_fail = template.health_fail
        if copy:
            os.makedirs(topdir, exist_ok=True)
            run(['cp', '-a', template.path, d.path])
            shutil.copy(os.path.join(template.topdir, 'uboot.env'),
                        os.path.join(topdir, 'uboot.env'))
        d.fw_env_config = os.path.join(topdir, 'fw_env.config')
        write_file(d.fw_env_config, os.path.join(topdir, 'uboot.env') + ' 0x0000 0x4000\n')
        return d

    def default(self):
        return self.admin_status()[0]

    def bootable(self, deployment):
        """its checkout has a kernel, and the active boot loader configuration has an
        entry for each deployment ostree lists (it writes them as one swap)"""
        deploy = os.path.join(self.path, 'ostree', 'deploy', deployment.osname, 'deploy',
                              f'{deployment.checksum}.{deployment.serial}')
        modules = os.path.join(deploy, 'usr', 'lib', 'modules')
        if not os.path.isdir(modules) or not any(
                os.path.exists(os.path.join(modules, k, 'vmlinuz')) for k in os.listdir(modules)):
            return False
        entries = os.path.join(self.path, 'boot', 'loader', 'entries')
        if not os.path.isdir(entries):
            return False
        return len([n for n in os.listdir(entries) if n.endswith('.conf')]) == \
            len(self.admin_status())


class TemplateDevice(enginetest.Device):
    """B smaller than the engine tests': each crash point downloads it twice"""
    EXTRA_FILES = 24
    EXTRA_FILE_BYTES = 4096


class World:
    """the shared parts: template device, server, bus, polkit"""

    def __init__(self, topdir):
        self.topdir = topdir
        self.server = self.bus = self.polkit = None

    def start(self):
        self.template = TemplateDevice(os.path.join(self.topdir, 'template')).create()
        self.server = enginetest.Server(self.topdir, self.template.treehub).start()
        self.server.offer(enginetest.TARGET, self.template.commits['B'], '2.0',
                          enginetest.CAMPAIGN)
        self.bus = otadtest.Bus(self.topdir).start()
        self.polkit = enginetest.Polkit(self.bus).start()
        self.polkit.set_allowed(enginetest.ALL_ACTIONS)
        return self

    def stop(self):
        for thing in (self.polkit, self.bus, self.server):
            if thing:
                thing.stop()


class Run:
    """one update on a fresh copy of the device, possibly with a kill point"""

    def __init__(self, world, name, source=None):
        """a fresh device, or a copy of the run directory `source` (device and state)"""
        self.world = world
        self.dir = os.path.join(world.topdir, 'runs', name)
        otadtest.remove_tree(self.dir)
        if source is None:
            self.device = Device.copy_from(world.template, self.dir)
        else:
            os.makedirs(os.path.dirname(self.dir), exist_ok=True)
            run(['cp', '-a', source, self.dir])
            self.device = Device.copy_from(world.template, self.dir, copy=False)
        self.state_dir = os.path.join(self.dir, 'otad', 'state')
        self.daemon = None
        self.client = None
        self.logs = []

    def roots(self):
        return ':'.join([self.state_dir, os.path.join(self.device.path, 'boot')])

    def start(self, booted, fault=None, name='d'):
        config = self.device.config(self.world.server, self.device.health_pass)
        env = {'OTAD_FAULT_ROOTS': self.roots()}
        env.update(fault or {})
        d = FaultDaemon(os.path.join(self.dir, 'otad'), self.world.bus, self.device, config,
                        [f'--test-booted-deployment={self.device.commits[booted]}'], env)
        d.log_path = os.path.join(self.dir, f'otad-{name}.log')
        self.logs.append(d.log_path)
        self.daemon = d.start()
        if self.client is None and not d.died():
            self.client = Client(self.world.bus.address)
        return d

    def stop(self):
        if self.daemon is not None:
            if self.daemon.died():
                self.daemon.reap()
            else:
                rc = self.daemon.stop()
                if rc != 0:
                    raise AssertionError(f'otad exited with {rc} on SIGTERM\n' + self.log_text())
        self.daemon = None

    def close(self):
        """never raises: it runs on the way out of a failure too"""
        try:
            self.stop()
        except Exception as e:  # noqa: BLE001
            print(f'# stopping otad: {e}'.splitlines()[0])
        if self.client is not None:
            self.client.close()
            self.client = None

    def log_text(self):
        out = []
        for p in self.logs:
            try:
                with open(p, encoding='utf-8', errors='replace') as f:
                    out.append(f'--- {os.path.basename(p)}\n' + f.read()[-6000:])
            except OSError:
                pass
        return '\n'.join(out)

    # -- driving ---------------------------------------------------------------

    def props(self):
        return self.client.props()

    def call(self, method):
        if self.daemon.died():
            return 'died'
        _, err = self.client.call(method)
        if err is not None and err not in ('WrongState', 'Busy') and self.daemon.died(5):
            return 'died'
        return err

    def wait(self, wanted, timeout=SETTLE_TIMEOUT):
        """until State is in wanted, or otad died: the properties, or None if it died"""
        deadline = time.monotonic() + timeout
        props = {}
        for _ in range(int(timeout / 0.1) + 1):
            if self.daemon.died():
                return None
            try:
                props = self.props()
            except Exception:  # noqa: BLE001 - the bus name vanished with a kill
                if self.daemon.died(5):
                    return None
                raise
            if props['State'] in wanted:
                return props
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        raise AssertionError(f'State {props.get("State")} ({props.get("ErrorName")}: '
                             f'{props.get("ErrorMessage")}), not {wanted}\n' + self.log_text())

    def settle(self):
        return self.wait([s for s in ('idle', 'update-available', 'downloaded', 'pending-reboot',
                                      'error', 'rolled-back', 'awaiting-consent')])

    def drive_install(self):
        """from wherever otad is to pending-reboot; False when otad died on the way"""
        for _ in range(8):
            props = self.settle()
            if props is None:
                return False
            state = props['State']
            if state == 'pending-reboot':
                return True
            if state in ('idle', 'error', 'rolled-back'):
                err = self.call('Check')
                if err == 'died':
                    return False
                if err is not None and err not in ('WrongState', 'Busy'):
                    raise AssertionError(f'Check(): {err}\n' + self.log_text())
                if self.wait(('update-available', 'downloaded', 'idle', 'error',
                              'pending-reboot')) is None:
                    return False
            elif state in ('update-available', 'downloaded'):
                err = self.call('Install')
                if err == 'died':
                    return False
                if err is not None and err not in ('WrongState', 'Busy'):
                    raise AssertionError(f'Install(): {err}\n' + self.log_text())
                if self.wait(('pending-reboot', 'error', 'update-available',
                              'downloaded')) is None:
                    return False
        raise AssertionError('no pending reboot after 8 steps\n' + self.log_text())

    def drive_confirm(self):
        """booted B: until confirmed (idle); False when otad died on the way"""
        return self.wait(('idle', 'rolled-back', 'error')) is not None

    # -- what the server saw -------------------------------------------------------

    def event_ids(self):
        """(event type, outcome) -> set of ids of this run's campaign; the outcome is
        None for the events without one"""
        ids = {}
        for t in EVENT_TYPES:
            for ev in enginetest.events(self.world.server.log(), t):
                body = ev.get('event', {})
                if body.get('correlationId') == enginetest.CAMPAIGN:
                    ids.setdefault((t, body.get('success')), set()).add(ev['id'])
        return ids


def kill_signal(rc):
    return rc in (-signal.SIGKILL, 137)


def read_trace(path):
    """[(kind, name, count)] in the order otad passed them"""
    points = []
    if not os.path.exists(path):
        return points
    with open(path, encoding='utf-8') as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                points.append((parts[0], parts[1], int(parts[2])))
    return points


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True)
