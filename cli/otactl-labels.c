/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-labels.h"

/*
 * The state and history action names are API (D-Bus, --json) and stay as they
 * are; text output shows them translated.  The English "translation" is the
 * name itself, so scripts that parse the English text keep working.
 */

const gchar *
otactl_state_label (OtaState state)
{
	switch (state) {
	case OTA_STATE_IDLE:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "idle");
	case OTA_STATE_CHECKING:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "checking");
	case OTA_STATE_UPDATE_AVAILABLE:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "update-available");
	case OTA_STATE_AWAITING_CONSENT:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "awaiting-consent");
	case OTA_STATE_DOWNLOADING:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "downloading");
	case OTA_STATE_DOWNLOADED:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "downloaded");
	case OTA_STATE_INSTALLING:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "installing");
	case OTA_STATE_PENDING_REBOOT:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "pending-reboot");
	case OTA_STATE_CONFIRMING:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "confirming");
	case OTA_STATE_ROLLED_BACK:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "rolled-back");
	case OTA_STATE_ERROR:
		/* TRANSLATORS: otad's state name; keep it short */
		return C_("state", "error");
	case OTA_STATE_LAST:
	default:
		return ota_state_to_string (state);
	}
}

/* the actions GetHistory reports; an action a newer otad adds shows as it is */
const gchar *
otactl_action_label (const gchar *action)
{
	static const struct {
		const gchar *name;
		const gchar *label;
	} labels[] = {
	    /* TRANSLATORS: history action */
	    {"check", NC_("history action", "check")},
	    /* TRANSLATORS: history action */
	    {"download", NC_("history action", "download")},
	    /* TRANSLATORS: history action */
	    {"install", NC_("history action", "install")},
	    /* TRANSLATORS: history action: the new deployment was confirmed healthy */
	    {"confirm", NC_("history action", "confirm")},
	    /* TRANSLATORS: history action */
	    {"rollback", NC_("history action", "rollback")},
	    /* TRANSLATORS: history action: the health check after boot failed */
	    {"health-check-failed", NC_("history action", "health-check-failed")},
	    /* TRANSLATORS: history action: the bootloader went back to the old slot */
	    {"bootloader-rollback", NC_("history action", "bootloader-rollback")},
	    /* TRANSLATORS: history action: the user agreed to an update */
	    {"consent", NC_("history action", "consent")},
	    /* TRANSLATORS: history action: the user refused an update */
	    {"decline", NC_("history action", "decline")},
	    /* TRANSLATORS: history action: the user put an update off */
	    {"postpone", NC_("history action", "postpone")},
	    /* TRANSLATORS: history action: a downloaded update was thrown away */
	    {"discard", NC_("history action", "discard")},
	};

	for (guint i = 0; i < G_N_ELEMENTS (labels); i++) {
		if (g_strcmp0 (labels[i].name, action) == 0)
			return g_dpgettext2 (GETTEXT_PACKAGE, "history action", labels[i].label);
	}
	return action;
}
