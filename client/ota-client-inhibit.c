/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-client-sync.h"
#include "ota-error.h"

/* Inhibit and Uninhibit (org.otad.Updater1 interface version 4): an application
 * holds installs back while it does something that must not be interrupted.
 * Blocking calls, like Hold: quick, and made once per session. */

/**
 * ota_client_inhibit_sync:
 * @self: a connected #OtaClient
 * @reason: why, one line shown to others in the `Inhibitors` property
 * @flags: #OtaClientFlags (%OTA_CLIENT_FLAGS_INTERACTIVE: polkit may prompt)
 * @out_handle: (out) (optional): where to store the handle for
 *   ota_client_uninhibit_sync()
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Holds installs back (D-Bus `Inhibit`, polkit action org.otad.install): an
 * install asked for meanwhile waits and starts when the last inhibitor is
 * gone.  The inhibitor ends with ota_client_uninhibit_sync() or when this
 * client's connection leaves the bus.  %OTA_ERROR_NOT_SUPPORTED means otad is
 * older than interface version 4.
 *
 * Returns: %TRUE when held
 *
 * Since: 0.4
 */
gboolean
ota_client_inhibit_sync (OtaClient *self,
			 const gchar *reason,
			 OtaClientFlags flags,
			 guint *out_handle,
			 GCancellable *cancellable,
			 GError **error)
{
	g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (reason != NULL, FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (flags & OTA_CLIENT_FLAGS_INTERACTIVE)
		g_variant_builder_add (&options, "{sv}", "interactive",
				       g_variant_new_boolean (TRUE));
	reply = ota_client_call_sync (self, "Inhibit",
				      g_variant_new ("(s@a{sv})", reason,
						     g_variant_builder_end (&options)),
				      flags, 4, cancellable, error);
	if (reply == NULL)
		return FALSE;
	if (out_handle != NULL)
		g_variant_get (reply, "(u)", out_handle);
	return TRUE;
}

/**
 * ota_client_uninhibit_sync:
 * @self: a connected #OtaClient
 * @handle: what ota_client_inhibit_sync() returned
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Ends an inhibitor (D-Bus `Uninhibit`); a waiting install starts when it
 * was the last.  %OTA_ERROR_NOT_FOUND means there is no such inhibitor of
 * this client (for example because otad restarted since).
 *
 * Returns: %TRUE when released
 *
 * Since: 0.4
 */
gboolean
ota_client_uninhibit_sync (OtaClient *self,
			   guint handle,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	reply = ota_client_call_sync (self, "Uninhibit", g_variant_new ("(u)", handle),
				      OTA_CLIENT_FLAGS_NONE, 4, cancellable, error);
	return reply != NULL;
}
