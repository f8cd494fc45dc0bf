# SPDX-License-Identifier: LGPL-2.1-or-later
"""TUF client workflow metadata cases (part 2), mixed into TufWorkflowTests."""

import json
import os

import tufgen

from tufgen import expires_in, fileinfo
from tuf_client_base import ROLES, APP, APP2


class WorkflowMetadataCases:
    """TUF workflow metadata cases: root rotation, malformed and wrongly typed
    JSON, more of 5.3 / 5.4, signatures, canonical JSON, parser differentials
    and targets.  Mixed into TufWorkflowTests."""

    # -- root rotation (5.3) ----------------------------------------------------
    def test_root_rotation_signed_by_old_and_new(self):
        self.bootstrap()
        self.repo.rotate_keys('root')
        self.repo.write_root()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('root'), 2)
        self.assertEqual(self.server.paths()[:2], ['/repo/2.root.json', '/repo/3.root.json'])

    def test_root_rotation_signed_only_by_new_refused(self):
        self.bootstrap()
        before = self.trusted()
        new = self.repo.rotate_keys('root')
        self.repo.write_root(sign_with=new)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_root_rotation_signed_only_by_old_refused(self):
        self.bootstrap()
        before = self.trusted()
        old = list(self.repo.keys['root'])
        self.repo.rotate_keys('root')
        self.repo.write_root(sign_with=old)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_root_rotation_old_threshold_not_met(self):
        self.bootstrap(thresholds={'root': 2}, nkeys={'root': 3})
        before = self.trusted()
        old = list(self.repo.keys['root'])
        new = self.repo.rotate_keys('root', count=1, threshold=1)
        self.repo.write_root(sign_with=[old[0]] + new)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_root_version_must_be_exactly_n_plus_1(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.rotate_keys('root')
        md = self.repo.sign_role('root', self.repo.build_root(version=3),
                                 self.repo.keys['root'] + self.repo.previous_root_keys)
        self.repo.write_file('2.root.json', tufgen.dump(md, self.dialect))
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_several_rotations_in_a_row(self):
        self.bootstrap()
        for _ in range(3):                       # 1 -> 2 -> 3 -> 4
            self.repo.rotate_keys('root')
            self.repo.rotate_keys('timestamp')
            self.repo.write_root()
        self.repo.publish()                      # signed with the final keys
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('root'), 4)
        self.assertEqual(self.trusted_version('timestamp'), 2)
        self.assertEqual(self.server.paths()[:5], ['/repo/2.root.json', '/repo/3.root.json',
                                                   '/repo/4.root.json', '/repo/5.root.json',
                                                   '/repo/timestamp.json'])

    def test_rotation_chain_broken_in_the_middle(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.rotate_keys('root')
        self.repo.write_root()                   # 2: good
        new = self.repo.rotate_keys('root')
        self.repo.write_root(sign_with=new)      # 3: not signed by root 2's keys
        self.repo.publish()
        self.assertRefused(self.refresh())
        self.assertNotEqual(self.trusted_version('root'), 3)
        self.assertTrustedUnchanged(before, ['timestamp', 'snapshot', 'targets'])

    def test_rotated_timestamp_key_old_key_refused(self):
        self.bootstrap()
        old = list(self.repo.keys['timestamp'])
        self.repo.rotate_keys('timestamp')
        self.repo.write_root()
        self.repo.version['timestamp'] += 1
        self.sign_write('timestamp', self.repo.build_timestamp(), old)
        before = self.trusted()
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['targets'])
        # 5.3.11: the timestamp key rotated, so the trusted timestamp and
        # snapshot are deleted; if kept, they must still be the old ones
        for role in ('timestamp', 'snapshot'):
            if os.path.exists(os.path.join(self.meta, role + '.json')):
                self.assertTrustedUnchanged(before, [role])

    # -- malformed and wrongly typed JSON ----------------------------------------
    def _serve_bad_timestamp(self, data):
        self.bootstrap()
        before = self.trusted()
        self.repo.write_file('timestamp.json', data)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_malformed_timestamp_truncated(self):
        self.bootstrap()
        self.repo.publish()
        data = self.repo.written['timestamp.json']
        before = self.trusted()
        self.repo.write_file('timestamp.json', data[:len(data) // 2])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_malformed_timestamp_binary(self):
        self._serve_bad_timestamp(b'\x00\xff\xfe{"signed"\x00')

    def test_malformed_timestamp_array(self):
        self._serve_bad_timestamp(b'[]')

    def test_malformed_signatures_not_a_list(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        md = self.repo.sign_role('timestamp', self.repo.build_timestamp())
        md['signatures'] = md['signatures'][0]
        self.repo.write_role('timestamp', md)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def _signed_timestamp_with(self, **changes):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        s = self.repo.build_timestamp()
        s.update(changes)
        self.sign_write('timestamp', s)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_wrong_type_timestamp_is_snapshot(self):
        self._signed_timestamp_with(_type=tufgen.type_name('snapshot', self.dialect))

    def test_wrong_type_version_as_string(self):
        self._signed_timestamp_with(version='2')

    def test_wrong_type_version_as_boolean(self):
        # canonical JSON has no floats, so a float cannot even be signed;
        # a boolean is the closest wrongly typed number that can
        self._signed_timestamp_with(version=True)

    def test_wrong_type_version_negative(self):
        self._signed_timestamp_with(version=-2)

    def test_wrong_type_expires_not_a_date(self):
        self._signed_timestamp_with(expires='next tuesday')

    def test_wrong_type_snapshot_meta_version_string(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        s = self.repo.build_timestamp()
        s['meta']['snapshot.json']['version'] = '1'
        self.sign_write('timestamp', s)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_wrong_type_root_served_as_next_root(self):
        self.bootstrap()
        before = self.trusted()
        s = self.repo.build_root(version=2)
        s['_type'] = tufgen.type_name('targets', self.dialect)
        md = self.repo.sign_role('root', s)
        self.repo.write_file('2.root.json', tufgen.dump(md, self.dialect))
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_wrong_type_target_length_string(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.targets['targets']['app.bin']['length'] = str(len(APP))
        self.repo.publish()
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'targets'])

    def test_root_threshold_zero_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.threshold['timestamp'] = 0
        self.repo.write_root()
        self.repo.version['timestamp'] += 1
        self.sign_write('timestamp', self.repo.build_timestamp(), [])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['timestamp', 'snapshot', 'targets'])
        self.assertEqual(self.trusted_version('timestamp'), 1)


    # -- more of 5.3 / 5.4 ------------------------------------------------------
    def test_equal_timestamp_version_stops_checkin(self):
        self.bootstrap()
        before = self.trusted()
        # same version, other bytes (re-signed with another expiry)
        self.repo.expires['timestamp'] = expires_in(300)
        self.sign_write('timestamp', self.repo.build_timestamp())
        self.repo.publish(roles=['snapshot', 'targets'])   # must not be looked at
        # spec 1.0.30+: an equal version ends the update, without an error
        self.assertAccepted(self.refresh())
        self.assertEqual(self.server.paths(), ['/repo/2.root.json', '/repo/timestamp.json'])
        self.assertTrustedUnchanged(before)

    def test_expired_trusted_root_recovers_by_rotation(self):
        # 5.3.10 checks the expiry of the final root only
        self.repo = self.make_repo()
        self.repo.expires['root'] = expires_in(-1)
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        self.init()
        self.repo.write_root(expires=expires_in(365))
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('root'), 2)

    def test_long_root_chain_is_bounded(self):
        self.bootstrap()
        for _ in range(60):
            self.repo.write_root()
        rc = self.refresh()
        # 5.3.3: at most Y root files per update cycle; whatever Y is, the
        # client must stop and may not trust beyond what it verified
        self.assertIn(rc, (0, 1), self.describe())
        fetched = [p for p in self.server.paths() if p.endswith('.root.json')]
        self.assertLessEqual(len(fetched), 61)
        self.assertLessEqual(self.trusted_version('root'), len(fetched) + 1)

    def test_root_replayed_as_next_version_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.write_file('2.root.json', self.repo.root_history[1])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_root_missing_a_role_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['root'] += 1
        s = self.repo.build_root()
        del s['roles']['snapshot']
        md = self.repo.sign_role('root', s)
        self.repo.write_file('2.root.json', tufgen.dump(md, self.dialect))
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_timestamp_without_snapshot_meta_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['timestamp'] += 1
        s = self.repo.build_timestamp()
        s['meta'] = {}
        self.sign_write('timestamp', s)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_snapshot_without_targets_meta_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['snapshot'] += 1
        s = self.repo.build_snapshot()
        del s['meta']['targets.json']
        self.sign_write('snapshot', s)
        self.repo.publish(roles=['timestamp'])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_snapshot_shorter_length_in_timestamp_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        s = self.repo.build_timestamp()
        s['meta']['snapshot.json']['length'] -= 10
        self.sign_write('timestamp', s)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_timestamp_server_error_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.publish()
        self.server.misbehave('/repo/timestamp.json', 'status', 500)
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_chunked_transfer_encoding(self):
        self.server.chunked = True
        self.bootstrap()
        self.repo.publish()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)
        self.assertEqual(self.trusted_version('targets'), 2)

    def test_slow_server_is_not_an_attack(self):
        self.bootstrap()
        self.repo.publish()
        self.server.misbehave('/repo/timestamp.json', 'slow', 1.0)
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('timestamp'), 2)

    # -- signatures: labels, extras, duplicates ---------------------------------
    def test_key_ids_are_opaque_labels(self):
        self.repo = self.make_repo()
        for i, role in enumerate(ROLES):
            for k in self.repo.keys[role]:
                k.label = 'label-%s-%d' % (role, i)
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        self.init()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)

    def test_unknown_extra_signature_is_ignored(self):
        self.bootstrap()
        self.repo.version['timestamp'] += 1
        signed = self.repo.build_timestamp()
        md = self.repo.sign_role('timestamp', signed)
        stranger = tufgen.Key.generate(self.key_kind)
        md['signatures'].insert(0, stranger.signature(tufgen.canonical_for(signed, self.dialect),
                                                      self.dialect))
        self.repo.write_role('timestamp', md)
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('timestamp'), 2)

    def test_invalid_extra_signature_of_trusted_key_is_ignored(self):
        # threshold 1 of 2 keys: a bad signature of one key must not hide
        # the good signature of the other
        self.bootstrap(nkeys={'timestamp': 2})
        self.repo.version['timestamp'] += 1
        signed = self.repo.build_timestamp()
        k0, k1 = self.repo.keys['timestamp']
        other = dict(signed, version=99)
        bad = k0.signature(tufgen.canonical_for(other, self.dialect), self.dialect)
        good = k1.signature(tufgen.canonical_for(signed, self.dialect), self.dialect)
        self.repo.write_role('timestamp', {'signatures': [bad, good], 'signed': signed})
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('timestamp'), 2)

    def test_duplicate_keyid_in_role_counts_once(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['root'] += 1
        s = self.repo.build_root()
        kid = s['roles']['timestamp']['keyids'][0]
        s['roles']['timestamp'] = {'keyids': [kid, kid], 'threshold': 2}
        self.repo.write_role('root', self.repo.sign_role('root', s))
        self.repo.version['timestamp'] += 1
        signed = self.repo.build_timestamp()
        k = self.repo.keys['timestamp'][0]
        sig = k.signature(tufgen.canonical_for(signed, self.dialect), self.dialect)
        self.repo.write_role('timestamp', {'signatures': [sig, dict(sig)], 'signed': signed})
        self.assertRefused(self.refresh())
        # root 2 verified and is kept (5.3.8); its timestamp role differs, so the trusted
        # timestamp and snapshot are deleted (5.3.11); nothing of the refused timestamp
        # is trusted and targets is untouched
        self.assertEqual(self.trusted_version('root'), 2)
        now = self.trusted()
        self.assertNotIn('timestamp.json', now)
        self.assertNotIn('snapshot.json', now)
        self.assertTrustedUnchanged(before, ['targets'])

    # -- canonical JSON: what is signed is what is verified ---------------------
    def test_unknown_fields_and_canonical_edge_cases(self):
        self.bootstrap()
        odd = {'quote': 'a"b', 'backslash': 'c\\d', 'newline': 'e\nf', 'ctrl': '\x01\x1f',
               'unicode': 'caf\u00e9 \u2603 \U0001F600', 'slash': 'g/h', 'empty': '',
               'ints': [0, -1, 2 ** 53 + 1, -(2 ** 63)], 'nested': {'': {}, 'a': [[], {}]},
               'bools': [True, False, None], '\u00e9t\u00e9': 'key sorted by code point',
               'Zed': 1, 'alpha': 2}
        name = 'caf\u00e9-\u2603.bin'
        self.repo.add_target(name, APP2, custom=odd)
        self.repo.extra_signed['targets'] = {'x-vendor-field': odd}
        self.repo.extra_signed['snapshot'] = {'x-vendor-field': ['unknown', 1]}
        self.repo.extra_signed['timestamp'] = {'x-vendor-field': {'k': 'v'}}
        self.repo.publish()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('targets'), 2)
        self.assertAccepted(self.download(name))
        self.assertDelivered(name, APP2)

    # -- parser differentials ---------------------------------------------------
    def _duplicate_version(self, first):
        self.bootstrap()
        self.repo.publish()                         # timestamp version 2, signed
        raw = self.repo.read_file('timestamp.json').decode()
        if first:
            i = raw.index('"signed"')
            i = raw.index('{', i) + 1
            raw = raw[:i] + '"version": 1000, ' + raw[i:]
        else:
            i = raw.rstrip().rindex('}')            # end of the envelope
            i = raw[:i].rstrip().rindex('}')        # end of "signed"
            raw = raw[:i] + ', "version": 1000' + raw[i:]
        json.loads(raw)                             # still JSON
        self.repo.write_file('timestamp.json', raw.encode())
        rc = self.refresh()
        # duplicate keys: refusing is fine; accepting is fine only with the
        # value the signature covers, never the other one
        self.assertIn(rc, (0, 1), self.describe())
        if rc == 0:
            # the client must have taken version 2: a fresh version 3 is
            # then no rollback
            self.repo.publish()
            self.assertAccepted(self.refresh())

    def test_duplicate_json_key_before_signed_value(self):
        self._duplicate_version(first=True)

    def test_duplicate_json_key_after_signed_value(self):
        self._duplicate_version(first=False)

    def test_spec_version_minor_newer_accepted(self):
        if self.dialect != 'tuf':
            self.skipTest('no spec_version in the OTA dialect')
        self.bootstrap()
        for role in ROLES:
            self.repo.extra_signed[role] = {'spec_version': '1.0.31'}
        self.repo.write_root()
        self.repo.publish()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('root'), 2)

    def test_spec_version_major_2_refused(self):
        if self.dialect != 'tuf':
            self.skipTest('no spec_version in the OTA dialect')
        self.bootstrap()
        before = self.trusted()
        self.repo.extra_signed['root'] = {'spec_version': '2.0.0'}
        self.repo.write_root()
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_root_threshold_as_string_refused(self):
        self.bootstrap()
        before = self.trusted()
        self.repo.version['root'] += 1
        s = self.repo.build_root()
        s['roles']['targets']['threshold'] = '1'
        self.repo.write_role('root', self.repo.sign_role('root', s))
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before)

    def test_large_targets_metadata(self):
        self.bootstrap(snapshot_hashes=True)
        for i in range(20000):
            self.repo.targets['targets']['pkg/%05d.bin' % i] = {
                'length': i, 'hashes': {'sha256': '%064x' % i},
                'custom': {'version': str(i), 'hardwareIds': ['hw-%d' % (i % 7)]}}
        self.repo.publish()
        self.assertGreater(len(self.repo.read_file('targets.json')), 2 * 1024 * 1024)
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('targets'), 2)
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)

    # -- targets ----------------------------------------------------------------
    def test_target_with_only_sha512(self):
        self.bootstrap()
        info = self.repo.add_target('only512.bin', APP2)
        del info['hashes']['sha256']
        self.repo.publish()
        self.assertAccepted(self.download('only512.bin'))
        self.assertDelivered('only512.bin', APP2)

    def test_target_name_escaping_target_dir(self):
        self.bootstrap()
        name = '../escaped.bin'
        self.repo.targets['targets'][name] = fileinfo(APP2)
        self.repo.publish()
        with open(os.path.join(self.repo.dir, 'escaped.bin'), 'wb') as f:
            f.write(APP2)
        rc = self.download(name)
        # signed by the repository, but a client must never write outside
        # its target directory
        self.assertIn(rc, (0, 1), self.describe())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'escaped.bin')),
                         'wrote outside --target-dir' + self.describe())

    def test_negative_target_length_refused(self):
        self.bootstrap()
        self.repo.targets['targets']['app.bin']['length'] = -1
        self.repo.publish()
        self.assertRefused(self.download('app.bin'))
        self.assertNotDelivered('app.bin')
