/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-job.h"
#include "otactl-json.h"

/* `otactl install`: deploys the downloaded update (downloading it first when it is
 * only on offer) and waits until it waits for the reboot.  JSON:
 *
 *   {"state": "pending-reboot", "pending": {deployment}}
 */

gint
otactl_job_report_installed (OtactlContext *ctx)
{
	OtaDeployment *pending = ota_client_get_pending_deployment (ctx->client);

	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		otactl_json_add_state (builder, ctx->client);
		otactl_json_add_deployment (builder, "pending", pending);
		json_builder_end_object (builder);
		otactl_json_print (builder);
		return OTACTL_EXIT_OK;
	}
	if (pending != NULL) {
		/* TRANSLATORS: %s is the OSTree commit checksum of the new deployment */
		g_print (_("Update installed as %s."), ota_deployment_get_checksum (pending));
		g_print ("\n");
	}
	/* TRANSLATORS: printed after a successful install */
	g_print ("%s\n", _("Reboot to start using it."));
	return OTACTL_EXIT_OK;
}

gint
otactl_cmd_install (OtactlContext *ctx, gint argc, gchar **argv)
{
	gint timeout = 0;
	gint exit_code = OTACTL_EXIT_OK;
	const GOptionEntry entries[] = {
	    {"timeout", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &timeout,
	     N_("Wait at most SECONDS for the result (default 0: no limit)"), N_("SECONDS")},
	    {NULL}};

	if (!otactl_job_prepare (ctx, entries, &argc, &argv, &timeout, &exit_code))
		return exit_code;

	return otactl_job_run_and_report (ctx, OTACTL_JOB_INSTALL, (guint)timeout);
}
