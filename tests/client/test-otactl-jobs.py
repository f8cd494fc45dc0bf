#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
'''otactl check, download, install, update, cancel, rollback, history and monitor
against the otad dbusmock template's state machine: text, JSON, exit codes.'''

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# first: it checks for dbus-daemon, python3-dbus and python3-dbusmock
import otad_mock  # noqa: E402

import dbus  # noqa: E402

OTACTL = os.environ['OTACTL']

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_NOT_AUTHORIZED = 0, 1, 2, 3, 4
EXIT_NO_UPDATE = 77

OFFER = {
    'name': 'demo-2.0', 'version': '2.0', 'checksum': 'c' * 64, 'length': 0,
    'download-size': 4000000, 'correlation-id': 'urn:campaign:7', 'hardware-id': 'demo-hw',
    'uri': 'https://example.invalid/repo',
}
COMMANDS = ['check', 'download', 'install', 'update', 'cancel', 'rollback', 'history',
            'monitor']
IFACE = 'org.otad.Updater1'


def nbsp(text):
    '''g_format_size() puts a no-break space between number and unit.'''
    return text.replace('\xa0', ' ')


def offer_variant():
    return dbus.Dictionary({k: dbus.UInt64(v) if isinstance(v, int) else v
                            for k, v in OFFER.items()}, signature='sv')


class TestOtactlJobs(otad_mock.OtadMockTestCase):

    def otactl(self, *args):
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='', TZ='UTC')
        proc = subprocess.run([OTACTL, *args], capture_output=True, text=True, env=env,
                              timeout=60, check=False, stdin=subprocess.DEVNULL)
        return proc.returncode, nbsp(proc.stdout), proc.stderr

    def start(self, state='idle', offer=True, **extra):
        params = dict(otad_mock.PARAMS, State=state, PendingDeployment={}, **extra)
        if state != 'idle' and offer:
            params['UpdateInfo'] = OFFER
        self.start_mock(params)
        if offer:
            self.mock_call('SetOffer', offer_variant())

    def prop(self, name):
        return self.mock_obj.Get(IFACE, name, dbus_interface=dbus.PROPERTIES_IFACE)

    def last_options(self, method):
        return self.mock_obj.GetLastOptions(method, dbus_interface='org.freedesktop.DBus.Mock')

    def wait_state(self, state):
        # bounded: 400 × 50 ms
        for _ in range(400):
            if self.prop('State') == state:
                return
            time.sleep(0.05)
        self.assertEqual(self.prop('State'), state)

    def assert_one_error(self, rc, out, err, code, line):
        self.assertEqual(rc, code, err)
        self.assertEqual(out, '')
        self.assertEqual(err, line + '\n')

    # -- every command --------------------------------------------------------------

    def test_help(self):
        rc, out, _ = self.otactl('--help')
        self.assertIn('  4   not authorized', out)
        for cmd in COMMANDS:
            self.assertRegex(out, r'\n  %s +\S' % cmd)
            rc, out_cmd, err = self.otactl(cmd, '--help')
            self.assertEqual(rc, EXIT_OK, err)
            self.assertIn('otactl %s [OPTION…]' % cmd, out_cmd)
            for option in ('--json', '--interactive', '--no-interactive'):
                self.assertIn(option, out_cmd)
            self.assertIn('77  no update is available', out_cmd)

    def test_usage(self):
        for cmd in COMMANDS:
            rc, out, err = self.otactl(cmd, '--interactive', '--no-interactive')
            self.assertEqual(rc, EXIT_USAGE, (cmd, err))
            self.assertIn('exclude each other', err)
            rc, out, err = self.otactl(cmd, 'extra')
            self.assertEqual(rc, EXIT_USAGE, (cmd, err))
            self.assertIn('unexpected argument “extra”', err)
        rc, _, err = self.otactl('check', '--timeout', '-1')
        self.assertEqual(rc, EXIT_USAGE, err)

    def test_unreachable(self):
        for cmd in COMMANDS:
            rc, out, err = self.otactl(cmd)
            self.assertEqual(rc, EXIT_UNREACHABLE, (cmd, err))
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertIn('not running', err)

    # -- check ----------------------------------------------------------------------

    def test_check_no_update(self):
        self.start(offer=False)
        rc, out, err = self.otactl('check')
        self.assertEqual(rc, EXIT_NO_UPDATE, err)
        self.assertEqual(out, 'No update available.\n')
        rc, out, err = self.otactl('check', '--json')
        self.assertEqual(rc, EXIT_NO_UPDATE, err)
        self.assertEqual(json.loads(out), {'update-available': False, 'update': None})
        # the daemon did check
        self.assertGreater(self.prop('LastCheckTime'), 1767225600)

    def test_check_offer(self):
        self.start()
        rc, out, err = self.otactl('check')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(out, 'Update available: demo-2.0\n'
                         '  Version: 2.0\n'
                         '  Commit: ' + 'c' * 64 + '\n'
                         '  Download size: 4.0 MB\n'
                         '  Campaign: urn:campaign:7\n')
        rc, out, err = self.otactl('check', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(json.loads(out), {'update-available': True, 'update': OFFER})

    def test_check_failed(self):
        self.start()
        self.mock_call('SetJobError', 'Check', 'Network', 'cannot reach the server')
        self.assert_one_error(*self.otactl('check'), EXIT_FAILED,
                              'otactl: cannot check for updates: cannot reach the server '
                              '(org.otad.Updater1.Error.Network)')

    def test_check_wrong_state(self):
        self.start('downloading')
        self.assert_one_error(*self.otactl('check'), EXIT_FAILED,
                              "otactl: cannot check for updates: "
                              "Can't call Check() while in state downloading")

    def test_not_authorized(self):
        self.start('update-available')
        self.mock_call('SetAuthorization', 'no')
        for cmd, what in (('check', 'cannot check for updates'),
                          ('download', 'cannot download the update'),
                          ('install', 'cannot install the update'),
                          ('update', 'cannot check for updates'),
                          ('rollback', 'cannot roll back')):
            self.assert_one_error(*self.otactl(cmd, '--interactive'), EXIT_NOT_AUTHORIZED,
                                  'otactl: %s: not authorized' % what)
        # otad checks the state before it asks polkit
        self.mock_call('SetState', 'downloading', '', '')
        self.assert_one_error(*self.otactl('cancel', '--interactive'), EXIT_NOT_AUTHORIZED,
                              'otactl: cannot cancel: not authorized')

    def test_interactive(self):
        # polkit that needs to ask: only calls that allow it get through
        self.start(offer=False)
        self.mock_call('SetAuthorization', 'interactive')
        # stdin is not a terminal: not interactive unless told
        for args in (['check'], ['check', '--no-interactive']):
            rc, _, err = self.otactl(*args)
            self.assertEqual(rc, EXIT_NOT_AUTHORIZED, err)
            options = self.last_options('Check')
            self.assertNotIn('interactive', options)
        rc, _, err = self.otactl('check', '--interactive')
        self.assertEqual(rc, EXIT_NO_UPDATE, err)
        options = self.last_options('Check')
        self.assertEqual(options, {'interactive': True})

    # -- download and install -------------------------------------------------------

    def test_download_progress_lines(self):
        self.start('update-available')
        rc, out, err = self.otactl('download')
        self.assertEqual(rc, EXIT_OK, err)
        # not a terminal: plain lines, no bar, no carriage returns
        self.assertNotIn('\r', out)
        self.assertNotIn('\033', out)
        self.assertEqual(out, 'Downloading: 0%  0 bytes of 4.0 MB\n'
                         'Downloading: 25%  1.0 MB of 4.0 MB\n'
                         'Downloading: 50%  2.0 MB of 4.0 MB\n'
                         'Downloading: 75%  3.0 MB of 4.0 MB\n'
                         'Downloading: 100%  4.0 MB of 4.0 MB\n'
                         'Update 2.0 downloaded.\n')
        self.assertEqual(self.prop('State'), 'downloaded')

    def test_download_progress_bar(self):
        # on a terminal: one bar that redraws itself, then a newline
        self.start('update-available')
        master, slave = pty.openpty()
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
        try:
            proc = subprocess.run([OTACTL, 'download'], stdout=slave, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, env=env, timeout=60, check=False)
            os.close(slave)
            slave = None
            out = b''
            while select.select([master], [], [], 1)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertEqual(proc.returncode, EXIT_OK, proc.stderr)
        out = nbsp(out.decode())
        self.assertIn('\rDownloading [' + '#' * 15 + ' ' * 15 + ']  50%  2.0 MB of 4.0 MB', out)
        self.assertIn('\rDownloading [' + '#' * 30 + '] 100%  4.0 MB of 4.0 MB', out)
        self.assertTrue(out.replace('\r\n', '\n').endswith('\nUpdate 2.0 downloaded.\n'), out)

    def test_no_agent_noise_on_a_terminal(self):
        # on a terminal otactl starts pkttyagent for a possible password prompt; an agent
        # that cannot register (no polkitd here) must not print on a command that needs
        # no prompt
        self.start()
        master, slave = pty.openpty()
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
        try:
            proc = subprocess.run([OTACTL, 'check'], stdout=slave, stderr=slave, stdin=slave,
                                  env=env, timeout=60, check=False)
            os.close(slave)
            slave = None
            out = b''
            while select.select([master], [], [], 1)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        out = out.decode()
        self.assertEqual(proc.returncode, EXIT_OK, out)
        self.assertIn('Update available: demo-2.0', out)
        self.assertNotIn('Authorization', out)
        self.assertNotIn('polkit', out.lower())

    def test_json_errors_on_stdout(self):
        self.start('update-available')
        self.mock_call('SetJobError', 'Download', 'NoSpace', 'need 4.0 MB, 1.0 MB free')
        rc, out, err = self.otactl('download', '--json')
        self.assertEqual(rc, EXIT_FAILED, err)
        self.assertEqual(err, '')
        self.assertEqual(json.loads(out), {'error': {
            'name': 'org.otad.Updater1.Error.NoSpace', 'message': 'need 4.0 MB, 1.0 MB free',
            'what': 'cannot download the update', 'exit-code': EXIT_FAILED}})
        # a refused call, too
        rc, out, err = self.otactl('install', '--json')
        self.assertEqual(rc, EXIT_FAILED, err)
        self.assertEqual(err, '')
        self.assertEqual(json.loads(out)['error']['name'], 'org.otad.Updater1.Error.WrongState')

    def test_download_json(self):
        self.start('update-available')
        rc, out, err = self.otactl('download', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(json.loads(out), {'state': 'downloaded', 'update': OFFER,
                                           'downloaded-bytes': 4000000})

    def test_download_failed(self):
        self.start('update-available')
        self.mock_call('SetJobError', 'Download', 'NoSpace', 'need 4.0 MB, 1.0 MB free')
        rc, out, err = self.otactl('download')
        self.assertEqual(rc, EXIT_FAILED, err)
        self.assertEqual(err, 'otactl: cannot download the update: need 4.0 MB, 1.0 MB free '
                         '(org.otad.Updater1.Error.NoSpace)\n')

    def test_download_cancelled(self):
        self.start('update-available')
        self.mock_call('SetStepTiming', dbus.UInt32(4), dbus.UInt32(600000))
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
        proc = subprocess.Popen([OTACTL, 'download'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env,
                                stdin=subprocess.DEVNULL)
        try:
            self.wait_state('downloading')
            self.mock_obj.Cancel(dbus_interface=IFACE)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, EXIT_FAILED, err)
        self.assertEqual(err, 'otactl: cannot download the update: cancelled\n')

    def test_check_timeout(self):
        # a check that does not end: the wait is bounded by --timeout
        self.start()
        self.mock_call('SetStepTiming', dbus.UInt32(4), dbus.UInt32(600000))
        self.assert_one_error(*self.otactl('check', '--timeout', '1'), EXIT_FAILED,
                              'otactl: cannot check for updates: no result after 1 seconds')
        self.assertEqual(self.prop('State'), 'checking')

    def test_daemon_exits_while_waiting(self):
        self.start('update-available')
        self.mock_call('SetStepTiming', dbus.UInt32(4), dbus.UInt32(600000))
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
        proc = subprocess.Popen([OTACTL, 'download'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env,
                                stdin=subprocess.DEVNULL)
        try:
            self.wait_state('downloading')
            self.stop_mock()
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, EXIT_UNREACHABLE, err)
        self.assertEqual(err, 'otactl: cannot download the update: otad exited\n')

    def test_install(self):
        self.start('downloaded')
        rc, out, err = self.otactl('install')
        self.assertEqual(rc, EXIT_OK, err)
        # a phase without a byte count: one line, the same on every daemon
        self.assertIn('Installing…\n', out)
        self.assertNotIn('Installing: ', out)
        self.assertTrue(out.endswith('Update installed as %s.\nReboot to start using it.\n'
                                     % ('c' * 64)), out)
        self.assertEqual(self.prop('State'), 'pending-reboot')

        self.assert_one_error(*self.otactl('install'), EXIT_FAILED,
                              "otactl: cannot install the update: "
                              "Can't call Install() while in state pending-reboot")

    def test_install_json(self):
        self.start('downloaded')
        rc, out, err = self.otactl('install', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        data = json.loads(out)
        self.assertEqual(data['state'], 'pending-reboot')
        self.assertEqual(data['pending']['checksum'], 'c' * 64)
        self.assertEqual(data['pending']['version'], '2.0')

    def test_install_wrong_state(self):
        self.start(offer=False)
        self.assert_one_error(*self.otactl('install'), EXIT_FAILED,
                              "otactl: cannot install the update: "
                              "Can't call Install() while in state idle")

    # -- update -----------------------------------------------------------------------

    def test_update(self):
        self.start()
        rc, out, err = self.otactl('update')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertTrue(out.startswith('Update available: demo-2.0\n'), out)
        self.assertIn('Downloading: 100%  4.0 MB of 4.0 MB\nUpdate 2.0 downloaded.\n', out)
        self.assertTrue(out.endswith('Reboot to start using it.\n'), out)
        self.assertEqual(self.prop('State'), 'pending-reboot')
        self.assertEqual(self.prop('PendingDeployment')['checksum'], 'c' * 64)

    def test_update_json(self):
        self.start()
        rc, out, err = self.otactl('update', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(json.loads(out)['state'], 'pending-reboot')

    def test_update_no_install(self):
        self.start()
        rc, out, err = self.otactl('update', '--no-install', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(json.loads(out)['state'], 'downloaded')
        self.assertEqual(self.prop('State'), 'downloaded')

    def test_update_nothing_new(self):
        self.start(offer=False)
        rc, out, err = self.otactl('update')
        self.assertEqual(rc, EXIT_NO_UPDATE, err)
        self.assertEqual(out, 'No update available.\n')
        self.assertEqual(self.prop('State'), 'idle')

    def test_update_download_fails(self):
        self.start()
        self.mock_call('SetJobError', 'Download', 'Verification', 'commit checksum mismatch')
        rc, out, err = self.otactl('update')
        self.assertEqual(rc, EXIT_FAILED, err)
        self.assertIn('Verification', err)
        # no install after a failed download
        self.assertNotIn('installed', out)
        self.assertEqual(self.prop('State'), 'error')

    # -- cancel, rollback, history ------------------------------------------------------

    def test_cancel(self):
        self.start('update-available')
        self.mock_call('SetStepTiming', dbus.UInt32(4), dbus.UInt32(600000))
        self.mock_obj.Download(dbus.Dictionary({}, signature='sv'), dbus_interface=IFACE)
        rc, out, err = self.otactl('cancel')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(out, 'Cancelled; otad is back in state update-available.\n')
        self.assert_one_error(*self.otactl('cancel'), EXIT_FAILED,
                              "otactl: cannot cancel: "
                              "Can't call Cancel() while in state update-available")
        self.mock_obj.Check(dbus.Dictionary({}, signature='sv'), dbus_interface=IFACE)
        rc, out, err = self.otactl('cancel', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(json.loads(out), {'cancelled': True, 'state': 'update-available'})

    def test_rollback(self):
        self.start_mock()  # pending-reboot with a pending deployment
        rc, out, err = self.otactl('rollback')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(out, 'Rolled back: the pending update was dropped.\n')
        rc, out, err = self.otactl('rollback')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(out, 'Rolled back: %s (version 0.9) boots next; reboot to use it.\n'
                         % ('2' * 64))
        rc, out, err = self.otactl('rollback', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        data = json.loads(out)
        self.assertEqual(data['state'], 'idle')
        self.assertIsNone(data['pending'])

    def test_rollback_none(self):
        self.start(offer=False, RollbackDeployment={})
        self.assert_one_error(*self.otactl('rollback'), EXIT_FAILED,
                              'otactl: cannot roll back: there is no rollback deployment')

    def test_history(self):
        self.start(offer=False)
        rc, out, err = self.otactl('history')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(out, 'No update history.\n')
        self.assertEqual(json.loads(self.otactl('history', '--json')[1]), [])
        entries = [
            {'time': 1767229200, 'action': 'health-check-failed', 'commit': 'c' * 64,
             'version': '2.0', 'success': False, 'detail': '20-app: exit status 1',
             'correlation-id': 'urn:campaign:7'},
            {'time': 1767225600, 'action': 'install', 'commit': 'c' * 64, 'version': '2.0',
             'success': True, 'detail': '', 'correlation-id': 'urn:campaign:7'},
        ]
        typed = dbus.Array([dbus.Dictionary(
            {k: dbus.UInt64(v) if k == 'time' else v for k, v in e.items()}, signature='sv')
            for e in entries], signature='a{sv}')
        self.mock_call('SetHistory', typed)
        rc, out, err = self.otactl('history')
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(out, '2026-01-01 01:00:00  health-check-failed  failed\n'
                         '  Version: 2.0\n  Commit: ' + 'c' * 64 + '\n'
                         '  Campaign: urn:campaign:7\n  Detail: 20-app: exit status 1\n'
                         '2026-01-01 00:00:00  install  succeeded\n'
                         '  Version: 2.0\n  Commit: ' + 'c' * 64 + '\n'
                         '  Campaign: urn:campaign:7\n')
        rc, out, err = self.otactl('history', '--json')
        self.assertEqual(rc, EXIT_OK, err)
        # an otad before interface version 4 sends no result: it follows "success"
        added = ('result', 'name', 'offer-id', 'error-name', 'error-message')
        self.assertEqual([{k: v for k, v in e.items() if k not in added}
                          for e in json.loads(out)], entries)
        self.assertEqual([e['result'] for e in json.loads(out)], ['failed', 'succeeded'])
        rc, _, err = self.otactl('history', '--since', 'not-a-date')
        self.assertEqual(rc, 2, err)

    # -- monitor ------------------------------------------------------------------------

    def monitor_until(self, args, want, action):
        '''Runs otactl monitor, calls @action after its first line, reads until @want.'''
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='', TZ='UTC')
        proc = subprocess.Popen([OTACTL, 'monitor', '--timeout', '60', *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, stdin=subprocess.DEVNULL)
        fd = proc.stdout.fileno()
        data = b''
        acted = False
        try:
            # raw reads: a buffered readline() would hide lines from select()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                lines = nbsp(data.decode()).splitlines()
                if want in lines:
                    break
                if lines and not acted:
                    acted = True
                    action()
                if not select.select([fd], [], [], 1)[0]:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                data += chunk
            proc.send_signal(signal.SIGINT)
            # what the same batch of changes printed after @want comes too
            rest, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        lines = nbsp((data + rest).decode()).splitlines()
        self.assertEqual(proc.returncode, EXIT_OK, err)
        self.assertIn(want, lines)
        return lines

    def test_monitor(self):
        self.start('update-available')
        lines = self.monitor_until(
            [], 'State: downloaded',
            lambda: self.mock_obj.Download(dbus.Dictionary({}, signature='sv'),
                                           dbus_interface=IFACE))
        self.assertEqual(lines[0], 'State: update-available')
        self.assertIn('State: downloading', lines)
        self.assertIn('Progress: 50% (2.0 MB of 4.0 MB)', lines)
        self.assertLess(lines.index('State: downloading'),
                        lines.index('Progress: 100% (4.0 MB of 4.0 MB)'))

    def test_monitor_json(self):
        self.start()
        want = json.dumps({'event': 'state', 'state': 'update-available'},
                          separators=(',', ':'))
        lines = self.monitor_until(
            ['--json'], want,
            lambda: self.mock_obj.Check(dbus.Dictionary({}, signature='sv'),
                                        dbus_interface=IFACE))
        events = [json.loads(line) for line in lines]
        self.assertEqual(events[0], {'event': 'state', 'state': 'idle'})
        self.assertIn({'event': 'state', 'state': 'checking'}, events)
        self.assertIn({'event': 'update-info', 'update': OFFER}, events)


if __name__ == '__main__':
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
