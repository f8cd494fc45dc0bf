/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadCanonicalJson"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-canonical-json.h"
#include "otad-json.h"

/* json-glib trees we sign are built by otad itself; deeper than this is a bug, not data */
#define OTAD_CANONICAL_JSON_MAX_DEPTH 32

static gboolean
otad_canonical_json_check (JsonNode *node, guint depth, GError **error)
{
	if (depth > OTAD_CANONICAL_JSON_MAX_DEPTH) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		                     _("JSON nested too deeply"));
		return FALSE;
	}
	switch (json_node_get_node_type (node)) {
	case JSON_NODE_NULL:
		return TRUE;
	case JSON_NODE_VALUE: {
		/* json-glib would print a double as a float, which the strict reader
		 * refuses too; say here which type it was */
		GType t = json_node_get_value_type (node);
		if (t == G_TYPE_STRING || t == G_TYPE_BOOLEAN || t == G_TYPE_INT64)
			return TRUE;
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		             _("canonical JSON cannot hold a %s"), g_type_name (t));
		return FALSE;
	}
	case JSON_NODE_ARRAY: {
		JsonArray *array = json_node_get_array (node);
		for (guint i = 0; i < json_array_get_length (array); i++) {
			if (!otad_canonical_json_check (json_array_get_element (array, i),
			                                depth + 1, error))
				return FALSE;
		}
		return TRUE;
	}
	case JSON_NODE_OBJECT: {
		JsonObject *obj = json_node_get_object (node);
		JsonObjectIter iter;
		JsonNode *member;
		json_object_iter_init (&iter, obj);
		while (json_object_iter_next (&iter, NULL, &member)) {
			if (!otad_canonical_json_check (member, depth + 1, error))
				return FALSE;
		}
		return TRUE;
	}
	default:
		break;
	}
	g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("unknown JSON node"));
	return FALSE;
}

gchar *
otad_canonical_json_from_node (JsonNode *node, GError **error)
{
	g_autoptr(JsonGenerator) gen = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(OtadJsonDoc) doc = NULL;
	g_autoptr(GString) out = NULL;
	g_autoptr(GError) local_error = NULL;
	gsize len = 0;
	gchar *text;

	g_return_val_if_fail (node != NULL, NULL);

	if (!otad_canonical_json_check (node, 0, error))
		return NULL;
	gen = json_generator_new ();
	json_generator_set_root (gen, node);
	text = json_generator_to_data (gen, &len);
	bytes = g_bytes_new_take (text, len);
	doc = otad_json_doc_new_from_bytes (bytes, &local_error);
	if (doc == NULL) {
		/* e.g. a string that is not UTF-8: a bug in whoever built the tree */
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		             _("cannot write canonical JSON: %s"), local_error->message);
		return NULL;
	}
	/* securesystemslib's form, which the test server and python-tuf verify; for what
	 * otad signs (ASCII, no control characters) aktualizr's jsoncpp form is the same */
	out = otad_json_canonicalize (otad_json_doc_get_root (doc), OTAD_JSON_FORM_OLPC, len);
	return g_string_free (g_steal_pointer (&out), FALSE);
}
