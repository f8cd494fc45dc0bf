#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Independent TUF / Uptane repository generator for otad's tests.

This module shares no code with the C verifier: canonical JSON comes from
securesystemslib (Debian's python3-securesystemslib) for the TUF dialect and from
ota_canonical.py (aktualizr's JSON writer, reimplemented) for the OTA
dialect; keys and signatures from python3-cryptography.  It writes repositories in
the two dialects servers send:

* ``tuf``: TUF 1.0 as the specification writes it: lower-case ``_type``,
  ``spec_version``, keys ``{keytype, scheme, keyval: {public}}``, key ids the
  hex SHA-256 of the canonical key, signatures ``{keyid, sig: hex}``.
* ``ota``: OTA Community Edition / aktualizr: ``"_type": "Targets"`` etc.,
  no ``spec_version``, keys ``{keytype: "ED25519"|"RSA", keyval: {public}}``
  (hex for ed25519, PEM for RSA), signatures ``{keyid, method, sig: base64}``
  and key ids computed differently (a verifier must treat them as labels);
  signatures cover aktualizr's canonical form, and the hashes that timestamp and
  snapshot give for metadata are those of the canonical form of the file, not of
  its bytes (aktualizr's ImageRepository::verifySnapshot and verifyRoleHashes).

Library use (see test_tuf_client.py) or command line::

    tufgen.py repo DIR [--dialect ota] [--key-type rsa2048] [--target NAME=FILE]...
    tufgen.py uptane DIR --ecu SERIAL --hardware-id HW --target NAME=FILE
"""

import argparse
import datetime
import fnmatch
import hashlib
import json
import os
import sys
import urllib.parse

from ota_canonical import ota_canonical  # noqa: F401 (part of this module's interface)
# keys, and the canonical forms, are part of this module's interface too
from tufkeys import KEY_KINDS, Key, canonical, canonical_for  # noqa: F401

DIALECTS = ('tuf', 'ota')
TOP_ROLES = ('root', 'timestamp', 'snapshot', 'targets')

OTA_TYPES = {'root': 'Root', 'timestamp': 'Timestamp', 'snapshot': 'Snapshot',
             'targets': 'Targets'}


def iso_time(dt):
    return dt.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def expires_in(days=365, seconds=0):
    """An expiry `days` (may be negative: already expired) from now."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return iso_time(now + datetime.timedelta(days=days, seconds=seconds))


def file_hashes(data, algorithms=('sha256', 'sha512')):
    return {a: hashlib.new(a, data).hexdigest() for a in algorithms}


def fileinfo(data, algorithms=('sha256', 'sha512')):
    return {'length': len(data), 'hashes': file_hashes(data, algorithms)}


def sign(signed, keys, dialect='tuf'):
    """Wrap `signed` in a metadata envelope signed by each of `keys`."""
    data = canonical_for(signed, dialect)
    return {'signatures': [k.signature(data, dialect) for k in keys], 'signed': signed}


def dump(metadata, dialect='tuf'):
    """Serialise metadata as a server would: python-tuf indents; OTA CE's
    reposerver serves the canonical form it signed."""
    if dialect == 'tuf':
        return (json.dumps(metadata, indent=1, sort_keys=True) + '\n').encode()
    return ota_canonical(metadata)


def metadata_fileinfo(data, dialect, algorithms=('sha256',)):
    """Length and hashes of a metadata file as timestamp/snapshot list them: of
    its bytes in TUF, of its canonical form in the OTA dialect."""
    if dialect == 'ota':
        data = ota_canonical(json.loads(data))
    return fileinfo(data, algorithms)


def role_file(role):
    """The file (and URL) name of a delegated role: percent-encoded as
    python-tuf's ngclient does (parse.quote(rolename, "")), so that a role
    called "../x" or "/x" is never a path."""
    return urllib.parse.quote(role, safe='') + '.json'


def type_name(role, dialect):
    return role if dialect == 'tuf' else OTA_TYPES[role]


class Delegation:
    def __init__(self, name, keys, threshold=1, paths=None, path_hash_prefixes=None,
                 terminating=False):
        self.name = name
        self.keys = list(keys)
        self.threshold = threshold
        self.paths = paths
        self.path_hash_prefixes = path_hash_prefixes
        self.terminating = terminating
        self.children = []      # Delegation objects, in priority order


class Repo:
    """A TUF repository on disk under `directory`.

    Metadata lives directly in `directory` (``N.root.json``, ``root.json``,
    ``timestamp.json``, ``snapshot.json`` / ``V.snapshot.json``,
    ``targets.json`` / ``V.targets.json``, delegated ``ROLE.json``) and target
    files under ``directory/targets/`` (``HASH.NAME`` too with
    consistent_snapshot).  State (keys, versions, targets) lives in this
    object; tests change it and call publish() / write_root() again, or build
    and tamper with metadata through build()/sign_role()/write_role().
    """

    def __init__(self, directory, dialect='tuf', key_kind='ed25519', consistent_snapshot=False,
                 thresholds=None, nkeys=None, timestamp_snapshot=True,
                 timestamp_hashes=True, snapshot_hashes=False, expires_days=365):
        assert dialect in DIALECTS
        self.dir = directory
        self.dialect = dialect
        self.key_kind = key_kind
        self.consistent_snapshot = consistent_snapshot
        self.timestamp_snapshot = timestamp_snapshot
        self.timestamp_hashes = timestamp_hashes
        self.snapshot_hashes = snapshot_hashes
        thresholds = thresholds or {}
        nkeys = nkeys or {}
        self.keys = {}
        self.threshold = {}
        for role in TOP_ROLES:
            n = nkeys.get(role, thresholds.get(role, 1))
            self.keys[role] = [Key.generate(key_kind) for _ in range(n)]
            self.threshold[role] = thresholds.get(role, 1)
        self.version = {role: 0 for role in TOP_ROLES}
        self.expires = {role: expires_in(expires_days) for role in TOP_ROLES}
        self.targets = {'targets': {}}      # role name -> {target name: fileinfo (+custom)}
        self.delegations = []               # top-level delegations (children of targets)
        self.custom = {}                    # role -> signed.custom (Director correlationId)
        self.extra_signed = {}              # role -> extra keys merged into signed
        self.root_history = {}              # version -> bytes
        self.written = {}                   # file name -> bytes, last published
        self.previous_root_keys = None
        self.previous_root_threshold = None
        os.makedirs(os.path.join(self.dir, 'targets'), exist_ok=True)

    # -- helpers ------------------------------------------------------------
    def path(self, name):
        return os.path.join(self.dir, name)

    def write_file(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(data)
        self.written[name] = data

    def read_file(self, name):
        with open(self.path(name), 'rb') as f:
            return f.read()

    def all_delegations(self):
        out = []
        seen = set()

        def walk(ds):
            for d in ds:
                if d.name in seen:      # tests may build delegation cycles
                    continue
                seen.add(d.name)
                out.append(d)
                walk(d.children)
        walk(self.delegations)
        return out

    def delegation(self, name):
        for d in self.all_delegations():
            if d.name == name:
                return d
        raise KeyError(name)

    def role_keys(self, role):
        return self.keys[role] if role in TOP_ROLES else self.delegation(role).keys

    def _common(self, role, version, expires):
        s = {'_type': type_name(role if role in TOP_ROLES else 'targets', self.dialect),
             'version': version, 'expires': expires}
        if self.dialect == 'tuf':
            s['spec_version'] = '1.0.0'
        return s

    # -- building -----------------------------------------------------------
    def build_root(self, version=None, expires=None):
        version = version if version is not None else self.version['root']
        s = self._common('root', version, expires or self.expires['root'])
        s['consistent_snapshot'] = self.consistent_snapshot
        keys = {}
        roles = {}
        for role in TOP_ROLES:
            ids = []
            for k in self.keys[role]:
                keys[k.keyid(self.dialect)] = k.public_dict(self.dialect)
                ids.append(k.keyid(self.dialect))
            roles[role] = {'keyids': ids, 'threshold': self.threshold[role]}
        s['keys'] = keys
        s['roles'] = roles
        s.update(self.extra_signed.get('root', {}))
        return s

    def build_targets(self, role='targets', version=None, expires=None):
        if role == 'targets':
            version = version if version is not None else self.version['targets']
            expires = expires or self.expires['targets']
            children = self.delegations
        else:
            d = self.delegation(role)
            version = version if version is not None else self.version.get(role, 1)
            expires = expires or self.expires.get(role, expires_in(365))
            children = d.children
        s = self._common(role, version, expires)
        s['targets'] = dict(self.targets.get(role, {}))
        if children:
            keys = {}
            roles = []
            for c in children:
                for k in c.keys:
                    keys[k.keyid(self.dialect)] = k.public_dict(self.dialect)
                r = {'name': c.name, 'keyids': [k.keyid(self.dialect) for k in c.keys],
                     'threshold': c.threshold, 'terminating': c.terminating}
                if c.paths is not None:
                    r['paths'] = c.paths
                if c.path_hash_prefixes is not None:
                    r['path_hash_prefixes'] = c.path_hash_prefixes
                roles.append(r)
            s['delegations'] = {'keys': keys, 'roles': roles}
        if role in self.custom:
            s['custom'] = self.custom[role]
        s.update(self.extra_signed.get(role, {}))
        return s

    def _meta_entry(self, name, version, with_hashes):
        e = {'version': version}
        if with_hashes:
            e.update(metadata_fileinfo(self.written[name] if name in self.written
                                       else self.read_file(name), self.dialect))
        return e

    def build_snapshot(self, version=None, expires=None):
        version = version if version is not None else self.version['snapshot']
        s = self._common('snapshot', version, expires or self.expires['snapshot'])
        meta = {'targets.json': self._meta_entry('targets.json', self.version['targets'],
                                                 self.snapshot_hashes)}
        for d in self.all_delegations():
            # listed under the role's name as it is; the file's name is encoded
            meta[d.name + '.json'] = self._meta_entry(role_file(d.name),
                                                      self.version.get(d.name, 1),
                                                      self.snapshot_hashes)
        if self.dialect == 'ota':
            # tuf-reposerver lists root.json in snapshot too (aktualizr fixtures)
            meta['root.json'] = self._meta_entry('root.json', self.version['root'], True)
        s['meta'] = meta
        s.update(self.extra_signed.get('snapshot', {}))
        return s

    def build_timestamp(self, version=None, expires=None, snapshot_version=None):
        version = version if version is not None else self.version['timestamp']
        s = self._common('timestamp', version, expires or self.expires['timestamp'])
        sv = snapshot_version if snapshot_version is not None else self.version['snapshot']
        s['meta'] = {'snapshot.json': self._meta_entry('snapshot.json', sv,
                                                       self.timestamp_hashes)}
        s.update(self.extra_signed.get('timestamp', {}))
        return s

    def sign_role(self, role, signed, keys=None):
        return sign(signed, self.role_keys(role) if keys is None else keys, self.dialect)

    def write_role(self, role, metadata, raw=None):
        """Write a role's metadata under the names a client fetches."""
        data = raw if raw is not None else dump(metadata, self.dialect)
        version = metadata['signed']['version'] if metadata is not None else None
        if role == 'root':
            self.write_file('%d.root.json' % version, data)
            self.write_file('root.json', data)
            self.root_history[version] = data
        elif role == 'timestamp':
            self.write_file('timestamp.json', data)
        elif role in TOP_ROLES:
            self.write_file(role + '.json', data)
            if self.consistent_snapshot and version is not None:
                self.write_file('%d.%s.json' % (version, role), data)
        else:
            self.write_file(role_file(role), data)
            if self.consistent_snapshot and version is not None:
                self.write_file('%d.%s' % (version, role_file(role)), data)
        return data

    # -- high level ---------------------------------------------------------
    def write_root(self, sign_with=None, expires=None, version=None):
        """Publish the next root version, signed by the previous root keys and
        the current ones (or exactly `sign_with`)."""
        self.version['root'] = version if version is not None else self.version['root'] + 1
        if expires:
            self.expires['root'] = expires
        if sign_with is None:
            sign_with = list(self.keys['root'])
            for k in self.previous_root_keys or []:
                if k not in sign_with:
                    sign_with.append(k)
        md = self.sign_role('root', self.build_root(), sign_with)
        self.previous_root_keys = None
        return self.write_role('root', md)

    def rotate_keys(self, role, count=1, threshold=None, kind=None):
        """Replace a role's keys; for root remember the old ones so the next
        write_root() is signed by both."""
        if role == 'root' and self.previous_root_keys is None:
            self.previous_root_keys = list(self.keys['root'])
        self.keys[role] = [Key.generate(kind or self.key_kind) for _ in range(count)]
        if threshold is not None:
            self.threshold[role] = threshold
        return self.keys[role]

    def add_target(self, name, data, role='targets', custom=None, write_file=True):
        info = fileinfo(data)
        if custom is not None:
            info['custom'] = custom
        self.targets.setdefault(role, {})[name] = info
        if write_file:
            self.write_target_file(name, data)
        return info

    def write_target_file(self, name, data):
        self.write_file(os.path.join('targets', name), data)
        if self.consistent_snapshot:
            for h in file_hashes(data).values():
                d, b = os.path.split(name)
                self.write_file(os.path.join('targets', d, '%s.%s' % (h, b)), data)

    def add_delegation(self, name, parent='targets', keys=None, threshold=1, paths=None,
                       path_hash_prefixes=None, terminating=False):
        if paths is None and path_hash_prefixes is None:
            paths = ['*']
        d = Delegation(name, keys or [Key.generate(self.key_kind)], threshold, paths,
                       path_hash_prefixes, terminating)
        if parent == 'targets':
            self.delegations.append(d)
        else:
            self.delegation(parent).children.append(d)
        self.targets.setdefault(name, {})
        return d

    def publish(self, bump=True, roles=None):
        """Sign and write targets (and delegated roles), snapshot and
        timestamp, each with its version bumped.  The first call also writes
        root version 1.  Returns {file name: bytes} of what was written."""
        before = dict(self.written)
        if self.version['root'] == 0:
            self.write_root()
        roles = roles or (['targets'] + [d.name for d in self.all_delegations()]
                          + (['snapshot', 'timestamp'] if self.timestamp_snapshot else []))
        for role in roles:
            if bump or self.version.get(role, 0) == 0:
                self.version[role] = self.version.get(role, 0) + 1
            if role == 'snapshot':
                signed = self.build_snapshot()
            elif role == 'timestamp':
                signed = self.build_timestamp()
            else:
                signed = self.build_targets(role)
            self.write_role(role, self.sign_role(role, signed))
        return {k: v for k, v in self.written.items() if before.get(k) != v}


def delegation_matches(d, name):
    """Whether a delegation covers a target name (used by tests to document
    the expected search outcome)."""
    if d.paths is not None:
        return any(fnmatch.fnmatchcase(name, p) for p in d.paths)
    h = hashlib.sha256(name.encode()).hexdigest()
    return any(h.startswith(p) for p in d.path_hash_prefixes)


# -- Uptane -------------------------------------------------------------------
def image_custom(hardware_ids, version='1', target_format='BINARY', uri=None, name=None):
    c = {'hardwareIds': list(hardware_ids), 'version': version, 'targetFormat': target_format,
         'createdAt': '2024-01-01T00:00:00Z', 'updatedAt': '2024-01-01T00:00:00Z'}
    if name is not None:
        c['name'] = name
    if uri is not None:
        c['uri'] = uri
    return c


def director_custom(ecus):
    """`ecus`: {serial: hardware id}."""
    return {'ecuIdentifiers': {s: {'hardwareId': h} for s, h in ecus.items()}}


class UptaneRepos:
    """A Director repository (root + targets, optional timestamp/snapshot)
    and an Image repository (full TUF) side by side under `directory`
    (``director/`` and ``repo/``, as OTA CE's gateway lays them out)."""

    def __init__(self, directory, dialect='ota', key_kind='ed25519',
                 director_timestamp_snapshot=False):
        self.director = Repo(os.path.join(directory, 'director'), dialect, key_kind,
                             timestamp_snapshot=director_timestamp_snapshot)
        self.image = Repo(os.path.join(directory, 'repo'), dialect, key_kind)
        self.director.custom['targets'] = {'correlationId': 'urn:here-ota:campaign:test-1'}

    def add_image(self, name, data, hardware_ids, **kw):
        return self.image.add_target(name, data, custom=image_custom(hardware_ids, name=name,
                                                                     **kw))

    def assign(self, name, data, ecus, length=None, hashes=None):
        """Director assigns target `name` (content `data`) to {serial: hwid}."""
        info = fileinfo(data)
        if length is not None:
            info['length'] = length
        if hashes is not None:
            info['hashes'] = hashes
        info['custom'] = director_custom(ecus)
        self.director.targets['targets'][name] = info
        return info

    def publish(self):
        self.image.publish()
        self.director.publish()


# -- command line -------------------------------------------------------------
def _targets_arg(values):
    out = []
    for v in values or []:
        name, _, path = v.partition('=')
        with open(path, 'rb') as f:
            out.append((name, f.read()))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('repo', help='write a TUF repository')
    r.add_argument('dir')
    r.add_argument('--dialect', choices=DIALECTS, default='tuf')
    r.add_argument('--key-type', choices=KEY_KINDS, default='ed25519')
    r.add_argument('--consistent-snapshot', action='store_true')
    r.add_argument('--target', action='append', metavar='NAME=FILE')
    r.add_argument('--root-versions', type=int, default=1,
                   help='publish roots 1..N, rotating the root key each time')
    u = sub.add_parser('uptane', help='write Director + Image repositories')
    u.add_argument('dir')
    u.add_argument('--dialect', choices=DIALECTS, default='ota')
    u.add_argument('--key-type', choices=KEY_KINDS, default='ed25519')
    u.add_argument('--ecu', required=True)
    u.add_argument('--hardware-id', required=True)
    u.add_argument('--target', action='append', metavar='NAME=FILE', required=True)
    args = ap.parse_args(argv)

    if args.cmd == 'repo':
        repo = Repo(args.dir, args.dialect, args.key_type, args.consistent_snapshot)
        for name, data in _targets_arg(args.target):
            repo.add_target(name, data)
        repo.publish()
        for _ in range(args.root_versions - 1):
            repo.rotate_keys('root')
            repo.write_root()
    else:
        u = UptaneRepos(args.dir, args.dialect, args.key_type)
        for name, data in _targets_arg(args.target):
            u.add_image(name, data, [args.hardware_id])
            u.assign(name, data, {args.ecu: args.hardware_id})
        u.publish()
    return 0


if __name__ == '__main__':
    sys.exit(main())
