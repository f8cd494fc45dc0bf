/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadStateStore"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-state-store.h"

/*
 * The engine's persistent state: one JSON object in STATE_DIR/state.json,
 * replaced atomically and durably on every save so a power cut leaves either
 * the old or the new file.  Fields other layers add with set_field() are kept
 * as they are, and unknown fields written by a newer otad survive a save.
 */

#define OTAD_STATE_STORE_FORMAT_VERSION 1
/* the state is a few kB; anything near this is not ours */
#define OTAD_STATE_STORE_MAX_SIZE (1024 * 1024)

#define OTAD_STATE_STORE_KEY_VERSION	   "version"
#define OTAD_STATE_STORE_KEY_STATE	   "state"
#define OTAD_STATE_STORE_KEY_LAST_CHECK	   "last-check-time"
#define OTAD_STATE_STORE_KEY_ERROR_NAME	   "error-name"
#define OTAD_STATE_STORE_KEY_ERROR_MESSAGE "error-message"

struct _OtadStateStore {
	GObject parent_instance;
	gchar *state_dir; /* (owned) */
	gchar *path;	  /* (owned) */
	JsonObject *root; /* (owned) */
	OtaState state;
	guint64 last_check_time;
	gchar *error_name;    /* (owned) */
	gchar *error_message; /* (owned) */
	gboolean recovered;   /* the file was unreadable and moved aside */
	gboolean unsaved;     /* memory is ahead of the disk (a save failed) */
};

enum { SIGNAL_CHANGED, SIGNAL_LAST };
static guint otad_state_store_signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE (OtadStateStore, otad_state_store, G_TYPE_OBJECT)

static void
otad_state_store_reset (OtadStateStore *self)
{
	g_clear_pointer (&self->root, json_object_unref);
	self->root = json_object_new ();
	self->state = OTA_STATE_IDLE;
	self->last_check_time = 0;
	g_free (self->error_name);
	self->error_name = g_strdup ("");
	g_free (self->error_message);
	self->error_message = g_strdup ("");
}

/* keeps the unreadable file for a post-mortem instead of overwriting it on the next save;
 * what it said is rebuilt from the sysroot and the boot record at start (otad-engine-start.c) */
static void
otad_state_store_move_aside (OtadStateStore *self, const gchar *why)
{
	g_autofree gchar *aside = otad_file_move_aside (self->path, why);

	self->recovered = TRUE;
}

/* the string member @key, NULL when absent; FALSE when it is there but not a string */
static gboolean
otad_state_store_read_string (OtadStateStore *self, const gchar *key, const gchar **out)
{
	JsonNode *node = json_object_get_member (self->root, key);

	*out = NULL;
	if (node == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
		return FALSE;
	*out = json_node_get_string (node);
	return TRUE;
}

/* NULL when the known members have their types, else what is wrong: a file that says
 * `"version": "1"` or `"state": 5` was not written by otad, so none of it is trusted (a
 * higher version is a newer otad's: its fields are kept, see the save) */
static gchar *
otad_state_store_check (OtadStateStore *self)
{
	JsonNode *node = json_object_get_member (self->root, OTAD_STATE_STORE_KEY_VERSION);
	const gchar *keys[] = {OTAD_STATE_STORE_KEY_ERROR_NAME, OTAD_STATE_STORE_KEY_ERROR_MESSAGE};
	const gchar *str = NULL;

	if (node != NULL && (!JSON_NODE_HOLDS_VALUE (node) ||
			     json_node_get_value_type (node) != G_TYPE_INT64 ||
			     json_node_get_int (node) < 1))
		return g_strdup ("\"version\" is not a format version");
	if (!otad_state_store_read_string (self, OTAD_STATE_STORE_KEY_STATE, &str))
		return g_strdup ("\"state\" is not a string");
	if (str != NULL && !ota_state_from_string (str, &self->state))
		return g_strdup_printf ("unknown state \"%.64s\"", str);
	node = json_object_get_member (self->root, OTAD_STATE_STORE_KEY_LAST_CHECK);
	if (node != NULL) {
		if (!JSON_NODE_HOLDS_VALUE (node) ||
		    json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
			return g_strdup ("\"last-check-time\" is not a time");
		self->last_check_time = (guint64)json_node_get_int (node);
	}
	for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
		if (!otad_state_store_read_string (self, keys[i], &str))
			return g_strdup_printf ("\"%s\" is not a string", keys[i]);
		if (str == NULL)
			continue;
		if (i == 0) {
			g_free (self->error_name);
			self->error_name = g_strdup (str);
		} else {
			g_free (self->error_message);
			self->error_message = g_strdup (str);
		}
	}
	return NULL;
}

static void
otad_state_store_load (OtadStateStore *self)
{
	g_autoptr(JsonParser) parser = json_parser_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *wrong = NULL;
	gsize len = 0;
	JsonNode *root;

	otad_state_store_reset (self);
	if (!otad_file_read (self->path, OTAD_STATE_STORE_MAX_SIZE, &data, &len, &error)) {
		if (otad_file_is_not_found (error)) {
			g_debug ("no %s yet, starting with defaults", self->path);
			return;
		}
		otad_state_store_move_aside (self, error->message);
		return;
	}
	/* a power cut can leave an empty file: json-glib parses that as no root at all */
	if (!json_parser_load_from_data (parser, data, (gssize)len, &error)) {
		otad_state_store_move_aside (self, error->message);
		return;
	}
	root = json_parser_get_root (parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		otad_state_store_move_aside (self, root == NULL ? "empty" : "not a JSON object");
		return;
	}
	json_object_unref (self->root);
	self->root = json_object_ref (json_node_get_object (root));
	wrong = otad_state_store_check (self);
	if (wrong != NULL) {
		otad_state_store_reset (self);
		otad_state_store_move_aside (self, wrong);
		return;
	}
	g_debug ("loaded %s: state %s", self->path, ota_state_to_string (self->state));
}

/**
 * otad_state_store_new:
 * @state_dir: the state directory, created with mode 0700 if missing
 *
 * Loads the state; a missing or unreadable file gives the defaults (idle, never
 * checked), the latter with a warning.
 *
 * Returns: (transfer full): a new store, or %NULL if @state_dir cannot be created
 */
OtadStateStore *
otad_state_store_new (const gchar *state_dir, GError **error)
{
	g_autoptr(OtadStateStore) self = g_object_new (OTAD_TYPE_STATE_STORE, NULL);

	if (!otad_file_ensure_dir (state_dir, 0700, error))
		return NULL;
	self->state_dir = g_strdup (state_dir);
	self->path = g_build_filename (state_dir, OTAD_STATE_STORE_FILENAME, NULL);
	otad_state_store_load (self);
	return g_steal_pointer (&self);
}

/**
 * otad_state_store_save:
 *
 * Writes the state with temp file + fsync + rename, then emits ::changed.
 */
gboolean
otad_state_store_save (OtadStateStore *self, GError **error)
{
	g_autoptr(JsonGenerator) generator = json_generator_new ();
	g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
	g_autofree gchar *data = NULL;
	gsize len = 0;

	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), FALSE);

	json_object_set_int_member (self->root, OTAD_STATE_STORE_KEY_VERSION,
				    OTAD_STATE_STORE_FORMAT_VERSION);
	json_object_set_string_member (self->root, OTAD_STATE_STORE_KEY_STATE,
				       ota_state_to_string (self->state));
	json_object_set_int_member (self->root, OTAD_STATE_STORE_KEY_LAST_CHECK,
				    (gint64)MIN (self->last_check_time, (guint64)G_MAXINT64));
	json_object_set_string_member (self->root, OTAD_STATE_STORE_KEY_ERROR_NAME,
				       self->error_name);
	json_object_set_string_member (self->root, OTAD_STATE_STORE_KEY_ERROR_MESSAGE,
				       self->error_message);

	json_node_set_object (root, self->root);
	json_generator_set_root (generator, root);
	json_generator_set_pretty (generator, TRUE);
	data = json_generator_to_data (generator, &len);
	if (!otad_file_replace (self->path, data, len, 0600, error)) {
		g_prefix_error (error, _("failed to save state: "));
		self->unsaved = TRUE;
		return FALSE;
	}
	self->unsaved = FALSE;
	g_signal_emit (self, otad_state_store_signals[SIGNAL_CHANGED], 0);

	/* success */
	return TRUE;
}

/**
 * otad_state_store_announce_unsaved:
 *
 * For when the disk refuses a save (full, failing) but the front ends must still
 * learn the state: emits ::changed for what is in memory.  The next successful
 * save writes it.
 */
void
otad_state_store_announce_unsaved (OtadStateStore *self)
{
	g_return_if_fail (OTAD_IS_STATE_STORE (self));
	self->unsaved = TRUE;
	g_signal_emit (self, otad_state_store_signals[SIGNAL_CHANGED], 0);
}

/* TRUE when the last save failed: memory is ahead of the disk */
gboolean
otad_state_store_is_unsaved (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), FALSE);
	return self->unsaved;
}

/* TRUE when the file was unreadable at start and moved aside: its contents are lost */
gboolean
otad_state_store_was_recovered (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), FALSE);
	return self->recovered;
}

const gchar *
otad_state_store_get_state_dir (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), NULL);
	return self->state_dir;
}

const gchar *
otad_state_store_get_path (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), NULL);
	return self->path;
}

OtaState
otad_state_store_get_state (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), OTA_STATE_IDLE);
	return self->state;
}

/* setters change memory only: call otad_state_store_save() to persist and announce */
void
otad_state_store_set_state (OtadStateStore *self, OtaState state)
{
	g_return_if_fail (OTAD_IS_STATE_STORE (self));
	g_return_if_fail (state < OTA_STATE_LAST);
	self->state = state;
}

guint64
otad_state_store_get_last_check_time (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), 0);
	return self->last_check_time;
}

void
otad_state_store_set_last_check_time (OtadStateStore *self, guint64 unix_time)
{
	g_return_if_fail (OTAD_IS_STATE_STORE (self));
	self->last_check_time = unix_time;
}

const gchar *
otad_state_store_get_error_name (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), NULL);
	return self->error_name;
}

const gchar *
otad_state_store_get_error_message (OtadStateStore *self)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), NULL);
	return self->error_message;
}

/* %NULL for either clears it */
void
otad_state_store_set_error (OtadStateStore *self,
			    const gchar *error_name,
			    const gchar *error_message)
{
	g_return_if_fail (OTAD_IS_STATE_STORE (self));
	g_free (self->error_name);
	self->error_name = g_strdup (error_name != NULL ? error_name : "");
	g_free (self->error_message);
	self->error_message = g_strdup (error_message != NULL ? error_message : "");
}

static gboolean
otad_state_store_is_reserved (const gchar *name)
{
	const gchar *reserved[] = {OTAD_STATE_STORE_KEY_VERSION, OTAD_STATE_STORE_KEY_STATE,
				   OTAD_STATE_STORE_KEY_LAST_CHECK, OTAD_STATE_STORE_KEY_ERROR_NAME,
				   OTAD_STATE_STORE_KEY_ERROR_MESSAGE, NULL};
	return g_strv_contains (reserved, name);
}

/**
 * otad_state_store_get_field:
 * @name: a field name other layers chose, e.g. "update-target"
 *
 * Returns: (transfer none) (nullable): the stored JSON, %NULL if not set
 */
JsonNode *
otad_state_store_get_field (OtadStateStore *self, const gchar *name)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (self), NULL);
	g_return_val_if_fail (!otad_state_store_is_reserved (name), NULL);
	return json_object_get_member (self->root, name);
}

/**
 * otad_state_store_set_field:
 * @value: (transfer none) (nullable): the JSON to store (copied), %NULL removes the field
 */
void
otad_state_store_set_field (OtadStateStore *self, const gchar *name, JsonNode *value)
{
	g_return_if_fail (OTAD_IS_STATE_STORE (self));
	g_return_if_fail (!otad_state_store_is_reserved (name));
	if (value == NULL) {
		json_object_remove_member (self->root, name);
		return;
	}
	json_object_set_member (self->root, name, json_node_copy (value));
}

static void
otad_state_store_finalize (GObject *object)
{
	OtadStateStore *self = OTAD_STATE_STORE (object);

	g_free (self->state_dir);
	g_free (self->path);
	g_clear_pointer (&self->root, json_object_unref);
	g_free (self->error_name);
	g_free (self->error_message);
	G_OBJECT_CLASS (otad_state_store_parent_class)->finalize (object);
}

static void
otad_state_store_class_init (OtadStateStoreClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->finalize = otad_state_store_finalize;

	/* emitted after every successful save: the state is on disk before it is announced */
	otad_state_store_signals[SIGNAL_CHANGED] =
	    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			  NULL, G_TYPE_NONE, 0);
}

static void
otad_state_store_init (OtadStateStore *self)
{
	otad_state_store_reset (self);
}
