/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-client-schedule.h"
#include "ota-error.h"

/* The schedule (org.otad.Updater1 interface version 4): what a deferred job or a
 * needed reboot waits for, Reboot, and the configuration at run time.  Blocking
 * calls, like Hold: each is one quick request. */

static GVariant *
ota_client_schedule_call (OtaClient *self, const gchar *method, GVariant *args,
			  OtaClientFlags flags, GCancellable *cancellable, GError **error)
{
	return ota_client_call_sync (self, method, args, flags, 4, cancellable, error);
}

static GVariant *
ota_client_schedule_options (OtaClientFlags flags)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	if (flags & OTA_CLIENT_FLAGS_INTERACTIVE)
		g_variant_builder_add (&builder, "{sv}", "interactive", g_variant_new_boolean (TRUE));
	return g_variant_builder_end (&builder);
}

/**
 * ota_client_get_waiting_for:
 * @self: an #OtaClient
 *
 * Returns: (transfer none): what a deferred download or install, or a needed
 *   reboot, waits for (D-Bus `WaitingFor`): "download-window", "install-window",
 *   "reboot-window", "metered", "reboot", "inhibitor"; "" for nothing
 *
 * Since: 0.4
 */
const gchar *
ota_client_get_waiting_for (OtaClient *self)
{
	const gchar *value;

	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	value = self->proxy != NULL ? ota_dbus_updater1_get_waiting_for (self->proxy) : NULL;
	return value != NULL ? value : "";
}

/**
 * ota_client_get_waiting_until:
 * @self: an #OtaClient
 *
 * Returns: when what ota_client_get_waiting_for() names is looked at again, in
 *   seconds since the Unix epoch; 0 when unknown
 *
 * Since: 0.4
 */
guint64
ota_client_get_waiting_until (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), 0);
	return self->proxy != NULL ? ota_dbus_updater1_get_waiting_until (self->proxy) : 0;
}

/**
 * ota_client_get_reboot_required:
 * @self: an #OtaClient
 *
 * Returns: %TRUE when a reboot is needed to finish an update or a rollback
 *
 * Since: 0.4
 */
gboolean
ota_client_get_reboot_required (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	return self->proxy != NULL && ota_dbus_updater1_get_reboot_required (self->proxy);
}

/**
 * ota_client_reboot_sync:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reboots now through systemd-logind when a reboot is needed (D-Bus `Reboot`).
 * %OTA_ERROR_INHIBITED while a block inhibitor holds the reboot back,
 * %OTA_ERROR_WRONG_STATE when nothing needs a reboot.
 *
 * Returns: %TRUE when logind accepted the reboot
 *
 * Since: 0.4
 */
gboolean
ota_client_reboot_sync (OtaClient *self, OtaClientFlags flags, GCancellable *cancellable,
			GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	reply = ota_client_schedule_call (
	    self, "Reboot", g_variant_new ("(@a{sv})", ota_client_schedule_options (flags)), flags,
	    cancellable, error);
	return reply != NULL;
}

/**
 * ota_client_get_configuration_sync:
 * @self: a connected #OtaClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a{sv} of GROUP.KEY to the value in effect for the
 *   keys that can change at run time (D-Bus `GetConfiguration`), or %NULL
 *
 * Since: 0.4
 */
GVariant *
ota_client_get_configuration_sync (OtaClient *self, GCancellable *cancellable, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	GVariant *values = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	reply = ota_client_schedule_call (self, "GetConfiguration",
					  g_variant_new ("(@a{sv})", g_variant_new ("a{sv}", NULL)),
					  OTA_CLIENT_FLAGS_NONE, cancellable, error);
	if (reply == NULL)
		return NULL;
	g_variant_get (reply, "(@a{sv})", &values);
	return values;
}

/**
 * ota_client_set_configuration_sync:
 * @self: a connected #OtaClient
 * @values: a{sv} of GROUP.KEY to new values, of the types
 *   ota_client_get_configuration_sync() shows
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sets keys at run time (D-Bus `SetConfiguration`, polkit action
 * org.otad.configure); they persist across restarts and win over the files.
 *
 * Returns: %TRUE when set
 *
 * Since: 0.4
 */
gboolean
ota_client_set_configuration_sync (OtaClient *self, GVariant *values, OtaClientFlags flags,
				   GCancellable *cancellable, GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (g_variant_is_of_type (values, G_VARIANT_TYPE_VARDICT), FALSE);
	reply = ota_client_schedule_call (
	    self, "SetConfiguration",
	    g_variant_new ("(@a{sv}@a{sv})", values, ota_client_schedule_options (flags)), flags,
	    cancellable, error);
	return reply != NULL;
}

/**
 * ota_client_reset_configuration_sync:
 * @self: a connected #OtaClient
 * @keys: (array zero-terminated=1): GROUP.KEY names
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Drops values set at run time: the configuration files' apply again (D-Bus
 * `ResetConfiguration`).
 *
 * Returns: %TRUE when reset
 *
 * Since: 0.4
 */
gboolean
ota_client_reset_configuration_sync (OtaClient *self, const gchar *const *keys,
				     OtaClientFlags flags, GCancellable *cancellable,
				     GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	reply = ota_client_schedule_call (
	    self, "ResetConfiguration",
	    g_variant_new ("(^as@a{sv})", keys, ota_client_schedule_options (flags)), flags,
	    cancellable, error);
	return reply != NULL;
}
