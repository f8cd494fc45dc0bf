/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot record: what otad installed and is waiting to confirm, commits
 * that failed on this device (never installed again automatically) and the
 * outcomes of past attempts.  It lives in the state directory as JSON and is
 * replaced atomically (write to a temporary file, fsync, rename) before each
 * step it describes is taken, so a power cut at any point leaves either the
 * old or the new record and the next start knows where it was.
 */
#define G_LOG_DOMAIN "OtadBootRecord"

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <ostree.h>

#include "ota-error.h"
#include "otad-boot-record.h"

#define OTAD_BOOT_RECORD_VERSION 1
/* oldest entries go first: the server keeps the long-term history */
#define OTAD_BOOT_RECORD_MAX_HISTORY 100
#define OTAD_BOOT_RECORD_MAX_SIZE (4 * 1024 * 1024)

struct _OtadBootRecord {
	GObject parent_instance;
	gchar *path;		  /* (owned) */
	OtadBootPending *pending; /* (owned) (nullable) */
	GHashTable *bad;	  /* (owned) commit → reason */
	GPtrArray *history;	  /* (owned) (element-type OtadBootHistoryEntry) */
	gchar *on_disk;		  /* (owned) (nullable) what the file holds, to undo a failed save */
};

G_DEFINE_TYPE (OtadBootRecord, otad_boot_record, G_TYPE_OBJECT)

static const gchar *const otad_boot_phase_names[] = {"installed", "confirmed", "rolling-back",
							    "fell-back"};
static const gchar *const otad_boot_outcome_names[] = {"success", "health-check-failed",
						       "bootloader-rollback", "manual-rollback"};

const gchar *
otad_boot_phase_to_string (OtadBootPhase phase)
{
	if ((guint)phase >= G_N_ELEMENTS (otad_boot_phase_names))
		return NULL;
	return otad_boot_phase_names[phase];
}

const gchar *
otad_boot_outcome_to_string (OtadBootOutcome outcome)
{
	if ((guint)outcome >= G_N_ELEMENTS (otad_boot_outcome_names))
		return NULL;
	return otad_boot_outcome_names[outcome];
}

static gint
otad_boot_record_lookup_name (const gchar *const *names, guint n_names, const gchar *name)
{
	for (guint i = 0; i < n_names; i++) {
		if (g_strcmp0 (names[i], name) == 0)
			return (gint)i;
	}
	return -1;
}

OtadBootPending *
otad_boot_pending_new (const gchar *commit, const gchar *previous_commit, const gchar *boot_id)
{
	OtadBootPending *pending = g_new0 (OtadBootPending, 1);

	pending->commit = g_strdup (commit);
	pending->previous_commit = g_strdup (previous_commit);
	pending->boot_id = g_strdup (boot_id);
	pending->installed_at = g_get_real_time () / G_USEC_PER_SEC;
	pending->phase = OTAD_BOOT_PHASE_INSTALLED;
	return pending;
}

OtadBootPending *
otad_boot_pending_copy (const OtadBootPending *pending)
{
	OtadBootPending *copy = g_new0 (OtadBootPending, 1);

	copy->commit = g_strdup (pending->commit);
	copy->previous_commit = g_strdup (pending->previous_commit);
	copy->target_name = g_strdup (pending->target_name);
	copy->version = g_strdup (pending->version);
	copy->correlation_id = g_strdup (pending->correlation_id);
	copy->boot_id = g_strdup (pending->boot_id);
	copy->installed_at = pending->installed_at;
	copy->phase = pending->phase;
	copy->detail = g_strdup (pending->detail);
	copy->reported = pending->reported;
	return copy;
}

void
otad_boot_pending_free (OtadBootPending *pending)
{
	if (pending == NULL)
		return;
	g_free (pending->commit);
	g_free (pending->previous_commit);
	g_free (pending->target_name);
	g_free (pending->version);
	g_free (pending->correlation_id);
	g_free (pending->boot_id);
	g_free (pending->detail);
	g_free (pending);
}

void
otad_boot_history_entry_free (OtadBootHistoryEntry *entry)
{
	if (entry == NULL)
		return;
	g_free (entry->commit);
	g_free (entry->previous_commit);
	g_free (entry->version);
	g_free (entry->correlation_id);
	g_free (entry->detail);
	g_free (entry);
}

static void
otad_boot_record_finalize (GObject *object)
{
	OtadBootRecord *self = OTAD_BOOT_RECORD (object);

	g_free (self->path);
	g_free (self->on_disk);
	otad_boot_pending_free (self->pending);
	g_hash_table_unref (self->bad);
	g_ptr_array_unref (self->history);
	G_OBJECT_CLASS (otad_boot_record_parent_class)->finalize (object);
}

static void
otad_boot_record_class_init (OtadBootRecordClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_boot_record_finalize;
}

static void
otad_boot_record_init (OtadBootRecord *self)
{
	self->bad = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->history =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_boot_history_entry_free);
}

/**
 * otad_boot_record_new:
 * @path: the record file, normally `OTAD_STATE_DIR/boot-record.json`
 *
 * Creates an empty record; call otad_boot_record_load() to read the file.
 *
 * Returns: (transfer full): a new #OtadBootRecord
 */
OtadBootRecord *
otad_boot_record_new (const gchar *path)
{
	OtadBootRecord *self = g_object_new (OTAD_TYPE_BOOT_RECORD, NULL);

	self->path = g_strdup (path);
	return self;
}

const gchar *
otad_boot_record_get_path (OtadBootRecord *self)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return self->path;
}

static void
otad_boot_record_reset (OtadBootRecord *self)
{
	g_clear_pointer (&self->pending, otad_boot_pending_free);
	g_hash_table_remove_all (self->bad);
	g_ptr_array_set_size (self->history, 0);
}

/* -- parsing ---------------------------------------------------------------- */

static gboolean
otad_boot_record_get_str (JsonObject *obj,
			  const gchar *member,
			  gboolean required,
			  gchar **out,
			  GError **error)
{
	JsonNode *node = json_object_get_member (obj, member);

	if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
		if (required) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "'%s' is missing",
				     member);
			return FALSE;
		}
		*out = NULL;
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "'%s' is not a string", member);
		return FALSE;
	}
	*out = g_strdup (json_node_get_string (node));
	return TRUE;
}

static gboolean
otad_boot_record_get_commit (JsonObject *obj,
			     const gchar *member,
			     gboolean required,
			     gchar **out,
			     GError **error)
{
	g_autoptr(GError) error_local = NULL;

	if (!otad_boot_record_get_str (obj, member, required, out, error))
		return FALSE;
	if (*out != NULL && !ostree_validate_checksum_string (*out, &error_local)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "'%s': %s", member,
			     error_local->message);
		g_clear_pointer (out, g_free);
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_boot_record_get_enum (JsonObject *obj,
			   const gchar *member,
			   const gchar *const *names,
			   guint n_names,
			   gint *out,
			   GError **error)
{
	g_autofree gchar *str = NULL;

	if (!otad_boot_record_get_str (obj, member, TRUE, &str, error))
		return FALSE;
	*out = otad_boot_record_lookup_name (names, n_names, str);
	if (*out < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "'%s' has unknown value '%s'",
			     member, str);
		return FALSE;
	}
	return TRUE;
}

static OtadBootPending *
otad_boot_record_parse_pending (JsonObject *obj, GError **error)
{
	g_autoptr(OtadBootPending) pending = g_new0 (OtadBootPending, 1);
	gint phase = 0;

	if (!otad_boot_record_get_commit (obj, "commit", TRUE, &pending->commit, error) ||
	    !otad_boot_record_get_commit (obj, "previous-commit", FALSE,
					  &pending->previous_commit, error) ||
	    !otad_boot_record_get_str (obj, "target-name", FALSE, &pending->target_name, error) ||
	    !otad_boot_record_get_str (obj, "version", FALSE, &pending->version, error) ||
	    !otad_boot_record_get_str (obj, "correlation-id", FALSE, &pending->correlation_id,
				       error) ||
	    !otad_boot_record_get_str (obj, "boot-id", FALSE, &pending->boot_id, error) ||
	    !otad_boot_record_get_str (obj, "detail", FALSE, &pending->detail, error) ||
	    !otad_boot_record_get_enum (obj, "phase", otad_boot_phase_names,
					G_N_ELEMENTS (otad_boot_phase_names), &phase, error))
		return NULL;
	pending->phase = phase;
	pending->installed_at = json_object_get_int_member_with_default (obj, "installed-at", 0);
	pending->reported = json_object_get_boolean_member_with_default (obj, "reported", FALSE);
	return g_steal_pointer (&pending);
}

static OtadBootHistoryEntry *
otad_boot_record_parse_history (JsonObject *obj, GError **error)
{
	g_autoptr(OtadBootHistoryEntry) entry = g_new0 (OtadBootHistoryEntry, 1);
	gint outcome = 0;

	if (!otad_boot_record_get_commit (obj, "commit", TRUE, &entry->commit, error) ||
	    !otad_boot_record_get_commit (obj, "previous-commit", FALSE, &entry->previous_commit,
					  error) ||
	    !otad_boot_record_get_str (obj, "version", FALSE, &entry->version, error) ||
	    !otad_boot_record_get_str (obj, "correlation-id", FALSE, &entry->correlation_id,
				       error) ||
	    !otad_boot_record_get_str (obj, "detail", FALSE, &entry->detail, error) ||
	    !otad_boot_record_get_enum (obj, "outcome", otad_boot_outcome_names,
					G_N_ELEMENTS (otad_boot_outcome_names), &outcome, error))
		return NULL;
	entry->outcome = outcome;
	entry->time = json_object_get_int_member_with_default (obj, "time", 0);
	return g_steal_pointer (&entry);
}

static gboolean
otad_boot_record_parse (OtadBootRecord *self, JsonNode *root, GError **error)
{
	JsonObject *obj;
	JsonNode *node;

	if (!JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, "not a JSON object");
		return FALSE;
	}
	obj = json_node_get_object (root);
	if (json_object_get_int_member_with_default (obj, "version", 0) !=
	    OTAD_BOOT_RECORD_VERSION) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, "unsupported version");
		return FALSE;
	}
	node = json_object_get_member (obj, "pending");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)) {
		self->pending = otad_boot_record_parse_pending (json_node_get_object (node), error);
		if (self->pending == NULL) {
			g_prefix_error (error, "pending: ");
			return FALSE;
		}
	}
	node = json_object_get_member (obj, "bad-commits");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *bad = json_node_get_object (node);
		g_autoptr(GList) members = json_object_get_members (bad);
		for (GList *l = members; l != NULL; l = l->next) {
			const gchar *commit = l->data;
			g_autofree gchar *reason = NULL;
			if (!ostree_validate_checksum_string (commit, error)) {
				g_prefix_error (error, "bad-commits: ");
				return FALSE;
			}
			if (!otad_boot_record_get_str (bad, commit, TRUE, &reason, error))
				return FALSE;
			g_hash_table_replace (self->bad, g_strdup (commit),
					      g_steal_pointer (&reason));
		}
	}
	node = json_object_get_member (obj, "history");
	if (node != NULL && JSON_NODE_HOLDS_ARRAY (node)) {
		JsonArray *history = json_node_get_array (node);
		for (guint i = 0; i < json_array_get_length (history); i++) {
			JsonNode *item = json_array_get_element (history, i);
			OtadBootHistoryEntry *entry;
			if (!JSON_NODE_HOLDS_OBJECT (item)) {
				g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
					     "history[%u] is not an object", i);
				return FALSE;
			}
			entry = otad_boot_record_parse_history (json_node_get_object (item), error);
			if (entry == NULL) {
				g_prefix_error (error, "history[%u]: ", i);
				return FALSE;
			}
			g_ptr_array_add (self->history, entry);
		}
	}
	return TRUE;
}

static gboolean
otad_boot_record_load_data (OtadBootRecord *self, const gchar *data, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new ();
	g_autoptr(GError) error_local = NULL;

	otad_boot_record_reset (self);
	if (len > OTAD_BOOT_RECORD_MAX_SIZE ||
	    !json_parser_load_from_data (parser, data, (gssize)len, &error_local) ||
	    !otad_boot_record_parse (self, json_parser_get_root (parser), &error_local)) {
		otad_boot_record_reset (self);
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "boot record %s is corrupt: %s",
			     self->path,
			     error_local != NULL ? error_local->message : "too large");
		return FALSE;
	}
	return TRUE;
}

/**
 * otad_boot_record_load:
 * @self: an #OtadBootRecord
 * @error: return location for a #GError
 *
 * Reads the record file.  A missing file is an empty record.  A file that
 * cannot be parsed is an %OTA_ERROR_INTERNAL error and leaves the record
 * empty: the engine must not install anything on top of a record it cannot
 * read, since the list of bad commits would be lost.
 *
 * Returns: %TRUE on success
 */
gboolean
otad_boot_record_load (OtadBootRecord *self, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error_local = NULL;
	gsize len = 0;

	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);

	otad_boot_record_reset (self);
	g_clear_pointer (&self->on_disk, g_free);
	if (!g_file_get_contents (self->path, &contents, &len, &error_local)) {
		if (g_error_matches (error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
					    "failed to read boot record: ");
		return FALSE;
	}
	if (!otad_boot_record_load_data (self, contents, len, error))
		return FALSE;
	self->on_disk = g_steal_pointer (&contents);
	return TRUE;
}

/* -- writing ---------------------------------------------------------------- */

static void
otad_boot_record_add_str (JsonBuilder *builder, const gchar *member, const gchar *value)
{
	if (value == NULL)
		return;
	json_builder_set_member_name (builder, member);
	json_builder_add_string_value (builder, value);
}

static gchar *
otad_boot_record_to_data (OtadBootRecord *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonGenerator) generator = json_generator_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GList) bad = g_hash_table_get_keys (self->bad);

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "version");
	json_builder_add_int_value (builder, OTAD_BOOT_RECORD_VERSION);
	if (self->pending != NULL) {
		OtadBootPending *p = self->pending;
		json_builder_set_member_name (builder, "pending");
		json_builder_begin_object (builder);
		otad_boot_record_add_str (builder, "commit", p->commit);
		otad_boot_record_add_str (builder, "previous-commit", p->previous_commit);
		otad_boot_record_add_str (builder, "target-name", p->target_name);
		otad_boot_record_add_str (builder, "version", p->version);
		otad_boot_record_add_str (builder, "correlation-id", p->correlation_id);
		otad_boot_record_add_str (builder, "boot-id", p->boot_id);
		json_builder_set_member_name (builder, "installed-at");
		json_builder_add_int_value (builder, p->installed_at);
		otad_boot_record_add_str (builder, "phase", otad_boot_phase_to_string (p->phase));
		otad_boot_record_add_str (builder, "detail", p->detail);
		json_builder_set_member_name (builder, "reported");
		json_builder_add_boolean_value (builder, p->reported);
		json_builder_end_object (builder);
	}
	json_builder_set_member_name (builder, "bad-commits");
	json_builder_begin_object (builder);
	bad = g_list_sort (bad, (GCompareFunc)g_strcmp0);
	for (GList *l = bad; l != NULL; l = l->next)
		otad_boot_record_add_str (builder, l->data, g_hash_table_lookup (self->bad, l->data));
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "history");
	json_builder_begin_array (builder);
	for (guint i = 0; i < self->history->len; i++) {
		OtadBootHistoryEntry *e = g_ptr_array_index (self->history, i);
		json_builder_begin_object (builder);
		otad_boot_record_add_str (builder, "commit", e->commit);
		otad_boot_record_add_str (builder, "previous-commit", e->previous_commit);
		otad_boot_record_add_str (builder, "version", e->version);
		otad_boot_record_add_str (builder, "correlation-id", e->correlation_id);
		otad_boot_record_add_str (builder, "outcome",
					  otad_boot_outcome_to_string (e->outcome));
		otad_boot_record_add_str (builder, "detail", e->detail);
		json_builder_set_member_name (builder, "time");
		json_builder_add_int_value (builder, e->time);
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
	json_builder_end_object (builder);

	root = json_builder_get_root (builder);
	json_generator_set_root (generator, root);
	json_generator_set_pretty (generator, TRUE);
	return json_generator_to_data (generator, NULL);
}

/* on failure the in-memory record goes back to what the disk holds */
static gboolean
otad_boot_record_save (OtadBootRecord *self, GError **error)
{
	g_autofree gchar *data = otad_boot_record_to_data (self);
	g_autofree gchar *dir = g_path_get_dirname (self->path);

	if (g_mkdir_with_parents (dir, 0700) != 0 ||
	    !g_file_set_contents_full (self->path, data, -1,
				       G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
				       0600, error)) {
		if (error != NULL && *error == NULL)
			g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
				     "failed to create %s: %s", dir, g_strerror (errno));
		g_prefix_error (error, "failed to write boot record: ");
		if (self->on_disk == NULL)
			otad_boot_record_reset (self);
		else if (!otad_boot_record_load_data (self, self->on_disk, strlen (self->on_disk),
						      NULL))
			g_warning ("boot record %s: previous state lost", self->path);
		return FALSE;
	}
	g_free (self->on_disk);
	self->on_disk = g_steal_pointer (&data);
	return TRUE;
}

/* -- the pending install ---------------------------------------------------- */

const OtadBootPending *
otad_boot_record_get_pending (OtadBootRecord *self)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return self->pending;
}

/**
 * otad_boot_record_set_pending:
 * @self: an #OtadBootRecord
 * @pending: (nullable): the install now waiting for confirmation, or %NULL to drop it
 * @error: return location for a #GError
 *
 * Records a new install.  Call before writing the deployment as the default
 * so that a power cut after that write still finds the record.
 *
 * Returns: %TRUE once it is on disk
 */
gboolean
otad_boot_record_set_pending (OtadBootRecord *self, const OtadBootPending *pending, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);

	if (pending != NULL && !ostree_validate_checksum_string (pending->commit, error))
		return FALSE;
	g_clear_pointer (&self->pending, otad_boot_pending_free);
	if (pending != NULL)
		self->pending = otad_boot_pending_copy (pending);
	return otad_boot_record_save (self, error);
}

gboolean
otad_boot_record_set_phase (OtadBootRecord *self,
			    OtadBootPhase phase,
			    const gchar *detail,
			    GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (self->pending == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
				     "no install is waiting for confirmation");
		return FALSE;
	}
	if (self->pending->phase != phase)
		self->pending->reported = FALSE;
	self->pending->phase = phase;
	g_free (self->pending->detail);
	self->pending->detail = g_strdup (detail);
	return otad_boot_record_save (self, error);
}

gboolean
otad_boot_record_set_reported (OtadBootRecord *self, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (self->pending == NULL || self->pending->reported)
		return TRUE;
	self->pending->reported = TRUE;
	return otad_boot_record_save (self, error);
}

/**
 * otad_boot_record_finish_pending:
 * @self: an #OtadBootRecord
 * @outcome: how the attempt ended
 * @detail: (nullable): why
 * @error: return location for a #GError
 *
 * Moves the pending install into the history.
 *
 * Returns: %TRUE once it is on disk
 */
gboolean
otad_boot_record_finish_pending (OtadBootRecord *self,
				 OtadBootOutcome outcome,
				 const gchar *detail,
				 GError **error)
{
	OtadBootHistoryEntry *entry;

	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (self->pending == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
				     "no install is waiting for confirmation");
		return FALSE;
	}
	entry = g_new0 (OtadBootHistoryEntry, 1);
	entry->commit = g_strdup (self->pending->commit);
	entry->previous_commit = g_strdup (self->pending->previous_commit);
	entry->version = g_strdup (self->pending->version);
	entry->correlation_id = g_strdup (self->pending->correlation_id);
	entry->outcome = outcome;
	entry->detail = g_strdup (detail);
	entry->time = g_get_real_time () / G_USEC_PER_SEC;
	g_ptr_array_add (self->history, entry);
	if (self->history->len > OTAD_BOOT_RECORD_MAX_HISTORY)
		g_ptr_array_remove_range (self->history, 0,
					  self->history->len - OTAD_BOOT_RECORD_MAX_HISTORY);
	g_clear_pointer (&self->pending, otad_boot_pending_free);
	return otad_boot_record_save (self, error);
}

/* -- bad commits ------------------------------------------------------------- */

/**
 * otad_boot_record_mark_bad:
 * @self: an #OtadBootRecord
 * @commit: the commit that failed on this device
 * @reason: why
 * @error: return location for a #GError
 *
 * Returns: %TRUE once it is on disk
 */
gboolean
otad_boot_record_mark_bad (OtadBootRecord *self,
			   const gchar *commit,
			   const gchar *reason,
			   GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (!ostree_validate_checksum_string (commit, error))
		return FALSE;
	if (g_strcmp0 (g_hash_table_lookup (self->bad, commit), reason) == 0)
		return TRUE;
	g_hash_table_replace (self->bad, g_strdup (commit),
			      g_strdup (reason != NULL ? reason : "failed"));
	return otad_boot_record_save (self, error);
}

/* an explicit administrator decision to try a bad commit again */
gboolean
otad_boot_record_forget_bad (OtadBootRecord *self, const gchar *commit, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (!g_hash_table_remove (self->bad, commit))
		return TRUE;
	return otad_boot_record_save (self, error);
}

gboolean
otad_boot_record_is_bad (OtadBootRecord *self, const gchar *commit)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	return commit != NULL && g_hash_table_contains (self->bad, commit);
}

const gchar *
otad_boot_record_get_bad_reason (OtadBootRecord *self, const gchar *commit)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return commit != NULL ? g_hash_table_lookup (self->bad, commit) : NULL;
}

/**
 * otad_boot_record_check_installable:
 * @self: an #OtadBootRecord
 * @commit: a commit the server offers
 * @error: return location for a #GError
 *
 * Refuses a commit that already failed on this device, with
 * %OTA_ERROR_NO_UPDATE: the engine treats it as nothing to install.
 *
 * Returns: %TRUE if @commit may be installed
 */
gboolean
otad_boot_record_check_installable (OtadBootRecord *self, const gchar *commit, GError **error)
{
	const gchar *reason = otad_boot_record_get_bad_reason (self, commit);

	if (reason == NULL)
		return TRUE;
	g_set_error (error, OTA_ERROR, OTA_ERROR_NO_UPDATE,
		     "commit %s failed on this device (%s) and is not installed again", commit,
		     reason);
	return FALSE;
}

/**
 * otad_boot_record_get_history:
 * @self: an #OtadBootRecord
 *
 * Returns: (transfer none) (element-type OtadBootHistoryEntry): past outcomes, oldest first
 */
GPtrArray *
otad_boot_record_get_history (OtadBootRecord *self)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return self->history;
}

/**
 * otad_boot_record_read_boot_id:
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the kernel's id of the current boot
 */
gchar *
otad_boot_record_read_boot_id (GError **error)
{
	g_autofree gchar *contents = NULL;

	if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, error))
		return NULL;
	return g_strstrip (g_steal_pointer (&contents));
}
