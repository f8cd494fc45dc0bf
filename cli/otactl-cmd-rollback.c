/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"

/* `otactl rollback`: makes the other A/B slot boot next again, or drops a pending
 * update.  JSON: {"state": …, "pending": {deployment} | null} */

#define OTACTL_ROLLBACK_WAIT_SECS 120

gint
otactl_cmd_rollback (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	gint exit_code = OTACTL_EXIT_OK;
	OtaDeployment *pending;
	OtaState start_state;

	if (!otactl_context_prepare (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;

	start_state = ota_client_get_state (ctx->client);
	otactl_context_start_agent (ctx);
	if (!ota_client_rollback_sync (ctx->client, otactl_context_get_flags (ctx), NULL, &error))
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot roll back"), error);

	/* the reply comes when the rollback job starts: what boots next is known
	 * only once it ended and otad re-read the deployments */
	otactl_context_wait_job_end (ctx, start_state, OTACTL_ROLLBACK_WAIT_SECS);
	if (ota_client_get_state (ctx->client) == OTA_STATE_ERROR) {
		g_autofree gchar *msg = g_strdup_printf ("%s (%s)",
							 ota_client_get_error_message (ctx->client),
							 ota_client_get_error_name (ctx->client));
		return otactl_context_fail (ctx, OTACTL_EXIT_FAILED,
					    ota_client_get_error_name (ctx->client),
					    _("cannot roll back"),
					    ctx->json ? ota_client_get_error_message (ctx->client)
						      : msg);
	}

	pending = ota_client_get_pending_deployment (ctx->client);
	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		otactl_json_add_state (builder, ctx->client);
		otactl_json_add_deployment (builder, "pending", pending);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else if (pending != NULL) {
		const gchar *version = ota_deployment_get_version (pending);
		/* TRANSLATORS: first %s is a commit checksum, second its version */
		g_print (_("Rolled back: %s (version %s) boots next; reboot to use it."),
			 ota_deployment_get_checksum (pending),
			 version[0] != '\0' ? version : _("(none)"));
		g_print ("\n");
	} else {
		/* TRANSLATORS: rollback dropped an update that waited for a reboot */
		g_print ("%s\n", _("Rolled back: the pending update was dropped."));
	}

	/* success */
	return OTACTL_EXIT_OK;
}
