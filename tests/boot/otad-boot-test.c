/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "otad-boot-test.h"
#include "otad-test-require.h"
#include "otad-test-sysroot.h"

/* runs a command that must succeed and returns its stdout */
gchar *
otad_boot_test_run (const gchar *const *argv)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint status = 0;

	g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
	              &status, &error);
	g_assert_no_error (error);
	if (!g_spawn_check_wait_status (status, &error)) {
		g_autofree gchar *cmd = g_strjoinv (" ", (gchar **)argv);
		g_error ("%s failed: %s: %s", cmd, error->message, err);
	}
	return g_strstrip (g_steal_pointer (&out));
}

gchar *
otad_boot_test_write_script (const gchar *dir, const gchar *name, const gchar *body)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = g_build_filename (dir, name, NULL);
	g_autofree gchar *contents = g_strdup_printf ("#!/bin/sh\n%s\n", body);

	g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
	g_file_set_contents (path, contents, -1, &error);
	g_assert_no_error (error);
	g_assert_cmpint (g_chmod (path, 0755), ==, 0);
	return g_steal_pointer (&path);
}

void
otad_boot_test_rm_rf (const gchar *dir)
{
	/* best effort, as before: a teardown that cannot remove leaves a temp dir */
	(void)otad_test_sysroot_rm_rf (dir, NULL);
}

static void
otad_boot_test_write (const gchar *path, const gchar *contents)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_path_get_dirname (path);

	g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
	g_file_set_contents (path, contents, -1, &error);
	g_assert_no_error (error);
}

/* the shared builder (tests/otad-test-sysroot.c) with stateroot "demo" and
 * nothing deployed: each test deploys what it needs */
OtadBootTestSysroot *
otad_boot_test_sysroot_new (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadTestSysroot) built =
	    otad_test_sysroot_new_full ("demo", OTAD_TEST_SYSROOT_NO_DEPLOY, &error);
	OtadBootTestSysroot *ts = g_new0 (OtadBootTestSysroot, 1);

	g_assert_no_error (error);
	ts->dir = g_steal_pointer (&built->tmpdir);
	ts->repo = g_steal_pointer (&built->repo);
	ts->sysroot = g_steal_pointer (&built->sysroot);
	ts->commit_a = g_steal_pointer (&built->commit_a);
	ts->commit_b = g_steal_pointer (&built->commit_b);
	return ts;
}

/* deploys @commit as the new default, the previous default becoming the rollback */
void
otad_boot_test_sysroot_deploy (OtadBootTestSysroot *ts, const gchar *commit)
{
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", ts->sysroot);
	const gchar *argv[] = {"ostree", "admin", sysroot_arg, "deploy", "--os=demo", commit, NULL};

	g_free (otad_boot_test_run (argv));
}

OstreeSysroot *
otad_boot_test_sysroot_open (OtadBootTestSysroot *ts)
{
	g_autoptr (GFile) path = g_file_new_for_path (ts->sysroot);
	g_autoptr (OstreeSysroot) sysroot = ostree_sysroot_new (path);
	g_autoptr (GError) error = NULL;

	ostree_sysroot_load (sysroot, NULL, &error);
	g_assert_no_error (error);
	return g_steal_pointer (&sysroot);
}

void
otad_boot_test_sysroot_free (OtadBootTestSysroot *ts)
{
	if (ts == NULL)
		return;
	if (g_getenv ("OTAD_TEST_KEEP") == NULL)
		otad_boot_test_rm_rf (ts->dir);
	g_free (ts->dir);
	g_free (ts->repo);
	g_free (ts->sysroot);
	g_free (ts->commit_a);
	g_free (ts->commit_b);
	g_free (ts);
}

void
otad_boot_test_require_uboot (void)
{
	otad_test_require_program ("mkenvimage", "u-boot-tools");
	otad_test_require_program ("fw_printenv", "libubootenv-tool");
	otad_test_require_program ("fw_setenv", "libubootenv-tool");
}

/* a U-Boot environment in a plain file; returns the fw_env.config for it */
gchar *
otad_boot_test_uboot_env_new (const gchar *dir)
{
	g_autofree gchar *env_txt = g_build_filename (dir, "env.txt", NULL);
	g_autofree gchar *env_img = g_build_filename (dir, "uboot.env", NULL);
	g_autofree gchar *config = g_build_filename (dir, "fw_env.config", NULL);
	g_autofree gchar *line = g_strdup_printf ("%s 0x0000 0x4000\n", env_img);
	const gchar *argv[] = {"mkenvimage", "-s", "0x4000", "-o", env_img, env_txt, NULL};

	otad_boot_test_require_uboot ();
	otad_boot_test_write (config, line);
	otad_boot_test_write (env_txt, "bootcount=0\nupgrade_available=0\nbootlimit=3\n");
	g_free (otad_boot_test_run (argv));
	return g_steal_pointer (&config);
}

/* reads a variable with the real fw_printenv */
gchar *
otad_boot_test_uboot_get (const gchar *fw_env_config, const gchar *name)
{
	const gchar *argv[] = {"fw_printenv", "-c", fw_env_config, "-n", name, NULL};

	return otad_boot_test_run (argv);
}

void
otad_boot_test_uboot_set (const gchar *fw_env_config, const gchar *name, const gchar *value)
{
	const gchar *argv[] = {"fw_setenv", "-c", fw_env_config, name, value, NULL};

	g_free (otad_boot_test_run (argv));
}

/* the deployments as a fresh libostree load sees them: "csum.serial csum.serial ..." */
gchar *
otad_boot_test_sysroot_describe (OtadBootTestSysroot *ts)
{
	g_autoptr (OstreeSysroot) sysroot = otad_boot_test_sysroot_open (ts);
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (sysroot);
	g_autoptr (GString) str = g_string_new (NULL);

	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		const gchar *csum = ostree_deployment_get_csum (d);
		g_string_append_printf (str, "%s%s", i > 0 ? " " : "",
		                        g_strcmp0 (csum, ts->commit_a) == 0   ? "A"
		                        : g_strcmp0 (csum, ts->commit_b) == 0 ? "B"
		                                                              : "?");
	}
	return g_string_free (g_steal_pointer (&str), FALSE);
}
