/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include <errno.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-job-device.h"

/*
 * What the device registry keeps about the device is sent when it changed since it was
 * last queued, compared by a hash as aktualizr compares it (the device_data table of its
 * sql.db, keyed by the same names: hardware_info, network_info, installed_packages).  The
 * report queue keeps it on disk until the server takes it.
 */
static void
otad_job_device_queue_if_changed (OtadJobContext *ctx,
				  OtadReporter *reporter,
				  const gchar *data_type,
				  const gchar *path,
				  const gchar *body)
{
	const OtadSettings *s = otad_job_context_get_settings (ctx);
	g_autofree gchar *dir = g_build_filename (s->state_dir, "reported", NULL);
	g_autofree gchar *hash_file = g_build_filename (dir, data_type, NULL);
	g_autofree gchar *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
	g_autofree gchar *stored = NULL;
	g_autoptr(GError) error_local = NULL;

	if (otad_file_read (hash_file, 4096, &stored, NULL, NULL) &&
	    g_strcmp0 (g_strstrip (stored), hash) == 0)
		return;
	if (!otad_report_queue_push (otad_reporter_get_queue (reporter), "PUT", path, body,
				     &error_local)) {
		g_warning ("failed to queue %s: %s", path, error_local->message);
		return;
	}
	/* in the state directory: written as every state file, never through a symlink */
	if (!otad_file_ensure_dir (dir, 0700, &error_local) ||
	    !otad_file_replace (hash_file, hash, strlen (hash), 0600, &error_local))
		g_warning ("cannot keep the hash of %s: %s", path, error_local->message);
	g_debug ("queued %s (%s changed)", path, data_type);
}

/* aktualizr's packages_file (OstreeManager::getInstalledPackages): "NAME VERSION" lines,
 * read in the deployment that runs */
static gchar *
otad_job_device_installed (const gchar *deployment_dir, const gchar *packages_file)
{
	g_autofree gchar *path = g_build_filename (deployment_dir, packages_file, NULL);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
	g_autoptr(GStrvBuilder) versions = g_strv_builder_new ();
	g_auto(GStrv) n = NULL;
	g_auto(GStrv) v = NULL;

	if (!g_file_get_contents (path, &text, NULL, NULL)) {
		g_debug ("no list of installed software in %s", path);
		return NULL;
	}
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *space = strchr (g_strstrip (lines[i]), ' ');
		if (lines[i][0] == '\0')
			continue;
		if (space == NULL) {
			g_warning ("%s: line %u is not NAME VERSION", path, i + 1);
			return NULL;
		}
		*space = '\0';
		g_strv_builder_add (names, lines[i]);
		g_strv_builder_add (versions, g_strstrip (space + 1));
	}
	n = g_strv_builder_end (names);
	v = g_strv_builder_end (versions);
	return otad_reporter_build_installed ((const gchar *const *)n, (const gchar *const *)v);
}

static void
otad_job_device_report (OtadJobContext *ctx, OstreeSysroot *sysroot)
{
	const OtadSettings *s = otad_job_context_get_settings (ctx);
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(OstreeDeployment) running = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *hardware = otad_reporter_build_system_info ();
	g_autofree gchar *network = otad_reporter_build_network_info ();
	g_autofree gchar *installed = NULL;
	OtadReporter *reporter;

	if (!otad_job_context_get_running (ctx, sysroot, &running, &error_local))
		g_warning ("%s", error_local->message);
	if (running != NULL) {
		g_autofree gchar *rel = ostree_sysroot_get_deployment_dirpath (sysroot, running);
		g_autoptr(GFile) dir = g_file_resolve_relative_path (
		    ostree_sysroot_get_path (sysroot), rel);
		installed = otad_job_device_installed (g_file_peek_path (dir), s->packages_file);
	}
	reporter = otad_job_context_lock_reporter (ctx, &locker);
	if (reporter == NULL)
		return;
	otad_job_device_queue_if_changed (ctx, reporter, "hardware_info", "system_info", hardware);
	otad_job_device_queue_if_changed (ctx, reporter, "network_info", "system_info/network",
					  network);
	if (installed != NULL)
		otad_job_device_queue_if_changed (ctx, reporter, "installed_packages",
						  "core/installed", installed);
}

gboolean
otad_job_device_prepare (OtadJobContext *ctx,
			 OstreeSysroot *sysroot,
			 GCancellable *cancellable,
			 GError **error)
{
	const OtadSettings *s = otad_job_context_get_settings (ctx);
	OtadProvisioner *provisioner = otad_job_context_get_provisioner (ctx);
	OtadHttp *http = otad_job_context_get_http (ctx);
	const gchar *ecu_public = otad_job_context_get_ecu_public (ctx);
	g_autoptr(GError) error_local = NULL;

	if (provisioner == NULL)
		return TRUE;
	if (!otad_provisioner_provision (provisioner, http, cancellable, error))
		return FALSE;

	/* the Director must know the key that signs the manifests; lite mode has none */
	if (!s->lite && s->director_url != NULL && ecu_public != NULL &&
	    !otad_provisioner_register_ecus (provisioner, http, s->director_url, s->ecu_serial,
					     s->hardware_id, ecu_public, cancellable,
					     &error_local)) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
		    g_error_matches (error_local, OTA_ERROR, OTA_ERROR_CANCELLED)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		/* the check goes on; the registration is tried again at the next one */
		g_warning ("%s", error_local->message);
	}
	otad_job_device_report (ctx, sysroot);
	return TRUE;
}
