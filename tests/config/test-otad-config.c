/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-config.h"
#include "otad-test-sysroot.h"

typedef struct {
	gchar *dir; /* (owned) */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp ("otad-test-config-XXXXXX", &error);
	g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true (otad_test_sysroot_run (&error, NULL, "rm", "-rf", fx->dir, NULL));
	g_free (fx->dir);
}

/* writes DIR/name and returns its path */
static gchar *
write_file (Fixture *fx, const gchar *name, const gchar *contents)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename (fx->dir, name, NULL);
	g_autofree gchar *parent = g_path_get_dirname (path);

	g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
	g_file_set_contents (path, contents, -1, &error);
	g_assert_no_error (error);
	return g_steal_pointer (&path);
}

/* loads @contents as a file and expects INVALID_CONFIG with exactly "PATH:@expected" */
static void
assert_load_fails (Fixture *fx, const gchar *contents, const gchar *expected)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autofree gchar *path = write_file (fx, "bad.conf", contents);
	g_autofree gchar *want = g_strdup_printf ("%s:%s", path, expected);
	g_autoptr(GError) error = NULL;

	g_test_message ("expecting %s", want);
	g_assert_false (otad_config_load_file (config, path, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_cmpstr (error->message, ==, want);
}

static void
test_defaults (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();

	g_assert_cmpstr (otad_config_get_string (config, "server", "url"), ==, "");
	g_assert_cmpstr (otad_config_get_string (config, "update", "policy"), ==, "automatic");
	g_assert_cmpstr (otad_config_get_string (config, "boot", "backend"), ==, "none");
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "interval-sec"), ==, 3600);
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "jitter-percent"), ==, 10);
	g_assert_true (otad_config_get_boolean (config, "polling", "enabled"));
	g_assert_false (otad_config_get_boolean (config, "tuf", "allow-trust-on-first-use"));
	g_assert_cmpuint (g_strv_length ((gchar **)otad_config_get_string_list (config, "health",
										 "units")),
			  ==, 0);
	g_assert_null (otad_config_get_origin (config, "polling", "interval-sec"));
	g_assert_false (otad_config_is_set (config, "polling", "interval-sec"));
}

static void
test_valid (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = write_file (fx, "otad.conf",
					     "# a comment\n"
					     "[server]\n"
					     "url = https://gw.example.com:8443/\n"
					     "cert=pkcs11:token=otad;object=dev;type=cert\n"
					     "key=/var/lib/otad/dev.key\n"
					     "\n"
					     "[polling]\n"
					     "  interval-sec =  120  \n"
					     "enabled=false\n"
					     "[health]\n"
					     "units=a.service; b.target;\n"
					     "[update]\n"
					     "policy=consent\n");
	g_autofree gchar *origin = g_strdup_printf ("%s:8", path);
	const gchar *const *units;

	g_assert_true (otad_config_load_file (config, path, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (otad_config_get_string (config, "server", "url"), ==,
			 "https://gw.example.com:8443/");
	g_assert_cmpstr (otad_config_get_string (config, "server", "cert"), ==,
			 "pkcs11:token=otad;object=dev;type=cert");
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "interval-sec"), ==, 120);
	g_assert_false (otad_config_get_boolean (config, "polling", "enabled"));
	g_assert_cmpstr (otad_config_get_string (config, "update", "policy"), ==, "consent");
	g_assert_cmpstr (otad_config_get_origin (config, "polling", "interval-sec"), ==, origin);
	units = otad_config_get_string_list (config, "health", "units");
	g_assert_cmpuint (g_strv_length ((gchar **)units), ==, 2);
	g_assert_cmpstr (units[0], ==, "a.service");
	g_assert_cmpstr (units[1], ==, "b.target");
	/* untouched keys keep their defaults */
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "jitter-percent"), ==, 10);
}

static void
test_bad_values (Fixture *fx, gconstpointer data)
{
	assert_load_fails (fx, "[polling]\n\ninterval-sec=abc\n",
			   "3: [polling] interval-sec: \"abc\" is not a number");
	assert_load_fails (fx, "[polling]\ninterval-sec=-5\n",
			   "2: [polling] interval-sec: \"-5\" is not a number");
	assert_load_fails (fx, "[polling]\njitter-percent=101\n",
			   "2: [polling] jitter-percent: \"101\" is out of range (0 to 100)");
	assert_load_fails (fx, "[polling]\ninterval-sec=0\n",
			   "2: [polling] interval-sec: \"0\" is out of range (1 to 604800)");
	assert_load_fails (fx, "[polling]\ninterval-sec=99999999999999999999999\n",
			   "2: [polling] interval-sec: \"99999999999999999999999\" is out of "
			   "range (1 to 604800)");
	assert_load_fails (fx, "[polling]\nenabled=yes please\n",
			   "2: [polling] enabled: \"yes please\" is not a boolean (true or false)");
	assert_load_fails (fx, "[update]\npolicy=sometimes\n",
			   "2: [update] policy: \"sometimes\" is not one of: automatic, "
			   "download-only, consent, manual");
	assert_load_fails (fx, "[boot]\nbackend=lilo\n",
			   "2: [boot] backend: \"lilo\" is not one of: none, uboot, grub, "
			   "systemd-boot");
	assert_load_fails (fx, "[server]\nurl=ftp://example.com/\n",
			   "2: [server] url: \"ftp://example.com/\" is not an https:// or "
			   "http:// URL");
	assert_load_fails (fx, "[server]\nurl=not a url\n",
			   "2: [server] url: \"not a url\" is not a URL");
	assert_load_fails (fx, "[server]\nca-file=certs/ca.pem\n",
			   "2: [server] ca-file: \"certs/ca.pem\" is not an absolute path");
	assert_load_fails (fx, "[server]\nkey=dev.key\n",
			   "2: [server] key: \"dev.key\" is neither an absolute path nor a "
			   "pkcs11: URI");
	assert_load_fails (fx, "[device]\nhardware-id=my board\n",
			   "2: [device] hardware-id: \"my board\" contains spaces or non-ASCII "
			   "characters");
	assert_load_fails (fx, "[health]\nunits=a.service;../etc/passwd\n",
			   "2: [health] units: \"../etc/passwd\" is not a systemd unit name");
	assert_load_fails (fx, "[device]\ntag=a\\tb\n",
			   "2: [device] tag: value contains control characters");
}

static void
test_syntax_errors (Fixture *fx, gconstpointer data)
{
	assert_load_fails (fx, "[polling]\n# fine\nthis line is wrong\n",
			   "3: \"this line is wrong\" is not a [group], a key=value pair or a "
			   "# comment");
	assert_load_fails (fx, "interval-sec=5\n[polling]\n",
			   "1: interval-sec: key before the first [group]");
	assert_load_fails (fx, "[polling\ninterval-sec=5\n",
			   "1: \"[polling\" is not a [group], a key=value pair or a # comment");
	assert_load_fails (fx, "[poll]ing]\n",
			   "1: \"[poll]ing]\" is not a [group], a key=value pair or a # comment");
	assert_load_fails (fx, "[a[b]\n", "1: invalid group name \"[a[b]\"");
	assert_load_fails (fx, "[polling]\n=5\n", "2: line has no key before \"=\"");
	assert_load_fails (fx, "[server]\nurl[x=https://a/\n", "2: invalid key name \"url[x\"");
	assert_load_fails (fx, "[device]\n\ntag=a\\qb\n",
			   "3: [device] tag: \"a\\qb\" contains an invalid escape sequence");
	assert_load_fails (fx, "[health]\nunits=a.service;b\\x.service\n",
			   "2: [health] units: \"a.service;b\\x.service\" contains an invalid "
			   "escape sequence");
	assert_load_fails (fx, "[device]\ntag=\xff\xfe\n", "2: line is not valid UTF-8");
}

static void
test_unknown (Fixture *fx, gconstpointer data)
{
	/* a typo must not pass silently */
	assert_load_fails (fx, "[polling]\ninterval-sec=5\nintervall-sec=5\n",
			   "3: [polling] intervall-sec: unknown key");
	assert_load_fails (fx, "[server]\nurl[de]=https://a/\n",
			   "2: [server] url[de]: unknown key");
	assert_load_fails (fx, "[polling]\ninterval-sec=5\n\n[pollling]\ninterval-sec=5\n",
			   "4: [pollling]: unknown group");
}

/* a file edited on Windows works, and errors still name the right line */
static void
test_crlf (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;

	g_assert_true (otad_config_load_data (config, "dos.conf",
					      "[polling]\r\ninterval-sec=5\r\n[device]\r\ntag=x\r\n",
					      -1, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "interval-sec"), ==, 5);
	g_assert_cmpstr (otad_config_get_string (config, "device", "tag"), ==, "x");
	g_assert_false (otad_config_load_data (config, "dos.conf",
					       "[polling]\r\n\r\njitter-percent=abc\r\n", -1,
					       &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_cmpstr (error->message, ==,
			 "dos.conf:3: [polling] jitter-percent: \"abc\" is not a number");
}

static void
test_nul_byte (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	const gchar text[] = "[polling]\n\ninterval-sec=5\0\n";

	g_assert_false (
	    otad_config_load_data (config, "mem.conf", text, sizeof (text) - 1, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_cmpstr (error->message, ==, "mem.conf:3: line contains a NUL byte");
}

static void
test_failed_load_keeps_values (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;

	g_assert_true (otad_config_load_data (config, "a.conf", "[polling]\ninterval-sec=77\n", -1,
					      &error));
	g_assert_no_error (error);
	/* the good key before the bad one must not be applied either */
	g_assert_false (otad_config_load_data (config, "b.conf",
					       "[polling]\ninterval-sec=88\njitter-percent=x\n", -1,
					       &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "interval-sec"), ==, 77);
	g_assert_cmpstr (otad_config_get_origin (config, "polling", "interval-sec"), ==,
			 "a.conf:2");
}

static void
test_dropin_order (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *vendor = write_file (fx, "vendor/otad.conf",
					       "[update]\npolicy=manual\n[boot]\nbackend=grub\n");
	g_autofree gchar *main_file =
	    write_file (fx, "etc/otad.conf", "[polling]\ninterval-sec=100\njitter-percent=1\n"
					     "[update]\npolicy=consent\n");
	g_autofree gchar *d10 = write_file (fx, "etc/otad.conf.d/10-a.conf",
					    "[polling]\ninterval-sec=200\n");
	g_autofree gchar *d20 = write_file (fx, "etc/otad.conf.d/20-b.conf",
					    "[polling]\n\ninterval-sec=300\n");
	g_autofree gchar *d9 = write_file (fx, "etc/otad.conf.d/9-c.conf",
					   "[polling]\njitter-percent=9\n");
	g_autofree gchar *ignored = write_file (fx, "etc/otad.conf.d/99-z.conf.bak",
						"[polling]\ninterval-sec=nonsense\n");
	g_autofree gchar *hidden = write_file (fx, "etc/otad.conf.d/.00.conf", "garbage\n");
	g_autofree gchar *origin = g_strdup_printf ("%s:3", d20);

	g_assert_true (otad_config_load_default (config, main_file, vendor, TRUE, &error));
	g_assert_no_error (error);
	/* lexical order: 10-a < 20-b < 9-c */
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "interval-sec"), ==, 300);
	g_assert_cmpstr (otad_config_get_origin (config, "polling", "interval-sec"), ==, origin);
	g_assert_cmpuint (otad_config_get_uint (config, "polling", "jitter-percent"), ==, 9);
	/* the main file overrides the vendor file, which overrides the built-in default */
	g_assert_cmpstr (otad_config_get_string (config, "update", "policy"), ==, "consent");
	g_assert_cmpstr (otad_config_get_string (config, "boot", "backend"), ==, "grub");
}

static void
test_dropin_error_names_file (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *main_file = write_file (fx, "etc/otad.conf", "[polling]\n");
	g_autofree gchar *bad = write_file (fx, "etc/otad.conf.d/50-bad.conf",
					    "# x\n[tuf]\nmax-targets-size=big\n");
	g_autofree gchar *want =
	    g_strdup_printf ("%s:3: [tuf] max-targets-size: \"big\" is not a number", bad);

	g_assert_false (otad_config_load_default (config, main_file, NULL, TRUE, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_cmpstr (error->message, ==, want);
}

static void
test_missing (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename (fx->dir, "nope.conf", NULL);

	/* the default file may be missing: built-in defaults apply */
	g_assert_true (otad_config_load_default (config, path, NULL, FALSE, &error));
	g_assert_no_error (error);
	/* a file named on the command line must exist */
	g_assert_false (otad_config_load_default (config, path, NULL, TRUE, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	g_assert_nonnull (strstr (error->message, "nope.conf"));
}

static void
test_to_string_round_trip (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(OtadConfig) copy = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *text2 = NULL;

	g_assert_true (otad_config_load_data (config, "a.conf",
					      "[health]\nunits=x.service;y.service\n"
					      "[device]\nhardware-id=board-1\n",
					      -1, &error));
	g_assert_no_error (error);
	text = otad_config_to_string (config);
	g_assert_true (otad_config_load_data (copy, "dump.conf", text, -1, &error));
	g_assert_no_error (error);
	text2 = otad_config_to_string (copy);
	g_assert_cmpstr (text, ==, text2);
	g_assert_cmpstr (otad_config_get_string (copy, "device", "hardware-id"), ==, "board-1");
}

/* the shipped, documented data/otad.conf loads, and every commented-out key in it shows the
 * real built-in default: uncommenting them all changes nothing */
static void
test_shipped_config (Fixture *fx, gconstpointer data)
{
	g_autofree gchar *path =
	    g_test_build_filename (G_TEST_DIST, "..", "data", "otad.conf", NULL);
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(OtadConfig) uncommented = otad_config_new ();
	g_autoptr(OtadConfig) defaults = otad_config_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) text = g_string_new (NULL);
	g_autofree gchar *contents = NULL;
	g_auto(GStrv) lines = NULL;
	g_autofree gchar *want = NULL;
	g_autofree gchar *got = NULL;
	guint n_keys = 0;

	if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
		g_test_skip ("data/otad.conf is not in this tree");
		return;
	}
	g_assert_true (otad_config_load_file (config, path, &error));
	g_assert_no_error (error);

	g_file_get_contents (path, &contents, NULL, &error);
	g_assert_no_error (error);
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		/* "#key=value" is a disabled key, "# text" is prose */
		if (line[0] == '#' && g_ascii_isalpha (line[1]) && strchr (line, '=') != NULL &&
		    strchr (line, ' ') == NULL) {
			line++;
			n_keys++;
		}
		g_string_append_printf (text, "%s\n", line);
	}
	g_assert_cmpuint (n_keys, >, 20);
	g_assert_true (otad_config_load_data (uncommented, "uncommented", text->str, -1, &error));
	g_assert_no_error (error);
	want = otad_config_to_string (defaults);
	got = otad_config_to_string (uncommented);
	g_assert_cmpstr (got, ==, want);

	/* and every key otad knows is documented there */
	for (guint i = 0; i < otad_config_schema_n_keys (); i++) {
		const OtadConfigKey *item = otad_config_schema_get (i);
		if (!otad_config_is_set (uncommented, item->group, item->key))
			g_test_fail_printf ("[%s] %s is not documented in data/otad.conf",
					    item->group, item->key);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	(void)ota_error_quark ();

	g_test_add ("/otad/config/defaults", Fixture, NULL, fixture_setup, test_defaults,
		    fixture_teardown);
	g_test_add ("/otad/config/valid", Fixture, NULL, fixture_setup, test_valid,
		    fixture_teardown);
	g_test_add ("/otad/config/bad-values", Fixture, NULL, fixture_setup, test_bad_values,
		    fixture_teardown);
	g_test_add ("/otad/config/syntax-errors", Fixture, NULL, fixture_setup, test_syntax_errors,
		    fixture_teardown);
	g_test_add ("/otad/config/unknown", Fixture, NULL, fixture_setup, test_unknown,
		    fixture_teardown);
	g_test_add ("/otad/config/crlf", Fixture, NULL, fixture_setup, test_crlf,
		    fixture_teardown);
	g_test_add ("/otad/config/nul-byte", Fixture, NULL, fixture_setup, test_nul_byte,
		    fixture_teardown);
	g_test_add ("/otad/config/failed-load-keeps-values", Fixture, NULL, fixture_setup,
		    test_failed_load_keeps_values, fixture_teardown);
	g_test_add ("/otad/config/dropin-order", Fixture, NULL, fixture_setup, test_dropin_order,
		    fixture_teardown);
	g_test_add ("/otad/config/dropin-error-names-file", Fixture, NULL, fixture_setup,
		    test_dropin_error_names_file, fixture_teardown);
	g_test_add ("/otad/config/missing", Fixture, NULL, fixture_setup, test_missing,
		    fixture_teardown);
	g_test_add ("/otad/config/to-string-round-trip", Fixture, NULL, fixture_setup,
		    test_to_string_round_trip, fixture_teardown);
	g_test_add ("/otad/config/shipped-config", Fixture, NULL, fixture_setup,
		    test_shipped_config, fixture_teardown);
	return g_test_run ();
}
