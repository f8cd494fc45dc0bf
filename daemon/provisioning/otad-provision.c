/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadProvision"

#include "config.h"

#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-provision.h"
#include "otad-zip.h"

#define OTAD_PROVISION_REPLY_MAX (256 * 1024)

void
otad_credentials_free (OtadCredentials *creds)
{
	if (creds == NULL)
		return;
	g_free (creds->gateway_url);
	g_free (creds->cert_pem);
	if (creds->key_pem != NULL)
		memset (creds->key_pem, 0, strlen (creds->key_pem));
	g_free (creds->key_pem);
	g_free (creds->ca_pem);
	g_free (creds);
}

static gboolean
otad_provision_gnutls_fail (GError **error, const gchar *what, int rc)
{
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s: %s", what,
		     gnutls_strerror (rc));
	return FALSE;
}

static int
otad_provision_append_pem (GString *out, gnutls_x509_crt_t crt)
{
	gnutls_datum_t pem = {NULL, 0};
	int rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem);

	if (rc == 0)
		g_string_append_len (out, (const gchar *)pem.data, pem.size);
	gnutls_free (pem.data);
	return rc;
}

gboolean
otad_provision_parse_p12 (GBytes *p12_bytes,
			  const gchar *password,
			  gchar **cert_pem,
			  gchar **key_pem,
			  gchar **ca_pem,
			  GError **error)
{
	gnutls_pkcs12_t p12 = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t *chain = NULL;
	gnutls_x509_crt_t *extra = NULL;
	unsigned int chain_len = 0;
	unsigned int extra_len = 0;
	gnutls_datum_t in;
	gnutls_datum_t out = {NULL, 0};
	g_autoptr(GString) certs = g_string_new (NULL);
	g_autoptr(GString) cas = g_string_new (NULL);
	gsize len = 0;
	int rc;

	in.data = (guint8 *)g_bytes_get_data (p12_bytes, &len);
	in.size = (guint)len;
	rc = gnutls_pkcs12_init (&p12);
	if (rc == 0)
		rc = gnutls_pkcs12_import (p12, &in, GNUTLS_X509_FMT_DER, 0);
	if (rc == 0)
		rc = gnutls_pkcs12_simple_parse (p12, password != NULL ? password : "", &key,
						 &chain, &chain_len, &extra, &extra_len, NULL, 0);
	gnutls_pkcs12_deinit (p12);
	if (rc < 0)
		return otad_provision_gnutls_fail (error, _("cannot read the PKCS#12 bundle"), rc);

	/* the leaf and the issuers the bundle has for it identify the client; the other
	 * certificates are the CA to trust (what OpenSSL's PKCS12_parse calls "ca") */
	for (guint i = 0; i < chain_len && rc == 0; i++)
		rc = otad_provision_append_pem (certs, chain[i]);
	for (guint i = 1; i < chain_len && rc == 0; i++)
		rc = otad_provision_append_pem (cas, chain[i]);
	for (guint i = 0; i < extra_len && rc == 0; i++)
		rc = otad_provision_append_pem (cas, extra[i]);
	for (guint i = 0; i < chain_len; i++)
		gnutls_x509_crt_deinit (chain[i]);
	for (guint i = 0; i < extra_len; i++)
		gnutls_x509_crt_deinit (extra[i]);
	gnutls_free (chain);
	gnutls_free (extra);
	if (rc == 0)
		rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
							GNUTLS_PKCS_PLAIN, &out);
	gnutls_x509_privkey_deinit (key);
	if (rc < 0)
		return otad_provision_gnutls_fail (error, _("cannot export the PKCS#12 contents"),
		                                   rc);
	if (chain_len == 0) {
		gnutls_free (out.data);
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     _("the PKCS#12 bundle has no certificate"));
		return FALSE;
	}
	*key_pem = g_strndup ((const gchar *)out.data, out.size);
	gnutls_memset (out.data, 0, out.size);
	gnutls_free (out.data);
	*cert_pem = g_string_free (g_steal_pointer (&certs), FALSE);
	if (ca_pem != NULL)
		*ca_pem = cas->len > 0 ? g_string_free (g_steal_pointer (&cas), FALSE) : NULL;

	/* success */
	return TRUE;
}

GTlsCertificate *
otad_provision_tls_certificate (const gchar *cert_pem, const gchar *key_pem, GError **error)
{
	g_autofree gchar *both = g_strconcat (cert_pem, "\n", key_pem, NULL);
	g_autoptr(GError) error_local = NULL;
	GTlsCertificate *cert = g_tls_certificate_new_from_pem (both, -1, &error_local);

	memset (both, 0, strlen (both));
	if (cert == NULL)
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("provisioning identity not usable: %s"), error_local->message);
	return cert;
}

static GBytes *
otad_credentials_member (GBytes *zip, const gchar *zip_path, const gchar *name, GError **error)
{
	GBytes *b = otad_zip_extract (zip, name, error);
	if (b == NULL)
		g_prefix_error (error, "%s: ", zip_path);
	return b;
}

/**
 * otad_credentials_load:
 *
 * Reads credentials.zip as OTA Connect hands it out (autoprov.url,
 * autoprov_credentials.p12, treehub.json, ...; server_ca.pem only in older archives).
 */
OtadCredentials *
otad_credentials_load (const gchar *zip_path, const gchar *p12_password, GError **error)
{
	g_autoptr(OtadCredentials) creds = g_new0 (OtadCredentials, 1);
	g_autoptr(GMappedFile) mapped = NULL;
	g_autoptr(GBytes) zip = NULL;
	g_autoptr(GBytes) url = NULL;
	g_autoptr(GBytes) p12 = NULL;
	g_autoptr(GBytes) ca = NULL;
	g_autoptr(GError) error_local = NULL;

	mapped = g_mapped_file_new (zip_path, FALSE, &error_local);
	if (mapped == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s",
			     error_local->message);
		return NULL;
	}
	zip = g_mapped_file_get_bytes (mapped);
	p12 = otad_credentials_member (zip, zip_path, "autoprov_credentials.p12", error);
	if (p12 == NULL)
		return NULL;
	if (!otad_provision_parse_p12 (p12, p12_password, &creds->cert_pem, &creds->key_pem,
				       &creds->ca_pem, error)) {
		g_prefix_error (error, _("%s: autoprov_credentials.p12: "), zip_path);
		return NULL;
	}
	/* optional members: their absence is no error (Bootstrap::readServerUrl/readServerCa) */
	url = otad_zip_extract (zip, "autoprov.url", &error_local);
	if (url == NULL && !g_error_matches (error_local, OTA_ERROR, OTA_ERROR_NOT_FOUND)) {
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local), "%s: ", zip_path);
		return NULL;
	}
	g_clear_error (&error_local);
	if (url != NULL) {
		creds->gateway_url = g_strstrip (
		    g_strndup (g_bytes_get_data (url, NULL), g_bytes_get_size (url)));
		while (g_str_has_suffix (creds->gateway_url, "/"))
			creds->gateway_url[strlen (creds->gateway_url) - 1] = '\0';
		if (creds->gateway_url[0] == '\0')
			g_clear_pointer (&creds->gateway_url, g_free);
	}
	ca = otad_zip_extract (zip, "server_ca.pem", NULL);
	if (ca != NULL) {
		g_free (creds->ca_pem);
		creds->ca_pem = g_strndup (g_bytes_get_data (ca, NULL), g_bytes_get_size (ca));
	}
	return g_steal_pointer (&creds);
}

gboolean
otad_provision_request_device (OtadHttp *fleet_http,
			       const gchar *server_url,
			       const gchar *device_id,
			       guint64 expiry_days,
			       gchar **cert_pem,
			       gchar **key_pem,
			       gchar **ca_pem,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GBytes) reply = NULL;
	g_autofree gchar *json = NULL;
	g_autofree gchar *ttl = g_strdup_printf ("%" G_GUINT64_FORMAT, expiry_days);
	g_autofree gchar *url = otad_http_join_url (server_url, "devices");

	/* aktualizr sends the ttl as the string its configuration holds */
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "deviceId");
	json_builder_add_string_value (b, device_id);
	json_builder_set_member_name (b, "ttl");
	json_builder_add_string_value (b, ttl);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json = json_to_string (root, FALSE);
	body = g_bytes_new (json, strlen (json));
	reply = otad_http_request (fleet_http, "POST", url, body, "application/json",
				   OTAD_PROVISION_REPLY_MAX, OTAD_HTTP_FLAG_NONE, NULL, cancellable,
				   error);
	if (reply == NULL)
		return FALSE;
	if (!otad_provision_parse_p12 (reply, "", cert_pem, key_pem, ca_pem, error)) {
		g_prefix_error (error, _("POST %s: reply: "), url);
		return FALSE;
	}

	/* success */
	return TRUE;
}

gboolean
otad_provision_register_ecus (OtadHttp *http,
			      const gchar *director_url,
			      const gchar *primary_serial,
			      const gchar *hardware_id,
			      const gchar *public_key,
			      GCancellable *cancellable,
			      GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GBytes) reply = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *url = otad_http_join_url (director_url, "ecus");
	guint status = 0;

	/* the body of Initializer::initEcuRegister: the primary, its hardware id and key */
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
	json_builder_add_string_value (b, public_key);
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
		/* the Director knows this ECU already (a device that ran aktualizr, or an
		 * answer lost on the way back): what we wanted is true */
		if (status == 409) {
			g_message ("ECU %s is registered already (409)", primary_serial);
			return TRUE;
		}
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
		                            _("ECU registration failed: "));
		return FALSE;
	}

	/* success */
	return TRUE;
}

static gboolean
otad_provision_key_id (gnutls_x509_crt_t crt,
		       gnutls_x509_privkey_t key,
		       guint8 *crt_id,
		       guint8 *key_id,
		       gsize *len)
{
	size_t crt_len = *len;
	size_t key_len = *len;

	if (gnutls_x509_crt_get_key_id (crt, 0, crt_id, &crt_len) < 0 ||
	    gnutls_x509_privkey_get_key_id (key, 0, key_id, &key_len) < 0)
		return FALSE;
	*len = crt_len == key_len ? crt_len : 0;
	return TRUE;
}

/* a mismatch shows at start, not as an obscure TLS failure at the first request */
gboolean
otad_provision_check_key_pair (const gchar *cert_file, const gchar *key_file, GError **error)
{
	g_autofree gchar *cert_text = NULL;
	g_autofree gchar *key_text = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t d;
	guint8 crt_id[64];
	guint8 key_id[64];
	gsize len = sizeof (crt_id);
	gsize cert_len = 0;
	gsize key_len = 0;
	gboolean ok = FALSE;
	gboolean read = FALSE;

	/* unreadable files are reported by whoever loads them */
	if (!g_file_get_contents (cert_file, &cert_text, &cert_len, NULL) ||
	    !g_file_get_contents (key_file, &key_text, &key_len, NULL))
		return TRUE;
	if (gnutls_x509_crt_init (&crt) == 0 && gnutls_x509_privkey_init (&key) == 0) {
		d.data = (guint8 *)cert_text;
		d.size = (guint)cert_len;
		if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_PEM) == 0) {
			d.data = (guint8 *)key_text;
			d.size = (guint)key_len;
			if (gnutls_x509_privkey_import2 (key, &d, GNUTLS_X509_FMT_PEM, NULL, 0) ==
			    0) {
				read = otad_provision_key_id (crt, key, crt_id, key_id, &len);
				ok = read && len > 0 && memcmp (crt_id, key_id, len) == 0;
			}
		}
	}
	gnutls_x509_crt_deinit (crt);
	gnutls_x509_privkey_deinit (key);
	memset (key_text, 0, key_len);
	if (!read)
		return TRUE;
	if (!ok) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("the device certificate %s and the key %s do not belong together "
		                "(the certificate is for another key)"),
		             cert_file, key_file);
		return FALSE;
	}

	/* success */
	return TRUE;
}
