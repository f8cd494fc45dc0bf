# SPDX-License-Identifier: LGPL-2.1-or-later
"""TUF client workflow attack cases (part 1), mixed into TufWorkflowTests."""

import hashlib
import json
import os

import tufgen

from tufgen import expires_in, fileinfo
from tufserver import MAX_MISBEHAVE_BYTES
from tuf_client_base import ROLES, ENDLESS_SENT_BOUND, APP, APP2


class WorkflowAttackCases:
    """TUF workflow attack classes: basics, download, arbitrary software,
    rollback, freeze, endless data, mix-and-match, fast-forward recovery and
    key compromise below threshold.  Mixed into TufWorkflowTests."""

    # -- basics -------------------------------------------------------------
    def test_init_copies_root_without_network(self):
        self.repo = self.make_repo()
        self.repo.publish()
        self.init()
        with open(os.path.join(self.meta, 'root.json'), 'rb') as f:
            self.assertEqual(json.loads(f.read()), json.loads(self.repo.root_history[1]))
        self.assertEqual(self.server.paths(), [])

    def test_refresh_fetches_in_spec_order(self):
        self.repo = self.make_repo()
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        self.init()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.server.paths(), ['/repo/2.root.json', '/repo/timestamp.json',
                                               '/repo/snapshot.json', '/repo/targets.json'])
        for role in ROLES:
            self.assertEqual(self.trusted_version(role), 1)

    def test_unchanged_checkin_stops_after_timestamp(self):
        self.bootstrap()
        before = self.trusted()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.server.paths(), ['/repo/2.root.json', '/repo/timestamp.json'])
        self.assertEqual([r.status for r in self.server.log()], [404, 200])
        self.assertTrustedUnchanged(before)

    def test_new_versions_accepted(self):
        self.bootstrap()
        self.repo.add_target('app2.bin', APP2)
        self.repo.publish()
        self.assertAccepted(self.refresh())
        for role in ('timestamp', 'snapshot', 'targets'):
            self.assertEqual(self.trusted_version(role), 2)
        self.assertAccepted(self.download('app2.bin'))
        self.assertDelivered('app2.bin', APP2)

    # -- download -------------------------------------------------------------
    def test_download_verified_and_not_fetched_again(self):
        self.bootstrap()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)
        self.assertIn('/repo/targets/app.bin', self.server.paths())
        self.server.clear_log()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)
        self.assertNotIn('/repo/targets/app.bin', self.server.paths())

    def test_download_replaces_unverified_local_copy(self):
        self.bootstrap()
        with open(self.out_file('app.bin'), 'wb') as f:
            f.write(b'x' * len(APP))
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)
        self.assertIn('/repo/targets/app.bin', self.server.paths())

    def test_download_refetches_when_target_changes(self):
        self.bootstrap()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)
        self.repo.add_target('app.bin', APP2)          # same name, new content
        self.repo.publish()
        self.server.clear_log()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP2)
        self.assertIn('/repo/targets/app.bin', self.server.paths())

    def test_download_empty_target(self):
        self.bootstrap()
        self.repo.add_target('empty.bin', b'')
        self.repo.publish()
        self.assertAccepted(self.download('empty.bin'))
        self.assertDelivered('empty.bin', b'')

    def test_download_large_target(self):
        self.bootstrap()
        big = hashlib.sha512(b'seed').digest() * (16 * 1024 * 1024 // 64)
        self.repo.add_target('big.img', big)
        self.repo.publish()
        self.assertAccepted(self.download('big.img'))
        self.assertDelivered('big.img', big)

    def test_download_unknown_target_refused(self):
        self.bootstrap()
        os.makedirs(os.path.join(self.repo.dir, 'targets'), exist_ok=True)
        with open(os.path.join(self.repo.dir, 'targets', 'other.bin'), 'wb') as f:
            f.write(b'not listed')
        self.assertRefused(self.download('other.bin'))
        self.assertNotDelivered('other.bin')

    # -- arbitrary software ---------------------------------------------------
    def test_arbitrary_software_target_tampered(self):
        self.bootstrap()
        evil = bytes(b ^ 0x20 for b in APP)          # same length, other bytes
        self.repo.write_file('targets/app.bin', evil)
        self.assertRefused(self.download('app.bin'))
        self.assertNotDelivered('app.bin', evil)
        self.assertFalse(os.path.exists(self.out_file('app.bin')))

    def test_arbitrary_software_targets_metadata_tampered(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        md = json.loads(self.repo.read_file('targets.json'))
        md['signed']['targets']['evil.bin'] = fileinfo(b'evil')
        self.repo.write_file('targets.json', tufgen.dump(md, self.dialect))
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])

    def test_timestamp_signed_by_unknown_key(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        self.sign_write('timestamp', self.repo.build_timestamp(),
                        [tufgen.Key.generate(self.key_kind)])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_timestamp_signature_bytes_corrupted(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        md = self.repo.sign_role('timestamp', self.repo.build_timestamp())
        sig = md['signatures'][0]
        if self.dialect == 'tuf':
            raw = bytearray(bytes.fromhex(sig['sig']))
            raw[len(raw) // 2] ^= 1
            sig['sig'] = raw.hex()
        else:
            import base64
            raw = bytearray(base64.b64decode(sig['sig']))
            raw[len(raw) // 2] ^= 1
            sig['sig'] = base64.b64encode(bytes(raw)).decode()
        self.repo.write_role('timestamp', md)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    # -- rollback (5.4.3, 5.5.5) ---------------------------------------------
    def test_rollback_timestamp_refused(self):
        self.bootstrap()
        old_ts = self.repo.written['timestamp.json']
        self.repo.publish()
        self.assertAccepted(self.refresh())
        before = self.trusted()
        self.repo.write_file('timestamp.json', old_ts)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_rollback_snapshot_version_in_timestamp_refused(self):
        self.bootstrap()
        old_snap = self.repo.written['snapshot.json']
        self.repo.publish()
        self.assertAccepted(self.refresh())
        before = self.trusted()
        # a new, validly signed timestamp naming the old snapshot version
        self.repo.write_file('snapshot.json', old_snap)
        self.repo.version['timestamp'] += 1
        self.sign_write('timestamp', self.repo.build_timestamp(snapshot_version=1))
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_rollback_targets_version_in_snapshot_refused(self):
        self.bootstrap()
        old_targets = self.repo.written['targets.json']
        self.repo.publish()
        self.assertAccepted(self.refresh())
        before = self.trusted()
        self.repo.write_file('targets.json', old_targets)
        self.repo.version['targets'] = 1
        self.repo.publish(roles=['snapshot', 'timestamp'])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    # -- indefinite freeze (5.3.10, 5.4.4, 5.5.6, 5.6.4) ----------------------
    def test_freeze_expired_timestamp(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.expires['timestamp'] = expires_in(-1)
        self.repo.publish(roles=['timestamp'])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_freeze_expired_snapshot(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.expires['snapshot'] = expires_in(-1)
        self.repo.publish(roles=['snapshot', 'timestamp'])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_freeze_expired_targets(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.expires['targets'] = expires_in(-1)
        self.repo.add_target('app2.bin', APP2)
        self.repo.publish()
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])
        self.assertRefused(self.download('app2.bin'))
        self.assertNotDelivered('app2.bin')

    def test_freeze_expired_final_root(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.write_root(expires=expires_in(-1))
        self.repo.publish()
        self.assertRefused(self.refresh())
        # 5.3.8 persists each verified root before 5.3.10 checks the final
        # one's expiry: root.json may be version 2; nothing after it changes.
        self.assertTrustedUnchanged(before, ['timestamp', 'snapshot', 'targets'])

    def test_expired_intermediate_root_is_fine(self):
        self.bootstrap()
        self.repo.write_root(expires=expires_in(-1))
        self.repo.expires['root'] = expires_in(365)
        self.repo.write_root()
        self.repo.publish()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('root'), 3)

    def test_freeze_expired_trusted_root_without_update(self):
        self.repo = self.make_repo()
        self.repo.expires['root'] = expires_in(-1)
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        self.init()
        before = self.trusted()
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    # -- endless data -----------------------------------------------------------
    def test_endless_timestamp(self):
        self.bootstrap()
        before = self.trusted()
        self.server.misbehave('/repo/timestamp.json', 'endless')
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)
        self.assertLess(self.server.sent('/repo/timestamp.json'), ENDLESS_SENT_BOUND)

    def test_oversized_timestamp_with_content_length(self):
        self.bootstrap()
        before = self.trusted()
        self.server.misbehave('/repo/timestamp.json', 'oversize')
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)
        self.assertLess(self.server.sent('/repo/timestamp.json'), ENDLESS_SENT_BOUND)

    def test_endless_next_root(self):
        self.bootstrap()
        before = self.trusted()
        self.server.misbehave('/repo/2.root.json', 'endless')
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)
        self.assertLess(self.server.sent('/repo/2.root.json'), ENDLESS_SENT_BOUND)

    def test_endless_snapshot(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        self.server.misbehave('/repo/snapshot.json', 'endless')
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])
        self.assertLess(self.server.sent('/repo/snapshot.json'), ENDLESS_SENT_BOUND)

    def test_snapshot_longer_than_timestamp_says(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        self.server.misbehave('/repo/snapshot.json', 'append', b' ' * 4096 + b'{}')
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_endless_targets_metadata(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        self.server.misbehave('/repo/targets.json', 'endless')
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])
        self.assertLess(self.server.sent('/repo/targets.json'), MAX_MISBEHAVE_BYTES)

    def test_endless_target_file(self):
        self.bootstrap()
        self.server.misbehave('/repo/targets/app.bin', 'endless')
        self.assertRefused(self.download('app.bin'))
        self.assertNotDelivered('app.bin')
        self.assertLess(self.server.sent('/repo/targets/app.bin'), ENDLESS_SENT_BOUND)

    def test_target_longer_than_declared(self):
        self.bootstrap()
        self.server.misbehave('/repo/targets/app.bin', 'append', b'MALWARE' * 100)
        rc = self.download('app.bin')
        # 5.7.3: download at most the declared length; a client may stop
        # there and verify (success with the exact file) or refuse, but
        # never deliver the longer body.
        self.assertIn(rc, (0, 1), self.describe())
        if rc == 0:
            self.assertDelivered('app.bin', APP)
        else:
            self.assertErrorClass()
            self.assertNotDelivered('app.bin')

    def test_target_shorter_than_declared(self):
        self.bootstrap()
        self.server.misbehave('/repo/targets/app.bin', 'content', APP[:-10])
        self.assertRefused(self.download('app.bin'))
        self.assertNotDelivered('app.bin')

    # -- mix-and-match (5.5.4, 5.6.2) -------------------------------------------
    def test_mix_and_match_snapshot_version_differs_from_timestamp(self):
        self.bootstrap(timestamp_hashes=False)
        before = self.trusted()
        self.repo.publish()
        # timestamp v3 announces snapshot v3; the server still has v2
        self.repo.version['timestamp'] += 1
        self.sign_write('timestamp', self.repo.build_timestamp(snapshot_version=3))
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_mix_and_match_snapshot_hash_differs_from_timestamp(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        # a validly signed snapshot of the announced version, other bytes
        self.repo.expires['snapshot'] = expires_in(200)
        self.sign_write('snapshot', self.repo.build_snapshot())
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_mix_and_match_targets_version_differs_from_snapshot(self):
        self.bootstrap()
        before = self.trusted()
        old_targets = self.repo.written['targets.json']
        self.repo.publish()
        self.repo.write_file('targets.json', old_targets)   # v1 where snapshot says v2
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])

    def test_mix_and_match_targets_hash_differs_from_snapshot(self):
        self.bootstrap(snapshot_hashes=True)
        before = self.trusted()
        self.repo.publish()
        self.repo.expires['targets'] = expires_in(200)
        self.sign_write('targets', self.repo.build_targets())
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])

    # -- fast-forward recovery (5.3.11) -------------------------------------------
    def _fast_forward_timestamp(self):
        self.bootstrap()
        # an attacker holding the timestamp key pushes version 1000
        self.sign_write('timestamp', self.repo.build_timestamp(version=1000))
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('timestamp'), 1000)

    def test_fast_forward_recovery_after_timestamp_key_rotation(self):
        self._fast_forward_timestamp()
        self.repo.rotate_keys('timestamp')
        self.repo.write_root()
        self.repo.publish()                     # timestamp version 2
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('root'), 2)
        self.assertEqual(self.trusted_version('timestamp'), 2)

    def test_fast_forwarded_timestamp_blocks_without_rotation(self):
        self._fast_forward_timestamp()
        before = self.trusted()
        self.repo.publish()                     # timestamp version 2 < 1000
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_fast_forward_recovery_after_snapshot_key_rotation(self):
        self.bootstrap()
        self.repo.version['snapshot'] = 1000
        self.repo.publish(roles=['snapshot'], bump=False)
        self.repo.publish(roles=['timestamp'])
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('snapshot'), 1000)
        self.repo.rotate_keys('snapshot')
        self.repo.write_root()
        self.repo.version['snapshot'] = 1
        self.repo.publish()                     # snapshot version 2
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('snapshot'), 2)

    # -- key compromise below threshold ------------------------------------------
    def _threshold_repo(self):
        return self.bootstrap(thresholds={'targets': 2, 'timestamp': 2},
                              nkeys={'targets': 3, 'timestamp': 3})

    def _publish_targets_signed_by(self, keys):
        self.repo.add_target('evil.bin', b'evil')
        self.repo.version['targets'] += 1
        self.sign_write('targets', self.repo.build_targets(), keys)
        self.repo.publish(roles=['snapshot', 'timestamp'])

    def test_threshold_met_accepted(self):
        self._threshold_repo()
        k = self.repo.keys['targets']
        self._publish_targets_signed_by([k[0], k[2]])
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('targets'), 2)

    def test_key_compromise_below_threshold(self):
        self._threshold_repo()
        before = self.trusted()
        self._publish_targets_signed_by([self.repo.keys['targets'][0]])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])

    def test_same_key_signing_twice_counts_once(self):
        self._threshold_repo()
        before = self.trusted()
        k = self.repo.keys['targets'][0]
        self._publish_targets_signed_by([k, k])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])

    def test_key_of_another_role_does_not_count(self):
        self._threshold_repo()
        before = self.trusted()
        self._publish_targets_signed_by([self.repo.keys['targets'][0],
                                         self.repo.keys['timestamp'][0]])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])

    def test_timestamp_below_threshold(self):
        self._threshold_repo()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        self.sign_write('timestamp', self.repo.build_timestamp(),
                        [self.repo.keys['timestamp'][1]])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)
