/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBus"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bus-private.h"
#include "otad-invocation.h"

/*
 * Inhibit/Uninhibit: an application holds installs (and reboots) back while
 * it does something that must not be interrupted.  The engine keeps the
 * inhibitors and decides; this side checks the caller (polkit's
 * org.otad.install, as for starting an install) and watches each holder's
 * unique name, so an inhibitor ends when its holder leaves the bus, as
 * logind's do when their file descriptor closes.
 */

/* a reason is shown in the Inhibitors property and in logs: one line, short */
#define OTAD_BUS_INHIBIT_REASON_MAX 256

static const OtadOption otad_bus_inhibit_options[] = {{"interactive", "b"}};

typedef struct {
	OtadBus *bus;			   /* (owned) */
	GDBusMethodInvocation *invocation; /* (owned) */
	gchar *reason;			   /* (owned) */
} OtadBusInhibitHelper;

static void
otad_bus_inhibit_helper_free (OtadBusInhibitHelper *helper)
{
	g_object_unref (helper->bus);
	g_object_unref (helper->invocation);
	g_free (helper->reason);
	g_free (helper);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBusInhibitHelper, otad_bus_inhibit_helper_free)

static void
otad_bus_inhibit_owner_vanished_cb (GDBusConnection *connection,
				    const gchar *name,
				    gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);

	/* the watch goes first: the engine may start the install from here */
	g_hash_table_remove (self->inhibit_watches, name);
	otad_engine_uninhibit_owner (self->engine, name);
}

static gboolean
otad_bus_inhibit_owner_holds_any (OtadBus *self, const gchar *owner)
{
	g_autoptr(GVariant) list = otad_engine_dup_inhibitors (self->engine);
	GVariantIter iter;
	const gchar *holder;

	g_variant_iter_init (&iter, list);
	while (g_variant_iter_next (&iter, "(u&s&s)", NULL, &holder, NULL))
		if (g_strcmp0 (holder, owner) == 0)
			return TRUE;
	return FALSE;
}

static void
otad_bus_inhibit_watch (OtadBus *self, GDBusConnection *connection, const gchar *owner)
{
	guint watch_id;

	/* a peer connection (no sender) cannot leave a bus: Uninhibit ends it */
	if (owner == NULL || g_hash_table_contains (self->inhibit_watches, owner))
		return;
	/* an owner already gone is reported at once, from the main loop */
	watch_id = g_bus_watch_name_on_connection (connection, owner,
						   G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
						   otad_bus_inhibit_owner_vanished_cb, self, NULL);
	g_hash_table_insert (self->inhibit_watches, g_strdup (owner), GUINT_TO_POINTER (watch_id));
}

static void
otad_bus_inhibit_auth_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(OtadBusInhibitHelper) helper = user_data;
	OtadBus *self = helper->bus;
	GDBusMethodInvocation *invocation = helper->invocation;
	const gchar *owner = g_dbus_method_invocation_get_sender (invocation);
	g_autoptr(GError) error = NULL;
	guint handle;

	if (!otad_authority_check_finish (OTAD_AUTHORITY (source), res, &error)) {
		otad_invocation_return_error (invocation, error);
		return;
	}
	handle = otad_engine_inhibit (self->engine, owner, helper->reason);
	otad_bus_inhibit_watch (self, g_dbus_method_invocation_get_connection (invocation), owner);
	otad_bus_idle_update (self);
	ota_dbus_updater1_complete_inhibit (self->skeleton, invocation, handle);
}

static gboolean
otad_bus_inhibit_reason_ok (const gchar *reason, GError **error)
{
	if (reason[0] == '\0' || strlen (reason) > OTAD_BUS_INHIBIT_REASON_MAX ||
	    strchr (reason, '\n') != NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("the reason must be one line of 1 to %u bytes"),
		             OTAD_BUS_INHIBIT_REASON_MAX);
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_bus_inhibit_handle_inhibit_cb (OtaDBusUpdater1 *skeleton,
				    GDBusMethodInvocation *invocation,
				    const gchar *reason,
				    GVariant *options,
				    gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	g_autoptr(GError) error = NULL;
	OtadAuthorityCheckFlags flags = OTAD_AUTHORITY_CHECK_FLAG_NONE;
	gboolean interactive = FALSE;
	OtadAuthority *authority;
	OtadBusInhibitHelper *helper;

	if (!otad_bus_inhibit_reason_ok (reason, &error) ||
	    !otad_invocation_check_options (options, otad_bus_inhibit_options,
					    G_N_ELEMENTS (otad_bus_inhibit_options), &error) ||
	    (authority = otad_bus_ensure_authority (self, &error)) == NULL) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	if (g_variant_lookup (options, "interactive", "b", &interactive) && interactive)
		flags |= OTAD_AUTHORITY_CHECK_FLAG_ALLOW_INTERACTION;
	helper = g_new0 (OtadBusInhibitHelper, 1);
	helper->bus = g_object_ref (self);
	helper->invocation = g_object_ref (invocation);
	helper->reason = g_strdup (reason);
	otad_authority_check (authority, g_dbus_method_invocation_get_sender (invocation),
			      "org.otad.install", flags, NULL, otad_bus_inhibit_auth_cb, helper);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* only the holder releases its inhibitor: no authorisation beyond that */
static gboolean
otad_bus_inhibit_handle_uninhibit_cb (OtaDBusUpdater1 *skeleton,
				      GDBusMethodInvocation *invocation,
				      guint handle,
				      gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	const gchar *owner = g_dbus_method_invocation_get_sender (invocation);
	g_autoptr(GError) error = NULL;

	if (!otad_engine_uninhibit (self->engine, handle, owner, &error)) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	if (owner != NULL && !otad_bus_inhibit_owner_holds_any (self, owner))
		g_hash_table_remove (self->inhibit_watches, owner);
	otad_bus_idle_update (self);
	ota_dbus_updater1_complete_uninhibit (skeleton, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
otad_bus_inhibit_unwatch (gpointer watch_id)
{
	g_bus_unwatch_name (GPOINTER_TO_UINT (watch_id));
}

void
otad_bus_inhibit_init (OtadBus *self)
{
	self->inhibit_watches =
	    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, otad_bus_inhibit_unwatch);
	g_signal_connect (self->skeleton, "handle-inhibit",
			  G_CALLBACK (otad_bus_inhibit_handle_inhibit_cb), self);
	g_signal_connect (self->skeleton, "handle-uninhibit",
			  G_CALLBACK (otad_bus_inhibit_handle_uninhibit_cb), self);
}

void
otad_bus_inhibit_clear (OtadBus *self)
{
	g_clear_pointer (&self->inhibit_watches, g_hash_table_unref);
}
