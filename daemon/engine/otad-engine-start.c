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
	(void)otad_engine_start_job (self, OTAD_ENGINE_JOB_FLUSH, NULL);
}

static gboolean
otad_engine_flush_timeout_cb (gpointer user_data)
{
	otad_engine_flush_reports (OTAD_ENGINE (user_data));
	return G_SOURCE_CONTINUE;
}

/* -- confirmation retries ---------------------------------------------------------------- */

/* a confirmation that failed runs again: first after this, doubling up to the cap */
#define OTAD_ENGINE_CONFIRM_RETRY_FIRST_S 3
#define OTAD_ENGINE_CONFIRM_RETRY_MAX_S	  300

static gboolean
otad_engine_confirm_retry_cb (gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);
	g_autoptr(GError) error_local = NULL;

	self->confirm_retry_id = 0;
	/* someone moved on from the error (a Rollback(), a Check()): they decide now */
	if (otad_engine_get_state (self) != OTA_STATE_ERROR)
		return G_SOURCE_REMOVE;
	if (self->busy) {
		self->confirm_retry_id =
		    g_timeout_add_seconds (1, otad_engine_confirm_retry_cb, self);
		return G_SOURCE_REMOVE;
	}
	g_message ("confirming the boot again (attempt %u)", self->confirm_failures + 1);
	if (!otad_engine_start_job (self, OTAD_ENGINE_JOB_CONFIRM, &error_local))
		g_warning ("cannot confirm: %s", error_local->message);
	return G_SOURCE_REMOVE;
}

/* after a failed confirmation: B must be marked good without a restart once the
 * cause (a full state disk, a bootloader tool) is gone */
void
otad_engine_schedule_confirm_retry (OtadEngine *self)
{
	guint shift = MIN (self->confirm_failures, 16u);
	guint delay = MIN ((guint)OTAD_ENGINE_CONFIRM_RETRY_FIRST_S << shift,
			   (guint)OTAD_ENGINE_CONFIRM_RETRY_MAX_S);

	self->confirm_failures++;
	g_clear_handle_id (&self->confirm_retry_id, g_source_remove);
	g_info ("confirmation failed %u times: trying again in %u s", self->confirm_failures,
		delay);
	self->confirm_retry_id = g_timeout_add_seconds (delay, otad_engine_confirm_retry_cb, self);
}

/* -- start-up -------------------------------------------------------------------- */

/* the update on offer is what runs now: confirmed before a kill took the rest */
static gboolean
otad_engine_offer_is_booted (OtadEngine *self)
{
	OstreeDeployment *booted =
	    otad_sysroot_get_deployment (self->sysroot, OTAD_SYSROOT_ROLE_BOOTED);

	return self->info != NULL && booted != NULL &&
	       g_strcmp0 (ostree_deployment_get_csum (booted), self->info->checksum) == 0;
}

/* a killed daemon may have left a busy state behind: what it means now */
void
otad_engine_resume_state (OtadEngine *self)
{
	OtaState fallback;
	gboolean downloaded;

	if (otad_engine_offer_is_booted (self)) {
		g_autoptr(JsonNode) name =
		    json_node_init_string (json_node_alloc (), self->info->name);
		g_info ("%s runs and nothing waits for confirmation: the update is done",
			self->info->checksum);
		if (self->info->name != NULL)
			otad_state_store_set_field (self->store, OTAD_ENGINE_FIELD_INSTALLED_TARGET,
						    name);
		otad_engine_set_info (self, NULL);
		otad_engine_force_state (self, OTA_STATE_IDLE);
		return;
	}
	fallback = self->info != NULL ? OTA_STATE_UPDATE_AVAILABLE : OTA_STATE_IDLE;
	downloaded = otad_engine_offer_downloaded (self);

	switch (otad_engine_get_state (self)) {
	case OTA_STATE_CHECKING:
	case OTA_STATE_DOWNLOADING:
		/* what a download fetched stays in the repo: the next one resumes */
		otad_engine_force_state (self, fallback);
		break;
	case OTA_STATE_AWAITING_CONSENT:
		/* the offer still waits for its answer */
		if (self->info == NULL)
			otad_engine_force_state (self, OTA_STATE_IDLE);
		break;
	case OTA_STATE_DOWNLOADED:
	case OTA_STATE_INSTALLING:
		/* no pending install recorded: the deployment never happened */
		otad_engine_force_state (self, downloaded ? OTA_STATE_DOWNLOADED : fallback);
		break;
	case OTA_STATE_PENDING_REBOOT:
	case OTA_STATE_CONFIRMING:
		/* no install pending: an offer downloaded before is still there */
		otad_engine_force_state (self, downloaded ? OTA_STATE_DOWNLOADED : fallback);
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

	/* before the confirmation records its outcome: an older history is imported */
	otad_engine_history_open (self);
	record = otad_job_context_load_record (self->ctx, &error_local);
	if (record != NULL && otad_boot_record_was_recovered (record))
		self->rebuild_record = TRUE;
	if (record == NULL) {
		/* the state directory itself failed: confirming retries until it works */
		otad_engine_set_error (self, error_local);
		otad_engine_schedule_confirm_retry (self);
	} else if (otad_boot_record_get_pending (record) != NULL || self->rebuild_record) {
		g_clear_error (&error_local);
		if (!otad_engine_start_job (self, OTAD_ENGINE_JOB_CONFIRM, &error_local))
			otad_engine_set_error (self, error_local);
	} else {
		/* the record is whole and nothing waits: a step it finished that the log
		 * lacks (otad killed in between) goes into the log now */
		otad_engine_history_catch_up (self);
		otad_engine_resume_state (self);
	}
	otad_engine_schedule_start (self);
	if (otad_job_context_has_reporter (self->ctx)) {
		self->flush_id = g_timeout_add_seconds_full (G_PRIORITY_LOW,
							     OTAD_ENGINE_FLUSH_INTERVAL_S,
							     otad_engine_flush_timeout_cb, self, NULL);
		otad_engine_flush_reports (self);
	}
}
