/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadManifest"

#include "config.h"

#include "ota-error.h"
#include "otad-canonical-json.h"
#include "otad-manifest.h"

JsonNode *
otad_manifest_sign (OtadEcuKey *key, JsonNode *signed_node, GError **error)
{
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *sig = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new ();

	canonical = otad_canonical_json_from_node (signed_node, error);
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
