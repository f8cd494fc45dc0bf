/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "otad-job-report.h"

static void
otad_job_report_event_full (OtadJobContext *ctx,
			    OtadReportEvent event,
			    const gchar *correlation_id,
			    const gchar *commit,
			    gboolean success,
			    gboolean replay)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(GError) error_local = NULL;
	OtadReporter *reporter = otad_job_context_lock_reporter (ctx, &locker);

	if (reporter == NULL)
		return;
	if (!otad_reporter_queue_event_full (reporter, event, correlation_id, commit, success,
					     replay, &error_local))
		g_warning ("failed to queue %s: %s", otad_report_event_to_string (event),
			   error_local->message);
}

/* the step runs (again): its event, once per attempt (the event ledger) */
void
otad_job_report_event (OtadJobContext *ctx,
		       OtadReportEvent event,
		       const gchar *correlation_id,
		       const gchar *commit,
		       gboolean success)
{
	otad_job_report_event_full (ctx, event, correlation_id, commit, success, FALSE);
}

/* the event of a step that ran before, in case a kill took it: never a new attempt */
void
otad_job_report_event_again (OtadJobContext *ctx,
			     OtadReportEvent event,
			     const gchar *correlation_id,
			     const gchar *commit,
			     gboolean success)
{
	otad_job_report_event_full (ctx, event, correlation_id, commit, success, TRUE);
}

void
otad_job_report_manifest (OtadJobContext *ctx,
			  const gchar *name,
			  const gchar *commit,
			  const OtadManifestReport *report)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(GError) error_local = NULL;
	OtadManifestImage image = {name != NULL ? name : commit, commit, 0};
	OtadReporter *reporter = NULL;

	/* aktualizr-lite has no Director to report to */
	if (commit == NULL || otad_job_context_get_settings (ctx)->lite)
		return;
	reporter = otad_job_context_lock_reporter (ctx, &locker);
	if (reporter == NULL)
		return;
	if (!otad_reporter_queue_manifest (reporter, &image, report, &error_local))
		g_warning ("failed to queue the manifest: %s", error_local->message);
}

void
otad_job_report_flush (OtadJobContext *ctx, GCancellable *cancellable)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(GError) error_local = NULL;
	OtadReporter *reporter = otad_job_context_lock_reporter (ctx, &locker);
	guint delivered = 0;

	if (reporter == NULL)
		return;
	/* before provisioning there is no identity the server would take the reports from */
	if (otad_job_context_get_provisioner (ctx) != NULL &&
	    !otad_provisioner_is_provisioned (otad_job_context_get_provisioner (ctx)))
		return;
	if (!otad_reporter_flush (reporter, &delivered, cancellable, &error_local))
		g_info ("reports stay queued: %s", error_local->message);
	else if (delivered > 0)
		g_debug ("delivered %u reports", delivered);
}

gboolean
otad_job_report_run (gpointer job_data, GCancellable *cancellable, GError **error)
{
	otad_job_report_flush (OTAD_JOB_CONTEXT (job_data), cancellable);
	return TRUE;
}
