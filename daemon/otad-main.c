/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Otad"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "otad-daemon.h"
#include "otad-sd-notify.h"

typedef struct {
	GMainLoop *loop; /* (owned) */
	GError *fatal;	 /* (owned) (nullable) */
	gboolean journald;
	gchar *status;	 /* (owned) (nullable) the last STATUS= sent */
} OtadMain;

static void
otad_main_clear (OtadMain *self)
{
	g_clear_pointer (&self->loop, g_main_loop_unref);
	g_clear_error (&self->fatal);
	g_clear_pointer (&self->status, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtadMain, otad_main_clear)

static GLogWriterOutput
otad_main_log_writer (GLogLevelFlags log_level,
		      const GLogField *fields,
		      gsize n_fields,
		      gpointer user_data)
{
	OtadMain *self = user_data;

	if (self->journald) {
		const gchar *domain = NULL;

		/* the journald writer does not filter: honour G_MESSAGES_DEBUG and --verbose */
		for (gsize i = 0; i < n_fields; i++) {
			if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
				domain = fields[i].value;
		}
		if (g_log_writer_default_would_drop (log_level, domain))
			return G_LOG_WRITER_HANDLED;
		if (g_log_writer_journald (log_level, fields, n_fields, NULL) ==
		    G_LOG_WRITER_HANDLED)
			return G_LOG_WRITER_HANDLED;
	}
	return g_log_writer_default (log_level, fields, n_fields, NULL);
}

static gboolean
otad_main_quit_cb (gpointer user_data)
{
	OtadMain *self = user_data;

	g_info ("stopping on signal");
	g_main_loop_quit (self->loop);
	return G_SOURCE_CONTINUE;
}

static void
otad_main_fatal_cb (OtadDaemon *daemon, const GError *error, gpointer user_data)
{
	OtadMain *self = user_data;

	if (self->fatal == NULL)
		self->fatal = g_error_copy (error);
	g_main_loop_quit (self->loop);
}

static void
otad_main_idle_cb (OtadDaemon *daemon, gpointer user_data)
{
	OtadMain *self = user_data;

	g_main_loop_quit (self->loop);
}

/*
 * otad may exit when idle only when something starts it again: dbus-daemon
 * sets DBUS_STARTER_BUS_TYPE in a service it activates itself; systemd sets
 * INVOCATION_ID in every service it starts and is our parent, and then D-Bus
 * activation (org.otad.Updater.service → otad.service) and otad-check.timer
 * bring otad back.  Started by hand or by another init, it keeps its own check
 * timer and stays.
 */
static gboolean
otad_main_is_activatable (void)
{
	if (g_getenv ("DBUS_STARTER_BUS_TYPE") != NULL)
		return TRUE;
	return g_getenv ("INVOCATION_ID") != NULL && getppid () == 1;
}

static void
otad_main_notify (const gchar *state)
{
	g_autoptr(GError) error = NULL;

	/* not fatal: systemd then times out and reports it better than we could */
	if (!otad_sd_notify (state, &error))
		g_warning ("%s", error->message);
}

/* pinged from the main loop itself: a wedged loop stops the pings, and systemd
 * restarts otad (WatchdogSec= in otad.service) */
static gboolean
otad_main_watchdog_cb (gpointer user_data)
{
	otad_main_notify ("WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

/* what `systemctl status otad` shows: the state, and the error when there is one */
static void
otad_main_engine_notify_cb (GObject *engine, GParamSpec *pspec, gpointer user_data)
{
	OtadMain *self = user_data;
	OtadEngine *e = OTAD_ENGINE (engine);
	const gchar *error_name = otad_engine_get_error_name (e);
	g_autofree gchar *status = NULL;

	if (error_name != NULL && error_name[0] != '\0')
		status = g_strdup_printf ("STATUS=State: %s (%s)",
					  ota_state_to_string (otad_engine_get_state (e)),
					  error_name);
	else
		status = g_strdup_printf ("STATUS=State: %s",
					  ota_state_to_string (otad_engine_get_state (e)));
	if (g_strcmp0 (status, self->status) == 0)
		return;
	/* the first one goes with READY=1 */
	if (g_strcmp0 (self->status, "READY=1") == 0) {
		g_autofree gchar *ready = g_strdup_printf ("READY=1\n%s", status);
		otad_main_notify (ready);
	} else {
		otad_main_notify (status);
	}
	g_free (self->status);
	self->status = g_steal_pointer (&status);
}

int
main (int argc, char *argv[])
{
	gboolean opt_session = FALSE;
	gboolean opt_verbose = FALSE;
	gboolean opt_version = FALSE;
	gboolean opt_print_config = FALSE;
	g_autofree gchar *opt_bus_address = NULL;
	g_autofree gchar *opt_config = NULL;
	g_autofree gchar *opt_state_dir = NULL;
	g_autofree gchar *opt_sysroot = NULL;
	g_autofree gchar *opt_test_booted = NULL;
	const GOptionEntry entries[] = {
	    {"session", 0, 0, G_OPTION_ARG_NONE, &opt_session,
	     /* TRANSLATORS: command line option */
	     N_("Use the session bus instead of the system bus"), NULL},
	    {"bus-address", 0, 0, G_OPTION_ARG_STRING, &opt_bus_address,
	     /* TRANSLATORS: command line option */
	     N_("Use the bus at this D-Bus address"), N_("ADDRESS")},
	    {"config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config,
	     /* TRANSLATORS: command line option; FILE.d holds drop-ins */
	     N_("Read this configuration file and FILE.d/ instead of the system ones"),
	     N_("FILE")},
	    {"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_state_dir,
	     /* TRANSLATORS: command line option */
	     N_("Keep the persistent state in this directory"), N_("DIR")},
	    {"sysroot", 0, 0, G_OPTION_ARG_FILENAME, &opt_sysroot,
	     /* TRANSLATORS: command line option */
	     N_("Manage the OSTree sysroot at this path"), N_("DIR")},
	    {"test-booted-deployment", 0, 0, G_OPTION_ARG_STRING, &opt_test_booted,
	     /* TRANSLATORS: command line option, only for tests */
	     N_("Test only: treat this deployment of a test sysroot as booted"),
	     N_("CHECKSUM[.SERIAL]")},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
	     /* TRANSLATORS: command line option */
	     N_("Show debug messages"), NULL},
	    {"print-config", 0, 0, G_OPTION_ARG_NONE, &opt_print_config,
	     /* TRANSLATORS: command line option */
	     N_("Show the effective configuration, and where each value comes from, and exit"),
	     NULL},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
	     /* TRANSLATORS: command line option */
	     N_("Show the version and exit"), NULL},
	    {NULL}};
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadDaemon) daemon = NULL;
	g_auto(OtadMain) self = {NULL, NULL, FALSE, NULL};
	OtadDaemonOptions options = {G_BUS_TYPE_SYSTEM};
	guint sigterm_id;
	guint sigint_id;
	guint watchdog_id = 0;
	guint64 watchdog_usec;

#ifdef __GLIBC__
	/* one malloc arena for all threads: a job's worker thread otherwise gets an arena
	 * of its own, whose fragments malloc_trim() cannot give back after the job (1-2 MB
	 * resident idle after an update, bench/run); otad's threads rarely allocate at the
	 * same moment (the jobs are one at a time) */
	(void)mallopt (M_ARENA_MAX, 1);
#endif
	setlocale (LC_ALL, "");
	bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
	textdomain (GETTEXT_PACKAGE);
	g_set_prgname ("otad");

	context = g_option_context_new (NULL);
	/* TRANSLATORS: the summary in otad --help */
	g_option_context_set_summary (context, _("Over-the-air update daemon"));
	g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse (context, &argc, &argv, &error)) {
		g_printerr ("otad: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (opt_version) {
		g_print ("otad %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (opt_session && opt_bus_address != NULL) {
		/* TRANSLATORS: error message */
		g_printerr ("otad: %s\n", _("--session and --bus-address exclude each other"));
		return EXIT_FAILURE;
	}

	self.journald = g_log_writer_is_journald (fileno (stderr));
	g_log_set_writer_func (otad_main_log_writer, &self, NULL);
	if (opt_verbose)
		g_log_set_debug_enabled (TRUE);

	/* everything that can be wrong with the setup fails here, before the bus sees us */
	options.bus_type = opt_session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
	options.bus_address = opt_bus_address;
	options.config_file = opt_config;
	options.state_dir = opt_state_dir;
	options.sysroot = opt_sysroot;
	options.test_booted = opt_test_booted;
	options.activatable = otad_main_is_activatable ();
	if (opt_print_config) {
		g_autofree gchar *text = otad_daemon_describe_config (&options, &error);
		if (text == NULL) {
			g_printerr ("otad: %s\n", error->message);
			return EXIT_FAILURE;
		}
		g_print ("%s", text);
		return EXIT_SUCCESS;
	}
	self.loop = g_main_loop_new (NULL, FALSE);
	daemon = otad_daemon_new (&options, &error);
	if (daemon == NULL || !otad_daemon_start (daemon, &error)) {
		g_printerr ("otad: %s\n", error->message);
		return EXIT_FAILURE;
	}
	g_signal_connect (daemon, "fatal", G_CALLBACK (otad_main_fatal_cb), &self);
	g_signal_connect (daemon, "idle", G_CALLBACK (otad_main_idle_cb), &self);

	sigterm_id = g_unix_signal_add (SIGTERM, otad_main_quit_cb, &self);
	sigint_id = g_unix_signal_add (SIGINT, otad_main_quit_cb, &self);
	/* on the bus and resumed: Type=notify units are started now; the first status goes
	 * in the same message, so READY=1 and what otad does arrive together */
	self.status = g_strdup ("READY=1");
	otad_main_engine_notify_cb (G_OBJECT (otad_daemon_get_engine (daemon)), NULL, &self);
	g_signal_connect (otad_daemon_get_engine (daemon), "notify::state",
			  G_CALLBACK (otad_main_engine_notify_cb), &self);
	g_signal_connect (otad_daemon_get_engine (daemon), "notify::error-name",
			  G_CALLBACK (otad_main_engine_notify_cb), &self);
	/* twice per period, as sd_watchdog_enabled(3) advises */
	watchdog_usec = otad_sd_notify_watchdog_usec ();
	if (watchdog_usec > 0) {
		guint interval_ms = (guint)MAX (MIN (watchdog_usec / 2000, G_MAXUINT), 1);
		g_info ("watchdog: pinging systemd every %u ms", interval_ms);
		otad_main_notify ("WATCHDOG=1");
		watchdog_id = g_timeout_add (interval_ms, otad_main_watchdog_cb, NULL);
	}
	g_main_loop_run (self.loop);
	otad_main_notify ("STOPPING=1");
	g_clear_handle_id (&watchdog_id, g_source_remove);
	g_signal_handlers_disconnect_by_data (otad_daemon_get_engine (daemon), &self);
	g_source_remove (sigterm_id);
	g_source_remove (sigint_id);
	otad_daemon_stop (daemon);
	g_signal_handlers_disconnect_by_data (daemon, &self);

	if (self.fatal != NULL) {
		g_printerr ("otad: %s\n", self.fatal->message);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
