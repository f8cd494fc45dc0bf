#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Uptane full verification on a primary (`uptane` command)."""

import hashlib
import os

import tufgen

from tufgen import Repo, UptaneRepos, expires_in
from tuf_client_base import ENDLESS_SENT_BOUND, ClientTestCase, main


class UptaneTests(ClientTestCase):
    """One full Uptane cycle on a primary (`uptane` command)."""
    dialect = 'ota'
    SERIAL = 'ecu-primary-7f3a'
    HWID = 'raspberrypi4-64'
    FW = b'firmware image 1.2.3\n' * 64

    def setUp(self):
        super().setUp()
        self.up = UptaneRepos(self.srvroot, self.dialect, self.key_kind)
        self.repo = self.up.image

    def uptane(self, serial=None, hwid=None):
        return self.client('--director-url', self.server.url('/director'),
                           '--image-url', self.server.url('/repo'),
                           '--ecu-serial', serial or self.SERIAL,
                           '--hardware-id', hwid or self.HWID,
                           '--target-dir', self.out, 'uptane')

    def standard(self, name='fw-1.2.3.bin', data=None):
        data = data or self.FW
        self.up.add_image(name, data, [self.HWID])
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        return name, data

    def test_happy_path(self):
        name, data = self.standard()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, data)
        paths = self.server.paths()
        for p in ('/director/1.root.json', '/director/targets.json', '/repo/1.root.json',
                  '/repo/timestamp.json', '/repo/snapshot.json', '/repo/targets.json',
                  '/repo/targets/' + name):
            self.assertIn(p, paths)

    def test_trusted_roots_persist_between_runs(self):
        self.standard()
        self.assertAccepted(self.uptane())
        self.server.clear_log()
        self.assertAccepted(self.uptane())
        paths = self.server.paths()
        self.assertNotIn('/director/1.root.json', paths)
        self.assertNotIn('/repo/1.root.json', paths)
        self.assertIn('/director/2.root.json', paths)
        self.assertIn('/repo/2.root.json', paths)

    def test_director_root_replaced_after_first_use_refused(self):
        self.standard()
        self.assertAccepted(self.uptane())
        # a new director with other keys: the trusted root must not follow
        self.up.director = Repo(self.up.director.dir, self.dialect, self.key_kind,
                                timestamp_snapshot=False)
        name, data = 'fw-2.bin', b'other firmware'
        self.up.add_image(name, data, [self.HWID])
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered(name)

    def test_director_with_timestamp_and_snapshot(self):
        self.up = UptaneRepos(self.srvroot, self.dialect, self.key_kind,
                              director_timestamp_snapshot=True)
        name, data = self.standard()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, data)
        self.assertIn('/director/timestamp.json', self.server.paths())

    def test_director_timestamp_rollback(self):
        self.up = UptaneRepos(self.srvroot, self.dialect, self.key_kind,
                              director_timestamp_snapshot=True)
        name, data = self.standard()
        old_ts = self.up.director.written['timestamp.json']
        self.up.director.publish()
        self.assertAccepted(self.uptane())
        before = self.trusted()
        self.up.director.write_file('timestamp.json', old_ts)
        self.assertRefused(self.uptane())
        self.assertEqual(before, self.trusted(), 'trusted metadata changed' + self.describe())

    def test_target_from_custom_uri(self):
        data = b'fetched from elsewhere\n' * 10
        name = 'fw-uri.bin'
        os.makedirs(os.path.join(self.srvroot, 'cdn'))
        with open(os.path.join(self.srvroot, 'cdn', 'blob-123'), 'wb') as f:
            f.write(data)
        self.up.image.add_target(name, data, write_file=False,
                                 custom=tufgen.image_custom([self.HWID], name=name,
                                                            uri=self.server.url('/cdn/blob-123')))
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, data)
        self.assertIn('/cdn/blob-123', self.server.paths())

    def test_ota_ce_custom_fields_with_nulls(self):
        # tuf-reposerver writes "uri": null (and other nulls) for uploaded targets
        name = 'fw-null-uri.bin'
        custom = tufgen.image_custom([self.HWID], name=name)
        custom.update({'uri': None, 'cliUploaded': False, 'diff': None, 'targetFormat': None,
                       'tags': [], 'proprietary': {}})
        self.up.image.add_target(name, self.FW, custom=custom)
        self.up.assign(name, self.FW, {self.SERIAL: self.HWID})
        self.up.director.targets['targets'][name]['custom']['uri'] = None
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered(name, self.FW)
        self.assertIn('/repo/targets/' + name, self.server.paths())

    def test_no_target_for_this_ecu(self):
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_target_missing_from_image_repo(self):
        self.up.add_image('fw-1.bin', self.FW, [self.HWID])
        self.up.assign('fw-2.bin', self.FW + b'2', {self.SERIAL: self.HWID})
        self.up.image.write_target_file('fw-2.bin', self.FW + b'2')
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw-2.bin')

    def test_hash_mismatch_between_director_and_image(self):
        other = bytes(b ^ 1 for b in self.FW)
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', other, {self.SERIAL: self.HWID})   # same length
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_one_hash_mismatch_among_several(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        h = tufgen.file_hashes(self.FW)
        h['sha512'] = hashlib.sha512(b'other').hexdigest()
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID}, hashes=h)
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_length_mismatch_between_director_and_image(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID}, length=len(self.FW) + 1)
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_wrong_hardware_id_of_device(self):
        self.standard()
        self.assertRefused(self.uptane(hwid='other-board'))
        self.assertEqual(os.listdir(self.out), [])

    def test_image_repo_hardware_ids_exclude_device(self):
        self.up.add_image('fw.bin', self.FW, ['other-board'])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_unknown_ecu_serial(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {'ecu-not-on-this-device': self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_director_targets_with_delegations_refused(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.director.add_delegation('sneaky', paths=['*'])
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_ecu_named_twice_refused(self):
        other = b'second firmware'
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.add_image('fw-b.bin', other, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.assign('fw-b.bin', other, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')
        self.assertNotDelivered('fw-b.bin')

    def test_image_content_tampered(self):
        name, _ = self.standard()
        evil = bytes(b ^ 0x55 for b in self.FW)
        self.up.image.write_file('targets/' + name, evil)
        self.assertRefused(self.uptane())
        self.assertNotDelivered(name, evil)
        self.assertFalse(os.path.exists(self.out_file(name)))

    def test_director_targets_badly_signed(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        d = self.up.director
        self.sign_write('targets', d.build_targets(), [tufgen.Key.generate()], repo=d)
        self.assertRefused(self.uptane())
        self.assertNotDelivered('fw.bin')

    def test_director_targets_expired(self):
        self.up.director.expires['targets'] = expires_in(-1)
        self.standard()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_image_repo_timestamp_expired(self):
        self.up.image.expires['timestamp'] = expires_in(-1)
        self.standard()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_director_root_expired(self):
        self.up.director.expires['root'] = expires_in(-1)
        self.standard()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_same_content_other_name_in_image_repo(self):
        self.up.add_image('fw-a.bin', self.FW, [self.HWID])
        self.up.assign('fw-b.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.image.write_target_file('fw-b.bin', self.FW)
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])

    def test_director_targets_rollback(self):
        name, data = self.standard()
        old = self.up.director.written['targets.json']
        self.up.director.publish()
        self.assertAccepted(self.uptane())
        before = self.trusted()
        self.up.director.write_file('targets.json', old)
        self.assertRefused(self.uptane())
        self.assertEqual(before, self.trusted(), 'trusted metadata changed' + self.describe())

    def test_director_root_rotation(self):
        name, data = self.standard()
        self.assertAccepted(self.uptane())
        self.up.director.rotate_keys('root')
        self.up.director.rotate_keys('targets')
        self.up.director.write_root()
        self.up.director.publish()
        self.server.clear_log()
        self.assertAccepted(self.uptane())
        self.assertIn('/director/3.root.json', self.server.paths())


    def test_image_target_found_through_delegation(self):
        img = self.up.image
        img.add_delegation('fw-team', paths=['fw-*'])
        img.add_target('fw-d.bin', self.FW, role='fw-team',
                       custom=tufgen.image_custom([self.HWID], name='fw-d.bin'))
        self.up.assign('fw-d.bin', self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered('fw-d.bin', self.FW)

    def test_director_with_sha256_only(self):
        self.up.add_image('fw.bin', self.FW, [self.HWID])
        self.up.assign('fw.bin', self.FW, {self.SERIAL: self.HWID},
                       hashes=tufgen.file_hashes(self.FW, ('sha256',)))
        self.up.publish()
        self.assertAccepted(self.uptane())
        self.assertDelivered('fw.bin', self.FW)

    def test_endless_director_targets(self):
        self.standard()
        self.server.misbehave('/director/targets.json', 'endless')
        self.assertRefused(self.uptane())
        self.assertEqual(os.listdir(self.out), [])
        self.assertLess(self.server.sent('/director/targets.json'), ENDLESS_SENT_BOUND)

    def test_director_root_rotation_only_new_signature_refused(self):
        self.standard()
        self.assertAccepted(self.uptane())
        d = self.up.director
        new = d.rotate_keys('root')
        d.write_root(sign_with=new)
        name, data = 'fw-2.bin', b'second'
        self.up.add_image(name, data, [self.HWID])
        d.targets['targets'] = {}
        self.up.assign(name, data, {self.SERIAL: self.HWID})
        self.up.publish()
        self.assertRefused(self.uptane())
        self.assertNotDelivered(name)

    def test_target_name_escaping_target_dir(self):
        name = '../uptane-escaped.bin'
        self.up.image.add_target(name, self.FW, write_file=False,
                                 custom=tufgen.image_custom([self.HWID], name=name))
        with open(os.path.join(self.srvroot, 'repo', 'uptane-escaped.bin'), 'wb') as f:
            f.write(self.FW)
        self.up.assign(name, self.FW, {self.SERIAL: self.HWID})
        self.up.publish()
        rc = self.uptane()
        self.assertIn(rc, (0, 1), self.describe())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'uptane-escaped.bin')),
                         'wrote outside --target-dir' + self.describe())


class TufDialectUptaneTests(UptaneTests):
    dialect = 'tuf'


class RsaUptaneTests(UptaneTests):
    key_kind = 'rsa2048'


if __name__ == '__main__':
    main()
