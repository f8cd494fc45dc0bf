/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-delta.h"
#include "otad-pull.h"
#include "otad-test-ostree.h"
#include "otad-test-fixture.h"

/* the exact verified commit, not what the branch points at now */
static void
test_pull_exact (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *c = NULL;
	g_autofree gchar *ref = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);

	c = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v3", "2026-03-01");
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, progress_cb, fx, NULL,
					 &error));
	g_assert_no_error (error);
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));
	g_assert_no_error (error);
	g_assert_false (fixture_has_commit (fx, c));
	ostree_repo_resolve_rev (fx->repo, "otad-treehub:demo", FALSE, &ref, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ref, ==, fx->b);
	/* no delta on the server: objects, with progress */
	g_assert_cmpuint (otad_test_server_get_bytes (fx->server, "/objects/"), >, 0);
	g_assert_cmpuint (fx->progress->len, >, 0);

	/* a second call finds it complete and transfers nothing */
	otad_test_server_reset (fx->server);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (otad_test_server_get_bytes (fx->server, NULL), ==, 0);
}

/* a server that serves another commit under the verified checksum is refused */
static void
test_pull_tampered (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *c = NULL;
	g_autofree gchar *ref = NULL;
	g_autofree gchar *c_path = NULL;
	g_autofree gchar *b_path = NULL;
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);

	c = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "evil", "2026-03-01");
	c_path = g_strdup_printf ("%s/objects/%.2s/%s.commit", fx->srv, c, c + 2);
	b_path = g_strdup_printf ("%s/objects/%.2s/%s.commit", fx->srv, fx->b, fx->b + 2);
	g_file_get_contents (c_path, &contents, &len, &error);
	g_assert_no_error (error);
	g_file_set_contents (b_path, contents, (gssize)len, &error);
	g_assert_no_error (error);

	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_nonnull (error);
	g_test_message ("refused: %s", error->message);
	g_clear_error (&error);
	g_assert_false (fixture_has_commit (fx, fx->b));
	g_assert_false (fixture_has_commit (fx, c));
	ostree_repo_resolve_rev (fx->repo, "otad-treehub:demo", TRUE, &ref, &error);
	g_assert_no_error (error);
	g_assert_null (ref);

	/* and a checksum that is not a commit checksum at all */
	g_assert_false (otad_pull_commit (fx->repo, &options, "../../etc", NULL, NULL, NULL,
					  &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
}

/* libostree refuses a commit older than the booted one unless told otherwise */
static void
test_pull_downgrade (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *old = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);

	old = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v0", "2025-01-01");
	g_assert_false (otad_pull_commit (fx->repo, &options, old, NULL, NULL, NULL, &error));
	g_assert_nonnull (error);
	g_clear_error (&error);
	options.flags = OTAD_PULL_FLAGS_ALLOW_DOWNGRADE;
	ASSERT_OK (otad_pull_commit (fx->repo, &options, old, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
}

/* a pull cut half-way and restarted fetches less than 60 % of the commit again */
static void
test_pull_resume (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ref_dir = g_build_filename (fx->tmp, "reference", NULL);
	g_autofree gchar *ref_arg = g_strconcat ("--repo=", ref_dir, NULL);
	g_autofree gchar *out = OTAD_TEST_RUN (NULL, "ostree", ref_arg, "init", "--mode=bare");
	g_autoptr(OstreeRepo) ref_repo = ostree_repo_open_at (AT_FDCWD, ref_dir, NULL, &error);
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	guint64 full, first, second;

	/* what a whole, uninterrupted pull of B costs into an empty repo */
	g_assert_no_error (error);
	options.from_commit = NULL;
	ASSERT_OK (otad_pull_commit (ref_repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	full = otad_test_server_get_bytes (fx->server, NULL);

	/* the device has nothing of B yet either */
	{
		g_autofree gchar *fresh = g_build_filename (fx->tmp, "fresh", NULL);
		g_autofree gchar *fresh_arg = g_strconcat ("--repo=", fresh, NULL);
		g_autofree gchar *out2 = OTAD_TEST_RUN (NULL, "ostree", fresh_arg, "init",
							"--mode=bare");
		g_clear_object (&fx->repo);
		fx->repo = ostree_repo_open_at (AT_FDCWD, fresh, NULL, &error);
		g_assert_no_error (error);
	}
	otad_test_server_reset (fx->server);
	otad_test_server_cut_after (fx->server, full / 2);
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_nonnull (error);
	g_test_message ("interrupted: %s", error->message);
	g_clear_error (&error);
	first = otad_test_server_get_bytes (fx->server, NULL);
	g_assert_false (fixture_has_commit (fx, fx->b) &&
			otad_pull_verify_commit (fx->repo, fx->b, NULL, NULL));

	otad_test_server_reset (fx->server);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	second = otad_test_server_get_bytes (fx->server, NULL);
	g_test_message ("full %" G_GUINT64_FORMAT ", cut after %" G_GUINT64_FORMAT
			", resumed %" G_GUINT64_FORMAT " (%.0f %%)",
			full, first, second, 100.0 * (gdouble)second / (gdouble)full);
	g_assert_cmpuint (first, >=, full / 2 - 16384);
	g_assert_cmpuint (second * 100, <, full * 60);
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));
	g_assert_no_error (error);
}

/* with a static delta on the server, the bytes are the delta's, not delta + objects */
static void
test_pull_delta (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	guint64 delta_size, sent;
	gboolean saw_delta = FALSE;

	fixture_generate_delta (fx, NULL);
	delta_size = otad_test_delta_size (fx->srv, fx->a, fx->b);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, progress_cb, fx, NULL,
					 &error));
	g_assert_no_error (error);
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));
	g_assert_no_error (error);
	sent = otad_test_server_get_bytes (fx->server, NULL);
	g_test_message ("delta %" G_GUINT64_FORMAT " bytes, transferred %" G_GUINT64_FORMAT,
			delta_size, sent);
	g_assert_cmpuint (otad_test_server_get_bytes (fx->server, "/objects/"), ==, 0);
	g_assert_cmpuint (sent * 100, <=, delta_size * 110);
	g_assert_cmpuint (sent * 100, >=, delta_size * 90);
	for (guint i = 0; i < fx->progress->len; i++) {
		const OtadPullProgress *p = &g_array_index (fx->progress, OtadPullProgress, i);
		if (p->phase == OTAD_PULL_PHASE_DELTA) {
			saw_delta = TRUE;
			g_assert_cmpuint (p->bytes_total, ==, delta_size);
			g_assert_cmpuint (p->bytes_transferred, <=, p->bytes_total);
		}
	}
	g_assert_true (saw_delta);
}

/* a delta part cut half-way resumes with Range: the two attempts add up to the delta */
static void
test_pull_delta_resume (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	guint64 delta_size, first, second;

	fixture_generate_delta (fx, NULL);
	delta_size = otad_test_delta_size (fx->srv, fx->a, fx->b);
	otad_test_server_cut_after (fx->server, delta_size / 2);
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_nonnull (error);
	g_test_message ("interrupted: %s", error->message);
	g_clear_error (&error);
	first = otad_test_server_get_bytes (fx->server, NULL);
	otad_test_server_reset (fx->server);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	second = otad_test_server_get_bytes (fx->server, NULL);
	g_test_message ("delta %" G_GUINT64_FORMAT ", first %" G_GUINT64_FORMAT
			", second %" G_GUINT64_FORMAT,
			delta_size, first, second);
	g_assert_cmpuint (second, <, delta_size * 6 / 10);
	g_assert_cmpuint ((first + second) * 100, <=, delta_size * 110);
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));
	g_assert_no_error (error);
}

/* a corrupt part is refused and nothing of B is kept */
static void
test_pull_delta_corrupt (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *relpath = NULL;
	g_autofree gchar *part = NULL;
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);

	fixture_generate_delta (fx, NULL);
	relpath = otad_delta_get_relpath (fx->a, fx->b, "0");
	part = g_build_filename (fx->srv, relpath, NULL);
	g_file_get_contents (part, &contents, &len, &error);
	g_assert_no_error (error);
	contents[len / 2] ^= 0x55;
	g_file_set_contents (part, contents, (gssize)len, &error);
	g_assert_no_error (error);

	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION);
	g_assert_false (otad_pull_verify_commit (fx->repo, fx->b, NULL, NULL));
}

/* large new files come as fallback objects next to the delta */
static void
test_pull_delta_fallback (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *big = g_build_filename (fx->tree, "usr/share/data/big", NULL);
	g_autofree gchar *local_arg = g_strconcat ("--repo=", fx->local, NULL);
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	guint64 delta_size, sent, objects;

	otad_test_write_random (big, 3 * 1024 * 1024);
	g_free (fx->b);
	fx->b = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v2-big", "2026-02-02");
	fixture_generate_delta (fx, "--min-fallback-size=1");
	delta_size = otad_test_delta_size (fx->srv, fx->a, fx->b);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));
	g_assert_no_error (error);
	sent = otad_test_server_get_bytes (fx->server, NULL);
	objects = otad_test_server_get_bytes (fx->server, "/objects/");
	g_test_message ("delta %" G_GUINT64_FORMAT ", fallback objects %" G_GUINT64_FORMAT
			", total %" G_GUINT64_FORMAT,
			delta_size, objects, sent);
	/* exactly the big file as one archive object, nothing else */
	g_assert_cmpuint (objects, >=, 3 * 1024 * 1024);
	g_assert_cmpuint (objects, <, 3 * 1024 * 1024 + 4096);
	g_assert_cmpuint ((sent - objects) * 100, <=, delta_size * 110);
	{
		g_autofree gchar *fsck = OTAD_TEST_RUN (NULL, "ostree", local_arg, "fsck");
	}
}

/* cancelling from the progress callback stops the pull */
static void
cancel_progress_cb (const OtadPullProgress *progress, gpointer user_data)
{
	Fixture *fx = user_data;
	if (progress->bytes_transferred > 0)
		g_cancellable_cancel (fx->cancellable);
}

static void
test_pull_cancel (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);

	fixture_generate_delta (fx, NULL);
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, cancel_progress_cb, fx,
					  fx->cancellable, &error));
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_clear_error (&error);
	g_assert_false (otad_pull_verify_commit (fx->repo, fx->b, NULL, NULL));

	/* libostree reports progress once a second: cancel before it starts instead */
	options.flags = OTAD_PULL_FLAGS_NO_DELTA;
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL,
					  fx->cancellable, &error));
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* objects are fetched several at once (as libostree keeps 8 requests outstanding), never
 * more than the session's connections per host; progress never goes down */
static void
test_pull_parallel (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GTimer) timer = g_timer_new ();
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NO_DELTA);
	const OtadPullProgress *last = NULL;
	guint in_flight;
	gdouble seconds;

	/* a device with nothing of B: each object answered after a round trip of 100 ms, so
	 * one at a time the N_FILES file objects alone would take N_FILES / 10 s */
	{
		g_autofree gchar *fresh = g_build_filename (fx->tmp, "fresh", NULL);
		g_autofree gchar *fresh_arg = g_strconcat ("--repo=", fresh, NULL);
		g_autofree gchar *out = OTAD_TEST_RUN (NULL, "ostree", fresh_arg, "init",
						       "--mode=bare");
		g_clear_object (&fx->repo);
		fx->repo = ostree_repo_open_at (AT_FDCWD, fresh, NULL, &error);
		g_assert_no_error (error);
	}
	otad_test_server_delay (fx->server, 100);
	options.from_commit = NULL;
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, progress_cb, fx, NULL, &error));
	seconds = g_timer_elapsed (timer, NULL);
	in_flight = otad_test_server_get_max_in_flight (fx->server);
	g_test_message ("%u objects of %u KiB with a 100 ms round trip: %.2f s, at most %u "
			"requests at once",
			N_FILES, FILE_SIZE / 1024, seconds, in_flight);
	g_assert_cmpuint (in_flight, >=, 4);
	g_assert_cmpuint (in_flight, <=, OTAD_HTTP_MAX_CONNS_PER_HOST);
	g_assert_cmpfloat (seconds, <, N_FILES * 0.1);
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));

	g_assert_cmpuint (fx->progress->len, >, 0);
	for (guint i = 0; i < fx->progress->len; i++) {
		const OtadPullProgress *p = &g_array_index (fx->progress, OtadPullProgress, i);
		if (p->phase != OTAD_PULL_PHASE_OBJECTS)
			continue;
		g_assert_cmpuint (p->objects_fetched, <=, p->objects_total);
		if (last != NULL) {
			g_assert_cmpuint (p->bytes_transferred, >=, last->bytes_transferred);
			g_assert_cmpuint (p->objects_fetched, >=, last->objects_fetched);
			g_assert_cmpuint (p->objects_total, >=, last->objects_total);
		}
		last = p;
	}
	g_assert_nonnull (last);
	g_assert_cmpuint (last->objects_fetched, ==, last->objects_total);
	g_assert_cmpuint (last->objects_total, >=, N_FILES);
}

static void
cancel_objects_cb (const OtadPullProgress *progress, gpointer user_data)
{
	Fixture *fx = user_data;
	if (progress->phase == OTAD_PULL_PHASE_OBJECTS && progress->objects_fetched > 0)
		g_cancellable_cancel (fx->cancellable);
}

/* the job cancelled while several objects are in flight: a cancellation, at once, and a
 * later pull completes */
static void
test_pull_cancel_objects (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GTimer) timer = g_timer_new ();
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NO_DELTA);

	otad_test_server_delay (fx->server, 300);
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, cancel_objects_cb, fx,
					  fx->cancellable, &error));
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_test_message ("cancelled after %.2f s: %s", g_timer_elapsed (timer, NULL),
			error->message);
	/* one at a time this is N_FILES / 6 * 0.3 s; the delay alone holds each request */
	g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, N_FILES / 6 * 0.3);
	g_clear_error (&error);
	g_assert_false (otad_pull_verify_commit (fx->repo, fx->b, NULL, NULL));

	otad_test_server_delay (fx->server, 0);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));
}

/* mutual TLS: libostree's object pull and otad's delta fetch both present the device
 * certificate from the remote options; without it the server refuses both */
static void
test_pull_mtls (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_build_filename (fx->tmp, "pki", NULL);
	g_autofree gchar *ca_crt = g_build_filename (dir, "ca.crt", NULL);
	g_autofree gchar *dev_crt = g_build_filename (dir, "device.crt", NULL);
	g_autofree gchar *dev_key = g_build_filename (dir, "device.key", NULL);
	g_autofree gchar *c = NULL;
	g_autoptr(OtadTestServer) tls_server = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);

	otad_test_make_pki (dir);
	tls_server = otad_test_server_new_mtls (fx->srv, dir);
	options.url = otad_test_server_get_url (tls_server);
	options.tls_ca_path = ca_crt;
	fixture_generate_delta (fx, NULL);

	/* no client certificate: refused, for the delta and for objects */
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_nonnull (error);
	g_test_message ("without a client certificate: %s", error->message);
	g_clear_error (&error);
	options.flags = OTAD_PULL_FLAGS_NO_DELTA;
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_nonnull (error);
	g_test_message ("without a client certificate: %s", error->message);
	g_clear_error (&error);

	/* with it: the delta through otad's client, then objects through libostree */
	options.flags = OTAD_PULL_FLAGS_NONE;
	options.tls_client_cert_path = dev_crt;
	options.tls_client_key_path = dev_key;
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, "/deltas/"), >, 0);
	c = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v3", "2026-03-01");
	options.from_commit = fx->b;
	ASSERT_OK (otad_pull_commit (fx->repo, &options, c, NULL, NULL, NULL, &error));
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, "/objects/"), >, 0);
	ASSERT_OK (otad_pull_verify_commit (fx->repo, c, NULL, &error));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_ostree_require_tools ();
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD ("/otad/pull/exact", test_pull_exact);
	ADD ("/otad/pull/tampered", test_pull_tampered);
	ADD ("/otad/pull/downgrade", test_pull_downgrade);
	ADD ("/otad/pull/resume", test_pull_resume);
	ADD ("/otad/pull/delta", test_pull_delta);
	ADD ("/otad/pull/delta-resume", test_pull_delta_resume);
	ADD ("/otad/pull/delta-corrupt", test_pull_delta_corrupt);
	ADD ("/otad/pull/delta-fallback", test_pull_delta_fallback);
	ADD ("/otad/pull/cancel", test_pull_cancel);
	ADD ("/otad/pull/parallel", test_pull_parallel);
	ADD ("/otad/pull/cancel-objects", test_pull_cancel_objects);
	ADD ("/otad/pull/mtls", test_pull_mtls);
	return g_test_run ();
}
