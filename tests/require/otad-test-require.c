/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "otad-test-require.h"

#define OTAD_TEST_PYTHON "/usr/bin/python3"

static void G_GNUC_NORETURN
otad_test_require_fail (const gchar *what, const gchar *name, const gchar *package)
{
	/* TAP lines already printed must come before the reason */
	fflush (stdout);
	fprintf (stderr, "missing %s %s: install the Debian package %s\n", what, name, package);
	fflush (stderr);
	/* _exit: a test may be half-way through its fixture; atexit handlers (LeakSanitizer
	 * among them) would bury the one line under reports about that state */
	_exit (1);
}

void
otad_test_require_program (const gchar *name, const gchar *package)
{
	g_autofree gchar *path = g_find_program_in_path (name);

	if (path == NULL)
		otad_test_require_fail ("tool", name, package);
}

void
otad_test_require_python_module (const gchar *module, const gchar *package)
{
	g_autofree gchar *code = NULL;
	const gchar *argv[] = {OTAD_TEST_PYTHON, "-c", NULL, NULL};
	gint status = 0;

	otad_test_require_program (OTAD_TEST_PYTHON, "python3");
	/* import only: find_spec would accept a package whose own imports fail */
	code = g_strdup_printf ("import %s", module);
	argv[2] = code;
	/* no LD_PRELOAD: a sanitized test preloads libasan, which Python must not load */
	{
		g_auto(GStrv) envp = g_environ_unsetenv (g_get_environ (), "LD_PRELOAD");

		if (!g_spawn_sync (NULL, (gchar **)argv, envp,
				   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
				   NULL, NULL, NULL, &status, NULL) ||
		    !g_spawn_check_wait_status (status, NULL))
			otad_test_require_fail ("Python module", module, package);
	}
}
