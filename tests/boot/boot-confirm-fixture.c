/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "boot-confirm-fixture.h"

static gboolean
hook_report (const OtadBootConfirmResult *result, gpointer user_data, GError **error)
{
	Fixture *f = user_data;

	f->reports++;
	f->last_success = result->success;
	f->last_outcome = result->outcome;
	g_free (f->last_detail);
	f->last_detail = g_strdup (result->detail);
	g_free (f->last_correlation_id);
	f->last_correlation_id = g_strdup (result->correlation_id);
	return TRUE;
}

/* called with the sysroot locked: the cleanup runs once it is released */
static gboolean
hook_prune (OstreeSysroot *sysroot, gpointer user_data, GCancellable *cancellable, GError **error)
{
	Fixture *f = user_data;

	f->prune_requested = TRUE;
	return TRUE;
}

static gboolean
hook_reboot (gpointer user_data, GError **error)
{
	Fixture *f = user_data;

	f->reboots++;
	return TRUE;
}

void
fixture_setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	OtadBootloaderOptions options = {NULL};

	f->backend = data != NULL ? data : "uboot";
	f->ts = otad_boot_test_sysroot_new ();
	otad_boot_test_sysroot_deploy (f->ts, f->ts->commit_a);
	f->fw_env_config = otad_boot_test_uboot_env_new (f->ts->dir);
	f->grubenv = g_build_filename (f->ts->dir, "grubenv", NULL);
	{
		const gchar *argv[] = {"grub-editenv", f->grubenv, "create", NULL};
		g_free (otad_boot_test_run (argv));
	}
	/* ostree writes the BLS entries under sysroot/boot/loader/entries */
	f->esp = g_build_filename (f->ts->sysroot, "boot", NULL);
	options.backend = f->backend;
	options.fw_env_config = f->fw_env_config;
	options.grubenv = f->grubenv;
	options.esp = f->esp;
	f->bootloader = otad_bootloaders_new (&options, &error);
	g_assert_no_error (error);
	f->record_path = g_build_filename (f->ts->dir, "state", "boot-record.json", NULL);
	f->record = otad_boot_record_new (f->record_path);
	g_assert_true (otad_boot_record_load (f->record, &error));
	f->health_dir = g_build_filename (f->ts->dir, "health.d", NULL);
	f->health_dirs[0] = f->health_dir;
	f->health.dirs = f->health_dirs;
	f->health.timeout_ms = 20000;
	f->hooks.report = hook_report;
	f->hooks.prune = hook_prune;
	f->hooks.request_reboot = hook_reboot;
	f->hooks.user_data = f;
}

void
fixture_teardown (Fixture *f, gconstpointer data)
{
	g_clear_object (&f->record);
	g_clear_object (&f->bootloader);
	g_clear_object (&f->sysroot);
	g_free (f->fw_env_config);
	g_free (f->grubenv);
	g_free (f->esp);
	g_free (f->health_dir);
	g_free (f->record_path);
	g_free (f->last_detail);
	g_free (f->last_correlation_id);
	otad_boot_test_sysroot_free (f->ts);
}

/* whether the backend's fallback is armed, read with the real tools and files */
gboolean
is_armed (Fixture *f)
{
	if (g_strcmp0 (f->backend, "uboot") == 0) {
		g_autofree gchar *v =
		    otad_boot_test_uboot_get (f->fw_env_config, "upgrade_available");
		return g_strcmp0 (v, "1") == 0;
	}
	if (g_strcmp0 (f->backend, "grub") == 0) {
		const gchar *argv[] = {"grub-editenv", f->grubenv, "list", NULL};
		g_autofree gchar *out = otad_boot_test_run (argv);
		return strstr (out, "boot_counter=") != NULL &&
		       strstr (out, "boot_counter=-1") == NULL;
	}
	{
		g_autofree gchar *entries = g_build_filename (f->esp, "loader", "entries", NULL);
		g_autoptr (GDir) dir = g_dir_open (entries, 0, NULL);
		const gchar *name;
		gboolean armed = FALSE;
		g_assert_nonnull (dir);
		while ((name = g_dir_read_name (dir)) != NULL)
			armed |= strchr (name, '+') != NULL;
		return armed;
	}
}

/* otad (re)starts on the test sysroot with `--test-booted-deployment=COMMIT`:
 * "the system has now booted into @commit" (test only); like the engine it opens
 * and locks the sysroot, and reads the record back from disk */
OstreeDeployment *
restart (Fixture *f, const gchar *commit)
{
	g_autoptr (GError) error = NULL;
	OtadDeployOptions options = {.sysroot_path = f->ts->sysroot, .test_booted = commit};
	OstreeDeployment *booted;

	g_clear_object (&f->sysroot);
	f->sysroot = otad_deploy_open_sysroot (&options, TRUE, NULL, &error);
	g_assert_no_error (error);
	booted = otad_booted_get_deployment (f->sysroot, commit, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ostree_deployment_get_csum (booted), ==, commit);
	g_clear_object (&f->record);
	f->record = otad_boot_record_new (f->record_path);
	g_assert_true (otad_boot_record_load (f->record, &error));
	g_assert_no_error (error);
	return booted;
}

OtadBootConfirmResult *
boot_and_confirm (Fixture *f, const gchar *commit, const gchar *boot_id, GError **error)
{
	g_autoptr (OstreeDeployment) booted = restart (f, commit);
	OtadBootConfirmContext ctx = {NULL};
	OtadBootConfirmResult *result;

	ctx.sysroot = f->sysroot;
	ctx.booted = booted;
	ctx.boot_id = boot_id;
	ctx.bootloader = f->bootloader;
	ctx.record = f->record;
	ctx.health = &f->health;
	ctx.hooks = &f->hooks;
	f->prune_requested = FALSE;
	result = otad_boot_confirm_run (&ctx, NULL, error);
	/* unlocks */
	g_clear_object (&f->sysroot);
	if (f->prune_requested) {
		OtadDeployOptions options = {.sysroot_path = f->ts->sysroot, .test_booted = commit};
		g_autoptr (GError) error_local = NULL;
		f->prunes++;
		g_assert_true (otad_deploy_cleanup (&options, NULL, NULL, &error_local));
		g_assert_no_error (error_local);
	}
	return result;
}

/* A booted, B offered: record, deploy, arm; still pending before the reboot */
void
install_b (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootPending) pending =
	    otad_boot_pending_new (f->ts->commit_b, f->ts->commit_a, "boot-1");
	g_autoptr (OtadBootConfirmResult) result = NULL;
	OstreeDeployment *b;

	g_autoptr (OstreeDeployment) a = restart (f, f->ts->commit_a);
	g_autoptr (GPtrArray) deployments = NULL;

	pending->version = g_strdup ("2.0");
	pending->correlation_id = g_strdup ("urn:here-ota:campaign:7");
	g_assert_true (otad_boot_record_check_installable (f->record, f->ts->commit_b, &error));
	g_assert_true (otad_boot_record_set_pending (f->record, pending, &error));
	g_assert_no_error (error);
	/* the deploy (here the ostree CLI) takes the lock itself */
	g_clear_object (&f->sysroot);
	otad_boot_test_sysroot_deploy (f->ts, f->ts->commit_b);
	g_clear_object (&a);
	a = restart (f, f->ts->commit_a);
	deployments = ostree_sysroot_get_deployments (f->sysroot);
	b = g_ptr_array_index (deployments, 0);
	g_assert_true (otad_bootloader_mark_trial_boot (f->bootloader, b, NULL, &error));
	g_assert_no_error (error);
	g_clear_object (&f->sysroot);

	assert_layout (f, "B A");
	g_assert_true (is_armed (f));
	if (g_strcmp0 (f->backend, "uboot") == 0) {
		assert_env (f, "upgrade_available", "1");
		assert_env (f, "bootcount", "0");
	}

	/* otad restarts before the reboot: still waiting (pending-reboot) */
	result = boot_and_confirm (f, f->ts->commit_a, "boot-1", &error);
	g_assert_no_error (error);
	g_assert_cmpint (result->outcome, ==, OTAD_BOOT_CONFIRM_AWAITING_REBOOT);
	g_assert_cmpuint (f->reports, ==, 0);
	assert_layout (f, "B A");
	g_assert_true (is_armed (f));
}
