/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Tests that run an external tool check for it first.  A missing tool ends the test
 * program at once with exit status 1 and one line on stderr,
 *
 *   missing tool NAME: install the Debian package PACKAGE
 *
 * rather than a skip (which would hide it) or a failure deep inside a fixture (or a
 * wait for a server that never starts).  Call them in main() before g_test_run() or at
 * the top of a fixture, before anything is made that would need cleaning up.
 * Every PACKAGE named must be in .ci/debian-packages (tests/require/test-require.py
 * checks that).  tests/require/requiretool.py is the same for the Python tests.
 */

/* NAME must be an executable on PATH (or, if it contains a '/', that file) */
void otad_test_require_program (const gchar *name, const gchar *package);

/* /usr/bin/python3 must be able to import MODULE (for Python helpers a C test starts) */
void otad_test_require_python_module (const gchar *module, const gchar *package);

G_END_DECLS
