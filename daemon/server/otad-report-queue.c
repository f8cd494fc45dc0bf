/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadReportQueue"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-report-queue.h"

#define OTAD_REPORT_QUEUE_ITEM_MAX (1024 * 1024)

struct _OtadReportQueue {
	GObject parent_instance;
	gchar *directory; /* (owned) */
	guint max_items;
	GMutex mutex;       /* protects seqs and next_seq; never held across I/O to the server */
	GMutex flush_mutex; /* one flush at a time */
	GArray *seqs;       /* (owned) guint64 sequence numbers, ascending */
	guint64 next_seq;
};

G_DEFINE_TYPE (OtadReportQueue, otad_report_queue, G_TYPE_OBJECT)

static void
otad_report_queue_finalize (GObject *object)
{
	OtadReportQueue *self = OTAD_REPORT_QUEUE (object);

	g_free (self->directory);
	g_array_unref (self->seqs);
	g_mutex_clear (&self->mutex);
	g_mutex_clear (&self->flush_mutex);
	G_OBJECT_CLASS (otad_report_queue_parent_class)->finalize (object);
}

static void
otad_report_queue_class_init (OtadReportQueueClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_report_queue_finalize;
}

static void
otad_report_queue_init (OtadReportQueue *self)
{
	g_mutex_init (&self->mutex);
	g_mutex_init (&self->flush_mutex);
	self->seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
	self->next_seq = 1;
}

static gint
otad_report_queue_cmp_seq (gconstpointer a, gconstpointer b)
{
	guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

static gchar *
otad_report_queue_item_path (OtadReportQueue *self, guint64 seq)
{
	g_autofree gchar *name = g_strdup_printf ("%020" G_GUINT64_FORMAT ".json", seq);
	return g_build_filename (self->directory, name, NULL);
}

OtadReportQueue *
otad_report_queue_new (const gchar *directory, guint max_items, GError **error)
{
	g_autoptr(OtadReportQueue) self = g_object_new (OTAD_TYPE_REPORT_QUEUE, NULL);
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GError) error_local = NULL;
	const gchar *name;

	self->directory = g_strdup (directory);
	self->max_items = MAX (max_items, 1);
	if (!otad_file_ensure_dir (directory, 0700, error))
		return NULL;
	dir = g_dir_open (directory, 0, &error_local);
	if (dir == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("cannot open %s: %s"),
		             directory, error_local->message);
		return NULL;
	}
	while ((name = g_dir_read_name (dir)) != NULL) {
		gchar *end = NULL;
		guint64 seq;

		/* leftovers of a write cut short never got their final name */
		if (g_str_has_suffix (name, ".tmp")) {
			g_autofree gchar *p = g_build_filename (directory, name, NULL);
			g_unlink (p);
			continue;
		}
		seq = g_ascii_strtoull (name, &end, 10);
		if (end == name || g_strcmp0 (end, ".json") != 0 || seq == 0)
			continue;
		g_array_append_val (self->seqs, seq);
	}
	g_array_sort (self->seqs, otad_report_queue_cmp_seq);
	if (self->seqs->len > 0)
		self->next_seq = g_array_index (self->seqs, guint64, self->seqs->len - 1) + 1;
	return g_steal_pointer (&self);
}

void
otad_report_queue_set_max_items (OtadReportQueue *self, guint max_items)
{
	g_return_if_fail (OTAD_IS_REPORT_QUEUE (self));
	g_mutex_lock (&self->mutex);
	self->max_items = MAX (max_items, 1);
	g_mutex_unlock (&self->mutex);
}

guint
otad_report_queue_get_length (OtadReportQueue *self)
{
	guint n;
	g_return_val_if_fail (OTAD_IS_REPORT_QUEUE (self), 0);
	g_mutex_lock (&self->mutex);
	n = self->seqs->len;
	g_mutex_unlock (&self->mutex);
	return n;
}

/* called with the mutex held; an item already dropped (queue full) is not an error */
static gboolean
otad_report_queue_remove_seq (OtadReportQueue *self, guint64 seq, GError **error)
{
	g_autofree gchar *path = otad_report_queue_item_path (self, seq);

	for (guint i = 0; i < self->seqs->len; i++) {
		if (g_array_index (self->seqs, guint64, i) != seq)
			continue;
		if (!otad_file_remove (path, error))
			return FALSE;
		g_array_remove_index (self->seqs, i);
		return TRUE;
	}
	return TRUE;
}

static gboolean
otad_report_queue_remove_first (OtadReportQueue *self, GError **error)
{
	g_autofree gchar *path =
	    otad_report_queue_item_path (self, g_array_index (self->seqs, guint64, 0));

	if (!otad_file_remove (path, error))
		return FALSE;
	g_array_remove_index (self->seqs, 0);
	return TRUE;
}

gboolean
otad_report_queue_push (OtadReportQueue *self, const gchar *method, const gchar *path,
                        const gchar *json_body, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonGenerator) gen = json_generator_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *file = NULL;
	g_autoptr(GMutexLocker) locker = NULL;
	gsize len = 0;

	g_return_val_if_fail (OTAD_IS_REPORT_QUEUE (self), FALSE);

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "method");
	json_builder_add_string_value (b, method);
	json_builder_set_member_name (b, "path");
	json_builder_add_string_value (b, path);
	json_builder_set_member_name (b, "body");
	json_builder_add_string_value (b, json_body);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	data = json_generator_to_data (gen, &len);
	if (len > OTAD_REPORT_QUEUE_ITEM_MAX) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("report for %s too large (%"
		                "zu"
		                " bytes)"),
		             path, len);
		return FALSE;
	}

	locker = g_mutex_locker_new (&self->mutex);
	while (self->seqs->len >= self->max_items) {
		g_warning ("report queue full (%u items): dropping the oldest", self->max_items);
		if (!otad_report_queue_remove_first (self, error))
			return FALSE;
	}
	file = otad_report_queue_item_path (self, self->next_seq);
	/* on disk and durable before the caller goes on: the event is not lost */
	if (!otad_file_replace (file, data, len, 0600, error))
		return FALSE;
	g_array_append_val (self->seqs, self->next_seq);
	self->next_seq++;

	/* success */
	return TRUE;
}

static const gchar *
otad_report_queue_get_string (JsonObject *obj, const gchar *member)
{
	JsonNode *node = json_object_get_member (obj, member);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
	    json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node);
}

/**
 * otad_report_queue_parse_item:
 * @data: (array length=len): an item file as otad_report_queue_push() wrote it
 * @out_method: (out): "PUT" or "POST"
 * @out_path: (out): relative to the server base, or an https URL
 * @out_body: (out): the JSON body
 *
 * Returns: %TRUE for a well-formed item; anything else (cut by a power cut, garbage)
 *   is an error the caller moves aside
 */
gboolean
otad_report_queue_parse_item (const gchar *data, gsize len, gchar **out_method, gchar **out_path,
                              gchar **out_body, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new ();
	const gchar *method, *path, *body;
	JsonNode *root;
	JsonObject *obj;

	if (len > OTAD_REPORT_QUEUE_ITEM_MAX) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_FAILED, _("too large"));
		return FALSE;
	}
	if (!json_parser_load_from_data (parser, data, (gssize)len, error))
		return FALSE;
	/* a power cut may leave an empty item: json-glib parses it without a root */
	root = json_parser_get_root (parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_FAILED, _("not a JSON object"));
		return FALSE;
	}
	obj = json_node_get_object (root);
	method = otad_report_queue_get_string (obj, "method");
	path = otad_report_queue_get_string (obj, "path");
	body = otad_report_queue_get_string (obj, "body");
	if (g_strcmp0 (method, "PUT") != 0 && g_strcmp0 (method, "POST") != 0) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_FAILED, _("no method"));
		return FALSE;
	}
	if (path == NULL || path[0] == '\0' || body == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_FAILED, _("no path or body"));
		return FALSE;
	}
	*out_method = g_strdup (method);
	*out_path = g_strdup (path);
	*out_body = g_strdup (body);

	/* success */
	return TRUE;
}

/* TRUE when the server will never take this request: retrying would block the queue */
static gboolean
otad_report_queue_is_final (guint status)
{
	/* 4xx other than 408/429 is the server's final word; 5xx and no answer are not */
	return status >= 400 && status < 500 && status != 408 && status != 429;
}

gboolean
otad_report_queue_flush (OtadReportQueue *self, OtadHttp *http, const gchar *base_url,
                         guint *delivered, GCancellable *cancellable, GError **error)
{
	g_autoptr(GMutexLocker) flush_locker = NULL;
	guint n = 0;

	g_return_val_if_fail (OTAD_IS_REPORT_QUEUE (self), FALSE);

	/* pushes go on while a flush waits for the server */
	flush_locker = g_mutex_locker_new (&self->flush_mutex);
	for (;;) {
		guint64 seq;
		guint remaining;
		gboolean removed;
		g_autofree gchar *file = NULL;
		g_autofree gchar *contents = NULL;
		gsize contents_len = 0;
		g_autofree gchar *method = NULL;
		g_autofree gchar *path = NULL;
		g_autofree gchar *text = NULL;
		g_autoptr(GError) error_local = NULL;
		g_autoptr(GBytes) body = NULL;
		g_autoptr(GBytes) reply = NULL;
		g_autofree gchar *url = NULL;
		guint status = 0;

		g_mutex_lock (&self->mutex);
		remaining = self->seqs->len;
		seq = remaining > 0 ? g_array_index (self->seqs, guint64, 0) : 0;
		g_mutex_unlock (&self->mutex);
		if (remaining == 0)
			break;
		file = otad_report_queue_item_path (self, seq);
		if (!otad_file_read (file, OTAD_REPORT_QUEUE_ITEM_MAX, &contents, &contents_len,
		                     &error_local) ||
		    !otad_report_queue_parse_item (contents, contents_len, &method, &path, &text,
		                                   &error_local)) {
			g_autofree gchar *aside = otad_file_move_aside (file, error_local->message);
			g_mutex_lock (&self->mutex);
			removed = otad_report_queue_remove_seq (self, seq, error);
			g_mutex_unlock (&self->mutex);
			if (!removed)
				return FALSE;
			continue;
		}
		url = strstr (path, "://") != NULL ? g_strdup (path)
						   : g_strdup_printf ("%s/%s", base_url, path);
		body = g_bytes_new (text, strlen (text));
		/* one attempt: the queue is the retry (the next flush), and a flush at the end of
		 * a job must not hold the job through backoffs against a server that is down */
		reply = otad_http_request (http, method, url, body, "application/json", 64 * 1024,
		                           OTAD_HTTP_FLAG_NO_RETRY, &status, cancellable,
		                           &error_local);
		if (error_local != NULL) {
			if (!otad_report_queue_is_final (status)) {
				g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
				                            _("%u reports still queued: "),
				                            remaining);
				if (delivered != NULL)
					*delivered = n;
				return FALSE;
			}
			/* events are optional on the server: 404 is dropped quietly */
			if (status == 404 && g_strcmp0 (path, "events") == 0)
				g_debug ("server has no events endpoint: %s", error_local->message);
			else
				g_warning ("server refused a report, dropping it: %s",
				           error_local->message);
		} else {
			n++;
		}
		g_mutex_lock (&self->mutex);
		removed = otad_report_queue_remove_seq (self, seq, error);
		g_mutex_unlock (&self->mutex);
		if (!removed)
			return FALSE;
	}
	if (delivered != NULL)
		*delivered = n;

	/* success */
	return TRUE;
}
