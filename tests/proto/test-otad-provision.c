/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ota-error.h"
#include "otad-provision.h"
#include "otad-provisioner.h"
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

static OtadProvisioner *
make_provisioner (Fixture *f, const gchar *cert, const gchar *key, gboolean zip,
		  GError **error)
{
	g_autofree gchar *zip_path = otad_test_server_path (f->server, "credentials.zip");
	OtadProvisionerOptions o = {NULL};

	o.state_dir = f->state_dir;
	o.cert = cert;
	o.key = key;
	o.credentials = zip ? zip_path : NULL;
	o.device_id = "dev-7";
	o.expiry_days = 36000;
	o.timeout_s = 30;
	return otad_provisioner_new (&o, error);
}

static void
test_shared_credentials (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(OtadHttp) http2 = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *key_file = g_build_filename (f->state_dir, "device", "pkey.pem", NULL);
	g_autofree gchar *ecu_key_file = g_build_filename (f->state_dir, "ecu.key", NULL);
	g_autofree gchar *director = NULL;
	g_autoptr(OtadProvisioner) p = NULL;
	g_autoptr(OtadProvisioner) p2 = NULL;
	g_autoptr(OtadEcuKey) ecu_key = NULL;
	g_autoptr(OtadReporter) reporter = NULL;
	g_autoptr(JsonObject) e = NULL;
	OtadManifestImage image = {"demo-1", "00ff", 0};
	guint delivered = 0;
	GStatBuf st;

	/* the archive in OTA Connect's layout: the gateway and the CA come from it */
	p = make_provisioner (f, NULL, NULL, TRUE, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (otad_provisioner_get_gateway_url (p), ==, f->server->base_url);
	g_assert_false (otad_provisioner_is_provisioned (p));
	g_assert_true (otad_provisioner_setup_http (p, http, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (otad_test_server_count (f->server, NULL, NULL), ==, 0);
	g_assert_true (otad_provisioner_provision (p, http, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (otad_provisioner_is_provisioned (p));
	g_assert_cmpint (g_stat (key_file, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);

	/* the server saw the fleet identity ask for a device certificate */
	e = last_entry (f);
	g_assert_cmpstr (json_object_get_string_member (e, "path"), ==, "/devices");
	g_assert_cmpstr (json_object_get_string_member (e, "cn"), ==, "autoprov");
	g_assert_cmpstr (json_object_get_string_member (e, "device_id"), ==, "dev-7");
	g_assert_cmpstr (json_object_get_string_member (e, "ttl"), ==, "36000");

	/* from now on the session speaks as the device; a second call does nothing */
	get_ok (f, http, "dev-7");
	g_assert_true (otad_provisioner_provision (p, http, NULL, &error));
	g_assert_cmpuint (otad_test_server_count (f->server, "POST", "/devices"), ==, 1);

	/* ECU registration, once; then a manifest the server verifies with the key */
	ecu_key = otad_ecu_key_load_or_create (ecu_key_file, &error);
	g_assert_no_error (error);
	director = g_strconcat (f->server->base_url, "/director", NULL);
	for (guint i = 0; i < 2; i++) {
		g_assert_true (otad_provisioner_register_ecus (
		    p, http, director, "ecu-1", "hw-x", otad_ecu_key_get_public_hex (ecu_key),
		    NULL, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpuint (otad_test_server_count (f->server, "POST", "/director/ecus"), ==, 1);
	reporter =
	    otad_reporter_new (http, f->server->base_url, f->state_dir, ecu_key, "ecu-1", &error);
	g_assert_true (otad_reporter_queue_manifest (reporter, &image, NULL, &error));
	g_assert_true (otad_reporter_flush (reporter, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_clear_pointer (&e, json_object_unref);
	e = last_entry (f);
	g_assert_true (json_object_get_boolean_member (e, "verified"));

	/* after a restart the stored identity is used as is, the archive no more */
	p2 = make_provisioner (f, NULL, NULL, FALSE, &error);
	g_assert_no_error (error);
	g_assert_true (otad_provisioner_is_provisioned (p2));
	g_assert_cmpstr (otad_provisioner_get_gateway_url (p2), ==, f->server->base_url);
	g_assert_cmpstr (otad_provisioner_get_device_id (p2), ==, "dev-7");
	g_assert_true (otad_provisioner_setup_http (p2, http2, &error));
	g_assert_no_error (error);
	get_ok (f, http2, "dev-7");
}

static void
test_implicit (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cert = otad_test_server_path (f->server, "device.pem");
	g_autofree gchar *key = otad_test_server_path (f->server, "device.key");
	g_autofree gchar *ca = otad_test_server_path (f->server, "ca.pem");
	g_autoptr(OtadProvisioner) p = NULL;
	OtadProvisionerOptions o = {NULL};

	/* certificates put there at manufacturing */
	o.state_dir = f->state_dir;
	o.cert = cert;
	o.key = key;
	o.ca_file = ca;
	o.gateway_url = f->server->base_url;
	p = otad_provisioner_new (&o, &error);
	g_assert_no_error (error);
	g_assert_true (otad_provisioner_is_provisioned (p));
	g_assert_true (otad_provisioner_setup_http (p, http, &error));
	g_assert_no_error (error);
	get_ok (f, http, "device-1");
}

static void
test_key_mismatch (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cert = otad_test_server_path (f->server, "device.pem");
	g_autofree gchar *key = otad_test_server_path (f->server, "rogue-device.key");
	g_autoptr(OtadProvisioner) p = make_provisioner (f, cert, key, FALSE, &error);

	g_assert_no_error (error);
	g_assert_false (otad_provisioner_setup_http (p, http, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_nonnull (strstr (error->message, "do not belong together"));
}

static void
test_bad_credentials (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *junk = g_build_filename (f->state_dir, "junk.zip", NULL);
	g_autoptr(OtadProvisioner) p = NULL;
	OtadProvisionerOptions o = {NULL};

	g_assert_true (g_file_set_contents (junk, "PK\003\004 this is not a zip at all", -1, NULL));
	o.state_dir = f->state_dir;
	o.credentials = junk;
	p = otad_provisioner_new (&o, &error);
	g_assert_null (p);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_nonnull (strstr (error->message, "ZIP"));
	g_assert_nonnull (strstr (error->message, "[provision] credentials"));
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
	g_autoptr(GBytes) ca = NULL;
	gsize len = 0;

	g_assert_true (g_file_get_contents (zip_path, &contents, &len, NULL));
	zip = g_bytes_new_take (g_steal_pointer (&contents), len);
	url = otad_zip_extract (zip, "autoprov.url", &error);
	g_assert_no_error (error);
	expected = g_strdup_printf ("%s\n", f->server->base_url);
	g_assert_cmpmem (g_bytes_get_data (url, NULL), g_bytes_get_size (url), expected,
	                 strlen (expected));
	/* the real layout: no CA file, the CA is in the p12 */
	ca = otad_zip_extract (zip, "server_ca.pem", NULL);
	g_assert_null (ca);
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
	ADD ("/otad/provision/key-mismatch", test_key_mismatch);
	ADD ("/otad/provision/bad-credentials", test_bad_credentials);
	ADD ("/otad/provision/zip-members", test_zip_members);
#undef ADD
	return g_test_run ();
}
