/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"
#include "otad-checkin.h"
#include "otad-test-server.h"
#include "otad-tuf-error.h"

#define COMMIT_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define COMMIT_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

typedef struct {
	gchar *dir;
	gchar *state_dir;
	OtadTestServer *server;
	OtadHttp *http;
	OtadCheckin *checkin;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	const gchar *full[] = {"--director-full", NULL};
	g_autofree gchar *director = NULL;
	g_autofree gchar *repo = NULL;
	g_autofree gchar *md = NULL;
	const gchar *roots[] = {NULL, NULL};

	f->dir = otad_test_mkdtemp ();
	f->state_dir = otad_test_mkdtemp ();
	f->server = otad_test_server_start (f->dir, GPOINTER_TO_INT (data) ? full : NULL);
	f->http = otad_test_server_http (f->server);
	otad_http_set_retry (f->http, 2, 1, 1, 1);
	director = g_strconcat (f->server->base_url, "/director", NULL);
	repo = g_strconcat (f->server->base_url, "/repo", NULL);
	md = g_build_filename (f->state_dir, "metadata", NULL);
	f->checkin = otad_checkin_new (f->http, director, repo, md);
	/* the server writes its initial roots as <dir>/{director,repo}/root.json */
	roots[0] = f->dir;
	otad_checkin_set_root_dirs (f->checkin, roots);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	g_clear_object (&f->checkin);
	g_clear_object (&f->http);
	g_clear_pointer (&f->server, otad_test_server_free);
	otad_test_rm_rf (f->dir);
	otad_test_rm_rf (f->state_dir);
	g_free (f->dir);
	g_free (f->state_dir);
}

static void
publish (Fixture *f, const gchar *commit, const gchar *version, const gchar *cid)
{
	g_autofree gchar *json = g_strdup_printf (
	    "{\"repo\":[{\"name\":\"demo-%s\",\"sha256\":\"%s\",\"length\":0,"
	    "\"custom\":{\"name\":\"demo\",\"version\":\"%s\",\"hardwareIds\":[\"hw-x\"],"
	    "\"targetFormat\":\"OSTREE\",\"uri\":\"https://example.invalid/treehub\"}}],"
	    "\"director\":[{\"name\":\"demo-%s\",\"sha256\":\"%s\",\"length\":0,"
	    "\"custom\":{\"ecuIdentifiers\":{\"ecu-1\":{\"hardwareId\":\"hw-x\"}}}}],"
	    "\"correlation_id\":\"%s\"}",
	    version, commit, version, version, commit, cid);
	otad_test_server_control (f->server, "/targets", json);
}

static OtadTarget *
run (Fixture *f, const gchar *installed)
{
	g_autoptr(GError) error = NULL;
	OtadTarget *target = NULL;

	otad_checkin_run (f->checkin, "ecu-1", "hw-x", installed, &target, NULL, &error);
	g_assert_no_error (error);
	return target;
}

static void
test_no_update (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadTarget) t = run (f, NULL);
	g_assert_null (t);
}

static void
test_update (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadTarget) t = NULL;
	g_autoptr(OtadTarget) t2 = NULL;

	publish (f, COMMIT_B, "2.0", "urn:here-ota:campaign:7");
	t = run (f, COMMIT_A);
	g_assert_nonnull (t);
	g_assert_cmpstr (t->name, ==, "demo-2.0");
	g_assert_cmpstr (t->sha256, ==, COMMIT_B);
	g_assert_cmpuint (t->length, ==, 0);
	g_assert_cmpstr (t->version, ==, "2.0");
	g_assert_cmpstr (t->target_format, ==, "OSTREE");
	g_assert_cmpstr (t->uri, ==, "https://example.invalid/treehub");
	g_assert_cmpstr (t->correlation_id, ==, "urn:here-ota:campaign:7");
	g_assert_cmpstr (t->ecu_serial, ==, "ecu-1");
	g_assert_true (g_strv_contains ((const gchar *const *)t->hardware_ids, "hw-x"));

	/* once installed, the same assignment is "no update" */
	t2 = run (f, COMMIT_B);
	g_assert_null (t2);
}

static void
test_unchanged_cost (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadTarget) t = NULL;
	g_autoptr(OtadTarget) t2 = NULL;
	g_autoptr(JsonArray) log = NULL;
	const gchar *expected[] = {"/director/2.root.json", "/director/timestamp.json",
	                           "/repo/2.root.json", "/repo/timestamp.json"};

	publish (f, COMMIT_B, "2.0", "c1");
	t = run (f, COMMIT_A);
	g_assert_nonnull (t);
	otad_test_server_control (f->server, "/reset-log", "{}");

	/* nothing new: root N+1 (404) and timestamp (same version), per repository */
	t2 = run (f, COMMIT_A);
	g_assert_nonnull (t2);
	g_assert_cmpstr (t2->sha256, ==, COMMIT_B);
	log = otad_test_server_log (f->server);
	g_assert_cmpuint (json_array_get_length (log), ==, G_N_ELEMENTS (expected));
	for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
		JsonObject *e = json_array_get_object_element (log, i);
		g_assert_cmpstr (json_object_get_string_member (e, "method"), ==, "GET");
		g_assert_cmpstr (json_object_get_string_member (e, "path"), ==, expected[i]);
	}
}

static void
test_director_without_timestamp (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadTarget) t = NULL;
	g_autoptr(OtadTarget) t2 = NULL;

	/* an OTA CE Director has no timestamp/snapshot: targets.json every time */
	publish (f, COMMIT_B, "2.0", "c1");
	t = run (f, COMMIT_A);
	g_assert_nonnull (t);
	otad_test_server_control (f->server, "/reset-log", "{}");
	t2 = run (f, COMMIT_A);
	g_assert_nonnull (t2);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/director/targets.json"), ==,
	                  1);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/snapshot.json"), ==, 0);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/targets.json"), ==, 0);
}

static void
test_new_campaign (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadTarget) t = NULL;
	g_autoptr(OtadTarget) t2 = NULL;

	publish (f, COMMIT_A, "1.0", "c1");
	t = run (f, COMMIT_A);
	g_assert_null (t);
	publish (f, COMMIT_B, "2.0", "c2");
	t2 = run (f, COMMIT_A);
	g_assert_nonnull (t2);
	g_assert_cmpstr (t2->correlation_id, ==, "c2");
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/targets.json"), ==, 2);
}

static void
test_root_rotation (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadTarget) t = NULL;

	publish (f, COMMIT_B, "2.0", "c1");
	otad_test_server_control (f->server, "/rotate-root", "{\"repo\":\"repo\"}");
	t = run (f, COMMIT_A);
	g_assert_nonnull (t);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/2.root.json"), ==, 1);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/3.root.json"), ==, 1);
}

static void
test_server_errors (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadTarget *t = NULL;

	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"status\",\"status\":500,\"count\":-1,"
	                          "\"prefix\":\"/director/targets.json\"}");
	g_assert_false (otad_checkin_run (f->checkin, "ecu-1", "hw-x", NULL, &t, NULL, &error));
	g_assert_null (t);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_SERVER);
	g_assert_nonnull (strstr (error->message, "/director/targets.json"));
}

static void
test_wrong_hardware (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadTarget *t = NULL;

	/* the Director assigns a target for other hardware to our ECU: refused */
	publish (f, COMMIT_B, "2.0", "c1");
	g_assert_false (otad_checkin_run (f->checkin, "ecu-1", "hw-other", NULL, &t, NULL, &error));
	/* an OtaError at the check-in's boundary, the attack class leading the message */
	g_assert_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION);
	g_assert_true (g_str_has_prefix (error->message, "hardware-mismatch: "));
}

static void
test_endless_timestamp (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadTarget *t = NULL;

	/* an endless-data attack on the timestamp stops at the verifier's limit */
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"oversize\",\"size\":50000000,\"chunked\":true,"
	                          "\"count\":-1,\"prefix\":\"/repo/timestamp.json\"}");
	g_assert_false (otad_checkin_run (f->checkin, "ecu-1", "hw-x", NULL, &t, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION);
	g_assert_true (g_str_has_prefix (error->message, "too-large: "));
	g_assert_nonnull (strstr (error->message, "/repo/timestamp.json"));
	g_assert_cmpuint (otad_http_get_bytes_received (f->http), <, 1024 * 1024);
}

static void
test_dropped_connection (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OtadTarget *t = NULL;
	g_autoptr(OtadTarget) t2 = NULL;

	/* every request to the Director dropped: a network error naming the URL */
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"drop\",\"count\":-1,\"prefix\":\"/director/\"}");
	g_assert_false (otad_checkin_run (f->checkin, "ecu-1", "hw-x", NULL, &t, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
	g_assert_nonnull (strstr (error->message, "/director/"));
	/* and the next check-in works once the server behaves */
	otad_test_server_control (f->server, "/clear", "{}");
	publish (f, COMMIT_B, "2.0", "c1");
	t2 = run (f, COMMIT_A);
	g_assert_nonnull (t2);
}

static gchar *
firmware (gsize len, gchar fill)
{
	gchar *s = g_malloc (len + 1);
	for (gsize i = 0; i < len; i++)
		s[i] = (i % 64 == 63) ? fill : "0123456789abcdef"[i % 16];
	s[len] = '\0';
	return s;
}

static OtadTarget *
publish_binary (Fixture *f, const gchar *content)
{
	g_autofree gchar *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
	g_autofree gchar *json = g_strdup_printf (
	    "{\"repo\":[{\"name\":\"fw-1.bin\",\"content\":\"%s\","
	    "\"custom\":{\"version\":\"1\",\"hardwareIds\":[\"hw-x\"],"
	    "\"targetFormat\":\"BINARY\"}}],"
	    "\"director\":[{\"name\":\"fw-1.bin\",\"sha256\":\"%s\",\"length\":%zu,"
	    "\"custom\":{\"ecuIdentifiers\":{\"ecu-1\":{\"hardwareId\":\"hw-x\"}}}}]}",
	    content, sha, strlen (content));
	OtadTarget *t;

	otad_test_server_control (f->server, "/targets", json);
	t = run (f, NULL);
	g_assert_nonnull (t);
	g_assert_cmpuint (t->length, ==, strlen (content));
	return t;
}

static void
assert_file (const gchar *path, const gchar *content)
{
	g_autofree gchar *got = NULL;
	gsize len = 0;
	g_assert_true (g_file_get_contents (path, &got, &len, NULL));
	g_assert_cmpuint (len, ==, strlen (content));
	g_assert_true (memcmp (got, content, len) == 0);
}

static void
test_download_binary (Fixture *f, gconstpointer data)
{
	g_autofree gchar *content = firmware (200000, 'x');
	g_autoptr(OtadTarget) t = publish_binary (f, content);
	g_autofree gchar *dest = g_build_filename (f->state_dir, "fw.bin", NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true (
	    otad_checkin_download_target (f->checkin, t, dest, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	assert_file (dest, content);
}

static void
test_download_resume (Fixture *f, gconstpointer data)
{
	g_autofree gchar *content = firmware (200000, 'y');
	g_autoptr(OtadTarget) t = publish_binary (f, content);
	g_autofree gchar *dest = g_build_filename (f->state_dir, "fw.bin", NULL);
	g_autofree gchar *part = g_strdup_printf ("%s.part", dest);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonArray) log = NULL;
	guint64 before;

	/* the connection breaks after 70000 bytes; no retry within this call */
	otad_http_set_retry (f->http, 1, 1, 1, 1);
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"truncate\",\"bytes\":70000,\"count\":1,"
	                          "\"prefix\":\"/repo/targets/\"}");
	g_assert_false (
	    otad_checkin_download_target (f->checkin, t, dest, NULL, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
	g_assert_nonnull (strstr (error->message, "/repo/targets/fw-1.bin"));
	g_clear_error (&error);
	g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
	g_assert_true (g_file_test (part, G_FILE_TEST_EXISTS));

	/* the next call asks only for the rest */
	before = otad_http_get_bytes_received (f->http);
	g_assert_true (
	    otad_checkin_download_target (f->checkin, t, dest, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	assert_file (dest, content);
	g_assert_cmpuint (otad_http_get_bytes_received (f->http) - before, ==, 200000 - 70000);
	log = otad_test_server_log (f->server);
	g_assert_cmpstr (
	    json_object_get_string_member (
	        json_array_get_object_element (log, json_array_get_length (log) - 1), "range"),
	    ==, "bytes=70000-");
}

static void
test_download_tampered (Fixture *f, gconstpointer data)
{
	g_autofree gchar *content = firmware (5000, 'z');
	g_autofree gchar *evil = firmware (5000, 'E');
	g_autoptr(OtadTarget) t = publish_binary (f, content);
	g_autofree gchar *dest = g_build_filename (f->state_dir, "fw.bin", NULL);
	g_autofree gchar *json =
	    g_strdup_printf ("{\"name\":\"fw-1.bin\",\"content\":\"%s\"}", evil);
	g_autoptr(GError) error = NULL;

	/* same length, other bytes: refused and not left behind */
	otad_test_server_control (f->server, "/blob", json);
	g_assert_false (
	    otad_checkin_download_target (f->checkin, t, dest, NULL, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION);
	g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_server_require_tools ();
#define ADD(path, full, fn)                                                                        \
	g_test_add (path, Fixture, GINT_TO_POINTER (full), fixture_setup, fn, fixture_teardown)
	ADD ("/otad/checkin/no-update", 0, test_no_update);
	ADD ("/otad/checkin/update", 0, test_update);
	ADD ("/otad/checkin/unchanged-cost", 1, test_unchanged_cost);
	ADD ("/otad/checkin/director-without-timestamp", 0, test_director_without_timestamp);
	ADD ("/otad/checkin/new-campaign", 1, test_new_campaign);
	ADD ("/otad/checkin/root-rotation", 0, test_root_rotation);
	ADD ("/otad/checkin/server-errors", 0, test_server_errors);
	ADD ("/otad/checkin/wrong-hardware", 0, test_wrong_hardware);
	ADD ("/otad/checkin/endless-timestamp", 1, test_endless_timestamp);
	ADD ("/otad/checkin/dropped-connection", 0, test_dropped_connection);
	ADD ("/otad/checkin/download-binary", 0, test_download_binary);
	ADD ("/otad/checkin/download-resume", 0, test_download_resume);
	ADD ("/otad/checkin/download-tampered", 0, test_download_tampered);
#undef ADD
	return g_test_run ();
}
