/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Health checks after booting a new deployment: executables in health.d
 * directories (run-parts style: sorted by name, /etc overrides /usr/lib,
 * a symlink to /dev/null masks) and systemd units that must be active.
 * Each check has a deadline; a check still running past it is killed with
 * its process group and counts as failed.  Every check runs, even after a
 * failure, so the report names all of them.
 */
#define G_LOG_DOMAIN "OtadHealth"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-health.h"
#include "otad-spawn.h"

#define OTAD_HEALTH_DEFAULT_TIMEOUT_MS (300 * 1000)
#define OTAD_HEALTH_DEFAULT_POLL_MS 1000

void
otad_health_result_free (OtadHealthResult *result)
{
	if (result == NULL)
		return;
	g_free (result->name);
	g_free (result->path);
	g_free (result->reason);
	g_free (result);
}

static gboolean
otad_health_name_is_candidate (const gchar *name)
{
	/* editor backups and package manager leftovers are not checks */
	return name[0] != '.' && !g_str_has_suffix (name, "~") && strstr (name, ".dpkg-") == NULL &&
	       !g_str_has_suffix (name, ".rpmnew") && !g_str_has_suffix (name, ".rpmsave");
}

static gint
otad_health_compare_basename (gconstpointer a, gconstpointer b)
{
	g_autofree gchar *na = g_path_get_basename (*(const gchar *const *)a);
	g_autofree gchar *nb = g_path_get_basename (*(const gchar *const *)b);

	return strcmp (na, nb);
}

/**
 * otad_health_list_executables:
 * @dirs: directories, highest priority first
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type utf8): paths of the checks to run, sorted
 *   by file name
 */
GPtrArray *
otad_health_list_executables (const gchar *const *dirs, GError **error)
{
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		g_autoptr (GError) error_local = NULL;
		g_autoptr (GDir) dir = g_dir_open (dirs[i], 0, &error_local);
		const gchar *name;

		if (dir == NULL) {
			if (g_error_matches (error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
				continue;
			g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
			                            _("failed to list health checks: "));
			return NULL;
		}
		while ((name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *path = NULL;
			g_autofree gchar *target = NULL;

			if (!otad_health_name_is_candidate (name) ||
			    g_hash_table_contains (seen, name))
				continue;
			g_hash_table_add (seen, g_strdup (name));
			path = g_build_filename (dirs[i], name, NULL);
			target = g_file_read_link (path, NULL);
			if (g_strcmp0 (target, "/dev/null") == 0) {
				g_debug ("health check %s is masked", path);
				continue;
			}
			if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
			    !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE)) {
				g_message ("ignoring %s: not an executable file", path);
				continue;
			}
			g_ptr_array_add (paths, g_steal_pointer (&path));
		}
	}
	g_ptr_array_sort (paths, otad_health_compare_basename);
	return g_steal_pointer (&paths);
}

static OtadHealthResult *
otad_health_run_executable (const gchar *path, guint timeout_ms, GCancellable *cancellable,
                            GError **error)
{
	const gchar *argv[] = {path, NULL};
	g_autoptr (OtadHealthResult) result = g_new0 (OtadHealthResult, 1);
	g_autoptr (OtadSpawnResult) spawned = NULL;
	g_autoptr (GError) error_local = NULL;

	result->kind = OTAD_HEALTH_CHECK_EXECUTABLE;
	result->name = g_path_get_basename (path);
	result->path = g_strdup (path);
	spawned = otad_spawn_run (argv, timeout_ms, cancellable, &error_local);
	if (spawned == NULL) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return NULL;
		}
		result->reason = g_strdup (error_local->message);
		return g_steal_pointer (&result);
	}
	result->passed = otad_spawn_result_success (spawned);
	if (spawned->timed_out)
		result->reason =
		    g_strdup_printf (_("timed out after %u ms and was killed"), timeout_ms);
	else
		result->reason = otad_spawn_result_describe (spawned);
	return g_steal_pointer (&result);
}

static gboolean
otad_health_unit_state_is_transient (const gchar *state)
{
	return g_strcmp0 (state, "activating") == 0 || g_strcmp0 (state, "reloading") == 0 ||
	       g_strcmp0 (state, "refreshing") == 0;
}

static OtadHealthResult *
otad_health_check_unit (const gchar *systemctl, const gchar *unit, guint timeout_ms, guint poll_ms,
                        GCancellable *cancellable, GError **error)
{
	const gchar *argv[] = {systemctl, "is-active", unit, NULL};
	g_autoptr (OtadHealthResult) result = g_new0 (OtadHealthResult, 1);
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	result->kind = OTAD_HEALTH_CHECK_UNIT;
	result->name = g_strdup (unit);

	/* bounded by the deadline: every round waits for a tool or for poll_ms */
	for (;;) {
		g_autoptr (OtadSpawnResult) spawned = NULL;
		g_autoptr (GError) error_local = NULL;
		g_autofree gchar *state = NULL;
		gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;

		if (left_ms <= 0) {
			result->reason =
			    g_strdup_printf (_("still not active after %u ms"), timeout_ms);
			return g_steal_pointer (&result);
		}
		spawned = otad_spawn_run (argv, (guint)left_ms, cancellable, &error_local);
		if (spawned == NULL) {
			if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
				g_propagate_error (error, g_steal_pointer (&error_local));
				return NULL;
			}
			result->reason = g_strdup (error_local->message);
			return g_steal_pointer (&result);
		}
		if (spawned->timed_out) {
			/* the deadline passed while systemctl was still answering */
			result->reason = g_strdup_printf (
			    "still not active after %u ms (systemctl did not answer)", timeout_ms);
			return g_steal_pointer (&result);
		}
		state = g_strstrip (g_strdup (spawned->out != NULL ? spawned->out : ""));
		if (otad_spawn_result_success (spawned) && g_strcmp0 (state, "active") == 0) {
			result->passed = TRUE;
			result->reason = g_strdup ("active");
			return g_steal_pointer (&result);
		}
		if (!otad_health_unit_state_is_transient (state)) {
			if (state[0] == '\0') {
				g_autofree gchar *why = otad_spawn_result_describe (spawned);
				result->reason = g_strdup_printf ("systemctl is-active %s", why);
			} else {
				result->reason = g_strdup_printf (_("unit is %s"), state);
			}
			return g_steal_pointer (&result);
		}
		if (g_cancellable_set_error_if_cancelled (cancellable, error))
			return NULL;
		g_usleep ((gulong)MIN ((gint64)poll_ms, left_ms) * 1000);
	}
}

/**
 * otad_health_run:
 * @options: what to check and how long each check may take
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs every check.  A failed or timed out check is a result with
 * @passed %FALSE, not an error: errors are only for a directory that
 * cannot be read and for cancellation.  Blocks; call from a worker thread.
 *
 * Returns: (transfer full) (element-type OtadHealthResult): one result per check
 */
GPtrArray *
otad_health_run (const OtadHealthOptions *options, GCancellable *cancellable, GError **error)
{
	const gchar *default_dirs[] = {SYSCONFDIR "/otad/health.d", OTAD_VENDOR_DIR "/health.d",
	                               NULL};
	const gchar *const *dirs = options->dirs != NULL ? options->dirs : default_dirs;
	guint timeout_ms =
	    options->timeout_ms != 0 ? options->timeout_ms : OTAD_HEALTH_DEFAULT_TIMEOUT_MS;
	guint poll_ms =
	    options->unit_poll_ms != 0 ? options->unit_poll_ms : OTAD_HEALTH_DEFAULT_POLL_MS;
	const gchar *systemctl = options->systemctl != NULL ? options->systemctl : "systemctl";
	g_autoptr (GPtrArray) results =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_health_result_free);
	g_autoptr (GPtrArray) paths = NULL;

	paths = otad_health_list_executables (dirs, error);
	if (paths == NULL)
		return NULL;
	for (guint i = 0; i < paths->len; i++) {
		OtadHealthResult *result = otad_health_run_executable (
		    g_ptr_array_index (paths, i), timeout_ms, cancellable, error);
		if (result == NULL)
			return NULL;
		g_info ("health check %s: %s%s%s", result->name,
		        result->passed ? "passed" : "FAILED", result->passed ? "" : ": ",
		        result->passed ? "" : result->reason);
		g_ptr_array_add (results, result);
	}
	for (guint i = 0; options->units != NULL && options->units[i] != NULL; i++) {
		OtadHealthResult *result = otad_health_check_unit (
		    systemctl, options->units[i], timeout_ms, poll_ms, cancellable, error);
		if (result == NULL)
			return NULL;
		g_info ("health check unit %s: %s (%s)", result->name,
		        result->passed ? "passed" : "FAILED", result->reason);
		g_ptr_array_add (results, result);
	}
	return g_steal_pointer (&results);
}

/**
 * otad_health_results_passed:
 * @results: (element-type OtadHealthResult): from otad_health_run()
 *
 * Returns: %TRUE if every check passed (also when there were none)
 */
gboolean
otad_health_results_passed (GPtrArray *results)
{
	for (guint i = 0; i < results->len; i++) {
		OtadHealthResult *result = g_ptr_array_index (results, i);
		if (!result->passed)
			return FALSE;
	}
	return TRUE;
}

/**
 * otad_health_results_describe:
 * @results: (element-type OtadHealthResult): from otad_health_run()
 *
 * Returns: (transfer full): "name: reason; ..." for the failed checks, or
 *   a summary when all passed
 */
gchar *
otad_health_results_describe (GPtrArray *results)
{
	g_autoptr (GString) str = g_string_new (NULL);

	for (guint i = 0; i < results->len; i++) {
		OtadHealthResult *result = g_ptr_array_index (results, i);
		if (result->passed)
			continue;
		if (str->len > 0)
			g_string_append (str, "; ");
		if (result->kind == OTAD_HEALTH_CHECK_UNIT)
			/* TRANSLATORS: a systemd unit checked after an update, why it failed */
			g_string_append_printf (str, _("unit %s: %s"), result->name, result->reason);
		else
			g_string_append_printf (str, "%s: %s", result->name, result->reason);
	}
	if (str->len == 0)
		g_string_append_printf (str, _("all %u health checks passed"), results->len);
	return g_string_free (g_steal_pointer (&str), FALSE);
}
