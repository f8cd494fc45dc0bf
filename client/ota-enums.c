/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-enums.h"

static const gchar *const ota_state_names[] = {
	[OTA_STATE_IDLE] = "idle",
	[OTA_STATE_CHECKING] = "checking",
	[OTA_STATE_UPDATE_AVAILABLE] = "update-available",
	[OTA_STATE_AWAITING_CONSENT] = "awaiting-consent",
	[OTA_STATE_DOWNLOADING] = "downloading",
	[OTA_STATE_DOWNLOADED] = "downloaded",
	[OTA_STATE_INSTALLING] = "installing",
	[OTA_STATE_PENDING_REBOOT] = "pending-reboot",
	[OTA_STATE_CONFIRMING] = "confirming",
	[OTA_STATE_ROLLED_BACK] = "rolled-back",
	[OTA_STATE_ERROR] = "error",
};
G_STATIC_ASSERT (G_N_ELEMENTS (ota_state_names) == OTA_STATE_LAST);

/**
 * ota_state_to_string:
 * @state: an #OtaState
 *
 * Returns: (transfer none): the name of @state as used on D-Bus, e.g. "pending-reboot"
 *
 * Since: 0.1
 */
const gchar *
ota_state_to_string (OtaState state)
{
	g_return_val_if_fail (state < OTA_STATE_LAST, NULL);
	return ota_state_names[state];
}

/**
 * ota_state_from_string:
 * @str: a state name, e.g. "idle"
 * @state: (out): where to store the state
 *
 * Returns: %TRUE if @str names a state
 *
 * Since: 0.1
 */
gboolean
ota_state_from_string (const gchar *str, OtaState *state)
{
	g_return_val_if_fail (state != NULL, FALSE);
	if (str == NULL)
		return FALSE;
	for (guint i = 0; i < OTA_STATE_LAST; i++) {
		if (g_strcmp0 (str, ota_state_names[i]) == 0) {
			*state = i;
			return TRUE;
		}
	}
	return FALSE;
}
