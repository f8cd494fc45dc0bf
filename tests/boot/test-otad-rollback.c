/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"
#include "otad-booted.h"
#include "otad-bootloaders.h"
#include "otad-deploy.h"
#include "otad-rollback.h"
#include "otad-boot-test.h"
#include "otad-test-require.h"
#include "otad-test-sysroot.h"

typedef struct {
	OtadBootTestSysroot *ts;
	OstreeSysroot *sysroot; /* opened and locked as the engine does */
	gchar *fw_env_config;
	OtadBootloader *bootloader;
	OtadBootRecord *record;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *record_path = NULL;
	OtadBootloaderOptions options = {.backend = "uboot"};

	f->ts = otad_boot_test_sysroot_new ();
	otad_boot_test_sysroot_deploy (f->ts, f->ts->commit_a);
	otad_boot_test_sysroot_deploy (f->ts, f->ts->commit_b);
	f->fw_env_config = otad_boot_test_uboot_env_new (f->ts->dir);
	options.fw_env_config = f->fw_env_config;
	f->bootloader = otad_bootloaders_new (&options, &error);
	g_assert_no_error (error);
	record_path = g_build_filename (f->ts->dir, "state", "boot-record.json", NULL);
	f->record = otad_boot_record_new (record_path);
	g_assert_true (otad_boot_record_load (f->record, &error));
	g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	g_clear_object (&f->record);
	g_clear_object (&f->bootloader);
	g_clear_object (&f->sysroot);
	g_free (f->fw_env_config);
	otad_boot_test_sysroot_free (f->ts);
}

/* otad started with `--test-booted-deployment=COMMIT.0` on the test sysroot */
static OstreeDeployment *
booted (Fixture *f, const gchar *commit)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *spec = g_strdup_printf ("%s.0", commit);
	OtadDeployOptions options = {.sysroot_path = f->ts->sysroot, .test_booted = spec};
	OstreeDeployment *d;

	g_clear_object (&f->sysroot);
	f->sysroot = otad_deploy_open_sysroot (&options, TRUE, NULL, &error);
	g_assert_no_error (error);
	d = otad_booted_get_deployment (f->sysroot, spec, &error);
	g_assert_no_error (error);
	g_assert_nonnull (d);
	g_assert_cmpstr (ostree_deployment_get_csum (d), ==, commit);
	return d;
}

static void
test_drop_pending (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OstreeDeployment) a = booted (f, f->ts->commit_a);
	g_autoptr (OtadBootPending) pending =
	    otad_boot_pending_new (f->ts->commit_b, f->ts->commit_a, "boot-1");
	g_autoptr (OtadRollbackResult) result = NULL;
	g_autofree gchar *layout = NULL;
	g_autofree gchar *upgrade = NULL;
	GPtrArray *history;

	/* B installed and armed, A running */
	g_assert_true (otad_boot_record_set_pending (f->record, pending, &error));
	g_assert_true (otad_bootloader_mark_trial_boot (f->bootloader, NULL, NULL, &error));
	g_assert_no_error (error);
	layout = otad_boot_test_sysroot_describe (f->ts);
	g_assert_cmpstr (layout, ==, "B A");

	result = otad_rollback_run (f->sysroot, a, f->bootloader, f->record, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (result);
	g_assert_cmpint (result->kind, ==, OTAD_ROLLBACK_DROPPED_PENDING);
	g_assert_cmpstr (result->from_commit, ==, f->ts->commit_b);
	g_assert_cmpstr (result->to_commit, ==, f->ts->commit_a);
	g_assert_false (result->reboot_required);

	g_free (layout);
	layout = otad_boot_test_sysroot_describe (f->ts);
	g_assert_cmpstr (layout, ==, "A");
	upgrade = otad_boot_test_uboot_get (f->fw_env_config, "upgrade_available");
	g_assert_cmpstr (upgrade, ==, "0");
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
	g_assert_null (otad_boot_record_get_pending (f->record));
	history = otad_boot_record_get_history (f->record);
	g_assert_cmpuint (history->len, ==, 1);
	g_assert_cmpint (((OtadBootHistoryEntry *)g_ptr_array_index (history, 0))->outcome, ==,
	                 OTAD_BOOT_OUTCOME_MANUAL_ROLLBACK);

	/* nothing left to roll back to */
	g_clear_pointer (&result, otad_rollback_result_free);
	result = otad_rollback_run (f->sysroot, a, f->bootloader, f->record, NULL, &error);
	g_assert_null (result);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
}

static void
test_to_previous (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OstreeDeployment) b = booted (f, f->ts->commit_b);
	g_autoptr (OtadRollbackResult) result = NULL;
	g_autofree gchar *layout = NULL;

	result = otad_rollback_run (f->sysroot, b, f->bootloader, f->record, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->kind, ==, OTAD_ROLLBACK_TO_PREVIOUS);
	g_assert_cmpstr (result->from_commit, ==, f->ts->commit_b);
	g_assert_cmpstr (result->to_commit, ==, f->ts->commit_a);
	g_assert_true (result->reboot_required);
	/* A boots next; B stays as the way back until it is cleaned up */
	layout = otad_boot_test_sysroot_describe (f->ts);
	g_assert_cmpstr (layout, ==, "A B");
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
	g_assert_false (otad_boot_record_is_bad (f->record, f->ts->commit_a));
}

static void
test_booted_override (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GFile) root = g_file_new_for_path ("/");
	g_autoptr (OstreeSysroot) real = ostree_sysroot_new (root);
	g_autoptr (OstreeDeployment) d = NULL;
	g_autofree gchar *spec = g_strdup_printf ("%s.0", f->ts->commit_a);
	g_autofree gchar *commit = NULL;
	gint serial = 0;
	g_autoptr (OstreeDeployment) a = booted (f, f->ts->commit_a);

	/* never on the real root */
	d = otad_booted_get_deployment (real, spec, &error);
	g_assert_null (d);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	/* without an override a test sysroot has no booted deployment */
	d = otad_booted_get_deployment (f->sysroot, NULL, &error);
	g_assert_no_error (error);
	g_assert_null (d);

	d = otad_booted_get_deployment (f->sysroot, "not-a-checksum", &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	d = otad_booted_get_deployment (
	    f->sysroot, "0000000000000000000000000000000000000000000000000000000000000000", &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	g_clear_error (&error);

	g_assert_true (otad_booted_parse_test_spec (f->ts->commit_b, &commit, &serial, &error));
	g_assert_cmpstr (commit, ==, f->ts->commit_b);
	g_assert_cmpint (serial, ==, -1);
	d = otad_booted_get_deployment (f->sysroot, f->ts->commit_b, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ostree_deployment_get_csum (d), ==, f->ts->commit_b);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_sysroot_require_tools ();
	otad_boot_test_require_uboot ();
	g_test_add ("/otad/rollback/drop-pending", Fixture, NULL, fixture_setup, test_drop_pending,
	            fixture_teardown);
	g_test_add ("/otad/rollback/to-previous", Fixture, NULL, fixture_setup, test_to_previous,
	            fixture_teardown);
	g_test_add ("/otad/rollback/booted-override", Fixture, NULL, fixture_setup,
	            test_booted_override, fixture_teardown);
	return g_test_run ();
}
