#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A Python program using libota through GObject Introspection
(gi.require_version('Ota', '1.0')) reads otad's state and deployments."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import otadtest  # noqa: E402

# runs in its own interpreter: LD_PRELOAD and the typelib path must be set
# before libota is loaded
SCRIPT = r'''
import json, sys
import gi
gi.require_version('Ota', '1.0')
from gi.repository import Ota

client = Ota.Client.new_for_bus_address(sys.argv[1])
client.connect_sync(None)

def slot(d):
    if d is None or not d.get_checksum():
        return None
    return {'checksum': d.get_checksum(), 'version': d.get_version(),
            'osname': d.get_osname(), 'serial': d.get_serial(), 'index': d.get_index(),
            'booted': d.get_booted()}

print(json.dumps({
    'state': Ota.state_to_string(client.get_state()),
    'booted': slot(client.get_booted_deployment()),
    'pending': slot(client.get_pending_deployment()),
    'rollback': slot(client.get_rollback_deployment()),
    'last-check-time': client.get_last_check_time(),
    'connected': client.get_connected(),
}))
'''


class PythonGI(otadtest.OtadTestCase):
    DAEMON_ARGS = ('--test-booted-deployment={A}',)

    def run_script(self, address):
        client_dir = otadtest.env_path('OTAD_TEST_CLIENT_DIR')
        env = dict(os.environ)
        env['GI_TYPELIB_PATH'] = os.pathsep.join(
            p for p in (client_dir, env.get('GI_TYPELIB_PATH')) if p)
        env['LD_LIBRARY_PATH'] = os.pathsep.join(
            p for p in (client_dir, env.get('LD_LIBRARY_PATH')) if p)
        libs = [f for f in os.listdir(client_dir) if f.startswith('libota') and '.so' in f]
        self.assertTrue(libs, f'no libota in {client_dir}')
        runtime = otadtest.asan_runtime(os.path.join(client_dir, sorted(libs)[0]))
        if runtime:
            # the interpreter is not sanitized: the runtime must come first,
            # and CPython's own allocations are not ours to report
            env['LD_PRELOAD'] = runtime
            env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
        return otadtest.run(['/usr/bin/python3', '-c', SCRIPT, address], check=False, env=env)

    def test_reads_state_and_deployments(self):
        res = self.run_script(self.bus.address)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        got = json.loads(res.stdout)
        default, other = self.sysroot.admin_status()
        self.assertTrue(got['connected'])
        self.assertEqual(got['booted']['checksum'], self.sysroot.commits['A'])
        self.assertEqual(got['booted']['checksum'], other.checksum)
        self.assertTrue(got['booted']['booted'])
        self.assertEqual(got['booted']['version'], '1.0')
        self.assertEqual(got['pending']['checksum'], default.checksum)
        self.assertEqual(got['pending']['version'], '2.0')
        self.assertEqual(got['pending']['index'], 0)
        # libota agrees with otactl
        status = otadtest.otactl_status_json(self.bus.address)
        self.assertEqual(got['state'], status['state'])
        self.assertEqual(got['last-check-time'], status['last-check-time'] or 0)

    def test_unreachable_daemon_raises(self):
        address = 'unix:path=' + os.path.join(self.topdir, 'nothing-here')
        res = self.run_script(address)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('GLib.GError', res.stderr)


if __name__ == '__main__':
    otadtest.main()
