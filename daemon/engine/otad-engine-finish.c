/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include "otad-engine-private.h"
#include "otad-job-check.h"
#include "otad-job-confirm.h"
#include "otad-job-download.h"
#include "otad-job-rollback.h"
#include "otad-job.h"
#include "otad-state.h"

/*
 * The end of every job, on the main thread: the job's outputs become the next
 * state (persisted before announced), or the error state with a name and a
 * message; a cancelled job returns to where it started.
 */

static void
otad_engine_after_check (OtadEngine *self, OtadJobCheck *job)
{
	otad_state_store_set_last_check_time (self->store,
					      (guint64)(g_get_real_time () / G_USEC_PER_SEC));
	if (job->target != NULL) {
		OtadUpdateInfo *info =
		    otad_update_info_new_from_target (job->target, self->settings->hardware_id);
		info->download_size = job->download_size;
		info->installed_size = job->installed_size;
		if (job->campaign_id != NULL) {
			g_free (info->campaign_id);
			info->campaign_id = g_strdup (job->campaign_id);
		}
		otad_engine_set_info (self, info);
		g_message ("update available: %s %s (%s), offer %s", self->info->name,
			   self->info->version, self->info->checksum, self->info->offer_id);
		otad_engine_transition (self,
					otad_engine_offer_after_check (self, self->check_automatic));
	} else {
		otad_engine_set_info (self, NULL);
		g_message ("no update");
		otad_engine_transition (self, OTA_STATE_IDLE);
	}
}

static void
otad_engine_after_confirm (OtadEngine *self, OtadJobConfirm *job)
{
	OtadBootConfirmResult *r = job->result;

	g_message ("boot confirmation: %s", otad_boot_confirm_outcome_to_string (r->outcome));
	switch (r->outcome) {
	case OTAD_BOOT_CONFIRM_AWAITING_REBOOT:
		otad_engine_transition (self, OTA_STATE_PENDING_REBOOT);
		break;
	case OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED:
		/* the old deployment is the default again and needs a reboot: the reboot
		 * policy decides when (otad-engine-schedule.c), never this */
		self->rollback_needs_reboot = r->reboot_requested;
		otad_engine_set_info (self, NULL);
		otad_engine_transition (self, OTA_STATE_ROLLED_BACK);
		break;
	case OTAD_BOOT_CONFIRM_ROLLBACK_COMPLETED:
	case OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK:
		otad_engine_set_info (self, NULL);
		otad_engine_transition (self, OTA_STATE_ROLLED_BACK);
		break;
	case OTAD_BOOT_CONFIRM_CONFIRMED:
		if (r->target_name != NULL) {
			g_autoptr(JsonNode) name =
			    json_node_init_string (json_node_alloc (), r->target_name);
			otad_state_store_set_field (self->store,
						    OTAD_ENGINE_FIELD_INSTALLED_TARGET, name);
		}
		otad_engine_set_info (self, NULL);
		otad_engine_transition (self, OTA_STATE_IDLE);
		break;
	case OTAD_BOOT_CONFIRM_DEPLOYMENT_GONE:
		/* an install killed before its deployment was written: the offer stays, and
		 * what it downloaded, so Install() goes on from there */
		otad_engine_resume_state (self);
		break;
	case OTAD_BOOT_CONFIRM_NOTHING_PENDING:
	default:
		otad_engine_transition (self, OTA_STATE_IDLE);
		break;
	}
}

static void
otad_engine_after_cancel (OtadEngine *self, OtadEngineJobKind kind)
{
	g_message ("%s cancelled", otad_engine_job_kind_to_string (kind));
	switch (kind) {
	case OTAD_ENGINE_JOB_INSTALL:
		otad_engine_transition (self, OTA_STATE_DOWNLOADED);
		break;
	case OTAD_ENGINE_JOB_CHECK:
	case OTAD_ENGINE_JOB_DOWNLOAD:
		otad_engine_transition (self, self->info != NULL ? OTA_STATE_UPDATE_AVAILABLE
								 : OTA_STATE_IDLE);
		break;
	default:
		otad_engine_transition (self, OTA_STATE_IDLE);
		break;
	}
}

/* the job succeeded: its outputs decide the next state; TRUE when it found an update */
static gboolean
otad_engine_after_success (OtadEngine *self, OtadEngineJobKind kind, gpointer data)
{
	switch (kind) {
	case OTAD_ENGINE_JOB_CHECK:
		otad_engine_after_check (self, data);
		/* an offer that stays quiet (declined, postponed) was not found for anyone */
		return self->info != NULL;
	case OTAD_ENGINE_JOB_DOWNLOAD: {
		OtadJobDownload *job = data;
		if (self->info != NULL && job->download_size > 0)
			self->info->download_size = job->download_size;
		otad_engine_set_info (self, otad_update_info_copy (self->info));
		otad_engine_progress_set_done (self);
		otad_engine_transition (self, self->install_after_download
						  ? OTA_STATE_DOWNLOADED
						  : otad_engine_offer_after_download (self));
		return FALSE;
	}
	case OTAD_ENGINE_JOB_INSTALL:
		otad_engine_progress_set_done (self);
		otad_engine_transition (self, OTA_STATE_PENDING_REBOOT);
		return FALSE;
	case OTAD_ENGINE_JOB_ROLLBACK:
		otad_engine_set_info (self, NULL);
		otad_engine_transition (self, ((OtadJobRollback *)data)->reboot_required
						  ? OTA_STATE_PENDING_REBOOT
						  : OTA_STATE_IDLE);
		return FALSE;
	case OTAD_ENGINE_JOB_CONFIRM:
		otad_engine_after_confirm (self, data);
		return FALSE;
	case OTAD_ENGINE_JOB_DISCARD:
		otad_engine_set_info (self, NULL);
		otad_engine_transition (self, OTA_STATE_IDLE);
		return FALSE;
	case OTAD_ENGINE_JOB_FLUSH:
	case OTAD_ENGINE_JOB_LAST:
	default:
		return FALSE;
	}
}

void
otad_engine_job_done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (source);
	gpointer data = otad_job_get_data (res);
	g_autoptr(GError) error = NULL;
	OtadEngineJobKind kind = self->running;
	gboolean ok = otad_job_finish (self, res, &error);
	gboolean found = FALSE;

	self->busy = FALSE;
	g_clear_handle_id (&self->progress_id, g_source_remove);
	if (kind == OTAD_ENGINE_JOB_DOWNLOAD)
		otad_engine_progress_publish (self);
	otad_engine_progress_end (self);
	/* the sysroot changed under the workers: the deployment roles are reloaded before
	 * the state moves, so whoever sees the new state reads the deployments it has */
	{
		g_autoptr(GError) error_local = NULL;
		if (!otad_sysroot_load (self->sysroot, NULL, &error_local))
			g_warning ("cannot reload the sysroot: %s", error_local->message);
	}
	if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		otad_engine_history_job_done (self, kind, data, error);
		otad_engine_after_cancel (self, kind);
	} else if (!ok) {
		otad_engine_history_job_done (self, kind, data, error);
		otad_engine_set_error (self, error);
		/* a failed confirmation runs again by itself, with a backoff */
		if (kind == OTAD_ENGINE_JOB_CONFIRM)
			otad_engine_schedule_confirm_retry (self);
	} else {
		if (kind == OTAD_ENGINE_JOB_CONFIRM)
			self->confirm_failures = 0;
		/* recorded before the state moves on: a front end that sees the state
		 * finds the entry; the check's offer is taken first */
		if (kind == OTAD_ENGINE_JOB_CHECK)
			found = otad_engine_after_success (self, kind, data);
		otad_engine_history_job_done (self, kind, data, NULL);
		if (kind != OTAD_ENGINE_JOB_CHECK)
			found = otad_engine_after_success (self, kind, data);
	}
	if (kind == OTAD_ENGINE_JOB_DOWNLOAD) {
		gboolean then_install = self->install_after_download;

		/* Install() in update-available: the download was its first half */
		self->install_after_download = FALSE;
		if (ok && then_install) {
			g_autoptr(GError) error_local = NULL;
			if (!otad_engine_start_job (self, OTAD_ENGINE_JOB_INSTALL, &error_local))
				otad_engine_set_error (self, error_local);
		}
	}
	self->check_automatic = FALSE;
	otad_engine_signals_job_result (self, kind, ok, error, found);
	/* last: a handler may start the next job (the poller's policy) */
	otad_engine_emit_job_finished (self, kind, ok, found);
}
