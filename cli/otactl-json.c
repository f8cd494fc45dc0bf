/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otactl-json.h"

static void
otactl_json_add_string (JsonBuilder *builder, const gchar *member, const gchar *value)
{
	json_builder_set_member_name (builder, member);
	json_builder_add_string_value (builder, value);
}

static void
otactl_json_add_uint64 (JsonBuilder *builder, const gchar *member, guint64 value)
{
	json_builder_set_member_name (builder, member);
	json_builder_add_int_value (builder, (gint64)MIN (value, (guint64)G_MAXINT64));
}

static void
otactl_json_add_int (JsonBuilder *builder, const gchar *member, gint64 value)
{
	json_builder_set_member_name (builder, member);
	json_builder_add_int_value (builder, value);
}

static void
otactl_json_add_boolean (JsonBuilder *builder, const gchar *member, gboolean value)
{
	json_builder_set_member_name (builder, member);
	json_builder_add_boolean_value (builder, value);
}

/* sets @member and, when @object is NULL, its null value; returns TRUE when the
 * caller is to add the object's keys and end the object it opened */
static gboolean
otactl_json_begin_nullable_object (JsonBuilder *builder, const gchar *member, gconstpointer object)
{
	json_builder_set_member_name (builder, member);
	if (object == NULL) {
		json_builder_add_null_value (builder);
		return FALSE;
	}
	json_builder_begin_object (builder);
	return TRUE;
}

/* adds "state": the client's State, as the commands that report one spell it */
void
otactl_json_add_state (JsonBuilder *builder, OtaClient *client)
{
	const gchar *state = ota_state_to_string (ota_client_get_state (client));

	otactl_json_add_string (builder, "state", state);
}

/* adds "member": {deployment} or "member": null; the keys are those of the D-Bus
 * deployment dictionary, so scripts can use either */
void
otactl_json_add_deployment (JsonBuilder *builder, const gchar *member, OtaDeployment *deployment)
{
	if (!otactl_json_begin_nullable_object (builder, member, deployment))
		return;
	otactl_json_add_string (builder, "osname", ota_deployment_get_osname (deployment));
	otactl_json_add_string (builder, "checksum", ota_deployment_get_checksum (deployment));
	otactl_json_add_string (builder, "version", ota_deployment_get_version (deployment));
	otactl_json_add_int (builder, "serial", ota_deployment_get_serial (deployment));
	otactl_json_add_int (builder, "index", ota_deployment_get_index (deployment));
	otactl_json_add_string (builder, "origin", ota_deployment_get_origin (deployment));
	otactl_json_add_boolean (builder, "booted", ota_deployment_get_booted (deployment));
	otactl_json_add_boolean (builder, "staged", ota_deployment_get_staged (deployment));
	otactl_json_add_boolean (builder, "pinned", ota_deployment_get_pinned (deployment));
	json_builder_end_object (builder);
}

/* adds "member": {update} or "member": null, with the keys of UpdateInfo on D-Bus */
void
otactl_json_add_update_info (JsonBuilder *builder, const gchar *member, OtaUpdateInfo *info)
{
	if (!otactl_json_begin_nullable_object (builder, member, info))
		return;
	otactl_json_add_string (builder, "name", ota_update_info_get_name (info));
	otactl_json_add_string (builder, "version", ota_update_info_get_version (info));
	otactl_json_add_string (builder, "checksum", ota_update_info_get_checksum (info));
	otactl_json_add_uint64 (builder, "length", ota_update_info_get_length (info));
	otactl_json_add_uint64 (builder, "download-size", ota_update_info_get_download_size (info));
	otactl_json_add_string (builder, "correlation-id",
				ota_update_info_get_correlation_id (info));
	otactl_json_add_string (builder, "hardware-id", ota_update_info_get_hardware_id (info));
	otactl_json_add_string (builder, "uri", ota_update_info_get_uri (info));
	json_builder_end_object (builder);
}

/* adds one history entry as an object with the keys of GetHistory on D-Bus */
void
otactl_json_add_history_entry (JsonBuilder *builder, OtaHistoryEntry *entry)
{
	json_builder_begin_object (builder);
	otactl_json_add_uint64 (builder, "time", ota_history_entry_get_time (entry));
	otactl_json_add_string (builder, "action", ota_history_entry_get_action (entry));
	otactl_json_add_string (builder, "commit", ota_history_entry_get_commit (entry));
	otactl_json_add_string (builder, "version", ota_history_entry_get_version (entry));
	otactl_json_add_boolean (builder, "success", ota_history_entry_get_success (entry));
	otactl_json_add_string (builder, "detail", ota_history_entry_get_detail (entry));
	otactl_json_add_string (builder, "correlation-id",
				ota_history_entry_get_correlation_id (entry));
	otactl_json_add_string (builder, "result", ota_history_entry_get_result (entry));
	otactl_json_add_string (builder, "name", ota_history_entry_get_name (entry));
	otactl_json_add_string (builder, "offer-id", ota_history_entry_get_offer_id (entry));
	otactl_json_add_string (builder, "error-name", ota_history_entry_get_error_name (entry));
	otactl_json_add_string (builder, "error-message",
				ota_history_entry_get_error_message (entry));
	json_builder_end_object (builder);
}

/* prints the builder's root as pretty JSON and a newline on stdout */
void
otactl_json_print (JsonBuilder *builder)
{
	g_autoptr(JsonGenerator) generator = json_generator_new ();
	g_autoptr(JsonNode) root = json_builder_get_root (builder);
	g_autofree gchar *text = NULL;

	json_generator_set_pretty (generator, TRUE);
	json_generator_set_indent (generator, 2);
	json_generator_set_root (generator, root);
	text = json_generator_to_data (generator, NULL);
	g_print ("%s\n", text);
}
