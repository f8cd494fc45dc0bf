# SPDX-License-Identifier: LGPL-2.1-or-later
"""Harness for otad's end-to-end tests: a real OSTree sysroot with two
deployments made with the ostree CLI, a private dbus-daemon, and the otad and
otactl binaries from the build tree.

Paths to the build come from the environment that tests/meson.build sets:
  OTAD_TEST_OTAD       daemon/otad
  OTAD_TEST_OTACTL     cli/otactl
  OTAD_TEST_CLIENT_DIR client/ (libota and the Ota-1.0 typelib)
  OTAD_TEST_SANITIZE   the b_sanitize option ('none', 'address,undefined', ...)

Every wait is bounded in both count and time; every process started here is
stopped by its own handle, never by name.
"""

import json
import os
import re
import shutil
import shlex
import signal
import subprocess
import tempfile
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'require'))
from requiretool import require_program, require_typelib  # noqa: E402

# what every test here runs; a missing one ends the test with one line naming the
# Debian package, before anything is started
require_program('ostree', 'ostree')
require_program('chattr', 'e2fsprogs')   # remove_tree: deployments are immutable
require_program('dbus-daemon', 'dbus-daemon')
require_program('gdbus', 'libglib2.0-bin')
require_typelib('GLib', '2.0', 'gir1.2-glib-2.0')
require_typelib('Gio', '2.0', 'gir1.2-glib-2.0')

BUS_NAME = 'org.otad.Updater'
OBJECT_PATH = '/org/otad/Updater'
INTERFACE = 'org.otad.Updater1'

# sanitized binaries start slowly; everything below scales with this
SLOW = 3 if os.environ.get('OTAD_TEST_SANITIZE', 'none') not in ('', 'none') else 1
START_TIMEOUT = 20 * SLOW
COMMAND_TIMEOUT = 60 * SLOW


def env_path(name):
    path = os.environ.get(name, '')
    if not path:
        raise unittest.SkipTest(f'{name} is not set (not run from meson test?)')
    if not os.path.exists(path):
        raise unittest.SkipTest(f'{path} is not built')
    return path


def run(cmd, check=True, timeout=COMMAND_TIMEOUT, **kwargs):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL, **kwargs)
    if check and res.returncode != 0:
        raise AssertionError(f'{cmd} failed with {res.returncode}:\n{res.stdout}{res.stderr}')
    return res


def remove_tree(path):
    """deployments carry the immutable bit: clear it, then delete"""
    if not os.path.lexists(path):
        return
    # chattr complains about symlinks and special files; what matters is rm
    subprocess.run(['chattr', '-R', '-i', path], capture_output=True, check=False,
                   timeout=COMMAND_TIMEOUT)
    shutil.rmtree(path)


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


class Deployment:
    """one line of `ostree admin status` with its Version"""

    def __init__(self, index, osname, checksum, serial, flags):
        self.index = index
        self.osname = osname
        self.checksum = checksum
        self.serial = serial
        self.flags = flags      # e.g. 'rollback', 'pending', 'staged'
        self.booted = False
        self.version = ''

    def __repr__(self):
        return f'<Deployment {self.index} {self.osname} {self.checksum}.{self.serial}>'


STATUS_RE = re.compile(r'^(?P<mark>[* ]) (?P<os>\S+) (?P<csum>[0-9a-f]{64})\.(?P<serial>\d+)'
                       r'(?: \((?P<flags>[^)]*)\))?$')


def parse_admin_status(text):
    """the deployments of `ostree admin status`, default first"""
    deployments = []
    for line in text.splitlines():
        m = STATUS_RE.match(line)
        if m:
            d = Deployment(len(deployments), m['os'], m['csum'], int(m['serial']),
                           (m['flags'] or '').split(', ') if m['flags'] else [])
            d.booted = m['mark'] == '*'
            deployments.append(d)
            continue
        m = re.match(r'^\s+Version: (.*)$', line)
        if m and deployments:
            deployments[-1].version = m[1].strip()
    return deployments


class Sysroot:
    """an OSTree sysroot with deployments of commits A (1.0) and B (2.0):
    B is the default (index 0), A the other slot (index 1)"""

    OSNAME = 'otadtest'
    REF = 'otadtest/x86_64/stable'

    def __init__(self, topdir):
        self.topdir = topdir
        self.path = os.path.join(topdir, 'sysroot')
        self.repo = os.path.join(topdir, 'repo')
        self.commits = {}

    def _commit(self, tree, version, subject):
        out = run(['ostree', f'--repo={self.repo}', 'commit', '-b', self.REF,
                   f'--add-metadata-string=version={version}', f'--tree=dir={tree}',
                   '--owner-uid=0', '--owner-gid=0', '--no-xattrs', '--generate-sizes',
                   '-s', subject])
        checksum = out.stdout.strip()
        if not re.fullmatch(r'[0-9a-f]{64}', checksum):
            raise AssertionError(f'ostree commit printed {out.stdout!r}')
        return checksum

    def create(self):
        tree = os.path.join(self.topdir, 'tree')
        # what `ostree admin deploy` needs: a kernel, a non-empty usr/etc,
        # a real os-release and a top-level var/
        write_file(os.path.join(tree, 'usr/lib/modules/6.1.0/vmlinuz'), 'kernel\n')
        write_file(os.path.join(tree, 'usr/lib/modules/6.1.0/initramfs.img'), 'initramfs\n')
        write_file(os.path.join(tree, 'usr/lib/os-release'),
                   f'NAME=otad test\nID={self.OSNAME}\nVERSION_ID=1.0\n')
        write_file(os.path.join(tree, 'usr/etc/hostname'), 'otadtest\n')
        os.makedirs(os.path.join(tree, 'var'), exist_ok=True)
        run(['ostree', f'--repo={self.repo}', 'init', '--mode=archive'])
        self.commits['A'] = self._commit(tree, '1.0', 'version 1.0')
        write_file(os.path.join(tree, 'usr/bin/newtool'), '#!/bin/sh\necho 2.0\n')
        write_file(os.path.join(tree, 'usr/lib/os-release'),
                   f'NAME=otad test\nID={self.OSNAME}\nVERSION_ID=2.0\n')
        self.commits['B'] = self._commit(tree, '2.0', 'version 2.0')

        os.makedirs(self.path)
        run(['ostree', 'admin', 'init-fs', self.path])
        run(['ostree', 'admin', f'--sysroot={self.path}', 'os-init', self.OSNAME])
        sysrepo = os.path.join(self.path, 'ostree/repo')
        run(['ostree', f'--repo={sysrepo}', 'pull-local', self.repo,
             self.commits['A'], self.commits['B']])
        # deploy's cleanup prunes every commit no ref holds
        for name, checksum in self.commits.items():
            run(['ostree', f'--repo={sysrepo}', 'refs',
                 f'--create={self.OSNAME}:{name.lower()}', checksum])
        for name in ('A', 'B'):
            run(['ostree', 'admin', f'--sysroot={self.path}', 'deploy',
                 f'--os={self.OSNAME}', self.commits[name]])
        return self

    def admin_status(self):
        res = run(['ostree', 'admin', f'--sysroot={self.path}', 'status'])
        deployments = parse_admin_status(res.stdout)
        if not deployments:
            raise AssertionError('no deployment in ostree admin status:\n' + res.stdout)
        return deployments


ACTIVATION_BUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={tmpdir}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{servicedir}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
'''


class Bus:
    """a private dbus-daemon (session configuration, so no system policy);
    with service_dir, it activates the services described there (dbus-daemon
    reads the directory again when a name it does not know is asked for)"""

    def __init__(self, topdir, service_dir=None):
        self.topdir = topdir
        self.service_dir = service_dir
        self.proc = None
        self.address = None

    def start(self):
        config = ['--session']
        if self.service_dir:
            os.makedirs(self.service_dir, exist_ok=True)
            path = os.path.join(self.topdir, 'bus.conf')
            write_file(path, ACTIVATION_BUS_CONFIG.format(tmpdir=tempfile.gettempdir(),
                                                          servicedir=self.service_dir))
            config = ['--config-file=' + path]
        self.proc = subprocess.Popen(['dbus-daemon'] + config + ['--nofork', '--nopidfile',
                                      '--print-address=1'],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line:
            raise AssertionError('dbus-daemon did not start: ' + self.proc.stderr.read())
        self.address = line
        return self

    def name_has_owner(self, name):
        res = run(['gdbus', 'call', '--address', self.address, '--dest', 'org.freedesktop.DBus',
                   '--object-path', '/org/freedesktop/DBus',
                   '--method', 'org.freedesktop.DBus.NameHasOwner', name])
        return res.stdout.strip() == '(true,)'

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc:
            self.proc.stdout.close()
            self.proc.stderr.close()
        self.proc = None


class Daemon:
    """otad on a private bus"""

    def __init__(self, topdir, bus, sysroot, config_text='', extra_args=()):
        self.topdir = topdir
        self.bus = bus
        self.sysroot = sysroot
        self.state_dir = os.path.join(topdir, 'state')
        self.config = os.path.join(topdir, 'otad.conf')
        self.log_path = os.path.join(topdir, 'otad.log')
        self.config_text = config_text
        self.extra_args = list(extra_args)
        self.proc = None
        self.returncode = None

    def command(self):
        return [env_path('OTAD_TEST_OTAD'), '--bus-address', self.bus.address,
                '--sysroot', self.sysroot.path, '--state-dir', self.state_dir,
                '--config', self.config, '--verbose'] + self.extra_args

    def start(self):
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        write_file(self.config, self.config_text)
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        for _ in range(int(START_TIMEOUT / 0.05) + 1):
            if self.proc.poll() is not None:
                raise AssertionError(f'otad exited with {self.proc.returncode}:\n' + self.logs())
            if self.bus.name_has_owner(BUS_NAME):
                return self
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        raise AssertionError(f'otad did not own {BUS_NAME} in {START_TIMEOUT}s:\n' + self.logs())

    def logs(self):
        try:
            with open(self.log_path, encoding='utf-8', errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def stop(self):
        """SIGTERM, and the exit status (otad must exit cleanly on it)"""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                self.returncode = 'killed after SIGTERM timeout'
        if self.returncode is None:
            self.returncode = self.proc.returncode
        self.proc = None
        self.log.close()
        return self.returncode


class ActivatedDaemon(Daemon):
    """otad as the bus activates it: a service file for org.otad.Updater whose
    Exec is a wrapper that runs the build-tree otad with the test options on the
    bus that started it ($DBUS_STARTER_ADDRESS), appending to the log and
    noting each start (CLOCK_MONOTONIC ns, pid) in starts.log"""

    def install(self):
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        write_file(self.config, self.config_text)
        self.starts_path = os.path.join(self.topdir, 'starts.log')
        wrapper = os.path.join(self.topdir, 'otad-activated')
        args = ' '.join(shlex.quote(a) for a in self.command()[3:])
        write_file(wrapper, '#!/bin/sh\n'
                   f'echo "$(cat /proc/uptime) $$" >> {shlex.quote(self.starts_path)}\n'
                   f'exec {shlex.quote(env_path("OTAD_TEST_OTAD"))} '
                   f'--bus-address "$DBUS_STARTER_ADDRESS" {args} '
                   f'>> {shlex.quote(self.log_path)} 2>&1\n')
        os.chmod(wrapper, 0o755)
        write_file(os.path.join(self.bus.service_dir, BUS_NAME + '.service'),
                   f'[D-BUS Service]\nName={BUS_NAME}\nExec={wrapper}\n')
        return self

    def starts(self):
        """[(uptime seconds, pid)] of each activation so far"""
        try:
            with open(self.starts_path, encoding='utf-8') as f:
                return [(float(line.split()[0]), int(line.split()[2])) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def stop(self):
        for _, pid in self.starts():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        return 0


def otactl(bus_address, *args, check=False, env=None):
    """run otactl from the build tree against the bus at bus_address"""
    cmd = [env_path('OTAD_TEST_OTACTL')]
    if bus_address:
        cmd += ['--bus-address', bus_address]
    return run(cmd + list(args), check=check, env=env)


def otactl_status_json(bus_address):
    res = otactl(bus_address, 'status', '--json', check=True)
    return json.loads(res.stdout)


def asan_runtime(library):
    """the ASan runtime a sanitized library needs preloaded into a host
    process (Python) that was not built with it, or None"""
    if os.environ.get('OTAD_TEST_SANITIZE', 'none') in ('', 'none'):
        return None
    res = run(['ldd', library], check=False)
    for line in res.stdout.splitlines():
        m = re.match(r'\s*(libasan\.so\S*|libclang_rt\.asan\S*)\s+=>\s+(\S+)', line)
        if m:
            return m[2]
    return None


class OtadTestCase(unittest.TestCase):
    """a fresh sysroot, bus and otad per test class; tests may start their
    own daemons with self.start_daemon()"""

    DAEMON_ARGS = ()
    CONFIG = ''
    START_DAEMON = True

    @classmethod
    def setUpClass(cls):
        cls.topdir = tempfile.mkdtemp(prefix='otad-it-')
        try:
            cls.sysroot = Sysroot(cls.topdir).create()
            cls.bus = Bus(cls.topdir).start()
            cls.daemon = None
            if cls.START_DAEMON:
                cls.daemon = Daemon(os.path.join(cls.topdir, 'd0'), cls.bus, cls.sysroot,
                                    cls.CONFIG, cls.expand_args(cls.DAEMON_ARGS)).start()
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def expand_args(cls, args):
        """'{A}' / '{B}' in daemon arguments become the commit checksums"""
        return [a.format(**cls.sysroot.commits) for a in args]

    @classmethod
    def cleanup(cls):
        rc = None
        if getattr(cls, 'daemon', None):
            rc = cls.daemon.stop()
        if getattr(cls, 'bus', None):
            cls.bus.stop()
        if os.environ.get('OTAD_TEST_KEEP'):
            print(f'# kept {cls.topdir}')
        else:
            remove_tree(cls.topdir)
        return rc

    @classmethod
    def tearDownClass(cls):
        logs = cls.daemon.logs() if getattr(cls, 'daemon', None) else ''
        rc = cls.cleanup()
        if rc not in (None, 0):
            raise AssertionError(f'otad did not exit cleanly on SIGTERM ({rc}):\n{logs}')

    def start_daemon(self, name, config_text='', extra_args=()):
        d = Daemon(os.path.join(self.topdir, name), self.bus, self.sysroot, config_text,
                   self.expand_args(extra_args))
        self.addCleanup(d.stop)
        return d.start()


def main():
    """unittest.main, but exit 77 (meson's SKIP) when every test was skipped,
    so a missing binary shows up as skipped rather than passed"""
    prog = unittest.main(verbosity=2, exit=False)
    result = prog.result
    if not result.wasSuccessful():
        raise SystemExit(1)
    if result.skipped and len(result.skipped) >= result.testsRun:
        raise SystemExit(77)
    raise SystemExit(0)
