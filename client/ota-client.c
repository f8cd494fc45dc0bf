/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-enum-types.h"
#include "ota-error.h"

/**
 * OtaClient:
 *
 * A connection to otad, the OTA update daemon.
 *
 * Create one with ota_client_new(), connect it with ota_client_connect_async()
 * (or ota_client_connect_sync()), then read the daemon's state through the
 * getters or the GObject properties.  The client follows the daemon: every
 * change of a daemon property emits #GObject::notify for the matching client
 * property, in the thread-default #GMainContext of the thread that created the
 * client.  When otad exits, the properties go back to their defaults and
 * #OtaClient:connected becomes %FALSE; when it comes back they are reloaded.
 *
 * An #OtaClient is not thread-safe: use it from the thread that created it.
 *
 * Since: 0.1
 */

G_DEFINE_FINAL_TYPE (OtaClient, ota_client, G_TYPE_OBJECT)

static GParamSpec *ota_client_props[PROP_LAST] = {NULL};

void
ota_client_notify (OtaClient *self, guint prop_id)
{
	g_object_notify_by_pspec (G_OBJECT (self), ota_client_props[prop_id]);
}

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

/**
 * ota_client_new:
 *
 * Creates a client for otad on the system bus.  Property changes are
 * notified in the thread-default main context of the calling thread.
 *
 * Returns: (transfer full): a new #OtaClient
 *
 * Since: 0.1
 */
OtaClient *
ota_client_new (void)
{
	return g_object_new (OTA_TYPE_CLIENT, NULL);
}

/**
 * ota_client_new_for_bus_address:
 * @address: a D-Bus address, e.g. "unix:path=/run/test-bus"
 *
 * Creates a client for otad on the message bus at @address instead of the
 * system bus, for tests and development.
 *
 * Returns: (transfer full): a new #OtaClient
 *
 * Since: 0.1
 */
OtaClient *
ota_client_new_for_bus_address (const gchar *address)
{
	g_return_val_if_fail (address != NULL, NULL);
	return g_object_new (OTA_TYPE_CLIENT, "bus-address", address, NULL);
}

/**
 * ota_client_new_for_connection:
 * @connection: a #GDBusConnection to a message bus
 *
 * Creates a client for otad on the bus @connection is connected to.
 *
 * Returns: (transfer full): a new #OtaClient
 *
 * Since: 0.1
 */
OtaClient *
ota_client_new_for_connection (GDBusConnection *connection)
{
	g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
	return g_object_new (OTA_TYPE_CLIENT, "connection", connection, NULL);
}

static void
ota_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	OtaClient *self = OTA_CLIENT (object);

	switch (prop_id) {
	case PROP_CONNECTION:
		g_value_set_object (value, self->connection);
		break;
	case PROP_BUS_ADDRESS:
		g_value_set_string (value, self->bus_address);
		break;
	case PROP_CONNECTED:
		g_value_set_boolean (value, self->proxy != NULL);
		break;
	case PROP_DAEMON_VERSION:
		g_value_set_uint (value, self->daemon_version);
		break;
	case PROP_STATE:
		g_value_set_enum (value, self->state);
		break;
	case PROP_ERROR_NAME:
		g_value_set_string (value, self->error_name);
		break;
	case PROP_ERROR_MESSAGE:
		g_value_set_string (value, self->error_message);
		break;
	case PROP_BOOTED_DEPLOYMENT:
		g_value_set_object (value, self->deployments[OTA_CLIENT_DEPLOYMENT_BOOTED]);
		break;
	case PROP_ROLLBACK_DEPLOYMENT:
		g_value_set_object (value, self->deployments[OTA_CLIENT_DEPLOYMENT_ROLLBACK]);
		break;
	case PROP_PENDING_DEPLOYMENT:
		g_value_set_object (value, self->deployments[OTA_CLIENT_DEPLOYMENT_PENDING]);
		break;
	case PROP_LAST_CHECK_TIME:
		g_value_set_uint64 (value, self->last_check_time);
		break;
	case PROP_UPDATE_INFO:
		g_value_set_object (value, self->update_info);
		break;
	case PROP_DOWNLOADED_BYTES:
		g_value_set_uint64 (value, self->downloaded_bytes);
		break;
	case PROP_DOWNLOAD_SIZE:
		g_value_set_uint64 (value, self->download_size);
		break;
	case PROP_PROGRESS:
		g_value_set_uint (value, self->progress);
		break;
	case PROP_POLICY:
		g_value_set_string (value, self->policy);
		break;
	case PROP_NEXT_CHECK_TIME:
		g_value_set_uint64 (value, self->next_check_time);
		break;
	case PROP_PROGRESS_PHASE:
		g_value_set_string (value, self->progress_phase);
		break;
	case PROP_TIME_REMAINING:
		g_value_set_int64 (value, self->time_remaining);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	OtaClient *self = OTA_CLIENT (object);

	switch (prop_id) {
	case PROP_CONNECTION:
		g_set_object (&self->connection, g_value_get_object (value));
		break;
	case PROP_BUS_ADDRESS:
		g_free (self->bus_address);
		self->bus_address = g_value_dup_string (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_client_dispose (GObject *object)
{
	OtaClient *self = OTA_CLIENT (object);

	ota_client_unsubscribe (self);
	g_clear_object (&self->proxy);
	g_clear_object (&self->connection);
	for (guint i = 0; i < OTA_CLIENT_DEPLOYMENT_LAST; i++) {
		g_clear_object (&self->deployments[i]);
		g_clear_pointer (&self->deployment_values[i], g_variant_unref);
	}
	g_clear_object (&self->update_info);
	g_clear_pointer (&self->update_info_value, g_variant_unref);

	G_OBJECT_CLASS (ota_client_parent_class)->dispose (object);
}

static void
ota_client_finalize (GObject *object)
{
	OtaClient *self = OTA_CLIENT (object);

	g_free (self->bus_address);
	g_free (self->error_name);
	g_free (self->error_message);
	g_free (self->policy);
	g_free (self->progress_phase);
	g_main_context_unref (self->context);

	G_OBJECT_CLASS (ota_client_parent_class)->finalize (object);
}

static void
ota_client_init (OtaClient *self)
{
	self->context = g_main_context_ref_thread_default ();
	self->state = OTA_STATE_IDLE;
	self->error_name = g_strdup ("");
	self->error_message = g_strdup ("");
	self->policy = g_strdup ("");
	self->progress_phase = g_strdup ("");
	self->time_remaining = -1;
}

static void
ota_client_class_init (OtaClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

	object_class->get_property = ota_client_get_property;
	object_class->set_property = ota_client_set_property;
	object_class->dispose = ota_client_dispose;
	object_class->finalize = ota_client_finalize;

	/* remote errors must map to OtaError from the first call on */
	g_type_ensure (OTA_TYPE_DEPLOYMENT);
	g_type_ensure (OTA_TYPE_UPDATE_INFO);
	g_type_ensure (OTA_TYPE_HISTORY_ENTRY);
	(void)ota_error_quark ();
	ota_client_signals_class_init (klass);

	/**
	 * OtaClient:connection:
	 *
	 * The bus connection; set it at construction to use a bus other than
	 * the system bus.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_CONNECTION] =
	    g_param_spec_object ("connection",
				 NULL,
				 NULL,
				 G_TYPE_DBUS_CONNECTION,
				 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
				     G_PARAM_STATIC_STRINGS);

	/**
	 * OtaClient:bus-address:
	 *
	 * The address of the message bus to connect to instead of the system
	 * bus, for tests and development.  Ignored when #OtaClient:connection
	 * is set.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_BUS_ADDRESS] =
	    g_param_spec_string ("bus-address",
				 NULL,
				 NULL,
				 NULL,
				 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

	/**
	 * OtaClient:connected:
	 *
	 * Whether the client is connected and otad runs.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_CONNECTED] =
	    g_param_spec_boolean ("connected", NULL, NULL, FALSE, ro);

	/**
	 * OtaClient:daemon-version:
	 *
	 * The minor version of the D-Bus interface otad implements.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_DAEMON_VERSION] =
	    g_param_spec_uint ("daemon-version", NULL, NULL, 0, G_MAXUINT, 0, ro);

	/**
	 * OtaClient:state:
	 *
	 * The state of the update engine.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_STATE] =
	    g_param_spec_enum ("state", NULL, NULL, OTA_TYPE_STATE, OTA_STATE_IDLE, ro);

	/**
	 * OtaClient:error-name:
	 *
	 * The D-Bus error name of the last background failure, or "".
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_ERROR_NAME] = g_param_spec_string ("error-name", NULL, NULL, "", ro);

	/**
	 * OtaClient:error-message:
	 *
	 * The text of the last background failure, or "".
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_ERROR_MESSAGE] =
	    g_param_spec_string ("error-message", NULL, NULL, "", ro);

	/**
	 * OtaClient:booted-deployment:
	 *
	 * The deployment the system runs.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_BOOTED_DEPLOYMENT] =
	    g_param_spec_object ("booted-deployment", NULL, NULL, OTA_TYPE_DEPLOYMENT, ro);

	/**
	 * OtaClient:rollback-deployment:
	 *
	 * The deployment in the other A/B slot.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_ROLLBACK_DEPLOYMENT] =
	    g_param_spec_object ("rollback-deployment", NULL, NULL, OTA_TYPE_DEPLOYMENT, ro);

	/**
	 * OtaClient:pending-deployment:
	 *
	 * The deployment that boots next, when it is not the booted one.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_PENDING_DEPLOYMENT] =
	    g_param_spec_object ("pending-deployment", NULL, NULL, OTA_TYPE_DEPLOYMENT, ro);

	/**
	 * OtaClient:last-check-time:
	 *
	 * When otad last checked the server successfully, in seconds since the
	 * Unix epoch; 0 when never.
	 *
	 * Since: 0.1
	 */
	ota_client_props[PROP_LAST_CHECK_TIME] =
	    g_param_spec_uint64 ("last-check-time", NULL, NULL, 0, G_MAXUINT64, 0, ro);

	/**
	 * OtaClient:update-info:
	 *
	 * The verified update on offer, %NULL when there is none.
	 *
	 * Since: 0.2
	 */
	ota_client_props[PROP_UPDATE_INFO] =
	    g_param_spec_object ("update-info", NULL, NULL, OTA_TYPE_UPDATE_INFO, ro);

	/**
	 * OtaClient:downloaded-bytes:
	 *
	 * The bytes the running download has fetched so far.
	 *
	 * Since: 0.2
	 */
	ota_client_props[PROP_DOWNLOADED_BYTES] =
	    g_param_spec_uint64 ("downloaded-bytes", NULL, NULL, 0, G_MAXUINT64, 0, ro);

	/**
	 * OtaClient:download-size:
	 *
	 * The bytes the running download fetches in all, 0 when unknown; fixed
	 * when the job starts.
	 *
	 * Since: 0.2
	 */
	ota_client_props[PROP_DOWNLOAD_SIZE] =
	    g_param_spec_uint64 ("download-size", NULL, NULL, 0, G_MAXUINT64, 0, ro);

	/**
	 * OtaClient:progress:
	 *
	 * The progress of the running job, 0 to 100; never decreases within a
	 * job and is 100 when it succeeded.
	 *
	 * Since: 0.2
	 */
	ota_client_props[PROP_PROGRESS] =
	    g_param_spec_uint ("progress", NULL, NULL, 0, 100, 0, ro);

	/**
	 * OtaClient:policy:
	 *
	 * How updates are applied: "automatic", "download-only", "consent" or
	 * "manual"; "" when not connected.
	 *
	 * Since: 0.2
	 */
	ota_client_props[PROP_POLICY] = g_param_spec_string ("policy", NULL, NULL, "", ro);

	/**
	 * OtaClient:next-check-time:
	 *
	 * When the next automatic check is due, in seconds since the Unix
	 * epoch; 0 when polling is off.
	 *
	 * Since: 0.2
	 */
	ota_client_props[PROP_NEXT_CHECK_TIME] =
	    g_param_spec_uint64 ("next-check-time", NULL, NULL, 0, G_MAXUINT64, 0, ro);

	/**
	 * OtaClient:progress-phase:
	 *
	 * What the running job does: "checking", "preparing", "downloading",
	 * "applying", "verifying", "installing", "rolling-back" or "confirming";
	 * "" when no job runs (or the daemon is older than interface version 4).
	 *
	 * Since: 0.4
	 */
	ota_client_props[PROP_PROGRESS_PHASE] =
	    g_param_spec_string ("progress-phase", NULL, NULL, "", ro);

	/**
	 * OtaClient:time-remaining:
	 *
	 * Seconds the running download still needs at its rate so far; -1 when
	 * unknown.
	 *
	 * Since: 0.4
	 */
	ota_client_props[PROP_TIME_REMAINING] =
	    g_param_spec_int64 ("time-remaining", NULL, NULL, -1, G_MAXINT64, -1, ro);

	g_object_class_install_properties (object_class, PROP_LAST, ota_client_props);
}
