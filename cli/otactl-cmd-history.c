/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"
#include "otactl-labels.h"

/* `otactl history [--limit N] [--since TIME]`: the steps of updates, newest first.
 * JSON: an array of {"time", "action", "result", "commit", "version", "success",
 * "detail", "correlation-id", "name", "offer-id", "error-name", "error-message"},
 * the keys of GetHistory on D-Bus */

/* seconds since the epoch, or an ISO 8601 date or date and time (local time) */
static gboolean
otactl_cmd_history_parse_since (const gchar *text, guint64 *out)
{
	g_autoptr(GTimeZone) local = g_time_zone_new_local ();
	g_autoptr(GDateTime) dt = NULL;
	g_autofree gchar *midnight = NULL;

	if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, out, NULL))
		return TRUE;
	dt = g_date_time_new_from_iso8601 (text, local);
	if (dt == NULL) {
		midnight = g_strconcat (text, "T00:00:00", NULL);
		dt = g_date_time_new_from_iso8601 (midnight, local);
	}
	if (dt == NULL || g_date_time_to_unix (dt) < 0)
		return FALSE;
	*out = (guint64)g_date_time_to_unix (dt);
	return TRUE;
}

static gchar *
otactl_cmd_history_format_time (guint64 secs)
{
	g_autoptr(GDateTime) dt = NULL;

	dt = g_date_time_new_from_unix_local ((gint64)MIN (secs, (guint64)G_MAXINT64));
	if (dt == NULL)
		return g_strdup_printf ("%" G_GUINT64_FORMAT, secs);
	return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static void
otactl_cmd_history_print_text (GPtrArray *history)
{
	if (history->len == 0) {
		/* TRANSLATORS: `otactl history` when otad recorded nothing yet */
		g_print ("%s\n", _("No update history."));
		return;
	}
	for (guint i = 0; i < history->len; i++) {
		OtaHistoryEntry *entry = g_ptr_array_index (history, i);
		g_autofree gchar *when =
		    otactl_cmd_history_format_time (ota_history_entry_get_time (entry));
		const gchar *version = ota_history_entry_get_version (entry);
		const gchar *detail = ota_history_entry_get_detail (entry);
		const gchar *correlation_id = ota_history_entry_get_correlation_id (entry);
		const gchar *error_message = ota_history_entry_get_error_message (entry);
		const gchar *result = ota_history_entry_get_success (entry)
					  /* TRANSLATORS: outcome of a history entry */
					  ? _("succeeded")
				      : g_strcmp0 (ota_history_entry_get_result (entry),
						   "cancelled") == 0
					  /* TRANSLATORS: outcome of a history entry */
					  ? _("cancelled")
					  /* TRANSLATORS: outcome of a history entry */
					  : _("failed");

		/* "2026-01-01 00:00:00  install  succeeded" then details, indented */
		g_print ("%s  %s  %s\n", when, otactl_action_label (ota_history_entry_get_action (entry)), result);
		g_print ("  %s %s\n", _("Version:"), version[0] != '\0' ? version : _("(none)"));
		g_print ("  %s %s\n", _("Commit:"), ota_history_entry_get_commit (entry));
		if (correlation_id[0] != '\0')
			g_print ("  %s %s\n", _("Campaign:"), correlation_id);
		if (detail[0] != '\0' && g_strcmp0 (detail, error_message) != 0)
			/* TRANSLATORS: field of a history entry: what otad said about it */
			g_print ("  %s %s\n", _("Detail:"), detail);
		if (error_message[0] != '\0')
			/* TRANSLATORS: field of a history entry: why it failed */
			g_print ("  %s %s\n", _("Error:"), error_message);
	}
}

gint
otactl_cmd_history (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) history = NULL;
	gint exit_code = OTACTL_EXIT_OK;

	gint limit = 0;
	g_autofree gchar *since_text = NULL;
	guint64 since = 0;
	const GOptionEntry entries[] = {
	    {"limit", 'n', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &limit,
	     /* TRANSLATORS: description of `otactl history --limit` */
	     N_("Show only the newest N entries"), "N"},
	    {"since", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &since_text,
	     /* TRANSLATORS: description of `otactl history --since` */
	     N_("Show entries from TIME on (seconds since the epoch or an ISO 8601 date)"),
	     /* TRANSLATORS: the argument of --since */
	     N_("TIME")},
	    {NULL}};

	if (!otactl_context_parse (ctx, entries, &argc, &argv, &exit_code))
		return exit_code;
	if (!otactl_context_check_no_args (ctx, argc, argv))
		return OTACTL_EXIT_USAGE;
	if (limit < 0) {
		/* TRANSLATORS: --limit of `otactl history` was negative */
		otactl_context_usage_error (ctx, _("--limit must not be negative"));
		return OTACTL_EXIT_USAGE;
	}
	if (since_text != NULL &&
	    !otactl_cmd_history_parse_since (since_text, &since)) {
		/* TRANSLATORS: --since of `otactl history` could not be read */
		otactl_context_usage_error (ctx, _("--since takes seconds since the epoch or a date"));
		return OTACTL_EXIT_USAGE;
	}
	exit_code = otactl_context_connect (ctx);
	if (exit_code != OTACTL_EXIT_OK)
		return exit_code;

	history = ota_client_get_history_filtered_sync (ctx->client,
							(guint)limit, since,
							otactl_context_get_flags (ctx), NULL,
							&error);
	if (history == NULL)
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot read the history"), error);

	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_array (builder);
		for (guint i = 0; i < history->len; i++)
			otactl_json_add_history_entry (builder, g_ptr_array_index (history, i));
		json_builder_end_array (builder);
		otactl_json_print (builder);
	} else {
		otactl_cmd_history_print_text (history);
	}

	/* success */
	return OTACTL_EXIT_OK;
}
