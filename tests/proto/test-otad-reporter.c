/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ota-error.h"
#include "otad-event-ledger.h"
#include "otad-reporter.h"
#include "otad-test-server.h"

typedef struct {
	gchar *dir;       /* server */
	gchar *state_dir; /* device */
	OtadTestServer *server;
	OtadHttp *http;
	OtadEcuKey *key;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *key_path = NULL;

	f->dir = otad_test_mkdtemp ();
	f->state_dir = otad_test_mkdtemp ();
	f->server = otad_test_server_start (f->dir, NULL);
	f->http = otad_test_server_http (f->server);
	otad_http_set_retry (f->http, 2, 1, 1, 1);
	key_path = g_build_filename (f->state_dir, "ecu.key", NULL);
	f->key = otad_ecu_key_load_or_create (key_path, &error);
	g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	g_clear_object (&f->key);
	g_clear_object (&f->http);
	g_clear_pointer (&f->server, otad_test_server_free);
	otad_test_rm_rf (f->dir);
	otad_test_rm_rf (f->state_dir);
	g_free (f->dir);
	g_free (f->state_dir);
}

static OtadReporter *
make_reporter (Fixture *f, const gchar *base_url)
{
	g_autoptr(GError) error = NULL;
	OtadReporter *r =
	    otad_reporter_new (f->http, base_url, f->state_dir, f->key, "ecu-1", &error);
	g_assert_no_error (error);
	return r;
}

static void
register_key (Fixture *f, OtadEcuKey *key)
{
	g_autofree gchar *json = g_strdup_printf ("{\"serial\":\"ecu-1\",\"public\":\"%s\"}",
	                                          otad_ecu_key_get_public_hex (key));
	otad_test_server_control (f->server, "/ecu-key", json);
}

static JsonObject *
last_entry (Fixture *f, const gchar *path)
{
	g_autoptr(JsonArray) log = otad_test_server_log (f->server);
	for (guint i = json_array_get_length (log); i > 0; i--) {
		JsonObject *e = json_array_get_object_element (log, i - 1);
		if (g_strcmp0 (json_object_get_string_member_with_default (e, "path", ""), path) ==
		    0)
			return json_object_ref (e);
	}
	return NULL;
}

static void
test_ecu_key_persistent (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *key_path = g_build_filename (f->state_dir, "ecu.key", NULL);
	g_autoptr(OtadEcuKey) again = otad_ecu_key_load_or_create (key_path, &error);
	GStatBuf st;

	g_assert_no_error (error);
	g_assert_cmpstr (otad_ecu_key_get_public_hex (again), ==,
	                 otad_ecu_key_get_public_hex (f->key));
	g_assert_cmpuint (strlen (otad_ecu_key_get_public_hex (again)), ==, 64);
	g_assert_cmpint (g_stat (key_path, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_manifest_verifies (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) e = NULL;
	OtadManifestImage image = {"demo-os-2.0", "ab12cd34", 0};
	OtadManifestReport report = {"urn:here-ota:campaign:42", TRUE, "OK", "installed"};
	JsonObject *signed_obj, *ir, *ecu;
	guint delivered = 0;

	register_key (f, f->key);
	g_assert_true (otad_reporter_queue_manifest (r, &image, &report, &error));
	g_assert_no_error (error);
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (delivered, ==, 1);

	e = last_entry (f, "/director/manifest");
	g_assert_nonnull (e);
	g_assert_cmpstr (json_object_get_string_member (e, "method"), ==, "PUT");
	g_assert_true (json_object_get_boolean_member (e, "verified"));
	signed_obj =
	    json_object_get_object_member (json_object_get_object_member (e, "json"), "signed");
	g_assert_cmpstr (json_object_get_string_member (signed_obj, "primary_ecu_serial"), ==,
	                 "ecu-1");
	ir = json_object_get_object_member (signed_obj, "installation_report");
	g_assert_cmpstr (json_object_get_string_member (ir, "content_type"), ==,
	                 "application/vnd.com.here.otac.installationReport.v1");
	g_assert_cmpstr (json_object_get_string_member (
	                     json_object_get_object_member (ir, "report"), "correlation_id"),
	                 ==, "urn:here-ota:campaign:42");
	ecu = json_object_get_object_member (
	    json_object_get_object_member (
	        json_object_get_object_member (
	            json_object_get_object_member (signed_obj, "ecu_version_manifests"), "ecu-1"),
	        "signed"),
	    "installed_image");
	g_assert_cmpstr (json_object_get_string_member (ecu, "filepath"), ==, "demo-os-2.0");
}

static void
test_manifest_director_url (Fixture *f, gconstpointer data)
{
	/* the gateway is unreachable, the Director (elsewhere) is not */
	g_autoptr(OtadReporter) r = make_reporter (f, "https://127.0.0.1:1");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *director = g_strconcat (f->server->base_url, "/director", NULL);
	OtadManifestImage image = {"demo-os-2.0", "ab12cd34", 0};
	guint delivered = 0;

	register_key (f, f->key);
	otad_reporter_set_director_url (r, director);
	g_assert_true (otad_reporter_queue_manifest (r, &image, NULL, &error));
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (delivered, ==, 1);
	g_assert_cmpuint (otad_test_server_count (f->server, "PUT", "/director/manifest"), ==, 1);
}

static void
test_manifest_wrong_key (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) e = NULL;
	g_autofree gchar *other_path = g_build_filename (f->state_dir, "other.key", NULL);
	g_autoptr(OtadEcuKey) other = otad_ecu_key_load_or_create (other_path, &error);
	OtadManifestImage image = {"demo-os-2.0", "ab12cd34", 0};
	guint delivered = 0;

	/* the server knows another key: it must refuse our signature */
	register_key (f, other);
	g_assert_true (otad_reporter_queue_manifest (r, &image, NULL, &error));
	g_test_expect_message ("OtadReportQueue", G_LOG_LEVEL_WARNING, "*refused*400*");
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_test_assert_expected_messages ();
	g_assert_cmpuint (delivered, ==, 0);
	e = last_entry (f, "/director/manifest");
	g_assert_false (json_object_get_boolean_member (e, "verified"));
	/* a refused report does not block the queue */
	g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==, 0);
}

static void
test_queue_survives_restart (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dead_url = g_strdup (f->server->base_url);
	g_autoptr(JsonArray) log = NULL;
	guint delivered = 0;
	guint n = 0;

	/* the server goes away: its port refuses connections */
	otad_test_server_stop (f->server);
	{
		g_autoptr(OtadReporter) r = make_reporter (f, dead_url);
		for (guint i = 0; i < 20; i++) {
			g_autofree gchar *cid = g_strdup_printf ("cid-%02u", i);
			g_assert_true (otad_reporter_queue_event (
			    r, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED, cid, NULL, TRUE, &error));
			g_assert_no_error (error);
		}
		g_assert_false (otad_reporter_flush (r, &delivered, NULL, &error));
		g_assert_error (error, OTA_ERROR, OTA_ERROR_NETWORK);
		g_assert_nonnull (strstr (error->message, "/events"));
		g_clear_error (&error);
		g_assert_cmpuint (delivered, ==, 0);
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  20);
	}

	/* "restart": new objects over the same state directory, server back (new port) */
	g_clear_pointer (&f->server, otad_test_server_free);
	f->server = otad_test_server_start (f->dir, NULL);
	{
		g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  20);
		g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (delivered, ==, 20);
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  0);
		/* a second flush sends nothing again */
		g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
		g_assert_cmpuint (delivered, ==, 0);
	}

	/* each exactly once, in order */
	log = otad_test_server_log (f->server);
	for (guint i = 0; i < json_array_get_length (log); i++) {
		JsonObject *e = json_array_get_object_element (log, i);
		JsonObject *ev;
		g_autofree gchar *cid = g_strdup_printf ("cid-%02u", n);
		if (g_strcmp0 (json_object_get_string_member_with_default (e, "path", ""),
		               "/events") != 0)
			continue;
		ev = json_array_get_object_element (json_object_get_array_member (e, "json"), 0);
		g_assert_cmpstr (json_object_get_string_member (
		                     json_object_get_object_member (ev, "eventType"), "id"),
		                 ==, "EcuInstallationCompleted");
		g_assert_cmpstr (json_object_get_string_member (
		                     json_object_get_object_member (ev, "event"), "correlationId"),
		                 ==, cid);
		n++;
	}
	g_assert_cmpuint (n, ==, 20);
}

static void
test_queue_partial_then_resume (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
	g_autoptr(GError) error = NULL;
	guint delivered = 0;

	/* five updates: the same event of one update would be queued once */
	for (guint i = 0; i < 5; i++) {
		g_autofree gchar *commit = g_strdup_printf ("commit-%u", i);
		g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_DOWNLOAD_STARTED,
		                                          "c", commit, FALSE, &error));
	}
	/* third request gets a 5xx storm: two delivered, three wait */
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"status\",\"status\":503,\"count\":-1,"
	                          "\"prefix\":\"/events\",\"after\":2}");
	g_assert_false (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_SERVER);
	g_clear_error (&error);
	g_assert_cmpuint (delivered, ==, 2);
	g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==, 3);
	otad_test_server_control (f->server, "/clear", "{}");
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_cmpuint (delivered, ==, 3);
}

static void
test_events_unsupported (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
	g_autoptr(GError) error = NULL;
	guint delivered = 0;

	otad_test_server_control (f->server, "/events", "{\"supported\":false}");
	g_assert_true (
	    otad_reporter_queue_event (r, OTAD_REPORT_EVENT_DOWNLOAD_STARTED, "c", NULL, FALSE,
	                               &error));
	/* 404 on events: dropped quietly (no warning, which would fail this test) */
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (delivered, ==, 0);
	g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==, 0);
	g_assert_cmpuint (otad_test_server_count (f->server, "POST", "/events"), ==, 1);
}

static void
test_queue_bounded (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *qdir = g_build_filename (f->state_dir, "bounded", NULL);
	g_autoptr(OtadReportQueue) q = otad_report_queue_new (qdir, 5, &error);
	guint delivered = 0;
	g_autoptr(JsonArray) log = NULL;

	for (guint i = 0; i < 8; i++) {
		g_autofree gchar *body = g_strdup_printf ("[{\"n\":%u}]", i);
		if (i >= 5)
			g_test_expect_message ("OtadReportQueue", G_LOG_LEVEL_WARNING, "*full*");
		g_assert_true (otad_report_queue_push (q, "POST", "events", body, &error));
		g_test_assert_expected_messages ();
	}
	g_assert_cmpuint (otad_report_queue_get_length (q), ==, 5);
	g_clear_object (&q);
	q = otad_report_queue_new (qdir, 5, &error);
	g_assert_cmpuint (otad_report_queue_get_length (q), ==, 5);
	g_assert_true (
	    otad_report_queue_flush (q, f->http, f->server->base_url, &delivered, NULL, &error));
	g_assert_cmpuint (delivered, ==, 5);
	/* the newest five, oldest first */
	log = otad_test_server_log (f->server);
	for (guint i = 0; i < 5; i++) {
		JsonObject *e = json_array_get_object_element (log, i);
		JsonObject *o =
		    json_array_get_object_element (json_object_get_array_member (e, "json"), 0);
		g_assert_cmpint (json_object_get_int_member (o, "n"), ==, i + 3);
	}
}

typedef struct {
	OtadReporter *reporter;
	gint finished;
	guint delivered;
} FlushThread;

static gpointer
flush_thread (gpointer data)
{
	FlushThread *ft = data;
	g_autoptr(GError) error = NULL;
	otad_reporter_flush (ft->reporter, &ft->delivered, NULL, &error);
	g_assert_no_error (error);
	g_atomic_int_set (&ft->finished, 1);
	return NULL;
}

static void
test_push_during_flush (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
	g_autoptr(GError) error = NULL;
	FlushThread ft = {r, 0, 0};
	GThread *thread;

	/* the server stalls the first event: a flush is stuck in the network meanwhile */
	otad_test_server_control (f->server, "/misbehave",
	                          "{\"mode\":\"stall\",\"seconds\":3,\"count\":1}");
	g_assert_true (
	    otad_reporter_queue_event (r, OTAD_REPORT_EVENT_DOWNLOAD_STARTED, "c1", NULL, FALSE,
	                               &error));
	thread = g_thread_new ("flush", flush_thread, &ft);
	/* bounded wait until the stalled request reached the server */
	for (guint i = 0; i < 200; i++) {
		g_autoptr(JsonArray) log = otad_test_server_log (f->server);
		if (json_array_get_length (log) > 0 &&
		    json_object_has_member (json_array_get_object_element (log, 0), "stalling"))
			break;
		g_usleep (20 * 1000);
	}
	/* queueing does not wait for the flush (the engine queues from its main thread) */
	g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED, "c1",
	                                          NULL, TRUE, &error));
	g_assert_no_error (error);
	g_assert_cmpint (g_atomic_int_get (&ft.finished), ==, 0);
	g_thread_join (thread);
	/* the flush delivered both: the second was queued while it ran */
	g_assert_cmpuint (ft.delivered, ==, 2);
	g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==, 0);
}

static void
test_system_info (Fixture *f, gconstpointer data)
{
	g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
	g_autoptr(GError) error = NULL;
	const gchar *names[] = {"otad", "ostree", NULL};
	const gchar *versions[] = {"0.1.0", "2023.1", NULL};
	g_autoptr(JsonObject) net = NULL;
	g_autoptr(JsonObject) inst = NULL;
	guint delivered = 0;

	g_assert_true (otad_reporter_queue_system_info (r, &error));
	g_assert_true (otad_reporter_queue_installed (r, names, versions, &error));
	g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (delivered, ==, 3);
	g_assert_cmpuint (otad_test_server_count (f->server, "PUT", "/system_info"), ==, 1);
	net = last_entry (f, "/system_info/network");
	g_assert_cmpstr (
	    json_object_get_string_member (json_object_get_object_member (net, "json"), "hostname"),
	    ==, g_get_host_name ());
	inst = last_entry (f, "/core/installed");
	g_assert_cmpstr (
	    json_object_get_string_member (
	        json_array_get_object_element (json_object_get_array_member (inst, "json"), 1),
	        "version"),
	    ==, "2023.1");
}

/* the ids the server saw for one event type, in order */
static GPtrArray *
event_ids (OtadTestServer *server, const gchar *type)
{
	g_autoptr(JsonArray) log = otad_test_server_log (server);
	GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; i < json_array_get_length (log); i++) {
		JsonObject *e = json_array_get_object_element (log, i);
		JsonObject *ev;
		if (g_strcmp0 (json_object_get_string_member_with_default (e, "path", ""),
		               "/events") != 0)
			continue;
		ev = json_array_get_object_element (json_object_get_array_member (e, "json"), 0);
		if (g_strcmp0 (json_object_get_string_member (
		                   json_object_get_object_member (ev, "eventType"), "id"),
		               type) == 0)
			g_ptr_array_add (ids, g_strdup (json_object_get_string_member (ev, "id")));
	}
	return ids;
}

/* a step that runs again (after a kill, a retry) is the same event: one id, sent once;
 * only a new attempt after the installation's outcome gets new ids */
static void
test_event_ids_fixed (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) started = NULL;
	g_autoptr(GPtrArray) completed = NULL;
	guint delivered = 0;

	{
		g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
		g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_INSTALLATION_STARTED,
		                                          "c1", "B", TRUE, &error));
		g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_INSTALLATION_STARTED,
		                                          "c1", "B", TRUE, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  1);
	}
	{
		/* "restart": the ledger is on disk */
		g_autoptr(OtadReporter) r = make_reporter (f, f->server->base_url);
		g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_INSTALLATION_STARTED,
		                                          "c1", "B", TRUE, &error));
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  1);
		/* another update, and another outcome, are other events */
		g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_INSTALLATION_STARTED,
		                                          "c2", "B", TRUE, &error));
		g_assert_true (otad_reporter_queue_event (
		    r, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED, "c1", "B", FALSE, &error));
		g_assert_true (otad_reporter_queue_event (
		    r, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED, "c1", "B", FALSE, &error));
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  3);
		/* the install of c1 is tried again after it failed: a new attempt */
		g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_INSTALLATION_STARTED,
		                                          "c1", "B", TRUE, &error));
		g_assert_true (otad_reporter_queue_event (
		    r, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED, "c1", "B", FALSE, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  5);
		g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
		g_assert_cmpuint (delivered, ==, 5);
	}
	started = event_ids (f->server, "EcuInstallationStarted");
	completed = event_ids (f->server, "EcuInstallationCompleted");
	g_assert_cmpuint (started->len, ==, 3);
	g_assert_cmpuint (completed->len, ==, 2);
	g_assert_cmpstr (started->pdata[0], !=, started->pdata[1]);
	g_assert_cmpstr (started->pdata[0], !=, started->pdata[2]);
	g_assert_cmpstr (completed->pdata[0], !=, completed->pdata[1]);
}

/* report-events.json cut to 0 bytes by a power cut: the step that runs again sends its
 * event under the id it had (derived, not random), a repeat the server can drop */
static void
test_event_ids_without_ledger (Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) started = NULL;
	g_autofree gchar *ledger = g_build_filename (f->state_dir, "report-events.json", NULL);
	g_autofree gchar *id_other = NULL;
	guint delivered = 0;

	for (guint run = 0; run < 2; run++) {
		g_autoptr(OtadReporter) r = NULL;

		if (run > 0)
			g_test_expect_message ("OtadFile", G_LOG_LEVEL_WARNING,
			                       "*report-events.json is unreadable*");
		r = make_reporter (f, f->server->base_url);
		g_test_assert_expected_messages ();
		g_assert_true (otad_reporter_queue_event (r, OTAD_REPORT_EVENT_INSTALLATION_STARTED,
		                                          "c1", "B", TRUE, &error));
		g_assert_no_error (error);
		/* the ledger was lost: the event is queued again */
		g_assert_cmpuint (otad_report_queue_get_length (otad_reporter_get_queue (r)), ==,
		                  1);
		g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
		g_assert_no_error (error);
		g_assert_true (g_file_set_contents (ledger, "", 0, &error));
	}
	started = event_ids (f->server, "EcuInstallationStarted");
	g_assert_cmpuint (started->len, ==, 2);
	g_assert_cmpstr (started->pdata[0], ==, started->pdata[1]);
	g_assert_true (g_uuid_string_is_valid (started->pdata[0]));
	/* another device, update, attempt or event: another id */
	id_other = otad_event_ledger_derive_id ("ecu-2", "c1|B", 1, "EcuInstallationStarted");
	g_assert_cmpstr (id_other, !=, started->pdata[0]);
	g_clear_pointer (&id_other, g_free);
	id_other = otad_event_ledger_derive_id ("ecu-1", "c1|B", 2, "EcuInstallationStarted");
	g_assert_cmpstr (id_other, !=, started->pdata[0]);
	g_clear_pointer (&id_other, g_free);
	id_other = otad_event_ledger_derive_id ("ecu-1", "c1|B", 1, "EcuInstallationStarted");
	g_assert_cmpstr (id_other, ==, started->pdata[0]);
}

/* the ledger lost after a failed first attempt: the attempt the boot record counts
 * keeps the second attempt's events apart from the first's, and the first's final
 * event, queued again, keeps its id */
static void
test_event_ids_second_attempt_without_ledger (Fixture *f, gconstpointer data)
{
	g_autofree gchar *ledger = g_build_filename (f->state_dir, "report-events.json", NULL);
	g_autoptr(GPtrArray) started = NULL;
	g_autoptr(GPtrArray) completed = NULL;
	g_autofree gchar *second = NULL;
	/* (event, success, attempt as the boot record counts it), the ledger lost before
	 * the last two */
	const struct {
		OtadReportEvent event;
		gboolean success;
		guint attempt;
	} steps[] = {{OTAD_REPORT_EVENT_INSTALLATION_STARTED, TRUE, 1},
		     {OTAD_REPORT_EVENT_INSTALLATION_COMPLETED, FALSE, 1},
		     {OTAD_REPORT_EVENT_INSTALLATION_COMPLETED, FALSE, 1},
		     {OTAD_REPORT_EVENT_INSTALLATION_STARTED, TRUE, 2}};

	for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
		g_autoptr(OtadReporter) r = NULL;
		g_autoptr(GError) error = NULL;
		guint delivered = 0;

		if (i == 2) {
			g_assert_true (g_file_set_contents (ledger, "", 0, &error));
			g_test_expect_message ("OtadFile", G_LOG_LEVEL_WARNING,
			                       "*report-events.json is unreadable*");
		}
		r = make_reporter (f, f->server->base_url);
		g_test_assert_expected_messages ();
		g_assert_true (otad_reporter_queue_event_full (r, steps[i].event, "c1", "B",
		                                               steps[i].success, FALSE,
		                                               steps[i].attempt, &error));
		g_assert_no_error (error);
		g_assert_true (otad_reporter_flush (r, &delivered, NULL, &error));
		g_assert_no_error (error);
	}
	started = event_ids (f->server, "EcuInstallationStarted");
	completed = event_ids (f->server, "EcuInstallationCompleted");
	g_assert_cmpuint (started->len, ==, 2);
	g_assert_cmpstr (started->pdata[0], !=, started->pdata[1]);
	second = otad_event_ledger_derive_id ("ecu-1", "c1|B", 2, "EcuInstallationStarted");
	g_assert_cmpstr (started->pdata[1], ==, second);
	g_assert_cmpuint (completed->len, ==, 2);
	g_assert_cmpstr (completed->pdata[0], ==, completed->pdata[1]);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_server_require_tools ();
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD ("/otad/reporter/event-ids-fixed", test_event_ids_fixed);
	ADD ("/otad/reporter/event-ids-without-ledger", test_event_ids_without_ledger);
	ADD ("/otad/reporter/event-ids-second-attempt-without-ledger",
	     test_event_ids_second_attempt_without_ledger);
	ADD ("/otad/reporter/ecu-key-persistent", test_ecu_key_persistent);
	ADD ("/otad/reporter/manifest-verifies", test_manifest_verifies);
	ADD ("/otad/reporter/manifest-wrong-key", test_manifest_wrong_key);
	ADD ("/otad/reporter/manifest-director-url", test_manifest_director_url);
	ADD ("/otad/reporter/queue-survives-restart", test_queue_survives_restart);
	ADD ("/otad/reporter/queue-partial-then-resume", test_queue_partial_then_resume);
	ADD ("/otad/reporter/events-unsupported", test_events_unsupported);
	ADD ("/otad/reporter/queue-bounded", test_queue_bounded);
	ADD ("/otad/reporter/system-info", test_system_info);
	ADD ("/otad/reporter/push-during-flush", test_push_during_flush);
#undef ADD
	return g_test_run ();
}
