/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "otad-job-rollback.h"
#include "otad-rollback.h"

OtadJobRollback *
otad_job_rollback_new (OtadJobContext *ctx)
{
	OtadJobRollback *job = g_new0 (OtadJobRollback, 1);

	job->ctx = g_object_ref (ctx);
	return job;
}

void
otad_job_rollback_free (OtadJobRollback *job)
{
	if (job == NULL)
		return;
	g_clear_object (&job->ctx);
	g_free (job->from_commit);
	g_free (job->to_commit);
	g_free (job);
}

gboolean
otad_job_rollback_run (gpointer data, GCancellable *cancellable, GError **error)
{
	OtadJobRollback *job = data;
	OtadDeployOptions options = {NULL};
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autoptr(OtadRollbackResult) result = NULL;

	record = otad_job_context_load_record (job->ctx, error);
	if (record == NULL)
		return FALSE;
	otad_job_context_deploy_options (job->ctx, &options);
	sysroot = otad_deploy_open_sysroot (&options, TRUE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_deploy_get_booted (sysroot, &options, &booted, error))
		return FALSE;
	/* not cancellable once started: it ends in a consistent deployment list */
	result = otad_rollback_run (sysroot, booted, otad_job_context_get_bootloader (job->ctx),
				    record, NULL, error);
	if (result == NULL)
		return FALSE;
	job->reboot_required = result->reboot_required;
	job->from_commit = g_strdup (result->from_commit);
	job->to_commit = g_strdup (result->to_commit);
	return TRUE;
}
