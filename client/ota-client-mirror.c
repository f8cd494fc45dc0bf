/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-common.h"
#include "ota-enum-types.h"
#include "ota-error.h"

/* the client's copy of the daemon's properties, kept current by PropertiesChanged and
 * NameOwnerChanged, which are delivered in the client's main context */

static const struct {
	const gchar *dbus_name;
	guint prop_id;
} ota_client_deployment_props[OTA_CLIENT_DEPLOYMENT_LAST] = {
    [OTA_CLIENT_DEPLOYMENT_BOOTED] = {"BootedDeployment", PROP_BOOTED_DEPLOYMENT},
    [OTA_CLIENT_DEPLOYMENT_ROLLBACK] = {"RollbackDeployment", PROP_ROLLBACK_DEPLOYMENT},
    [OTA_CLIENT_DEPLOYMENT_PENDING] = {"PendingDeployment", PROP_PENDING_DEPLOYMENT},
};

/* the D-Bus properties the client mirrors, so that a vanished daemon resets all of them */
static const gchar *const ota_client_dbus_props[] = {
    "Version",
    "State",
    "ErrorName",
    "ErrorMessage",
    "BootedDeployment",
    "RollbackDeployment",
    "PendingDeployment",
    "LastCheckTime",
    "UpdateInfo",
    "DownloadedBytes",
    "DownloadSize",
    "Progress",
    "Policy",
    "NextCheckTime",
    "ProgressPhase",
    "TimeRemaining",
};

/* the t (guint64) properties, all "0 when unknown" */
static const struct {
	const gchar *dbus_name;
	guint prop_id;
	gsize offset;
} ota_client_uint64_props[] = {
    {"LastCheckTime", PROP_LAST_CHECK_TIME, G_STRUCT_OFFSET (OtaClient, last_check_time)},
    {"DownloadedBytes", PROP_DOWNLOADED_BYTES, G_STRUCT_OFFSET (OtaClient, downloaded_bytes)},
    {"DownloadSize", PROP_DOWNLOAD_SIZE, G_STRUCT_OFFSET (OtaClient, download_size)},
    {"NextCheckTime", PROP_NEXT_CHECK_TIME, G_STRUCT_OFFSET (OtaClient, next_check_time)},
};

void
ota_client_fixup_error (GError *error)
{
	/* "GDBus.Error:org.otad.Updater1.Error.Busy: text" → "text" in OTA_ERROR */
	ota_error_strip_remote (error);
	ota_error_convert (&error);
}

static void
ota_client_set_string (OtaClient *self, gchar **field, GVariant *value, guint prop_id)
{
	const gchar *str = "";

	if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
		str = g_variant_get_string (value, NULL);
	if (g_strcmp0 (*field, str) == 0)
		return;
	g_free (*field);
	*field = g_strdup (str);
	ota_client_notify (self, prop_id);
}

/* @value anything but a u means 0; @max caps what a daemon may send */
static void
ota_client_set_uint (OtaClient *self, guint *field, GVariant *value, guint max, guint prop_id)
{
	guint val = 0;

	if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
		val = MIN (g_variant_get_uint32 (value), max);
	if (*field == val)
		return;
	*field = val;
	ota_client_notify (self, prop_id);
}

static void
ota_client_set_deployment (OtaClient *self, guint idx, GVariant *value)
{
	GVariant *old = self->deployment_values[idx];

	/* anything but a dictionary means "no deployment" */
	if (value != NULL && !g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT)) {
		g_debug ("ignoring %s of type %s",
			 ota_client_deployment_props[idx].dbus_name,
			 g_variant_get_type_string (value));
		value = NULL;
	}
	if (value != NULL && g_variant_n_children (value) == 0)
		value = NULL;
	if (old == value || (old != NULL && value != NULL && g_variant_equal (old, value)))
		return;

	g_clear_pointer (&self->deployment_values[idx], g_variant_unref);
	g_clear_object (&self->deployments[idx]);
	if (value != NULL) {
		self->deployment_values[idx] = g_variant_ref_sink (value);
		self->deployments[idx] = ota_deployment_new_from_variant (value);
	}
	ota_client_notify (self, ota_client_deployment_props[idx].prop_id);
}

static void
ota_client_set_update_info (OtaClient *self, GVariant *value)
{
	GVariant *old = self->update_info_value;

	/* anything but a non-empty dictionary means "no update on offer" */
	if (value != NULL && (!g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT) ||
			      g_variant_n_children (value) == 0))
		value = NULL;
	if (old == value || (old != NULL && value != NULL && g_variant_equal (old, value)))
		return;

	g_clear_pointer (&self->update_info_value, g_variant_unref);
	g_clear_object (&self->update_info);
	if (value != NULL) {
		self->update_info_value = g_variant_ref_sink (value);
		self->update_info = ota_update_info_new_from_variant (value);
	}
	ota_client_notify (self, PROP_UPDATE_INFO);
}

/* value NULL resets the property to its default, as when otad has gone */
static void
ota_client_apply_property (OtaClient *self, const gchar *name, GVariant *value)
{
	if (g_strcmp0 (name, "Version") == 0) {
		ota_client_set_uint (self, &self->daemon_version, value, G_MAXUINT32,
				     PROP_DAEMON_VERSION);
		return;
	}
	if (g_strcmp0 (name, "State") == 0) {
		OtaState state = OTA_STATE_IDLE;
		if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)) {
			const gchar *str = g_variant_get_string (value, NULL);
			/* a newer daemon may know states we don't: keep the last known one */
			if (!ota_state_from_string (str, &state)) {
				g_debug ("ignoring unknown state '%s'", str);
				return;
			}
		}
		if (self->state != state) {
			self->state = state;
			ota_client_notify (self, PROP_STATE);
		}
		return;
	}
	if (g_strcmp0 (name, "ErrorName") == 0) {
		ota_client_set_string (self, &self->error_name, value, PROP_ERROR_NAME);
		return;
	}
	if (g_strcmp0 (name, "ErrorMessage") == 0) {
		ota_client_set_string (self, &self->error_message, value, PROP_ERROR_MESSAGE);
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (ota_client_uint64_props); i++) {
		if (g_strcmp0 (name, ota_client_uint64_props[i].dbus_name) == 0) {
			guint64 *field = G_STRUCT_MEMBER_P (self, ota_client_uint64_props[i].offset);
			guint64 val = 0;
			if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
				val = g_variant_get_uint64 (value);
			if (*field != val) {
				*field = val;
				ota_client_notify (self, ota_client_uint64_props[i].prop_id);
			}
			return;
		}
	}
	if (g_strcmp0 (name, "Progress") == 0) {
		ota_client_set_uint (self, &self->progress, value, 100, PROP_PROGRESS);
		return;
	}
	if (g_strcmp0 (name, "Policy") == 0) {
		ota_client_set_string (self, &self->policy, value, PROP_POLICY);
		return;
	}
	if (g_strcmp0 (name, "ProgressPhase") == 0) {
		ota_client_set_string (self, &self->progress_phase, value, PROP_PROGRESS_PHASE);
		return;
	}
	if (g_strcmp0 (name, "TimeRemaining") == 0) {
		gint64 val = -1;
		if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
			val = g_variant_get_int64 (value);
		if (self->time_remaining != val) {
			self->time_remaining = val;
			ota_client_notify (self, PROP_TIME_REMAINING);
		}
		return;
	}
	if (g_strcmp0 (name, "UpdateInfo") == 0) {
		ota_client_set_update_info (self, value);
		return;
	}
	for (guint i = 0; i < OTA_CLIENT_DEPLOYMENT_LAST; i++) {
		if (g_strcmp0 (name, ota_client_deployment_props[i].dbus_name) == 0) {
			ota_client_set_deployment (self, i, value);
			return;
		}
	}

	/* properties added by newer daemons */
	g_debug ("ignoring unknown property %s", name);
}

void
ota_client_apply_properties (OtaClient *self, GVariant *dict)
{
	GVariantIter iter;
	const gchar *name;
	GVariant *value;

	g_object_freeze_notify (G_OBJECT (self));
	g_variant_iter_init (&iter, dict);
	while (g_variant_iter_loop (&iter, "{&sv}", &name, &value))
		ota_client_apply_property (self, name, value);
	g_object_thaw_notify (G_OBJECT (self));
}

static void
ota_client_reset_properties (OtaClient *self)
{
	g_object_freeze_notify (G_OBJECT (self));
	for (guint i = 0; i < G_N_ELEMENTS (ota_client_dbus_props); i++)
		ota_client_apply_property (self, ota_client_dbus_props[i], NULL);
	g_object_thaw_notify (G_OBJECT (self));
}

gboolean
ota_client_set_name_owner (OtaClient *self, const gchar *owner, GError **error)
{
	g_autoptr(OtaDBusUpdater1) proxy = NULL;
	gboolean was_connected = self->proxy != NULL;

	/* a proxy for the unique name does no I/O while it is built and subscribes
	 * to nothing (the client does its own subscriptions); it is still built
	 * in the client's context because GDBus releases some of its data from
	 * the thread-default context of construction, and a sync call's private
	 * context is never iterated again */
	if (owner != NULL && owner[0] != '\0') {
		gboolean acquired = g_main_context_acquire (self->context);
		if (acquired)
			g_main_context_push_thread_default (self->context);
		proxy = ota_dbus_updater1_proxy_new_sync (
		    self->connection,
		    G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
			G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
			G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
		    owner,
		    OTA_DBUS_PATH,
		    NULL,
		    error);
		if (acquired) {
			g_main_context_pop_thread_default (self->context);
			g_main_context_release (self->context);
		}
		if (proxy == NULL)
			return FALSE;
	}
	g_set_object (&self->proxy, proxy);
	if (was_connected != (self->proxy != NULL))
		ota_client_notify (self, PROP_CONNECTED);

	/* success */
	return TRUE;
}

static void
ota_client_reload_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(OtaClient) self = OTA_CLIENT (user_data);
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_autoptr(GError) error = NULL;

	reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), res, &error);
	if (reply == NULL) {
		if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug ("cannot reload the properties of otad: %s", error->message);
		return;
	}
	if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("(a{sv})"))) {
		g_debug ("ignoring GetAll reply of type %s", g_variant_get_type_string (reply));
		return;
	}
	dict = g_variant_get_child_value (reply, 0);
	ota_client_apply_properties (self, dict);
}

/* runs in the client's context, after otad appeared or invalidated properties */
static void
ota_client_reload (OtaClient *self)
{
	if (self->proxy == NULL)
		return;
	if (self->reload_cancellable != NULL)
		g_cancellable_cancel (self->reload_cancellable);
	g_clear_object (&self->reload_cancellable);
	self->reload_cancellable = g_cancellable_new ();
	g_dbus_proxy_call (G_DBUS_PROXY (self->proxy),
			   "org.freedesktop.DBus.Properties.GetAll",
			   g_variant_new ("(s)", OTA_DBUS_INTERFACE),
			   G_DBUS_CALL_FLAGS_NO_AUTO_START,
			   -1,
			   self->reload_cancellable,
			   ota_client_reload_cb,
			   g_object_ref (self));
}

static void
ota_client_weak_ref_free (gpointer data)
{
	GWeakRef *weak = data;
	g_weak_ref_clear (weak);
	g_free (weak);
}

static GWeakRef *
ota_client_weak_ref_new (OtaClient *self)
{
	GWeakRef *weak = g_new0 (GWeakRef, 1);
	g_weak_ref_init (weak, self);
	return weak;
}

static void
ota_client_properties_changed_cb (GDBusConnection *connection,
				  const gchar *sender_name,
				  const gchar *object_path,
				  const gchar *interface_name,
				  const gchar *signal_name,
				  GVariant *parameters,
				  gpointer user_data)
{
	g_autoptr(OtaClient) self = g_weak_ref_get (user_data);
	g_autoptr(GVariant) changed = NULL;
	g_autofree const gchar **invalidated = NULL;

	if (self == NULL)
		return;
	if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
		return;
	g_variant_get (parameters, "(&s@a{sv}^a&s)", NULL, &changed, &invalidated);
	ota_client_apply_properties (self, changed);
	if (invalidated != NULL && invalidated[0] != NULL)
		ota_client_reload (self);
}

static void
ota_client_name_owner_changed_cb (GDBusConnection *connection,
				  const gchar *sender_name,
				  const gchar *object_path,
				  const gchar *interface_name,
				  const gchar *signal_name,
				  GVariant *parameters,
				  gpointer user_data)
{
	g_autoptr(OtaClient) self = g_weak_ref_get (user_data);
	g_autoptr(GError) error = NULL;
	const gchar *new_owner = NULL;

	if (self == NULL)
		return;
	if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
		return;
	g_variant_get (parameters, "(&s&s&s)", NULL, NULL, &new_owner);
	g_debug ("%s now owned by '%s'", OTA_DBUS_SERVICE, new_owner);

	if (self->reload_cancellable != NULL)
		g_cancellable_cancel (self->reload_cancellable);
	if (!ota_client_set_name_owner (self, new_owner, &error)) {
		g_debug ("cannot follow the new owner of %s: %s", OTA_DBUS_SERVICE, error->message);
		return;
	}
	if (self->proxy == NULL)
		ota_client_reset_properties (self);
	else
		ota_client_reload (self);
}

static void
ota_client_daemon_signal_cb (GDBusConnection *connection,
			     const gchar *sender_name,
			     const gchar *object_path,
			     const gchar *interface_name,
			     const gchar *signal_name,
			     GVariant *parameters,
			     gpointer user_data)
{
	g_autoptr(OtaClient) self = g_weak_ref_get (user_data);

	if (self != NULL)
		ota_client_emit_daemon_signal (self, signal_name, parameters);
}

static void
ota_client_subscribe_in_context (OtaClient *self)
{
	if (self->properties_changed_id != 0 || self->connection == NULL)
		return;

	/* arg0 filters on the interface, so other interfaces of the object don't wake us */
	self->properties_changed_id =
	    g_dbus_connection_signal_subscribe (self->connection,
						OTA_DBUS_SERVICE,
						"org.freedesktop.DBus.Properties",
						"PropertiesChanged",
						OTA_DBUS_PATH,
						OTA_DBUS_INTERFACE,
						G_DBUS_SIGNAL_FLAGS_NONE,
						ota_client_properties_changed_cb,
						ota_client_weak_ref_new (self),
						ota_client_weak_ref_free);
	self->name_owner_changed_id =
	    g_dbus_connection_signal_subscribe (self->connection,
						"org.freedesktop.DBus",
						"org.freedesktop.DBus",
						"NameOwnerChanged",
						"/org/freedesktop/DBus",
						OTA_DBUS_SERVICE,
						G_DBUS_SIGNAL_FLAGS_NONE,
						ota_client_name_owner_changed_cb,
						ota_client_weak_ref_new (self),
						ota_client_weak_ref_free);
	self->daemon_signals_id =
	    g_dbus_connection_signal_subscribe (self->connection,
						OTA_DBUS_SERVICE,
						OTA_DBUS_INTERFACE,
						NULL,
						OTA_DBUS_PATH,
						NULL,
						G_DBUS_SIGNAL_FLAGS_NONE,
						ota_client_daemon_signal_cb,
						ota_client_weak_ref_new (self),
						ota_client_weak_ref_free);
}

static gboolean
ota_client_subscribe_idle_cb (gpointer user_data)
{
	ota_client_subscribe_in_context (OTA_CLIENT (user_data));
	return G_SOURCE_REMOVE;
}

/* GDBus delivers signals to the thread-default context current at subscription
 * time; a sync call runs on a private context that is never iterated again,
 * so subscribe with the client's own context pushed */
void
ota_client_subscribe (OtaClient *self)
{
	if (g_main_context_acquire (self->context)) {
		g_main_context_push_thread_default (self->context);
		ota_client_subscribe_in_context (self);
		g_main_context_pop_thread_default (self->context);
		g_main_context_release (self->context);
		return;
	}

	/* another thread runs the client's context: subscribe from there */
	g_main_context_invoke_full (self->context,
				    G_PRIORITY_DEFAULT,
				    ota_client_subscribe_idle_cb,
				    g_object_ref (self),
				    g_object_unref);
}

void
ota_client_unsubscribe (OtaClient *self)
{
	if (self->reload_cancellable != NULL)
		g_cancellable_cancel (self->reload_cancellable);
	g_clear_object (&self->reload_cancellable);
	if (self->connection != NULL) {
		if (self->properties_changed_id != 0)
			g_dbus_connection_signal_unsubscribe (self->connection,
							      self->properties_changed_id);
		if (self->name_owner_changed_id != 0)
			g_dbus_connection_signal_unsubscribe (self->connection,
							      self->name_owner_changed_id);
		if (self->daemon_signals_id != 0)
			g_dbus_connection_signal_unsubscribe (self->connection,
							      self->daemon_signals_id);
	}
	self->daemon_signals_id = 0;
	self->properties_changed_id = 0;
	self->name_owner_changed_id = 0;
}
