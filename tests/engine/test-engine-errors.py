#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors that say what to do, as a user reads them (ErrorMessage, or otad's exit text):
 - no trusted root: names [tuf] root-dir and allow-trust-on-first-use and where otad looked;
   in otad's language (LANGUAGE=de: German, to the D-Bus client and in otactl's output);
 - a device certificate and key that do not belong together stop otad at start;
 - a client certificate the server refuses: said so, not just "TLS error"."""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, UpdateTestCase  # noqa: E402

from gi.repository import GLib  # noqa: E402


class Errors(UpdateTestCase):

    def base_config(self):
        return self.device.config(self.server, self.device.health_pass)

    def test_no_trusted_root(self):
        config = self.base_config().replace(f'[tuf]\nroot-dir={self.server.dir}\n', '')
        self.assertNotIn('root-dir', config)
        daemon, client = self.start_otad('A', name='noroot', config=config)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('error', 'update-available'), daemon=daemon)
        message = props['ErrorMessage']
        self.assertEqual(props['State'], 'error')
        # the class of the refusal first (issue 9's contract), then the repository
        self.assertTrue(message.startswith('no-trusted-root: director: no trusted root'),
                        message)
        self.assertIn(os.path.join(daemon.state_dir, 'tuf', 'director'), message)
        self.assertIn('/usr/lib/sota/tuf/director/root.json', message)
        self.assertIn('[tuf] root-dir', message)
        self.assertIn('[tuf] allow-trust-on-first-use', message)
        self.assertEqual(daemon.stop(), 0)

    def refuse_without_root(self, language):
        """otad (in LANGUAGE) without a trusted root: Check, the error state's message
        (the same in the history) and what an English otactl status prints of it"""
        config = self.base_config().replace(f'[tuf]\nroot-dir={self.server.dir}\n', '')
        # a fresh state: no error left from an earlier otad, no trusted root kept
        shutil.rmtree(os.path.join(self.topdir, 'otad', 'state'), ignore_errors=True)
        daemon, client = self.start_otad('A', name=f'noroot-{language or "en"}',
                                         config=config, language=language)
        self.assertEqual(client.props()['State'], 'idle')
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('error', 'update-available'), daemon=daemon)
        self.assertEqual(props['State'], 'error')
        status = subprocess.run(
            [otadtest.env_path('OTAD_TEST_OTACTL'), '--bus-address', self.bus.address,
             'status'], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
            env=dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE=''))
        self.assertEqual(status.returncode, 0, status.stderr)
        # the failed check is in the history with the same text
        reply, err = client.call('GetHistory', GLib.Variant('(a{sv})', ({},)),
                                 signature='(aa{sv})')
        self.assertIsNone(err)
        self.assertEqual(reply[0][0]['action'], 'check')
        self.assertEqual(reply[0][0]['error-message'], props['ErrorMessage'])
        self.assertEqual(daemon.stop(), 0)
        return props['ErrorMessage'], status.stdout

    def test_no_trusted_root_in_german(self):
        """LANGUAGE=de: otad's refusal arrives in German, on the bus and in otactl"""
        message, status = self.refuse_without_root('de')
        # the class stays a name (clients match it), the text is German
        self.assertTrue(message.startswith('no-trusted-root: director: keine '
                                           'vertrauenswürdigen Root-Metadaten (gesucht in '),
                        message)
        self.assertIn("legen Sie die root.json des Repositorys director in das Verzeichnis, "
                      "das [tuf] root-dir nennt", message)
        self.assertIn('setzen Sie [tuf] allow-trust-on-first-use=true', message)
        self.assertNotIn('no trusted root', message)
        self.assertIn(message, status)

    def test_no_trusted_root_in_english(self):
        """the same otad, catalogue in place, without LANGUAGE: English"""
        message, status = self.refuse_without_root('')
        self.assertTrue(message.startswith('no-trusted-root: director: no trusted root '
                                           '(looked in '), message)
        self.assertNotIn('vertrauenswürdig', message)
        self.assertIn(message, status)

    def test_key_mismatch_at_start(self):
        config = self.base_config().replace(f'key={self.server.dir}/device.key',
                                            f'key={self.server.dir}/rogue-device.key')
        with self.assertRaises(AssertionError) as cm:
            self.start_otad('A', name='mismatch', config=config)
        text = str(cm.exception)
        self.assertIn('otad: Invalid configuration: [server] cert/key: the device certificate '
                      f'{self.server.dir}/device.pem and the key {self.server.dir}/rogue-device.key'
                      ' do not belong together', text)

    def refused_certificate(self, language=None):
        config = self.base_config().replace(
            f'cert={self.server.dir}/device.pem', f'cert={self.server.dir}/rogue-device.pem'
        ).replace(f'key={self.server.dir}/device.key', f'key={self.server.dir}/rogue-device.key')
        # a fresh state: no error left from an earlier otad
        shutil.rmtree(os.path.join(self.topdir, 'otad', 'state'), ignore_errors=True)
        daemon, client = self.start_otad('A', name=f'refused-{language}', config=config,
                                         language=language)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('error', 'update-available'), daemon=daemon)
        self.assertEqual(props['State'], 'error')
        self.assertEqual(props['ErrorName'], 'org.otad.Updater1.Error.Tls')
        self.assertEqual(daemon.stop(), 0)
        return props['ErrorMessage']

    def test_refused_certificate(self):
        message = self.refused_certificate()
        self.assertIn("the server refused the device's certificate", message)

    def test_refused_certificate_in_german(self):
        """the refusal is recognised in glib-networking's and GnuTLS's German too"""
        message = self.refused_certificate('de')
        self.assertIn('TLS-Fehler: der Server hat das Zertifikat des Geräts abgelehnt',
                      message)


if __name__ == '__main__':
    otadtest.main()
