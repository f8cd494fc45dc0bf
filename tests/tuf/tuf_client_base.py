# SPDX-License-Identifier: LGPL-2.1-or-later
"""Attack-class tests for otad's TUF/Uptane verifier, through `tuf-client`.

Shared base of the suite: constants, EXPECTED_CLASS, the ClientTestCase base
class with its assertion helpers, and main().  The test classes live in
test_tuf_workflow.py (cases in tuf_workflow_attacks.py and
tuf_workflow_metadata.py), test_tuf_interop.py, test_tuf_delegation.py and
test_tuf_uptane.py; test_tuf_client.py runs them all.

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

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'require'))
from requiretool import require_module  # noqa: E402

# tufgen.py signs with these; a missing one ends the test with one line naming the
# Debian package (tests/tuf/meson.build no longer drops the suite silently)
require_module('securesystemslib', 'python3-securesystemslib')
require_module('cryptography', 'python3-cryptography')

from tufgen import Repo  # noqa: E402
from tufserver import TufServer  # noqa: E402

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
    'test_delegated_role_expired': ('freeze', 'unknown-target'),
    'test_delegated_role_version_mismatch': ('mix-and-match', 'unknown-target'),
    'test_delegation_cycle_is_bounded': ('unknown-target',),
    'test_director_root_replaced_after_first_use_refused': SIG,
    'test_director_root_rotation_only_new_signature_refused': SIG,
    'test_director_targets_badly_signed': SIG,
    'test_director_targets_expired': ('freeze',),
    'test_image_repo_timestamp_expired': ('freeze',),
    'test_director_root_expired': ('freeze',),
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
    'test_freeze_expired_final_root': ('freeze',),
    'test_freeze_expired_snapshot': ('freeze',),
    'test_freeze_expired_targets': ('freeze',),
    'test_freeze_expired_timestamp': ('freeze',),
    'test_freeze_expired_trusted_root_without_update': ('freeze',),
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
    'test_root_rotation_kept_when_timestamp_refused': SIG,
    'test_timestamp_kept_when_snapshot_refused': ('length-mismatch', 'hash-mismatch'),
    'test_snapshot_kept_when_targets_refused': ('malformed',),
    'test_fast_forward_without_rotation_stays_refused': ('rollback',),
    'test_signatures_naming_a_key_id_twice_refused': ('bad-signature',),
    'test_slow_retrieval_one_byte_per_second': ('slow-retrieval',),
    'test_securesystemslib_form_refused_in_ota_dialect': ('bad-signature',),
    'test_indented_metadata_refused_in_tuf_dialect': SIZE,
}
ERROR_LINE = re.compile(r'^tuf-client: ([a-z-]+): ', re.M)


class ClientTestCase(unittest.TestCase):
    dialect = 'tuf'
    key_kind = 'ed25519'

    def setUp(self):
        if not TUF_CLIENT:
            self.skipTest('TUF_CLIENT not set')
        self.tmp = tempfile.mkdtemp(prefix='otad-tuf-')
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
    @staticmethod
    def client_path():
        return TUF_CLIENT

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


def main():
    global TUF_CLIENT
    args = list(sys.argv)
    if len(args) > 1 and os.path.isfile(args[1]) and os.access(args[1], os.X_OK):
        TUF_CLIENT = os.path.abspath(args.pop(1))
    if not TUF_CLIENT:
        print('TUF_CLIENT not set: skipping', file=sys.stderr)
        sys.exit(77)
    unittest.main(argv=args, verbosity=2)
