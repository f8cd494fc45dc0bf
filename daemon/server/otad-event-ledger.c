/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEventLedger"

#include "config.h"

#include <json-glib/json-glib.h>

#include "ota-error.h"
#include "otad-event-ledger.h"
#include "otad-file.h"

/*
 * The file: {"version": 1, "updates": [{"key": K, "attempt": N, "events": {NAME:
 * {"id": UUID, "queued": B, "final": B, "retries": N}}}]}, the newest update last.
 * An update is what one campaign installs (correlation id and commit); an attempt
 * ends with its final event, and only a new starting event after that opens the next
 * one (an install that failed and is tried again).  Everything else asking for an
 * event the attempt has is a repeat.
 */

#define OTAD_EVENT_LEDGER_VERSION 1
/* the server keeps the history; the ledger only has to outlive a retry */
#define OTAD_EVENT_LEDGER_MAX_UPDATES 16
#define OTAD_EVENT_LEDGER_MAX_SIZE (1024 * 1024)

typedef struct {
	gchar *id;
	gboolean queued;
	gboolean final;
	guint retries;
} OtadEventLedgerEntry;

typedef struct {
	gchar *key;
	guint attempt;
	GHashTable *events; /* (owned) name → OtadEventLedgerEntry */
} OtadEventLedgerUpdate;

struct _OtadEventLedger {
	GObject parent_instance;
	gchar *path;        /* (owned) */
	gchar *device;      /* (owned) what tells this device's events from another's */
	GPtrArray *updates; /* (owned) (element-type OtadEventLedgerUpdate) oldest first */
};

G_DEFINE_TYPE (OtadEventLedger, otad_event_ledger, G_TYPE_OBJECT)

static void
otad_event_ledger_entry_free (OtadEventLedgerEntry *entry)
{
	g_free (entry->id);
	g_free (entry);
}

static void
otad_event_ledger_update_free (OtadEventLedgerUpdate *update)
{
	g_free (update->key);
	g_hash_table_unref (update->events);
	g_free (update);
}

static OtadEventLedgerUpdate *
otad_event_ledger_update_new (const gchar *key, guint attempt)
{
	OtadEventLedgerUpdate *update = g_new0 (OtadEventLedgerUpdate, 1);

	update->key = g_strdup (key);
	update->attempt = attempt;
	update->events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
	                                        (GDestroyNotify)otad_event_ledger_entry_free);
	return update;
}

static void
otad_event_ledger_finalize (GObject *object)
{
	OtadEventLedger *self = OTAD_EVENT_LEDGER (object);

	g_free (self->path);
	g_free (self->device);
	g_ptr_array_unref (self->updates);
	G_OBJECT_CLASS (otad_event_ledger_parent_class)->finalize (object);
}

static void
otad_event_ledger_class_init (OtadEventLedgerClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_event_ledger_finalize;
}

static void
otad_event_ledger_init (OtadEventLedger *self)
{
	self->updates =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_event_ledger_update_free);
}

/* -- the file ------------------------------------------------------------------ */

/* typed members: absent gives the default, another type makes the file malformed
 * (json-glib's *_with_default() raise a critical on an array or an object) */
static gboolean
otad_event_ledger_member (JsonObject *obj, const gchar *name, GType type, JsonNode **out)
{
	JsonNode *node = json_object_get_member (obj, name);

	*out = NULL;
	if (node == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
		return FALSE;
	*out = node;
	return TRUE;
}

static gboolean
otad_event_ledger_int (JsonObject *obj, const gchar *name, gint64 def, gint64 *out)
{
	JsonNode *node = NULL;

	if (!otad_event_ledger_member (obj, name, G_TYPE_INT64, &node))
		return FALSE;
	*out = node != NULL ? json_node_get_int (node) : def;
	return TRUE;
}

static gboolean
otad_event_ledger_bool (JsonObject *obj, const gchar *name, gboolean *out)
{
	JsonNode *node = NULL;

	if (!otad_event_ledger_member (obj, name, G_TYPE_BOOLEAN, &node))
		return FALSE;
	*out = node != NULL && json_node_get_boolean (node);
	return TRUE;
}

static const gchar *
otad_event_ledger_str (JsonObject *obj, const gchar *name)
{
	JsonNode *node = NULL;

	if (!otad_event_ledger_member (obj, name, G_TYPE_STRING, &node) || node == NULL)
		return NULL;
	return json_node_get_string (node);
}

static gboolean
otad_event_ledger_parse_update (OtadEventLedger *self, JsonNode *node)
{
	JsonObject *obj;
	JsonObject *events;
	JsonNode *events_node;
	const gchar *key;
	OtadEventLedgerUpdate *update;
	g_autoptr (GList) names = NULL;
	gint64 attempt = 1;

	if (!JSON_NODE_HOLDS_OBJECT (node))
		return FALSE;
	obj = json_node_get_object (node);
	key = otad_event_ledger_str (obj, "key");
	events_node = json_object_get_member (obj, "events");
	if (key == NULL || events_node == NULL || !JSON_NODE_HOLDS_OBJECT (events_node) ||
	    !otad_event_ledger_int (obj, "attempt", 1, &attempt))
		return FALSE;
	update = otad_event_ledger_update_new (key, (guint)CLAMP (attempt, 1, G_MAXUINT16));
	g_ptr_array_add (self->updates, update);
	events = json_node_get_object (events_node);
	names = json_object_get_members (events);
	for (GList *l = names; l != NULL; l = l->next) {
		JsonNode *e = json_object_get_member (events, l->data);
		OtadEventLedgerEntry *entry;
		JsonObject *eo;
		const gchar *id;
		gboolean queued = FALSE;
		gboolean final = FALSE;
		gint64 retries = 0;

		if (!JSON_NODE_HOLDS_OBJECT (e))
			return FALSE;
		eo = json_node_get_object (e);
		id = otad_event_ledger_str (eo, "id");
		if (id == NULL || !g_uuid_string_is_valid (id) ||
		    !otad_event_ledger_bool (eo, "queued", &queued) ||
		    !otad_event_ledger_bool (eo, "final", &final) ||
		    !otad_event_ledger_int (eo, "retries", 0, &retries))
			return FALSE;
		entry = g_new0 (OtadEventLedgerEntry, 1);
		entry->id = g_strdup (id);
		entry->queued = queued;
		entry->final = final;
		entry->retries = (guint)CLAMP (retries, 0, G_MAXUINT16);
		g_hash_table_replace (update->events, g_strdup (l->data), entry);
	}
	return TRUE;
}

/* Returns: NULL when @data is a ledger, else why not */
static const gchar *
otad_event_ledger_parse (OtadEventLedger *self, const gchar *data, gsize len)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	JsonNode *root;
	JsonNode *updates;
	JsonArray *array;
	gint64 version = 0;

	if (!json_parser_load_from_data (parser, data, (gssize)len, NULL))
		return "not JSON";
	/* json-glib takes empty input (a power cut) as a document without a root */
	root = json_parser_get_root (parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return "not a JSON object";
	if (!otad_event_ledger_int (json_node_get_object (root), "version", 0, &version) ||
	    version != OTAD_EVENT_LEDGER_VERSION)
		return "unknown version";
	updates = json_object_get_member (json_node_get_object (root), "updates");
	if (updates == NULL || !JSON_NODE_HOLDS_ARRAY (updates))
		return "no updates";
	array = json_node_get_array (updates);
	for (guint i = 0; i < json_array_get_length (array); i++) {
		if (!otad_event_ledger_parse_update (self, json_array_get_element (array, i)))
			return "an update is malformed";
	}
	return NULL;
}

static gchar *
otad_event_ledger_generate (OtadEventLedger *self)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "version");
	json_builder_add_int_value (b, OTAD_EVENT_LEDGER_VERSION);
	json_builder_set_member_name (b, "updates");
	json_builder_begin_array (b);
	for (guint i = 0; i < self->updates->len; i++) {
		OtadEventLedgerUpdate *update = g_ptr_array_index (self->updates, i);
		g_autoptr (GList) names = g_hash_table_get_keys (update->events);

		json_builder_begin_object (b);
		json_builder_set_member_name (b, "key");
		json_builder_add_string_value (b, update->key);
		json_builder_set_member_name (b, "attempt");
		json_builder_add_int_value (b, update->attempt);
		json_builder_set_member_name (b, "events");
		json_builder_begin_object (b);
		names = g_list_sort (names, (GCompareFunc)g_strcmp0);
		for (GList *l = names; l != NULL; l = l->next) {
			OtadEventLedgerEntry *e = g_hash_table_lookup (update->events, l->data);
			json_builder_set_member_name (b, l->data);
			json_builder_begin_object (b);
			json_builder_set_member_name (b, "id");
			json_builder_add_string_value (b, e->id);
			json_builder_set_member_name (b, "queued");
			json_builder_add_boolean_value (b, e->queued);
			json_builder_set_member_name (b, "final");
			json_builder_add_boolean_value (b, e->final);
			json_builder_set_member_name (b, "retries");
			json_builder_add_int_value (b, e->retries);
			json_builder_end_object (b);
		}
		json_builder_end_object (b);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	return json_to_string (root, TRUE);
}

static gboolean
otad_event_ledger_save (OtadEventLedger *self, GError **error)
{
	g_autofree gchar *data = otad_event_ledger_generate (self);

	return otad_file_replace (self->path, data, strlen (data), 0600, error);
}

/**
 * otad_event_ledger_new:
 *
 * @device: (nullable): the device (the primary ECU's serial): part of every id, so two
 *   devices in one campaign never share one
 *
 * Loads the ledger; a missing file is an empty one, an unreadable one is moved aside
 * with a warning.  The ids do not depend on the file (otad_event_ledger_derive_id()):
 * an event of an update in flight is sent again under the id it had, a repeat the
 * server can drop.
 *
 * Returns: (transfer full): the ledger
 */
OtadEventLedger *
otad_event_ledger_new (const gchar *path, const gchar *device)
{
	OtadEventLedger *self = g_object_new (OTAD_TYPE_EVENT_LEDGER, NULL);
	g_autofree gchar *data = NULL;
	g_autoptr (GError) error_local = NULL;
	const gchar *why = NULL;
	gsize len = 0;

	self->path = g_strdup (path);
	self->device = g_strdup (device != NULL ? device : "");
	if (!otad_file_read (path, OTAD_EVENT_LEDGER_MAX_SIZE, &data, &len, &error_local)) {
		if (otad_file_is_not_found (error_local))
			return self;
		why = error_local->message;
	} else {
		why = otad_event_ledger_parse (self, data, len);
	}
	if (why != NULL) {
		g_autofree gchar *aside = otad_file_move_aside (path, why);
		g_ptr_array_set_size (self->updates, 0);
	}
	return self;
}

/* -- claiming ids ---------------------------------------------------------------- */

/* the namespace of otad's event ids (a random UUID, fixed once) */
static const guint8 otad_event_ledger_namespace[16] = {
	0x6f, 0x3a, 0x1c, 0x52, 0x9d, 0x04, 0x4b, 0x7e,
	0xa1, 0x38, 0x5e, 0xc2, 0x70, 0x19, 0xd4, 0x8b,
};

/**
 * otad_event_ledger_derive_id:
 *
 * The id of an event, from what names it: the device, the update (correlation id and
 * commit), the attempt and the event (its type and outcome).  aktualizr takes a random
 * UUID per event (libaktualizr reportqueue.h: ReportEvent() sets id(Utils::randomUuid()))
 * and keeps it only in its SQL report queue; the server wants a UUID and nothing more.
 * A name-based UUID (RFC 4122 version 5, SHA-1) is the same however often the step runs
 * and whether or not the ledger outlived a power cut, so a step run again after the file
 * was lost sends the event under the id the server has already, never a second event.
 * The attempt is kept in the file; when the file has lost the update, the caller's
 * own count (the boot record's, which a power cut does not take with this file)
 * gives it back, so a second attempt's events never take the first attempt's ids.
 *
 * Returns: (transfer full): a UUID string
 */
gchar *
otad_event_ledger_derive_id (const gchar *device, const gchar *update_key, guint attempt,
                             const gchar *event)
{
	g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
	g_autofree gchar *name = NULL;
	guint8 digest[20];
	gsize len = sizeof digest;

	/* lengths first: "a|b" + "c" and "a" + "b|c" are different names */
	name = g_strdup_printf ("otad-event/1 %zu:%s %zu:%s %u %zu:%s", strlen (device), device,
	                        strlen (update_key), update_key, attempt, strlen (event), event);
	g_checksum_update (sha1, otad_event_ledger_namespace, sizeof otad_event_ledger_namespace);
	g_checksum_update (sha1, (const guchar *)name, (gssize)strlen (name));
	g_checksum_get_digest (sha1, digest, &len);
	digest[6] = (guint8)((digest[6] & 0x0f) | 0x50); /* version 5 */
	digest[8] = (guint8)((digest[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	                        "%02x%02x%02x%02x%02x%02x",
	                        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
	                        digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
	                        digest[12], digest[13], digest[14], digest[15]);
}

static OtadEventLedgerUpdate *
otad_event_ledger_find (OtadEventLedger *self, const gchar *key)
{
	for (guint i = self->updates->len; i > 0; i--) {
		OtadEventLedgerUpdate *update = g_ptr_array_index (self->updates, i - 1);
		if (g_strcmp0 (update->key, key) == 0)
			return update;
	}
	return NULL;
}

static gboolean
otad_event_ledger_has_final (OtadEventLedgerUpdate *update)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init (&iter, update->events);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		OtadEventLedgerEntry *e = value;
		if (e->final && e->queued)
			return TRUE;
	}
	return FALSE;
}

/* TRUE when the file has @update_key: its attempt is known, none need be given */
gboolean
otad_event_ledger_has_update (OtadEventLedger *self, const gchar *update_key)
{
	g_return_val_if_fail (OTAD_IS_EVENT_LEDGER (self), FALSE);
	return otad_event_ledger_find (self, update_key) != NULL;
}

/**
 * otad_event_ledger_claim:
 * @update_key: what the event is about (correlation id and commit)
 * @event: the event's name, with its outcome when it has one
 * @attempt: the attempt the event belongs to (1 for the first), as a record kept
 *   apart from this file says, or 0 when none does; used when the file does not
 *   have the update (lost, or never told)
 * @out_queued: (out): %TRUE when this event was queued before: a repeat, counted as
 *   a retry; the caller must not queue it again
 *
 * Returns: (transfer full): the event's id, on disk before it is returned; %NULL
 *   with @error when the ledger cannot be saved
 */
gchar *
otad_event_ledger_claim (OtadEventLedger *self, const gchar *update_key, const gchar *event,
                         OtadEventLedgerFlags flags, guint attempt,
                         gboolean *out_queued, GError **error)
{
	OtadEventLedgerUpdate *update = otad_event_ledger_find (self, update_key);
	OtadEventLedgerEntry *entry;

	g_return_val_if_fail (OTAD_IS_EVENT_LEDGER (self), NULL);

	*out_queued = FALSE;
	if (update == NULL) {
		update = otad_event_ledger_update_new (update_key,
		                                       CLAMP (attempt, 1, G_MAXUINT16));
		g_ptr_array_add (self->updates, update);
		if (self->updates->len > OTAD_EVENT_LEDGER_MAX_UPDATES)
			g_ptr_array_remove_range (
			    self->updates, 0, self->updates->len - OTAD_EVENT_LEDGER_MAX_UPDATES);
	} else if ((flags & OTAD_EVENT_LEDGER_FLAG_STARTS) != 0 &&
	           otad_event_ledger_has_final (update)) {
		/* the previous attempt ended: this one is new, and so are its events */
		g_info ("%s: attempt %u", update_key, update->attempt + 1);
		update->attempt++;
		g_hash_table_remove_all (update->events);
	}
	entry = g_hash_table_lookup (update->events, event);
	if (entry != NULL && entry->queued) {
		/* the step ran again: the same event, once */
		entry->retries++;
		*out_queued = TRUE;
		g_info ("%s of %s again (%u): event %s was queued already", event, update_key,
		        entry->retries, entry->id);
		if (!otad_event_ledger_save (self, error))
			return NULL;
		return g_strdup (entry->id);
	}
	if (entry == NULL) {
		entry = g_new0 (OtadEventLedgerEntry, 1);
		entry->id = otad_event_ledger_derive_id (self->device, update_key,
		                                         update->attempt, event);
		entry->final = (flags & OTAD_EVENT_LEDGER_FLAG_FINAL) != 0;
		g_hash_table_replace (update->events, g_strdup (event), entry);
		if (!otad_event_ledger_save (self, error)) {
			g_hash_table_remove (update->events, event);
			return NULL;
		}
	}
	return g_strdup (entry->id);
}

/* the event sits in the report queue: asking for it again is a repeat */
gboolean
otad_event_ledger_mark_queued (OtadEventLedger *self, const gchar *update_key, const gchar *event,
                               GError **error)
{
	OtadEventLedgerUpdate *update = otad_event_ledger_find (self, update_key);
	OtadEventLedgerEntry *entry =
	    update != NULL ? g_hash_table_lookup (update->events, event) : NULL;

	g_return_val_if_fail (OTAD_IS_EVENT_LEDGER (self), FALSE);
	if (entry == NULL || entry->queued)
		return TRUE;
	entry->queued = TRUE;
	return otad_event_ledger_save (self, error);
}

guint
otad_event_ledger_get_retries (OtadEventLedger *self, const gchar *update_key, const gchar *event)
{
	OtadEventLedgerUpdate *update = otad_event_ledger_find (self, update_key);
	OtadEventLedgerEntry *entry =
	    update != NULL ? g_hash_table_lookup (update->events, event) : NULL;

	return entry != NULL ? entry->retries : 0;
}
