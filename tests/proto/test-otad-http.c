/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-http.h"
#include "otad-test-server.h"

/* a clock that only moves when otad sleeps */
typedef struct {
	gint64 now;
	gint64 slept;
	guint sleeps;
} FakeClock;

static gint64
fake_monotonic (gpointer user_data)
{
	return ((FakeClock *)user_data)->now;
}

static gint64
fake_real (gpointer user_data)
{
	return (gint64)1700000000 * G_USEC_PER_SEC + ((FakeClock *)user_data)->now;
}

static gboolean
fake_sleep (gpointer user_data, gint64 usec, GCancellable *cancellable, GError **error)
{
	FakeClock *c = user_data;
	c->now += usec;
	c->slept += usec;
	c->sleeps++;
	return TRUE;
}

static gdouble
fake_random (gpointer user_data)
{
	return 0.999;
}

static void
fake_clock_install (OtadHttp *http, FakeClock *c)
{
	OtadHttpClock clock = {fake_monotonic, fake_real, fake_sleep, fake_random, c};
	c->now = 1000 * G_USEC_PER_SEC;
	otad_http_set_clock (http, &clock);
}

typedef struct {
	gchar *dir;
	OtadTestServer *server;
	OtadHttp *http;
	FakeClock clock;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	f->dir = otad_test_mkdtemp ();
	f->server = otad_test_server_start (f->dir, NULL);
	f->http = otad_test_server_http (f->server);
	fake_clock_install (f->http, &f->clock);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	g_clear_object (&f->http);
	g_clear_pointer (&f->server, otad_test_server_free);
	otad_test_rm_rf (f->dir);
	g_free (f->dir);
}

static gchar *
url (Fixture *f, const gchar *path)
{
	return g_strconcat (f->server->base_url, path, NULL);
}

static void
test_get (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	guint status = 0;
	g_autoptr(GBytes) body = otad_http_get (f->http, u, 0, 0, &status, NULL, &error);
	g_autoptr(JsonArray) log = NULL;

	g_assert_no_error (error);
	g_assert_cmpuint (status, ==, 200);
	g_assert_nonnull (strstr (g_bytes_get_data (body, NULL), "\"timestamp\""));
	log = otad_test_server_log (f->server);
	g_assert_cmpuint (json_array_get_length (log), ==, 1);
	g_assert_cmpstr (
	    json_object_get_string_member (json_array_get_object_element (log, 0), "cn"), ==,
	    "device-1");
	g_assert_cmpuint (otad_http_get_request_count (f->http), ==, 1);
	g_assert_cmpuint (otad_http_get_bytes_received (f->http), ==, g_bytes_get_size (body));
}

static void
test_not_found (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/2.root.json");
	guint status = 0;
	g_autoptr(GBytes) body = otad_http_get (f->http, u, 0, 0, &status, NULL, &error);
	g_autoptr(GBytes) body2 = NULL;

	g_assert_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
	g_assert_nonnull (strstr (error->message, u));
	g_assert_nonnull (strstr (error->message, "404"));
	g_assert_null (body);
	g_clear_error (&error);

	body2 =
	    otad_http_get (f->http, u, 0, OTAD_HTTP_FLAG_ALLOW_NOT_FOUND, &status, NULL, &error);
	g_assert_no_error (error);
	g_assert_null (body2);
	g_assert_cmpuint (status, ==, 404);
	/* 404 is final: never retried */
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/2.root.json"), ==, 2);
}

static void
assert_tls_error (OtadHttp *http, const gchar *u)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = otad_http_get (http, u, 0, 0, NULL, NULL, &error);

	g_assert_null (body);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_TLS);
	g_assert_nonnull (strstr (error->message, u));
	g_test_message ("%s", error->message);
}

static void
test_no_client_cert (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca = otad_test_server_path (f->server, "ca.pem");
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(JsonArray) log = NULL;

	g_assert_true (otad_http_set_ca_file (http, ca, &error));
	assert_tls_error (http, u);
	/* the server saw a handshake without a certificate and served nothing */
	log = otad_test_server_log (f->server);
	g_assert_cmpuint (otad_test_server_count (f->server, NULL, NULL), ==, 0);
	g_assert_cmpuint (json_array_get_length (log), >=, 1);
	g_assert_true (
	    json_object_has_member (json_array_get_object_element (log, 0), "tls_error"));
}

static void
test_rogue_client_cert (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca = otad_test_server_path (f->server, "ca.pem");
	g_autofree gchar *cert = otad_test_server_path (f->server, "rogue-device.pem");
	g_autofree gchar *key = otad_test_server_path (f->server, "rogue-device.key");
	g_autofree gchar *u = url (f, "/repo/timestamp.json");

	g_assert_true (otad_http_set_ca_file (http, ca, &error));
	g_assert_true (otad_http_set_client_certificate (http, cert, key, &error));
	g_assert_no_error (error);
	assert_tls_error (http, u);
	g_assert_cmpuint (otad_test_server_count (f->server, NULL, NULL), ==, 0);
}

static void
test_untrusted_server (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	/* the pinned CA is another one: the real server must be refused */
	g_autofree gchar *ca = otad_test_server_path (f->server, "rogue-ca.pem");
	g_autofree gchar *cert = otad_test_server_path (f->server, "device.pem");
	g_autofree gchar *key = otad_test_server_path (f->server, "device.key");
	g_autofree gchar *u = url (f, "/repo/timestamp.json");

	g_assert_true (otad_http_set_ca_file (http, ca, &error));
	g_assert_true (otad_http_set_client_certificate (http, cert, key, &error));
	assert_tls_error (http, u);
	g_assert_cmpuint (otad_test_server_count (f->server, NULL, NULL), ==, 0);
}

static void
test_bad_config (void)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;

	g_assert_false (otad_http_set_ca_file (http, "/nonexistent/ca.pem", &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	g_assert_nonnull (strstr (error->message, "/nonexistent/ca.pem"));
	g_clear_error (&error);
	g_assert_false (otad_http_set_client_certificate (http, "pkcs11:token=x;object=c",
	                                                  "/some/key.pem", &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
}

static void
test_retry_5xx (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;

	otad_http_set_retry (f->http, 4, 100, 1000, 60);
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"status\",\"status\":503,\"count\":3}");
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (body);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/timestamp.json"), ==, 4);
	/* full jitter below 100, 200, 400 ms (random is 0.999 here) */
	g_assert_cmpuint (f->clock.sleeps, ==, 3);
	g_assert_cmpint (f->clock.slept, <=, 700 * 1000);
	g_assert_cmpint (f->clock.slept, >=, 690 * 1000);
}

static void
test_5xx_storm (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;

	otad_http_set_retry (f->http, 5, 100, 300, 60);
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"status\",\"status\":500,\"count\":-1}");
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_SERVER);
	g_assert_nonnull (strstr (error->message, u));
	g_assert_nonnull (strstr (error->message, "500"));
	g_assert_nonnull (strstr (error->message, "5 attempts"));
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/timestamp.json"), ==, 5);
	/* the cap holds: 100 + 200 + 300 + 300 ms at most */
	g_assert_cmpint (f->clock.slept, <=, 900 * 1000);
}

static void
test_retry_after (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;

	otad_http_set_retry (f->http, 3, 100, 1000, 60);
	otad_test_server_control (
	    f->server, "/misbehave",
	    "{\"mode\":\"status\",\"status\":429,\"retry_after\":5,\"count\":1}");
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/timestamp.json"), ==, 2);
	g_assert_cmpint (f->clock.slept, >=, 5 * G_USEC_PER_SEC);
}

static void
test_retry_after_next_request (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autofree gchar *u2 = url (f, "/director/targets.json");
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GBytes) body2 = NULL;

	/* no retries: the 429 fails this request, and the next one waits */
	otad_http_set_retry (f->http, 1, 100, 1000, 60);
	otad_test_server_control (
	    f->server, "/misbehave",
	    "{\"mode\":\"status\",\"status\":429,\"retry_after\":5,\"count\":1}");
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_SERVER);
	g_assert_nonnull (strstr (error->message, "429"));
	g_assert_cmpint (f->clock.slept, ==, 0);
	g_clear_error (&error);

	body2 = otad_http_get (f->http, u2, 0, 0, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (f->clock.slept, >=, 5 * G_USEC_PER_SEC);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", NULL), ==, 2);
}

static void
test_retry_after_date (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GDateTime) when = NULL;
	g_autofree gchar *date = NULL;
	g_autofree gchar *rule = NULL;

	/* an HTTP-date 30 s after the fake wall clock */
	when = g_date_time_new_from_unix_utc (1700000000 + 1000 + 30);
	date = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S GMT");
	rule =
	    g_strdup_printf ("{\"mode\":\"status\",\"status\":503,\"retry_after\":\"%s\"}", date);
	otad_http_set_retry (f->http, 3, 100, 1000, 60);
	otad_test_server_control (f->server, "/misbehave", rule);
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (f->clock.slept, >=, 29 * G_USEC_PER_SEC);
	g_assert_cmpint (f->clock.slept, <=, 31 * G_USEC_PER_SEC);
}

static void
test_retry_after_too_long (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;

	/* beyond the configured maximum: fail now instead of blocking for a day */
	otad_http_set_retry (f->http, 3, 100, 1000, 60);
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"status\",\"status\":429,\"retry_after\":86400}");
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_SERVER);
	g_assert_nonnull (strstr (error->message, "86400"));
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", NULL), ==, 1);
}

static void
test_parse_retry_after (void)
{
	gint64 d = -1;
	gint64 now = (gint64)1445412480 * G_USEC_PER_SEC; /* Wed, 21 Oct 2015 07:28:00 GMT */

	g_assert_true (otad_http_parse_retry_after ("5", now, &d));
	g_assert_cmpint (d, ==, 5 * G_USEC_PER_SEC);
	g_assert_true (otad_http_parse_retry_after (" 120 ", now, &d));
	g_assert_cmpint (d, ==, 120 * G_USEC_PER_SEC);
	g_assert_true (otad_http_parse_retry_after ("Wed, 21 Oct 2015 07:28:10 GMT", now, &d));
	g_assert_cmpint (d, ==, 10 * G_USEC_PER_SEC);
	g_assert_true (otad_http_parse_retry_after ("Wed, 21 Oct 2015 07:27:00 GMT", now, &d));
	g_assert_cmpint (d, ==, 0);
	g_assert_false (otad_http_parse_retry_after ("-5", now, &d));
	g_assert_false (otad_http_parse_retry_after ("5s", now, &d));
	g_assert_false (otad_http_parse_retry_after ("soon", now, &d));
	g_assert_false (otad_http_parse_retry_after ("99999999999999999999", now, &d));
	g_assert_false (otad_http_parse_retry_after (NULL, now, &d));
}

static void
test_oversize (Fixture *f, gconstpointer data)
{
	const gchar *rules[] = {
	    "{\"mode\":\"oversize\",\"size\":4000000,\"count\":1}",
	    "{\"mode\":\"oversize\",\"size\":4000000,\"chunked\":true,\"count\":1}",
	};
	g_autofree gchar *u = url (f, "/repo/timestamp.json");

	for (guint i = 0; i < G_N_ELEMENTS (rules); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) body = NULL;
		guint64 before = otad_http_get_bytes_received (f->http);

		otad_test_server_control (f->server, "/misbehave", rules[i]);
		body = otad_http_get (f->http, u, 100000, 0, NULL, NULL, &error);
		g_assert_error (error, OTA_ERROR, OTA_ERROR_SERVER);
		g_assert_nonnull (strstr (error->message, "limit"));
		g_assert_nonnull (strstr (error->message, u));
		/* reading stopped at the limit, not at the end of the body */
		g_assert_cmpuint (otad_http_get_bytes_received (f->http) - before, <=,
		                  100000 + 65536);
	}
}

static void
test_bad_length (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;

	otad_http_set_retry (f->http, 1, 100, 1000, 60);
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"bad-length\",\"length\":5000,\"count\":1}");
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
	g_assert_nonnull (strstr (error->message, u));
	g_test_message ("%s", error->message);
}

static void
test_drop (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;

	otad_http_set_retry (f->http, 1, 100, 1000, 60);
	otad_test_server_control (f->server, "/misbehave", "{\"mode\":\"drop\",\"count\":1}");
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
	g_assert_nonnull (strstr (error->message, u));
	g_clear_error (&error);

	/* with retries, a dropped connection is retried and succeeds */
	otad_http_set_retry (f->http, 3, 100, 1000, 60);
	otad_test_server_control (f->server, "/misbehave", "{\"mode\":\"drop\",\"count\":1}");
	g_clear_pointer (&body, g_bytes_unref);
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (body);
}

static void
test_stall (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(GBytes) body = NULL;

	otad_http_set_timeout (f->http, 1);
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"stall\",\"seconds\":4,\"count\":1}");
	body = otad_http_get (f->http, u, 0, OTAD_HTTP_FLAG_NO_RETRY, NULL, NULL, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
	g_assert_nonnull (strstr (error->message, "timed out"));
}

static gint64
real_monotonic (gpointer user_data)
{
	return g_get_monotonic_time ();
}

static gint64
real_real (gpointer user_data)
{
	return g_get_real_time ();
}

static gboolean
real_sleep (gpointer user_data, gint64 usec, GCancellable *cancellable, GError **error)
{
	g_usleep (usec);
	return TRUE;
}

/* a byte a second, each in time for the per-I/O timeout: the deadline and the minimum
 * speed end it, in memory and to disk, with a named error and no retry */
static void
test_slow_retrieval (Fixture *f, gconstpointer data)
{
	OtadHttpClock clock = {real_monotonic, real_real, real_sleep, fake_random, NULL};
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autofree gchar *dest = g_build_filename (f->dir, "timestamp.json", NULL);
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start;

	otad_http_set_clock (f->http, &clock);
	otad_http_set_timeout (f->http, 5);
	otad_http_set_deadline (f->http, 2, 100);
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"trickle\",\"seconds\":30,\"count\":-1}");
	start = g_get_monotonic_time ();
	body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_assert_null (body);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
	g_assert_nonnull (strstr (error->message, "slow retrieval"));
	g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);
	g_assert_cmpuint (otad_test_server_count (f->server, "GET", "/repo/timestamp.json"), ==, 1);
	g_clear_error (&error);

	start = g_get_monotonic_time ();
	g_assert_false (otad_http_download (f->http, u, dest, 0, NULL, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
	g_assert_nonnull (strstr (error->message, "slow retrieval"));
	g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);
	g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
}

/* [network] max-download-rate: a download reads no faster than the cap on average */
static void
test_rate_cap (Fixture *f, gconstpointer data)
{
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autofree gchar *dest = g_build_filename (f->dir, "capped.json", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *contents = NULL;
	gsize size = 0;

	/* its size first, uncapped */
	g_assert_true (otad_http_download (f->http, u, dest, 0, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (g_file_get_contents (dest, &contents, &size, NULL));
	g_assert_cmpuint (size, >, 0);
	g_unlink (dest);

	/* capped at half its size per second: it sleeps two seconds (the fixture's clock
	 * moves only when otad sleeps) */
	otad_http_set_max_rate (f->http, MAX (size / 2, 1));
	g_assert_cmpuint (otad_http_get_max_rate (f->http), ==, MAX (size / 2, 1));
	f->clock.slept = 0;
	g_assert_true (otad_http_download (f->http, u, dest, 0, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpint (f->clock.slept, >=, 19 * G_USEC_PER_SEC / 10);
	g_assert_cmpint (f->clock.slept, <=, 21 * G_USEC_PER_SEC / 10);
	g_unlink (dest);

	/* the cap lifted: no sleep */
	otad_http_set_max_rate (f->http, 0);
	f->clock.slept = 0;
	g_assert_true (otad_http_download (f->http, u, dest, 0, NULL, NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpint (f->clock.slept, ==, 0);
}

/* an object's download: a part file left from before is not resumed (it may never have
 * reached the disk), and the result is the server's file */
static void
test_download_transient (Fixture *f, gconstpointer data)
{
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autofree gchar *dest = g_build_filename (f->dir, "object", NULL);
	g_autofree gchar *part = g_strconcat (dest, ".part", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
	g_autofree gchar *contents = NULL;
	gsize size = 0;

	g_assert_no_error (error);
	g_assert_true (g_file_set_contents (part, "garbage", -1, NULL));
	g_assert_true (otad_http_download_full (f->http, u, dest, 0,
						OTAD_HTTP_DOWNLOAD_FLAG_TRANSIENT, NULL, NULL,
						NULL, &error));
	g_assert_no_error (error);
	g_assert_true (g_file_get_contents (dest, &contents, &size, NULL));
	g_assert_cmpmem (contents, size, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
	g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

static void
test_keepalive (Fixture *f, gconstpointer data)
{
	g_autofree gchar *u = url (f, "/repo/timestamp.json");
	g_autoptr(JsonArray) log = NULL;

	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) body = otad_http_get (f->http, u, 0, 0, NULL, NULL, &error);
		g_assert_no_error (error);
	}
	/* three requests, one TLS handshake: the server logs one connection */
	log = otad_test_server_log (f->server);
	g_assert_cmpuint (json_array_get_length (log), ==, 3);
	{
		const gchar *c0 =
		    json_object_get_string_member (json_array_get_object_element (log, 0), "conn");
		for (guint i = 1; i < 3; i++)
			g_assert_cmpstr (json_object_get_string_member (
			                     json_array_get_object_element (log, i), "conn"),
			                 ==, c0);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_server_require_tools ();
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD ("/otad/http/get", test_get);
	ADD ("/otad/http/rate-cap", test_rate_cap);
	ADD ("/otad/http/download-transient", test_download_transient);
	ADD ("/otad/http/not-found", test_not_found);
	ADD ("/otad/http/tls/no-client-cert", test_no_client_cert);
	ADD ("/otad/http/tls/rogue-client-cert", test_rogue_client_cert);
	ADD ("/otad/http/tls/untrusted-server", test_untrusted_server);
	ADD ("/otad/http/retry/5xx", test_retry_5xx);
	ADD ("/otad/http/retry/5xx-storm", test_5xx_storm);
	ADD ("/otad/http/retry/retry-after", test_retry_after);
	ADD ("/otad/http/retry/retry-after-next-request", test_retry_after_next_request);
	ADD ("/otad/http/retry/retry-after-date", test_retry_after_date);
	ADD ("/otad/http/retry/retry-after-too-long", test_retry_after_too_long);
	ADD ("/otad/http/limit/oversize", test_oversize);
	ADD ("/otad/http/bad-length", test_bad_length);
	ADD ("/otad/http/drop", test_drop);
	ADD ("/otad/http/stall", test_stall);
	ADD ("/otad/http/slow-retrieval", test_slow_retrieval);
	ADD ("/otad/http/keepalive", test_keepalive);
#undef ADD
	g_test_add_func ("/otad/http/parse-retry-after", test_parse_retry_after);
	g_test_add_func ("/otad/http/bad-config", test_bad_config);
	return g_test_run ();
}
