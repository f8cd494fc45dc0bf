/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <ostree.h>
#include <string.h>

#include "otad-update-info.h"

/* the update on offer: to D-Bus (UpdateInfo) and to and from the state store */

void
otad_update_info_free (OtadUpdateInfo *info)
{
	if (info == NULL)
		return;
	g_free (info->name);
	g_free (info->version);
	g_free (info->checksum);
	g_free (info->correlation_id);
	g_free (info->hardware_id);
	g_free (info->uri);
	g_free (info->ecu_serial);
	g_free (info->release_notes);
	g_free (info->label);
	g_free (info->offer_id);
	g_free (info->campaign_id);
	g_free (info);
}

OtadUpdateInfo *
otad_update_info_copy (const OtadUpdateInfo *info)
{
	OtadUpdateInfo *copy;

	if (info == NULL)
		return NULL;
	copy = g_new0 (OtadUpdateInfo, 1);
	copy->name = g_strdup (info->name);
	copy->version = g_strdup (info->version);
	copy->checksum = g_strdup (info->checksum);
	copy->length = info->length;
	copy->download_size = info->download_size;
	copy->correlation_id = g_strdup (info->correlation_id);
	copy->hardware_id = g_strdup (info->hardware_id);
	copy->uri = g_strdup (info->uri);
	copy->ecu_serial = g_strdup (info->ecu_serial);
	copy->installed_size = info->installed_size;
	copy->release_notes = g_strdup (info->release_notes);
	copy->label = g_strdup (info->label);
	copy->offer_id = g_strdup (info->offer_id);
	copy->campaign_id = g_strdup (info->campaign_id);
	return copy;
}

/* @hardware_id: the device's, used when the target names several */
OtadUpdateInfo *
otad_update_info_new_from_target (const OtadTarget *target, const gchar *hardware_id)
{
	OtadUpdateInfo *info = g_new0 (OtadUpdateInfo, 1);

	info->name = g_strdup (target->name);
	info->version = g_strdup (target->version != NULL ? target->version : "");
	info->checksum = g_strdup (target->sha256);
	info->length = target->length;
	info->correlation_id = g_strdup (target->correlation_id != NULL ? target->correlation_id
									: "");
	info->hardware_id = g_strdup (hardware_id != NULL ? hardware_id : "");
	info->uri = g_strdup (target->uri != NULL ? target->uri : "");
	info->ecu_serial = g_strdup (target->ecu_serial != NULL ? target->ecu_serial : "");
	info->release_notes = g_strdup (target->release_notes != NULL ? target->release_notes : "");
	info->label = g_strdup (target->label != NULL ? target->label : "");
	info->offer_id = otad_update_info_compute_offer_id (info);
	info->campaign_id = g_strdup ("");
	return info;
}

/**
 * otad_update_info_compute_offer_id:
 *
 * The offer id: SHA-256 over what would be installed (target name, commit, length and the
 * ECU it is for, each followed by a NUL).  A consent names it, so that a consent given to
 * one update never lets another one in: a target the server changed gets a new id, while
 * a check that finds the same target again keeps it (notes or sizes do not count).
 *
 * Returns: (transfer full): 64 lowercase hex digits
 */
gchar *
otad_update_info_compute_offer_id (const OtadUpdateInfo *info)
{
	g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
	g_autofree gchar *length = g_strdup_printf ("%" G_GUINT64_FORMAT, info->length);
	const gchar *parts[] = {info->name, info->checksum, length, info->ecu_serial};

	for (guint i = 0; i < G_N_ELEMENTS (parts); i++) {
		const gchar *part = parts[i] != NULL ? parts[i] : "";
		g_checksum_update (sum, (const guchar *)part, (gssize)strlen (part) + 1);
	}
	return g_strdup (g_checksum_get_string (sum));
}

/* Returns: (transfer floating): the a{sv} of the UpdateInfo property; empty for %NULL */
GVariant *
otad_update_info_to_variant (const OtadUpdateInfo *info)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	if (info != NULL) {
		g_variant_builder_add (&b, "{sv}", "name", g_variant_new_string (info->name));
		g_variant_builder_add (&b, "{sv}", "version",
				       g_variant_new_string (info->version));
		g_variant_builder_add (&b, "{sv}", "checksum",
				       g_variant_new_string (info->checksum));
		g_variant_builder_add (&b, "{sv}", "length", g_variant_new_uint64 (info->length));
		g_variant_builder_add (&b, "{sv}", "download-size",
				       g_variant_new_uint64 (info->download_size));
		g_variant_builder_add (&b, "{sv}", "correlation-id",
				       g_variant_new_string (info->correlation_id));
		g_variant_builder_add (&b, "{sv}", "hardware-id",
				       g_variant_new_string (info->hardware_id));
		g_variant_builder_add (&b, "{sv}", "uri", g_variant_new_string (info->uri));
		g_variant_builder_add (&b, "{sv}", "offer-id", g_variant_new_string (info->offer_id));
		g_variant_builder_add (&b, "{sv}", "installed-size",
				       g_variant_new_uint64 (info->installed_size));
		g_variant_builder_add (&b, "{sv}", "release-notes",
				       g_variant_new_string (info->release_notes));
		g_variant_builder_add (&b, "{sv}", "label", g_variant_new_string (info->label));
		g_variant_builder_add (&b, "{sv}", "campaign-id",
				       g_variant_new_string (info->campaign_id));
	}
	return g_variant_builder_end (&b);
}

JsonNode *
otad_update_info_to_json (const OtadUpdateInfo *info)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "name");
	json_builder_add_string_value (b, info->name);
	json_builder_set_member_name (b, "version");
	json_builder_add_string_value (b, info->version);
	json_builder_set_member_name (b, "checksum");
	json_builder_add_string_value (b, info->checksum);
	json_builder_set_member_name (b, "length");
	json_builder_add_int_value (b, (gint64)MIN (info->length, (guint64)G_MAXINT64));
	json_builder_set_member_name (b, "download-size");
	json_builder_add_int_value (b, (gint64)MIN (info->download_size, (guint64)G_MAXINT64));
	json_builder_set_member_name (b, "correlation-id");
	json_builder_add_string_value (b, info->correlation_id);
	json_builder_set_member_name (b, "hardware-id");
	json_builder_add_string_value (b, info->hardware_id);
	json_builder_set_member_name (b, "uri");
	json_builder_add_string_value (b, info->uri);
	json_builder_set_member_name (b, "ecu-serial");
	json_builder_add_string_value (b, info->ecu_serial);
	json_builder_set_member_name (b, "installed-size");
	json_builder_add_int_value (b, (gint64)MIN (info->installed_size, (guint64)G_MAXINT64));
	json_builder_set_member_name (b, "release-notes");
	json_builder_add_string_value (b, info->release_notes);
	json_builder_set_member_name (b, "label");
	json_builder_add_string_value (b, info->label);
	json_builder_set_member_name (b, "campaign-id");
	json_builder_add_string_value (b, info->campaign_id);
	json_builder_end_object (b);
	return json_builder_get_root (b);
}

static gchar *
otad_update_info_dup_member (JsonObject *obj, const gchar *name)
{
	JsonNode *node = json_object_get_member (obj, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
	    json_node_get_value_type (node) != G_TYPE_STRING)
		return g_strdup ("");
	return g_strdup (json_node_get_string (node));
}

static guint64
otad_update_info_get_uint (JsonObject *obj, const gchar *name)
{
	JsonNode *node = json_object_get_member (obj, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
	    json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
		return 0;
	return (guint64)json_node_get_int (node);
}

/* Returns: (nullable): what was stored, or %NULL when nothing (valid) was */
OtadUpdateInfo *
otad_update_info_new_from_json (JsonNode *node)
{
	g_autoptr(OtadUpdateInfo) info = NULL;
	JsonObject *obj;

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
		return NULL;
	obj = json_node_get_object (node);
	info = g_new0 (OtadUpdateInfo, 1);
	info->name = otad_update_info_dup_member (obj, "name");
	info->version = otad_update_info_dup_member (obj, "version");
	info->checksum = otad_update_info_dup_member (obj, "checksum");
	info->length = otad_update_info_get_uint (obj, "length");
	info->download_size = otad_update_info_get_uint (obj, "download-size");
	info->correlation_id = otad_update_info_dup_member (obj, "correlation-id");
	info->hardware_id = otad_update_info_dup_member (obj, "hardware-id");
	info->uri = otad_update_info_dup_member (obj, "uri");
	info->ecu_serial = otad_update_info_dup_member (obj, "ecu-serial");
	info->installed_size = otad_update_info_get_uint (obj, "installed-size");
	info->release_notes = otad_update_info_dup_member (obj, "release-notes");
	info->label = otad_update_info_dup_member (obj, "label");
	info->campaign_id = otad_update_info_dup_member (obj, "campaign-id");
	/* recomputed, never read: the id always says what the fields say */
	info->offer_id = otad_update_info_compute_offer_id (info);
	/* a damaged file must not make us pull something unverified */
	if (!ostree_validate_checksum_string (info->checksum, NULL))
		return NULL;
	return g_steal_pointer (&info);
}
