/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ota-error.h"
#include "otad-provision.h"
#include "otad-reporter.h"
#include "otad-test-server.h"
#include "otad-zip.h"

typedef struct {
	gchar *dir;
	gchar *state_dir;
	OtadTestServer *server;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	f->dir = otad_test_mkdtemp ();
	f->state_dir = otad_test_mkdtemp ();
	f->server = otad_test_server_start (f->dir, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	g_clear_pointer (&f->server, otad_test_server_free);
	otad_test_rm_rf (f->dir);
	otad_test_rm_rf (f->state_dir);
	g_free (f->dir);
	g_free (f->state_dir);
}

static JsonObject *
last_entry (Fixture *f)
{
	g_autoptr(JsonArray) log = otad_test_server_log (f->server);
	return json_object_ref (
	    json_array_get_object_element (log, json_array_get_length (log) - 1));
}

static void
get_ok (Fixture *f, OtadHttp *http, const gchar *expected_cn)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *url = g_strconcat (f->server->base_url, "/repo/timestamp.json", NULL);
	g_autoptr(GBytes) body = otad_http_get (http, url, 0, 0, NULL, NULL, &error);
	g_autoptr(JsonObject) e = NULL;

	g_assert_no_error (error);
	e = last_entry (f);
	g_assert_cmpstr (json_object_get_string_member (e, "cn"), ==, expected_cn);
}

static void
test_shared_credentials (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(OtadHttp) http2 = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *zip = otad_test_server_path (f->server, "credentials.zip");
	g_autofree gchar *id_dir = g_build_filename (f->state_dir, "identity", NULL);
	g_autofree gchar *key_file = g_build_filename (id_dir, "pkey.pem", NULL);
	g_autofree gchar *ecu_key_file = g_build_filename (f->state_dir, "ecu.key", NULL);
	g_autofree gchar *gateway = NULL;
	g_autofree gchar *director = NULL;
	g_autoptr(OtadEcuKey) ecu_key = NULL;
	g_autoptr(OtadReporter) reporter = NULL;
	g_autoptr(JsonObject) e = NULL;
	OtadManifestImage image = {"demo-1", "00ff", 0};
	guint delivered = 0;
	GStatBuf st;

	g_assert_false (otad_provision_is_provisioned (id_dir));
	g_assert_true (otad_provision_shared_credentials (http, zip, "dev-7", 36000, NULL, id_dir,
	                                                  NULL, &error));
	g_assert_no_error (error);
	g_assert_true (otad_provision_is_provisioned (id_dir));
	g_assert_cmpint (g_stat (key_file, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);

	/* the server saw the fleet identity ask for a device certificate */
	e = last_entry (f);
	g_assert_cmpstr (json_object_get_string_member (e, "path"), ==, "/devices");
	g_assert_cmpstr (json_object_get_string_member (e, "cn"), ==, "autoprov");
	g_assert_cmpstr (json_object_get_string_member (e, "device_id"), ==, "dev-7");
	g_assert_cmpstr (json_object_get_string_member (e, "ttl"), ==, "36000");

	/* from now on the session speaks as the device */
	get_ok (f, http, "dev-7");

	/* ECU registration, then a manifest the server verifies with the registered key */
	ecu_key = otad_ecu_key_load_or_create (ecu_key_file, &error);
	g_assert_no_error (error);
	director = g_strconcat (f->server->base_url, "/director", NULL);
	g_assert_true (
	    otad_provision_register_ecus (http, director, "ecu-1", "hw-x", ecu_key, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (otad_test_server_count (f->server, "POST", "/director/ecus"), ==, 1);
	reporter =
	    otad_reporter_new (http, f->server->base_url, f->state_dir, ecu_key, "ecu-1", &error);
	g_assert_true (otad_reporter_queue_manifest (reporter, &image, NULL, &error));
	g_assert_true (otad_reporter_flush (reporter, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_clear_pointer (&e, json_object_unref);
	e = last_entry (f);
	g_assert_true (json_object_get_boolean_member (e, "verified"));

	/* after a restart the stored identity is used as is */
	g_assert_true (otad_provision_load_identity (http2, id_dir, &gateway, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (gateway, ==, f->server->base_url);
	get_ok (f, http2, "dev-7");
}

static void
test_implicit (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	const gchar *files[][2] = {
	    {"ca.pem", "root.crt"}, {"device.pem", "client.pem"}, {"device.key", "pkey.pem"}};

	/* certificates put there at manufacturing */
	for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autofree gchar *src = otad_test_server_path (f->server, files[i][0]);
		g_autofree gchar *dst = g_build_filename (f->state_dir, files[i][1], NULL);
		g_autofree gchar *text = NULL;
		g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
		g_assert_true (g_file_set_contents (dst, text, -1, NULL));
	}
	g_assert_false (otad_provision_is_provisioned (f->state_dir));
	{
		g_autofree gchar *dst = g_build_filename (f->state_dir, "gateway.url", NULL);
		g_assert_true (g_file_set_contents (dst, f->server->base_url, -1, NULL));
	}
	g_assert_true (otad_provision_is_provisioned (f->state_dir));
	g_assert_true (otad_provision_load_identity (http, f->state_dir, NULL, &error));
	g_assert_no_error (error);
	get_ok (f, http, "device-1");
}

static void
test_bad_credentials (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *junk = g_build_filename (f->state_dir, "junk.zip", NULL);
	g_autofree gchar *id_dir = g_build_filename (f->state_dir, "identity", NULL);

	g_assert_true (g_file_set_contents (junk, "PK\003\004 this is not a zip at all", -1, NULL));
	g_assert_false (
	    otad_provision_shared_credentials (http, junk, NULL, 1, NULL, id_dir, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_nonnull (strstr (error->message, "ZIP"));
	g_assert_false (otad_provision_is_provisioned (id_dir));
	g_assert_cmpuint (otad_test_server_count (f->server, NULL, NULL), ==, 0);
}

static void
test_zip_members (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *zip_path = otad_test_server_path (f->server, "credentials.zip");
	g_autofree gchar *contents = NULL;
	g_autofree gchar *expected = NULL;
	g_autoptr(GBytes) zip = NULL;
	g_autoptr(GBytes) url = NULL;
	g_autoptr(GBytes) missing = NULL;
	gsize len = 0;

	g_assert_true (g_file_get_contents (zip_path, &contents, &len, NULL));
	zip = g_bytes_new_take (g_steal_pointer (&contents), len);
	url = otad_zip_extract (zip, "autoprov.url", &error);
	g_assert_no_error (error);
	expected = g_strdup_printf ("%s\n", f->server->base_url);
	g_assert_cmpmem (g_bytes_get_data (url, NULL), g_bytes_get_size (url), expected,
	                 strlen (expected));
	missing = otad_zip_extract (zip, "nothere", &error);
	g_assert_null (missing);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);

	/* every truncation of a valid archive fails cleanly */
	for (gsize cut = 0; cut < len; cut += 7) {
		g_autoptr(GBytes) part = g_bytes_new_from_bytes (zip, 0, cut);
		g_autoptr(GError) error_cut = NULL;
		g_autoptr(GBytes) m =
		    otad_zip_extract (part, "autoprov_credentials.p12", &error_cut);
		g_assert_null (m);
		g_assert_nonnull (error_cut);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_server_require_tools ();
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD ("/otad/provision/shared-credentials", test_shared_credentials);
	ADD ("/otad/provision/implicit", test_implicit);
	ADD ("/otad/provision/bad-credentials", test_bad_credentials);
	ADD ("/otad/provision/zip-members", test_zip_members);
#undef ADD
	return g_test_run ();
}
