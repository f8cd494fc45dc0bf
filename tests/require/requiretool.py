# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests that run an external tool or import a Debian-packaged Python module check
for it first: a missing one ends the test program at once with exit status 1 and
one line on stderr,

    missing tool NAME: install the Debian package PACKAGE
    missing Python module NAME: install the Debian package PACKAGE

rather than a skip (which would hide it), a traceback, or a wait for a helper that
never starts.  Call these at import time, before anything is made that would need
cleaning up (and, for a module, before importing it).  Every PACKAGE named must be
in .ci/debian-packages (tests/require/test-require.py checks that).
tests/require/otad-test-require.h is the same for the C tests.

Use: sys.path.insert(0, <tests/require>); from requiretool import require_program
"""

import importlib
import os
import shutil
import sys

__all__ = ['require_program', 'require_module', 'require_typelib', 'require_file']


def _fail(what, name, package):
    sys.stdout.flush()
    sys.stderr.write(f'missing {what} {name}: install the Debian package {package}\n')
    sys.stderr.flush()
    # os._exit: unittest turns SystemExit inside a test into a traceback, and the
    # point is one line
    os._exit(1)


def require_program(name, package):
    """NAME must be an executable on PATH (or, with a '/', that file)"""
    if shutil.which(name) is None:
        _fail('tool', name, package)


def require_file(path, package):
    """a data file another package ships (e.g. a DTD) must exist"""
    if not os.path.exists(path):
        _fail('file', path, package)


def require_module(name, package):
    """this Python must be able to import NAME"""
    try:
        importlib.import_module(name)
    except ImportError:
        _fail('Python module', name, package)


def require_typelib(namespace, version, package):
    """GObject Introspection must find NAMESPACE-VERSION.typelib (python3-gi too)"""
    require_module('gi', 'python3-gi')
    import gi
    try:
        gi.require_version(namespace, version)
        importlib.import_module('gi.repository.' + namespace)
    except (ValueError, ImportError):
        _fail('GObject typelib', f'{namespace}-{version}', package)
