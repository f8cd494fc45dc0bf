/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-bootloaders.h"
#include "otad-boot-test.h"
#include "otad-test-require.h"
#include "otad-test-sysroot.h"

typedef struct {
	gchar *dir;
	gchar *fw_env_config;
} UbootFixture;

static void
uboot_setup (UbootFixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;

	f->dir = g_dir_make_tmp ("otad-uboot-XXXXXX", &error);
	g_assert_no_error (error);
	f->fw_env_config = otad_boot_test_uboot_env_new (f->dir);
}

static void
uboot_teardown (UbootFixture *f, gconstpointer data)
{
	otad_boot_test_rm_rf (f->dir);
	g_free (f->dir);
	g_free (f->fw_env_config);
}

/* reads a variable with the real fw_printenv, independently of the backend */
static gchar *
uboot_printenv (UbootFixture *f, const gchar *name)
{
	return otad_boot_test_uboot_get (f->fw_env_config, name);
}

static void
uboot_setenv (UbootFixture *f, const gchar *name, const gchar *value)
{
	otad_boot_test_uboot_set (f->fw_env_config, name, value);
}

static OtadBootloader *
uboot_new (UbootFixture *f)
{
	OtadBootloaderOptions options = {.backend = "uboot", .fw_env_config = f->fw_env_config};
	g_autoptr (GError) error = NULL;
	OtadBootloader *bl = otad_bootloaders_new (&options, &error);

	g_assert_no_error (error);
	g_assert_cmpstr (otad_bootloader_get_name (bl), ==, "uboot");
	return bl;
}

#define assert_uboot_var(f, name, value)                                                           \
	G_STMT_START                                                                               \
	{                                                                                          \
		g_autofree gchar *v_ = uboot_printenv (f, name);                                   \
		g_assert_cmpstr (v_, ==, value);                                                   \
	}                                                                                          \
	G_STMT_END

static void
test_uboot_trial_and_good (UbootFixture *f, gconstpointer data)
{
	g_autoptr (OtadBootloader) bl = uboot_new (f);
	g_autoptr (GError) error = NULL;
	OtadBootStatus status;

	uboot_setenv (f, "bootcount", "2");
	uboot_setenv (f, "rollback", "1");
	g_assert_true (otad_bootloader_mark_trial_boot (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	assert_uboot_var (f, "upgrade_available", "1");
	assert_uboot_var (f, "bootcount", "0");
	assert_uboot_var (f, "rollback", "0");
	/* what the bootloader script owns is left alone */
	assert_uboot_var (f, "bootlimit", "3");

	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (status.trial_boot);
	g_assert_false (status.rolled_back);
	g_assert_cmpint (status.boot_count, ==, 0);

	/* U-Boot counts a boot */
	uboot_setenv (f, "bootcount", "1");
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_cmpint (status.boot_count, ==, 1);

	g_assert_true (otad_bootloader_mark_boot_good (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	assert_uboot_var (f, "upgrade_available", "0");
	assert_uboot_var (f, "bootcount", "0");
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_false (status.trial_boot);
	g_assert_false (status.rolled_back);
}

static void
test_uboot_fallback (UbootFixture *f, gconstpointer data)
{
	g_autoptr (OtadBootloader) bl = uboot_new (f);
	g_autoptr (GError) error = NULL;
	OtadBootStatus status;

	g_assert_true (otad_bootloader_mark_trial_boot (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	/* what altbootcmd does past bootlimit */
	uboot_setenv (f, "bootcount", "4");
	uboot_setenv (f, "rollback", "1");
	uboot_setenv (f, "upgrade_available", "0");
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (status.rolled_back);
	g_assert_false (status.trial_boot);
	g_assert_cmpint (status.boot_count, ==, 4);

	g_assert_true (otad_bootloader_clear_trial (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	assert_uboot_var (f, "rollback", "0");
	assert_uboot_var (f, "bootcount", "0");
	assert_uboot_var (f, "upgrade_available", "0");
}

static void
test_uboot_no_needless_writes (UbootFixture *f, gconstpointer data)
{
	g_autofree gchar *marker = g_build_filename (f->dir, "setenv-called", NULL);
	g_autofree gchar *body = g_strdup_printf ("touch '%s'\nexit 1", marker);
	g_autofree gchar *fake = otad_boot_test_write_script (f->dir, "fake-setenv", body);
	OtadBootloaderOptions options = {
	    .backend = "uboot", .fw_env_config = f->fw_env_config, .fw_setenv = fake};
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootloader) bl = otad_bootloaders_new (&options, &error);

	g_assert_no_error (error);
	/* already good: nothing to write, so the (failing) fw_setenv is not run */
	g_assert_true (otad_bootloader_mark_boot_good (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

	/* arming needs a write: the tool's failure is a named bootloader error */
	g_assert_false (otad_bootloader_mark_trial_boot (bl, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER);
	g_assert_nonnull (strstr (error->message, "fake-setenv"));
	g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
}

static void
test_uboot_broken_config (UbootFixture *f, gconstpointer data)
{
	g_autofree gchar *missing = g_build_filename (f->dir, "nope.config", NULL);
	OtadBootloaderOptions options = {.backend = "uboot", .fw_env_config = missing};
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootloader) bl = otad_bootloaders_new (&options, &error);
	OtadBootStatus status;

	g_assert_no_error (error);
	g_assert_false (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER);
	g_assert_nonnull (strstr (error->message, "fw_printenv"));
	g_assert_nonnull (strstr (error->message, "uboot"));
}

static void
test_unknown_backend (void)
{
	OtadBootloaderOptions options = {.backend = "lilo"};
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootloader) bl = otad_bootloaders_new (&options, &error);

	g_assert_null (bl);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_nonnull (strstr (error->message, "lilo"));
}

static void
test_none (void)
{
	OtadBootloaderOptions options = {.backend = "none"};
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadBootloader) bl = otad_bootloaders_new (&options, &error);
	OtadBootStatus status = {TRUE, TRUE, 7};

	g_assert_no_error (error);
	g_assert_true (otad_bootloader_mark_trial_boot (bl, NULL, NULL, &error));
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_false (status.trial_boot);
	g_assert_false (status.rolled_back);
	g_assert_cmpint (status.boot_count, ==, -1);
	g_assert_true (otad_bootloader_mark_boot_good (bl, NULL, NULL, &error));
	g_assert_no_error (error);
}

/* -- grub ------------------------------------------------------------------ */

static GHashTable *
grub_list (const gchar *file)
{
	const gchar *argv[] = {"grub-editenv", file, "list", NULL};
	g_autofree gchar *out = otad_boot_test_run (argv);
	g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
	GHashTable *env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *eq = strchr (lines[i], '=');
		if (eq != NULL)
			g_hash_table_insert (env, g_strndup (lines[i], eq - lines[i]),
			                     g_strdup (eq + 1));
	}
	return env;
}

static void
grub_set (const gchar *file, const gchar *assignment)
{
	const gchar *argv[] = {"grub-editenv", file, "set", assignment, NULL};

	g_free (otad_boot_test_run (argv));
}

static void
test_grub (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("otad-grub-XXXXXX", &error);
	g_autofree gchar *file = g_build_filename (dir, "grubenv", NULL);
	OtadBootloaderOptions options = {.backend = "grub", .grubenv = file, .boot_count_limit = 3};
	g_autoptr (OtadBootloader) bl = otad_bootloaders_new (&options, &error);
	g_autoptr (GHashTable) env = NULL;
	OtadBootStatus status;

	g_assert_no_error (error);
	/* a missing block is a configuration mistake, not something to create */
	g_assert_false (otad_bootloader_mark_trial_boot (bl, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER);
	g_assert_nonnull (strstr (error->message, file));
	g_clear_error (&error);
	{
		const gchar *argv[] = {"grub-editenv", file, "create", NULL};
		g_free (otad_boot_test_run (argv));
	}
	grub_set (file, "saved_entry=ostree-1");

	g_assert_true (otad_bootloader_mark_trial_boot (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	env = grub_list (file);
	g_assert_cmpstr (g_hash_table_lookup (env, "boot_counter"), ==, "3");
	g_assert_cmpstr (g_hash_table_lookup (env, "boot_success"), ==, "0");
	g_assert_cmpstr (g_hash_table_lookup (env, "saved_entry"), ==, "ostree-1");
	g_clear_pointer (&env, g_hash_table_unref);
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_true (status.trial_boot);
	g_assert_false (status.rolled_back);
	g_assert_cmpint (status.boot_count, ==, 0);

	/* GRUB decremented twice */
	grub_set (file, "boot_counter=1");
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_cmpint (status.boot_count, ==, 2);

	g_assert_true (otad_bootloader_mark_boot_good (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	env = grub_list (file);
	g_assert_false (g_hash_table_contains (env, "boot_counter"));
	g_assert_cmpstr (g_hash_table_lookup (env, "boot_success"), ==, "1");
	g_clear_pointer (&env, g_hash_table_unref);
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_false (status.trial_boot);
	g_assert_false (status.rolled_back);

	/* GRUB ran out of tries and booted the fallback entry */
	g_assert_true (otad_bootloader_mark_trial_boot (bl, NULL, NULL, &error));
	grub_set (file, "boot_counter=-1");
	g_assert_true (otad_bootloader_query (bl, NULL, &status, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (status.rolled_back);
	g_assert_false (status.trial_boot);
	g_assert_true (otad_bootloader_clear_trial (bl, NULL, NULL, &error));
	g_assert_no_error (error);
	env = grub_list (file);
	g_assert_false (g_hash_table_contains (env, "boot_counter"));

	otad_boot_test_rm_rf (dir);
}

/* -- systemd-boot ------------------------------------------------------------ */

static gchar *
sdboot_find_entry (const gchar *entries, const gchar *needle)
{
	g_autoptr (GDir) dir = g_dir_open (entries, 0, NULL);
	const gchar *name;

	g_assert_nonnull (dir);
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *path = g_build_filename (entries, name, NULL);
		g_autofree gchar *contents = NULL;
		g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
		if (strstr (contents, needle) != NULL)
			return g_strdup (name);
	}
	return NULL;
}

static gchar *
sdboot_ostree_arg (OstreeDeployment *d)
{
	const gchar *options =
	    ostree_bootconfig_parser_get (ostree_deployment_get_bootconfig (d), "options");
	g_auto (GStrv) args = g_strsplit (options, " ", -1);

	for (guint i = 0; args[i] != NULL; i++)
		if (g_str_has_prefix (args[i], "ostree="))
			return g_strdup_printf ("%s\n", args[i]);
	g_assert_not_reached ();
}

static void
sdboot_rename (const gchar *entries, const gchar *from, const gchar *to)
{
	g_autofree gchar *a = g_build_filename (entries, from, NULL);
	g_autofree gchar *b = g_build_filename (entries, to, NULL);

	g_assert_cmpint (g_rename (a, b), ==, 0);
}

static void
test_sdboot (void)
{
	g_autoptr (OtadBootTestSysroot) ts = otad_boot_test_sysroot_new ();
	g_autoptr (OstreeSysroot) sysroot = NULL;
	g_autoptr (GPtrArray) deployments = NULL;
	g_autoptr (OtadBootloader) bl = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *esp = g_build_filename (ts->sysroot, "boot", NULL);
	g_autofree gchar *entries = g_build_filename (esp, "loader", "entries", NULL);
	g_autofree gchar *arg_b = NULL;
	g_autofree gchar *arg_a = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *name_a = NULL;
	OtadBootloaderOptions options = {.backend = "systemd-boot", .esp = esp};
	OstreeDeployment *b;
	OtadBootStatus status;

	otad_boot_test_sysroot_deploy (ts, ts->commit_a);
	otad_boot_test_sysroot_deploy (ts, ts->commit_b);
	sysroot = otad_boot_test_sysroot_open (ts);
	deployments = ostree_sysroot_get_deployments (sysroot);
	g_assert_cmpuint (deployments->len, ==, 2);
	b = g_ptr_array_index (deployments, 0);
	g_assert_cmpstr (ostree_deployment_get_csum (b), ==, ts->commit_b);
	arg_b = sdboot_ostree_arg (b);
	arg_a = sdboot_ostree_arg (g_ptr_array_index (deployments, 1));
	name_a = sdboot_find_entry (entries, arg_a);

	bl = otad_bootloaders_new (&options, &error);
	g_assert_no_error (error);
	g_assert_true (otad_bootloader_mark_trial_boot (bl, b, NULL, &error));
	g_assert_no_error (error);
	name = sdboot_find_entry (entries, arg_b);
	g_assert_true (g_str_has_suffix (name, "+3.conf"));
	/* the other entry is not on trial */
	g_free (name);
	name = sdboot_find_entry (entries, arg_a);
	g_assert_cmpstr (name, ==, name_a);
	g_assert_true (otad_bootloader_query (bl, b, &status, NULL, &error));
	g_assert_true (status.trial_boot);
	g_assert_cmpint (status.boot_count, ==, 0);

	/* libostree still reads the renamed entry */
	g_assert_true (ostree_sysroot_load (sysroot, NULL, &error));
	g_assert_no_error (error);
	g_clear_pointer (&deployments, g_ptr_array_unref);
	deployments = ostree_sysroot_get_deployments (sysroot);
	g_assert_cmpuint (deployments->len, ==, 2);
	b = g_ptr_array_index (deployments, 0);
	g_assert_cmpstr (ostree_deployment_get_csum (b), ==, ts->commit_b);

	/* systemd-boot booted it once: +3 → +2-1 */
	g_free (name);
	name = sdboot_find_entry (entries, arg_b);
	{
		g_autofree gchar *base = g_strndup (name, strlen (name) - strlen ("+3.conf"));
		g_autofree gchar *counted = g_strdup_printf ("%s+2-1.conf", base);
		g_autofree gchar *exhausted = g_strdup_printf ("%s+0-3.conf", base);
		g_autofree gchar *plain = g_strdup_printf ("%s.conf", base);
		g_autofree gchar *now = NULL;

		sdboot_rename (entries, name, counted);
		g_assert_true (otad_bootloader_query (bl, b, &status, NULL, &error));
		g_assert_true (status.trial_boot);
		g_assert_cmpint (status.boot_count, ==, 1);

		g_assert_true (otad_bootloader_mark_boot_good (bl, b, NULL, &error));
		g_assert_no_error (error);
		now = sdboot_find_entry (entries, arg_b);
		g_assert_cmpstr (now, ==, plain);
		g_assert_true (otad_bootloader_query (bl, b, &status, NULL, &error));
		g_assert_false (status.trial_boot);
		g_assert_false (status.rolled_back);

		/* tries exhausted: systemd-boot booted the other entry */
		sdboot_rename (entries, plain, exhausted);
		g_assert_true (otad_bootloader_query (bl, b, &status, NULL, &error));
		g_assert_true (status.rolled_back);
		g_assert_false (status.trial_boot);
		g_assert_cmpint (status.boot_count, ==, 3);
		g_assert_true (otad_bootloader_clear_trial (bl, NULL, NULL, &error));
		g_assert_no_error (error);
		g_free (now);
		now = sdboot_find_entry (entries, arg_b);
		g_assert_cmpstr (now, ==, plain);
	}

	/* a missing ESP is a named error */
	{
		g_autofree gchar *nowhere = g_build_filename (ts->dir, "no-esp", NULL);
		OtadBootloaderOptions bad = {.backend = "systemd-boot", .esp = nowhere};
		g_autoptr (OtadBootloader) bl2 = otad_bootloaders_new (&bad, &error);
		g_assert_no_error (error);
		g_assert_false (otad_bootloader_mark_trial_boot (bl2, b, NULL, &error));
		g_assert_nonnull (error);
		g_assert_nonnull (strstr (error->message, "systemd-boot"));
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_sysroot_require_tools ();
	otad_boot_test_require_uboot ();
	otad_test_require_program ("grub-editenv", "grub-common");
	g_test_add ("/otad/bootloader/uboot/trial-and-good", UbootFixture, NULL, uboot_setup,
	            test_uboot_trial_and_good, uboot_teardown);
	g_test_add ("/otad/bootloader/uboot/fallback", UbootFixture, NULL, uboot_setup,
	            test_uboot_fallback, uboot_teardown);
	g_test_add ("/otad/bootloader/uboot/no-needless-writes", UbootFixture, NULL, uboot_setup,
	            test_uboot_no_needless_writes, uboot_teardown);
	g_test_add ("/otad/bootloader/uboot/broken-config", UbootFixture, NULL, uboot_setup,
	            test_uboot_broken_config, uboot_teardown);
	g_test_add_func ("/otad/bootloader/unknown", test_unknown_backend);
	g_test_add_func ("/otad/bootloader/none", test_none);
	g_test_add_func ("/otad/bootloader/grub", test_grub);
	g_test_add_func ("/otad/bootloader/systemd-boot", test_sdboot);
	return g_test_run ();
}
