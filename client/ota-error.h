/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OTA_ERROR ota_error_quark ()

/**
 * OtaError:
 * @OTA_ERROR_FAILED: generic failure
 * @OTA_ERROR_NOT_SUPPORTED: not supported, or otad is not running
 * @OTA_ERROR_INVALID_ARGUMENT: an argument or option was not valid
 * @OTA_ERROR_WRONG_STATE: the call is not allowed in the current state
 * @OTA_ERROR_AUTH_FAILED: polkit did not authorise the caller
 * @OTA_ERROR_CANCELLED: the operation was cancelled
 * @OTA_ERROR_BUSY: another operation is running
 * @OTA_ERROR_NO_UPDATE: the server offers nothing new
 * @OTA_ERROR_INVALID_CONFIG: the configuration is not valid
 * @OTA_ERROR_NETWORK: the server could not be reached
 * @OTA_ERROR_TLS: the TLS handshake or certificate check failed
 * @OTA_ERROR_SERVER: the server answered with an error or a bad reply
 * @OTA_ERROR_VERIFICATION: TUF/Uptane verification refused the metadata or a target
 * @OTA_ERROR_NO_SPACE: not enough disk space
 * @OTA_ERROR_DEPLOYMENT: OSTree could not pull or deploy
 * @OTA_ERROR_BOOTLOADER: the bootloader environment could not be read or written
 * @OTA_ERROR_HEALTH_CHECK: a health check failed after boot
 * @OTA_ERROR_NOT_FOUND: the requested item does not exist
 * @OTA_ERROR_INTERNAL: an internal error in otad
 * @OTA_ERROR_INHIBITED: an inhibitor (logind's block inhibitor for shutdown) keeps otad
 *   from rebooting now (Since: 0.4)
 * @OTA_ERROR_STALE_OFFER: the offer id given is not the update on offer (any more): the
 *   server changed the target or another check replaced it (since 0.4)
 *
 * Errors returned by otad and libota.  On D-Bus each is
 * `org.otad.Updater1.Error.<Name>`.
 *
 * Since: 0.1
 */
typedef enum {
	OTA_ERROR_FAILED,
	OTA_ERROR_NOT_SUPPORTED,
	OTA_ERROR_INVALID_ARGUMENT,
	OTA_ERROR_WRONG_STATE,
	OTA_ERROR_AUTH_FAILED,
	OTA_ERROR_CANCELLED,
	OTA_ERROR_BUSY,
	OTA_ERROR_NO_UPDATE,
	OTA_ERROR_INVALID_CONFIG,
	OTA_ERROR_NETWORK,
	OTA_ERROR_TLS,
	OTA_ERROR_SERVER,
	OTA_ERROR_VERIFICATION,
	OTA_ERROR_NO_SPACE,
	OTA_ERROR_DEPLOYMENT,
	OTA_ERROR_BOOTLOADER,
	OTA_ERROR_HEALTH_CHECK,
	OTA_ERROR_NOT_FOUND,
	OTA_ERROR_INTERNAL,
	OTA_ERROR_INHIBITED,
	OTA_ERROR_STALE_OFFER,
	/*< private >*/
	OTA_ERROR_LAST
} OtaError;

GQuark ota_error_quark (void);
const gchar *ota_error_to_dbus_name (OtaError code);
gboolean ota_error_convert (GError **perror);
void ota_error_strip_remote (GError *error);

G_END_DECLS
