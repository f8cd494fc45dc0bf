/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include "otad-identity.h"

#define OTAD_IDENTITY_FIELD_ECU_SERIAL "ecu-serial"

/**
 * otad_identity_ecu_serial:
 *
 * The primary ECU serial: `[device] ecu-serial` when configured, else the one
 * imported from aktualizr (@imported), else one made once (a random UUID, as
 * aktualizr makes it) and kept in the state store so the server sees the same
 * ECU after every restart.
 *
 * Returns: (transfer full): the serial, or %NULL when it could not be saved
 */
gchar *
otad_identity_ecu_serial (OtadConfig *config,
			  const gchar *imported,
			  OtadStateStore *store,
			  GError **error)
{
	const gchar *configured = otad_config_get_string (config, "device", "ecu-serial");
	JsonNode *stored = otad_state_store_get_field (store, OTAD_IDENTITY_FIELD_ECU_SERIAL);
	g_autofree gchar *serial = NULL;
	g_autoptr(JsonNode) node = NULL;

	if (configured != NULL && configured[0] != '\0')
		return g_strdup (configured);
	if (imported != NULL)
		return g_strdup (imported);
	if (stored != NULL && JSON_NODE_HOLDS_VALUE (stored) &&
	    json_node_get_value_type (stored) == G_TYPE_STRING)
		return g_strdup (json_node_get_string (stored));
	serial = g_uuid_string_random ();
	node = json_node_init_string (json_node_alloc (), serial);
	otad_state_store_set_field (store, OTAD_IDENTITY_FIELD_ECU_SERIAL, node);
	if (!otad_state_store_save (store, error))
		return NULL;
	g_message ("new primary ECU serial %s", serial);
	return g_steal_pointer (&serial);
}
