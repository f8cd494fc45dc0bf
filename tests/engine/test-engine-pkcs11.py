#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A PKCS#11-only device: the TLS key and the ECU key live in a SoftHSM2 token (recipe in
TESTING.md, tests/proto/softhsm-setup.sh), nothing but the certificate's URI in otad.conf.

The server refuses every connection without a client certificate (tests/server/otaserver.py
demands one).  The whole update, metadata, TreeHub objects (there is no static delta, and
libostree cannot present a key in a token: otad fetches them), events and manifests, goes
over the device's one identity: the server logs no refused connection, and every request
carries CN device-1.  Manifests are signed by the token's ECU key, which the server checks."""

import base64
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, UpdateTestCase  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOFTHSM_SETUP = os.path.join(HERE, '..', 'proto', 'softhsm-setup.sh')
PIN = '1234'


class Pkcs11Only(UpdateTestCase):

    @classmethod
    def setUpClass(cls):
        for tool, package in (('softhsm2-util', 'softhsm2'), ('p11tool', 'gnutls-bin')):
            if shutil.which(tool) is None:
                raise unittest.SkipTest(f'{tool} is missing (Debian package {package})')
        super().setUpClass()
        hsm = os.path.join(cls.topdir, 'hsm')
        # the daemon inherits the environment: p11-kit's SoftHSM module finds the token here
        conf = subprocess.run(['/bin/sh', SOFTHSM_SETUP, hsm,
                               os.path.join(cls.server.dir, 'device.pem'),
                               os.path.join(cls.server.dir, 'device.key')],
                              check=True, capture_output=True, text=True,
                              timeout=120).stdout.strip()
        os.environ['SOFTHSM2_CONF'] = conf

    def config(self, health):
        text = self.device.config(self.server, getattr(self.device, 'health_' + health))
        text = text.replace(f'cert={self.server.dir}/device.pem\n',
                            'cert=pkcs11:token=otad;object=devkey;type=cert\n')
        text = text.replace(f'key={self.server.dir}/device.key\n',
                            'key=pkcs11:token=otad;object=devkey;type=private\n')
        self.assertNotIn('device.key', text)
        return text + f'[pkcs11]\npin={PIN}\n'

    def test_update_with_token_keys(self):
        config = self.config('pass')
        config = config.replace('[device]\n',
                                '[device]\necu-key=pkcs11:token=otad;object=ecukey;'
                                'type=private\n')
        daemon, client = self.start_otad('A', name='install', config=config)
        self.check_and_install(daemon, client)
        self.assert_slots('B', 'A')
        self.assertEqual(daemon.stop(), 0)
        daemon, client = self.start_otad('B', name='confirm', config=config)
        client.wait_state('idle', daemon=daemon)
        self.assertEqual(daemon.stop(), 0)

        log = self.server.log()
        refused = [e for e in log if 'tls_error' in e]
        self.assertEqual(refused, [], 'connections the server refused')
        requests = [e for e in log if 'method' in e]
        self.assertEqual({e.get('cn') for e in requests}, {'device-1'})
        objects = [e for e in requests if e['path'].startswith('/treehub/objects/')]
        self.assertTrue(objects, 'no TreeHub object was fetched')
        self.assertTrue(any(e['path'].endswith('.filez') for e in objects))
        self.assertTrue(enginetest.events(log, 'EcuDownloadCompleted'))
        reports = [m for m in enginetest.manifests(log)
                   if m['json']['signed'].get('installation_report')]
        self.assertTrue(reports, 'no manifest with an installation report')
        self.assertIs(reports[-1].get('verified'), True, reports[-1])
        ecus = [e for e in log if e.get('path') == '/director/ecus']
        self.assertEqual(len(ecus), 1)
        # the registered key is the token's (its raw ed25519 key ends the SPKI DER)
        with open(os.path.join(self.topdir, 'hsm', 'ecu.pub'), encoding='ascii') as f:
            pem = f.read()
        block = pem[pem.index('-----BEGIN PUBLIC KEY-----'):].splitlines()[1:]
        der = base64.b64decode(''.join(block[:block.index('-----END PUBLIC KEY-----')]))
        registered = ecus[0]['json']['ecus'][0]['clientKey']['keyval']['public']
        self.assertEqual(registered.lower(), der[-32:].hex())


if __name__ == '__main__':
    otadtest.main()
