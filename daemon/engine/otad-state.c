/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadState"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-state.h"

/*
 * The update engine's state machine (DESIGN.md, "States"): which transitions
 * exist, and a transition that is persisted before it is announced (the
 * store's ::changed signal is what updates the D-Bus properties).
 */

typedef struct {
	OtaState from;
	OtaState to;
} OtadStateEdge;

/* every state may also go to error; error may be replaced by a newer error */
static const OtadStateEdge otad_state_edges[] = {
    {OTA_STATE_IDLE, OTA_STATE_CHECKING},
    /* a rollback or a local-media update deploys without a check */
    {OTA_STATE_IDLE, OTA_STATE_INSTALLING},
    {OTA_STATE_CHECKING, OTA_STATE_IDLE}, /* no update */
    {OTA_STATE_CHECKING, OTA_STATE_UPDATE_AVAILABLE},
    {OTA_STATE_CHECKING, OTA_STATE_AWAITING_CONSENT}, /* policy consent */
    {OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_CHECKING},
    {OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_AWAITING_CONSENT},
    {OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_DOWNLOADING},
    {OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_IDLE},
    /* Install() of an offer whose commit was downloaded before (a restart) */
    {OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_DOWNLOADED},
    /* Rollback() runs as an installing job (from update-available through idle) */
    {OTA_STATE_PENDING_REBOOT, OTA_STATE_INSTALLING},
    {OTA_STATE_ROLLED_BACK, OTA_STATE_INSTALLING},
    {OTA_STATE_ERROR, OTA_STATE_INSTALLING},
    {OTA_STATE_AWAITING_CONSENT, OTA_STATE_DOWNLOADING},
    {OTA_STATE_AWAITING_CONSENT, OTA_STATE_INSTALLING},
    {OTA_STATE_AWAITING_CONSENT, OTA_STATE_CHECKING},
    {OTA_STATE_AWAITING_CONSENT, OTA_STATE_IDLE},
    {OTA_STATE_AWAITING_CONSENT, OTA_STATE_DOWNLOADED}, /* consent to keep the download */
    {OTA_STATE_DOWNLOADING, OTA_STATE_DOWNLOADED},
    {OTA_STATE_DOWNLOADING, OTA_STATE_AWAITING_CONSENT}, /* policy download-only */
    {OTA_STATE_DOWNLOADING, OTA_STATE_UPDATE_AVAILABLE}, /* cancelled */
    {OTA_STATE_DOWNLOADED, OTA_STATE_INSTALLING},
    {OTA_STATE_DOWNLOADED, OTA_STATE_AWAITING_CONSENT}, /* consent to install */
    {OTA_STATE_DOWNLOADED, OTA_STATE_CHECKING},
    {OTA_STATE_DOWNLOADED, OTA_STATE_IDLE},
    {OTA_STATE_INSTALLING, OTA_STATE_PENDING_REBOOT},
    {OTA_STATE_INSTALLING, OTA_STATE_DOWNLOADED}, /* cancelled */
    {OTA_STATE_INSTALLING, OTA_STATE_IDLE},	      /* cancelled rollback */
    {OTA_STATE_PENDING_REBOOT, OTA_STATE_CONFIRMING},
    {OTA_STATE_PENDING_REBOOT, OTA_STATE_ROLLED_BACK},
    {OTA_STATE_PENDING_REBOOT, OTA_STATE_IDLE}, /* pending deployment dropped */
    {OTA_STATE_CONFIRMING, OTA_STATE_IDLE},
    /* confirmation found the old boot still running */
    {OTA_STATE_CONFIRMING, OTA_STATE_PENDING_REBOOT},
    {OTA_STATE_CONFIRMING, OTA_STATE_ROLLED_BACK},
    {OTA_STATE_ROLLED_BACK, OTA_STATE_IDLE},
    {OTA_STATE_ROLLED_BACK, OTA_STATE_CHECKING},
    {OTA_STATE_ERROR, OTA_STATE_IDLE},
    {OTA_STATE_ERROR, OTA_STATE_CHECKING},
};

gboolean
otad_state_transition_allowed (OtaState from, OtaState to)
{
	g_return_val_if_fail (from < OTA_STATE_LAST, FALSE);
	g_return_val_if_fail (to < OTA_STATE_LAST, FALSE);

	if (to == OTA_STATE_ERROR)
		return TRUE;
	for (guint i = 0; i < G_N_ELEMENTS (otad_state_edges); i++) {
		if (otad_state_edges[i].from == from && otad_state_edges[i].to == to)
			return TRUE;
	}
	return FALSE;
}

/* states in which a worker runs and Cancel() means something */
gboolean
otad_state_is_busy (OtaState state)
{
	return state == OTA_STATE_CHECKING || state == OTA_STATE_DOWNLOADING ||
	       state == OTA_STATE_INSTALLING || state == OTA_STATE_CONFIRMING;
}

void
otad_state_set_wrong_state_error (GError **error, const gchar *method, OtaState state)
{
	/* TRANSLATORS: otad's error for a method in the wrong state, e.g. "Can't call
	 * Install() while in state idle"; the state is otad's name for it, untranslated */
	g_set_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE, _("Can't call %s while in state %s"),
		     method, ota_state_to_string (state));
}

/**
 * otad_state_check_method:
 * @method: the method name for the message, e.g. "Apply()"
 * @allowed: (array length=n_allowed): the states @method may be called in
 *
 * Returns: %TRUE if the current state is in @allowed, else %FALSE with
 * %OTA_ERROR_WRONG_STATE "Can't call Apply() while in state idle"
 */
gboolean
otad_state_check_method (OtadStateStore *store,
			 const gchar *method,
			 const OtaState *allowed,
			 gsize n_allowed,
			 GError **error)
{
	OtaState current = otad_state_store_get_state (store);

	for (gsize i = 0; i < n_allowed; i++) {
		if (allowed[i] == current)
			return TRUE;
	}
	otad_state_set_wrong_state_error (error, method, current);
	return FALSE;
}

static gboolean
otad_state_commit (OtadStateStore *store,
		   OtaState to,
		   const gchar *error_name,
		   const gchar *error_message,
		   GError **error)
{
	OtaState from = otad_state_store_get_state (store);
	g_autofree gchar *old_name = g_strdup (otad_state_store_get_error_name (store));
	g_autofree gchar *old_message = g_strdup (otad_state_store_get_error_message (store));

	if (!otad_state_transition_allowed (from, to)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		             _("invalid state transition from %s to %s"),
		             ota_state_to_string (from), ota_state_to_string (to));
		return FALSE;
	}
	otad_state_store_set_state (store, to);
	otad_state_store_set_error (store, error_name, error_message);
	if (!otad_state_store_save (store, error)) {
		/* nothing was announced: keep memory in line with the disk */
		otad_state_store_set_state (store, from);
		otad_state_store_set_error (store, old_name, old_message);
		return FALSE;
	}
	if (to == OTA_STATE_ERROR)
		g_info ("state %s → error: %s", ota_state_to_string (from), error_message);
	else
		g_info ("state %s → %s", ota_state_to_string (from), ota_state_to_string (to));

	/* success */
	return TRUE;
}

/**
 * otad_state_transition:
 * @to: the new state, not %OTA_STATE_ERROR (use otad_state_set_error())
 *
 * Checks the transition, clears any error, saves the store (which then emits
 * ::changed).  On failure the store is left as it was.
 */
gboolean
otad_state_transition (OtadStateStore *store, OtaState to, GError **error)
{
	g_return_val_if_fail (OTAD_IS_STATE_STORE (store), FALSE);
	g_return_val_if_fail (to != OTA_STATE_ERROR, FALSE);
	return otad_state_commit (store, to, NULL, NULL, error);
}

/**
 * otad_state_set_error:
 * @failure: what went wrong; converted to its #OtaError D-Bus name for ErrorName
 *
 * Moves to %OTA_STATE_ERROR with ErrorName and ErrorMessage from @failure.
 */
gboolean
otad_state_set_error (OtadStateStore *store, const GError *failure, GError **error)
{
	g_autoptr(GError) converted = g_error_copy (failure);

	g_return_val_if_fail (OTAD_IS_STATE_STORE (store), FALSE);
	ota_error_convert (&converted);
	return otad_state_commit (store, OTA_STATE_ERROR,
				  ota_error_to_dbus_name ((OtaError)converted->code),
				  converted->message, error);
}
