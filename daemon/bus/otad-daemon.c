/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadDaemon"

#include "config.h"

#include "ota-common.h"
#include "ota-enums.h"
#include "ota-error.h"
#include "otad-daemon.h"

/*
 * The bus side of otad: one connection, the org.otad.Updater name and the
 * Updater1 object.  Its properties mirror the state store (updated on the
 * store's ::changed, i.e. after the state is on disk) and the sysroot
 * (updated on the sysroot's ::changed).  Losing the name or the bus is fatal:
 * ::fatal tells main() to exit with an error so systemd can restart us.
 */

struct _OtadDaemon {
	GObject parent_instance;
	OtadConfig *config;	     /* (owned) */
	OtadStateStore *store;	     /* (owned) */
	OtadSysroot *sysroot;	     /* (owned) */
	GDBusConnection *connection; /* (owned) (nullable) */
	OtaDBusUpdater1 *skeleton;   /* (owned) */
	guint owner_id;
	gboolean name_acquired;
	gboolean name_lost;
	gulong closed_id;
};

enum { SIGNAL_FATAL, SIGNAL_LAST };
static guint otad_daemon_signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE (OtadDaemon, otad_daemon, G_TYPE_OBJECT)

static void
otad_daemon_refresh_store (OtadDaemon *self)
{
	OtaState state = otad_state_store_get_state (self->store);

	ota_dbus_updater1_set_state (self->skeleton, ota_state_to_string (state));
	ota_dbus_updater1_set_error_name (self->skeleton,
					  otad_state_store_get_error_name (self->store));
	ota_dbus_updater1_set_error_message (self->skeleton,
					     otad_state_store_get_error_message (self->store));
	ota_dbus_updater1_set_last_check_time (self->skeleton,
					       otad_state_store_get_last_check_time (self->store));
}

static void
otad_daemon_refresh_sysroot (OtadDaemon *self)
{
	g_autoptr(GVariant) booted =
	    otad_sysroot_dup_role_variant (self->sysroot, OTAD_SYSROOT_ROLE_BOOTED);
	g_autoptr(GVariant) rollback =
	    otad_sysroot_dup_role_variant (self->sysroot, OTAD_SYSROOT_ROLE_ROLLBACK);
	g_autoptr(GVariant) pending =
	    otad_sysroot_dup_role_variant (self->sysroot, OTAD_SYSROOT_ROLE_PENDING);

	ota_dbus_updater1_set_booted_deployment (self->skeleton, booted);
	ota_dbus_updater1_set_rollback_deployment (self->skeleton, rollback);
	ota_dbus_updater1_set_pending_deployment (self->skeleton, pending);
}

static void
otad_daemon_store_changed_cb (OtadStateStore *store, gpointer user_data)
{
	otad_daemon_refresh_store (OTAD_DAEMON (user_data));
}

static void
otad_daemon_sysroot_changed_cb (OtadSysroot *sysroot, gpointer user_data)
{
	g_info ("deployments changed");
	otad_daemon_refresh_sysroot (OTAD_DAEMON (user_data));
}

static void
otad_daemon_fatal (OtadDaemon *self, const gchar *message)
{
	g_autoptr(GError) error = g_error_new_literal (OTA_ERROR, OTA_ERROR_FAILED, message);
	g_signal_emit (self, otad_daemon_signals[SIGNAL_FATAL], 0, error);
}

static void
otad_daemon_name_acquired_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	OtadDaemon *self = OTAD_DAEMON (user_data);

	g_debug ("acquired the name %s", name);
	self->name_acquired = TRUE;
}

static void
otad_daemon_name_lost_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	OtadDaemon *self = OTAD_DAEMON (user_data);
	gboolean was_acquired = self->name_acquired;
	g_autofree gchar *message = NULL;

	self->name_lost = TRUE;
	self->name_acquired = FALSE;
	/* before start() returned, start() reports it */
	if (!was_acquired)
		return;
	if (connection == NULL || g_dbus_connection_is_closed (connection))
		message = g_strdup_printf ("lost the bus name %s: the bus connection closed", name);
	else
		message = g_strdup_printf ("lost the bus name %s", name);
	otad_daemon_fatal (self, message);
}

static void
otad_daemon_closed_cb (GDBusConnection *connection,
		       gboolean remote_peer_vanished,
		       GError *error,
		       gpointer user_data)
{
	OtadDaemon *self = OTAD_DAEMON (user_data);
	g_autofree gchar *message =
	    g_strdup_printf ("the bus connection closed%s%s", error != NULL ? ": " : "",
			     error != NULL ? error->message : "");
	otad_daemon_fatal (self, message);
}

/**
 * otad_daemon_start:
 * @bus_address: (nullable): connect to this bus instead of @bus_type
 *
 * Connects, exports /org/otad/Updater with its properties filled in, and owns
 * org.otad.Updater.  Returns only when the name is owned, or with an error when it
 * cannot be (e.g. another otad runs).
 */
gboolean
otad_daemon_start (OtadDaemon *self, GBusType bus_type, const gchar *bus_address, GError **error)
{
	g_return_val_if_fail (OTAD_IS_DAEMON (self), FALSE);
	g_return_val_if_fail (self->connection == NULL, FALSE);

	/* register the error domain before the first error crosses the bus */
	(void)ota_error_quark ();

	if (bus_address != NULL) {
		self->connection = g_dbus_connection_new_for_address_sync (
		    bus_address,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		    NULL, NULL, error);
	} else {
		self->connection = g_bus_get_sync (bus_type, NULL, error);
	}
	if (self->connection == NULL) {
		g_prefix_error (error, "failed to connect to the %s bus: ",
				bus_address != NULL		 ? bus_address
				: bus_type == G_BUS_TYPE_SESSION ? "session"
								 : "system");
		return FALSE;
	}
	g_dbus_connection_set_exit_on_close (self->connection, FALSE);

	otad_daemon_refresh_store (self);
	otad_daemon_refresh_sysroot (self);
	if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
					       self->connection, OTA_DBUS_PATH, error)) {
		g_prefix_error (error, "failed to export %s: ", OTA_DBUS_PATH);
		return FALSE;
	}

	self->owner_id = g_bus_own_name_on_connection (
	    self->connection, OTA_DBUS_SERVICE, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
	    otad_daemon_name_acquired_cb, otad_daemon_name_lost_cb, self, NULL);
	/* the bus answers RequestName promptly; nothing else runs until it did */
	while (!self->name_acquired && !self->name_lost)
		g_main_context_iteration (NULL, TRUE);
	if (!self->name_acquired) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_FAILED,
			     "could not own the bus name %s: is another otad running?",
			     OTA_DBUS_SERVICE);
		return FALSE;
	}
	self->closed_id = g_signal_connect (self->connection, "closed",
					    G_CALLBACK (otad_daemon_closed_cb), self);
	g_info ("otad %s ready on %s", PACKAGE_VERSION,
		bus_address != NULL ? bus_address
		: bus_type == G_BUS_TYPE_SESSION ? "the session bus"
						 : "the system bus");

	/* success */
	return TRUE;
}

/* releases the name and the object; safe to call more than once */
void
otad_daemon_stop (OtadDaemon *self)
{
	g_return_if_fail (OTAD_IS_DAEMON (self));

	if (self->owner_id != 0) {
		g_bus_unown_name (self->owner_id);
		self->owner_id = 0;
	}
	if (self->connection != NULL &&
	    g_dbus_interface_skeleton_has_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton),
						      self->connection))
		g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
	if (self->closed_id != 0) {
		g_signal_handler_disconnect (self->connection, self->closed_id);
		self->closed_id = 0;
	}
	if (self->connection != NULL) {
		/* deliver the ReleaseName before the process ends */
		(void)g_dbus_connection_flush_sync (self->connection, NULL, NULL);
		g_clear_object (&self->connection);
	}
	self->name_acquired = FALSE;
}

OtadConfig *
otad_daemon_get_config (OtadDaemon *self)
{
	g_return_val_if_fail (OTAD_IS_DAEMON (self), NULL);
	return self->config;
}

OtadStateStore *
otad_daemon_get_state_store (OtadDaemon *self)
{
	g_return_val_if_fail (OTAD_IS_DAEMON (self), NULL);
	return self->store;
}

OtadSysroot *
otad_daemon_get_sysroot (OtadDaemon *self)
{
	g_return_val_if_fail (OTAD_IS_DAEMON (self), NULL);
	return self->sysroot;
}

OtaDBusUpdater1 *
otad_daemon_get_skeleton (OtadDaemon *self)
{
	g_return_val_if_fail (OTAD_IS_DAEMON (self), NULL);
	return self->skeleton;
}

/* Returns: (nullable): the connection while started */
GDBusConnection *
otad_daemon_get_connection (OtadDaemon *self)
{
	g_return_val_if_fail (OTAD_IS_DAEMON (self), NULL);
	return self->connection;
}

static void
otad_daemon_dispose (GObject *object)
{
	OtadDaemon *self = OTAD_DAEMON (object);

	otad_daemon_stop (self);
	if (self->store != NULL)
		g_signal_handlers_disconnect_by_data (self->store, self);
	if (self->sysroot != NULL)
		g_signal_handlers_disconnect_by_data (self->sysroot, self);
	g_clear_object (&self->skeleton);
	g_clear_object (&self->store);
	g_clear_object (&self->sysroot);
	g_clear_object (&self->config);
	G_OBJECT_CLASS (otad_daemon_parent_class)->dispose (object);
}

static void
otad_daemon_class_init (OtadDaemonClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = otad_daemon_dispose;

	/* the daemon cannot go on (name or bus lost); the GError says why */
	otad_daemon_signals[SIGNAL_FATAL] =
	    g_signal_new ("fatal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
otad_daemon_init (OtadDaemon *self)
{
	self->skeleton = ota_dbus_updater1_skeleton_new ();
	ota_dbus_updater1_set_version (self->skeleton, OTA_DBUS_INTERFACE_VERSION);
}

/**
 * otad_daemon_new:
 * @sysroot: a loaded sysroot
 *
 * Returns: (transfer full): a daemon that is not on the bus yet
 */
OtadDaemon *
otad_daemon_new (OtadConfig *config, OtadStateStore *store, OtadSysroot *sysroot)
{
	OtadDaemon *self = g_object_new (OTAD_TYPE_DAEMON, NULL);

	self->config = g_object_ref (config);
	self->store = g_object_ref (store);
	self->sysroot = g_object_ref (sysroot);
	g_signal_connect (self->store, "changed", G_CALLBACK (otad_daemon_store_changed_cb), self);
	g_signal_connect (self->sysroot, "changed", G_CALLBACK (otad_daemon_sysroot_changed_cb),
			  self);
	otad_daemon_refresh_store (self);
	otad_daemon_refresh_sysroot (self);
	return self;
}
