/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bootloaders.h"
#include "otad-job-context.h"

struct _OtadJobContext {
	GObject parent_instance;
	OtadSettings *settings;	   /* (owned) */
	OtadProvisioner *provisioner; /* (owned) (nullable) */
	OtadHttp *http;		   /* (owned) */
	OtadBootloader *bootloader; /* (owned) */
	OtadReporter *reporter;	   /* (owned) (nullable) */
	gchar *ecu_public;	   /* (owned) (nullable) the ECU key, hex */
	gboolean ecu_key_recreated; /* the stored key was unusable: register the new one */
	GMutex reporter_lock;
};

G_DEFINE_TYPE (OtadJobContext, otad_job_context, G_TYPE_OBJECT)

/* libsoup >= 3.2 sends from any thread once the session is configured (its
 * "Client thread safety" notes): the session is set up here, on the main
 * thread, before any job runs, and then only used to send */
static OtadHttp *
otad_job_context_make_http (const OtadSettings *s, OtadProvisioner *provisioner, GError **error)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autofree gchar *agent = g_strdup_printf ("otad/%s", PACKAGE_VERSION);

	otad_http_set_user_agent (http, agent);
	otad_http_set_timeout (http, s->timeout_s);
	/* a server that trickles bytes must not hold an update forever (TUF's slow retrieval) */
	otad_http_set_deadline (http, s->transfer_deadline_s, s->min_transfer_speed);
	/* a server that asks for long waits, or for one after the other, cannot hold a job */
	otad_http_set_retry_limits (http, s->max_retry_after_s, s->max_retry_time_s);
	/* a redirect stays on https and on the hosts of the configured URLs */
	otad_http_add_redirect_host (http, s->gateway_url);
	otad_http_add_redirect_host (http, s->director_url);
	otad_http_add_redirect_host (http, s->repo_url);
	otad_http_add_redirect_host (http, s->treehub_url);
	/* the identity, from files or PKCS#11, configured, provisioned or imported */
	if (provisioner != NULL)
		return otad_provisioner_setup_http (provisioner, http, error)
			   ? g_steal_pointer (&http)
			   : NULL;
	if (s->ca_file != NULL && !otad_http_set_ca_file (http, s->ca_file, error)) {
		g_prefix_error (error, "[server] ca-file: ");
		return NULL;
	}
	if (s->cert != NULL && !otad_http_set_client_certificate (http, s->cert, s->key, error)) {
		g_prefix_error (error, "[server] cert/key: ");
		return NULL;
	}
	return g_steal_pointer (&http);
}

/* the ECU key: in PKCS#11 ([device] ecu-key), else made once in the state directory */
static OtadEcuKey *
otad_job_context_make_ecu_key (const OtadSettings *s, GError **error)
{
	g_autofree gchar *key_path = NULL;

	if (s->ecu_key != NULL) {
		g_autofree gchar *uri = NULL;
		OtadEcuKey *key;
		if (s->pkcs11_module != NULL && strstr (s->ecu_key, "module-") == NULL)
			uri = g_strdup_printf ("%s%cmodule-path=%s", s->ecu_key,
					       strchr (s->ecu_key, '?') != NULL ? '&' : '?',
					       s->pkcs11_module);
		key = otad_ecu_key_new_from_pkcs11 (uri != NULL ? uri : s->ecu_key, s->pkcs11_pin,
						    error);
		if (key == NULL)
			g_prefix_error (error, "[device] ecu-key: ");
		return key;
	}
	key_path = g_build_filename (s->state_dir, "ecu.key", NULL);
	return otad_ecu_key_load_or_create (key_path, error);
}

static gboolean
otad_job_context_make_reporter (OtadJobContext *self, GError **error)
{
	const OtadSettings *s = self->settings;
	g_autoptr(OtadEcuKey) key = NULL;

	if (!s->report_enabled || s->gateway_url == NULL)
		return TRUE;
	key = otad_job_context_make_ecu_key (s, error);
	if (key == NULL)
		return FALSE;
	self->reporter =
	    otad_reporter_new (self->http, s->gateway_url, s->state_dir, key, s->ecu_serial, error);
	if (self->reporter == NULL)
		return FALSE;
	self->ecu_public = g_strdup (otad_ecu_key_get_public_hex (key));
	self->ecu_key_recreated = otad_ecu_key_was_recreated (key);
	return TRUE;
}

/**
 * otad_job_context_new:
 * @settings: (transfer full): the settings
 * @provisioner: (nullable): the device identity and its provisioning
 *
 * Makes the long-lived collaborators; every problem with the configuration
 * (credentials, CA, ECU key, bootloader) shows here, before the bus sees us.
 *
 * Returns: (transfer full): the context, or %NULL
 */
OtadJobContext *
otad_job_context_new (OtadSettings *settings, OtadProvisioner *provisioner, GError **error)
{
	g_autoptr(OtadJobContext) self = g_object_new (OTAD_TYPE_JOB_CONTEXT, NULL);
	OtadBootloaderOptions boot = {NULL};

	self->settings = settings;
	self->provisioner = provisioner != NULL ? g_object_ref (provisioner) : NULL;
	self->http = otad_job_context_make_http (settings, provisioner, error);
	if (self->http == NULL)
		return NULL;
	boot.backend = settings->boot_backend;
	boot.fw_env_config = settings->fw_env_config;
	boot.grubenv = settings->grubenv;
	boot.boot_count_limit = settings->boot_count_limit;
	self->bootloader = otad_bootloaders_new (&boot, error);
	if (self->bootloader == NULL)
		return NULL;
	if (!otad_job_context_make_reporter (self, error))
		return NULL;
	return g_steal_pointer (&self);
}

const OtadSettings *
otad_job_context_get_settings (OtadJobContext *self)
{
	return self->settings;
}

OtadHttp *
otad_job_context_get_http (OtadJobContext *self)
{
	return self->http;
}

OtadBootloader *
otad_job_context_get_bootloader (OtadJobContext *self)
{
	return self->bootloader;
}

OtadProvisioner *
otad_job_context_get_provisioner (OtadJobContext *self)
{
	return self->provisioner;
}

gboolean
otad_job_context_has_reporter (OtadJobContext *self)
{
	return self->reporter != NULL;
}

/* TRUE when the ECU key file was unusable at start and a new key replaced it */
gboolean
otad_job_context_ecu_key_recreated (OtadJobContext *self)
{
	return self->ecu_key_recreated;
}

const gchar *
otad_job_context_get_ecu_public (OtadJobContext *self)
{
	return self->ecu_public;
}

/**
 * otad_job_context_lock_reporter:
 * @out_locker: (out): free it (g_autoptr) to release the lock
 *
 * Returns: (transfer none) (nullable): the reporter, locked for the caller
 */
OtadReporter *
otad_job_context_lock_reporter (OtadJobContext *self, GMutexLocker **out_locker)
{
	*out_locker = NULL;
	if (self->reporter == NULL)
		return NULL;
	*out_locker = g_mutex_locker_new (&self->reporter_lock);
	return self->reporter;
}

void
otad_job_context_deploy_options (OtadJobContext *self, OtadDeployOptions *options)
{
	options->sysroot_path = self->settings->sysroot_path;
	options->osname = self->settings->osname;
	options->refspec = OTAD_JOB_REMOTE ":" OTAD_JOB_REF;
	options->test_booted = self->settings->test_booted;
}

OtadBootRecord *
otad_job_context_load_record (OtadJobContext *self, GError **error)
{
	g_autofree gchar *path =
	    g_build_filename (self->settings->state_dir, OTAD_BOOT_RECORD_FILENAME, NULL);
	g_autoptr(OtadBootRecord) record = otad_boot_record_new (path);

	if (!otad_boot_record_load (record, error))
		return NULL;
	return g_steal_pointer (&record);
}

/* the deployment that runs now (the booted one, else the default of a test sysroot) */
gboolean
otad_job_context_get_running (OtadJobContext *self,
			      OstreeSysroot *sysroot,
			      OstreeDeployment **out_deployment,
			      GError **error)
{
	OtadDeployOptions options = {NULL};
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autoptr(GPtrArray) deployments = NULL;

	otad_job_context_deploy_options (self, &options);
	if (!otad_deploy_get_booted (sysroot, &options, &booted, error))
		return FALSE;
	deployments = ostree_sysroot_get_deployments (sysroot);
	if (booted != NULL)
		*out_deployment = g_steal_pointer (&booted);
	else if (deployments->len > 0)
		*out_deployment = g_object_ref (deployments->pdata[0]);
	else
		*out_deployment = NULL;
	return TRUE;
}

gboolean
otad_job_context_get_booted_commit (OtadJobContext *self,
				    OstreeSysroot *sysroot,
				    gchar **out_commit,
				    GError **error)
{
	g_autoptr(OstreeDeployment) running = NULL;

	if (!otad_job_context_get_running (self, sysroot, &running, error))
		return FALSE;
	*out_commit = running != NULL ? g_strdup (ostree_deployment_get_csum (running)) : NULL;
	return TRUE;
}

static void
otad_job_context_finalize (GObject *object)
{
	OtadJobContext *self = OTAD_JOB_CONTEXT (object);

	g_clear_object (&self->reporter);
	g_clear_object (&self->bootloader);
	g_clear_object (&self->http);
	g_clear_object (&self->provisioner);
	g_clear_pointer (&self->settings, otad_settings_free);
	g_free (self->ecu_public);
	g_mutex_clear (&self->reporter_lock);
	G_OBJECT_CLASS (otad_job_context_parent_class)->finalize (object);
}

static void
otad_job_context_class_init (OtadJobContextClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_job_context_finalize;
}

static void
otad_job_context_init (OtadJobContext *self)
{
	g_mutex_init (&self->reporter_lock);
}

/**
 * otad_job_context_pull_options:
 * @target_uri: (nullable): the target's custom.uri, used when no TreeHub is configured
 * @booted_commit: the running commit: the static delta's source
 * @options: (out caller-allocates): borrows from @self and the two strings
 *
 * How a download (and the offer's size estimate at check time) reaches TreeHub.
 *
 * Returns: %FALSE with %OTA_ERROR_INVALID_CONFIG when no TreeHub is known
 */
gboolean
otad_job_context_pull_options (OtadJobContext *self,
			       const gchar *target_uri,
			       const gchar *booted_commit,
			       OtadPullOptions *options,
			       GError **error)
{
	const OtadSettings *s = self->settings;

	memset (options, 0, sizeof (*options));
	options->remote_name = OTAD_JOB_REMOTE;
	options->url = s->treehub_url != NULL ? s->treehub_url
		       : target_uri != NULL && *target_uri != '\0' ? target_uri
								   : NULL;
	options->ref = OTAD_JOB_REF;
	/* the one session: TreeHub sees the same device identity, CA pin and limits */
	options->http = self->http;
	if (s->cert != NULL && g_path_is_absolute (s->cert))
		options->tls_client_cert_path = s->cert;
	if (s->key != NULL && g_path_is_absolute (s->key))
		options->tls_client_key_path = s->key;
	options->tls_ca_path = s->ca_file;
	options->from_commit = booted_commit;
	/* the Director decides what runs; a downgrade it asks for is deliberate */
	options->flags = OTAD_PULL_FLAGS_ALLOW_DOWNGRADE;
	if (options->url == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     _("no TreeHub configured ([server] treehub-url)"));
		return FALSE;
	}
	return TRUE;
}
