/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadManifest"

#include "config.h"

#include "ota-error.h"
#include "otad-manifest.h"

static gint
otad_manifest_cmp_keys (gconstpointer a, gconstpointer b)
{
	/* canonical JSON orders keys by their bytes */
	return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

static void
otad_manifest_append_string (GString *out, const gchar *s)
{
	/* canonical JSON escapes only the quote and the backslash */
	g_string_append_c (out, '"');
	for (const gchar *p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c (out, '\\');
		g_string_append_c (out, *p);
	}
	g_string_append_c (out, '"');
}

static gboolean
otad_manifest_canonicalize_to (JsonNode *node, GString *out, guint depth, GError **error)
{
	if (depth > 32) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		                     "JSON nested too deeply");
		return FALSE;
	}
	switch (json_node_get_node_type (node)) {
	case JSON_NODE_NULL:
		g_string_append (out, "null");
		return TRUE;
	case JSON_NODE_VALUE: {
		GType t = json_node_get_value_type (node);
		if (t == G_TYPE_STRING) {
			otad_manifest_append_string (out, json_node_get_string (node));
		} else if (t == G_TYPE_BOOLEAN) {
			g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
		} else if (t == G_TYPE_INT64) {
			g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
		} else {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
			             "canonical JSON cannot hold a %s", g_type_name (t));
			return FALSE;
		}
		return TRUE;
	}
	case JSON_NODE_ARRAY: {
		JsonArray *array = json_node_get_array (node);
		g_string_append_c (out, '[');
		for (guint i = 0; i < json_array_get_length (array); i++) {
			if (i > 0)
				g_string_append_c (out, ',');
			if (!otad_manifest_canonicalize_to (json_array_get_element (array, i), out,
			                                    depth + 1, error))
				return FALSE;
		}
		g_string_append_c (out, ']');
		return TRUE;
	}
	case JSON_NODE_OBJECT: {
		JsonObject *obj = json_node_get_object (node);
		g_autoptr(GList) members = json_object_get_members (obj);
		g_autoptr(GPtrArray) keys = g_ptr_array_new ();
		for (GList *l = members; l != NULL; l = l->next)
			g_ptr_array_add (keys, l->data);
		g_ptr_array_sort (keys, otad_manifest_cmp_keys);
		g_string_append_c (out, '{');
		for (guint i = 0; i < keys->len; i++) {
			const gchar *k = g_ptr_array_index (keys, i);
			if (i > 0)
				g_string_append_c (out, ',');
			otad_manifest_append_string (out, k);
			g_string_append_c (out, ':');
			if (!otad_manifest_canonicalize_to (json_object_get_member (obj, k), out,
			                                    depth + 1, error))
				return FALSE;
		}
		g_string_append_c (out, '}');
		return TRUE;
	}
	default:
		break;
	}
	g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, "unknown JSON node");
	return FALSE;
}

gchar *
otad_manifest_canonicalize (JsonNode *node, GError **error)
{
	g_autoptr(GString) out = g_string_new (NULL);
	if (!otad_manifest_canonicalize_to (node, out, 0, error))
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

JsonNode *
otad_manifest_sign (OtadEcuKey *key, JsonNode *signed_node, GError **error)
{
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *sig = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new ();

	canonical = otad_manifest_canonicalize (signed_node, error);
	if (canonical == NULL)
		return NULL;
	sig = otad_ecu_key_sign_base64 (key, (const guint8 *)canonical, strlen (canonical), error);
	if (sig == NULL)
		return NULL;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "signatures");
	json_builder_begin_array (b);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "keyid");
	json_builder_add_string_value (b, otad_ecu_key_get_keyid (key));
	json_builder_set_member_name (b, "method");
	json_builder_add_string_value (b, "ed25519");
	json_builder_set_member_name (b, "sig");
	json_builder_add_string_value (b, sig);
	json_builder_end_object (b);
	json_builder_end_array (b);
	json_builder_set_member_name (b, "signed");
	json_builder_add_value (b, json_node_copy (signed_node));
	json_builder_end_object (b);
	return json_builder_get_root (b);
}

static void
otad_manifest_add_result (JsonBuilder *b, const OtadManifestReport *report)
{
	json_builder_set_member_name (b, "result");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "success");
	json_builder_add_boolean_value (b, report->success);
	json_builder_set_member_name (b, "code");
	json_builder_add_string_value (
	    b, report->code != NULL ? report->code : (report->success ? "OK" : "INSTALL_FAILED"));
	json_builder_set_member_name (b, "description");
	json_builder_add_string_value (b, report->description != NULL ? report->description : "");
	json_builder_end_object (b);
}

JsonNode *
otad_manifest_build (OtadEcuKey *key, const gchar *primary_serial, const OtadManifestImage *image,
                     guint64 report_counter, const OtadManifestReport *report, GError **error)
{
	g_autoptr(JsonBuilder) ecu = json_builder_new ();
	g_autoptr(JsonBuilder) top = json_builder_new ();
	g_autoptr(JsonNode) ecu_signed = NULL;
	g_autoptr(JsonNode) ecu_env = NULL;
	g_autoptr(JsonNode) top_signed = NULL;

	/* the primary ECU's version manifest, signed on its own */
	json_builder_begin_object (ecu);
	json_builder_set_member_name (ecu, "ecu_serial");
	json_builder_add_string_value (ecu, primary_serial);
	json_builder_set_member_name (ecu, "attacks_detected");
	json_builder_add_string_value (ecu, "");
	json_builder_set_member_name (ecu, "report_counter");
	json_builder_add_int_value (ecu, (gint64)report_counter);
	json_builder_set_member_name (ecu, "timeserver_time");
	json_builder_add_string_value (ecu, "1970-01-01T00:00:00Z");
	json_builder_set_member_name (ecu, "previous_timeserver_time");
	json_builder_add_string_value (ecu, "1970-01-01T00:00:00Z");
	json_builder_set_member_name (ecu, "installed_image");
	json_builder_begin_object (ecu);
	json_builder_set_member_name (ecu, "filepath");
	json_builder_add_string_value (ecu, image->filepath);
	json_builder_set_member_name (ecu, "fileinfo");
	json_builder_begin_object (ecu);
	json_builder_set_member_name (ecu, "length");
	json_builder_add_int_value (ecu, (gint64)image->length);
	json_builder_set_member_name (ecu, "hashes");
	json_builder_begin_object (ecu);
	json_builder_set_member_name (ecu, "sha256");
	json_builder_add_string_value (ecu, image->sha256);
	json_builder_end_object (ecu);
	json_builder_end_object (ecu);
	json_builder_end_object (ecu);
	json_builder_end_object (ecu);
	ecu_signed = json_builder_get_root (ecu);
	ecu_env = otad_manifest_sign (key, ecu_signed, error);
	if (ecu_env == NULL)
		return NULL;

	json_builder_begin_object (top);
	json_builder_set_member_name (top, "primary_ecu_serial");
	json_builder_add_string_value (top, primary_serial);
	json_builder_set_member_name (top, "ecu_version_manifests");
	json_builder_begin_object (top);
	json_builder_set_member_name (top, primary_serial);
	json_builder_add_value (top, g_steal_pointer (&ecu_env));
	json_builder_end_object (top);
	if (report != NULL && report->correlation_id != NULL) {
		json_builder_set_member_name (top, "installation_report");
		json_builder_begin_object (top);
		json_builder_set_member_name (top, "content_type");
		json_builder_add_string_value (
		    top, "application/vnd.com.here.otac.installationReport.v1");
		json_builder_set_member_name (top, "report");
		json_builder_begin_object (top);
		json_builder_set_member_name (top, "correlation_id");
		json_builder_add_string_value (top, report->correlation_id);
		otad_manifest_add_result (top, report);
		json_builder_set_member_name (top, "raw_report");
		json_builder_add_string_value (
		    top, report->description != NULL ? report->description : "");
		json_builder_set_member_name (top, "items");
		json_builder_begin_array (top);
		json_builder_begin_object (top);
		json_builder_set_member_name (top, "ecu");
		json_builder_add_string_value (top, primary_serial);
		otad_manifest_add_result (top, report);
		json_builder_end_object (top);
		json_builder_end_array (top);
		json_builder_end_object (top);
		json_builder_end_object (top);
	}
	json_builder_end_object (top);
	top_signed = json_builder_get_root (top);
	return otad_manifest_sign (key, top_signed, error);
}
