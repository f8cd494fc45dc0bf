#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real update end to end: the protocol test server (mTLS, Director + Image repo
signed by its own Python signer, TreeHub), a test sysroot with A "booted" and B on
offer, U-Boot boot control on a file environment, polkit from python-dbusmock.

Check → update-available; Install → pending-reboot (B default, A rollback,
upgrade_available=1); otad restarted as if booted into B: passing health checks →
idle, upgrade_available=0, bootcount=0, installation completed and a verified
manifest on the server; failing ones → rolled-back, A default, B not offered again.
Also: Rollback, and a daemon killed during a download."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest  # noqa: E402

from enginetest import ALL_ACTIONS, CAMPAIGN, TARGET, UpdateTestCase  # noqa: E402,F401


class UpdateConfirmed(UpdateTestCase):

    def test_update_confirmed(self):
        A, B = self.device.commits['A'], self.device.commits['B']
        daemon, client = self.start_otad('A', name='install')
        self.assertEqual(client.props()['State'], 'idle')
        self.check_and_install(daemon, client)
        self.assert_slots('B', 'A')
        self.assertEqual(self.device.fw_printenv('upgrade_available'), '1')
        log = self.server.log()
        self.assertTrue(enginetest.events(log, 'EcuDownloadStarted'))
        self.assertTrue(enginetest.events(log, 'EcuDownloadCompleted'))
        self.assertTrue(enginetest.events(log, 'EcuInstallationStarted'))
        applied = enginetest.events(log, 'EcuInstallationApplied')
        self.assertTrue(applied)
        self.assertEqual(applied[-1]['event']['correlationId'], CAMPAIGN)
        # the objects came from the TreeHub over mTLS
        self.assertTrue(any(e.get('path', '').startswith('/treehub/') and e.get('cn') ==
                            'device-1' for e in log))
        # a restart before the reboot keeps waiting for it
        self.assertEqual(daemon.stop(), 0)
        daemon, client = self.start_otad('A', name='restart')
        client.wait_state('pending-reboot', daemon=daemon)
        self.assertEqual(daemon.stop(), 0)

        # "reboot" into B with a passing health check
        daemon, client = self.start_otad('B', name='confirm')
        props = client.wait_state('idle', daemon=daemon)
        self.assertEqual(props['BootedDeployment']['checksum'], B)
        self.assertEqual(props['UpdateInfo'], {})
        self.assertEqual(self.device.fw_printenv('upgrade_available'), '0')
        self.assertEqual(self.device.fw_printenv('bootcount'), '0')
        self.assert_slots('B', 'A')

        log = self.server.log()
        completed = enginetest.events(log, 'EcuInstallationCompleted')
        self.assertEqual(len(completed), 1)
        self.assertIs(completed[0]['event']['success'], True)
        self.assertEqual(completed[0]['event']['correlationId'], CAMPAIGN)
        reports = [m for m in enginetest.manifests(log)
                   if m['json']['signed'].get('installation_report')]
        self.assertTrue(reports, 'no manifest with an installation report')
        self.assertIs(reports[-1].get('verified'), True, reports[-1])
        report = reports[-1]['json']['signed']['installation_report']['report']
        self.assertEqual(report['correlation_id'], CAMPAIGN)
        self.assertIs(report['result']['success'], True)

        reply, err = client.call('GetHistory', signature='(aa{sv})')
        self.assertIsNone(err)
        entries = reply[0]
        self.assertEqual(entries[0]['action'], 'confirm')
        self.assertEqual(entries[0]['commit'], B)
        self.assertIs(entries[0]['success'], True)
        self.assertEqual(entries[0]['correlation-id'], CAMPAIGN)

        # nothing new: the Director still assigns B, which runs
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('idle', daemon=daemon)
        self.assertNotEqual(client.props()['State'], 'update-available')
        self.assertEqual(A, self.device.admin_status()[1].checksum)


class UpdateRolledBack(UpdateTestCase):

    def test_health_check_fails(self):
        B = self.device.commits['B']
        daemon, client = self.start_otad('A', name='install')
        self.check_and_install(daemon, client)
        self.assertEqual(daemon.stop(), 0)

        daemon, client = self.start_otad('B', health='fail', name='confirm')
        props = client.wait_state('rolled-back', daemon=daemon)
        self.assert_slots('A', 'B')
        # a reboot is needed, but otad does not reboot on its own: the default
        # reboot-policy asks (tests/engine/test-engine-schedule.py has the others)
        self.assertIs(props['RebootRequired'], True)
        self.assertEqual(props['WaitingFor'], 'reboot')
        completed = enginetest.events(self.server.log(), 'EcuInstallationCompleted')
        self.assertEqual(len(completed), 1)
        self.assertIs(completed[0]['event']['success'], False)
        self.assertEqual(self.device.fw_printenv('upgrade_available'), '0')
        self.assertEqual(daemon.stop(), 0)

        # back in A: the failed commit is never offered again
        daemon, client = self.start_otad('A', name='after')
        props = client.wait_state('rolled-back', daemon=daemon)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('idle', 'update-available', 'error'), daemon=daemon)
        self.assertEqual(props['State'], 'idle', props['ErrorMessage'])
        self.assertEqual(props['UpdateInfo'], {})
        self.assertNotIn(B, [d.checksum for d in self.device.admin_status()])
        reply, _ = client.call('GetHistory', signature='(aa{sv})')
        # the failure, then the old deployment back (test-engine-history.py: the whole log)
        self.assertEqual([e['action'] for e in reply[0][:2]], ['rollback', 'health-check-failed'])
        self.assertIs(reply[0][1]['success'], False)


class ManualRollback(UpdateTestCase):

    def test_rollback_drops_pending(self):
        daemon, client = self.start_otad('A', name='install')
        self.check_and_install(daemon, client)
        _, err = client.call('Rollback')
        self.assertIsNone(err)
        props = client.wait_state('idle', daemon=daemon)
        self.assertEqual(props['PendingDeployment'], {})
        self.assertEqual([d.checksum for d in self.device.admin_status()],
                         [self.device.commits['A']])
        # the abandoned commit is not offered again
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('idle', 'update-available', 'error'), daemon=daemon)
        self.assertEqual(props['State'], 'idle', props['ErrorMessage'])
        # nothing left to roll back to
        _, err = client.call('Rollback')
        self.assertIsNone(err)
        props = client.wait_state(('idle', 'error'), daemon=daemon)
        self.assertEqual(props['ErrorName'], 'org.otad.Updater1.Error.NotFound')


class KilledDuringDownload(UpdateTestCase):

    def test_kill_and_resume(self):
        daemon, client = self.start_otad('A', name='first')
        _, err = client.call('Check')
        self.assertIsNone(err)
        client.wait_state('update-available', daemon=daemon)
        # object requests stall: the download is still running when cancelled or killed
        self.server.control('/misbehave', {'prefix': '/treehub/objects/', 'mode': 'stall',
                                           'seconds': 3, 'count': 6})
        _, err = client.call('Download')
        self.assertIsNone(err)
        client.wait_state('downloading', daemon=daemon)
        # stopping an update takes the right to install, not just to check
        self.polkit.set_allowed(['org.otad.check'])
        try:
            _, err = client.call('Cancel', None)
        finally:
            self.polkit.set_allowed(ALL_ACTIONS)
        self.assertEqual(err, 'AuthFailed')
        self.assertEqual(client.props()['State'], 'downloading')
        _, err = client.call('Cancel', None)
        self.assertIsNone(err)
        props = client.wait_state(('update-available', 'downloaded'), daemon=daemon)
        self.assertEqual(props['State'], 'update-available')
        self.assertEqual(props['ErrorName'], '')
        _, err = client.call('Download')
        self.assertIsNone(err)
        client.wait_state('downloading', daemon=daemon)
        time.sleep(0.5)
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait(timeout=30)
        daemon.returncode = 0
        daemon.proc = None
        daemon.log.close()
        self.server.control('/clear')

        daemon, client = self.start_otad('A', name='second')
        props = client.wait_state('update-available', timeout=30, daemon=daemon)
        self.assertEqual(props['UpdateInfo']['checksum'], self.device.commits['B'])
        _, err = client.call('Download')
        self.assertIsNone(err)
        props = client.wait_state(('downloaded', 'error'), daemon=daemon)
        self.assertEqual(props['State'], 'downloaded', props['ErrorMessage'])
        self.assertGreater(props['DownloadSize'], 0)
        # a Cancel now is in the wrong state; Install goes on from here
        _, err = client.call('Cancel', None)
        self.assertEqual(err, 'WrongState')
        _, err = client.call('Install')
        self.assertIsNone(err)
        client.wait_state('pending-reboot', daemon=daemon)
        self.assert_slots('B', 'A')


class AutomaticPolicy(UpdateTestCase):
    """polling on, policy automatic: nobody calls a method, the update installs itself"""

    def test_poll_installs(self):
        d = otadtest.Daemon(os.path.join(self.topdir, 'otad'), self.bus, self.device,
                            self.device.config(self.server, self.device.health_pass).replace(
                                '[polling]\nenabled=false\n',
                                '[polling]\nenabled=true\ninterval-sec=1\n'
                                'jitter-percent=0\n').replace(
                                'policy=manual', 'policy=automatic'),
                            [f'--test-booted-deployment={self.device.commits["A"]}'])
        self.addCleanup(d.stop)
        d.start()
        client = enginetest.Client(self.bus.address)
        self.addCleanup(client.close)
        props = client.props()
        self.assertEqual(props['Policy'], 'automatic')
        self.assertGreater(props['NextCheckTime'], 0)
        props = client.wait_state('pending-reboot', daemon=d)
        self.assertEqual(props['PendingDeployment']['checksum'], self.device.commits['B'])
        self.assert_slots('B', 'A')


if __name__ == '__main__':
    otadtest.main()
