/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBus"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-common.h"
#include "ota-enums.h"
#include "ota-error.h"
#include "otad-bus-private.h"

/*
 * The bus side of otad.  Its properties mirror the engine's (updated on the
 * engine's notify, which for the state comes after it is on disk) and the
 * sysroot's deployment roles (updated on the sysroot's ::changed).  Losing the
 * name or the bus is fatal: ::fatal tells main() to exit with an error so
 * systemd can restart us.
 */

enum { SIGNAL_FATAL, SIGNAL_IDLE, SIGNAL_LAST };
static guint otad_bus_signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE (OtadBus, otad_bus, G_TYPE_OBJECT)

/* the skeleton emits PropertiesChanged only for values that really changed */
static void
otad_bus_refresh_engine (OtadBus *self)
{
	OtadEngine *e = self->engine;
	g_autoptr(GVariant) info = otad_engine_dup_update_info (e);

	ota_dbus_updater1_set_state (self->skeleton,
				     ota_state_to_string (otad_engine_get_state (e)));
	ota_dbus_updater1_set_error_name (self->skeleton, otad_engine_get_error_name (e));
	ota_dbus_updater1_set_error_message (self->skeleton, otad_engine_get_error_message (e));
	ota_dbus_updater1_set_last_check_time (self->skeleton,
					       otad_engine_get_last_check_time (e));
	ota_dbus_updater1_set_next_check_time (self->skeleton,
					       otad_engine_get_next_check_time (e));
	ota_dbus_updater1_set_update_info (self->skeleton, info);
	ota_dbus_updater1_set_downloaded_bytes (self->skeleton,
						otad_engine_get_downloaded_bytes (e));
	ota_dbus_updater1_set_download_size (self->skeleton, otad_engine_get_download_size (e));
	ota_dbus_updater1_set_progress (self->skeleton, otad_engine_get_progress (e));
	ota_dbus_updater1_set_progress_phase (self->skeleton, otad_engine_get_progress_phase (e));
	ota_dbus_updater1_set_time_remaining (self->skeleton, otad_engine_get_time_remaining (e));
	ota_dbus_updater1_set_policy (self->skeleton, otad_engine_get_policy (e));
	otad_bus_schedule_refresh (self);
	/* deprecated for clients (WaitingFor says the same), still served */
	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	ota_dbus_updater1_set_waiting (self->skeleton, otad_engine_get_waiting (e));
	G_GNUC_END_IGNORE_DEPRECATIONS
	{
		g_autoptr(GVariant) inhibitors = otad_engine_dup_inhibitors (e);
		ota_dbus_updater1_set_inhibitors (self->skeleton, inhibitors);
	}
}

static void
otad_bus_refresh_sysroot (OtadBus *self)
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
otad_bus_engine_notify_cb (GObject *engine, GParamSpec *pspec, gpointer user_data)
{
	otad_bus_refresh_engine (OTAD_BUS (user_data));
	otad_bus_idle_update (OTAD_BUS (user_data));
}

static void
otad_bus_job_finished_cb (OtadEngine *engine,
			  gint kind,
			  gboolean success,
			  gboolean found,
			  gpointer user_data)
{
	otad_bus_idle_update (OTAD_BUS (user_data));
}

/* the properties go out first, so a client that hears the signal reads the new ones */
static void
otad_bus_state_changed_cb (OtadEngine *engine,
			   const gchar *state,
			   GVariant *details,
			   gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);

	otad_bus_refresh_engine (self);
	g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->skeleton));
	ota_dbus_updater1_emit_state_changed (self->skeleton, state, details);
}

static void
otad_bus_job_result_cb (OtadEngine *engine,
			const gchar *job,
			const gchar *result,
			GVariant *details,
			gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);

	otad_bus_refresh_engine (self);
	g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->skeleton));
	ota_dbus_updater1_emit_job_finished (self->skeleton, job, result, details);
}

static void
otad_bus_sysroot_changed_cb (OtadSysroot *sysroot, gpointer user_data)
{
	g_info ("deployments changed");
	otad_bus_refresh_sysroot (OTAD_BUS (user_data));
}

static void
otad_bus_fatal (OtadBus *self, const gchar *message)
{
	g_autoptr(GError) error = g_error_new_literal (OTA_ERROR, OTA_ERROR_FAILED, message);
	g_signal_emit (self, otad_bus_signals[SIGNAL_FATAL], 0, error);
}

static void
otad_bus_name_acquired_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);

	g_debug ("acquired the name %s", name);
	self->name_acquired = TRUE;
}

static void
otad_bus_name_lost_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
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
	otad_bus_fatal (self, message);
}

static void
otad_bus_closed_cb (GDBusConnection *connection,
		       gboolean remote_peer_vanished,
		       GError *error,
		       gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	g_autofree gchar *message =
	    g_strdup_printf ("the bus connection closed%s%s", error != NULL ? ": " : "",
			     error != NULL ? error->message : "");
	otad_bus_fatal (self, message);
}

/**
 * otad_bus_connect_async:
 *
 * Starts connecting (the socket, the authentication and Hello run in GDBus's
 * worker thread) so that the caller can build everything else meanwhile; an
 * activated otad answers its first call that much sooner.  The result goes to
 * otad_bus_start().
 */
void
otad_bus_connect_async (GBusType bus_type, const gchar *bus_address,
			GAsyncReadyCallback callback, gpointer user_data)
{
	if (bus_address != NULL)
		g_dbus_connection_new_for_address (
		    bus_address,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		    NULL, NULL, callback, user_data);
	else
		g_bus_get (bus_type, NULL, callback, user_data);
}

/**
 * otad_bus_start:
 * @bus_address: (nullable): connect to this bus instead of @bus_type
 * @connecting: (nullable): the result of otad_bus_connect_async() with the same
 *   @bus_type and @bus_address; %NULL connects here
 *
 * Connects, exports /org/otad/Updater with its properties filled in, and owns
 * org.otad.Updater.  Returns only when the name is owned, or with an error when it
 * cannot be (e.g. another otad runs).
 */
gboolean
otad_bus_start (OtadBus *self, GBusType bus_type, const gchar *bus_address,
		GAsyncResult *connecting, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BUS (self), FALSE);
	g_return_val_if_fail (self->connection == NULL, FALSE);

	/* register the error domain before the first error crosses the bus */
	(void)ota_error_quark ();

	if (connecting != NULL && bus_address != NULL) {
		self->connection = g_dbus_connection_new_for_address_finish (connecting, error);
	} else if (connecting != NULL) {
		self->connection = g_bus_get_finish (connecting, error);
	} else if (bus_address != NULL) {
		self->connection = g_dbus_connection_new_for_address_sync (
		    bus_address,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		    NULL, NULL, error);
	} else {
		self->connection = g_bus_get_sync (bus_type, NULL, error);
	}
	if (self->connection == NULL) {
		g_prefix_error (error, _("failed to connect to the %s bus: "),
		                bus_address != NULL              ? bus_address
		                : bus_type == G_BUS_TYPE_SESSION ? "session"
		                                                 : "system");
		return FALSE;
	}
	g_dbus_connection_set_exit_on_close (self->connection, FALSE);
	self->system_bus = bus_address == NULL && bus_type == G_BUS_TYPE_SYSTEM;

	otad_bus_refresh_engine (self);
	otad_bus_refresh_sysroot (self);
	if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
					       self->connection, OTA_DBUS_PATH, error)) {
		g_prefix_error (error, _("failed to export %s: "), OTA_DBUS_PATH);
		return FALSE;
	}

	self->owner_id = g_bus_own_name_on_connection (
	    self->connection, OTA_DBUS_SERVICE, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
	    otad_bus_name_acquired_cb, otad_bus_name_lost_cb, self, NULL);
	/* the bus answers RequestName promptly; nothing else runs until it did */
	while (!self->name_acquired && !self->name_lost)
		g_main_context_iteration (NULL, TRUE);
	if (!self->name_acquired) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_FAILED,
		             _("could not own the bus name %s: is another otad running?"),
		             OTA_DBUS_SERVICE);
		return FALSE;
	}
	self->closed_id = g_signal_connect (self->connection, "closed",
					    G_CALLBACK (otad_bus_closed_cb), self);
	otad_bus_idle_update (self);
	g_info ("otad %s ready on %s", PACKAGE_VERSION,
		bus_address != NULL ? bus_address
		: bus_type == G_BUS_TYPE_SESSION ? "the session bus"
						 : "the system bus");

	/* success */
	return TRUE;
}

/* releases the name and the object; safe to call more than once */
void
otad_bus_stop (OtadBus *self)
{
	g_return_if_fail (OTAD_IS_BUS (self));

	g_clear_handle_id (&self->idle_id, g_source_remove);
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

/* Returns: (transfer none) (nullable): polkit's authority, made on the first call */
OtadAuthority *
otad_bus_ensure_authority (OtadBus *self, GError **error)
{
	if (self->authority == NULL && self->connection == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("not connected"));
		return NULL;
	}
	if (self->authority == NULL)
		self->authority = otad_authority_new (self->connection);
	return self->authority;
}

/* Returns: (nullable): the connection while started */
GDBusConnection *
otad_bus_get_connection (OtadBus *self)
{
	g_return_val_if_fail (OTAD_IS_BUS (self), NULL);
	return self->connection;
}

static void
otad_bus_dispose (GObject *object)
{
	OtadBus *self = OTAD_BUS (object);

	otad_bus_stop (self);
	if (self->engine != NULL)
		g_signal_handlers_disconnect_by_data (self->engine, self);
	if (self->sysroot != NULL)
		g_signal_handlers_disconnect_by_data (self->sysroot, self);
	if (self->skeleton != NULL)
		g_signal_handlers_disconnect_by_data (self->skeleton, self);
	otad_bus_idle_clear (self);
	otad_bus_inhibit_clear (self);
	g_clear_object (&self->authority);
	g_clear_object (&self->skeleton);
	g_clear_object (&self->engine);
	g_clear_object (&self->sysroot);
	G_OBJECT_CLASS (otad_bus_parent_class)->dispose (object);
}

static void
otad_bus_class_init (OtadBusClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = otad_bus_dispose;

	/* the daemon cannot go on (name or bus lost); the GError says why */
	otad_bus_signals[SIGNAL_FATAL] =
	    g_signal_new ("fatal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
	/* idle for the idle-exit time with nobody holding otad: the daemon may exit */
	otad_bus_signals[SIGNAL_IDLE] =
	    g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			  NULL, G_TYPE_NONE, 0);
}

static void
otad_bus_init (OtadBus *self)
{
	self->skeleton = ota_dbus_updater1_skeleton_new ();
	ota_dbus_updater1_set_version (self->skeleton, OTA_DBUS_INTERFACE_VERSION);
}

/**
 * otad_bus_new:
 * @engine: the engine whose state the object shows and whose jobs its methods start
 *
 * Returns: (transfer full): the bus object, with its method handlers connected,
 *   not on a bus yet (otad_bus_start())
 */
OtadBus *
otad_bus_new (OtadEngine *engine)
{
	OtadBus *self = g_object_new (OTAD_TYPE_BUS, NULL);

	self->engine = g_object_ref (engine);
	self->sysroot = g_object_ref (otad_engine_get_sysroot (engine));
	g_signal_connect (self->engine, "notify", G_CALLBACK (otad_bus_engine_notify_cb), self);
	g_signal_connect (self->sysroot, "changed", G_CALLBACK (otad_bus_sysroot_changed_cb),
			  self);
	g_signal_connect (self->engine, "job-finished", G_CALLBACK (otad_bus_job_finished_cb),
			  self);
	g_signal_connect (self->engine, "state-changed", G_CALLBACK (otad_bus_state_changed_cb),
			  self);
	g_signal_connect (self->engine, "job-result", G_CALLBACK (otad_bus_job_result_cb), self);
	otad_bus_methods_connect (self);
	otad_bus_schedule_connect (self);
	otad_bus_idle_init (self);
	otad_bus_inhibit_init (self);
	otad_bus_refresh_engine (self);
	otad_bus_refresh_sysroot (self);
	return self;
}
