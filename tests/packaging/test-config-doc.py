#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""data/otad.conf documents exactly the keys of daemon/otad-config-schema.c
(otad_config_schema_keys[]), each under its group with the built-in default."""

import os
import re
import sys
import unittest

SOURCE_DIR = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
# one row per key: OTAD_UINT ("polling", "interval-sec", "3600", 1, OTAD_WEEK),
ROW = re.compile(r'OTAD_(?:STR|BOOL|UINT|ENUM|LIST)\s*\(\s*"(?P<group>[a-z0-9-]+)"\s*,\s*'
                 r'"(?P<key>[a-z0-9-]+)"\s*,\s*"(?P<default>(?:[^"\\]|\\.)*)"')


def table_keys():
    path = os.path.join(SOURCE_DIR, 'daemon', 'config', 'otad-config-schema.c')
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        text = f.read()
    m = re.search(r'otad_config_schema_keys\[\]\s*=\s*\{(.*?)\n\};', text, re.S)
    if not m:
        raise AssertionError('no otad_config_schema_keys[] table in daemon/otad-config-schema.c')
    return {(r['group'], r['key']): r['default'] for r in ROW.finditer(m[1])}


def documented_keys():
    keys = {}
    group = None
    with open(os.path.join(SOURCE_DIR, 'data', 'otad.conf'), encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^\[([a-z0-9-]+)\]\s*$', line)
            if m:
                group = m[1]
                continue
            m = re.match(r'^#([a-z0-9-]+)=(.*)$', line.rstrip('\n'))
            if m:
                if group is None:
                    raise AssertionError(f'{m[1]} documented outside a group')
                keys[(group, m[1])] = m[2]
    return keys


class ConfigDoc(unittest.TestCase):
    def test_in_sync(self):
        table = table_keys()
        if table is None:
            self.skipTest('daemon/otad-config-schema.c does not exist yet')
        self.assertGreater(len(table), 5)
        doc = documented_keys()
        self.assertEqual(sorted(set(table) - set(doc)), [],
                         'keys otad knows but data/otad.conf does not document')
        self.assertEqual(sorted(set(doc) - set(table)), [],
                         'keys data/otad.conf documents but otad does not know')
        for k, default in table.items():
            self.assertEqual(doc[k], default, f'default of [{k[0]}] {k[1]}')


if __name__ == '__main__':
    prog = unittest.main(argv=sys.argv[:1], verbosity=2, exit=False)
    if not prog.result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if prog.result.skipped else 0)
