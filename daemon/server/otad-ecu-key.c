/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEcuKey"

#include "config.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-canonical-json.h"
#include "otad-ecu-key.h"
#include "otad-file.h"

/* a PEM ed25519 key is about 120 bytes */
#define OTAD_ECU_KEY_MAX_SIZE (64 * 1024)

struct _OtadEcuKey {
	GObject parent_instance;
	gnutls_privkey_t privkey; /* (owned) */
	gchar *public_hex;        /* (owned) */
	gchar *keyid;             /* (owned) */
	gboolean recreated;       /* the stored key was unreadable: this one is new */
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
		             _("ECU key %s is not an ed25519 key"), where);
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
		                               _("cannot read the ECU public key"), rc);
	if (x.size != 32) {
		gnutls_free (x.data);
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("ECU key %s: public key of %u bytes"), where, x.size);
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
	g_autofree gchar *dir = g_path_get_dirname (path);
	gboolean ok;
	int rc;

	if (!otad_file_ensure_dir (dir, 0700, error))
		return FALSE;
	rc = gnutls_x509_privkey_init (&key);
	if (rc == 0)
		rc = gnutls_x509_privkey_generate (key, GNUTLS_PK_EDDSA_ED25519, 256, 0);
	if (rc == 0)
		rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
		                                        GNUTLS_PKCS_PLAIN, &pem);
	gnutls_x509_privkey_deinit (key);
	if (rc < 0)
		return otad_ecu_key_set_error (error, OTA_ERROR_INTERNAL,
		                               _("cannot generate the ECU key"), rc);

	/* private from the start (0600, never through a planted symlink), durable before
	 * it is given its name */
	ok = otad_file_replace (path, pem.data, pem.size, 0600, error);
	gnutls_memset (pem.data, 0, pem.size);
	gnutls_free (pem.data);
	if (!ok) {
		g_prefix_error (error, _("cannot store the ECU key: "));
		return FALSE;
	}
	g_info ("created a new ECU key in %s", path);

	/* success */
	return TRUE;
}

static gboolean
otad_ecu_key_import (OtadEcuKey *self, const gchar *path, gchar *contents, gsize len,
                     GError **error)
{
	gnutls_datum_t data = {(guint8 *)contents, (guint)len};
	int rc;

	rc = gnutls_privkey_init (&self->privkey);
	if (rc == 0)
		rc = gnutls_privkey_import_x509_raw (self->privkey, &data, GNUTLS_X509_FMT_PEM,
		                                     NULL, 0);
	memset (contents, 0, len);
	if (rc < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, _("ECU key %s: %s"), path,
		             gnutls_strerror (rc));
		return FALSE;
	}
	return otad_ecu_key_setup_public (self, path, error) &&
	       otad_ecu_key_adopt_public_form (self, path, error);
}

/**
 * otad_ecu_key_load_or_create:
 *
 * Loads the ECU key otad made, or makes one.  A key file that cannot be used (cut
 * short by a power cut, a symlink, not an ed25519 key) is moved aside with a
 * warning and a new key is made: the device must go on reporting, and the new key
 * is registered with the Director again (otad_ecu_key_was_recreated()).
 *
 * Returns: (transfer full): the key, or %NULL when the state directory fails
 */
OtadEcuKey *
otad_ecu_key_load_or_create (const gchar *path, GError **error)
{
	gboolean moved_aside = FALSE;

	for (guint attempt = 0; attempt < 2; attempt++) {
		g_autoptr(OtadEcuKey) self = g_object_new (OTAD_TYPE_ECU_KEY, NULL);
		g_autofree gchar *contents = NULL;
		g_autoptr(GError) error_local = NULL;
		gsize len = 0;

		if (!otad_file_read (path, OTAD_ECU_KEY_MAX_SIZE, &contents, &len,
		                     &error_local)) {
			if (!otad_file_is_not_found (error_local)) {
				g_autofree gchar *aside =
				    otad_file_move_aside (path, error_local->message);
				moved_aside = TRUE;
			} else if (attempt > 0) {
				g_propagate_error (error, g_steal_pointer (&error_local));
				return NULL;
			}
			if (!otad_ecu_key_write_new (path, error))
				return NULL;
			continue;
		}
		if (!otad_ecu_key_import (self, path, contents, len, &error_local)) {
			g_autofree gchar *aside = NULL;
			if (attempt > 0) {
				g_propagate_error (error, g_steal_pointer (&error_local));
				return NULL;
			}
			aside = otad_file_move_aside (path, error_local->message);
			moved_aside = TRUE;
			if (!otad_ecu_key_write_new (path, error))
				return NULL;
			/* a key made here replaces one the Director knew */
			continue;
		}
		self->recreated = moved_aside;
		return g_steal_pointer (&self);
	}
	g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("cannot load the ECU key %s"), path);
	return NULL;
}

/* TRUE when a stored key was unusable and this one was made in its place */
gboolean
otad_ecu_key_was_recreated (OtadEcuKey *self)
{
	g_return_val_if_fail (OTAD_IS_ECU_KEY (self), FALSE);
	return self->recreated;
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
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, _("ECU key %s: %s"), uri,
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
		otad_ecu_key_set_error (error, OTA_ERROR_INTERNAL,
		                        _("cannot sign with the ECU key"), rc);
		return NULL;
	}
	b64 = g_base64_encode (sig.data, sig.size);
	gnutls_free (sig.data);
	return b64;
}
