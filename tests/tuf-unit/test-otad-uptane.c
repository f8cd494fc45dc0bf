/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Uptane cross-checks over repositories written by the independent Python signer */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "otad-tuf-error.h"
#include "otad-uptane.h"
#include "otad-test-require.h"

typedef struct {
	gchar *tmp;
	gchar *server; /* (owned) tufgen's output: director/ and repo/ */
	gboolean ok;
} Fixture;

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
	const gchar *dialect = data;
	g_autofree gchar *tufgen =
	    g_test_build_filename (G_TEST_DIST, "..", "tuf", "tufgen.py", NULL);
	g_autofree gchar *payload = NULL;
	g_autofree gchar *target_arg = NULL;
	g_autoptr (GError) error = NULL;
	gint status = 0;

	fx->tmp = g_dir_make_tmp ("otad-uptane-XXXXXX", NULL);
	fx->server = g_build_filename (fx->tmp, "server", NULL);
	payload = g_build_filename (fx->tmp, "fw.bin", NULL);
	g_assert_true (g_file_set_contents (payload, "firmware v2\n", -1, NULL));
	target_arg = g_strdup_printf ("fw-2.bin=%s", payload);
	if (!g_file_test (tufgen, G_FILE_TEST_EXISTS) ||
	    !g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
		return;
	{
		const gchar *argv[] = {"/usr/bin/python3",
		                       tufgen,
		                       "uptane",
		                       fx->server,
		                       "--dialect",
		                       dialect,
		                       "--ecu",
		                       "ecu-1",
		                       "--hardware-id",
		                       "board-a",
		                       "--target",
		                       target_arg,
		                       NULL};
		g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
		              &status, &error);
	}
	g_assert_no_error (error);
	g_assert_true (g_spawn_check_wait_status (status, NULL));
	fx->ok = TRUE;
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
	g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", fx->tmp);
	g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
	g_free (fx->tmp);
	g_free (fx->server);
}

static void
repos_new (Fixture *fx, const gchar *meta_name, OtadTufRepo **director, OtadTufRepo **image)
{
	g_autofree gchar *ddir = g_build_filename (fx->server, "director", NULL);
	g_autofree gchar *idir = g_build_filename (fx->server, "repo", NULL);
	g_autofree gchar *dmeta = g_build_filename (fx->tmp, meta_name, "director", NULL);
	g_autofree gchar *imeta = g_build_filename (fx->tmp, meta_name, "image", NULL);
	g_autoptr (OtadTufFetcher) df = otad_tuf_fetcher_new_for_directory (ddir);
	g_autoptr (OtadTufFetcher) imf = otad_tuf_fetcher_new_for_directory (idir);
	*director = otad_tuf_repo_new ("director", dmeta, df);
	*image = otad_tuf_repo_new ("image-repo", imeta, imf);
}

static GHashTable *
ecus_new (const gchar *serial, const gchar *hwid)
{
	GHashTable *ecus = g_hash_table_new (g_str_hash, g_str_equal);
	g_hash_table_insert (ecus, (gpointer)serial, (gpointer)hwid);
	return ecus;
}

static void
test_uptane_cycle (Fixture *fx, gconstpointer data)
{
	g_autoptr (OtadTufRepo) director = NULL;
	g_autoptr (OtadTufRepo) image = NULL;
	g_autoptr (GHashTable) ecus = ecus_new ("ecu-1", "board-a");
	g_autoptr (GPtrArray) targets = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (OtadTufFetcher) fetcher = NULL;
	g_autofree gchar *idir = NULL;
	OtadUptaneTarget *target;

	if (!fx->ok) {
		g_test_skip ("no Python signer");
		return;
	}
	repos_new (fx, "meta", &director, &image);
	/* no root, no TOFU: refused */
	g_assert_false (otad_uptane_ensure_root (director, "director", NULL, FALSE, NULL, &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NO_TRUSTED_ROOT);
	g_clear_error (&error);
	g_assert_true (otad_uptane_ensure_root (director, "director", NULL, TRUE, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (otad_uptane_ensure_root (image, "repo", NULL, TRUE, NULL, &error));
	g_assert_no_error (error);
	targets = otad_uptane_check (director, image, ecus, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (targets);
	g_assert_cmpuint (targets->len, ==, 1);
	target = g_ptr_array_index (targets, 0);
	g_assert_cmpstr (target->name, ==, "fw-2.bin");
	g_assert_cmpstr (target->ecu_serial, ==, "ecu-1");
	g_assert_cmpint (target->info.length, ==, strlen ("firmware v2\n"));
	g_assert_null (otad_uptane_target_get_ostree_commit (&target->info)); /* BINARY */
	idir = g_build_filename (fx->server, "repo", NULL);
	fetcher = otad_tuf_fetcher_new_for_directory (idir);
	bytes = otad_tuf_fetch_target (fetcher, "targets/fw-2.bin", &target->info, "fw-2.bin", NULL,
	                               &error);
	g_assert_no_error (error);
	g_assert_nonnull (bytes);
}

static void
test_uptane_refusals (Fixture *fx, gconstpointer data)
{
	const struct {
		const gchar *serial;
		const gchar *hwid;
		gint code;
	} cases[] = {
	    {"ecu-other", "board-a", OTAD_TUF_ERROR_ECU_MISMATCH},
	    {"ecu-1", "board-b", OTAD_TUF_ERROR_HARDWARE_MISMATCH},
	};
	if (!fx->ok) {
		g_test_skip ("no Python signer");
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (OtadTufRepo) director = NULL;
		g_autoptr (OtadTufRepo) image = NULL;
		g_autoptr (GHashTable) ecus = ecus_new (cases[i].serial, cases[i].hwid);
		g_autoptr (GPtrArray) targets = NULL;
		g_autoptr (GError) error = NULL;
		g_autofree gchar *meta = g_strdup_printf ("meta-%u", i);
		g_autofree gchar *written = NULL;

		repos_new (fx, meta, &director, &image);
		g_assert_true (
		    otad_uptane_ensure_root (director, "director", NULL, TRUE, NULL, NULL));
		g_assert_true (otad_uptane_ensure_root (image, "repo", NULL, TRUE, NULL, NULL));
		targets = otad_uptane_check (director, image, ecus, NULL, &error);
		g_assert_null (targets);
		g_test_message ("%s", error->message);
		g_assert_error (error, OTAD_TUF_ERROR, cases[i].code);
		/* nothing trusted was written */
		written = g_build_filename (fx->tmp, meta, "director", "targets.json", NULL);
		g_assert_false (g_file_test (written, G_FILE_TEST_EXISTS));
	}
}

/* a root shipped in the image wins over trust-on-first-use */
static void
test_uptane_provisioned_root (Fixture *fx, gconstpointer data)
{
	g_autoptr (OtadTufRepo) director = NULL;
	g_autoptr (OtadTufRepo) image = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *vendor = NULL;
	g_autofree gchar *vdir = NULL;
	g_autofree gchar *src = NULL;
	g_autofree gchar *dst = NULL;
	g_autofree gchar *contents = NULL;
	g_autofree gchar *other = NULL;
	const gchar *dirs[2] = {NULL, NULL};
	gsize len = 0;

	if (!fx->ok) {
		g_test_skip ("no Python signer");
		return;
	}
	vendor = g_build_filename (fx->tmp, "vendor", NULL);
	vdir = g_build_filename (vendor, "director", NULL);
	g_assert_cmpint (g_mkdir_with_parents (vdir, 0755), ==, 0);
	/* the image repo's root as the director's provisioned root: the director's own
	 * metadata must then be refused, which proves the provisioned root was used */
	src = g_build_filename (fx->server, "repo", "1.root.json", NULL);
	dst = g_build_filename (vdir, "root.json", NULL);
	g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
	g_assert_true (g_file_set_contents (dst, contents, len, NULL));
	dirs[0] = vendor;
	repos_new (fx, "meta-prov", &director, &image);
	g_assert_true (otad_uptane_ensure_root (director, "director", dirs, TRUE, NULL, &error));
	g_assert_no_error (error);
	g_assert_false (otad_tuf_repo_refresh (director, OTAD_TUF_REFRESH_FLAG_OPTIONAL_SNAPSHOT,
	                                       NULL, NULL, &error));
	g_assert_nonnull (error);
	g_assert_true (error->code == OTAD_TUF_ERROR_THRESHOLD ||
	               error->code == OTAD_TUF_ERROR_BAD_SIGNATURE);
	other = g_build_filename (fx->tmp, "meta-prov", "director", "root.json", NULL);
	g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
}

/* aktualizr-lite: newest matching target of the Image repo alone */
static void
test_uptane_lite (Fixture *fx, gconstpointer data)
{
	g_autofree gchar *tufdir = g_test_build_filename (G_TEST_DIST, "..", "tuf", NULL);
	g_autofree gchar *repo_dir = g_build_filename (fx->tmp, "lite", NULL);
	g_autofree gchar *meta = g_build_filename (fx->tmp, "lite-meta", NULL);
	const gchar *script = "import sys\n"
	                      "sys.path.insert(0, sys.argv[2])\n"
	                      "import tufgen\n"
	                      "r = tufgen.Repo(sys.argv[1], 'ota')\n"
	                      "for name, hw, ver, tags in [('a-9', 'board-a', '9', ['prod']),\n"
	                      "                            ('a-10', 'board-a', '10', ['prod']),\n"
	                      "                            ('a-11', 'board-a', '11', ['devel']),\n"
	                      "                            ('b-99', 'board-b', '99', ['prod']),\n"
	                      "                            ('os-1', 'board-z', '1', [])]:\n"
	                      "    fmt = 'OSTREE' if name.startswith('os') else 'BINARY'\n"
	                      "    c = tufgen.image_custom([hw], version=ver, name=name,\n"
	                      "                            target_format=fmt)\n"
	                      "    c['tags'] = tags\n"
	                      "    r.add_target(name, name.encode(), custom=c)\n"
	                      "r.publish()\n";
	g_autoptr (OtadTufFetcher) fetcher = NULL;
	g_autoptr (OtadTufRepo) image = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *prod = NULL;
	g_autofree gchar *any = NULL;
	g_autofree gchar *none = NULL;
	OtadTufTargetInfo info = {0};
	gint status = 0;

	if (!fx->ok) {
		g_test_skip ("no Python signer");
		return;
	}
	{
		const gchar *argv[] = {"/usr/bin/python3", "-c", script, repo_dir, tufdir, NULL};
		g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
		              &status, &error);
		g_assert_no_error (error);
		g_assert_true (g_spawn_check_wait_status (status, NULL));
	}
	fetcher = otad_tuf_fetcher_new_for_directory (repo_dir);
	image = otad_tuf_repo_new ("image-repo", meta, fetcher);
	g_assert_true (otad_uptane_ensure_root (image, "repo", NULL, TRUE, NULL, &error));
	g_assert_true (
	    otad_tuf_repo_refresh (image, OTAD_TUF_REFRESH_FLAG_NONE, NULL, NULL, &error));
	g_assert_no_error (error);
	prod = otad_uptane_lite_select (image, "board-a", "prod", &info, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (prod, ==, "a-10"); /* 10 > 9 as numbers; a-11 is devel */
	g_assert_cmpint (info.length, ==, 4);
	any = otad_uptane_lite_select (image, "board-a", NULL, NULL, &error);
	g_assert_cmpstr (any, ==, "a-11");
	{
		g_autofree gchar *os =
		    otad_uptane_lite_select (image, "board-z", NULL, &info, &error);
		g_autofree gchar *commit = otad_uptane_target_get_ostree_commit (&info);
		g_autofree gchar *expected =
		    g_compute_checksum_for_string (G_CHECKSUM_SHA256, "os-1", -1);
		g_assert_no_error (error);
		g_assert_cmpstr (os, ==, "os-1");
		g_assert_cmpstr (commit, ==, expected);
	}
	none = otad_uptane_lite_select (image, "board-c", NULL, NULL, &error);
	g_assert_null (none);
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_TARGET);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the independent Python signer (tests/tuf/tufgen.py) makes the fixtures: without it
	 * these tests would skip, so a missing module fails them with one line instead */
	otad_test_require_python_module ("securesystemslib", "python3-securesystemslib");
	otad_test_require_python_module ("cryptography", "python3-cryptography");
	g_test_add ("/uptane/ota/cycle", Fixture, "ota", fixture_set_up, test_uptane_cycle,
	            fixture_tear_down);
	g_test_add ("/uptane/tuf/cycle", Fixture, "tuf", fixture_set_up, test_uptane_cycle,
	            fixture_tear_down);
	g_test_add ("/uptane/ota/refusals", Fixture, "ota", fixture_set_up, test_uptane_refusals,
	            fixture_tear_down);
	g_test_add ("/uptane/ota/provisioned-root", Fixture, "ota", fixture_set_up,
	            test_uptane_provisioned_root, fixture_tear_down);
	g_test_add ("/uptane/lite", Fixture, "ota", fixture_set_up, test_uptane_lite,
	            fixture_tear_down);
	return g_test_run ();
}
