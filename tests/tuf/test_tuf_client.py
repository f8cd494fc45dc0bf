#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Attack-class tests for otad's TUF/Uptane verifier, through `tuf-client`.

The repositories are generated and signed by tufgen.py (securesystemslib +
cryptography, no code shared with the C side) and served by tufserver.py on
127.0.0.1.  Every refused update must exit 1 and leave the trusted metadata
of the refused role (and of every role after it in the TUF workflow) byte for
byte unchanged; whole-directory equality is asserted where the refused file
is the first one the workflow would persist (root N+1 or timestamp).

The executable comes from $TUF_CLIENT (set by meson) or the first argument.
Without it the suite is skipped (exit 77).

Expectations follow the TUF specification 1.0.x section 5 ("Detailed client
workflow") and the Uptane Standard (full verification), not the behaviour of
any one implementation; the step numbers cited are those of TUF 1.0.x.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tufgen  # noqa: E402
from tufgen import Repo, UptaneRepos, expires_in, fileinfo  # noqa: E402
from tufserver import TufServer, MAX_MISBEHAVE_BYTES  # noqa: E402

TUF_CLIENT = os.environ.get('TUF_CLIENT')
CLIENT_TIMEOUT = 120
ROLES = ('root', 'timestamp', 'snapshot', 'targets')
# A client that reads an endless stream to our cap has no size limit at all;
# a bounded one stops within its limit plus what the socket buffers hold.
ENDLESS_SENT_BOUND = 24 * 1024 * 1024

APP = b'application image v1\n' * 40
APP2 = b'application image v2\n' * 41

# The attack class each refusal must be reported as.  tuf-client prints
# "tuf-client: CLASS: message" (OtadTufError names); a client that prints
# something else is only held to its exit code.
SIG = ('bad-signature', 'threshold')
SIZE = ('too-large', 'length-mismatch', 'hash-mismatch')
EXPECTED_CLASS = {
    'test_arbitrary_software_target_tampered': ('hash-mismatch',),
    'test_arbitrary_software_targets_metadata_tampered': SIG,
    'test_delegated_role_badly_signed': SIG + ('unknown-target',),
    'test_delegated_role_below_threshold': SIG + ('unknown-target',),
    'test_delegated_role_disappearing_from_snapshot_refused': ('rollback',),
    'test_delegated_role_version_going_down_refused': ('rollback',),
    'test_spec_version_major_2_refused': ('unsupported', 'malformed'),
    'test_root_threshold_as_string_refused': ('malformed',),
    'test_delegated_role_expired': ('expired', 'unknown-target'),
    'test_delegated_role_version_mismatch': ('mix-and-match', 'unknown-target'),
    'test_delegation_cycle_is_bounded': ('unknown-target',),
    'test_director_root_replaced_after_first_use_refused': SIG,
    'test_director_root_rotation_only_new_signature_refused': SIG,
    'test_director_targets_badly_signed': SIG,
    'test_director_targets_expired': ('expired',),
    'test_image_repo_timestamp_expired': ('expired',),
    'test_director_root_expired': ('expired',),
    'test_same_content_other_name_in_image_repo': ('unknown-target',),
    'test_director_targets_rollback': ('rollback',),
    'test_director_timestamp_rollback': ('rollback',),
    'test_director_targets_with_delegations_refused': ('malformed', 'unknown-role',
                                                      'unsupported'),
    'test_download_unknown_target_refused': ('unknown-target',),
    'test_duplicate_keyid_in_role_counts_once': SIG + ('malformed',),
    'test_ecu_named_twice_refused': ('ecu-mismatch',),
    'test_endless_director_targets': ('too-large',),
    'test_endless_next_root': ('too-large',),
    'test_endless_snapshot': ('too-large',),
    'test_endless_target_file': ('too-large',),
    'test_endless_targets_metadata': ('too-large',),
    'test_endless_timestamp': ('too-large',),
    'test_oversized_timestamp_with_content_length': ('too-large',),
    'test_fast_forwarded_timestamp_blocks_without_rotation': ('rollback',),
    'test_first_delegation_in_order_wins': SIZE,
    'test_freeze_expired_final_root': ('expired',),
    'test_freeze_expired_snapshot': ('expired',),
    'test_freeze_expired_targets': ('expired',),
    'test_freeze_expired_timestamp': ('expired',),
    'test_freeze_expired_trusted_root_without_update': ('expired',),
    'test_hash_mismatch_between_director_and_image': ('hash-mismatch',),
    'test_image_content_tampered': ('hash-mismatch',),
    'test_image_repo_hardware_ids_exclude_device': ('hardware-mismatch',),
    'test_key_compromise_below_threshold': SIG,
    'test_key_of_another_role_does_not_count': SIG,
    'test_length_mismatch_between_director_and_image': ('length-mismatch',),
    'test_malformed_signatures_not_a_list': ('malformed',),
    'test_malformed_timestamp_array': ('malformed',),
    'test_malformed_timestamp_binary': ('malformed',),
    'test_malformed_timestamp_truncated': ('malformed',),
    'test_mix_and_match_snapshot_hash_differs_from_timestamp': ('hash-mismatch',
                                                                'mix-and-match'),
    'test_mix_and_match_snapshot_version_differs_from_timestamp': ('mix-and-match',),
    'test_mix_and_match_targets_hash_differs_from_snapshot': ('hash-mismatch',
                                                             'mix-and-match'),
    'test_mix_and_match_targets_version_differs_from_snapshot': ('mix-and-match',),
    'test_negative_target_length_refused': ('malformed',),
    'test_one_hash_mismatch_among_several': ('hash-mismatch',),
    'test_path_hash_prefixes': ('unknown-target',),
    'test_path_pattern_wildcards': ('unknown-target',),
    'test_rollback_snapshot_version_in_timestamp_refused': ('rollback',),
    'test_rollback_targets_version_in_snapshot_refused': ('rollback',),
    'test_rollback_timestamp_refused': ('rollback',),
    'test_root_missing_a_role_refused': ('malformed',),
    'test_root_replayed_as_next_version_refused': ('bad-version', 'rollback'),
    'test_root_rotation_old_threshold_not_met': SIG,
    'test_root_rotation_signed_only_by_new_refused': SIG,
    'test_root_rotation_signed_only_by_old_refused': SIG,
    'test_root_threshold_zero_refused': ('malformed',),
    'test_root_version_must_be_exactly_n_plus_1': ('bad-version',),
    'test_rotated_timestamp_key_old_key_refused': SIG,
    'test_rotation_chain_broken_in_the_middle': SIG,
    'test_same_key_signing_twice_counts_once': SIG,
    'test_snapshot_longer_than_timestamp_says': SIZE,
    'test_snapshot_shorter_length_in_timestamp_refused': SIZE,
    'test_snapshot_without_targets_meta_refused': ('malformed', 'unknown-role',
                                                   'mix-and-match'),
    'test_target_longer_than_declared': SIZE,
    'test_target_missing_from_image_repo': ('unknown-target',),
    'test_target_outside_delegated_paths_refused': ('unknown-target',),
    'test_target_shorter_than_declared': ('length-mismatch', 'hash-mismatch'),
    'test_terminating_delegation_stops_search': ('unknown-target',),
    'test_timestamp_below_threshold': SIG,
    'test_timestamp_server_error_refused': ('error', 'failed', 'not-found'),
    'test_timestamp_signature_bytes_corrupted': SIG,
    'test_timestamp_signed_by_unknown_key': SIG,
    'test_timestamp_without_snapshot_meta_refused': ('malformed',),
    'test_unknown_ecu_serial': ('ecu-mismatch',),
    'test_wrong_hardware_id_of_device': ('hardware-mismatch',),
    'test_wrong_type_expires_not_a_date': ('malformed',),
    'test_wrong_type_root_served_as_next_root': ('wrong-type',),
    'test_wrong_type_snapshot_meta_version_string': ('malformed',),
    'test_wrong_type_target_length_string': ('malformed',),
    'test_wrong_type_timestamp_is_snapshot': ('wrong-type',),
    'test_wrong_type_version_as_boolean': ('malformed',),
    'test_wrong_type_version_as_string': ('malformed',),
    'test_wrong_type_version_negative': ('malformed', 'rollback'),
    'test_tuf_key_types': SIG,
    'test_ota_key_types': SIG,
}
ERROR_LINE = re.compile(r'^tuf-client: ([a-z-]+): ', re.M)


class ClientTestCase(unittest.TestCase):
    dialect = 'tuf'
    key_kind = 'ed25519'

    def setUp(self):
        if not TUF_CLIENT:
            self.skipTest('TUF_CLIENT not set')
        self.tmp = tempfile.mkdtemp(prefix='tuffix-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.srvroot = os.path.join(self.tmp, 'srv')
        os.makedirs(self.srvroot)
        self.meta = os.path.join(self.tmp, 'meta')
        self.out = os.path.join(self.tmp, 'out')
        os.makedirs(self.out)
        self.server = TufServer(self.srvroot).start()
        self.addCleanup(self.server.stop)
        self.url = self.server.url('/repo')
        self.last = None

    # -- running the client -------------------------------------------------
    def client(self, *args, meta=None):
        argv = [TUF_CLIENT, '--metadata-dir', meta or self.meta] + list(args)
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail('tuf-client did not finish within %ds: %s' % (CLIENT_TIMEOUT, argv))
        self.last = (argv, p.returncode, p.stdout.decode(errors='replace'))
        # a sanitizer report must never pass as a refusal (exit 1)
        for marker in ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
                       'CRITICAL **', 'GLib-CRITICAL', 'GLib-GObject-CRITICAL'):
            if marker in self.last[2]:
                self.fail('tuf-client reported %r%s' % (marker, self.describe()))
        return p.returncode

    def describe(self):
        if not self.last:
            return ''
        argv, rc, out = self.last
        return '\n$ %s\n(exit %d)\n%s' % (' '.join(argv), rc, out[-3000:])

    def init(self, root_path=None, meta=None):
        rc = self.client('init', root_path or self.repo.path('1.root.json'), meta=meta)
        self.assertEqual(rc, 0, self.describe())

    def refresh(self, url=None, meta=None):
        return self.client('--metadata-url', url or self.url, 'refresh', meta=meta)

    def download(self, name, url=None, meta=None, out=None):
        url = url or self.url
        return self.client('--metadata-url', url, '--target-name', name,
                           '--target-base-url', url + '/targets',
                           '--target-dir', out or self.out, 'download', meta=meta)

    def assertAccepted(self, rc):
        self.assertEqual(rc, 0, 'expected success' + self.describe())

    def assertRefused(self, rc):
        self.assertEqual(rc, 1, 'expected refusal (exit 1)' + self.describe())
        self.assertErrorClass()

    def assertErrorClass(self):
        expected = EXPECTED_CLASS.get(self._testMethodName)
        found = ERROR_LINE.findall(self.last[2]) if self.last else []
        if expected and found:
            self.assertIn(found[-1], expected, 'refused for the wrong reason' + self.describe())

    # -- repositories and trusted state -------------------------------------
    def make_repo(self, name='repo', **kw):
        kw.setdefault('dialect', self.dialect)
        kw.setdefault('key_kind', self.key_kind)
        return Repo(os.path.join(self.srvroot, name), **kw)

    def bootstrap(self, **kw):
        """Repo with one target at version 1 everywhere, trusted by the client."""
        self.repo = self.make_repo(**kw)
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        self.init()
        self.assertAccepted(self.refresh())
        self.assertEqual(self.trusted_version('timestamp'), 1)
        self.server.clear_log()
        return self.repo

    def trusted(self, meta=None):
        """Every file under the metadata dir: {relative path: bytes} (so a
        refused update may not leave temporary files behind either)."""
        meta = meta or self.meta
        out = {}
        for d, _, files in os.walk(meta):
            for f in files:
                p = os.path.join(d, f)
                with open(p, 'rb') as fh:
                    out[os.path.relpath(p, meta)] = fh.read()
        return out

    def trusted_version(self, role, meta=None):
        with open(os.path.join(meta or self.meta, role + '.json'), 'rb') as f:
            return json.load(f)['signed']['version']

    def assertTrustedUnchanged(self, before, roles=None, meta=None):
        now = self.trusted(meta)
        if roles is None:
            self.assertEqual(sorted(now), sorted(before), 'trusted files changed' + self.describe())
            for k in before:
                self.assertEqual(now[k], before[k], '%s changed%s' % (k, self.describe()))
            return
        for role in roles:
            k = role + '.json'
            self.assertEqual(now.get(k), before.get(k), '%s changed%s' % (k, self.describe()))

    def out_file(self, name):
        return os.path.join(self.out, name)

    def assertNotDelivered(self, name, bad=None):
        p = self.out_file(name)
        if bad is None:
            self.assertFalse(os.path.exists(p), '%s was written%s' % (p, self.describe()))
        elif os.path.exists(p):
            with open(p, 'rb') as f:
                self.assertNotEqual(f.read(), bad, 'unverified content delivered')
        for f in os.listdir(self.out):
            with open(os.path.join(self.out, f), 'rb') as fh:
                if bad is not None:
                    self.assertNotEqual(fh.read(), bad, 'unverified content in %s' % f)

    def assertDelivered(self, name, data):
        p = self.out_file(name)
        self.assertTrue(os.path.exists(p), '%s missing%s' % (p, self.describe()))
        with open(p, 'rb') as f:
            self.assertEqual(f.read(), data)

    def sign_write(self, role, signed, keys=None, repo=None):
        repo = repo or self.repo
        return repo.write_role(role, repo.sign_role(role, signed, keys))


class TufWorkflowTests(ClientTestCase):
    """The TUF client workflow and every attack class (standard TUF dialect)."""

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
        md['signatures'].insert(0, stranger.signature(tufgen.canonical(signed), self.dialect))
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
        bad = k0.signature(tufgen.canonical(other), self.dialect)
        good = k1.signature(tufgen.canonical(signed), self.dialect)
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
        sig = k.signature(tufgen.canonical(signed), self.dialect)
        self.repo.write_role('timestamp', {'signatures': [sig, dict(sig)], 'signed': signed})
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['timestamp', 'snapshot', 'targets'])

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


class OtaWorkflowTests(TufWorkflowTests):
    """The same cases in the OTA Community Edition / aktualizr dialect."""
    dialect = 'ota'


class OtaRsaWorkflowTests(TufWorkflowTests):
    """OTA CE servers sign with RSA keys by default."""
    dialect = 'ota'
    key_kind = 'rsa2048'


class OtaInteropTests(ClientTestCase):
    """What OTA CE / aktualizr tooling really writes."""
    dialect = 'ota'

    def _rewrite_keys(self, fn_key, fn_sig=None):
        # rewrite every role's metadata through fn_key (public key dicts)
        # and fn_sig (signature dicts), keeping signatures valid
        r = self.repo
        orig_public = tufgen.Key.public_dict
        orig_signature = tufgen.Key.signature

        def public_dict(key, dialect='tuf'):
            return fn_key(orig_public(key, dialect))

        def signature(key, data, dialect='tuf', keyid=None):
            sig = orig_signature(key, data, dialect, keyid)
            return fn_sig(sig) if fn_sig else sig
        tufgen.Key.public_dict = public_dict
        tufgen.Key.signature = signature
        try:
            r.add_target('app.bin', APP)
            r.publish()
        finally:
            tufgen.Key.public_dict = orig_public
            tufgen.Key.signature = orig_signature

    def test_uppercase_hex_ed25519_keys(self):
        # aktualizr's key generation writes ed25519 public keys in upper case hex
        self.repo = self.make_repo(key_kind='ed25519')

        def upper(k):
            k = dict(k, keyval=dict(k['keyval']))
            k['keyval']['public'] = k['keyval']['public'].upper()
            return k
        self._rewrite_keys(upper)
        self.init()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)

    def test_rsassa_pss_method_name(self):
        # older OTA CE servers (and aktualizr's fixtures) name the method
        # "rsassa-pss"
        self.repo = self.make_repo(key_kind='rsa2048')

        def method(sig):
            return dict(sig, method='rsassa-pss')
        self._rewrite_keys(lambda k: k, method)
        self.init()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)


class ConsistentSnapshotTests(ClientTestCase):
    def test_consistent_snapshot_names(self):
        self.repo = self.make_repo(consistent_snapshot=True)
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        self.repo.add_target('app2.bin', APP2)
        self.repo.publish()
        # 5.5.1 / 5.6.1: VERSION.snapshot.json and VERSION.targets.json
        for name in ('snapshot.json', 'targets.json'):
            os.unlink(self.repo.path(name))
        self.init()
        self.assertAccepted(self.refresh())
        paths = self.server.paths()
        self.assertIn('/repo/2.snapshot.json', paths)
        self.assertIn('/repo/2.targets.json', paths)
        self.assertEqual(self.trusted_version('targets'), 2)
        # 5.7.3: targets as HASH.NAME
        os.unlink(os.path.join(self.repo.dir, 'targets', 'app2.bin'))
        self.server.clear_log()
        self.assertAccepted(self.download('app2.bin'))
        self.assertDelivered('app2.bin', APP2)
        hashes = tufgen.file_hashes(APP2).values()
        self.assertTrue(any('/repo/targets/%s.app2.bin' % h in self.server.paths()
                            for h in hashes), self.server.paths())


class KeyTypeTests(ClientTestCase):
    """Every supported key type and both dialects, happy path and a forged
    signature."""

    def _check(self, dialect, kind):
        name = 'r-%s-%s' % (dialect, kind)
        meta = os.path.join(self.tmp, 'meta-' + name)
        out = os.path.join(self.tmp, 'out-' + name)
        os.makedirs(out)
        repo = self.make_repo(name, dialect=dialect, key_kind=kind)
        repo.add_target('app.bin', APP)
        repo.publish()
        self.repo = repo
        self.init(meta=meta)
        url = self.server.url('/' + name)
        self.assertAccepted(self.download('app.bin', url=url, meta=meta, out=out))
        with open(os.path.join(out, 'app.bin'), 'rb') as f:
            self.assertEqual(f.read(), APP)
        before = self.trusted(meta)
        # forged: timestamp v2 signed by a fresh key of the same type with
        # the trusted key's id
        repo.version['timestamp'] += 1
        signed = repo.build_timestamp()
        forger = tufgen.Key.generate(kind)
        md = {'signed': signed,
              'signatures': [forger.signature(tufgen.canonical(signed), dialect,
                                              keyid=repo.keys['timestamp'][0].keyid(dialect))]}
        repo.write_role('timestamp', md)
        self.assertRefused(self.refresh(url=url, meta=meta))
        self.assertTrustedUnchanged(before, meta=meta)

    def test_tuf_key_types(self):
        for kind in tufgen.KEY_KINDS:
            with self.subTest(kind=kind):
                self._check('tuf', kind)

    def test_ota_key_types(self):
        for kind in ('ed25519', 'rsa2048', 'rsa3072', 'rsa4096'):
            with self.subTest(kind=kind):
                self._check('ota', kind)

    def test_mixed_key_types_in_one_root(self):
        self.repo = self.make_repo()
        for role, kind in (('root', 'rsa3072'), ('timestamp', 'ecdsa'),
                           ('snapshot', 'rsa2048'), ('targets', 'ed25519')):
            self.repo.keys[role] = [tufgen.Key.generate(kind)]
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        self.init()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)


class DelegationTests(ClientTestCase):
    """Delegated targets: pre-order depth-first search, terminating roles,
    paths and path_hash_prefixes (5.6.7)."""

    def setUp(self):
        super().setUp()
        r = self.repo = self.make_repo()
        r.add_target('top.bin', b'top')
        r.add_delegation('A', paths=['a-*'])
        r.add_target('a-1.bin', b'a one', role='A')
        r.add_target('evil.bin', b'outside A', role='A')     # not A's to sign
        r.add_delegation('B', parent='A', paths=['a-b-*'])
        r.add_target('a-b-1.bin', b'deep', role='B')
        r.add_delegation('T1', paths=['t-*'], terminating=True)
        r.add_delegation('T2', paths=['t-*'])
        r.add_target('t-1.bin', b'behind terminating', role='T2')
        r.add_delegation('P1', paths=['p-*'])
        r.add_delegation('P2', paths=['p-*'])
        r.add_target('p-1.bin', b'first', role='P1', write_file=False)
        r.add_target('p-1.bin', b'second', role='P2', write_file=False)
        h = hashlib.sha256(b'h-1.bin').hexdigest()
        r.add_delegation('H', path_hash_prefixes=[h[:4]])
        r.add_target('h-1.bin', b'hashed', role='H')
        r.add_delegation('Hx', path_hash_prefixes=['%04x' % ((int(h[:4], 16) + 1) % 65536)])
        r.add_target('hx-1.bin', b'wrong prefix', role='Hx')
        r.publish()
        self.init()

    def test_delegated_target(self):
        self.assertAccepted(self.download('a-1.bin'))
        self.assertDelivered('a-1.bin', b'a one')
        self.assertIn('/repo/A.json', self.server.paths())

    def test_multi_level_delegation(self):
        self.assertAccepted(self.download('a-b-1.bin'))
        self.assertDelivered('a-b-1.bin', b'deep')

    def test_target_outside_delegated_paths_refused(self):
        self.assertRefused(self.download('evil.bin'))
        self.assertNotDelivered('evil.bin')

    def test_terminating_delegation_stops_search(self):
        self.assertRefused(self.download('t-1.bin'))
        self.assertNotDelivered('t-1.bin')

    def test_non_terminating_continues(self):
        self.repo.delegation('T1').terminating = False
        self.repo.publish()
        self.assertAccepted(self.download('t-1.bin'))
        self.assertDelivered('t-1.bin', b'behind terminating')

    def test_first_delegation_in_order_wins(self):
        self.repo.write_target_file('p-1.bin', b'second')
        self.assertRefused(self.download('p-1.bin'))
        self.assertNotDelivered('p-1.bin')
        self.repo.write_target_file('p-1.bin', b'first')
        self.assertAccepted(self.download('p-1.bin'))
        self.assertDelivered('p-1.bin', b'first')

    def test_path_hash_prefixes(self):
        self.assertAccepted(self.download('h-1.bin'))
        self.assertDelivered('h-1.bin', b'hashed')
        self.assertRefused(self.download('hx-1.bin'))
        self.assertNotDelivered('hx-1.bin')

    def test_delegated_role_badly_signed(self):
        self.repo.add_target('a-2.bin', b'a two', role='A')
        self.repo.publish()
        self.sign_write('A', self.repo.build_targets('A'), [tufgen.Key.generate()])
        self.assertRefused(self.download('a-2.bin'))
        self.assertNotDelivered('a-2.bin')

    def test_delegated_role_version_mismatch(self):
        old = self.repo.written['A.json']
        self.repo.add_target('a-2.bin', b'a two', role='A')
        self.repo.publish()
        self.repo.write_file('A.json', old)
        self.assertRefused(self.download('a-2.bin'))
        self.assertNotDelivered('a-2.bin')

    def test_delegated_role_disappearing_from_snapshot_refused(self):
        self.assertAccepted(self.refresh())
        before = self.trusted()
        self.repo.version['snapshot'] += 1
        s = self.repo.build_snapshot()
        del s['meta']['A.json']
        self.sign_write('snapshot', s)
        self.repo.publish(roles=['timestamp'])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_delegated_role_version_going_down_refused(self):
        self.assertAccepted(self.refresh())
        self.repo.publish()
        self.assertAccepted(self.refresh())
        before = self.trusted()
        self.repo.version['A'] = 1
        self.repo.publish(roles=['snapshot', 'timestamp'])
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['root', 'snapshot', 'targets'])

    def test_path_pattern_wildcards(self):
        # TUF 1.0.x: shell-style wildcards; "a path separator in a path
        # SHOULD NOT be matched by a wildcard"
        r = self.repo
        r.add_delegation('W', paths=['w/*', 'v-?.bin'])
        r.add_target('w/x.bin', b'in w', role='W')
        r.add_target('w/sub/y.bin', b'two levels down', role='W')
        r.add_target('v-2.bin', b'v two', role='W')
        r.add_target('v-10.bin', b'v ten', role='W')
        r.publish()
        self.assertAccepted(self.download('v-2.bin'))
        self.assertDelivered('v-2.bin', b'v two')
        self.assertRefused(self.download('v-10.bin'))
        self.assertNotDelivered('v-10.bin')
        self.assertAccepted(self.download('w/x.bin'))
        self.assertRefused(self.download('w/sub/y.bin'))
        self.assertFalse(os.path.exists(os.path.join(self.out, 'w', 'sub', 'y.bin')))

    def test_delegation_cycle_is_bounded(self):
        # B delegates back to A: the visited set must end the search
        a = self.repo.delegation('A')
        self.repo.delegation('B').children.append(a)
        self.repo.publish()
        self.assertRefused(self.download('a-b-missing.bin'))
        self.assertNotDelivered('a-b-missing.bin')
        self.assertAccepted(self.download('a-b-1.bin'))


    def test_delegated_role_below_threshold(self):
        keys = [tufgen.Key.generate(self.key_kind) for _ in range(2)]
        self.repo.add_delegation('M', keys=keys, threshold=2, paths=['m-*'])
        self.repo.add_target('m-1.bin', b'multi', role='M')
        self.repo.publish()
        self.assertAccepted(self.download('m-1.bin'))
        self.repo.add_target('m-2.bin', b'multi two', role='M')
        self.repo.publish()
        self.sign_write('M', self.repo.build_targets('M'), keys[:1])
        self.assertRefused(self.download('m-2.bin'))
        self.assertNotDelivered('m-2.bin')

    def test_delegated_role_expired(self):
        self.repo.expires['A'] = expires_in(-1)
        self.repo.publish()
        self.assertRefused(self.download('a-1.bin'))
        self.assertNotDelivered('a-1.bin')

    def test_top_level_targets_searched_first(self):
        self.repo.add_target('a-top.bin', b'from targets')
        self.repo.add_target('a-top.bin', b'from A', role='A', write_file=False)
        self.repo.publish()
        self.assertAccepted(self.download('a-top.bin'))
        self.assertDelivered('a-top.bin', b'from targets')
        self.assertNotIn('/repo/A.json', self.server.paths())

    def test_consistent_snapshot_delegated_names(self):
        r = self.make_repo('cs', consistent_snapshot=True)
        r.add_delegation('A', paths=['a-*'])
        r.add_target('a-1.bin', b'a one', role='A')
        r.publish()
        r.publish()
        for name in ('A.json', 'targets.json', 'snapshot.json'):
            os.unlink(r.path(name))
        meta = os.path.join(self.tmp, 'meta-cs')
        self.client('init', r.path('1.root.json'), meta=meta)
        url = self.server.url('/cs')
        self.assertAccepted(self.download('a-1.bin', url=url, meta=meta))
        self.assertIn('/cs/2.A.json', self.server.paths())
        self.assertDelivered('a-1.bin', b'a one')


class OtaDelegationTests(DelegationTests):
    dialect = 'ota'


class UptaneTests(ClientTestCase):
    """One full Uptane cycle on a primary (`uptane` command)."""
    dialect = 'ota'
    SERIAL = 'ecu-primary-7f3a'
    HWID = 'raspberrypi4-64'
    FW = b'firmware image 1.2.3\n' * 64

    def setUp(self):
        super().setUp()
        self.up = UptaneRepos(self.srvroot, self.dialect, self.key_kind)
        self.repo = self.up.image

    def uptane(self, serial=None, hwid=None):
        return self.client('--director-url', self.server.url('/director'),
                           '--image-url', self.server.url('/repo'),
                           '--ecu-serial', serial or self.SERIAL,
                           '--hardware-id', hwid or self.HWID,
                           '--target-dir', self.out, 'uptane')

    def standard(self, name='fw-1.2.3.bin', data=None):
        data = data or self.FW
        self.up.add_image(name, data, [self.HWID])
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        return name, data

    def test_happy_path(self):
        name, data = self.standard()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, data)
        paths = self.server.paths()
        for p in ('/director/1.root.json', '/director/targets.json', '/repo/1.root.json',
                  '/repo/timestamp.json', '/repo/snapshot.json', '/repo/targets.json',
                  '/repo/targets/' + name):
            self.assertIn(p, paths)

    def test_trusted_roots_persist_between_runs(self):
        self.standard()
        self.assertAccepted(self.uptane())
        self.server.clear_log()
        self.assertAccepted(self.uptane())
        paths = self.server.paths()
        self.assertNotIn('/director/1.root.json', paths)
        self.assertNotIn('/repo/1.root.json', paths)
        self.assertIn('/director/2.root.json', paths)
        self.assertIn('/repo/2.root.json', paths)

    def test_director_root_replaced_after_first_use_refused(self):
        self.standard()
        self.assertAccepted(self.uptane())
        # a new director with other keys: the trusted root must not follow
        self.up.director = Repo(self.up.director.dir, self.dialect, self.key_kind,
                                timestamp_snapshot=False)
        name, data = 'fw-2.bin', b'other firmware'
        self.up.add_image(name, data, [self.HWID])
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered(name)

    def test_director_with_timestamp_and_snapshot(self):
        self.up = UptaneRepos(self.srvroot, self.dialect, self.key_kind,
                              director_timestamp_snapshot=True)
        name, data = self.standard()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, data)
        self.assertIn('/director/timestamp.json', self.server.paths())

    def test_director_timestamp_rollback(self):
        self.up = UptaneRepos(self.srvroot, self.dialect, self.key_kind,
                              director_timestamp_snapshot=True)
        name, data = self.standard()
        old_ts = self.up.director.written['timestamp.json']
        self.up.director.publish()
        self.assertAccepted(self.uptane())
        before = self.trusted()
        self.up.director.write_file('timestamp.json', old_ts)
        self.assertRefused(self.uptane())
        self.assertEqual(before, self.trusted(), 'trusted metadata changed' + self.describe())

    def test_target_from_custom_uri(self):
        data = b'fetched from elsewhere\n' * 10
        name = 'fw-uri.bin'
        os.makedirs(os.path.join(self.srvroot, 'cdn'))
        with open(os.path.join(self.srvroot, 'cdn', 'blob-123'), 'wb') as f:
            f.write(data)
        self.up.image.add_target(name, data, write_file=False,
                                 custom=tufgen.image_custom([self.HWID], name=name,
                                                            uri=self.server.url('/cdn/blob-123')))
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, data)
        self.assertIn('/cdn/blob-123', self.server.paths())

    def test_ota_ce_custom_fields_with_nulls(self):
        # tuf-reposerver writes "uri": null (and other nulls) for uploaded targets
        name = 'fw-null-uri.bin'
        custom = tufgen.image_custom([self.HWID], name=name)
        custom.update({'uri': None, 'cliUploaded': False, 'diff': None, 'targetFormat': None,
                       'tags': [], 'proprietary': {}})
        self.up.image.add_target(name, self.FW, custom=custom)
        self.up.assign(name, self.FW, {self.SERIAL: self.HWID})
        self.up.director.targets['targets'][name]['custom']['uri'] = None
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, self.FW)
        self.assertIn('/repo/targets/' + name, self.server.paths())

    def test_no_target_for_this_ecu(self):
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_target_missing_from_image_repo(self):
        self.up.add_image('fw-1.bin', self.FW, [self.HWID])
        self.up.assign('fw-2.bin', self.FW + b'2', {self.SERIAL: self.HWID})
        self.up.image.write_target_file('fw-2.bin', self.FW + b'2')
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw-2.bin')

    def test_hash_mismatch_between_director_and_image(self):
        other = bytes(b ^ 1 for b in self.FW)
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', other, {self.SERIAL: self.HWID})   # same length
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_one_hash_mismatch_among_several(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        h = tufgen.file_hashes(self.FW)
        h['sha512'] = hashlib.sha512(b'other').hexdigest()
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID}, hashes=h)
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_length_mismatch_between_director_and_image(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID}, length=len(self.FW) + 1)
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_wrong_hardware_id_of_device(self):
        self.standard()
        self.assertRefused(self.uptane(hwid='other-board'))
        self.assertEqual(os.listdir(self.out), [])

    def test_image_repo_hardware_ids_exclude_device(self):
        self.up.add_image('fw.bin', self.FW, ['other-board'])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_unknown_ecu_serial(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {'ecu-not-on-this-device': self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_director_targets_with_delegations_refused(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.director.add_delegation('sneaky', paths=['*'])
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_ecu_named_twice_refused(self):
        other = b'second firmware'
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.add_image('fw-b.bin', other, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.assign('fw-b.bin', other, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')
        self.assertNotDelivered('fw-b.bin')

    def test_image_content_tampered(self):
        name, _ = self.standard()
        evil = bytes(b ^ 0x55 for b in self.FW)
        self.up.image.write_file('targets/' + name, evil)
        self.assertRefused(self.uptane())
        self.assertNotDelivered(name, evil)
        self.assertFalse(os.path.exists(self.out_file(name)))

    def test_director_targets_badly_signed(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        d = self.up.director
        self.sign_write('targets', d.build_targets(), [tufgen.Key.generate()], repo=d)
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_director_targets_expired(self):
        self.up.director.expires['targets'] = expires_in(-1)
        self.standard()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_image_repo_timestamp_expired(self):
        self.up.image.expires['timestamp'] = expires_in(-1)
        self.standard()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_director_root_expired(self):
        self.up.director.expires['root'] = expires_in(-1)
        self.standard()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_same_content_other_name_in_image_repo(self):
        self.up.add_image('fw-a.bin', self.FW, [self.HWID])
        self.up.assign('fw-b.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.image.write_target_file('fw-b.bin', self.FW)
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_director_targets_rollback(self):
        name, data = self.standard()
        old = self.up.director.written['targets.json']
        self.up.director.publish()
        self.assertAccepted(self.uptane())
        before = self.trusted()
        self.up.director.write_file('targets.json', old)
        self.assertRefused(self.uptane())
        self.assertEqual(before, self.trusted(), 'trusted metadata changed' + self.describe())

    def test_director_root_rotation(self):
        name, data = self.standard()
        self.assertAccepted(self.uptane())
        self.up.director.rotate_keys('root')
        self.up.director.rotate_keys('targets')
        self.up.director.write_root()
        self.up.director.publish()
        self.server.clear_log()
        self.assertAccepted(self.uptane())
        self.assertIn('/director/3.root.json', self.server.paths())


    def test_image_target_found_through_delegation(self):
        img = self.up.image
        img.add_delegation('fw-team', paths=['fw-*'])
        img.add_target('fw-d.bin', self.FW, role='fw-team',
                       custom=tufgen.image_custom([self.HWID], name='fw-d.bin'))
        self.up.assign('fw-d.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered('fw-d.bin', self.FW)

    def test_director_with_sha256_only(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID},
                       hashes=tufgen.file_hashes(self.FW, ('sha256',)))
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered('fw.bin', self.FW)

    def test_endless_director_targets(self):
        self.standard()
        self.server.misbehave('/director/targets.json', 'endless')
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])
        self.assertLess(self.server.sent('/director/targets.json'), ENDLESS_SENT_BOUND)

    def test_director_root_rotation_only_new_signature_refused(self):
        self.standard()
        self.assertAccepted(self.uptane())
        d = self.up.director
        new = d.rotate_keys('root')
        d.write_root(sign_with=new)
        name, data = 'fw-2.bin', b'second'
        self.up.add_image(name, data, [self.HWID])
        d.targets['targets'] = {}
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered(name)

    def test_target_name_escaping_target_dir(self):
        name = '../uptane-escaped.bin'
        self.up.image.add_target(name, self.FW, write_file=False,
                                 custom=tufgen.image_custom([self.HWID], name=name))
        with open(os.path.join(self.srvroot, 'repo', 'uptane-escaped.bin'), 'wb') as f:
            f.write(self.FW)
        self.up.assign(name, self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        rc = self.uptane()
        self.assertIn(rc, (0, 1), self.describe())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'uptane-escaped.bin')),
                         'wrote outside --target-dir' + self.describe())


class TufDialectUptaneTests(UptaneTests):
    dialect = 'tuf'


class RsaUptaneTests(UptaneTests):
    key_kind = 'rsa2048'


def main():
    global TUF_CLIENT
    args = list(sys.argv)
    if len(args) > 1 and os.path.isfile(args[1]) and os.access(args[1], os.X_OK):
        TUF_CLIENT = os.path.abspath(args.pop(1))
    if not TUF_CLIENT:
        print('TUF_CLIENT not set: skipping', file=sys.stderr)
        sys.exit(77)
    unittest.main(argv=args, verbosity=2)


if __name__ == '__main__':
    main()
