/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "otad-tuf-error.h"
#include "otad-tuf-metadata.h"

/* parsing of the four role types in both dialects; strict about types so that two readers
 * cannot see different metadata in the same signed bytes */

static const gchar *otad_tuf_role_type_names[] = {"root", "timestamp", "snapshot", "targets"};

const gchar *
otad_tuf_role_type_to_string (OtadTufRoleType type)
{
	if ((guint)type >= G_N_ELEMENTS (otad_tuf_role_type_names))
		return "unknown";
	return otad_tuf_role_type_names[type];
}

void
otad_tuf_role_free (OtadTufRole *role)
{
	if (role == NULL)
		return;
	g_free (role->name);
	g_clear_pointer (&role->keyids, g_ptr_array_unref);
	g_clear_pointer (&role->paths, g_ptr_array_unref);
	g_clear_pointer (&role->path_hash_prefixes, g_ptr_array_unref);
	g_free (role);
}

OtadTufMetadata *
otad_tuf_metadata_ref (OtadTufMetadata *md)
{
	g_atomic_int_inc (&md->ref_count);
	return md;
}

void
otad_tuf_metadata_unref (OtadTufMetadata *md)
{
	if (!g_atomic_int_dec_and_test (&md->ref_count))
		return;
	g_clear_pointer (&md->keys, g_hash_table_unref);
	g_clear_pointer (&md->roles, g_hash_table_unref);
	g_clear_pointer (&md->meta, g_hash_table_unref);
	g_clear_pointer (&md->delegation_keys, g_hash_table_unref);
	g_clear_pointer (&md->delegations, g_ptr_array_unref);
	g_clear_pointer (&md->doc, otad_json_doc_unref);
	g_free (md->role_name);
	g_free (md);
}

GBytes *
otad_tuf_metadata_get_bytes (OtadTufMetadata *md)
{
	return otad_json_doc_get_bytes (md->doc);
}

static gboolean otad_tuf_metadata_fail (OtadTufMetadata *md, GError **error, const gchar *format,
                                        ...) G_GNUC_PRINTF (3, 4);

static gboolean
otad_tuf_metadata_fail (OtadTufMetadata *md, GError **error, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	va_start (args, format);
	msg = g_strdup_vprintf (format, args);
	va_end (args);
	g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED, _("%s metadata: %s"),
	             md->role_name, msg);
	return FALSE;
}

/* a non-empty string array without NUL bytes */
static GPtrArray *
otad_tuf_metadata_strv (const OtadJsonNode *node)
{
	g_autoptr (GPtrArray) array = NULL;
	if (!otad_json_is (node, OTAD_JSON_ARRAY))
		return NULL;
	array = g_ptr_array_new_with_free_func (g_free);
	for (guint32 i = 0; i < node->n; i++) {
		gchar *str = otad_json_dup_string (&node->v.children[i]);
		if (str == NULL)
			return NULL;
		g_ptr_array_add (array, str);
	}
	return g_steal_pointer (&array);
}

static GHashTable *
otad_tuf_metadata_parse_keys (OtadTufMetadata *md, const OtadJsonNode *keys, GError **error)
{
	g_autoptr (GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
	                                                      (GDestroyNotify)otad_tuf_key_free);
	if (!otad_json_is (keys, OTAD_JSON_OBJECT)) {
		otad_tuf_metadata_fail (md, error, _("keys must be an object"));
		return NULL;
	}
	for (guint32 i = 0; i < keys->n; i++) {
		const OtadJsonNode *member = &keys->v.children[i];
		g_autofree gchar *keyid = otad_json_dup_key (member);
		g_autoptr (GError) error_local = NULL;
		OtadTufKey *key;
		if (keyid == NULL || keyid[0] == '\0') {
			otad_tuf_metadata_fail (md, error, _("invalid key id"));
			return NULL;
		}
		key = otad_tuf_key_new_from_json (member, &error_local);
		if (key == NULL) {
			otad_tuf_metadata_fail (md, error, _("key %s: %s"), keyid,
			                        error_local->message);
			return NULL;
		}
		g_hash_table_insert (table, g_steal_pointer (&keyid), key);
	}
	return g_steal_pointer (&table);
}

static OtadTufRole *
otad_tuf_metadata_parse_role (OtadTufMetadata *md, const gchar *name, const OtadJsonNode *node,
                              GError **error)
{
	g_autoptr (OtadTufRole) role = g_new0 (OtadTufRole, 1);
	const OtadJsonNode *threshold = otad_json_object_get (node, "threshold");

	role->name = g_strdup (name);
	role->keyids = otad_tuf_metadata_strv (otad_json_object_get (node, "keyids"));
	if (role->keyids == NULL) {
		otad_tuf_metadata_fail (md, error,
		                        _("role %s: keyids must be an array of strings"), name);
		return NULL;
	}
	if (!otad_json_is (threshold, OTAD_JSON_INT) || threshold->v.i < 1 ||
	    threshold->v.i > G_MAXUINT16) {
		otad_tuf_metadata_fail (md, error,
		                        _("role %s: threshold must be a positive integer"), name);
		return NULL;
	}
	role->threshold = threshold->v.i;
	return g_steal_pointer (&role);
}

static gboolean
otad_tuf_metadata_parse_root (OtadTufMetadata *md, GError **error)
{
	const OtadJsonNode *roles = otad_json_object_get (md->signed_node, "roles");
	const OtadJsonNode *cs = otad_json_object_get (md->signed_node, "consistent_snapshot");
	/* an Uptane Director's root may define only these (OTA CE's does; aktualizr fetches
	 * only root and targets from the Director): a refresh that needs timestamp or
	 * snapshot refuses a root without them then */
	const gchar *required[] = {"root", "targets"};

	md->keys = otad_tuf_metadata_parse_keys (md, otad_json_object_get (md->signed_node, "keys"),
	                                         error);
	if (md->keys == NULL)
		return FALSE;
	if (!otad_json_is (roles, OTAD_JSON_OBJECT))
		return otad_tuf_metadata_fail (md, error, _("roles must be an object"));
	md->roles = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
	                                   (GDestroyNotify)otad_tuf_role_free);
	for (guint32 i = 0; i < roles->n; i++) {
		const OtadJsonNode *member = &roles->v.children[i];
		g_autofree gchar *name = otad_json_dup_key (member);
		OtadTufRole *role;
		if (name == NULL)
			return otad_tuf_metadata_fail (md, error, _("invalid role name"));
		role = otad_tuf_metadata_parse_role (md, name, member, error);
		if (role == NULL)
			return FALSE;
		g_hash_table_insert (md->roles, role->name, role);
	}
	for (guint i = 0; i < G_N_ELEMENTS (required); i++) {
		if (!g_hash_table_contains (md->roles, required[i]))
			return otad_tuf_metadata_fail (md, error, _("role %s is not defined"),
			                               required[i]);
	}
	/* aktualizr's servers leave it out: absent means false */
	if (cs != NULL && !otad_json_is (cs, OTAD_JSON_BOOL))
		return otad_tuf_metadata_fail (md, error,
		                               _("consistent_snapshot must be a boolean"));
	md->consistent_snapshot = cs != NULL && cs->v.i;
	return TRUE;
}

static gboolean
otad_tuf_metadata_check_hashes_node (const OtadJsonNode *hashes)
{
	if (!otad_json_is (hashes, OTAD_JSON_OBJECT) || hashes->n == 0)
		return FALSE;
	for (guint32 i = 0; i < hashes->n; i++) {
		if (!otad_json_is (&hashes->v.children[i], OTAD_JSON_STRING))
			return FALSE;
	}
	return TRUE;
}

static gboolean
otad_tuf_metadata_parse_meta (OtadTufMetadata *md, const gchar *required, GError **error)
{
	const OtadJsonNode *meta = otad_json_object_get (md->signed_node, "meta");

	if (!otad_json_is (meta, OTAD_JSON_OBJECT))
		return otad_tuf_metadata_fail (md, error, _("meta must be an object"));
	md->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	for (guint32 i = 0; i < meta->n; i++) {
		const OtadJsonNode *member = &meta->v.children[i];
		const OtadJsonNode *version = otad_json_object_get (member, "version");
		const OtadJsonNode *length = otad_json_object_get (member, "length");
		const OtadJsonNode *hashes = otad_json_object_get (member, "hashes");
		g_autofree gchar *name = otad_json_dup_key (member);
		OtadTufMetaFile *file;
		if (name == NULL || !otad_json_is (member, OTAD_JSON_OBJECT))
			return otad_tuf_metadata_fail (md, error, _("invalid meta entry"));
		if (!otad_json_is (version, OTAD_JSON_INT) || version->v.i < 1)
			return otad_tuf_metadata_fail (md, error,
			                               _("meta %s: version must be a "
			                                  "positive integer"),
			                               name);
		if (length != NULL && (!otad_json_is (length, OTAD_JSON_INT) || length->v.i < 0))
			return otad_tuf_metadata_fail (md, error, _("meta %s: invalid length"),
			                               name);
		if (hashes != NULL && !otad_tuf_metadata_check_hashes_node (hashes))
			return otad_tuf_metadata_fail (md, error, _("meta %s: invalid hashes"),
			                               name);
		file = g_new0 (OtadTufMetaFile, 1);
		file->version = version->v.i;
		file->length = length != NULL ? length->v.i : -1;
		file->hashes = hashes;
		file->canonical = md->ota_dialect;
		g_hash_table_insert (md->meta, g_steal_pointer (&name), file);
	}
	if (required != NULL && !g_hash_table_contains (md->meta, required))
		return otad_tuf_metadata_fail (md, error, _("meta does not list %s"), required);
	return TRUE;
}

static gboolean
otad_tuf_metadata_parse_delegations (OtadTufMetadata *md, const OtadJsonNode *delegations,
                                     GError **error)
{
	const OtadJsonNode *roles = otad_json_object_get (delegations, "roles");
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	if (!otad_json_is (delegations, OTAD_JSON_OBJECT))
		return otad_tuf_metadata_fail (md, error, _("delegations must be an object"));
	md->delegation_keys =
	    otad_tuf_metadata_parse_keys (md, otad_json_object_get (delegations, "keys"), error);
	if (md->delegation_keys == NULL)
		return FALSE;
	if (!otad_json_is (roles, OTAD_JSON_ARRAY))
		return otad_tuf_metadata_fail (md, error, _("delegations.roles must be an array"));
	md->delegations = g_ptr_array_new_with_free_func ((GDestroyNotify)otad_tuf_role_free);
	for (guint32 i = 0; i < roles->n; i++) {
		const OtadJsonNode *node = &roles->v.children[i];
		const OtadJsonNode *terminating = otad_json_object_get (node, "terminating");
		const OtadJsonNode *paths = otad_json_object_get (node, "paths");
		const OtadJsonNode *prefixes = otad_json_object_get (node, "path_hash_prefixes");
		g_autofree gchar *name = otad_json_dup_string (otad_json_object_get (node, "name"));
		g_autoptr (OtadTufRole) role = NULL;

		if (!otad_json_is (node, OTAD_JSON_OBJECT) || name == NULL || name[0] == '\0')
			return otad_tuf_metadata_fail (md, error,
			                               _("delegated role needs a name"));
		/* the file names of top-level roles cannot be taken by a delegation */
		for (guint j = 0; j < G_N_ELEMENTS (otad_tuf_role_type_names); j++) {
			if (g_ascii_strcasecmp (name, otad_tuf_role_type_names[j]) == 0)
				return otad_tuf_metadata_fail (md, error,
				                               _("delegated role may not "
				                                  "be called %s"),
				                               name);
		}
		if (g_hash_table_contains (seen, name))
			return otad_tuf_metadata_fail (md, error, _("role %s delegated twice"),
			                               name);
		role = otad_tuf_metadata_parse_role (md, name, node, error);
		if (role == NULL)
			return FALSE;
		if (terminating != NULL && !otad_json_is (terminating, OTAD_JSON_BOOL))
			return otad_tuf_metadata_fail (md, error,
			                               _("role %s: terminating must be "
			                                  "a boolean"),
			                               name);
		role->terminating = terminating != NULL && terminating->v.i;
		if (paths != NULL && prefixes != NULL)
			return otad_tuf_metadata_fail (md, error,
			                               _("role %s: both paths and "
			                                  "path_hash_prefixes"),
			                               name);
		if (paths != NULL && (role->paths = otad_tuf_metadata_strv (paths)) == NULL)
			return otad_tuf_metadata_fail (md, error,
			                               _("role %s: paths must be "
			                                  "strings"),
			                               name);
		if (prefixes != NULL &&
		    (role->path_hash_prefixes = otad_tuf_metadata_strv (prefixes)) == NULL)
			return otad_tuf_metadata_fail (md, error,
			                               _("role %s: path_hash_prefixes "
			                                  "must be strings"),
			                               name);
		g_hash_table_add (seen, role->name);
		g_ptr_array_add (md->delegations, g_steal_pointer (&role));
	}
	return TRUE;
}

static gboolean
otad_tuf_metadata_parse_targets (OtadTufMetadata *md, GError **error)
{
	const OtadJsonNode *targets = otad_json_object_get (md->signed_node, "targets");
	const OtadJsonNode *delegations = otad_json_object_get (md->signed_node, "delegations");
	const OtadJsonNode *custom = otad_json_object_get (md->signed_node, "custom");

	if (!otad_json_is (targets, OTAD_JSON_OBJECT))
		return otad_tuf_metadata_fail (md, error, _("targets must be an object"));
	for (guint32 i = 0; i < targets->n; i++) {
		const OtadJsonNode *entry = &targets->v.children[i];
		const OtadJsonNode *length = otad_json_object_get (entry, "length");
		const OtadJsonNode *tcustom = otad_json_object_get (entry, "custom");
		g_autofree gchar *name = otad_json_dup_key (entry);
		if (name == NULL || name[0] == '\0' || !otad_json_is (entry, OTAD_JSON_OBJECT))
			return otad_tuf_metadata_fail (md, error, _("invalid target entry"));
		if (!otad_json_is (length, OTAD_JSON_INT) || length->v.i < 0)
			return otad_tuf_metadata_fail (md, error, _("target %s: invalid length"),
			                               name);
		if (!otad_tuf_metadata_check_hashes_node (otad_json_object_get (entry, "hashes")))
			return otad_tuf_metadata_fail (md, error, _("target %s: invalid hashes"),
			                               name);
		if (tcustom != NULL && !otad_json_is (tcustom, OTAD_JSON_OBJECT))
			return otad_tuf_metadata_fail (md, error,
			                               _("target %s: custom must be an "
			                                  "object"),
			                               name);
	}
	md->targets = targets;
	if (custom != NULL && !otad_json_is (custom, OTAD_JSON_OBJECT))
		return otad_tuf_metadata_fail (md, error, _("custom must be an object"));
	md->custom = custom;
	if (delegations != NULL && !otad_tuf_metadata_parse_delegations (md, delegations, error))
		return FALSE;
	return TRUE;
}

/* OTA CE's Director serves targets version 0, listing nothing, before anything is assigned
 * to the device; any other metadata starts at version 1 (TUF 1.0.x section 4.2) */
static gboolean
otad_tuf_metadata_is_unassigned (OtadTufMetadata *md)
{
	const OtadJsonNode *targets = otad_json_object_get (md->signed_node, "targets");
	return md->type == OTAD_TUF_ROLE_TARGETS && otad_json_is (targets, OTAD_JSON_OBJECT) &&
	       targets->n == 0 && otad_json_object_get (md->signed_node, "delegations") == NULL;
}

static gboolean
otad_tuf_metadata_parse_common (OtadTufMetadata *md, GError **error)
{
	const OtadJsonNode *root = otad_json_doc_get_root (md->doc);
	const OtadJsonNode *type, *version, *expires, *spec_version;
	g_autofree gchar *type_str = NULL;
	g_autofree gchar *expires_str = NULL;
	g_autoptr (GDateTime) dt = NULL;

	md->signed_node = otad_json_object_get (root, "signed");
	md->signatures = otad_json_object_get (root, "signatures");
	if (!otad_json_is (md->signed_node, OTAD_JSON_OBJECT))
		return otad_tuf_metadata_fail (md, error, _("signed must be an object"));
	if (!otad_json_is (md->signatures, OTAD_JSON_ARRAY))
		return otad_tuf_metadata_fail (md, error, _("signatures must be an array"));
	for (guint32 i = 0; i < md->signatures->n; i++) {
		const OtadJsonNode *sig = &md->signatures->v.children[i];
		const OtadJsonNode *method = otad_json_object_get (sig, "method");
		if (!otad_json_is (otad_json_object_get (sig, "keyid"), OTAD_JSON_STRING) ||
		    !otad_json_is (otad_json_object_get (sig, "sig"), OTAD_JSON_STRING) ||
		    (method != NULL && !otad_json_is (method, OTAD_JSON_STRING)))
			return otad_tuf_metadata_fail (md, error,
			                               _("signature %u needs string "
			                                  "keyid and sig"),
			                               i);
	}

	/* `_type` is lower case in TUF and capitalised in OTA CE ("Targets") */
	type = otad_json_object_get (md->signed_node, "_type");
	type_str = otad_json_dup_string (type);
	if (type_str == NULL)
		return otad_tuf_metadata_fail (md, error, _("_type must be a string"));
	md->ota_dialect = g_ascii_isupper (type_str[0]);
	if (g_ascii_strcasecmp (type_str, otad_tuf_role_type_to_string (md->type)) != 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_WRONG_TYPE,
		             _("%s metadata: _type is \"%s\", expected \"%s\""), md->role_name,
		             type_str, otad_tuf_role_type_to_string (md->type));
		return FALSE;
	}

	spec_version = otad_json_object_get (md->signed_node, "spec_version");
	if (spec_version != NULL) {
		g_autofree gchar *sv = otad_json_dup_string (spec_version);
		g_auto (GStrv) parts = sv != NULL ? g_strsplit (sv, ".", -1) : NULL;
		if (parts == NULL || g_strv_length (parts) < 2 || g_strv_length (parts) > 3)
			return otad_tuf_metadata_fail (md, error, _("invalid spec_version"));
		if (g_strcmp0 (parts[0], "1") != 0) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED,
			             _("%s metadata: spec_version %s is not supported"),
			             md->role_name, sv);
			return FALSE;
		}
	}

	version = otad_json_object_get (md->signed_node, "version");
	if (!otad_json_is (version, OTAD_JSON_INT) || version->v.i < 0 ||
	    (version->v.i == 0 && !otad_tuf_metadata_is_unassigned (md)))
		return otad_tuf_metadata_fail (md, error, _("version must be a positive integer"));
	md->version = version->v.i;

	expires = otad_json_object_get (md->signed_node, "expires");
	expires_str = otad_json_dup_string (expires);
	if (expires_str == NULL)
		return otad_tuf_metadata_fail (md, error, _("expires must be a string"));
	/* ISO 8601 with an explicit zone, as both dialects write it ("...Z") */
	if (strchr (expires_str, 'T') == NULL ||
	    (dt = g_date_time_new_from_iso8601 (expires_str, NULL)) == NULL)
		return otad_tuf_metadata_fail (md, error,
		                               _("expires \"%s\" is not an ISO 8601 "
		                                  "time with a zone"),
		                               expires_str);
	md->expires = g_date_time_to_unix (dt);
	return TRUE;
}

OtadTufMetadata *
otad_tuf_metadata_parse (GBytes *bytes, OtadTufRoleType type, const gchar *role_name,
                         GError **error)
{
	g_autoptr (OtadTufMetadata) md = g_new0 (OtadTufMetadata, 1);
	g_autoptr (GError) error_local = NULL;
	gboolean ok = FALSE;

	md->ref_count = 1;
	md->type = type;
	md->role_name =
	    g_strdup (role_name != NULL ? role_name : otad_tuf_role_type_to_string (type));
	md->doc = otad_json_doc_new_from_bytes (bytes, &error_local);
	if (md->doc == NULL) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED, _("%s metadata: %s"),
		             md->role_name, error_local->message);
		return NULL;
	}
	if (!otad_tuf_metadata_parse_common (md, error))
		return NULL;
	switch (type) {
	case OTAD_TUF_ROLE_ROOT:
		ok = otad_tuf_metadata_parse_root (md, error);
		break;
	case OTAD_TUF_ROLE_TIMESTAMP:
		ok = otad_tuf_metadata_parse_meta (md, "snapshot.json", error);
		break;
	case OTAD_TUF_ROLE_SNAPSHOT:
		ok = otad_tuf_metadata_parse_meta (md, "targets.json", error);
		break;
	case OTAD_TUF_ROLE_TARGETS:
		ok = otad_tuf_metadata_parse_targets (md, error);
		break;
	default:
		g_assert_not_reached ();
	}
	if (!ok)
		return NULL;
	return g_steal_pointer (&md);
}

const OtadTufRole *
otad_tuf_metadata_get_role (OtadTufMetadata *root, const gchar *name)
{
	if (root->roles == NULL)
		return NULL;
	return g_hash_table_lookup (root->roles, name);
}

const OtadTufMetaFile *
otad_tuf_metadata_get_meta (OtadTufMetadata *md, const gchar *filename)
{
	if (md->meta == NULL)
		return NULL;
	return g_hash_table_lookup (md->meta, filename);
}

static void
otad_tuf_metadata_fill_target (const OtadJsonNode *entry, OtadTufTargetInfo *out)
{
	out->length = otad_json_object_get (entry, "length")->v.i;
	out->hashes = otad_json_object_get (entry, "hashes");
	out->custom = otad_json_object_get (entry, "custom");
}

gboolean
otad_tuf_metadata_get_target (OtadTufMetadata *md, const gchar *name, OtadTufTargetInfo *out)
{
	const OtadJsonNode *entry = otad_json_object_get (md->targets, name);
	if (entry == NULL)
		return FALSE;
	otad_tuf_metadata_fill_target (entry, out);
	return TRUE;
}

guint
otad_tuf_metadata_get_n_targets (OtadTufMetadata *md)
{
	return md->targets != NULL ? md->targets->n : 0;
}

gboolean
otad_tuf_metadata_get_target_nth (OtadTufMetadata *md, guint idx, OtadTufTargetInfo *out,
                                  gchar **name)
{
	const OtadJsonNode *entry;
	if (md->targets == NULL || idx >= md->targets->n)
		return FALSE;
	entry = &md->targets->v.children[idx];
	otad_tuf_metadata_fill_target (entry, out);
	if (name != NULL)
		*name = otad_json_dup_key (entry);
	return TRUE;
}
