/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadSdNotify"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "otad-sd-notify.h"

/*
 * The sd_notify(3) protocol without libsystemd: one datagram with
 * "READY=1" etc. to the AF_UNIX socket named by $NOTIFY_SOCKET ("/path" or
 * "@abstract").  The kernel attaches our credentials; systemd needs nothing more.
 */

/**
 * otad_sd_notify:
 * @state: newline-separated assignments, e.g. "READY=1"
 *
 * Returns: %TRUE if sent, or if there is no $NOTIFY_SOCKET (not run by systemd)
 */
gboolean
otad_sd_notify (const gchar *state, GError **error)
{
	const gchar *path = g_getenv ("NOTIFY_SOCKET");
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GSocketAddress) address = NULL;
	gssize sent;

	if (path == NULL || path[0] == '\0')
		return TRUE;
	if (path[0] == '@') {
		address = g_unix_socket_address_new_with_type (path + 1, -1,
							       G_UNIX_SOCKET_ADDRESS_ABSTRACT);
	} else if (path[0] == '/') {
		address = g_unix_socket_address_new (path);
	} else {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
		             _("unsupported NOTIFY_SOCKET address \"%s\""), path);
		return FALSE;
	}
	sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
			     G_SOCKET_PROTOCOL_DEFAULT, error);
	if (sock == NULL) {
		g_prefix_error (error, _("failed to notify systemd: "));
		return FALSE;
	}
	sent = g_socket_send_to (sock, address, state, strlen (state), NULL, error);
	if (sent < 0) {
		g_prefix_error (error, _("failed to notify systemd at %s: "), path);
		return FALSE;
	}

	/* success */
	return TRUE;
}

/**
 * otad_sd_notify_watchdog_usec:
 *
 * The service watchdog systemd runs for us (`WatchdogSec=`, sd_watchdog_enabled(3)):
 * $WATCHDOG_USEC, when $WATCHDOG_PID is unset or names this process.
 *
 * Returns: the watchdog timeout in microseconds, 0 when there is none
 */
guint64
otad_sd_notify_watchdog_usec (void)
{
	const gchar *usec = g_getenv ("WATCHDOG_USEC");
	const gchar *pid = g_getenv ("WATCHDOG_PID");
	guint64 value = 0;
	guint64 owner = 0;

	if (usec == NULL || !g_ascii_string_to_unsigned (usec, 10, 1, G_MAXUINT64, &value, NULL))
		return 0;
	if (pid != NULL &&
	    (!g_ascii_string_to_unsigned (pid, 10, 1, G_MAXUINT64, &owner, NULL) ||
	     owner != (guint64)getpid ()))
		return 0;
	return value;
}
