#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the fixture files under tests/tuf/vectors/ for the C unit tests.

    /usr/bin/python3 tests/tuf/make_vectors.py tests/tuf/vectors

Outputs (all committed; regenerate with this script, signatures differ per
run because RSA-PSS and ECDSA are randomised):

* ``canonical/NAME.json`` + ``canonical/NAME.canonical``: an input document
  and its canonical JSON from securesystemslib.encode_canonical (the bytes a
  TUF signature covers); ``canonical/NAME.ota-canonical``: the same in
  aktualizr's form (tufgen.ota_canonical, the bytes an OTA CE signature covers).
* ``repos/DIALECT-KEYKIND/``: a complete repository (``1.root.json`` and
  ``2.root.json`` (root key rotated, signed by old and new), timestamp,
  snapshot, targets, a delegated role ``delegated.json``, the target file
  ``targets/hello.txt``), plus ``keys.json``: each role's public keys.
* ``MANIFEST.json``: one entry per metadata vector: file, role, dialect,
  key kind, the root file (relative) whose keys verify it, the expected
  verdict (``valid``) and for invalid ones the reason (bad-signature,
  freeze (expired), wrong-type, threshold, malformed).

Expiry dates are fixed: 2099 for valid vectors, 2001 for the expired ones.
"""

import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tufgen  # noqa: E402

FUTURE = '2099-01-01T00:00:00Z'
PAST = '2001-01-01T00:00:00Z'

CANONICAL_CASES = {
    'sorted-keys': {'b': 1, 'a': 2, 'C': 3, 'aa': {'z': [], 'y': {}}},
    'escapes': {'quote': 'a"b', 'backslash': 'a\\b', 'slash': 'a/b', 'newline': 'a\nb',
                'tab': 'a\tb', 'ctrl': 'a\x01b', 'short': '\b\f\r', 'del': 'a\x7fb',
                'nul': 'a\x00b', 'unit-sep': '\x1f',
                'pem': '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n'},
    'unicode': {'cafe': 'caf\u00e9', 'snowman': '\u2603', 'emoji': '\U0001F600',
                '\u00e9t\u00e9': 'key order by code point'},
    'integers': {'zero': 0, 'neg': -17, 'big': 9007199254740993, 'small': -2147483648},
    'literals': {'t': True, 'f': False, 'n': None, 'list': [True, False, None, 1, 'x']},
    'nested-arrays': [[], [[]], [{}], [1, [2, [3]]]],
    'empty-object': {},
    'empty-string-key': {'': '', ' ': ' '},
    'key-prefixes': {'a': 1, 'a ': 2, 'a\u0000': 3, 'ab': 4, 'A': 5, '_type': 'x'},
}


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def make_canonical(out):
    for name, obj in CANONICAL_CASES.items():
        write(os.path.join(out, 'canonical', name + '.json'),
              json.dumps(obj, indent=2, ensure_ascii=False).encode() + b'\n')
        write(os.path.join(out, 'canonical', name + '.canonical'), tufgen.canonical(obj))
        write(os.path.join(out, 'canonical', name + '.ota-canonical'), tufgen.ota_canonical(obj))


def make_repo(out, dialect, kind, manifest):
    name = '%s-%s' % (dialect, kind)
    d = os.path.join(out, 'repos', name)
    r = tufgen.Repo(d, dialect=dialect, key_kind=kind)
    for role in r.expires:
        r.expires[role] = FUTURE
    r.add_target('hello.txt', b'hello, world\n', custom={'note': 'plain target'})
    r.add_delegation('delegated', paths=['d/*'])
    r.expires['delegated'] = FUTURE
    r.add_target('d/file.bin', b'\x00\x01\x02delegated\n', role='delegated')
    r.publish()
    # root 2: root key rotated, signed by the old and the new key
    r.rotate_keys('root')
    r.write_root()

    rel = lambda f: os.path.join('repos', name, f)  # noqa: E731
    entry = {'dialect': dialect, 'key_kind': kind}
    manifest.append(dict(entry, file=rel('1.root.json'), role='root',
                         trusted_root=rel('1.root.json'), valid=True))
    manifest.append(dict(entry, file=rel('2.root.json'), role='root',
                         trusted_root=rel('1.root.json'), valid=True))
    for role in ('timestamp', 'snapshot', 'targets'):
        manifest.append(dict(entry, file=rel(role + '.json'), role=role,
                             trusted_root=rel('2.root.json'), valid=True))
    manifest.append(dict(entry, file=rel('delegated.json'), role='delegated',
                         delegating_role=rel('targets.json'), valid=True))

    # invalid variants of timestamp.json, verified against root 2
    good = json.loads(r.read_file('timestamp.json'))
    bad_dir = 'bad'

    def bad(suffix, md, reason, raw=None):
        f = os.path.join(bad_dir, 'timestamp-%s.json' % suffix)
        write(os.path.join(d, f), raw if raw is not None else tufgen.dump(md, dialect))
        manifest.append(dict(entry, file=rel(f), role='timestamp',
                             trusted_root=rel('2.root.json'), valid=False, reason=reason))

    md = copy.deepcopy(good)
    md['signed']['version'] += 1            # changed after signing
    bad('tampered', md, 'bad-signature')
    s = r.build_timestamp(version=5, expires=PAST)
    bad('expired', r.sign_role('timestamp', s), 'freeze')
    s = r.build_timestamp(version=5)
    s['_type'] = tufgen.type_name('snapshot', dialect)
    bad('wrong-type', r.sign_role('timestamp', s), 'wrong-type')
    s = r.build_timestamp(version=5)
    bad('unknown-key', r.sign_role('timestamp', s, [tufgen.Key.generate(kind)]), 'threshold')
    s = r.build_timestamp(version=5)
    s['version'] = '5'
    bad('version-string', r.sign_role('timestamp', s), 'malformed')
    bad('truncated', None, 'malformed', raw=r.read_file('timestamp.json')[:100])

    keys = {role: [{'keyid': k.keyid(dialect), 'key': k.public_dict(dialect)}
                   for k in r.keys[role]] for role in tufgen.TOP_ROLES}
    write(os.path.join(d, 'keys.json'), (json.dumps(keys, indent=1, sort_keys=True) + '\n').encode())


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            'vectors')
    # --only-ota: rewrite the OTA dialect repositories alone, keep the TUF ones
    only_ota = '--only-ota' in sys.argv
    make_canonical(out)
    manifest = []
    if only_ota:
        with open(os.path.join(out, 'MANIFEST.json')) as f:
            manifest = [e for e in json.load(f) if e['dialect'] != 'ota']
    else:
        for kind in ('ed25519', 'rsa2048', 'rsa4096', 'ecdsa'):
            make_repo(out, 'tuf', kind, manifest)
    for kind in ('ed25519', 'rsa2048'):
        make_repo(out, 'ota', kind, manifest)
    write(os.path.join(out, 'MANIFEST.json'),
          (json.dumps(manifest, indent=1, sort_keys=True) + '\n').encode())
    return 0


if __name__ == '__main__':
    sys.exit(main())
