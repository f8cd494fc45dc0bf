#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A C program linked to libota reads otad's state and deployments, and they
are the ones `ostree admin status` shows, in the same roles."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import otadtest  # noqa: E402


def parse(text):
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition('=')
        out[key] = value
    return out


def slot(value):
    """'CSUM.SERIAL index=I version=V osname=O booted=B' -> dict, '' -> None"""
    if not value:
        return None
    m = re.fullmatch(r'([0-9a-f]{64})\.(\d+) index=(\d+) version=(\S*) osname=(\S+) booted=([01])',
                     value)
    if not m:
        raise AssertionError(f'cannot parse {value!r}')
    return {'checksum': m[1], 'serial': int(m[2]), 'index': int(m[3]), 'version': m[4],
            'osname': m[5], 'booted': m[6] == '1'}


class CLibrary(otadtest.OtadTestCase):
    DAEMON_ARGS = ('--test-booted-deployment={B}',)

    def run_program(self, address):
        return otadtest.run([otadtest.env_path('OTAD_TEST_PRINT_STATUS'), address], check=False)

    def test_reads_state_and_deployments(self):
        res = self.run_program(self.bus.address)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        got = parse(res.stdout)
        default, other = self.sysroot.admin_status()
        self.assertEqual(got['connected'], '1')
        self.assertEqual(got['last-check-time'], '0')
        # B (the default) runs: nothing pending, A is the other slot
        booted, pending, rollback = (slot(got[k]) for k in ('booted', 'pending', 'rollback'))
        self.assertIsNone(pending)
        for role, have, want in (('booted', booted, default), ('rollback', rollback, other)):
            with self.subTest(role=role):
                self.assertEqual(have['checksum'], want.checksum)
                self.assertEqual(have['serial'], want.serial)
                self.assertEqual(have['index'], want.index)
                self.assertEqual(have['version'], want.version)
                self.assertEqual(have['osname'], want.osname)
        self.assertTrue(booted['booted'])
        self.assertFalse(rollback['booted'])
        self.assertEqual(got['state'], otadtest.otactl_status_json(self.bus.address)['state'])

    def test_unreachable(self):
        res = self.run_program('unix:path=' + os.path.join(self.topdir, 'nothing-here'))
        self.assertEqual(res.returncode, 3, res.stdout + res.stderr)
        self.assertEqual(len(res.stderr.splitlines()), 1, res.stderr)


if __name__ == '__main__':
    otadtest.main()
