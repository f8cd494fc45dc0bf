/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"

/* `otactl reboot`: reboots now through otad and logind, when an update or a
 * rollback needs it; refused while a block inhibitor holds the reboot back.
 * JSON: {"rebooting": true} */

gint
otactl_cmd_reboot (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	gint exit_code = OTACTL_EXIT_OK;

	if (!otactl_context_prepare (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;

	otactl_context_start_agent (ctx);
	if (!ota_client_reboot_sync (ctx->client, otactl_context_get_flags (ctx), NULL, &error))
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot reboot"), error);
	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "rebooting");
		json_builder_add_boolean_value (builder, TRUE);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else {
		g_print ("%s\n", _("Rebooting."));
	}

	/* success */
	return OTACTL_EXIT_OK;
}
