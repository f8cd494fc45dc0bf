/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-offer.h"

/* `otactl decline [--offer ID]`: no to the offer; automatic checks do not offer it again.
 * JSON: {"answer": "decline", "offer-id", "state"} */

gint
otactl_cmd_decline (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *given = NULL;
	gint exit_code = OTACTL_EXIT_OK;
	const gchar *offer_id;
	const GOptionEntry entries[] = {
	    {"offer", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &given,
	     N_("The offer id the answer is for (default: the update on offer now)"), N_("ID")},
	    {NULL}};

	if (!otactl_context_prepare (ctx, entries, &argc, &argv, &exit_code))
		return exit_code;
	offer_id = otactl_offer_resolve (ctx, given, &exit_code);
	if (offer_id == NULL)
		return exit_code;
	otactl_context_start_agent (ctx);
	if (!ota_client_decline_sync (ctx->client, offer_id, otactl_context_get_flags (ctx), NULL,
				      &error))
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot decline"), error);
	return otactl_offer_done (ctx, "decline", offer_id,
				  /* TRANSLATORS: after `otactl decline` */
				  _("Declined; the update is not offered again automatically."));
}
