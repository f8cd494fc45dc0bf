/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "otactl-job.h"
#include "otactl-json.h"
#include "otactl-labels.h"
#include "otactl-progress.h"

/* `otactl monitor`: prints otad's state and every change of it until Ctrl+C (or
 * SIGTERM, or --timeout).  Text: one line per change.  JSON: one object per line
 * (JSON Lines), {"event": NAME, …}, where NAME is one of state, progress,
 * update-info, error, pending-deployment, last-check-time and connected. */

typedef struct {
	OtactlContext *ctx;
	GMainLoop *loop;  /* (owned) */
	gchar *last_line; /* (owned) (nullable): to print a change only once */
} OtactlMonitor;

static void
otactl_monitor_print (OtactlMonitor *mon, JsonBuilder *builder, const gchar *line)
{
	if (mon->ctx->json) {
		g_autoptr(JsonBuilder) b = builder;
		g_autoptr(JsonNode) root = NULL;
		g_autoptr(JsonGenerator) gen = json_generator_new ();
		g_autofree gchar *text = NULL;

		json_builder_end_object (b);
		root = json_builder_get_root (b);
		json_generator_set_root (gen, root);
		text = json_generator_to_data (gen, NULL);
		/* progress notifies once per property: print a change once */
		if (g_strcmp0 (text, mon->last_line) == 0)
			return;
		g_free (mon->last_line);
		mon->last_line = g_steal_pointer (&text);
		g_print ("%s\n", mon->last_line);
	} else {
		g_object_unref (builder);
		if (g_strcmp0 (line, mon->last_line) == 0)
			return;
		g_free (mon->last_line);
		mon->last_line = g_strdup (line);
		g_print ("%s\n", line);
	}
	fflush (stdout);
}

static JsonBuilder *
otactl_monitor_event (const gchar *event)
{
	JsonBuilder *builder = json_builder_new ();
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "event");
	json_builder_add_string_value (builder, event);
	return builder;
}

static void
otactl_monitor_report (OtactlMonitor *mon, const gchar *name)
{
	OtaClient *client = mon->ctx->client;
	JsonBuilder *b = otactl_monitor_event (name);
	g_autofree gchar *line = NULL;

	if (g_strcmp0 (name, "state") == 0) {
		const gchar *state = ota_state_to_string (ota_client_get_state (client));
		json_builder_set_member_name (b, "state");
		json_builder_add_string_value (b, state);
		/* TRANSLATORS: monitor line, %s is a state name such as "downloading" */
		line = g_strdup_printf (_("State: %s"),
					otactl_state_label (ota_client_get_state (client)));
	} else if (g_strcmp0 (name, "progress") == 0) {
		g_autofree gchar *detail = otactl_progress_format_detail (client);
		json_builder_set_member_name (b, "progress");
		json_builder_add_int_value (b, ota_client_get_progress (client));
		json_builder_set_member_name (b, "downloaded-bytes");
		json_builder_add_int_value (b, (gint64)ota_client_get_downloaded_bytes (client));
		json_builder_set_member_name (b, "download-size");
		json_builder_add_int_value (b, (gint64)ota_client_get_download_size (client));
		/* TRANSLATORS: monitor line: percentage, then e.g. "1.2 MB of 4.0 MB" */
		line = g_strdup_printf (_("Progress: %u%% (%s)"), ota_client_get_progress (client),
					detail);
	} else if (g_strcmp0 (name, "update-info") == 0) {
		OtaUpdateInfo *info = ota_client_get_update_info (client);
		otactl_json_add_update_info (b, "update", info);
		if (info != NULL)
			/* TRANSLATORS: monitor line: target name and version of the offer */
			line = g_strdup_printf (_("Update offered: %s (version %s)"),
						ota_update_info_get_name (info),
						ota_update_info_get_version (info));
		else
			/* TRANSLATORS: monitor line: no update is on offer any more */
			line = g_strdup (_("Update offer: none"));
	} else if (g_strcmp0 (name, "error") == 0) {
		json_builder_set_member_name (b, "name");
		json_builder_add_string_value (b, ota_client_get_error_name (client));
		json_builder_set_member_name (b, "message");
		json_builder_add_string_value (b, ota_client_get_error_message (client));
		/* TRANSLATORS: monitor line: D-Bus error name and message */
		line = g_strdup_printf (_("Error: %s: %s"), ota_client_get_error_name (client),
					ota_client_get_error_message (client));
	} else if (g_strcmp0 (name, "pending-deployment") == 0) {
		OtaDeployment *pending = ota_client_get_pending_deployment (client);
		otactl_json_add_deployment (b, "pending", pending);
		/* TRANSLATORS: monitor line: the commit that boots next, or "none" */
		line = g_strdup_printf (_("Pending deployment: %s"),
					pending != NULL ? ota_deployment_get_checksum (pending)
							/* TRANSLATORS: no pending deployment */
							: _("none"));
	} else if (g_strcmp0 (name, "last-check-time") == 0) {
		json_builder_set_member_name (b, "last-check-time");
		json_builder_add_int_value (b, (gint64)ota_client_get_last_check_time (client));
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (
		    (gint64)MIN (ota_client_get_last_check_time (client), (guint64)G_MAXINT64));
		g_autofree gchar *when = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S %Z")
						    : g_strdup ("?");
		/* TRANSLATORS: %s is a date and time, or "never" */
		line = g_strdup_printf (_("Last check: %s"), when);
	} else if (g_strcmp0 (name, "connected") == 0) {
		gboolean connected = ota_client_get_connected (client);
		json_builder_set_member_name (b, "connected");
		json_builder_add_boolean_value (b, connected);
		line = g_strdup (connected
				     /* TRANSLATORS: monitor line: otad (re)appeared on the bus */
				     ? _("otad is running")
				     /* TRANSLATORS: monitor line: otad left the bus */
				     : _("otad stopped"));
	} else {
		g_object_unref (b);
		return;
	}
	otactl_monitor_print (mon, b, line);
}

static void
otactl_monitor_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
	OtactlMonitor *mon = user_data;
	const gchar *name = g_param_spec_get_name (pspec);

	if (g_strcmp0 (name, "downloaded-bytes") == 0 || g_strcmp0 (name, "download-size") == 0)
		name = "progress";
	else if (g_strcmp0 (name, "error-message") == 0 || g_strcmp0 (name, "error-name") == 0)
		name = "error";
	/* an error that was cleared is told by the state that follows */
	if (g_strcmp0 (name, "error") == 0 &&
	    ota_client_get_error_name (mon->ctx->client)[0] == '\0')
		return;
	otactl_monitor_report (mon, name);
}

static gboolean
otactl_monitor_quit_cb (gpointer user_data)
{
	OtactlMonitor *mon = user_data;
	g_main_loop_quit (mon->loop);
	return G_SOURCE_REMOVE;
}

gint
otactl_cmd_monitor (OtactlContext *ctx, gint argc, gchar **argv)
{
	OtactlMonitor mon = {ctx, NULL, NULL};
	gint timeout = 0;
	gint exit_code = OTACTL_EXIT_OK;
	guint sources[3] = {0};
	guint hold = 0;
	g_autoptr(GError) error_hold = NULL;
	const GOptionEntry entries[] = {
	    {"timeout", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &timeout,
	     /* TRANSLATORS: description of `otactl monitor --timeout` */
	     N_("Stop after SECONDS (default 0: until interrupted)"), N_("SECONDS")},
	    {NULL}};

	if (!otactl_job_prepare (ctx, entries, &argc, &argv, &timeout, &exit_code))
		return exit_code;

	/* an activated otad exits when idle: keep it while we watch (ends with us) */
	if (!ota_client_hold_sync (ctx->client, &hold, NULL, &error_hold))
		g_debug ("not holding otad: %s", error_hold->message);

	/* what is now, then what changes */
	otactl_monitor_report (&mon, "state");
	if (ota_client_get_error_name (ctx->client)[0] != '\0')
		otactl_monitor_report (&mon, "error");
	g_signal_connect (ctx->client, "notify", G_CALLBACK (otactl_monitor_notify_cb), &mon);

	mon.loop = g_main_loop_new (NULL, FALSE);
	sources[0] = g_unix_signal_add (SIGINT, otactl_monitor_quit_cb, &mon);
	sources[1] = g_unix_signal_add (SIGTERM, otactl_monitor_quit_cb, &mon);
	if (timeout > 0)
		sources[2] = g_timeout_add_seconds ((guint)timeout, otactl_monitor_quit_cb, &mon);
	g_main_loop_run (mon.loop);
	for (guint i = 0; i < G_N_ELEMENTS (sources); i++) {
		GSource *source = sources[i] != 0 ? g_main_context_find_source_by_id (NULL, sources[i])
						  : NULL;
		if (source != NULL && !g_source_is_destroyed (source))
			g_source_destroy (source);
	}
	g_signal_handlers_disconnect_by_data (ctx->client, &mon);
	if (hold != 0 && ota_client_get_connected (ctx->client) &&
	    !ota_client_release_sync (ctx->client, hold, NULL, NULL))
		g_debug ("otad forgot the hold: it restarted");
	g_main_loop_unref (mon.loop);
	g_free (mon.last_line);

	/* success */
	return OTACTL_EXIT_OK;
}
