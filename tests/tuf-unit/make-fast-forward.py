#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes two states of one repository for the fast-forward recovery test:
OUT/s1: targets fast-forwarded to version 1000 (snapshot lists it);
OUT/s2: after rotating the targets, snapshot and timestamp keys in root 2, targets is
back at version 2, which a client must accept (TUF 5.3.11 and the spec's recovery from a
fast-forward attack)."""
import os
import shutil
import sys

sys.path.insert(0, sys.argv[2])
import tufgen  # noqa: E402

out = sys.argv[1]
work = os.path.join(out, 'work')
r = tufgen.Repo(work, sys.argv[3] if len(sys.argv) > 3 else 'tuf')
r.add_target('app.bin', b'app v1\n')
r.version['targets'] = 999
r.publish()
shutil.copytree(work, os.path.join(out, 's1'))
for role in ('targets', 'snapshot', 'timestamp'):
    r.rotate_keys(role)
r.write_root()
r.version['targets'] = 1
r.version['snapshot'] = 0
r.version['timestamp'] = 0
r.add_target('app.bin', b'app v2\n')
r.publish()
shutil.copytree(work, os.path.join(out, 's2'))
