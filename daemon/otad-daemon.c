/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Otad"

#include "config.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "ota-error.h"
#include "otad-bus.h"
#include "otad-config-aktualizr.h"
#include "otad-daemon.h"
#include "otad-http.h"
#include "otad-identity.h"
#include "otad-poller.h"

struct _OtadDaemon {
	GObject parent_instance;
	GBusType bus_type;
	gchar *bus_address;	/* (owned) (nullable) */
	OtadConfig *config;	/* (owned) */
	OtadSysroot *sysroot;	/* (owned) */
	OtadStateStore *store;	/* (owned) */
	OtadJobContext *ctx;	/* (owned) */
	OtadEngine *engine;	/* (owned) */
	OtadPoller *poller;	/* (owned) */
	OtadBus *bus;		/* (owned) */
	GAsyncResult *connecting; /* (owned) (nullable) the bus connection, once made */
	guint trim_id;
};

enum { SIGNAL_FATAL, SIGNAL_IDLE, SIGNAL_LAST };
static guint otad_daemon_signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE (OtadDaemon, otad_daemon, G_TYPE_OBJECT)

static OtadConfig *
otad_daemon_read_config (const OtadDaemonOptions *options, GError **error)
{
	g_autofree gchar *vendor_file = g_build_filename (OTAD_VENDOR_DIR, "otad.conf", NULL);
	const gchar *file = options->config_file != NULL ? options->config_file
							  : OTAD_CONFIG_FILE;
	g_autoptr(OtadConfig) config = otad_config_new ();

	/* aktualizr's files last: where both set a value, otad's own files win */
	if (!otad_config_load_default (config, file,
				       options->config_file != NULL ? NULL : vendor_file,
				       options->config_file != NULL, error) ||
	    !otad_config_aktualizr_load_configured (config, error)) {
		/* TRANSLATORS: error message, followed by where and what */
		g_prefix_error (error, "%s ", _("Invalid configuration:"));
		return NULL;
	}
	return g_steal_pointer (&config);
}

gchar *
otad_daemon_describe_config (const OtadDaemonOptions *options, GError **error)
{
	g_autoptr(OtadConfig) config = otad_daemon_read_config (options, error);

	if (config == NULL)
		return NULL;
	return otad_config_to_string_full (config, TRUE);
}

static gboolean
otad_daemon_load_config (OtadDaemon *self, const OtadDaemonOptions *options, GError **error)
{
	self->config = otad_daemon_read_config (options, error);
	if (self->config == NULL)
		return FALSE;
	if (g_log_get_debug_enabled ()) {
		g_autofree gchar *text = otad_config_to_string (self->config);
		g_debug ("effective configuration:\n%s", text);
	}
	return TRUE;
}

static const gchar *
otad_daemon_config_string (OtadConfig *config, const gchar *group, const gchar *key)
{
	const gchar *value = otad_config_get_string (config, group, key);
	return value != NULL && value[0] != '\0' ? value : NULL;
}

static OtadProvisioner *
otad_daemon_make_provisioner (OtadConfig *config, const gchar *state_dir, GError **error)
{
	OtadProvisionerOptions o = {NULL};

	o.state_dir = state_dir;
	o.gateway_url = otad_daemon_config_string (config, "server", "url");
	o.ca_file = otad_daemon_config_string (config, "server", "ca-file");
	o.cert = otad_daemon_config_string (config, "server", "cert");
	o.key = otad_daemon_config_string (config, "server", "key");
	o.credentials = otad_daemon_config_string (config, "provision", "credentials");
	o.provision_server = otad_daemon_config_string (config, "provision", "server");
	o.device_id = otad_daemon_config_string (config, "provision", "device-id");
	o.expiry_days = otad_config_get_uint (config, "provision", "expiry-days");
	o.p12_password = otad_daemon_config_string (config, "provision", "p12-password");
	o.pkcs11_module = otad_daemon_config_string (config, "pkcs11", "module");
	o.pkcs11_pin = otad_daemon_config_string (config, "pkcs11", "pin");
	o.aktualizr_storage_dir = otad_daemon_config_string (config, "aktualizr", "storage-dir");
	o.aktualizr_sqldb = otad_daemon_config_string (config, "aktualizr", "sqldb");
	o.timeout_s = (guint)otad_config_get_uint (config, "server", "timeout-sec");
	if ((o.cert == NULL) != (o.key == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     _("[server] cert and key must be set together"));
		return NULL;
	}
	return otad_provisioner_new (&o, error);
}

static void
otad_daemon_fatal_cb (OtadBus *bus, const GError *error, gpointer user_data)
{
	g_signal_emit (OTAD_DAEMON (user_data), otad_daemon_signals[SIGNAL_FATAL], 0, error);
}

/*
 * A pull or an install leaves tens of MB of freed heap in glibc's arenas
 * (the job ran in a worker thread with its own arena); malloc_trim(0) gives
 * the free pages of every arena back, so resident idle after an update is
 * close to resident idle after start (measured by bench/run).  It runs once,
 * a moment after the job: what follows a job (the sysroot reloaded after a
 * deploy, the job's results dropped) frees more, and trimming at once gave
 * back 1.7 MB less after an update.
 */
#define OTAD_DAEMON_TRIM_DELAY_S 2

static gboolean
otad_daemon_trim_cb (gpointer user_data)
{
	OtadDaemon *self = OTAD_DAEMON (user_data);

	self->trim_id = 0;
	if (otad_engine_is_busy (self->engine))
		return G_SOURCE_REMOVE;
	/* what a job leaves that the next one (an hour away) does not need: the
	 * server connections, SQLite's page cache of the history, and the worker threads GTask parks for reuse (each
	 * thread's exit lets its malloc arena be trimmed) */
	otad_http_close_connections (otad_job_context_get_http (self->ctx));
	otad_engine_release_memory (self->engine);
	g_thread_pool_stop_unused_threads ();
#ifdef __GLIBC__
	(void)malloc_trim (0);
#endif
	return G_SOURCE_REMOVE;
}

static void
otad_daemon_job_finished_cb (OtadEngine *engine,
			     gint kind,
			     gboolean success,
			     gboolean found,
			     gpointer user_data)
{
	OtadDaemon *self = OTAD_DAEMON (user_data);

	if (otad_engine_is_busy (engine) || self->trim_id != 0)
		return;
	self->trim_id = g_timeout_add_seconds (OTAD_DAEMON_TRIM_DELAY_S, otad_daemon_trim_cb, self);
}

static void
otad_daemon_idle_cb (OtadBus *bus, gpointer user_data)
{
	OtadDaemon *self = OTAD_DAEMON (user_data);

	/* malloc_trim and caches do not matter any more: the process ends */
	g_signal_emit (self, otad_daemon_signals[SIGNAL_IDLE], 0);
}

static void
otad_daemon_connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
	OtadDaemon *self = OTAD_DAEMON (user_data);

	self->connecting = g_object_ref (result);
	g_object_unref (self);
}

/**
 * otad_daemon_new:
 *
 * Builds the daemon; everything that can be wrong with the setup (configuration,
 * sysroot, state directory, credentials, ECU key) fails here, before the bus
 * sees us.
 *
 * Returns: (transfer full): the daemon, not on the bus yet
 */
OtadDaemon *
otad_daemon_new (const OtadDaemonOptions *options, GError **error)
{
	g_autoptr(OtadDaemon) self = g_object_new (OTAD_TYPE_DAEMON, NULL);
	const gchar *sysroot_path = options->sysroot != NULL ? options->sysroot : "/";
	OtadSettings *settings;
	g_autoptr(OtadProvisioner) provisioner = NULL;
	g_autofree gchar *ecu_serial = NULL;

	self->bus_type = options->bus_type;
	self->bus_address = g_strdup (options->bus_address);
	/* the bus handshake goes on while the rest is built (otad_daemon_start waits) */
	otad_bus_connect_async (self->bus_type, self->bus_address, otad_daemon_connected_cb,
				g_object_ref (self));
	if (!otad_daemon_load_config (self, options, error))
		return NULL;
	self->sysroot = otad_sysroot_new (sysroot_path, options->test_booted, error);
	if (self->sysroot == NULL || !otad_sysroot_load (self->sysroot, NULL, error) ||
	    !otad_sysroot_watch (self->sysroot, error))
		return NULL;
	self->store = otad_state_store_new (
	    options->state_dir != NULL ? options->state_dir : OTAD_STATE_DIR, error);
	if (self->store == NULL)
		return NULL;
	/* the device identity: configured, imported from aktualizr, or to be provisioned */
	provisioner = otad_daemon_make_provisioner (self->config,
						    otad_state_store_get_state_dir (self->store),
						    error);
	if (provisioner == NULL) {
		/* TRANSLATORS: error message, followed by where and what */
		g_prefix_error (error, "%s ", _("Invalid configuration:"));
		return NULL;
	}
	ecu_serial = otad_identity_ecu_serial (
	    self->config, otad_provisioner_get_imported_ecu_serial (provisioner), self->store,
	    error);
	if (ecu_serial == NULL)
		return NULL;
	settings = otad_settings_new (self->config, provisioner, sysroot_path,
				      options->test_booted,
				      otad_state_store_get_state_dir (self->store), ecu_serial,
				      error);
	if (settings == NULL ||
	    (self->ctx = otad_job_context_new (settings, provisioner, error)) == NULL) {
		/* TRANSLATORS: error message, followed by where and what */
		g_prefix_error (error, "%s ", _("Invalid configuration:"));
		return NULL;
	}
	self->engine = otad_engine_new (self->ctx, self->store, self->sysroot);
	otad_engine_adopt_installed_target (self->engine,
					    otad_provisioner_get_imported_target (provisioner));
	self->poller = otad_poller_new (self->engine);
	g_signal_connect (self->engine, "job-finished", G_CALLBACK (otad_daemon_job_finished_cb),
			  self);
	/* the method handlers are in place before the name is owned */
	self->bus = otad_bus_new (self->engine);
	g_signal_connect (self->bus, "fatal", G_CALLBACK (otad_daemon_fatal_cb), self);
	g_signal_connect (self->bus, "idle", G_CALLBACK (otad_daemon_idle_cb), self);
	/* started by hand, nothing would bring otad back: it keeps its own timer and stays */
	if (options->activatable) {
		guint idle_exit_s = (guint)otad_config_get_uint (self->config, "daemon",
								 "idle-exit-sec");
		g_info ("exiting after %u s idle (0: never)", idle_exit_s);
		otad_bus_set_idle_exit (self->bus, idle_exit_s);
	}
	return g_steal_pointer (&self);
}

/* on the bus, then resume (confirm a pending install) and start polling */
gboolean
otad_daemon_start (OtadDaemon *self, GError **error)
{
	/* bounded: the connection attempt ends, with a connection or an error */
	while (self->connecting == NULL)
		g_main_context_iteration (NULL, TRUE);
	if (!otad_bus_start (self->bus, self->bus_type, self->bus_address, self->connecting,
			     error))
		return FALSE;
	otad_engine_start (self->engine);
	otad_poller_start (self->poller);
	return TRUE;
}

void
otad_daemon_stop (OtadDaemon *self)
{
	otad_bus_stop (self->bus);
}

OtadEngine *
otad_daemon_get_engine (OtadDaemon *self)
{
	return self->engine;
}

static void
otad_daemon_dispose (GObject *object)
{
	OtadDaemon *self = OTAD_DAEMON (object);

	g_clear_handle_id (&self->trim_id, g_source_remove);
	if (self->bus != NULL) {
		g_signal_handlers_disconnect_by_data (self->bus, self);
		otad_bus_stop (self->bus);
	}
	g_clear_object (&self->bus);
	g_clear_object (&self->poller);
	if (self->engine != NULL)
		g_signal_handlers_disconnect_by_data (self->engine, self);
	g_clear_object (&self->engine);
	g_clear_object (&self->ctx);
	g_clear_object (&self->store);
	g_clear_object (&self->sysroot);
	g_clear_object (&self->config);
	g_clear_pointer (&self->bus_address, g_free);
	g_clear_object (&self->connecting);
	G_OBJECT_CLASS (otad_daemon_parent_class)->dispose (object);
}

static void
otad_daemon_class_init (OtadDaemonClass *klass)
{
	G_OBJECT_CLASS (klass)->dispose = otad_daemon_dispose;

	/* the daemon cannot go on (name or bus lost); the GError says why */
	otad_daemon_signals[SIGNAL_FATAL] =
	    g_signal_new ("fatal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
	/* idle for [daemon] idle-exit-sec, the bus name released: main() exits with success */
	otad_daemon_signals[SIGNAL_IDLE] =
	    g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			  NULL, G_TYPE_NONE, 0);
}

static void
otad_daemon_init (OtadDaemon *self)
{
}
