/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadSettings"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-settings.h"

/*
 * From the configuration to the typed settings every part of the daemon
 * reads: empty strings are unset, URLs default to "<gateway>/director",
 * "<gateway>/repo" and "<gateway>/treehub" as aktualizr's do, and pairs that
 * only work together are checked here, naming the keys.
 */

void
otad_settings_free (OtadSettings *s)
{
	if (s == NULL)
		return;
	g_free (s->sysroot_path);
	g_free (s->test_booted);
	g_free (s->state_dir);
	g_free (s->osname);
	g_free (s->gateway_url);
	g_free (s->director_url);
	g_free (s->repo_url);
	g_free (s->treehub_url);
	g_free (s->ca_file);
	g_free (s->cert);
	g_free (s->key);
	g_free (s->pkcs11_pin);
	g_free (s->pkcs11_module);
	g_free (s->ecu_key);
	g_free (s->packages_file);
	g_free (s->imported_root_dir);
	g_free (s->hardware_id);
	g_free (s->ecu_serial);
	g_strfreev (s->tags);
	g_free (s->root_dir);
	g_free (s->policy);
	g_free (s->download_window);
	g_free (s->install_window);
	g_free (s->reboot_window);
	g_free (s->reboot_policy);
	g_free (s->boot_backend);
	g_free (s->fw_env_config);
	g_free (s->grubenv);
	g_strfreev (s->health_dirs);
	g_strfreev (s->health_units);
	g_free (s);
}

static gchar *
otad_settings_dup (OtadConfig *config, const gchar *group, const gchar *key)
{
	const gchar *value = otad_config_get_string (config, group, key);

	return value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

static gchar **
otad_settings_dup_list (OtadConfig *config, const gchar *group, const gchar *key)
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
otad_settings_url (OtadConfig *config, const gchar *key, const gchar *gateway,
		   const gchar *suffix)
{
	g_autofree gchar *url = otad_settings_dup (config, "server", key);
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

/**
 * otad_settings_new:
 * @provisioner: (nullable): the device identity (gateway, CA, certificate) when it is not
 *   configured: provisioned, imported from aktualizr or about to be provisioned
 * @test_booted: (nullable): TEST ONLY, the --test-booted-deployment of a test sysroot
 * @ecu_serial: the primary ECU serial (configured, or made once and kept)
 *
 * Returns: (transfer full): the settings, or %NULL with %OTA_ERROR_INVALID_CONFIG
 */
OtadSettings *
otad_settings_new (OtadConfig *config,
		   OtadProvisioner *provisioner,
		   const gchar *sysroot_path,
		   const gchar *test_booted,
		   const gchar *state_dir,
		   const gchar *ecu_serial,
		   GError **error)
{
	g_autoptr(OtadSettings) s = g_new0 (OtadSettings, 1);
	g_autofree gchar *tag = otad_settings_dup (config, "device", "tag");

	s->sysroot_path = g_strdup (sysroot_path);
	s->test_booted = g_strdup (test_booted);
	s->state_dir = g_strdup (state_dir);
	s->osname = otad_settings_dup (config, "update", "osname");
	s->lite = g_strcmp0 (otad_config_get_string (config, "server", "mode"), "lite") == 0;
	s->gateway_url = otad_settings_dup (config, "server", "url");
	if (s->gateway_url == NULL && provisioner != NULL)
		s->gateway_url = g_strdup (otad_provisioner_get_gateway_url (provisioner));
	s->director_url = otad_settings_url (config, "director-url", s->gateway_url, "director");
	s->repo_url = otad_settings_url (config, "repo-url", s->gateway_url, "repo");
	s->treehub_url = otad_settings_url (config, "treehub-url", s->gateway_url, "treehub");
	s->ca_file = otad_settings_dup (config, "server", "ca-file");
	if (s->ca_file == NULL && provisioner != NULL)
		s->ca_file = g_strdup (otad_provisioner_get_ca_file (provisioner));
	s->timeout_s = (guint)otad_config_get_uint (config, "server", "timeout-sec");
	s->transfer_deadline_s =
	    (guint)otad_config_get_uint (config, "server", "transfer-deadline-sec");
	s->max_retry_after_s = (guint)otad_config_get_uint (config, "server", "max-retry-after-sec");
	s->max_retry_time_s = (guint)otad_config_get_uint (config, "server", "max-retry-time-sec");
	s->min_transfer_speed =
	    (guint)otad_config_get_uint (config, "server", "min-transfer-speed");
	s->report_enabled = otad_config_get_boolean (config, "report", "enabled");
	s->history_max_entries = (guint)otad_config_get_uint (config, "history", "max-entries");
	s->cert = otad_settings_dup (config, "server", "cert");
	s->key = otad_settings_dup (config, "server", "key");
	if (s->cert == NULL && s->key == NULL && provisioner != NULL) {
		s->cert = g_strdup (otad_provisioner_get_cert (provisioner));
		s->key = g_strdup (otad_provisioner_get_key (provisioner));
	}
	s->pkcs11_pin = otad_settings_dup (config, "pkcs11", "pin");
	s->pkcs11_module = otad_settings_dup (config, "pkcs11", "module");
	s->ecu_key = otad_settings_dup (config, "device", "ecu-key");
	s->packages_file = g_strdup (otad_config_get_string (config, "report", "packages-file"));
	/* configured, else what aktualizr had (imported), else the host name as aktualizr */
	s->hardware_id = otad_settings_dup (config, "device", "hardware-id");
	if (s->hardware_id == NULL && provisioner != NULL)
		s->hardware_id =
		    g_strdup (otad_provisioner_get_imported_hardware_id (provisioner));
	if (s->hardware_id == NULL)
		s->hardware_id = g_strdup (g_get_host_name ());
	if (provisioner != NULL)
		s->imported_root_dir =
		    g_strdup (otad_provisioner_get_imported_root_dir (provisioner));
	s->ecu_serial = g_strdup (ecu_serial);
	s->tags = tag != NULL ? g_strsplit (tag, ",", -1) : g_new0 (gchar *, 1);
	s->root_dir = otad_settings_dup (config, "tuf", "root-dir");
	s->allow_tofu = otad_config_get_boolean (config, "tuf", "allow-trust-on-first-use");
	otad_tuf_repo_get_default_limits (&s->tuf_limits);
	s->tuf_limits.root_max = otad_config_get_uint (config, "tuf", "max-root-size");
	s->tuf_limits.timestamp_max = otad_config_get_uint (config, "tuf", "max-timestamp-size");
	s->tuf_limits.snapshot_max = otad_config_get_uint (config, "tuf", "max-snapshot-size");
	s->tuf_limits.targets_max = otad_config_get_uint (config, "tuf", "max-targets-size");
	s->min_free_bytes =
	    otad_config_get_uint (config, "update", "min-free-space-mb") * 1024 * 1024;
	s->policy = g_strdup (otad_config_get_string (config, "update", "policy"));
	s->poll_interval_s = otad_config_get_uint (config, "polling", "interval-sec");
	s->polling = otad_config_get_boolean (config, "polling", "enabled") &&
		     s->poll_interval_s > 0;
	s->poll_jitter_percent = (guint)otad_config_get_uint (config, "polling", "jitter-percent");
	s->poll_max_backoff_s = otad_config_get_uint (config, "polling", "max-backoff-sec");
	s->max_automatic_attempts =
	    (guint)otad_config_get_uint (config, "update", "max-automatic-attempts");
	s->download_window = g_strdup (otad_config_get_string (config, "schedule", "download-window"));
	s->install_window = g_strdup (otad_config_get_string (config, "schedule", "install-window"));
	s->reboot_window = g_strdup (otad_config_get_string (config, "schedule", "reboot-window"));
	s->reboot_policy = g_strdup (otad_config_get_string (config, "schedule", "reboot-policy"));
	s->reboot_retry_s = (guint)otad_config_get_uint (config, "schedule", "reboot-retry-sec");
	s->allow_metered = otad_config_get_boolean (config, "network", "allow-metered");
	s->max_download_rate = otad_config_get_uint (config, "network", "max-download-rate");
	s->boot_backend = g_strdup (otad_config_get_string (config, "boot", "backend"));
	s->fw_env_config = otad_settings_dup (config, "boot", "fw-env-config");
	s->grubenv = otad_settings_dup (config, "boot", "grubenv-path");
	s->boot_count_limit = (guint)otad_config_get_uint (config, "boot", "boot-count-limit");
	s->health_dirs = otad_settings_dup_list (config, "health", "directories");
	s->health_units = otad_settings_dup_list (config, "health", "units");
	s->health_timeout_ms = (guint)otad_config_get_uint (config, "health", "timeout-sec") * 1000;
	if ((s->cert == NULL) != (s->key == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     _("[server] cert and key must be set together"));
		return NULL;
	}
	return g_steal_pointer (&s);
}
