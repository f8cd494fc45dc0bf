/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEcuKey"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <unistd.h>

#include "ota-error.h"
#include "otad-canonical-json.h"
#include "otad-ecu-key.h"

struct _OtadEcuKey {
	GObject parent_instance;
	gnutls_privkey_t privkey; /* (owned) */
	gchar *public_hex;        /* (owned) */
	gchar *keyid;             /* (owned) */
};

G_DEFINE_TYPE (OtadEcuKey, otad_ecu_key, G_TYPE_OBJECT)

static void
otad_ecu_key_finalize (GObject *object)
{
	OtadEcuKey *self = OTAD_ECU_KEY (object);

	if (self->privkey != NULL)
		gnutls_privkey_deinit (self->privkey);
	g_free (self->public_hex);
	g_free (self->keyid);
	G_OBJECT_CLASS (otad_ecu_key_parent_class)->finalize (object);
}

static void
otad_ecu_key_class_init (OtadEcuKeyClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_ecu_key_finalize;
}

static void
otad_ecu_key_init (OtadEcuKey *self)
{
}

static gboolean
otad_ecu_key_set_error (GError **error, gint code, const gchar *what, int rc)
{
	g_set_error (error, OTA_ERROR, code, "%s: %s", what, gnutls_strerror (rc));
	return FALSE;
}

/* fills public_hex and keyid from the private key; refuses anything but ed25519 */
static gboolean
otad_ecu_key_setup_public (OtadEcuKey *self, const gchar *where, GError **error)
{
	gnutls_pubkey_t pubkey = NULL;
	gnutls_datum_t x = {NULL, 0};
	g_autoptr(JsonNode) hex_node = NULL;
	g_autofree gchar *canonical = NULL;
	int rc;

	if (gnutls_privkey_get_pk_algorithm (self->privkey, NULL) != GNUTLS_PK_EDDSA_ED25519) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             "ECU key %s is not an ed25519 key", where);
		return FALSE;
	}
	rc = gnutls_pubkey_init (&pubkey);
	if (rc == 0)
		rc = gnutls_pubkey_import_privkey (pubkey, self->privkey, 0, 0);
	if (rc == 0)
		rc = gnutls_pubkey_export_ecc_raw2 (pubkey, NULL, &x, NULL, 0);
	gnutls_pubkey_deinit (pubkey);
	if (rc < 0)
		return otad_ecu_key_set_error (error, OTA_ERROR_INVALID_CONFIG,
		                               "cannot read the ECU public key", rc);
	if (x.size != 32) {
		gnutls_free (x.data);
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             "ECU key %s: public key of %u bytes", where, x.size);
		return FALSE;
	}
	{
		GString *hex = g_string_sized_new (64);
		for (guint i = 0; i < x.size; i++)
			g_string_append_printf (hex, "%02x", x.data[i]);
		self->public_hex = g_string_free (hex, FALSE);
	}
	gnutls_free (x.data);
	/* the key id is over the canonical JSON of the hex string, as aktualizr computes it */
	hex_node = json_node_init_string (json_node_alloc (), self->public_hex);
	canonical = otad_canonical_json_from_node (hex_node, error);
	if (canonical == NULL)
		return FALSE;
	self->keyid = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);

	/* success */
	return TRUE;
}

/*
 * A key taken over from aktualizr keeps the spelling of its public key that the Director
 * registered (aktualizr writes upper-case hex), so its key id, computed over that string,
 * stays the same: PATH.public holds it (otad-aktualizr-import.c)
 */
static gboolean
otad_ecu_key_adopt_public_form (OtadEcuKey *self, const gchar *path, GError **error)
{
	g_autofree gchar *form_path = g_strconcat (path, ".public", NULL);
	g_autofree gchar *form = NULL;
	g_autofree gchar *canonical = NULL;
	g_autoptr(JsonNode) node = NULL;

	if (!g_file_get_contents (form_path, &form, NULL, NULL))
		return TRUE;
	g_strstrip (form);
	if (g_ascii_strcasecmp (form, self->public_hex) != 0) {
		g_warning ("%s is not the public key of %s: ignored", form_path, path);
		return TRUE;
	}
	node = json_node_init_string (json_node_alloc (), form);
	canonical = otad_canonical_json_from_node (node, error);
	if (canonical == NULL)
		return FALSE;
	g_free (self->public_hex);
	self->public_hex = g_steal_pointer (&form);
	g_free (self->keyid);
	self->keyid = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
	return TRUE;
}

static gboolean
otad_ecu_key_write_new (const gchar *path, GError **error)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t pem = {NULL, 0};
	g_autofree gchar *tmp = g_strdup_printf ("%s.tmp", path);
	g_autofree gchar *dir = g_path_get_dirname (path);
	gboolean ok = FALSE;
	int fd;
	int rc;

	if (g_mkdir_with_parents (dir, 0700) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "cannot create %s: %s", dir,
		             g_strerror (errno));
		return FALSE;
	}
	rc = gnutls_x509_privkey_init (&key);
	if (rc == 0)
		rc = gnutls_x509_privkey_generate (key, GNUTLS_PK_EDDSA_ED25519, 256, 0);
	if (rc == 0)
		rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
		                                        GNUTLS_PKCS_PLAIN, &pem);
	gnutls_x509_privkey_deinit (key);
	if (rc < 0)
		return otad_ecu_key_set_error (error, OTA_ERROR_INTERNAL,
		                               "cannot generate the ECU key", rc);

	/* private from the start, durable before it is given its name */
	fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = write (fd, pem.data, pem.size) == (gssize)pem.size && fsync (fd) == 0;
		ok = (close (fd) == 0) && ok;
	}
	gnutls_memset (pem.data, 0, pem.size);
	gnutls_free (pem.data);
	if (!ok || g_rename (tmp, path) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "cannot write ECU key %s: %s",
		             path, g_strerror (errno));
		g_unlink (tmp);
		return FALSE;
	}
	g_info ("created a new ECU key in %s", path);

	/* success */
	return TRUE;
}

OtadEcuKey *
otad_ecu_key_load_or_create (const gchar *path, GError **error)
{
	g_autoptr(OtadEcuKey) self = g_object_new (OTAD_TYPE_ECU_KEY, NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	gnutls_datum_t data;
	int rc;

	if (!g_file_test (path, G_FILE_TEST_EXISTS) && !otad_ecu_key_write_new (path, error))
		return NULL;
	if (!g_file_get_contents (path, &contents, &len, NULL)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "cannot read ECU key %s", path);
		return NULL;
	}
	data.data = (guint8 *)contents;
	data.size = (guint)len;
	rc = gnutls_privkey_init (&self->privkey);
	if (rc == 0)
		rc = gnutls_privkey_import_x509_raw (self->privkey, &data, GNUTLS_X509_FMT_PEM,
		                                     NULL, 0);
	memset (contents, 0, len);
	if (rc < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "ECU key %s: %s", path,
		             gnutls_strerror (rc));
		return NULL;
	}
	if (!otad_ecu_key_setup_public (self, path, error))
		return NULL;
	if (!otad_ecu_key_adopt_public_form (self, path, error))
		return NULL;
	return g_steal_pointer (&self);
}

OtadEcuKey *
otad_ecu_key_new_from_pkcs11 (const gchar *uri, const gchar *pin, GError **error)
{
	g_autoptr(OtadEcuKey) self = g_object_new (OTAD_TYPE_ECU_KEY, NULL);
	g_autofree gchar *full = NULL;
	int rc;

	if (pin != NULL && strstr (uri, "pin-value=") == NULL)
		full =
		    g_strdup_printf ("%s%spin-value=%s", uri, strchr (uri, '?') ? "&" : "?", pin);
	else
		full = g_strdup (uri);
	rc = gnutls_privkey_init (&self->privkey);
	if (rc == 0)
		rc = gnutls_privkey_import_url (self->privkey, full, 0);
	if (rc < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "ECU key %s: %s", uri,
		             gnutls_strerror (rc));
		return NULL;
	}
	if (!otad_ecu_key_setup_public (self, uri, error))
		return NULL;
	return g_steal_pointer (&self);
}

const gchar *
otad_ecu_key_get_public_hex (OtadEcuKey *self)
{
	g_return_val_if_fail (OTAD_IS_ECU_KEY (self), NULL);
	return self->public_hex;
}

const gchar *
otad_ecu_key_get_keyid (OtadEcuKey *self)
{
	g_return_val_if_fail (OTAD_IS_ECU_KEY (self), NULL);
	return self->keyid;
}

gchar *
otad_ecu_key_sign_base64 (OtadEcuKey *self, const guint8 *data, gsize len, GError **error)
{
	gnutls_datum_t in = {(guint8 *)data, (guint)len};
	gnutls_datum_t sig = {NULL, 0};
	gchar *b64;
	int rc;

	g_return_val_if_fail (OTAD_IS_ECU_KEY (self), NULL);
	rc = gnutls_privkey_sign_data2 (self->privkey, GNUTLS_SIGN_EDDSA_ED25519, 0, &in, &sig);
	if (rc < 0) {
		otad_ecu_key_set_error (error, OTA_ERROR_INTERNAL, "cannot sign with the ECU key",
		                        rc);
		return NULL;
	}
	b64 = g_base64_encode (sig.data, sig.size);
	gnutls_free (sig.data);
	return b64;
}
