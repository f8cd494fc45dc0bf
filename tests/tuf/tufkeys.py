# SPDX-License-Identifier: LGPL-2.1-or-later
"""Signing keys for tufgen.py, in both dialects (see tufgen's documentation): the TUF
1.0 key form and key id (hex SHA-256 of the canonical key, securesystemslib's
canonical JSON), the OTA CE / aktualizr form (ED25519 hex or RSA PEM, signatures
{keyid, method, sig: base64} over aktualizr's canonical form, ota_canonical.py).
Keys and signatures come from python3-cryptography."""

import base64
import hashlib
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from securesystemslib.formats import encode_canonical
from ota_canonical import ota_canonical

KEY_KINDS = ('ed25519', 'rsa2048', 'rsa3072', 'rsa4096', 'ecdsa')

# RSA key generation dominates the suite's run time on a loaded machine, so
# RSA keys come from committed test-only pools, cycled; a test uses far fewer
# keys than a pool holds, so the keys within one test are all distinct.
# TUFGEN_FRESH_KEYS=1 generates every key instead.
KEY_POOL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'keys')
_key_pools = {}


def canonical(obj):
    """The bytes a TUF signature covers: OLPC canonical JSON, UTF-8."""
    return encode_canonical(obj).encode('utf-8')


def canonical_for(obj, dialect):
    """The bytes a signature of `dialect` covers."""
    return ota_canonical(obj) if dialect == 'ota' else canonical(obj)


class Key:
    """A signing key and its public forms in both dialects."""

    def __init__(self, kind, private):
        if kind not in KEY_KINDS:
            raise ValueError('unknown key kind %r' % kind)
        self.kind = kind
        self.private = private
        self.public = private.public_key()
        self.label = None       # a fixed key id (ids are opaque labels to a verifier)

    @classmethod
    def _from_pool(cls, kind):
        pool = _key_pools.get(kind)
        if pool is None:
            path = os.path.join(KEY_POOL_DIR, kind + '-pool.pem')
            if os.environ.get('TUFGEN_FRESH_KEYS') or not os.path.exists(path):
                return None
            with open(path, 'rb') as f:
                blob = f.read()
            end = b'-----END PRIVATE KEY-----\n'
            pems = [p + end for p in blob.split(end) if p.strip()]
            pool = _key_pools[kind] = {'keys': [serialization.load_pem_private_key(p, None)
                                                for p in pems], 'next': 0}
        k = pool['keys'][pool['next'] % len(pool['keys'])]
        pool['next'] += 1
        return cls(kind, k)

    @classmethod
    def generate(cls, kind='ed25519'):
        if kind.startswith('rsa'):
            pooled = cls._from_pool(kind)
            if pooled is not None:
                return pooled
        if kind == 'ed25519':
            priv = ed25519.Ed25519PrivateKey.generate()
        elif kind.startswith('rsa'):
            priv = rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
        elif kind == 'ecdsa':
            priv = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError('unknown key kind %r' % kind)
        return cls(kind, priv)

    @classmethod
    def from_pem(cls, kind, pem):
        return cls(kind, serialization.load_pem_private_key(pem, password=None))

    def private_pem(self):
        return self.private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())

    def public_pem(self):
        return self.public.public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def public_raw_hex(self):
        return self.public.public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw).hex()

    def scheme(self):
        if self.kind == 'ed25519':
            return 'ed25519'
        if self.kind == 'ecdsa':
            return 'ecdsa-sha2-nistp256'
        return 'rsassa-pss-sha256'

    def public_dict(self, dialect='tuf'):
        if dialect == 'tuf':
            if self.kind == 'ed25519':
                return {'keytype': 'ed25519', 'scheme': 'ed25519',
                        'keyval': {'public': self.public_raw_hex()}}
            if self.kind == 'ecdsa':
                return {'keytype': 'ecdsa', 'scheme': 'ecdsa-sha2-nistp256',
                        'keyval': {'public': self.public_pem()}}
            return {'keytype': 'rsa', 'scheme': 'rsassa-pss-sha256',
                    'keyval': {'public': self.public_pem()}}
        if dialect == 'ota':
            if self.kind == 'ed25519':
                return {'keytype': 'ED25519', 'keyval': {'public': self.public_raw_hex()}}
            if self.kind.startswith('rsa'):
                return {'keytype': 'RSA', 'keyval': {'public': self.public_pem()}}
            raise ValueError('the OTA dialect has no %s keys' % self.kind)
        raise ValueError('unknown dialect %r' % dialect)

    def keyid(self, dialect='tuf'):
        if self.label is not None:
            return self.label
        if dialect == 'tuf':
            # TUF 1.0: hex SHA-256 of the canonical JSON of the public key
            return hashlib.sha256(canonical(self.public_dict('tuf'))).hexdigest()
        # OTA CE servers derive ids from the key material, not from the TUF
        # key object: here the SHA-256 of the DER SubjectPublicKeyInfo, so the
        # ids differ from the TUF ones for the very same key.
        der = self.public.public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)
        return hashlib.sha256(der).hexdigest()

    def sign_raw(self, data, salt='digest'):
        if self.kind == 'ed25519':
            return self.private.sign(data)
        if self.kind == 'ecdsa':
            return self.private.sign(data, ec.ECDSA(hashes.SHA256()))  # DER, as securesystemslib
        salt_length = padding.PSS.DIGEST_LENGTH if salt == 'digest' else padding.PSS.MAX_LENGTH
        return self.private.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                   salt_length=salt_length), hashes.SHA256())

    def signature(self, data, dialect='tuf', keyid=None):
        keyid = keyid if keyid is not None else self.keyid(dialect)
        if dialect == 'tuf':
            return {'keyid': keyid, 'sig': self.sign_raw(data).hex()}
        # aktualizr's signer uses the maximum PSS salt length; the verifier
        # must recover it from the signature.
        method = 'ed25519' if self.kind == 'ed25519' else 'rsassa-pss-sha256'
        return {'keyid': keyid, 'method': method,
                'sig': base64.b64encode(self.sign_raw(data, salt='max')).decode()}
