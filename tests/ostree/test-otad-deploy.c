/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-deploy.h"
#include "otad-pull.h"
#include "otad-test-ostree.h"

#define ASSERT_OK(expr)                                                                     \
	G_STMT_START                                                                        \
	{                                                                                   \
		gboolean ok_ = (expr);                                                      \
		g_assert_no_error (error);                                                  \
		g_assert_true (ok_);                                                        \
	}                                                                                   \
	G_STMT_END

/* a sysroot with Z (old) and A (default, "booted") deployed, B committed but not deployed */
typedef struct {
	gchar *tmp;
	gchar *sysroot;
	gchar *sysroot_arg;
	gchar *repo;
	gchar *z, *a, *b;
	gchar *a_booted; /* "A.0" */
	gchar *b_booted;
} Fixture;

static gchar *
fixture_commit (Fixture *fx, const gchar *tree, const gchar *subject, const gchar *ts)
{
	g_autofree gchar *repo_arg = g_strconcat ("--repo=", fx->repo, NULL);
	g_autofree gchar *tree_arg = g_strconcat ("--tree=dir=", tree, NULL);
	g_autofree gchar *subject_arg = g_strconcat ("--subject=", subject, NULL);
	g_autofree gchar *ts_arg = g_strconcat ("--timestamp=", ts, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GFile) path = g_file_new_for_path (fx->repo);
	g_autoptr(OstreeRepo) repo = ostree_repo_new (path);
	gchar *checksum;

	/* orphans: only otad's refs (as otad_pull_commit() writes them) hold the commits */
	checksum = OTAD_TEST_RUN (NULL, "ostree", repo_arg, "commit", "--orphan", tree_arg,
				  subject_arg, ts_arg, "--owner-uid=0", "--owner-gid=0",
				  "--no-xattrs");
	ASSERT_OK (ostree_repo_open (repo, NULL, &error));
	ASSERT_OK (ostree_repo_set_ref_immediate (repo, "otad-treehub", subject, checksum, NULL,
						  &error));
	return checksum;
}

static gchar *
fixture_deployment_dir (Fixture *fx, const gchar *checksum, gint serial)
{
	return g_strdup_printf ("%s/ostree/deploy/demo/deploy/%s.%d", fx->sysroot, checksum,
				serial);
}

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
	g_autofree gchar *tree = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *etc = NULL;
	g_autofree gchar *a_dir = NULL;
	g_autofree gchar *path = NULL;

	fx->tmp = otad_test_make_tmpdir ();
	fx->sysroot = g_build_filename (fx->tmp, "sysroot", NULL);
	fx->sysroot_arg = g_strconcat ("--sysroot=", fx->sysroot, NULL);
	fx->repo = g_build_filename (fx->sysroot, "ostree", "repo", NULL);
	g_assert_cmpint (g_mkdir (fx->sysroot, 0755), ==, 0);
	out = OTAD_TEST_RUN (NULL, "ostree", "admin", "init-fs", fx->sysroot);
	g_clear_pointer (&out, g_free);
	out = OTAD_TEST_RUN (NULL, "ostree", "admin", fx->sysroot_arg, "os-init", "demo");
	g_clear_pointer (&out, g_free);

	tree = otad_test_make_tree (fx->tmp);
	fx->z = fixture_commit (fx, tree, "z", "2025-12-01");
	path = g_build_filename (tree, "usr/bin/tool", NULL);
	otad_test_write_text (path, "v1\n");
	fx->a = fixture_commit (fx, tree, "a", "2026-01-01");
	otad_test_write_text (path, "v2\n");
	g_free (path);
	path = g_build_filename (tree, "usr/etc/new-in-b.conf", NULL);
	otad_test_write_text (path, "b\n");
	fx->b = fixture_commit (fx, tree, "b", "2026-02-01");
	fx->a_booted = g_strconcat (fx->a, ".0", NULL);
	fx->b_booted = g_strconcat (fx->b, ".0", NULL);

	/* Z with kernel arguments, then A on top of it: A inherits them */
	out = OTAD_TEST_RUN (NULL, "ostree", "admin", fx->sysroot_arg, "deploy", "--os=demo",
			     "--karg=root=LABEL=otad", "--karg=otad.test=kept", fx->z);
	g_clear_pointer (&out, g_free);
	out = OTAD_TEST_RUN (NULL, "ostree", "admin", fx->sysroot_arg, "deploy", "--os=demo",
			     fx->a);
	g_clear_pointer (&out, g_free);

	/* a local change to /etc on the running system */
	a_dir = fixture_deployment_dir (fx, fx->a, 0);
	etc = g_build_filename (a_dir, "etc", "otad-test.conf", NULL);
	otad_test_write_text (etc, "value=local\n");
	g_free (etc);
	etc = g_build_filename (a_dir, "etc", "local-only.conf", NULL);
	otad_test_write_text (etc, "mine\n");
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
	otad_test_rm_rf (fx->tmp);
	g_free (fx->tmp);
	g_free (fx->sysroot);
	g_free (fx->sysroot_arg);
	g_free (fx->repo);
	g_free (fx->z);
	g_free (fx->a);
	g_free (fx->b);
	g_free (fx->a_booted);
	g_free (fx->b_booted);
}

static GPtrArray *
fixture_deployments (Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	OtadDeployOptions options = { .sysroot_path = fx->sysroot };
	g_autoptr(OstreeSysroot) sysroot = otad_deploy_open_sysroot (&options, FALSE, NULL,
								      &error);

	g_assert_no_error (error);
	return ostree_sysroot_get_deployments (sysroot);
}

static gboolean
fixture_has_commit (Fixture *fx, const gchar *checksum)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GFile) path = g_file_new_for_path (fx->repo);
	g_autoptr(OstreeRepo) repo = ostree_repo_new (path);
	gboolean have = FALSE;

	ASSERT_OK (ostree_repo_open (repo, NULL, &error));
	ASSERT_OK (ostree_repo_has_object (repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, &have, NULL,
					   &error));
	return have;
}

static gchar *
fixture_read (const gchar *dir, const gchar *relpath)
{
	g_autofree gchar *path = g_build_filename (dir, relpath, NULL);
	g_autoptr(GError) error = NULL;
	gchar *contents = NULL;

	g_file_get_contents (path, &contents, NULL, &error);
	g_assert_no_error (error);
	return contents;
}

/* A booted, B deployed: B default, A the one rollback, /etc merged, kargs kept */
static void
test_deploy_ab (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) deployments = NULL;
	g_auto(OtadDeployResult) result = { 0 };
	g_autofree gchar *b_dir = NULL;
	g_autofree gchar *z_dir = fixture_deployment_dir (fx, fx->z, 0);
	g_autofree gchar *conf = NULL;
	g_autofree gchar *local = NULL;
	g_autofree gchar *tool = NULL;
	g_autofree gchar *refspec = NULL;
	g_autofree gchar *override = NULL;
	OtadDeployOptions options = {
		.sysroot_path = fx->sysroot,
		.refspec = "otad-treehub:b",
		.test_booted = fx->a_booted,
	};
	OstreeBootconfigParser *bootconfig;
	GKeyFile *origin;
	const gchar *kargs;

	g_assert_cmpuint (fixture_deployments (fx)->len, ==, 2);
	ASSERT_OK (otad_deploy_commit (&options, fx->b, &result, NULL, &error));
	g_assert_false (result.staged);
	g_assert_cmpstr (result.checksum, ==, fx->b);
	g_assert_cmpstr (result.rollback_checksum, ==, fx->a);

	deployments = fixture_deployments (fx);
	g_assert_cmpuint (deployments->len, ==, 2);
	g_assert_cmpstr (ostree_deployment_get_csum (deployments->pdata[0]), ==, fx->b);
	g_assert_cmpstr (ostree_deployment_get_csum (deployments->pdata[1]), ==, fx->a);

	b_dir = fixture_deployment_dir (fx, fx->b, 0);
	conf = fixture_read (b_dir, "etc/otad-test.conf");
	g_assert_cmpstr (conf, ==, "value=local\n");
	local = fixture_read (b_dir, "etc/local-only.conf");
	g_assert_cmpstr (local, ==, "mine\n");
	g_free (g_steal_pointer (&local));
	local = fixture_read (b_dir, "etc/new-in-b.conf");
	g_assert_cmpstr (local, ==, "b\n");
	tool = fixture_read (b_dir, "usr/bin/tool");
	g_assert_cmpstr (tool, ==, "v2\n");

	bootconfig = ostree_deployment_get_bootconfig (deployments->pdata[0]);
	kargs = ostree_bootconfig_parser_get (bootconfig, "options");
	g_test_message ("kargs of B: %s", kargs);
	g_assert_nonnull (strstr (kargs, "otad.test=kept"));
	g_assert_nonnull (strstr (kargs, "root=LABEL=otad"));

	origin = ostree_deployment_get_origin (deployments->pdata[0]);
	refspec = g_key_file_get_string (origin, "origin", "refspec", NULL);
	override = g_key_file_get_string (origin, "origin", "override-commit", NULL);
	g_assert_cmpstr (refspec, ==, "otad-treehub:b");
	g_assert_cmpstr (override, ==, fx->b);

	/* nothing pruned before the new deployment is confirmed */
	g_assert_true (g_file_test (z_dir, G_FILE_TEST_IS_DIR));
	g_assert_true (fixture_has_commit (fx, fx->z));
}

/* after confirmation, cleanup prunes what is neither B nor the rollback A */
static void
test_deploy_cleanup (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) deployments = NULL;
	g_autofree gchar *z_dir = fixture_deployment_dir (fx, fx->z, 0);
	g_autofree gchar *a_dir = fixture_deployment_dir (fx, fx->a, 0);
	g_autofree gchar *z_ref = NULL;
	g_autofree gchar *a_ref = NULL;
	OtadDeployOptions options = {
		.sysroot_path = fx->sysroot,
		.refspec = "otad-treehub:b",
		.test_booted = fx->a_booted,
	};
	g_autoptr(GFile) path = g_file_new_for_path (fx->repo);
	g_autoptr(OstreeRepo) repo = ostree_repo_new (path);

	ASSERT_OK (otad_deploy_commit (&options, fx->b, NULL, NULL, &error));
	/* the system rebooted into B and B was confirmed good */
	options.test_booted = fx->b_booted;
	ASSERT_OK (otad_deploy_cleanup (&options, "otad-treehub", NULL, &error));

	deployments = fixture_deployments (fx);
	g_assert_cmpuint (deployments->len, ==, 2);
	g_assert_cmpstr (ostree_deployment_get_csum (deployments->pdata[0]), ==, fx->b);
	g_assert_cmpstr (ostree_deployment_get_csum (deployments->pdata[1]), ==, fx->a);
	g_assert_false (g_file_test (z_dir, G_FILE_TEST_EXISTS));
	g_assert_true (g_file_test (a_dir, G_FILE_TEST_IS_DIR));
	g_assert_false (fixture_has_commit (fx, fx->z));
	g_assert_true (fixture_has_commit (fx, fx->a));
	g_assert_true (fixture_has_commit (fx, fx->b));
	ASSERT_OK (ostree_repo_open (repo, NULL, &error));
	ASSERT_OK (ostree_repo_resolve_rev (repo, "otad-treehub:z", TRUE, &z_ref, &error));
	ASSERT_OK (ostree_repo_resolve_rev (repo, "otad-treehub:a", TRUE, &a_ref, &error));
	g_assert_null (z_ref);
	g_assert_cmpstr (a_ref, ==, fx->a);
}

/* three deployments (made by someone else with --retain): cleanup keeps one rollback */
static void
test_deploy_cleanup_one_rollback (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) deployments = NULL;
	g_autofree gchar *out = OTAD_TEST_RUN (NULL, "ostree", "admin", fx->sysroot_arg, "deploy",
					       "--os=demo", "--retain", fx->b);
	OtadDeployOptions options = { .sysroot_path = fx->sysroot, .test_booted = fx->b_booted };

	g_assert_cmpuint (fixture_deployments (fx)->len, ==, 3);
	ASSERT_OK (otad_deploy_cleanup (&options, "otad-treehub", NULL, &error));
	deployments = fixture_deployments (fx);
	g_assert_cmpuint (deployments->len, ==, 2);
	g_assert_cmpstr (ostree_deployment_get_csum (deployments->pdata[0]), ==, fx->b);
	g_assert_cmpstr (ostree_deployment_get_csum (deployments->pdata[1]), ==, fx->a);
	g_assert_false (fixture_has_commit (fx, fx->z));
}

/* refusals: an unknown or incomplete commit, an unknown test deployment, the real root */
static void
test_deploy_refused (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadDeployOptions options = {
		.sysroot_path = fx->sysroot,
		.refspec = "otad-treehub:b",
		.test_booted = fx->a_booted,
	};

	g_assert_false (otad_deploy_commit (&options, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL, NULL, &error));
	g_assert_nonnull (error);
	g_clear_error (&error);

	options.test_booted = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.0";
	g_assert_false (otad_deploy_commit (&options, fx->b, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	g_clear_error (&error);

	options.sysroot_path = "/";
	options.test_booted = fx->a_booted;
	g_assert_false (otad_deploy_commit (&options, fx->b, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	/* nothing changed */
	g_assert_cmpuint (fixture_deployments (fx)->len, ==, 2);
	g_assert_cmpstr (ostree_deployment_get_csum (fixture_deployments (fx)->pdata[0]), ==,
			 fx->a);
}

/* the trial boot cannot be armed: the failure is the caller's error */
static gboolean
arm_fails (OstreeSysroot *sysroot, OstreeDeployment *deployment, gpointer user_data,
	   GCancellable *cancellable, GError **error)
{
	gchar **armed = user_data;

	*armed = g_strdup (ostree_deployment_get_csum (deployment));
	g_set_error_literal (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT, "fw_setenv failed");
	return FALSE;
}

static gchar *
deployments_text (Fixture *fx)
{
	g_autoptr(GPtrArray) deployments = fixture_deployments (fx);
	GString *text = g_string_new (NULL);

	for (guint i = 0; i < deployments->len; i++)
		g_string_append_printf (text, "%s.%d ",
					ostree_deployment_get_csum (deployments->pdata[i]),
					ostree_deployment_get_deployserial (deployments->pdata[i]));
	return g_string_free (text, FALSE);
}

/* a new deployment whose trial boot could not be armed never stays the default */
static void
test_deploy_arm_fails (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *before = deployments_text (fx);
	g_autofree gchar *after = NULL;
	g_autofree gchar *armed = NULL;
	OtadDeployOptions options = {
		.sysroot_path = fx->sysroot,
		.refspec = "otad-treehub:b",
		.test_booted = fx->a_booted,
	};

	g_assert_false (otad_deploy_commit_armed (&options, fx->b, arm_fails, &armed, NULL, NULL,
						  &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT);
	g_assert_cmpstr (armed, ==, fx->b);
	after = deployments_text (fx);
	g_assert_cmpstr (after, ==, before);
	g_assert_cmpstr (ostree_deployment_get_csum (fixture_deployments (fx)->pdata[0]), ==,
			 fx->a);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_ostree_require_tools ();
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD ("/otad/deploy/ab", test_deploy_ab);
	ADD ("/otad/deploy/cleanup", test_deploy_cleanup);
	ADD ("/otad/deploy/cleanup-one-rollback", test_deploy_cleanup_one_rollback);
	ADD ("/otad/deploy/refused", test_deploy_refused);
	ADD ("/otad/deploy/arm-fails", test_deploy_arm_fails);
	return g_test_run ();
}
