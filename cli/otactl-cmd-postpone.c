/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-offer.h"

/* `otactl postpone [--for SECONDS] [--offer ID]`: later; otad offers it again then.
 * JSON: {"answer": "postpone", "offer-id", "until", "state"} is printed without "until" */

#define OTACTL_POSTPONE_DEFAULT_S (24 * 60 * 60)

gint
otactl_cmd_postpone (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *given = NULL;
	g_autofree gchar *message = NULL;
	g_autoptr(GDateTime) when = NULL;
	g_autofree gchar *when_str = NULL;
	gint exit_code = OTACTL_EXIT_OK;
	gint seconds = OTACTL_POSTPONE_DEFAULT_S;
	const gchar *offer_id;
	guint64 until;
	const GOptionEntry entries[] = {
	    {"for", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &seconds,
	     /* TRANSLATORS: description of `otactl postpone --for` */
	     N_("Offer the update again after SECONDS (default 86400: a day)"), N_("SECONDS")},
	    {"offer", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &given,
	     N_("The offer id the answer is for (default: the update on offer now)"), N_("ID")},
	    {NULL}};

	if (!otactl_context_prepare (ctx, entries, &argc, &argv, &exit_code))
		return exit_code;
	if (seconds <= 0) {
		/* TRANSLATORS: `otactl postpone --for` was 0 or negative */
		otactl_context_usage_error (ctx, _("--for needs a number of seconds above 0"));
		return OTACTL_EXIT_USAGE;
	}
	offer_id = otactl_offer_resolve (ctx, given, &exit_code);
	if (offer_id == NULL)
		return exit_code;
	until = (guint64)(g_get_real_time () / G_USEC_PER_SEC) + (guint64)seconds;
	otactl_context_start_agent (ctx);
	if (!ota_client_postpone_sync (ctx->client, offer_id, until,
				       otactl_context_get_flags (ctx), NULL, &error))
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot postpone"), error);
	when = g_date_time_new_from_unix_local ((gint64)until);
	when_str = g_date_time_format (when, "%c");
	/* TRANSLATORS: after `otactl postpone`; %s is a date and time */
	message = g_strdup_printf (_("Postponed; otad offers the update again at %s."), when_str);
	return otactl_offer_done (ctx, "postpone", offer_id, message);
}
