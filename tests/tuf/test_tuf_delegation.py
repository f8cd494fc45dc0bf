#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Delegated targets (TUF 1.0.x 5.6.7), both dialects."""

import hashlib
import os

import tufgen

from tufgen import expires_in
from tuf_client_base import ClientTestCase, main


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


    def test_role_names_are_percent_encoded(self):
        # a role name is a name, never a path: python-tuf's ngclient quotes it
        # (parse.quote(rolename, "")) for the URL and the file it keeps
        r = self.make_repo('names')
        names = {'?': 'q-1.bin', '#': 'h-1.bin', '/x': 'x-1.bin', '../x': 'up-1.bin'}
        for role, target in names.items():
            r.add_delegation(role, paths=[target])
            r.add_target(target, role.encode(), role=role)
        r.publish()
        meta = os.path.join(self.tmp, 'meta-names')
        out = os.path.join(self.tmp, 'out-names')
        os.makedirs(out)
        self.client('init', r.path('1.root.json'), meta=meta)
        url = self.server.url('/names')
        before = set(os.listdir(self.tmp))
        for role, target in names.items():
            with self.subTest(role=role):
                self.assertAccepted(self.download(target, url=url, meta=meta, out=out))
                with open(os.path.join(out, target), 'rb') as f:
                    self.assertEqual(f.read(), role.encode())
        paths = self.server.paths()
        for encoded in ('%3F', '%23', '%2Fx', '..%2Fx'):
            self.assertIn('/names/%s.json' % encoded, paths)
            # otad keeps delegated roles in delegations/, python-tuf next to the others
            self.assertTrue(any(os.path.isfile(os.path.join(meta, d, encoded + '.json'))
                                for d in ('delegations', '')), encoded)
        # nothing was written next to the metadata directory, or above it
        self.assertEqual(set(os.listdir(self.tmp)), before)
        for d, _, files in os.walk(meta):
            for f in files:
                path = os.path.realpath(os.path.join(d, f))
                self.assertTrue(path.startswith(os.path.realpath(meta) + os.sep), path)
        self.assertFalse(os.path.exists(os.path.join(meta, 'x.json')))


class OtaDelegationTests(DelegationTests):
    dialect = 'ota'


if __name__ == '__main__':
    main()
