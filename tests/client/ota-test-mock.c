/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <signal.h>

#include "ota-test-mock.h"
#include "otad-test-require.h"

static gchar *test_bus_address = NULL;

GTestDBus *
ota_test_mock_init (void)
{
	GTestDBus *bus;

	otad_test_require_program ("dbus-daemon", "dbus-daemon");
	otad_test_require_python_module ("dbusmock", "python3-dbusmock");
	otad_test_require_python_module ("dbus", "python3-dbus");
	/* the template uses GLib through GI: python3-gi first, then the typelib */
	otad_test_require_python_module ("gi", "python3-gi");
	otad_test_require_python_module ("gi.repository.GLib", "gir1.2-glib-2.0");
	bus = g_test_dbus_new (G_TEST_DBUS_NONE);
	g_test_dbus_up (bus);
	test_bus_address = g_strdup (g_test_dbus_get_bus_address (bus));
	return bus;
}

const gchar *
ota_test_mock_bus_address (void)
{
	return test_bus_address;
}

static gboolean
test_timeout_cb (gpointer user_data)
{
	gboolean *timed_out = user_data;
	*timed_out = TRUE;
	return G_SOURCE_REMOVE;
}

/* iterates the default context until @done (bounded) */
static void
test_iterate_until (gboolean (*done) (gpointer data), gpointer data)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add_seconds (TEST_WAIT_SECONDS, test_timeout_cb, &timed_out);

	while (!done (data) && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	if (!timed_out)
		g_source_remove (id);
}

gboolean
test_name_has_owner (GDBusConnection *connection)
{
	g_autoptr(GVariant) reply = NULL;
	gboolean has_owner = FALSE;

	reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
					     "/org/freedesktop/DBus", "org.freedesktop.DBus",
					     "NameHasOwner", g_variant_new ("(s)", OTA_DBUS_SERVICE),
					     G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
					     NULL, NULL);
	g_assert_nonnull (reply);
	g_variant_get (reply, "(b)", &has_owner);
	return has_owner;
}

void
test_wait_for_owner (GDBusConnection *connection, gboolean want)
{
	/* bounded: 400 × 50 ms */
	for (guint i = 0; i < 400 && test_name_has_owner (connection) != want; i++)
		g_usleep (50 * 1000);
	g_assert_cmpint (test_name_has_owner (connection), ==, want);
}

void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;

	fixture->notified = g_ptr_array_new_with_free_func (g_free);
	fixture->states = g_ptr_array_new_with_free_func (g_free);
	fixture->connection = g_dbus_connection_new_for_address_sync (
	    test_bus_address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	g_assert_no_error (error);
}

void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
	g_clear_object (&fixture->client);
	fixture_stop_mock (fixture);
	g_dbus_connection_close_sync (fixture->connection, NULL, NULL);
	g_clear_object (&fixture->connection);
	g_ptr_array_unref (fixture->notified);
	g_ptr_array_unref (fixture->states);
}

/* the template with @params (JSON), until it owns the name */
void
fixture_start_mock (Fixture *fixture, const gchar *params)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GError) error = NULL;

	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", test_bus_address, TRUE);
	/* the mock is Python: it must not inherit sanitizer settings meant for us */
	g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
	fixture->mock = g_subprocess_launcher_spawn (launcher, &error, OTA_TEST_PYTHON, "-m",
						     "dbusmock", "--session", "-t",
						     OTA_TEST_TEMPLATE, "-p", params, NULL);
	g_assert_no_error (error);
	test_wait_for_owner (fixture->connection, TRUE);
}

void
fixture_stop_mock (Fixture *fixture)
{
	if (fixture->mock == NULL)
		return;
	g_subprocess_send_signal (fixture->mock, SIGTERM);
	g_assert_true (g_subprocess_wait (fixture->mock, NULL, NULL));
	g_clear_object (&fixture->mock);
	test_wait_for_owner (fixture->connection, FALSE);
}

/* a method of dbusmock's control interface; Returns: (transfer full) its reply */
GVariant *
fixture_mock_call (Fixture *fixture, const gchar *method, GVariant *params)
{
	g_autoptr(GError) error = NULL;
	GVariant *reply;

	reply = g_dbus_connection_call_sync (fixture->connection, OTA_DBUS_SERVICE, OTA_DBUS_PATH,
					     "org.freedesktop.DBus.Mock", method, params, NULL,
					     G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (reply);
	return reply;
}

void
fixture_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
	Fixture *fixture = user_data;
	const gchar *name = g_param_spec_get_name (pspec);

	g_ptr_array_add (fixture->notified, g_strdup (name));
	if (g_strcmp0 (name, "state") == 0)
		g_ptr_array_add (fixture->states,
				 g_strdup (ota_state_to_string (ota_client_get_state (
				     OTA_CLIENT (object)))));
}

gboolean
fixture_was_notified (Fixture *fixture, const gchar *name)
{
	return g_ptr_array_find_with_equal_func (fixture->notified, name, g_str_equal, NULL);
}

typedef struct {
	Fixture *fixture;
	const gchar *name;
	OtaState state;
} FixtureWait;

static gboolean
fixture_wait_notified (gpointer data)
{
	FixtureWait *wait = data;
	return fixture_was_notified (wait->fixture, wait->name);
}

/* iterates until @name was notified */
void
fixture_wait_notify (Fixture *fixture, const gchar *name)
{
	FixtureWait wait = {fixture, name, 0};

	test_iterate_until (fixture_wait_notified, &wait);
	g_assert_true (fixture_was_notified (fixture, name));
}

static gboolean
fixture_wait_in_state (gpointer data)
{
	FixtureWait *wait = data;
	return ota_client_get_state (wait->fixture->client) == wait->state;
}

/* iterates until the client reaches @state */
void
fixture_wait_state (Fixture *fixture, OtaState state)
{
	FixtureWait wait = {fixture, NULL, state};

	test_iterate_until (fixture_wait_in_state, &wait);
	g_assert_cmpstr (ota_state_to_string (ota_client_get_state (fixture->client)), ==,
			 ota_state_to_string (state));
}

void
result_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	GAsyncResult **result = user_data;
	*result = g_object_ref (res);
}

static gboolean
test_has_result (gpointer data)
{
	return *(GAsyncResult **)data != NULL;
}

GAsyncResult *
test_wait_result (GAsyncResult **res)
{
	test_iterate_until (test_has_result, res);
	g_assert_nonnull (*res);
	return *res;
}
