/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"
#include "otad-engine-private.h"
#include "otad-state.h"
#include "otad-test-sysroot.h"

/*
 * The engine on its own, without a bus: the state guards of each method,
 * transitions announced through its properties after they are saved, the
 * progress numbers of a job, and what a restart makes of a state a killed
 * daemon left behind.  A real test sysroot, a real state directory; no server
 * is configured, so a check fails as a configuration error.
 */

typedef struct {
	OtadTestSysroot *ts;	/* (owned) */
	gchar *state_dir;	/* (owned) */
	OtadStateStore *store;	/* (owned) */
	OtadSysroot *sysroot;	/* (owned) */
	OtadJobContext *ctx;	/* (owned) */
	OtadEngine *engine;	/* (owned) */
	GPtrArray *states;	/* (owned) the state at each notify::state */
	guint finished;
	gint finished_kind;
	gboolean finished_ok;
} Fixture;

static void
state_notify_cb (GObject *engine, GParamSpec *pspec, gpointer user_data)
{
	Fixture *fx = user_data;
	OtaState state = otad_engine_get_state (OTAD_ENGINE (engine));

	/* notify::state comes for every save; record each change once */
	if (fx->states->len == 0 ||
	    g_strcmp0 (g_ptr_array_index (fx->states, fx->states->len - 1),
		       ota_state_to_string (state)) != 0)
		g_ptr_array_add (fx->states, g_strdup (ota_state_to_string (state)));
}

static void
job_finished_cb (OtadEngine *engine, gint kind, gboolean ok, gboolean found, gpointer user_data)
{
	Fixture *fx = user_data;

	fx->finished++;
	fx->finished_kind = kind;
	fx->finished_ok = ok;
}

static void
make_engine (Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadConfig) config = otad_config_new ();
	OtadSettings *settings;

	g_assert_true (otad_config_load_data (config, "test.conf",
					      "[polling]\nenabled=false\n", -1, &error));
	g_assert_no_error (error);
	fx->store = otad_state_store_new (fx->state_dir, &error);
	g_assert_no_error (error);
	fx->sysroot = otad_sysroot_new (fx->ts->sysroot, fx->ts->commit_b, &error);
	g_assert_no_error (error);
	g_assert_true (otad_sysroot_load (fx->sysroot, NULL, &error));
	settings = otad_settings_new (config, NULL, fx->ts->sysroot, fx->ts->commit_b, fx->state_dir,
				      "ecu-1", &error);
	g_assert_no_error (error);
	fx->ctx = otad_job_context_new (settings, NULL, &error);
	g_assert_no_error (error);
	fx->engine = otad_engine_new (fx->ctx, fx->store, fx->sysroot);
	g_signal_connect (fx->engine, "notify::state", G_CALLBACK (state_notify_cb), fx);
	g_signal_connect (fx->engine, "job-finished", G_CALLBACK (job_finished_cb), fx);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	fx->ts = otad_test_sysroot_new (&error);
	g_assert_no_error (error);
	fx->state_dir = g_build_filename (fx->ts->tmpdir, "state", NULL);
	fx->states = g_ptr_array_new_with_free_func (g_free);
	make_engine (fx);
}

static void
fixture_drop_engine (Fixture *fx)
{
	g_clear_object (&fx->engine);
	g_clear_object (&fx->ctx);
	g_clear_object (&fx->sysroot);
	g_clear_object (&fx->store);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
	fixture_drop_engine (fx);
	g_clear_pointer (&fx->states, g_ptr_array_unref);
	g_clear_pointer (&fx->ts, otad_test_sysroot_free);
	g_free (fx->state_dir);
}

static gboolean
timeout_cb (gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

/* iterates the main context until @count reaches @wanted, at most 30 s */
static void
wait_count (guint *count, guint wanted)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add_seconds (30, timeout_cb, &timed_out);

	while (*count < wanted && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	g_assert_false (timed_out);
	g_source_remove (id);
}

static void
spin_ms (guint ms)
{
	gboolean done = FALSE;

	g_timeout_add (ms, timeout_cb, &done);
	while (!done)
		g_main_context_iteration (NULL, TRUE);
}

static void
test_engine_guards (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) info = otad_engine_dup_update_info (fx->engine);
	g_autofree gchar *policy = NULL;

	g_assert_cmpint (otad_engine_get_state (fx->engine), ==, OTA_STATE_IDLE);
	g_assert_cmpuint (g_variant_n_children (info), ==, 0);
	g_assert_false (otad_engine_has_update (fx->engine));
	g_object_get (fx->engine, "policy", &policy, NULL);
	g_assert_cmpstr (policy, ==, "automatic");

	/* idle: Check and Rollback may run, nothing else */
	g_assert_true (otad_engine_can (fx->engine, OTAD_ENGINE_OP_CHECK, &error));
	g_assert_true (otad_engine_can (fx->engine, OTAD_ENGINE_OP_ROLLBACK, &error));
	g_assert_no_error (error);
	for (OtadEngineOp op = OTAD_ENGINE_OP_DOWNLOAD; op <= OTAD_ENGINE_OP_CANCEL; op++) {
		g_assert_false (otad_engine_can (fx->engine, op, &error));
		g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
		g_assert_nonnull (strstr (error->message, otad_engine_op_to_method (op)));
		g_assert_nonnull (strstr (error->message, "idle"));
		g_clear_error (&error);
	}
	g_assert_false (otad_engine_run_op (fx->engine, OTAD_ENGINE_OP_INSTALL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_assert_cmpuint (fx->states->len, ==, 0);
}

static void
test_engine_check_fails (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	g_assert_true (otad_engine_run_op (fx->engine, OTAD_ENGINE_OP_CHECK, &error));
	g_assert_no_error (error);
	/* busy: the state is saved and announced before the worker runs */
	g_assert_true (otad_engine_is_busy (fx->engine));
	g_assert_cmpint (otad_engine_get_state (fx->engine), ==, OTA_STATE_CHECKING);
	g_assert_false (otad_engine_can (fx->engine, OTAD_ENGINE_OP_CHECK, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_clear_error (&error);
	g_assert_true (otad_engine_can (fx->engine, OTAD_ENGINE_OP_CANCEL, &error));

	wait_count (&fx->finished, 1);
	g_assert_cmpint (fx->finished_kind, ==, OTAD_ENGINE_JOB_CHECK);
	g_assert_false (fx->finished_ok);
	g_assert_false (otad_engine_is_busy (fx->engine));
	g_assert_cmpint (otad_engine_get_state (fx->engine), ==, OTA_STATE_ERROR);
	g_assert_cmpstr (otad_engine_get_error_name (fx->engine), ==,
			 "org.otad.Updater1.Error.InvalidConfig");
	g_assert_nonnull (strstr (otad_engine_get_error_message (fx->engine), "[server] url"));
	g_assert_cmpuint (fx->states->len, ==, 2);
	g_assert_cmpstr (g_ptr_array_index (fx->states, 0), ==, "checking");
	g_assert_cmpstr (g_ptr_array_index (fx->states, 1), ==, "error");

	/* from error a check may run again; the rest stays refused */
	g_assert_true (otad_engine_can (fx->engine, OTAD_ENGINE_OP_CHECK, &error));
	g_assert_false (otad_engine_can (fx->engine, OTAD_ENGINE_OP_DOWNLOAD, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
}

static gint64 fake_now_us;

static gint64
fake_clock (void)
{
	return fake_now_us;
}

static void
test_engine_progress (Fixture *fx, gconstpointer data)
{
	OtadEngine *e = fx->engine;
	OtadPullProgress p = {OTAD_PULL_PHASE_METADATA, 0, 1000, 0, 0};

	/* as while a download runs: the worker reports, the main thread publishes */
	e->progress_clock = fake_clock;
	fake_now_us = 100 * G_USEC_PER_SEC;
	e->busy = TRUE;
	e->running = OTAD_ENGINE_JOB_DOWNLOAD;
	otad_engine_progress_reset (e);
	otad_engine_progress_begin (e, OTAD_ENGINE_JOB_DOWNLOAD);
	g_assert_cmpstr (otad_engine_get_progress_phase (e), ==, "preparing");
	g_assert_cmpint (otad_engine_get_time_remaining (e), ==, -1);

	/* the estimate before the first byte is the job's total */
	otad_engine_progress_from_worker (&p, e);
	spin_ms (OTAD_ENGINE_PROGRESS_INTERVAL_MS * 2);
	g_assert_cmpuint (otad_engine_get_download_size (e), ==, 1000);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 0);
	g_assert_cmpstr (otad_engine_get_progress_phase (e), ==, "preparing");

	/* a later, larger estimate (libostree discovering the tree) changes nothing */
	p.phase = OTAD_PULL_PHASE_OBJECTS;
	p.bytes_transferred = 100;
	p.bytes_total = 2000;
	otad_engine_progress_from_worker (&p, e);
	spin_ms (OTAD_ENGINE_PROGRESS_INTERVAL_MS * 2);
	g_assert_cmpstr (otad_engine_get_progress_phase (e), ==, "downloading");
	g_assert_cmpuint (otad_engine_get_downloaded_bytes (e), ==, 100);
	g_assert_cmpuint (otad_engine_get_download_size (e), ==, 1000);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 10);
	/* no rate before a second of data */
	g_assert_cmpint (otad_engine_get_time_remaining (e), ==, -1);

	/* 400 more bytes in 2 s: 200 B/s, 500 left: 3 s (rounded up) */
	fake_now_us += 2 * G_USEC_PER_SEC;
	p.bytes_transferred = 500;
	otad_engine_progress_from_worker (&p, e);
	spin_ms (OTAD_ENGINE_PROGRESS_INTERVAL_MS * 2);
	g_assert_cmpuint (otad_engine_get_downloaded_bytes (e), ==, 500);
	g_assert_cmpuint (otad_engine_get_download_size (e), ==, 1000);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 50);
	g_assert_cmpint (otad_engine_get_time_remaining (e), ==, 3);

	/* the verify phase reports fewer bytes: nothing goes down */
	p.phase = OTAD_PULL_PHASE_VERIFY;
	p.bytes_transferred = 0;
	p.bytes_total = 0;
	otad_engine_progress_from_worker (&p, e);
	spin_ms (OTAD_ENGINE_PROGRESS_INTERVAL_MS * 2);
	g_assert_cmpstr (otad_engine_get_progress_phase (e), ==, "verifying");
	g_assert_cmpuint (otad_engine_get_downloaded_bytes (e), ==, 500);
	g_assert_cmpuint (otad_engine_get_download_size (e), ==, 1000);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 50);

	/* more bytes than estimated: done stays within the total, 99 until it succeeded */
	p.bytes_transferred = 1500;
	otad_engine_progress_from_worker (&p, e);
	spin_ms (OTAD_ENGINE_PROGRESS_INTERVAL_MS * 2);
	g_assert_cmpuint (otad_engine_get_downloaded_bytes (e), ==, 1000);
	g_assert_cmpuint (otad_engine_get_download_size (e), ==, 1000);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 99);
	otad_engine_progress_end (e);
	otad_engine_progress_set_done (e);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 100);
	g_assert_cmpuint (otad_engine_get_downloaded_bytes (e), ==, 1000);
	g_assert_cmpstr (otad_engine_get_progress_phase (e), ==, "");

	/* the next download starts from zero and fixes its own total */
	otad_engine_progress_reset (e);
	g_assert_cmpuint (otad_engine_get_downloaded_bytes (e), ==, 0);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 0);
	p.phase = OTAD_PULL_PHASE_OBJECTS;
	p.bytes_transferred = 10;
	p.bytes_total = 40;
	otad_engine_progress_from_worker (&p, e);
	spin_ms (OTAD_ENGINE_PROGRESS_INTERVAL_MS * 2);
	g_assert_cmpuint (otad_engine_get_download_size (e), ==, 40);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 25);

	/* the estimate finished short of the total: success still ends at total and 100 */
	otad_engine_progress_set_done (e);
	g_assert_cmpuint (otad_engine_get_downloaded_bytes (e), ==, 40);
	g_assert_cmpuint (otad_engine_get_progress (e), ==, 100);
	g_assert_cmpint (otad_engine_get_time_remaining (e), ==, 0);
	otad_engine_progress_reset (e);
	e->busy = FALSE;
	e->progress_clock = g_get_monotonic_time;
}

static void
resume_from (Fixture *fx, OtaState left, OtaState expected)
{
	g_autoptr(GError) error = NULL;

	otad_state_store_set_state (fx->store, left);
	g_assert_true (otad_state_store_save (fx->store, &error));
	g_assert_no_error (error);
	/* a restart: a new engine over the same state directory */
	fixture_drop_engine (fx);
	make_engine (fx);
	g_assert_cmpint (otad_engine_get_state (fx->engine), ==, left);
	otad_engine_start (fx->engine);
	g_assert_cmpstr (ota_state_to_string (otad_engine_get_state (fx->engine)), ==,
			 ota_state_to_string (expected));
	g_assert_false (otad_engine_is_busy (fx->engine));
}

static void
test_engine_resume (Fixture *fx, gconstpointer data)
{
	/* nothing on offer and no install recorded: every busy state ends idle */
	resume_from (fx, OTA_STATE_CHECKING, OTA_STATE_IDLE);
	resume_from (fx, OTA_STATE_DOWNLOADING, OTA_STATE_IDLE);
	resume_from (fx, OTA_STATE_INSTALLING, OTA_STATE_IDLE);
	resume_from (fx, OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_IDLE);
	resume_from (fx, OTA_STATE_PENDING_REBOOT, OTA_STATE_IDLE);
	resume_from (fx, OTA_STATE_CONFIRMING, OTA_STATE_IDLE);
	/* what needs a person stays */
	resume_from (fx, OTA_STATE_ROLLED_BACK, OTA_STATE_ROLLED_BACK);
	resume_from (fx, OTA_STATE_ERROR, OTA_STATE_ERROR);
}

static void
next_check_notify_cb (GObject *engine, GParamSpec *pspec, gpointer user_data)
{
	(*(guint *)user_data)++;
}

static void
test_engine_next_check_time (Fixture *fx, gconstpointer data)
{
	guint notified = 0;
	guint64 value = 0;

	g_signal_connect (fx->engine, "notify::next-check-time",
			  G_CALLBACK (next_check_notify_cb), &notified);
	otad_engine_set_next_check_time (fx->engine, 1764000000);
	otad_engine_set_next_check_time (fx->engine, 1764000000);
	g_assert_cmpuint (notified, ==, 1);
	g_object_get (fx->engine, "next-check-time", &value, NULL);
	g_assert_cmpuint (value, ==, 1764000000);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* a failed job is logged as a warning: expected here, criticals stay fatal */
	g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_test_add ("/engine/guards", Fixture, NULL, fixture_setup, test_engine_guards,
		    fixture_teardown);
	g_test_add ("/engine/check-fails", Fixture, NULL, fixture_setup, test_engine_check_fails,
		    fixture_teardown);
	g_test_add ("/engine/progress", Fixture, NULL, fixture_setup, test_engine_progress,
		    fixture_teardown);
	g_test_add ("/engine/resume", Fixture, NULL, fixture_setup, test_engine_resume,
		    fixture_teardown);
	g_test_add ("/engine/next-check-time", Fixture, NULL, fixture_setup,
		    test_engine_next_check_time, fixture_teardown);
	return g_test_run ();
}
