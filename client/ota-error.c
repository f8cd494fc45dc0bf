/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"

static const GDBusErrorEntry ota_error_entries[] = {
	{OTA_ERROR_FAILED, "org.otad.Updater1.Error.Failed"},
	{OTA_ERROR_NOT_SUPPORTED, "org.otad.Updater1.Error.NotSupported"},
	{OTA_ERROR_INVALID_ARGUMENT, "org.otad.Updater1.Error.InvalidArgument"},
	{OTA_ERROR_WRONG_STATE, "org.otad.Updater1.Error.WrongState"},
	{OTA_ERROR_AUTH_FAILED, "org.otad.Updater1.Error.AuthFailed"},
	{OTA_ERROR_CANCELLED, "org.otad.Updater1.Error.Cancelled"},
	{OTA_ERROR_BUSY, "org.otad.Updater1.Error.Busy"},
	{OTA_ERROR_NO_UPDATE, "org.otad.Updater1.Error.NoUpdate"},
	{OTA_ERROR_INVALID_CONFIG, "org.otad.Updater1.Error.InvalidConfig"},
	{OTA_ERROR_NETWORK, "org.otad.Updater1.Error.Network"},
	{OTA_ERROR_TLS, "org.otad.Updater1.Error.Tls"},
	{OTA_ERROR_SERVER, "org.otad.Updater1.Error.Server"},
	{OTA_ERROR_VERIFICATION, "org.otad.Updater1.Error.Verification"},
	{OTA_ERROR_NO_SPACE, "org.otad.Updater1.Error.NoSpace"},
	{OTA_ERROR_DEPLOYMENT, "org.otad.Updater1.Error.Deployment"},
	{OTA_ERROR_BOOTLOADER, "org.otad.Updater1.Error.Bootloader"},
	{OTA_ERROR_HEALTH_CHECK, "org.otad.Updater1.Error.HealthCheck"},
	{OTA_ERROR_NOT_FOUND, "org.otad.Updater1.Error.NotFound"},
	{OTA_ERROR_INTERNAL, "org.otad.Updater1.Error.Internal"},
	{OTA_ERROR_INHIBITED, "org.otad.Updater1.Error.Inhibited"},
	{OTA_ERROR_STALE_OFFER, "org.otad.Updater1.Error.StaleOffer"},
};
G_STATIC_ASSERT (G_N_ELEMENTS (ota_error_entries) == OTA_ERROR_LAST);

/**
 * ota_error_quark:
 *
 * Registers the #OtaError domain with GDBus on first use, so that errors from
 * otad arrive as #OtaError codes.
 *
 * Returns: the #OtaError quark
 *
 * Since: 0.1
 */
GQuark
ota_error_quark (void)
{
	static gsize quark = 0;
	g_dbus_error_register_error_domain ("ota-error-quark",
					    &quark,
					    ota_error_entries,
					    G_N_ELEMENTS (ota_error_entries));
	return (GQuark)quark;
}

/**
 * ota_error_to_dbus_name:
 * @code: an #OtaError
 *
 * Returns: (transfer none): the D-Bus error name of @code
 *
 * Since: 0.1
 */
const gchar *
ota_error_to_dbus_name (OtaError code)
{
	g_return_val_if_fail (code < OTA_ERROR_LAST, NULL);
	return ota_error_entries[code].dbus_error_name;
}

static OtaError
ota_error_from_io (gint code)
{
	switch (code) {
	case G_IO_ERROR_CANCELLED:
		return OTA_ERROR_CANCELLED;
	case G_IO_ERROR_NOT_FOUND:
		return OTA_ERROR_NOT_FOUND;
	case G_IO_ERROR_NO_SPACE:
		return OTA_ERROR_NO_SPACE;
	case G_IO_ERROR_INVALID_ARGUMENT:
	case G_IO_ERROR_INVALID_DATA:
		return OTA_ERROR_INVALID_ARGUMENT;
	case G_IO_ERROR_NOT_SUPPORTED:
		return OTA_ERROR_NOT_SUPPORTED;
	case G_IO_ERROR_PERMISSION_DENIED:
		return OTA_ERROR_AUTH_FAILED;
	case G_IO_ERROR_BUSY:
		return OTA_ERROR_BUSY;
	case G_IO_ERROR_TIMED_OUT:
	case G_IO_ERROR_HOST_NOT_FOUND:
	case G_IO_ERROR_HOST_UNREACHABLE:
	case G_IO_ERROR_NETWORK_UNREACHABLE:
	case G_IO_ERROR_CONNECTION_REFUSED:
	case G_IO_ERROR_CONNECTION_CLOSED:
		return OTA_ERROR_NETWORK;
	default:
		return OTA_ERROR_FAILED;
	}
}

/**
 * ota_error_convert:
 * @perror: (inout) (optional) (nullable): a #GError to convert in place
 *
 * Converts a GIO, GKeyFile, TLS, D-Bus or other error into the closest
 * #OtaError, keeping its message.  Errors already in the #OtaError domain
 * are left alone.
 *
 * Returns: %TRUE if the error was converted or already an #OtaError
 *
 * Since: 0.1
 */
gboolean
ota_error_convert (GError **perror)
{
	GError *error = (perror != NULL) ? *perror : NULL;

	if (error == NULL)
		return FALSE;
	if (error->domain == OTA_ERROR)
		return TRUE;
	if (error->domain == G_IO_ERROR) {
		error->code = ota_error_from_io (error->code);
	} else if (error->domain == G_KEY_FILE_ERROR) {
		error->code = OTA_ERROR_INVALID_CONFIG;
	} else if (error->domain == G_TLS_ERROR) {
		error->code = OTA_ERROR_TLS;
	} else if (error->domain == G_RESOLVER_ERROR) {
		error->code = OTA_ERROR_NETWORK;
	} else if (error->domain == G_FILE_ERROR) {
		error->code = error->code == G_FILE_ERROR_NOENT	 ? OTA_ERROR_NOT_FOUND
			      : error->code == G_FILE_ERROR_NOSPC ? OTA_ERROR_NO_SPACE
								  : OTA_ERROR_FAILED;
	} else if (error->domain == G_DBUS_ERROR) {
		error->code = (error->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
			       error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER ||
			       error->code == G_DBUS_ERROR_UNKNOWN_METHOD)
				  ? OTA_ERROR_NOT_SUPPORTED
			      : error->code == G_DBUS_ERROR_ACCESS_DENIED ? OTA_ERROR_AUTH_FAILED
									  : OTA_ERROR_FAILED;
	} else {
		error->code = OTA_ERROR_FAILED;
	}
	error->domain = OTA_ERROR;
	return TRUE;
}

/**
 * ota_error_strip_remote:
 * @error: a #GError from a D-Bus call
 *
 * Removes the "GDBus.Error:org.otad..." prefix that GDBus puts in front of
 * remote error messages, so they read as the daemon wrote them.
 *
 * Since: 0.1
 */
void
ota_error_strip_remote (GError *error)
{
	g_return_if_fail (error != NULL);
	if (g_dbus_error_is_remote_error (error))
		g_dbus_error_strip_remote_error (error);
}
