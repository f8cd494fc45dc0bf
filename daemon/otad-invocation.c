/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadInvocation"

#include "config.h"

#include "ota-error.h"
#include "otad-invocation.h"

/**
 * otad_invocation_check_options:
 * @options: an a{sv} from a method call
 * @specs: the keys the method knows and their types
 *
 * Refuses keys the method does not know and values of the wrong type, so a
 * client written against a newer interface fails loudly instead of having
 * its option silently ignored.
 */
gboolean
otad_invocation_check_options (GVariant *options,
			       const OtadOptionSpec *specs,
			       guint n_specs,
			       GError **error)
{
	GVariantIter iter;
	const gchar *key;
	GVariant *value_raw;

	g_return_val_if_fail (g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT), FALSE);

	g_variant_iter_init (&iter, options);
	while (g_variant_iter_loop (&iter, "{&sv}", &key, &value_raw)) {
		const OtadOptionSpec *spec = NULL;
		for (guint i = 0; i < n_specs; i++) {
			if (g_strcmp0 (specs[i].key, key) == 0) {
				spec = &specs[i];
				break;
			}
		}
		if (spec == NULL) {
			g_set_error (error,
				     OTA_ERROR,
				     OTA_ERROR_INVALID_ARGUMENT,
				     "unknown option '%s'",
				     key);
			return FALSE;
		}
		if (!g_variant_is_of_type (value_raw, G_VARIANT_TYPE (spec->type))) {
			g_set_error (error,
				     OTA_ERROR,
				     OTA_ERROR_INVALID_ARGUMENT,
				     "option '%s' must have type '%s', not '%s'",
				     key,
				     spec->type,
				     g_variant_get_type_string (value_raw));
			return FALSE;
		}
	}

	/* success */
	return TRUE;
}

gboolean
otad_invocation_option_boolean (GVariant *options, const gchar *key, gboolean default_value)
{
	gboolean value = default_value;
	g_variant_lookup (options, key, "b", &value);
	return value;
}

/**
 * otad_invocation_return_gerror:
 *
 * Returns @error to the caller as an #OtaError, whatever domain it came
 * from, so clients only ever see org.otad.Updater1.Error.* names.
 */
void
otad_invocation_return_gerror (GDBusMethodInvocation *invocation, const GError *error)
{
	g_autoptr(GError) copy = g_error_copy (error);
	ota_error_convert (&copy);
	g_dbus_method_invocation_return_gerror (invocation, copy);
}
