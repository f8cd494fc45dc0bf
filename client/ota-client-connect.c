/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-common.h"
#include "ota-enum-types.h"
#include "ota-error.h"

static void
ota_client_connect_get_all_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	OtaClient *self = g_task_get_source_object (task);
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_autoptr(GError) error = NULL;

	reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), res, &error);
	if (reply != NULL && !g_variant_is_of_type (reply, G_VARIANT_TYPE ("(a{sv})"))) {
		g_set_error (&error,
			     OTA_ERROR,
			     OTA_ERROR_NOT_SUPPORTED,
			     "unexpected reply of type %s",
			     g_variant_get_type_string (reply));
		g_clear_pointer (&reply, g_variant_unref);
	}
	if (reply == NULL) {
		ota_client_fixup_error (error);
		g_prefix_error_literal (&error, "cannot read the properties of otad: ");
		/* something owns the name but is not a working otad */
		if (self->proxy == OTA_DBUS_UPDATER1 (source))
			ota_client_set_name_owner (self, NULL, NULL);
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}
	dict = g_variant_get_child_value (reply, 0);
	ota_client_apply_properties (self, dict);

	/* success */
	g_task_return_boolean (task, TRUE);
}

static void
ota_client_connect_get_name_owner (GTask *task);

static void
ota_client_connect_got_owner (GTask *task, const gchar *owner)
{
	OtaClient *self = g_task_get_source_object (task);
	g_autoptr(GError) error = NULL;

	/* subscribe before reading so that no change can fall between the two */
	ota_client_subscribe (self);
	if (!ota_client_set_name_owner (self, owner, &error)) {
		ota_client_fixup_error (error);
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}
	g_dbus_proxy_call (G_DBUS_PROXY (self->proxy),
			   "org.freedesktop.DBus.Properties.GetAll",
			   g_variant_new ("(s)", OTA_DBUS_INTERFACE),
			   G_DBUS_CALL_FLAGS_NO_AUTO_START,
			   -1,
			   g_task_get_cancellable (task),
			   ota_client_connect_get_all_cb,
			   g_object_ref (task));
}

static void
ota_client_connect_start_service_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;

	reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);
	if (reply == NULL) {
		if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			ota_client_fixup_error (error);
			g_task_return_error (task, g_steal_pointer (&error));
			return;
		}
		if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)) {
			g_task_return_new_error (task,
						 OTA_ERROR,
						 OTA_ERROR_NOT_SUPPORTED,
						 "otad is not running (nothing owns %s)",
						 OTA_DBUS_SERVICE);
			return;
		}
		g_dbus_error_strip_remote_error (error);
		g_task_return_new_error (task,
					 OTA_ERROR,
					 OTA_ERROR_NOT_SUPPORTED,
					 "otad is not running and could not be started: %s",
					 error->message);
		return;
	}

	/* activated: look the owner up again, this time without activating */
	g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
	ota_client_connect_get_name_owner (task);
}

static void
ota_client_connect_get_name_owner_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *owner = NULL;
	gboolean tried_activation = GPOINTER_TO_INT (g_task_get_task_data (task));

	reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);
	if (reply == NULL) {
		if (!g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)) {
			ota_client_fixup_error (error);
			g_prefix_error (&error, "cannot look up %s: ", OTA_DBUS_SERVICE);
			g_task_return_error (task, g_steal_pointer (&error));
			return;
		}
		if (tried_activation) {
			g_task_return_new_error (task,
						 OTA_ERROR,
						 OTA_ERROR_NOT_SUPPORTED,
						 "otad is not running (nothing owns %s)",
						 OTA_DBUS_SERVICE);
			return;
		}

		/* D-Bus activation starts otad if the bus knows how to */
		g_dbus_connection_call (G_DBUS_CONNECTION (source),
					"org.freedesktop.DBus",
					"/org/freedesktop/DBus",
					"org.freedesktop.DBus",
					"StartServiceByName",
					g_variant_new ("(su)", OTA_DBUS_SERVICE, (guint32)0),
					G_VARIANT_TYPE ("(u)"),
					G_DBUS_CALL_FLAGS_NONE,
					-1,
					g_task_get_cancellable (task),
					ota_client_connect_start_service_cb,
					g_object_ref (task));
		return;
	}
	g_variant_get (reply, "(&s)", &owner);
	ota_client_connect_got_owner (task, owner);
}

static void
ota_client_connect_get_name_owner (GTask *task)
{
	OtaClient *self = g_task_get_source_object (task);

	g_dbus_connection_call (self->connection,
				"org.freedesktop.DBus",
				"/org/freedesktop/DBus",
				"org.freedesktop.DBus",
				"GetNameOwner",
				g_variant_new ("(s)", OTA_DBUS_SERVICE),
				G_VARIANT_TYPE ("(s)"),
				G_DBUS_CALL_FLAGS_NONE,
				-1,
				g_task_get_cancellable (task),
				ota_client_connect_get_name_owner_cb,
				g_object_ref (task));
}

static void
ota_client_connect_bus_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	OtaClient *self = g_task_get_source_object (task);
	g_autoptr(GDBusConnection) connection = NULL;
	g_autoptr(GError) error = NULL;

	if (self->bus_address != NULL)
		connection = g_dbus_connection_new_for_address_finish (res, &error);
	else
		connection = g_bus_get_finish (res, &error);
	if (connection == NULL) {
		ota_client_fixup_error (error);
		if (self->bus_address != NULL)
			g_prefix_error (&error, "cannot connect to the bus at %s: ",
					self->bus_address);
		else
			g_prefix_error_literal (&error, "cannot connect to the system bus: ");
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}

	/* a concurrent connect may have been faster */
	if (self->connection == NULL) {
		self->connection = g_steal_pointer (&connection);
		ota_client_notify (self, PROP_CONNECTION);
	}
	ota_client_connect_get_name_owner (task);
}

/**
 * ota_client_connect_async:
 * @self: an #OtaClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called when connected or failed
 * @callback_data: data for @callback
 *
 * Connects to otad on the system bus (or on the bus given by
 * #OtaClient:connection or #OtaClient:bus-address) and reads its properties.
 * D-Bus activation starts otad if it is installed but not running.
 *
 * Connecting a client that is already connected succeeds at once.
 *
 * Since: 0.1
 */
void
ota_client_connect_async (OtaClient *self,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer callback_data)
{
	g_autoptr(GTask) task = NULL;

	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

	task = g_task_new (self, cancellable, callback, callback_data);
	g_task_set_source_tag (task, ota_client_connect_async);

	if (self->proxy != NULL) {
		g_task_return_boolean (task, TRUE);
		return;
	}
	if (self->connection != NULL) {
		ota_client_connect_get_name_owner (task);
		return;
	}
	if (self->bus_address != NULL) {
		g_dbus_connection_new_for_address (
		    self->bus_address,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		    NULL,
		    cancellable,
		    ota_client_connect_bus_cb,
		    g_steal_pointer (&task));
		return;
	}
	g_bus_get (G_BUS_TYPE_SYSTEM, cancellable, ota_client_connect_bus_cb, g_steal_pointer (&task));
}

/**
 * ota_client_connect_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes ota_client_connect_async().  When otad is not running and cannot
 * be activated, the error is %OTA_ERROR_NOT_SUPPORTED.
 *
 * Returns: %TRUE when connected
 *
 * Since: 0.1
 */
gboolean
ota_client_connect_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
	g_return_val_if_fail (g_task_get_source_tag (G_TASK (res)) == ota_client_connect_async,
			      FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	/* a cancelled GTask reports G_IO_ERROR_CANCELLED itself */
	if (!g_task_propagate_boolean (G_TASK (res), &error_local)) {
		ota_client_fixup_error (error_local);
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}

	/* success */
	return TRUE;
}
