/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-sota-config.h"
#include "otad-test-server.h"

static OtadSotaConfig *
load_data (const gchar *name)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
	const gchar *paths[] = {path, NULL};
	OtadSotaConfig *c = otad_sota_config_load (paths, &error);

	g_assert_no_error (error);
	return c;
}

static void
test_documented_options (void)
{
	g_autoptr(OtadSotaConfig) c = load_data ("sota-full.toml");

	g_assert_cmpstr (c->gateway_url, ==, "https://gw.example.com:8443");
	g_assert_cmpstr (c->director_url, ==, "https://gw.example.com:8443/director");
	g_assert_cmpstr (c->repo_url, ==, "https://gw.example.com:8443/repo");
	g_assert_cmpstr (c->ostree_url, ==, "https://gw.example.com:8443/treehub");
	g_assert_cmpstr (c->provision_url, ==, "https://prov.example.com");
	g_assert_cmpuint (c->polling_sec, ==, 300);
	g_assert_cmpstr (c->storage_path, ==, "/var/sota");
	g_assert_cmpstr (c->ca_file, ==, "/var/sota/import/root.crt");
	g_assert_cmpstr (c->client_cert, ==, "/var/sota/import/client.pem");
	g_assert_cmpstr (c->client_key, ==, "/var/sota/import/pkey.pem");
	g_assert_cmpstr (c->uptane_key, ==, "/var/sota/import/ecukey.der");
	g_assert_cmpstr (c->pkcs11_pin, ==, "1234");
	g_assert_cmpstr (c->provision_path, ==, "/var/sota/sota_provisioning_credentials.zip");
	g_assert_cmpstr (c->provision_mode, ==, "SharedCred");
	g_assert_cmpstr (c->device_id, ==, "dev-42");
	g_assert_cmpstr (c->primary_ecu_serial, ==, "serial-1");
	g_assert_cmpstr (c->primary_ecu_hardware_id, ==, "raspberrypi4-64");
	g_assert_cmpint (c->expiry_days, ==, 36000);
	g_assert_cmpstr (c->pacman_type, ==, "ostree");
	g_assert_cmpstr (c->ostree_os, ==, "poky");
	g_assert_cmpstr (c->ostree_sysroot, ==, "/");
	g_assert_cmpuint (g_strv_length (c->tags), ==, 2);
	g_assert_cmpstr (c->tags[0], ==, "main");
	g_assert_cmpstr (c->tags[1], ==, "beta");
}

static void
test_hsm (void)
{
	g_autoptr(OtadSotaConfig) c = load_data ("sota-hsm.toml");

	g_assert_cmpstr (c->client_cert, ==,
	                 "pkcs11:id=%01;type=cert?module-path=/usr/lib/softhsm/libsofthsm2.so");
	g_assert_cmpstr (c->client_key, ==,
	                 "pkcs11:id=%02;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so");
	g_assert_cmpstr (c->uptane_key, ==,
	                 "pkcs11:id=%03;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so");
	g_assert_cmpstr (c->ca_file, ==, "/var/sota/token/root.crt");
	/* defaults from the gateway */
	g_assert_cmpstr (c->director_url, ==, "https://gw.example.com/director");
	g_assert_cmpstr (c->repo_url, ==, "https://gw.example.com/repo");
	g_assert_cmpstr (c->ostree_url, ==, "https://gw.example.com/treehub");
	g_assert_cmpuint (c->polling_sec, ==, 10);
	g_assert_cmpstr (c->provision_mode, ==, "SharedCred");
}

static void
write_file (const gchar *dir, const gchar *name, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename (dir, name, NULL);
	g_file_set_contents (path, text, -1, &error);
	g_assert_no_error (error);
}

static void
test_conf_d_order (void)
{
	g_autofree gchar *tmp = otad_test_mkdtemp ();
	g_autofree gchar *lib = g_build_filename (tmp, "lib", NULL);
	g_autofree gchar *etc = g_build_filename (tmp, "etc", NULL);
	g_autofree gchar *url_file = g_build_filename (tmp, "gateway.url", NULL);
	g_autofree gchar *frag = NULL;
	const gchar *dirs[] = {lib, etc, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadSotaConfig) c = NULL;

	g_mkdir (lib, 0755);
	g_mkdir (etc, 0755);
	write_file (tmp, "gateway.url", "https://from-file.example.com\n");
	frag = g_strdup_printf ("[tls]\nserver_url_path = \"%s\"\n[uptane]\npolling_sec = 60\n",
	                        url_file);
	write_file (lib, "10-base.toml", frag);
	/* hidden by the file of the same name in the later directory */
	write_file (lib, "20-poll.toml", "[uptane]\npolling_sec = 5\n");
	write_file (etc, "20-poll.toml", "[uptane]\npolling_sec = 120\n");
	/* later in the alphabet: overrides; an unset key does not reset */
	write_file (etc, "30-hw.toml", "[provision]\nprimary_ecu_hardware_id = 'hw-\\x'\n");
	write_file (etc, "README", "not toml");

	c = otad_sota_config_load (dirs, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (c->gateway_url, ==, "https://from-file.example.com");
	g_assert_cmpstr (c->repo_url, ==, "https://from-file.example.com/repo");
	g_assert_cmpuint (c->polling_sec, ==, 120);
	g_assert_cmpstr (c->primary_ecu_hardware_id, ==, "hw-\\x"); /* literal string */
	otad_test_rm_rf (tmp);
}

static void
test_syntax (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = otad_sota_toml_parse (
	    "# comment\n\n[a]\nk1 = \"x # not a comment\" # comment\nk2 = -1_000\n"
	    "\"quoted key\" = true\nk3 = [\"p\", \"q\",\n  \"r\"]\nk4 = \"\\u00e9\\t\"\n",
	    -1, "test", &error);
	g_auto(GStrv) list = NULL;
	g_autofree gchar *k1 = NULL;
	g_autofree gchar *k4 = NULL;

	g_assert_no_error (error);
	k1 = g_key_file_get_string (kf, "a", "k1", NULL);
	k4 = g_key_file_get_string (kf, "a", "k4", NULL);
	g_assert_cmpstr (k1, ==, "x # not a comment");
	g_assert_cmpint (g_key_file_get_int64 (kf, "a", "k2", NULL), ==, -1000);
	g_assert_true (g_key_file_get_boolean (kf, "a", "quoted key", NULL));
	list = g_key_file_get_string_list (kf, "a", "k3", NULL, NULL);
	g_assert_cmpuint (g_strv_length (list), ==, 3);
	g_assert_cmpstr (k4, ==, "\xc3\xa9\t");
}

static void
test_errors (void)
{
	const struct {
		const gchar *text;
		const gchar *where;
	} cases[] = {
	    {"[tls]\nserver = \"https://x\n", "test:2"},
	    {"[tls]\nserver https://x\n", "test:2"},
	    {"[tls]\nserver = https://x\n", "test:2"},
	    {"[tls\n", "test:1"},
	    {"[a]\nk = 1 2\n", "test:2"},
	    {"[a]\nk = \"\\q\"\n", "test:2"},
	    {"[a]\nk = [\"x\" \"y\"]\n", "test:2"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GKeyFile) kf = otad_sota_toml_parse (cases[i].text, -1, "test", &error);
		g_assert_null (kf);
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
		g_assert_true (g_str_has_prefix (error->message, cases[i].where));
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GKeyFile) kf =
		    otad_sota_toml_parse ("[uptane]\npolling_sec = 0\n", -1, "test", &error);
		g_autoptr(OtadSotaConfig) c = otad_sota_config_from_keyfile (kf, &error);
		g_assert_null (c);
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	}
	{
		g_autoptr(GError) error = NULL;
		const gchar *none[] = {"/nonexistent/sota.toml", NULL};
		g_autoptr(OtadSotaConfig) c = otad_sota_config_load (none, &error);
		g_assert_null (c);
		g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/otad/sota-toml/documented-options", test_documented_options);
	g_test_add_func ("/otad/sota-toml/hsm", test_hsm);
	g_test_add_func ("/otad/sota-toml/conf-d-order", test_conf_d_order);
	g_test_add_func ("/otad/sota-toml/syntax", test_syntax);
	g_test_add_func ("/otad/sota-toml/errors", test_errors);
	return g_test_run ();
}
