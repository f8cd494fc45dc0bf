#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Consent through otad on a private bus (issue 11): the offer a check makes (offer id,
size before the download, release notes, label), awaiting-consent per policy, Consent
bound to the offer id (a stale id is refused with StaleOffer after the server changed the
target), Decline and Postpone (kept across a restart, quiet for automatic checks),
Discard of a downloaded update, and StateChanged/JobFinished once per change and job."""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enginetest import (HWID, SERIAL, JOB_TIMEOUT, UpdateTestCase,  # noqa: E402
                        events, run)
from gi.repository import GLib  # noqa: E402

import otadtest  # noqa: E402

# a line break and non-ASCII, as release notes have them: servers write them escaped
# (python-tuf's json.dumps, aktualizr/ota-tuf's JSON writers), never raw (RFC 8259)
NOTES = 'Faster boot.\nFixes the Wi-Fi drop (#123) – “tested”.'
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
    def offer_target(cls, name, correlation_id='campaign-7'):
        commit = cls.device.commits['C']
        cls.server.control('/targets', {
            'repo': [{'name': name, 'sha256': commit, 'length': 0,
                      'custom': {'name': 'otadtest', 'version': '2.0',
                                 'hardwareIds': [HWID], 'targetFormat': 'OSTREE',
                                 'releaseNotes': NOTES, 'label': LABEL}}],
            'director': [{'name': name, 'sha256': commit, 'length': 0,
                          'custom': {'ecuIdentifiers': {SERIAL: {'hardwareId': HWID}}}}],
            'correlation_id': correlation_id})

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

    def test_0_download_only_discard(self):
        # first: the device is fresh (a rollback later marks C bad)
        d, client = self.start_otad('A', config=self.config('download-only'), name='discard')
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

    def test_2_campaign_answers_reported(self):
        # OTA CE's campaigner asks for consent: the answers reach it as aktualizr sends them
        d, client = self.start_otad('A', config=self.config('consent'), name='campaign')
        # test_1 left C pending: drop it (C is marked bad) and offer D, B's tree again
        client.wait_state('pending-reboot', daemon=d)
        _, err = client.call('Rollback')
        self.assertIsNone(err)
        client.wait_state('idle', daemon=d)
        dev = self.device
        out = run(['ostree', f'--repo={dev.treehub}', 'commit', '-b', 'otadtest/sized',
                   f'--tree=ref={dev.commits["B"]}', '--generate-sizes',
                   '--add-metadata-string=version=2.0', '--owner-uid=0', '--owner-gid=0',
                   '--no-xattrs', '-s', 'version 2.0 again'])
        dev.commits['C'] = out.stdout.strip()
        self.server.control('/campaigns', {'campaigns': [
            {'id': 'c0ffee00-1111-2222-3333-444455556666', 'name': 'spring', 'size': 1,
             'autoAccept': False, 'metadata': [{'type': 'DESCRIPTION', 'value': 'Spring'}]}]})
        self.addCleanup(self.server.control, '/campaigns', {'campaigns': None})
        cid = 'urn:here-ota:campaign:c0ffee00-1111-2222-3333-444455556666'
        self.offer_target('otadtest-2.0-campaign', correlation_id=cid)
        self.server.control('/reset-log')
        answers = []
        for answer in ('Postpone', 'Decline'):
            _, err = client.call('Check')
            self.assertIsNone(err)
            props = client.wait_state('awaiting-consent', daemon=d)
            self.assertEqual(props['UpdateInfo']['campaign-id'],
                             'c0ffee00-1111-2222-3333-444455556666')
            offer = props['UpdateInfo']['offer-id']
            if answer == 'Postpone':
                # through otactl: the offer on show, answered with --json
                res = otadtest.otactl(self.bus.address, '--json', '--no-interactive',
                                      'postpone', '--for', '3600')
                self.assertEqual(res.returncode, 0, res.stderr)
                out = json.loads(res.stdout)
                self.assertEqual(out['answer'], 'postpone')
                self.assertEqual(out['offer-id'], offer)
            else:
                _, err = client.call(answer, GLib.Variant('(s)', (offer,)))
                self.assertIsNone(err)
            client.wait_state('idle', daemon=d)
            answers.append(answer)
        want = {'campaign_postponed', 'campaign_declined'}
        found = []
        for _ in range(int(JOB_TIMEOUT / 0.2)):
            found = [ev for name in want for ev in events(self.server.log(), name)]
            if len(found) >= 2:
                break
            time.sleep(0.2)
        self.assertEqual(sorted(ev['eventType']['id'] for ev in found), sorted(want))
        for ev in found:
            self.assertEqual(ev['event'], {'campaignId': 'c0ffee00-1111-2222-3333-444455556666'})
            self.assertEqual(ev['eventType']['version'], 0)
        self.assertTrue(any(e.get('path') == '/campaigner/campaigns' for e in self.server.log()))

    def test_3_libota_gi(self):
        # libota through GI: check_async() finishes when the check is done, with the
        # offer in place; the signals arrive; a stale consent is Ota.Error.STALE_OFFER
        d, client = self.start_otad('A', config=self.config('consent'), name='gi')
        self.offer_target('otadtest-2.0-d')
        client_dir = otadtest.env_path('OTAD_TEST_CLIENT_DIR')
        env = dict(os.environ)
        for var in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH'):
            env[var] = os.pathsep.join(p for p in (client_dir, env.get(var)) if p)
        libs = sorted(f for f in os.listdir(client_dir) if f.startswith('libota') and '.so' in f)
        runtime = otadtest.asan_runtime(os.path.join(client_dir, libs[0]))
        if runtime:
            env['LD_PRELOAD'] = runtime
            env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
        out = run([sys.executable, '-c', GI_SCRIPT, self.bus.address], env=env,
                  timeout=JOB_TIMEOUT).stdout
        result = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(result['state-at-finish'], 'awaiting-consent')
        self.assertEqual(result['jobs-before-finish'], [['check', 'success']])
        self.assertIn('awaiting-consent', result['states'])
        self.assertRegex(result['offer-id'], r'^[0-9a-f]{64}$')
        self.assertEqual(result['release-notes'], NOTES)
        self.assertEqual(result['label'], LABEL)
        # D shares every object with C, which is here already: nothing to fetch
        self.assertEqual(result['download-size'], 0)
        self.assertEqual(result['stale'], 'STALE_OFFER')
        self.assertEqual(result['declined'], 'idle')


GI_SCRIPT = r'''
import json, sys
import gi
gi.require_version('Ota', '1.0')
from gi.repository import GLib, Ota

client = Ota.Client.new_for_bus_address(sys.argv[1])
client.connect_sync(None)
loop = GLib.MainLoop()
out = {'jobs': [], 'states': []}
client.connect('job-finished', lambda c, job, result, details: out['jobs'].append([job, result]))
client.connect('state-changed', lambda c, state, details: out['states'].append(state))
GLib.timeout_add_seconds(100, loop.quit)

def checked(c, res):
    assert c.check_finish(res)
    out['state-at-finish'] = Ota.state_to_string(c.get_state())
    out['jobs-before-finish'] = list(out['jobs'])
    loop.quit()

client.check_async(Ota.ClientFlags.NONE, None, checked)
loop.run()
info = client.get_update_info()
out.update({'offer-id': info.get_offer_id(), 'release-notes': info.get_release_notes(),
            'label': info.get_label(), 'download-size': info.get_download_size()})
try:
    client.consent_sync('0' * 64, Ota.ClientFlags.NONE, None)
    out['stale'] = 'accepted'
except GLib.Error as e:
    out['stale'] = Ota.Error(e.code).value_nick.upper().replace('-', '_') \
        if e.domain == 'ota-error-quark' else e.message
client.decline_sync(info.get_offer_id(), Ota.ClientFlags.NONE, None)
ctx = GLib.MainContext.default()
for _ in range(200):
    if Ota.state_to_string(client.get_state()) == 'idle':
        break
    ctx.iteration(False)
    GLib.usleep(20000)
out['declined'] = Ota.state_to_string(client.get_state())
print(json.dumps(out))
'''


if __name__ == '__main__':
    unittest.main(verbosity=2)
