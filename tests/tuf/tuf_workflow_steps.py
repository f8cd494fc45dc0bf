# SPDX-License-Identifier: LGPL-2.1-or-later
"""TUF client workflow cases (part 3), mixed into TufWorkflowTests: each file is
persisted as its step verifies it (TUF 1.0.x 5.3.8, 5.4.5, 5.5.7, 5.6.6), the
recovery from a fast-forward attack through a snapshot key rotation (5.3.11),
a signatures list naming one key id twice, and slow retrieval."""

import time

import tufgen

from tuf_client_base import APP, APP2


class WorkflowStepCases:
    """Section 5 step by step.  Mixed into TufWorkflowTests."""

    def test_root_rotation_kept_when_timestamp_refused(self):
        # 5.3.8: root 2 is persisted as soon as it verified; the refused timestamp
        # does not take it back, and the next refresh starts from root 2
        self.bootstrap()
        before = self.trusted()
        self.repo.rotate_keys('root')
        self.repo.write_root()
        self.repo.version['timestamp'] += 1
        self.sign_write('timestamp', self.repo.build_timestamp(),
                        [tufgen.Key.generate(self.key_kind)])
        self.assertRefused(self.refresh())
        self.assertEqual(self.trusted_version('root'), 2)
        self.assertTrustedUnchanged(before, ['timestamp', 'snapshot', 'targets'])
        # a good timestamp now; 2.root.json is gone from the server, so only a client
        # that kept root 2 goes on with 3.root.json
        self.repo.publish()
        self.server.clear_log()
        self.server.misbehave('/repo/2.root.json', 'status', 404)
        self.assertAccepted(self.refresh())
        paths = self.server.paths()
        self.assertNotIn('/repo/2.root.json', paths, self.describe())
        self.assertEqual(paths[0], '/repo/3.root.json', self.describe())
        self.assertEqual(self.trusted_version('root'), 2)
        self.assertEqual(self.trusted_version('timestamp'), 3)

    def test_timestamp_kept_when_snapshot_refused(self):
        # 5.4.5: the new timestamp is trusted before snapshot is fetched
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        self.server.misbehave('/repo/snapshot.json', 'content', b'{"not": "metadata"')
        self.assertRefused(self.refresh())
        self.assertEqual(self.trusted_version('timestamp'), 2)
        self.assertTrustedUnchanged(before, ['snapshot', 'targets'])

    def test_snapshot_kept_when_targets_refused(self):
        # 5.5.7: snapshot is trusted before targets is fetched; a later refresh fetches
        # the targets snapshot lists again rather than keeping the old one
        self.bootstrap()
        before = self.trusted()
        self.repo.add_target('app2.bin', APP2)
        self.repo.publish()
        self.server.misbehave('/repo/targets.json', 'content', b'[]')
        self.assertRefused(self.refresh())
        self.assertEqual(self.trusted_version('snapshot'), 2)
        self.assertTrustedUnchanged(before, ['targets'])
        self.server.behave()
        self.assertAccepted(self.download('app2.bin'))
        self.assertDelivered('app2.bin', APP2)
        self.assertEqual(self.trusted_version('targets'), 2)

    def test_snapshot_key_rotation_recovers_from_fast_forward(self):
        # python-tuf tests/test_updater_top_level_update.py,
        # test_new_targets_fast_forward_recovery: targets fast-forwarded to 99999, the
        # repository rotates the snapshot key and goes back to targets version 1; the
        # trusted snapshot is dropped (5.3.11) and targets is held to the version the
        # new snapshot lists (5.6.3), not to the trusted one
        self.bootstrap()
        self.repo.version['targets'] = 99998
        self.repo.publish()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('targets'), 99999)
        self.repo.rotate_keys('snapshot')
        self.repo.write_root()
        self.repo.version['targets'] = 0
        self.repo.add_target('app2.bin', APP2)
        self.repo.publish()
        self.assertAccepted(self.download('app2.bin'))
        self.assertDelivered('app2.bin', APP2)
        self.assertEqual(self.trusted_version('targets'), 1)
        self.assertEqual(self.trusted_version('root'), 2)

    def test_fast_forward_without_rotation_stays_refused(self):
        # the same going back without a snapshot key rotation is a rollback (5.5.5)
        self.bootstrap()
        before_version = 99999
        self.repo.version['targets'] = before_version - 1
        self.repo.publish()
        self.assertAccepted(self.refresh())
        before = self.trusted()
        self.repo.version['targets'] = 0
        self.repo.publish()
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['snapshot', 'targets'])

    def test_signatures_naming_a_key_id_twice_refused(self):
        # python-tuf tuf/api/metadata.py, Metadata.from_dict: "Multiple signatures
        # found for keyid"; here a valid signature and a second entry with the same id:
        # one of them would be enough for the threshold of 1
        self.bootstrap()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        signed = self.repo.build_timestamp()
        k = self.repo.keys['timestamp'][0]
        good = k.signature(tufgen.canonical_for(signed, self.dialect), self.dialect)
        other = dict(good, sig=k.signature(b'something else', self.dialect)['sig'])
        self.repo.write_role('timestamp', {'signatures': [good, other], 'signed': signed})
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_slow_retrieval_one_byte_per_second(self):
        # the per-I/O timeout never fires on a byte a second: the deadline and the
        # minimum average speed do (OtadHttp, the daemon's transport)
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        self.server.misbehave('/repo/timestamp.json', 'trickle', 60)
        start = time.monotonic()
        rc = self.client('--deadline-sec', '3', '--min-speed', '100',
                         '--metadata-url', self.url, 'refresh')
        elapsed = time.monotonic() - start
        self.assertRefused(rc)
        self.assertRegex(self.last[2], r'slow[ -]retrieval', self.describe())
        # three seconds, plus the byte that shows it, plus start-up
        self.assertLess(elapsed, 15, self.describe())
        self.assertTrustedUnchanged(before)

    def test_root_at_the_largest_version(self):
        # a trusted root at 2^63 - 1 has no next version: no overflow to ask for (the
        # sanitizers catch a signed overflow), and the refresh goes on from it
        self.repo = self.make_repo()
        self.repo.add_target('app.bin', APP)
        self.repo.version['root'] = 2 ** 63 - 2
        self.repo.write_root()
        self.repo.publish()
        self.init(self.repo.path('%d.root.json' % (2 ** 63 - 1)))
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)
        self.assertFalse([p for p in self.server.paths() if p.endswith('.root.json')],
                         self.describe())
