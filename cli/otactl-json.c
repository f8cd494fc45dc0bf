/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otactl-json.h"

/* adds "member": {deployment} or "member": null; the keys are those of the D-Bus
 * deployment dictionary, so scripts can use either */
void
otactl_json_add_deployment (JsonBuilder *builder, const gchar *member, OtaDeployment *deployment)
{
	json_builder_set_member_name (builder, member);
	if (deployment == NULL) {
		json_builder_add_null_value (builder);
		return;
	}
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "osname");
	json_builder_add_string_value (builder, ota_deployment_get_osname (deployment));
	json_builder_set_member_name (builder, "checksum");
	json_builder_add_string_value (builder, ota_deployment_get_checksum (deployment));
	json_builder_set_member_name (builder, "version");
	json_builder_add_string_value (builder, ota_deployment_get_version (deployment));
	json_builder_set_member_name (builder, "serial");
	json_builder_add_int_value (builder, ota_deployment_get_serial (deployment));
	json_builder_set_member_name (builder, "index");
	json_builder_add_int_value (builder, ota_deployment_get_index (deployment));
	json_builder_set_member_name (builder, "origin");
	json_builder_add_string_value (builder, ota_deployment_get_origin (deployment));
	json_builder_set_member_name (builder, "booted");
	json_builder_add_boolean_value (builder, ota_deployment_get_booted (deployment));
	json_builder_set_member_name (builder, "staged");
	json_builder_add_boolean_value (builder, ota_deployment_get_staged (deployment));
	json_builder_set_member_name (builder, "pinned");
	json_builder_add_boolean_value (builder, ota_deployment_get_pinned (deployment));
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
