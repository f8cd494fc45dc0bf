/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <glib/gi18n.h>

#include "otad-tuf-error.h"
#include "otad-tuf-key.h"

typedef enum {
	OTAD_TUF_KEY_KIND_UNSUPPORTED,
	OTAD_TUF_KEY_KIND_ED25519,
	OTAD_TUF_KEY_KIND_RSA_PSS_SHA256,
	OTAD_TUF_KEY_KIND_ECDSA_P256_SHA256,
} OtadTufKeyKind;

struct _OtadTufKey {
	OtadTufKeyKind kind;
	gchar *keytype;         /* (owned) as the server wrote it */
	gchar *fingerprint;     /* (owned) sha256 of the DER public key, or of the raw text */
	gnutls_pubkey_t pubkey; /* (owned) (nullable) NULL when unsupported */
	/* (owned) (nullable) RSA only: the same key bound to the maximum PSS salt length,
	 * which aktualizr's signer uses (TUF's uses the digest length) */
	gnutls_pubkey_t pubkey_max_salt;
};

void
otad_tuf_key_free (OtadTufKey *key)
{
	if (key == NULL)
		return;
	if (key->pubkey != NULL)
		gnutls_pubkey_deinit (key->pubkey);
	if (key->pubkey_max_salt != NULL)
		gnutls_pubkey_deinit (key->pubkey_max_salt);
	g_free (key->keytype);
	g_free (key->fingerprint);
	g_free (key);
}

static GBytes *
otad_tuf_key_unhex (const gchar *str, gsize len)
{
	g_autoptr (GByteArray) buf = NULL;
	if (len == 0 || len % 2 != 0)
		return NULL;
	buf = g_byte_array_sized_new (len / 2);
	for (gsize i = 0; i < len; i += 2) {
		gint hi = g_ascii_xdigit_value (str[i]);
		gint lo = g_ascii_xdigit_value (str[i + 1]);
		guint8 b;
		if (hi < 0 || lo < 0)
			return NULL;
		b = (hi << 4) | lo;
		g_byte_array_append (buf, &b, 1);
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* strict base64: only the alphabet, correct padding, length a multiple of four */
static GBytes *
otad_tuf_key_unbase64 (const gchar *str, gsize len)
{
	g_autofree gchar *copy = NULL;
	guchar *out;
	gsize out_len = 0;
	if (len == 0 || len % 4 != 0)
		return NULL;
	for (gsize i = 0; i < len; i++) {
		gchar c = str[i];
		if (g_ascii_isalnum (c) || c == '+' || c == '/')
			continue;
		if (c == '=' && i >= len - 2 && (i == len - 1 || str[len - 1] == '='))
			continue;
		return NULL;
	}
	copy = g_strndup (str, len);
	out = g_base64_decode (copy, &out_len);
	return g_bytes_new_take (out, out_len);
}

static gboolean
otad_tuf_key_set_fingerprint (OtadTufKey *key, GError **error)
{
	gnutls_datum_t der = {NULL, 0};
	int rc = gnutls_pubkey_export2 (key->pubkey, GNUTLS_X509_FMT_DER, &der);
	if (rc < 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		             _("cannot export public key: %s"), gnutls_strerror (rc));
		return FALSE;
	}
	key->fingerprint = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der.data, der.size);
	gnutls_free (der.data);
	return TRUE;
}

static gboolean
otad_tuf_key_import_ed25519 (OtadTufKey *key, const gchar *pub, gsize len, GError **error)
{
	g_autoptr (GBytes) raw = otad_tuf_key_unhex (pub, len);
	gnutls_datum_t x;
	int rc;

	if (raw == NULL)
		raw = otad_tuf_key_unbase64 (pub, len);
	if (raw == NULL || g_bytes_get_size (raw) != 32) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		                     _("ed25519 public key is not 32 bytes of hex or base64"));
		return FALSE;
	}
	x.data = (guchar *)g_bytes_get_data (raw, NULL);
	x.size = 32;
	rc = gnutls_pubkey_import_ecc_raw (key->pubkey, GNUTLS_ECC_CURVE_ED25519, &x, NULL);
	if (rc < 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		             _("invalid ed25519 public key: %s"), gnutls_strerror (rc));
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_tuf_key_import_pem (OtadTufKey *key, const gchar *pub, gsize len, GError **error)
{
	gnutls_datum_t pem = {(guchar *)pub, len};
	int rc = gnutls_pubkey_import (key->pubkey, &pem, GNUTLS_X509_FMT_PEM);
	if (rc < 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		             _("invalid PEM public key: %s"), gnutls_strerror (rc));
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_tuf_key_import_ecdsa (OtadTufKey *key, const gchar *pub, gsize len, GError **error)
{
	g_autoptr (GBytes) raw = NULL;
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	const guint8 *p;
	int rc;

	if (g_strstr_len (pub, len, "-----BEGIN") != NULL) {
		gnutls_datum_t x = {NULL, 0}, y = {NULL, 0};
		if (!otad_tuf_key_import_pem (key, pub, len, error))
			return FALSE;
		rc = gnutls_pubkey_export_ecc_raw (key->pubkey, &curve, &x, &y);
		gnutls_free (x.data);
		gnutls_free (y.data);
		if (rc < 0 || curve != GNUTLS_ECC_CURVE_SECP256R1) {
			g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED,
			                     _("ECDSA key is not on curve P-256"));
			return FALSE;
		}
		return TRUE;
	}
	/* hex of the uncompressed point 04 || x || y */
	raw = otad_tuf_key_unhex (pub, len);
	if (raw == NULL || g_bytes_get_size (raw) != 65 ||
	    ((const guint8 *)g_bytes_get_data (raw, NULL))[0] != 0x04) {
		g_set_error_literal (
		    error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		    _("ECDSA public key is neither PEM nor an uncompressed point"));
		return FALSE;
	}
	p = g_bytes_get_data (raw, NULL);
	{
		gnutls_datum_t x = {(guchar *)p + 1, 32};
		gnutls_datum_t y = {(guchar *)p + 33, 32};
		rc = gnutls_pubkey_import_ecc_raw (key->pubkey, GNUTLS_ECC_CURVE_SECP256R1, &x, &y);
	}
	if (rc < 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		             _("invalid ECDSA public key: %s"), gnutls_strerror (rc));
		return FALSE;
	}
	return TRUE;
}

/* RFC 8017 9.1.1: emLen = ceil((modBits - 1) / 8), max salt = emLen - hLen - 2 */
static gboolean
otad_tuf_key_setup_max_salt (OtadTufKey *key, const gchar *pub, gsize len, guint bits,
                             GError **error)
{
	gnutls_datum_t pem = {(guchar *)pub, len};
	gnutls_x509_spki_t spki = NULL;
	guint em_len = (bits - 1 + 7) / 8;
	int rc;

	rc = gnutls_pubkey_init (&key->pubkey_max_salt);
	if (rc == 0)
		rc = gnutls_pubkey_import (key->pubkey_max_salt, &pem, GNUTLS_X509_FMT_PEM);
	if (rc == 0)
		rc = gnutls_x509_spki_init (&spki);
	if (rc == 0) {
		gnutls_x509_spki_set_rsa_pss_params (spki, GNUTLS_DIG_SHA256, em_len - 32 - 2);
		rc = gnutls_pubkey_set_spki (key->pubkey_max_salt, spki, 0);
	}
	if (spki != NULL)
		gnutls_x509_spki_deinit (spki);
	if (rc < 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_FAILED,
		             _("cannot set RSA-PSS parameters: %s"), gnutls_strerror (rc));
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_tuf_key_import_rsa (OtadTufKey *key, const gchar *pub, gsize len, GError **error)
{
	guint bits = 0;
	int algo;

	if (!otad_tuf_key_import_pem (key, pub, len, error))
		return FALSE;
	algo = gnutls_pubkey_get_pk_algorithm (key->pubkey, &bits);
	if (algo != GNUTLS_PK_RSA && algo != GNUTLS_PK_RSA_PSS) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		                     _("RSA key type with a non-RSA public key"));
		return FALSE;
	}
	if (bits < 2048 || bits > 4096) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED,
		             _("RSA key of %u bits (2048 to 4096 supported)"), bits);
		return FALSE;
	}
	return otad_tuf_key_setup_max_salt (key, pub, len, bits, error);
}

static OtadTufKeyKind
otad_tuf_key_kind_from_strings (const gchar *keytype, const gchar *scheme)
{
	g_autofree gchar *type = g_ascii_strdown (keytype, -1);

	if (g_strcmp0 (type, "ed25519") == 0) {
		if (scheme == NULL || g_strcmp0 (scheme, "ed25519") == 0)
			return OTAD_TUF_KEY_KIND_ED25519;
	} else if (g_strcmp0 (type, "rsa") == 0) {
		if (scheme == NULL || g_strcmp0 (scheme, "rsassa-pss-sha256") == 0)
			return OTAD_TUF_KEY_KIND_RSA_PSS_SHA256;
	} else if (g_strcmp0 (type, "ecdsa") == 0 || g_strcmp0 (type, "ecdsa-sha2-nistp256") == 0) {
		if (scheme == NULL || g_strcmp0 (scheme, "ecdsa-sha2-nistp256") == 0)
			return OTAD_TUF_KEY_KIND_ECDSA_P256_SHA256;
	}
	return OTAD_TUF_KEY_KIND_UNSUPPORTED;
}

OtadTufKey *
otad_tuf_key_new_from_json (const OtadJsonNode *node, GError **error)
{
	g_autoptr (OtadTufKey) key = g_new0 (OtadTufKey, 1);
	const OtadJsonNode *keytype = otad_json_object_get (node, "keytype");
	const OtadJsonNode *scheme = otad_json_object_get (node, "scheme");
	const OtadJsonNode *keyval = otad_json_object_get (node, "keyval");
	const OtadJsonNode *pub = otad_json_object_get (keyval, "public");
	g_autofree gchar *scheme_str = NULL;
	g_autoptr (GError) error_local = NULL;
	gboolean ok = FALSE;

	if (!otad_json_is (node, OTAD_JSON_OBJECT) || !otad_json_is (keytype, OTAD_JSON_STRING) ||
	    (scheme != NULL && !otad_json_is (scheme, OTAD_JSON_STRING)) ||
	    !otad_json_is (pub, OTAD_JSON_STRING)) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		                     _("key needs string keytype and keyval.public"));
		return NULL;
	}
	key->keytype = otad_json_dup_string (keytype);
	scheme_str = otad_json_dup_string (scheme);
	if (key->keytype == NULL || (scheme != NULL && scheme_str == NULL)) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		                     _("key type contains NUL"));
		return NULL;
	}
	key->kind = otad_tuf_key_kind_from_strings (key->keytype, scheme_str);
	if (key->kind != OTAD_TUF_KEY_KIND_UNSUPPORTED) {
		int rc = gnutls_pubkey_init (&key->pubkey);
		if (rc < 0) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_FAILED, "gnutls: %s",
			             gnutls_strerror (rc));
			return NULL;
		}
		switch (key->kind) {
		case OTAD_TUF_KEY_KIND_ED25519:
			ok = otad_tuf_key_import_ed25519 (key, pub->v.s, pub->n, &error_local);
			break;
		case OTAD_TUF_KEY_KIND_RSA_PSS_SHA256:
			ok = otad_tuf_key_import_rsa (key, pub->v.s, pub->n, &error_local);
			break;
		case OTAD_TUF_KEY_KIND_ECDSA_P256_SHA256:
			ok = otad_tuf_key_import_ecdsa (key, pub->v.s, pub->n, &error_local);
			break;
		default:
			g_assert_not_reached ();
		}
		if (ok)
			ok = otad_tuf_key_set_fingerprint (key, &error_local);
	}
	if (!ok) {
		/* an unusable key is kept as a label that never verifies */
		g_debug ("key of type %s unusable: %s", key->keytype,
		         error_local != NULL ? error_local->message : "unsupported");
		key->kind = OTAD_TUF_KEY_KIND_UNSUPPORTED;
		if (key->pubkey != NULL) {
			gnutls_pubkey_deinit (key->pubkey);
			key->pubkey = NULL;
		}
		if (key->pubkey_max_salt != NULL) {
			gnutls_pubkey_deinit (key->pubkey_max_salt);
			key->pubkey_max_salt = NULL;
		}
		g_free (key->fingerprint);
		key->fingerprint = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
		                                                (const guchar *)pub->v.s, pub->n);
	}
	return g_steal_pointer (&key);
}

gboolean
otad_tuf_key_is_supported (const OtadTufKey *key)
{
	return key->kind != OTAD_TUF_KEY_KIND_UNSUPPORTED;
}

const gchar *
otad_tuf_key_get_fingerprint (const OtadTufKey *key)
{
	return key->fingerprint;
}

const gchar *
otad_tuf_key_get_keytype (const OtadTufKey *key)
{
	return key->keytype;
}

static gboolean
otad_tuf_key_method_matches (const OtadTufKey *key, const OtadJsonNode *method)
{
	g_autofree gchar *raw = NULL;
	g_autofree gchar *m = NULL;
	if (method == NULL)
		return TRUE;
	raw = otad_json_dup_string (method);
	m = g_ascii_strdown (raw != NULL ? raw : "", -1);
	switch (key->kind) {
	case OTAD_TUF_KEY_KIND_ED25519:
		return g_strcmp0 (m, "ed25519") == 0;
	case OTAD_TUF_KEY_KIND_RSA_PSS_SHA256:
		return g_strcmp0 (m, "rsassa-pss-sha256") == 0 || g_strcmp0 (m, "rsassa-pss") == 0;
	case OTAD_TUF_KEY_KIND_ECDSA_P256_SHA256:
		return g_strcmp0 (m, "ecdsa-sha2-nistp256") == 0 || g_strcmp0 (m, "ecdsa") == 0;
	default:
		return FALSE;
	}
}

gboolean
otad_tuf_key_verify (const OtadTufKey *key, const OtadJsonNode *signature, const guint8 *data,
                     gsize data_len, GError **error)
{
	const OtadJsonNode *sig = otad_json_object_get (signature, "sig");
	const OtadJsonNode *method = otad_json_object_get (signature, "method");
	g_autoptr (GBytes) raw = NULL;
	gnutls_datum_t msg = {(guchar *)data, data_len};
	gnutls_datum_t sigd = {NULL, 0};
	gnutls_datum_t der = {NULL, 0};
	gnutls_sign_algorithm_t algo;
	int rc;

	if (key->kind == OTAD_TUF_KEY_KIND_UNSUPPORTED) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED,
		             _("key type %s is not supported"), key->keytype);
		return FALSE;
	}
	if (!otad_json_is (sig, OTAD_JSON_STRING) ||
	    (method != NULL && !otad_json_is (method, OTAD_JSON_STRING))) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		                     _("signature needs a string sig"));
		return FALSE;
	}
	if (!otad_tuf_key_method_matches (key, method)) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_BAD_SIGNATURE,
		             _("signature method does not match key type %s"), key->keytype);
		return FALSE;
	}
	/* aktualizr's `method` signatures are base64, TUF's are hex */
	if (method == NULL)
		raw = otad_tuf_key_unhex (sig->v.s, sig->n);
	if (raw == NULL)
		raw = otad_tuf_key_unbase64 (sig->v.s, sig->n);
	if (raw == NULL) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
		                     _("signature is neither hex nor base64"));
		return FALSE;
	}
	sigd.data = (guchar *)g_bytes_get_data (raw, NULL);
	sigd.size = g_bytes_get_size (raw);
	switch (key->kind) {
	case OTAD_TUF_KEY_KIND_ED25519:
		algo = GNUTLS_SIGN_EDDSA_ED25519;
		break;
	case OTAD_TUF_KEY_KIND_RSA_PSS_SHA256:
		algo = GNUTLS_SIGN_RSA_PSS_SHA256;
		break;
	case OTAD_TUF_KEY_KIND_ECDSA_P256_SHA256:
		algo = GNUTLS_SIGN_ECDSA_SHA256;
		/* raw r || s is accepted besides DER */
		if (sigd.size == 64) {
			gnutls_datum_t r = {sigd.data, 32};
			gnutls_datum_t s = {sigd.data + 32, 32};
			if (gnutls_encode_rs_value (&der, &r, &s) == 0)
				sigd = der;
		}
		break;
	default:
		g_assert_not_reached ();
	}
	rc = gnutls_pubkey_verify_data2 (key->pubkey, algo, 0, &msg, &sigd);
	if (rc < 0 && key->pubkey_max_salt != NULL)
		rc = gnutls_pubkey_verify_data2 (key->pubkey_max_salt, algo, 0, &msg, &sigd);
	gnutls_free (der.data);
	if (rc < 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_BAD_SIGNATURE,
		             _("signature does not verify: %s"), gnutls_strerror (rc));
		return FALSE;
	}
	return TRUE;
}
