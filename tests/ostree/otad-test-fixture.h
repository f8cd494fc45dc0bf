/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* the pull fixture shared by test-otad-pull.c and test-otad-space.c: an archive repo with
 * commits A and B served over HTTP, and a device repo that has A */

#include <fcntl.h>
#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-delta.h"
#include "otad-pull.h"
#include "otad-test-ostree.h"

/* print the error before failing */
#define ASSERT_OK(expr)                                                                     \
	G_STMT_START                                                                        \
	{                                                                                   \
		gboolean ok_ = (expr);                                                      \
		g_assert_no_error (error);                                                  \
		g_assert_true (ok_);                                                        \
	}                                                                                   \
	G_STMT_END

#define FILE_SIZE (32 * 1024)
#define N_FILES 96

typedef struct {
	gchar *tmp;
	gchar *srv;	 /* archive repo the server serves */
	gchar *tree;	 /* working tree for commits */
	gchar *local;	 /* the device repo */
	gchar *a;	 /* booted commit, in both repos */
	gchar *b;	 /* the verified update */
	OtadTestServer *server;
	OstreeRepo *repo;
	GArray *progress; /* (element-type OtadPullProgress) */
	GCancellable *cancellable;
} Fixture;

static G_GNUC_UNUSED void
fixture_set_up (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *srv_arg = NULL;
	g_autofree gchar *local_arg = NULL;
	g_autofree gchar *out = NULL;

	fx->tmp = otad_test_make_tmpdir ();
	fx->srv = g_build_filename (fx->tmp, "srv", NULL);
	fx->local = g_build_filename (fx->tmp, "local", NULL);
	srv_arg = g_strconcat ("--repo=", fx->srv, NULL);
	local_arg = g_strconcat ("--repo=", fx->local, NULL);
	out = OTAD_TEST_RUN (NULL, "ostree", srv_arg, "init", "--mode=archive");
	g_clear_pointer (&out, g_free);
	out = OTAD_TEST_RUN (NULL, "ostree", local_arg, "init", "--mode=bare");
	g_clear_pointer (&out, g_free);
	/* the test disk is slow and the data throw-away */
	out = OTAD_TEST_RUN (NULL, "ostree", srv_arg, "config", "set", "core.fsync", "false");
	g_clear_pointer (&out, g_free);
	out = OTAD_TEST_RUN (NULL, "ostree", local_arg, "config", "set", "core.fsync", "false");
	g_clear_pointer (&out, g_free);

	fx->tree = otad_test_make_tree (fx->tmp);
	for (guint i = 0; i < N_FILES; i++) {
		g_autofree gchar *name = g_strdup_printf ("usr/share/data/f%02u", i);
		g_autofree gchar *path = g_build_filename (fx->tree, name, NULL);
		otad_test_write_text (path, "");
		otad_test_write_random (path, FILE_SIZE);
	}
	fx->a = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v1", "2026-01-01");
	/* the update changes a sixth of the data */
	for (guint i = 0; i < N_FILES / 6; i++) {
		g_autofree gchar *name = g_strdup_printf ("usr/share/data/f%02u", i);
		g_autofree gchar *path = g_build_filename (fx->tree, name, NULL);
		otad_test_write_random (path, FILE_SIZE);
	}
	fx->b = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v2", "2026-02-01");

	/* the device runs A */
	out = OTAD_TEST_RUN (NULL, "ostree", local_arg, "pull-local", fx->srv, fx->a);
	g_clear_pointer (&out, g_free);
	{
		g_autoptr(GFile) path = g_file_new_for_path (fx->local);
		fx->repo = ostree_repo_new (path);
		ostree_repo_open (fx->repo, NULL, &error);
	}
	g_assert_no_error (error);
	fx->server = otad_test_server_new (fx->srv, NULL);
	fx->progress = g_array_new (FALSE, TRUE, sizeof (OtadPullProgress));
	fx->cancellable = g_cancellable_new ();
}

static G_GNUC_UNUSED void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
	g_clear_pointer (&fx->server, otad_test_server_free);
	g_clear_object (&fx->repo);
	g_clear_object (&fx->cancellable);
	g_array_unref (fx->progress);
	otad_test_rm_rf (fx->tmp);
	g_free (fx->tmp);
	g_free (fx->srv);
	g_free (fx->tree);
	g_free (fx->local);
	g_free (fx->a);
	g_free (fx->b);
}

static G_GNUC_UNUSED void
progress_cb (const OtadPullProgress *progress, gpointer user_data)
{
	Fixture *fx = user_data;
	g_array_append_val (fx->progress, *progress);
}

static G_GNUC_UNUSED OtadPullOptions
fixture_options (Fixture *fx, OtadPullFlags flags)
{
	OtadPullOptions options = {
		.remote_name = "otad-treehub",
		.url = otad_test_server_get_url (fx->server),
		.ref = "demo",
		.from_commit = fx->a,
		.flags = flags,
	};
	return options;
}

static G_GNUC_UNUSED gboolean
fixture_has_commit (Fixture *fx, const gchar *checksum)
{
	gboolean have = FALSE;
	g_autoptr(GError) error = NULL;

	ostree_repo_has_object (fx->repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, &have, NULL,
				&error);
	g_assert_no_error (error);
	return have;
}

/* a static delta @from → @to on the server; small parts unless @extra says otherwise */
static G_GNUC_UNUSED void
fixture_generate_delta_between (Fixture *fx, const gchar *from, const gchar *to,
				const gchar *extra)
{
	g_autofree gchar *srv_arg = g_strconcat ("--repo=", fx->srv, NULL);
	g_autofree gchar *from_arg = g_strconcat ("--from=", from, NULL);
	g_autofree gchar *to_arg = g_strconcat ("--to=", to, NULL);
	g_autofree gchar *out = OTAD_TEST_RUN (NULL, "ostree", srv_arg, "static-delta", "generate",
					       from_arg, to_arg,
					       extra != NULL ? extra : "--max-chunk-size=32");
}

static G_GNUC_UNUSED void
fixture_generate_delta (Fixture *fx, const gchar *extra)
{
	fixture_generate_delta_between (fx, fx->a, fx->b, extra);
}
