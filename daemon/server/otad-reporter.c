/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadReporter"

#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-event-ledger.h"
#include "otad-file.h"
#include "otad-reporter.h"

struct _OtadReporter {
	GObject parent_instance;
	OtadHttp *http;         /* (owned) */
	OtadEcuKey *key;        /* (owned) */
	OtadReportQueue *queue; /* (owned) */
	gchar *base_url;        /* (owned) */
	gchar *primary_serial;  /* (owned) */
	gchar *counter_path;    /* (owned) */
	gchar *director_url;    /* (owned) (nullable) */
	OtadEventLedger *ledger; /* (owned) */
};

G_DEFINE_TYPE (OtadReporter, otad_reporter, G_TYPE_OBJECT)

static const gchar *otad_report_event_ids[] = {
    "EcuDownloadStarted",     "EcuDownloadCompleted",     "EcuInstallationStarted",
    "EcuInstallationApplied", "EcuInstallationCompleted",
};

static void
otad_reporter_finalize (GObject *object)
{
	OtadReporter *self = OTAD_REPORTER (object);

	g_clear_object (&self->http);
	g_clear_object (&self->key);
	g_clear_object (&self->queue);
	g_free (self->base_url);
	g_free (self->primary_serial);
	g_free (self->counter_path);
	g_free (self->director_url);
	g_clear_object (&self->ledger);
	G_OBJECT_CLASS (otad_reporter_parent_class)->finalize (object);
}

static void
otad_reporter_class_init (OtadReporterClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_reporter_finalize;
}

static void
otad_reporter_init (OtadReporter *self)
{
}

const gchar *
otad_report_event_to_string (OtadReportEvent event)
{
	if ((guint)event >= G_N_ELEMENTS (otad_report_event_ids))
		return NULL;
	return otad_report_event_ids[event];
}

OtadReporter *
otad_reporter_new (OtadHttp *http, const gchar *base_url, const gchar *state_dir, OtadEcuKey *key,
                   const gchar *primary_serial, GError **error)
{
	g_autoptr(OtadReporter) self = g_object_new (OTAD_TYPE_REPORTER, NULL);
	g_autofree gchar *queue_dir = g_build_filename (state_dir, "report-queue", NULL);
	g_autofree gchar *ledger_path =
	    g_build_filename (state_dir, OTAD_EVENT_LEDGER_FILENAME, NULL);

	self->queue = otad_report_queue_new (queue_dir, OTAD_REPORT_QUEUE_DEFAULT_MAX, error);
	if (self->queue == NULL)
		return NULL;
	self->http = g_object_ref (http);
	self->key = key != NULL ? g_object_ref (key) : NULL;
	self->base_url = g_strdup (base_url);
	/* "gw/" and "gw" name the same server */
	while (g_str_has_suffix (self->base_url, "/"))
		self->base_url[strlen (self->base_url) - 1] = '\0';
	self->primary_serial = g_strdup (primary_serial);
	self->counter_path = g_build_filename (state_dir, "report-counter", NULL);
	self->ledger = otad_event_ledger_new (ledger_path, primary_serial);
	return g_steal_pointer (&self);
}

void
otad_reporter_set_director_url (OtadReporter *self, const gchar *director_url)
{
	g_return_if_fail (OTAD_IS_REPORTER (self));
	g_free (self->director_url);
	self->director_url = g_strdup (director_url);
}

OtadReportQueue *
otad_reporter_get_queue (OtadReporter *self)
{
	g_return_val_if_fail (OTAD_IS_REPORTER (self), NULL);
	return self->queue;
}

static gboolean
otad_reporter_push_node (OtadReporter *self, const gchar *method, const gchar *path, JsonNode *node,
                         GError **error)
{
	g_autoptr(JsonGenerator) gen = json_generator_new ();
	g_autofree gchar *text = NULL;

	json_generator_set_root (gen, node);
	text = json_generator_to_data (gen, NULL);
	return otad_report_queue_push (self->queue, method, path, text, error);
}

/* what tells two events of one update apart: the type, and the outcome where it has one */
static gchar *
otad_reporter_event_name (OtadReportEvent event, gboolean success)
{
	if (event == OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED ||
	    event == OTAD_REPORT_EVENT_INSTALLATION_COMPLETED)
		return g_strdup_printf ("%s:%s", otad_report_event_to_string (event),
					success ? "success" : "failure");
	return g_strdup (otad_report_event_to_string (event));
}

/**
 * otad_reporter_queue_event:
 * @update_key: (nullable): what the event is about, e.g. the commit; with
 *   @correlation_id it names the update, so the same step of the same update gets the
 *   same event id however often it runs
 *
 * Queues an event unless the same event of this update was queued before (a step run
 * again after a kill or a retry): then it is counted as a retry, not sent again.
 */
gboolean
otad_reporter_queue_event (OtadReporter *self, OtadReportEvent event, const gchar *correlation_id,
                           const gchar *update_key, gboolean success, GError **error)
{
	return otad_reporter_queue_event_full (self, event, correlation_id, update_key, success,
	                                       FALSE, 0, error);
}

/* the envelope aktualizr's ReportEvent has (libaktualizr reportqueue.cc): a list of one
 * event {id, deviceTime, eventType {id, version 0}, event {...}}, open at "event"'s
 * object for the caller's members; otad_reporter_end_event() closes it */
static void
otad_reporter_begin_event (JsonBuilder *b, const gchar *id, const gchar *event_type)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
	g_autofree gchar *time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

	json_builder_begin_array (b);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "id");
	json_builder_add_string_value (b, id);
	json_builder_set_member_name (b, "deviceTime");
	json_builder_add_string_value (b, time);
	json_builder_set_member_name (b, "eventType");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "id");
	json_builder_add_string_value (b, event_type);
	json_builder_set_member_name (b, "version");
	json_builder_add_int_value (b, 0);
	json_builder_end_object (b);
	json_builder_set_member_name (b, "event");
	json_builder_begin_object (b);
}

static JsonNode *
otad_reporter_end_event (JsonBuilder *b)
{
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_array (b);
	return json_builder_get_root (b);
}

/* an update as the event ledger names it: campaign and commit */
static gchar *
otad_reporter_ledger_key (const gchar *correlation_id, const gchar *update_key)
{
	return g_strdup_printf ("%s|%s", correlation_id != NULL ? correlation_id : "",
	                        update_key != NULL ? update_key : "");
}

/* TRUE when the event ledger knows the update: queue_event_full() needs no @attempt */
gboolean
otad_reporter_knows_update (OtadReporter *self, const gchar *correlation_id,
                            const gchar *update_key)
{
	g_autofree gchar *key = otad_reporter_ledger_key (correlation_id, update_key);

	g_return_val_if_fail (OTAD_IS_REPORTER (self), FALSE);
	return otad_event_ledger_has_update (self->ledger, key);
}

/**
 * otad_reporter_queue_event_full:
 * @replay: the step is not run again, its event is only made sure of (the confirmation
 *   queues the install's events in case a kill took them): it never opens a new attempt
 * @attempt: the attempt at @update_key the event belongs to, counted apart from the
 *   event ledger (otad_event_ledger_claim()), or 0; used only when the ledger does
 *   not know the update (otad_reporter_knows_update())
 *
 * otad_reporter_queue_event() with @replay.
 */
gboolean
otad_reporter_queue_event_full (OtadReporter *self, OtadReportEvent event,
                                const gchar *correlation_id, const gchar *update_key,
                                gboolean success, gboolean replay, guint attempt,
                                GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *key = NULL;
	g_autofree gchar *id = NULL;
	OtadEventLedgerFlags flags = OTAD_EVENT_LEDGER_FLAG_NONE;
	gboolean queued = FALSE;

	g_return_val_if_fail (OTAD_IS_REPORTER (self), FALSE);
	if (otad_report_event_to_string (event) == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT, _("unknown event %d"),
		             event);
		return FALSE;
	}

	/* the id is fixed and on disk before the event is queued */
	name = otad_reporter_event_name (event, success);
	key = otad_reporter_ledger_key (correlation_id, update_key);
	if (!replay && (event == OTAD_REPORT_EVENT_DOWNLOAD_STARTED ||
	                event == OTAD_REPORT_EVENT_INSTALLATION_STARTED))
		flags |= OTAD_EVENT_LEDGER_FLAG_STARTS;
	if (event == OTAD_REPORT_EVENT_INSTALLATION_COMPLETED)
		flags |= OTAD_EVENT_LEDGER_FLAG_FINAL;
	id = otad_event_ledger_claim (self->ledger, key, name, flags, attempt, &queued, error);
	if (id == NULL)
		return FALSE;
	if (queued)
		return TRUE;

	/* the server takes a list of events; aktualizr batches, one per request is enough */
	otad_reporter_begin_event (b, id, otad_report_event_to_string (event));
	json_builder_set_member_name (b, "ecu");
	json_builder_add_string_value (b, self->primary_serial);
	json_builder_set_member_name (b, "correlationId");
	json_builder_add_string_value (b, correlation_id != NULL ? correlation_id : "");
	if (event == OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED ||
	    event == OTAD_REPORT_EVENT_INSTALLATION_COMPLETED) {
		json_builder_set_member_name (b, "success");
		json_builder_add_boolean_value (b, success);
	}
	root = otad_reporter_end_event (b);
	if (!otad_reporter_push_node (self, "POST", "events", root, error))
		return FALSE;
	return otad_event_ledger_mark_queued (self->ledger, key, name, error);
}

/**
 * otad_reporter_queue_campaign_event:
 *
 * Queues the answer to a campaign as aktualizr reports it (libaktualizr
 * reportqueue.cc): an event whose custom part is only {"campaignId": id}, version 0.  Each
 * answer is its own event with a fresh id: answering again is a new answer.
 */
gboolean
otad_reporter_queue_campaign_event (OtadReporter *self, const gchar *event_type,
                                    const gchar *campaign_id, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *id = g_uuid_string_random ();

	g_return_val_if_fail (OTAD_IS_REPORTER (self), FALSE);
	g_return_val_if_fail (event_type != NULL && campaign_id != NULL, FALSE);
	otad_reporter_begin_event (b, id, event_type);
	json_builder_set_member_name (b, "campaignId");
	json_builder_add_string_value (b, campaign_id);
	root = otad_reporter_end_event (b);
	return otad_reporter_push_node (self, "POST", "events", root, error);
}

static guint64
otad_reporter_next_counter (OtadReporter *self, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *next = NULL;
	g_autoptr(GError) error_local = NULL;
	guint64 counter = 0;

	/* report_counter must grow across restarts: the Director uses it against replays */
	if (otad_file_read (self->counter_path, 64, &text, NULL, &error_local)) {
		gchar *end = NULL;
		counter = g_ascii_strtoull (g_strstrip (text), &end, 10);
		if (end == text || *end != '\0')
			g_set_error_literal (&error_local, OTA_ERROR, OTA_ERROR_FAILED,
			                     _("not a number"));
	}
	if (error_local != NULL && !otad_file_is_not_found (error_local)) {
		g_autofree gchar *aside =
		    otad_file_move_aside (self->counter_path, error_local->message);
		/* lost: the time in seconds is larger than any count this device reached
		 * one report at a time, so the counter still grows */
		counter = (guint64)(g_get_real_time () / G_USEC_PER_SEC);
	}
	counter++;
	next = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", counter);
	if (!otad_file_replace (self->counter_path, next, strlen (next), 0600, error))
		return 0;
	return counter;
}

gboolean
otad_reporter_queue_manifest (OtadReporter *self, const OtadManifestImage *image,
                              const OtadManifestReport *report, GError **error)
{
	g_autoptr(JsonNode) manifest = NULL;
	g_autoptr(GError) error_local = NULL;
	guint64 counter;

	g_return_val_if_fail (OTAD_IS_REPORTER (self), FALSE);
	if (self->key == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     _("no ECU key to sign the manifest"));
		return FALSE;
	}
	counter = otad_reporter_next_counter (self, &error_local);
	if (counter == 0) {
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
		                            _("cannot store the report counter: "));
		return FALSE;
	}
	manifest =
	    otad_manifest_build (self->key, self->primary_serial, image, counter, report, error);
	if (manifest == NULL)
		return FALSE;
	if (self->director_url != NULL) {
		/* an absolute URL in the queue: the Director may live apart from the gateway */
		g_autofree gchar *url = g_strdup_printf ("%s/manifest", self->director_url);
		return otad_reporter_push_node (self, "PUT", url, manifest, error);
	}
	return otad_reporter_push_node (self, "PUT", "director/manifest", manifest, error);
}

gchar *
otad_reporter_build_network_info (void)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonGenerator) gen = json_generator_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *ipv4 = NULL;
	g_autofree gchar *mac = NULL;
	struct ifaddrs *ifas = NULL;

	/* the first interface that is up, not loopback, and has an IPv4 address */
	if (getifaddrs (&ifas) == 0) {
		for (struct ifaddrs *ifa = ifas; ifa != NULL && ipv4 == NULL; ifa = ifa->ifa_next) {
			gchar buf[INET_ADDRSTRLEN];
			g_autofree gchar *mac_path = NULL;
			if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
			    (ifa->ifa_flags & IFF_LOOPBACK) || !(ifa->ifa_flags & IFF_UP))
				continue;
			if (inet_ntop (AF_INET,
			               &((struct sockaddr_in *)(gpointer)ifa->ifa_addr)->sin_addr,
			               buf, sizeof (buf)) == NULL)
				continue;
			ipv4 = g_strdup (buf);
			mac_path =
			    g_build_filename ("/sys/class/net", ifa->ifa_name, "address", NULL);
			if (g_file_get_contents (mac_path, &mac, NULL, NULL))
				g_strstrip (mac);
		}
		freeifaddrs (ifas);
	}
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "local_ipv4");
	json_builder_add_string_value (b, ipv4 != NULL ? ipv4 : "");
	json_builder_set_member_name (b, "mac");
	json_builder_add_string_value (b, mac != NULL ? mac : "");
	json_builder_set_member_name (b, "hostname");
	json_builder_add_string_value (b, g_get_host_name ());
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	return json_generator_to_data (gen, NULL);
}

static gchar *
otad_reporter_read_sys (const gchar *path)
{
	gchar *text = NULL;
	if (!g_file_get_contents (path, &text, NULL, NULL))
		return g_strdup ("");
	return g_strstrip (text);
}

/* the top node of `lshw -json`, which is what the server stores and shows */
gchar *
otad_reporter_build_system_info (void)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonGenerator) gen = json_generator_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *product = otad_reporter_read_sys ("/sys/class/dmi/id/product_name");
	g_autofree gchar *vendor = otad_reporter_read_sys ("/sys/class/dmi/id/sys_vendor");

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "id");
	json_builder_add_string_value (b, g_get_host_name ());
	json_builder_set_member_name (b, "class");
	json_builder_add_string_value (b, "system");
	json_builder_set_member_name (b, "description");
	json_builder_add_string_value (b, "Computer");
	json_builder_set_member_name (b, "product");
	json_builder_add_string_value (b, product);
	json_builder_set_member_name (b, "vendor");
	json_builder_add_string_value (b, vendor);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	return json_generator_to_data (gen, NULL);
}

gboolean
otad_reporter_queue_system_info (OtadReporter *self, GError **error)
{
	g_autofree gchar *hardware = otad_reporter_build_system_info ();
	g_autofree gchar *network = otad_reporter_build_network_info ();

	g_return_val_if_fail (OTAD_IS_REPORTER (self), FALSE);
	if (!otad_report_queue_push (self->queue, "PUT", "system_info", hardware, error))
		return FALSE;
	return otad_report_queue_push (self->queue, "PUT", "system_info/network", network, error);
}

/* PUT core/installed's body: [{name, version}] */
gchar *
otad_reporter_build_installed (const gchar *const *names, const gchar *const *versions)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonGenerator) gen = json_generator_new ();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_array (b);
	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "name");
		json_builder_add_string_value (b, names[i]);
		json_builder_set_member_name (b, "version");
		json_builder_add_string_value (
		    b, versions != NULL && versions[i] != NULL ? versions[i] : "");
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	return json_generator_to_data (gen, NULL);
}

gboolean
otad_reporter_queue_installed (OtadReporter *self, const gchar *const *names,
                               const gchar *const *versions, GError **error)
{
	g_autofree gchar *body = otad_reporter_build_installed (names, versions);

	g_return_val_if_fail (OTAD_IS_REPORTER (self), FALSE);
	return otad_report_queue_push (self->queue, "PUT", "core/installed", body, error);
}

gboolean
otad_reporter_flush (OtadReporter *self, guint *delivered, GCancellable *cancellable,
                     GError **error)
{
	g_return_val_if_fail (OTAD_IS_REPORTER (self), FALSE);
	return otad_report_queue_flush (self->queue, self->http, self->base_url, delivered,
	                                cancellable, error);
}
