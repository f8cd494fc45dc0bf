/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"
#include "otactl-labels.h"

/* `otactl history`: past update attempts, newest first.  JSON: an array of
 * {"time", "action", "commit", "version", "success", "detail", "correlation-id"},
 * the keys of GetHistory on D-Bus */

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
		const gchar *result = ota_history_entry_get_success (entry)
					  /* TRANSLATORS: outcome of a history entry */
					  ? _("succeeded")
					  /* TRANSLATORS: outcome of a history entry */
					  : _("failed");

		/* "2026-01-01 00:00:00  install  succeeded" then details, indented */
		g_print ("%s  %s  %s\n", when, otactl_action_label (ota_history_entry_get_action (entry)), result);
		g_print ("  %s %s\n", _("Version:"), version[0] != '\0' ? version : _("(none)"));
		g_print ("  %s %s\n", _("Commit:"), ota_history_entry_get_commit (entry));
		if (correlation_id[0] != '\0')
			g_print ("  %s %s\n", _("Campaign:"), correlation_id);
		if (detail[0] != '\0')
			/* TRANSLATORS: field of a history entry: what otad said about it */
			g_print ("  %s %s\n", _("Detail:"), detail);
	}
}

gint
otactl_cmd_history (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) history = NULL;
	gint exit_code = OTACTL_EXIT_OK;

	if (!otactl_context_prepare (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;

	history = ota_client_get_history_sync (ctx->client,
					       otactl_context_get_flags (ctx),
					       NULL,
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
