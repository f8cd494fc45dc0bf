/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-engine-private.h"

/*
 * The two signals a front end follows instead of guessing from properties (the bus sends
 * them as StateChanged and JobFinished):
 *
 * "state-changed" (s state, a{sv} details): after the new state is on disk, once per
 * change; details: "previous" (s), "offer-id" (s) while an offer stands, "error-name" and
 * "error-message" (s) in the error state.
 *
 * "job-result" (s job, s result, a{sv} details): exactly once per job the engine ran
 * (not for report flushes), after its state is set; result "success", "failed" or
 * "cancelled"; details: "offer-id" (s), "found" (b, check), "error-name" and
 * "error-message" (s) when it failed.
 */

enum { SIGNAL_STATE_CHANGED, SIGNAL_JOB_RESULT, SIGNAL_LAST };
static guint otad_engine_signals_ids[SIGNAL_LAST] = {0};

void
otad_engine_signals_class_init (OtadEngineClass *klass)
{
	otad_engine_signals_ids[SIGNAL_STATE_CHANGED] =
	    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
			  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_VARIANT);
	otad_engine_signals_ids[SIGNAL_JOB_RESULT] =
	    g_signal_new ("job-result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
			  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_VARIANT);
}

static void
otad_engine_signals_add_offer (OtadEngine *self, GVariantBuilder *b)
{
	if (self->info != NULL && self->info->offer_id != NULL)
		g_variant_builder_add (b, "{sv}", "offer-id",
				       g_variant_new_string (self->info->offer_id));
}

void
otad_engine_signals_state_changed (OtadEngine *self)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	OtaState state = otad_engine_get_state (self);
	OtaState previous = self->announced_state;
	g_autoptr(GVariant) details = NULL;

	if (state == previous && state != OTA_STATE_ERROR)
		return;
	self->announced_state = state;
	g_variant_builder_add (&b, "{sv}", "previous",
			       g_variant_new_string (ota_state_to_string (previous)));
	otad_engine_signals_add_offer (self, &b);
	if (state == OTA_STATE_ERROR) {
		const gchar *name = otad_engine_get_error_name (self);
		const gchar *message = otad_engine_get_error_message (self);
		g_variant_builder_add (&b, "{sv}", "error-name",
				       g_variant_new_string (name != NULL ? name : ""));
		g_variant_builder_add (&b, "{sv}", "error-message",
				       g_variant_new_string (message != NULL ? message : ""));
	}
	details = g_variant_ref_sink (g_variant_builder_end (&b));
	g_signal_emit (self, otad_engine_signals_ids[SIGNAL_STATE_CHANGED], 0,
		       ota_state_to_string (state), details);
}

void
otad_engine_signals_job_result (OtadEngine *self,
				OtadEngineJobKind kind,
				gboolean ok,
				const GError *error,
				gboolean found)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_autoptr(GVariant) details = NULL;
	const gchar *result = "success";

	otad_engine_signals_add_offer (self, &b);
	if (kind == OTAD_ENGINE_JOB_CHECK)
		g_variant_builder_add (&b, "{sv}", "found", g_variant_new_boolean (found));
	if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		result = "cancelled";
	} else if (!ok) {
		g_autoptr (GError) converted =
		    error != NULL ? g_error_copy (error)
		                  : g_error_new_literal (OTA_ERROR, OTA_ERROR_FAILED, _("failed"));
		ota_error_convert (&converted);
		result = "failed";
		g_variant_builder_add (
		    &b, "{sv}", "error-name",
		    g_variant_new_string (ota_error_to_dbus_name ((OtaError)converted->code)));
		g_variant_builder_add (&b, "{sv}", "error-message",
				       g_variant_new_string (converted->message));
	}
	details = g_variant_ref_sink (g_variant_builder_end (&b));
	g_signal_emit (self, otad_engine_signals_ids[SIGNAL_JOB_RESULT], 0,
		       otad_engine_job_kind_to_string (kind), result, details);
}
