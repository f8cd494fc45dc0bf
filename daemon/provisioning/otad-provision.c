/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadProvision"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-provision.h"
#include "otad-zip.h"

#define OTAD_PROVISION_REPLY_MAX (256 * 1024)

static gchar *
otad_provision_path (const gchar *dir, const gchar *name)
{
	return g_build_filename (dir, name, NULL);
}

gboolean
otad_provision_is_provisioned (const gchar *dir)
{
	const gchar *names[] = {"root.crt", "client.pem", "pkey.pem", "gateway.url"};
	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autofree gchar *p = otad_provision_path (dir, names[i]);
		if (!g_file_test (p, G_FILE_TEST_IS_REGULAR))
			return FALSE;
	}
	return TRUE;
}

gboolean
otad_provision_load_identity (OtadHttp *http, const gchar *dir, gchar **gateway_url, GError **error)
{
	g_autofree gchar *ca = otad_provision_path (dir, "root.crt");
	g_autofree gchar *cert = otad_provision_path (dir, "client.pem");
	g_autofree gchar *key = otad_provision_path (dir, "pkey.pem");
	g_autofree gchar *url_file = otad_provision_path (dir, "gateway.url");
	g_autofree gchar *url = NULL;

	if (!otad_http_set_ca_file (http, ca, error) ||
	    !otad_http_set_client_certificate (http, cert, key, error))
		return FALSE;
	if (gateway_url != NULL) {
		if (!g_file_get_contents (url_file, &url, NULL, NULL)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "cannot read %s",
			             url_file);
			return FALSE;
		}
		*gateway_url = g_strdup (g_strstrip (url));
	}

	/* success */
	return TRUE;
}

static gboolean
otad_provision_gnutls_fail (GError **error, const gchar *what, int rc)
{
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s: %s", what,
	             gnutls_strerror (rc));
	return FALSE;
}

gboolean
otad_provision_parse_p12 (GBytes *p12_bytes, const gchar *password, gchar **cert_pem,
                          gchar **key_pem, GError **error)
{
	gnutls_pkcs12_t p12 = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t *chain = NULL;
	unsigned int chain_len = 0;
	gnutls_datum_t in;
	gnutls_datum_t out = {NULL, 0};
	g_autoptr(GString) certs = g_string_new (NULL);
	gsize len = 0;
	int rc;

	in.data = (guint8 *)g_bytes_get_data (p12_bytes, &len);
	in.size = (guint)len;
	rc = gnutls_pkcs12_init (&p12);
	if (rc == 0)
		rc = gnutls_pkcs12_import (p12, &in, GNUTLS_X509_FMT_DER, 0);
	if (rc == 0)
		rc = gnutls_pkcs12_simple_parse (p12, password != NULL ? password : "", &key,
		                                 &chain, &chain_len, NULL, NULL, NULL, 0);
	gnutls_pkcs12_deinit (p12);
	if (rc < 0)
		return otad_provision_gnutls_fail (error, "cannot read the PKCS#12 bundle", rc);

	for (guint i = 0; i < chain_len && rc == 0; i++) {
		rc = gnutls_x509_crt_export2 (chain[i], GNUTLS_X509_FMT_PEM, &out);
		if (rc == 0)
			g_string_append_len (certs, (const gchar *)out.data, out.size);
		gnutls_free (out.data);
		out.data = NULL;
	}
	for (guint i = 0; i < chain_len; i++)
		gnutls_x509_crt_deinit (chain[i]);
	gnutls_free (chain);
	if (rc == 0)
		rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
		                                        GNUTLS_PKCS_PLAIN, &out);
	gnutls_x509_privkey_deinit (key);
	if (rc < 0)
		return otad_provision_gnutls_fail (error, "cannot export the PKCS#12 contents", rc);
	if (chain_len == 0) {
		gnutls_free (out.data);
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     "the PKCS#12 bundle has no certificate");
		return FALSE;
	}
	*key_pem = g_strndup ((const gchar *)out.data, out.size);
	gnutls_memset (out.data, 0, out.size);
	gnutls_free (out.data);
	*cert_pem = g_string_free (g_steal_pointer (&certs), FALSE);

	/* success */
	return TRUE;
}

static gboolean
otad_provision_write (const gchar *dir, const gchar *name, const gchar *data, gsize len, gint mode,
                      GError **error)
{
	g_autofree gchar *path = otad_provision_path (dir, name);

	/* the device key among them: never through a planted symlink, durable */
	return otad_file_replace (path, data, len, (guint)mode, error);
}

static GTlsCertificate *
otad_provision_tls_certificate (const gchar *cert_pem, const gchar *key_pem, GError **error)
{
	g_autofree gchar *both = g_strconcat (cert_pem, "\n", key_pem, NULL);
	g_autoptr(GError) error_local = NULL;
	GTlsCertificate *cert = g_tls_certificate_new_from_pem (both, -1, &error_local);

	memset (both, 0, strlen (both));
	if (cert == NULL)
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             "provisioning identity not usable: %s", error_local->message);
	return cert;
}

static GBytes *
otad_provision_member (GBytes *zip, const gchar *zip_path, const gchar *name, GError **error)
{
	GBytes *b = otad_zip_extract (zip, name, error);
	if (b == NULL)
		g_prefix_error (error, "%s: ", zip_path);
	return b;
}

gboolean
otad_provision_shared_credentials (OtadHttp *http, const gchar *credentials_zip,
                                   const gchar *device_id, gint64 ttl_days,
                                   const gchar *p12_password, const gchar *dir,
                                   GCancellable *cancellable, GError **error)
{
	g_autoptr(GMappedFile) mapped = NULL;
	g_autoptr(GBytes) zip = NULL;
	g_autoptr(GBytes) url_bytes = NULL;
	g_autoptr(GBytes) p12 = NULL;
	g_autoptr(GBytes) ca = NULL;
	g_autoptr(GBytes) reply = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GTlsCertificate) fleet = NULL;
	g_autoptr(GTlsCertificate) device = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *gateway = NULL;
	g_autofree gchar *cert_pem = NULL;
	g_autofree gchar *key_pem = NULL;
	g_autofree gchar *ca_path = otad_provision_path (dir, "root.crt");
	g_autofree gchar *id = device_id != NULL ? g_strdup (device_id) : g_uuid_string_random ();
	g_autofree gchar *url = NULL;
	g_autofree gchar *json = NULL;
	g_autofree gchar *ttl = g_strdup_printf ("%" G_GINT64_FORMAT, ttl_days);

	mapped = g_mapped_file_new (credentials_zip, FALSE, &error_local);
	if (mapped == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s",
		             error_local->message);
		return FALSE;
	}
	zip = g_mapped_file_get_bytes (mapped);
	url_bytes = otad_provision_member (zip, credentials_zip, "autoprov.url", error);
	if (url_bytes == NULL)
		return FALSE;
	p12 = otad_provision_member (zip, credentials_zip, "autoprov_credentials.p12", error);
	if (p12 == NULL)
		return FALSE;
	ca = otad_provision_member (zip, credentials_zip, "server_ca.pem", error);
	if (ca == NULL)
		return FALSE;
	gateway = g_strstrip (
	    g_strndup (g_bytes_get_data (url_bytes, NULL), g_bytes_get_size (url_bytes)));
	while (g_str_has_suffix (gateway, "/"))
		gateway[strlen (gateway) - 1] = '\0';

	/* the fleet identity, used for this one request only */
	if (g_mkdir_with_parents (dir, 0700) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "cannot create %s: %s", dir,
		             g_strerror (errno));
		return FALSE;
	}
	if (!otad_provision_write (dir, "root.crt", g_bytes_get_data (ca, NULL),
	                           g_bytes_get_size (ca), 0644, error) ||
	    !otad_http_set_ca_file (http, ca_path, error))
		return FALSE;
	if (!otad_provision_parse_p12 (p12, p12_password, &cert_pem, &key_pem, error)) {
		g_prefix_error (error, "%s: autoprov_credentials.p12: ", credentials_zip);
		return FALSE;
	}
	fleet = otad_provision_tls_certificate (cert_pem, key_pem, error);
	if (fleet == NULL)
		return FALSE;
	otad_http_set_client_tls_certificate (http, fleet);
	g_clear_pointer (&cert_pem, g_free);
	g_clear_pointer (&key_pem, g_free);

	json = g_strdup_printf ("{\"deviceId\":\"%s\",\"ttl\":\"%s\"}", id, ttl);
	body = g_bytes_new (json, strlen (json));
	url = g_strdup_printf ("%s/devices", gateway);
	reply = otad_http_request (http, "POST", url, body, "application/json",
	                           OTAD_PROVISION_REPLY_MAX, OTAD_HTTP_FLAG_NONE, NULL, cancellable,
	                           error);
	otad_http_set_client_tls_certificate (http, NULL);
	if (reply == NULL)
		return FALSE;
	if (!otad_provision_parse_p12 (reply, "", &cert_pem, &key_pem, error)) {
		g_prefix_error (error, "POST %s: reply: ", url);
		return FALSE;
	}
	device = otad_provision_tls_certificate (cert_pem, key_pem, error);
	if (device == NULL)
		return FALSE;

	/* the key first: an identity is complete only when gateway.url exists */
	if (!otad_provision_write (dir, "pkey.pem", key_pem, strlen (key_pem), 0600, error) ||
	    !otad_provision_write (dir, "client.pem", cert_pem, strlen (cert_pem), 0644, error) ||
	    !otad_provision_write (dir, "gateway.url", gateway, strlen (gateway), 0644, error))
		return FALSE;
	memset (key_pem, 0, strlen (key_pem));
	otad_http_set_client_tls_certificate (http, device);
	g_info ("provisioned as device %s with %s", id, gateway);

	/* success */
	return TRUE;
}

gboolean
otad_provision_register_ecus (OtadHttp *http, const gchar *director_url,
                              const gchar *primary_serial, const gchar *hardware_id,
                              OtadEcuKey *key, GCancellable *cancellable, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GBytes) reply = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *url = g_strdup_printf ("%s/ecus", director_url);
	guint status = 0;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "primary_ecu_serial");
	json_builder_add_string_value (b, primary_serial);
	json_builder_set_member_name (b, "ecus");
	json_builder_begin_array (b);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "ecu_serial");
	json_builder_add_string_value (b, primary_serial);
	json_builder_set_member_name (b, "hardware_identifier");
	json_builder_add_string_value (b, hardware_id);
	json_builder_set_member_name (b, "clientKey");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "keytype");
	json_builder_add_string_value (b, "ED25519");
	json_builder_set_member_name (b, "keyval");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "public");
	json_builder_add_string_value (b, otad_ecu_key_get_public_hex (key));
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_array (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	text = json_to_string (root, FALSE);
	body = g_bytes_new (text, strlen (text));
	reply = otad_http_request (http, "POST", url, body, "application/json", 64 * 1024,
	                           OTAD_HTTP_FLAG_NONE, &status, cancellable, &error_local);
	if (error_local != NULL) {
		/* the Director already knows this device: nothing to do */
		if (status == 409) {
			g_debug ("ECUs already registered: %s", error_local->message);
			return TRUE;
		}
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}

	/* success */
	return TRUE;
}
