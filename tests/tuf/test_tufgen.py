#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Self-checks of the independent signer and of the committed vectors.

These run without the C code: they make sure what tufgen.py writes is what
the TUF specification and the OTA CE dialect say (so the attack suite tests
the verifier, not the generator), and that tests/tuf/vectors/ is still
consistent (canonical forms, signatures, manifest verdicts).
"""

import base64
import datetime
import json
import os
import sys
import tempfile
import shutil
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'require'))
from requiretool import require_module  # noqa: E402

# tufgen.py signs with these; a missing one ends the test with one line naming the
# Debian package (tests/tuf/meson.build no longer drops the suite silently)
require_module('securesystemslib', 'python3-securesystemslib')
require_module('cryptography', 'python3-cryptography')

import tufgen  # noqa: E402
from tufserver import TufServer  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding  # noqa: E402

VECTORS = os.path.join(HERE, 'vectors')


def verify_sig(keydict, sig, data):
    """Verify one signature dict against a public key dict, either dialect."""
    kt = keydict['keytype'].lower()
    pub = keydict['keyval']['public']
    raw = (bytes.fromhex(sig['sig']) if 'method' not in sig
           else base64.b64decode(sig['sig']))
    try:
        if kt == 'ed25519':
            ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub)).verify(raw, data)
        elif kt == 'rsa':
            k = serialization.load_pem_public_key(pub.encode())
            k.verify(raw, data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                            salt_length=padding.PSS.AUTO), hashes.SHA256())
        elif kt == 'ecdsa':
            k = serialization.load_pem_public_key(pub.encode())
            k.verify(raw, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def count_valid(md, keys, keyids, dialect=None):
    good = set()
    for sig in md['signatures']:
        # OTA signatures (with `method`) cover aktualizr's form
        data = (tufgen.ota_canonical(md['signed']) if 'method' in sig
                else tufgen.canonical(md['signed']))
        if sig['keyid'] in keyids and sig['keyid'] in keys and \
                verify_sig(keys[sig['keyid']], sig, data):
            good.add(sig['keyid'])
    return len(good)


class GeneratorTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='tufgen-')
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_tuf_dialect_shape(self):
        r = tufgen.Repo(os.path.join(self.tmp, 'r'), 'tuf', 'ed25519')
        r.add_target('a', b'abc')
        r.publish()
        root = json.loads(r.read_file('1.root.json'))
        s = root['signed']
        self.assertEqual(s['_type'], 'root')
        self.assertEqual(s['spec_version'], '1.0.0')
        for keyid, key in s['keys'].items():
            self.assertEqual(keyid, tufgen.hashlib.sha256(tufgen.canonical(key)).hexdigest())
            self.assertEqual(key['scheme'], 'ed25519')
        self.assertEqual(count_valid(root, s['keys'], s['roles']['root']['keyids']), 1)
        sig = root['signatures'][0]
        self.assertEqual(set(sig), {'keyid', 'sig'})
        bytes.fromhex(sig['sig'])
        ts = json.loads(r.read_file('timestamp.json'))['signed']
        self.assertEqual(ts['meta']['snapshot.json']['hashes']['sha256'],
                         tufgen.hashlib.sha256(r.read_file('snapshot.json')).hexdigest())

    def test_ota_dialect_shape(self):
        r = tufgen.Repo(os.path.join(self.tmp, 'r'), 'ota', 'rsa2048')
        r.publish()
        root = json.loads(r.read_file('root.json'))
        s = root['signed']
        self.assertEqual(s['_type'], 'Root')
        self.assertNotIn('spec_version', s)
        key = list(s['keys'].values())[0]
        self.assertEqual(key['keytype'], 'RSA')
        self.assertTrue(key['keyval']['public'].startswith('-----BEGIN PUBLIC KEY-----'))
        self.assertNotIn('scheme', key)
        sig = root['signatures'][0]
        self.assertEqual(sig['method'], 'rsassa-pss-sha256')
        base64.b64decode(sig['sig'], validate=True)
        # key ids are not TUF's: a verifier must not recompute them
        keyid = list(s['keys'])[0]
        self.assertNotEqual(keyid, tufgen.hashlib.sha256(tufgen.canonical(key)).hexdigest())
        self.assertEqual(count_valid(root, s['keys'], s['roles']['root']['keyids']), 1)
        for f, t in (('timestamp.json', 'Timestamp'), ('snapshot.json', 'Snapshot'),
                     ('targets.json', 'Targets')):
            self.assertEqual(json.loads(r.read_file(f))['signed']['_type'], t)

    def test_root_rotation_signed_by_both(self):
        r = tufgen.Repo(os.path.join(self.tmp, 'r'), 'tuf', 'ed25519')
        r.publish()
        old = json.loads(r.read_file('1.root.json'))['signed']
        r.rotate_keys('root')
        r.write_root()
        new_md = json.loads(r.read_file('2.root.json'))
        new = new_md['signed']
        self.assertEqual(new['version'], 2)
        self.assertEqual(count_valid(new_md, old['keys'], old['roles']['root']['keyids']), 1)
        self.assertEqual(count_valid(new_md, new['keys'], new['roles']['root']['keyids']), 1)
        self.assertNotEqual(old['roles']['root']['keyids'], new['roles']['root']['keyids'])

    def test_expiry_format(self):
        e = tufgen.expires_in(-1)
        dt = datetime.datetime.strptime(e, '%Y-%m-%dT%H:%M:%SZ')
        self.assertLess(dt, datetime.datetime.utcnow())

    def test_server_log_404_and_endless(self):
        os.makedirs(os.path.join(self.tmp, 'repo'))
        with open(os.path.join(self.tmp, 'repo', 'x.json'), 'wb') as f:
            f.write(b'{}')
        with TufServer(self.tmp) as srv:
            self.assertEqual(urllib.request.urlopen(srv.url('/repo/x.json')).read(), b'{}')
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(srv.url('/repo/missing.json'))
            self.assertEqual(cm.exception.code, 404)
            with self.assertRaises(urllib.error.HTTPError):
                urllib.request.urlopen(srv.url('/../etc/passwd'))
            srv.misbehave('/repo/x.json', 'endless', 1024 * 1024)
            body = urllib.request.urlopen(srv.url('/repo/x.json')).read(4096)
            self.assertEqual(len(body), 4096)
            self.assertEqual([r.status for r in srv.log()][:2], [200, 404])
            self.assertEqual(srv.paths()[0], '/repo/x.json')


class CommandLineTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='tufgen-cli-')
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_tool(self, *args):
        import subprocess
        return subprocess.run([sys.executable] + list(args), check=True, timeout=300,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def test_repo_command(self):
        f = os.path.join(self.tmp, 'payload')
        with open(f, 'wb') as fh:
            fh.write(b'payload')
        out = os.path.join(self.tmp, 'r')
        self.run_tool(os.path.join(HERE, 'tufgen.py'), 'repo', out, '--dialect', 'ota',
                      '--key-type', 'rsa2048', '--target', 'p.bin=' + f, '--root-versions', '3')
        for name in ('1.root.json', '2.root.json', '3.root.json', 'timestamp.json',
                     'snapshot.json', 'targets.json', 'targets/p.bin'):
            self.assertTrue(os.path.exists(os.path.join(out, name)), name)
        with open(os.path.join(out, 'targets.json')) as fh:
            t = json.load(fh)['signed']
        self.assertEqual(t['_type'], 'Targets')
        self.assertEqual(t['targets']['p.bin']['length'], 7)

    def test_uptane_command(self):
        f = os.path.join(self.tmp, 'fw')
        with open(f, 'wb') as fh:
            fh.write(b'firmware')
        self.run_tool(os.path.join(HERE, 'tufgen.py'), 'uptane', self.tmp, '--ecu', 'ecu1',
                      '--hardware-id', 'hw1', '--target', 'fw.bin=' + f)
        with open(os.path.join(self.tmp, 'director', 'targets.json')) as fh:
            d = json.load(fh)['signed']
        self.assertEqual(d['targets']['fw.bin']['custom']['ecuIdentifiers'],
                         {'ecu1': {'hardwareId': 'hw1'}})
        self.assertIn('correlationId', d['custom'])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'director', 'timestamp.json')))
        with open(os.path.join(self.tmp, 'repo', 'targets.json')) as fh:
            i = json.load(fh)['signed']
        self.assertEqual(i['targets']['fw.bin']['custom']['hardwareIds'], ['hw1'])
        self.assertEqual(i['targets']['fw.bin']['hashes'], d['targets']['fw.bin']['hashes'])

    def test_make_vectors_script(self):
        out = os.path.join(self.tmp, 'v')
        self.run_tool(os.path.join(HERE, 'make_vectors.py'), out)
        with open(os.path.join(out, 'MANIFEST.json')) as fh:
            fresh = json.load(fh)
        with open(os.path.join(VECTORS, 'MANIFEST.json')) as fh:
            committed = json.load(fh)
        # same vectors (signatures differ run to run, the list does not)
        self.assertEqual([(e['file'], e['valid']) for e in fresh],
                         [(e['file'], e['valid']) for e in committed])


class VectorTests(unittest.TestCase):
    def test_canonical_vectors(self):
        d = os.path.join(VECTORS, 'canonical')
        names = sorted(f[:-5] for f in os.listdir(d) if f.endswith('.json'))
        self.assertGreater(len(names), 5)
        for n in names:
            with open(os.path.join(d, n + '.json'), 'rb') as f:
                obj = json.loads(f.read())
            with open(os.path.join(d, n + '.canonical'), 'rb') as f:
                self.assertEqual(tufgen.canonical(obj), f.read(), n)

    def test_manifest_verdicts(self):
        with open(os.path.join(VECTORS, 'MANIFEST.json')) as f:
            manifest = json.load(f)
        self.assertGreater(len(manifest), 20)
        now = datetime.datetime.utcnow()
        for e in manifest:
            with self.subTest(file=e['file']):
                with open(os.path.join(VECTORS, e['file']), 'rb') as f:
                    raw = f.read()
                try:
                    md = json.loads(raw)
                except ValueError:
                    self.assertFalse(e['valid'])
                    self.assertEqual(e['reason'], 'malformed')
                    continue
                if 'trusted_root' in e:
                    with open(os.path.join(VECTORS, e['trusted_root'])) as f:
                        root = json.load(f)['signed']
                    keys = root['keys']
                    role = root['roles'][e['role']]
                else:
                    with open(os.path.join(VECTORS, e['delegating_role'])) as f:
                        parent = json.load(f)['signed']['delegations']
                    keys = parent['keys']
                    role = [r for r in parent['roles'] if r['name'] == e['role']][0]
                s = md['signed']
                ok = (count_valid(md, keys, role['keyids']) >= role['threshold']
                      and isinstance(s.get('version'), int)
                      and s['_type'].lower() == ('targets' if e['role'] == 'delegated'
                                                 else e['role'])
                      and datetime.datetime.strptime(s['expires'],
                                                     '%Y-%m-%dT%H:%M:%SZ') > now)
                self.assertEqual(ok, e['valid'], e.get('reason'))


if __name__ == '__main__':
    unittest.main(verbosity=2)
