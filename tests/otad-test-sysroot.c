/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdarg.h>

#include "otad-test-require.h"
#include "otad-test-sysroot.h"

void
otad_test_sysroot_require_tools (void)
{
	otad_test_require_program ("ostree", "ostree");
	/* deployments carry the immutable bit: without chattr they cannot be removed */
	otad_test_require_program ("chattr", "e2fsprogs");
}

/**
 * otad_test_sysroot_run:
 * @out: (out) (optional): stdout with surrounding whitespace removed
 *
 * Runs a command from PATH and fails with its stderr when it exits non-zero.
 */
gboolean
otad_test_sysroot_run (GError **error, gchar **out, const gchar *argv0, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new ();
	g_autofree gchar *stdout_buf = NULL;
	g_autofree gchar *stderr_buf = NULL;
	gint status = 0;
	va_list ap;

	g_ptr_array_add (argv, (gpointer)argv0);
	va_start (ap, argv0);
	for (const gchar *arg = va_arg (ap, const gchar *); arg != NULL;
	     arg = va_arg (ap, const gchar *))
		g_ptr_array_add (argv, (gpointer)arg);
	va_end (ap);
	g_ptr_array_add (argv, NULL);

	if (!g_spawn_sync (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
			   &stdout_buf, &stderr_buf, &status, error))
		return FALSE;
	if (!g_spawn_check_wait_status (status, error)) {
		g_autofree gchar *cmd = g_strjoinv (" ", (gchar **)argv->pdata);
		g_prefix_error (error, "%s: %s: ", cmd, g_strstrip (stderr_buf));
		return FALSE;
	}
	if (out != NULL)
		*out = g_strdup (g_strstrip (stdout_buf));
	return TRUE;
}

/**
 * otad_test_sysroot_commit:
 *
 * Commits the test tree, changed so the commit differs from the others, to the ref.
 *
 * Returns: (transfer full): the new commit checksum
 */
gchar *
otad_test_sysroot_commit (OtadTestSysroot *self, const gchar *version, GError **error)
{
	g_autofree gchar *tree = g_build_filename (self->tmpdir, "tree", NULL);
	g_autofree gchar *marker = g_build_filename (tree, "usr", "lib", "otad-test-version", NULL);
	g_autofree gchar *repo_arg = g_strdup_printf ("--repo=%s", self->repo);
	g_autofree gchar *branch_arg = g_strdup_printf ("--branch=%s", self->ref);
	g_autofree gchar *version_arg =
	    g_strdup_printf ("--add-metadata-string=version=%s", version);
	g_autofree gchar *tree_arg = g_strdup_printf ("--tree=dir=%s", tree);
	g_autofree gchar *subject_arg = g_strdup_printf ("--subject=version %s", version);
	gchar *checksum = NULL;

	if (!g_file_set_contents (marker, version, -1, error))
		return NULL;
	if (!otad_test_sysroot_run (error, &checksum, "ostree", repo_arg, "commit", branch_arg,
				    version_arg, tree_arg, "--owner-uid=0", "--owner-gid=0",
				    "--no-xattrs", subject_arg, NULL))
		return NULL;
	self->n_commits++;
	return checksum;
}

/**
 * otad_test_sysroot_pull:
 *
 * Pulls @checksum into the sysroot repo and gives it a ref of its own, so
 * deploy's cleanup, which prunes commits that no ref holds, keeps it.
 */
gboolean
otad_test_sysroot_pull (OtadTestSysroot *self, const gchar *checksum, GError **error)
{
	g_autofree gchar *sysroot_repo = g_build_filename (self->sysroot, "ostree", "repo", NULL);
	g_autofree gchar *repo_arg = g_strdup_printf ("--repo=%s", sysroot_repo);
	g_autofree gchar *keep_arg = g_strdup_printf ("--create=otad-test-keep/%s", checksum);

	if (!otad_test_sysroot_run (error, NULL, "ostree", repo_arg, "pull-local", self->repo,
				    checksum, NULL))
		return FALSE;
	return otad_test_sysroot_run (error, NULL, "ostree", repo_arg, "refs", keep_arg, checksum,
				      NULL);
}

/**
 * otad_test_sysroot_deploy:
 *
 * Pulls @checksum into the sysroot repo, points the ref at it and deploys the ref, so
 * the new deployment becomes the default with origin refspec = the ref.
 */
gboolean
otad_test_sysroot_deploy (OtadTestSysroot *self, const gchar *checksum, GError **error)
{
	g_autofree gchar *sysroot_repo = g_build_filename (self->sysroot, "ostree", "repo", NULL);
	g_autofree gchar *repo_arg = g_strdup_printf ("--repo=%s", sysroot_repo);
	g_autofree gchar *ref_arg = g_strdup_printf ("--create=%s", self->ref);
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", self->sysroot);
	g_autofree gchar *os_arg = g_strdup_printf ("--os=%s", self->osname);
	g_autoptr(GError) error_local = NULL;

	if (!otad_test_sysroot_pull (self, checksum, error))
		return FALSE;
	/* the ref may not exist yet */
	(void)otad_test_sysroot_run (&error_local, NULL, "ostree", repo_arg, "refs", "--delete",
				     self->ref, NULL);
	if (!otad_test_sysroot_run (error, NULL, "ostree", repo_arg, "refs", ref_arg, checksum,
				    NULL))
		return FALSE;
	return otad_test_sysroot_run (error, NULL, "ostree", "admin", sysroot_arg, "deploy",
				      os_arg, self->ref, NULL);
}

static gboolean
otad_test_sysroot_write_tree (OtadTestSysroot *self, GError **error)
{
	g_autofree gchar *tree = g_build_filename (self->tmpdir, "tree", NULL);
	const gchar *dirs[] = {"usr/lib/modules/6.1.0", "usr/bin", "usr/etc", "var", NULL};
	const struct {
		const gchar *path;
		const gchar *contents;
	} files[] = {
	    {"usr/lib/modules/6.1.0/vmlinuz", "kernel\n"},
	    {"usr/lib/modules/6.1.0/initramfs.img", "initramfs\n"},
	};
	g_autofree gchar *os_release = g_strdup_printf ("NAME=%s\nID=%s\n", self->osname,
							self->osname);
	g_autofree gchar *hostname = g_strdup_printf ("%s\n", self->osname);
	g_autofree gchar *os_release_path = g_build_filename (tree, "usr/lib/os-release", NULL);
	g_autofree gchar *hostname_path = g_build_filename (tree, "usr/etc/hostname", NULL);

	for (guint i = 0; dirs[i] != NULL; i++) {
		g_autofree gchar *path = g_build_filename (tree, dirs[i], NULL);
		if (g_mkdir_with_parents (path, 0755) != 0) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mkdir %s failed", path);
			return FALSE;
		}
	}
	for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autofree gchar *path = g_build_filename (tree, files[i].path, NULL);
		if (!g_file_set_contents (path, files[i].contents, -1, error))
			return FALSE;
	}
	return g_file_set_contents (os_release_path, os_release, -1, error) &&
	       g_file_set_contents (hostname_path, hostname, -1, error);
}

/**
 * otad_test_sysroot_new_full:
 * @osname: the stateroot, also the os-release ID; the ref is `OSNAME/x86_64`
 * @flags: %OTAD_TEST_SYSROOT_NO_DEPLOY: pull A and B into the sysroot repo
 *   but deploy nothing
 *
 * Returns: (transfer full): repo + sysroot with deployments B (default) and A
 *   (rollback), or none
 */
OtadTestSysroot *
otad_test_sysroot_new_full (const gchar *osname, OtadTestSysrootFlags flags, GError **error)
{
	g_autoptr(OtadTestSysroot) self = g_new0 (OtadTestSysroot, 1);
	g_autofree gchar *repo_arg = NULL;
	g_autofree gchar *sysroot_arg = NULL;

	otad_test_sysroot_require_tools ();
	self->tmpdir = g_dir_make_tmp ("otad-test-sysroot-XXXXXX", error);
	if (self->tmpdir == NULL)
		return NULL;
	self->repo = g_build_filename (self->tmpdir, "repo", NULL);
	self->sysroot = g_build_filename (self->tmpdir, "sysroot", NULL);
	self->osname = g_strdup (osname);
	self->ref = g_strdup_printf ("%s/x86_64", osname);
	repo_arg = g_strdup_printf ("--repo=%s", self->repo);
	sysroot_arg = g_strdup_printf ("--sysroot=%s", self->sysroot);

	if (!otad_test_sysroot_write_tree (self, error))
		return NULL;
	if (!otad_test_sysroot_run (error, NULL, "ostree", repo_arg, "init", "--mode=archive",
				    NULL))
		return NULL;
	self->commit_a = otad_test_sysroot_commit (self, "1.0", error);
	if (self->commit_a == NULL)
		return NULL;
	self->commit_b = otad_test_sysroot_commit (self, "2.0", error);
	if (self->commit_b == NULL)
		return NULL;

	if (g_mkdir (self->sysroot, 0755) != 0) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mkdir %s failed",
			     self->sysroot);
		return NULL;
	}
	if (!otad_test_sysroot_run (error, NULL, "ostree", "admin", "init-fs", self->sysroot,
				    NULL))
		return NULL;
	if (!otad_test_sysroot_run (error, NULL, "ostree", "admin", sysroot_arg, "os-init",
				    self->osname, NULL))
		return NULL;
	if (flags & OTAD_TEST_SYSROOT_NO_DEPLOY) {
		if (!otad_test_sysroot_pull (self, self->commit_a, error) ||
		    !otad_test_sysroot_pull (self, self->commit_b, error))
			return NULL;
		return g_steal_pointer (&self);
	}
	if (!otad_test_sysroot_deploy (self, self->commit_a, error))
		return NULL;
	if (!otad_test_sysroot_deploy (self, self->commit_b, error))
		return NULL;
	return g_steal_pointer (&self);
}

/**
 * otad_test_sysroot_new:
 *
 * Returns: (transfer full): repo + sysroot with deployments B (default) and A (rollback)
 */
OtadTestSysroot *
otad_test_sysroot_new (GError **error)
{
	return otad_test_sysroot_new_full ("otadtest", OTAD_TEST_SYSROOT_NONE, error);
}

/**
 * otad_test_sysroot_rm_rf:
 *
 * Removes @dir and everything below it, deployments included.
 */
gboolean
otad_test_sysroot_rm_rf (const gchar *dir, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	otad_test_require_program ("chattr", "e2fsprogs");
	/* deploy dirs carry the immutable bit; chattr complains about symlinks */
	(void)otad_test_sysroot_run (&error_local, NULL, "chattr", "-R", "-i", dir, NULL);
	return otad_test_sysroot_run (error, NULL, "rm", "-rf", dir, NULL);
}

void
otad_test_sysroot_free (OtadTestSysroot *self)
{
	if (self == NULL)
		return;
	if (self->tmpdir != NULL) {
		g_autoptr(GError) error = NULL;

		if (!otad_test_sysroot_rm_rf (self->tmpdir, &error))
			g_printerr ("failed to remove %s: %s\n", self->tmpdir, error->message);
	}
	g_free (self->tmpdir);
	g_free (self->repo);
	g_free (self->sysroot);
	g_free (self->osname);
	g_free (self->ref);
	g_free (self->commit_a);
	g_free (self->commit_b);
	g_free (self);
}
