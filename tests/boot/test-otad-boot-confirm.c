/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The A/B flow end to end on a real sysroot with a real U-Boot environment:
 * A runs, B is installed and armed, then the test says which deployment
 * "booted" (the test-only override) with a new boot id, and checks what
 * otad_boot_confirm_run() did to the sysroot, the environment, the record
 * and the hooks.
 */
#include "config.h"

#include "boot-confirm-fixture.h"

static void
test_confirm_success (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	GPtrArray *history;

	g_free (otad_boot_test_write_script (f->health_dir, "10-ok", "exit 0"));
	install_b (f);
	/* U-Boot counted the boot into B */
	otad_boot_test_uboot_set (f->fw_env_config, "bootcount", "1");

	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_CONFIRMED);
	g_assert_true (result->success);
	g_assert_cmpuint (result->health_results->len, ==, 1);
	assert_env (f, "upgrade_available", "0");
	assert_env (f, "bootcount", "0");
	assert_layout (f, "B A");
	g_assert_cmpuint (f->reports, ==, 1);
	g_assert_true (f->last_success);
	g_assert_cmpint (f->last_outcome, ==, OTAD_BOOT_CONFIRM_CONFIRMED);
	g_assert_cmpstr (f->last_correlation_id, ==, "urn:here-ota:campaign:7");
	g_assert_cmpuint (f->prunes, ==, 1);
	g_assert_cmpuint (f->reboots, ==, 0);
	g_assert_null (otad_boot_record_get_pending (f->record));
	history = otad_boot_record_get_history (f->record);
	g_assert_cmpuint (history->len, ==, 1);
	g_assert_cmpint (((OtadBootHistoryEntry *)g_ptr_array_index (history, 0))->outcome, ==,
	                 OTAD_BOOT_OUTCOME_SUCCESS);
	g_assert_false (otad_boot_record_is_bad (f->record, f->ts->commit_b));

	/* the next start has nothing to do and reports nothing again */
	g_clear_pointer (&result, otad_boot_confirm_result_free);
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_NOTHING_PENDING);
	g_assert_cmpuint (f->reports, ==, 1);
}

static void
test_health_failure_rolls_back (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	GPtrArray *history;
	const OtadBootPending *pending;

	g_free (otad_boot_test_write_script (f->health_dir, "10-ok", "exit 0"));
	g_free (otad_boot_test_write_script (f->health_dir, "20-app",
	                                     "echo 'app did not start' >&2\n"
	                                     "exit 1"));
	install_b (f);

	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED);
	g_assert_false (result->success);
	g_assert_true (result->reboot_requested);
	g_assert_nonnull (strstr (result->detail, "20-app"));
	g_assert_nonnull (strstr (result->detail, "app did not start"));
	/* A boots next; the bootloader no longer counts */
	assert_layout (f, "A B");
	assert_env (f, "upgrade_available", "0");
	assert_env (f, "bootcount", "0");
	g_assert_cmpuint (f->reboots, ==, 1);
	g_assert_cmpuint (f->reports, ==, 1);
	g_assert_false (f->last_success);
	g_assert_cmpint (f->last_outcome, ==, OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED);
	g_assert_cmpuint (f->prunes, ==, 0);
	/* B is never offered again */
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
	g_assert_false (otad_boot_record_check_installable (f->record, f->ts->commit_b, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NO_UPDATE);
	g_clear_error (&error);
	pending = otad_boot_record_get_pending (f->record);
	g_assert_cmpint (pending->phase, ==, OTAD_BOOT_PHASE_ROLLING_BACK);

	/* otad restarts before the reboot happened: asks again, reports once */
	g_clear_pointer (&result, otad_boot_confirm_result_free);
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED);
	g_assert_cmpuint (f->reboots, ==, 2);
	g_assert_cmpuint (f->reports, ==, 1);
	assert_layout (f, "A B");

	/* B keeps coming back: after three requests otad stops asking for reboots */
	g_clear_pointer (&result, otad_boot_confirm_result_free);
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (f->reboots, ==, 3);
	g_assert_true (result->reboot_requested);
	g_clear_pointer (&result, otad_boot_confirm_result_free);
	g_test_expect_message ("OtadBootConfirm", G_LOG_LEVEL_WARNING,
	                       "*not requesting another reboot*");
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_test_assert_expected_messages ();
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED);
	g_assert_false (result->reboot_requested);
	g_assert_cmpuint (f->reboots, ==, 3);
	g_assert_cmpuint (f->reports, ==, 1);

	/* the reboot brings A back: B goes away, the record is closed */
	g_clear_pointer (&result, otad_boot_confirm_result_free);
	result = boot_and_confirm (f, f->ts->commit_a, "boot-3", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_ROLLBACK_COMPLETED);
	assert_layout (f, "A");
	g_assert_cmpuint (f->reports, ==, 1);
	g_assert_null (otad_boot_record_get_pending (f->record));
	history = otad_boot_record_get_history (f->record);
	g_assert_cmpuint (history->len, ==, 1);
	g_assert_cmpint (((OtadBootHistoryEntry *)g_ptr_array_index (history, 0))->outcome, ==,
	                 OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED);
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
}

static void
test_health_timeout_rolls_back (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;

	g_free (otad_boot_test_write_script (f->health_dir, "10-slow", "sleep 60"));
	f->health.timeout_ms = 300;
	install_b (f);
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED);
	g_assert_nonnull (strstr (result->detail, "10-slow"));
	g_assert_nonnull (strstr (result->detail, "timed out"));
	assert_layout (f, "A B");
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
}

static void
test_bootloader_fallback (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	GPtrArray *history;

	install_b (f);
	/* B never came up; past bootlimit U-Boot's altbootcmd booted A */
	otad_boot_test_uboot_set (f->fw_env_config, "bootcount", "4");
	otad_boot_test_uboot_set (f->fw_env_config, "rollback", "1");
	otad_boot_test_uboot_set (f->fw_env_config, "upgrade_available", "0");

	result = boot_and_confirm (f, f->ts->commit_a, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK);
	g_assert_false (result->success);
	g_assert_nonnull (strstr (result->detail, "the bootloader fell back"));
	g_assert_null (result->health_results);
	g_assert_cmpuint (f->reports, ==, 1);
	g_assert_false (f->last_success);
	g_assert_cmpint (f->last_outcome, ==, OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK);
	g_assert_cmpuint (f->reboots, ==, 0);
	assert_layout (f, "A");
	assert_env (f, "rollback", "0");
	assert_env (f, "upgrade_available", "0");
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
	g_assert_null (otad_boot_record_get_pending (f->record));
	history = otad_boot_record_get_history (f->record);
	g_assert_cmpuint (history->len, ==, 1);
	g_assert_cmpint (((OtadBootHistoryEntry *)g_ptr_array_index (history, 0))->outcome, ==,
	                 OTAD_BOOT_OUTCOME_BOOTLOADER_ROLLBACK);
}

/* power cut after "confirmed" was recorded, before the bootloader was told */
static void
test_resume_confirmed (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;

	install_b (f);
	g_assert_true (otad_boot_record_set_phase (f->record, OTAD_BOOT_PHASE_CONFIRMED,
	                                           "all 0 health checks passed", &error));
	/* a failing check would roll back if it ran again: it must not */
	g_free (otad_boot_test_write_script (f->health_dir, "10-fail", "exit 1"));
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_CONFIRMED);
	assert_env (f, "upgrade_available", "0");
	assert_layout (f, "B A");
	g_assert_cmpuint (f->reports, ==, 1);
	g_assert_true (f->last_success);
}

static void
test_deployment_gone (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	g_autoptr (OtadBootPending) pending =
	    otad_boot_pending_new (f->ts->commit_b, f->ts->commit_a, "boot-1");

	/* recorded, but the deploy never happened */
	g_assert_true (otad_boot_record_set_pending (f->record, pending, &error));
	result = boot_and_confirm (f, f->ts->commit_a, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_DEPLOYMENT_GONE);
	g_assert_null (otad_boot_record_get_pending (f->record));
	g_assert_false (otad_boot_record_is_bad (f->record, f->ts->commit_b));
	g_assert_cmpuint (f->reports, ==, 0);
}

static void
test_bootloader_error (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	g_autofree gchar *env = g_build_filename (f->ts->dir, "uboot.env", NULL);

	install_b (f);
	/* the environment vanished: the confirmation fails with a named error
	 * and stays recorded, to be resumed */
	g_assert_cmpint (g_unlink (env), ==, 0);
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_null (result);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER);
	g_assert_nonnull (strstr (error->message, "fw_"));
	g_assert_nonnull (otad_boot_record_get_pending (f->record));
	g_assert_cmpint (otad_boot_record_get_pending (f->record)->phase, ==,
	                 OTAD_BOOT_PHASE_CONFIRMED);
	g_assert_cmpuint (f->reports, ==, 0);
}

static void
test_unknown_booted (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	OtadBootConfirmContext ctx = {NULL};

	install_b (f);
	/* a sysroot that is not booted, without the test override */
	{
		g_autoptr (OstreeDeployment) a = restart (f, f->ts->commit_a);
	}
	ctx.sysroot = f->sysroot;
	ctx.booted = NULL;
	ctx.boot_id = "boot-2";
	ctx.bootloader = f->bootloader;
	ctx.record = f->record;
	ctx.health = &f->health;
	ctx.hooks = &f->hooks;
	result = otad_boot_confirm_run (&ctx, NULL, &error);
	g_assert_null (result);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT);
	g_clear_object (&f->sysroot);
	/* nothing was decided: B is still pending and armed, not bad */
	assert_layout (f, "B A");
	assert_env (f, "upgrade_available", "1");
	g_assert_false (otad_boot_record_is_bad (f->record, f->ts->commit_b));
	g_assert_nonnull (otad_boot_record_get_pending (f->record));
	g_assert_cmpuint (f->reports, ==, 0);
}

/* the same flow through the grub and systemd-boot backends */
static void
test_other_backend_success (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;

	g_free (otad_boot_test_write_script (f->health_dir, "10-ok", "exit 0"));
	install_b (f);
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_CONFIRMED);
	g_assert_false (is_armed (f));
	assert_layout (f, "B A");
	g_assert_cmpuint (f->reports, ==, 1);
	g_assert_true (f->last_success);
	if (g_strcmp0 (f->backend, "grub") == 0) {
		const gchar *argv[] = {"grub-editenv", f->grubenv, "list", NULL};
		g_autofree gchar *out = otad_boot_test_run (argv);
		g_assert_nonnull (strstr (out, "boot_success=1"));
	}
}

static void
test_other_backend_health_failure (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;

	g_free (otad_boot_test_write_script (f->health_dir, "10-bad", "exit 1"));
	install_b (f);
	result = boot_and_confirm (f, f->ts->commit_b, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED);
	g_assert_true (result->reboot_requested);
	assert_layout (f, "A B");
	g_assert_false (is_armed (f));
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
	g_clear_pointer (&result, otad_boot_confirm_result_free);
	result = boot_and_confirm (f, f->ts->commit_a, "boot-3", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_ROLLBACK_COMPLETED);
	assert_layout (f, "A");
}

/* GRUB ran out of tries (boot_counter=-1) and booted A */
static void
test_grub_fallback (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	const gchar *set[] = {"grub-editenv", f->grubenv, "set", "boot_counter=-1", NULL};
	const gchar *list[] = {"grub-editenv", f->grubenv, "list", NULL};
	g_autofree gchar *out = NULL;

	install_b (f);
	g_free (otad_boot_test_run (set));
	result = boot_and_confirm (f, f->ts->commit_a, "boot-2", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK);
	g_assert_nonnull (strstr (result->detail, "the bootloader fell back"));
	assert_layout (f, "A");
	out = otad_boot_test_run (list);
	g_assert_null (strstr (out, "boot_counter"));
	g_assert_true (otad_boot_record_is_bad (f->record, f->ts->commit_b));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_sysroot_require_tools ();
	otad_boot_test_require_uboot ();
	otad_test_require_program ("grub-editenv", "grub-common");
	g_test_add ("/otad/boot-confirm/success", Fixture, NULL, fixture_setup,
	            test_confirm_success, fixture_teardown);
	g_test_add ("/otad/boot-confirm/health-failure", Fixture, NULL, fixture_setup,
	            test_health_failure_rolls_back, fixture_teardown);
	g_test_add ("/otad/boot-confirm/health-timeout", Fixture, NULL, fixture_setup,
	            test_health_timeout_rolls_back, fixture_teardown);
	g_test_add ("/otad/boot-confirm/bootloader-fallback", Fixture, NULL, fixture_setup,
	            test_bootloader_fallback, fixture_teardown);
	g_test_add ("/otad/boot-confirm/resume-confirmed", Fixture, NULL, fixture_setup,
	            test_resume_confirmed, fixture_teardown);
	g_test_add ("/otad/boot-confirm/deployment-gone", Fixture, NULL, fixture_setup,
	            test_deployment_gone, fixture_teardown);
	g_test_add ("/otad/boot-confirm/bootloader-error", Fixture, NULL, fixture_setup,
	            test_bootloader_error, fixture_teardown);
	g_test_add ("/otad/boot-confirm/unknown-booted", Fixture, NULL, fixture_setup,
	            test_unknown_booted, fixture_teardown);
	g_test_add ("/otad/boot-confirm/grub/success", Fixture, "grub", fixture_setup,
	            test_other_backend_success, fixture_teardown);
	g_test_add ("/otad/boot-confirm/grub/health-failure", Fixture, "grub", fixture_setup,
	            test_other_backend_health_failure, fixture_teardown);
	g_test_add ("/otad/boot-confirm/grub/fallback", Fixture, "grub", fixture_setup,
	            test_grub_fallback, fixture_teardown);
	g_test_add ("/otad/boot-confirm/systemd-boot/success", Fixture, "systemd-boot",
	            fixture_setup, test_other_backend_success, fixture_teardown);
	g_test_add ("/otad/boot-confirm/systemd-boot/health-failure", Fixture, "systemd-boot",
	            fixture_setup, test_other_backend_health_failure, fixture_teardown);
	return g_test_run ();
}
