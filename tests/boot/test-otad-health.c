/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include "otad-health.h"
#include "otad-boot-test.h"
#include "otad-test-require.h"

typedef struct {
	gchar *dir;
	gchar *etc;
	gchar *usr;
	const gchar *dirs[3];
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;

	f->dir = g_dir_make_tmp ("otad-health-XXXXXX", &error);
	g_assert_no_error (error);
	f->etc = g_build_filename (f->dir, "etc", NULL);
	f->usr = g_build_filename (f->dir, "usr", NULL);
	f->dirs[0] = f->etc;
	f->dirs[1] = f->usr;
	f->dirs[2] = NULL;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	otad_boot_test_rm_rf (f->dir);
	g_free (f->dir);
	g_free (f->etc);
	g_free (f->usr);
}

static OtadHealthResult *
find_result (GPtrArray *results, const gchar *name)
{
	for (guint i = 0; i < results->len; i++) {
		OtadHealthResult *r = g_ptr_array_index (results, i);
		if (g_strcmp0 (r->name, name) == 0)
			return r;
	}
	return NULL;
}

static void
test_order_override_mask (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) paths = NULL;
	g_autofree gchar *readme = NULL;
	g_autofree gchar *masked = NULL;

	g_free (otad_boot_test_write_script (f->usr, "10-a", "exit 0"));
	g_free (otad_boot_test_write_script (f->usr, "20-b", "exit 1"));
	g_free (otad_boot_test_write_script (f->usr, "30-c", "exit 1"));
	g_free (otad_boot_test_write_script (f->etc, "20-b", "exit 0"));
	g_free (otad_boot_test_write_script (f->etc, "05-z", "exit 0"));
	g_free (otad_boot_test_write_script (f->etc, ".hidden", "exit 1"));
	g_free (otad_boot_test_write_script (f->etc, "40-d~", "exit 1"));
	masked = g_build_filename (f->etc, "30-c", NULL);
	g_assert_cmpint (symlink ("/dev/null", masked), ==, 0);
	readme = g_build_filename (f->etc, "README", NULL);
	g_assert_true (g_file_set_contents (readme, "not a check\n", -1, NULL));

	paths = otad_health_list_executables (f->dirs, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (paths->len, ==, 3);
	{
		g_autofree gchar *p0 = g_build_filename (f->etc, "05-z", NULL);
		g_autofree gchar *p1 = g_build_filename (f->usr, "10-a", NULL);
		g_autofree gchar *p2 = g_build_filename (f->etc, "20-b", NULL);
		g_assert_cmpstr (g_ptr_array_index (paths, 0), ==, p0);
		g_assert_cmpstr (g_ptr_array_index (paths, 1), ==, p1);
		g_assert_cmpstr (g_ptr_array_index (paths, 2), ==, p2);
	}

	/* the /etc override makes the otherwise failing 20-b pass */
	{
		OtadHealthOptions options = {.dirs = f->dirs, .timeout_ms = 20000};
		g_autoptr (GPtrArray) results = otad_health_run (&options, NULL, &error);
		g_autofree gchar *summary = NULL;
		g_assert_no_error (error);
		g_assert_cmpuint (results->len, ==, 3);
		g_assert_true (otad_health_results_passed (results));
		summary = otad_health_results_describe (results);
		g_assert_cmpstr (summary, ==, "all 3 health checks passed");
	}
}

static void
test_missing_dirs (Fixture *f, gconstpointer data)
{
	OtadHealthOptions options = {.dirs = f->dirs};
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = otad_health_run (&options, NULL, &error);

	g_assert_no_error (error);
	g_assert_cmpuint (results->len, ==, 0);
	g_assert_true (otad_health_results_passed (results));
}

static void
test_failure_reason (Fixture *f, gconstpointer data)
{
	OtadHealthOptions options = {.dirs = f->dirs, .timeout_ms = 20000};
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = NULL;
	g_autofree gchar *summary = NULL;
	OtadHealthResult *r;

	g_free (otad_boot_test_write_script (f->usr, "10-disk", "echo 'disk full' >&2\nexit 3"));
	g_free (otad_boot_test_write_script (f->usr, "20-net", "echo fine\nexit 0"));
	results = otad_health_run (&options, NULL, &error);
	g_assert_no_error (error);
	/* a failure does not stop the other checks */
	g_assert_cmpuint (results->len, ==, 2);
	g_assert_false (otad_health_results_passed (results));
	r = find_result (results, "10-disk");
	g_assert_nonnull (r);
	g_assert_false (r->passed);
	g_assert_cmpint (r->kind, ==, OTAD_HEALTH_CHECK_EXECUTABLE);
	g_assert_nonnull (strstr (r->reason, "exit status 3"));
	g_assert_nonnull (strstr (r->reason, "disk full"));
	r = find_result (results, "20-net");
	g_assert_true (r->passed);
	summary = otad_health_results_describe (results);
	g_assert_nonnull (strstr (summary, "10-disk"));
	g_assert_null (strstr (summary, "20-net"));
}

static void
test_timeout_kills (Fixture *f, gconstpointer data)
{
	g_autofree gchar *pidfile = g_build_filename (f->dir, "child.pid", NULL);
	g_autofree gchar *body =
	    g_strdup_printf ("sleep 60 &\necho $! > '%s'\nwait\nexit 0", pidfile);
	/* long enough for the shell to write its pid file even on a loaded machine */
	OtadHealthOptions options = {.dirs = f->dirs, .timeout_ms = 2000};
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = NULL;
	g_autofree gchar *pid_str = NULL;
	OtadHealthResult *r;
	guint64 pid = 0;
	gboolean gone = FALSE;

	g_free (otad_boot_test_write_script (f->usr, "10-hang", body));
	results = otad_health_run (&options, NULL, &error);
	g_assert_no_error (error);
	r = find_result (results, "10-hang");
	g_assert_nonnull (r);
	g_assert_false (r->passed);
	g_assert_nonnull (strstr (r->reason, "timed out"));

	/* the check's own child was killed with it (process group) */
	g_assert_true (g_file_get_contents (pidfile, &pid_str, NULL, NULL));
	g_assert_true (
	    g_ascii_string_to_unsigned (g_strstrip (pid_str), 10, 1, G_MAXINT, &pid, NULL));
	for (guint i = 0; i < 200 && !gone; i++) {
		g_autofree gchar *stat_path = g_strdup_printf ("/proc/%u/stat", (guint)pid);
		g_autofree gchar *stat = NULL;
		/* a killed but unreaped (zombie) child counts as gone */
		gone = !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
		       strstr (stat, ") Z ") != NULL;
		if (!gone)
			g_usleep (10000);
	}
	g_assert_true (gone);
}

static void
test_units (Fixture *f, gconstpointer data)
{
	g_autofree gchar *counter = g_build_filename (f->dir, "slow-count", NULL);
	g_autofree gchar *body = g_strdup_printf (
	    "test \"$1\" = is-active || exit 64\n"
	    "case \"$2\" in\n"
	    "good.service) echo active ;;\n"
	    "bad.service) echo failed; exit 3 ;;\n"
	    "gone.service) echo inactive; exit 3 ;;\n"
	    "slow.service) n=$(cat '%s' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '%s'\n"
	    "  if [ $n -lt 3 ]; then echo activating; exit 3; fi; echo active ;;\n"
	    "hang.service) echo activating; exit 3 ;;\n"
	    "*) exit 4 ;;\n"
	    "esac",
	    counter, counter);
	g_autofree gchar *systemctl = otad_boot_test_write_script (f->dir, "fake-systemctl", body);
	const gchar *units[] = {"good.service", "bad.service",  "gone.service",
	                        "slow.service", "hang.service", NULL};
	OtadHealthOptions options = {.dirs = f->dirs,
	                             .units = units,
	                             .systemctl = systemctl,
	                             .timeout_ms = 1000,
	                             .unit_poll_ms = 20};
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = otad_health_run (&options, NULL, &error);
	g_autofree gchar *count = NULL;
	OtadHealthResult *r;

	g_assert_no_error (error);
	g_assert_cmpuint (results->len, ==, 5);
	r = find_result (results, "good.service");
	g_assert_true (r->passed);
	g_assert_cmpint (r->kind, ==, OTAD_HEALTH_CHECK_UNIT);
	r = find_result (results, "bad.service");
	g_assert_false (r->passed);
	g_assert_cmpstr (r->reason, ==, "unit is failed");
	r = find_result (results, "gone.service");
	g_assert_false (r->passed);
	g_assert_cmpstr (r->reason, ==, "unit is inactive");
	r = find_result (results, "slow.service");
	g_assert_true (r->passed);
	g_assert_true (g_file_get_contents (counter, &count, NULL, NULL));
	g_assert_cmpstr (g_strstrip (count), ==, "3");
	r = find_result (results, "hang.service");
	g_assert_false (r->passed);
	g_assert_nonnull (strstr (r->reason, "not active after"));
	g_assert_false (otad_health_results_passed (results));
}

static gboolean
cancel_cb (gpointer user_data)
{
	g_cancellable_cancel (G_CANCELLABLE (user_data));
	return G_SOURCE_REMOVE;
}

static gpointer
cancel_thread (gpointer user_data)
{
	g_autoptr (GMainContext) context = g_main_context_new ();
	g_autoptr (GSource) source = g_timeout_source_new (200);

	g_source_set_callback (source, cancel_cb, user_data, NULL);
	g_source_attach (source, context);
	g_main_context_iteration (context, TRUE);
	return NULL;
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
	g_autoptr (GCancellable) cancellable = g_cancellable_new ();
	OtadHealthOptions options = {.dirs = f->dirs, .timeout_ms = 60000};
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = NULL;
	GThread *thread;

	g_free (otad_boot_test_write_script (f->usr, "10-hang", "sleep 60"));
	thread = g_thread_new ("cancel", cancel_thread, cancellable);
	/* returns once cancelled, long before the check's own timeout */
	results = otad_health_run (&options, cancellable, &error);
	g_thread_join (thread);
	g_assert_null (results);
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_require_program ("chattr", "e2fsprogs");
	g_test_add ("/otad/health/order-override-mask", Fixture, NULL, fixture_setup,
	            test_order_override_mask, fixture_teardown);
	g_test_add ("/otad/health/missing-dirs", Fixture, NULL, fixture_setup, test_missing_dirs,
	            fixture_teardown);
	g_test_add ("/otad/health/failure-reason", Fixture, NULL, fixture_setup,
	            test_failure_reason, fixture_teardown);
	g_test_add ("/otad/health/timeout-kills", Fixture, NULL, fixture_setup, test_timeout_kills,
	            fixture_teardown);
	g_test_add ("/otad/health/units", Fixture, NULL, fixture_setup, test_units,
	            fixture_teardown);
	g_test_add ("/otad/health/cancel", Fixture, NULL, fixture_setup, test_cancel,
	            fixture_teardown);
	return g_test_run ();
}
