/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cost of a check-in against tests/server/otaserver.py on 127.0.0.1: requests and bytes of an
 * unchanged check-in (the common case, every poll), and the client's CPU time per check-in,
 * with a full check-in (new metadata everywhere) measured in the same run as the reference.
 *
 * The second reference is curl fetching the very files otad fetched (taken from the server's
 * request log), in one process over one kept-alive connection, with the same client
 * certificate: the least a client that verifies nothing can spend.  Its process start is
 * measured alone (curl on file:///dev/null) and given beside it, as otad's figure has none.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include "otad-checkin.h"
#include "otad-test-server.h"

#define N_RUNS 20

static gint64
cpu_usec (void)
{
	struct rusage ru;
	getrusage (RUSAGE_SELF, &ru);
	return (gint64)ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec +
	       (gint64)ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
}

static void
publish (OtadTestServer *server, guint n)
{
	g_autofree gchar *json = g_strdup_printf (
	    "{\"repo\":[{\"name\":\"demo-%u\",\"sha256\":\"%064u\",\"length\":0,"
	    "\"custom\":{\"version\":\"%u\",\"hardwareIds\":[\"hw-x\"],\"targetFormat\":\"OSTREE\"}"
	    "}],"
	    "\"director\":[{\"name\":\"demo-%u\",\"sha256\":\"%064u\",\"length\":0,"
	    "\"custom\":{\"ecuIdentifiers\":{\"ecu-1\":{\"hardwareId\":\"hw-x\"}}}}],"
	    "\"correlation_id\":\"c%u\"}",
	    n, n, n, n, n, n);
	otad_test_server_control (server, "/targets", json);
}

/* as in otad, whose connections are closed after each job: every check-in opens one,
 * resuming the TLS session of the one before */
static void
checkin (OtadHttp *http, OtadCheckin *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadTarget) t = NULL;
	otad_http_close_connections (http);
	if (!otad_checkin_run (c, "ecu-1", "hw-x", NULL, &t, NULL, &error))
		g_error ("check-in failed: %s", error->message);
}

/* what check-ins cost the client: requests, body bytes, CPU time */
typedef struct {
	guint64 requests;
	guint64 bytes;
	gint64 cpu_us;
} Cost;

/* one check-in, its cost added to @cost */
static void
measure (OtadHttp *http, OtadCheckin *c, Cost *cost)
{
	guint64 requests = otad_http_get_request_count (http);
	guint64 bytes = otad_http_get_bytes_received (http);
	gint64 cpu = cpu_usec ();

	checkin (http, c);
	cost->cpu_us += cpu_usec () - cpu;
	cost->requests += otad_http_get_request_count (http) - requests;
	cost->bytes += otad_http_get_bytes_received (http) - bytes;
}

/* the URLs of the requests in the server's log since the last /reset-log */
static GPtrArray *
logged_urls (OtadTestServer *server)
{
	g_autoptr(JsonArray) log = otad_test_server_log (server);
	GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; i < json_array_get_length (log); i++) {
		JsonObject *e = json_array_get_object_element (log, i);
		if (json_object_has_member (e, "path"))
			g_ptr_array_add (urls, g_strconcat (server->base_url,
							    json_object_get_string_member (e, "path"),
							    NULL));
	}
	return urls;
}

/* one curl process fetching @urls (none: file:///dev/null, its start alone); its CPU
 * time from wait4() and the body bytes it reports */
static gboolean
curl_run (OtadTestServer *server, GPtrArray *urls, gint64 *cpu_us, guint64 *bytes)
{
	g_autofree gchar *ca = otad_test_server_path (server, "ca.pem");
	g_autofree gchar *cert = otad_test_server_path (server, "device.pem");
	g_autofree gchar *key = otad_test_server_path (server, "device.key");
	g_autoptr(GPtrArray) argv = g_ptr_array_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(GIOChannel) out = NULL;
	g_autofree gchar *text = NULL;
	g_auto(GStrv) sizes = NULL;
	struct rusage ru;
	GPid pid;
	gint fd, status = 0;

	g_ptr_array_add (argv, (gpointer) "curl");
	g_ptr_array_add (argv, (gpointer) "-s");
	g_ptr_array_add (argv, (gpointer) "-w");
	g_ptr_array_add (argv, (gpointer) "%{size_download}\n");
	if (urls->len > 0) {
		g_ptr_array_add (argv, (gpointer) "--cacert");
		g_ptr_array_add (argv, ca);
		g_ptr_array_add (argv, (gpointer) "--cert");
		g_ptr_array_add (argv, cert);
		g_ptr_array_add (argv, (gpointer) "--key");
		g_ptr_array_add (argv, key);
	}
	for (guint i = 0; i < MAX (urls->len, 1); i++) {
		g_ptr_array_add (argv, (gpointer) "-o");
		g_ptr_array_add (argv, (gpointer) "/dev/null");
		g_ptr_array_add (argv, urls->len > 0 ? g_ptr_array_index (urls, i)
						     : (gpointer) "file:///dev/null");
	}
	g_ptr_array_add (argv, NULL);
	if (!g_spawn_async_with_pipes (NULL, (gchar **)argv->pdata, NULL,
				       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
				       &pid, NULL, &fd, NULL, &error)) {
		g_printerr ("curl: %s\n", error->message);
		return FALSE;
	}
	out = g_io_channel_unix_new (fd);
	g_io_channel_set_close_on_unref (out, TRUE);
	if (g_io_channel_read_to_end (out, &text, NULL, &error) != G_IO_STATUS_NORMAL)
		g_error ("reading curl's output: %s", error->message);
	if (wait4 (pid, &status, 0, &ru) != pid || !WIFEXITED (status) ||
	    WEXITSTATUS (status) != 0)
		g_error ("curl failed (status %d)", status);
	*cpu_us = (gint64)ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec +
		  (gint64)ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
	*bytes = 0;
	sizes = g_strsplit (text, "\n", -1);
	for (guint i = 0; sizes[i] != NULL; i++)
		*bytes += g_ascii_strtoull (sizes[i], NULL, 10);
	return TRUE;
}

/* curl's median CPU time over N_RUNS runs of @urls, and its bytes per run */
static gboolean
curl_reference (OtadTestServer *server, GPtrArray *urls, gdouble *cpu_ms, guint64 *bytes)
{
	gint64 cpu[N_RUNS];

	for (guint i = 0; i < N_RUNS; i++) {
		if (!curl_run (server, urls, &cpu[i], bytes))
			return FALSE;
	}
	for (guint i = 1; i < N_RUNS; i++) {
		for (guint j = i; j > 0 && cpu[j - 1] > cpu[j]; j--) {
			gint64 t = cpu[j];
			cpu[j] = cpu[j - 1];
			cpu[j - 1] = t;
		}
	}
	*cpu_ms = (gdouble)cpu[N_RUNS / 2] / 1000.0;
	return TRUE;
}

int
main (int argc, char **argv)
{
	g_autofree gchar *dir = otad_test_mkdtemp ();
	g_autofree gchar *state = otad_test_mkdtemp ();
	const gchar *args[] = {"--director-full", NULL};
	g_autoptr(OtadTestServer) server = NULL;
	g_autoptr(OtadHttp) http = NULL;
	g_autoptr(OtadCheckin) c = NULL;
	g_autofree gchar *director = NULL;
	g_autofree gchar *repo = NULL;
	g_autofree gchar *md = NULL;
	const gchar *roots[] = {NULL, NULL};
	Cost full = {0}, same = {0}, cond = {0};
	guint same_logged;
	g_autoptr(GPtrArray) full_urls = NULL;
	g_autoptr(GPtrArray) same_urls = NULL;
	g_autoptr(GPtrArray) no_urls = g_ptr_array_new ();

	g_test_init (&argc, &argv, NULL);
	server = otad_test_server_start (dir, args);
	http = otad_test_server_http (server);
	director = g_strconcat (server->base_url, "/director", NULL);
	repo = g_strconcat (server->base_url, "/repo", NULL);
	md = g_build_filename (state, "metadata", NULL);
	c = otad_checkin_new (http, director, repo, md);
	roots[0] = dir;
	otad_checkin_set_root_dirs (c, roots);

	/* reference: check-ins that each find new metadata in both repositories */
	for (guint i = 1; i <= N_RUNS; i++) {
		publish (server, i);
		otad_test_server_control (server, "/reset-log", "{}");
		measure (http, c, &full);
	}
	full_urls = logged_urls (server);
	/* the common case: nothing new */
	otad_test_server_control (server, "/reset-log", "{}");
	for (guint i = 0; i < N_RUNS; i++)
		measure (http, c, &same);
	{
		g_autoptr(GPtrArray) all = logged_urls (server);
		same_urls = g_ptr_array_new ();
		for (guint i = 0; i < all->len / N_RUNS; i++)
			g_ptr_array_add (same_urls, g_strdup (g_ptr_array_index (all, i)));
		g_ptr_array_set_free_func (same_urls, g_free);
	}

	same_logged = otad_test_server_count (server, NULL, NULL);
	/* a server that sends ETags (a static file server): the files asked for under one
	 * name are answered 304 once otad holds an ETag for them */
	otad_test_server_control (server, "/etags", "{\"enabled\":true}");
	checkin (http, c);
	for (guint i = 0; i < N_RUNS; i++)
		measure (http, c, &cond);
	otad_test_server_control (server, "/etags", "{\"enabled\":false}");

	g_print ("conditional check-in: %.1f requests, %.0f body bytes, CPU %.2f ms\n",
	         (gdouble)cond.requests / N_RUNS, (gdouble)cond.bytes / N_RUNS,
	         (gdouble)cond.cpu_us / N_RUNS / 1000.0);
	g_print ("unchanged check-in: %.1f requests, %.0f body bytes (server log: %u requests)\n",
	         (gdouble)same.requests / N_RUNS, (gdouble)same.bytes / N_RUNS,
	         same_logged / N_RUNS);
	g_print ("full check-in:      %.1f requests, %.0f body bytes\n", (gdouble)full.requests / N_RUNS,
	         (gdouble)full.bytes / N_RUNS);
	g_print ("CPU per check-in:   unchanged %.2f ms, full %.2f ms, ratio %.2f\n",
	         (gdouble)same.cpu_us / N_RUNS / 1000.0, (gdouble)full.cpu_us / N_RUNS / 1000.0,
	         full.cpu_us > 0 ? (gdouble)same.cpu_us / (gdouble)full.cpu_us : 0.0);
	g_print ("bytes ratio unchanged/full: %.3f\n",
	         full.bytes > 0 ? (gdouble)same.bytes / (gdouble)full.bytes : 0.0);
	if (g_find_program_in_path ("curl") == NULL) {
		g_print ("curl: not installed (Debian package curl)\n");
	} else {
		gdouble start_ms, same_ms, full_ms;
		guint64 b, same_curl_bytes, full_curl_bytes;
		if (curl_reference (server, no_urls, &start_ms, &b) &&
		    curl_reference (server, same_urls, &same_ms, &same_curl_bytes) &&
		    curl_reference (server, full_urls, &full_ms, &full_curl_bytes)) {
			/* machine-read by bench/run: requests bytes cpu-ms start-ms */
			g_print ("curl unchanged: %u %" G_GUINT64_FORMAT " %.2f %.2f\n",
				 same_urls->len, same_curl_bytes, same_ms, start_ms);
			g_print ("curl full: %u %" G_GUINT64_FORMAT " %.2f %.2f\n", full_urls->len,
				 full_curl_bytes, full_ms, start_ms);
			g_print ("otad unchanged: %.1f %.0f %.2f\n", (gdouble)same.requests / N_RUNS,
				 (gdouble)same.bytes / N_RUNS, (gdouble)same.cpu_us / N_RUNS / 1000.0);
			g_print ("otad full: %.1f %.0f %.2f\n", (gdouble)full.requests / N_RUNS,
				 (gdouble)full.bytes / N_RUNS, (gdouble)full.cpu_us / N_RUNS / 1000.0);
		}
	}

	g_clear_object (&c);
	otad_test_server_stop (server);
	otad_test_rm_rf (dir);
	otad_test_rm_rf (state);
	return 0;
}
