/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ota-error.h"
#include "otad-tuf-error.h"
#include "otad-tuf-metadata.h"
#include "otad-tuf-repo.h"
#include "otad-tuf-store.h"
#include "otad-uptane.h"
#include "otad-test-require.h"

static gchar *
vectors_dir (void)
{
	return g_test_build_filename (G_TEST_DIST, "..", "tuf", "vectors", NULL);
}

static GBytes *
read_bytes (const gchar *path)
{
	gchar *contents = NULL;
	gsize len = 0;
	g_autoptr (GError) error = NULL;
	g_file_get_contents (path, &contents, &len, &error);
	g_assert_no_error (error);
	return g_bytes_new_take (contents, len);
}

static OtadTufMetadata *
parse_file (const gchar *path, OtadTufRoleType type, const gchar *name, GError **error)
{
	g_autoptr (GBytes) bytes = read_bytes (path);
	return otad_tuf_metadata_parse (bytes, type, name, error);
}

static gint
reason_to_code (const gchar *reason)
{
	for (gint code = 0; code < OTAD_TUF_ERROR_LAST; code++) {
		if (g_strcmp0 (otad_tuf_error_to_string (code), reason) == 0)
			return code;
	}
	g_error ("unknown reason %s", reason);
	return -1;
}

/* one vector: parse it as its role and verify it against the role that signs it */
static gboolean
verify_vector (const gchar *base, JsonObject *entry, GError **error)
{
	const gchar *role = json_object_get_string_member (entry, "role");
	g_autofree gchar *file =
	    g_build_filename (base, json_object_get_string_member (entry, "file"), NULL);
	gboolean delegated = g_strcmp0 (role, "delegated") == 0;
	OtadTufRoleType type = OTAD_TUF_ROLE_TARGETS;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autoptr (OtadTufMetadata) signer = NULL;

	if (g_strcmp0 (role, "root") == 0)
		type = OTAD_TUF_ROLE_ROOT;
	else if (g_strcmp0 (role, "timestamp") == 0)
		type = OTAD_TUF_ROLE_TIMESTAMP;
	else if (g_strcmp0 (role, "snapshot") == 0)
		type = OTAD_TUF_ROLE_SNAPSHOT;
	md = parse_file (file, type, role, error);
	if (md == NULL)
		return FALSE;
	if (delegated) {
		g_autofree gchar *parent = g_build_filename (
		    base, json_object_get_string_member (entry, "delegating_role"), NULL);
		signer = parse_file (parent, OTAD_TUF_ROLE_TARGETS, "targets", NULL);
		g_assert_nonnull (signer);
		g_assert_nonnull (signer->delegations);
		for (guint i = 0; i < signer->delegations->len; i++) {
			OtadTufRole *r = g_ptr_array_index (signer->delegations, i);
			if (g_strcmp0 (r->name, role) == 0)
				return otad_tuf_metadata_verify_role (md, signer->delegation_keys,
				                                      r, "targets", error) &&
				       otad_tuf_metadata_check_expiry (
				           md, g_get_real_time () / G_USEC_PER_SEC, error);
		}
		g_error ("no delegation %s", role);
	}
	{
		g_autofree gchar *root_path = g_build_filename (
		    base, json_object_get_string_member (entry, "trusted_root"), NULL);
		signer = parse_file (root_path, OTAD_TUF_ROLE_ROOT, "root", NULL);
		g_assert_nonnull (signer);
	}
	if (!otad_tuf_metadata_verify_role (
	        md, signer->keys, otad_tuf_metadata_get_role (signer, role), "trusted root", error))
		return FALSE;
	if (type == OTAD_TUF_ROLE_ROOT &&
	    !otad_tuf_metadata_verify_role (md, md->keys, otad_tuf_metadata_get_role (md, "root"),
	                                    "itself", error))
		return FALSE;
	return otad_tuf_metadata_check_expiry (md, g_get_real_time () / G_USEC_PER_SEC, error);
}

static void
test_tuf_vectors (void)
{
	g_autofree gchar *base = vectors_dir ();
	g_autofree gchar *manifest = g_build_filename (base, "MANIFEST.json", NULL);
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	JsonArray *entries;

	if (!g_file_test (manifest, G_FILE_TEST_EXISTS)) {
		g_test_skip ("no vectors");
		return;
	}
	json_parser_load_from_file (parser, manifest, &error);
	g_assert_no_error (error);
	entries = json_node_get_array (json_parser_get_root (parser));
	g_assert_cmpuint (json_array_get_length (entries), >, 10);
	for (guint i = 0; i < json_array_get_length (entries); i++) {
		JsonObject *entry = json_array_get_object_element (entries, i);
		g_autoptr (GError) error_local = NULL;
		gboolean ok = verify_vector (base, entry, &error_local);
		const gchar *file = json_object_get_string_member (entry, "file");
		g_test_message ("%s: %s", file, ok ? "ok" : error_local->message);
		if (json_object_get_boolean_member (entry, "valid")) {
			g_assert_no_error (error_local);
			g_assert_true (ok);
		} else {
			const gchar *reason = json_object_get_string_member (entry, "reason");
			g_assert_false (ok);
			g_assert_error (error_local, OTAD_TUF_ERROR, reason_to_code (reason));
		}
	}
}

static gchar *
copy_repo (const gchar *name, const gchar *tmp)
{
	g_autofree gchar *base = vectors_dir ();
	g_autofree gchar *src = g_build_filename (base, "repos", name, NULL);
	g_autofree gchar *dst = g_build_filename (tmp, "server", NULL);
	g_autofree gchar *cmd = g_strdup_printf ("cp -a '%s' '%s'", src, dst);
	g_autoptr (GError) error = NULL;
	gint status = 0;
	g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error);
	g_assert_no_error (error);
	g_assert_cmpint (status, ==, 0);
	return g_steal_pointer (&dst);
}

static OtadTufRepo *
client_for (const gchar *server, const gchar *tmp)
{
	g_autoptr (OtadTufFetcher) fetcher = otad_tuf_fetcher_new_for_directory (server);
	g_autofree gchar *meta = g_build_filename (tmp, "meta", NULL);
	g_autofree gchar *root1 = g_build_filename (server, "1.root.json", NULL);
	g_autoptr (GBytes) root = read_bytes (root1);
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadTufRepo) repo = otad_tuf_repo_new ("test-repo", meta, fetcher);
	otad_tuf_repo_init_root (repo, root, &error);
	g_assert_no_error (error);
	return g_steal_pointer (&repo);
}

static void
rm_rf (const gchar *dir)
{
	g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", dir);
	g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
}

static void
test_tuf_workflow_dir (gconstpointer data)
{
	const gchar *name = data;
	g_autofree gchar *tmp = g_dir_make_tmp ("otad-tuf-XXXXXX", NULL);
	g_autofree gchar *base = vectors_dir ();
	g_autofree gchar *server = NULL;
	g_autofree gchar *meta = g_build_filename (tmp, "meta", NULL);
	g_autofree gchar *targets_dir = NULL;
	g_autoptr (OtadTufRepo) repo = NULL;
	g_autoptr (OtadTufRepo) again = NULL;
	g_autoptr (OtadTufFetcher) target_fetcher = NULL;
	g_autoptr (OtadTufMetadata) role = NULL;
	g_autoptr (GBytes) target = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = NULL;
	OtadTufTargetInfo info = {0};
	OtadTufRefreshResult result = 0;
	const gchar *files[] = {"root.json", "timestamp.json", "snapshot.json", "targets.json",
	                        "delegations/delegated.json"};

	if (!g_file_test (base, G_FILE_TEST_IS_DIR)) {
		g_test_skip ("no vectors");
		return;
	}
	server = copy_repo (name, tmp);
	repo = client_for (server, tmp);
	g_assert_true (
	    otad_tuf_repo_refresh (repo, OTAD_TUF_REFRESH_FLAG_NONE, &result, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpint (result, ==, OTAD_TUF_REFRESH_RESULT_UPDATED);
	g_assert_cmpint (otad_tuf_repo_get_root (repo)->version, ==, 2);
	/* each file is written as its step verifies it (TUF 5.4.5, 5.5.7, 5.6.6) */
	for (guint i = 0; i < 4; i++) {
		g_autofree gchar *p = g_build_filename (meta, files[i], NULL);
		g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
	}
	/* a delegated target, found through the delegation "d/ *" */
	g_assert_true (otad_tuf_repo_find_target (repo, "d/file.bin", &info, &role, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (role->role_name, ==, "delegated");
	g_assert_false (otad_tuf_repo_find_target (repo, "nothere.bin", &info, NULL, NULL, &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_TARGET);
	g_clear_error (&error);
	for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autofree gchar *p = g_build_filename (meta, files[i], NULL);
		g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
	}
	/* the target file itself */
	g_assert_true (otad_tuf_repo_find_target (repo, "hello.txt", &info, NULL, NULL, &error));
	targets_dir = g_build_filename (server, "targets", NULL);
	target_fetcher = otad_tuf_fetcher_new_for_directory (targets_dir);
	path = otad_tuf_repo_get_target_path (repo, "hello.txt", &info);
	target = otad_tuf_fetch_target (target_fetcher, path, &info, "hello.txt", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (target), ==, info.length);

	/* a second check-in with nothing new stops at timestamp */
	again = otad_tuf_repo_new ("test-repo", meta, NULL);
	g_assert_true (otad_tuf_repo_load (again, &error));
	g_assert_no_error (error);
	g_clear_object (&again);
	{
		g_autoptr (OtadTufFetcher) fetcher = otad_tuf_fetcher_new_for_directory (server);
		g_autofree gchar *snap = g_build_filename (server, "snapshot.json", NULL);
		again = otad_tuf_repo_new ("test-repo", meta, fetcher);
		g_assert_true (otad_tuf_repo_load (again, &error));
		/* proof that nothing after timestamp is fetched: snapshot is gone */
		g_assert_cmpint (g_unlink (snap), ==, 0);
		g_assert_true (otad_tuf_repo_refresh (again, OTAD_TUF_REFRESH_FLAG_NONE, &result,
		                                      NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpint (result, ==, OTAD_TUF_REFRESH_RESULT_UNCHANGED);
		/* the trusted copy is expired at a later "now": a frozen repository */
		otad_tuf_repo_set_time (again, 4102444800 + 3600); /* 2100-01-01 */
		g_assert_false (otad_tuf_repo_refresh (again, OTAD_TUF_REFRESH_FLAG_NONE, &result,
		                                       NULL, &error));
		g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_EXPIRED);
	}
	rm_rf (tmp);
}

/* each broken timestamp of the vectors, served in place of the good one */
static void
test_tuf_workflow_bad_timestamps (void)
{
	g_autofree gchar *base = vectors_dir ();
	g_autofree gchar *manifest = g_build_filename (base, "MANIFEST.json", NULL);
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	JsonArray *entries;
	guint n = 0;

	if (!g_file_test (manifest, G_FILE_TEST_EXISTS)) {
		g_test_skip ("no vectors");
		return;
	}
	json_parser_load_from_file (parser, manifest, &error);
	g_assert_no_error (error);
	entries = json_node_get_array (json_parser_get_root (parser));
	for (guint i = 0; i < json_array_get_length (entries); i++) {
		JsonObject *entry = json_array_get_object_element (entries, i);
		const gchar *file = json_object_get_string_member (entry, "file");
		g_autofree gchar *tmp = NULL;
		g_autofree gchar *server = NULL;
		g_autofree gchar *repo_name = NULL;
		g_autofree gchar *src = NULL;
		g_autofree gchar *dst = NULL;
		g_autofree gchar *meta = NULL;
		g_autoptr (GBytes) bad = NULL;
		g_autoptr (OtadTufRepo) repo = NULL;
		g_auto (GStrv) parts = NULL;
		g_autoptr (GError) error_local = NULL;

		if (json_object_get_boolean_member (entry, "valid") ||
		    g_strcmp0 (json_object_get_string_member (entry, "role"), "timestamp") != 0)
			continue;
		parts = g_strsplit (file, "/", -1);
		repo_name = g_strdup (parts[1]);
		tmp = g_dir_make_tmp ("otad-tuf-XXXXXX", NULL);
		server = copy_repo (repo_name, tmp);
		src = g_build_filename (base, file, NULL);
		dst = g_build_filename (server, "timestamp.json", NULL);
		bad = read_bytes (src);
		g_assert_true (g_file_set_contents (dst, g_bytes_get_data (bad, NULL),
		                                    g_bytes_get_size (bad), NULL));
		repo = client_for (server, tmp);
		g_assert_false (otad_tuf_repo_refresh (repo, OTAD_TUF_REFRESH_FLAG_NONE, NULL, NULL,
		                                       &error_local));
		g_test_message ("%s: %s", file, error_local->message);
		g_assert_error (error_local, OTAD_TUF_ERROR,
		                reason_to_code (json_object_get_string_member (entry, "reason")));
		/* nothing but the initial root is trusted */
		meta = g_build_filename (tmp, "meta", "timestamp.json", NULL);
		g_assert_false (g_file_test (meta, G_FILE_TEST_EXISTS));
		rm_rf (tmp);
		n++;
	}
	g_assert_cmpuint (n, >, 0);
}

static void
test_tuf_paths (void)
{
	OtadTufRole role = {0};
	g_autoptr (GPtrArray) paths = g_ptr_array_new ();
	g_autoptr (GPtrArray) prefixes = g_ptr_array_new ();
	g_autofree gchar *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "foo.bin", -1);
	g_autofree gchar *prefix = g_strndup (digest, 4);

	g_ptr_array_add (paths, (gpointer) "targets/*.tgz");
	g_ptr_array_add (paths, (gpointer) "file?.txt");
	g_ptr_array_add (paths, (gpointer) "[ab]*/x");
	role.paths = paths;
	g_assert_true (otad_tuf_role_matches_path (&role, "targets/a.tgz"));
	g_assert_false (otad_tuf_role_matches_path (&role, "targets/sub/a.tgz"));
	g_assert_false (otad_tuf_role_matches_path (&role, "other/a.tgz"));
	g_assert_true (otad_tuf_role_matches_path (&role, "file1.txt"));
	g_assert_false (otad_tuf_role_matches_path (&role, "file12.txt"));
	g_assert_true (otad_tuf_role_matches_path (&role, "abc/x"));
	g_assert_false (otad_tuf_role_matches_path (&role, "cab/x"));
	role.paths = NULL;
	g_ptr_array_add (prefixes, prefix);
	role.path_hash_prefixes = prefixes;
	g_assert_true (otad_tuf_role_matches_path (&role, "foo.bin"));
	g_assert_false (otad_tuf_role_matches_path (&role, "bar.bin"));
	role.path_hash_prefixes = NULL;
	g_assert_false (otad_tuf_role_matches_path (&role, "foo.bin"));
}

static const OtadJsonNode *
json_of (OtadJsonDoc **doc, const gchar *json)
{
	g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
	*doc = otad_json_doc_new_from_bytes (bytes, NULL);
	g_assert_nonnull (*doc);
	return otad_json_doc_get_root (*doc);
}

static void
test_tuf_hashes (void)
{
	g_autoptr (OtadJsonDoc) d1 = NULL, d2 = NULL, d3 = NULL, d4 = NULL;
	const OtadJsonNode *a = json_of (&d1, "{\"sha256\":\"AB\",\"sha512\":\"cd\"}");
	const OtadJsonNode *b = json_of (&d2, "{\"sha256\":\"ab\"}");
	const OtadJsonNode *c = json_of (&d3, "{\"sha256\":\"ac\",\"sha512\":\"cd\"}");
	const OtadJsonNode *e = json_of (&d4, "{\"md5\":\"ab\"}");
	g_autoptr (GBytes) data = g_bytes_new_static ("hello", 5);
	g_autoptr (OtadJsonDoc) d5 = NULL;
	g_autofree gchar *json =
	    g_strdup_printf ("{\"sha256\":\"%s\"}",
	                     "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	const OtadJsonNode *good = json_of (&d5, json);
	g_autoptr (GError) error = NULL;

	g_assert_true (otad_tuf_hashes_agree (a, b));
	g_assert_false (otad_tuf_hashes_agree (a, c));
	g_assert_false (otad_tuf_hashes_agree (b, e)); /* nothing in common */
	g_assert_true (otad_tuf_check_hashes (good, 5, data, "hello", &error));
	g_assert_no_error (error);
	g_assert_false (otad_tuf_check_hashes (good, 6, data, "hello", &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_LENGTH_MISMATCH);
	g_clear_error (&error);
	g_assert_false (otad_tuf_check_hashes (b, 5, data, "hello", &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_HASH_MISMATCH);
	g_clear_error (&error);
	g_assert_false (otad_tuf_check_hashes (e, 5, data, "hello", &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED);
}

static void
test_tuf_wrong_type (void)
{
	g_autofree gchar *base = vectors_dir ();
	g_autofree gchar *ts =
	    g_build_filename (base, "repos", "ota-ed25519", "timestamp.json", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;

	if (!g_file_test (ts, G_FILE_TEST_EXISTS)) {
		g_test_skip ("no vectors");
		return;
	}
	/* "Timestamp" (OTA CE) is a timestamp, and not a snapshot */
	md = parse_file (ts, OTAD_TUF_ROLE_TIMESTAMP, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (md);
	g_clear_pointer (&md, otad_tuf_metadata_unref);
	md = parse_file (ts, OTAD_TUF_ROLE_SNAPSHOT, NULL, &error);
	g_assert_null (md);
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_WRONG_TYPE);
}

static void
test_tuf_store (void)
{
	g_autofree gchar *tmp = g_dir_make_tmp ("otad-tuf-XXXXXX", NULL);
	g_autoptr (OtadTufStore) store = otad_tuf_store_new (tmp);
	g_autoptr (GBytes) one = g_bytes_new_static ("one", 3);
	g_autoptr (GBytes) two = g_bytes_new_static ("two", 3);
	g_autoptr (GBytes) got = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *name = otad_tuf_store_delegation_filename ("a/../b");

	g_assert_cmpstr (name, ==, "delegations/a%2F..%2Fb.json");
	g_assert_true (otad_tuf_store_save (store, "x.json", one, &error));
	g_assert_true (otad_tuf_store_save (store, "x.json", two, &error));
	got = otad_tuf_store_load (store, "x.json", &error);
	g_assert_no_error (error);
	g_assert_true (g_bytes_equal (got, two));
	g_assert_true (otad_tuf_store_save (store, name, one, &error));
	g_assert_true (otad_tuf_store_remove (store, "x.json", &error));
	g_assert_true (otad_tuf_store_remove (store, "x.json", &error));
	g_assert_null (otad_tuf_store_load (store, "x.json", &error));
	/* the store reads and writes through otad's state-file helper (otad-file.c) */
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	rm_rf (tmp);
}

/* endless data: default and configured download limits */
static void
test_tuf_limits (void)
{
	g_autofree gchar *tmp = g_dir_make_tmp ("otad-tuf-XXXXXX", NULL);
	g_autofree gchar *base = vectors_dir ();
	g_autofree gchar *server = NULL;
	g_autofree gchar *ts = NULL;
	g_autofree gchar *contents = NULL;
	g_autoptr (GString) padded = NULL;
	g_autoptr (OtadTufRepo) repo = NULL;
	g_autoptr (GError) error = NULL;
	OtadTufLimits limits;
	gsize len = 0;

	if (!g_file_test (base, G_FILE_TEST_IS_DIR)) {
		g_test_skip ("no vectors");
		return;
	}
	server = copy_repo ("tuf-ed25519", tmp);
	ts = g_build_filename (server, "timestamp.json", NULL);
	g_assert_true (g_file_get_contents (ts, &contents, &len, NULL));
	/* still the same valid, signed metadata: only whitespace is added */
	padded = g_string_new_len (contents, len);
	for (guint i = 0; i < 20000; i++)
		g_string_append_c (padded, ' ');
	g_assert_true (g_file_set_contents (ts, padded->str, padded->len, NULL));

	repo = client_for (server, tmp);
	g_assert_false (
	    otad_tuf_repo_refresh (repo, OTAD_TUF_REFRESH_FLAG_NONE, NULL, NULL, &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE);
	g_clear_error (&error);

	/* a larger timestamp limit lets it through; a tiny targets cap stops targets.json */
	otad_tuf_repo_get_default_limits (&limits);
	limits.timestamp_max = 64 * 1024;
	limits.targets_max = 100;
	otad_tuf_repo_set_limits (repo, &limits);
	g_assert_false (
	    otad_tuf_repo_refresh (repo, OTAD_TUF_REFRESH_FLAG_NONE, NULL, NULL, &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE);
	g_assert_nonnull (strstr (error->message, "targets.json"));
	g_clear_error (&error);
	limits.targets_max = 8 * 1024 * 1024;
	otad_tuf_repo_set_limits (repo, &limits);
	g_assert_true (
	    otad_tuf_repo_refresh (repo, OTAD_TUF_REFRESH_FLAG_NONE, NULL, NULL, &error));
	g_assert_no_error (error);
	rm_rf (tmp);
}

/* the directory fetcher never leaves its directory */
static void
test_tuf_fetcher_dir (void)
{
	g_autofree gchar *tmp = g_dir_make_tmp ("otad-tuf-XXXXXX", NULL);
	g_autofree gchar *file = g_build_filename (tmp, "a.json", NULL);
	g_autoptr (OtadTufFetcher) fetcher = otad_tuf_fetcher_new_for_directory (tmp);
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error = NULL;

	g_assert_true (g_file_set_contents (file, "12345", 5, NULL));
	bytes = otad_tuf_fetcher_fetch (fetcher, "a.json", 5, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (bytes), ==, 5);
	g_assert_null (otad_tuf_fetcher_fetch (fetcher, "a.json", 4, NULL, &error));
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE);
	g_clear_error (&error);
	g_assert_null (otad_tuf_fetcher_fetch (fetcher, "missing.json", 4, NULL, &error));
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_null (otad_tuf_fetcher_fetch (fetcher, "../etc/passwd", 4096, NULL, &error));
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	g_assert_null (otad_tuf_fetcher_fetch (fetcher, "/etc/passwd", 4096, NULL, &error));
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	rm_rf (tmp);
}

/* a repository recovers from fast-forwarded targets by rotating keys in a new root */
static void
test_tuf_fast_forward_recovery (gconstpointer data)
{
	const gchar *dialect = data;
	g_autofree gchar *tmp = g_dir_make_tmp ("otad-tuf-XXXXXX", NULL);
	g_autofree gchar *script =
	    g_test_build_filename (G_TEST_DIST, "make-fast-forward.py", NULL);
	g_autofree gchar *tufdir = g_test_build_filename (G_TEST_DIST, "..", "tuf", NULL);
	g_autofree gchar *s1 = g_build_filename (tmp, "s1", NULL);
	g_autofree gchar *s2 = g_build_filename (tmp, "s2", NULL);
	g_autofree gchar *meta = g_build_filename (tmp, "meta", NULL);
	g_autofree gchar *root1 = g_build_filename (s1, "1.root.json", NULL);
	g_autoptr (GBytes) root = NULL;
	g_autoptr (GError) error = NULL;
	gint status = 0;

	if (!g_file_test (tufdir, G_FILE_TEST_IS_DIR)) {
		g_test_skip ("no Python signer");
		return;
	}
	{
		const gchar *argv[] = {"/usr/bin/python3", script, tmp, tufdir, dialect, NULL};
		g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
		              &status, &error);
		g_assert_no_error (error);
		g_assert_true (g_spawn_check_wait_status (status, NULL));
	}
	root = read_bytes (root1);
	for (guint i = 0; i < 2; i++) {
		g_autoptr (OtadTufFetcher) fetcher =
		    otad_tuf_fetcher_new_for_directory (i == 0 ? s1 : s2);
		g_autoptr (OtadTufRepo) repo = otad_tuf_repo_new ("test-repo", meta, fetcher);
		if (i == 0)
			g_assert_true (otad_tuf_repo_init_root (repo, root, &error));
		else
			g_assert_true (otad_tuf_repo_load (repo, &error));
		g_assert_no_error (error);
		g_assert_true (
		    otad_tuf_repo_refresh (repo, OTAD_TUF_REFRESH_FLAG_NONE, NULL, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpint (otad_tuf_repo_get_targets (repo)->version, ==, i == 0 ? 1000 : 2);
		g_assert_cmpint (otad_tuf_repo_get_root (repo)->version, ==, i == 0 ? 1 : 2);
	}
	rm_rf (tmp);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the independent Python signer (tests/tuf/tufgen.py) makes the fixtures: without it
	 * these tests would skip, so a missing module fails them with one line instead */
	otad_test_require_python_module ("securesystemslib", "python3-securesystemslib");
	otad_test_require_python_module ("cryptography", "python3-cryptography");
	g_test_add_func ("/tuf/vectors", test_tuf_vectors);
	g_test_add_data_func ("/tuf/workflow/tuf-ed25519", "tuf-ed25519", test_tuf_workflow_dir);
	g_test_add_data_func ("/tuf/workflow/tuf-ecdsa", "tuf-ecdsa", test_tuf_workflow_dir);
	g_test_add_data_func ("/tuf/workflow/tuf-rsa4096", "tuf-rsa4096", test_tuf_workflow_dir);
	g_test_add_data_func ("/tuf/workflow/ota-ed25519", "ota-ed25519", test_tuf_workflow_dir);
	g_test_add_data_func ("/tuf/workflow/ota-rsa2048", "ota-rsa2048", test_tuf_workflow_dir);
	g_test_add_func ("/tuf/workflow/bad-timestamps", test_tuf_workflow_bad_timestamps);
	g_test_add_func ("/tuf/paths", test_tuf_paths);
	g_test_add_func ("/tuf/hashes", test_tuf_hashes);
	g_test_add_func ("/tuf/wrong-type", test_tuf_wrong_type);
	g_test_add_func ("/tuf/store", test_tuf_store);
	g_test_add_func ("/tuf/limits", test_tuf_limits);
	g_test_add_data_func ("/tuf/fast-forward-recovery/tuf", "tuf",
	                      test_tuf_fast_forward_recovery);
	g_test_add_data_func ("/tuf/fast-forward-recovery/ota", "ota",
	                      test_tuf_fast_forward_recovery);
	g_test_add_func ("/tuf/fetcher-dir", test_tuf_fetcher_dir);
	return g_test_run ();
}
