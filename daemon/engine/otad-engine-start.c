/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include "otad-engine-private.h"

/*
 * Start-up and quiet times: resuming from what the state store and the boot
 * record say after a restart (or a kill), and the periodic flush of queued
 * reports.
 */

/* queued reports are retried this often when nothing else sends them */
#define OTAD_ENGINE_FLUSH_INTERVAL_S (10 * 60)

/* -- reporting timer ---------------------------------------------------------------- */

void
otad_engine_flush_reports (OtadEngine *self)
{
	/* jobs flush at their end; this only covers quiet times */
	if (!otad_job_context_has_reporter (self->ctx) || self->busy || self->flushing)
		return;
	otad_engine_start_job (self, OTAD_ENGINE_JOB_FLUSH);
}

static gboolean
otad_engine_flush_timeout_cb (gpointer user_data)
{
	otad_engine_flush_reports (OTAD_ENGINE (user_data));
	return G_SOURCE_CONTINUE;
}

/* -- start-up -------------------------------------------------------------------- */

static gboolean
otad_engine_commit_present (OtadEngine *self, const gchar *checksum)
{
	OstreeRepo *repo = ostree_sysroot_repo (otad_sysroot_get_ostree (self->sysroot));
	g_autoptr(GVariant) commit = NULL;
	OstreeRepoCommitState state = 0;

	if (checksum == NULL || !ostree_repo_load_commit (repo, checksum, &commit, &state, NULL))
		return FALSE;
	return (state & OSTREE_REPO_COMMIT_STATE_PARTIAL) == 0;
}

/* a killed daemon may have left a busy state behind: what it means now */
static void
otad_engine_resume_state (OtadEngine *self)
{
	OtaState fallback = self->info != NULL ? OTA_STATE_UPDATE_AVAILABLE : OTA_STATE_IDLE;
	gboolean downloaded =
	    self->info != NULL && otad_engine_commit_present (self, self->info->checksum);

	switch (otad_engine_get_state (self)) {
	case OTA_STATE_CHECKING:
	case OTA_STATE_DOWNLOADING:
	case OTA_STATE_AWAITING_CONSENT:
		/* what a download fetched stays in the repo: the next one resumes */
		otad_engine_force_state (self, fallback);
		break;
	case OTA_STATE_DOWNLOADED:
	case OTA_STATE_INSTALLING:
		/* no pending install recorded: the deployment never happened */
		otad_engine_force_state (self, downloaded ? OTA_STATE_DOWNLOADED : fallback);
		break;
	case OTA_STATE_PENDING_REBOOT:
	case OTA_STATE_CONFIRMING:
		otad_engine_force_state (self, OTA_STATE_IDLE);
		break;
	case OTA_STATE_UPDATE_AVAILABLE:
		if (self->info == NULL)
			otad_engine_force_state (self, OTA_STATE_IDLE);
		break;
	case OTA_STATE_IDLE:
	case OTA_STATE_ROLLED_BACK:
	case OTA_STATE_ERROR:
	case OTA_STATE_LAST:
	default:
		break;
	}
}

/**
 * otad_engine_start:
 *
 * Resumes consistently from what the state store and the boot record say,
 * then confirms the boot when an install waits for it.
 */
void
otad_engine_start (OtadEngine *self)
{
	g_autoptr(OtadBootRecord) record = NULL;
	g_autoptr(GError) error_local = NULL;

	record = otad_job_context_load_record (self->ctx, &error_local);
	if (record == NULL)
		otad_engine_set_error (self, error_local);
	else if (otad_boot_record_get_pending (record) != NULL)
		otad_engine_start_job (self, OTAD_ENGINE_JOB_CONFIRM);
	else
		otad_engine_resume_state (self);
	if (otad_job_context_has_reporter (self->ctx)) {
		self->flush_id = g_timeout_add_seconds_full (G_PRIORITY_LOW,
							     OTAD_ENGINE_FLUSH_INTERVAL_S,
							     otad_engine_flush_timeout_cb, self, NULL);
		otad_engine_flush_reports (self);
	}
}
