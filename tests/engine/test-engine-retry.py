#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A failure that persists backs off and stops; it never spins.

The automatic policy with a bootloader tool that always fails (fw_setenv on an
environment that cannot be opened): for 60 s, with a restart of otad in the
middle, otad tries to install the same update at most [update]
max-automatic-attempts times, waits longer after each failure (NextCheckTime),
leaves the sysroot's deployments exactly as they were, and shows each failure in
the state (error) and in GetHistory.

After a failed install, with the event ledger lost, the second attempt's events
get ids of their own (from the attempt the boot record counts)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, UpdateTestCase  # noqa: E402

RUN_SECONDS = 60
MAX_ATTEMPTS = 3
INTERVAL = 2


class FailingBootloader(UpdateTestCase):

    def config(self):
        broken = os.path.join(self.topdir, 'broken-fw_env.config')
        otadtest.write_file(broken, os.path.join(self.topdir, 'no-such-dir', 'uboot.env')
                            + ' 0x0000 0x4000\n')
        text = self.device.config(self.server, self.device.health_pass)
        return (text.replace('[polling]\nenabled=false\n',
                             f'[polling]\nenabled=true\ninterval-sec={INTERVAL}\n'
                             'jitter-percent=0\n')
                .replace('policy=manual', f'policy=automatic\n'
                         f'max-automatic-attempts={MAX_ATTEMPTS}')
                .replace(f'fw-env-config={self.device.fw_env_config}',
                         f'fw-env-config={broken}'))

    def watch(self, client, seconds, samples):
        """State and NextCheckTime every 0.2 s, with the deployments unchanged throughout"""
        deadline = time.monotonic() + seconds
        before = [d.checksum for d in self.device.admin_status()]
        while time.monotonic() < deadline:
            props = client.props()
            samples.append((time.time(), props['State'], props['NextCheckTime'],
                            props['ErrorName']))
            time.sleep(0.2)
        self.assertEqual([d.checksum for d in self.device.admin_status()], before)

    def test_backs_off_and_stops(self):
        A = self.device.commits['A']
        before = [d.checksum for d in self.device.admin_status()]
        self.assertEqual(before, [A])
        samples = []
        daemon, client = self.start_otad('A', name='first', config=self.config())
        self.watch(client, RUN_SECONDS * 3 / 4, samples)
        daemon.stop()
        # a restart forgets nothing: no attempt beyond the bound, no retry at once
        daemon, client = self.start_otad('A', name='second', config=self.config())
        self.watch(client, RUN_SECONDS / 4, samples)

        started = enginetest.events(self.server.log(), 'EcuInstallationStarted')
        failed = [e for e in enginetest.events(self.server.log(), 'EcuInstallationCompleted')
                  if not e['event'].get('success')]
        print(f'# {len(started)} install attempts in {RUN_SECONDS} s')
        self.assertEqual(len(started), MAX_ATTEMPTS, daemon.logs())
        self.assertEqual(len(failed), MAX_ATTEMPTS)
        self.assertEqual([d.checksum for d in self.device.admin_status()], before)

        # each failure was the state for a while, with its error name
        errors = [s for s in samples if s[1] == 'error']
        self.assertTrue(errors)
        self.assertTrue(all(s[3] for s in errors))
        # the wait after each failure grows: NextCheckTime seen in the error state
        waits = []
        for i, (t, state, next_check, _) in enumerate(samples):
            if state == 'error' and (i == 0 or samples[i - 1][1] != 'error'):
                waits.append(next_check - int(t))
        print(f'# waits after the failures: {waits}')
        self.assertGreaterEqual(len(waits), MAX_ATTEMPTS - 1)
        for shorter, longer in zip(waits, waits[1:]):
            self.assertGreater(longer, shorter)

        history, err = client.call('GetHistory', signature='(aa{sv})')
        self.assertIsNone(err)
        installs = [h for h in history[0] if h['action'] == 'install' and not h['success']]
        self.assertEqual(len(installs), MAX_ATTEMPTS)
        self.assertTrue(all(h['detail'] for h in installs))


class SecondAttemptWithoutLedger(UpdateTestCase):
    """The event ledger lost (cut to 0 bytes, as a power cut leaves it) after a failed
    install: the second attempt's events still get ids of their own, from the attempt
    the boot record counts, so a server that drops repeated ids keeps them."""

    def test_second_attempt_ids(self):
        broken = os.path.join(self.topdir, 'broken-fw_env.config')
        otadtest.write_file(broken, os.path.join(self.topdir, 'no-such-dir', 'uboot.env')
                            + ' 0x0000 0x4000\n')
        good = self.device.config(self.server, self.device.health_pass)
        bad = good.replace(f'fw-env-config={self.device.fw_env_config}',
                           f'fw-env-config={broken}')
        daemon, client = self.start_otad('A', name='fails', config=bad)
        for method, wanted in (('Check', 'update-available'), ('Install', 'error')):
            _, err = client.call(method)
            self.assertIsNone(err)
            client.wait_state((wanted,), daemon=daemon)
        daemon.stop()
        with open(os.path.join(daemon.state_dir, 'report-events.json'), 'w'):
            pass
        daemon, client = self.start_otad('A', name='succeeds', config=good)
        for method, wanted in (('Check', 'update-available'), ('Install', 'pending-reboot')):
            _, err = client.call(method)
            self.assertIsNone(err)
            client.wait_state((wanted,), daemon=daemon)
        # the install's events are sent as it ends: wait for them, bounded
        deadline = time.monotonic() + 30
        while True:
            log = self.server.log()
            started = [e['id'] for e in enginetest.events(log, 'EcuInstallationStarted')]
            if len(started) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        daemon.stop()
        failed = [e for e in enginetest.events(log, 'EcuInstallationCompleted')
                  if not e['event'].get('success')]
        print(f'# EcuInstallationStarted ids: {started}')
        self.assertEqual(len(failed), 1, log)
        self.assertEqual(len(started), 2, daemon.logs())
        self.assertNotEqual(started[0], started[1])


if __name__ == '__main__':
    otadtest.main()
