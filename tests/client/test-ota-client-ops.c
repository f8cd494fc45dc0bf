/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <signal.h>

#include "ota-test-mock.h"

/* the methods of interface version 2 (Check, Download, Install, Cancel, Rollback,
 * GetHistory) and the progress properties, against python-dbusmock's otad template
 * on a private dbus-daemon; each method async and sync */

#define OFFER_CHECKSUM "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* the mock with @state and, when @offer, the update on offer and as next check result */
static void
fixture_start (Fixture *fixture, const gchar *state, gboolean offer, const gchar *extra)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *params = NULL;
	const gchar *info = "{\"name\": \"demo-2.0\", \"version\": \"2.0\", \"checksum\": \""
			    OFFER_CHECKSUM "\", \"download-size\": 4000, \"length\": 0,"
			    " \"correlation-id\": \"urn:campaign:7\", \"hardware-id\": \"demo-hw\","
			    " \"uri\": \"https://example.invalid/repo\"}";

	params = g_strdup_printf ("{\"State\": \"%s\", \"UpdateInfo\": %s,"
				  " \"Policy\": \"consent\", \"NextCheckTime\": 1767229200,"
				  " \"BootedDeployment\": {\"osname\": \"demo\", \"checksum\": \""
				  BOOTED_CHECKSUM "\", \"version\": \"1.0\", \"booted\": true},"
				  " \"RollbackDeployment\": {\"osname\": \"demo\", \"checksum\": \""
				  ROLLBACK_CHECKSUM "\", \"version\": \"0.9\", \"index\": 1}%s}",
				  state, offer && g_strcmp0 (state, "idle") != 0 ? info : "{}",
				  extra != NULL ? extra : "");
	fixture_start_mock (fixture, params);
	if (offer) {
		g_autoptr(GVariant) value = g_variant_parse (G_VARIANT_TYPE_VARDICT,
			"{'name': <'demo-2.0'>, 'version': <'2.0'>, 'checksum': <'" OFFER_CHECKSUM
			"'>, 'download-size': <uint64 4000>, 'correlation-id': <'urn:campaign:7'>,"
			" 'hardware-id': <'demo-hw'>, 'uri': <'https://example.invalid/repo'>}",
			NULL, NULL, &error);
		g_assert_no_error (error);
		g_variant_unref (fixture_mock_call (fixture, "SetOffer",
						    g_variant_new_tuple (&value, 1)));
	}

	fixture->client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_assert_true (ota_client_connect_sync (fixture->client, NULL, &error));
	g_assert_no_error (error);
	g_signal_connect (fixture->client, "notify", G_CALLBACK (fixture_notify_cb), fixture);
}

static void
test_assert_offer (OtaUpdateInfo *info)
{
	g_assert_nonnull (info);
	g_assert_cmpstr (ota_update_info_get_name (info), ==, "demo-2.0");
	g_assert_cmpstr (ota_update_info_get_version (info), ==, "2.0");
	g_assert_cmpstr (ota_update_info_get_checksum (info), ==, OFFER_CHECKSUM);
	g_assert_cmpuint (ota_update_info_get_download_size (info), ==, 4000);
	g_assert_cmpuint (ota_update_info_get_length (info), ==, 0);
	g_assert_cmpstr (ota_update_info_get_correlation_id (info), ==, "urn:campaign:7");
	g_assert_cmpstr (ota_update_info_get_hardware_id (info), ==, "demo-hw");
	g_assert_cmpstr (ota_update_info_get_uri (info), ==, "https://example.invalid/repo");
}

static void
test_check_async (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OtaUpdateInfo) info = NULL;

	fixture_start (fixture, "idle", TRUE, NULL);
	g_assert_null (ota_client_get_update_info (fixture->client));
	g_assert_cmpuint (ota_client_get_last_check_time (fixture->client), ==, 0);

	ota_client_check_async (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, result_cb, &res);
	g_assert_true (ota_client_check_finish (fixture->client, test_wait_result (&res), &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_UPDATE_AVAILABLE);

	/* checking came first, and the offer with it */
	g_assert_cmpuint (fixture->states->len, >=, 2);
	g_assert_cmpstr (g_ptr_array_index (fixture->states, 0), ==, "checking");
	g_assert_true (fixture_was_notified (fixture, "update-info"));
	g_assert_true (fixture_was_notified (fixture, "last-check-time"));
	g_assert_cmpuint (ota_client_get_last_check_time (fixture->client), >, 0);
	test_assert_offer (ota_client_get_update_info (fixture->client));
	g_object_get (fixture->client, "update-info", &info, NULL);
	g_assert_true (info == ota_client_get_update_info (fixture->client));
}

static void
test_check_sync_no_update (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;

	fixture_start (fixture, "error", FALSE, NULL);
	g_assert_true (ota_client_check_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_IDLE);
	g_assert_cmpstr (g_ptr_array_index (fixture->states, 0), ==, "checking");
	g_assert_null (ota_client_get_update_info (fixture->client));
	/* nothing new is a success, not an error */
	g_assert_cmpstr (ota_client_get_error_name (fixture->client), ==, "");
}

static void
test_download_async (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(GError) error = NULL;
	guint64 downloaded = 0;
	guint progress = 0;

	fixture_start (fixture, "update-available", TRUE, NULL);
	test_assert_offer (ota_client_get_update_info (fixture->client));
	ota_client_download_async (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, result_cb, &res);
	g_assert_true (ota_client_download_finish (fixture->client, test_wait_result (&res),
						   &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_DOWNLOADED);

	g_assert_cmpstr (g_ptr_array_index (fixture->states, 0), ==, "downloading");
	g_assert_true (fixture_was_notified (fixture, "downloaded-bytes"));
	g_assert_true (fixture_was_notified (fixture, "download-size"));
	g_assert_true (fixture_was_notified (fixture, "progress"));
	g_assert_cmpuint (ota_client_get_downloaded_bytes (fixture->client), ==, 4000);
	g_assert_cmpuint (ota_client_get_download_size (fixture->client), ==, 4000);
	g_assert_cmpuint (ota_client_get_progress (fixture->client), ==, 100);
	g_object_get (fixture->client, "downloaded-bytes", &downloaded, "progress", &progress,
		      NULL);
	g_assert_cmpuint (downloaded, ==, 4000);
	g_assert_cmpuint (progress, ==, 100);
}

static void
test_download_sync_error (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;

	fixture_start (fixture, "update-available", TRUE, NULL);
	g_variant_unref (fixture_mock_call (fixture, "SetJobError",
					    g_variant_new ("(sss)", "Download", "NoSpace",
							   "need 4000 bytes, 10 free")));
	/* the call succeeds; the failure comes later through the state */
	g_assert_true (ota_client_download_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
						 &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_ERROR);
	g_assert_cmpstr (ota_client_get_error_name (fixture->client), ==,
			 "org.otad.Updater1.Error.NoSpace");
	g_assert_cmpstr (ota_client_get_error_message (fixture->client), ==,
			 "need 4000 bytes, 10 free");
}

static void
test_install (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(GError) error = NULL;
	OtaDeployment *pending;

	fixture_start (fixture, "downloaded", TRUE, NULL);
	g_assert_null (ota_client_get_pending_deployment (fixture->client));
	ota_client_install_async (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, result_cb, &res);
	g_assert_true (ota_client_install_finish (fixture->client, test_wait_result (&res),
						  &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_PENDING_REBOOT);
	g_assert_cmpstr (g_ptr_array_index (fixture->states, 0), ==, "installing");
	pending = ota_client_get_pending_deployment (fixture->client);
	g_assert_nonnull (pending);
	g_assert_cmpstr (ota_deployment_get_checksum (pending), ==, OFFER_CHECKSUM);
	g_assert_cmpstr (ota_deployment_get_version (pending), ==, "2.0");

	/* again: not allowed in pending-reboot, and the error says so */
	g_assert_false (ota_client_install_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
						 &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_assert_cmpstr (error->message, ==, "Can't call Install() while in state pending-reboot");
}

static void
test_wrong_state (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error_sync = NULL;

	fixture_start (fixture, "idle", FALSE, NULL);
	ota_client_download_async (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, result_cb, &res);
	g_assert_false (ota_client_download_finish (fixture->client, test_wait_result (&res),
						    &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_assert_cmpstr (error->message, ==, "Can't call Download() while in state idle");
	g_assert_false (ota_client_download_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
						  &error_sync));
	g_assert_error (error_sync, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_assert_cmpint (ota_client_get_state (fixture->client), ==, OTA_STATE_IDLE);
}

static void
test_auth (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	gboolean interactive = FALSE;

	fixture_start (fixture, "idle", FALSE, NULL);
	g_variant_unref (fixture_mock_call (fixture, "SetAuthorization",
					    g_variant_new ("(s)", "no")));
	g_assert_false (ota_client_check_sync (fixture->client, OTA_CLIENT_FLAGS_INTERACTIVE,
					       NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_AUTH_FAILED);
	g_assert_cmpstr (error->message, ==, "not authorized");
	g_clear_error (&error);

	/* polkit that asks: only a call that allows the question gets through */
	g_variant_unref (fixture_mock_call (fixture, "SetAuthorization",
					    g_variant_new ("(s)", "interactive")));
	g_assert_false (ota_client_check_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
					       &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_AUTH_FAILED);
	reply = fixture_mock_call (fixture, "GetLastOptions", g_variant_new ("(s)", "Check"));
	{
		g_autoptr(GVariant) options = g_variant_get_child_value (reply, 0);
		g_assert_false (g_variant_lookup (options, "interactive", "b", &interactive));
	}
	g_clear_pointer (&reply, g_variant_unref);

	g_assert_true (ota_client_check_sync (fixture->client, OTA_CLIENT_FLAGS_INTERACTIVE, NULL,
					      NULL));
	reply = fixture_mock_call (fixture, "GetLastOptions", g_variant_new ("(s)", "Check"));
	{
		g_autoptr(GVariant) options = g_variant_get_child_value (reply, 0);
		g_assert_true (g_variant_lookup (options, "interactive", "b", &interactive));
		g_assert_true (interactive);
	}
	fixture_wait_state (fixture, OTA_STATE_IDLE);
}

static void
test_cancel (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(GError) error = NULL;

	fixture_start (fixture, "update-available", TRUE, NULL);
	/* a download that does not end by itself */
	g_variant_unref (fixture_mock_call (fixture, "SetStepTiming",
					    g_variant_new ("(uu)", 4, 600000)));
	g_assert_true (ota_client_download_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
						 &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_DOWNLOADING);

	ota_client_cancel_async (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, result_cb, &res);
	g_assert_true (ota_client_cancel_finish (fixture->client, test_wait_result (&res), &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_UPDATE_AVAILABLE);

	/* nothing runs any more */
	g_assert_false (ota_client_cancel_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
						&error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_assert_cmpstr (error->message, ==, "Can't call Cancel() while in state update-available");
}

static void
test_rollback (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(GError) error = NULL;
	OtaDeployment *pending;

	/* no pending deployment: the rollback deployment boots next */
	fixture_start (fixture, "idle", FALSE, NULL);
	ota_client_rollback_async (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, result_cb, &res);
	g_assert_true (ota_client_rollback_finish (fixture->client, test_wait_result (&res),
						   &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_PENDING_REBOOT);
	pending = ota_client_get_pending_deployment (fixture->client);
	g_assert_nonnull (pending);
	g_assert_cmpstr (ota_deployment_get_checksum (pending), ==, ROLLBACK_CHECKSUM);

	/* with one pending: it is dropped */
	g_assert_true (ota_client_rollback_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
						 &error));
	g_assert_no_error (error);
	fixture_wait_state (fixture, OTA_STATE_IDLE);
	g_assert_null (ota_client_get_pending_deployment (fixture->client));
}

static void
test_rollback_none (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;

	fixture_start (fixture, "idle", FALSE, ", \"RollbackDeployment\": {}");
	g_assert_null (ota_client_get_rollback_deployment (fixture->client));
	g_assert_false (ota_client_rollback_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
						  &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
}

static void
test_history (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) history = NULL;
	g_autoptr(GPtrArray) history_sync = NULL;
	g_autoptr(GVariant) entries = NULL;
	OtaHistoryEntry *entry;

	fixture_start (fixture, "idle", FALSE, NULL);
	history = ota_client_get_history_sync (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL,
					       &error);
	g_assert_no_error (error);
	g_assert_nonnull (history);
	g_assert_cmpuint (history->len, ==, 0);
	g_clear_pointer (&history, g_ptr_array_unref);

	entries = g_variant_parse (G_VARIANT_TYPE ("aa{sv}"),
		"[{'time': <uint64 1767229200>, 'action': <'health-check-failed'>,"
		"  'commit': <'" OFFER_CHECKSUM "'>, 'version': <'2.0'>, 'success': <false>,"
		"  'detail': <'20-app: exit status 1'>, 'correlation-id': <'urn:campaign:7'>},"
		" {'time': <uint64 1767225600>, 'action': <'install'>, 'commit': <'"
		OFFER_CHECKSUM "'>, 'success': <true>}]", NULL, NULL, &error);
	g_assert_no_error (error);
	g_variant_unref (fixture_mock_call (fixture, "SetHistory",
					    g_variant_new_tuple (&entries, 1)));

	ota_client_get_history_async (fixture->client, OTA_CLIENT_FLAGS_NONE, NULL, result_cb,
				      &res);
	history = ota_client_get_history_finish (fixture->client, test_wait_result (&res), &error);
	g_assert_no_error (error);
	g_assert_nonnull (history);
	g_assert_cmpuint (history->len, ==, 2);
	entry = g_ptr_array_index (history, 0);
	g_assert_cmpuint (ota_history_entry_get_time (entry), ==, 1767229200);
	g_assert_cmpstr (ota_history_entry_get_action (entry), ==, "health-check-failed");
	g_assert_cmpstr (ota_history_entry_get_commit (entry), ==, OFFER_CHECKSUM);
	g_assert_cmpstr (ota_history_entry_get_version (entry), ==, "2.0");
	g_assert_false (ota_history_entry_get_success (entry));
	g_assert_cmpstr (ota_history_entry_get_detail (entry), ==, "20-app: exit status 1");
	g_assert_cmpstr (ota_history_entry_get_correlation_id (entry), ==, "urn:campaign:7");
	entry = g_ptr_array_index (history, 1);
	g_assert_cmpstr (ota_history_entry_get_action (entry), ==, "install");
	g_assert_true (ota_history_entry_get_success (entry));
	/* keys the daemon left out read as empty */
	g_assert_cmpstr (ota_history_entry_get_version (entry), ==, "");

	history_sync = ota_client_get_history_sync (fixture->client, OTA_CLIENT_FLAGS_INTERACTIVE,
						    NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (history_sync->len, ==, 2);
}

static void
test_properties (Fixture *fixture, gconstpointer user_data)
{
	g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
	g_autofree gchar *policy = NULL;
	guint64 next = 0;

	fixture_start (fixture, "idle", FALSE, NULL);
	g_assert_cmpstr (ota_client_get_policy (fixture->client), ==, "consent");
	g_assert_cmpuint (ota_client_get_next_check_time (fixture->client), ==, 1767229200);
	g_object_get (fixture->client, "policy", &policy, "next-check-time", &next, NULL);
	g_assert_cmpstr (policy, ==, "consent");
	g_assert_cmpuint (next, ==, 1767229200);

	g_variant_builder_add (builder, "{sv}", "Policy", g_variant_new_string ("automatic"));
	g_variant_builder_add (builder, "{sv}", "NextCheckTime", g_variant_new_uint64 (1800000000));
	g_variant_unref (fixture_mock_call (fixture, "UpdateProperties",
					    g_variant_new ("(sa{sv})", OTA_DBUS_INTERFACE,
							   builder)));
	fixture_wait_notify (fixture, "next-check-time");
	fixture_wait_notify (fixture, "policy");
	g_assert_cmpstr (ota_client_get_policy (fixture->client), ==, "automatic");
	g_assert_cmpuint (ota_client_get_next_check_time (fixture->client), ==, 1800000000);
	g_assert_false (fixture_was_notified (fixture, "progress"));
}

static void
test_not_connected (void)
{
	g_autoptr(OtaClient) client = ota_client_new_for_bus_address (ota_test_mock_bus_address ());
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) history = NULL;

	g_assert_false (ota_client_check_sync (client, OTA_CLIENT_FLAGS_NONE, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED);
	g_clear_error (&error);
	history = ota_client_get_history_sync (client, OTA_CLIENT_FLAGS_NONE, NULL, &error);
	g_assert_null (history);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED);
}

static void
test_update_info_from_variant (void)
{
	g_autoptr(GVariant) empty = NULL;
	g_autoptr(GVariant) value = NULL;
	g_autoptr(OtaUpdateInfo) info = NULL;

	empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
	g_assert_null (ota_update_info_new_from_variant (empty));
	/* a wrong type and an unknown key are ignored */
	value = g_variant_ref_sink (g_variant_parse (G_VARIANT_TYPE_VARDICT,
		"{'name': <'x'>, 'download-size': <'big'>, 'future': <7>}", NULL, NULL, NULL));
	info = ota_update_info_new_from_variant (value);
	g_assert_cmpstr (ota_update_info_get_name (info), ==, "x");
	g_assert_cmpuint (ota_update_info_get_download_size (info), ==, 0);
	g_assert_cmpstr (ota_update_info_get_checksum (info), ==, "");
}

#define ADD(path, func)                                                                        \
	g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
	g_autoptr(GTestDBus) bus = NULL;
	int rc;

	g_test_init (&argc, &argv, NULL);
	/* a private bus and python-dbusmock's otad template (tests/templates/) */
	bus = ota_test_mock_init ();

	g_test_add_func ("/ota/update-info/from-variant", test_update_info_from_variant);
	g_test_add_func ("/ota/client/ops/not-connected", test_not_connected);
	ADD ("/ota/client/ops/check-async", test_check_async);
	ADD ("/ota/client/ops/check-sync-no-update", test_check_sync_no_update);
	ADD ("/ota/client/ops/download-async", test_download_async);
	ADD ("/ota/client/ops/download-sync-error", test_download_sync_error);
	ADD ("/ota/client/ops/install", test_install);
	ADD ("/ota/client/ops/wrong-state", test_wrong_state);
	ADD ("/ota/client/ops/auth", test_auth);
	ADD ("/ota/client/ops/cancel", test_cancel);
	ADD ("/ota/client/ops/rollback", test_rollback);
	ADD ("/ota/client/ops/rollback-none", test_rollback_none);
	ADD ("/ota/client/ops/history", test_history);
	ADD ("/ota/client/ops/properties", test_properties);

	rc = g_test_run ();
	g_test_dbus_down (bus);
	return rc;
}
