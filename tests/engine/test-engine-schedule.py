#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Schedules, the reboot policy, the configuration at run time and network conditions,
through otad on a private bus.

The clock is the real one: each window is computed from the local time now, opening a
few seconds later (the syntax takes seconds), so a test waits seconds, not hours.
python-dbusmock stands in for logind (its Reboot is recorded, its block inhibitors are
listed) and for NetworkManager (its Metered property, which GLib's network monitor reads
in gnetworkmonitornm.c when GIO_USE_NETWORK_MONITOR=networkmanager); both run on the
private bus, which otad is told is also the system bus."""

import datetime
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, UpdateTestCase, ALL_ACTIONS, PYTHON  # noqa: E402
from otadtest import run, START_TIMEOUT, SLOW  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

CONFIGURE = ALL_ACTIONS + ['org.otad.configure', 'org.otad.reboot']
LOGIND = ('org.freedesktop.login1', '/org/freedesktop/login1')
NM = ('org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager')
MOCK_IFACE = 'org.freedesktop.DBus.Mock'


class FreshState(UpdateTestCase):
    """each test starts otad with an empty state directory (and so idle)"""

    def setUp(self):
        shutil.rmtree(os.path.join(self.topdir, 'otad'), ignore_errors=True)


class Mock:
    """a python-dbusmock template on the private bus"""

    def __init__(self, bus, template, name):
        self.bus = bus
        self.template = template
        self.name = name
        self.proc = None

    def start(self):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus.address)
        self.proc = subprocess.Popen([PYTHON, '-m', 'dbusmock', '--session', '-t', self.template],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, env=env)
        for _ in range(int(START_TIMEOUT / 0.05)):
            if self.bus.name_has_owner(self.name):
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f'the {self.template} mock did not start')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def window_from_now(start_s, length_s=3600):
    """a daily window (HH:MM:SS-HH:MM:SS, local time) opening start_s from now; its
    opening as Unix seconds"""
    now = datetime.datetime.now().replace(microsecond=0)
    start = now + datetime.timedelta(seconds=start_s)
    end = start + datetime.timedelta(seconds=length_s)
    return f'{start:%H:%M:%S}-{end:%H:%M:%S}', int(start.timestamp())


def window_closed_now():
    """a daily window that opened an hour ago and closed a second ago (opens in ~23 h)"""
    now = datetime.datetime.now().replace(microsecond=0)
    start = now - datetime.timedelta(hours=1)
    end = now - datetime.timedelta(seconds=1)
    return f'{start:%H:%M:%S}-{end:%H:%M:%S}'


def v(value):
    if isinstance(value, bool):
        return GLib.Variant('b', value)
    if isinstance(value, int):
        return GLib.Variant('t', value)
    return GLib.Variant('s', value)


def set_config(client, values):
    return client.call('SetConfiguration', GLib.Variant(
        '(a{sv}a{sv})', ({k: v(x) for k, x in values.items()}, {})))


def get_config(client):
    reply, err = client.call('GetConfiguration', signature='(a{sv})')
    assert err is None, err
    return reply[0]


def wait_props(client, pred, timeout, daemon, what):
    deadline = time.monotonic() + timeout
    props = {}
    for _ in range(int(timeout / 0.1) + 1):
        props = client.props()
        if pred(props):
            return props
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    raise AssertionError(f'{what}: {props.get("State")} waiting for '
                         f'{props.get("WaitingFor")!r}\n{daemon.logs()}')


class InstallWindow(FreshState):
    """Install outside the install window waits for it and runs when it opens; the
    windows and policies set at run time persist across a restart, validated, and only
    with org.otad.configure"""

    def test_install_waits_for_window(self):
        self.polkit.set_allowed(CONFIGURE)
        daemon, client = self.start_otad('A', name='window')
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        _, err = client.call('Download')
        self.assertIsNone(err)
        client.wait_state('downloaded', daemon=daemon)

        # a closed window: Install is accepted and waits, saying until when
        _, err = set_config(client, {'schedule.install-window': window_closed_now()})
        self.assertIsNone(err)
        _, err = client.call('Install')
        self.assertIsNone(err)
        props = client.props()
        self.assertEqual(props['State'], 'downloaded')
        self.assertEqual(props['WaitingFor'], 'install-window')
        self.assertGreater(props['WaitingUntil'], time.time() + 22 * 3600)
        self.assertEqual(props['UpdateInfo']['blocked-by'], 'install-window')
        time.sleep(1)
        self.assertEqual(client.props()['State'], 'downloaded')

        # a window opening in a few seconds: otad's timer starts the install then
        window, opens = window_from_now(4 * SLOW)
        _, err = set_config(client, {'schedule.install-window': window})
        self.assertIsNone(err)
        props = client.props()
        self.assertEqual(props['WaitingFor'], 'install-window')
        self.assertEqual(props['WaitingUntil'], opens)
        self.assertEqual(props['State'], 'downloaded')
        props = client.wait_state('pending-reboot', daemon=daemon)
        self.assertGreaterEqual(time.time(), opens)
        self.assertEqual(props['WaitingFor'], 'reboot')   # the default policy asks
        self.assertIs(props['RebootRequired'], True)
        self.assertEqual(props['PendingDeployment']['checksum'], self.device.commits['B'])

        # what was set at run time survives a restart, and reset goes back to the file
        self.assertEqual(daemon.stop(), 0)
        daemon, client = self.start_otad('A', name='window-again')
        self.assertEqual(get_config(client)['schedule.install-window'], window)
        _, err = client.call('ResetConfiguration', GLib.Variant(
            '(asa{sv})', (['schedule.install-window'], {})))
        self.assertIsNone(err)
        self.assertEqual(get_config(client)['schedule.install-window'], '')
        with open(os.path.join(daemon.state_dir, 'run-config.json')) as f:
            saved = json.load(f)
        self.assertNotIn('schedule.install-window', saved)

    def test_configuration_checked_and_authorised(self):
        self.polkit.set_allowed(ALL_ACTIONS)
        daemon, client = self.start_otad('A', name='config')
        values = get_config(client)
        self.assertEqual(values, {
            'update.policy': 'manual', 'schedule.download-window': '',
            'schedule.install-window': '', 'schedule.reboot-window': '',
            'schedule.reboot-policy': 'ask', 'network.allow-metered': False,
            'network.max-download-rate': 0})
        # without org.otad.configure: refused, nothing changes
        _, err = set_config(client, {'update.policy': 'automatic'})
        self.assertEqual(err, 'AuthFailed')
        self.assertEqual(client.props()['Policy'], 'manual')

        self.polkit.set_allowed(CONFIGURE)
        for values, error in (({'update.policy': 'sometimes'}, 'InvalidConfig'),
                              ({'schedule.reboot-window': 'Mon 25:00-26:00'}, 'InvalidConfig'),
                              ({'network.allow-metered': 'yes'}, 'InvalidArgument'),
                              ({'server.url': 'https://evil.example'}, 'InvalidArgument'),
                              # one bad value: the good one is not applied either
                              ({'update.policy': 'automatic',
                                'schedule.reboot-policy': 'always'}, 'InvalidConfig')):
            _, err = set_config(client, values)
            self.assertEqual(err, error, values)
        self.assertEqual(client.props()['Policy'], 'manual')

        _, err = set_config(client, {'update.policy': 'consent',
                                     'schedule.reboot-policy': 'never',
                                     'network.max-download-rate': 1000000})
        self.assertIsNone(err)
        self.assertEqual(client.props()['Policy'], 'consent')
        self.assertEqual(daemon.stop(), 0)
        # the file is the state directory's, written whole
        path = os.path.join(daemon.state_dir, 'run-config.json')
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path) as f:
            saved = json.load(f)
        self.assertEqual(saved, {
            'update.policy': 'consent', 'schedule.reboot-policy': 'never',
            'network.max-download-rate': 1000000})
        daemon, client = self.start_otad('A', name='config-again')
        self.assertEqual(client.props()['Policy'], 'consent')
        values = get_config(client)
        self.assertEqual(values['schedule.reboot-policy'], 'never')
        self.assertEqual(values['network.max-download-rate'], 1000000)
        _, err = client.call('ResetConfiguration', GLib.Variant(
            '(asa{sv})', (['update.policy', 'schedule.reboot-policy',
                           'network.max-download-rate'], {})))
        self.assertIsNone(err)
        self.assertEqual(client.props()['Policy'], 'manual')


    def otactl(self, *args):
        return run([os.environ['OTAD_TEST_OTACTL'], '--bus-address', self.bus.address,
                    '--no-interactive', *args], check=False)

    def test_otactl_config_schedule_reboot(self):
        self.polkit.set_allowed(ALL_ACTIONS)
        daemon, client = self.start_otad('A', name='otactl')
        res = self.otactl('config', 'get', 'update.policy')
        self.assertEqual((res.returncode, res.stdout), (0, 'manual\n'), res.stderr)
        # not authorised: exit 4, nothing changed
        res = self.otactl('config', 'set', 'update.policy', 'consent')
        self.assertEqual(res.returncode, 4, res.stdout + res.stderr)
        self.polkit.set_allowed(CONFIGURE)
        res = self.otactl('config', 'set', 'network.allow-metered', 'maybe')
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        res = self.otactl('config', 'set', 'network.max-download-rate', '500000')
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        res = self.otactl('schedule', 'install', 'Mon..Fri 02:00-04:00')
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        res = self.otactl('--json', 'config', 'get')
        self.assertEqual(res.returncode, 0, res.stderr)
        values = json.loads(res.stdout)
        self.assertEqual(values['network.max-download-rate'], 500000)
        self.assertEqual(values['schedule.install-window'], 'Mon..Fri 02:00-04:00')
        self.assertIs(values['network.allow-metered'], False)
        res = self.otactl('--json', 'schedule')
        self.assertEqual(json.loads(res.stdout)['install'], 'Mon..Fri 02:00-04:00')
        self.assertIn('Mon..Fri 02:00-04:00', self.otactl('schedule').stdout)
        res = self.otactl('config', 'reset', 'schedule.install-window',
                          'network.max-download-rate')
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(get_config(client)['schedule.install-window'], '')
        # nothing needs a reboot
        res = self.otactl('--json', 'reboot')
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertEqual(json.loads(res.stdout)['error']['name'],
                         'org.otad.Updater1.Error.WrongState')
        res = self.otactl('config', 'set', 'update.policy')
        self.assertEqual(res.returncode, 2)


class RebootPolicy(UpdateTestCase):
    """After a failed health check otad marks the rollback and never reboots on its own
    outside the policy: ask waits for Reboot(), in-window for the reboot window, and
    neither goes past logind's block inhibitor"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.logind = Mock(cls.bus, 'logind', LOGIND[0]).start()
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.logind.stop()
        super().tearDownClass()

    def logind_calls(self, method):
        out = run(['gdbus', 'call', '--address', self.bus.address, '--dest', LOGIND[0],
                   '--object-path', LOGIND[1], '--method', MOCK_IFACE + '.GetMethodCalls',
                   method]).stdout
        return out.count('(uint64')

    def inhibit(self, client):
        """a block inhibitor of shutdown, held until the returned fd is closed"""
        reply, fds = client.conn.call_with_unix_fd_list_sync(
            LOGIND[0], LOGIND[1], 'org.freedesktop.login1.Manager', 'Inhibit',
            GLib.Variant('(ssss)', ('shutdown', 'test-hmi', 'playing a video', 'block')),
            GLib.VariantType('(h)'), Gio.DBusCallFlags.NONE, 10000, None, None)
        return fds.steal_fds()[reply.unpack()[0]]

    def test_reboot_after_failed_health_check(self):
        self.polkit.set_allowed(CONFIGURE)
        daemon, client = self.start_otad('A', name='install')
        self.check_and_install(daemon, client)
        self.assertEqual(daemon.stop(), 0)

        # reboot-policy ask (the default): rolled back, a reboot needed, none made
        daemon, client = self.start_otad('B', health='fail', name='confirm')
        props = client.wait_state('rolled-back', daemon=daemon)
        self.assert_slots('A', 'B')
        self.assertIs(props['RebootRequired'], True)
        self.assertEqual(props['WaitingFor'], 'reboot')
        time.sleep(1)
        self.assertEqual(self.logind_calls('Reboot'), 0)

        # an inhibitor refuses even Reboot()
        fd = self.inhibit(client)
        try:
            _, err = client.call('Reboot')
            self.assertEqual(err, 'Inhibited')
            self.assertEqual(self.logind_calls('Reboot'), 0)

            # in-window: waits for the window, then for the inhibitor
            window, opens = window_from_now(3 * SLOW)
            _, err = set_config(client, {'schedule.reboot-policy': 'in-window',
                                         'schedule.reboot-window': window})
            self.assertIsNone(err)
            props = client.props()
            self.assertEqual(props['WaitingFor'], 'reboot-window')
            self.assertEqual(props['WaitingUntil'], opens)
            props = wait_props(client, lambda p: p['WaitingFor'] == 'inhibited',
                               30 * SLOW, daemon, 'the inhibited reboot')
            self.assertGreaterEqual(time.time(), opens)
            self.assertGreater(props['WaitingUntil'], opens)
            self.assertEqual(self.logind_calls('Reboot'), 0)
        finally:
            os.close(fd)
        # released: the next try (reboot-retry-sec) reboots, through logind
        props = wait_props(client, lambda p: p['WaitingFor'] == '', 30 * SLOW, daemon,
                           'the reboot once released')
        self.assertEqual(self.logind_calls('Reboot'), 1)
        self.assertEqual(props['State'], 'rolled-back')

    def config(self, health):
        return (self.device.config(self.server, getattr(self.device, 'health_' + health))
                + '[schedule]\nreboot-retry-sec=1\n')

    def start_otad(self, booted, health='pass', name='d', config=None):
        return super().start_otad(booted, health, name, config or self.config(health))


class Metered(FreshState):
    """A metered connection blocks a download unless allowed"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.nm = Mock(cls.bus, 'networkmanager', NM[0]).start()
            # NM_METERED_YES; GLib reads it when the monitor starts
            run(['gdbus', 'call', '--address', cls.bus.address, '--dest', NM[0],
                 '--object-path', NM[1], '--method', MOCK_IFACE + '.AddProperty',
                 'org.freedesktop.NetworkManager', 'Metered', '<uint32 1>'])
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nm.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        saved = {k: os.environ.get(k) for k in ('GIO_USE_NETWORK_MONITOR',
                                                'DBUS_SYSTEM_BUS_ADDRESS')}

        def restore():
            for k, value in saved.items():
                if value is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = value
        self.addCleanup(restore)
        os.environ['GIO_USE_NETWORK_MONITOR'] = 'networkmanager'
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus.address

    def set_metered(self, value):
        run(['gdbus', 'call', '--address', self.bus.address, '--dest', NM[0],
             '--object-path', NM[1], '--method', MOCK_IFACE + '.SetProperty', NM[1],
             'org.freedesktop.NetworkManager', 'Metered', f'<uint32 {value}>'])

    def test_metered_blocks_download(self):
        self.polkit.set_allowed(CONFIGURE)
        self.set_metered(1)
        daemon, client = self.start_otad('A', name='metered')
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('update-available', daemon=daemon)
        self.assertIs(props['UpdateInfo']['metered'], True)
        _, err = client.call('Download')
        self.assertIsNone(err)
        props = client.props()
        self.assertEqual(props['WaitingFor'], 'metered')
        self.assertEqual(props['WaitingUntil'], 0)
        self.assertEqual(props['UpdateInfo']['blocked-by'], 'metered')
        time.sleep(2)
        props = client.props()
        self.assertEqual(props['State'], 'update-available')
        self.assertEqual(props['DownloadedBytes'], 0)

        # allowed at run time: the waiting download starts
        _, err = set_config(client, {'network.allow-metered': True})
        self.assertIsNone(err)
        props = client.wait_state('downloaded', daemon=daemon)
        self.assertEqual(props['WaitingFor'], '')
        self.assertNotIn('blocked-by', props['UpdateInfo'])

    def test_unmetered_connection_starts_download(self):
        self.polkit.set_allowed(CONFIGURE)
        self.set_metered(1)
        daemon, client = self.start_otad('A', name='unmetered')
        _, err = set_config(client, {'network.allow-metered': False})
        self.assertIsNone(err)
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        _, err = client.call('Download')
        self.assertIsNone(err)
        self.assertEqual(client.props()['WaitingFor'], 'metered')
        # NM_METERED_NO: GLib's monitor says so, the download starts
        self.set_metered(2)
        props = client.wait_state('downloaded', daemon=daemon)
        self.assertIs(props['UpdateInfo']['metered'], False)


if __name__ == '__main__':
    unittest.main(verbosity=2)
