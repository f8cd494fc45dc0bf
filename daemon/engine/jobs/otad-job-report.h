/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-job-context.h"

G_BEGIN_DECLS

/*
 * Reporting from the jobs: queued on disk first (the reporter's queue), sent
 * by a flush at the end of each job or by the periodic flush job.  Telemetry
 * never fails an update: these log what goes wrong and go on.
 */
void otad_job_report_event (OtadJobContext *ctx,
			    OtadReportEvent event,
			    const gchar *correlation_id,
			    const gchar *commit,
			    gboolean success);
void otad_job_report_event_again (OtadJobContext *ctx,
				  OtadReportEvent event,
				  const gchar *correlation_id,
				  const gchar *commit,
				  gboolean success);
/* the event with the attempt the boot record counts when the event ledger lost the
 * update; TRUE when queued (or there is no reporter) */
gboolean otad_job_report_event_counted (OtadJobContext *ctx,
				    OtadReportEvent event,
				    const gchar *correlation_id,
				    const gchar *commit,
				    gboolean success,
				    gboolean replay,
				    GError **error);
void otad_job_report_manifest (OtadJobContext *ctx,
			       const gchar *name,
			       const gchar *commit,
			       const OtadManifestReport *report);
void otad_job_report_flush (OtadJobContext *ctx, GCancellable *cancellable);

/* the periodic flush job: job data is the #OtadJobContext */
gboolean otad_job_report_run (gpointer job_data, GCancellable *cancellable, GError **error);

G_END_DECLS
