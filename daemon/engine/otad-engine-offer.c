/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-engine-private.h"
#include "otad-state.h"

/*
 * The offer and the answers to it.  A check that finds an update makes an offer
 * (OtadUpdateInfo with its offer id, a hash of what would be installed); the policy
 * decides where the engine waits for a person: `consent` waits in awaiting-consent after
 * the check (the download needs the consent), `download-only` after the download (the
 * install needs it), `automatic` does not wait and `manual` waits for explicit calls in
 * update-available and downloaded.
 *
 * Consent(offer-id) installs the offer (downloading it first when needed), Decline()
 * drops it (and its download) and keeps the automatic checks from offering it again,
 * Postpone(until) drops it until then.  Every answer names the offer id it answers: one
 * that is not the offer on show fails with StaleOffer, so a consent given to one update
 * never lets another in.  Declined and postponed offers are kept in the state store's
 * "consent" field and survive a restart.
 */

#define OTAD_ENGINE_FIELD_CONSENT "consent"
/* declined offers remembered, the oldest forgotten first */
#define OTAD_ENGINE_MAX_DECLINED 16
/* a postponement that ends while otad is busy: the check is tried again after this */
#define OTAD_ENGINE_POSTPONE_RETRY_S 30

/* the campaign's events for the answers (aktualizr's campaignAccept, campaignDecline and
 * campaignPostpone in sotauptaneclient.cc); sent with the next report flush */
static void
otad_engine_offer_report_campaign (OtadEngine *self, const gchar *action)
{
	const gchar *event = g_str_equal (action, "consent")   ? "campaign_accepted"
			     : g_str_equal (action, "decline") ? "campaign_declined"
			     : g_str_equal (action, "postpone") ? "campaign_postponed"
								 : NULL;
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(GError) error_local = NULL;
	OtadReporter *reporter;

	if (event == NULL || self->info->campaign_id == NULL || *self->info->campaign_id == '\0')
		return;
	reporter = otad_job_context_lock_reporter (self->ctx, &locker);
	if (reporter == NULL)
		return;
	if (!otad_reporter_queue_campaign_event (reporter, event, self->info->campaign_id,
						 &error_local))
		g_warning ("cannot report %s: %s", event, error_local->message);
	g_clear_pointer (&locker, g_mutex_locker_free);
	g_info ("%s for campaign %s", event, self->info->campaign_id);
}

/* the one place where answers are recorded: the log, the history (GetHistory) and the
 * server's campaign */
static void
otad_engine_offer_record (OtadEngine *self, const gchar *action, const gchar *detail)
{
	otad_engine_offer_report_campaign (self, action);
	g_message ("%s %s %s (offer %s)%s%s", action, self->info->name, self->info->version,
		   self->info->offer_id, detail != NULL ? ": " : "", detail != NULL ? detail : "");
	otad_engine_record_history (self, action, NULL, NULL);
	/* a decline or postponement starts no job that would send it */
	otad_engine_flush_reports (self);
}

/* -- persistence --------------------------------------------------------------- */

static void
otad_engine_offer_save (OtadEngine *self)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error_local = NULL;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "declined");
	json_builder_begin_array (b);
	for (guint i = 0; i < self->declined->len; i++)
		json_builder_add_string_value (b, g_ptr_array_index (self->declined, i));
	json_builder_end_array (b);
	if (self->postponed_offer != NULL) {
		json_builder_set_member_name (b, "postponed-offer");
		json_builder_add_string_value (b, self->postponed_offer);
		json_builder_set_member_name (b, "postponed-until");
		json_builder_add_int_value (b, (gint64)MIN (self->postponed_until,
							    (guint64)G_MAXINT64));
	}
	json_builder_end_object (b);
	node = json_builder_get_root (b);
	otad_state_store_set_field (self->store, OTAD_ENGINE_FIELD_CONSENT, node);
	if (!otad_state_store_save (self->store, &error_local))
		otad_engine_announce_unsaved (self, error_local);
}

static gboolean otad_engine_offer_postpone_cb (gpointer user_data);

static void
otad_engine_offer_arm_postponement (OtadEngine *self)
{
	guint64 now = (guint64)(g_get_real_time () / G_USEC_PER_SEC);
	guint64 delay;

	g_clear_handle_id (&self->postpone_id, g_source_remove);
	if (self->postponed_offer == NULL)
		return;
	delay = self->postponed_until > now ? self->postponed_until - now : 0;
	self->postpone_id = g_timeout_add_seconds ((guint)MIN (delay, (guint64)G_MAXUINT32),
						   otad_engine_offer_postpone_cb, self);
}

/* the postponement ended: the offer is shown again (a check finds it) */
static gboolean
otad_engine_offer_postpone_cb (gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);
	g_autoptr(GError) error_local = NULL;

	self->postpone_id = 0;
	if (self->postponed_offer == NULL)
		return G_SOURCE_REMOVE;
	g_info ("the postponement of offer %s ended", self->postponed_offer);
	g_clear_pointer (&self->postponed_offer, g_free);
	self->postponed_until = 0;
	otad_engine_offer_save (self);
	if (!otad_engine_run_op (self, OTAD_ENGINE_OP_CHECK, &error_local)) {
		g_info ("checking for the postponed offer later: %s", error_local->message);
		self->postpone_id = g_timeout_add_seconds (OTAD_ENGINE_POSTPONE_RETRY_S,
							   otad_engine_offer_postpone_cb, self);
		/* the next try is a plain check: nothing is postponed any more */
	}
	return G_SOURCE_REMOVE;
}

void
otad_engine_offer_load (OtadEngine *self)
{
	JsonNode *node = otad_state_store_get_field (self->store, OTAD_ENGINE_FIELD_CONSENT);
	JsonObject *obj;
	JsonArray *declined;

	self->declined = g_ptr_array_new_with_free_func (g_free);
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
		return;
	obj = json_node_get_object (node);
	declined = json_object_has_member (obj, "declined") &&
			   JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "declined"))
		       ? json_object_get_array_member (obj, "declined")
		       : NULL;
	for (guint i = 0; declined != NULL && i < json_array_get_length (declined); i++) {
		JsonNode *id = json_array_get_element (declined, i);
		if (JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
			g_ptr_array_add (self->declined, g_strdup (json_node_get_string (id)));
	}
	self->postponed_offer = g_strdup (
	    json_object_get_string_member_with_default (obj, "postponed-offer", NULL));
	self->postponed_until =
	    (guint64)MAX (json_object_get_int_member_with_default (obj, "postponed-until", 0), 0);
	otad_engine_offer_arm_postponement (self);
}

void
otad_engine_offer_clear (OtadEngine *self)
{
	g_clear_handle_id (&self->postpone_id, g_source_remove);
	g_clear_pointer (&self->declined, g_ptr_array_unref);
	g_clear_pointer (&self->postponed_offer, g_free);
}

/* -- the offer id ---------------------------------------------------------------- */

static gboolean
otad_engine_offer_needs_id (OtadEngineOp op)
{
	return op == OTAD_ENGINE_OP_CONSENT || op == OTAD_ENGINE_OP_DECLINE ||
	       op == OTAD_ENGINE_OP_POSTPONE;
}

/**
 * otad_engine_check_args:
 *
 * The state guard of @op (otad_engine_can()), then the offer it names: a call bound to
 * an offer that is not the one on show fails with %OTA_ERROR_STALE_OFFER.
 */
gboolean
otad_engine_check_args (OtadEngine *self,
			OtadEngineOp op,
			const OtadEngineOpArgs *args,
			GError **error)
{
	const gchar *offer_id = args != NULL ? args->offer_id : NULL;

	if (!otad_engine_can (self, op, error))
		return FALSE;
	if (op == OTAD_ENGINE_OP_DISCARD && !otad_engine_offer_downloaded (self)) {
		otad_state_set_wrong_state_error (error, "Discard() (nothing downloaded)",
						  otad_engine_get_state (self));
		return FALSE;
	}
	if ((offer_id == NULL || *offer_id == '\0') && otad_engine_offer_needs_id (op)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("%s needs the offer id (UpdateInfo's offer-id)"),
		             otad_engine_op_to_method (op));
		return FALSE;
	}
	if (offer_id != NULL && *offer_id != '\0' &&
	    (self->info == NULL || g_strcmp0 (self->info->offer_id, offer_id) != 0)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_STALE_OFFER,
		             _("The offer %s is not on offer any more (the offer now is %s)"),
		             offer_id, self->info != NULL ? self->info->offer_id : "none");
		return FALSE;
	}
	if (op == OTAD_ENGINE_OP_POSTPONE &&
	    args->until <= (guint64)(g_get_real_time () / G_USEC_PER_SEC)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		                     _("Postpone() needs a time in the future"));
		return FALSE;
	}
	return TRUE;
}

/* -- where the policy waits ------------------------------------------------------- */

/* the offer's commit is complete in the repo */
gboolean
otad_engine_offer_downloaded (OtadEngine *self)
{
	OstreeRepo *repo = ostree_sysroot_repo (otad_sysroot_get_ostree (self->sysroot));
	g_autoptr(GVariant) commit = NULL;
	OstreeRepoCommitState state = 0;

	if (self->info == NULL ||
	    !ostree_repo_load_commit (repo, self->info->checksum, &commit, &state, NULL))
		return FALSE;
	return (state & OSTREE_REPO_COMMIT_STATE_PARTIAL) == 0;
}

static gboolean
otad_engine_offer_is_quiet (OtadEngine *self)
{
	const gchar *id = self->info->offer_id;

	for (guint i = 0; i < self->declined->len; i++) {
		if (g_strcmp0 (g_ptr_array_index (self->declined, i), id) == 0) {
			g_message ("not offering %s again: it was declined", self->info->name);
			return TRUE;
		}
	}
	if (g_strcmp0 (self->postponed_offer, id) == 0) {
		g_message ("not offering %s before %" G_GUINT64_FORMAT ": it was postponed",
			   self->info->name, self->postponed_until);
		return TRUE;
	}
	return FALSE;
}

/**
 * otad_engine_offer_after_check:
 * @automatic: the poller's check: declined and postponed offers stay quiet (an explicit
 *   Check() shows them, someone asked)
 *
 * Returns: the state after a check that found the offer now in self->info; the offer is
 *   dropped when it stays quiet
 */
OtaState
otad_engine_offer_after_check (OtadEngine *self, gboolean automatic)
{
	const gchar *policy = otad_engine_get_policy (self);

	if (automatic && otad_engine_offer_is_quiet (self)) {
		otad_engine_set_info (self, NULL);
		return OTA_STATE_IDLE;
	}
	if (g_strcmp0 (policy, "consent") == 0)
		return OTA_STATE_AWAITING_CONSENT;
	if (g_strcmp0 (policy, "download-only") == 0 && otad_engine_offer_downloaded (self))
		return OTA_STATE_AWAITING_CONSENT;
	return OTA_STATE_UPDATE_AVAILABLE;
}

/* Returns: the state after a download that no install follows */
OtaState
otad_engine_offer_after_download (OtadEngine *self)
{
	if (g_strcmp0 (otad_engine_get_policy (self), "download-only") == 0)
		return OTA_STATE_AWAITING_CONSENT;
	return OTA_STATE_DOWNLOADED;
}

/* -- the answers ------------------------------------------------------------------ */

/* Install(), and Consent(): what is not downloaded yet is downloaded first */
gboolean
otad_engine_offer_install (OtadEngine *self, gboolean download_only, GError **error)
{
	if (otad_engine_get_state (self) != OTA_STATE_DOWNLOADED &&
	    !otad_engine_offer_downloaded (self)) {
		if (!otad_engine_start_job (self, OTAD_ENGINE_JOB_DOWNLOAD, error))
			return FALSE;
		self->install_after_download = !download_only;
		return TRUE;
	}
	/* downloaded before (a restart, a postponement): installing starts from downloaded */
	otad_engine_transition (self, OTA_STATE_DOWNLOADED);
	if (download_only)
		return TRUE;
	return otad_engine_start_job (self, OTAD_ENGINE_JOB_INSTALL, error);
}

gboolean
otad_engine_offer_consent (OtadEngine *self, gboolean download_only, GError **error)
{
	if (!otad_engine_offer_install (self, download_only, error))
		return FALSE;
	otad_engine_offer_record (self, "consent", download_only ? _("download only") : NULL);
	return TRUE;
}

gboolean
otad_engine_offer_decline (OtadEngine *self, GError **error)
{
	gboolean downloaded = otad_engine_offer_downloaded (self);

	otad_engine_offer_record (self, "decline", NULL);
	g_ptr_array_add (self->declined, g_strdup (self->info->offer_id));
	while (self->declined->len > OTAD_ENGINE_MAX_DECLINED)
		g_ptr_array_remove_index (self->declined, 0);
	otad_engine_offer_save (self);
	/* what was fetched for it goes too: nobody wants it */
	if (downloaded)
		return otad_engine_start_job (self, OTAD_ENGINE_JOB_DISCARD, error);
	otad_engine_set_info (self, NULL);
	otad_engine_transition (self, OTA_STATE_IDLE);
	return TRUE;
}

gboolean
otad_engine_offer_postpone (OtadEngine *self, guint64 until, GError **error)
{
	g_autoptr(GDateTime) when =
	    g_date_time_new_from_unix_local ((gint64)MIN (until, (guint64)G_MAXINT64));
	g_autofree gchar *when_str = when != NULL ? g_date_time_format_iso8601 (when) : NULL;
	g_autofree gchar *detail =
	    g_strdup_printf (_("until %s"), when_str != NULL ? when_str : "?");

	otad_engine_offer_record (self, "postpone", detail);
	g_free (self->postponed_offer);
	self->postponed_offer = g_strdup (self->info->offer_id);
	self->postponed_until = until;
	otad_engine_offer_save (self);
	otad_engine_offer_arm_postponement (self);
	/* a download stays in the repo: the offer comes back at the same commit */
	otad_engine_set_info (self, NULL);
	otad_engine_transition (self, OTA_STATE_IDLE);
	return TRUE;
}

gboolean
otad_engine_offer_discard (OtadEngine *self, GError **error)
{
	otad_engine_offer_record (self, "discard", NULL);
	return otad_engine_start_job (self, OTAD_ENGINE_JOB_DISCARD, error);
}
