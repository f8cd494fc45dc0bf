# SPDX-License-Identifier: LGPL-2.1-or-later
"""Minimal, independent TUF/Uptane metadata signer for otad's test server.

It shares no code with the C verifier, nor with tests/tuf/tufgen.py: canonical JSON
comes from securesystemslib (standard TUF) or from ota_canonical() below (the OTA
dialect), signatures from cryptography.

Two dialects, as real servers write them:
* ``tuf``: lower-case `_type`, ed25519 keys {keytype, scheme, keyval}, key ids the
  sha256 of the canonical key, signatures {keyid, sig: hex} over securesystemslib's
  canonical form;
* ``ota``: what OTA Community Edition (ota-tuf) serves and aktualizr verifies:
  `"_type": "Root"`, RSA keys in PEM {keytype: "RSA", keyval: {public}}, signatures
  {keyid, method: "rsassa-pss-sha256", sig: base64} over the canonical form of a JSON
  writer (aktualizr's Utils::jsonToCanonicalStr: a PEM key's newlines are the two
  characters \\n, non-ASCII is escaped).
"""

import base64
import datetime
import hashlib
import json
import re

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from securesystemslib.formats import encode_canonical

DIALECTS = ("tuf", "ota")
OTA_TYPES = {"root": "Root", "timestamp": "Timestamp", "snapshot": "Snapshot",
             "targets": "Targets"}


def canonical(obj):
    return encode_canonical(obj).encode()


def ota_canonical(obj):
    """aktualizr's form: Python's json with ASCII escapes is jsoncpp's writer
    (emitUTF8 off) but for DEL, which jsoncpp leaves raw"""
    text = json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return re.sub(r'(?<!\\)((?:\\\\)*)\\u007f', lambda m: m.group(1) + "\x7f",
                  text).encode("ascii")


def canonical_for(obj, dialect):
    return ota_canonical(obj) if dialect == "ota" else canonical(obj)


def expires_in(days=365):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Key:
    def __init__(self, private=None, dialect="tuf"):
        self.dialect = dialect
        if dialect == "ota":
            # OTA CE generates 2048-bit RSA keys by default
            self.private = private or rsa.generate_private_key(public_exponent=65537,
                                                                key_size=2048)
            pem = self.private.public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo).decode()
            der = self.private.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            self.tuf = {"keytype": "RSA", "keyval": {"public": pem}}
            self.keyid = hashlib.sha256(der).hexdigest()
            return
        self.private = private or ed25519.Ed25519PrivateKey.generate()
        pub = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_hex = pub.hex()
        self.tuf = {"keytype": "ed25519", "scheme": "ed25519",
                    "keyval": {"public": self.public_hex}}
        self.keyid = hashlib.sha256(canonical(self.tuf)).hexdigest()

    def sign(self, signed):
        data = canonical_for(signed, self.dialect)
        if self.dialect == "ota":
            # aktualizr's signer uses the maximum PSS salt length
            sig = self.private.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                      salt_length=padding.PSS.MAX_LENGTH),
                                    hashes.SHA256())
            return {"keyid": self.keyid, "method": "rsassa-pss-sha256",
                    "sig": base64.b64encode(sig).decode()}
        return {"keyid": self.keyid, "sig": self.private.sign(data).hex()}


class Repo:
    """One TUF repository (the Image repo, or the Director)."""

    ALL_ROLES = ("root", "timestamp", "snapshot", "targets")

    def __init__(self, name, served=ALL_ROLES, dialect="tuf"):
        """@served: the roles the server publishes; the root defines exactly those (an
        OTA CE Director has root and targets only).  In the OTA dialect targets starts
        at version 0 with nothing in it, as OTA CE's Director before an assignment."""
        assert dialect in DIALECTS
        self.name = name
        self.dialect = dialect
        self.roles = served
        self.served = served
        self.keys = {r: Key(dialect=dialect) for r in self.roles}
        self.versions = {r: 0 for r in self.roles}
        self.files = {}       # "N.root.json" / "targets.json" ... -> bytes
        self.targets = {}
        self.targets_custom = None
        self.make_root()
        if dialect == "ota" and "snapshot" not in served:
            self.versions["targets"] = -1
        self.publish()

    def _type(self, role):
        return OTA_TYPES[role] if self.dialect == "ota" else role

    def _common(self, role, version):
        s = {"_type": self._type(role), "version": version, "expires": expires_in()}
        if self.dialect == "tuf":
            s["spec_version"] = "1.0.0"
        return s

    def envelope(self, role, signed):
        return {"signatures": [self.keys[role].sign(signed)], "signed": signed}

    def dump(self, env):
        # ota-tuf serves the canonical form it signed; a TUF repository writes files the
        # way python-tuf's JSONSerializer does (tuf/api/serialization/json.py: json.dumps,
        # indent 1, sorted keys), so control characters in strings arrive escaped:
        # OLPC canonical JSON (raw newlines in strings) is only what a signature covers
        if self.dialect == "ota":
            return ota_canonical(env)
        return json.dumps(env, indent=1, separators=(",", ": "), sort_keys=True).encode()

    def fileinfo(self, data):
        # what timestamp/snapshot say of a file: of its canonical form in the OTA dialect
        if self.dialect == "ota":
            data = ota_canonical(json.loads(data))
        return {"length": len(data), "hashes": {"sha256": hashlib.sha256(data).hexdigest()}}

    def make_root(self, sign_with_old=None):
        self.versions["root"] += 1
        signed = self._common("root", self.versions["root"])
        signed.update({
            "consistent_snapshot": False,
            "keys": {k.keyid: k.tuf for k in self.keys.values()},
            "roles": {r: {"keyids": [self.keys[r].keyid], "threshold": 1}
                      for r in self.roles},
        })
        env = self.envelope("root", signed)
        if sign_with_old is not None:
            env["signatures"].append(sign_with_old.sign(signed))
        data = self.dump(env)
        self.files["%d.root.json" % self.versions["root"]] = data
        self.files["root.json"] = data

    def rotate_root_key(self):
        old = self.keys["root"]
        self.keys["root"] = Key(dialect=self.dialect)
        self.make_root(sign_with_old=old)

    def publish(self):
        """Re-sign targets, then snapshot and timestamp when the repo has them."""
        self.versions["targets"] += 1
        signed = self._common("targets", self.versions["targets"])
        signed["targets"] = self.targets
        if self.targets_custom is not None:
            signed["custom"] = self.targets_custom
        targets = self.dump(self.envelope("targets", signed))
        self.files["targets.json"] = targets
        if "snapshot" not in self.served:
            return
        self.versions["snapshot"] += 1
        snap = self._common("snapshot", self.versions["snapshot"])
        snap["meta"] = {"targets.json": {"version": self.versions["targets"]}}
        snapshot = self.dump(self.envelope("snapshot", snap))
        self.files["snapshot.json"] = snapshot
        self.versions["timestamp"] += 1
        ts = self._common("timestamp", self.versions["timestamp"])
        ts["meta"] = {"snapshot.json": dict(self.fileinfo(snapshot),
                                            version=self.versions["snapshot"])}
        self.files["timestamp.json"] = self.dump(self.envelope("timestamp", ts))

    def tamper(self, filename):
        """the file with its signed part changed after signing (a bad signature)"""
        env = json.loads(self.files[filename])
        env["signed"]["expires"] = expires_in(days=3650)
        self.files[filename] = self.dump(env)


def verify_aktualizr_signed(envelope, public_hex):
    """Check an aktualizr-style signature ({keyid, method: ed25519, sig: base64})
    over the canonical JSON of envelope["signed"]; returns (ok, reason)."""
    try:
        key = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
    except ValueError as e:
        return False, "bad public key: %s" % e
    sigs = envelope.get("signatures") or []
    if not sigs:
        return False, "no signatures"
    for s in sigs:
        if s.get("method") != "ed25519":
            continue
        try:
            key.verify(base64.b64decode(s["sig"]), canonical(envelope["signed"]))
            return True, "ok"
        except Exception as e:  # noqa: BLE001 - any failure is a failed check
            reason = "signature does not verify: %r" % e
            continue
    return False, locals().get("reason", "no ed25519 signature")
