/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadInvocation"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-invocation.h"

/*
 * Helpers for D-Bus method handlers: every error leaves as an OtaError
 * (org.otad.Updater1.Error.*), and `a{sv} options` are checked strictly so
 * that a caller who misspells an option, or relies on one a newer otad has,
 * gets told instead of being silently ignored (STYLE.md §4).
 */

/* what a caller sent is echoed in errors and logs at most this long */
#define OTAD_INVOCATION_ECHO_MAX 64

/**
 * otad_invocation_quote:
 * @text: a string from a caller (a key, a type)
 *
 * Any caller can send a 1 MiB option name: what goes back into an error reply and
 * into the journal is the start of it, escaped (no newline reaches the log), with
 * the full length when it was cut.
 *
 * Returns: (transfer full): `"text"` or `"start…" (N bytes)`
 */
gchar *
otad_invocation_quote (const gchar *text)
{
	gsize len = strlen (text);
	const gchar *end = text + MIN (len, (gsize)OTAD_INVOCATION_ECHO_MAX);
	g_autofree gchar *head = NULL;
	g_autofree gchar *escaped = NULL;
	gchar utf8[129];

	/* control characters and quotes escaped, the rest of UTF-8 kept readable */
	for (guint i = 0; i < 128; i++)
		utf8[i] = (gchar)(0x80 + i);
	utf8[128] = '\0';

	/* never cut a UTF-8 sequence in two */
	while (end > text && end < text + len && (*end & 0xC0) == 0x80)
		end--;
	head = g_strndup (text, (gsize)(end - text));
	escaped = g_strescape (head, utf8);
	if ((gsize)(end - text) == len)
		return g_strdup_printf ("\"%s\"", escaped);
	return g_strdup_printf ("\"%s…\" (%" G_GSIZE_FORMAT " bytes)", escaped, len);
}

/**
 * otad_invocation_check_options:
 * @options: an `a{sv}` from a method call
 * @known: (array length=n_known): the keys the method understands and their types
 *
 * Returns: %TRUE if every key of @options is in @known with the right type; else
 *   %FALSE with %OTA_ERROR_INVALID_ARGUMENT naming the key
 */
gboolean
otad_invocation_check_options (GVariant *options,
			       const OtadOption *known,
			       gsize n_known,
			       GError **error)
{
	GVariantIter iter;
	const gchar *key = NULL;
	GVariant *value = NULL;

	g_return_val_if_fail (options != NULL, FALSE);

	if (!g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("options must be of type a{sv}, not %s"),
		             g_variant_get_type_string (options));
		return FALSE;
	}
	g_variant_iter_init (&iter, options);
	while (g_variant_iter_loop (&iter, "{&sv}", &key, &value)) {
		const OtadOption *option = NULL;

		for (gsize i = 0; i < n_known; i++) {
			if (g_strcmp0 (known[i].name, key) == 0) {
				option = &known[i];
				break;
			}
		}
		if (option == NULL) {
			g_autofree gchar *quoted = otad_invocation_quote (key);
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
			             _("unknown option %s"), quoted);
			/* g_variant_iter_loop() frees the value only when it runs to the end */
			g_variant_unref (value);
			return FALSE;
		}
		/* a known key is short; a D-Bus signature has at most 255 bytes */
		if (!g_variant_is_of_type (value, G_VARIANT_TYPE (option->type))) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
			             _("option \"%s\" must be of type %s, not %s"), key,
			             option->type, g_variant_get_type_string (value));
			g_variant_unref (value);
			return FALSE;
		}
	}

	/* success */
	return TRUE;
}

/**
 * otad_invocation_return_error:
 * @error: any error; it is converted to the closest #OtaError, keeping its message
 *
 * Completes @invocation with @error as org.otad.Updater1.Error.NAME.
 */
void
otad_invocation_return_error (GDBusMethodInvocation *invocation, const GError *error)
{
	g_autoptr(GError) converted = g_error_copy (error);

	g_return_if_fail (G_IS_DBUS_METHOD_INVOCATION (invocation));

	ota_error_convert (&converted);
	g_debug ("%s() from %s failed: %s: %s",
		 g_dbus_method_invocation_get_method_name (invocation),
		 g_dbus_method_invocation_get_sender (invocation),
		 ota_error_to_dbus_name ((OtaError)converted->code), converted->message);
	g_dbus_method_invocation_return_gerror (invocation, converted);
}
