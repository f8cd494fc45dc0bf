/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otad-space.h"
#include "otad-test-fixture.h"
#include "otad-test-require.h"

typedef struct {
	guint64 repo_free;
	guint64 boot_free;
	const gchar *boot_path;
} FakeDisk;

static gboolean
fake_free (const gchar *path,
	   guint64 *out_available,
	   guint64 *out_fsid,
	   gpointer user_data,
	   GError **error)
{
	FakeDisk *disk = user_data;
	gboolean is_boot = g_strcmp0 (path, disk->boot_path) == 0;

	*out_available = is_boot ? disk->boot_free : disk->repo_free;
	*out_fsid = is_boot ? 2 : 1;
	return TRUE;
}

/* bytes of content objects and delta parts: what "the download" means */
static guint64
fixture_bulk_bytes (Fixture *fx)
{
	g_autofree gchar *relpath = otad_delta_get_relpath (fx->a, fx->b, "0");
	g_autofree gchar *part = g_strconcat ("/", relpath, NULL);
	guint64 total = otad_test_server_get_bytes (fx->server, part);
	g_autofree gchar *srv_objects = NULL;

	/* .filez objects: everything under /objects/ except the one commit object */
	total += otad_test_server_get_bytes (fx->server, "/objects/");
	{
		g_autofree gchar *commit = g_strdup_printf ("/objects/%.2s/%s.commit", fx->b,
							    fx->b + 2);
		total -= otad_test_server_get_bytes (fx->server, commit);
	}
	return total;
}

/* without a delta, the commit's ostree.sizes predict the pull */
static void
test_space_commit_sizes (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	OtadSpaceEstimate est = { 0 };
	guint64 actual;

	ASSERT_OK (otad_space_estimate (fx->repo, &options, fx->b, 0, &est, NULL, &error));
	g_assert_cmpint (est.source, ==, OTAD_SPACE_SOURCE_COMMIT_SIZES);
	/* the estimate fetched the commit object, nothing else */
	g_assert_cmpuint (fixture_bulk_bytes (fx), ==, 0);
	ASSERT_OK (otad_space_check (fx->repo, &est, NULL, NULL, NULL, &error));

	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	actual = otad_test_server_get_bytes (fx->server, "/objects/");
	g_test_message ("estimated %" G_GUINT64_FORMAT " bytes, transferred %" G_GUINT64_FORMAT,
			est.download_bytes, actual);
	/* only the sixth of the files that changed, not all of B */
	g_assert_cmpuint (est.download_bytes * 100, >=, actual * 80);
	g_assert_cmpuint (est.download_bytes * 100, <=, actual * 120);
	g_assert_cmpuint (est.repo_bytes, >=, est.download_bytes);
	g_assert_cmpuint (est.boot_bytes, ==, strlen ("kernel") + strlen ("initramfs"));
}

/* with a delta, its superblock gives the numbers */
static void
test_space_delta (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	OtadSpaceEstimate est = { 0 };

	fixture_generate_delta (fx, NULL);
	ASSERT_OK (otad_space_estimate (fx->repo, &options, fx->b, 0, &est, NULL, &error));
	g_assert_cmpint (est.source, ==, OTAD_SPACE_SOURCE_DELTA);
	g_assert_cmpuint (est.download_bytes, ==, otad_test_delta_size (fx->srv, fx->a, fx->b));
	g_assert_cmpuint (fixture_bulk_bytes (fx), ==, 0);
}

/* too little disk: a clear error, and nothing of the update downloaded */
static void
test_space_refused (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	OtadSpaceEstimate est = { 0 };
	FakeDisk disk = { .repo_free = 100 * 1024, .boot_free = G_MAXUINT32, .boot_path = "/b" };

	ASSERT_OK (otad_space_estimate (fx->repo, &options, fx->b, 0, &est, NULL, &error));
	g_assert_false (otad_space_check (fx->repo, &est, NULL, fake_free, &disk, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NO_SPACE);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "needed"));
	g_assert_nonnull (strstr (error->message, "102.4"));
	g_assert_nonnull (strstr (error->message, "kB available"));
	g_assert_nonnull (strstr (error->message, fx->local));
	g_assert_cmpuint (fixture_bulk_bytes (fx), ==, 0);
	g_clear_error (&error);

	/* /boot on its own file system, full */
	disk.repo_free = G_MAXINT64;
	disk.boot_free = 5;
	g_assert_false (otad_space_check (fx->repo, &est, "/b", fake_free, &disk, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NO_SPACE);
	g_assert_nonnull (strstr (error->message, "on /b:"));
	g_clear_error (&error);

	/* and when everything fits */
	disk.boot_free = G_MAXUINT32;
	ASSERT_OK (otad_space_check (fx->repo, &est, "/b", fake_free, &disk, &error));
}

/* a real small file system: a 2 MiB tmpfs cannot hold a 3 MiB commit */
static void
test_space_tmpfs (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *mnt = g_build_filename (fx->tmp, "small", NULL);
	g_autofree gchar *repo_dir = g_build_filename (mnt, "repo", NULL);
	g_autoptr(OstreeRepo) repo = NULL;
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	OtadSpaceEstimate est = { 0 };
	const gchar *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", mnt, NULL };
	gint status = 0;

	g_assert_cmpint (g_mkdir (mnt, 0755), ==, 0);
	if (!g_spawn_sync (NULL, (gchar **)mount_argv, NULL,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
			       G_SPAWN_STDERR_TO_DEV_NULL,
			   NULL, NULL, NULL, NULL, &status, NULL) ||
	    !g_spawn_check_wait_status (status, NULL)) {
		g_test_skip ("cannot mount a tmpfs here (not root?)");
		return;
	}
	{
		g_autoptr(GFile) path = g_file_new_for_path (repo_dir);
		repo = ostree_repo_new (path);
		ASSERT_OK (ostree_repo_create (repo, OSTREE_REPO_MODE_BARE, NULL, &error));
	}
	/* nothing of A on the small disk: all of B must come */
	options.from_commit = NULL;
	ASSERT_OK (otad_space_estimate (repo, &options, fx->b, 0, &est, NULL, &error));
	g_assert_false (otad_space_check (repo, &est, NULL, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NO_SPACE);
	g_test_message ("%s", error->message);
	g_assert_cmpuint (fixture_bulk_bytes (fx), ==, 0);
	g_clear_object (&repo);
	{
		g_autofree gchar *out = OTAD_TEST_RUN (NULL, "umount", mnt);
	}
}

/* neither delta nor sizes: the target length, or the booted commit's size */
static void
test_space_fallbacks (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *plain = NULL;
	g_autofree gchar *srv_arg = g_strconcat ("--repo=", fx->srv, NULL);
	g_autofree gchar *tree_arg = g_strconcat ("--tree=dir=", fx->tree, NULL);
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	OtadSpaceEstimate est = { 0 };

	plain = OTAD_TEST_RUN (NULL, "ostree", srv_arg, "commit", "--branch=demo/x86_64",
			       tree_arg, "--timestamp=2026-04-01", "--no-xattrs");
	ASSERT_OK (otad_space_estimate (fx->repo, &options, plain, 12345678, &est, NULL, &error));
	g_assert_cmpint (est.source, ==, OTAD_SPACE_SOURCE_TARGET_LENGTH);
	g_assert_cmpuint (est.download_bytes, ==, 12345678);
	ASSERT_OK (otad_space_estimate (fx->repo, &options, plain, 0, &est, NULL, &error));
	g_assert_cmpint (est.source, ==, OTAD_SPACE_SOURCE_BOOTED_COMMIT);
	g_assert_cmpuint (est.repo_bytes, >, N_FILES * FILE_SIZE);
}

static GVariant *
bytearray (const guint8 *data, gsize len)
{
	return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, len, 1);
}

/* a superblock (unsigned, from the server) whose sizes add up past 2^64: the sums stay at
 * the largest value and the space check refuses, instead of a wrapped small number passing */
static void
test_space_superblock_overflow (void)
{
	const gchar *to = "8bfc2d0ef4f5a1f5e1ea8b3b8ab5ffe3c8e4f2d3b9c1e9f0a7d6c5b4a3928170";
	g_autoptr(GVariantBuilder) headers = g_variant_builder_new (G_VARIANT_TYPE ("a(uayttay)"));
	g_autoptr(GVariant) sb = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(OtadDeltaSuperblock) parsed = NULL;
	g_autoptr(GError) error = NULL;
	guint8 csum[OSTREE_SHA256_DIGEST_LEN] = { 1 };
	guint8 to_csum[OSTREE_SHA256_DIGEST_LEN];
	OtadSpaceEstimate est = { OTAD_SPACE_SOURCE_DELTA, 0, 0, 0 };
	FakeDisk disk = { .repo_free = G_MAXUINT64 - 1 };
	g_autoptr(OstreeRepo) repo = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp ("otad-space-XXXXXX", NULL);

	ostree_checksum_inplace_to_bytes (to, to_csum);
	/* two parts of 2^63 + 1 bytes each: 2 bytes once wrapped around */
	for (guint i = 0; i < 2; i++)
		g_variant_builder_add (headers, "(u@aytt@ay)", 0,
				       bytearray (csum, sizeof csum),
				       G_MAXINT64 + (guint64)2, G_MAXINT64 + (guint64)2,
				       bytearray (NULL, 0));
	sb = g_variant_ref_sink (g_variant_new (
	    "(@a{sv}t@ay@ay@(a{sv}aya(say)sstayay)@aya(uayttay)@a(yaytt))",
	    g_variant_new_parsed ("@a{sv} {'ostree.endianness': <byte %y>}",
				  G_BYTE_ORDER == G_LITTLE_ENDIAN ? 'l' : 'B'),
	    GUINT64_TO_BE (0), bytearray (NULL, 0),
	    bytearray (to_csum, sizeof to_csum),
	    g_variant_new_parsed ("@(a{sv}aya(say)sstayay) ({}, [], [], '', '', 0, [], [])"),
	    bytearray (NULL, 0), headers,
	    g_variant_new_array (G_VARIANT_TYPE ("(yaytt)"), NULL, 0)));
	bytes = g_variant_get_data_as_bytes (sb);
	parsed = otad_delta_superblock_new_from_bytes (bytes, NULL, to, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (otad_delta_superblock_get_download_size (parsed), ==, G_MAXUINT64);
	g_assert_cmpuint (otad_delta_superblock_get_unpacked_size (parsed), ==, G_MAXUINT64);

	est.download_bytes = otad_delta_superblock_get_download_size (parsed);
	est.repo_bytes = est.download_bytes;
	{
		g_autoptr(GFile) path = g_file_new_for_path (tmp);
		repo = ostree_repo_new (path);
		ASSERT_OK (ostree_repo_create (repo, OSTREE_REPO_MODE_BARE_USER, NULL, &error));
	}
	g_assert_false (otad_space_check (repo, &est, NULL, fake_free, &disk, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NO_SPACE);
	g_clear_object (&repo);
	{
		g_autofree gchar *out = OTAD_TEST_RUN (NULL, "rm", "-rf", tmp);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_ostree_require_tools ();
	/* the tmpfs test mounts a small file system (as root) */
	otad_test_require_program ("mount", "mount");
	otad_test_require_program ("umount", "mount");
	g_test_add_func ("/otad/space/superblock-overflow", test_space_superblock_overflow);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD ("/otad/space/commit-sizes", test_space_commit_sizes);
	ADD ("/otad/space/delta", test_space_delta);
	ADD ("/otad/space/refused", test_space_refused);
	ADD ("/otad/space/tmpfs", test_space_tmpfs);
	ADD ("/otad/space/fallbacks", test_space_fallbacks);
	return g_test_run ();
}
