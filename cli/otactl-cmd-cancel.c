/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"

/* `otactl cancel`: stops otad's running check, download or installation.
 * JSON: {"cancelled": true, "state": the state otad returned to} */

gint
otactl_cmd_cancel (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	gint exit_code = OTACTL_EXIT_OK;

	if (!otactl_context_prepare (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;

	otactl_context_start_agent (ctx);
	if (!ota_client_cancel_sync (ctx->client, otactl_context_get_flags (ctx), NULL, &error))
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot cancel"), error);
	otactl_context_drain (ctx);

	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "cancelled");
		json_builder_add_boolean_value (builder, TRUE);
		otactl_json_add_state (builder, ctx->client);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else {
		/* TRANSLATORS: %s is the state otad returned to, e.g. "update-available" */
		g_print (_("Cancelled; otad is back in state %s."),
			 ota_state_to_string (ota_client_get_state (ctx->client)));
		g_print ("\n");
	}

	/* success */
	return OTACTL_EXIT_OK;
}
