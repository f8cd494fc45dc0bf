#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Trust that real servers can meet, through otad on a private bus: the protocol test
server in the OTA CE dialect (tests/server/otaserver.py --dialect ota: RSA keys in PEM,
`"_type": "Root"`, base64 rsassa-pss-sha256 signatures over aktualizr's canonical form)
with a Director whose root defines only root and targets and whose targets start at
version 0 with nothing assigned.

- nothing assigned: `otactl check` says there is no update (exit 77);
- an assignment: Check on D-Bus offers it;
- a Director targets changed after signing: `otactl check` and ErrorName say
  org.otad.Updater1.Error.Verification, the message starts with the attack class;
  with LANGUAGE=de otad says the rest in German;
- `[tuf] max-targets-size` is what the TUF client enforces: a larger Director targets.json
  is refused.

Each test runs its own otad with its own state directory, in this order."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest  # noqa: E402

TARGET = 'otadtest-2.0'
VERIFICATION = enginetest.ERROR_PREFIX + 'Verification'


class OtaDialectServer(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.topdir = tempfile.mkdtemp(prefix='otad-trust-')
        cls.server = cls.bus = cls.polkit = None
        try:
            cls.device = enginetest.Device(cls.topdir).create()
            cls.server = enginetest.Server(cls.topdir, cls.device.treehub,
                                           ['--dialect', 'ota']).start()
            cls.bus = otadtest.Bus(cls.topdir).start()
            cls.polkit = enginetest.Polkit(cls.bus).start()
            cls.polkit.set_allowed(['org.otad.check', 'org.otad.install'])
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

    def start_otad(self, name, language=None):
        daemon_class = (otadtest.Daemon if language is None
                        else enginetest.localized_daemon(language))
        d = daemon_class(os.path.join(self.topdir, name), self.bus, self.device,
                         self.device.config(self.server, self.device.health_pass),
                         [f'--test-booted-deployment={self.device.commits["A"]}'])
        self.addCleanup(d.stop)
        d.start()
        client = enginetest.Client(self.bus.address)
        self.addCleanup(client.close)
        return d, client

    def director_file(self, name):
        with open(os.path.join(self.server.dir, 'director', name), 'rb') as f:
            return json.loads(f.read())

    def test_1_nothing_assigned_is_no_update(self):
        # what the server signs is what OTA CE signs, and its Director root has
        # root and targets only
        root = self.director_file('root.json')['signed']
        self.assertEqual(root['_type'], 'Root')
        self.assertEqual(set(root['roles']), {'root', 'targets'})
        self.assertTrue(all(k['keytype'] == 'RSA' and '\n' in k['keyval']['public']
                            for k in root['keys'].values()))
        daemon, client = self.start_otad('unassigned')
        res = otadtest.otactl(self.bus.address, 'check')
        self.assertEqual(res.returncode, 77, res.stdout + res.stderr + daemon.logs())
        self.assertIn('No update available', res.stdout)
        self.assertEqual(client.props()['State'], 'idle')
        log = self.server.log()
        self.assertTrue(any(e.get('path') == '/director/targets.json' and
                            e.get('status') == 200 for e in log))
        # the Director's root defines no timestamp: it is not even asked for
        self.assertFalse(any(e.get('path') == '/director/timestamp.json' for e in log))

    def test_2_director_of_root_and_targets_offers_an_update(self):
        B = self.device.commits['B']
        self.server.offer(TARGET, B, '2.0', 'campaign-ota')
        daemon, client = self.start_otad('offer')
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('update-available', daemon=daemon)
        self.assertEqual(props['UpdateInfo']['checksum'], B)
        self.assertEqual(props['UpdateInfo']['correlation-id'], 'campaign-ota')

    def test_3_refused_check_is_verification(self):
        self.server.control('/tamper', {'repo': 'director', 'file': 'targets.json'})
        daemon, client = self.start_otad('tampered')
        res = otadtest.otactl(self.bus.address, 'check')
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr + daemon.logs())
        self.assertIn(VERIFICATION, res.stderr)
        self.assertIn('bad-signature: ', res.stderr)
        props = client.props()
        self.assertEqual(props['State'], 'error')
        self.assertEqual(props['ErrorName'], VERIFICATION, props['ErrorMessage'])
        self.assertTrue(props['ErrorMessage'].startswith('bad-signature: '),
                        props['ErrorMessage'])

    def test_3a_refused_check_in_german(self):
        """otad in German (LANGUAGE=de): the same refusal, its class and name unchanged,
        its text German, also where an English otactl prints it"""
        self.server.control('/tamper', {'repo': 'director', 'file': 'targets.json'})
        daemon, client = self.start_otad('tampered-de', language='de')
        res = otadtest.otactl(self.bus.address, 'check')
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr + daemon.logs())
        props = client.props()
        self.assertEqual(props['ErrorName'], VERIFICATION, props['ErrorMessage'])
        message = props['ErrorMessage']
        self.assertTrue(message.startswith('bad-signature: director: targets-Metadaten '
                                           'Version '), message)
        self.assertIn('ungültige Signatur(en) von Schlüsseln der Rolle targets', message)
        self.assertIn(message, res.stderr)

    def test_4_configured_metadata_limit_holds(self):
        # [tuf] max-targets-size reaches the TUF client: a Director targets.json over
        # 1 KiB (an assignment with a long "uri" in its custom section, as aktualizr's
        # targets may carry) is refused with max-targets-size=1024
        B = self.device.commits['B']
        self.server.control('/targets', {
            'repo': [{'name': TARGET, 'sha256': B, 'length': 0,
                      'custom': {'name': 'otadtest', 'version': '2.0',
                                 'hardwareIds': [enginetest.HWID],
                                 'targetFormat': 'OSTREE'}}],
            'director': [{'name': TARGET, 'sha256': B, 'length': 0,
                          'custom': {'ecuIdentifiers': {enginetest.SERIAL: {
                              'hardwareId': enginetest.HWID}},
                              'uri': 'https://cdn.invalid/' + 'x' * 2048}}],
            'correlation_id': 'campaign-limit'})
        d = otadtest.Daemon(os.path.join(self.topdir, 'limit'), self.bus, self.device,
                            self.device.config(self.server, self.device.health_pass,
                                               'max-targets-size=1024\n'),
                            [f'--test-booted-deployment={self.device.commits["A"]}'])
        self.addCleanup(d.stop)
        d.start()
        client = enginetest.Client(self.bus.address)
        self.addCleanup(client.close)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('error', daemon=d)
        self.assertEqual(props['ErrorName'], VERIFICATION, props['ErrorMessage'])
        self.assertIn('1024', props['ErrorMessage'])

if __name__ == '__main__':
    unittest.main(verbosity=2)
