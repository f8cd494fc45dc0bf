/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-client-sync.h"
#include "ota-error.h"

/* Hold and Release (org.otad.Updater1 interface version 3): an otad that was
 * started by D-Bus activation exits when idle; a client that follows progress
 * holds it.  Blocking calls: they are quick and made once per session. */

/**
 * ota_client_hold_sync:
 * @self: a connected #OtaClient
 * @out_handle: (out) (optional): where to store the handle for
 *   ota_client_release_sync()
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Keeps otad running while this client follows it (D-Bus `Hold`): an otad
 * started by D-Bus activation or systemd otherwise exits when it has been
 * idle for `[daemon] idle-exit-sec`.  The hold ends with
 * ota_client_release_sync() or when this client's connection leaves the bus.
 * When otad goes away anyway (a crash, a restart: #OtaClient:connected turns
 * %FALSE), hold the new instance again.  %OTA_ERROR_NOT_SUPPORTED means
 * otad is older than interface version 3 and does not exit when idle.
 *
 * Returns: %TRUE when held
 *
 * Since: 0.3
 */
gboolean
ota_client_hold_sync (OtaClient *self,
		      guint *out_handle,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	reply = ota_client_call_sync (self, "Hold",
				      g_variant_new ("(@a{sv})", g_variant_new ("a{sv}", NULL)),
				      OTA_CLIENT_FLAGS_NONE, 3, cancellable, error);
	if (reply == NULL)
		return FALSE;
	if (out_handle != NULL)
		g_variant_get (reply, "(u)", out_handle);
	return TRUE;
}

/**
 * ota_client_release_sync:
 * @self: a connected #OtaClient
 * @handle: what ota_client_hold_sync() returned
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Ends a hold (D-Bus `Release`); otad may exit when idle again.
 * %OTA_ERROR_NOT_FOUND means there is no such hold of this client (for
 * example because otad restarted since).
 *
 * Returns: %TRUE when released
 *
 * Since: 0.3
 */
gboolean
ota_client_release_sync (OtaClient *self,
			 guint handle,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	reply = ota_client_call_sync (self, "Release", g_variant_new ("(u)", handle),
				      OTA_CLIENT_FLAGS_NONE, 3, cancellable, error);
	return reply != NULL;
}
