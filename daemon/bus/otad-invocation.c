/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadInvocation"

#include "config.h"

#include "ota-error.h"
#include "otad-invocation.h"

/*
 * Helpers for D-Bus method handlers: every error leaves as an OtaError
 * (org.otad.Updater1.Error.*), and `a{sv} options` are checked strictly so
 * that a caller who misspells an option, or relies on one a newer otad has,
 * gets told instead of being silently ignored (STYLE.md §4).
 */

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
			     "options must be of type a{sv}, not %s",
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
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
				     "unknown option \"%s\"", key);
			/* g_variant_iter_loop() frees the value only when it runs to the end */
			g_variant_unref (value);
			return FALSE;
		}
		if (!g_variant_is_of_type (value, G_VARIANT_TYPE (option->type))) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
				     "option \"%s\" must be of type %s, not %s", key, option->type,
				     g_variant_get_type_string (value));
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
