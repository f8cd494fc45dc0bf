/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "otad-test-require.h"
#include "otad-test-softhsm.h"

/* what softhsm-setup.sh runs */
void
otad_test_softhsm_require_tools (void)
{
	otad_test_require_program ("softhsm2-util", "softhsm2");
	otad_test_require_program ("p11tool", "gnutls-bin");
	otad_test_require_program ("certtool", "gnutls-bin");
}

void
otad_test_softhsm_prepare (const gchar *dir)
{
	g_autofree gchar *conf = g_build_filename (dir, "softhsm2.conf", NULL);

	g_setenv ("SOFTHSM2_CONF", conf, TRUE);
}

void
otad_test_softhsm_setup (const gchar *dir, const gchar *cert, const gchar *key)
{
	const gchar *args[] = { "/bin/sh", OTAD_TEST_SOFTHSM_SETUP, dir, cert, key, NULL };
	g_autoptr(GError) error = NULL;
	g_autofree gchar *conf = NULL;
	gint status = 0;

	otad_test_softhsm_require_tools ();
	g_spawn_sync (NULL, (gchar **)args, NULL, G_SPAWN_DEFAULT, NULL, NULL, &conf, NULL,
		      &status, &error);
	g_assert_no_error (error);
	g_assert_true (g_spawn_check_wait_status (status, NULL));
	/* the token is where otad_test_softhsm_prepare() told p11-kit to look */
	g_assert_cmpstr (g_strstrip (conf), ==, g_getenv ("SOFTHSM2_CONF"));
}
