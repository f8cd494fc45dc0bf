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
	g_autoptr(GError) error_local = NULL;
	guint handle = 0;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (self->proxy == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
				     "not connected to otad");
		return FALSE;
	}
	if (self->daemon_version < 3) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
			     "otad (interface version %u) has no Hold", self->daemon_version);
		return FALSE;
	}
	reply = g_dbus_proxy_call_sync (G_DBUS_PROXY (self->proxy), "Hold",
					g_variant_new ("(@a{sv})", g_variant_new ("a{sv}", NULL)),
					G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable,
					&error_local);
	if (reply == NULL) {
		ota_client_fixup_error (error_local);
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	g_variant_get (reply, "(u)", &handle);
	if (out_handle != NULL)
		*out_handle = handle;

	/* success */
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
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (self->proxy == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
				     "not connected to otad");
		return FALSE;
	}
	reply = g_dbus_proxy_call_sync (G_DBUS_PROXY (self->proxy), "Release",
					g_variant_new ("(u)", handle),
					G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable,
					&error_local);
	if (reply == NULL) {
		ota_client_fixup_error (error_local);
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}

	/* success */
	return TRUE;
}
