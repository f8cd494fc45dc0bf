/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBus"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-logind.h"

/*
 * Rebooting through systemd-logind (org.freedesktop.login1.Manager, systemd's
 * src/login/logind-dbus.c).  logind lets a caller with the ...-ignore-inhibit
 * polkit right (root has it) reboot past a block inhibitor, so calling Reboot is
 * not enough to honour one: otad asks ListInhibitors first and refuses while any
 * "block" inhibitor names "shutdown" in its colon-separated "what" (as
 * systemctl reboot does for a non-forced reboot), then calls Reboot(false): no
 * interactive authentication.
 */

#define OTAD_LOGIND_NAME "org.freedesktop.login1"
#define OTAD_LOGIND_PATH "/org/freedesktop/login1"
#define OTAD_LOGIND_IFACE "org.freedesktop.login1.Manager"
#define OTAD_LOGIND_TIMEOUT_MS 10000

static gboolean
otad_logind_what_has_shutdown (const gchar *what)
{
	g_auto(GStrv) items = g_strsplit (what, ":", -1);
	return g_strv_contains ((const gchar *const *)items, "shutdown");
}

static void
otad_logind_set_error (GError **error, const gchar *method, GError *error_local)
{
	g_dbus_error_strip_remote_error (error_local);
	g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED, _("logind %s: %s"), method,
	             error_local->message);
}

/* FALSE with Inhibited when a block inhibitor holds the reboot back */
static gboolean
otad_logind_check_inhibitors (GDBusConnection *connection, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariantIter) iter = NULL;
	const gchar *what, *who, *why, *mode;
	guint32 uid, pid;

	reply = g_dbus_connection_call_sync (connection, OTAD_LOGIND_NAME, OTAD_LOGIND_PATH,
					     OTAD_LOGIND_IFACE, "ListInhibitors", NULL,
					     G_VARIANT_TYPE ("(a(ssssuu))"),
					     G_DBUS_CALL_FLAGS_NONE, OTAD_LOGIND_TIMEOUT_MS, NULL,
					     &error_local);
	if (reply == NULL) {
		otad_logind_set_error (error, "ListInhibitors", error_local);
		return FALSE;
	}
	g_variant_get (reply, "(a(ssssuu))", &iter);
	while (g_variant_iter_next (iter, "(&s&s&s&suu)", &what, &who, &why, &mode, &uid, &pid)) {
		if (g_strcmp0 (mode, "block") != 0 || !otad_logind_what_has_shutdown (what))
			continue;
		g_set_error (error, OTA_ERROR, OTA_ERROR_INHIBITED,
		             _("The reboot is inhibited by %s (pid %u): %s"), who, pid, why);
		return FALSE;
	}
	return TRUE;
}

/**
 * otad_logind_reboot:
 * @connection: the bus logind is on (the system bus; the private bus in tests)
 *
 * Returns: %TRUE when logind accepted the reboot; Inhibited while a block
 *   inhibitor holds it back, NotSupported when logind cannot be reached
 */
gboolean
otad_logind_reboot (GDBusConnection *connection, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) reply = NULL;

	if (!otad_logind_check_inhibitors (connection, error))
		return FALSE;
	reply = g_dbus_connection_call_sync (connection, OTAD_LOGIND_NAME, OTAD_LOGIND_PATH,
					     OTAD_LOGIND_IFACE, "Reboot",
					     g_variant_new ("(b)", FALSE), NULL,
					     G_DBUS_CALL_FLAGS_NONE, OTAD_LOGIND_TIMEOUT_MS, NULL,
					     &error_local);
	if (reply == NULL) {
		otad_logind_set_error (error, "Reboot", error_local);
		return FALSE;
	}
	return TRUE;
}
