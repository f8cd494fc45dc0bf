/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otactl-context.h"

G_BEGIN_DECLS

/* the long-running jobs of otad that otactl starts and then follows */
typedef enum {
	OTACTL_JOB_CHECK,
	OTACTL_JOB_DOWNLOAD,
	OTACTL_JOB_INSTALL,
} OtactlJobKind;

gboolean otactl_job_prepare (OtactlContext *ctx,
			     const GOptionEntry *entries,
			     gint *argc,
			     gchar ***argv,
			     const gint *timeout,
			     gint *exit_code);
gint otactl_job_run (OtactlContext *ctx, OtactlJobKind kind, guint timeout_secs);
gint otactl_job_run_and_report (OtactlContext *ctx, OtactlJobKind kind, guint timeout_secs);
void otactl_job_print_update_info (OtaUpdateInfo *info);
gboolean otactl_job_check_timeout (OtactlContext *ctx, gint timeout);

/* the results of the job commands, shared with `otactl update` */
gint otactl_job_report_offer (OtactlContext *ctx);
gint otactl_job_report_downloaded (OtactlContext *ctx);
gint otactl_job_report_installed (OtactlContext *ctx);

G_END_DECLS
