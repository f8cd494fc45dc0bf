/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * otad's pull against the `ostree pull` command on the same server in the same run:
 * a full pull of a large commit of incompressible files, then an update through a static
 * delta (where Debian 12's libostree fetches the delta and most objects again, ostree#2053).
 * OTAD_BENCH_SIZE_MB sets the commit size (default 200).
 */
#include "config.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "otad-pull.h"
#include "otad-test-ostree.h"

#define FILE_SIZE (512 * 1024)

typedef struct {
	gdouble seconds;
	guint64 bytes;
	glong peak_kib; /* the pulling process's peak resident size (wait4's ru_maxrss) */
} Run;

/* runs @argv to its end; the seconds it took and its peak RSS, both the same way for
 * otad (this program, --pull-child) and for the ostree command */
static void
bench_spawn (const gchar *const *argv, Run *run)
{
	g_autoptr(GTimer) timer = g_timer_new ();
	g_autoptr(GError) error = NULL;
	struct rusage ru = {0};
	GPid pid;
	gint status = 0;

	if (!g_spawn_async (NULL, (gchar **)argv, NULL,
			    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
			    &error))
		g_error ("%s: %s", argv[0], error->message);
	if (wait4 (pid, &status, 0, &ru) != pid || !WIFEXITED (status) ||
	    WEXITSTATUS (status) != 0)
		g_error ("%s failed (status %d)", argv[0], status);
	run->seconds = g_timer_elapsed (timer, NULL);
	run->peak_kib = ru.ru_maxrss;
}

static OstreeRepo *
bench_new_repo (const gchar *tmp, const gchar *name)
{
	g_autofree gchar *dir = g_build_filename (tmp, name, NULL);
	g_autoptr(GFile) path = g_file_new_for_path (dir);
	g_autoptr(OstreeRepo) repo = ostree_repo_new (path);
	g_autoptr(GError) error = NULL;

	g_autofree gchar *repo_arg = g_strconcat ("--repo=", dir, NULL);
	g_autofree gchar *out = NULL;

	if (!ostree_repo_create (repo, OSTREE_REPO_MODE_BARE, NULL, &error))
		g_error ("%s", error->message);
	/* the same for both sides; the disk here is slow and the data throw-away */
	out = OTAD_TEST_RUN (NULL, "ostree", repo_arg, "config", "set", "core.fsync", "false");
	g_clear_object (&repo);
	repo = ostree_repo_new (path);
	if (!ostree_repo_open (repo, NULL, &error))
		g_error ("%s", error->message);
	return g_steal_pointer (&repo);
}

static Run
bench_ostree_cli (OtadTestServer *server, const gchar *tmp, const gchar *name,
		  const gchar *from, const gchar *to)
{
	g_autoptr(OstreeRepo) repo = bench_new_repo (tmp, name);
	g_autofree gchar *dir = g_build_filename (tmp, name, NULL);
	g_autofree gchar *repo_arg = g_strconcat ("--repo=", dir, NULL);
	g_autofree gchar *out = NULL;
	Run run;

	out = OTAD_TEST_RUN (NULL, "ostree", repo_arg, "remote", "add", "--no-gpg-verify", "th",
			     otad_test_server_get_url (server));
	g_free (g_steal_pointer (&out));
	if (from != NULL) {
		g_autofree gchar *ref = g_strconcat ("th:bench@", from, NULL);
		out = OTAD_TEST_RUN (NULL, "ostree", repo_arg, "pull", "th", ref + 3);
		g_free (g_steal_pointer (&out));
	}
	otad_test_server_reset (server);
	{
		g_autofree gchar *ref = g_strconcat ("bench@", to, NULL);
		const gchar *argv[] = {"ostree", repo_arg, "pull", "th", ref, NULL};
		g_autofree gchar *ostree = g_find_program_in_path ("ostree");
		argv[0] = ostree;
		bench_spawn (argv, &run);
	}
	run.bytes = otad_test_server_get_bytes (server, NULL);
	return run;
}

static gchar *bench_self;

static Run
bench_otad (OtadTestServer *server, const gchar *tmp, const gchar *name, const gchar *from,
	    const gchar *to)
{
	g_autoptr(OstreeRepo) repo = bench_new_repo (tmp, name);
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = {
		.remote_name = "otad-treehub",
		.url = otad_test_server_get_url (server),
		.ref = "bench",
		.from_commit = from,
	};
	Run run;

	if (from != NULL) {
		OtadPullOptions first = options;
		first.from_commit = NULL;
		if (!otad_pull_commit (repo, &first, from, NULL, NULL, NULL, &error))
			g_error ("%s", error->message);
	}
	g_clear_object (&repo);
	otad_test_server_reset (server);
	{
		g_autofree gchar *dir = g_build_filename (tmp, name, NULL);
		const gchar *argv[] = {bench_self, "--pull-child", options.url, dir,
				       from != NULL ? from : "-", to, NULL};
		bench_spawn (argv, &run);
	}
	run.bytes = otad_test_server_get_bytes (server, NULL);
	return run;
}

static void
bench_print (const gchar *what, Run otad, Run ostree)
{
	g_print ("%-28s otad %7.2f s %11" G_GUINT64_FORMAT " B %7.1f MiB | ostree pull %7.2f s %11" G_GUINT64_FORMAT
		 " B %7.1f MiB | time ratio %.2f, bytes ratio %.2f, peak RSS ratio %.2f\n",
		 what, otad.seconds, otad.bytes, otad.peak_kib / 1024.0, ostree.seconds, ostree.bytes,
		 ostree.peak_kib / 1024.0, otad.seconds / ostree.seconds,
		 (gdouble)otad.bytes / (gdouble)ostree.bytes,
		 (gdouble)otad.peak_kib / (gdouble)ostree.peak_kib);
	/* for bench/run: seconds, bytes and peak KiB of otad, then of ostree pull */
	g_print ("= %s %.3f %" G_GUINT64_FORMAT " %ld %.3f %" G_GUINT64_FORMAT " %ld\n",
		 g_str_has_prefix (what, "full") ? "full" : "delta", otad.seconds, otad.bytes,
		 otad.peak_kib, ostree.seconds, ostree.bytes, ostree.peak_kib);
}

/* the timed side of bench_otad, in its own process: URL REPO FROM|- TO */
static int
bench_pull_child (gchar **argv)
{
	g_autoptr(GFile) path = g_file_new_for_path (argv[1]);
	g_autoptr(OstreeRepo) repo = ostree_repo_new (path);
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = {
		.remote_name = "otad-treehub",
		.url = argv[0],
		.ref = "bench",
		.from_commit = g_strcmp0 (argv[2], "-") == 0 ? NULL : argv[2],
	};

	if (!ostree_repo_open (repo, NULL, &error) ||
	    !otad_pull_commit (repo, &options, argv[3], NULL, NULL, NULL, &error)) {
		g_printerr ("%s\n", error->message);
		return 1;
	}
	return 0;
}

int
main (int argc, char **argv)
{
	const gchar *size_env = g_getenv ("OTAD_BENCH_SIZE_MB");
	guint64 size_mb = size_env != NULL ? g_ascii_strtoull (size_env, NULL, 10) : 200;
	guint n_files = (guint)(size_mb * 1024 * 1024 / FILE_SIZE);
	g_autofree gchar *tmp = otad_test_make_tmpdir ();
	g_autofree gchar *srv = g_build_filename (tmp, "srv", NULL);
	g_autofree gchar *srv_arg = g_strconcat ("--repo=", srv, NULL);
	g_autofree gchar *tree = otad_test_make_tree (tmp);
	g_autofree gchar *out = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	g_autofree gchar *from_arg = NULL;
	g_autofree gchar *to_arg = NULL;
	g_autoptr(OtadTestServer) server = NULL;
	g_autoptr(GTimer) timer = g_timer_new ();
	Run otad, ostree;

	if (argc == 6 && g_strcmp0 (argv[1], "--pull-child") == 0)
		return bench_pull_child (argv + 2);
	bench_self = g_file_read_link ("/proc/self/exe", NULL);

	out = OTAD_TEST_RUN (NULL, "ostree", srv_arg, "init", "--mode=archive");
	g_free (g_steal_pointer (&out));
	out = OTAD_TEST_RUN (NULL, "ostree", srv_arg, "config", "set", "core.fsync", "false");
	g_free (g_steal_pointer (&out));
	for (guint i = 0; i < n_files; i++) {
		g_autofree gchar *name = g_strdup_printf ("usr/share/bench/f%04u", i);
		g_autofree gchar *path = g_build_filename (tree, name, NULL);
		otad_test_write_text (path, "");
		otad_test_write_random (path, FILE_SIZE);
	}
	a = otad_test_commit (srv, tree, "bench", "a", "2026-01-01");
	/* the update replaces a tenth of the files */
	for (guint i = 0; i < n_files / 10; i++) {
		g_autofree gchar *name = g_strdup_printf ("usr/share/bench/f%04u", i * 10);
		g_autofree gchar *path = g_build_filename (tree, name, NULL);
		otad_test_write_random (path, FILE_SIZE);
	}
	b = otad_test_commit (srv, tree, "bench", "b", "2026-02-01");
	from_arg = g_strconcat ("--from=", a, NULL);
	to_arg = g_strconcat ("--to=", b, NULL);
	out = OTAD_TEST_RUN (NULL, "ostree", srv_arg, "static-delta", "generate", from_arg,
			     to_arg);
	g_print ("setup: %u files of %u KiB (%" G_GUINT64_FORMAT " MiB) in %.1f s\n", n_files,
		 FILE_SIZE / 1024, size_mb, g_timer_elapsed (timer, NULL));

	server = otad_test_server_new (srv, NULL);
	ostree = bench_ostree_cli (server, tmp, "cli-full", NULL, a);
	otad = bench_otad (server, tmp, "otad-full", NULL, a);
	bench_print ("full pull (objects)", otad, ostree);
	ostree = bench_ostree_cli (server, tmp, "cli-delta", a, b);
	otad = bench_otad (server, tmp, "otad-delta", a, b);
	bench_print ("update A->B (static delta)", otad, ostree);

	g_clear_pointer (&server, otad_test_server_free);
	otad_test_rm_rf (tmp);
	return 0;
}
