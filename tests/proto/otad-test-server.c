/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <libsoup/soup.h>

#include "otad-test-require.h"
#include "otad-test-server.h"

gchar *
otad_test_mkdtemp (void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp ("otad-proto-XXXXXX", &error);
	g_assert_no_error (error);
	return dir;
}

void
otad_test_rm_rf (const gchar *dir)
{
	const gchar *argv[] = {"rm", "-rf", dir, NULL};
	if (dir == NULL)
		return;
	g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
	              NULL);
}

static void
otad_test_server_child_setup (gpointer user_data)
{
	/* a test that aborts must not leave its server behind */
	prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static JsonObject *
otad_test_server_read_info (const gchar *path)
{
	g_autoptr(JsonParser) parser = json_parser_new ();
	if (!json_parser_load_from_file (parser, path, NULL))
		return NULL;
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

void
otad_test_server_require_tools (void)
{
	/* otaserver.py and its signer tufsign.py: without them the server never writes
	 * server.json and the test would only see a timeout */
	otad_test_require_python_module ("cryptography", "python3-cryptography");
	otad_test_require_python_module ("securesystemslib", "python3-securesystemslib");
}

OtadTestServer *
otad_test_server_start (const gchar *dir, const gchar *const *extra_args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) argv = g_ptr_array_new ();
	g_autofree gchar *script =
	    g_test_build_filename (G_TEST_DIST, "..", "server", "otaserver.py", NULL);
	g_autofree gchar *info_path = g_build_filename (dir, "server.json", NULL);
	g_autoptr(JsonObject) info = NULL;
	OtadTestServer *server = g_new0 (OtadTestServer, 1);

	otad_test_server_require_tools ();
	server->dir = g_strdup (dir);
	g_unlink (info_path);
	g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
	g_ptr_array_add (argv, script);
	g_ptr_array_add (argv, (gpointer) "--dir");
	g_ptr_array_add (argv, (gpointer)dir);
	for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
		g_ptr_array_add (argv, (gpointer)extra_args[i]);
	g_ptr_array_add (argv, NULL);

	{
		/* a Python child must not inherit the sanitizer runtime preload */
		g_autoptr(GSubprocessLauncher) launcher =
		    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
		g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
		g_subprocess_launcher_set_child_setup (launcher, otad_test_server_child_setup, NULL,
		                                       NULL);
		server->proc = g_subprocess_launcher_spawnv (
		    launcher, (const gchar *const *)argv->pdata, &error);
	}
	g_assert_no_error (error);

	/* bounded wait for the server to write its ports */
	for (guint i = 0; i < 300 && info == NULL; i++) {
		if (g_file_test (info_path, G_FILE_TEST_EXISTS))
			info = otad_test_server_read_info (info_path);
		else
			g_usleep (50 * 1000);
	}
	g_assert_nonnull (info);
	server->port = (guint16)json_object_get_int_member (info, "port");
	server->control_port = (guint16)json_object_get_int_member (info, "control_port");
	server->base_url = g_strdup_printf ("https://127.0.0.1:%u", server->port);
	return server;
}

void
otad_test_server_stop (OtadTestServer *server)
{
	if (server->proc == NULL)
		return;
	g_subprocess_send_signal (server->proc, SIGTERM);
	g_subprocess_wait (server->proc, NULL, NULL);
	g_clear_object (&server->proc);
}

void
otad_test_server_free (OtadTestServer *server)
{
	otad_test_server_stop (server);
	g_free (server->dir);
	g_free (server->base_url);
	g_free (server);
}

static GBytes *
otad_test_server_plain (OtadTestServer *server, const gchar *method, const gchar *path,
                        const gchar *json)
{
	g_autoptr(SoupSession) session = soup_session_new ();
	g_autofree gchar *url =
	    g_strdup_printf ("http://127.0.0.1:%u%s", server->control_port, path);
	g_autoptr(SoupMessage) msg = soup_message_new (method, url);
	g_autoptr(GError) error = NULL;
	GBytes *reply;

	if (json != NULL) {
		g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
		soup_message_set_request_body_from_bytes (msg, "application/json", body);
	}
	reply = soup_session_send_and_read (session, msg, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
	return reply;
}

void
otad_test_server_control (OtadTestServer *server, const gchar *path, const gchar *json)
{
	g_autoptr(GBytes) reply = otad_test_server_plain (server, "POST", path, json);
}

JsonArray *
otad_test_server_log (OtadTestServer *server)
{
	g_autoptr(GBytes) reply = otad_test_server_plain (server, "GET", "/log", NULL);
	g_autoptr(JsonParser) parser = json_parser_new ();
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	const gchar *data = g_bytes_get_data (reply, &len);

	json_parser_load_from_data (parser, data, (gssize)len, &error);
	g_assert_no_error (error);
	return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

guint
otad_test_server_count (OtadTestServer *server, const gchar *method, const gchar *path)
{
	g_autoptr(JsonArray) log = otad_test_server_log (server);
	guint n = 0;

	for (guint i = 0; i < json_array_get_length (log); i++) {
		JsonObject *e = json_array_get_object_element (log, i);
		if (!json_object_has_member (e, "path"))
			continue;
		if (method != NULL &&
		    g_strcmp0 (json_object_get_string_member (e, "method"), method) != 0)
			continue;
		if (path != NULL &&
		    g_strcmp0 (json_object_get_string_member (e, "path"), path) != 0)
			continue;
		n++;
	}
	return n;
}

gchar *
otad_test_server_path (OtadTestServer *server, const gchar *file)
{
	return g_build_filename (server->dir, file, NULL);
}

OtadHttp *
otad_test_server_http (OtadTestServer *server)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca = otad_test_server_path (server, "ca.pem");
	g_autofree gchar *cert = otad_test_server_path (server, "device.pem");
	g_autofree gchar *key = otad_test_server_path (server, "device.key");

	g_assert_true (otad_http_set_ca_file (http, ca, &error));
	g_assert_no_error (error);
	g_assert_true (otad_http_set_client_certificate (http, cert, key, &error));
	g_assert_no_error (error);
	otad_http_set_timeout (http, 10);
	return g_steal_pointer (&http);
}
