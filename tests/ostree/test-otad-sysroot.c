/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-sysroot.h"
#include "otad-test-sysroot.h"
#include "otad-test-require.h"

typedef struct {
	OtadTestSysroot *ts; /* (owned) */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->ts = otad_test_sysroot_new (&error);
	g_assert_no_error (error);
	g_assert_nonnull (fx->ts);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
	g_clear_pointer (&fx->ts, otad_test_sysroot_free);
}

static OtadSysroot *
load_sysroot (Fixture *fx, const gchar *test_booted)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadSysroot) sysroot = otad_sysroot_new (fx->ts->sysroot, test_booted, &error);

	g_assert_no_error (error);
	g_assert_true (otad_sysroot_load (sysroot, NULL, &error));
	g_assert_no_error (error);
	return g_steal_pointer (&sysroot);
}

/* checks the a{sv} of @role against what the ostree CLI made */
static void
assert_role (OtadSysroot *sysroot,
	     OtadSysrootRole role,
	     const gchar *checksum,
	     const gchar *version,
	     gint index,
	     gboolean booted)
{
	g_autoptr(GVariant) v = otad_sysroot_dup_role_variant (sysroot, role);
	const gchar *str = NULL;
	gint32 num = -1;
	gboolean flag = FALSE;

	g_assert_true (g_variant_is_of_type (v, G_VARIANT_TYPE_VARDICT));
	if (checksum == NULL) {
		g_assert_cmpuint (g_variant_n_children (v), ==, 0);
		g_assert_null (otad_sysroot_get_deployment (sysroot, role));
		return;
	}
	g_assert_true (g_variant_lookup (v, "checksum", "&s", &str));
	g_assert_cmpstr (str, ==, checksum);
	g_assert_true (g_variant_lookup (v, "version", "&s", &str));
	g_assert_cmpstr (str, ==, version);
	g_assert_true (g_variant_lookup (v, "osname", "&s", &str));
	g_assert_cmpstr (str, ==, "otadtest");
	g_assert_true (g_variant_lookup (v, "origin", "&s", &str));
	g_assert_cmpstr (str, ==, "otadtest/x86_64");
	g_assert_true (g_variant_lookup (v, "index", "i", &num));
	g_assert_cmpint (num, ==, index);
	g_assert_true (g_variant_lookup (v, "serial", "i", &num));
	g_assert_cmpint (num, ==, 0);
	g_assert_true (g_variant_lookup (v, "booted", "b", &flag));
	g_assert_cmpint (flag, ==, booted);
	g_assert_true (g_variant_lookup (v, "staged", "b", &flag));
	g_assert_false (flag);
	g_assert_true (g_variant_lookup (v, "pinned", "b", &flag));
	g_assert_false (flag);
	g_assert_cmpstr (ostree_deployment_get_csum (otad_sysroot_get_deployment (sysroot, role)),
			 ==, checksum);
}

static void
test_roles_not_booted (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadSysroot) sysroot = load_sysroot (fx, NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", fx->ts->sysroot);
	g_autofree gchar *status = NULL;
	const gchar *pos_a;
	const gchar *pos_b;

	/* ostree itself lists B (newest, default) before A */
	g_assert_true (otad_test_sysroot_run (&error, &status, "ostree", "admin", sysroot_arg,
					      "status", NULL));
	g_assert_no_error (error);
	pos_a = strstr (status, fx->ts->commit_a);
	pos_b = strstr (status, fx->ts->commit_b);
	g_assert_nonnull (pos_a);
	g_assert_nonnull (pos_b);
	g_assert_true (pos_b < pos_a);

	g_assert_cmpuint (otad_sysroot_get_deployments (sysroot)->len, ==, 2);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_BOOTED, NULL, NULL, 0, FALSE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_DEFAULT, fx->ts->commit_b, "2.0", 0, FALSE);
	/* nothing runs, so the default is waiting for a boot */
	assert_role (sysroot, OTAD_SYSROOT_ROLE_PENDING, fx->ts->commit_b, "2.0", 0, FALSE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_ROLLBACK, fx->ts->commit_a, "1.0", 1, FALSE);
	g_assert_false (otad_sysroot_is_test (sysroot));
}

/* A runs, B was deployed and waits for the reboot: the usual "update pending" picture */
static void
test_roles_booted_old (Fixture *fx, gconstpointer data)
{
	g_autoptr(OtadSysroot) sysroot = load_sysroot (fx, fx->ts->commit_a);

	g_assert_true (otad_sysroot_is_test (sysroot));
	assert_role (sysroot, OTAD_SYSROOT_ROLE_BOOTED, fx->ts->commit_a, "1.0", 1, TRUE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_PENDING, fx->ts->commit_b, "2.0", 0, FALSE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_ROLLBACK, fx->ts->commit_a, "1.0", 1, TRUE);
}

/* B runs: nothing pending, A is the other slot */
static void
test_roles_booted_new (Fixture *fx, gconstpointer data)
{
	g_autofree gchar *spec = g_strdup_printf ("%s.0", fx->ts->commit_b);
	g_autoptr(OtadSysroot) sysroot = load_sysroot (fx, spec);

	assert_role (sysroot, OTAD_SYSROOT_ROLE_BOOTED, fx->ts->commit_b, "2.0", 0, TRUE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_DEFAULT, fx->ts->commit_b, "2.0", 0, TRUE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_PENDING, NULL, NULL, 0, FALSE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_ROLLBACK, fx->ts->commit_a, "1.0", 1, FALSE);
}

static void
test_test_booted_errors (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadSysroot) sysroot = NULL;
	g_autofree gchar *link = g_build_filename (fx->ts->tmpdir, "root-link", NULL);
	g_autofree gchar *wrong_serial = g_strdup_printf ("%s.7", fx->ts->commit_a);
	g_autofree gchar *bad_serial = g_strdup_printf ("%s.x", fx->ts->commit_a);
	gchar *csum = NULL;
	gint serial = 0;

	/* never on the real system root, also not through a symlink */
	sysroot = otad_sysroot_new ("/", fx->ts->commit_a, &error);
	g_assert_null (sysroot);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "refused for the system root"));
	g_clear_error (&error);
	g_assert_cmpint (symlink ("/", link), ==, 0);
	sysroot = otad_sysroot_new (link, fx->ts->commit_a, &error);
	g_assert_null (sysroot);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	/* malformed */
	g_assert_false (otad_sysroot_parse_test_booted ("abc", &csum, &serial, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	g_assert_false (otad_sysroot_parse_test_booted (bad_serial, &csum, &serial, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	g_assert_true (otad_sysroot_parse_test_booted (wrong_serial, &csum, &serial, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (csum, ==, fx->ts->commit_a);
	g_assert_cmpint (serial, ==, 7);
	g_free (csum);

	/* well-formed but not deployed */
	sysroot = otad_sysroot_new (fx->ts->sysroot, wrong_serial, &error);
	g_assert_no_error (error);
	g_assert_false (otad_sysroot_load (sysroot, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_clear_object (&sysroot);

	/* not a sysroot at all */
	sysroot = otad_sysroot_new (fx->ts->repo, NULL, &error);
	g_assert_no_error (error);
	g_assert_false (otad_sysroot_load (sysroot, NULL, &error));
	g_assert_nonnull (error);
	g_assert_nonnull (strstr (error->message, "failed to load sysroot"));
}

static void
test_pinned (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", fx->ts->sysroot);
	g_autoptr(OtadSysroot) sysroot = NULL;
	g_autoptr(GVariant) v = NULL;
	gboolean pinned = FALSE;

	g_assert_true (otad_test_sysroot_run (&error, NULL, "ostree", "admin", sysroot_arg, "pin",
					      "1", NULL));
	g_assert_no_error (error);
	sysroot = load_sysroot (fx, NULL);
	v = otad_sysroot_dup_role_variant (sysroot, OTAD_SYSROOT_ROLE_ROLLBACK);
	g_assert_true (g_variant_lookup (v, "pinned", "b", &pinned));
	g_assert_true (pinned);
}

static void
changed_cb (OtadSysroot *sysroot, gpointer user_data)
{
	guint *count = user_data;
	(*count)++;
}

static gboolean
timeout_cb (gpointer user_data)
{
	gboolean *timed_out = user_data;
	*timed_out = TRUE;
	return G_SOURCE_REMOVE;
}

/* waits at most 20 s for the ::changed count to reach @want */
static void
wait_changed (guint *changed, guint want)
{
	gboolean timed_out = FALSE;
	guint timeout_id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

	while (*changed < want && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	if (!timed_out)
		g_source_remove (timeout_id);
	g_assert_false (timed_out);
	g_assert_cmpuint (*changed, ==, want);
}

/* a deployment made by someone else shows up without being asked */
static void
test_reload_on_change (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadSysroot) sysroot = load_sysroot (fx, fx->ts->commit_b);
	g_autofree gchar *commit_c = NULL;
	g_autofree gchar *sysroot_arg = g_strdup_printf ("--sysroot=%s", fx->ts->sysroot);
	g_autoptr(GVariant) v = NULL;
	gboolean pinned = FALSE;
	guint changed = 0;

	g_signal_connect (sysroot, "changed", G_CALLBACK (changed_cb), &changed);
	g_assert_true (otad_sysroot_watch (sysroot, &error));
	g_assert_no_error (error);
	/* a reload without changes is quiet */
	g_assert_true (otad_sysroot_load (sysroot, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (changed, ==, 0);

	commit_c = otad_test_sysroot_commit (fx->ts, "3.0", &error);
	g_assert_no_error (error);
	g_assert_true (otad_test_sysroot_deploy (fx->ts, commit_c, &error));
	g_assert_no_error (error);

	wait_changed (&changed, 1);

	/* ostree keeps the new default and the previous one (B) and drops A */
	g_assert_cmpuint (otad_sysroot_get_deployments (sysroot)->len, ==, 2);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_BOOTED, fx->ts->commit_b, "2.0", 1, TRUE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_PENDING, commit_c, "3.0", 0, FALSE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_ROLLBACK, fx->ts->commit_b, "2.0", 1, TRUE);

	/* dropping the pending deployment leaves B alone: nothing pending, no rollback */
	g_assert_true (otad_test_sysroot_run (&error, NULL, "ostree", "admin", sysroot_arg,
					      "undeploy", "0", NULL));
	g_assert_no_error (error);
	wait_changed (&changed, 2);
	g_assert_cmpuint (otad_sysroot_get_deployments (sysroot)->len, ==, 1);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_BOOTED, fx->ts->commit_b, "2.0", 0, TRUE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_DEFAULT, fx->ts->commit_b, "2.0", 0, TRUE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_PENDING, NULL, NULL, 0, FALSE);
	assert_role (sysroot, OTAD_SYSROOT_ROLE_ROLLBACK, NULL, NULL, 0, FALSE);

	/* pinning changes the dictionaries too */
	g_assert_true (otad_test_sysroot_run (&error, NULL, "ostree", "admin", sysroot_arg, "pin",
					      "0", NULL));
	g_assert_no_error (error);
	wait_changed (&changed, 3);
	v = otad_sysroot_dup_role_variant (sysroot, OTAD_SYSROOT_ROLE_BOOTED);
	g_assert_true (g_variant_lookup (v, "pinned", "b", &pinned));
	g_assert_true (pinned);
}

/* the resolver for workers that hold a plain OstreeSysroot agrees with OtadSysroot */
static void
test_resolve_booted (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GFile) path = g_file_new_for_path (fx->ts->sysroot);
	g_autoptr(GFile) root_path = g_file_new_for_path ("/");
	g_autoptr(OstreeSysroot) sysroot = ostree_sysroot_new (path);
	g_autoptr(OstreeSysroot) root = ostree_sysroot_new (root_path);
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autofree gchar *spec_b = g_strdup_printf ("%s.0", fx->ts->commit_b);
	g_autofree gchar *spec_missing = g_strdup_printf ("%s.3", fx->ts->commit_b);

	g_assert_true (ostree_sysroot_load (sysroot, NULL, &error));
	g_assert_no_error (error);

	/* not booted, no override: nothing runs */
	g_assert_true (otad_sysroot_resolve_booted (sysroot, NULL, &booted, &error));
	g_assert_no_error (error);
	g_assert_null (booted);

	g_assert_true (otad_sysroot_resolve_booted (sysroot, fx->ts->commit_a, &booted, &error));
	g_assert_no_error (error);
	g_assert_nonnull (booted);
	g_assert_cmpstr (ostree_deployment_get_csum (booted), ==, fx->ts->commit_a);
	g_clear_object (&booted);

	g_assert_true (otad_sysroot_resolve_booted (sysroot, spec_b, &booted, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (ostree_deployment_get_csum (booted), ==, fx->ts->commit_b);
	g_assert_cmpint (ostree_deployment_get_index (booted), ==, 0);
	g_clear_object (&booted);

	g_assert_false (otad_sysroot_resolve_booted (sysroot, spec_missing, &booted, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	g_assert_null (booted);
	g_clear_error (&error);

	g_assert_false (otad_sysroot_resolve_booted (sysroot, "nonsense", &booted, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	/* never for the real root */
	g_assert_false (otad_sysroot_resolve_booted (root, fx->ts->commit_a, &booted, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_assert_null (booted);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_sysroot_require_tools ();
	(void)ota_error_quark ();

	g_test_add ("/otad/sysroot/roles-not-booted", Fixture, NULL, fixture_setup,
		    test_roles_not_booted, fixture_teardown);
	g_test_add ("/otad/sysroot/roles-booted-old", Fixture, NULL, fixture_setup,
		    test_roles_booted_old, fixture_teardown);
	g_test_add ("/otad/sysroot/roles-booted-new", Fixture, NULL, fixture_setup,
		    test_roles_booted_new, fixture_teardown);
	g_test_add ("/otad/sysroot/test-booted-errors", Fixture, NULL, fixture_setup,
		    test_test_booted_errors, fixture_teardown);
	g_test_add ("/otad/sysroot/resolve-booted", Fixture, NULL, fixture_setup,
		    test_resolve_booted, fixture_teardown);
	g_test_add ("/otad/sysroot/pinned", Fixture, NULL, fixture_setup, test_pinned,
		    fixture_teardown);
	g_test_add ("/otad/sysroot/reload-on-change", Fixture, NULL, fixture_setup,
		    test_reload_on_change, fixture_teardown);
	return g_test_run ();
}
