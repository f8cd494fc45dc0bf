/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-http.h"

G_BEGIN_DECLS

/*
 * The provisioning protocol as aktualizr speaks it with OTA Community Edition / OTA Connect:
 *  - credentials.zip identifies the fleet: autoprov.url (the gateway) and
 *    autoprov_credentials.p12 (the fleet's certificate, key and the server CA as the other
 *    certificates of the bundle: aktualizr's Bootstrap::readTlsP12); older archives also
 *    hold server_ca.pem;
 *  - POST <provisioning server>/devices {deviceId, ttl} with that identity returns a
 *    PKCS#12 with the device's own certificate, key and CA (Initializer::initTlsCreds);
 *  - POST <director>/ecus registers the primary ECU and its key (Initializer::initEcuRegister).
 */

typedef struct {
	gchar *gateway_url; /* (nullable) autoprov.url, without a trailing / */
	gchar *cert_pem;    /* the fleet certificate and its chain */
	gchar *key_pem;     /* its key */
	gchar *ca_pem;      /* (nullable) server_ca.pem, else the other certificates of the p12 */
} OtadCredentials;

void otad_credentials_free (OtadCredentials *creds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadCredentials, otad_credentials_free)

OtadCredentials *otad_credentials_load (const gchar *zip_path,
					const gchar *p12_password,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* leaf certificate (+ its chain) and key in PEM; @ca_pem (nullable out) gets the bundle's
 * certificates that are not the leaf's chain, or NULL when there are none */
gboolean otad_provision_parse_p12 (GBytes *p12,
				   const gchar *password,
				   gchar **cert_pem,
				   gchar **key_pem,
				   gchar **ca_pem,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* an identity for otad_http_set_client_tls_certificate() */
GTlsCertificate *otad_provision_tls_certificate (const gchar *cert_pem,
						 const gchar *key_pem,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* POST @server_url/devices with the fleet identity of @fleet_http */
gboolean otad_provision_request_device (OtadHttp *fleet_http,
					const gchar *server_url,
					const gchar *device_id,
					guint64 expiry_days,
					gchar **cert_pem,
					gchar **key_pem,
					gchar **ca_pem,
					GCancellable *cancellable,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* POST @director_url/ecus for the primary ECU; 409 (already registered) counts as done */
gboolean otad_provision_register_ecus (OtadHttp *http,
				       const gchar *director_url,
				       const gchar *primary_serial,
				       const gchar *hardware_id,
				       const gchar *public_key,
				       GCancellable *cancellable,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* the device certificate and key in these files belong together (checked at start) */
gboolean otad_provision_check_key_pair (const gchar *cert_file,
					const gchar *key_file,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
