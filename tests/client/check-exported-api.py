#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
'''Checks that libota exports exactly the symbols of client/ota.map, that each is
declared in an installed header, and that nothing OtaDBus (the generated code
linked into libota) leaks out.

usage: check-exported-api.py NM LIBRARY MAPFILE HEADER...'''

import re
import subprocess
import sys


def main():
    nm, library, mapfile, headers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

    out = subprocess.run([nm, '--dynamic', '--defined-only', library], check=True,
                         capture_output=True, text=True).stdout
    exported = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TtDdBbRrVvWwi' and parts[1] != 'A':
            exported.add(parts[2].split('@')[0])

    text = open(mapfile, encoding='utf-8').read()
    text = re.sub(r'#.*', '', text)
    mapped = set()
    for block in re.findall(r'global:(.*?)(?:local:|\})', text, re.S):
        mapped.update(s.strip() for s in block.split(';') if s.strip())

    declarations = ''.join(open(h, encoding='utf-8').read() for h in headers)
    failed = False
    for sym in sorted(exported - mapped):
        print('exported but not in %s: %s' % (mapfile, sym))
        failed = True
    for sym in sorted(mapped - exported):
        print('in %s but not exported: %s' % (mapfile, sym))
        failed = True
    for sym in sorted(mapped):
        if not re.search(r'\b%s\s*\(' % re.escape(sym), declarations):
            print('not declared in a public header: %s' % sym)
            failed = True
    for sym in sorted(exported):
        if sym.lower().startswith('ota_dbus'):
            print('generated D-Bus code leaks: %s' % sym)
            failed = True
    if not mapped:
        print('no symbols found in %s' % mapfile)
        failed = True
    print('%d symbols checked' % len(mapped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
