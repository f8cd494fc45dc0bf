/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-boot-confirm.h"
#include "otad-checkin.h"
#include "otad-config.h"
#include "otad-http.h"
#include "otad-reporter.h"

G_BEGIN_DECLS

/* everything the server side needs, from otad.conf (or an aktualizr sota.toml) */
typedef struct {
	gchar *director_url; /* (owned) */
	gchar *repo_url;     /* (owned) */
	gchar *treehub_url;  /* (owned) for the OSTree remote */
	gchar *gateway_url;  /* (owned) device registry: events, system_info, ... */
	gboolean lite;       /* aktualizr-lite mode: Image repo only */
	gchar *ca_file;      /* (owned) (nullable) pinned server CA */
	gchar *cert;         /* (owned) (nullable) PEM path or pkcs11: URI */
	gchar *key;          /* (owned) (nullable) PEM path or pkcs11: URI */
	gchar *ecu_key;      /* (owned) (nullable) pkcs11: URI; else state_dir/ecu.key */
	gchar *pkcs11_pin;   /* (owned) (nullable) */
	guint timeout_sec;
	gchar *hardware_id; /* (owned) */
	gchar *ecu_serial;  /* (owned) */
	gchar **tags;       /* (owned) (nullable) lite mode */
	gchar **root_dirs;  /* (owned) (nullable) pre-provisioned roots; NULL: defaults */
	gboolean allow_tofu;
	gboolean report_enabled;
	guint max_queued;
	gchar *state_dir;       /* (owned) metadata, ECU key, report queue */
	gchar *credentials_zip; /* (owned) (nullable) shared-credential provisioning */
	gchar *device_id;       /* (owned) (nullable) for provisioning; NULL: random */
	gint64 ttl_days;        /* for provisioning */
} OtadServerSettings;

void otad_server_settings_free (OtadServerSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadServerSettings, otad_server_settings_free)

/*
 * From otad.conf: [server] url/director-url/repo-url/treehub-url/mode/ca-file/cert/key/
 * timeout-sec, [device] hardware-id/ecu-serial/tag, [tuf] allow-trust-on-first-use,
 * [report] enabled/max-queued-events.  When [server] names no server at all, the aktualizr
 * configuration in @sota_paths (NULL: /usr/lib/sota/conf.d, /etc/sota/conf.d) is used.
 * An empty ecu-serial gets a random one, kept in @state_dir/ecu-serial; an empty
 * hardware-id is the host name (both as aktualizr does).
 */
OtadServerSettings *otad_server_settings_new (OtadConfig *config, const gchar *state_dir,
                                              const gchar *const *sota_paths,
                                              GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * OtadServer: the one HTTP session, the check-in and the reporter, ready for the engine.
 * Check-ins and flushes are synchronous: call them from the worker thread.
 */
#define OTAD_TYPE_SERVER (otad_server_get_type ())
G_DECLARE_FINAL_TYPE (OtadServer, otad_server, OTAD, SERVER, GObject)

OtadServer *otad_server_new (const OtadServerSettings *settings,
                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Makes sure the device has an identity the server knows: implicit (cert and key
 * configured) needs nothing; otherwise the identity in state_dir/identity is used, or made
 * from credentials_zip (POST devices); then the ECU is registered with the Director once
 * (POST director/ecus).  Call before the first check-in, from the thread that created
 * @self (it reconfigures the session).
 */
gboolean otad_server_ensure_provisioned (OtadServer *self, GCancellable *cancellable,
                                         GError **error);

/* full Uptane or lite, as configured; see otad_checkin_run() */
gboolean otad_server_check (OtadServer *self, const gchar *installed_sha256,
                            OtadCheckinTarget **out_target, GCancellable *cancellable,
                            GError **error);
/* NULL when reporting is disabled */
OtadReporter *otad_server_get_reporter (OtadServer *self);
OtadHttp *otad_server_get_http (OtadServer *self);
OtadEcuKey *otad_server_get_ecu_key (OtadServer *self);
const OtadServerSettings *otad_server_get_settings (OtadServer *self);

/*
 * An OtadBootConfirmHooks.report hook (@user_data: the OtadServer): queues the
 * EcuInstallationCompleted event and a manifest with the installation report, both with
 * the campaign's correlation id.  Delivery happens at the next otad_reporter_flush().
 */
gboolean otad_server_report_boot_confirm (const OtadBootConfirmResult *result, gpointer user_data,
                                          GError **error);

G_END_DECLS
