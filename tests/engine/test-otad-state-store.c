/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ota-error.h"
#include "otad-state-store.h"
#include "otad-test-sysroot.h"
#include "otad-test-require.h"

typedef struct {
	gchar *tmpdir;	  /* (owned) */
	gchar *state_dir; /* (owned): not created, the store must do it */
	gchar *path;	  /* (owned) */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->tmpdir = g_dir_make_tmp ("otad-test-store-XXXXXX", &error);
	g_assert_no_error (error);
	fx->state_dir = g_build_filename (fx->tmpdir, "var", "lib", "otad", NULL);
	fx->path = g_build_filename (fx->state_dir, "state.json", NULL);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	(void)otad_test_sysroot_run (&error, NULL, "chattr", "-R", "-i", fx->tmpdir, NULL);
	g_clear_error (&error);
	g_assert_true (otad_test_sysroot_run (&error, NULL, "chmod", "-R", "u+rwx", fx->tmpdir,
					      NULL));
	g_assert_true (otad_test_sysroot_run (&error, NULL, "rm", "-rf", fx->tmpdir, NULL));
	g_free (fx->tmpdir);
	g_free (fx->state_dir);
	g_free (fx->path);
}

static void
changed_cb (OtadStateStore *store, gpointer user_data)
{
	guint *count = user_data;
	(*count)++;
}

static void
test_defaults (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) store = otad_state_store_new (fx->state_dir, &error);
	GStatBuf st;

	g_assert_no_error (error);
	g_assert_nonnull (store);
	g_assert_cmpint (g_stat (fx->state_dir, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0700);
	g_assert_cmpint (otad_state_store_get_state (store), ==, OTA_STATE_IDLE);
	g_assert_cmpuint (otad_state_store_get_last_check_time (store), ==, 0);
	g_assert_cmpstr (otad_state_store_get_error_name (store), ==, "");
	g_assert_cmpstr (otad_state_store_get_error_message (store), ==, "");
	g_assert_cmpstr (otad_state_store_get_path (store), ==, fx->path);
	/* nothing is written until something is saved */
	g_assert_false (g_file_test (fx->path, G_FILE_TEST_EXISTS));
}

static void
test_round_trip (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) store = otad_state_store_new (fx->state_dir, &error);
	g_autoptr(OtadStateStore) store2 = NULL;
	g_autoptr(JsonNode) target = json_from_string ("{\"name\": \"fw-2.0\", \"length\": 0}",
						       &error);
	JsonNode *field;
	guint changed = 0;
	GStatBuf st;

	g_assert_no_error (error);
	g_signal_connect (store, "changed", G_CALLBACK (changed_cb), &changed);
	otad_state_store_set_state (store, OTA_STATE_PENDING_REBOOT);
	otad_state_store_set_last_check_time (store, 1764000000);
	otad_state_store_set_error (store, "org.otad.Updater1.Error.Network", "no route: \"x\"");
	otad_state_store_set_field (store, "update-target", target);
	g_assert_cmpuint (changed, ==, 0);
	g_assert_true (otad_state_store_save (store, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (changed, ==, 1);
	g_assert_cmpint (g_stat (fx->path, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);

	store2 = otad_state_store_new (fx->state_dir, &error);
	g_assert_no_error (error);
	g_assert_cmpint (otad_state_store_get_state (store2), ==, OTA_STATE_PENDING_REBOOT);
	g_assert_cmpuint (otad_state_store_get_last_check_time (store2), ==, 1764000000);
	g_assert_cmpstr (otad_state_store_get_error_name (store2), ==,
			 "org.otad.Updater1.Error.Network");
	g_assert_cmpstr (otad_state_store_get_error_message (store2), ==, "no route: \"x\"");
	field = otad_state_store_get_field (store2, "update-target");
	g_assert_nonnull (field);
	g_assert_true (json_node_equal (field, target));
	g_assert_null (otad_state_store_get_field (store2, "nope"));

	/* removing a field persists too */
	otad_state_store_set_field (store2, "update-target", NULL);
	g_assert_true (otad_state_store_save (store2, &error));
	g_assert_no_error (error);
	g_clear_object (&store);
	store = otad_state_store_new (fx->state_dir, &error);
	g_assert_null (otad_state_store_get_field (store, "update-target"));
	g_assert_cmpint (otad_state_store_get_state (store), ==, OTA_STATE_PENDING_REBOOT);
}

/* fields written by a newer otad survive a save by this one */
static void
test_unknown_fields_kept (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) store = NULL;
	g_autofree gchar *contents = NULL;

	g_assert_cmpint (g_mkdir_with_parents (fx->state_dir, 0700), ==, 0);
	g_file_set_contents (fx->path,
			     "{\"version\": 2, \"state\": \"downloaded\", \"future\": [1, 2]}", -1,
			     &error);
	g_assert_no_error (error);
	store = otad_state_store_new (fx->state_dir, &error);
	g_assert_no_error (error);
	g_assert_cmpint (otad_state_store_get_state (store), ==, OTA_STATE_DOWNLOADED);
	otad_state_store_set_state (store, OTA_STATE_INSTALLING);
	g_assert_true (otad_state_store_save (store, &error));
	g_assert_no_error (error);
	g_file_get_contents (fx->path, &contents, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (strstr (contents, "\"future\""));
	g_assert_nonnull (strstr (contents, "\"installing\""));
}

static void
assert_corrupt_gives_defaults (Fixture *fx, const gchar *contents, const gchar *why)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) store = NULL;
	g_autofree gchar *aside = g_strconcat (fx->path, ".corrupt", NULL);
	g_autofree gchar *pattern = g_strdup_printf ("*state.json is unreadable (%s*", why);

	g_assert_cmpint (g_mkdir_with_parents (fx->state_dir, 0700), ==, 0);
	(void)g_unlink (aside);
	(void)g_unlink (fx->path);
	g_file_set_contents (fx->path, contents, -1, &error);
	g_assert_no_error (error);
	g_test_expect_message ("OtadFile", G_LOG_LEVEL_WARNING, pattern);
	store = otad_state_store_new (fx->state_dir, &error);
	g_test_assert_expected_messages ();
	g_assert_no_error (error);
	g_assert_nonnull (store);
	g_assert_true (otad_state_store_was_recovered (store));
	g_assert_cmpint (otad_state_store_get_state (store), ==, OTA_STATE_IDLE);
	g_assert_cmpuint (otad_state_store_get_last_check_time (store), ==, 0);
	/* the bad file is kept for a post-mortem, and a save works again */
	g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
	g_assert_true (otad_state_store_save (store, &error));
	g_assert_no_error (error);
}

static void
test_corrupt (Fixture *fx, gconstpointer data)
{
	assert_corrupt_gives_defaults (fx, "{\"state\": \"downl", "");
	/* a power cut after the rename, before the data reached the disk */
	assert_corrupt_gives_defaults (fx, "", "empty");
	assert_corrupt_gives_defaults (fx, "[1, 2, 3]", "not a JSON object");
	assert_corrupt_gives_defaults (fx, "\xff\xfe\x00garbage", "");
}

/* symlinks planted at the state file or its temporary file are never followed */
static void
test_symlink_not_followed (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) store = NULL;
	g_autofree gchar *outside = g_build_filename (fx->tmpdir, "outside", NULL);
	g_autofree gchar *tmp = g_strconcat (fx->path, ".tmp", NULL);
	g_autofree gchar *contents = NULL;
	GStatBuf st;

	g_assert_cmpint (g_mkdir_with_parents (fx->state_dir, 0700), ==, 0);
	g_assert_true (g_file_set_contents (outside, "{\"state\": \"downloading\"}", -1, NULL));
	g_assert_cmpint (symlink (outside, fx->path), ==, 0);
	g_test_expect_message ("OtadFile", G_LOG_LEVEL_WARNING,
			       "*state.json is unreadable (*symbolic link*");
	store = otad_state_store_new (fx->state_dir, &error);
	g_test_assert_expected_messages ();
	g_assert_no_error (error);
	/* what the link pointed at was not taken for our state */
	g_assert_cmpint (otad_state_store_get_state (store), ==, OTA_STATE_IDLE);

	g_assert_cmpint (symlink (outside, tmp), ==, 0);
	g_assert_cmpint (symlink (outside, fx->path), ==, 0);
	otad_state_store_set_state (store, OTA_STATE_CHECKING);
	g_assert_true (otad_state_store_save (store, &error));
	g_assert_no_error (error);
	/* the outside file is untouched; state.json is our own regular file */
	g_assert_true (g_file_get_contents (outside, &contents, NULL, NULL));
	g_assert_cmpstr (contents, ==, "{\"state\": \"downloading\"}");
	g_assert_cmpint (g_lstat (fx->path, &st), ==, 0);
	g_assert_true (S_ISREG (st.st_mode));
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);
	g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
}

/* a member of the wrong type (or an unknown state, or a version otad never wrote) makes the
 * whole file corrupt: it was not written by otad, so none of it is trusted; it is moved
 * aside, the defaults are used and the engine rebuilds from the sysroot */
static void
test_bad_fields (Fixture *fx, gconstpointer data)
{
	const gchar *bad[] = {
	    "{\"state\": \"sleeping\", \"error-message\": \"not kept\"}",
	    "{\"version\": \"1\", \"state\": \"checking\"}",
	    "{\"version\": 0, \"state\": \"checking\"}",
	    "{\"state\": 5}",
	    "{\"state\": \"checking\", \"last-check-time\": \"yesterday\"}",
	    "{\"state\": \"checking\", \"error-name\": [\"x\"]}",
	    "{\"state\": \"checking\", \"error-message\": {}}",
	    "[\"checking\"]",
	};

	g_assert_cmpint (g_mkdir_with_parents (fx->state_dir, 0700), ==, 0);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OtadStateStore) store = NULL;
		g_autofree gchar *aside = g_strconcat (fx->path, ".corrupt", NULL);

		g_test_message ("%s", bad[i]);
		(void)g_unlink (aside);
		g_file_set_contents (fx->path, bad[i], -1, &error);
		g_assert_no_error (error);
		g_test_expect_message ("OtadFile", G_LOG_LEVEL_WARNING, "*unreadable*");
		store = otad_state_store_new (fx->state_dir, &error);
		g_test_assert_expected_messages ();
		g_assert_no_error (error);
		g_assert_cmpint (otad_state_store_get_state (store), ==, OTA_STATE_IDLE);
		g_assert_cmpuint (otad_state_store_get_last_check_time (store), ==, 0);
		g_assert_cmpstr (otad_state_store_get_error_name (store), ==, "");
		g_assert_cmpstr (otad_state_store_get_error_message (store), ==, "");
		g_assert_true (otad_state_store_was_recovered (store));
		g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
		g_assert_false (g_file_test (fx->path, G_FILE_TEST_EXISTS));
	}
}

/* makes @dir refuse new files, even for root (immutable bit) where we may set it */
static gboolean
make_dir_readonly (const gchar *dir, gboolean readonly)
{
	g_autoptr(GError) error = NULL;

	if (otad_test_sysroot_run (&error, NULL, "chattr", readonly ? "+i" : "-i", dir, NULL))
		return TRUE;
	if (geteuid () == 0)
		return FALSE;
	return g_chmod (dir, readonly ? 0500 : 0700) == 0;
}

/* saves replace the file (temp file + rename); a failed save leaves the previous file
 * intact and announces nothing */
static void
test_atomic_write (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) store = otad_state_store_new (fx->state_dir, &error);
	g_autoptr(OtadStateStore) reread = NULL;
	g_autoptr(GDir) dir = NULL;
	guint changed = 0;
	const gchar *name;
	GStatBuf st1, st2;

	g_assert_no_error (error);
	otad_state_store_set_state (store, OTA_STATE_DOWNLOADED);
	g_assert_true (otad_state_store_save (store, &error));
	g_assert_no_error (error);
	g_assert_cmpint (g_stat (fx->path, &st1), ==, 0);
	otad_state_store_set_last_check_time (store, 42);
	g_assert_true (otad_state_store_save (store, &error));
	g_assert_no_error (error);
	g_assert_cmpint (g_stat (fx->path, &st2), ==, 0);
	g_assert_cmpuint (st1.st_ino, !=, st2.st_ino);

	/* no temp files are left behind by successful saves */
	dir = g_dir_open (fx->state_dir, 0, &error);
	g_assert_no_error (error);
	while ((name = g_dir_read_name (dir)) != NULL)
		g_assert_cmpstr (name, ==, "state.json");

	if (!make_dir_readonly (fx->state_dir, TRUE)) {
		g_test_skip ("cannot make a directory read-only here");
		return;
	}
	g_signal_connect (store, "changed", G_CALLBACK (changed_cb), &changed);
	otad_state_store_set_state (store, OTA_STATE_INSTALLING);
	g_assert_false (otad_state_store_save (store, &error));
	g_assert_nonnull (error);
	g_assert_nonnull (strstr (error->message, "failed to save state"));
	g_clear_error (&error);
	g_assert_cmpuint (changed, ==, 0);
	g_assert_true (make_dir_readonly (fx->state_dir, FALSE));

	reread = otad_state_store_new (fx->state_dir, &error);
	g_assert_no_error (error);
	g_assert_cmpint (otad_state_store_get_state (reread), ==, OTA_STATE_DOWNLOADED);
	g_assert_cmpuint (otad_state_store_get_last_check_time (reread), ==, 42);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_require_program ("chattr", "e2fsprogs");
	(void)ota_error_quark ();

	g_test_add ("/otad/state-store/defaults", Fixture, NULL, fixture_setup, test_defaults,
		    fixture_teardown);
	g_test_add ("/otad/state-store/round-trip", Fixture, NULL, fixture_setup, test_round_trip,
		    fixture_teardown);
	g_test_add ("/otad/state-store/unknown-fields-kept", Fixture, NULL, fixture_setup,
		    test_unknown_fields_kept, fixture_teardown);
	g_test_add ("/otad/state-store/symlink-not-followed", Fixture, NULL, fixture_setup,
		    test_symlink_not_followed, fixture_teardown);
	g_test_add ("/otad/state-store/corrupt", Fixture, NULL, fixture_setup, test_corrupt,
		    fixture_teardown);
	g_test_add ("/otad/state-store/bad-fields", Fixture, NULL, fixture_setup, test_bad_fields,
		    fixture_teardown);
	g_test_add ("/otad/state-store/atomic-write", Fixture, NULL, fixture_setup,
		    test_atomic_write, fixture_teardown);
	return g_test_run ();
}
