/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "otad-boot-rebuild.h"
#include "otad-booted.h"
#include "otad-job-confirm.h"
#include "otad-job-report.h"

/*
 * The confirm job, run at start-up when an install waits for confirmation:
 * otad-boot-confirm decides and acts (health checks, bootloader, rollback);
 * the job supplies its hooks: reporting through the reporter, pruning once
 * the sysroot lock is released, and the reboot request, which only marks that
 * a reboot is needed: the engine's reboot policy decides when it happens.
 */

OtadJobConfirm *
otad_job_confirm_new (OtadJobContext *ctx, const gchar *installed_target)
{
	OtadJobConfirm *job = g_new0 (OtadJobConfirm, 1);

	job->ctx = g_object_ref (ctx);
	job->installed_target = g_strdup (installed_target);
	return job;
}

void
otad_job_confirm_free (OtadJobConfirm *job)
{
	if (job == NULL)
		return;
	g_clear_object (&job->ctx);
	g_free (job->installed_target);
	g_clear_pointer (&job->remembered, otad_boot_pending_free);
	g_clear_pointer (&job->result, otad_boot_confirm_result_free);
	g_free (job);
}

/* the confirmation hooks (otad-boot-confirm.h), called in this worker */
typedef struct {
	OtadJobConfirm *job;
	gboolean prune;
} OtadJobConfirmHooksData;

/* the install's own events, in case a kill took them before they were queued: the
 * event ledger makes each a repeat, not a second event, when it was queued already */
static void
otad_job_confirm_report_applied (OtadJobConfirm *job, const OtadBootConfirmResult *result)
{
	otad_job_report_event_again (job->ctx, OTAD_REPORT_EVENT_INSTALLATION_STARTED,
				     result->correlation_id, result->commit, TRUE);
	otad_job_report_event_again (job->ctx, OTAD_REPORT_EVENT_INSTALLATION_APPLIED,
				     result->correlation_id, result->commit, TRUE);
}

static gboolean
otad_job_confirm_report (const OtadBootConfirmResult *result,
				 gpointer user_data,
				 GError **error)
{
	OtadJobConfirmHooksData *data = user_data;
	OtadJobConfirm *job = data->job;
	OtadManifestReport report = {result->correlation_id, result->success,
				     result->success ? "OK" : "INSTALL_FAILED",
				     result->detail != NULL ? result->detail : ""};

	if (!otad_job_context_has_reporter (job->ctx))
		return TRUE;
	otad_job_confirm_report_applied (job, result);
	if (!otad_job_report_event_counted (job->ctx, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED,
					    result->correlation_id, result->commit, result->success,
					    FALSE, error))
		return FALSE;
	if (result->success)
		otad_job_report_manifest (job->ctx, result->target_name, result->commit, &report);
	else
		otad_job_report_manifest (job->ctx, job->installed_target,
					   result->previous_commit != NULL
					       ? result->previous_commit
					       : result->commit,
					   &report);
	return TRUE;
}

static gboolean
otad_job_confirm_prune (OstreeSysroot *sysroot,
				gpointer user_data,
				GCancellable *cancellable,
				GError **error)
{
	OtadJobConfirmHooksData *data = user_data;

	/* the sysroot is locked now: prune once it is released */
	data->prune = TRUE;
	return TRUE;
}

/* the old deployment is the default again: a reboot is needed.  The job only says so
 * (result->reboot_requested); the engine reboots when [schedule] reboot-policy allows */
static gboolean
otad_job_confirm_reboot (gpointer user_data, GError **error)
{
	return TRUE;
}

gboolean
otad_job_confirm_run (gpointer job_data, GCancellable *cancellable, GError **error)
{
	OtadJobConfirm *job = job_data;
	const OtadSettings *s = otad_job_context_get_settings (job->ctx);
	OtadDeployOptions options = {NULL};
	OtadJobConfirmHooksData data = {job, FALSE};
	OtadBootConfirmHooks hooks = {otad_job_confirm_report,
				      otad_job_confirm_prune,
				      otad_job_confirm_reboot, &data};
	OtadHealthOptions health = {
	    .dirs = (const gchar *const *)s->health_dirs,
	    .units = (const gchar *const *)s->health_units,
	    .timeout_ms = s->health_timeout_ms,
	};
	OtadBootConfirmContext ctx = {NULL};
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *boot_id = NULL;

	record = otad_job_context_load_record (job->ctx, error);
	if (record == NULL)
		return FALSE;
	otad_job_context_deploy_options (job->ctx, &options);
	sysroot = otad_deploy_open_sysroot (&options, TRUE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	booted = otad_booted_get_deployment (sysroot, s->test_booted, error);
	if (booted == NULL && s->test_booted != NULL)
		return FALSE;
	boot_id = otad_boot_record_read_boot_id (&error_local);
	if (job->rebuild &&
	    !otad_boot_record_rebuild (record, sysroot, booted,
				       otad_job_context_get_bootloader (job->ctx), boot_id,
				       job->remembered, cancellable, error))
		return FALSE;
	ctx.sysroot = sysroot;
	ctx.booted = booted;
	ctx.boot_id = boot_id;
	ctx.bootloader = otad_job_context_get_bootloader (job->ctx);
	ctx.record = record;
	ctx.health = &health;
	ctx.hooks = &hooks;
	job->result = otad_boot_confirm_run (&ctx, cancellable, error);
	if (job->result == NULL)
		return FALSE;
	g_clear_object (&sysroot); /* unlocks */
	if (job->result->outcome == OTAD_BOOT_CONFIRM_AWAITING_REBOOT)
		otad_job_confirm_report_applied (job, job->result);

	if (data.prune && !otad_deploy_cleanup (&options, OTAD_JOB_REMOTE, cancellable,
						&error_local))
		g_warning ("failed to prune after confirmation: %s", error_local->message);
	otad_job_report_flush (job->ctx, cancellable);
	return TRUE;
}
