/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ota-common.h"
#include "ota-error.h"
#include "ota-dbus-generated.h"
#include "otad-daemon.h"
#include "otad-state.h"
#include "otad-test-sysroot.h"
#include "otad-test-require.h"

/*
 * OtadDaemon in this process on a private bus (GTestDBus), read through the
 * generated proxy; and the real otad binary for what main() does: startup
 * errors, sd_notify, SIGTERM.
 */

typedef struct {
	OtadTestSysroot *ts; /* (owned) */
	GTestDBus *bus;	     /* (owned) */
	gchar *state_dir;    /* (owned) */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	fx->ts = otad_test_sysroot_new (&error);
	g_assert_no_error (error);
	fx->state_dir = g_build_filename (fx->ts->tmpdir, "state", NULL);
	fx->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
	g_test_dbus_up (fx->bus);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
	/* a test may have taken the bus down already */
	if (g_test_dbus_get_bus_address (fx->bus) != NULL)
		g_test_dbus_down (fx->bus);
	g_clear_object (&fx->bus);
	g_clear_pointer (&fx->ts, otad_test_sysroot_free);
	g_free (fx->state_dir);
}

static gboolean
timeout_cb (gpointer user_data)
{
	gboolean *timed_out = user_data;
	*timed_out = TRUE;
	return G_SOURCE_REMOVE;
}

typedef gboolean (*CheckFunc) (gpointer data);

/* iterates the main context until @check is true, at most 20 s */
static void
wait_for (CheckFunc check, gpointer data)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

	while (!check (data) && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	if (!timed_out)
		g_source_remove (id);
	g_assert_false (timed_out);
}

static void
proxy_ready_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtaDBusUpdater1 **proxy = user_data;
	g_autoptr(GError) error = NULL;

	*proxy = ota_dbus_updater1_proxy_new_finish (res, &error);
	g_assert_no_error (error);
}

static gboolean
check_nonnull (gpointer data)
{
	return *(gpointer *)data != NULL;
}

static const gchar *
dict_checksum (GVariant *dict)
{
	const gchar *csum = NULL;
	if (dict == NULL || !g_variant_lookup (dict, "checksum", "&s", &csum))
		return NULL;
	return csum;
}

typedef struct {
	OtaDBusUpdater1 *proxy;
	const gchar *state;
	guint64 last_check;
	const gchar *pending;
} Expect;

static gboolean
check_state (gpointer data)
{
	Expect *e = data;
	return g_strcmp0 (ota_dbus_updater1_get_state (e->proxy), e->state) == 0;
}

static gboolean
check_last_check (gpointer data)
{
	Expect *e = data;
	return ota_dbus_updater1_get_last_check_time (e->proxy) == e->last_check;
}

static gboolean
check_pending (gpointer data)
{
	Expect *e = data;
	return g_strcmp0 (dict_checksum (ota_dbus_updater1_get_pending_deployment (e->proxy)),
			  e->pending) == 0;
}

/* built as otad builds itself: through the composition root, with a test sysroot */
static OtadDaemon *
make_daemon (Fixture *fx, const gchar *test_booted)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *config_file = g_build_filename (fx->ts->tmpdir, "otad.conf", NULL);
	OtadDaemonOptions options = {G_BUS_TYPE_SESSION};
	OtadDaemon *daemon;

	g_assert_true (g_file_set_contents (config_file, "", 0, &error));
	options.bus_address = g_test_dbus_get_bus_address (fx->bus);
	options.config_file = config_file;
	options.state_dir = fx->state_dir;
	options.sysroot = fx->ts->sysroot;
	options.test_booted = test_booted;
	daemon = otad_daemon_new (&options, &error);
	g_assert_no_error (error);
	return daemon;
}

static void
test_properties (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadDaemon) daemon = make_daemon (fx, fx->ts->commit_b);
	g_autoptr(OtadDaemon) daemon2 = make_daemon (fx, NULL);
	g_autoptr(GDBusConnection) client = NULL;
	g_autoptr(OtaDBusUpdater1) proxy = NULL;
	g_autofree gchar *commit_c = NULL;
	OtadStateStore *store = otad_engine_get_state_store (otad_daemon_get_engine (daemon));
	Expect e = {NULL, NULL, 0, NULL};

	g_assert_true (otad_daemon_start (daemon, &error));
	g_assert_no_error (error);

	/* a second daemon cannot take the name */
	g_assert_false (otad_daemon_start (daemon2, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, "is another otad running?"));
	g_clear_error (&error);
	otad_daemon_stop (daemon2);

	client = g_dbus_connection_new_for_address_sync (
	    g_test_dbus_get_bus_address (fx->bus),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	g_assert_no_error (error);
	/* async: the daemon answers from this thread's main context */
	ota_dbus_updater1_proxy_new (client, G_DBUS_PROXY_FLAGS_NONE, OTA_DBUS_SERVICE,
				     OTA_DBUS_PATH, NULL, proxy_ready_cb, &proxy);
	wait_for (check_nonnull, &proxy);
	e.proxy = proxy;

	g_assert_cmpuint (ota_dbus_updater1_get_version (proxy), ==, OTA_DBUS_INTERFACE_VERSION);
	g_assert_cmpstr (ota_dbus_updater1_get_state (proxy), ==, "idle");
	g_assert_cmpstr (ota_dbus_updater1_get_error_name (proxy), ==, "");
	g_assert_cmpuint (ota_dbus_updater1_get_last_check_time (proxy), ==, 0);
	g_assert_cmpstr (dict_checksum (ota_dbus_updater1_get_booted_deployment (proxy)), ==,
			 fx->ts->commit_b);
	g_assert_cmpuint (g_variant_n_children (ota_dbus_updater1_get_pending_deployment (proxy)),
			  ==, 0);
	g_assert_cmpstr (dict_checksum (ota_dbus_updater1_get_rollback_deployment (proxy)), ==,
			 fx->ts->commit_a);

	/* state changes reach the bus after they are saved */
	g_assert_true (otad_state_transition (store, OTA_STATE_CHECKING, &error));
	g_assert_no_error (error);
	e.state = "checking";
	wait_for (check_state, &e);
	otad_state_store_set_last_check_time (store, 1764000000);
	g_assert_true (otad_state_transition (store, OTA_STATE_IDLE, &error));
	g_assert_no_error (error);
	e.last_check = 1764000000;
	wait_for (check_last_check, &e);
	g_assert_cmpstr (ota_dbus_updater1_get_state (proxy), ==, "idle");

	/* a new deployment becomes the pending one; ostree drops A, B stays booted */
	commit_c = otad_test_sysroot_commit (fx->ts, "3.0", &error);
	g_assert_no_error (error);
	g_assert_true (otad_test_sysroot_deploy (fx->ts, commit_c, &error));
	g_assert_no_error (error);
	e.pending = commit_c;
	wait_for (check_pending, &e);
	g_assert_cmpstr (dict_checksum (ota_dbus_updater1_get_booted_deployment (proxy)), ==,
			 fx->ts->commit_b);
	g_assert_cmpstr (dict_checksum (ota_dbus_updater1_get_rollback_deployment (proxy)), ==,
			 fx->ts->commit_b);

	otad_daemon_stop (daemon);
}

/* runs the real otad; returns its exit status and stderr */
static gint
run_otad (Fixture *fx, gchar **stderr_out, const gchar *first_arg, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GError) error = NULL;
	gint status = 0;
	va_list ap;

	g_ptr_array_add (argv, g_strdup (g_getenv ("OTAD_TEST_OTAD")));
	g_ptr_array_add (argv, g_strdup_printf ("--bus-address=%s",
						g_test_dbus_get_bus_address (fx->bus)));
	g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", fx->state_dir));
	va_start (ap, first_arg);
	for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
		g_ptr_array_add (argv, g_strdup (arg));
	va_end (ap);
	g_ptr_array_add (argv, NULL);
	/* otad's stdout (--version) would land in this test's TAP stream */
	g_assert_true (g_spawn_sync (NULL, (gchar **)argv->pdata, NULL,
				     G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, stderr_out,
				     &status, &error));
	g_assert_no_error (error);
	g_assert_true (WIFEXITED (status));
	return WEXITSTATUS (status);
}

static void
test_startup_errors (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *conf = g_build_filename (fx->ts->tmpdir, "otad.conf", NULL);
	g_autofree gchar *conf_arg = g_strdup_printf ("--config=%s", conf);
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", fx->ts->sysroot);
	g_autofree gchar *booted_arg = g_strdup_printf ("--test-booted-deployment=%s",
							fx->ts->commit_a);
	g_autofree gchar *want = g_strdup_printf ("%s:3: [polling] interval-sec: \"soon\" is not a "
						  "number",
						  conf);
	g_autofree gchar *err = NULL;

	if (g_getenv ("OTAD_TEST_OTAD") == NULL) {
		g_test_skip ("OTAD_TEST_OTAD not set");
		return;
	}

	/* a broken config file names file, line and key */
	g_file_set_contents (conf, "[polling]\n# when\ninterval-sec=soon\n", -1, &error);
	g_assert_no_error (error);
	g_assert_cmpint (run_otad (fx, &err, conf_arg, sysroot_arg, NULL), ==, 1);
	g_assert_nonnull (strstr (err, want));
	g_clear_pointer (&err, g_free);

	/* a missing --config file */
	g_assert_cmpint (g_unlink (conf), ==, 0);
	g_assert_cmpint (run_otad (fx, &err, conf_arg, sysroot_arg, NULL), ==, 1);
	g_assert_nonnull (strstr (err, "otad.conf"));
	g_clear_pointer (&err, g_free);

	/* the test override is refused for the real root */
	g_file_set_contents (conf, "", -1, &error);
	g_assert_no_error (error);
	g_assert_cmpint (run_otad (fx, &err, conf_arg, "--sysroot=/", booted_arg, NULL), ==, 1);
	g_assert_nonnull (strstr (err, "--test-booted-deployment is only for test sysroots"));
	g_clear_pointer (&err, g_free);

	/* bad option combinations */
	g_assert_cmpint (run_otad (fx, &err, conf_arg, sysroot_arg, "--session", NULL), ==, 1);
	g_assert_nonnull (strstr (err, "--session and --bus-address"));
	g_clear_pointer (&err, g_free);
	g_assert_cmpint (run_otad (fx, &err, "--no-such-option", NULL), ==, 1);
	g_clear_pointer (&err, g_free);

	/* --version needs nothing else */
	g_assert_cmpint (run_otad (fx, &err, "--version", NULL), ==, 0);
}

static gchar *
receive_notify (GSocket *sock)
{
	g_autoptr(GError) error = NULL;
	gchar buf[256] = {0};
	gssize len;

	len = g_socket_receive (sock, buf, sizeof (buf) - 1, NULL, &error);
	g_assert_no_error (error);
	return g_strndup (buf, (gsize)MAX (len, 0));
}

/* otad tells systemd when it is ready, serves properties, and stops cleanly on SIGTERM */
static void
test_lifecycle (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *notify_path = g_build_filename (fx->ts->tmpdir, "notify", NULL);
	g_autofree gchar *conf = g_build_filename (fx->ts->tmpdir, "otad.conf", NULL);
	g_autofree gchar *conf_arg = g_strdup_printf ("--config=%s", conf);
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", fx->ts->sysroot);
	g_autofree gchar *booted_arg = g_strdup_printf ("--test-booted-deployment=%s.0",
							fx->ts->commit_b);
	g_autofree gchar *bus_arg =
	    g_strdup_printf ("--bus-address=%s", g_test_dbus_get_bus_address (fx->bus));
	g_autofree gchar *state_arg = g_strdup_printf ("--state-dir=%s", fx->state_dir);
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GSocketAddress) address = g_unix_socket_address_new (notify_path);
	g_autoptr(GDBusConnection) client = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) props = NULL;
	g_autoptr(GVariant) booted = NULL;
	g_autoptr(GVariant) pending = NULL;
	g_autofree gchar *msg = NULL;
	g_auto(GStrv) envp = g_get_environ ();
	const gchar *state = NULL;
	const gchar *argv[] = {g_getenv ("OTAD_TEST_OTAD"), bus_arg, state_arg, conf_arg,
			       sysroot_arg, booted_arg, NULL};
	GPid pid = 0;
	gint status = 0;

	if (g_getenv ("OTAD_TEST_OTAD") == NULL) {
		g_test_skip ("OTAD_TEST_OTAD not set");
		return;
	}
	g_file_set_contents (conf, "[update]\npolicy=manual\n", -1, &error);
	g_assert_no_error (error);
	sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, 0, &error);
	g_assert_no_error (error);
	g_assert_true (g_socket_bind (sock, address, FALSE, &error));
	g_assert_no_error (error);
	g_socket_set_timeout (sock, 30);
	envp = g_environ_setenv (envp, "NOTIFY_SOCKET", notify_path, TRUE);

	g_assert_true (g_spawn_async (NULL, (gchar **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
				      NULL, &pid, &error));
	g_assert_no_error (error);
	msg = receive_notify (sock);
	g_assert_nonnull (strstr (msg, "READY=1"));
	g_clear_pointer (&msg, g_free);

	/* otad is another process: a blocking call is fine here */
	client = g_dbus_connection_new_for_address_sync (
	    g_test_dbus_get_bus_address (fx->bus),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	g_assert_no_error (error);
	reply = g_dbus_connection_call_sync (client, OTA_DBUS_SERVICE, OTA_DBUS_PATH,
					     "org.freedesktop.DBus.Properties", "GetAll",
					     g_variant_new ("(s)", OTA_DBUS_INTERFACE),
					     G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
					     10000, NULL, &error);
	g_assert_no_error (error);
	props = g_variant_get_child_value (reply, 0);
	g_assert_true (g_variant_lookup (props, "State", "&s", &state));
	g_assert_cmpstr (state, ==, "idle");
	booted = g_variant_lookup_value (props, "BootedDeployment", G_VARIANT_TYPE_VARDICT);
	g_assert_cmpstr (dict_checksum (booted), ==, fx->ts->commit_b);
	pending = g_variant_lookup_value (props, "PendingDeployment", G_VARIANT_TYPE_VARDICT);
	g_assert_nonnull (pending);
	g_assert_cmpuint (g_variant_n_children (pending), ==, 0);

	g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
	msg = receive_notify (sock);
	g_assert_nonnull (strstr (msg, "STOPPING=1"));
	g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
	g_spawn_close_pid (pid);
	g_assert_true (WIFEXITED (status));
	g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* losing the bus is fatal: otad exits non-zero with a message instead of lingering */
static void
test_bus_lost (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *notify_path = g_build_filename (fx->ts->tmpdir, "notify", NULL);
	g_autofree gchar *conf = g_build_filename (fx->ts->tmpdir, "otad.conf", NULL);
	g_autofree gchar *conf_arg = g_strdup_printf ("--config=%s", conf);
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", fx->ts->sysroot);
	g_autofree gchar *bus_arg =
	    g_strdup_printf ("--bus-address=%s", g_test_dbus_get_bus_address (fx->bus));
	g_autofree gchar *state_arg = g_strdup_printf ("--state-dir=%s", fx->state_dir);
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GSocketAddress) address = g_unix_socket_address_new (notify_path);
	g_autoptr(GInputStream) err_stream = NULL;
	g_auto(GStrv) envp = g_get_environ ();
	g_autofree gchar *msg = NULL;
	gchar buf[4096] = {0};
	gsize len = 0;
	const gchar *argv[] = {g_getenv ("OTAD_TEST_OTAD"), bus_arg, state_arg, conf_arg,
			       sysroot_arg, NULL};
	GPid pid = 0;
	gint err_fd = -1;
	gint status = 0;

	if (g_getenv ("OTAD_TEST_OTAD") == NULL) {
		g_test_skip ("OTAD_TEST_OTAD not set");
		return;
	}
	g_file_set_contents (conf, "", -1, &error);
	g_assert_no_error (error);
	sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, 0, &error);
	g_assert_no_error (error);
	g_assert_true (g_socket_bind (sock, address, FALSE, &error));
	g_assert_no_error (error);
	g_socket_set_timeout (sock, 30);
	envp = g_environ_setenv (envp, "NOTIFY_SOCKET", notify_path, TRUE);
	g_assert_true (g_spawn_async_with_pipes (NULL, (gchar **)argv, envp,
						 G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
						 NULL, &err_fd, &error));
	g_assert_no_error (error);
	msg = receive_notify (sock);
	g_assert_nonnull (strstr (msg, "READY=1"));

	g_test_dbus_down (fx->bus);
	g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
	g_spawn_close_pid (pid);
	g_assert_true (WIFEXITED (status));
	g_assert_cmpint (WEXITSTATUS (status), ==, 1);
	err_stream = g_unix_input_stream_new (err_fd, TRUE);
	g_assert_true (g_input_stream_read_all (err_stream, buf, sizeof (buf) - 1, &len, NULL,
						&error));
	g_assert_no_error (error);
	g_test_message ("otad said: %s", buf);
	g_assert_nonnull (strstr (buf, "the bus connection closed"));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_sysroot_require_tools ();
	otad_test_require_program ("dbus-daemon", "dbus-daemon");
	(void)ota_error_quark ();

	g_test_add ("/otad/daemon/properties", Fixture, NULL, fixture_setup, test_properties,
		    fixture_teardown);
	g_test_add ("/otad/daemon/startup-errors", Fixture, NULL, fixture_setup,
		    test_startup_errors, fixture_teardown);
	g_test_add ("/otad/daemon/lifecycle", Fixture, NULL, fixture_setup, test_lifecycle,
		    fixture_teardown);
	g_test_add ("/otad/daemon/bus-lost", Fixture, NULL, fixture_setup, test_bus_lost,
		    fixture_teardown);
	return g_test_run ();
}
