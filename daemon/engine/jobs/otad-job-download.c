/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "ota-error.h"
#include "otad-job-download.h"
#include "otad-job-report.h"
#include "otad-pull.h"
#include "otad-space.h"

OtadJobDownload *
otad_job_download_new (OtadJobContext *ctx, const OtadUpdateInfo *info)
{
	OtadJobDownload *job = g_new0 (OtadJobDownload, 1);

	job->ctx = g_object_ref (ctx);
	job->info = otad_update_info_copy (info);
	return job;
}

void
otad_job_download_free (OtadJobDownload *job)
{
	if (job == NULL)
		return;
	g_clear_object (&job->ctx);
	g_clear_pointer (&job->info, otad_update_info_free);
	g_free (job);
}

/* refuse before fetching anything when it cannot fit */
static gboolean
otad_job_download_check_space (OtadJobDownload *job,
			       OstreeRepo *repo,
			       const OtadPullOptions *options,
			       GCancellable *cancellable,
			       GError **error)
{
	const OtadSettings *s = otad_job_context_get_settings (job->ctx);
	OtadSpaceEstimate estimate = {OTAD_SPACE_SOURCE_UNKNOWN, 0, 0, 0, 0};
	g_autofree gchar *boot_path = g_build_filename (s->sysroot_path, "boot", NULL);

	if (!otad_space_estimate (repo, options, job->info->checksum, job->info->length, &estimate,
				  cancellable, error))
		return FALSE;
	g_info ("space estimate (%s): download %" G_GUINT64_FORMAT " bytes, repo %" G_GUINT64_FORMAT
		" bytes, boot %" G_GUINT64_FORMAT " bytes",
		otad_space_source_to_string (estimate.source), estimate.download_bytes,
		estimate.repo_bytes, estimate.boot_bytes);
	estimate.repo_bytes += s->min_free_bytes;
	if (!otad_space_check (repo, &estimate,
			       g_file_test (boot_path, G_FILE_TEST_IS_DIR) ? boot_path : NULL, NULL,
			       NULL, error))
		return FALSE;
	job->download_size = estimate.download_bytes;
	return TRUE;
}

/* the pull's own estimate grows while libostree discovers the tree: every report
 * carries the job's estimate from before the first byte instead, so the total
 * an HMI shows is fixed for the whole job (0 when nothing predicted it) */
static void
otad_job_download_progress_cb (const OtadPullProgress *progress, gpointer user_data)
{
	OtadJobDownload *job = user_data;
	OtadPullProgress fixed = *progress;

	fixed.bytes_total = job->download_size;
	job->progress_func (&fixed, job->progress_data);
}

gboolean
otad_job_download_run (gpointer data, GCancellable *cancellable, GError **error)
{
	OtadJobDownload *job = data;
	OtadJobContext *ctx = job->ctx;
	const gchar *cid = job->info->correlation_id;
	OtadDeployOptions deploy_options = {NULL};
	OtadPullOptions options = {NULL};
	g_auto(OtadDeltaSuperblockCache) delta_cache = {0};
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autofree gchar *booted = NULL;
	OstreeRepo *repo;

	otad_job_context_deploy_options (ctx, &deploy_options);
	sysroot = otad_deploy_open_sysroot (&deploy_options, FALSE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_job_context_get_booted_commit (ctx, sysroot, &booted, error))
		return FALSE;
	repo = ostree_sysroot_repo (sysroot);

	if (!otad_job_context_pull_options (ctx, job->info->uri, booted, &options, error))
		return FALSE;
	/* the superblock the space check fetches is the one the pull applies */
	options.delta_cache = &delta_cache;
	if (!otad_pull_ensure_remote (repo, &options, cancellable, error))
		return FALSE;
	if (!otad_job_download_check_space (job, repo, &options, cancellable, error))
		return FALSE;
	if (job->progress_func != NULL) {
		OtadPullProgress progress = {.phase = OTAD_PULL_PHASE_METADATA,
					     .bytes_total = job->download_size};
		job->progress_func (&progress, job->progress_data);
	}

	otad_job_report_event (ctx, OTAD_REPORT_EVENT_DOWNLOAD_STARTED, cid,
			       job->info->checksum, TRUE);
	if (!otad_pull_commit (repo, &options, job->info->checksum,
			       job->progress_func != NULL ? otad_job_download_progress_cb : NULL, job,
			       cancellable, error)) {
		otad_job_report_event (ctx, OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED, cid,
				       job->info->checksum, FALSE);
		otad_job_report_flush (ctx, NULL);
		return FALSE;
	}
	otad_job_report_event (ctx, OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED, cid,
			       job->info->checksum, TRUE);
	otad_job_report_flush (ctx, cancellable);
	return TRUE;
}
