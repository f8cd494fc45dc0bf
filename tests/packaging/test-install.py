#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""meson install --destdir into a temporary directory, then check that every
file landed where the system looks for it and that each is valid for the
program that reads it (xmllint, dbus-daemon, systemd-analyze,
systemd-tmpfiles)."""

import argparse
import configparser
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'require'))
from requiretool import require_file, require_program, require_typelib  # noqa: E402

ARGS = None
POLKIT_DTD = '/usr/share/polkit-1/policyconfig-1.dtd'

# every program these tests hand a file to; a missing one ends the test with one line
# naming the Debian package (never a skip, which would pass the file unchecked)
require_program('xmllint', 'libxml2-utils')
require_file(POLKIT_DTD, 'polkitd')
require_program('dbus-daemon', 'dbus-daemon')
require_program('gdbus', 'libglib2.0-bin')
require_program('setpriv', 'util-linux')
require_program('systemd-analyze', 'systemd')
require_program('systemd-tmpfiles', 'systemd')
require_typelib('Gio', '2.0', 'gir1.2-glib-2.0')   # fake-otad.py
ACTIONS = ['org.otad.check', 'org.otad.install', 'org.otad.configure', 'org.otad.reboot',
           'org.otad.rollback']


def run(cmd, **kwargs):
    kwargs.setdefault('timeout', 120)
    return subprocess.run(cmd, check=False, capture_output=True, text=True, **kwargs)


class InstallTest(unittest.TestCase):
    destdir = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='otad-install-')
        cls.destdir = os.path.join(cls.tmp, 'root')
        env = dict(os.environ, DESTDIR=cls.destdir)
        res = run([ARGS.meson, 'install', '-C', ARGS.build_dir, '--no-rebuild', '--quiet'],
                  env=env, timeout=600)
        if res.returncode != 0:
            raise RuntimeError('meson install failed:\n' + res.stdout + res.stderr)
        with open(os.path.join(ARGS.build_dir, 'meson-info', 'intro-installed.json')) as f:
            cls.installed = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def dest(self, path):
        self.assertTrue(os.path.isabs(path), path)
        return os.path.join(self.destdir, path.lstrip('/'))

    def read(self, path):
        with open(self.dest(path), encoding='utf-8') as f:
            return f.read()

    def test_expected_locations(self):
        """each data file is at the path the system reads it from"""
        for path in ARGS.expect:
            with self.subTest(path=path):
                st = os.stat(self.dest(path))
                self.assertTrue(stat.S_ISREG(st.st_mode), path)
                self.assertGreater(st.st_size, 0, path)
        self.assertTrue(os.path.isdir(self.dest(os.path.join(ARGS.sysconfdir, 'otad',
                                                             'otad.conf.d'))))
        mo = os.path.join(ARGS.localedir, 'de', 'LC_MESSAGES', 'otad.mo')
        self.assertTrue(os.path.isfile(self.dest(mo)), mo)

    def test_everything_meson_installs_landed(self):
        """every entry of meson's install plan exists under DESTDIR"""
        self.assertGreater(len(self.installed), 0)
        for src, dst in self.installed.items():
            with self.subTest(dst=dst):
                self.assertTrue(os.path.lexists(self.dest(dst)), f'{src} -> {dst}')

    def test_polkit_policy(self):
        path = self.dest(ARGS.polkit_policy)
        res = run(['xmllint', '--noout', '--dtdvalid', POLKIT_DTD, path])
        self.assertEqual(res.returncode, 0, res.stderr)
        root = ET.parse(path).getroot()
        ids = [a.get('id') for a in root.findall('action')]
        self.assertEqual(sorted(ids), sorted(ACTIONS))
        lang = '{http://www.w3.org/XML/1998/namespace}lang'
        for action in root.findall('action'):
            with self.subTest(action=action.get('id')):
                for tag in ('description', 'message'):
                    plain = [e for e in action.findall(tag) if e.get(lang) is None]
                    german = [e for e in action.findall(tag) if e.get(lang) == 'de']
                    self.assertEqual(len(plain), 1)
                    # the German translation was merged in by i18n.merge_file
                    self.assertEqual(len(german), 1, f'no German {tag}')
                    self.assertNotEqual(german[0].text, plain[0].text)
                defaults = action.find('defaults')
                for key in ('allow_any', 'allow_inactive', 'allow_active'):
                    self.assertIn(defaults.findtext(key),
                                  ('no', 'yes', 'auth_self', 'auth_admin',
                                   'auth_self_keep', 'auth_admin_keep'))
                # nothing is granted to remote/service callers without a password
                self.assertNotEqual(defaults.findtext('allow_any'), 'yes')
        # implied actions must exist
        for annotate in root.iter('annotate'):
            if annotate.get('key') == 'org.freedesktop.policykit.imply':
                for implied in annotate.text.split():
                    self.assertIn(implied, ACTIONS)
        # a SECURITY: comment on each default (checked on the source, comments
        # survive merge_file too)
        self.assertEqual(self.read(ARGS.polkit_policy).count('SECURITY:'), len(ACTIONS))

    def test_bus_policy(self):
        path = self.dest(ARGS.bus_policy)
        res = run(['xmllint', '--noout', path])
        self.assertEqual(res.returncode, 0, res.stderr)
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, 'busconfig')
        owners = [(p.get('user'), a.get('own')) for p in root.findall('policy')
                  for a in p.findall('allow') if a.get('own')]
        self.assertEqual(owners, [('root', 'org.otad.Updater')])
        default = [p for p in root.findall('policy') if p.get('context') == 'default']
        self.assertEqual(len(default), 1)
        allowed = set()
        for a in default[0].findall('allow'):
            self.assertEqual(a.get('send_destination'), 'org.otad.Updater')
            allowed.add((a.get('send_interface'), a.get('send_member')))
        self.assertEqual(allowed, {
            ('org.otad.Updater1', None),
            ('org.freedesktop.DBus.Introspectable', None),
            ('org.freedesktop.DBus.Peer', None),
            ('org.freedesktop.DBus.Properties', 'Get'),
            ('org.freedesktop.DBus.Properties', 'GetAll'),
        })

    def start_system_like_bus(self):
        """a dbus-daemon with the default policy of Debian's system bus plus
        otad's installed policy; returns (process, address)"""
        busdir = os.path.join(self.tmp, 'bus')
        os.makedirs(busdir, exist_ok=True)
        # the socket must be reachable by the unprivileged test user
        os.chmod(self.tmp, 0o755)
        os.chmod(busdir, 0o755)
        conf = os.path.join(busdir, 'bus.conf')
        sock = os.path.join(busdir, 'bus.sock')
        with open(conf, 'w') as f:
            f.write(f'''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={sock}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
  </policy>
  <include>{self.dest(ARGS.bus_policy)}</include>
</busconfig>
''')
        proc = subprocess.Popen(['dbus-daemon', '--nofork', '--nopidfile',
                                 f'--config-file={conf}', '--print-address=1'],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_process, proc)
        line = proc.stdout.readline().strip()
        self.assertIn(sock, line, 'dbus-daemon did not start with the policy: '
                      + ('' if line else proc.stderr.read()))
        return proc, line

    @staticmethod
    def stop_process(proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe:
                pipe.close()

    def test_bus_policy_enforced(self):
        """on a bus with the installed policy an unprivileged caller may
        reach org.otad.Updater1, Introspectable, Peer and Properties.Get, but
        not Properties.Set, other interfaces, or own the name"""
        if os.geteuid() != 0:
            self.skipTest('needs root to act as root and as nobody')
        _, address = self.start_system_like_bus()
        xml = next(p for p in self.installed.values() if p.endswith('/org.otad.Updater1.xml'))
        fake = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__),
                                                              'fake-otad.py'),
                                 address, self.dest(xml)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_process, fake)
        self.assertEqual(fake.stdout.readline().strip(), 'ready', 'root could not own the name')

        def call(method, *args, dest='org.otad.Updater', path='/org/otad/Updater'):
            return run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                        'gdbus', 'call', '--address', address, '--dest', dest,
                        '--object-path', path, '--method', method, *args], timeout=30)

        denied = 'org.freedesktop.DBus.Error.AccessDenied'
        res = call('org.freedesktop.DBus.Properties.Get', 'org.otad.Updater1', 'State')
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("'idle'", res.stdout)
        res = call('org.freedesktop.DBus.Properties.GetAll', 'org.otad.Updater1')
        self.assertNotIn(denied, res.stderr)
        res = call('org.freedesktop.DBus.Introspectable.Introspect')
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn('org.otad.Updater1', res.stdout)
        res = call('org.freedesktop.DBus.Peer.Ping')
        self.assertEqual(res.returncode, 0, res.stderr)
        # a method of the interface reaches otad (which answers, here it does
        # not know it), not the bus' AccessDenied
        res = call('org.otad.Updater1.NoSuchMethod')
        self.assertNotEqual(res.returncode, 0)
        self.assertNotIn(denied, res.stderr)
        self.assertIn('UnknownMethod', res.stderr)

        res = call('org.freedesktop.DBus.Properties.Set', 'org.otad.Updater1', 'State', "<'x'>")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn(denied, res.stderr)
        res = call('org.otad.Test.Ping')
        self.assertNotEqual(res.returncode, 0)
        self.assertIn(denied, res.stderr)
        res = call('org.freedesktop.DBus.RequestName', 'org.otad.Updater', 'uint32 4',
                   dest='org.freedesktop.DBus', path='/org/freedesktop/DBus')
        self.assertNotEqual(res.returncode, 0)
        self.assertIn(denied, res.stderr)
        fake.stdin.close()
        self.assertEqual(fake.wait(timeout=30), 0)
        self.assertNotIn('reached the service', fake.stdout.read())

    def test_dbus_activation_file(self):
        cp = configparser.ConfigParser(interpolation=None)
        cp.optionxform = str
        cp.read_string(self.read(ARGS.dbus_service))
        sec = cp['D-BUS Service']
        self.assertEqual(sec['Name'], 'org.otad.Updater')
        self.assertEqual(sec['Exec'], os.path.join(ARGS.libexecdir, 'otad'))
        self.assertEqual(sec['User'], 'root')
        self.assertEqual(sec['SystemdService'], 'otad.service')
        self.assertEqual(os.path.basename(ARGS.dbus_service), sec['Name'] + '.service')

    def unit(self):
        cp = configparser.ConfigParser(interpolation=None, strict=False)
        cp.optionxform = str
        cp.read_string(self.read(ARGS.unit))
        return cp

    def test_systemd_unit(self):
        svc = self.unit()['Service']
        # READY=1 and STATUS= are read only by Type=notify; the watchdog restarts a
        # wedged otad
        self.assertEqual(svc['Type'], 'notify')
        self.assertEqual(svc['NotifyAccess'], 'main')
        self.assertEqual(svc['BusName'], 'org.otad.Updater')
        self.assertEqual(svc['WatchdogSec'], '60s')
        self.assertEqual(svc['ExecStart'], os.path.join(ARGS.libexecdir, 'otad'))
        self.assertEqual(svc['StateDirectory'], 'otad')
        self.assertEqual(svc['StateDirectoryMode'], '0700')
        self.assertEqual(svc['ProtectSystem'], 'strict')
        self.assertIn('/sysroot', svc['ReadWritePaths'].split())
        self.assertEqual(svc['NoNewPrivileges'], 'yes')
        # the binary ExecStart names is the one meson installs (once it is built)
        otad = os.path.join(ARGS.libexecdir, 'otad')
        if otad in self.installed.values():
            self.assertTrue(os.access(self.dest(otad), os.X_OK))

    def test_systemd_unit_verifies(self):
        # point ExecStart into DESTDIR so verify finds an executable
        exe = os.path.join(self.tmp, 'otad-exe')
        with open(exe, 'w') as f:
            f.write('#!/bin/sh\n')
        os.chmod(exe, 0o755)
        unit = os.path.join(self.tmp, 'otad.service')
        with open(unit, 'w') as f:
            for line in self.read(ARGS.unit).splitlines():
                f.write(f'ExecStart={exe}\n' if line.startswith('ExecStart=') else line + '\n')
        res = run(['systemd-analyze', 'verify', '--man=no', unit])
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(res.stderr.strip(), '')
        # the sandbox must not get weaker: exposure 3.2 ("OK") when written, and
        # --threshold fails the command above it
        res = run(['systemd-analyze', 'security', '--offline=yes', '--threshold=32',
                   '--no-pager', unit])
        self.assertEqual(res.returncode, 0, res.stdout[-2000:] + res.stderr)
        m = re.search(r'Overall exposure level for otad.service: (\d+\.\d+)', res.stdout)
        self.assertIsNotNone(m, res.stdout[-2000:])
        print(f'# systemd-analyze security: exposure {m[1]}')
        self.assertLessEqual(float(m[1]), 3.2)

    def test_check_timer(self):
        """otad-check.timer starts otad-check.service, which activates otad over D-Bus"""
        unitdir = os.path.dirname(ARGS.unit)
        timer = configparser.ConfigParser(interpolation=None, strict=False)
        timer.optionxform = str
        timer.read_string(self.read(os.path.join(unitdir, 'otad-check.timer')))
        self.assertEqual(timer['Timer']['Persistent'], 'true')
        self.assertIn('RandomizedDelaySec', timer['Timer'])
        self.assertEqual(timer['Install']['WantedBy'], 'timers.target')
        svc = configparser.ConfigParser(interpolation=None, strict=False)
        svc.optionxform = str
        svc.read_string(self.read(os.path.join(unitdir, 'otad-check.service')))
        exec_start = svc['Service']['ExecStart'].split()
        self.assertEqual(os.path.basename(exec_start[0]), 'busctl')
        self.assertIn('org.otad.Updater', exec_start)
        if not shutil.which('systemd-analyze'):
            self.skipTest('systemd-analyze not installed (package systemd)')
        tmpdir = os.path.join(self.tmp, 'check-units')
        os.makedirs(tmpdir, exist_ok=True)
        for name in ('otad-check.timer', 'otad-check.service'):
            shutil.copy(self.dest(os.path.join(unitdir, name)), tmpdir)
        res = run(['systemd-analyze', 'verify', '--man=no',
                   os.path.join(tmpdir, 'otad-check.timer'),
                   os.path.join(tmpdir, 'otad-check.service')])
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(res.stderr.strip(), '')

    # system calls libostree and otad make while deploying (remounting
    # /sysroot, freezing /boot, checking out trees with owners, modes, xattrs
    # and the immutable bit, syncing)
    NEEDED_SYSCALLS = ['unshare', 'mount', 'umount2', 'ioctl', 'syncfs', 'fsync', 'fchownat',
                       'fchmodat', 'fsetxattr', 'linkat', 'renameat2', 'symlinkat', 'utimensat',
                       'copy_file_range', 'fallocate', 'statx', 'openat']

    def test_syscall_filter_allows_ostree(self):
        res = run(['systemd-analyze', 'syscall-filter'])
        self.assertEqual(res.returncode, 0, res.stderr)
        groups, cur = {}, None
        for line in res.stdout.splitlines():
            if line.startswith('@'):
                cur = line.split()[0]
                groups[cur] = []
            elif cur and line.strip() and not line.strip().startswith('#'):
                groups[cur].append(line.strip())

        def expand(name, seen):
            out = set()
            for item in groups.get(name, []):
                if item.startswith('@'):
                    if item not in seen:
                        seen.add(item)
                        out |= expand(item, seen)
                else:
                    out.add(item)
            return out

        spec = self.unit()['Service']['SystemCallFilter'].split()
        self.assertFalse(any(x.startswith('~') for x in spec), 'expected an allow list')
        allowed = set()
        for item in spec:
            allowed |= expand(item, set()) if item.startswith('@') else {item}
        self.assertGreater(len(allowed), 100)
        missing = [s for s in self.NEEDED_SYSCALLS if s not in allowed]
        self.assertEqual(missing, [], 'SystemCallFilter= blocks system calls ostree needs')

    def test_tmpfiles_creates_state_dir(self):
        root = os.path.join(self.tmp, 'tmpfiles-root')
        os.makedirs(root)
        res = run(['systemd-tmpfiles', f'--root={root}', '--create', self.dest(ARGS.tmpfiles)])
        self.assertEqual(res.returncode, 0, res.stderr)
        st = os.stat(os.path.join(root, 'var/lib/otad'))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o700)
        self.assertTrue(os.path.isdir(os.path.join(root, 'run/ostree')))

    def test_default_config_is_all_comments(self):
        """the shipped otad.conf parses and sets nothing (defaults are built in)"""
        text = self.read(os.path.join(ARGS.sysconfdir, 'otad', 'otad.conf'))
        cp = configparser.ConfigParser(interpolation=None)
        cp.read_string(text)
        self.assertGreater(len(cp.sections()), 0)
        for sec in cp.sections():
            self.assertEqual(dict(cp[sec]), {}, f'[{sec}] sets a key')


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument('--meson', required=True)
    p.add_argument('--build-dir', required=True)
    p.add_argument('--libexecdir', required=True)
    p.add_argument('--sysconfdir', required=True)
    p.add_argument('--localedir', required=True)
    p.add_argument('--unit', required=True)
    p.add_argument('--dbus-service', required=True)
    p.add_argument('--bus-policy', required=True)
    p.add_argument('--polkit-policy', required=True)
    p.add_argument('--tmpfiles', required=True)
    p.add_argument('--expect', action='append', default=[])
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
