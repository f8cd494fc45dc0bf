/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"

/* `otactl inhibit REASON`: holds installs back until Ctrl+C (or SIGTERM), then
 * releases the inhibitor; otad also drops it when otactl dies.  JSON: one
 * {"handle", "reason"} when held. */

static gboolean
otactl_cmd_inhibit_signal_cb (gpointer user_data)
{
	g_main_loop_quit (user_data);
	/* removed with the other one once the loop ends */
	return G_SOURCE_CONTINUE;
}

static void
otactl_cmd_inhibit_vanished_cb (OtaClient *client, GParamSpec *pspec, gpointer user_data)
{
	/* a restarted otad has no inhibitors: nothing is held any more */
	if (!ota_client_get_connected (client))
		g_main_loop_quit (user_data);
}

gint
otactl_cmd_inhibit (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	gint exit_code = OTACTL_EXIT_OK;
	const gchar *reason;
	guint handle = 0;
	guint sigint_id, sigterm_id;

	if (!otactl_context_parse (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;
	if (argc != 2) {
		/* TRANSLATORS: `otactl inhibit` without its one argument */
		otactl_context_usage_error (ctx, _("inhibit takes one REASON"));
		return OTACTL_EXIT_USAGE;
	}
	reason = argv[1];
	exit_code = otactl_context_connect (ctx);
	if (exit_code != OTACTL_EXIT_OK)
		return exit_code;

	/* before the inhibitor exists: a Ctrl+C from now on releases it */
	loop = g_main_loop_new (NULL, FALSE);
	sigint_id = g_unix_signal_add (SIGINT, otactl_cmd_inhibit_signal_cb, loop);
	sigterm_id = g_unix_signal_add (SIGTERM, otactl_cmd_inhibit_signal_cb, loop);
	otactl_context_start_agent (ctx);
	if (!ota_client_inhibit_sync (ctx->client, reason, otactl_context_get_flags (ctx),
				      &handle, NULL, &error)) {
		g_source_remove (sigint_id);
		g_source_remove (sigterm_id);
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot inhibit updates"), error);
	}

	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "handle");
		json_builder_add_int_value (builder, handle);
		json_builder_set_member_name (builder, "reason");
		json_builder_add_string_value (builder, reason);
		json_builder_end_object (builder);
		otactl_json_print (builder);
	} else {
		/* TRANSLATORS: %s is the reason given to `otactl inhibit` */
		g_print (_("Installs are held back (%s); press Ctrl+C to release."), reason);
		g_print ("\n");
	}

	g_signal_connect (ctx->client, "notify::connected",
			  G_CALLBACK (otactl_cmd_inhibit_vanished_cb), loop);
	g_main_loop_run (loop);
	g_source_remove (sigint_id);
	g_source_remove (sigterm_id);
	g_signal_handlers_disconnect_by_data (ctx->client, loop);

	if (!ota_client_get_connected (ctx->client)) {
		/* TRANSLATORS: otad went away while `otactl inhibit` held it */
		g_printerr ("%s\n", _("otactl: otad restarted: the inhibitor is gone"));
		return OTACTL_EXIT_FAILED;
	}
	if (!ota_client_uninhibit_sync (ctx->client, handle, NULL, &error))
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot release the inhibitor"), error);
	if (!ctx->json)
		/* TRANSLATORS: `otactl inhibit` after Ctrl+C */
		g_print ("%s\n", _("Released: installs may start again."));

	/* success */
	return OTACTL_EXIT_OK;
}
