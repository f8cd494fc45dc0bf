/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"
#include "otad-http.h"
#include "otad-reporter.h"
#include "otad-test-server.h"
#include "otad-test-softhsm.h"

#define CERT_URI OTAD_TEST_SOFTHSM_CERT_URI
#define KEY_URI OTAD_TEST_SOFTHSM_KEY_URI

static OtadTestServer *server;

static OtadHttp *
make_http (const gchar *pin)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca = otad_test_server_path (server, "ca.pem");

	g_assert_true (otad_http_set_ca_file (http, ca, &error));
	if (pin != NULL)
		otad_http_set_pkcs11_pin (http, pin);
	otad_http_set_retry (http, 1, 10, 10, 1);
	if (!otad_http_set_client_certificate (http, CERT_URI, KEY_URI, &error)) {
		g_test_message ("%s", error->message);
		return NULL;
	}
	return g_steal_pointer (&http);
}

static void
test_pkcs11_auth (void)
{
	g_autoptr(OtadHttp) http = make_http ("1234");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *url = g_strconcat (server->base_url, "/repo/timestamp.json", NULL);
	g_autoptr(GBytes) body = NULL;
	g_autoptr(JsonArray) log = NULL;

	g_assert_nonnull (http);
	body = otad_http_get (http, url, 0, 0, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (body);
	/* the server saw the token's certificate */
	log = otad_test_server_log (server);
	g_assert_cmpstr (
	    json_object_get_string_member (
	        json_array_get_object_element (log, json_array_get_length (log) - 1), "cn"),
	    ==, "device-1");
}

static void
test_pkcs11_wrong_pin (void)
{
	g_autoptr(OtadHttp) http = make_http ("9999");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *url = g_strconcat (server->base_url, "/repo/timestamp.json", NULL);
	g_autoptr(GBytes) body = NULL;

	/* either loading the key or the handshake fails, and it says TLS */
	if (http == NULL)
		return;
	body = otad_http_get (http, url, 0, 0, NULL, NULL, &error);
	g_assert_null (body);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_TLS);
	g_assert_nonnull (strstr (error->message, url));
	g_test_message ("%s", error->message);
}

static void
test_pkcs11_missing_object (void)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;

	g_assert_false (otad_http_set_client_certificate (
	    http, "pkcs11:token=otad;object=nothere;type=cert",
	    "pkcs11:token=otad;object=nothere;type=private", &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_nonnull (strstr (error->message, "nothere"));
}

static void
test_pkcs11_ecu_key (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadEcuKey) key = otad_ecu_key_new_from_pkcs11 (
	    "pkcs11:token=otad;object=ecukey;type=private", "1234", &error);
	g_autoptr(OtadHttp) http = make_http ("1234");
	g_autofree gchar *state = otad_test_mkdtemp ();
	g_autoptr(OtadReporter) r = NULL;
	g_autofree gchar *json = NULL;
	OtadManifestImage image = {"demo-1", "0123", 0};
	guint delivered = 0;
	g_autoptr(JsonArray) log = NULL;
	JsonObject *last;

	g_assert_no_error (error);
	g_assert_cmpuint (strlen (otad_ecu_key_get_public_hex (key)), ==, 64);
	/* the manifest signed in the token verifies in the server */
	json = g_strdup_printf ("{\"serial\":\"ecu-hsm\",\"public\":\"%s\"}",
	                        otad_ecu_key_get_public_hex (key));
	otad_test_server_control (server, "/ecu-key", json);
	r = otad_reporter_new (http, server->base_url, state, key, "ecu-hsm", &error);
	g_assert_no_error (error);
	g_assert_true (otad_reporter_queue_manifest (r, &image, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (delivered, ==, 1);
	log = otad_test_server_log (server);
	last = json_array_get_object_element (log, json_array_get_length (log) - 1);
	g_assert_cmpstr (json_object_get_string_member (last, "path"), ==, "/director/manifest");
	g_assert_true (json_object_get_boolean_member (last, "verified"));
	otad_test_rm_rf (state);
}

int
main (int argc, char **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *hsm = NULL;
	g_autofree gchar *cert = NULL;
	g_autofree gchar *key = NULL;
	int rc;

	g_test_init (&argc, &argv, NULL);
	/* a missing tool fails the test with one line naming the package, never a skip */
	otad_test_softhsm_require_tools ();
	otad_test_server_require_tools ();

	dir = otad_test_mkdtemp ();
	hsm = g_build_filename (dir, "hsm", NULL);
	/* before any thread exists and before the TLS backend loads p11-kit modules */
	otad_test_softhsm_prepare (hsm);
	server = otad_test_server_start (dir, NULL);
	cert = otad_test_server_path (server, "device.pem");
	key = otad_test_server_path (server, "device.key");
	otad_test_softhsm_setup (hsm, cert, key);

	g_test_add_func ("/otad/pkcs11/auth", test_pkcs11_auth);
	g_test_add_func ("/otad/pkcs11/wrong-pin", test_pkcs11_wrong_pin);
	g_test_add_func ("/otad/pkcs11/missing-object", test_pkcs11_missing_object);
	g_test_add_func ("/otad/pkcs11/ecu-key", test_pkcs11_ecu_key);
	rc = g_test_run ();

	otad_test_server_free (server);
	otad_test_rm_rf (dir);
	return rc;
}
