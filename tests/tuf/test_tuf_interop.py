#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""OTA CE / aktualizr interop, consistent snapshots and key types."""

import os

import tufgen

from tuf_client_base import APP, APP2, ClientTestCase, main


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


if __name__ == '__main__':
    main()
