/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-json.h"
#include "otactl-offer.h"

/*
 * The answers to an offer name the offer they answer (otad refuses a stale one): the one
 * given with --offer, else the one on offer now, which `otactl check` showed.
 */

/* Returns: (nullable): the offer id to send; %NULL with *exit_code set when none */
const gchar *
otactl_offer_resolve (OtactlContext *ctx, const gchar *given, gint *exit_code)
{
	OtaUpdateInfo *info = ota_client_get_update_info (ctx->client);

	if (given != NULL)
		return given;
	if (info != NULL && *ota_update_info_get_offer_id (info) != '\0')
		return ota_update_info_get_offer_id (info);
	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "error");
		json_builder_add_string_value (builder, "no-update");
		otactl_json_add_state (builder, ctx->client);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else {
		/* TRANSLATORS: consent, decline, postpone or discard without an update */
		g_printerr ("%s\n", _("otactl: there is no update on offer"));
	}
	*exit_code = OTACTL_EXIT_NO_UPDATE;
	return NULL;
}

/* JSON: {"answer": s, "offer-id": s, "state": s} */
gint
otactl_offer_done (OtactlContext *ctx, const gchar *answer, const gchar *offer_id,
		   const gchar *message)
{
	otactl_context_drain (ctx);
	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "answer");
		json_builder_add_string_value (builder, answer);
		json_builder_set_member_name (builder, "offer-id");
		json_builder_add_string_value (builder, offer_id != NULL ? offer_id : "");
		otactl_json_add_state (builder, ctx->client);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else {
		g_print ("%s\n", message);
	}
	return OTACTL_EXIT_OK;
}
