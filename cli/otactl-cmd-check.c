/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-job.h"
#include "otactl-json.h"

/* `otactl check`: asks otad to check the server, waits for the result and prints
 * the offer.  Exit 0 with an update on offer, 77 without (as rpm-ostree's
 * `upgrade --check`).  JSON:
 *
 *   {"update-available": true|false, "update": null | {UpdateInfo keys}}
 */

#define OTACTL_CHECK_DEFAULT_TIMEOUT 300

/* prints what the check found and returns 0 or OTACTL_EXIT_NO_UPDATE */
gint
otactl_job_report_offer (OtactlContext *ctx)
{
	OtaUpdateInfo *info = ota_client_get_update_info (ctx->client);
	gboolean available = ota_client_get_state (ctx->client) == OTA_STATE_UPDATE_AVAILABLE &&
			     info != NULL;

	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "update-available");
		json_builder_add_boolean_value (builder, available);
		otactl_json_add_update_info (builder, "update", available ? info : NULL);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else if (available) {
		otactl_job_print_update_info (info);
	} else {
		/* TRANSLATORS: result of `otactl check` when the server offers nothing new */
		g_print ("%s\n", _("No update available."));
	}
	return available ? OTACTL_EXIT_OK : OTACTL_EXIT_NO_UPDATE;
}

/* the --timeout option every job command has */
gboolean
otactl_job_check_timeout (OtactlContext *ctx, gint timeout)
{
	if (timeout >= 0)
		return TRUE;
	/* TRANSLATORS: --timeout was given a negative number */
	otactl_context_usage_error (ctx, _("--timeout must not be negative"));
	return FALSE;
}

gint
otactl_cmd_check (OtactlContext *ctx, gint argc, gchar **argv)
{
	gint timeout = OTACTL_CHECK_DEFAULT_TIMEOUT;
	gint exit_code = OTACTL_EXIT_OK;
	const GOptionEntry entries[] = {
	    {"timeout", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &timeout,
	     /* TRANSLATORS: description of `otactl check --timeout` */
	     N_("Wait at most SECONDS for the result (0: no limit, default 300)"),
	     /* TRANSLATORS: the argument of --timeout */
	     N_("SECONDS")},
	    {NULL}};

	if (!otactl_job_prepare (ctx, entries, &argc, &argv, &timeout, &exit_code))
		return exit_code;

	return otactl_job_run_and_report (ctx, OTACTL_JOB_CHECK, (guint)timeout);
}
