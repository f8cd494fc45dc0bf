/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-error.h"

/* One D-Bus method call on otad, as every libota call that answers at once makes it:
 * never auto-starting a second otad (the client follows the name owner), the
 * interactive flag as a message flag with no timeout (a person typing a password is not
 * bound by the default 25 s), otad's error names mapped to #OtaError.  The job calls
 * that wait for otad's JobFinished are in ota-client-run.c. */

static gboolean
ota_client_call_ready (OtaClient *self, const gchar *method, guint since_version,
		       GError **error)
{
	if (self->proxy == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
				     "not connected to otad");
		return FALSE;
	}
	if (self->daemon_version < since_version) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
			     "otad (interface version %u) has no %s", self->daemon_version,
			     method);
		return FALSE;
	}
	return TRUE;
}

static GDBusCallFlags
ota_client_call_flags (OtaClientFlags flags)
{
	return G_DBUS_CALL_FLAGS_NO_AUTO_START |
	       ((flags & OTA_CLIENT_FLAGS_INTERACTIVE)
		    ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
		    : 0);
}

static gint
ota_client_call_timeout (OtaClientFlags flags)
{
	return (flags & OTA_CLIENT_FLAGS_INTERACTIVE) ? G_MAXINT : -1;
}

/* calls @method with @params (floating, nullable), blocking; @since_version is the
 * interface version that brought @method.  Returns: (transfer full) the reply */
GVariant *
ota_client_call_sync (OtaClient *self,
		      const gchar *method,
		      GVariant *params,
		      OtaClientFlags flags,
		      guint since_version,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(GVariant) owned = params != NULL ? g_variant_ref_sink (params) : NULL;
	g_autoptr(GError) error_local = NULL;
	GVariant *reply;

	if (!ota_client_call_ready (self, method, since_version, error))
		return NULL;
	reply = g_dbus_proxy_call_sync (G_DBUS_PROXY (self->proxy), method, owned,
					ota_client_call_flags (flags),
					ota_client_call_timeout (flags), cancellable, &error_local);
	if (reply == NULL) {
		ota_client_fixup_error (error_local);
		g_propagate_error (error, g_steal_pointer (&error_local));
	}
	return reply;
}

static void
ota_client_call_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), res, &error);

	if (reply == NULL) {
		ota_client_fixup_error (error);
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}
	g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify)g_variant_unref);
}

/* the same, asynchronously; finish with ota_client_call_finish() */
void
ota_client_call (OtaClient *self,
		 const gchar *method,
		 GVariant *params,
		 OtaClientFlags flags,
		 GCancellable *cancellable,
		 GAsyncReadyCallback callback,
		 gpointer callback_data,
		 gpointer source_tag)
{
	g_autoptr(GTask) task = g_task_new (self, cancellable, callback, callback_data);
	g_autoptr(GVariant) owned = params != NULL ? g_variant_ref_sink (params) : NULL;
	GError *error = NULL;

	g_task_set_source_tag (task, source_tag);
	if (!ota_client_call_ready (self, method, 0, &error)) {
		g_task_return_error (task, error);
		return;
	}
	g_dbus_proxy_call (G_DBUS_PROXY (self->proxy), method, owned,
			   ota_client_call_flags (flags), ota_client_call_timeout (flags),
			   cancellable, ota_client_call_cb, g_steal_pointer (&task));
}

/* Returns: (transfer full) (nullable): the reply of ota_client_call() */
GVariant *
ota_client_call_finish (OtaClient *self, GAsyncResult *res, gpointer source_tag, GError **error)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	g_return_val_if_fail (g_task_is_valid (res, self), NULL);
	g_return_val_if_fail (g_task_get_source_tag (G_TASK (res)) == source_tag, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);
	/* a cancelled GTask reports G_IO_ERROR_CANCELLED itself */
	return g_task_propagate_pointer (G_TASK (res), error);
}
