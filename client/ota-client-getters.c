/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"

/*
 * The getters of OtaClient's state: what the daemon showed last, as the mirror
 * (ota-client-mirror.c) keeps it; each also a GObject property of the same name.
 */

/**
 * ota_client_get_connected:
 * @self: an #OtaClient
 *
 * Returns: %TRUE while the client is connected and otad runs
 *
 * Since: 0.1
 */
gboolean
ota_client_get_connected (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	return self->proxy != NULL;
}

/**
 * ota_client_get_connection:
 * @self: an #OtaClient
 *
 * Returns: (transfer none) (nullable): the bus connection, %NULL before the
 *   client has connected
 *
 * Since: 0.1
 */
GDBusConnection *
ota_client_get_connection (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->connection;
}

/**
 * ota_client_get_bus_address:
 * @self: an #OtaClient
 *
 * Returns: (transfer none) (nullable): the bus address given at construction, if any
 *
 * Since: 0.1
 */
const gchar *
ota_client_get_bus_address (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->bus_address;
}

/**
 * ota_client_get_daemon_version:
 * @self: an #OtaClient
 *
 * Returns: the minor version of the `org.otad.Updater1` interface that otad
 *   implements, 0 when not connected
 *
 * Since: 0.1
 */
guint
ota_client_get_daemon_version (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), 0);
	return self->daemon_version;
}

/**
 * ota_client_get_state:
 * @self: an #OtaClient
 *
 * Returns: the state of the update engine
 *
 * Since: 0.1
 */
OtaState
ota_client_get_state (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), OTA_STATE_IDLE);
	return self->state;
}

/**
 * ota_client_get_error_name:
 * @self: an #OtaClient
 *
 * Returns: (transfer none): the D-Bus error name of the last failure that
 *   happened in the background, e.g. "org.otad.Updater1.Error.Network", or ""
 *
 * Since: 0.1
 */
const gchar *
ota_client_get_error_name (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->error_name;
}

/**
 * ota_client_get_error_message:
 * @self: an #OtaClient
 *
 * Returns: (transfer none): the text of the last background failure, or ""
 *
 * Since: 0.1
 */
const gchar *
ota_client_get_error_message (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->error_message;
}

/**
 * ota_client_get_booted_deployment:
 * @self: an #OtaClient
 *
 * Returns: (transfer none) (nullable): the deployment the system runs, %NULL
 *   when the sysroot is not booted or the client is not connected
 *
 * Since: 0.1
 */
OtaDeployment *
ota_client_get_booted_deployment (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->deployments[OTA_CLIENT_DEPLOYMENT_BOOTED];
}

/**
 * ota_client_get_rollback_deployment:
 * @self: an #OtaClient
 *
 * Returns: (transfer none) (nullable): the deployment in the other A/B slot,
 *   which the system falls back to, or %NULL
 *
 * Since: 0.1
 */
OtaDeployment *
ota_client_get_rollback_deployment (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->deployments[OTA_CLIENT_DEPLOYMENT_ROLLBACK];
}

/**
 * ota_client_get_pending_deployment:
 * @self: an #OtaClient
 *
 * Returns: (transfer none) (nullable): the deployment that boots next when it
 *   is not the booted one (staged or newly deployed), or %NULL
 *
 * Since: 0.1
 */
OtaDeployment *
ota_client_get_pending_deployment (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->deployments[OTA_CLIENT_DEPLOYMENT_PENDING];
}

/**
 * ota_client_get_last_check_time:
 * @self: an #OtaClient
 *
 * Returns: when otad last checked the server successfully, in seconds since
 *   the Unix epoch, or 0 when never
 *
 * Since: 0.1
 */
guint64
ota_client_get_last_check_time (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), 0);
	return self->last_check_time;
}
