/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "ota-error.h"
#include "otad-invocation.h"
#include "otad-test-require.h"

static const OtadOption known_options[] = {
    {"interactive", "b"},
    {"timeout", "u"},
    {"refs", "as"},
};

static GVariant *
parse (const gchar *text)
{
	g_autoptr(GError) error = NULL;
	GVariant *v = g_variant_parse (NULL, text, NULL, NULL, &error);
	g_assert_no_error (error);
	return g_variant_ref_sink (v);
}

static void
assert_options_fail (const gchar *text, const gchar *message)
{
	g_autoptr(GVariant) options = parse (text);
	g_autoptr(GError) error = NULL;

	g_assert_false (otad_invocation_check_options (options, known_options,
						       G_N_ELEMENTS (known_options), &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	g_assert_cmpstr (error->message, ==, message);
}

static void
test_options (void)
{
	g_autoptr(GVariant) empty = parse ("@a{sv} {}");
	g_autoptr(GVariant) good =
	    parse ("{'interactive': <true>, 'timeout': <uint32 5>, 'refs': <['a', 'b']>}");
	g_autoptr(GError) error = NULL;

	g_assert_true (otad_invocation_check_options (empty, known_options,
						      G_N_ELEMENTS (known_options), &error));
	g_assert_no_error (error);
	g_assert_true (otad_invocation_check_options (good, known_options,
						      G_N_ELEMENTS (known_options), &error));
	g_assert_no_error (error);

	/* a misspelt option, or one from a newer interface version, is not ignored */
	assert_options_fail ("{'interactive': <true>, 'interactiv': <true>}",
			     "unknown option \"interactiv\"");
	assert_options_fail ("{'timeout': <5>}", "option \"timeout\" must be of type u, not i");
	assert_options_fail ("{'refs': <'a'>}", "option \"refs\" must be of type as, not s");
	assert_options_fail ("@a{ss} {'interactive': 'yes'}",
			     "options must be of type a{sv}, not a{ss}");
	/* a huge key is cut in the reply (and so in the log), escaped, with its length */
	{
		g_autoptr(GString) key = g_string_new ("k\n");
		g_autofree gchar *text = NULL;
		g_autoptr(GVariant) huge = NULL;
		g_autofree gchar *quoted = NULL;
		while (key->len < 1024 * 1024)
			g_string_append (key, "é");
		text = g_strdup_printf ("{'%s': <1>}", key->str);
		huge = parse (text);
		g_assert_false (otad_invocation_check_options (huge, known_options,
							       G_N_ELEMENTS (known_options),
							       &error));
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
		g_assert_cmpuint (strlen (error->message), <, 200);
		g_assert_true (g_str_has_prefix (error->message, "unknown option \"k\\néé"));
		{
			g_autofree gchar *tail =
			    g_strdup_printf ("…\" (%" G_GSIZE_FORMAT " bytes)", key->len);
			g_assert_true (g_str_has_suffix (error->message, tail));
		}
		g_assert_null (strchr (error->message, '\n'));
		g_clear_error (&error);
		quoted = otad_invocation_quote ("short");
		g_assert_cmpstr (quoted, ==, "\"short\"");
	}
	/* nothing is known: every key is refused */
	{
		g_autoptr(GVariant) one = parse ("{'x': <1>}");
		g_assert_false (otad_invocation_check_options (one, NULL, 0, &error));
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT);
	}
}

static const gchar test_xml[] = "<node>"
				"  <interface name='org.otad.Test'>"
				"    <method name='Fail'><arg type='s' direction='in'/></method>"
				"  </interface>"
				"</node>";

static void
test_method_call_cb (GDBusConnection *connection,
		     const gchar *sender,
		     const gchar *object_path,
		     const gchar *interface_name,
		     const gchar *method_name,
		     GVariant *parameters,
		     GDBusMethodInvocation *invocation,
		     gpointer user_data)
{
	const gchar *which = NULL;
	g_autoptr(GError) error = NULL;

	g_variant_get (parameters, "(&s)", &which);
	if (g_strcmp0 (which, "io") == 0)
		error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such file");
	else if (g_strcmp0 (which, "keyfile") == 0)
		error = g_error_new_literal (G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "bad line");
	else if (g_strcmp0 (which, "ota") == 0)
		error = g_error_new_literal (OTA_ERROR, OTA_ERROR_WRONG_STATE,
					     "Can't call Apply() while in state idle");
	else
		error = g_error_new_literal (G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "other");
	otad_invocation_return_error (invocation, error);
}

static void
call_done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	GError **error = user_data;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res,
								   error);
	g_assert_null (reply);
}

/* calls Fail(@which) and checks the error the caller sees */
static void
assert_remote_error (GDBusConnection *server,
		     GDBusConnection *client,
		     const gchar *which,
		     const gchar *dbus_name,
		     gint code,
		     const gchar *message)
{
	GError *error = NULL;
	g_autofree gchar *remote_name = NULL;

	g_dbus_connection_call (client, g_dbus_connection_get_unique_name (server), "/test",
				"org.otad.Test", "Fail", g_variant_new ("(s)", which), NULL,
				G_DBUS_CALL_FLAGS_NONE, 10000, NULL, call_done_cb, &error);
	while (error == NULL)
		g_main_context_iteration (NULL, TRUE);
	remote_name = g_dbus_error_get_remote_error (error);
	g_assert_cmpstr (remote_name, ==, dbus_name);
	/* the registered domain turns it back into an OtaError in the client */
	g_assert_error (error, OTA_ERROR, code);
	g_dbus_error_strip_remote_error (error);
	g_assert_cmpstr (error->message, ==, message);
	g_error_free (error);
}

static void
test_return_error (void)
{
	g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
	g_autoptr(GDBusConnection) server = NULL;
	g_autoptr(GDBusConnection) client = NULL;
	g_autoptr(GDBusNodeInfo) info = NULL;
	g_autoptr(GError) error = NULL;
	const GDBusInterfaceVTable vtable = {test_method_call_cb, NULL, NULL, {NULL}};
	guint reg_id;

	g_test_dbus_up (bus);
	server = g_dbus_connection_new_for_address_sync (
	    g_test_dbus_get_bus_address (bus),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	g_assert_no_error (error);
	client = g_dbus_connection_new_for_address_sync (
	    g_test_dbus_get_bus_address (bus),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	g_assert_no_error (error);
	info = g_dbus_node_info_new_for_xml (test_xml, &error);
	g_assert_no_error (error);
	reg_id = g_dbus_connection_register_object (server, "/test", info->interfaces[0], &vtable,
						    NULL, NULL, &error);
	g_assert_no_error (error);

	assert_remote_error (server, client, "io", "org.otad.Updater1.Error.NotFound",
			     OTA_ERROR_NOT_FOUND, "no such file");
	assert_remote_error (server, client, "keyfile", "org.otad.Updater1.Error.InvalidConfig",
			     OTA_ERROR_INVALID_CONFIG, "bad line");
	assert_remote_error (server, client, "ota", "org.otad.Updater1.Error.WrongState",
			     OTA_ERROR_WRONG_STATE, "Can't call Apply() while in state idle");
	assert_remote_error (server, client, "other", "org.otad.Updater1.Error.Failed",
			     OTA_ERROR_FAILED, "other");

	g_dbus_connection_unregister_object (server, reg_id);
	g_dbus_connection_close_sync (server, NULL, NULL);
	g_dbus_connection_close_sync (client, NULL, NULL);
	g_test_dbus_down (bus);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_require_program ("dbus-daemon", "dbus-daemon");
	(void)ota_error_quark ();

	g_test_add_func ("/otad/invocation/options", test_options);
	g_test_add_func ("/otad/invocation/return-error", test_return_error);
	return g_test_run ();
}
