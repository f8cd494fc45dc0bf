/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * OtaState:
 * @OTA_STATE_IDLE: nothing is happening
 * @OTA_STATE_CHECKING: checking the server for an update
 * @OTA_STATE_UPDATE_AVAILABLE: a verified update is available
 * @OTA_STATE_AWAITING_CONSENT: an update waits for the user's consent
 * @OTA_STATE_DOWNLOADING: the update is being downloaded
 * @OTA_STATE_DOWNLOADED: the update is downloaded and verified
 * @OTA_STATE_INSTALLING: the update is being deployed
 * @OTA_STATE_PENDING_REBOOT: the update is deployed and waits for a reboot
 * @OTA_STATE_CONFIRMING: the new deployment booted and is being checked
 * @OTA_STATE_ROLLED_BACK: the new deployment failed and the old one is back
 * @OTA_STATE_ERROR: the last operation failed, see the error properties
 *
 * The states of the update engine, as in the `State` D-Bus property.
 *
 * Since: 0.1
 */
typedef enum {
	OTA_STATE_IDLE,
	OTA_STATE_CHECKING,
	OTA_STATE_UPDATE_AVAILABLE,
	OTA_STATE_AWAITING_CONSENT,
	OTA_STATE_DOWNLOADING,
	OTA_STATE_DOWNLOADED,
	OTA_STATE_INSTALLING,
	OTA_STATE_PENDING_REBOOT,
	OTA_STATE_CONFIRMING,
	OTA_STATE_ROLLED_BACK,
	OTA_STATE_ERROR,
	/*< private >*/
	OTA_STATE_LAST
} OtaState;

/**
 * OtaClientFlags:
 * @OTA_CLIENT_FLAGS_NONE: no flags
 * @OTA_CLIENT_FLAGS_INTERACTIVE: polkit may ask the user for a password (sets
 *   the "interactive" option and allows interactive authorization on the
 *   D-Bus message); without it, a call that needs authentication fails with
 *   %OTA_ERROR_AUTH_FAILED
 *
 * Options for the methods of #OtaClient that call otad.
 *
 * Since: 0.2
 */
typedef enum /*< flags >*/ {
	OTA_CLIENT_FLAGS_NONE = 0,
	OTA_CLIENT_FLAGS_INTERACTIVE = 1 << 0,
} OtaClientFlags;

const gchar *ota_state_to_string (OtaState state);
gboolean ota_state_from_string (const gchar *str, OtaState *state);

G_END_DECLS
