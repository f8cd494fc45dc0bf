/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "otactl-context.h"
#include "otactl-json.h"

OtactlContext *
otactl_context_new (const OtactlCommand *commands)
{
	OtactlContext *ctx = g_new0 (OtactlContext, 1);
	ctx->commands = commands;
	return ctx;
}

void
otactl_context_free (OtactlContext *ctx)
{
	g_clear_object (&ctx->client);
	if (ctx->agent != NULL) {
		g_subprocess_send_signal (ctx->agent, SIGTERM);
		g_subprocess_wait (ctx->agent, NULL, NULL);
		g_clear_object (&ctx->agent);
	}
	g_free (ctx->bus_address);
	g_free (ctx);
}

static gchar *
otactl_context_commands_summary (OtactlContext *ctx)
{
	GString *str = g_string_new (NULL);
	guint width = 0;

	for (const OtactlCommand *cmd = ctx->commands; cmd->name != NULL; cmd++)
		width = MAX (width, strlen (cmd->name));

	/* TRANSLATORS: heading of the list of subcommands in `otactl --help` */
	g_string_append (str, _("Commands:"));
	for (const OtactlCommand *cmd = ctx->commands; cmd->name != NULL; cmd++)
		g_string_append_printf (str, "\n  %-*s  %s", (gint)width, cmd->name,
					_(cmd->description));
	return g_string_free (str, FALSE);
}

static const gchar *
otactl_context_exit_codes (void)
{
	/* TRANSLATORS: the end of every `otactl … --help` */
	return _("Exit status:\n"
		 "  0   success\n"
		 "  1   the command failed\n"
		 "  2   wrong usage\n"
		 "  3   otad cannot be reached\n"
		 "  4   not authorized\n"
		 "  77  no update is available\n"
		 "  130 interrupted: otactl stopped waiting, otad goes on");
}

/* "otactl: message" and a hint where to get help, on stderr; with --json the
 * error object on stdout instead */
void
otactl_context_usage_error (OtactlContext *ctx, const gchar *message)
{
	if (ctx->json) {
		otactl_context_print_json_error (ctx, OTACTL_EXIT_USAGE,
						 ota_error_to_dbus_name (OTA_ERROR_INVALID_ARGUMENT),
						 NULL, message);
		return;
	}
	g_printerr ("otactl: %s\n", message);
	if (ctx->command != NULL) {
		/* TRANSLATORS: %s is a subcommand, e.g. "status" */
		g_printerr (_("Try “otactl %s --help” for more information."), ctx->command->name);
	} else {
		g_printerr (_("Try “otactl --help” for more information."));
	}
	g_printerr ("\n");
}

/* parses the global options and @entries; returns FALSE when otactl should exit
 * with *exit_code, e.g. after --help or on a usage error */
gboolean
otactl_context_parse (OtactlContext *ctx,
		      const GOptionEntry *entries,
		      gint *argc,
		      gchar ***argv,
		      gint *exit_code)
{
	g_autoptr(GOptionContext) option_context = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *summary = NULL;
	const GOptionEntry global_entries[] = {
	    {"json", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctx->json,
	     /* TRANSLATORS: description of --json */
	     N_("Print machine-readable JSON"), NULL},
	    {"verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctx->verbose,
	     /* TRANSLATORS: description of --verbose */
	     N_("Print debugging information"), NULL},
	    {"version", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctx->version,
	     /* TRANSLATORS: description of --version */
	     N_("Print the version and exit"), NULL},
	    {"bus-address", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &ctx->bus_address,
	     /* TRANSLATORS: description of --bus-address */
	     N_("Talk to otad on the bus at ADDRESS instead of the system bus (for development)"),
	     /* TRANSLATORS: the argument of --bus-address */
	     N_("ADDRESS")},
	    {"interactive", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctx->interactive,
	     /* TRANSLATORS: description of --interactive */
	     N_("Let polkit ask for a password (default when run on a terminal)"), NULL},
	    {"no-interactive", '\0', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctx->no_interactive,
	     /* TRANSLATORS: description of --no-interactive */
	     N_("Never ask for a password; fail when not authorized"), NULL},
	    {"help", 'h', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctx->help,
	     /* TRANSLATORS: description of --help */
	     N_("Show help options"), NULL},
	    {NULL}};

	if (ctx->command != NULL) {
		option_context = g_option_context_new (ctx->command->args);
		g_option_context_set_summary (option_context, _(ctx->command->description));
	} else {
		/* TRANSLATORS: the parameter string in "otactl [OPTION…] COMMAND" */
		option_context = g_option_context_new (_("COMMAND"));
		summary = otactl_context_commands_summary (ctx);
		g_option_context_set_summary (option_context, summary);
	}
	g_option_context_set_translation_domain (option_context, GETTEXT_PACKAGE);
	g_option_context_set_description (option_context, otactl_context_exit_codes ());
	/* --help is ours, so that it goes through the same exit path as the rest */
	g_option_context_set_help_enabled (option_context, FALSE);
	g_option_context_add_main_entries (option_context, global_entries, GETTEXT_PACKAGE);
	if (entries != NULL)
		g_option_context_add_main_entries (option_context, entries, GETTEXT_PACKAGE);

	if (!g_option_context_parse (option_context, argc, argv, &error)) {
		otactl_context_usage_error (ctx, error->message);
		*exit_code = OTACTL_EXIT_USAGE;
		return FALSE;
	}
	if (ctx->verbose)
		g_log_set_debug_enabled (TRUE);
	if (ctx->interactive && ctx->no_interactive) {
		otactl_context_usage_error (ctx,
					    /* TRANSLATORS: two options that exclude each other */
					    _("--interactive and --no-interactive exclude each other"));
		*exit_code = OTACTL_EXIT_USAGE;
		return FALSE;
	}
	if (ctx->help) {
		g_autofree gchar *help = g_option_context_get_help (option_context, TRUE, NULL);
		g_print ("%s", help);
		*exit_code = OTACTL_EXIT_OK;
		return FALSE;
	}
	if (ctx->version) {
		g_print ("otactl %s\n", PACKAGE_VERSION);
		*exit_code = OTACTL_EXIT_OK;
		return FALSE;
	}

	/* success */
	return TRUE;
}

/* connects ctx->client; on failure prints the one line that says why */
gint
otactl_context_connect (OtactlContext *ctx)
{
	g_autoptr(GError) error = NULL;

	if (ctx->bus_address != NULL)
		ctx->client = ota_client_new_for_bus_address (ctx->bus_address);
	else
		ctx->client = ota_client_new ();
	if (!ota_client_connect_sync (ctx->client, NULL, &error)) {
		if (ctx->json) {
			g_autofree gchar *what =
			    /* TRANSLATORS: %s is the D-Bus name, org.otad.Updater */
			    g_strdup_printf (_("cannot reach otad (%s)"), OTA_DBUS_SERVICE);
			otactl_context_print_json_error (ctx, OTACTL_EXIT_UNREACHABLE,
							 otactl_context_error_name (error), what,
							 error->message);
		} else if (g_error_matches (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED)) {
			/* TRANSLATORS: %s is the D-Bus name, org.otad.Updater */
			g_printerr (_("otactl: cannot reach otad (%s): not running"),
				    OTA_DBUS_SERVICE);
			g_printerr ("\n");
			g_debug ("%s", error->message);
		} else {
			/* TRANSLATORS: the first %s is the D-Bus name, the second the reason */
			g_printerr (_("otactl: cannot reach otad (%s): %s"),
				    OTA_DBUS_SERVICE,
				    error->message);
			g_printerr ("\n");
		}
		return OTACTL_EXIT_UNREACHABLE;
	}
	return OTACTL_EXIT_OK;
}

/* after parsing: a command that takes no arguments says so */
gboolean
otactl_context_check_no_args (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autofree gchar *msg = NULL;

	if (argc <= 1)
		return TRUE;
	/* TRANSLATORS: %s is the unexpected argument */
	msg = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);
	otactl_context_usage_error (ctx, msg);
	return FALSE;
}

/* what the commands that take no arguments do before their work: parse
 * @entries (nullable), refuse arguments, connect; returns FALSE when the
 * command ends here, with *exit_code to exit with */
gboolean
otactl_context_prepare (OtactlContext *ctx,
			const GOptionEntry *entries,
			gint *argc,
			gchar ***argv,
			gint *exit_code)
{
	if (!otactl_context_parse (ctx, entries, argc, argv, exit_code))
		return FALSE;
	if (!otactl_context_check_no_args (ctx, *argc, *argv)) {
		*exit_code = OTACTL_EXIT_USAGE;
		return FALSE;
	}
	*exit_code = otactl_context_connect (ctx);
	return *exit_code == OTACTL_EXIT_OK;
}

/* lets the property changes that came with a reply reach the client; bounded */
void
otactl_context_drain (OtactlContext *ctx)
{
	for (guint i = 0; i < 100 && g_main_context_pending (NULL); i++)
		g_main_context_iteration (NULL, FALSE);
}

typedef struct {
	OtaState start_state; /* OTA_STATE_LAST: no job to wait for, only the end of one */
	gboolean seen_busy;
	GMainLoop *loop;
} OtactlWait;

static gboolean
otactl_context_state_is_busy (OtaState state)
{
	return state == OTA_STATE_CHECKING || state == OTA_STATE_DOWNLOADING ||
	       state == OTA_STATE_INSTALLING || state == OTA_STATE_CONFIRMING;
}

static gboolean
otactl_context_wait_done (OtactlWait *wait, OtaClient *client)
{
	OtaState state = ota_client_get_state (client);

	if (!ota_client_get_connected (client))
		return TRUE;
	if (otactl_context_state_is_busy (state)) {
		wait->seen_busy = TRUE;
		return FALSE;
	}
	return wait->start_state == OTA_STATE_LAST || wait->seen_busy ||
	       state != wait->start_state;
}

static void
otactl_context_wait_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
	OtactlWait *wait = user_data;

	if (otactl_context_wait_done (wait, OTA_CLIENT (object)))
		g_main_loop_quit (wait->loop);
}

static gboolean
otactl_context_wait_timeout_cb (gpointer user_data)
{
	g_main_loop_quit (user_data);
	return G_SOURCE_REMOVE;
}

/* a round trip to otad: every PropertiesChanged it sent before answering has
 * reached the client when this returns (the bus keeps a sender's order) */
static void
otactl_context_sync (OtactlContext *ctx)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	GDBusConnection *connection = ota_client_get_connection (ctx->client);

	if (connection != NULL)
		reply = g_dbus_connection_call_sync (connection, OTA_DBUS_SERVICE, OTA_DBUS_PATH,
						     "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
						     G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
	if (error != NULL)
		g_debug ("ping otad: %s", error->message);
	otactl_context_drain (ctx);
}

/**
 * otactl_context_wait_job_end:
 * @start_state: the state before the call that started a job, or
 *   %OTA_STATE_LAST when the call ends a job (Cancel) rather than starting one
 * @timeout_secs: the bound
 *
 * Methods such as Rollback() and Cancel() return when otad took the request;
 * the job ends later, and only then are State and the deployments final.
 * Waits until the state is not busy any more (after a job started: once it was
 * busy or changed), then makes sure every property change otad sent is in.
 */
void
otactl_context_wait_job_end (OtactlContext *ctx, OtaState start_state, guint timeout_secs)
{
	OtactlWait wait = {start_state, FALSE, NULL};
	gulong handler_id;
	guint timeout_id;

	otactl_context_sync (ctx);
	if (!otactl_context_wait_done (&wait, ctx->client)) {
		wait.loop = g_main_loop_new (NULL, FALSE);
		handler_id = g_signal_connect (ctx->client, "notify::state",
					       G_CALLBACK (otactl_context_wait_notify_cb), &wait);
		timeout_id = g_timeout_add_seconds (timeout_secs, otactl_context_wait_timeout_cb,
						    wait.loop);
		g_main_loop_run (wait.loop);
		if (!g_main_context_find_source_by_id (NULL, timeout_id))
			timeout_id = 0;
		if (timeout_id != 0)
			g_source_remove (timeout_id);
		g_signal_handler_disconnect (ctx->client, handler_id);
		g_main_loop_unref (wait.loop);
	}
	otactl_context_sync (ctx);
}

/* interactive unless told otherwise, when a person can answer on the terminal */
OtaClientFlags
otactl_context_get_flags (OtactlContext *ctx)
{
	if (ctx->interactive)
		return OTA_CLIENT_FLAGS_INTERACTIVE;
	if (ctx->no_interactive)
		return OTA_CLIENT_FLAGS_NONE;
	return isatty (STDIN_FILENO) ? OTA_CLIENT_FLAGS_INTERACTIVE : OTA_CLIENT_FLAGS_NONE;
}

/* without a desktop agent nobody would show polkit's password prompt: start a
 * text agent for this process, as systemctl does, and wait until it listens */
void
otactl_context_start_agent (OtactlContext *ctx)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *pid = NULL;
	gint fds[2];
	struct pollfd pfd;
	gchar buf[1];

	if (ctx->agent != NULL || !(otactl_context_get_flags (ctx) & OTA_CLIENT_FLAGS_INTERACTIVE))
		return;
	/* a person must be there to answer: a terminal on both ends, and otad on the
	 * system bus, where polkitd and the agent's registration are */
	if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO) || ctx->json ||
	    ctx->bus_address != NULL)
		return;
	path = g_find_program_in_path ("pkttyagent");
	if (path == NULL)
		return;
	if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error)) {
		g_debug ("no pipe for pkttyagent: %s", error->message);
		return;
	}
	pid = g_strdup_printf ("%d", (gint)getpid ());
	/* pkttyagent prompts on the controlling terminal (/dev/tty), but says
	 * "Authorization not available" on stderr whenever it cannot register, e.g.
	 * with no polkitd or on a development bus, even when no prompt was needed */
	launcher = g_subprocess_launcher_new (ctx->verbose ? G_SUBPROCESS_FLAGS_NONE
							    : G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	g_subprocess_launcher_take_fd (launcher, fds[1], 3);
	ctx->agent = g_subprocess_launcher_spawn (launcher, &error, path, "--notify-fd", "3",
						  "--fallback", "--process", pid, NULL);
	/* the launcher holds the write end: drop it so that EOF can arrive */
	g_clear_object (&launcher);
	if (ctx->agent == NULL) {
		g_debug ("cannot start pkttyagent: %s", error->message);
		close (fds[0]);
		return;
	}

	/* the agent closes the fd once it is registered (or gives up); bounded */
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	if (poll (&pfd, 1, 5000) > 0)
		(void)!read (fds[0], buf, sizeof (buf));
	close (fds[0]);
}

/* the D-Bus error name for @error, as otad sent it or libota mapped it */
const gchar *
otactl_context_error_name (const GError *error)
{
	if (error->domain == OTA_ERROR)
		return ota_error_to_dbus_name (error->code);
	return ota_error_to_dbus_name (OTA_ERROR_FAILED);
}

/**
 * otactl_context_print_json_error:
 * @exit_code: what otactl exits with
 * @name: the D-Bus error name, e.g. org.otad.Updater1.Error.WrongState
 * @what: (nullable): what failed, e.g. "cannot download the update"
 * @message: why
 *
 * With --json every failure is one object on stdout, so that a script reads
 * one stream:  {"error": {"name": …, "message": …, "what": …, "exit-code": n}}
 */
void
otactl_context_print_json_error (OtactlContext *ctx,
				 gint exit_code,
				 const gchar *name,
				 const gchar *what,
				 const gchar *message)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "name");
	json_builder_add_string_value (builder, name);
	json_builder_set_member_name (builder, "message");
	json_builder_add_string_value (builder, message);
	if (what != NULL) {
		json_builder_set_member_name (builder, "what");
		json_builder_add_string_value (builder, what);
	}
	json_builder_set_member_name (builder, "exit-code");
	json_builder_add_int_value (builder, exit_code);
	json_builder_end_object (builder);
	json_builder_end_object (builder);
	otactl_json_print (builder);
}

/**
 * otactl_context_fail:
 * @exit_code: what otactl exits with
 * @name: the D-Bus error name
 * @what: what failed, e.g. "cannot download the update"
 * @message: why
 *
 * Prints "otactl: WHAT: MESSAGE" on stderr, or with --json the error object on
 * stdout.
 *
 * Returns: @exit_code
 */
gint
otactl_context_fail (OtactlContext *ctx,
		     gint exit_code,
		     const gchar *name,
		     const gchar *what,
		     const gchar *message)
{
	if (ctx->json) {
		otactl_context_print_json_error (ctx, exit_code, name, what, message);
		return exit_code;
	}
	/* TRANSLATORS: first %s says what failed, the second is otad's reason */
	g_printerr (_("otactl: %s: %s"), what, message);
	g_printerr ("\n");
	return exit_code;
}

/* prints "otactl: WHAT: why" for a failed call and returns the exit code for it */
gint
otactl_context_report_error (OtactlContext *ctx, const gchar *what, const GError *error)
{
	if (ctx->json) {
		gint exit_code = OTACTL_EXIT_FAILED;
		if (g_error_matches (error, OTA_ERROR, OTA_ERROR_AUTH_FAILED))
			exit_code = OTACTL_EXIT_NOT_AUTHORIZED;
		else if (g_error_matches (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED) &&
			 (ctx->client == NULL || !ota_client_get_connected (ctx->client)))
			exit_code = OTACTL_EXIT_UNREACHABLE;
		otactl_context_print_json_error (ctx, exit_code, otactl_context_error_name (error),
						 what, error->message);
		return exit_code;
	}
	if (g_error_matches (error, OTA_ERROR, OTA_ERROR_AUTH_FAILED)) {
		/* TRANSLATORS: %s says what failed, e.g. "cannot check for updates" */
		g_printerr (_("otactl: %s: not authorized"), what);
		g_printerr ("\n");
		g_debug ("%s", error->message);
		return OTACTL_EXIT_NOT_AUTHORIZED;
	}
	if (g_error_matches (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED) &&
	    (ctx->client == NULL || !ota_client_get_connected (ctx->client))) {
		/* TRANSLATORS: %s says what failed, e.g. "cannot check for updates" */
		g_printerr (_("otactl: %s: otad is not running"), what);
		g_printerr ("\n");
		return OTACTL_EXIT_UNREACHABLE;
	}
	/* TRANSLATORS: first %s says what failed, the second is otad's reason */
	g_printerr (_("otactl: %s: %s"), what, error->message);
	g_printerr ("\n");
	return OTACTL_EXIT_FAILED;
}
