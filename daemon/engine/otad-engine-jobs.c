/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-engine-private.h"
#include "otad-job-check.h"
#include "otad-job-confirm.h"
#include "otad-job-discard.h"
#include "otad-job-download.h"
#include "otad-job-install.h"
#include "otad-job-report.h"
#include "otad-job-rollback.h"
#include "otad-job.h"
#include "otad-state.h"

/*
 * Starting a job: its inputs copied into the job's own struct on the main
 * thread, a fresh cancellable, the busy state saved before it is announced,
 * then the worker (otad-job.c); otad-engine-finish.c takes it from there.
 */

static OtaState
otad_engine_busy_state (OtadEngineJobKind kind)
{
	switch (kind) {
	case OTAD_ENGINE_JOB_CHECK:
		return OTA_STATE_CHECKING;
	case OTAD_ENGINE_JOB_DOWNLOAD:
		return OTA_STATE_DOWNLOADING;
	case OTAD_ENGINE_JOB_INSTALL:
	case OTAD_ENGINE_JOB_ROLLBACK:
		return OTA_STATE_INSTALLING;
	case OTAD_ENGINE_JOB_CONFIRM:
		return OTA_STATE_CONFIRMING;
	case OTAD_ENGINE_JOB_DISCARD: /* the state stays until it is done */
	case OTAD_ENGINE_JOB_FLUSH:
	case OTAD_ENGINE_JOB_LAST:
	default:
		return OTA_STATE_LAST;
	}
}

static gchar *
otad_engine_dup_installed_target (OtadEngine *self)
{
	JsonNode *node = otad_state_store_get_field (self->store, OTAD_ENGINE_FIELD_INSTALLED_TARGET);

	if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
	    json_node_get_value_type (node) == G_TYPE_STRING)
		return g_strdup (json_node_get_string (node));
	return NULL;
}

/* each job's own closure (engine/jobs/), with its inputs copied on this thread */
static gpointer
otad_engine_job_prepare (OtadEngine *self, OtadEngineJobKind kind, OtadJobFunc *out_func,
			 GDestroyNotify *out_free)
{
	g_autofree gchar *installed = otad_engine_dup_installed_target (self);

	switch (kind) {
	case OTAD_ENGINE_JOB_CHECK: {
		OtadJobCheck *job = otad_job_check_new (self->ctx);
		if (self->info != NULL) {
			job->known_checksum = g_strdup (self->info->checksum);
			job->known_download_size = self->info->download_size;
			job->known_installed_size = self->info->installed_size;
			job->known_campaign_id = g_strdup (self->info->campaign_id);
		}
		*out_func = otad_job_check_run;
		*out_free = (GDestroyNotify)otad_job_check_free;
		return job;
	}
	case OTAD_ENGINE_JOB_DOWNLOAD: {
		OtadJobDownload *job = otad_job_download_new (self->ctx, self->info);
		job->progress_func = otad_engine_progress_from_worker;
		job->progress_data = self;
		*out_func = otad_job_download_run;
		*out_free = (GDestroyNotify)otad_job_download_free;
		return job;
	}
	case OTAD_ENGINE_JOB_INSTALL:
		*out_func = otad_job_install_run;
		*out_free = (GDestroyNotify)otad_job_install_free;
		return otad_job_install_new (self->ctx, self->info, installed);
	case OTAD_ENGINE_JOB_ROLLBACK:
		*out_func = otad_job_rollback_run;
		*out_free = (GDestroyNotify)otad_job_rollback_free;
		return otad_job_rollback_new (self->ctx);
	case OTAD_ENGINE_JOB_CONFIRM:
		*out_func = otad_job_confirm_run;
		*out_free = (GDestroyNotify)otad_job_confirm_free;
		return otad_job_confirm_new (self->ctx, installed);
	case OTAD_ENGINE_JOB_DISCARD:
		*out_func = otad_job_discard_run;
		*out_free = (GDestroyNotify)otad_job_discard_free;
		return otad_job_discard_new (self->ctx, self->info->checksum);
	case OTAD_ENGINE_JOB_FLUSH:
		*out_func = otad_job_report_run;
		*out_free = g_object_unref;
		return g_object_ref (self->ctx);
	case OTAD_ENGINE_JOB_LAST:
	default:
		g_assert_not_reached ();
	}
}

static void
otad_engine_flush_done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (source);
	g_autoptr(GError) error = NULL;

	self->flushing = FALSE;
	if (!otad_job_finish (self, res, &error))
		g_info ("report flush: %s", error->message);
}

/**
 * otad_engine_start_job:
 *
 * Starts @kind after persisting its busy state; when the state cannot be saved (a
 * full or failing state disk) nothing starts and @error says why, naming the file.
 *
 * Returns: %TRUE when the job runs
 */
gboolean
otad_engine_start_job (OtadEngine *self, OtadEngineJobKind kind, GError **error)
{
	OtaState busy_state = otad_engine_busy_state (kind);
	OtadJobFunc func = NULL;
	GDestroyNotify free_func = NULL;
	gpointer job;

	g_return_val_if_fail (kind == OTAD_ENGINE_JOB_FLUSH || !self->busy, FALSE);
	if ((kind == OTAD_ENGINE_JOB_DOWNLOAD || kind == OTAD_ENGINE_JOB_INSTALL ||
	     kind == OTAD_ENGINE_JOB_DISCARD) &&
	    self->info == NULL) {
		/* TRANSLATORS: otad's error */
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("no update on offer"));
		return FALSE;
	}
	/* outside its window, or on a metered connection: it waits (otad-engine-schedule.c) */
	if ((kind == OTAD_ENGINE_JOB_DOWNLOAD || kind == OTAD_ENGINE_JOB_INSTALL) &&
	    otad_engine_schedule_defer (self, kind))
		return TRUE;
	/* an install waits while inhibited; anything else asked for replaces it */
	if (kind == OTAD_ENGINE_JOB_INSTALL && otad_engine_defer_install (self))
		return TRUE;
	if (kind != OTAD_ENGINE_JOB_FLUSH && kind != OTAD_ENGINE_JOB_INSTALL)
		otad_engine_drop_waiting_install (self);
	if (kind == OTAD_ENGINE_JOB_CHECK || kind == OTAD_ENGINE_JOB_ROLLBACK)
		otad_engine_schedule_clear (self);
	job = otad_engine_job_prepare (self, kind, &func, &free_func);
	if (kind == OTAD_ENGINE_JOB_FLUSH) {
		self->flushing = TRUE;
		otad_job_run (self, "flush", func, job, free_func, NULL, otad_engine_flush_done_cb,
			      NULL);
		return TRUE;
	}
	/* the previous Cancel() cancelled the old one; every job gets a fresh one */
	g_clear_object (&self->cancellable);
	self->cancellable = g_cancellable_new ();
	/* an install keeps showing what its download fetched */
	if (kind == OTAD_ENGINE_JOB_DOWNLOAD)
		otad_engine_progress_reset (self);
	/* persisted before announced (otad-state) */
	if (kind == OTAD_ENGINE_JOB_CONFIRM) {
		/* confirming must go on even when the state disk is full: it retries */
		g_clear_handle_id (&self->confirm_retry_id, g_source_remove);
		((OtadJobConfirm *)job)->rebuild = self->rebuild_record;
		if (self->rebuild_record)
			((OtadJobConfirm *)job)->remembered = otad_engine_history_last_install (self);
		self->rebuild_record = FALSE;
		otad_engine_force_state (self, busy_state);
	} else if (kind == OTAD_ENGINE_JOB_DISCARD) {
		/* no state of its own: the downloaded state stays until the ref is gone */
	} else if (kind == OTAD_ENGINE_JOB_ROLLBACK &&
		   otad_engine_get_state (self) == OTA_STATE_UPDATE_AVAILABLE &&
		   !otad_state_transition (self->store, OTA_STATE_IDLE, error)) {
		/* the offer is abandoned first: a rollback is no step forward */
		free_func (job);
		return FALSE;
	} else if (!otad_state_transition (self->store, busy_state, error)) {
		free_func (job);
		return FALSE;
	}
	self->busy = TRUE;
	self->running = kind;
	otad_engine_progress_begin (self, kind);
	otad_job_run (self, otad_engine_job_kind_to_string (kind), func, job, free_func,
		      self->cancellable, otad_engine_job_done_cb, NULL);
	return TRUE;
}

/* -- what a caller asks for --------------------------------------------------- */

/**
 * otad_engine_run_op_args:
 * @args: (nullable): the offer the caller means and the call's options
 *
 * Starts @op after checking the state and the offer id again (polkit may have taken a
 * while).  Returns as soon as the job runs; its outcome arrives through the state and
 * "job-result".
 */
gboolean
otad_engine_run_op_args (OtadEngine *self,
			 OtadEngineOp op,
			 const OtadEngineOpArgs *args,
			 GError **error)
{
	static const OtadEngineOpArgs no_args = {NULL, 0, FALSE, FALSE};

	if (args == NULL)
		args = &no_args;
	if (!otad_engine_check_args (self, op, args, error))
		return FALSE;
	switch (op) {
	case OTAD_ENGINE_OP_CHECK:
		self->check_automatic = args->automatic;
		return otad_engine_start_job (self, OTAD_ENGINE_JOB_CHECK, error);
	case OTAD_ENGINE_OP_DOWNLOAD:
		return otad_engine_start_job (self, OTAD_ENGINE_JOB_DOWNLOAD, error);
	case OTAD_ENGINE_OP_INSTALL:
		return otad_engine_offer_install (self, FALSE, error);
	case OTAD_ENGINE_OP_CANCEL:
		g_info ("cancelling %s", otad_engine_job_kind_to_string (self->running));
		self->install_after_download = FALSE;
		g_cancellable_cancel (self->cancellable);
		return TRUE;
	case OTAD_ENGINE_OP_ROLLBACK:
		return otad_engine_start_job (self, OTAD_ENGINE_JOB_ROLLBACK, error);
	case OTAD_ENGINE_OP_CONSENT:
		return otad_engine_offer_consent (self, args->download_only, error);
	case OTAD_ENGINE_OP_DECLINE:
		return otad_engine_offer_decline (self, error);
	case OTAD_ENGINE_OP_POSTPONE:
		return otad_engine_offer_postpone (self, args->until, error);
	case OTAD_ENGINE_OP_DISCARD:
		return otad_engine_offer_discard (self, error);
	case OTAD_ENGINE_OP_LAST:
	default:
		g_assert_not_reached ();
	}
}

gboolean
otad_engine_run_op (OtadEngine *self, OtadEngineOp op, GError **error)
{
	return otad_engine_run_op_args (self, op, NULL, error);
}
