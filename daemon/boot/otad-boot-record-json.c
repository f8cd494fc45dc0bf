/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot record's file format: one JSON object with a format version,
 * the pending install, bad commits (commit → reason) and the history.
 * Everything read is validated (checksums, enum names, types) since the
 * decisions taken from it are about what boots.
 */
#define G_LOG_DOMAIN "OtadBootRecord"

#include "config.h"

#include <json-glib/json-glib.h>
#include <ostree.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-boot-record-json.h"

#define OTAD_BOOT_RECORD_VERSION 1

static const gchar *const otad_boot_phase_names[] = {"installed", "confirmed", "rolling-back",
                                                     "fell-back"};
static const gchar *const otad_boot_outcome_names[] = {"success", "health-check-failed",
                                                       "bootloader-rollback", "manual-rollback",
                                                       "install-failed"};

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
otad_boot_record_json_lookup_name (const gchar *const *names, guint n_names, const gchar *name)
{
	for (guint i = 0; i < n_names; i++) {
		if (g_strcmp0 (names[i], name) == 0)
			return (gint)i;
	}
	return -1;
}

/* -- parsing ----------------------------------------------------------------- */

static gboolean
otad_boot_record_json_get_str (JsonObject *obj, const gchar *member, gboolean required, gchar **out,
                               GError **error)
{
	JsonNode *node = json_object_get_member (obj, member);

	if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
		if (required) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("'%s' is missing"),
			             member);
			return FALSE;
		}
		*out = NULL;
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("'%s' is not a string"),
		             member);
		return FALSE;
	}
	*out = g_strdup (json_node_get_string (node));
	return TRUE;
}

/* an optional integer (or boolean) member: absent gives @def, any other type is an error
 * (json-glib's *_with_default() raise a critical on an array or object) */
static gboolean
otad_boot_record_json_get_int (JsonObject *obj, const gchar *member, gint64 def, gint64 *out,
                               GError **error)
{
	JsonNode *node = json_object_get_member (obj, member);

	*out = def;
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("'%s' is not an integer"),
		             member);
		return FALSE;
	}
	*out = json_node_get_int (node);
	return TRUE;
}

static gboolean
otad_boot_record_json_get_bool (JsonObject *obj, const gchar *member, gboolean *out,
                                GError **error)
{
	JsonNode *node = json_object_get_member (obj, member);

	*out = FALSE;
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("'%s' is not a boolean"),
		             member);
		return FALSE;
	}
	*out = json_node_get_boolean (node);
	return TRUE;
}

/* an optional member that must hold @type when it is there */
static gboolean
otad_boot_record_json_check_type (JsonNode *node, JsonNodeType type, const gchar *member,
                                  GError **error)
{
	if (node == NULL || JSON_NODE_HOLDS_NULL (node) || JSON_NODE_TYPE (node) == type)
		return TRUE;
	g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("'%s' is not an %s"), member,
	             type == JSON_NODE_ARRAY ? "array" : "object");
	return FALSE;
}

static gboolean
otad_boot_record_json_get_commit (JsonObject *obj, const gchar *member, gboolean required,
                                  gchar **out, GError **error)
{
	g_autoptr (GError) error_local = NULL;

	if (!otad_boot_record_json_get_str (obj, member, required, out, error))
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
otad_boot_record_json_get_enum (JsonObject *obj, const gchar *member, const gchar *const *names,
                                guint n_names, gint *out, GError **error)
{
	g_autofree gchar *str = NULL;

	if (!otad_boot_record_json_get_str (obj, member, TRUE, &str, error))
		return FALSE;
	*out = otad_boot_record_json_lookup_name (names, n_names, str);
	if (*out < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		             _("'%s' has unknown value '%s'"), member, str);
		return FALSE;
	}
	return TRUE;
}

static OtadBootPending *
otad_boot_record_json_parse_pending (JsonObject *obj, GError **error)
{
	g_autoptr (OtadBootPending) pending = g_new0 (OtadBootPending, 1);
	gint64 installed_at = 0;
	gint64 reboot_requests = 0;
	gint phase = 0;

	if (!otad_boot_record_json_get_commit (obj, "commit", TRUE, &pending->commit, error) ||
	    !otad_boot_record_json_get_commit (obj, "previous-commit", FALSE,
	                                       &pending->previous_commit, error) ||
	    !otad_boot_record_json_get_str (obj, "target-name", FALSE, &pending->target_name,
	                                    error) ||
	    !otad_boot_record_json_get_str (obj, "version", FALSE, &pending->version, error) ||
	    !otad_boot_record_json_get_str (obj, "correlation-id", FALSE, &pending->correlation_id,
	                                    error) ||
	    !otad_boot_record_json_get_str (obj, "boot-id", FALSE, &pending->boot_id, error) ||
	    !otad_boot_record_json_get_str (obj, "detail", FALSE, &pending->detail, error) ||
	    !otad_boot_record_json_get_enum (obj, "phase", otad_boot_phase_names,
	                                     G_N_ELEMENTS (otad_boot_phase_names), &phase, error))
		return NULL;
	pending->phase = phase;
	if (!otad_boot_record_json_get_int (obj, "installed-at", 0, &installed_at, error) ||
	    !otad_boot_record_json_get_bool (obj, "reported", &pending->reported, error) ||
	    !otad_boot_record_json_get_int (obj, "reboot-requests", 0, &reboot_requests, error))
		return NULL;
	pending->installed_at = installed_at;
	pending->reboot_requests = (guint)CLAMP (reboot_requests, 0, G_MAXUINT32);
	return g_steal_pointer (&pending);
}

static OtadBootHistoryEntry *
otad_boot_record_json_parse_history (JsonObject *obj, GError **error)
{
	g_autoptr (OtadBootHistoryEntry) entry = g_new0 (OtadBootHistoryEntry, 1);
	gint64 time = 0;
	gint outcome = 0;

	if (!otad_boot_record_json_get_commit (obj, "commit", TRUE, &entry->commit, error) ||
	    !otad_boot_record_json_get_commit (obj, "previous-commit", FALSE,
	                                       &entry->previous_commit, error) ||
	    !otad_boot_record_json_get_str (obj, "version", FALSE, &entry->version, error) ||
	    !otad_boot_record_json_get_str (obj, "correlation-id", FALSE, &entry->correlation_id,
	                                    error) ||
	    !otad_boot_record_json_get_str (obj, "detail", FALSE, &entry->detail, error) ||
	    !otad_boot_record_json_get_enum (obj, "outcome", otad_boot_outcome_names,
	                                     G_N_ELEMENTS (otad_boot_outcome_names), &outcome,
	                                     error))
		return NULL;
	entry->outcome = outcome;
	if (!otad_boot_record_json_get_int (obj, "time", 0, &time, error))
		return NULL;
	entry->time = time;
	return g_steal_pointer (&entry);
}

static gboolean
otad_boot_record_json_parse_root (OtadBootRecordData *self, JsonNode *root, GError **error)
{
	JsonObject *obj;
	JsonNode *node;
	gint64 version = 0;

	/* json-glib takes empty input (a power cut) as a document without a root */
	if (root == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("empty"));
		return FALSE;
	}
	if (!JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("not a JSON object"));
		return FALSE;
	}
	obj = json_node_get_object (root);
	if (!otad_boot_record_json_get_int (obj, "version", 0, &version, error))
		return FALSE;
	if (version != OTAD_BOOT_RECORD_VERSION) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		                     _("unsupported version"));
		return FALSE;
	}
	/* a member of the wrong kind is a record otad did not write: corrupt, not ignored */
	if (!otad_boot_record_json_check_type (json_object_get_member (obj, "pending"),
	                                       JSON_NODE_OBJECT, "pending", error) ||
	    !otad_boot_record_json_check_type (json_object_get_member (obj, "bad-commits"),
	                                       JSON_NODE_OBJECT, "bad-commits", error) ||
	    !otad_boot_record_json_check_type (json_object_get_member (obj, "history"),
	                                       JSON_NODE_ARRAY, "history", error))
		return FALSE;
	node = json_object_get_member (obj, "pending");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)) {
		self->pending =
		    otad_boot_record_json_parse_pending (json_node_get_object (node), error);
		if (self->pending == NULL) {
			g_prefix_error (error, "pending: ");
			return FALSE;
		}
	}
	node = json_object_get_member (obj, "bad-commits");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *bad = json_node_get_object (node);
		g_autoptr (GList) members = json_object_get_members (bad);
		for (GList *l = members; l != NULL; l = l->next) {
			const gchar *commit = l->data;
			g_autofree gchar *reason = NULL;
			if (!ostree_validate_checksum_string (commit, error)) {
				g_prefix_error (error, "bad-commits: ");
				return FALSE;
			}
			if (!otad_boot_record_json_get_str (bad, commit, TRUE, &reason, error))
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
				             _("history[%u] is not an object"), i);
				return FALSE;
			}
			entry = otad_boot_record_json_parse_history (json_node_get_object (item),
			                                             error);
			if (entry == NULL) {
				g_prefix_error (error, "history[%u]: ", i);
				return FALSE;
			}
			g_ptr_array_add (self->history, entry);
		}
	}
	return TRUE;
}

/**
 * otad_boot_record_json_parse:
 * @data: the file contents
 * @len: their length
 * @out: empty containers to fill
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @data is a valid record; on failure @out may be half filled
 */
gboolean
otad_boot_record_json_parse (const gchar *data, gsize len, OtadBootRecordData *out, GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();

	if (len > OTAD_BOOT_RECORD_JSON_MAX_SIZE) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("too large"));
		return FALSE;
	}
	if (!json_parser_load_from_data (parser, data, (gssize)len, error))
		return FALSE;
	return otad_boot_record_json_parse_root (out, json_parser_get_root (parser), error);
}

/* -- writing ---------------------------------------------------------------- */

static void
otad_boot_record_json_add_str (JsonBuilder *builder, const gchar *member, const gchar *value)
{
	if (value == NULL)
		return;
	json_builder_set_member_name (builder, member);
	json_builder_add_string_value (builder, value);
}

gchar *
otad_boot_record_json_generate (const OtadBootRecordData *self)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonGenerator) generator = json_generator_new ();
	g_autoptr (JsonNode) root = NULL;
	g_autoptr (GList) bad = g_hash_table_get_keys (self->bad);

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "version");
	json_builder_add_int_value (builder, OTAD_BOOT_RECORD_VERSION);
	if (self->pending != NULL) {
		OtadBootPending *p = self->pending;
		json_builder_set_member_name (builder, "pending");
		json_builder_begin_object (builder);
		otad_boot_record_json_add_str (builder, "commit", p->commit);
		otad_boot_record_json_add_str (builder, "previous-commit", p->previous_commit);
		otad_boot_record_json_add_str (builder, "target-name", p->target_name);
		otad_boot_record_json_add_str (builder, "version", p->version);
		otad_boot_record_json_add_str (builder, "correlation-id", p->correlation_id);
		otad_boot_record_json_add_str (builder, "boot-id", p->boot_id);
		json_builder_set_member_name (builder, "installed-at");
		json_builder_add_int_value (builder, p->installed_at);
		otad_boot_record_json_add_str (builder, "phase",
		                               otad_boot_phase_to_string (p->phase));
		otad_boot_record_json_add_str (builder, "detail", p->detail);
		json_builder_set_member_name (builder, "reported");
		json_builder_add_boolean_value (builder, p->reported);
		json_builder_set_member_name (builder, "reboot-requests");
		json_builder_add_int_value (builder, p->reboot_requests);
		json_builder_end_object (builder);
	}
	json_builder_set_member_name (builder, "bad-commits");
	json_builder_begin_object (builder);
	bad = g_list_sort (bad, (GCompareFunc)g_strcmp0);
	for (GList *l = bad; l != NULL; l = l->next)
		otad_boot_record_json_add_str (builder, l->data,
		                               g_hash_table_lookup (self->bad, l->data));
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "history");
	json_builder_begin_array (builder);
	for (guint i = 0; i < self->history->len; i++) {
		OtadBootHistoryEntry *e = g_ptr_array_index (self->history, i);
		json_builder_begin_object (builder);
		otad_boot_record_json_add_str (builder, "commit", e->commit);
		otad_boot_record_json_add_str (builder, "previous-commit", e->previous_commit);
		otad_boot_record_json_add_str (builder, "version", e->version);
		otad_boot_record_json_add_str (builder, "correlation-id", e->correlation_id);
		otad_boot_record_json_add_str (builder, "outcome",
		                               otad_boot_outcome_to_string (e->outcome));
		otad_boot_record_json_add_str (builder, "detail", e->detail);
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
