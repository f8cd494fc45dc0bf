/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <unistd.h>

#include "otad-sd-notify.h"
#include "otad-test-sysroot.h"

/* binds a datagram socket like systemd's notify socket; returns its $NOTIFY_SOCKET */
static GSocket *
listen_notify (const gchar *name, gboolean abstract, gchar **notify_socket)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) sock =
	    g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, 0, &error);
	g_autoptr(GSocketAddress) address = NULL;

	g_assert_no_error (error);
	address = abstract ? g_unix_socket_address_new_with_type (name, -1,
								   G_UNIX_SOCKET_ADDRESS_ABSTRACT)
			   : g_unix_socket_address_new (name);
	g_assert_true (g_socket_bind (sock, address, FALSE, &error));
	g_assert_no_error (error);
	*notify_socket = abstract ? g_strconcat ("@", name, NULL) : g_strdup (name);
	return g_steal_pointer (&sock);
}

static gchar *
receive (GSocket *sock)
{
	g_autoptr(GError) error = NULL;
	gchar buf[256] = {0};
	gssize len;

	g_socket_set_timeout (sock, 10);
	len = g_socket_receive (sock, buf, sizeof (buf) - 1, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (len, >, 0);
	return g_strndup (buf, (gsize)len);
}

static void
test_path (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("otad-test-notify-XXXXXX", &error);
	g_autofree gchar *path = g_build_filename (dir, "notify", NULL);
	g_autofree gchar *env = NULL;
	g_autoptr(GSocket) sock = listen_notify (path, FALSE, &env);
	g_autofree gchar *msg = NULL;

	g_setenv ("NOTIFY_SOCKET", env, TRUE);
	g_assert_true (otad_sd_notify ("READY=1\nSTATUS=ok", &error));
	g_assert_no_error (error);
	msg = receive (sock);
	g_assert_cmpstr (msg, ==, "READY=1\nSTATUS=ok");
	g_unsetenv ("NOTIFY_SOCKET");
	g_assert_true (otad_test_sysroot_run (&error, NULL, "rm", "-rf", dir, NULL));
}

static void
test_abstract (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *name = g_strdup_printf ("otad-test-notify-%d", (gint)getpid ());
	g_autofree gchar *env = NULL;
	g_autoptr(GSocket) sock = listen_notify (name, TRUE, &env);
	g_autofree gchar *msg = NULL;

	g_setenv ("NOTIFY_SOCKET", env, TRUE);
	g_assert_true (otad_sd_notify ("STOPPING=1", &error));
	g_assert_no_error (error);
	msg = receive (sock);
	g_assert_cmpstr (msg, ==, "STOPPING=1");
	g_unsetenv ("NOTIFY_SOCKET");
}

static void
test_unset_and_bad (void)
{
	g_autoptr(GError) error = NULL;

	/* not started by systemd: nothing to do */
	g_unsetenv ("NOTIFY_SOCKET");
	g_assert_true (otad_sd_notify ("READY=1", &error));
	g_assert_no_error (error);

	g_setenv ("NOTIFY_SOCKET", "vsock:2:1234", TRUE);
	g_assert_false (otad_sd_notify ("READY=1", &error));
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
	g_clear_error (&error);

	/* nobody listens */
	g_setenv ("NOTIFY_SOCKET", "/nonexistent/otad-notify", TRUE);
	g_assert_false (otad_sd_notify ("READY=1", &error));
	g_assert_nonnull (error);
	g_unsetenv ("NOTIFY_SOCKET");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/otad/sd-notify/path", test_path);
	g_test_add_func ("/otad/sd-notify/abstract", test_abstract);
	g_test_add_func ("/otad/sd-notify/unset-and-bad", test_unset_and_bad);
	return g_test_run ();
}
