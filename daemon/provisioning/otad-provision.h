/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-ecu-key.h"
#include "otad-http.h"

G_BEGIN_DECLS

/*
 * Provisioning as aktualizr does it.  The device identity lives in one directory:
 * root.crt (server CA), client.pem (device certificate chain), pkey.pem (its key, 0600)
 * and gateway.url.
 *  - implicit: those files are already there (put there at manufacturing);
 *  - shared credentials: credentials.zip (autoprov.url, autoprov_credentials.p12,
 *    server_ca.pem) identifies the fleet; POST devices {deviceId, ttl} with that identity
 *    returns a PKCS#12 with the device's own certificate and key.
 * Then the ECUs are registered with the Director (POST director/ecus).
 */

/* TRUE when @dir holds a complete device identity */
gboolean otad_provision_is_provisioned (const gchar *dir);

/* points @http at the identity in @dir (CA and client certificate); gateway URL out */
gboolean otad_provision_load_identity (OtadHttp *http, const gchar *dir, gchar **gateway_url,
                                       GError **error);

/* shared-credential provisioning; @device_id NULL makes a random one; on success @dir holds
 * the new identity and @http uses it */
gboolean otad_provision_shared_credentials (OtadHttp *http, const gchar *credentials_zip,
                                            const gchar *device_id, gint64 ttl_days,
                                            const gchar *p12_password, const gchar *dir,
                                            GCancellable *cancellable, GError **error);

/* POST director/ecus for the primary ECU; an ECU already registered (409) is fine */
gboolean otad_provision_register_ecus (OtadHttp *http, const gchar *director_url,
                                       const gchar *primary_serial, const gchar *hardware_id,
                                       OtadEcuKey *key, GCancellable *cancellable, GError **error);

/* exposed for tests: PEM certificate chain and key from PKCS#12 (DER) */
gboolean otad_provision_parse_p12 (GBytes *p12, const gchar *password, gchar **cert_pem,
                                   gchar **key_pem, GError **error);

G_END_DECLS
