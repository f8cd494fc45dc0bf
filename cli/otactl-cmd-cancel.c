/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"
#include "otactl-labels.h"

/* `otactl cancel`: stops otad's running check, download or installation.
 * JSON: {"cancelled": true, "state": the state otad returned to}
 *
 * Cancel() returns once otad asked its job to stop; the job's worker notices at
 * its next step, and only then does the state change.  The state printed is the
 * one after that change (bounded wait), not the busy state of the moment. */

#define OTACTL_CANCEL_WAIT_SECS 30

static gboolean
otactl_cancel_is_busy (OtaState state)
{
	return state == OTA_STATE_CHECKING || state == OTA_STATE_DOWNLOADING ||
	       state == OTA_STATE_INSTALLING;
}

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
	otactl_context_wait_job_end (ctx, OTA_STATE_LAST, OTACTL_CANCEL_WAIT_SECS);

	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "cancelled");
		json_builder_add_boolean_value (builder, TRUE);
		otactl_json_add_state (builder, ctx->client);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else if (otactl_cancel_is_busy (ota_client_get_state (ctx->client))) {
		/* TRANSLATORS: %s is otad's state, e.g. "downloading" */
		g_print (_("Cancel requested; otad is still in state %s."),
			 otactl_state_label (ota_client_get_state (ctx->client)));
		g_print ("\n");
	} else {
		/* TRANSLATORS: %s is the state otad returned to, e.g. "update-available" */
		g_print (_("Cancelled; otad is back in state %s."),
			 otactl_state_label (ota_client_get_state (ctx->client)));
		g_print ("\n");
	}

	/* success */
	return OTACTL_EXIT_OK;
}
