/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reference for otad's idle footprint in bench/run: a daemon that does
 * nothing but load and initialise the stack otad is built on (GLib/GIO,
 * libostree, libsoup 3 with a session, json-glib, gnutls, polkit) and own a
 * name on a bus.  Whatever otad holds above this is otad's own cost.
 *
 * usage: otad-bench-skeleton BUS-ADDRESS
 */
#include "config.h"

#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <ostree.h>
#include <polkit/polkit.h>

static void
name_acquired_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	g_print ("ready\n");
}

int
main (int argc, char **argv)
{
	g_autoptr(GDBusConnection) connection = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(SoupSession) session = NULL;
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(PolkitSubject) subject = NULL;

	if (argc != 2) {
		g_printerr ("usage: %s BUS-ADDRESS\n", argv[0]);
		return 2;
	}
	/* the libraries, loaded and initialised as otad has them when idle */
	if (gnutls_global_init () < 0)
		return 1;
	session = soup_session_new ();
	parser = json_parser_new ();
	g_type_ensure (OSTREE_TYPE_REPO);
	g_type_ensure (OSTREE_TYPE_SYSROOT);
	subject = polkit_unix_process_new_for_owner (getpid (), 0, -1);

	connection = g_dbus_connection_new_for_address_sync (
	    argv[1],
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	if (connection == NULL) {
		g_printerr ("%s\n", error->message);
		return 1;
	}
	g_bus_own_name_on_connection (connection, "org.otad.BenchSkeleton",
				      G_BUS_NAME_OWNER_FLAGS_NONE, name_acquired_cb, NULL, NULL,
				      NULL);
	loop = g_main_loop_new (NULL, FALSE);
	g_main_loop_run (loop);
	return 0;
}
