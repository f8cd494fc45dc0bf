#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Consent through otad on a private bus (issue 11): the offer a check makes (offer id,
size before the download, release notes, label), awaiting-consent per policy, Consent
bound to the offer id (a stale id is refused with StaleOffer after the server changed the
target), Decline and Postpone (kept across a restart, quiet for automatic checks),
Discard of a downloaded update, and StateChanged/JobFinished once per change and job."""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enginetest import (HWID, SERIAL, JOB_TIMEOUT, UpdateTestCase,  # noqa: E402
                        run)
from gi.repository import GLib  # noqa: E402

import otadtest  # noqa: E402

NOTES = 'Faster boot. Fixes the Wi-Fi drop (#123).'
LABEL = 'Spring release'


class Signals:
    """StateChanged and JobFinished as otad sent them, in order"""

    def __init__(self, client):
        self.client = client
        self.got = []
        self.ids = [client.conn.signal_subscribe(
            otadtest.BUS_NAME, otadtest.INTERFACE, name, otadtest.OBJECT_PATH, None, 0,
            self._on, None) for name in ('StateChanged', 'JobFinished')]

    def _on(self, conn, sender, path, iface, name, params, data):
        self.got.append((name,) + tuple(params.unpack()))

    def pump(self, seconds=0.0):
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + seconds
        for _ in range(100000):
            while ctx.iteration(False):
                pass
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)

    def wait_job(self, job, timeout=JOB_TIMEOUT):
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 1):
            self.pump()
            found = [s for s in self.got if s[0] == 'JobFinished' and s[1] == job]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        raise AssertionError(f'no JobFinished for {job}: {self.got}')

    def jobs(self):
        self.pump()
        return [(s[1], s[2]) for s in self.got if s[0] == 'JobFinished']

    def states(self):
        self.pump()
        return [s[1] for s in self.got if s[0] == 'StateChanged']

    def clear(self):
        self.pump()
        self.got.clear()


class ConsentTest(UpdateTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        dev = cls.device
        # C: B's tree again, with ostree.sizes (what eos-updater reads for the size)
        out = run(['ostree', f'--repo={dev.treehub}', 'commit', '-b', 'otadtest/sized',
                   f'--tree=ref={dev.commits["B"]}', '--generate-sizes',
                   '--add-metadata-string=version=2.0', '--owner-uid=0', '--owner-gid=0',
                   '--no-xattrs', '-s', 'version 2.0 with sizes'])
        dev.commits['C'] = out.stdout.strip()
        cls.offer_target('otadtest-2.0')

    @classmethod
    def offer_target(cls, name):
        commit = cls.device.commits['C']
        cls.server.control('/targets', {
            'repo': [{'name': name, 'sha256': commit, 'length': 0,
                      'custom': {'name': 'otadtest', 'version': '2.0',
                                 'hardwareIds': [HWID], 'targetFormat': 'OSTREE',
                                 'releaseNotes': NOTES, 'label': LABEL}}],
            'director': [{'name': name, 'sha256': commit, 'length': 0,
                          'custom': {'ecuIdentifiers': {SERIAL: {'hardwareId': HWID}}}}],
            'correlation_id': 'campaign-7'})

    def config(self, policy, extra=''):
        return self.device.config(self.server, self.device.health_pass).replace(
            'policy=manual', f'policy={policy}') + extra

    def test_1_consent_stale_decline_postpone(self):
        d, client = self.start_otad('A', config=self.config('consent'), name='consent')
        sig = Signals(client)
        props = client.props()
        self.assertEqual(props['Version'], 4)

        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('awaiting-consent', daemon=d)
        info = props['UpdateInfo']
        first = info['offer-id']
        self.assertRegex(first, r'^[0-9a-f]{64}$')
        self.assertEqual(info['checksum'], self.device.commits['C'])
        self.assertEqual(info['release-notes'], NOTES)
        self.assertEqual(info['label'], LABEL)
        # sized at the check, before anything was downloaded
        self.assertGreater(info['download-size'], 64 * 16384)
        self.assertGreater(info['installed-size'], 64 * 16384)
        result = sig.wait_job('check')
        self.assertEqual(result[2], 'success')
        self.assertTrue(result[3]['found'])
        self.assertEqual(result[3]['offer-id'], first)
        self.assertEqual(sig.states()[-2:], ['checking', 'awaiting-consent'])

        # answers must name the offer
        _, err = client.call('Consent', GLib.Variant('(sa{sv})', ('', {})))
        self.assertEqual(err, 'InvalidArgument')
        _, err = client.call('Consent', GLib.Variant('(sa{sv})', ('0' * 64, {})))
        self.assertEqual(err, 'StaleOffer')

        # the server changes the target: the next check makes a new offer
        self.offer_target('otadtest-2.0-respin')
        self.addCleanup(self.offer_target, 'otadtest-2.0')
        sig.clear()
        _, err = client.call('Check')
        self.assertIsNone(err)
        sig.wait_job('check')
        props = client.wait_state('awaiting-consent', daemon=d)
        second = props['UpdateInfo']['offer-id']
        self.assertNotEqual(first, second)
        self.assertEqual(props['UpdateInfo']['name'], 'otadtest-2.0-respin')
        # the consent given to the first offer does not let the second one in
        for method, args in (('Consent', GLib.Variant('(sa{sv})', (first, {}))),
                             ('Install', GLib.Variant('(a{sv})', ({'offer-id':
                                                                   GLib.Variant('s', first)},))),
                             ('Download', GLib.Variant('(a{sv})', ({'offer-id':
                                                                    GLib.Variant('s', first)},))),
                             ('Decline', GLib.Variant('(s)', (first,)))):
            _, err = client.call(method, args)
            self.assertEqual(err, 'StaleOffer', method)
        self.assertEqual(client.props()['State'], 'awaiting-consent')

        # Decline: idle, the offer gone
        sig.clear()
        _, err = client.call('Decline', GLib.Variant('(s)', (second,)))
        self.assertIsNone(err)
        props = client.wait_state('idle', daemon=d)
        self.assertEqual(props['UpdateInfo'], {})
        self.assertEqual(sig.states(), ['idle'])
        self.assertIn('decline otadtest-2.0-respin', d.logs())
        self.assertEqual(d.stop(), 0)

        # after a restart the decline holds for automatic checks (every 2 s)
        d, client = self.start_otad(
            'A', name='consent-2', config=self.config(
                'consent', '').replace('[polling]\nenabled=false\n',
                                       '[polling]\nenabled=true\ninterval-sec=2\n'
                                       'jitter-percent=0\n'))
        sig = Signals(client)
        sig.wait_job('check')
        sig.pump(3)
        self.assertGreaterEqual(len(sig.jobs()), 1)
        self.assertTrue(all(r == 'success' for j, r in sig.jobs()), sig.jobs())
        self.assertLessEqual(set(sig.states()), {'checking', 'idle'})
        self.assertIn('not offering otadtest-2.0-respin again: it was declined', d.logs())
        self.assertEqual(d.stop(), 0)

        # an explicit check shows it again; Postpone puts it off until a time
        d, client = self.start_otad('A', config=self.config('consent'), name='consent-3')
        sig = Signals(client)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('awaiting-consent', daemon=d)
        self.assertEqual(props['UpdateInfo']['offer-id'], second)
        _, err = client.call('Postpone', GLib.Variant('(st)', (second, int(time.time()) - 5)))
        self.assertEqual(err, 'InvalidArgument')
        sig.clear()
        _, err = client.call('Postpone', GLib.Variant('(st)', (second, int(time.time()) + 3)))
        self.assertIsNone(err)
        self.assertEqual(client.wait_state('idle', daemon=d)['UpdateInfo'], {})
        self.assertIn('postpone otadtest-2.0-respin', d.logs())
        # when the time comes otad offers it again by itself
        sig.wait_job('check', timeout=30)
        props = client.wait_state('awaiting-consent', daemon=d)
        self.assertEqual(props['UpdateInfo']['offer-id'], second)

        # Consent with the shown offer id: download and install, one JobFinished each
        sig.clear()
        _, err = client.call('Consent', GLib.Variant('(sa{sv})', (second, {})))
        self.assertIsNone(err)
        props = client.wait_state('pending-reboot', daemon=d)
        self.assertEqual(props['PendingDeployment']['checksum'], self.device.commits['C'])
        sig.wait_job('install')
        sig.pump(0.5)
        self.assertEqual(sig.jobs(), [('download', 'success'), ('install', 'success')])
        self.assertEqual(sig.states(), ['downloading', 'downloaded', 'installing',
                                        'pending-reboot'])
        self.assertIn('consent otadtest-2.0-respin', d.logs())

    def test_2_download_only_discard(self):
        # a fresh state: the device was left with C pending by the test before
        d, client = self.start_otad('A', config=self.config('download-only'), name='discard')
        if client.props()['PendingDeployment']:
            _, err = client.call('Rollback')
            self.assertIsNone(err)
            client.wait_state('idle', daemon=d)
        sig = Signals(client)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state('update-available', daemon=d)
        offer = props['UpdateInfo']['offer-id']
        # nothing downloaded: nothing to discard
        _, err = client.call('Discard')
        self.assertEqual(err, 'WrongState')
        _, err = client.call('Download', GLib.Variant('(a{sv})', ({'offer-id':
                                                                   GLib.Variant('s', offer)},)))
        self.assertIsNone(err)
        # download-only: the install waits for consent
        props = client.wait_state('awaiting-consent', daemon=d)
        repo = os.path.join(self.device.path, 'ostree', 'repo')
        refs = run(['ostree', f'--repo={repo}', 'refs']).stdout
        self.assertIn('otad/update', refs)
        sig.clear()
        _, err = client.call('Discard')
        self.assertIsNone(err)
        result = sig.wait_job('discard')
        self.assertEqual(result[2], 'success')
        props = client.wait_state('idle', daemon=d)
        self.assertEqual(props['UpdateInfo'], {})
        refs = run(['ostree', f'--repo={repo}', 'refs']).stdout
        self.assertNotIn('otad/update', refs)
        self.assertEqual(sig.jobs(), [('discard', 'success')])

        # a failing job: JobFinished once, with the error's name
        sig.clear()
        self.server.control('/misbehave', {'prefix': '/director/', 'mode': 'status',
                                           'status': 500, 'count': -1})
        self.addCleanup(self.server.control, '/clear')
        _, err = client.call('Check')
        self.assertIsNone(err)
        result = sig.wait_job('check')
        sig.pump(0.5)
        self.assertEqual(result[2], 'failed')
        self.assertTrue(result[3]['error-name'].startswith('org.otad.Updater1.Error.'))
        self.assertEqual(len(sig.jobs()), 1)
        self.assertEqual(sig.states()[-1], 'error')


if __name__ == '__main__':
    unittest.main(verbosity=2)
