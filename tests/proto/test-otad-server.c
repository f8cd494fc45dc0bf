/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"
#include "otad-server.h"
#include "otad-test-server.h"

#define COMMIT "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

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
	otad_test_server_control (
	    f->server, "/targets",
	    "{\"repo\":[{\"name\":\"os-3\",\"sha256\":\"" COMMIT "\",\"length\":0,"
	    "\"custom\":{\"version\":\"3\",\"hardwareIds\":[\"hw-x\"],\"tags\":[\"main\"]}}],"
	    "\"director\":[{\"name\":\"os-3\",\"sha256\":\"" COMMIT "\",\"length\":0,"
	    "\"custom\":{\"ecuIdentifiers\":{\"ecu-1\":{\"hardwareId\":\"hw-x\"}}}}],"
	    "\"correlation_id\":\"campaign-9\"}");
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

static OtadConfig *
make_config (Fixture *f, const gchar *extra)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = g_strdup_printf (
	    "[server]\nurl=%s\nca-file=%s/ca.pem\ncert=%s/device.pem\nkey=%s/device.key\n"
	    "[tuf]\nallow-trust-on-first-use=true\n%s",
	    f->server->base_url, f->dir, f->dir, f->dir, extra);

	g_assert_true (otad_config_load_data (config, "test", text, -1, &error));
	g_assert_no_error (error);
	return g_steal_pointer (&config);
}

static void
test_uptane (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadConfig) config =
	    make_config (f, "[device]\nhardware-id=hw-x\necu-serial=ecu-1\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadServerSettings) s =
	    otad_server_settings_new (config, f->state_dir, NULL, &error);
	g_autoptr(OtadServer) server = NULL;
	g_autoptr(OtadCheckinTarget) t = NULL;
	g_autofree gchar *json = NULL;
	g_autofree gchar *treehub = g_strconcat (f->server->base_url, "/treehub", NULL);
	OtadManifestImage image = {"os-3", COMMIT, 0};
	OtadManifestReport report = {"campaign-9", TRUE, "OK", ""};
	OtadReporter *r;
	guint delivered = 0;

	g_assert_no_error (error);
	g_assert_cmpstr (s->treehub_url, ==, treehub);
	server = otad_server_new (s, &error);
	g_assert_no_error (error);
	g_assert_true (otad_server_check (server, NULL, &t, NULL, &error));
	g_assert_no_error (error);
	g_assert_nonnull (t);
	g_assert_cmpstr (t->correlation_id, ==, "campaign-9");

	/* report the installation; the server checks the signature with the ECU's key */
	json = g_strdup_printf ("{\"serial\":\"ecu-1\",\"public\":\"%s\"}",
	                        otad_ecu_key_get_public_hex (otad_server_get_ecu_key (server)));
	otad_test_server_control (f->server, "/ecu-key", json);
	r = otad_server_get_reporter (server);
	g_assert_nonnull (r);
	g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED,
	                                          t->correlation_id, TRUE, &error));
	g_assert_true (otad_reporter_queue_manifest (r, &image, &report, &error));
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (delivered, ==, 2);
	g_assert_cmpuint (otad_test_server_count (f->server, "POST", "/events"), ==, 1);
	g_assert_cmpuint (otad_test_server_count (f->server, "PUT", "/director/manifest"), ==, 1);
}

static void
test_lite (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadConfig) config =
	    make_config (f, "[server]\nmode=lite\n[device]\nhardware-id=hw-x\ntag=main\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadServerSettings) s =
	    otad_server_settings_new (config, f->state_dir, NULL, &error);
	g_autoptr(OtadServer) server = NULL;
	g_autoptr(OtadCheckinTarget) t = NULL;
	g_autofree gchar *serial_file = g_build_filename (f->state_dir, "ecu-serial", NULL);
	g_autoptr(OtadServerSettings) s2 = NULL;

	g_assert_no_error (error);
	g_assert_true (s->lite);
	/* a random serial, kept for the next start */
	g_assert_true (g_file_test (serial_file, G_FILE_TEST_EXISTS));
	s2 = otad_server_settings_new (config, f->state_dir, NULL, &error);
	g_assert_cmpstr (s2->ecu_serial, ==, s->ecu_serial);

	server = otad_server_new (s, &error);
	g_assert_no_error (error);
	g_assert_true (otad_server_check (server, NULL, &t, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (t->name, ==, "os-3");
	g_assert_cmpuint (otad_test_server_count (f->server, NULL, "/director/targets.json"), ==,
	                  0);
}

static void
test_sota_toml_fallback (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *conf_d = g_build_filename (f->state_dir, "conf.d", NULL);
	g_autofree gchar *toml =
	    g_strdup_printf ("[tls]\nserver = \"%s\"\n[provision]\nprimary_ecu_serial = \"ecu-1\"\n"
	                     "primary_ecu_hardware_id = \"hw-x\"\n[import]\nbase_path = \"%s\"\n"
	                     "tls_cacert_path = \"ca.pem\"\ntls_clientcert_path = \"device.pem\"\n"
	                     "tls_pkey_path = \"device.key\"\n",
	                     f->server->base_url, f->dir);
	g_autofree gchar *toml_path = g_build_filename (conf_d, "sota.toml", NULL);
	const gchar *paths[] = {conf_d, NULL};
	const gchar *roots[] = {f->dir, NULL};
	g_autoptr(OtadServerSettings) s = NULL;
	g_autoptr(OtadServer) server = NULL;
	g_autoptr(OtadCheckinTarget) t = NULL;

	g_assert_true (otad_config_load_data (config, "empty", "", -1, &error));
	g_mkdir_with_parents (conf_d, 0755);
	g_assert_true (g_file_set_contents (toml_path, toml, -1, NULL));
	s = otad_server_settings_new (config, f->state_dir, paths, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (s->ecu_serial, ==, "ecu-1");
	g_assert_cmpstr (s->hardware_id, ==, "hw-x");
	/* pre-provisioned roots instead of trust on first use */
	s->root_dirs = g_strdupv ((gchar **)roots);
	server = otad_server_new (s, &error);
	g_assert_no_error (error);
	g_assert_true (otad_server_check (server, NULL, &t, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (t->sha256, ==, COMMIT);
}

static void
test_boot_confirm_report (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadConfig) config =
	    make_config (f, "[device]\nhardware-id=hw-x\necu-serial=ecu-1\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadServerSettings) s =
	    otad_server_settings_new (config, f->state_dir, NULL, &error);
	g_autoptr(OtadServer) server = otad_server_new (s, &error);
	g_autofree gchar *json = NULL;
	g_autoptr(JsonArray) log = NULL;
	OtadBootConfirmResult ok = {OTAD_BOOT_CONFIRM_CONFIRMED,
	                            TRUE,
	                            (gchar *)COMMIT,
	                            (gchar *)"aaaa",
	                            (gchar *)"os-3",
	                            (gchar *)"3",
	                            (gchar *)"campaign-9",
	                            NULL,
	                            NULL,
	                            FALSE};
	OtadBootConfirmResult bad = {OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED,
	                             FALSE,
	                             (gchar *)COMMIT,
	                             (gchar *)"aaaa",
	                             (gchar *)"os-3",
	                             (gchar *)"3",
	                             (gchar *)"campaign-10",
	                             (gchar *)"unit foo.service failed",
	                             NULL,
	                             TRUE};
	guint delivered = 0;
	guint manifests = 0;

	g_assert_no_error (error);
	json = g_strdup_printf ("{\"serial\":\"ecu-1\",\"public\":\"%s\"}",
	                        otad_ecu_key_get_public_hex (otad_server_get_ecu_key (server)));
	otad_test_server_control (f->server, "/ecu-key", json);
	g_assert_true (otad_server_report_boot_confirm (&ok, server, &error));
	g_assert_true (otad_server_report_boot_confirm (&bad, server, &error));
	g_assert_no_error (error);
	g_assert_true (
	    otad_reporter_flush (otad_server_get_reporter (server), &delivered, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (delivered, ==, 4);

	log = otad_test_server_log (f->server);
	for (guint i = 0; i < json_array_get_length (log); i++) {
		JsonObject *e = json_array_get_object_element (log, i);
		JsonObject *signed_obj, *report, *image;
		if (g_strcmp0 (json_object_get_string_member (e, "path"), "/director/manifest") !=
		    0)
			continue;
		g_assert_true (json_object_get_boolean_member (e, "verified"));
		signed_obj = json_object_get_object_member (
		    json_object_get_object_member (e, "json"), "signed");
		report = json_object_get_object_member (
		    json_object_get_object_member (signed_obj, "installation_report"), "report");
		image = json_object_get_object_member (
		    json_object_get_object_member (
		        json_object_get_object_member (
		            json_object_get_object_member (signed_obj, "ecu_version_manifests"),
		            "ecu-1"),
		        "signed"),
		    "installed_image");
		if (manifests++ == 0) {
			g_assert_cmpstr (json_object_get_string_member (report, "correlation_id"),
			                 ==, "campaign-9");
			g_assert_true (json_object_get_boolean_member (
			    json_object_get_object_member (report, "result"), "success"));
			g_assert_cmpstr (json_object_get_string_member (image, "filepath"), ==,
			                 "os-3");
		} else {
			g_assert_cmpstr (json_object_get_string_member (report, "correlation_id"),
			                 ==, "campaign-10");
			g_assert_false (json_object_get_boolean_member (
			    json_object_get_object_member (report, "result"), "success"));
			/* rolled back: the old commit runs */
			g_assert_cmpstr (
			    json_object_get_string_member (
			        json_object_get_object_member (
			            json_object_get_object_member (image, "fileinfo"), "hashes"),
			        "sha256"),
			    ==, "aaaa");
		}
	}
	g_assert_cmpuint (manifests, ==, 2);
}

static void
test_provision_from_sota_toml (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *conf_d = g_build_filename (f->state_dir, "conf.d", NULL);
	g_autofree gchar *toml = g_strdup_printf (
	    "[provision]\nprovision_path = \"%s/credentials.zip\"\ndevice_id = \"dev-9\"\n"
	    "primary_ecu_serial = \"ecu-1\"\nprimary_ecu_hardware_id = \"hw-x\"\n"
	    "[storage]\npath = \"%s\"\n",
	    f->dir, f->state_dir);
	g_autofree gchar *toml_path = g_build_filename (conf_d, "sota.toml", NULL);
	const gchar *paths[] = {conf_d, NULL};
	const gchar *roots[] = {f->dir, NULL};
	OtadManifestImage image = {"os-3", COMMIT, 0};

	g_assert_true (otad_config_load_data (config, "empty", "", -1, &error));
	g_mkdir_with_parents (conf_d, 0755);
	g_assert_true (g_file_set_contents (toml_path, toml, -1, NULL));

	/* two starts over the same state: provisioned and registered once */
	for (guint run = 0; run < 2; run++) {
		g_autoptr(OtadServerSettings) s =
		    otad_server_settings_new (config, f->state_dir, paths, &error);
		g_autoptr(OtadServer) server = NULL;
		g_autoptr(OtadCheckinTarget) t = NULL;
		g_autoptr(JsonArray) log = NULL;
		guint delivered = 0;

		g_assert_no_error (error);
		/* the gateway comes from the archive's autoprov.url */
		g_assert_cmpstr (s->gateway_url, ==, f->server->base_url);
		s->root_dirs = g_strdupv ((gchar **)roots);
		server = otad_server_new (s, &error);
		g_assert_no_error (error);
		g_assert_true (otad_server_ensure_provisioned (server, NULL, &error));
		g_assert_no_error (error);
		g_assert_true (otad_server_check (server, NULL, &t, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpstr (t->sha256, ==, COMMIT);
		/* the Director knows the ECU key from the registration */
		g_assert_true (otad_reporter_queue_manifest (otad_server_get_reporter (server),
		                                             &image, NULL, &error));
		g_assert_true (otad_reporter_flush (otad_server_get_reporter (server), &delivered,
		                                    NULL, &error));
		g_assert_no_error (error);
		log = otad_test_server_log (f->server);
		g_assert_true (json_object_get_boolean_member (
		    json_array_get_object_element (log, json_array_get_length (log) - 1),
		    "verified"));
		g_assert_cmpstr (
		    json_object_get_string_member (
		        json_array_get_object_element (log, json_array_get_length (log) - 1), "cn"),
		    ==, "dev-9");
	}
	g_assert_cmpuint (otad_test_server_count (f->server, "POST", "/devices"), ==, 1);
	g_assert_cmpuint (otad_test_server_count (f->server, "POST", "/director/ecus"), ==, 1);
}

static void
test_nothing_configured (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	const gchar *paths[] = {"/nonexistent", NULL};
	g_autoptr(OtadServerSettings) s = NULL;

	g_assert_true (otad_config_load_data (config, "empty", "", -1, &error));
	s = otad_server_settings_new (config, f->state_dir, paths, &error);
	g_assert_null (s);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD ("/otad/server/uptane", test_uptane);
	ADD ("/otad/server/lite", test_lite);
	ADD ("/otad/server/sota-toml-fallback", test_sota_toml_fallback);
	ADD ("/otad/server/nothing-configured", test_nothing_configured);
	ADD ("/otad/server/boot-confirm-report", test_boot_confirm_report);
	ADD ("/otad/server/provision-from-sota-toml", test_provision_from_sota_toml);
#undef ADD
	return g_test_run ();
}
