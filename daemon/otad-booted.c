/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which deployment is running.  In production that is libostree's booted
 * deployment and nothing else.  A test sysroot made with
 * `ostree admin --sysroot` never booted, so tests say which deployment
 * "booted" with the daemon's `--test-booted-deployment=CHECKSUM[.SERIAL]`
 * option, which ends up here as @test_booted.  It is refused for the real
 * root (`/`), so it can never fake a confirmation on a device.
 */
#define G_LOG_DOMAIN "OtadBooted"

#include "config.h"

#include "ota-error.h"
#include "otad-booted.h"
#include "otad-rollback.h"

/**
 * otad_booted_parse_test_spec:
 * @spec: `CHECKSUM` or `CHECKSUM.SERIAL`
 * @out_commit: (out) (transfer full): the checksum
 * @out_serial: (out): the serial, or -1 when not given
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @spec is well formed
 */
gboolean
otad_booted_parse_test_spec (const gchar *spec, gchar **out_commit, gint *out_serial,
                             GError **error)
{
	g_autofree gchar *commit = NULL;
	const gchar *dot = strchr (spec, '.');
	guint64 serial = 0;

	commit = dot != NULL ? g_strndup (spec, dot - spec) : g_strdup (spec);
	if (!ostree_validate_checksum_string (commit, NULL) ||
	    (dot != NULL &&
	     !g_ascii_string_to_unsigned (dot + 1, 10, 0, G_MAXINT, &serial, NULL))) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             "'%s' is not CHECKSUM[.SERIAL]", spec);
		return FALSE;
	}
	*out_commit = g_steal_pointer (&commit);
	*out_serial = dot != NULL ? (gint)serial : -1;
	return TRUE;
}

/**
 * otad_booted_get_deployment:
 * @sysroot: a loaded #OstreeSysroot
 * @test_booted: (nullable): the test-only booted deployment, `CHECKSUM[.SERIAL]`
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the booted deployment; %NULL without an
 *   error when the sysroot is not booted and no test override was given
 */
OstreeDeployment *
otad_booted_get_deployment (OstreeSysroot *sysroot, const gchar *test_booted, GError **error)
{
	g_autofree gchar *commit = NULL;
	g_autofree gchar *root = NULL;
	OstreeDeployment *deployment;
	gint serial = -1;

	if (test_booted == NULL) {
		deployment = ostree_sysroot_get_booted_deployment (sysroot);
		return deployment != NULL ? g_object_ref (deployment) : NULL;
	}
	root = g_file_get_path (ostree_sysroot_get_path (sysroot));
	/* the path is checked first: it needs no loaded sysroot */
	if (root == NULL || g_strcmp0 (root, "/") == 0 ||
	    ostree_sysroot_get_booted_deployment (sysroot) != NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		                     "a test booted deployment is only allowed for a test sysroot");
		return NULL;
	}
	if (!otad_booted_parse_test_spec (test_booted, &commit, &serial, error))
		return NULL;
	deployment = otad_rollback_find_deployment (sysroot, commit, serial);
	if (deployment == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND,
		             "test booted deployment %s is not deployed", test_booted);
		return NULL;
	}
	return g_object_ref (deployment);
}
