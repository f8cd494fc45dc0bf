# SPDX-License-Identifier: LGPL-2.1-or-later
"""Harness for the engine's end-to-end tests, on top of tests/integration/otadtest.py:
python-dbusmock's polkitd on the private bus, the protocol test server
(tests/server/otaserver.py) serving Director + Image repo metadata signed by its own
independent Python signer and a TreeHub (an archive OSTree repo), a test sysroot with
only A deployed, a U-Boot environment in a file, and health-check directories.

Every wait is bounded in count and time; every process is stopped by its own handle.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import otadtest  # noqa: E402,F401
from localemount import LOCALE_MOUNT_SCRIPT  # noqa: E402 (otadtest put tests/require on the path)
from otadtest import run, write_file, SLOW, START_TIMEOUT  # noqa: E402
from requiretool import require_module, require_program  # noqa: E402

# on top of otadtest's: the U-Boot environment (made here, edited by otad), the polkitd
# mock and the OTA server's signer; checked before anything starts
require_program('mkenvimage', 'u-boot-tools')
require_program('fw_printenv', 'libubootenv-tool')
require_program('fw_setenv', 'libubootenv-tool')
require_module('dbusmock', 'python3-dbusmock')
require_module('dbus', 'python3-dbus')
require_module('cryptography', 'python3-cryptography')
require_module('securesystemslib', 'python3-securesystemslib')

from gi.repository import Gio, GLib  # noqa: E402

SERVER = os.path.join(HERE, '..', 'server', 'otaserver.py')
PYTHON = '/usr/bin/python3'
HWID = 'otad-test-hw'
SERIAL = 'ecu-primary-1'
JOB_TIMEOUT = int(os.environ.get("OTAD_TEST_JOB_TIMEOUT", "120")) * SLOW
ERROR_PREFIX = 'org.otad.Updater1.Error.'


class Polkit:
    """python-dbusmock's polkitd template: everything denied until SetAllowed"""

    def __init__(self, bus):
        self.bus = bus
        self.proc = None

    def start(self):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus.address)
        self.proc = subprocess.Popen([PYTHON, '-m', 'dbusmock', '--session', '-t', 'polkitd'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, env=env)
        for _ in range(int(START_TIMEOUT / 0.05)):
            if self.bus.name_has_owner('org.freedesktop.PolicyKit1'):
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError('the polkitd mock did not start')

    def set_allowed(self, actions):
        run(['gdbus', 'call', '--address', self.bus.address,
             '--dest', 'org.freedesktop.PolicyKit1',
             '--object-path', '/org/freedesktop/PolicyKit1/Authority',
             '--method', 'org.freedesktop.DBus.Mock.SetAllowed', json.dumps(list(actions))])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


class Client:
    """plain GDBus calls to otad (independent of libota)"""

    def __init__(self, address):
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def close(self):
        self.conn.close_sync(None)

    def call(self, method, args=None, signature=None):
        """(reply, None) or (None, short error name)"""
        if args is None and method not in ('Cancel',):
            args = GLib.Variant('(a{sv})', ({},))
        try:
            reply = self.conn.call_sync(otadtest.BUS_NAME, otadtest.OBJECT_PATH,
                                        otadtest.INTERFACE, method, args,
                                        GLib.VariantType(signature) if signature else None,
                                        Gio.DBusCallFlags.NONE, 60000 * SLOW, None)
            return reply.unpack(), None
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e) or ''
            return None, name[len(ERROR_PREFIX):] if name.startswith(ERROR_PREFIX) else name

    def props(self):
        reply = self.conn.call_sync(otadtest.BUS_NAME, otadtest.OBJECT_PATH,
                                    'org.freedesktop.DBus.Properties', 'GetAll',
                                    GLib.Variant('(s)', (otadtest.INTERFACE,)),
                                    GLib.VariantType('(a{sv})'), Gio.DBusCallFlags.NONE,
                                    30000 * SLOW, None)
        return reply.unpack()[0]

    def wait_state(self, wanted, timeout=JOB_TIMEOUT, daemon=None):
        """wait until State is one of wanted; return the properties"""
        wanted = (wanted,) if isinstance(wanted, str) else tuple(wanted)
        deadline = time.monotonic() + timeout
        props = {}
        for _ in range(int(timeout / 0.1) + 1):
            props = self.props()
            if props['State'] in wanted:
                return props
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        logs = daemon.logs() if daemon else ''
        raise AssertionError(f'State is {props.get("State")} ({props.get("ErrorName")}: '
                             f'{props.get("ErrorMessage")}), not {wanted}\n{logs}')


class Server:
    """tests/server/otaserver.py with a TreeHub"""

    def __init__(self, topdir, treehub, args=()):
        self.dir = os.path.join(topdir, 'server')
        self.treehub = treehub
        self.args = list(args)     # e.g. ['--dialect', 'ota']
        self.proc = None
        self.info = None

    def start(self):
        self.proc = subprocess.Popen([PYTHON, SERVER, '--dir', self.dir, '--treehub',
                                      self.treehub] + self.args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        # the server writes server.json (port, control port) atomically once it listens
        info_path = os.path.join(self.dir, 'server.json')
        for _ in range(int(START_TIMEOUT / 0.05) + 1):
            if os.path.exists(info_path):
                with open(info_path, encoding='utf-8') as f:
                    self.info = json.load(f)
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError('otaserver.py did not start')

    @property
    def url(self):
        return f'https://127.0.0.1:{self.info["port"]}'

    def control(self, path, obj=None, method='POST'):
        data = json.dumps(obj or {}).encode() if method == 'POST' else None
        req = urllib.request.Request(f'http://127.0.0.1:{self.info["control_port"]}{path}',
                                     data=data, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def offer(self, name, commit, version, correlation_id):
        """the Director assigns commit to the primary ECU; the Image repo vouches for it"""
        self.control('/targets', {
            'repo': [{'name': name, 'sha256': commit, 'length': 0,
                      'custom': {'name': 'otadtest', 'version': version,
                                 'hardwareIds': [HWID], 'targetFormat': 'OSTREE'}}],
            'director': [{'name': name, 'sha256': commit, 'length': 0,
                          'custom': {'ecuIdentifiers': {SERIAL: {'hardwareId': HWID}}}}],
            'correlation_id': correlation_id})

    def log(self):
        return self.control('/log', method='GET')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


class Device:
    """a sysroot with A deployed (B only on the server), a U-Boot env in a file,
    health-check directories"""

    OSNAME = otadtest.Sysroot.OSNAME
    # what B adds: enough content that a download takes a moment
    EXTRA_FILES = 64
    EXTRA_FILE_BYTES = 16384

    def __init__(self, topdir, n_files=EXTRA_FILES):
        self.topdir = topdir
        self.n_files = n_files  # bench/run makes B larger
        self.sysroot = otadtest.Sysroot(topdir)
        self.path = self.sysroot.path
        self.treehub = os.path.join(topdir, 'repo')
        self.commits = self.sysroot.commits
        self.fw_env_config = os.path.join(topdir, 'fw_env.config')
        self.health_pass = os.path.join(topdir, 'health-pass')
        self.health_fail = os.path.join(topdir, 'health-fail')

    def create(self):
        s = self.sysroot
        tree = os.path.join(self.topdir, 'tree')
        write_file(os.path.join(tree, 'usr/lib/modules/6.1.0/vmlinuz'), 'kernel\n')
        write_file(os.path.join(tree, 'usr/lib/modules/6.1.0/initramfs.img'), 'initramfs\n')
        write_file(os.path.join(tree, 'usr/lib/os-release'),
                   f'NAME=otad test\nID={self.OSNAME}\nVERSION_ID=1.0\n')
        write_file(os.path.join(tree, 'usr/etc/hostname'), 'otadtest\n')
        # installed software as aktualizr's packages_file lists it ("NAME VERSION")
        write_file(os.path.join(tree, 'usr/package.manifest'), 'otadtest-base 1.0\nbusybox 1.36.1\n')
        os.makedirs(os.path.join(tree, 'var'), exist_ok=True)
        run(['ostree', f'--repo={self.treehub}', 'init', '--mode=archive'])
        s.repo = self.treehub
        self.commits['A'] = s._commit(tree, '1.0', 'version 1.0')
        # enough content that a download takes a moment
        for i in range(self.n_files):
            write_file(os.path.join(tree, f'usr/share/otadtest/file{i}'),
                       os.urandom(self.EXTRA_FILE_BYTES).hex())
        write_file(os.path.join(tree, 'usr/lib/os-release'),
                   f'NAME=otad test\nID={self.OSNAME}\nVERSION_ID=2.0\n')
        write_file(os.path.join(tree, 'usr/package.manifest'), 'otadtest-base 2.0\nbusybox 1.36.1\n')
        self.commits['B'] = s._commit(tree, '2.0', 'version 2.0')
        os.makedirs(self.path)
        run(['ostree', 'admin', 'init-fs', self.path])
        run(['ostree', 'admin', f'--sysroot={self.path}', 'os-init', self.OSNAME])
        sysrepo = os.path.join(self.path, 'ostree/repo')
        run(['ostree', f'--repo={sysrepo}', 'pull-local', self.treehub, self.commits['A']])
        run(['ostree', f'--repo={sysrepo}', 'refs', f'--create={self.OSNAME}:a',
             self.commits['A']])
        run(['ostree', 'admin', f'--sysroot={self.path}', 'deploy', f'--os={self.OSNAME}',
             self.commits['A']])
        # U-Boot environment in a plain file, as the boot tests make it
        env_txt = os.path.join(self.topdir, 'env.txt')
        env_img = os.path.join(self.topdir, 'uboot.env')
        write_file(self.fw_env_config, f'{env_img} 0x0000 0x4000\n')
        write_file(env_txt, 'bootcount=0\nupgrade_available=0\nbootlimit=3\n')
        run(['mkenvimage', '-s', '0x4000', '-o', env_img, env_txt])
        for d, code in ((self.health_pass, 0), (self.health_fail, 1)):
            script = os.path.join(d, '50-app')
            write_file(script, f'#!/bin/sh\necho checked\nexit {code}\n')
            os.chmod(script, 0o755)
        return self

    def fw_printenv(self, name):
        return run(['fw_printenv', '-c', self.fw_env_config, '-n', name]).stdout.strip()

    def admin_status(self):
        return self.sysroot.admin_status()

    def config(self, server, health_dir, extra=''):
        return (f'[server]\nurl={server.url}\n'
                f'ca-file={server.dir}/ca.pem\ncert={server.dir}/device.pem\n'
                f'key={server.dir}/device.key\ntimeout-sec=30\n'
                f'[device]\nhardware-id={HWID}\necu-serial={SERIAL}\n'
                f'[polling]\nenabled=false\n'
                f'[update]\npolicy=manual\n'
                f'[boot]\nbackend=uboot\nfw-env-config={self.fw_env_config}\n'
                f'[health]\ndirectories={health_dir}\ntimeout-sec=60\n'
                f'[tuf]\nroot-dir={server.dir}\n' + extra)


def events(log, event_id):
    """the events of one type the server received"""
    found = []
    for entry in log:
        if entry.get('method') == 'POST' and entry.get('path') == '/events':
            body = entry.get('json')
            for ev in body if isinstance(body, list) else [body]:
                if ev and ev.get('eventType', {}).get('id') == event_id:
                    found.append(ev)
    return found


def manifests(log):
    return [e for e in log if e.get('method') == 'PUT' and e.get('path') == '/director/manifest']


def localized_daemon(language):
    """an otadtest.Daemon class whose otad speaks LANGUAGE ('' for English) with the
    catalogues of the build tree (needs root for the mount namespace: skips otherwise,
    as the translations test does)"""
    build_po = otadtest.env_path('OTAD_TEST_BUILD_PO')
    localedir = os.environ.get('OTAD_TEST_LOCALEDIR', '')
    if not localedir:
        raise unittest.SkipTest('OTAD_TEST_LOCALEDIR is not set (not run from meson test?)')
    mo = os.path.join(build_po, 'de', 'LC_MESSAGES', 'otad.mo')
    if not os.path.isfile(mo):
        raise AssertionError(f'{mo} is not built')
    require_program('unshare', 'util-linux')
    require_program('mount', 'mount')
    if os.geteuid() != 0:
        raise unittest.SkipTest('needs root to show the build tree catalogue at LOCALEDIR')
    probe = run(['unshare', '--mount', '--propagation', 'private', 'true'], check=False)
    if probe.returncode != 0:
        raise unittest.SkipTest('no mount namespace here: ' + probe.stderr.strip())

    class LocalizedDaemon(otadtest.Daemon):
        def command(self):
            # gettext ignores LANGUAGE in the C locale: C.UTF-8 is not "C"
            return ['env', f'LANGUAGE={language}', 'LC_ALL=C.UTF-8', 'LANG=C.UTF-8',
                    f'BUILD_PO={build_po}', 'unshare', '--mount', '--propagation', 'private',
                    'sh', '-c', LOCALE_MOUNT_SCRIPT, 'sh', localedir] + super().command()

    return LocalizedDaemon


ALL_ACTIONS = ['org.otad.check', 'org.otad.install', 'org.otad.rollback']
TARGET = 'otadtest-2.0'
CAMPAIGN = 'campaign-42'


class UpdateTestCase(unittest.TestCase):
    """a fresh device, server, bus and polkit per test class"""

    SERVER_ARGS = ()  # more otaserver.py options for the class's server

    @classmethod
    def setUpClass(cls):
        cls.topdir = tempfile.mkdtemp(prefix='otad-engine-')
        cls.server = cls.bus = cls.polkit = None
        try:
            cls.device = Device(cls.topdir).create()
            cls.server = Server(cls.topdir, cls.device.treehub, cls.SERVER_ARGS).start()
            cls.server.offer(TARGET, cls.device.commits['B'], '2.0', CAMPAIGN)
            cls.bus = otadtest.Bus(cls.topdir).start()
            cls.polkit = Polkit(cls.bus).start()
            cls.polkit.set_allowed(ALL_ACTIONS)
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def cleanup(cls):
        for thing in (cls.polkit, cls.bus, cls.server):
            if thing:
                thing.stop()
        if os.environ.get('OTAD_TEST_KEEP'):
            print(f'# kept {cls.topdir}')
        else:
            otadtest.remove_tree(cls.topdir)

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    def start_otad(self, booted, health='pass', name='d', config=None, language=None):
        """otad with its state dir shared across restarts (name picks the log); with
        LANGUAGE, otad runs in that language ('' for English) from the build tree's
        catalogues"""
        if config is None:
            config = self.device.config(self.server, getattr(self.device, 'health_' + health))
        daemon_class = otadtest.Daemon if language is None else localized_daemon(language)
        d = daemon_class(os.path.join(self.topdir, 'otad'), self.bus, self.device, config,
                         [f'--test-booted-deployment={self.device.commits[booted]}'])
        d.log_path = os.path.join(self.topdir, f'otad-{name}.log')
        self.addCleanup(d.stop)
        d.start()
        client = Client(self.bus.address)
        self.addCleanup(client.close)
        return d, client

    def check_and_install(self, daemon, client):
        B = self.device.commits['B']
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('update-available', daemon=daemon)
        info = props['UpdateInfo']
        self.assertEqual(info['checksum'], B)
        self.assertEqual(info['name'], TARGET)
        self.assertEqual(info['version'], '2.0')
        self.assertEqual(info['correlation-id'], CAMPAIGN)
        self.assertEqual(info['hardware-id'], HWID)
        self.assertGreater(props['LastCheckTime'], 0)

        _, err = client.call('Install')
        self.assertIsNone(err)
        props = client.wait_state('pending-reboot', daemon=daemon)
        self.assertEqual(props['Progress'], 100)
        self.assertGreater(props['DownloadedBytes'], 0)
        self.assertEqual(props['PendingDeployment']['checksum'], B)
        return props

    def assert_slots(self, default, other):
        status = self.device.admin_status()
        self.assertEqual([d.checksum for d in status[:2]],
                         [self.device.commits[default], self.device.commits[other]])
