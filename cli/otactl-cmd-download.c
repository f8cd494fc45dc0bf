/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-job.h"
#include "otactl-json.h"

/* `otactl download`: fetches the update on offer and waits until it is downloaded
 * (or failed), with a progress bar on a terminal and one line per step otherwise.
 * JSON (no progress output):
 *
 *   {"state": "downloaded", "update": {UpdateInfo keys}, "downloaded-bytes": n}
 */

gint
otactl_job_report_downloaded (OtactlContext *ctx)
{
	OtaUpdateInfo *info = ota_client_get_update_info (ctx->client);

	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		otactl_json_add_state (builder, ctx->client);
		otactl_json_add_update_info (builder, "update", info);
		json_builder_set_member_name (builder, "downloaded-bytes");
		json_builder_add_int_value (builder,
					    (gint64)ota_client_get_downloaded_bytes (ctx->client));
		json_builder_end_object (builder);
		otactl_json_print (builder);
		return OTACTL_EXIT_OK;
	}
	/* TRANSLATORS: %s is the version of the update, or its name */
	g_print (_("Update %s downloaded."),
		 info == NULL ? "" :
		 ota_update_info_get_version (info)[0] != '\0' ? ota_update_info_get_version (info) :
								  ota_update_info_get_name (info));
	g_print ("\n");
	return OTACTL_EXIT_OK;
}

gint
otactl_cmd_download (OtactlContext *ctx, gint argc, gchar **argv)
{
	gint timeout = 0;
	gint exit_code = OTACTL_EXIT_OK;
	const GOptionEntry entries[] = {
	    {"timeout", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &timeout,
	     /* TRANSLATORS: description of --timeout of download, install and update */
	     N_("Wait at most SECONDS for the result (default 0: no limit)"),
	     /* TRANSLATORS: the argument of --timeout */
	     N_("SECONDS")},
	    {NULL}};

	if (!otactl_job_prepare (ctx, entries, &argc, &argv, &timeout, &exit_code))
		return exit_code;

	return otactl_job_run_and_report (ctx, OTACTL_JOB_DOWNLOAD, (guint)timeout);
}
