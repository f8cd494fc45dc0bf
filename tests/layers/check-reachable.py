#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every .c under daemon/ is part of the otad a user starts.

The daemon's layers are static libraries: the linker takes an object file into
otad only when otad needs one of its symbols, directly or through another taken
object.  So a module that only tests reach leaves none of its functions in the
binary.  For each daemon source file this compares the global functions its
object defines with the functions defined in otad, and fails for every file
with none there.

    check-reachable.py OTAD_BINARY BUILD_DIR SOURCE_DIR
"""
import os
import subprocess
import sys


def defined_functions(path):
    out = subprocess.run(['nm', '--defined-only', '-g', path], check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[2] for line in out.splitlines()
            if len(line.split()) == 3 and line.split()[1] in ('T', 'W')}


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    otad, build, source = sys.argv[1:]
    in_otad = defined_functions(otad)
    sources = []
    for root, _, names in os.walk(os.path.join(source, 'daemon')):
        sources += [os.path.join(root, n) for n in names if n.endswith('.c')]
    objects = {}
    for root, _, names in os.walk(os.path.join(build, 'daemon')):
        for n in names:
            if n.endswith('.c.o'):
                objects.setdefault(n[:-len('.o')], []).append(os.path.join(root, n))
    missing = []
    for src in sorted(sources):
        name = os.path.basename(src)
        if name == 'otad-main.c':
            continue
        objs = objects.get(name)
        if not objs:
            missing.append(f'{os.path.relpath(src, source)}: not built into any daemon library')
            continue
        functions = set().union(*(defined_functions(o) for o in objs))
        if functions and not functions & in_otad:
            missing.append(f'{os.path.relpath(src, source)}: none of its functions is in otad '
                           f'({", ".join(sorted(functions)[:4])}...)')
    for m in missing:
        print(m)
    print(f'{len(sources)} daemon sources, {len(missing)} not reachable from otad-main.c')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
