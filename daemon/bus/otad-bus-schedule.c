/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBus"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bus-private.h"
#include "otad-invocation.h"
#include "otad-logind.h"

/*
 * The schedule's methods (Version 4): Reboot (polkit org.otad.reboot) and the
 * configuration at run time, GetConfiguration (no authorisation, like the
 * properties), SetConfiguration and ResetConfiguration (org.otad.configure).
 * Each checks its options, then polkit, then hands the call to the engine
 * (otad-engine-schedule.c).  The engine reboots through logind on otad's own
 * connection (otad-logind.c).
 */

static const OtadOption otad_bus_schedule_options[] = {{"interactive", "b"}};

typedef enum {
	OTAD_BUS_SCHEDULE_REBOOT,
	OTAD_BUS_SCHEDULE_SET,
	OTAD_BUS_SCHEDULE_RESET,
} OtadBusScheduleCall;

typedef struct {
	OtadBus *bus;			   /* (owned) */
	GDBusMethodInvocation *invocation; /* (owned) */
	OtadBusScheduleCall call;
	GVariant *arg; /* (owned) (nullable) the values or the keys */
} OtadBusScheduleHelper;

static void
otad_bus_schedule_helper_free (OtadBusScheduleHelper *helper)
{
	g_object_unref (helper->bus);
	g_object_unref (helper->invocation);
	g_clear_pointer (&helper->arg, g_variant_unref);
	g_free (helper);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBusScheduleHelper, otad_bus_schedule_helper_free)

/* the engine's reboot function: logind on this connection, never the host's for a test */
static gboolean
otad_bus_schedule_reboot_func (gpointer user_data, GError **error)
{
	OtadBus *self = OTAD_BUS (user_data);
	const OtadSettings *s = otad_engine_get_settings (self->engine);

	if (self->connection == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
		                     _("not connected"));
		return FALSE;
	}
	if (self->system_bus && (g_strcmp0 (s->sysroot_path, "/") != 0 || s->test_booted != NULL)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
		             _("test sysroot %s: otad does not reboot the host"), s->sysroot_path);
		return FALSE;
	}
	return otad_logind_reboot (self->connection, error);
}

static void
otad_bus_schedule_auth_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(OtadBusScheduleHelper) helper = user_data;
	OtadBus *self = helper->bus;
	g_autoptr(GError) error = NULL;
	g_autofree const gchar **keys = NULL;
	gboolean ok = FALSE;

	if (!otad_authority_check_finish (OTAD_AUTHORITY (source), res, &error)) {
		otad_invocation_return_error (helper->invocation, error);
		return;
	}
	switch (helper->call) {
	case OTAD_BUS_SCHEDULE_REBOOT:
		ok = otad_engine_reboot (self->engine, &error);
		break;
	case OTAD_BUS_SCHEDULE_SET:
		ok = otad_engine_set_configuration (self->engine, helper->arg, &error);
		break;
	case OTAD_BUS_SCHEDULE_RESET:
		keys = g_variant_get_strv (helper->arg, NULL);
		ok = otad_engine_reset_configuration (self->engine, keys, &error);
		break;
	default:
		g_assert_not_reached ();
	}
	if (!ok) {
		otad_invocation_return_error (helper->invocation, error);
		return;
	}
	g_info ("%s from %s", g_dbus_method_invocation_get_method_name (helper->invocation),
		g_dbus_method_invocation_get_sender (helper->invocation));
	g_dbus_method_invocation_return_value (helper->invocation, NULL);
}

static gboolean
otad_bus_schedule_handle (OtadBus *self, GDBusMethodInvocation *invocation,
			  OtadBusScheduleCall call, const gchar *action, GVariant *arg,
			  GVariant *options)
{
	g_autoptr(GError) error = NULL;
	OtadAuthorityCheckFlags flags = OTAD_AUTHORITY_CHECK_FLAG_NONE;
	gboolean interactive = FALSE;
	OtadBusScheduleHelper *helper;

	if (!otad_invocation_check_options (options, otad_bus_schedule_options,
					    G_N_ELEMENTS (otad_bus_schedule_options), &error)) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	if (g_variant_lookup (options, "interactive", "b", &interactive) && interactive)
		flags |= OTAD_AUTHORITY_CHECK_FLAG_ALLOW_INTERACTION;
	if (self->connection == NULL) {
		g_set_error_literal (&error, OTA_ERROR, OTA_ERROR_INTERNAL, _("not connected"));
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	if (self->authority == NULL)
		self->authority = otad_authority_new (self->connection);
	helper = g_new0 (OtadBusScheduleHelper, 1);
	helper->bus = g_object_ref (self);
	helper->invocation = g_object_ref (invocation);
	helper->call = call;
	helper->arg = arg != NULL ? g_variant_ref (arg) : NULL;
	otad_authority_check (self->authority, g_dbus_method_invocation_get_sender (invocation),
			      action, flags, NULL, otad_bus_schedule_auth_cb, helper);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
otad_bus_schedule_reboot_cb (OtaDBusUpdater1 *skeleton, GDBusMethodInvocation *invocation,
			     GVariant *options, gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	g_autoptr(GError) error = NULL;

	/* the state guard first, as for the update methods */
	if (!otad_engine_get_reboot_required (self->engine)) {
		g_set_error_literal (&error, OTA_ERROR, OTA_ERROR_WRONG_STATE,
		                     _("Nothing needs a reboot"));
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	return otad_bus_schedule_handle (self, invocation, OTAD_BUS_SCHEDULE_REBOOT,
					 "org.otad.reboot", NULL, options);
}

static gboolean
otad_bus_schedule_get_configuration_cb (OtaDBusUpdater1 *skeleton,
					GDBusMethodInvocation *invocation, GVariant *options,
					gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) values = NULL;

	if (!otad_invocation_check_options (options, NULL, 0, &error) ||
	    (values = otad_engine_get_configuration (self->engine, NULL, &error)) == NULL) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	ota_dbus_updater1_complete_get_configuration (self->skeleton, invocation, values);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
otad_bus_schedule_set_configuration_cb (OtaDBusUpdater1 *skeleton,
					GDBusMethodInvocation *invocation, GVariant *values,
					GVariant *options, gpointer user_data)
{
	return otad_bus_schedule_handle (OTAD_BUS (user_data), invocation, OTAD_BUS_SCHEDULE_SET,
					 "org.otad.configure", values, options);
}

static gboolean
otad_bus_schedule_reset_configuration_cb (OtaDBusUpdater1 *skeleton,
					  GDBusMethodInvocation *invocation,
					  const gchar *const *keys, GVariant *options,
					  gpointer user_data)
{
	g_autoptr(GVariant) arg = g_variant_ref_sink (g_variant_new_strv (keys, -1));

	return otad_bus_schedule_handle (OTAD_BUS (user_data), invocation,
					 OTAD_BUS_SCHEDULE_RESET, "org.otad.configure", arg,
					 options);
}

/* the properties of the schedule, on every engine notify */
void
otad_bus_schedule_refresh (OtadBus *self)
{
	ota_dbus_updater1_set_waiting_for (self->skeleton,
					   otad_engine_get_waiting_for (self->engine));
	ota_dbus_updater1_set_waiting_until (self->skeleton,
					     otad_engine_get_waiting_until (self->engine));
	ota_dbus_updater1_set_reboot_required (self->skeleton,
					       otad_engine_get_reboot_required (self->engine));
}

void
otad_bus_schedule_connect (OtadBus *self)
{
	otad_engine_set_reboot_func (self->engine, otad_bus_schedule_reboot_func, self);
	g_signal_connect (self->skeleton, "handle-reboot", G_CALLBACK (otad_bus_schedule_reboot_cb),
			  self);
	g_signal_connect (self->skeleton, "handle-get-configuration",
			  G_CALLBACK (otad_bus_schedule_get_configuration_cb), self);
	g_signal_connect (self->skeleton, "handle-set-configuration",
			  G_CALLBACK (otad_bus_schedule_set_configuration_cb), self);
	g_signal_connect (self->skeleton, "handle-reset-configuration",
			  G_CALLBACK (otad_bus_schedule_reset_configuration_cb), self);
}
