/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "otactl-command.h"
#include "otactl-offer.h"

/* The answers to an offer, one command each:
 * - `otactl consent [--offer ID]`: yes; otad downloads and installs it.
 * - `otactl decline [--offer ID]`: no; automatic checks do not offer it again.
 * - `otactl postpone [--for SECONDS] [--offer ID]`: later; otad offers it again then.
 * - `otactl discard [--offer ID]`: let go of a downloaded update; otad prunes it.
 * JSON: {"answer", "offer-id", "state"} */

#define OTACTL_POSTPONE_DEFAULT_S (24 * 60 * 60)

typedef enum {
	OTACTL_ANSWER_CONSENT,
	OTACTL_ANSWER_DECLINE,
	OTACTL_ANSWER_POSTPONE,
	OTACTL_ANSWER_DISCARD,
} OtactlAnswer;

static const gchar *const otactl_answer_names[] = {"consent", "decline", "postpone",
						   "discard"};

static const gchar *
otactl_answer_failure_text (OtactlAnswer answer)
{
	switch (answer) {
	case OTACTL_ANSWER_CONSENT:
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return _("cannot consent");
	case OTACTL_ANSWER_DECLINE:
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return _("cannot decline");
	case OTACTL_ANSWER_POSTPONE:
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return _("cannot postpone");
	case OTACTL_ANSWER_DISCARD:
	default:
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return _("cannot discard");
	}
}

static gchar *
otactl_answer_done_text (OtactlAnswer answer, guint64 until)
{
	g_autoptr(GDateTime) when = NULL;
	g_autofree gchar *when_str = NULL;

	switch (answer) {
	case OTACTL_ANSWER_CONSENT:
		/* TRANSLATORS: after `otactl consent` */
		return g_strdup (_("Consented; otad downloads and installs the update."));
	case OTACTL_ANSWER_DECLINE:
		/* TRANSLATORS: after `otactl decline` */
		return g_strdup (_("Declined; the update is not offered again automatically."));
	case OTACTL_ANSWER_POSTPONE:
		when = g_date_time_new_from_unix_local ((gint64)until);
		when_str = g_date_time_format (when, "%c");
		/* TRANSLATORS: after `otactl postpone`; %s is a date and time */
		return g_strdup_printf (_("Postponed; otad offers the update again at %s."),
					when_str);
	case OTACTL_ANSWER_DISCARD:
	default:
		/* TRANSLATORS: after `otactl discard` */
		return g_strdup (_("Discarding the downloaded update."));
	}
}

static gboolean
otactl_answer_send (OtactlContext *ctx, OtactlAnswer answer, const gchar *offer_id,
		    guint64 until, GError **error)
{
	OtaClientFlags flags = otactl_context_get_flags (ctx);

	switch (answer) {
	case OTACTL_ANSWER_CONSENT:
		return ota_client_consent_sync (ctx->client, offer_id, flags, NULL, error);
	case OTACTL_ANSWER_DECLINE:
		return ota_client_decline_sync (ctx->client, offer_id, flags, NULL, error);
	case OTACTL_ANSWER_POSTPONE:
		return ota_client_postpone_sync (ctx->client, offer_id, until, flags, NULL, error);
	case OTACTL_ANSWER_DISCARD:
	default:
		return ota_client_discard_sync (ctx->client, offer_id, flags, NULL, error);
	}
}

static gint
otactl_answer_run (OtactlContext *ctx, gint argc, gchar **argv, OtactlAnswer answer)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *given = NULL;
	g_autofree gchar *offer_id = NULL;
	g_autofree gchar *done = NULL;
	gint exit_code = OTACTL_EXIT_OK;
	gint seconds = OTACTL_POSTPONE_DEFAULT_S;
	guint64 until = 0;
	const GOptionEntry entries[] = {
	    {"offer", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &given,
	     /* TRANSLATORS: description of --offer of consent, decline, postpone, discard */
	     N_("The offer id the answer is for (default: the update on offer now)"),
	     /* TRANSLATORS: the argument of --offer */
	     N_("ID")},
	    /* only postpone has --for */
	    {"for", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &seconds,
	     /* TRANSLATORS: description of `otactl postpone --for` */
	     N_("Offer the update again after SECONDS (default 86400: a day)"), N_("SECONDS")},
	    {NULL}};
	const GOptionEntry no_more[] = {{NULL}};
	GOptionEntry used[G_N_ELEMENTS (entries)];

	memcpy (used, entries, sizeof (entries));
	if (answer != OTACTL_ANSWER_POSTPONE)
		memcpy (&used[1], no_more, sizeof (no_more));
	if (!otactl_context_prepare (ctx, used, &argc, &argv, &exit_code))
		return exit_code;
	if (answer == OTACTL_ANSWER_POSTPONE && seconds <= 0) {
		/* TRANSLATORS: `otactl postpone --for` was 0 or negative */
		otactl_context_usage_error (ctx, _("--for needs a number of seconds above 0"));
		return OTACTL_EXIT_USAGE;
	}
	offer_id = otactl_offer_resolve (ctx, given, &exit_code);
	if (offer_id == NULL)
		return exit_code;
	if (answer == OTACTL_ANSWER_POSTPONE)
		until = (guint64)(g_get_real_time () / G_USEC_PER_SEC) + (guint64)seconds;
	otactl_context_start_agent (ctx);
	if (!otactl_answer_send (ctx, answer, offer_id, until, &error))
		return otactl_context_report_error (ctx, otactl_answer_failure_text (answer), error);
	done = otactl_answer_done_text (answer, until);
	return otactl_offer_done (ctx, otactl_answer_names[answer], offer_id, done);
}

gint
otactl_cmd_consent (OtactlContext *ctx, gint argc, gchar **argv)
{
	return otactl_answer_run (ctx, argc, argv, OTACTL_ANSWER_CONSENT);
}

gint
otactl_cmd_decline (OtactlContext *ctx, gint argc, gchar **argv)
{
	return otactl_answer_run (ctx, argc, argv, OTACTL_ANSWER_DECLINE);
}

gint
otactl_cmd_postpone (OtactlContext *ctx, gint argc, gchar **argv)
{
	return otactl_answer_run (ctx, argc, argv, OTACTL_ANSWER_POSTPONE);
}

gint
otactl_cmd_discard (OtactlContext *ctx, gint argc, gchar **argv)
{
	return otactl_answer_run (ctx, argc, argv, OTACTL_ANSWER_DISCARD);
}
