#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""OTA CE / aktualizr interop, consistent snapshots and key types."""

import json
import os
import subprocess

import refclient
import tufgen

from tuf_client_base import APP, APP2, CLIENT_TIMEOUT, ClientTestCase, main


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


    # -- canonical JSON of the OTA dialect: what aktualizr's writer makes ----------
    ODD = 'caf\u00e9 \u2603 \U0001F600 \x01\x1f\x7f \b\f\r\t\n "\\/'

    def _odd_rsa_repo(self):
        # a root as OTA CE writes it: RSA keys in PEM (newlines inside), and a string
        # with non-ASCII and control characters
        self.repo = self.make_repo(key_kind='rsa2048')
        self.repo.extra_signed['root'] = {'custom': {'note': self.ODD}}
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        return json.loads(self.repo.read_file('1.root.json'))['signed']

    def test_ota_canonical_form_matches_aktualizr(self):
        signed = self._odd_rsa_repo()
        signer = tufgen.ota_canonical(signed)
        # written another way (Python's json and a fix for DEL), sharing no code
        independent = refclient.ota_canonical(signed)
        p = subprocess.run([self.client_path(), '--metadata-dir', self.meta,
                            '--canonical-form', 'ota', 'canonical',
                            self.repo.path('1.root.json')],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=CLIENT_TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(signer, independent)
        self.assertEqual(p.stdout, signer)
        # what tells it from securesystemslib's form: escapes, not raw characters
        self.assertNotEqual(signer, tufgen.canonical(signed))
        self.assertIn(b'-----BEGIN PUBLIC KEY-----\\n', signer)
        self.assertNotIn(b'\n', signer)
        self.assertIn(b'caf\\u00e9 \\u2603 \\ud83d\\ude00 '
                      b'\\u0001\\u001f\x7f \\b\\f\\r\\t\\n', signer)
        self.init()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)

    def _resign_root(self, signed, dialect):
        # the same signed root, signed over securesystemslib's form in @dialect's style
        data = tufgen.canonical(signed)
        sigs = [k.signature(data, dialect, keyid=k.keyid('ota')) for k in self.repo.keys['root']]
        path = os.path.join(self.tmp, 'root-%s.json' % dialect)
        with open(path, 'wb') as f:
            f.write(json.dumps({'signatures': sigs, 'signed': signed}).encode())
        return path

    def test_securesystemslib_form_refused_in_ota_dialect(self):
        signed = self._odd_rsa_repo()
        before = self.trusted()
        self.assertRefused(self.client('init', self._resign_root(signed, 'ota')))
        self.assertTrustedUnchanged(before)

    def test_securesystemslib_form_accepted_in_tuf_dialect(self):
        # a TUF signature ({keyid, sig: hex}) over the very same signed root
        signed = self._odd_rsa_repo()
        self.assertAccepted(self.client('init', self._resign_root(signed, 'tuf')))

    # -- metadata hashes of the OTA dialect: of the canonical form ----------------
    def test_indented_metadata_accepted(self):
        # aktualizr checks what timestamp and snapshot list against the canonical form
        # of the file (ImageRepository::verifySnapshot, verifyRoleHashes)
        self.repo = self.make_repo(snapshot_hashes=True)
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        for name in ('snapshot.json', 'targets.json'):
            md = json.loads(self.repo.read_file(name))
            self.repo.write_file(name, json.dumps(md, indent=2, ensure_ascii=False).encode())
        self.init()
        self.assertAccepted(self.download('app.bin'))
        self.assertDelivered('app.bin', APP)
        with open(os.path.join(self.meta, 'snapshot.json'), 'rb') as f:
            self.assertEqual(f.read(), self.repo.read_file('snapshot.json'))

    def test_indented_metadata_refused_in_tuf_dialect(self):
        # in TUF, hashes are of the bytes: the same re-serialisation is another file
        self.repo = self.make_repo(dialect='tuf', snapshot_hashes=True)
        self.repo.add_target('app.bin', APP)
        self.repo.publish()
        md = json.loads(self.repo.read_file('snapshot.json'))
        self.repo.write_file('snapshot.json', json.dumps(md, indent=2).encode())
        self.init()
        before = self.trusted()
        self.assertRefused(self.refresh())
        self.assertTrustedUnchanged(before, ['snapshot', 'targets'])


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
              'signatures': [forger.signature(tufgen.canonical_for(signed, dialect), dialect,
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
