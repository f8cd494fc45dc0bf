/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-boot-record.h"
#include "otad-bootloaders.h"
#include "otad-deploy.h"
#include "otad-engine-jobs-private.h"
#include "otad-engine-setup.h"
#include "otad-pull.h"
#include "otad-rollback.h"
#include "otad-space.h"
#include "otad-uptane.h"

/*
 * The worker side of the engine's jobs.  Each job runs in a thread and makes
 * its own HTTP session and reporter (a libsoup session belongs to its thread),
 * opens its own OstreeSysroot and boot record (nothing here is shared with the
 * main thread but the read-only settings), and leaves its results in the job struct for
 * the main thread.  Reporting is queued on disk first and flushed at the end;
 * a telemetry failure never fails a job.
 */

void
otad_engine_settings_free (OtadEngineSettings *s)
{
	if (s == NULL)
		return;
	g_free (s->sysroot_path);
	g_free (s->test_booted);
	g_free (s->state_dir);
	g_free (s->osname);
	g_free (s->gateway_url);
	g_free (s->director_url);
	g_free (s->repo_url);
	g_free (s->treehub_url);
	g_free (s->ca_file);
	g_free (s->cert);
	g_free (s->key);
	g_free (s->hardware_id);
	g_free (s->ecu_serial);
	g_strfreev (s->tags);
	g_free (s->root_dir);
	g_free (s->boot_backend);
	g_free (s->fw_env_config);
	g_free (s->grubenv);
	g_strfreev (s->health_dirs);
	g_strfreev (s->health_units);
	g_free (s);
}

static const gchar *const otad_engine_job_names[] = {"check", "download", "install",
						      "rollback", "confirm", "flush"};

const gchar *
otad_engine_job_kind_to_string (OtadEngineJobKind kind)
{
	if ((guint)kind >= G_N_ELEMENTS (otad_engine_job_names))
		return NULL;
	return otad_engine_job_names[kind];
}

OtadEngineJob *
otad_engine_job_new (OtadEngineJobKind kind, const OtadEngineSettings *settings)
{
	OtadEngineJob *job = g_new0 (OtadEngineJob, 1);

	job->kind = kind;
	job->settings = settings;
	job->main_context = g_main_context_ref_thread_default ();
	return job;
}

void
otad_engine_job_free (OtadEngineJob *job)
{
	if (job == NULL)
		return;
	g_clear_object (&job->http);
	g_clear_object (&job->reporter);
	g_clear_pointer (&job->info, otad_update_info_free);
	g_free (job->installed_target);
	g_free (job->ecu_public);
	g_clear_pointer (&job->main_context, g_main_context_unref);
	g_clear_pointer (&job->target, otad_target_free);
	g_clear_pointer (&job->confirm, otad_boot_confirm_result_free);
	g_free (job->skipped_bad);
	g_free (job);
}

void
otad_engine_jobs_deploy_options (const OtadEngineSettings *s, OtadDeployOptions *options)
{
	options->sysroot_path = s->sysroot_path;
	options->osname = s->osname;
	options->refspec = OTAD_ENGINE_REMOTE ":" OTAD_ENGINE_REF;
	options->test_booted = s->test_booted;
}

/* the commit that runs now (the booted one, else the default of a test sysroot) */
gboolean
otad_engine_jobs_get_booted_commit (const OtadEngineSettings *settings,
				    gchar **out_commit,
				    GError **error)
{
	OtadDeployOptions options = {NULL};
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autoptr(GPtrArray) deployments = NULL;

	otad_engine_jobs_deploy_options (settings, &options);
	sysroot = otad_deploy_open_sysroot (&options, FALSE, NULL, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_deploy_get_booted (sysroot, &options, &booted, error))
		return FALSE;
	deployments = ostree_sysroot_get_deployments (sysroot);
	if (booted != NULL)
		*out_commit = g_strdup (ostree_deployment_get_csum (booted));
	else if (deployments->len > 0)
		*out_commit = g_strdup (ostree_deployment_get_csum (deployments->pdata[0]));
	else
		*out_commit = NULL;
	return TRUE;
}

OtadBootRecord *
otad_engine_jobs_load_record (const OtadEngineSettings *s, GError **error)
{
	g_autofree gchar *path = g_build_filename (s->state_dir, OTAD_BOOT_RECORD_FILENAME, NULL);
	g_autoptr(OtadBootRecord) record = otad_boot_record_new (path);

	if (!otad_boot_record_load (record, error))
		return NULL;
	return g_steal_pointer (&record);
}

OtadBootloader *
otad_engine_jobs_bootloader (const OtadEngineSettings *s, GError **error)
{
	OtadBootloaderOptions options = {
	    .backend = s->boot_backend,
	    .fw_env_config = s->fw_env_config,
	    .grubenv = s->grubenv,
	    .boot_count_limit = s->boot_count_limit,
	};
	return otad_bootloaders_new (&options, error);
}

/* The on-disk queue is shared with other jobs (a report flush may run beside
 * a check): under the lock a reporter made afresh sees the queue as it is. */
GMutexLocker *
otad_engine_jobs_lock_reporter (OtadEngineJob *job)
{
	GMutexLocker *locker = g_mutex_locker_new (job->reporter_lock);
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *ecu_public = NULL;

	g_clear_object (&job->reporter);
	if (!otad_engine_setup_reporter (job->settings, job->http, &job->reporter, &ecu_public,
					 &error_local))
		g_warning ("reporting: %s", error_local->message);
	return locker;
}

/* telemetry: queued on disk, so a failure here is logged and forgotten */
void
otad_engine_jobs_event (OtadEngineJob *job, OtadReportEvent event, gboolean success)
{
	g_autoptr(GError) error_local = NULL;
	const gchar *cid = job->info != NULL ? job->info->correlation_id : NULL;

	g_autoptr(GMutexLocker) locker = NULL;

	if (job->reporter == NULL)
		return;
	locker = otad_engine_jobs_lock_reporter (job);
	if (job->reporter == NULL)
		return;
	if (!otad_reporter_queue_event (job->reporter, event, cid, success, &error_local))
		g_warning ("failed to queue %s: %s", otad_report_event_to_string (event),
			   error_local->message);
}

void
otad_engine_jobs_manifest (OtadEngineJob *job,
			   const gchar *name,
			   const gchar *commit,
			   const OtadManifestReport *report)
{
	g_autoptr(GError) error_local = NULL;
	OtadManifestImage image = {name != NULL ? name : commit, commit, 0};

	g_autoptr(GMutexLocker) locker = NULL;

	if (job->reporter == NULL || commit == NULL)
		return;
	locker = otad_engine_jobs_lock_reporter (job);
	if (job->reporter == NULL)
		return;
	if (!otad_reporter_queue_manifest (job->reporter, &image, report, &error_local))
		g_warning ("failed to queue the manifest: %s", error_local->message);
}

void
otad_engine_jobs_flush (OtadEngineJob *job, GCancellable *cancellable)
{
	g_autoptr(GError) error_local = NULL;
	guint delivered = 0;
	g_autoptr(GMutexLocker) locker = NULL;

	if (job->reporter == NULL)
		return;
	locker = otad_engine_jobs_lock_reporter (job);
	if (job->reporter == NULL)
		return;
	if (!otad_reporter_flush (job->reporter, &delivered, cancellable, &error_local))
		g_info ("reports stay queued: %s", error_local->message);
	else if (delivered > 0)
		g_debug ("delivered %u reports", delivered);
}

/* POST director/ecus, as aktualizr does once at provisioning */
static void
otad_engine_jobs_register_ecu (OtadEngineJob *job)
{
	const OtadEngineSettings *s = job->settings;
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GMutexLocker) locker = NULL;

	if (job->reporter == NULL || job->ecu_public == NULL)
		return;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "primary_ecu_serial");
	json_builder_add_string_value (b, s->ecu_serial);
	json_builder_set_member_name (b, "ecus");
	json_builder_begin_array (b);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "ecu_serial");
	json_builder_add_string_value (b, s->ecu_serial);
	json_builder_set_member_name (b, "hardware_identifier");
	json_builder_add_string_value (b, s->hardware_id);
	json_builder_set_member_name (b, "clientKey");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "keytype");
	json_builder_add_string_value (b, "ED25519");
	json_builder_set_member_name (b, "keyval");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "public");
	json_builder_add_string_value (b, job->ecu_public);
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_array (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	body = json_to_string (root, FALSE);
	locker = otad_engine_jobs_lock_reporter (job);
	if (job->reporter == NULL)
		return;
	if (!otad_report_queue_push (otad_reporter_get_queue (job->reporter), "POST",
				     "director/ecus", body, &error_local)) {
		g_warning ("failed to queue the ECU registration: %s", error_local->message);
		return;
	}
	job->ecu_registered = TRUE;
}

static gboolean
otad_engine_jobs_check (OtadEngineJob *job, GCancellable *cancellable, GError **error)
{
	const OtadEngineSettings *s = job->settings;
	g_autofree gchar *installed = NULL;
	g_autofree gchar *metadata_dir = g_build_filename (s->state_dir, "tuf", NULL);
	g_autoptr(OtadCheckin) checkin = NULL;
	g_autoptr(OtadTarget) target = NULL;
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(GPtrArray) root_dirs = g_ptr_array_new ();
	gboolean ok;

	if (s->repo_url == NULL || (!s->lite && s->director_url == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
				     "no server configured ([server] url)");
		return FALSE;
	}
	if (!otad_engine_jobs_get_booted_commit (s, &installed, error))
		return FALSE;
	if (job->register_ecu)
		otad_engine_jobs_register_ecu (job);

	checkin = otad_checkin_new (job->http, s->lite ? NULL : s->director_url, s->repo_url,
				    metadata_dir);
	if (s->root_dir != NULL)
		g_ptr_array_add (root_dirs, s->root_dir);
	for (const gchar *const *d = otad_uptane_default_root_dirs (); *d != NULL; d++)
		g_ptr_array_add (root_dirs, (gpointer)*d);
	g_ptr_array_add (root_dirs, NULL);
	otad_checkin_set_root_dirs (checkin, (const gchar *const *)root_dirs->pdata);
	otad_checkin_set_allow_tofu (checkin, s->allow_tofu);
	if (s->lite)
		ok = otad_checkin_run_lite (checkin, s->hardware_id, (const gchar *const *)s->tags,
					    installed, &target, cancellable, error);
	else
		ok = otad_checkin_run (checkin, s->ecu_serial, s->hardware_id, installed, &target,
				       cancellable, error);
	if (!ok) {
		otad_engine_jobs_flush (job, cancellable);
		return FALSE;
	}
	if (target != NULL && g_strcmp0 (target->sha256, installed) == 0)
		g_clear_pointer (&target, otad_target_free);
	if (target != NULL && target->target_format != NULL &&
	    g_ascii_strcasecmp (target->target_format, "OSTREE") != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
			     "target %s is of format %s; only OSTREE targets can be installed",
			     target->name, target->target_format);
		return FALSE;
	}
	if (target != NULL && !ostree_validate_checksum_string (target->sha256, NULL)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
			     "target %s has no OSTree commit as its sha256", target->name);
		return FALSE;
	}
	record = otad_engine_jobs_load_record (s, error);
	if (record == NULL)
		return FALSE;
	if (target != NULL && otad_boot_record_is_bad (record, target->sha256)) {
		g_message ("not offering %s (%s): it failed before (%s)", target->name,
			   target->sha256, otad_boot_record_get_bad_reason (record, target->sha256));
		job->skipped_bad = g_strdup (target->sha256);
		g_clear_pointer (&target, otad_target_free);
	}
	job->target = g_steal_pointer (&target);
	otad_engine_jobs_flush (job, cancellable);
	return TRUE;
}

static void
otad_engine_jobs_pull_progress_cb (const OtadPullProgress *progress, gpointer user_data)
{
	OtadEngineJob *job = user_data;

	if (job->progress_func != NULL)
		job->progress_func (progress, job);
}

static gboolean
otad_engine_jobs_download (OtadEngineJob *job, GCancellable *cancellable, GError **error)
{
	const OtadEngineSettings *s = job->settings;
	OtadDeployOptions deploy_options = {NULL};
	OtadPullOptions options = {NULL};
	OtadSpaceEstimate estimate = {OTAD_SPACE_SOURCE_UNKNOWN, 0, 0, 0};
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autofree gchar *booted = NULL;
	g_autofree gchar *boot_path = g_build_filename (s->sysroot_path, "boot", NULL);
	OstreeRepo *repo;

	g_return_val_if_fail (job->info != NULL, FALSE);
	if (!otad_engine_jobs_get_booted_commit (s, &booted, error))
		return FALSE;
	otad_engine_jobs_deploy_options (s, &deploy_options);
	sysroot = otad_deploy_open_sysroot (&deploy_options, FALSE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	repo = ostree_sysroot_repo (sysroot);

	options.remote_name = OTAD_ENGINE_REMOTE;
	options.url = s->treehub_url != NULL ? s->treehub_url : job->info->uri;
	options.ref = OTAD_ENGINE_REF;
	if (s->cert != NULL && g_path_is_absolute (s->cert))
		options.tls_client_cert_path = s->cert;
	if (s->key != NULL && g_path_is_absolute (s->key))
		options.tls_client_key_path = s->key;
	options.tls_ca_path = s->ca_file;
	options.from_commit = booted;
	/* the Director decides what runs; a downgrade it asks for is deliberate */
	options.flags = OTAD_PULL_FLAGS_ALLOW_DOWNGRADE;
	if (options.url == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
				     "no TreeHub configured ([server] treehub-url)");
		return FALSE;
	}
	if (!otad_pull_ensure_remote (repo, &options, cancellable, error))
		return FALSE;

	/* refuse before fetching anything when it cannot fit */
	if (!otad_space_estimate (repo, &options, job->info->checksum, job->info->length,
				  &estimate, cancellable, error))
		return FALSE;
	g_info ("space estimate (%s): download %" G_GUINT64_FORMAT " bytes, repo %" G_GUINT64_FORMAT
		" bytes, boot %" G_GUINT64_FORMAT " bytes",
		otad_space_source_to_string (estimate.source), estimate.download_bytes,
		estimate.repo_bytes, estimate.boot_bytes);
	estimate.repo_bytes += s->min_free_bytes;
	if (!otad_space_check (repo, &estimate, g_file_test (boot_path, G_FILE_TEST_IS_DIR)
						  ? boot_path : NULL,
			       NULL, NULL, error))
		return FALSE;
	job->download_size = estimate.download_bytes;
	if (job->progress_func != NULL) {
		OtadPullProgress progress = {.phase = OTAD_PULL_PHASE_METADATA,
					     .bytes_total = estimate.download_bytes};
		job->progress_func (&progress, job);
	}

	otad_engine_jobs_event (job, OTAD_REPORT_EVENT_DOWNLOAD_STARTED, TRUE);
	if (!otad_pull_commit (repo, &options, job->info->checksum,
			       otad_engine_jobs_pull_progress_cb, job, cancellable, error)) {
		otad_engine_jobs_event (job, OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED, FALSE);
		otad_engine_jobs_flush (job, NULL);
		return FALSE;
	}
	otad_engine_jobs_event (job, OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED, TRUE);
	otad_engine_jobs_flush (job, cancellable);
	return TRUE;
}

static gboolean
otad_engine_jobs_install (OtadEngineJob *job, GCancellable *cancellable, GError **error)
{
	const OtadEngineSettings *s = job->settings;
	OtadDeployOptions options = {NULL};
	g_auto(OtadDeployResult) result = {FALSE, NULL, 0, NULL};
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(OtadBootPending) pending = NULL;
	g_autoptr(OtadBootloader) bootloader = NULL;
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *booted = NULL;
	g_autofree gchar *boot_id = NULL;
	OstreeDeployment *deployment;

	g_return_val_if_fail (job->info != NULL, FALSE);
	record = otad_engine_jobs_load_record (s, error);
	if (record == NULL)
		return FALSE;
	if (!otad_boot_record_check_installable (record, job->info->checksum, error))
		return FALSE;
	bootloader = otad_engine_jobs_bootloader (s, error);
	if (bootloader == NULL)
		return FALSE;
	if (!otad_engine_jobs_get_booted_commit (s, &booted, error))
		return FALSE;
	boot_id = otad_boot_record_read_boot_id (&error_local);
	if (boot_id == NULL)
		g_warning ("unknown boot id: %s", error_local->message);
	/* the last point where cancelling leaves nothing behind */
	if (g_cancellable_set_error_if_cancelled (cancellable, error))
		return FALSE;

	otad_engine_jobs_event (job, OTAD_REPORT_EVENT_INSTALLATION_STARTED, TRUE);
	/* recorded before acting: after a power cut the next start knows what was tried */
	pending = otad_boot_pending_new (job->info->checksum, booted, boot_id);
	pending->target_name = g_strdup (job->info->name);
	pending->version = g_strdup (job->info->version);
	pending->correlation_id = g_strdup (job->info->correlation_id);
	pending->installed_at = g_get_real_time () / G_USEC_PER_SEC;
	if (!otad_boot_record_set_pending (record, pending, error))
		return FALSE;

	otad_engine_jobs_deploy_options (s, &options);
	if (!otad_deploy_commit (&options, job->info->checksum, &result, NULL, error)) {
		g_autoptr(GError) error_clear = NULL;
		OtadManifestReport report = {job->info->correlation_id, FALSE, "INSTALL_FAILED",
					     (*error)->message};

		if (!otad_boot_record_set_pending (record, NULL, &error_clear))
			g_warning ("%s", error_clear->message);
		otad_engine_jobs_event (job, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED, FALSE);
		otad_engine_jobs_manifest (job, job->installed_target, booted, &report);
		otad_engine_jobs_flush (job, NULL);
		return FALSE;
	}
	job->deployed = TRUE;

	/* the bootloader tries the new deployment once and falls back on its own */
	sysroot = otad_deploy_open_sysroot (&options, FALSE, NULL, error);
	if (sysroot == NULL)
		return FALSE;
	deployment = otad_rollback_find_deployment (sysroot, result.checksum, result.serial);
	if (!otad_bootloader_mark_trial_boot (bootloader, deployment, NULL, error))
		return FALSE;
	g_message ("installed %s (%s)%s; rollback is %s", job->info->name, result.checksum,
		   result.staged ? " as a staged deployment" : "",
		   result.rollback_checksum != NULL ? result.rollback_checksum : "(none)");

	otad_engine_jobs_event (job, OTAD_REPORT_EVENT_INSTALLATION_APPLIED, TRUE);
	otad_engine_jobs_manifest (job, job->installed_target, booted, NULL);
	otad_engine_jobs_flush (job, NULL);
	return TRUE;
}

static gboolean
otad_engine_jobs_rollback (OtadEngineJob *job, GCancellable *cancellable, GError **error)
{
	const OtadEngineSettings *s = job->settings;
	OtadDeployOptions options = {NULL};
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(OtadBootloader) bootloader = NULL;
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autoptr(OtadRollbackResult) result = NULL;

	record = otad_engine_jobs_load_record (s, error);
	if (record == NULL)
		return FALSE;
	bootloader = otad_engine_jobs_bootloader (s, error);
	if (bootloader == NULL)
		return FALSE;
	otad_engine_jobs_deploy_options (s, &options);
	sysroot = otad_deploy_open_sysroot (&options, TRUE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_deploy_get_booted (sysroot, &options, &booted, error))
		return FALSE;
	/* not cancellable once started: it ends in a consistent deployment list */
	result = otad_rollback_run (sysroot, booted, bootloader, record, NULL, error);
	if (result == NULL)
		return FALSE;
	job->reboot_required = result->reboot_required;
	return TRUE;
}

/**
 * otad_engine_job_run:
 *
 * The #OtadJobFunc of every engine job.
 */
gboolean
otad_engine_job_run (gpointer job_data, GCancellable *cancellable, GError **error)
{
	OtadEngineJob *job = job_data;
	g_autofree gchar *ecu_public = NULL;

	/* made here: a libsoup session belongs to the thread (and context) that made it */
	job->http = otad_engine_setup_http (job->settings, error);
	if (job->http == NULL)
		return FALSE;
	if (!otad_engine_setup_reporter (job->settings, job->http, &job->reporter, &ecu_public,
					 error))
		return FALSE;

	switch (job->kind) {
	case OTAD_ENGINE_JOB_CHECK:
		return otad_engine_jobs_check (job, cancellable, error);
	case OTAD_ENGINE_JOB_DOWNLOAD:
		return otad_engine_jobs_download (job, cancellable, error);
	case OTAD_ENGINE_JOB_INSTALL:
		return otad_engine_jobs_install (job, cancellable, error);
	case OTAD_ENGINE_JOB_ROLLBACK:
		return otad_engine_jobs_rollback (job, cancellable, error);
	case OTAD_ENGINE_JOB_CONFIRM:
		return otad_engine_jobs_confirm (job, cancellable, error);
	case OTAD_ENGINE_JOB_FLUSH:
		otad_engine_jobs_flush (job, cancellable);
		return TRUE;
	default:
		g_assert_not_reached ();
	}
}
