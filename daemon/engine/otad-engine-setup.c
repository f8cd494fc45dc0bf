/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <string.h>

#include "ota-error.h"
#include "otad-engine-setup.h"

/*
 * From configuration to what the engine's jobs use: the settings copied once,
 * the one HTTP session (CA pinned, device credentials), and the reporter with
 * the ECU key.  Every problem is an OTA_ERROR_INVALID_CONFIG naming the key.
 */

#define OTAD_ENGINE_FIELD_ECU_SERIAL "ecu-serial"

static gchar *
otad_engine_setup_dup (OtadConfig *config, const gchar *group, const gchar *key)
{
	const gchar *value = otad_config_get_string (config, group, key);

	return value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

static gchar **
otad_engine_setup_dup_list (OtadConfig *config, const gchar *group, const gchar *key)
{
	const gchar *const *list = otad_config_get_string_list (config, group, key);
	g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
	guint n = 0;

	for (guint i = 0; list != NULL && list[i] != NULL; i++) {
		if (list[i][0] == '\0')
			continue;
		g_strv_builder_add (b, list[i]);
		n++;
	}
	return n > 0 ? g_strv_builder_end (b) : NULL;
}

/* "<gateway>/<suffix>" unless the key names its own URL */
static gchar *
otad_engine_setup_url (OtadConfig *config, const gchar *key, const gchar *gateway,
		       const gchar *suffix)
{
	g_autofree gchar *url = otad_engine_setup_dup (config, "server", key);
	g_autofree gchar *base = NULL;

	if (url != NULL)
		return g_steal_pointer (&url);
	if (gateway == NULL)
		return NULL;
	base = g_strdup (gateway);
	while (g_str_has_suffix (base, "/"))
		base[strlen (base) - 1] = '\0';
	return g_strdup_printf ("%s/%s", base, suffix);
}

/* the primary ECU serial: configured, else made once and kept in the state store */
static gchar *
otad_engine_setup_ecu_serial (OtadConfig *config, OtadStateStore *store, GError **error)
{
	g_autofree gchar *serial = otad_engine_setup_dup (config, "device", "ecu-serial");
	JsonNode *stored = otad_state_store_get_field (store, OTAD_ENGINE_FIELD_ECU_SERIAL);
	g_autoptr(JsonNode) node = NULL;

	if (serial != NULL)
		return g_steal_pointer (&serial);
	if (stored != NULL && JSON_NODE_HOLDS_VALUE (stored) &&
	    json_node_get_value_type (stored) == G_TYPE_STRING)
		return g_strdup (json_node_get_string (stored));
	serial = g_uuid_string_random ();
	node = json_node_init_string (json_node_alloc (), serial);
	otad_state_store_set_field (store, OTAD_ENGINE_FIELD_ECU_SERIAL, node);
	if (!otad_state_store_save (store, error))
		return NULL;
	g_message ("new primary ECU serial %s", serial);
	return g_steal_pointer (&serial);
}

OtadEngineSettings *
otad_engine_setup_settings (OtadConfig *config,
			    OtadStateStore *store,
			    const gchar *sysroot_path,
			    const gchar *test_booted,
			    GError **error)
{
	g_autoptr(OtadEngineSettings) s = g_new0 (OtadEngineSettings, 1);
	g_autofree gchar *tag = otad_engine_setup_dup (config, "device", "tag");

	s->sysroot_path = g_strdup (sysroot_path);
	s->test_booted = g_strdup (test_booted);
	s->state_dir = g_strdup (otad_state_store_get_state_dir (store));
	s->osname = otad_engine_setup_dup (config, "update", "osname");
	s->lite = g_strcmp0 (otad_config_get_string (config, "server", "mode"), "lite") == 0;
	s->gateway_url = otad_engine_setup_dup (config, "server", "url");
	s->director_url = otad_engine_setup_url (config, "director-url", s->gateway_url,
						 "director");
	s->repo_url = otad_engine_setup_url (config, "repo-url", s->gateway_url, "repo");
	s->treehub_url = otad_engine_setup_url (config, "treehub-url", s->gateway_url,
						"treehub");
	s->ca_file = otad_engine_setup_dup (config, "server", "ca-file");
	s->timeout_s = (guint)otad_config_get_uint (config, "server", "timeout-sec");
	s->report_enabled = otad_config_get_boolean (config, "report", "enabled");
	s->cert = otad_engine_setup_dup (config, "server", "cert");
	s->key = otad_engine_setup_dup (config, "server", "key");
	s->hardware_id = otad_engine_setup_dup (config, "device", "hardware-id");
	if (s->hardware_id == NULL)
		s->hardware_id = g_strdup (g_get_host_name ());
	s->ecu_serial = otad_engine_setup_ecu_serial (config, store, error);
	if (s->ecu_serial == NULL)
		return NULL;
	s->tags = tag != NULL ? g_strsplit (tag, ",", -1) : g_new0 (gchar *, 1);
	s->root_dir = otad_engine_setup_dup (config, "tuf", "root-dir");
	s->allow_tofu = otad_config_get_boolean (config, "tuf", "allow-trust-on-first-use");
	s->min_free_bytes = otad_config_get_uint (config, "update", "min-free-space-mb") *
			    1024 * 1024;
	s->boot_backend = g_strdup (otad_config_get_string (config, "boot", "backend"));
	s->fw_env_config = otad_engine_setup_dup (config, "boot", "fw-env-config");
	s->grubenv = otad_engine_setup_dup (config, "boot", "grubenv-path");
	s->boot_count_limit = (guint)otad_config_get_uint (config, "boot", "boot-count-limit");
	s->health_dirs = otad_engine_setup_dup_list (config, "health", "directories");
	s->health_units = otad_engine_setup_dup_list (config, "health", "units");
	s->health_timeout_ms = (guint)otad_config_get_uint (config, "health", "timeout-sec") * 1000;
	if ((s->cert == NULL) != (s->key == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
				     "[server] cert and key must be set together");
		return NULL;
	}
	return g_steal_pointer (&s);
}

/* libsoup sessions stay in the thread that made them: each job makes its own */
OtadHttp *
otad_engine_setup_http (const OtadEngineSettings *s, GError **error)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autofree gchar *agent = g_strdup_printf ("otad/%s", PACKAGE_VERSION);

	otad_http_set_user_agent (http, agent);
	otad_http_set_timeout (http, s->timeout_s);
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

gboolean
otad_engine_setup_reporter (const OtadEngineSettings *s,
			    OtadHttp *http,
			    OtadReporter **out_reporter,
			    gchar **out_ecu_public,
			    GError **error)
{
	g_autofree gchar *key_path = NULL;
	g_autoptr(OtadEcuKey) key = NULL;
	g_autoptr(OtadReporter) reporter = NULL;

	*out_reporter = NULL;
	*out_ecu_public = NULL;
	if (!s->report_enabled || s->gateway_url == NULL)
		return TRUE;
	key_path = g_build_filename (s->state_dir, "ecu.key", NULL);
	key = otad_ecu_key_load_or_create (key_path, error);
	if (key == NULL)
		return FALSE;
	reporter = otad_reporter_new (http, s->gateway_url, s->state_dir, key, s->ecu_serial,
				      error);
	if (reporter == NULL)
		return FALSE;
	*out_ecu_public = g_strdup (otad_ecu_key_get_public_hex (key));
	*out_reporter = g_steal_pointer (&reporter);
	return TRUE;
}
