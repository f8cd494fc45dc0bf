#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A device configured by aktualizr's TOML alone, provisioned by otad on first start.

otad.conf says only where aktualizr's configuration is ([aktualizr] config) plus what the
test machine needs (the U-Boot environment file, health checks, no polling); the server,
the identity and the boot back end come from aktualizr's sota.toml, whose
[provision] provision_path names a credentials.zip in OTA Connect's layout (autoprov.url,
autoprov_credentials.p12 with the CA, treehub.json; no CA file: tests/server/otaserver.py).

First check: POST devices with the fleet identity (CN autoprov), key stored 0600, POST
director/ecus, then the check fails (the Director answers 400 once); the second check
does not register again, finds the update, and the device installs it with its own
certificate everywhere, TreeHub included.  otad --print-config names the TOML lines."""

import json
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, HWID, SERIAL, UpdateTestCase  # noqa: E402

DEVICE_ID = 'dev-e2e-1'


def count(log, method, path):
    return len([e for e in log if e.get('method') == method and e.get('path') == path])


class Provisioned(UpdateTestCase):

    def write_toml(self):
        conf_d = os.path.join(self.topdir, 'sota', 'conf.d')
        otadtest.write_file(os.path.join(conf_d, '10-sota.toml'), f'''# as meta-updater writes it
[provision]
provision_path = "{self.server.dir}/credentials.zip"
device_id = "{DEVICE_ID}"
primary_ecu_serial = "{SERIAL}"
primary_ecu_hardware_id = "{HWID}"
expiry_days = "36000"

[uptane]
polling_sec = 600

[storage]
type = "sqlite"
path = "{self.topdir}/var-sota"

[bootloader]
rollback_mode = "uboot_masked"

[logger]
loglevel = 2
''')
        return conf_d

    def otad_conf(self, conf_d):
        return (f'[aktualizr]\nconfig={conf_d}\n'
                f'[polling]\nenabled=false\n'
                f'[update]\npolicy=manual\n'
                f'[boot]\nfw-env-config={self.device.fw_env_config}\n'
                f'[health]\ndirectories={self.device.health_pass}\ntimeout-sec=60\n'
                f'[tuf]\nroot-dir={self.server.dir}\n')

    def test_provision_register_once_update(self):
        conf_d = self.write_toml()
        config = self.otad_conf(conf_d)

        # where each value comes from, before anything runs
        conf_path = os.path.join(self.topdir, 'print.conf')
        otadtest.write_file(conf_path, config)
        res = otadtest.run([otadtest.env_path('OTAD_TEST_OTAD'), '--config', conf_path,
                            '--print-config'])
        self.assertIn(f'credentials={self.server.dir}/credentials.zip  # '
                      f'{conf_d}/10-sota.toml:3 ([provision] provision_path)', res.stdout)
        self.assertIn('backend=uboot  # ', res.stdout)
        self.assertIn('([bootloader] rollback_mode)', res.stdout)
        self.assertIn(f'interval-sec=600  # {conf_d}/10-sota.toml:10 ([uptane] polling_sec)',
                      res.stdout)
        self.assertIn(f'enabled=false  # {conf_path}:', res.stdout)

        # the first check provisions and registers, then the Director fails it
        self.server.control('/misbehave', {'prefix': '/director/targets.json',
                                           'mode': 'status', 'status': 400, 'count': 1})
        daemon, client = self.start_otad('A', name='first', config=config)
        self.assertIn('[logger] loglevel: not used by otad', daemon.logs())
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('error', 'update-available'), daemon=daemon)
        self.assertEqual(props['State'], 'error', props)
        log = self.server.log()
        devices = [e for e in log if e.get('path') == '/devices']
        self.assertEqual(len(devices), 1)
        self.assertEqual(devices[0]['cn'], 'autoprov')
        self.assertEqual(devices[0]['device_id'], DEVICE_ID)
        self.assertEqual(devices[0]['ttl'], '36000')
        self.assertEqual(count(log, 'POST', '/director/ecus'), 1)
        ecus = [e for e in log if e.get('path') == '/director/ecus'][0]
        self.assertEqual(ecus['cn'], DEVICE_ID)
        self.assertEqual(ecus['json']['primary_ecu_serial'], SERIAL)
        self.assertEqual(ecus['json']['ecus'][0]['hardware_identifier'], HWID)
        # what the device registry keeps, once after provisioning
        for path in ('/system_info', '/system_info/network', '/core/installed'):
            self.assertEqual(count(log, 'PUT', path), 1, path)
        installed = [e for e in log if e.get('path') == '/core/installed'][0]
        self.assertEqual(installed['json'], [{'name': 'otadtest-base', 'version': '1.0'},
                                             {'name': 'busybox', 'version': '1.36.1'}])
        self.assertEqual(installed['cn'], DEVICE_ID)
        network = [e for e in log if e.get('path') == '/system_info/network'][0]['json']
        self.assertEqual(sorted(network), ['hostname', 'local_ipv4', 'mac'])
        hardware = [e for e in log if e.get('path') == '/system_info'][0]['json']
        self.assertEqual(hardware['class'], 'system')
        key = os.path.join(daemon.state_dir, 'device', 'pkey.pem')
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)

        # a restart keeps the identity and the registration
        self.assertEqual(daemon.stop(), 0)
        daemon, client = self.start_otad('A', name='second', config=config)
        self.check_and_install(daemon, client)
        self.assert_slots('B', 'A')
        self.assertEqual(self.device.fw_printenv('upgrade_available'), '1')
        log = self.server.log()
        self.assertEqual(count(log, 'POST', '/devices'), 1)
        self.assertEqual(count(log, 'POST', '/director/ecus'), 1, json.dumps(
            [e for e in log if e.get('path') == '/director/ecus']))
        # after provisioning every request carries the device's certificate
        after = [e for e in log if 'method' in e and e.get('path') != '/devices']
        self.assertTrue(after)
        self.assertEqual({e.get('cn') for e in after}, {DEVICE_ID})
        self.assertTrue(any(e['path'].startswith('/treehub/objects/') for e in after))
        self.assertEqual([e for e in log if 'tls_error' in e], [])
        # unchanged: not sent again, across checks and restarts
        for path in ('/system_info', '/system_info/network', '/core/installed'):
            self.assertEqual(count(log, 'PUT', path), 1, path)
        self.assertEqual(daemon.stop(), 0)

        # booted into B: its software list differs and goes out once more
        daemon, client = self.start_otad('B', name='confirm', config=config)
        client.wait_state('idle', daemon=daemon)
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('idle', daemon=daemon)
        log = self.server.log()
        installed = [e for e in log if e.get('path') == '/core/installed']
        self.assertEqual(len(installed), 2)
        self.assertEqual(installed[-1]['json'][0], {'name': 'otadtest-base', 'version': '2.0'})
        self.assertEqual(count(log, 'PUT', '/system_info'), 1)
        self.assertEqual(count(log, 'POST', '/director/ecus'), 1)
        self.assertEqual(daemon.stop(), 0)


class AktualizrConfigErrors(unittest.TestCase):
    """what a user reads when aktualizr's configuration is wrong"""

    def setUp(self):
        self.topdir = tempfile.mkdtemp(prefix='otad-toml-')
        self.addCleanup(otadtest.remove_tree, self.topdir)

    def otad(self, toml_text):
        toml = os.path.join(self.topdir, 'bad', 'sota.toml')
        otadtest.write_file(toml, toml_text)
        conf = os.path.join(self.topdir, 'bad.conf')
        otadtest.write_file(conf, f'[aktualizr]\nconfig={toml}\n')
        res = otadtest.run([otadtest.env_path('OTAD_TEST_OTAD'), '--config', conf,
                            '--print-config'], check=False)
        self.assertNotEqual(res.returncode, 0)
        return toml, res.stderr.strip()

    def test_errors_name_file_line_and_key(self):
        toml, err = self.otad('[provision]\nmode = "Bogus"\n')
        self.assertEqual(err, f'otad: Invalid configuration: {toml}:2: [provision] mode: '
                              '"Bogus" is not one of: SharedCred, DeviceCred, SharedCredReuse')
        toml, err = self.otad('[tls]\nserver = "not a url"\n')
        self.assertEqual(err, f'otad: Invalid configuration: {toml}:2: [tls] server: '
                              '"not a url" is not a URL')
        toml, err = self.otad('[tls]\nserver_url_path = "/nonexistent/gateway.url"\n')
        self.assertTrue(err.startswith(
            f'otad: Invalid configuration: {toml}:2: [tls] server_url_path: '
            'cannot read the gateway URL: '), err)
        toml, err = self.otad('[tls]\nserver = "https://a"\n[tls]\n')
        self.assertEqual(err, f'otad: Invalid configuration: {toml}:3: [tls]: '
                              'table given twice (first on line 1)')
        toml, err = self.otad('[uptane]\ndirector.server = "https://a"\n')
        self.assertTrue(err.startswith(f'otad: Invalid configuration: {toml}:2: [uptane] '
                                       'director.server: dotted keys are not supported'), err)


if __name__ == '__main__':
    otadtest.main()
