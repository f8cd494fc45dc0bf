/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A minimal HMI for otad in C with libota: find the update on offer (checking
 * when there is none), show it with its size and release notes, ask the user,
 * answer with the offer id that was shown, then follow the progress until the
 * update waits for its reboot.  While another program holds an inhibitor
 * (otad's Waiting property says "inhibited") it says that the installation
 * waits, and keeps waiting: otad starts the install once the inhibitor is gone.
 *
 *   hmi [--bus-address ADDRESS] [--yes | --no] [--timeout SECONDS]
 *
 * Without --yes/--no the answer is read from standard input (y or n).
 * Exit status: 0 installed (reboot pending) or declined, 1 failed, 2 usage,
 * 77 no update on offer.
 *
 * Build: cc hmi.c $(pkg-config --cflags --libs ota-1) -o hmi
 */
#include <ota.h>
#include <stdio.h>
#include <string.h>

#define EXIT_NO_UPDATE 77

typedef struct {
	OtaClient *client;
	gboolean (*done) (gpointer hmi);
	gboolean seen_checking;
	guint64 check_time_before;
	gboolean said_waiting;
	gchar *last_line;
} Hmi;

/* otad's Waiting property (libota does not mirror it): why an install has not started */
static gchar *
hmi_dup_waiting (Hmi *hmi)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) value = NULL;

	reply = g_dbus_connection_call_sync (
	    ota_client_get_connection (hmi->client), OTA_DBUS_SERVICE, OTA_DBUS_PATH,
	    "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new ("(ss)", OTA_DBUS_INTERFACE, "Waiting"), G_VARIANT_TYPE ("(v)"),
	    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	if (reply == NULL)
		return g_strdup (""); /* an otad before interface version 4 */
	g_variant_get (reply, "(v)", &value);
	return g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ? g_variant_dup_string (value, NULL)
								    : g_strdup ("");
}

static void
hmi_show_progress (Hmi *hmi)
{
	const gchar *phase = ota_client_get_progress_phase (hmi->client);
	guint64 total = ota_client_get_download_size (hmi->client);
	g_autofree gchar *line = NULL;

	if (phase[0] == '\0')
		return;
	if (total > 0 && (g_str_equal (phase, "preparing") || g_str_equal (phase, "downloading") ||
			  g_str_equal (phase, "applying") || g_str_equal (phase, "verifying"))) {
		g_autofree gchar *done = g_format_size (ota_client_get_downloaded_bytes (hmi->client));
		g_autofree gchar *size = g_format_size (total);
		line = g_strdup_printf ("%s: %u%% (%s of %s)", phase,
					ota_client_get_progress (hmi->client), done, size);
	} else {
		line = g_strdup_printf ("%s: %u%%", phase, ota_client_get_progress (hmi->client));
	}
	if (g_strcmp0 (line, hmi->last_line) == 0)
		return;
	printf ("%s\n", line);
	fflush (stdout);
	g_free (hmi->last_line);
	hmi->last_line = g_steal_pointer (&line);
}

static void
hmi_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
	Hmi *hmi = user_data;

	/* hmi_wait_until() checks hmi->done after every iteration */
	hmi_show_progress (hmi);
}

static gboolean
hmi_waiting_cb (gpointer user_data)
{
	Hmi *hmi = user_data;
	g_autofree gchar *waiting = NULL;

	if (hmi->said_waiting || ota_client_get_state (hmi->client) != OTA_STATE_DOWNLOADED)
		return G_SOURCE_CONTINUE;
	waiting = hmi_dup_waiting (hmi);
	if (g_str_equal (waiting, "inhibited")) {
		printf ("Waiting: the installation is held back by an inhibitor; "
			"it starts when that is released.\n");
		fflush (stdout);
		hmi->said_waiting = TRUE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
hmi_timeout_cb (gpointer user_data)
{
	gboolean *timed_out = user_data;
	*timed_out = TRUE;
	return G_SOURCE_REMOVE;
}

/* runs the main loop until @done holds; FALSE after @timeout_secs */
static gboolean
hmi_wait_until (Hmi *hmi, gboolean (*done) (gpointer), guint timeout_secs)
{
	gboolean timed_out = FALSE;
	gulong handler;
	guint timeout_id, poll_id;

	hmi->done = done;
	if (done (hmi))
		return TRUE;
	handler = g_signal_connect (hmi->client, "notify", G_CALLBACK (hmi_notify_cb), hmi);
	timeout_id = g_timeout_add_seconds (timeout_secs, hmi_timeout_cb, &timed_out);
	/* Waiting is asked for every half second while the install may wait */
	poll_id = g_timeout_add (500, hmi_waiting_cb, hmi);
	while (!timed_out && !done (hmi))
		g_main_context_iteration (NULL, TRUE);
	g_source_remove (poll_id);
	if (!timed_out)
		g_source_remove (timeout_id);
	g_signal_handler_disconnect (hmi->client, handler);
	return !timed_out;
}

/* ota_client_check_sync() returns when the check has finished; the client's
 * properties follow when this main context runs: a state after checking, or a new
 * LastCheckTime when the property changes came in one go */
static gboolean
hmi_checked (gpointer user_data)
{
	Hmi *hmi = user_data;

	if (ota_client_get_state (hmi->client) == OTA_STATE_CHECKING) {
		hmi->seen_checking = TRUE;
		return FALSE;
	}
	return hmi->seen_checking ||
	       ota_client_get_last_check_time (hmi->client) != hmi->check_time_before;
}

static gboolean
hmi_finished (gpointer user_data)
{
	OtaState state = ota_client_get_state (((Hmi *)user_data)->client);
	return state == OTA_STATE_PENDING_REBOOT || state == OTA_STATE_ERROR;
}

static void
hmi_show_offer (OtaUpdateInfo *info)
{
	guint64 size = ota_update_info_get_download_size (info);
	const gchar *label = ota_update_info_get_label (info);
	const gchar *version = ota_update_info_get_version (info);
	const gchar *notes = ota_update_info_get_release_notes (info);
	g_autofree gchar *size_text = size > 0 ? g_format_size (size) : g_strdup ("unknown");

	printf ("Update available: %s\n", label[0] != '\0' ? label : ota_update_info_get_name (info));
	printf ("  Version: %s\n", version[0] != '\0' ? version : "(none)");
	printf ("  Download size: %s\n", size_text);
	if (notes[0] != '\0') {
		g_auto(GStrv) lines = g_strsplit (notes, "\n", -1);
		printf ("  Release notes:\n");
		for (guint i = 0; lines[i] != NULL; i++)
			printf ("    %s\n", lines[i]);
	}
	fflush (stdout);
}

static gint
hmi_run (Hmi *hmi, gint answer, guint timeout_secs, GError **error)
{
	OtaUpdateInfo *info;
	OtaState state = ota_client_get_state (hmi->client);
	g_autofree gchar *offer_id = NULL;

	if (state != OTA_STATE_UPDATE_AVAILABLE && state != OTA_STATE_AWAITING_CONSENT &&
	    state != OTA_STATE_DOWNLOADED) {
		hmi->check_time_before = ota_client_get_last_check_time (hmi->client);
		if (!ota_client_check_sync (hmi->client, OTA_CLIENT_FLAGS_NONE, NULL, error))
			return EXIT_FAILURE;
		if (!hmi_wait_until (hmi, hmi_checked, timeout_secs)) {
			g_set_error_literal (error, OTA_ERROR, OTA_ERROR_FAILED, "no answer from otad");
			return EXIT_FAILURE;
		}
	}
	if (ota_client_get_state (hmi->client) == OTA_STATE_ERROR) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_FAILED,
				     ota_client_get_error_message (hmi->client));
		return EXIT_FAILURE;
	}
	info = ota_client_get_update_info (hmi->client);
	if (info == NULL) {
		printf ("No update available.\n");
		return EXIT_NO_UPDATE;
	}
	hmi_show_offer (info);
	/* the offer id shown: otad refuses (StaleOffer) if the server changed it since */
	offer_id = g_strdup (ota_update_info_get_offer_id (info));
	if (answer < 0) {
		gchar line[64] = "";
		printf ("Install it now? [y/n] ");
		fflush (stdout);
		answer = fgets (line, sizeof (line), stdin) != NULL && (line[0] == 'y' || line[0] == 'Y');
	}
	if (!answer) {
		if (!ota_client_decline_sync (hmi->client, offer_id, OTA_CLIENT_FLAGS_NONE, NULL, error))
			return EXIT_FAILURE;
		printf ("Declined.\n");
		return EXIT_SUCCESS;
	}
	if (!ota_client_consent_sync (hmi->client, offer_id, OTA_CLIENT_FLAGS_NONE, NULL, error))
		return EXIT_FAILURE;
	printf ("Consent given.\n");
	fflush (stdout);
	if (!hmi_wait_until (hmi, hmi_finished, timeout_secs)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_FAILED, "otad did not finish in time");
		return EXIT_FAILURE;
	}
	if (ota_client_get_state (hmi->client) == OTA_STATE_ERROR) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_FAILED, "update failed: %s (%s)",
			     ota_client_get_error_message (hmi->client),
			     ota_client_get_error_name (hmi->client));
		return EXIT_FAILURE;
	}
	printf ("Installed; it starts at the next reboot.\n");
	return EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
	g_autofree gchar *bus_address = NULL;
	gboolean yes = FALSE, no = FALSE;
	gint timeout = 600;
	const GOptionEntry entries[] = {
	    {"bus-address", '\0', 0, G_OPTION_ARG_STRING, &bus_address,
	     "otad on this bus instead of the system bus", "ADDRESS"},
	    {"yes", '\0', 0, G_OPTION_ARG_NONE, &yes, "Agree without asking", NULL},
	    {"no", '\0', 0, G_OPTION_ARG_NONE, &no, "Decline without asking", NULL},
	    {"timeout", '\0', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait for otad", "SECONDS"},
	    {NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new ("- a minimal otad HMI");
	g_autoptr(GError) error = NULL;
	g_autoptr(OtaClient) client = NULL;
	Hmi hmi = {NULL};
	gint ret;

	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error) || (yes && no) || timeout <= 0) {
		fprintf (stderr, "hmi: %s\n", error != NULL ? error->message : "bad arguments");
		return 2;
	}
	client = bus_address != NULL ? ota_client_new_for_bus_address (bus_address) : ota_client_new ();
	if (!ota_client_connect_sync (client, NULL, &error)) {
		fprintf (stderr, "hmi: %s\n", error->message);
		return EXIT_FAILURE;
	}
	hmi.client = client;
	ret = hmi_run (&hmi, yes ? 1 : no ? 0 : -1, (guint)timeout, &error);
	if (error != NULL)
		fprintf (stderr, "hmi: %s\n", error->message);
	g_free (hmi.last_line);
	return ret;
}
