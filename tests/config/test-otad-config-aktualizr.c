/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-config-aktualizr.h"
#include "otad-sota-toml.h"

/* aktualizr's configuration read into OtadConfig (docs/sota-toml.md) */

static gchar *
make_tmpdir (void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp ("otad-test-aktualizr-XXXXXX", &error);
	g_assert_no_error (error);
	return dir;
}

static void
rm_rf (const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
			rm_rf (child);
		else
			g_unlink (child);
	}
	g_rmdir (path);
}

static void
write_file (const gchar *dir, const gchar *name, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename (dir, name, NULL);
	g_file_set_contents (path, text, -1, &error);
	g_assert_no_error (error);
}

static OtadConfig *
load_paths (const gchar *const *paths, GPtrArray *warnings)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadConfig) config = otad_config_new ();

	g_assert_true (otad_config_aktualizr_load (config, paths, warnings, &error));
	g_assert_no_error (error);
	return g_steal_pointer (&config);
}

static OtadConfig *
load_data (const gchar *name, GPtrArray *warnings)
{
	g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "config", "data", name, NULL);
	const gchar *paths[] = {path, NULL};
	return load_paths (paths, warnings);
}

static gboolean
has_warning (GPtrArray *warnings, const gchar *needle)
{
	for (guint i = 0; i < warnings->len; i++) {
		if (strstr (g_ptr_array_index (warnings, i), needle) != NULL)
			return TRUE;
	}
	return FALSE;
}

static void
test_documented_options (void)
{
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(OtadConfig) c = load_data ("sota-full.toml", warnings);
	const gchar *origin;

	g_assert_cmpstr (otad_config_get_string (c, "server", "url"), ==,
			 "https://gw.example.com:8443");
	origin = otad_config_get_origin (c, "server", "url");
	g_assert_true (g_str_has_suffix (origin, "sota-full.toml:11 ([tls] server)"));
	g_assert_cmpstr (otad_config_get_string (c, "server", "director-url"), ==,
			 "https://gw.example.com:8443/director");
	g_assert_cmpstr (otad_config_get_string (c, "server", "treehub-url"), ==,
			 "https://gw.example.com:8443/treehub");
	g_assert_cmpstr (otad_config_get_string (c, "provision", "server"), ==,
			 "https://prov.example.com");
	g_assert_cmpuint (otad_config_get_uint (c, "polling", "interval-sec"), ==, 300);
	g_assert_cmpstr (otad_config_get_string (c, "aktualizr", "storage-dir"), ==, "/var/sota");
	g_assert_cmpstr (otad_config_get_string (c, "aktualizr", "sqldb"), ==,
			 "/var/sota/sql.db");
	g_assert_cmpstr (otad_config_get_string (c, "pkcs11", "pin"), ==, "1234");
	g_assert_cmpstr (otad_config_get_string (c, "provision", "credentials"), ==,
			 "/var/sota/sota_provisioning_credentials.zip");
	g_assert_cmpstr (otad_config_get_string (c, "provision", "device-id"), ==, "dev-42");
	g_assert_cmpstr (otad_config_get_string (c, "device", "ecu-serial"), ==, "serial-1");
	g_assert_cmpstr (otad_config_get_string (c, "device", "hardware-id"), ==,
			 "raspberrypi4-64");
	g_assert_cmpuint (otad_config_get_uint (c, "provision", "expiry-days"), ==, 36000);
	g_assert_cmpstr (otad_config_get_string (c, "update", "osname"), ==, "poky");
	g_assert_cmpstr (otad_config_get_string (c, "device", "tag"), ==, "main,beta");
	g_assert_cmpstr (otad_config_get_string (c, "boot", "backend"), ==, "uboot");
	g_assert_cmpstr (otad_config_get_string (c, "report", "packages-file"), ==,
			 "/usr/package.manifest");
	/* what otad does not use is named, with its place */
	g_assert_true (has_warning (warnings, "sota-full.toml:4: [logger] loglevel: not used"));
	g_assert_true (has_warning (warnings, "[pacman] sysroot: not used by otad"));
	g_assert_true (has_warning (warnings, "[network] curl_bandwith: not used by otad"));
	/* [import] files that are not there are skipped, as aktualizr skips them */
	g_assert_true (has_warning (warnings, "[import] tls_clientcert_path: "
					      "/var/sota/import/client.pem does not exist"));
	g_assert_false (otad_config_is_set (c, "server", "cert"));
}

static void
test_hsm (void)
{
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(OtadConfig) c = load_data ("sota-hsm.toml", warnings);

	g_assert_cmpstr (otad_config_get_string (c, "server", "cert"), ==,
			 "pkcs11:id=%01;type=cert");
	g_assert_cmpstr (otad_config_get_string (c, "server", "key"), ==,
			 "pkcs11:id=%02;type=private");
	g_assert_cmpstr (otad_config_get_string (c, "device", "ecu-key"), ==,
			 "pkcs11:id=%03;type=private");
	g_assert_cmpstr (otad_config_get_string (c, "pkcs11", "module"), ==,
			 "/usr/lib/softhsm/libsofthsm2.so");
	/* not set in the file: otad's own defaults and derivations apply */
	g_assert_cmpuint (otad_config_get_uint (c, "polling", "interval-sec"), ==, 3600);
	g_assert_false (otad_config_is_set (c, "server", "director-url"));
}

static void
test_conf_d_order (void)
{
	g_autofree gchar *tmp = make_tmpdir ();
	g_autofree gchar *lib = g_build_filename (tmp, "lib", NULL);
	g_autofree gchar *etc = g_build_filename (tmp, "etc", NULL);
	g_autofree gchar *url_file = g_build_filename (tmp, "gateway.url", NULL);
	g_autofree gchar *frag = NULL;
	const gchar *dirs[] = {lib, etc, NULL};
	g_autoptr(OtadConfig) c = NULL;
	g_autoptr(GPtrArray) files = NULL;

	g_mkdir (lib, 0755);
	g_mkdir (etc, 0755);
	write_file (tmp, "gateway.url", "https://from-file.example.com/\n");
	frag = g_strdup_printf ("[tls]\nserver_url_path = \"%s\"\n[uptane]\npolling_sec = 60\n",
				url_file);
	write_file (lib, "10-base.toml", frag);
	/* hidden by the file of the same name in the later directory */
	write_file (lib, "20-poll.toml", "[uptane]\npolling_sec = 5\n");
	write_file (etc, "20-poll.toml", "[uptane]\npolling_sec = 120\n");
	/* later in the alphabet: overrides; an unset key does not reset */
	write_file (etc, "30-hw.toml", "[provision]\nprimary_ecu_hardware_id = 'hw-\\x'\n");
	write_file (etc, "README", "not toml");

	files = otad_config_aktualizr_list_files (dirs);
	g_assert_cmpuint (files->len, ==, 3);
	g_assert_true (g_str_has_prefix (g_ptr_array_index (files, 1), etc));
	c = load_paths (dirs, NULL);
	g_assert_cmpstr (otad_config_get_string (c, "server", "url"), ==,
			 "https://from-file.example.com");
	g_assert_true (strstr (otad_config_get_origin (c, "server", "url"),
			       "([tls] server_url_path)") != NULL);
	g_assert_cmpuint (otad_config_get_uint (c, "polling", "interval-sec"), ==, 120);
	g_assert_cmpstr (otad_config_get_string (c, "device", "hardware-id"), ==, "hw-\\x");
	rm_rf (tmp);
}

static void
test_otad_conf_wins (void)
{
	g_autofree gchar *tmp = make_tmpdir ();
	g_autofree gchar *conf = g_build_filename (tmp, "otad.conf", NULL);
	g_autofree gchar *toml = g_build_filename (tmp, "sota.toml", NULL);
	g_autofree gchar *text = NULL;
	g_autoptr(OtadConfig) c = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *printed = NULL;
	g_autofree gchar *conf_origin = g_strdup_printf ("%s:2", conf);

	write_file (tmp, "sota.toml",
		    "[tls]\nserver = \"https://aktualizr.example.com\"\n"
		    "[uptane]\npolling_sec = 77\n[storage]\npath = \"state\"\n"
		    "[provision]\nprovision_path = \"creds/credentials.zip\"\n");
	text = g_strdup_printf ("[server]\nurl=https://otad.example.com\n"
				"[aktualizr]\nconfig=%s\n",
				toml);
	write_file (tmp, "otad.conf", text);
	g_assert_true (otad_config_load_default (c, conf, NULL, TRUE, &error));
	g_assert_no_error (error);
	/* as the daemon does: aktualizr's files after all of otad's */
	g_assert_true (otad_config_aktualizr_load_configured (c, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (otad_config_get_string (c, "server", "url"), ==,
			 "https://otad.example.com");
	g_assert_cmpstr (otad_config_get_origin (c, "server", "url"), ==, conf_origin);
	g_assert_cmpuint (otad_config_get_uint (c, "polling", "interval-sec"), ==, 77);
	/* relative paths as aktualizr resolves them: [storage] path from the working
	 * directory of the service (/), sqldb_path from [storage] path */
	g_assert_cmpstr (otad_config_get_string (c, "aktualizr", "storage-dir"), ==, "/state");
	g_assert_cmpstr (otad_config_get_string (c, "aktualizr", "sqldb"), ==, "/state/sql.db");
	g_assert_cmpstr (otad_config_get_string (c, "provision", "credentials"), ==,
			 "/creds/credentials.zip");
	printed = otad_config_to_string_full (c, TRUE);
	g_assert_nonnull (strstr (printed, "interval-sec=77  # "));
	g_assert_nonnull (strstr (printed, "sota.toml:4 ([uptane] polling_sec)"));
	g_assert_nonnull (strstr (printed, "jitter-percent=10  # built-in default"));
	rm_rf (tmp);
}

static void
test_syntax (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) entries = otad_sota_toml_parse (
	    "# comment\n\n[a]\nk1 = \"x # not a comment\" # comment\nk2 = -1_000\n"
	    "\"quoted key\" = true\nk3 = [\"p\", \"q\",\n  \"r\"]\nk4 = \"\\u00e9\\t\"\n",
	    -1, "test", &error);
	OtadSotaTomlEntry *e;

	g_assert_no_error (error);
	g_assert_cmpuint (entries->len, ==, 5);
	e = g_ptr_array_index (entries, 0);
	g_assert_cmpstr (e->table, ==, "a");
	g_assert_cmpstr (e->value, ==, "x # not a comment");
	g_assert_cmpuint (e->line, ==, 4);
	e = g_ptr_array_index (entries, 1);
	g_assert_cmpstr (e->value, ==, "-1000");
	e = g_ptr_array_index (entries, 2);
	g_assert_cmpstr (e->key, ==, "quoted key");
	e = g_ptr_array_index (entries, 3);
	g_assert_cmpuint (g_strv_length (e->array), ==, 3);
	e = g_ptr_array_index (entries, 4);
	g_assert_cmpstr (e->value, ==, "\xc3\xa9\t");
	g_assert_cmpuint (e->line, ==, 9);
}

static void
test_syntax_errors (void)
{
	const struct {
		const gchar *text;
		const gchar *message;
	} cases[] = {
	    {"[tls]\nserver = \"https://x\n", "test:2: unterminated string"},
	    {"[tls]\nserver https://x\n", "test:2:"},
	    {"[tls]\nserver = https://x\n", "test:2:"},
	    {"[tls\n", "test:1: bad table header"},
	    {"[a]\nk = 1 2\n", "test:2:"},
	    {"[a]\nk = \"\\q\"\n", "test:2:"},
	    {"[a]\nk = [\"x\" \"y\"]\n", "test:2:"},
	    {"[tls]\nserver.url = \"https://x\"\n", "test:2: [tls] server.url: dotted keys"},
	    {"[tls.x]\n", "test:1: [tls.x]: dotted table names"},
	    {"[tls]\n[uptane]\n[tls]\n", "test:3: [tls]: table given twice (first on line 1)"},
	    {"[a]\nk = 1\n\nk = 2\n", "test:4: [a] k: key given twice (first on line 2)"},
	    {"[[a]]\n", "test:1: [[arrays of tables]]"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) e = otad_sota_toml_parse (cases[i].text, -1, "test", &error);
		g_assert_null (e);
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
		if (!g_str_has_prefix (error->message, cases[i].message))
			g_error ("%s: got \"%s\"", cases[i].text, error->message);
	}
}

/* value errors name the file, the line, the table and the key */
static void
test_value_errors (void)
{
	const struct {
		const gchar *text;
		const gchar *message;
	} cases[] = {
	    {"[provision]\nmode = \"Bogus\"\n",
	     ":2: [provision] mode: \"Bogus\" is not one of: SharedCred, DeviceCred"},
	    {"\n[tls]\nserver = \"not a url\"\n", ":3: [tls] server: \"not a url\" is not a URL"},
	    {"[tls]\nserver_url_path = \"/nonexistent/gateway.url\"\n",
	     ":2: [tls] server_url_path: cannot read the gateway URL"},
	    {"[uptane]\npolling_sec = 0\n", ":2: [uptane] polling_sec: \"0\" is out of range"},
	    {"[uptane]\npolling_sec = \"often\"\n", ":2: [uptane] polling_sec: \"often\" is not"},
	    {"[provision]\nexpiry_days = \"-1\"\n", ":2: [provision] expiry_days:"},
	    {"[tls]\npkey_source = \"tpm\"\n", ":2: [tls] pkey_source: \"tpm\" is not one of"},
	    {"[tls]\npkey_source = \"pkcs11\"\n",
	     ":2: [tls] pkey_source: the key is in PKCS#11 but [p11] has no object id"},
	    {"[storage]\ntype = \"postgres\"\n", ":2: [storage] type: \"postgres\" is not one of"},
	};
	g_autofree gchar *tmp = make_tmpdir ();
	g_autofree gchar *file = g_build_filename (tmp, "sota.toml", NULL);
	const gchar *paths[] = {file, NULL};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OtadConfig) c = otad_config_new ();
		g_autofree gchar *expected = g_strconcat (file, cases[i].message, NULL);

		write_file (tmp, "sota.toml", cases[i].text);
		g_assert_false (otad_config_aktualizr_load (c, paths, NULL, &error));
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
		if (!g_str_has_prefix (error->message, expected))
			g_error ("%s: got \"%s\"", cases[i].text, error->message);
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OtadConfig) c = otad_config_new ();
		const gchar *none[] = {"/nonexistent/sota.toml", NULL};
		g_assert_false (otad_config_aktualizr_load (c, none, NULL, &error));
		g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	}
	rm_rf (tmp);
}

/* docs/sota-toml.md's table of keys is what otad does: each row with an example is loaded
 * on its own and must land where the row says, or be named in a warning */
static void
test_documented_table (void)
{
	g_autofree gchar *doc_path =
	    g_test_build_filename (G_TEST_DIST, "..", "docs", "sota-toml.md", NULL);
	g_autofree gchar *doc = NULL;
	g_autofree gchar *tmp = make_tmpdir ();
	g_autofree gchar *file = g_build_filename (tmp, "sota.toml", NULL);
	g_autoptr(GRegex) row = g_regex_new (
	    "^\\| `\\[([a-z0-9_]+)\\] ([a-z0-9_]+)` \\| (mapped|used|ignored)([^|]*)\\| ([^|]*)\\|$",
	    G_REGEX_MULTILINE, 0, NULL);
	g_autoptr(GRegex) target = g_regex_new ("^ `\\[([a-z0-9-]+)\\] ([a-z0-9-]+)`", 0, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	const gchar *paths[] = {file, NULL};
	guint checked = 0;

	g_assert_true (g_file_get_contents (doc_path, &doc, NULL, NULL));
	g_assert_nonnull (strstr (doc, "<!-- keys: begin -->"));
	g_regex_match (row, doc, 0, &m);
	for (; g_match_info_matches (m); g_match_info_next (m, NULL)) {
		g_autofree gchar *table = g_match_info_fetch (m, 1);
		g_autofree gchar *key = g_match_info_fetch (m, 2);
		g_autofree gchar *what = g_match_info_fetch (m, 3);
		g_autofree gchar *otad = g_match_info_fetch (m, 4);
		g_autofree gchar *example = g_strstrip (g_match_info_fetch (m, 5));
		g_autofree gchar *text = NULL;
		g_autofree gchar *suffix = NULL;
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
		g_autoptr(OtadConfig) c = otad_config_new ();
		g_autoptr(GError) error = NULL;
		g_autoptr(GMatchInfo) t = NULL;

		if (example[0] != '`')
			continue;
		example[strlen (example) - 1] = '\0';
		text = g_strdup_printf ("[%s]\n%s = %s\n", table, key, example + 1);
		write_file (tmp, "sota.toml", text);
		g_assert_true (otad_config_aktualizr_load (c, paths, warnings, &error));
		g_assert_no_error (error);
		suffix = g_strdup_printf ("sota.toml:2 ([%s] %s)", table, key);
		if (g_str_equal (what, "mapped")) {
			g_autofree gchar *group = NULL;
			g_autofree gchar *okey = NULL;
			const gchar *origin;
			g_assert_true (g_regex_match (target, otad, 0, &t));
			group = g_match_info_fetch (t, 1);
			okey = g_match_info_fetch (t, 2);
			origin = otad_config_get_origin (c, group, okey);
			if (origin == NULL || !g_str_has_suffix (origin, suffix))
				g_error ("[%s] %s: [%s] %s comes from %s", table, key, group, okey,
					 origin);
		} else if (g_str_equal (what, "ignored")) {
			g_autofree gchar *needle =
			    g_strdup_printf ("[%s] %s: not used by otad", table, key);
			if (!has_warning (warnings, needle))
				g_error ("[%s] %s: no warning", table, key);
		}
		checked++;
	}
	g_assert_cmpuint (checked, >=, 25);
	rm_rf (tmp);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/otad/config-aktualizr/documented-options", test_documented_options);
	g_test_add_func ("/otad/config-aktualizr/hsm", test_hsm);
	g_test_add_func ("/otad/config-aktualizr/conf-d-order", test_conf_d_order);
	g_test_add_func ("/otad/config-aktualizr/otad-conf-wins", test_otad_conf_wins);
	g_test_add_func ("/otad/config-aktualizr/syntax", test_syntax);
	g_test_add_func ("/otad/config-aktualizr/syntax-errors", test_syntax_errors);
	g_test_add_func ("/otad/config-aktualizr/value-errors", test_value_errors);
	g_test_add_func ("/otad/config-aktualizr/documented-table", test_documented_table);
	return g_test_run ();
}
