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

	if (commit == NULL)
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
	if (!otad_reporter_flush (reporter, &delivered, cancellable, &error_local))
		g_info ("reports stay queued: %s", error_local->message);
	else if (delivered > 0)
		g_debug ("delivered %u reports", delivered);
}

/**
 * otad_job_report_register_ecu:
 *
 * Queues `POST director/ecus`, as aktualizr does once at provisioning.
 *
 * Returns: %TRUE when the registration was queued
 */
gboolean
otad_job_report_register_ecu (OtadJobContext *ctx)
{
	const OtadSettings *s = otad_job_context_get_settings (ctx);
	const gchar *ecu_public = otad_job_context_get_ecu_public (ctx);
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GMutexLocker) locker = NULL;
	OtadReporter *reporter;

	if (ecu_public == NULL)
		return FALSE;
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
	json_builder_add_string_value (b, ecu_public);
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_array (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	body = json_to_string (root, FALSE);
	reporter = otad_job_context_lock_reporter (ctx, &locker);
	if (reporter == NULL)
		return FALSE;
	if (!otad_report_queue_push (otad_reporter_get_queue (reporter), "POST", "director/ecus",
				     body, &error_local)) {
		g_warning ("failed to queue the ECU registration: %s", error_local->message);
		return FALSE;
	}
	return TRUE;
}

gboolean
otad_job_report_run (gpointer job_data, GCancellable *cancellable, GError **error)
{
	otad_job_report_flush (OTAD_JOB_CONTEXT (job_data), cancellable);
	return TRUE;
}
