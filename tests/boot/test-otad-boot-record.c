/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ota-error.h"
#include "otad-boot-record.h"
#include "otad-boot-test.h"
#include "otad-test-require.h"

#define COMMIT_A "95336131905d3995de8dd40eec70b1c4b231fecca046aa798a2dc85d398195a5"
#define COMMIT_B "b5cb3aa7aa44bfcd542223c50e94f28a043785f67abeeb5a978ca084d6f2b58d"

typedef struct {
	gchar *dir;
	gchar *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;

	f->dir = g_dir_make_tmp ("otad-record-XXXXXX", &error);
	g_assert_no_error (error);
	/* the state directory does not exist yet on a fresh device */
	f->path = g_build_filename (f->dir, "state", OTAD_BOOT_RECORD_FILENAME, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	otad_boot_test_rm_rf (f->dir);
	g_free (f->dir);
	g_free (f->path);
}

static OtadBootRecord *
reload (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootRecord) record = otad_boot_record_new (f->path);

	g_assert_true (otad_boot_record_load (record, &error));
	g_assert_no_error (error);
	return g_steal_pointer (&record);
}

static void
test_roundtrip (Fixture *f, gconstpointer data)
{
	g_autoptr (OtadBootRecord) record = reload (f);
	g_autoptr (OtadBootPending) pending = otad_boot_pending_new (COMMIT_B, COMMIT_A, "boot-1");
	g_autoptr (GError) error = NULL;
	const OtadBootPending *p;
	GPtrArray *history;

	g_assert_null (otad_boot_record_get_pending (record));
	pending->version = g_strdup ("2.0");
	pending->correlation_id = g_strdup ("urn:campaign:42");
	pending->target_name = g_strdup ("demo-2.0");
	g_assert_true (otad_boot_record_set_pending (record, pending, &error));
	g_assert_no_error (error);
	g_clear_object (&record);

	/* what a restart sees */
	record = reload (f);
	p = otad_boot_record_get_pending (record);
	g_assert_nonnull (p);
	g_assert_cmpstr (p->commit, ==, COMMIT_B);
	g_assert_cmpstr (p->previous_commit, ==, COMMIT_A);
	g_assert_cmpstr (p->boot_id, ==, "boot-1");
	g_assert_cmpstr (p->version, ==, "2.0");
	g_assert_cmpstr (p->correlation_id, ==, "urn:campaign:42");
	g_assert_cmpstr (p->target_name, ==, "demo-2.0");
	g_assert_cmpint (p->phase, ==, OTAD_BOOT_PHASE_INSTALLED);
	g_assert_false (p->reported);
	g_assert_cmpint (p->installed_at, >, 0);

	g_assert_true (
	    otad_boot_record_set_phase (record, OTAD_BOOT_PHASE_ROLLING_BACK, "bad", &error));
	g_assert_true (otad_boot_record_set_reported (record, &error));
	g_assert_true (otad_boot_record_count_reboot_request (record, &error));
	g_assert_true (otad_boot_record_count_reboot_request (record, &error));
	g_clear_object (&record);
	record = reload (f);
	p = otad_boot_record_get_pending (record);
	g_assert_cmpint (p->phase, ==, OTAD_BOOT_PHASE_ROLLING_BACK);
	g_assert_cmpstr (p->detail, ==, "bad");
	g_assert_true (p->reported);
	g_assert_cmpuint (p->reboot_requests, ==, 2);

	g_assert_true (otad_boot_record_finish_pending (
	    record, OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED, "check 10-x failed", &error));
	g_assert_no_error (error);
	g_clear_object (&record);
	record = reload (f);
	g_assert_null (otad_boot_record_get_pending (record));
	history = otad_boot_record_get_history (record);
	g_assert_cmpuint (history->len, ==, 1);
	{
		OtadBootHistoryEntry *e = g_ptr_array_index (history, 0);
		g_assert_cmpstr (e->commit, ==, COMMIT_B);
		g_assert_cmpstr (e->previous_commit, ==, COMMIT_A);
		g_assert_cmpstr (e->correlation_id, ==, "urn:campaign:42");
		g_assert_cmpint (e->outcome, ==, OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED);
		g_assert_cmpstr (e->detail, ==, "check 10-x failed");
	}

	/* nothing pending: phase changes are refused */
	g_assert_false (
	    otad_boot_record_set_phase (record, OTAD_BOOT_PHASE_CONFIRMED, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INTERNAL);
}

static void
test_bad_commits (Fixture *f, gconstpointer data)
{
	g_autoptr (OtadBootRecord) record = reload (f);
	g_autoptr (GError) error = NULL;

	g_assert_true (otad_boot_record_check_installable (record, COMMIT_B, &error));
	g_assert_true (otad_boot_record_mark_bad (record, COMMIT_B, "health check failed", &error));
	g_assert_no_error (error);
	g_clear_object (&record);
	record = reload (f);
	g_assert_true (otad_boot_record_is_bad (record, COMMIT_B));
	g_assert_false (otad_boot_record_is_bad (record, COMMIT_A));
	g_assert_cmpstr (otad_boot_record_get_bad_reason (record, COMMIT_B), ==,
	                 "health check failed");
	g_assert_false (otad_boot_record_check_installable (record, COMMIT_B, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NO_UPDATE);
	g_assert_nonnull (strstr (error->message, COMMIT_B));
	g_clear_error (&error);
	g_assert_true (otad_boot_record_check_installable (record, COMMIT_A, &error));

	/* only an explicit decision forgets it */
	g_assert_true (otad_boot_record_forget_bad (record, COMMIT_B, &error));
	g_clear_object (&record);
	record = reload (f);
	g_assert_false (otad_boot_record_is_bad (record, COMMIT_B));

	/* not a checksum */
	g_assert_false (otad_boot_record_mark_bad (record, "../../etc", "x", &error));
	g_assert_nonnull (error);
}

/* an unreadable record never leaves otad in error: it is moved aside and starts empty
 * (the engine rebuilds the pending install from the sysroot, see the engine tests) */
static void
test_corrupt (Fixture *f, gconstpointer data)
{
	g_autoptr (OtadBootRecord) record = reload (f);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *aside = g_strconcat (f->path, ".corrupt", NULL);
	const gchar *bad_files[] = {
	    "", /* a power cut after the rename, before the data reached the disk */
	    "{",
	    "[]",
	    "{\"version\": 2}",
	    "{\"version\": 1, \"pending\": {\"phase\": \"installed\"}}",
	    "{\"version\": 1, \"pending\": {\"commit\": \"abc\", \"phase\": \"installed\"}}",
	    "{\"version\": 1, \"pending\": {\"commit\": \"" COMMIT_A "\", \"phase\": \"odd\"}}",
	    "{\"version\": 1, \"bad-commits\": {\"xyz\": \"r\"}}",
	    "{\"version\": 1, \"history\": [{\"commit\": \"" COMMIT_A "\", \"outcome\": 3.5}]}",
	};

	g_assert_true (otad_boot_record_mark_bad (record, COMMIT_B, "r", &error));
	for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++) {
		g_assert_true (g_file_set_contents (f->path, bad_files[i], -1, NULL));
		g_test_expect_message ("OtadFile", G_LOG_LEVEL_WARNING, "*is unreadable*");
		g_test_expect_message ("OtadBootRecord", G_LOG_LEVEL_WARNING,
		                       "*rebuilt from the sysroot*");
		g_assert_true (otad_boot_record_load (record, &error));
		g_test_assert_expected_messages ();
		g_assert_no_error (error);
		g_assert_true (otad_boot_record_was_recovered (record));
		/* nothing half-loaded stays behind; the bad file is kept for a post-mortem */
		g_assert_false (otad_boot_record_is_bad (record, COMMIT_B));
		g_assert_null (otad_boot_record_get_pending (record));
		g_assert_true (g_file_test (aside, G_FILE_TEST_IS_REGULAR));
		g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
		/* and the next load is a plain empty record */
		g_assert_true (otad_boot_record_load (record, &error));
		g_assert_false (otad_boot_record_was_recovered (record));
	}
}

/* symlinks planted at the record or its temporary file are never followed */
static void
test_symlink_not_followed (Fixture *f, gconstpointer data)
{
	g_autoptr (OtadBootRecord) record = reload (f);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *outside = g_build_filename (f->dir, "outside", NULL);
	g_autofree gchar *tmp = g_strconcat (f->path, ".tmp", NULL);
	g_autofree gchar *contents = NULL;
	GStatBuf st;

	g_assert_true (otad_boot_record_mark_bad (record, COMMIT_B, "r", &error));
	g_assert_true (g_file_set_contents (outside, "outside", -1, NULL));
	g_assert_cmpint (g_unlink (f->path), ==, 0);
	g_assert_cmpint (symlink (outside, f->path), ==, 0);
	g_test_expect_message ("OtadFile", G_LOG_LEVEL_WARNING, "*symbolic link*");
	g_test_expect_message ("OtadBootRecord", G_LOG_LEVEL_WARNING, "*rebuilt*");
	g_assert_true (otad_boot_record_load (record, &error));
	g_test_assert_expected_messages ();

	g_assert_cmpint (symlink (outside, tmp), ==, 0);
	g_assert_cmpint (symlink (outside, f->path), ==, 0);
	g_assert_true (otad_boot_record_mark_bad (record, COMMIT_A, "r", &error));
	g_assert_no_error (error);
	g_assert_true (g_file_get_contents (outside, &contents, NULL, NULL));
	g_assert_cmpstr (contents, ==, "outside");
	g_assert_cmpint (g_lstat (f->path, &st), ==, 0);
	g_assert_true (S_ISREG (st.st_mode));
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);
	g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
	g_clear_object (&record);
	record = reload (f);
	g_assert_true (otad_boot_record_is_bad (record, COMMIT_A));
}

static void
test_history_bounded (Fixture *f, gconstpointer data)
{
	g_autoptr (OtadBootRecord) record = reload (f);
	g_autoptr (GError) error = NULL;

	for (guint i = 0; i < 130; i++) {
		g_autoptr (OtadBootPending) p = otad_boot_pending_new (COMMIT_B, COMMIT_A, "b");
		g_autofree gchar *detail = g_strdup_printf ("attempt %u", i);
		g_assert_true (otad_boot_record_set_pending (record, p, &error));
		g_assert_true (otad_boot_record_finish_pending (record, OTAD_BOOT_OUTCOME_SUCCESS,
		                                                detail, &error));
		g_assert_no_error (error);
	}
	g_clear_object (&record);
	record = reload (f);
	g_assert_cmpuint (otad_boot_record_get_history (record)->len, ==, 100);
	{
		OtadBootHistoryEntry *last =
		    g_ptr_array_index (otad_boot_record_get_history (record), 99);
		OtadBootHistoryEntry *first =
		    g_ptr_array_index (otad_boot_record_get_history (record), 0);
		g_assert_cmpstr (last->detail, ==, "attempt 129");
		g_assert_cmpstr (first->detail, ==, "attempt 30");
	}
}

static void
test_write_failure_keeps_disk_state (Fixture *f, gconstpointer data)
{
	g_autoptr (OtadBootRecord) record = reload (f);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *state = g_path_get_dirname (f->path);
	g_autofree gchar *moved = g_strdup_printf ("%s.moved", state);

	g_assert_true (otad_boot_record_mark_bad (record, COMMIT_A, "r", &error));
	g_assert_no_error (error);
	/* a file where the state directory should be: writing fails, even as root */
	g_assert_cmpint (g_rename (state, moved), ==, 0);
	g_assert_true (g_file_set_contents (state, "in the way", -1, NULL));
	g_assert_false (otad_boot_record_mark_bad (record, COMMIT_B, "r", &error));
	g_assert_nonnull (error);
	g_assert_nonnull (strstr (error->message, "boot record"));
	/* in memory it is what the disk holds again */
	g_assert_false (otad_boot_record_is_bad (record, COMMIT_B));
	g_assert_true (otad_boot_record_is_bad (record, COMMIT_A));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_require_program ("chattr", "e2fsprogs");
	g_test_add ("/otad/boot-record/roundtrip", Fixture, NULL, fixture_setup, test_roundtrip,
	            fixture_teardown);
	g_test_add ("/otad/boot-record/bad-commits", Fixture, NULL, fixture_setup, test_bad_commits,
	            fixture_teardown);
	g_test_add ("/otad/boot-record/symlink-not-followed", Fixture, NULL, fixture_setup,
	            test_symlink_not_followed, fixture_teardown);
	g_test_add ("/otad/boot-record/corrupt", Fixture, NULL, fixture_setup, test_corrupt,
	            fixture_teardown);
	g_test_add ("/otad/boot-record/history-bounded", Fixture, NULL, fixture_setup,
	            test_history_bounded, fixture_teardown);
	g_test_add ("/otad/boot-record/write-failure", Fixture, NULL, fixture_setup,
	            test_write_failure_keeps_disk_state, fixture_teardown);
	return g_test_run ();
}
