/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "ota-dbus-generated.h"
#include "ota-test-mock.h"

/* OtaClient against python-dbusmock's otad template on a private dbus-daemon */

/* a control call whose reply says nothing */
static void
fixture_mock_do (Fixture *fixture, const gchar *method, GVariant *params)
{
	g_variant_unref (fixture_mock_call (fixture, method, params));
}

static const gchar *mock_params =
    "{\"Version\": 1, \"State\": \"pending-reboot\","
    " \"LastCheckTime\": 1767225600,"
    " \"BootedDeployment\": {\"osname\": \"demo\", \"checksum\": \"" BOOTED_CHECKSUM "\","
    "   \"version\": \"1.0\", \"serial\": 0, \"index\": 1, \"origin\": \"demo:demo/x86_64\","
    "   \"booted\": true, \"staged\": false, \"pinned\": false},"
    " \"RollbackDeployment\": {\"osname\": \"demo\", \"checksum\": \"" ROLLBACK_CHECKSUM "\","
    "   \"version\": \"0.9\", \"serial\": 2, \"index\": 2, \"pinned\": true},"
    " \"PendingDeployment\": {\"osname\": \"demo\", \"checksum\": \"" PENDING_CHECKSUM "\","
    "   \"version\": \"2.0\", \"serial\": 0, \"index\": 0, \"staged\": true}}";

static gboolean
test_connect_async (OtaClient *client, GError **error)
{
	g_autoptr(GAsyncResult) res = NULL;

	ota_client_connect_async (client, NULL, result_cb, &res);
	return ota_client_connect_finish (client, test_wait_result (&res), error);
}

static void
test_assert_mock_state (OtaClient *client)
{
	OtaDeployment *booted = ota_client_get_booted_deployment (client);
	OtaDeployment *rollback = ota_client_get_rollback_deployment (client);
	OtaDeployment *pending = ota_client_get_pending_deployment (client);

	g_assert_true (ota_client_get_connected (client));
	g_assert_cmpuint (ota_client_get_daemon_version (client), ==, 1);
	g_assert_cmpint (ota_client_get_state (client), ==, OTA_STATE_PENDING_REBOOT);
	g_assert_cmpstr (ota_client_get_error_name (client), ==, "");
	g_assert_cmpstr (ota_client_get_error_message (client), ==, "");
	g_assert_cmpuint (ota_client_get_last_check_time (client), ==, 1767225600);

	g_assert_nonnull (booted);
	g_assert_cmpstr (ota_deployment_get_osname (booted), ==, "demo");
	g_assert_cmpstr (ota_deployment_get_checksum (booted), ==, BOOTED_CHECKSUM);
	g_assert_cmpstr (ota_deployment_get_version (booted), ==, "1.0");
	g_assert_cmpstr (ota_deployment_get_origin (booted), ==, "demo:demo/x86_64");
	g_assert_cmpint (ota_deployment_get_serial (booted), ==, 0);
	g_assert_cmpint (ota_deployment_get_index (booted), ==, 1);
	g_assert_true (ota_deployment_get_booted (booted));
	g_assert_false (ota_deployment_get_staged (booted));
	g_assert_false (ota_deployment_get_pinned (booted));

	g_assert_nonnull (rollback);
	g_assert_cmpstr (ota_deployment_get_checksum (rollback), ==, ROLLBACK_CHECKSUM);
	g_assert_cmpstr (ota_deployment_get_version (rollback), ==, "0.9");
	/* keys the daemon left out read as empty */
	g_assert_cmpstr (ota_deployment_get_origin (rollback), ==, "");
	g_assert_cmpint (ota_deployment_get_serial (rollback), ==, 2);
	g_assert_cmpint (ota_deployment_get_index (rollback), ==, 2);
	g_assert_false (ota_deployment_get_booted (rollback));
	g_assert_true (ota_deployment_get_pinned (rollback));

	g_assert_nonnull (pending);
	g_assert_cmpstr (ota_deployment_get_checksum (pending), ==, PENDING_CHECKSUM);
	g_assert_cmpstr (ota_deployment_get_version (pending), ==, "2.0");
	g_assert_true (ota_deployment_get_staged (pending));
}

static void
test_client_not_running (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(OtaClient) client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_autoptr(OtaClient) client_sync = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error_sync = NULL;

	g_assert_false (test_name_has_owner (fixture->connection));

	g_assert_false (test_connect_async (client, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED);
	g_assert_nonnull (strstr (error->message, "not running"));
	g_assert_null (strstr (error->message, "GDBus.Error"));
	g_assert_false (ota_client_get_connected (client));
	g_assert_null (ota_client_get_booted_deployment (client));

	g_assert_false (ota_client_connect_sync (client_sync, NULL, &error_sync));
	g_assert_error (error_sync, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED);
	g_assert_false (ota_client_get_connected (client_sync));
}

static void
test_client_no_bus (void)
{
	g_autoptr(OtaClient) client = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *address = NULL;
	g_autofree gchar *tmpdir = g_dir_make_tmp ("ota-client-XXXXXX", NULL);

	/* a socket path that nobody listens on */
	g_assert_nonnull (tmpdir);
	address = g_strdup_printf ("unix:path=%s/no-bus", tmpdir);
	client = ota_client_new_for_bus_address (address);
	g_assert_cmpstr (ota_client_get_bus_address (client), ==, address);
	g_assert_false (ota_client_connect_sync (client, NULL, &error));
	g_assert_nonnull (error);
	g_assert_true (error->domain == OTA_ERROR);
	g_assert_nonnull (strstr (error->message, address));
	g_assert_false (ota_client_get_connected (client));
	g_assert_cmpint (g_rmdir (tmpdir), ==, 0);
}

static void
test_client_connect_async (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtaDeployment) booted = NULL;
	g_autofree gchar *error_name = NULL;
	OtaState state = OTA_STATE_LAST;
	guint64 last_check_time = 0;
	gboolean connected = FALSE;

	fixture_start_mock (fixture, mock_params);
	fixture->client = ota_client_new_for_connection (fixture->connection);
	g_assert_true (ota_client_get_connection (fixture->client) == fixture->connection);
	g_assert_false (ota_client_get_connected (fixture->client));
	g_assert_true (test_connect_async (fixture->client, &error));
	g_assert_no_error (error);
	test_assert_mock_state (fixture->client);

	/* the same through GObject properties, as bindings see them */
	g_object_get (fixture->client,
		      "state", &state,
		      "booted-deployment", &booted,
		      "error-name", &error_name,
		      "last-check-time", &last_check_time,
		      "connected", &connected,
		      NULL);
	g_assert_cmpint (state, ==, OTA_STATE_PENDING_REBOOT);
	g_assert_true (booted == ota_client_get_booted_deployment (fixture->client));
	g_assert_cmpstr (error_name, ==, "");
	g_assert_cmpuint (last_check_time, ==, 1767225600);
	g_assert_true (connected);

	/* connecting again is a no-op that succeeds */
	g_assert_true (test_connect_async (fixture->client, &error));
	g_assert_no_error (error);
}

static void
test_client_connect_sync (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;

	fixture_start_mock (fixture, mock_params);

	/* the default constructor uses the system bus, which main() pointed at the test bus */
	fixture->client = ota_client_new ();
	g_assert_null (ota_client_get_bus_address (fixture->client));
	g_signal_connect (fixture->client, "notify", G_CALLBACK (fixture_notify_cb), fixture);
	g_assert_true (ota_client_connect_sync (fixture->client, NULL, &error));
	g_assert_no_error (error);
	test_assert_mock_state (fixture->client);
	g_assert_true (fixture_was_notified (fixture, "connected"));

	/* the sync call ran on a private context: changes must still arrive in ours */
	g_ptr_array_set_size (fixture->notified, 0);
	fixture_mock_do (fixture, "SetState", g_variant_new ("(sss)", "downloading", "", ""));
	fixture_wait_notify (fixture, "state");
	g_assert_cmpint (ota_client_get_state (fixture->client), ==, OTA_STATE_DOWNLOADING);
	/* unchanged values are not notified */
	g_assert_false (fixture_was_notified (fixture, "error-name"));
}

static void
test_client_cancelled (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(OtaClient) client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_autoptr(GCancellable) cancellable = g_cancellable_new ();
	g_autoptr(GError) error = NULL;

	g_cancellable_cancel (cancellable);
	g_assert_false (ota_client_connect_sync (client, cancellable, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_CANCELLED);
}

static void
test_client_notify (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
	OtaDeployment *pending;

	fixture_start_mock (fixture, mock_params);
	fixture->client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_assert_true (test_connect_async (fixture->client, &error));
	g_assert_no_error (error);
	g_signal_connect (fixture->client, "notify", G_CALLBACK (fixture_notify_cb), fixture);

	/* a failure in the background: State, ErrorName and ErrorMessage together */
	fixture_mock_do (fixture,
			   "SetState",
			   g_variant_new ("(sss)",
					  "error",
					  "org.otad.Updater1.Error.Network",
					  "server unreachable"));
	fixture_wait_notify (fixture, "error-message");
	g_assert_true (fixture_was_notified (fixture, "state"));
	g_assert_true (fixture_was_notified (fixture, "error-name"));
	g_assert_cmpint (ota_client_get_state (fixture->client), ==, OTA_STATE_ERROR);
	g_assert_cmpstr (ota_client_get_error_name (fixture->client),
			 ==,
			 "org.otad.Updater1.Error.Network");
	g_assert_cmpstr (ota_client_get_error_message (fixture->client), ==, "server unreachable");

	/* a new pending deployment replaces the object */
	g_ptr_array_set_size (fixture->notified, 0);
	g_variant_builder_add (builder, "{sv}", "checksum", g_variant_new_string ("4444"));
	g_variant_builder_add (builder, "{sv}", "version", g_variant_new_string ("3.0"));
	g_variant_builder_add (builder, "{sv}", "staged", g_variant_new_boolean (FALSE));
	fixture_mock_do (fixture,
			   "SetDeployment",
			   g_variant_new ("(s@a{sv})", "pending", g_variant_builder_end (builder)));
	fixture_wait_notify (fixture, "pending-deployment");
	pending = ota_client_get_pending_deployment (fixture->client);
	g_assert_nonnull (pending);
	g_assert_cmpstr (ota_deployment_get_checksum (pending), ==, "4444");
	g_assert_cmpstr (ota_deployment_get_version (pending), ==, "3.0");
	g_assert_false (ota_deployment_get_staged (pending));
	g_assert_false (fixture_was_notified (fixture, "booted-deployment"));

	/* an empty dictionary means none */
	g_ptr_array_set_size (fixture->notified, 0);
	fixture_mock_do (fixture,
			   "SetDeployment",
			   g_variant_new ("(s@a{sv})", "pending",
					  g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)));
	fixture_wait_notify (fixture, "pending-deployment");
	g_assert_null (ota_client_get_pending_deployment (fixture->client));

	g_ptr_array_set_size (fixture->notified, 0);
	fixture_mock_do (fixture, "SetLastCheckTime", g_variant_new ("(t)", (guint64)1800000000));
	fixture_wait_notify (fixture, "last-check-time");
	g_assert_cmpuint (ota_client_get_last_check_time (fixture->client), ==, 1800000000);
}

static void
test_client_daemon_restart (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;

	fixture_start_mock (fixture, mock_params);
	fixture->client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_assert_true (test_connect_async (fixture->client, &error));
	g_assert_no_error (error);
	g_signal_connect (fixture->client, "notify", G_CALLBACK (fixture_notify_cb), fixture);

	/* otad goes away: the client says so and forgets the daemon's state */
	fixture_stop_mock (fixture);
	fixture_wait_notify (fixture, "connected");
	g_assert_false (ota_client_get_connected (fixture->client));
	g_assert_true (fixture_was_notified (fixture, "booted-deployment"));
	g_assert_null (ota_client_get_booted_deployment (fixture->client));
	g_assert_null (ota_client_get_pending_deployment (fixture->client));
	g_assert_cmpint (ota_client_get_state (fixture->client), ==, OTA_STATE_IDLE);
	g_assert_cmpuint (ota_client_get_daemon_version (fixture->client), ==, 0);

	/* and comes back: the client reloads everything on its own */
	g_ptr_array_set_size (fixture->notified, 0);
	fixture_start_mock (fixture, mock_params);
	fixture_wait_notify (fixture, "booted-deployment");
	test_assert_mock_state (fixture->client);
}

static void
test_broken_method_call (GDBusConnection *connection,
			 const gchar *sender,
			 const gchar *object_path,
			 const gchar *interface_name,
			 const gchar *method_name,
			 GVariant *parameters,
			 GDBusMethodInvocation *invocation,
			 gpointer user_data)
{
	/* no get_property(): GDBus hands Properties.GetAll to us, and it fails
	 * the way otad reports its own errors */
	g_dbus_method_invocation_return_dbus_error (invocation,
						    "org.otad.Updater1.Error.Internal",
						    "the state store is corrupt");
}

static void
test_client_remote_error (Fixture *fixture, gconstpointer user_data)
{
	static const GDBusInterfaceVTable vtable = {test_broken_method_call, NULL, NULL, {NULL}};
	g_autoptr(GDBusConnection) daemon = NULL;
	g_autoptr(OtaClient) client = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	guint registration_id;

	/* a fake otad in this process, on its own connection */
	daemon = g_dbus_connection_new_for_address_sync (
	    ota_test_mock_bus_address (),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL,
	    NULL,
	    &error);
	g_assert_no_error (error);
	registration_id = g_dbus_connection_register_object (daemon,
							     OTA_DBUS_PATH,
							     ota_dbus_updater1_interface_info (),
							     &vtable,
							     NULL,
							     NULL,
							     &error);
	g_assert_no_error (error);
	reply = g_dbus_connection_call_sync (daemon,
					     "org.freedesktop.DBus",
					     "/org/freedesktop/DBus",
					     "org.freedesktop.DBus",
					     "RequestName",
					     g_variant_new ("(su)", OTA_DBUS_SERVICE, (guint32)0x4),
					     G_VARIANT_TYPE ("(u)"),
					     G_DBUS_CALL_FLAGS_NONE,
					     -1,
					     NULL,
					     &error);
	g_assert_no_error (error);

	/* the fake daemon answers from this thread's context, which
	 * test_connect_async() iterates */
	client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_assert_false (test_connect_async (client, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INTERNAL);
	g_assert_cmpstr (error->message,
			 ==,
			 "cannot read the properties of otad: the state store is corrupt");
	g_assert_false (ota_client_get_connected (client));

	g_clear_object (&client);
	g_dbus_connection_unregister_object (daemon, registration_id);
	g_dbus_connection_close_sync (daemon, NULL, NULL);
	g_clear_object (&daemon);
	test_wait_for_owner (fixture->connection, FALSE);
}

typedef struct {
	Fixture *fixture;
	GMainContext *context; /* (owned): the worker's thread-default context */
	GThread *notified_in;  /* (unowned) */
	GMainContext *notified_context;
	gint stage; /* 1: connected, 2: notified; atomic */
	OtaState state;
} ThreadData;

static void
test_thread_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
	ThreadData *data = user_data;
	data->notified_in = g_thread_self ();
	data->notified_context = g_main_context_get_thread_default ();
	data->state = ota_client_get_state (OTA_CLIENT (object));
	g_atomic_int_set (&data->stage, 2);
}

static gpointer
test_thread_func (gpointer user_data)
{
	ThreadData *data = user_data;
	g_autoptr(GMainContextPusher) pusher = g_main_context_pusher_new (data->context);
	g_autoptr(OtaClient) client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_autoptr(GError) error = NULL;
	gint64 deadline;

	g_assert_true (ota_client_connect_sync (client, NULL, &error));
	g_assert_no_error (error);
	g_signal_connect (client, "notify::state", G_CALLBACK (test_thread_notify_cb), data);
	g_atomic_int_set (&data->stage, 1);

	/* bounded: only this thread iterates its context */
	deadline = g_get_monotonic_time () + TEST_WAIT_SECONDS * G_USEC_PER_SEC;
	while (g_atomic_int_get (&data->stage) < 2 && g_get_monotonic_time () < deadline)
		g_main_context_iteration (data->context, FALSE) || (g_usleep (1000), TRUE);

	/* GDBus frees subscription data from the subscriber's context: let it run */
	g_clear_object (&client);
	for (guint i = 0; i < 100 && g_main_context_pending (data->context); i++)
		g_main_context_iteration (data->context, FALSE);
	return NULL;
}

static void
test_client_thread (Fixture *fixture, gconstpointer user_data)
{
	ThreadData data = {fixture, g_main_context_new (), NULL, NULL, 0, OTA_STATE_LAST};
	GThread *thread;
	gint64 deadline = g_get_monotonic_time () + TEST_WAIT_SECONDS * G_USEC_PER_SEC;

	fixture_start_mock (fixture, mock_params);

	/* a client made in another thread notifies in that thread's context */
	thread = g_thread_new ("ota-client-test", test_thread_func, &data);
	while (g_atomic_int_get (&data.stage) < 1 && g_get_monotonic_time () < deadline)
		g_usleep (1000);
	g_assert_cmpint (g_atomic_int_get (&data.stage), >=, 1);
	fixture_mock_do (fixture, "SetState", g_variant_new ("(sss)", "checking", "", ""));
	g_thread_join (thread);

	g_assert_cmpint (data.stage, ==, 2);
	g_assert_true (data.notified_in == thread);
	g_assert_true (data.notified_context == data.context);
	g_assert_cmpint (data.state, ==, OTA_STATE_CHECKING);
	g_main_context_unref (data.context);
}

static void
test_deployment_from_variant (void)
{
	g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
	g_autoptr(OtaDeployment) deployment = NULL;
	g_autoptr(OtaDeployment) none = NULL;
	g_autoptr(GVariant) empty = NULL;

	empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
	none = ota_deployment_new_from_variant (empty);
	g_assert_null (none);

	g_variant_builder_add (builder, "{sv}", "osname", g_variant_new_string ("demo"));
	g_variant_builder_add (builder, "{sv}", "checksum", g_variant_new_string (BOOTED_CHECKSUM));
	g_variant_builder_add (builder, "{sv}", "serial", g_variant_new_int32 (3));
	/* a wrong type and an unknown key are ignored, not fatal */
	g_variant_builder_add (builder, "{sv}", "index", g_variant_new_string ("zero"));
	g_variant_builder_add (builder, "{sv}", "future-key", g_variant_new_uint64 (7));
	deployment = ota_deployment_new_from_variant (g_variant_builder_end (builder));
	g_assert_nonnull (deployment);
	g_assert_cmpstr (ota_deployment_get_osname (deployment), ==, "demo");
	g_assert_cmpstr (ota_deployment_get_checksum (deployment), ==, BOOTED_CHECKSUM);
	g_assert_cmpint (ota_deployment_get_serial (deployment), ==, 3);
	g_assert_cmpint (ota_deployment_get_index (deployment), ==, 0);
	g_assert_cmpstr (ota_deployment_get_version (deployment), ==, "");
	g_assert_false (ota_deployment_get_booted (deployment));
}

static void
test_enum_types (void)
{
	g_autoptr(GEnumClass) state_class = g_type_class_ref (OTA_TYPE_STATE);
	g_autoptr(GEnumClass) error_class = g_type_class_ref (OTA_TYPE_ERROR);
	GEnumValue *value;

	/* the GType nicks are the D-Bus state names */
	for (guint i = 0; i < OTA_STATE_LAST; i++) {
		value = g_enum_get_value (state_class, i);
		g_assert_nonnull (value);
		g_assert_cmpstr (value->value_nick, ==, ota_state_to_string (i));
	}
	value = g_enum_get_value (error_class, OTA_ERROR_NOT_SUPPORTED);
	g_assert_nonnull (value);
	g_assert_cmpstr (value->value_name, ==, "OTA_ERROR_NOT_SUPPORTED");
}

int
main (int argc, char **argv)
{
	g_autoptr(GTestDBus) bus = NULL;
	int rc;

	g_test_init (&argc, &argv, NULL);
	/* a private bus and python-dbusmock's otad template (tests/templates/) */
	bus = ota_test_mock_init ();
	/* GDBus takes the system bus from here, so ota_client_new() finds the mock */
	g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", ota_test_mock_bus_address (), TRUE);

	g_test_add_func ("/ota/deployment/from-variant", test_deployment_from_variant);
	g_test_add_func ("/ota/enums/gtypes", test_enum_types);
	g_test_add_func ("/ota/client/no-bus", test_client_no_bus);
	g_test_add ("/ota/client/not-running", Fixture, NULL,
		    fixture_set_up, test_client_not_running, fixture_tear_down);
	g_test_add ("/ota/client/cancelled", Fixture, NULL,
		    fixture_set_up, test_client_cancelled, fixture_tear_down);
	g_test_add ("/ota/client/connect-async", Fixture, NULL,
		    fixture_set_up, test_client_connect_async, fixture_tear_down);
	g_test_add ("/ota/client/connect-sync", Fixture, NULL,
		    fixture_set_up, test_client_connect_sync, fixture_tear_down);
	g_test_add ("/ota/client/notify", Fixture, NULL,
		    fixture_set_up, test_client_notify, fixture_tear_down);
	g_test_add ("/ota/client/daemon-restart", Fixture, NULL,
		    fixture_set_up, test_client_daemon_restart, fixture_tear_down);

	g_test_add ("/ota/client/remote-error", Fixture, NULL,
		    fixture_set_up, test_client_remote_error, fixture_tear_down);
	g_test_add ("/ota/client/thread", Fixture, NULL,
		    fixture_set_up, test_client_thread, fixture_tear_down);

	rc = g_test_run ();
	g_test_dbus_down (bus);
	return rc;
}
