/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-config.h"
#include "otad-provisioner.h"
#include "otad-tuf-repo.h"

G_BEGIN_DECLS

/**
 * OtadSettings:
 *
 * The configuration as the daemon uses it: typed, with URLs resolved against
 * the gateway, made once at start-up from #OtadConfig (the file reader, which
 * keeps where each value came from) and the command line.  Read-only
 * afterwards, so worker threads read it without locking.
 */
typedef struct {
	gchar *sysroot_path;
	gchar *test_booted; /* (nullable) TEST ONLY */
	gchar *state_dir;
	gchar *osname; /* (nullable) */
	gboolean lite;
	gchar *gateway_url;  /* (nullable) */
	gchar *director_url; /* (nullable) */
	gchar *repo_url;     /* (nullable) */
	gchar *treehub_url;  /* (nullable) */
	gchar *ca_file;	     /* (nullable) */
	guint timeout_s;
	guint transfer_deadline_s; /* a file's deadline (slow retrieval), 0: none */
	guint min_transfer_speed;  /* bytes per second a file must average after it */
	guint max_retry_after_s;   /* the longest Retry-After otad waits for */
	guint max_retry_time_s;    /* the waits between attempts of one job, 0: none */
	gboolean report_enabled;
	guint history_max_entries; /* GetHistory keeps the newest this many */
	gchar *cert; /* (nullable) file or pkcs11: URI: configured, provisioned or imported */
	gchar *key;  /* (nullable) */
	gchar *pkcs11_pin;    /* (nullable) */
	gchar *pkcs11_module; /* (nullable) */
	gchar *ecu_key;	      /* (nullable) pkcs11: URI of the ECU key */
	gchar *packages_file; /* in the booted deployment */
	gchar *imported_root_dir; /* (nullable) roots imported from aktualizr */
	gchar *hardware_id;
	gchar *ecu_serial;
	gchar **tags;
	gchar *root_dir; /* (nullable) */
	gboolean allow_tofu;
	OtadTufLimits tuf_limits; /* [tuf] max-*-size over the repository defaults */
	guint64 min_free_bytes;
	gchar *policy;
	gboolean polling;
	guint64 poll_interval_s;
	guint poll_jitter_percent;
	guint64 poll_max_backoff_s;
	guint max_automatic_attempts;
	/* as in the files; OtadRunConfig (engine) has the values in effect */
	gchar *download_window; /* otad-window.h syntax, "" always */
	gchar *install_window;
	gchar *reboot_window;
	gchar *reboot_policy; /* never, in-window, ask */
	guint reboot_retry_s; /* an inhibited reboot is tried again after this */
	gboolean allow_metered;
	guint64 max_download_rate; /* bytes/s, 0: no cap */
	gchar *boot_backend;
	gchar *fw_env_config; /* (nullable) */
	gchar *grubenv;	      /* (nullable) */
	guint boot_count_limit;
	gchar **health_dirs;  /* (nullable) */
	gchar **health_units; /* (nullable) */
	guint health_timeout_ms;
} OtadSettings;

OtadSettings *otad_settings_new (OtadConfig *config,
				 OtadProvisioner *provisioner,
				 const gchar *sysroot_path,
				 const gchar *test_booted,
				 const gchar *state_dir,
				 const gchar *ecu_serial,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_settings_free (OtadSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadSettings, otad_settings_free)

G_END_DECLS
