/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "ota-error.h"
#include "otad-job-install.h"
#include "otad-job-report.h"

OtadJobInstall *
otad_job_install_new (OtadJobContext *ctx, const OtadUpdateInfo *info,
		      const gchar *installed_target)
{
	OtadJobInstall *job = g_new0 (OtadJobInstall, 1);

	job->ctx = g_object_ref (ctx);
	job->info = otad_update_info_copy (info);
	job->installed_target = g_strdup (installed_target);
	return job;
}

void
otad_job_install_free (OtadJobInstall *job)
{
	if (job == NULL)
		return;
	g_clear_object (&job->ctx);
	g_clear_pointer (&job->info, otad_update_info_free);
	g_free (job->installed_target);
	g_free (job);
}

/* the bootloader tries the new deployment and falls back on its own */
static gboolean
otad_job_install_arm (OstreeSysroot *sysroot,
		      OstreeDeployment *deployment,
		      gpointer user_data,
		      GCancellable *cancellable,
		      GError **error)
{
	OtadJobInstall *job = user_data;

	return otad_bootloader_mark_trial_boot (otad_job_context_get_bootloader (job->ctx),
						deployment, NULL, error);
}

/* the deployment list is as it was: the attempt goes to the history, failed */
static void
otad_job_install_failed (OtadJobInstall *job, OtadBootRecord *record, const gchar *booted,
			 const GError *failure)
{
	OtadJobContext *ctx = job->ctx;
	OtadManifestReport report = {job->info->correlation_id, FALSE, "INSTALL_FAILED",
				     failure->message};
	g_autoptr(GError) error_clear = NULL;

	if (!otad_boot_record_finish_pending (record, OTAD_BOOT_OUTCOME_INSTALL_FAILED,
					      failure->message, &error_clear))
		g_warning ("%s", error_clear->message);
	otad_job_report_event (ctx, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED,
			       job->info->correlation_id, job->info->checksum, FALSE);
	otad_job_report_manifest (ctx, job->installed_target, booted, &report);
	otad_job_report_flush (ctx, NULL);
}

gboolean
otad_job_install_run (gpointer data, GCancellable *cancellable, GError **error)
{
	OtadJobInstall *job = data;
	OtadJobContext *ctx = job->ctx;
	const gchar *cid = job->info->correlation_id;
	OtadDeployOptions options = {NULL};
	g_auto(OtadDeployResult) result = {FALSE, NULL, 0, NULL};
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(OtadBootPending) pending = NULL;
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *booted = NULL;
	g_autofree gchar *boot_id = NULL;

	record = otad_job_context_load_record (ctx, error);
	if (record == NULL)
		return FALSE;
	if (!otad_boot_record_check_installable (record, job->info->checksum, error))
		return FALSE;
	otad_job_context_deploy_options (ctx, &options);
	sysroot = otad_deploy_open_sysroot (&options, FALSE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_job_context_get_booted_commit (ctx, sysroot, &booted, error))
		return FALSE;
	g_clear_object (&sysroot);
	boot_id = otad_boot_record_read_boot_id (&error_local);
	if (boot_id == NULL)
		g_warning ("unknown boot id: %s", error_local->message);
	/* the last point where cancelling leaves nothing behind */
	if (g_cancellable_set_error_if_cancelled (cancellable, error))
		return FALSE;

	/* the download's events, in case a kill took them after the pull was complete: a
	 * commit complete in the repo is not pulled again (otad_engine_offer_install).
	 * aktualizr reports both for every target it installs, one it had before as well
	 * (libaktualizr sotauptaneclient.cc, downloadImage()); the event ledger makes each
	 * a repeat, not a second event, when it was queued already */
	otad_job_report_event_again (ctx, OTAD_REPORT_EVENT_DOWNLOAD_STARTED, cid,
				     job->info->checksum, TRUE);
	otad_job_report_event_again (ctx, OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED, cid,
				     job->info->checksum, TRUE);
	otad_job_report_event (ctx, OTAD_REPORT_EVENT_INSTALLATION_STARTED, cid,
			       job->info->checksum, TRUE);
	/* recorded before acting: after a power cut the next start knows what was tried */
	pending = otad_boot_pending_new (job->info->checksum, booted, boot_id);
	pending->target_name = g_strdup (job->info->name);
	pending->version = g_strdup (job->info->version);
	pending->correlation_id = g_strdup (job->info->correlation_id);
	pending->installed_at = g_get_real_time () / G_USEC_PER_SEC;
	if (!otad_boot_record_set_pending (record, pending, error))
		return FALSE;

	/* deployed and armed under one sysroot lock; a failed arm restores the list */
	if (!otad_deploy_commit_armed (&options, job->info->checksum, otad_job_install_arm, job,
				       &result, NULL, error)) {
		otad_job_install_failed (job, record, booted, *error);
		return FALSE;
	}
	job->deployed = TRUE;
	g_message ("installed %s (%s)%s; rollback is %s", job->info->name, result.checksum,
		   result.staged ? " as a staged deployment" : "",
		   result.rollback_checksum != NULL ? result.rollback_checksum : "(none)");

	otad_job_report_event (ctx, OTAD_REPORT_EVENT_INSTALLATION_APPLIED, cid,
			       job->info->checksum, TRUE);
	otad_job_report_manifest (ctx, job->installed_target, booted, NULL);
	otad_job_report_flush (ctx, NULL);
	return TRUE;
}
