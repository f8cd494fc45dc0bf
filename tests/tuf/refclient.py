#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small reference TUF/Uptane client with tuf-client's command line.

It exists to check the attack suite itself: test_tuf_client.py must pass
against this straightforward reading of the TUF 1.0.x client workflow and of
Uptane's full verification before its verdicts on the C verifier mean
anything.  It is not used by otad and shares no code with it.

    refclient.py --metadata-dir D init ROOT
    refclient.py --metadata-dir D --metadata-url URL refresh
    refclient.py --metadata-dir D --metadata-url URL --target-name N \
        --target-base-url URL --target-dir DIR download
    refclient.py --metadata-dir D --director-url U1 --image-url U2 \
        --ecu-serial S --hardware-id H --target-dir DIR uptane
"""

import argparse
import base64
import datetime
import fnmatch
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from securesystemslib.formats import encode_canonical
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding

ROOT_LIMIT = 512 * 1024
TIMESTAMP_LIMIT = 16 * 1024
SNAPSHOT_LIMIT = 2 * 1024 * 1024
TARGETS_LIMIT = 8 * 1024 * 1024
MAX_ROOT_ROTATIONS = 32
MAX_DELEGATIONS = 32
# slow retrieval: (seconds, bytes/s) as tuf-client's --deadline-sec and --min-speed
SLOW = [120, 1024]


class Refused(Exception):
    pass


class NotFound(Exception):
    pass


def fetch(url, limit):
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            data = b''
            while len(data) <= limit:
                piece = r.read1(min(65536, limit + 1 - len(data)))
                if not piece:
                    break
                data += piece
                spent = time.monotonic() - start
                if SLOW[0] and SLOW[1] and spent > SLOW[0] and len(data) < spent * SLOW[1]:
                    raise Refused('%s: slow retrieval' % url)
    except urllib.error.HTTPError as e:
        if e.code in (403, 404):
            raise NotFound(url)
        raise Refused('%s: HTTP %d' % (url, e.code))
    except OSError as e:
        raise Refused('%s: %s' % (url, e))
    if len(data) > limit:
        raise Refused('%s: more than %d bytes' % (url, limit))
    return data


def ota_canonical(obj):
    """aktualizr's canonical form (jsoncpp writer without indentation), written
    here differently from tufgen: Python's json with ASCII escapes, then DEL put
    back raw as jsoncpp writes it."""
    text = json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(',', ':'))
    return re.sub(r'(?<!\\)((?:\\\\)*)\\u007f', lambda m: m.group(1) + '\x7f',
                  text).encode('ascii')


def check_fileinfo(data, info, what, ota=False):
    # OTA CE: what timestamp and snapshot describe is the canonical form
    # (aktualizr ImageRepository::verifySnapshot)
    if ota:
        try:
            data = ota_canonical(json.loads(data))
        except ValueError:
            raise Refused('%s: not JSON' % what)
    if 'length' in info and len(data) != info['length']:
        raise Refused('%s: length %d, expected %d' % (what, len(data), info['length']))
    for alg, want in info.get('hashes', {}).items():
        if alg not in ('sha256', 'sha512'):
            continue
        if hashlib.new(alg, data).hexdigest() != want:
            raise Refused('%s: %s mismatch' % (what, alg))


def verify_sig(keydict, sig, data):
    kt = keydict['keytype'].lower()
    pub = keydict['keyval']['public']
    try:
        raw = (base64.b64decode(sig['sig'], validate=True) if 'method' in sig
               else bytes.fromhex(sig['sig']))
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
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def parse(data, role_type, what):
    try:
        md = json.loads(data)
    except ValueError:
        raise Refused('%s: not JSON' % what)
    if not isinstance(md, dict) or not isinstance(md.get('signatures'), list) \
            or not isinstance(md.get('signed'), dict):
        raise Refused('%s: malformed' % what)
    s = md['signed']
    if 'spec_version' in s and str(s['spec_version']).split('.')[0] != '1':
        raise Refused('%s: unsupported spec_version %s' % (what, s['spec_version']))
    if not isinstance(s.get('_type'), str) or s['_type'].lower() != role_type:
        raise Refused('%s: wrong _type' % what)
    if type(s.get('version')) is not int or s['version'] < 1:
        raise Refused('%s: bad version' % what)
    try:
        s['_expires'] = datetime.datetime.strptime(s['expires'], '%Y-%m-%dT%H:%M:%SZ')
    except (KeyError, TypeError, ValueError):
        raise Refused('%s: bad expires' % what)
    return md


def check_meta(meta, what):
    if not isinstance(meta, dict):
        raise Refused('%s: meta' % what)
    for v in meta.values():
        if not isinstance(v, dict) or type(v.get('version')) is not int:
            raise Refused('%s: meta entry' % what)
        if 'length' in v and type(v['length']) is not int:
            raise Refused('%s: meta length' % what)


def check_threshold(md, keys, role, what):
    if type(role.get('threshold')) is not int or role['threshold'] < 1:
        raise Refused('%s: bad threshold' % what)
    signed = {k: v for k, v in md['signed'].items() if k != '_expires'}
    ids = [sig.get('keyid') for sig in md['signatures'] if isinstance(sig, dict)]
    if len(ids) != len(set(ids)):
        raise Refused('%s: a key id signs twice' % what)
    good = set()
    for sig in md['signatures']:
        if not isinstance(sig, dict):
            raise Refused('%s: bad signature entry' % what)
        kid = sig.get('keyid')
        # aktualizr-style signatures (with `method`) cover aktualizr's form
        data = ota_canonical(signed) if 'method' in sig else encode_canonical(signed).encode()
        if kid in role['keyids'] and kid in keys and kid not in good \
                and verify_sig(keys[kid], sig, data):
            good.add(kid)
    if len(good) < role['threshold']:
        raise Refused('%s: %d of %d signatures' % (what, len(good), role['threshold']))


def path_match(name, pattern):
    # wildcards do not cross a '/'
    a, b = name.split('/'), pattern.split('/')
    return len(a) == len(b) and all(fnmatch.fnmatchcase(x, y) for x, y in zip(a, b))


class Store:
    def __init__(self, d):
        self.d = d
        os.makedirs(d, exist_ok=True)

    def load(self, name):
        try:
            with open(os.path.join(self.d, name), 'rb') as f:
                data = f.read()
        except FileNotFoundError:
            return None
        md = json.loads(data)
        md['signed']['_expires'] = None
        return md

    def save(self, name, data):
        fd, tmp = tempfile.mkstemp(dir=self.d)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.d, name))

    def remove(self, name):
        try:
            os.unlink(os.path.join(self.d, name))
        except FileNotFoundError:
            pass


class Client:
    def __init__(self, store, url, now):
        self.store = store
        self.url = url.rstrip('/')
        self.now = now
        self.root = store.load('root.json')
        if self.root is None:
            raise Refused('no trusted root')

    def role(self, name):
        return self.root['signed']['roles'][name]

    def update_root(self):
        first = self.root['signed']
        for _ in range(MAX_ROOT_ROTATIONS):
            n = self.root['signed']['version'] + 1
            if n > 2 ** 63 - 1:       # no version beyond int64
                break
            try:
                data = fetch('%s/%d.root.json' % (self.url, n), ROOT_LIMIT)
            except NotFound:
                break
            new = parse(data, 'root', 'root %d' % n)
            check_threshold(new, self.root['signed']['keys'], self.role('root'), 'root %d (old)' % n)
            check_threshold(new, new['signed']['keys'], new['signed']['roles']['root'],
                            'root %d (new)' % n)
            if new['signed']['version'] != n:
                raise Refused('root %d has version %d' % (n, new['signed']['version']))
            for r in ('root', 'timestamp', 'snapshot', 'targets'):
                if r not in new['signed']['roles']:
                    raise Refused('root %d: no role %s' % (n, r))
                check_threshold_type(new['signed']['roles'][r], 'root %d' % n)
            # 5.3.11 as each root is trusted: new timestamp or snapshot keys
            # (or threshold) make the trusted files worthless
            for r in ('timestamp', 'snapshot'):
                old, now = self.root['signed']['roles'][r], new['signed']['roles'][r]
                if set(old['keyids']) != set(now['keyids']) or \
                        old['threshold'] != now['threshold']:
                    self.store.remove('timestamp.json')
                    self.store.remove('snapshot.json')
            self.root = new
            self.store.save('root.json', data)
        s = self.root['signed']
        if s['_expires'] is not None and s['_expires'] <= self.now:
            raise Refused('root expired')
        if s['_expires'] is None:
            exp = datetime.datetime.strptime(s['expires'], '%Y-%m-%dT%H:%M:%SZ')
            if exp <= self.now:
                raise Refused('root expired')
        for r in ('timestamp', 'snapshot'):
            if set(first['roles'][r]['keyids']) != set(s['roles'][r]['keyids']):
                self.store.remove('timestamp.json')
                self.store.remove('snapshot.json')

    def update_timestamp(self):
        data = fetch(self.url + '/timestamp.json', TIMESTAMP_LIMIT)
        new = parse(data, 'timestamp', 'timestamp')
        check_threshold(new, self.root['signed']['keys'], self.role('timestamp'), 'timestamp')
        check_meta(new['signed'].get('meta'), 'timestamp')
        if 'snapshot.json' not in new['signed']['meta']:
            raise Refused('timestamp: no snapshot.json')
        old = self.store.load('timestamp.json')
        if old is not None:
            if new['signed']['version'] < old['signed']['version']:
                raise Refused('timestamp rollback')
            if new['signed']['meta']['snapshot.json']['version'] < \
                    old['signed']['meta']['snapshot.json']['version']:
                raise Refused('snapshot rollback in timestamp')
            if new['signed']['version'] == old['signed']['version']:
                return False
        if new['signed']['_expires'] <= self.now:
            raise Refused('timestamp expired')
        self.store.save('timestamp.json', data)
        self.timestamp = new
        return True

    def update_snapshot(self):
        info = self.timestamp['signed']['meta']['snapshot.json']
        cs = self.root['signed'].get('consistent_snapshot')
        name = '%d.snapshot.json' % info['version'] if cs else 'snapshot.json'
        ota = self.timestamp['signed']['_type'] == 'Timestamp'
        # an OTA length is of the canonical form: the served bytes may be more
        limit = max(info.get('length', 0), SNAPSHOT_LIMIT) if ota else \
            info.get('length', SNAPSHOT_LIMIT)
        data = fetch('%s/%s' % (self.url, name), limit)
        check_fileinfo(data, info, 'snapshot', ota)
        new = parse(data, 'snapshot', 'snapshot')
        check_threshold(new, self.root['signed']['keys'], self.role('snapshot'), 'snapshot')
        check_meta(new['signed'].get('meta'), 'snapshot')
        if new['signed']['version'] != info['version']:
            raise Refused('snapshot version %d, timestamp says %d'
                          % (new['signed']['version'], info['version']))
        old = self.store.load('snapshot.json')
        if old is not None:
            for f, e in old['signed']['meta'].items():
                if f == 'root.json':
                    continue
                if f not in new['signed']['meta']:
                    raise Refused('snapshot: %s disappeared' % f)
                if new['signed']['meta'][f]['version'] < e['version']:
                    raise Refused('snapshot: %s rollback' % f)
        if new['signed']['_expires'] <= self.now:
            raise Refused('snapshot expired')
        self.store.save('snapshot.json', data)
        self.snapshot = new

    def fetch_targets_role(self, role, keys, role_info):
        info = self.snapshot['signed']['meta'].get(role + '.json')
        if info is None:
            raise Refused('%s not in snapshot' % role)
        cs = self.root['signed'].get('consistent_snapshot')
        # role names are percent-encoded in URLs and file names (python-tuf)
        quoted = urllib.parse.quote(role, safe='')
        name = '%d.%s.json' % (info['version'], quoted) if cs else quoted + '.json'
        ota = self.snapshot['signed']['_type'] == 'Snapshot'
        limit = max(info.get('length', 0), TARGETS_LIMIT) if ota else \
            info.get('length', TARGETS_LIMIT)
        data = fetch('%s/%s' % (self.url, name), limit)
        check_fileinfo(data, info, role, ota)
        new = parse(data, 'targets', role)
        check_threshold(new, keys, role_info, role)
        if new['signed']['version'] != info['version']:
            raise Refused('%s version %d, snapshot says %d'
                          % (role, new['signed']['version'], info['version']))
        if new['signed']['_expires'] <= self.now:
            raise Refused('%s expired' % role)
        t = new['signed'].get('targets')
        if not isinstance(t, dict):
            raise Refused('%s: targets' % role)
        for n, ti in t.items():
            if not isinstance(ti, dict) or type(ti.get('length')) is not int or \
                    not isinstance(ti.get('hashes'), dict) or not ti['hashes']:
                raise Refused('%s: target %s malformed' % (role, n))
        self.store.save(quoted + '.json', data)
        return new

    def refresh(self):
        self.update_root()
        if not self.update_timestamp():
            self.targets = self.load_trusted_targets()
            return
        self.update_snapshot()
        self.targets = self.fetch_targets_role('targets', self.root['signed']['keys'],
                                               self.role('targets'))

    def load_trusted_targets(self):
        self.timestamp = self.store.load('timestamp.json')
        self.snapshot = self.store.load('snapshot.json')
        t = self.store.load('targets.json')
        if t is None or self.snapshot is None:
            raise Refused('no trusted targets')
        # a targets refused after its snapshot was trusted: fetch the one it lists
        if t['signed']['version'] != self.snapshot['signed']['meta']['targets.json']['version']:
            return self.fetch_targets_role('targets', self.root['signed']['keys'],
                                           self.role('targets'))
        return t

    def find(self, name):
        stack = [('targets', self.targets)]
        visited = set()
        count = 0
        # pre-order depth-first
        def search(md):
            nonlocal count
            t = md['signed'].get('targets', {})
            if name in t:
                return t[name]
            dl = md['signed'].get('delegations')
            if not dl:
                return None
            for r in dl.get('roles', []):
                if r['name'] in visited:
                    continue
                h = hashlib.sha256(name.encode()).hexdigest()
                if 'paths' in r:
                    match = any(path_match(name, p) for p in r['paths'])
                else:
                    match = any(h.startswith(p) for p in r.get('path_hash_prefixes', []))
                if not match:
                    continue
                count += 1
                if count > MAX_DELEGATIONS:
                    raise Refused('too many delegations')
                visited.add(r['name'])
                child = self.fetch_targets_role(r['name'], dl['keys'], r)
                found = search(child)
                if found is not None:
                    return found
                if r.get('terminating'):
                    return None
            return None
        del stack
        return search(self.targets)


def deliver(target_dir, name, info, urls):
    parts = name.split('/')
    if name.startswith('/') or any(p in ('', '.', '..') for p in parts):
        raise Refused('unsafe target name %r' % name)
    path = os.path.join(target_dir, name)
    try:
        with open(path, 'rb') as f:
            check_fileinfo(f.read(), info, name)
        return
    except (OSError, Refused):
        pass
    data = None
    for url in urls:
        data = fetch(url, info['length'])
        break
    check_fileinfo(data, info, name)
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def cmd_download(a, now):
    c = Client(Store(a.metadata_dir), a.metadata_url, now)
    c.refresh()
    info = c.find(a.target_name)
    if info is None:
        raise Refused('no target %s' % a.target_name)
    base = a.target_base_url.rstrip('/')
    if c.root['signed'].get('consistent_snapshot'):
        d, b = os.path.split(a.target_name)
        url = '%s/%s%s.%s' % (base, d + '/' if d else '', info['hashes'].get(
            'sha256', list(info['hashes'].values())[0]), urllib.parse.quote(b))
    else:
        url = base + '/' + urllib.parse.quote(a.target_name)
    deliver(a.target_dir, a.target_name, info, [url])


def tofu(store, url):
    if store.load('root.json') is None:
        data = fetch(url.rstrip('/') + '/1.root.json', ROOT_LIMIT)
        md = parse(data, 'root', 'root 1')
        check_threshold(md, md['signed']['keys'], md['signed']['roles']['root'], 'root 1')
        store.save('root.json', data)


def check_threshold_type(role, what):
    if type(role.get('threshold')) is not int or role['threshold'] < 1:
        raise Refused('%s: bad threshold' % what)


def cmd_uptane(a, now):
    dstore = Store(os.path.join(a.metadata_dir, 'director'))
    istore = Store(os.path.join(a.metadata_dir, 'image'))
    tofu(dstore, a.director_url)
    tofu(istore, a.image_url)
    d = Client(dstore, a.director_url, now)
    d.update_root()
    try:
        fetch(d.url + '/timestamp.json', TIMESTAMP_LIMIT)
        has_ts = True
    except NotFound:
        has_ts = False
    if has_ts:
        if d.update_timestamp():
            d.update_snapshot()
            targets = d.fetch_targets_role('targets', d.root['signed']['keys'], d.role('targets'))
        else:
            targets = dstore.load('targets.json')
    else:
        data = fetch(d.url + '/targets.json', TARGETS_LIMIT)
        targets = parse(data, 'targets', 'director targets')
        check_threshold(targets, d.root['signed']['keys'], d.role('targets'), 'director targets')
        old = dstore.load('targets.json')
        if old is not None and targets['signed']['version'] < old['signed']['version']:
            raise Refused('director targets rollback')
        if targets['signed']['_expires'] <= now:
            raise Refused('director targets expired')
        dstore.save('targets.json', data)
    s = targets['signed']
    if s.get('delegations'):
        raise Refused('director targets delegate')
    mine = []
    seen = set()
    for name, info in s.get('targets', {}).items():
        ecus = info.get('custom', {}).get('ecuIdentifiers', {})
        for serial, e in ecus.items():
            if serial in seen:
                raise Refused('ECU %s named twice' % serial)
            seen.add(serial)
            if serial != a.ecu_serial:
                raise Refused('unknown ECU %s' % serial)
            if e.get('hardwareId') != a.hardware_id:
                raise Refused('hardware id mismatch')
            mine.append((name, info))
    img = Client(istore, a.image_url, now)
    img.refresh()
    for name, info in mine:
        ii = img.find(name)
        if ii is None:
            raise Refused('%s not in image repo' % name)
        if ii['length'] != info['length']:
            raise Refused('%s length differs' % name)
        common = set(ii['hashes']) & set(info['hashes'])
        if not common or any(ii['hashes'][h] != info['hashes'][h] for h in common) \
                or set(info['hashes']) - set(ii['hashes']):
            raise Refused('%s hashes differ' % name)
        hw = ii.get('custom', {}).get('hardwareIds')
        if hw is not None and a.hardware_id not in hw:
            raise Refused('%s not for this hardware' % name)
        uri = ii.get('custom', {}).get('uri')
        deliver(a.target_dir, name, info, [uri or img.url + '/targets/' + urllib.parse.quote(name)])


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--metadata-dir', required=True)
    ap.add_argument('--metadata-url')
    ap.add_argument('--target-name')
    ap.add_argument('--target-base-url')
    ap.add_argument('--target-dir')
    ap.add_argument('--director-url')
    ap.add_argument('--image-url')
    ap.add_argument('--ecu-serial')
    ap.add_argument('--hardware-id')
    ap.add_argument('--deadline-sec', type=int, default=SLOW[0])
    ap.add_argument('--min-speed', type=int, default=SLOW[1])
    ap.add_argument('--canonical-form', choices=('tuf', 'ota'), default='tuf')
    ap.add_argument('command', choices=('init', 'refresh', 'download', 'uptane', 'canonical'))
    ap.add_argument('arg', nargs='?')
    a = ap.parse_args(argv)
    SLOW[:] = [a.deadline_sec, a.min_speed]
    if a.command == 'canonical':
        with open(a.arg, 'rb') as f:
            doc = json.load(f)
        doc = doc.get('signed', doc) if isinstance(doc, dict) else doc
        sys.stdout.buffer.write(ota_canonical(doc) if a.canonical_form == 'ota'
                                else encode_canonical(doc).encode())
        return 0
    now = datetime.datetime.utcnow()
    try:
        if a.command == 'init':
            with open(a.arg, 'rb') as f:
                data = f.read()
            root = parse(data, 'root', 'root')
            # a trusted root signs itself
            check_threshold(root, root['signed']['keys'], root['signed']['roles']['root'],
                            'root')
            Store(a.metadata_dir).save('root.json', data)
        elif a.command == 'refresh':
            Client(Store(a.metadata_dir), a.metadata_url, now).refresh()
        elif a.command == 'download':
            cmd_download(a, now)
        else:
            cmd_uptane(a, now)
    except (Refused, NotFound) as e:
        print('refused: %s' % e, file=sys.stderr)
        return 1
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        print('malformed: %r' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
