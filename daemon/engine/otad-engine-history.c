/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-engine-private.h"
#include "otad-history-log.h"
#include "otad-job-check.h"
#include "otad-job-confirm.h"
#include "otad-job-rollback.h"

/*
 * What the history log (otad-history-log.c) records: each job's outcome as it
 * ends on the main thread (a check only when it found an update or failed), with
 * the offer it was about and the error's D-Bus name and message; other parts of
 * otad (consent) record their steps with otad_engine_record_history().  A log
 * that cannot be written costs a warning, never the update.
 */

/* opened on first use; NULL while the state directory refuses it (tried again) */
static OtadHistoryLog *
otad_engine_history_log (OtadEngine *self)
{
	g_autofree gchar *path = NULL;
	g_autoptr(GError) error_local = NULL;

	if (self->history != NULL)
		return self->history;
	path = g_build_filename (self->settings->state_dir, OTAD_HISTORY_LOG_FILENAME, NULL);
	self->history = otad_history_log_open (path, self->settings->history_max_entries,
					       &error_local);
	if (self->history == NULL) {
		g_warning ("no history for now: %s", error_local->message);
		return NULL;
	}
	if (otad_history_log_was_created (self->history))
		otad_history_import_boot_record (self->history, self->settings->state_dir);
	return self->history;
}

void
otad_engine_history_open (OtadEngine *self)
{
	(void)otad_engine_history_log (self);
}

/* after a job, before malloc_trim: what SQLite caches is read again when needed */
void
otad_engine_release_memory (OtadEngine *self)
{
	otad_history_log_release_memory (self->history);
}

void
otad_engine_history_catch_up (OtadEngine *self)
{
	if (otad_engine_history_log (self) != NULL)
		otad_history_import_catch_up (self->history, self->settings->state_dir);
}

static void
otad_engine_history_append (OtadEngine *self, OtadHistoryRecord *r, const GError *error)
{
	g_autoptr(GError) converted = NULL;
	g_autoptr(GError) error_local = NULL;
	OtadHistoryLog *log = otad_engine_history_log (self);

	if (error != NULL) {
		converted = g_error_copy (error);
		ota_error_convert (&converted);
		r->error_name = ota_error_to_dbus_name ((OtaError)converted->code);
		r->error_message = converted->message;
		if (r->result == NULL)
			r->result = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
					? OTAD_HISTORY_CANCELLED
					: OTAD_HISTORY_FAILED;
	}
	if (log != NULL && !otad_history_log_append (log, r, &error_local))
		g_warning ("not in the history: %s %s: %s", r->action, r->result,
			   error_local->message);
}

/* the offer an entry is about: the one on offer now */
static void
otad_engine_history_fill_offer (OtadEngine *self, OtadHistoryRecord *r)
{
	if (self->info == NULL)
		return;
	r->name = self->info->name;
	r->version = self->info->version;
	r->commit = self->info->checksum;
	r->correlation_id = self->info->correlation_id;
	r->offer_id = self->info->offer_id;
}

/**
 * otad_engine_record_history:
 * @action: what happened (the XML's GetHistory actions: consent, decline, ...)
 * @result: (nullable): succeeded, failed or cancelled; %NULL: from @error
 * @error: (nullable): why it failed
 *
 * Records a step about the update on offer now.
 */
void
otad_engine_record_history (OtadEngine *self,
			    const gchar *action,
			    const gchar *result,
			    const GError *error)
{
	OtadHistoryRecord r = {.action = action, .result = result};

	g_return_if_fail (OTAD_IS_ENGINE (self));
	if (r.result == NULL && error == NULL)
		r.result = OTAD_HISTORY_SUCCEEDED;
	otad_engine_history_fill_offer (self, &r);
	otad_engine_history_append (self, &r, error);
}

static void
otad_engine_history_confirmed (OtadEngine *self, const OtadBootConfirmResult *c)
{
	OtadHistoryRecord r = {
	    .name = c->target_name,
	    .version = c->version,
	    .commit = c->commit,
	    .correlation_id = c->correlation_id,
	    .detail = c->detail,
	};
	g_autoptr(GError) failure = NULL;

	switch (c->outcome) {
	case OTAD_BOOT_CONFIRM_CONFIRMED:
		r.action = "confirm";
		r.result = OTAD_HISTORY_SUCCEEDED;
		break;
	case OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED:
		r.action = "health-check-failed";
		failure = g_error_new_literal (OTA_ERROR, OTA_ERROR_HEALTH_CHECK,
		                               c->detail != NULL ? c->detail
		                                                 : _("a health check failed"));
		break;
	case OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK:
		r.action = "bootloader-rollback";
		failure = g_error_new_literal (OTA_ERROR, OTA_ERROR_HEALTH_CHECK,
		                               c->detail != NULL ? c->detail
		                                                 : _("the bootloader fell back"));
		break;
	case OTAD_BOOT_CONFIRM_ROLLBACK_COMPLETED:
		/* the previous deployment runs again and the failed one is gone */
		r.action = "rollback";
		r.result = OTAD_HISTORY_SUCCEEDED;
		break;
	case OTAD_BOOT_CONFIRM_NOTHING_PENDING:
	case OTAD_BOOT_CONFIRM_AWAITING_REBOOT:
	case OTAD_BOOT_CONFIRM_DEPLOYMENT_GONE:
	default:
		/* nothing was decided now; a step decided by an otad killed before it logged
		 * it is still in the boot record, which this job has just read (and rebuilt
		 * when it was damaged): the log takes it from there */
		otad_engine_history_catch_up (self);
		return;
	}
	otad_engine_history_append (self, &r, failure);
}

/**
 * otad_engine_history_job_done:
 * @data: the job's struct (its outputs)
 * @error: (nullable): why it failed or that it was cancelled
 *
 * Records a finished job, after the engine took its outputs (a check's offer is
 * the engine's by then).
 */
void
otad_engine_history_job_done (OtadEngine *self,
			      OtadEngineJobKind kind,
			      gpointer data,
			      const GError *error)
{
	OtadHistoryRecord r = {.action = otad_engine_job_kind_to_string (kind)};

	if (kind == OTAD_ENGINE_JOB_FLUSH)
		return;
	if (error == NULL) {
		r.result = OTAD_HISTORY_SUCCEEDED;
		/* a check without an offer (or with one declined or postponed, which stays
		 * quiet) is no step of an update */
		if (kind == OTAD_ENGINE_JOB_CHECK &&
		    (((OtadJobCheck *)data)->target == NULL || self->info == NULL))
			return;
		if (kind == OTAD_ENGINE_JOB_DISCARD)
			return; /* the answer that started it is recorded (otad-engine-offer.c) */
		if (kind == OTAD_ENGINE_JOB_CONFIRM) {
			otad_engine_history_confirmed (self, ((OtadJobConfirm *)data)->result);
			return;
		}
	}
	if (kind == OTAD_ENGINE_JOB_ROLLBACK) {
		OtadJobRollback *job = data;
		r.commit = error == NULL ? job->from_commit : NULL;
		r.detail = error == NULL && job->reboot_required
			       ? "the previous deployment runs after the next reboot"
			       : NULL;
	} else if (kind != OTAD_ENGINE_JOB_CONFIRM && !(kind == OTAD_ENGINE_JOB_CHECK && error)) {
		otad_engine_history_fill_offer (self, &r);
	}
	if (error != NULL && r.detail == NULL)
		r.detail = error->message;
	otad_engine_history_append (self, &r, error);
}

/* Returns: (transfer floating): aa{sv}, newest first (the GetHistory reply) */
GVariant *
otad_engine_get_history (OtadEngine *self, guint limit, guint64 since, GError **error)
{
	OtadHistoryLog *log = otad_engine_history_log (self);

	if (log == NULL)
		return g_variant_new_array (G_VARIANT_TYPE_VARDICT, NULL, 0);
	return otad_history_log_query (log, limit, since, error);
}

/* the actions of otad_engine_history_confirmed() that decide an install's outcome */
static const gchar *const otad_engine_history_decisions[] = {
    "confirm", "health-check-failed", "bootloader-rollback", "rollback", NULL};

/**
 * otad_engine_history_last_install:
 *
 * The newest install the log has, when it succeeded and nothing decided its outcome
 * since: what a boot record rebuilt from the sysroot cannot know (that it waits for
 * its outcome although the bootloader was told already, the campaign's correlation
 * id, the target's name and version), for the rebuild to take over when the commit is
 * the same.
 *
 * Returns: (transfer full) (nullable): the install, or %NULL
 */
OtadBootPending *
otad_engine_history_last_install (OtadEngine *self)
{
	OtadHistoryLog *log = otad_engine_history_log (self);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) entries = NULL;
	GVariantIter iter;
	GVariant *entry;

	if (log == NULL)
		return NULL;
	/* newest first; a few steps after the install at most (confirm, flush) */
	entries = g_variant_ref_sink (otad_history_log_query (log, 16, 0, &error_local));
	if (entries == NULL) {
		g_warning ("the history log: %s", error_local->message);
		return NULL;
	}
	g_variant_iter_init (&iter, entries);
	while ((entry = g_variant_iter_next_value (&iter)) != NULL) {
		g_autoptr(GVariant) owned = entry;
		const gchar *action = NULL;
		const gchar *commit = NULL;
		const gchar *text = NULL;
		gboolean success = FALSE;
		OtadBootPending *pending;

		if (!g_variant_lookup (entry, "action", "&s", &action))
			continue;
		/* decided after it was installed: nothing of it waits any more */
		if (g_strv_contains (otad_engine_history_decisions, action))
			return NULL;
		if (g_strcmp0 (action, "install") != 0)
			continue;
		if (!g_variant_lookup (entry, "success", "b", &success) || !success ||
		    !g_variant_lookup (entry, "commit", "&s", &commit) || *commit == '\0')
			return NULL;
		pending = otad_boot_pending_new (commit, NULL, NULL);
		if (g_variant_lookup (entry, "correlation-id", "&s", &text) && *text != '\0')
			pending->correlation_id = g_strdup (text);
		if (g_variant_lookup (entry, "name", "&s", &text) && *text != '\0')
			pending->target_name = g_strdup (text);
		if (g_variant_lookup (entry, "version", "&s", &text) && *text != '\0')
			pending->version = g_strdup (text);
		return pending;
	}
	return NULL;
}
