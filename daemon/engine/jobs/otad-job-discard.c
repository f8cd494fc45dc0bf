/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "otad-job-discard.h"

/*
 * A downloaded update nobody wants (Discard(), or Decline() after the download): otad's
 * ref to it goes and the objects no deployment uses are pruned, the same cleanup that
 * follows a confirmed boot (otad_deploy_cleanup()).  Nothing is deployed in the downloaded
 * state, so the deployments stay as they are.
 */

OtadJobDiscard *
otad_job_discard_new (OtadJobContext *ctx, const gchar *checksum)
{
	OtadJobDiscard *job = g_new0 (OtadJobDiscard, 1);

	job->ctx = g_object_ref (ctx);
	job->checksum = g_strdup (checksum);
	return job;
}

void
otad_job_discard_free (OtadJobDiscard *job)
{
	if (job == NULL)
		return;
	g_clear_object (&job->ctx);
	g_free (job->checksum);
	g_free (job);
}

gboolean
otad_job_discard_run (gpointer data, GCancellable *cancellable, GError **error)
{
	OtadJobDiscard *job = data;
	OtadDeployOptions options = {NULL};

	otad_job_context_deploy_options (job->ctx, &options);
	if (!otad_deploy_cleanup (&options, OTAD_JOB_REMOTE, cancellable, error))
		return FALSE;
	g_message ("discarded the download of %s", job->checksum);
	return TRUE;
}
