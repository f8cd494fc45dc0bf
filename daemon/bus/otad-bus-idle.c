/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBus"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bus-private.h"
#include "otad-invocation.h"

/*
 * What keeps otad running (issue 13): a job, a state that waits for something
 * with a deadline (awaiting-consent, a maintenance window: WaitingUntil), or a client that holds otad to follow
 * its progress (Hold/Release, owner-tracked: a hold ends when its caller
 * leaves the bus).  When none is left for idle_exit_s seconds, ::idle tells
 * the daemon to exit; D-Bus activation brings it back for the next call and
 * everything it shows comes back from the state store and the sysroot.
 *
 * One one-shot timeout armed when otad becomes idle, removed when it stops
 * being idle: no tick, no wake-up while resident and idle but that one.
 */

typedef struct {
	gchar *sender; /* (owned) the unique name of the holder */
	guint watch_id;
} OtadBusHold;

static void
otad_bus_hold_free (OtadBusHold *hold)
{
	if (hold->watch_id != 0)
		g_bus_unwatch_name (hold->watch_id);
	g_free (hold->sender);
	g_free (hold);
}

/* what makes otad stay, besides the holds */
static gboolean
otad_bus_idle_engine_idle (OtadBus *self)
{
	/* an inhibitor's holder expects it to be honoured, and to be listed */
	if (otad_engine_is_inhibited (self->engine))
		return FALSE;
	/* a deferred job or reboot with a deadline (a window opening): otad-check.timer
	 * could start otad again too late for a short window, so the timer stays armed */
	if (otad_engine_get_waiting_until (self->engine) != 0)
		return FALSE;
	switch (otad_engine_get_state (self->engine)) {
	case OTA_STATE_CHECKING:
	case OTA_STATE_AWAITING_CONSENT:
	case OTA_STATE_DOWNLOADING:
	case OTA_STATE_INSTALLING:
	case OTA_STATE_CONFIRMING:
		return FALSE;
	default:
		return !otad_engine_is_busy (self->engine);
	}
}

static gboolean
otad_bus_idle_timeout_cb (gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);

	self->idle_id = 0;
	/* a report flush started without a state change: look again after it */
	if (!otad_bus_idle_engine_idle (self) || g_hash_table_size (self->holds) > 0) {
		otad_bus_idle_update (self);
		return G_SOURCE_REMOVE;
	}
	g_info ("idle for %u s: exiting until the next call or check", self->idle_exit_s);
	/* Release the name first (ReleaseName is a synchronous call): a message
	 * sent from now on activates a new otad; the calls the bus routed to us
	 * before it are already queued in this context and answered here.  Left: a
	 * call that needs polkit's answer in that microsecond window gets no reply. */
	if (self->owner_id != 0) {
		g_bus_unown_name (self->owner_id);
		self->owner_id = 0;
	}
	for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
		;
	g_signal_emit_by_name (self, "idle");
	return G_SOURCE_REMOVE;
}

/* re-evaluates after a change of state, job or holds */
void
otad_bus_idle_update (OtadBus *self)
{
	gboolean idle;

	if (self->idle_exit_s == 0 || self->connection == NULL)
		return;
	idle = otad_bus_idle_engine_idle (self) && g_hash_table_size (self->holds) == 0;
	if (idle && self->idle_id == 0) {
		g_debug ("idle: exiting in %u s unless something happens", self->idle_exit_s);
		self->idle_id = g_timeout_add_seconds (self->idle_exit_s,
						       otad_bus_idle_timeout_cb, self);
	} else if (!idle && self->idle_id != 0) {
		g_clear_handle_id (&self->idle_id, g_source_remove);
	}
}

/**
 * otad_bus_set_idle_exit:
 * @idle_exit_s: seconds of idleness after which ::idle is emitted, 0 never
 *
 * Set before otad_bus_start(); the daemon decides whether otad may exit at
 * all (only when something brings it back: D-Bus activation and a timer).
 */
void
otad_bus_set_idle_exit (OtadBus *self, guint idle_exit_s)
{
	g_return_if_fail (OTAD_IS_BUS (self));
	self->idle_exit_s = idle_exit_s;
	otad_bus_idle_update (self);
}

static void
otad_bus_idle_holder_vanished_cb (GDBusConnection *connection,
				  const gchar *name,
				  gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	GHashTableIter iter;
	OtadBusHold *hold;

	g_hash_table_iter_init (&iter, self->holds);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&hold)) {
		if (g_strcmp0 (hold->sender, name) == 0) {
			g_info ("hold of %s released: it left the bus", name);
			g_hash_table_iter_remove (&iter);
		}
	}
	otad_bus_idle_update (self);
}

static gboolean
otad_bus_idle_handle_hold_cb (OtaDBusUpdater1 *skeleton,
			      GDBusMethodInvocation *invocation,
			      GVariant *options,
			      gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	const gchar *sender = g_dbus_method_invocation_get_sender (invocation);
	g_autoptr(GError) error = NULL;
	OtadBusHold *hold;
	guint handle;

	if (!otad_invocation_check_options (options, NULL, 0, &error)) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	/* 0 is never a handle; wrapping needs 4 billion holds in one run */
	do
		handle = ++self->next_hold;
	while (handle == 0 || g_hash_table_contains (self->holds, GUINT_TO_POINTER (handle)));
	hold = g_new0 (OtadBusHold, 1);
	hold->sender = g_strdup (sender);
	g_hash_table_insert (self->holds, GUINT_TO_POINTER (handle), hold);
	/* a peer connection (no sender) cannot leave a bus: Release ends its hold */
	if (sender != NULL)
		hold->watch_id = g_bus_watch_name_on_connection (
		    g_dbus_method_invocation_get_connection (invocation), sender,
		    G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, otad_bus_idle_holder_vanished_cb, self,
		    NULL);
	g_info ("hold %u by %s", handle, sender);
	otad_bus_idle_update (self);
	ota_dbus_updater1_complete_hold (skeleton, invocation, handle);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
otad_bus_idle_handle_release_cb (OtaDBusUpdater1 *skeleton,
				 GDBusMethodInvocation *invocation,
				 guint handle,
				 gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	const gchar *sender = g_dbus_method_invocation_get_sender (invocation);
	OtadBusHold *hold = g_hash_table_lookup (self->holds, GUINT_TO_POINTER (handle));

	/* only the holder releases its hold */
	if (hold == NULL || g_strcmp0 (hold->sender, sender) != 0) {
		g_autoptr (GError) error = g_error_new (OTA_ERROR, OTA_ERROR_NOT_FOUND,
		                                        _("no hold %u of this caller"), handle);
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	g_hash_table_remove (self->holds, GUINT_TO_POINTER (handle));
	g_info ("hold %u released by %s", handle, sender);
	otad_bus_idle_update (self);
	ota_dbus_updater1_complete_release (skeleton, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
otad_bus_idle_init (OtadBus *self)
{
	self->holds = g_hash_table_new_full (NULL, NULL, NULL,
					     (GDestroyNotify)otad_bus_hold_free);
	g_signal_connect (self->skeleton, "handle-hold",
			  G_CALLBACK (otad_bus_idle_handle_hold_cb), self);
	g_signal_connect (self->skeleton, "handle-release",
			  G_CALLBACK (otad_bus_idle_handle_release_cb), self);
}

void
otad_bus_idle_clear (OtadBus *self)
{
	g_clear_handle_id (&self->idle_id, g_source_remove);
	g_clear_pointer (&self->holds, g_hash_table_unref);
}
