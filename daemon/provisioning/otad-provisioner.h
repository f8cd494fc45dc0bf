/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-http.h"

G_BEGIN_DECLS

/*
 * OtadProvisioner: the device's identity towards the server, and getting one on first start.
 * It lives in STATE_DIR/device/ (aktualizr keeps the same in sql.db):
 *   client.pem, pkey.pem (0600), root.crt   the TLS identity and the server CA
 *   gateway.url, device-id                  what provisioning was told / asked for
 *   ecu-serial, hardware-id, tuf/           imported from aktualizr (otad-aktualizr-import.c)
 *   ecus-registered                         what the Director accepted (serial, key)
 * Where the identity comes from, first match wins:
 *   [server] cert/key (files or pkcs11: URIs)   implicit / device-credential provisioning
 *   client.pem + pkey.pem above                 provisioned before, or imported
 *   [provision] credentials (credentials.zip)   shared-credential: provisioned by the first
 *                                               otad_provisioner_provision()
 * The constructor does the local work (import, reading the archive, checking that
 * certificate and key belong together); the network work runs in a job.
 */

typedef struct {
	const gchar *state_dir;
	const gchar *gateway_url;      /* (nullable) [server] url */
	const gchar *ca_file;	       /* (nullable) [server] ca-file */
	const gchar *cert;	       /* (nullable) [server] cert */
	const gchar *key;	       /* (nullable) [server] key */
	const gchar *credentials;      /* (nullable) [provision] credentials */
	const gchar *provision_server; /* (nullable) [provision] server */
	const gchar *device_id;	       /* (nullable) [provision] device-id */
	guint64 expiry_days;
	const gchar *p12_password; /* (nullable) */
	const gchar *pkcs11_module; /* (nullable) */
	const gchar *pkcs11_pin;    /* (nullable) */
	const gchar *aktualizr_storage_dir; /* (nullable) import from here on first start */
	const gchar *aktualizr_sqldb;	    /* (nullable) */
	guint timeout_s;
} OtadProvisionerOptions;

#define OTAD_TYPE_PROVISIONER (otad_provisioner_get_type ())
G_DECLARE_FINAL_TYPE (OtadProvisioner, otad_provisioner, OTAD, PROVISIONER, GObject)

OtadProvisioner *otad_provisioner_new (const OtadProvisionerOptions *options,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* the effective values, each (nullable) */
const gchar *otad_provisioner_get_gateway_url (OtadProvisioner *self);
const gchar *otad_provisioner_get_ca_file (OtadProvisioner *self);
const gchar *otad_provisioner_get_cert (OtadProvisioner *self);
const gchar *otad_provisioner_get_key (OtadProvisioner *self);
const gchar *otad_provisioner_get_device_id (OtadProvisioner *self);
const gchar *otad_provisioner_get_dir (OtadProvisioner *self);
/* what an import from aktualizr found, (nullable) */
const gchar *otad_provisioner_get_imported_ecu_serial (OtadProvisioner *self);
const gchar *otad_provisioner_get_imported_hardware_id (OtadProvisioner *self);
/* the name of the target aktualizr had installed, (nullable) */
const gchar *otad_provisioner_get_imported_target (OtadProvisioner *self);
/* where imported trusted roots are ("<dir>/director/root.json", ...), (nullable) */
const gchar *otad_provisioner_get_imported_root_dir (OtadProvisioner *self);

/* the CA, PIN and (when there is one yet) identity for @http; call on the thread that made
 * @http, before any request */
gboolean otad_provisioner_setup_http (OtadProvisioner *self, OtadHttp *http, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when requests carry the device's identity (or none is configured) */
gboolean otad_provisioner_is_provisioned (OtadProvisioner *self);

/* shared-credential provisioning when still needed; then @http speaks as the device */
gboolean otad_provisioner_provision (OtadProvisioner *self,
				     OtadHttp *http,
				     GCancellable *cancellable,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* POST director/ecus unless the Director accepted this serial and key before; recorded as
 * soon as it does */
gboolean otad_provisioner_register_ecus (OtadProvisioner *self,
					 OtadHttp *http,
					 const gchar *director_url,
					 const gchar *primary_serial,
					 const gchar *hardware_id,
					 const gchar *public_key,
					 GCancellable *cancellable,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
