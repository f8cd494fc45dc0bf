#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A device that ran aktualizr moves to otad without being provisioned again.

The test writes aktualizr's sql.db itself, with the tables and columns of aktualizr's
schema version 26 (uptane/aktualizr config/sql/schema.sql) and values as aktualizr stores
them: the ED25519 ECU key as upper-case hex of libsodium's keys (Crypto::generateEDKeyPair),
TLS credentials as PEM, the trusted roots in `meta` (repo 0 images, 1 director; meta_type 0
root), the current version in installed_versions, the report counter.  otad.conf names
only aktualizr's TOML ([aktualizr] config), which names the storage; no [tuf] root-dir.

otad imports on first start, read-only: the server sees the same device (CN), ECU serial
and ECU key id, no provisioning and no new registration; the manifest's report counter goes
on from aktualizr's; aktualizr's files are left byte for byte as they were.  With a
director root in sql.db that the server's metadata does not chain from, the check fails."""

import hashlib
import json
import os
import sqlite3
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enginetest  # noqa: E402
from enginetest import otadtest, HWID, SERIAL, UpdateTestCase  # noqa: E402

# the tables otad reads, with aktualizr's names and column types (schema version 26)
SCHEMA = '''
CREATE TABLE version(version INTEGER);
CREATE TABLE device_info(unique_mark INTEGER PRIMARY KEY CHECK (unique_mark = 0),
  device_id TEXT, is_registered INTEGER NOT NULL DEFAULT 0 CHECK (is_registered IN (0,1)));
CREATE TABLE ecus(id INTEGER PRIMARY KEY, serial TEXT UNIQUE, hardware_id TEXT NOT NULL,
  is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0,1)));
CREATE TABLE primary_keys(unique_mark INTEGER PRIMARY KEY CHECK (unique_mark = 0),
  private TEXT, public TEXT);
CREATE TABLE tls_creds(ca_cert BLOB, ca_cert_format TEXT, client_cert BLOB,
  client_cert_format TEXT, client_pkey BLOB, client_pkey_format TEXT);
CREATE TABLE meta(meta BLOB NOT NULL, repo INTEGER NOT NULL, meta_type INTEGER NOT NULL,
  version INTEGER NOT NULL, UNIQUE(repo, meta_type, version));
CREATE TABLE installed_versions(id INTEGER PRIMARY KEY, ecu_serial TEXT NOT NULL,
  sha256 TEXT NOT NULL, name TEXT NOT NULL, hashes TEXT NOT NULL,
  length INTEGER NOT NULL DEFAULT 0, correlation_id TEXT NOT NULL DEFAULT '',
  is_current INTEGER NOT NULL DEFAULT 0, is_pending INTEGER NOT NULL DEFAULT 0,
  was_installed INTEGER NOT NULL DEFAULT 0, custom_meta TEXT NOT NULL DEFAULT '');
CREATE TABLE ecu_report_counter(ecu_serial TEXT NOT NULL PRIMARY KEY,
  counter INTEGER NOT NULL DEFAULT 0);
'''
COUNTER = 41
INSTALLED = 'otadtest-1.0'


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def snapshot(directory):
    return {name: hashlib.sha256(read(os.path.join(directory, name))).hexdigest()
            for name in sorted(os.listdir(directory))}


class Migrated(UpdateTestCase):

    def make_storage(self, director_root):
        storage = os.path.join(self.topdir, 'var-sota')
        os.makedirs(storage, exist_ok=True)
        key = ed25519.Ed25519PrivateKey.generate()
        seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
        pub = key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        self.ecu_public = pub.hex().upper()
        db = sqlite3.connect(os.path.join(storage, 'sql.db'))
        db.executescript(SCHEMA)
        d = self.server.dir
        db.execute('INSERT INTO version VALUES (26)')
        db.execute("INSERT INTO device_info VALUES (0, 'device-1', 1)")
        db.execute('INSERT INTO ecus(serial, hardware_id, is_primary) VALUES (?, ?, 1)',
                   (SERIAL, HWID))
        db.execute('INSERT INTO primary_keys VALUES (0, ?, ?)',
                   ((seed + pub).hex().upper(), self.ecu_public))
        db.execute("INSERT INTO tls_creds VALUES (?, 'pem', ?, 'pem', ?, 'pem')",
                   (read(os.path.join(d, 'ca.pem')), read(os.path.join(d, 'device.pem')),
                    read(os.path.join(d, 'device.key'))))
        db.execute('INSERT INTO meta VALUES (?, 0, 0, 1)',
                   (read(os.path.join(d, 'repo', 'root.json')),))
        db.execute('INSERT INTO meta VALUES (?, 1, 0, 1)', (director_root,))
        db.execute("INSERT INTO installed_versions(ecu_serial, sha256, name, hashes, length, "
                   "is_current) VALUES (?, ?, ?, '[]', 0, 1)",
                   (SERIAL, self.device.commits['A'], INSTALLED))
        db.execute('INSERT INTO ecu_report_counter VALUES (?, ?)', (SERIAL, COUNTER))
        db.commit()
        db.close()
        os.chmod(os.path.join(storage, 'sql.db'), 0o600)
        toml = os.path.join(self.topdir, 'sota', 'sota.toml')
        otadtest.write_file(toml, f'[tls]\nserver = "{self.server.url}"\n'
                                  f'[storage]\ntype = "sqlite"\npath = "{storage}"\n'
                                  f'[bootloader]\nrollback_mode = "uboot_masked"\n')
        # the Director registered this key from aktualizr, as aktualizr spelled it
        self.server.control('/ecu-key', {'serial': SERIAL, 'public': self.ecu_public})
        return storage, (f'[aktualizr]\nconfig={toml}\n'
                         f'[polling]\nenabled=false\n[update]\npolicy=manual\n'
                         f'[boot]\nfw-env-config={self.device.fw_env_config}\n'
                         f'[health]\ndirectories={self.device.health_pass}\n')

    def test_same_device_same_key_same_trust(self):
        director_root = read(os.path.join(self.server.dir, 'director', 'root.json'))
        storage, config = self.make_storage(director_root)
        before = snapshot(storage)
        daemon, client = self.start_otad('A', name='migrate', config=config)
        self.assertIn('imported', daemon.logs())
        self.check_and_install(daemon, client)
        self.assertEqual(daemon.stop(), 0)

        log = self.server.log()
        requests = [e for e in log if 'method' in e]
        self.assertEqual({e.get('cn') for e in requests}, {'device-1'})
        self.assertEqual([e for e in requests if e['path'] in ('/devices', '/director/ecus')],
                         [])
        manifest = enginetest.manifests(log)[-1]
        self.assertIs(manifest.get('verified'), True, manifest)
        # the key id aktualizr computed: sha256 of the canonical JSON of its key string
        keyid = hashlib.sha256(json.dumps(self.ecu_public).encode()).hexdigest()
        self.assertEqual(manifest['json']['signatures'][0]['keyid'], keyid)
        signed = manifest['json']['signed']
        self.assertEqual(signed['primary_ecu_serial'], SERIAL)
        ecu = signed['ecu_version_manifests'][SERIAL]['signed']
        self.assertGreater(ecu['report_counter'], COUNTER)
        self.assertEqual(ecu['installed_image']['filepath'], INSTALLED)
        # read-only: aktualizr's storage is exactly as it was, nothing added next to it
        self.assertEqual(snapshot(storage), before)


class ForeignRoot(UpdateTestCase):
    """the trusted Director root in sql.db is not the server's: nothing chains from it"""

    def test_refused(self):
        foreign = read(os.path.join(self.server.dir, 'repo', 'root.json'))
        storage, config = Migrated.make_storage(self, foreign)
        daemon, client = self.start_otad('A', name='foreign', config=config)
        _, err = client.call('Check')
        self.assertIsNone(err)
        props = client.wait_state(('error', 'update-available'), daemon=daemon)
        self.assertEqual(props['State'], 'error')
        # the attack class, then the repository: "threshold: director: targets metadata
        # version 2: 0 valid signature(s) by keys of the targets role in root version 1, ..."
        self.assertEqual(props['ErrorName'], 'org.otad.Updater1.Error.Verification', props)
        self.assertTrue(props['ErrorMessage'].startswith('threshold: director: '), props)
        self.assertIn('valid signature', props['ErrorMessage'])
        self.assertEqual(props['UpdateInfo'], {})
        self.assertEqual(daemon.stop(), 0)


if __name__ == '__main__':
    otadtest.main()
