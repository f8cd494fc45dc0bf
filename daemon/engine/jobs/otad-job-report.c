/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "otad-job-report.h"

/*
 * The attempt at (@correlation_id, @commit) that @event belongs to, as the boot
 * record says (0: it cannot say), for an event ledger a power cut took
 * (otad_event_ledger_claim()).  An attempt ends in the record's history
 * (otad_boot_record_finish_pending(), saved): an install that failed ends there
 * before its final event is queued, a confirmed or rolled back one after.
 */
static guint
otad_job_report_attempt (OtadJobContext *ctx, OtadReportEvent event, const gchar *correlation_id,
			 const gchar *commit)
{
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *path = NULL;
	const OtadBootPending *pending;
	GPtrArray *history;
	guint ended = 0;

	path = g_build_filename (otad_job_context_get_settings (ctx)->state_dir,
				 OTAD_BOOT_RECORD_FILENAME, NULL);
	record = otad_boot_record_new (path);
	if (!otad_boot_record_peek (record, &error_local)) {
		g_debug ("no attempt count: %s", error_local->message);
		return 0;
	}
	history = otad_boot_record_get_history (record);
	for (guint i = 0; i < history->len; i++) {
		const OtadBootHistoryEntry *e = g_ptr_array_index (history, i);
		if (g_strcmp0 (e->commit, commit) == 0 &&
		    g_strcmp0 (e->correlation_id, correlation_id) == 0)
			ended++;
	}
	pending = otad_boot_record_get_pending (record);
	/* the final event of an attempt the history has ended already */
	if (event == OTAD_REPORT_EVENT_INSTALLATION_COMPLETED && ended > 0 &&
	    (pending == NULL || g_strcmp0 (pending->commit, commit) != 0))
		return ended;
	return ended + 1;
}

gboolean
otad_job_report_event_counted (OtadJobContext *ctx,
			       OtadReportEvent event,
			       const gchar *correlation_id,
			       const gchar *commit,
			       gboolean success,
			       gboolean replay,
			       GError **error)
{
	g_autoptr(GMutexLocker) locker = NULL;
	OtadReporter *reporter = otad_job_context_lock_reporter (ctx, &locker);
	guint attempt = 0;

	if (reporter == NULL)
		return TRUE;
	/* the boot record is read only when the ledger has lost the update */
	if (commit != NULL && !otad_reporter_knows_update (reporter, correlation_id, commit))
		attempt = otad_job_report_attempt (ctx, event, correlation_id, commit);
	return otad_reporter_queue_event_full (reporter, event, correlation_id, commit, success,
					       replay, attempt, error);
}

static void
otad_job_report_event_full (OtadJobContext *ctx,
			    OtadReportEvent event,
			    const gchar *correlation_id,
			    const gchar *commit,
			    gboolean success,
			    gboolean replay)
{
	g_autoptr(GError) error_local = NULL;

	if (!otad_job_report_event_counted (ctx, event, correlation_id, commit, success, replay,
					    &error_local))
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
