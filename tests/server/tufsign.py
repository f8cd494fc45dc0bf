# SPDX-License-Identifier: LGPL-2.1-or-later
"""Minimal, independent TUF/Uptane metadata signer for otad's test server.

It shares no code with the C verifier: canonical JSON comes from securesystemslib,
signatures from cryptography.
"""

import base64
import datetime
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from securesystemslib.formats import encode_canonical


def canonical(obj):
    return encode_canonical(obj).encode()


def expires_in(days=365):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Key:
    def __init__(self, private=None):
        self.private = private or ed25519.Ed25519PrivateKey.generate()
        pub = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_hex = pub.hex()
        self.tuf = {"keytype": "ed25519", "scheme": "ed25519",
                    "keyval": {"public": self.public_hex}}
        self.keyid = hashlib.sha256(canonical(self.tuf)).hexdigest()

    def sign(self, signed):
        sig = self.private.sign(canonical(signed))
        return {"keyid": self.keyid, "sig": sig.hex()}


class Repo:
    """One TUF repository (the Image repo, or the Director)."""

    ALL_ROLES = ("root", "timestamp", "snapshot", "targets")

    def __init__(self, name, served=ALL_ROLES):
        """@served: the roles the server publishes; root always defines all four
        (an OTA CE Director has keys for them but serves root and targets only)."""
        self.name = name
        self.roles = self.ALL_ROLES
        self.served = served
        self.keys = {r: Key() for r in self.roles}
        self.versions = {r: 0 for r in self.roles}
        self.files = {}       # "N.root.json" / "targets.json" ... -> bytes
        self.targets = {}
        self.targets_custom = None
        self.make_root()
        self.publish()

    def envelope(self, role, signed):
        return {"signatures": [self.keys[role].sign(signed)], "signed": signed}

    def make_root(self, sign_with_old=None):
        self.versions["root"] += 1
        signed = {
            "_type": "root", "spec_version": "1.0.0", "consistent_snapshot": False,
            "version": self.versions["root"], "expires": expires_in(),
            "keys": {k.keyid: k.tuf for k in self.keys.values()},
            "roles": {r: {"keyids": [self.keys[r].keyid], "threshold": 1}
                      for r in self.roles},
        }
        env = self.envelope("root", signed)
        if sign_with_old is not None:
            env["signatures"].append(sign_with_old.sign(signed))
        data = canonical(env)
        self.files["%d.root.json" % self.versions["root"]] = data
        self.files["root.json"] = data

    def rotate_root_key(self):
        old = self.keys["root"]
        self.keys["root"] = Key()
        self.make_root(sign_with_old=old)

    def publish(self):
        """Re-sign targets, then snapshot and timestamp when the repo has them."""
        self.versions["targets"] += 1
        signed = {"_type": "targets", "spec_version": "1.0.0",
                  "version": self.versions["targets"], "expires": expires_in(),
                  "targets": self.targets}
        if self.targets_custom is not None:
            signed["custom"] = self.targets_custom
        targets = canonical(self.envelope("targets", signed))
        self.files["targets.json"] = targets
        if "snapshot" not in self.served:
            return
        self.versions["snapshot"] += 1
        snap = {"_type": "snapshot", "spec_version": "1.0.0",
                "version": self.versions["snapshot"], "expires": expires_in(),
                "meta": {"targets.json": {"version": self.versions["targets"]}}}
        snapshot = canonical(self.envelope("snapshot", snap))
        self.files["snapshot.json"] = snapshot
        self.versions["timestamp"] += 1
        ts = {"_type": "timestamp", "spec_version": "1.0.0",
              "version": self.versions["timestamp"], "expires": expires_in(),
              "meta": {"snapshot.json": {
                  "version": self.versions["snapshot"], "length": len(snapshot),
                  "hashes": {"sha256": hashlib.sha256(snapshot).hexdigest()}}}}
        self.files["timestamp.json"] = canonical(self.envelope("timestamp", ts))


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
