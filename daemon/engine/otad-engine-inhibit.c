/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-engine-private.h"

/*
 * Inhibitors: while any is held, an install does not start (whether asked for or
 * the policy's) and waits, visibly ("waiting" is "inhibited"), until the last
 * one goes; then it starts by itself.  The engine keeps who holds what; the bus
 * tells it when a holder left (otad-bus-inhibit.c).  Like logind's block
 * inhibitors, they live in memory only: a restarted otad has none.
 */

typedef struct {
	guint handle;
	gchar *owner;  /* (owned) the caller's unique bus name */
	gchar *reason; /* (owned) */
} OtadInhibitor;

static void
otad_inhibitor_free (OtadInhibitor *inhibitor)
{
	g_free (inhibitor->owner);
	g_free (inhibitor->reason);
	g_free (inhibitor);
}

void
otad_engine_inhibit_init (OtadEngine *self)
{
	self->inhibitors = g_ptr_array_new_with_free_func ((GDestroyNotify)otad_inhibitor_free);
}

void
otad_engine_inhibit_clear (OtadEngine *self)
{
	g_clear_pointer (&self->inhibitors, g_ptr_array_unref);
}

gboolean
otad_engine_is_inhibited (OtadEngine *self)
{
	g_return_val_if_fail (OTAD_IS_ENGINE (self), FALSE);
	return self->inhibitors != NULL && self->inhibitors->len > 0;
}

/* the states an install may wait in; any other (an answer dropped the offer) ends it */
static gboolean
otad_engine_inhibit_install_may_wait (OtadEngine *self)
{
	switch (otad_engine_get_state (self)) {
	case OTA_STATE_UPDATE_AVAILABLE:
	case OTA_STATE_AWAITING_CONSENT:
	case OTA_STATE_DOWNLOADED:
		return self->info != NULL && !self->busy;
	default:
		return FALSE;
	}
}

/* "" or why a requested install has not started; read again on every state change */
const gchar *
otad_engine_get_waiting (OtadEngine *self)
{
	g_return_val_if_fail (OTAD_IS_ENGINE (self), "");
	return self->install_waiting && otad_engine_inhibit_install_may_wait (self) ? "inhibited"
										     : "";
}

/* Returns: (transfer full): a(uss): handle, owner, reason, oldest first */
GVariant *
otad_engine_dup_inhibitors (OtadEngine *self)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(uss)"));

	for (guint i = 0; self->inhibitors != NULL && i < self->inhibitors->len; i++) {
		OtadInhibitor *inhibitor = g_ptr_array_index (self->inhibitors, i);
		g_variant_builder_add (&b, "(uss)", inhibitor->handle, inhibitor->owner,
				       inhibitor->reason);
	}
	return g_variant_ref_sink (g_variant_builder_end (&b));
}

/**
 * otad_engine_defer_install:
 *
 * Called where an install would start: while inhibited it waits instead.
 *
 * Returns: %TRUE when the install waits
 */
gboolean
otad_engine_defer_install (OtadEngine *self)
{
	if (!otad_engine_is_inhibited (self))
		return FALSE;
	if (!self->install_waiting) {
		OtadInhibitor *first = g_ptr_array_index (self->inhibitors, 0);
		g_message ("the install waits: inhibited by %s (%s)%s", first->owner,
			   first->reason, self->inhibitors->len > 1 ? " and others" : "");
		self->install_waiting = TRUE;
		otad_engine_notify (self, OTAD_ENGINE_PROP_WAITING);
	}
	return TRUE;
}

/* another job was asked for: it replaces the install that waited */
void
otad_engine_drop_waiting_install (OtadEngine *self)
{
	if (!self->install_waiting)
		return;
	g_info ("the waiting install is dropped: another operation was asked for");
	self->install_waiting = FALSE;
	otad_engine_notify (self, OTAD_ENGINE_PROP_WAITING);
}

/* the last inhibitor went: a waiting install starts now */
static void
otad_engine_inhibit_changed (OtadEngine *self)
{
	g_autoptr(GError) error_local = NULL;
	OtaState state = otad_engine_get_state (self);

	otad_engine_notify (self, OTAD_ENGINE_PROP_INHIBITORS);
	/* a reboot held back by an inhibitor may go now (otad-engine-schedule.c) */
	otad_engine_schedule_evaluate (self);
	if (otad_engine_is_inhibited (self) || !self->install_waiting)
		return;
	self->install_waiting = FALSE;
	otad_engine_notify (self, OTAD_ENGINE_PROP_WAITING);
	if (!otad_engine_inhibit_install_may_wait (self)) {
		g_info ("no install to resume in state %s", ota_state_to_string (state));
		return;
	}
	g_message ("no inhibitor left: the install starts");
	if (!otad_engine_start_job (self, OTAD_ENGINE_JOB_INSTALL, &error_local))
		otad_engine_set_error (self, error_local);
}

/**
 * otad_engine_inhibit:
 * @owner: who holds it (a unique bus name)
 * @reason: why, in words, for the Inhibitors property and the log
 *
 * Returns: the handle, never 0
 */
guint
otad_engine_inhibit (OtadEngine *self, const gchar *owner, const gchar *reason)
{
	OtadInhibitor *inhibitor = g_new0 (OtadInhibitor, 1);
	gboolean taken;

	g_return_val_if_fail (OTAD_IS_ENGINE (self), 0);
	/* 0 is never a handle; wrapping needs 4 billion inhibitors in one run */
	do {
		taken = FALSE;
		inhibitor->handle = ++self->next_inhibitor;
		for (guint i = 0; i < self->inhibitors->len; i++)
			taken |= ((OtadInhibitor *)g_ptr_array_index (self->inhibitors, i))
				     ->handle == inhibitor->handle;
	} while (inhibitor->handle == 0 || taken);
	inhibitor->owner = g_strdup (owner != NULL ? owner : "");
	inhibitor->reason = g_strdup (reason);
	g_ptr_array_add (self->inhibitors, inhibitor);
	g_message ("inhibitor %u by %s: %s", inhibitor->handle, inhibitor->owner, reason);
	otad_engine_inhibit_changed (self);
	return inhibitor->handle;
}

/**
 * otad_engine_uninhibit:
 * @owner: the caller; only the owner releases its inhibitor
 *
 * Returns: %FALSE with %OTA_ERROR_NOT_FOUND when @owner holds no @handle
 */
gboolean
otad_engine_uninhibit (OtadEngine *self, guint handle, const gchar *owner, GError **error)
{
	g_return_val_if_fail (OTAD_IS_ENGINE (self), FALSE);
	for (guint i = 0; i < self->inhibitors->len; i++) {
		OtadInhibitor *inhibitor = g_ptr_array_index (self->inhibitors, i);
		if (inhibitor->handle == handle &&
		    g_strcmp0 (inhibitor->owner, owner != NULL ? owner : "") == 0) {
			g_message ("inhibitor %u released by %s", handle, inhibitor->owner);
			g_ptr_array_remove_index (self->inhibitors, i);
			otad_engine_inhibit_changed (self);
			return TRUE;
		}
	}
	g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND, _("no inhibitor %u of this caller"),
	             handle);
	return FALSE;
}

/* @owner left the bus: its inhibitors go with it */
void
otad_engine_uninhibit_owner (OtadEngine *self, const gchar *owner)
{
	guint removed = 0;

	g_return_if_fail (OTAD_IS_ENGINE (self));
	for (guint i = self->inhibitors->len; i > 0; i--) {
		OtadInhibitor *inhibitor = g_ptr_array_index (self->inhibitors, i - 1);
		if (g_strcmp0 (inhibitor->owner, owner) == 0) {
			g_message ("inhibitor %u released: %s left the bus", inhibitor->handle,
				   owner);
			g_ptr_array_remove_index (self->inhibitors, i - 1);
			removed++;
		}
	}
	if (removed > 0)
		otad_engine_inhibit_changed (self);
}
