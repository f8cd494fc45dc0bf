/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cost of a check-in against tests/server/otaserver.py on 127.0.0.1: requests and bytes of an
 * unchanged check-in (the common case, every poll), and the client's CPU time per check-in,
 * with a full check-in (new metadata everywhere) measured in the same run as the reference.
 */
#include "config.h"

#include <sys/resource.h>

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

static void
checkin (OtadCheckin *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadTarget) t = NULL;
	if (!otad_checkin_run (c, "ecu-1", "hw-x", NULL, &t, NULL, &error))
		g_error ("check-in failed: %s", error->message);
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
	guint64 req0, bytes0;
	gint64 cpu0, cpu_full = 0, cpu_same = 0;
	guint64 full_req = 0, full_bytes = 0, same_req, same_bytes;

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
		req0 = otad_http_get_request_count (http);
		bytes0 = otad_http_get_bytes_received (http);
		cpu0 = cpu_usec ();
		checkin (c);
		cpu_full += cpu_usec () - cpu0;
		full_req += otad_http_get_request_count (http) - req0;
		full_bytes += otad_http_get_bytes_received (http) - bytes0;
	}
	/* the common case: nothing new */
	otad_test_server_control (server, "/reset-log", "{}");
	req0 = otad_http_get_request_count (http);
	bytes0 = otad_http_get_bytes_received (http);
	cpu0 = cpu_usec ();
	for (guint i = 0; i < N_RUNS; i++)
		checkin (c);
	cpu_same = cpu_usec () - cpu0;
	same_req = otad_http_get_request_count (http) - req0;
	same_bytes = otad_http_get_bytes_received (http) - bytes0;

	g_print ("unchanged check-in: %.1f requests, %.0f body bytes (server log: %u requests)\n",
	         (gdouble)same_req / N_RUNS, (gdouble)same_bytes / N_RUNS,
	         otad_test_server_count (server, NULL, NULL) / N_RUNS);
	g_print ("full check-in:      %.1f requests, %.0f body bytes\n", (gdouble)full_req / N_RUNS,
	         (gdouble)full_bytes / N_RUNS);
	g_print ("CPU per check-in:   unchanged %.2f ms, full %.2f ms, ratio %.2f\n",
	         (gdouble)cpu_same / N_RUNS / 1000.0, (gdouble)cpu_full / N_RUNS / 1000.0,
	         cpu_full > 0 ? (gdouble)cpu_same / (gdouble)cpu_full : 0.0);
	g_print ("bytes ratio unchanged/full: %.3f\n",
	         full_bytes > 0 ? (gdouble)same_bytes / (gdouble)full_bytes : 0.0);

	g_clear_object (&c);
	otad_test_server_stop (server);
	otad_test_rm_rf (dir);
	otad_test_rm_rf (state);
	return 0;
}
