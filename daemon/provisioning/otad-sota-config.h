/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-sota-toml.h"

G_BEGIN_DECLS

/* aktualizr's settings mapped to otad's (see docs/sota-toml.md) */
/* otad's view of an aktualizr configuration; every path absolute, every URL resolved */
typedef struct {
	gchar *gateway_url;             /* [tls] server / server_url_path */
	gchar *director_url;            /* [uptane] director_server, else gateway + /director */
	gchar *repo_url;                /* [uptane] repo_server, else gateway + /repo */
	gchar *ostree_url;              /* [pacman] ostree_server, else gateway + /treehub */
	gchar *provision_url;           /* [provision] server, else gateway */
	guint polling_sec;              /* [uptane] polling_sec, default 10 */
	gchar *storage_path;            /* [storage] path, default /var/sota */
	gchar *ca_file;                 /* server CA (PEM) or NULL */
	gchar *client_cert;             /* PEM path or pkcs11: URI, or NULL */
	gchar *client_key;              /* PEM path or pkcs11: URI, or NULL */
	gchar *uptane_key;              /* ECU private key path or pkcs11: URI, or NULL */
	gchar *pkcs11_pin;              /* [p11] pass */
	gchar *provision_path;          /* [provision] provision_path (credentials.zip) */
	gchar *provision_mode;          /* "SharedCred" (default), "DeviceCred", ... */
	gchar *device_id;               /* [provision] device_id */
	gchar *primary_ecu_serial;      /* [provision] primary_ecu_serial */
	gchar *primary_ecu_hardware_id; /* [provision] primary_ecu_hardware_id */
	gint64 expiry_days;             /* [provision] expiry_days: the ttl of POST devices */
	gchar *pacman_type;             /* [pacman] type, default "ostree" */
	gchar *ostree_os;               /* [pacman] os */
	gchar *ostree_sysroot;          /* [pacman] sysroot */
	gchar **tags;                   /* [pacman] tags (aktualizr-lite), comma-separated */
} OtadSotaConfig;

void otad_sota_config_free (OtadSotaConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadSotaConfig, otad_sota_config_free)

/* loads @paths in order (files, or directories whose *.toml are read by name as aktualizr
 * does: the same name in a later directory hides the earlier one, then alphabetical); later
 * values override earlier ones */
OtadSotaConfig *otad_sota_config_load (const gchar *const *paths,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the same from an already merged key file (tests, fuzzing) */
OtadSotaConfig *otad_sota_config_from_keyfile (GKeyFile *kf,
                                               GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
