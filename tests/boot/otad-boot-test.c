/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "otad-boot-test.h"

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
	/* deployment directories carry the immutable bit */
	const gchar *chattr[] = {"chattr", "-R", "-i", dir, NULL};
	const gchar *rm[] = {"rm", "-rf", dir, NULL};

	g_spawn_sync (NULL, (gchar **)chattr, NULL,
	              G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
	              NULL, NULL, NULL, NULL, NULL, NULL);
	g_spawn_sync (NULL, (gchar **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
	              NULL);
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

static gchar *
otad_boot_test_commit (OtadBootTestSysroot *ts, const gchar *tree, const gchar *version)
{
	g_autofree gchar *repo_arg = g_strdup_printf ("--repo=%s", ts->repo);
	g_autofree gchar *tree_arg = g_strdup_printf ("--tree=dir=%s", tree);
	g_autofree gchar *version_arg =
	    g_strdup_printf ("--add-metadata-string=version=%s", version);
	const gchar *argv[] = {
	    "ostree", repo_arg,        "commit",        "-b",          "demo/x86_64", version_arg,
	    tree_arg, "--owner-uid=0", "--owner-gid=0", "--no-xattrs", "-s",          version,
	    NULL};

	return otad_boot_test_run (argv);
}

OtadBootTestSysroot *
otad_boot_test_sysroot_new (void)
{
	g_autoptr (GError) error = NULL;
	OtadBootTestSysroot *ts = g_new0 (OtadBootTestSysroot, 1);
	g_autofree gchar *tree = NULL;
	g_autofree gchar *file = NULL;
	g_autofree gchar *repo_arg = NULL;
	g_autofree gchar *sysroot_arg = NULL;
	g_autofree gchar *sysroot_repo_arg = NULL;

	ts->dir = g_dir_make_tmp ("otad-boot-XXXXXX", &error);
	g_assert_no_error (error);
	ts->repo = g_build_filename (ts->dir, "repo", NULL);
	ts->sysroot = g_build_filename (ts->dir, "sysroot", NULL);
	tree = g_build_filename (ts->dir, "tree", NULL);

	/* what `ostree admin deploy` needs: a kernel, /usr/etc, os-release, /var */
	file = g_build_filename (tree, "usr/lib/modules/6.1.0/vmlinuz", NULL);
	otad_boot_test_write (file, "kernel\n");
	g_free (file);
	file = g_build_filename (tree, "usr/lib/modules/6.1.0/initramfs.img", NULL);
	otad_boot_test_write (file, "initramfs\n");
	g_free (file);
	file = g_build_filename (tree, "usr/lib/os-release", NULL);
	otad_boot_test_write (file, "NAME=demo\nID=demo\n");
	g_free (file);
	file = g_build_filename (tree, "usr/etc/hostname", NULL);
	otad_boot_test_write (file, "demo\n");
	g_free (file);
	file = g_build_filename (tree, "var", NULL);
	g_assert_cmpint (g_mkdir_with_parents (file, 0755), ==, 0);
	g_free (file);

	repo_arg = g_strdup_printf ("--repo=%s", ts->repo);
	{
		const gchar *argv[] = {"ostree", repo_arg, "init", "--mode=archive", NULL};
		g_free (otad_boot_test_run (argv));
	}
	ts->commit_a = otad_boot_test_commit (ts, tree, "1.0");
	file = g_build_filename (tree, "usr/bin/newtool", NULL);
	otad_boot_test_write (file, "v2\n");
	ts->commit_b = otad_boot_test_commit (ts, tree, "2.0");
	otad_boot_test_rm_rf (tree);

	g_assert_cmpint (g_mkdir_with_parents (ts->sysroot, 0755), ==, 0);
	sysroot_arg = g_strdup_printf ("--sysroot=%s", ts->sysroot);
	sysroot_repo_arg = g_strdup_printf ("--repo=%s/ostree/repo", ts->sysroot);
	{
		const gchar *init[] = {"ostree", "admin", "init-fs", ts->sysroot, NULL};
		const gchar *os_init[] = {"ostree", "admin", sysroot_arg, "os-init", "demo", NULL};
		const gchar *pull[] = {"ostree",     sysroot_repo_arg, "pull-local", ts->repo,
		                       ts->commit_a, ts->commit_b,     NULL};
		const gchar *refs_a[] = {"ostree",     sysroot_repo_arg,       "refs",
		                         ts->commit_a, "--create=otad-test/a", NULL};
		const gchar *refs_b[] = {"ostree",     sysroot_repo_arg,       "refs",
		                         ts->commit_b, "--create=otad-test/b", NULL};
		g_free (otad_boot_test_run (init));
		g_free (otad_boot_test_run (os_init));
		g_free (otad_boot_test_run (pull));
		/* refs keep both commits through deploy's cleanup */
		g_free (otad_boot_test_run (refs_a));
		g_free (otad_boot_test_run (refs_b));
	}
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

/* a U-Boot environment in a plain file; returns the fw_env.config for it */
gchar *
otad_boot_test_uboot_env_new (const gchar *dir)
{
	g_autofree gchar *env_txt = g_build_filename (dir, "env.txt", NULL);
	g_autofree gchar *env_img = g_build_filename (dir, "uboot.env", NULL);
	g_autofree gchar *config = g_build_filename (dir, "fw_env.config", NULL);
	g_autofree gchar *line = g_strdup_printf ("%s 0x0000 0x4000\n", env_img);
	const gchar *argv[] = {"mkenvimage", "-s", "0x4000", "-o", env_img, env_txt, NULL};

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
