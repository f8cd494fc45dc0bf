/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadServer"

#include "config.h"

#include "ota-error.h"
#include "otad-provision.h"
#include "otad-server.h"
#include "otad-sota-config.h"
#include "otad-zip.h"

struct _OtadServer {
	GObject parent_instance;
	OtadServerSettings *settings; /* (owned) a copy */
	OtadHttp *http;               /* (owned) */
	OtadEcuKey *ecu_key;          /* (owned) */
	OtadCheckin *checkin;         /* (owned) */
	OtadReporter *reporter;       /* (owned) (nullable) */
};

G_DEFINE_TYPE (OtadServer, otad_server, G_TYPE_OBJECT)

void
otad_server_settings_free (OtadServerSettings *s)
{
	if (s == NULL)
		return;
	g_free (s->director_url);
	g_free (s->repo_url);
	g_free (s->treehub_url);
	g_free (s->gateway_url);
	g_free (s->ca_file);
	g_free (s->cert);
	g_free (s->key);
	g_free (s->ecu_key);
	g_free (s->pkcs11_pin);
	g_free (s->hardware_id);
	g_free (s->ecu_serial);
	g_strfreev (s->tags);
	g_strfreev (s->root_dirs);
	g_free (s->state_dir);
	g_free (s->credentials_zip);
	g_free (s->device_id);
	g_free (s);
}

static OtadServerSettings *
otad_server_settings_copy (const OtadServerSettings *s)
{
	OtadServerSettings *c = g_new0 (OtadServerSettings, 1);

	*c = *s;
	c->director_url = g_strdup (s->director_url);
	c->repo_url = g_strdup (s->repo_url);
	c->treehub_url = g_strdup (s->treehub_url);
	c->gateway_url = g_strdup (s->gateway_url);
	c->ca_file = g_strdup (s->ca_file);
	c->cert = g_strdup (s->cert);
	c->key = g_strdup (s->key);
	c->ecu_key = g_strdup (s->ecu_key);
	c->pkcs11_pin = g_strdup (s->pkcs11_pin);
	c->hardware_id = g_strdup (s->hardware_id);
	c->ecu_serial = g_strdup (s->ecu_serial);
	c->tags = g_strdupv (s->tags);
	c->root_dirs = g_strdupv (s->root_dirs);
	c->state_dir = g_strdup (s->state_dir);
	c->credentials_zip = g_strdup (s->credentials_zip);
	c->device_id = g_strdup (s->device_id);
	return c;
}

/* "" is unset in otad.conf */
static gchar *
otad_server_conf (OtadConfig *config, const gchar *group, const gchar *key)
{
	const gchar *v = otad_config_get_string (config, group, key);
	return v != NULL && v[0] != '\0' ? g_strdup (v) : NULL;
}

static gchar *
otad_server_join (const gchar *base, const gchar *suffix)
{
	g_autofree gchar *b = g_strdup (base);
	if (b == NULL)
		return NULL;
	while (g_str_has_suffix (b, "/"))
		b[strlen (b) - 1] = '\0';
	return g_strconcat (b, suffix, NULL);
}

/* aktualizr makes a random serial once; so do we, and keep it */
static gchar *
otad_server_ecu_serial (const gchar *state_dir, GError **error)
{
	g_autofree gchar *path = g_build_filename (state_dir, "ecu-serial", NULL);
	g_autofree gchar *text = NULL;
	g_autofree gchar *serial = NULL;

	if (g_file_get_contents (path, &text, NULL, NULL) && g_strstrip (text)[0] != '\0')
		return g_strdup (text);
	serial = g_uuid_string_random ();
	if (g_mkdir_with_parents (state_dir, 0700) != 0 ||
	    !g_file_set_contents_full (path, serial, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
	                               error))
		return NULL;
	return g_steal_pointer (&serial);
}

static void
otad_server_settings_from_sota (OtadServerSettings *s, const OtadSotaConfig *c)
{
	s->gateway_url = g_strdup (c->gateway_url);
	s->director_url = g_strdup (c->director_url);
	s->repo_url = g_strdup (c->repo_url);
	s->treehub_url = g_strdup (c->ostree_url);
	s->ca_file = g_strdup (c->ca_file);
	s->cert = g_strdup (c->client_cert);
	s->key = g_strdup (c->client_key);
	s->pkcs11_pin = g_strdup (c->pkcs11_pin);
	if (c->uptane_key != NULL && g_str_has_prefix (c->uptane_key, "pkcs11:"))
		s->ecu_key = g_strdup (c->uptane_key);
	s->hardware_id = g_strdup (c->primary_ecu_hardware_id);
	s->ecu_serial = g_strdup (c->primary_ecu_serial);
	s->tags = g_strdupv (c->tags);
	s->credentials_zip = g_strdup (c->provision_path);
	s->device_id = g_strdup (c->device_id);
	s->ttl_days = c->expiry_days;

	/* as aktualizr: no server configured, the provisioning archive names it */
	if (s->gateway_url == NULL && s->credentials_zip != NULL) {
		g_autoptr(GMappedFile) mapped =
		    g_mapped_file_new (s->credentials_zip, FALSE, NULL);
		g_autoptr(GBytes) zip = mapped != NULL ? g_mapped_file_get_bytes (mapped) : NULL;
		g_autoptr(GBytes) url =
		    zip != NULL ? otad_zip_extract (zip, "autoprov.url", NULL) : NULL;
		if (url != NULL) {
			s->gateway_url = g_strstrip (
			    g_strndup (g_bytes_get_data (url, NULL), g_bytes_get_size (url)));
			s->director_url = otad_server_join (s->gateway_url, "/director");
			s->repo_url = otad_server_join (s->gateway_url, "/repo");
			s->treehub_url = otad_server_join (s->gateway_url, "/treehub");
		}
	}
}

OtadServerSettings *
otad_server_settings_new (OtadConfig *config, const gchar *state_dir,
                          const gchar *const *sota_paths, GError **error)
{
	g_autoptr(OtadServerSettings) s = g_new0 (OtadServerSettings, 1);
	const gchar *default_sota[] = {"/usr/lib/sota/conf.d", "/etc/sota/conf.d", NULL};
	g_autofree gchar *url = otad_server_conf (config, "server", "url");
	g_autofree gchar *tag = otad_server_conf (config, "device", "tag");

	s->state_dir = g_strdup (state_dir);
	s->ttl_days = 36000;
	s->lite = g_strcmp0 (otad_config_get_string (config, "server", "mode"), "lite") == 0;
	s->timeout_sec = (guint)otad_config_get_uint (config, "server", "timeout-sec");
	s->allow_tofu = otad_config_get_boolean (config, "tuf", "allow-trust-on-first-use");
	s->report_enabled = otad_config_get_boolean (config, "report", "enabled");
	s->max_queued = (guint)otad_config_get_uint (config, "report", "max-queued-events");

	if (url == NULL && !otad_config_is_set (config, "server", "director-url") &&
	    !otad_config_is_set (config, "server", "repo-url")) {
		/* a device moving over from aktualizr keeps its sota.toml */
		g_autoptr(OtadSotaConfig) sota = NULL;
		g_autoptr(GError) error_local = NULL;
		sota = otad_sota_config_load (sota_paths != NULL ? sota_paths : default_sota,
		                              &error_local);
		if (sota == NULL) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             "no server configured in [server] and no aktualizr "
			             "configuration: %s",
			             error_local->message);
			return NULL;
		}
		otad_server_settings_from_sota (s, sota);
	} else {
		s->gateway_url = g_strdup (url);
		s->director_url = otad_server_conf (config, "server", "director-url");
		s->repo_url = otad_server_conf (config, "server", "repo-url");
		s->treehub_url = otad_server_conf (config, "server", "treehub-url");
		if (s->director_url == NULL)
			s->director_url = otad_server_join (url, "/director");
		if (s->repo_url == NULL)
			s->repo_url = otad_server_join (url, "/repo");
		if (s->treehub_url == NULL)
			s->treehub_url = otad_server_join (url, "/treehub");
		s->ca_file = otad_server_conf (config, "server", "ca-file");
		s->cert = otad_server_conf (config, "server", "cert");
		s->key = otad_server_conf (config, "server", "key");
		s->hardware_id = otad_server_conf (config, "device", "hardware-id");
		s->ecu_serial = otad_server_conf (config, "device", "ecu-serial");
		if (tag != NULL)
			s->tags = g_strsplit (tag, ",", -1);
	}
	if (s->repo_url == NULL || (!s->lite && s->director_url == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     "[server] needs url, or repo-url (and director-url unless "
		                     "mode=lite)");
		return NULL;
	}
	if (s->hardware_id == NULL)
		s->hardware_id = g_strdup (g_get_host_name ());
	if (s->ecu_serial == NULL) {
		s->ecu_serial = otad_server_ecu_serial (state_dir, error);
		if (s->ecu_serial == NULL)
			return NULL;
	}
	return g_steal_pointer (&s);
}

static void
otad_server_finalize (GObject *object)
{
	OtadServer *self = OTAD_SERVER (object);

	g_clear_object (&self->reporter);
	g_clear_object (&self->checkin);
	g_clear_object (&self->ecu_key);
	g_clear_object (&self->http);
	otad_server_settings_free (self->settings);
	G_OBJECT_CLASS (otad_server_parent_class)->finalize (object);
}

static void
otad_server_class_init (OtadServerClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_server_finalize;
}

static void
otad_server_init (OtadServer *self)
{
}

OtadServer *
otad_server_new (const OtadServerSettings *settings, GError **error)
{
	g_autoptr(OtadServer) self = g_object_new (OTAD_TYPE_SERVER, NULL);
	const OtadServerSettings *s;
	g_autofree gchar *metadata = NULL;

	self->settings = otad_server_settings_copy (settings);
	s = self->settings;
	self->http = otad_http_new ();
	if (s->timeout_sec > 0)
		otad_http_set_timeout (self->http, s->timeout_sec);
	if (s->pkcs11_pin != NULL)
		otad_http_set_pkcs11_pin (self->http, s->pkcs11_pin);
	if (s->ca_file != NULL && !otad_http_set_ca_file (self->http, s->ca_file, error))
		return NULL;
	if (s->cert != NULL &&
	    !otad_http_set_client_certificate (self->http, s->cert, s->key, error))
		return NULL;

	if (s->ecu_key != NULL) {
		self->ecu_key = otad_ecu_key_new_from_pkcs11 (s->ecu_key, s->pkcs11_pin, error);
	} else {
		g_autofree gchar *path = g_build_filename (s->state_dir, "ecu.key", NULL);
		self->ecu_key = otad_ecu_key_load_or_create (path, error);
	}
	if (self->ecu_key == NULL)
		return NULL;

	metadata = g_build_filename (s->state_dir, "metadata", NULL);
	self->checkin =
	    otad_checkin_new (self->http, s->lite ? NULL : s->director_url, s->repo_url, metadata);
	if (s->root_dirs != NULL)
		otad_checkin_set_root_dirs (self->checkin, (const gchar *const *)s->root_dirs);
	otad_checkin_set_allow_tofu (self->checkin, s->allow_tofu);

	if (s->report_enabled && s->gateway_url != NULL) {
		self->reporter = otad_reporter_new (self->http, s->gateway_url, s->state_dir,
		                                    self->ecu_key, s->ecu_serial, error);
		if (self->reporter == NULL)
			return NULL;
		if (s->director_url != NULL)
			otad_reporter_set_director_url (self->reporter, s->director_url);
		if (s->max_queued > 0)
			otad_report_queue_set_max_items (otad_reporter_get_queue (self->reporter),
			                                 s->max_queued);
	}
	return g_steal_pointer (&self);
}

gboolean
otad_server_ensure_provisioned (OtadServer *self, GCancellable *cancellable, GError **error)
{
	const OtadServerSettings *s;
	g_autofree gchar *identity = NULL;
	g_autofree gchar *registered = NULL;

	g_return_val_if_fail (OTAD_IS_SERVER (self), FALSE);
	s = self->settings;
	identity = g_build_filename (s->state_dir, "identity", NULL);
	registered = g_build_filename (s->state_dir, "ecus-registered", NULL);

	if (s->cert == NULL) {
		if (otad_provision_is_provisioned (identity)) {
			if (!otad_provision_load_identity (self->http, identity, NULL, error))
				return FALSE;
		} else if (s->credentials_zip != NULL) {
			if (!otad_provision_shared_credentials (self->http, s->credentials_zip,
			                                        s->device_id, s->ttl_days, NULL,
			                                        identity, cancellable, error))
				return FALSE;
		} else {
			g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			                     "no device certificate and no credentials to "
			                     "provision one");
			return FALSE;
		}
	}
	if (!s->lite && !g_file_test (registered, G_FILE_TEST_EXISTS)) {
		if (!otad_provision_register_ecus (self->http, s->director_url, s->ecu_serial,
		                                   s->hardware_id, self->ecu_key, cancellable,
		                                   error))
			return FALSE;
		if (!g_file_set_contents (registered, s->ecu_serial, -1, error))
			return FALSE;
	}

	/* success */
	return TRUE;
}

gboolean
otad_server_check (OtadServer *self, const gchar *installed_sha256, OtadCheckinTarget **out_target,
                   GCancellable *cancellable, GError **error)
{
	const OtadServerSettings *s;

	g_return_val_if_fail (OTAD_IS_SERVER (self), FALSE);
	s = self->settings;
	if (s->lite)
		return otad_checkin_run_lite (self->checkin, s->hardware_id,
		                              (const gchar *const *)s->tags, installed_sha256,
		                              out_target, cancellable, error);
	return otad_checkin_run (self->checkin, s->ecu_serial, s->hardware_id, installed_sha256,
	                         out_target, cancellable, error);
}

OtadReporter *
otad_server_get_reporter (OtadServer *self)
{
	g_return_val_if_fail (OTAD_IS_SERVER (self), NULL);
	return self->reporter;
}

OtadHttp *
otad_server_get_http (OtadServer *self)
{
	g_return_val_if_fail (OTAD_IS_SERVER (self), NULL);
	return self->http;
}

OtadEcuKey *
otad_server_get_ecu_key (OtadServer *self)
{
	g_return_val_if_fail (OTAD_IS_SERVER (self), NULL);
	return self->ecu_key;
}

const OtadServerSettings *
otad_server_get_settings (OtadServer *self)
{
	g_return_val_if_fail (OTAD_IS_SERVER (self), NULL);
	return self->settings;
}

gboolean
otad_server_report_boot_confirm (const OtadBootConfirmResult *result, gpointer user_data,
                                 GError **error)
{
	OtadServer *self = OTAD_SERVER (user_data);
	OtadManifestImage image = {0};
	OtadManifestReport report = {0};
	const gchar *running;

	g_return_val_if_fail (OTAD_IS_SERVER (self), FALSE);
	if (self->reporter == NULL)
		return TRUE;
	if (!otad_reporter_queue_event (self->reporter, OTAD_REPORT_EVENT_INSTALLATION_COMPLETED,
	                                result->correlation_id, result->success, error))
		return FALSE;

	/* the manifest says what runs now: the new commit, or the old one after a rollback */
	running = result->success ? result->commit : result->previous_commit;
	if (running == NULL)
		running = result->commit;
	if (running == NULL)
		return TRUE;
	image.filepath =
	    result->success && result->target_name != NULL ? result->target_name : running;
	image.sha256 = running;
	image.length = 0;
	report.correlation_id = result->correlation_id;
	report.success = result->success;
	report.code = result->success ? "OK" : "INSTALL_FAILED";
	report.description = result->detail != NULL
	                         ? result->detail
	                         : otad_boot_confirm_outcome_to_string (result->outcome);
	return otad_reporter_queue_manifest (
	    self->reporter, &image, result->correlation_id != NULL ? &report : NULL, error);
}
