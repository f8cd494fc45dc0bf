#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The example HMIs (examples/hmi.py through Ota-1.0, examples/hmi in C with
libota) complete a consent flow against the test server, otad with
policy=consent on a private bus:

- the HMI checks, shows the offer with its download size and release notes,
  answers --yes with the offer id it showed;
- an inhibitor the test holds keeps the install back: the HMI says it waits and
  otad stays in downloaded; once the test releases it the HMI follows the
  progress to pending-reboot and exits 0;
- history has the consent, the download and the install.
"""

import os
import select
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, JOB_TIMEOUT  # noqa: E402

from gi.repository import GLib  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples')
# one line: the test server's canonical JSON writes a newline raw, which otad's parser
# refuses ("control character in string"); see the report of this change
NOTES = 'Faster boot; fixes the radio.'


class HmiFlow:
    """a fresh device, server and bus per HMI (the classes below)"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the offer with release notes and a label in the target's custom data
        B = cls.device.commits['B']
        cls.server.control('/targets', {
            'repo': [{'name': enginetest.TARGET, 'sha256': B, 'length': 0,
                      'custom': {'name': 'otadtest', 'version': '2.0',
                                 'hardwareIds': [enginetest.HWID], 'targetFormat': 'OSTREE',
                                 'releaseNotes': NOTES, 'label': 'Spring update'}}],
            'director': [{'name': enginetest.TARGET, 'sha256': B, 'length': 0,
                          'custom': {'ecuIdentifiers': {enginetest.SERIAL: {
                              'hardwareId': enginetest.HWID}}}}],
            'correlation_id': enginetest.CAMPAIGN})

    def hmi_env(self):
        client_dir = otadtest.env_path('OTAD_TEST_CLIENT_DIR')
        env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
        env['GI_TYPELIB_PATH'] = os.pathsep.join(
            p for p in (client_dir, env.get('GI_TYPELIB_PATH')) if p)
        env['LD_LIBRARY_PATH'] = os.pathsep.join(
            p for p in (client_dir, env.get('LD_LIBRARY_PATH')) if p)
        return env, client_dir

    def python_command(self):
        env, client_dir = self.hmi_env()
        libs = [f for f in os.listdir(client_dir) if f.startswith('libota') and '.so' in f]
        runtime = otadtest.asan_runtime(os.path.join(client_dir, sorted(libs)[0]))
        if runtime:
            # the interpreter is not sanitized: the runtime first, CPython's leaks not ours
            env['LD_PRELOAD'] = runtime
            env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
        return ['/usr/bin/python3', os.path.join(EXAMPLES, 'hmi.py')], env

    def c_command(self):
        env, _ = self.hmi_env()
        return [otadtest.env_path('OTAD_TEST_HMI')], env

    def consent_flow(self, name, command, env):
        config = self.device.config(self.server, self.device.health_pass).replace(
            'policy=manual', 'policy=consent')
        daemon, client = self.start_otad('A', name=name, config=config)
        reply, err = client.call('Inhibit', GLib.Variant('(sa{sv})', ('test holds', {})),
                                 signature='(u)')
        self.assertIsNone(err)
        handle = reply[0]
        proc = subprocess.Popen(command + ['--bus-address', self.bus.address, '--yes',
                                           '--timeout', str(JOB_TIMEOUT)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env, stdin=subprocess.DEVNULL)
        lines = []
        try:
            # bounded: until the HMI says the install waits for the inhibitor
            deadline = time.monotonic() + JOB_TIMEOUT
            while time.monotonic() < deadline and proc.poll() is None:
                if not select.select([proc.stdout], [], [], 1)[0]:
                    continue
                line = proc.stdout.readline()
                lines.append(line)
                if line.startswith('Waiting:'):
                    break
            self.assertTrue(lines and lines[-1].startswith('Waiting:'),
                            ''.join(lines) + proc.stderr.read() if proc.poll() is not None
                            else ''.join(lines))
            # the inhibitor holds: downloaded, not installed
            time.sleep(1)
            self.assertEqual(client.props()['State'], 'downloaded')
            _, err = client.call('Uninhibit', GLib.Variant('(u)', (handle,)))
            self.assertIsNone(err)
            out, errout = proc.communicate(timeout=JOB_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out = ''.join(lines) + out
        self.assertEqual(proc.returncode, 0, out + errout + daemon.logs())
        self.assertIn('Update available: Spring update\n', out)
        self.assertIn('  Version: 2.0\n', out)
        self.assertRegex(out, r'  Download size: [0-9.]+\s(kB|MB)\n')
        self.assertIn('  Release notes:\n    Faster boot; fixes the radio.\n', out)
        self.assertIn('Consent given.\n', out)
        self.assertIn('downloading: ', out)
        self.assertTrue(out.endswith('Installed; it starts at the next reboot.\n'), out)
        props = client.props()
        self.assertEqual(props['State'], 'pending-reboot')
        self.assertEqual(props['PendingDeployment']['checksum'], self.device.commits['B'])
        reply, err = client.call('GetHistory', signature='(aa{sv})')
        self.assertIsNone(err)
        actions = [e['action'] for e in reply[0]]
        for action in ('consent', 'download', 'install'):
            self.assertIn(action, actions)



class PythonHmi(HmiFlow, enginetest.UpdateTestCase):
    def test_consent_flow(self):
        command, env = self.python_command()
        self.consent_flow('py', command, env)


class CHmi(HmiFlow, enginetest.UpdateTestCase):
    def test_consent_flow(self):
        command, env = self.c_command()
        self.consent_flow('c', command, env)


if __name__ == '__main__':
    otadtest.main()
