/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-job.h"
#include "otactl-json.h"

/* `otactl update`: check, download and install in one go; each step runs only when
 * the one before it succeeded, and the exit code is that of the first step that
 * did not (77 when there is nothing to update).  `--no-install` stops after the
 * download.  With --json only the last step's result is printed. */

static gboolean
otactl_cmd_update_may_check (OtaState state)
{
	return state == OTA_STATE_IDLE || state == OTA_STATE_UPDATE_AVAILABLE ||
	       state == OTA_STATE_ERROR || state == OTA_STATE_ROLLED_BACK;
}

gint
otactl_cmd_update (OtactlContext *ctx, gint argc, gchar **argv)
{
	gint timeout = 0;
	gboolean no_install = FALSE;
	gboolean json;
	gint exit_code = OTACTL_EXIT_OK;
	const GOptionEntry entries[] = {
	    {"no-install", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &no_install,
	     /* TRANSLATORS: description of `otactl update --no-install` */
	     N_("Stop after the download"), NULL},
	    {"timeout", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &timeout,
	     N_("Wait at most SECONDS for the result (default 0: no limit)"), N_("SECONDS")},
	    {NULL}};

	if (!otactl_job_prepare (ctx, entries, &argc, &argv, &timeout, &exit_code))
		return exit_code;

	/* an update that is already downloaded needs no new check */
	json = ctx->json;
	if (otactl_cmd_update_may_check (ota_client_get_state (ctx->client))) {
		exit_code = otactl_job_run (ctx, OTACTL_JOB_CHECK, (guint)timeout);
		if (exit_code != OTACTL_EXIT_OK)
			return exit_code;
		/* nothing new ends here with 77; an offer is only printed for people */
		if (ota_client_get_state (ctx->client) != OTA_STATE_UPDATE_AVAILABLE)
			return otactl_job_report_offer (ctx);
		if (!json)
			(void)otactl_job_report_offer (ctx);
	}

	if (ota_client_get_state (ctx->client) == OTA_STATE_UPDATE_AVAILABLE) {
		exit_code = otactl_job_run (ctx, OTACTL_JOB_DOWNLOAD, (guint)timeout);
		if (exit_code != OTACTL_EXIT_OK)
			return exit_code;
		if (no_install || !json)
			(void)otactl_job_report_downloaded (ctx);
	}
	if (no_install)
		return OTACTL_EXIT_OK;

	exit_code = otactl_job_run (ctx, OTACTL_JOB_INSTALL, (guint)timeout);
	if (exit_code != OTACTL_EXIT_OK)
		return exit_code;
	return otactl_job_report_installed (ctx);
}
