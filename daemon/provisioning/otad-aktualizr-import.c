/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadImport"

#include "config.h"

#include <errno.h>
#include <gnutls/x509.h>
#include <sqlite3.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-aktualizr-import.h"

/*
 * aktualizr's sql.db, schema version 26 (uptane/aktualizr config/sql/schema.sql):
 *   device_info(device_id, is_registered)
 *   ecus(serial, hardware_id, is_primary)
 *   primary_keys(private, public)              ED25519: upper-case hex of libsodium's
 *                                              64-byte secret key / 32-byte public key
 *                                              (Crypto::generateEDKeyPair); RSA: PEM
 *   tls_creds(ca_cert, client_cert, client_pkey)   PEM blobs
 *   installed_versions(ecu_serial, sha256, name, is_current)
 *   meta(meta, repo, meta_type, version)       repo 0 images, 1 director; meta_type 0 root
 *   ecu_report_counter(ecu_serial, counter)
 * Opened with immutable=1: SQLite then writes nothing at all, not even a lock or a -shm
 * file next to aktualizr's database.  aktualizr must be stopped first.
 */

typedef struct {
	const gchar *device_dir;
	const gchar *state_dir;
	sqlite3 *db;
	gchar *primary_serial; /* (owned) (nullable) */
	guint imported;
} OtadImport;

static gboolean
otad_import_write (const gchar *dir, const gchar *name, const gchar *data, gsize len,
		   gint mode, GError **error)
{
	g_autofree gchar *path = g_build_filename (dir, name, NULL);
	g_autofree gchar *parent = g_path_get_dirname (path);

	/* keys among them: never through a planted symlink, durable */
	if (!otad_file_ensure_dir (parent, 0700, error) ||
	    !otad_file_replace (path, data, len, (guint)mode, error))
		return FALSE;

	/* success */
	return TRUE;
}

/* the first row of @sql (bound to @arg when not NULL), as text columns; NULL: no row */
static GStrv
otad_import_row (OtadImport *self, const gchar *sql, const gchar *arg, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	g_autoptr(GStrvBuilder) row = g_strv_builder_new ();
	int rc;

	if (error != NULL && *error != NULL)
		return NULL;
	rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		/* an older schema may lack the table: nothing to import from it */
		g_debug ("aktualizr database: %s: %s", sql, sqlite3_errmsg (self->db));
		return NULL;
	}
	if (arg != NULL)
		sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count (stmt); i++) {
			const guchar *text = sqlite3_column_text (stmt, i);
			gint len = sqlite3_column_bytes (stmt, i);
			g_autofree gchar *value =
			    g_strndup (text != NULL ? (const gchar *)text : "", (gsize)len);
			g_strv_builder_add (row, value);
		}
	} else if (rc != SQLITE_DONE) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("aktualizr database: %s"),
		             sqlite3_errmsg (self->db));
	}
	sqlite3_finalize (stmt);
	return rc == SQLITE_ROW ? g_strv_builder_end (row) : NULL;
}

static gboolean
otad_import_text (OtadImport *self, const gchar *name, const gchar *value, gint mode,
		  GError **error)
{
	if (value == NULL || value[0] == '\0')
		return TRUE;
	self->imported++;
	return otad_import_write (self->device_dir, name, value, strlen (value), mode, error);
}

static gboolean
otad_import_hex (const gchar *hex, guint8 *out, gsize len)
{
	if (strlen (hex) != len * 2)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		gint hi = g_ascii_xdigit_value (hex[2 * i]);
		gint lo = g_ascii_xdigit_value (hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return FALSE;
		out[i] = (guint8)(hi << 4 | lo);
	}
	return TRUE;
}

/* an ED25519 key pair as aktualizr stores it, as otad's ecu.key (PKCS#8) and the public
 * key's spelling the Director registered (ecu.key.public, see otad-ecu-key.c) */
static gboolean
otad_import_ecu_key (OtadImport *self, const gchar *private_hex, const gchar *public_hex,
		     GError **error)
{
	g_autofree gchar *path = g_build_filename (self->state_dir, "ecu.key", NULL);
	guint8 secret[64];
	guint8 pub[32];
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t k = {secret, 32};
	gnutls_datum_t x = {pub, 32};
	gnutls_datum_t pem = {NULL, 0};
	g_autofree gchar *form = NULL;
	gboolean ok;
	int rc;

	if (g_file_test (path, G_FILE_TEST_EXISTS)) {
		g_message ("%s exists: the aktualizr ECU key is not imported", path);
		return TRUE;
	}
	if (!otad_import_hex (private_hex, secret, sizeof (secret)) ||
	    !otad_import_hex (public_hex, pub, sizeof (pub))) {
		/* RSA keys (PEM): otad signs manifests with ed25519 only */
		g_warning ("the aktualizr ECU key is not an ED25519 key: otad uses a new one, "
			   "which the Director must accept");
		return TRUE;
	}
	/* libsodium's secret key is the seed followed by the public key */
	if (memcmp (secret + 32, pub, 32) != 0) {
		g_set_error_literal (
		    error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		    _("aktualizr database: primary_keys: the private key is not the "
		       "public key's"));
		return FALSE;
	}
	rc = gnutls_x509_privkey_init (&key);
	if (rc == 0)
		rc = gnutls_x509_privkey_import_ecc_raw (key, GNUTLS_ECC_CURVE_ED25519, &x, NULL,
							 &k);
	if (rc == 0)
		rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
							GNUTLS_PKCS_PLAIN, &pem);
	gnutls_x509_privkey_deinit (key);
	memset (secret, 0, sizeof (secret));
	if (rc < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		             _("cannot convert the aktualizr ECU key: %s"), gnutls_strerror (rc));
		return FALSE;
	}
	form = g_strconcat (public_hex, "\n", NULL);
	ok = otad_import_write (self->state_dir, "ecu.key.public", form, strlen (form), 0644,
				error) &&
	     otad_import_write (self->state_dir, "ecu.key", (const gchar *)pem.data, pem.size,
				0600, error);
	gnutls_memset (pem.data, 0, pem.size);
	gnutls_free (pem.data);
	self->imported++;
	return ok;
}

/* the newest trusted root of each repository: trust goes on from where aktualizr was */
static gboolean
otad_import_roots (OtadImport *self, GError **error)
{
	const struct {
		const gchar *repo;
		const gchar *dir;
	} repos[] = {{"0", "tuf/repo"}, {"1", "tuf/director"}};

	for (guint i = 0; i < G_N_ELEMENTS (repos); i++) {
		g_auto(GStrv) row = otad_import_row (
		    self,
		    "SELECT meta FROM meta WHERE meta_type = 0 AND repo = ?1 "
		    "ORDER BY version DESC LIMIT 1",
		    repos[i].repo, error);
		g_autofree gchar *name = g_build_filename (repos[i].dir, "root.json", NULL);

		if (error != NULL && *error != NULL)
			return FALSE;
		if (row == NULL)
			continue;
		if (!otad_import_text (self, name, row[0], 0644, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
otad_import_db (OtadImport *self, GError **error)
{
	g_auto(GStrv) device = NULL;
	g_auto(GStrv) ecu = NULL;
	g_auto(GStrv) keys = NULL;
	g_auto(GStrv) tls = NULL;
	g_auto(GStrv) installed = NULL;
	g_auto(GStrv) counter = NULL;

	device = otad_import_row (self, "SELECT device_id, is_registered FROM device_info", NULL,
				  error);
	ecu = otad_import_row (self, "SELECT serial, hardware_id FROM ecus WHERE is_primary = 1",
			       NULL, error);
	keys = otad_import_row (self, "SELECT private, public FROM primary_keys", NULL, error);
	tls = otad_import_row (self, "SELECT ca_cert, client_cert, client_pkey FROM tls_creds",
			       NULL, error);
	if (error != NULL && *error != NULL)
		return FALSE;
	if (device != NULL && !otad_import_text (self, "device-id", device[0], 0644, error))
		return FALSE;
	if (ecu != NULL) {
		self->primary_serial = g_strdup (ecu[0]);
		if (!otad_import_text (self, "ecu-serial", ecu[0], 0644, error) ||
		    !otad_import_text (self, "hardware-id", ecu[1], 0644, error))
			return FALSE;
	}
	if (keys != NULL && keys[0][0] != '\0' &&
	    !otad_import_ecu_key (self, keys[0], keys[1], error))
		return FALSE;
	/* the key before the certificate: the identity counts as there when client.pem is */
	if (tls != NULL && (!otad_import_text (self, "root.crt", tls[0], 0644, error) ||
			    !otad_import_text (self, "pkey.pem", tls[2], 0600, error) ||
			    !otad_import_text (self, "client.pem", tls[1], 0644, error)))
		return FALSE;
	if (!otad_import_roots (self, error))
		return FALSE;
	if (self->primary_serial == NULL)
		return TRUE;
	installed = otad_import_row (self,
				     "SELECT name, sha256 FROM installed_versions "
				     "WHERE ecu_serial = ?1 AND is_current = 1",
				     self->primary_serial, error);
	counter = otad_import_row (self,
				   "SELECT counter FROM ecu_report_counter WHERE ecu_serial = ?1",
				   self->primary_serial, error);
	if (error != NULL && *error != NULL)
		return FALSE;
	if (installed != NULL) {
		g_autofree gchar *text = g_strdup_printf ("%s\n%s\n", installed[0], installed[1]);
		if (!otad_import_text (self, "installed-target", text, 0644, error))
			return FALSE;
	}
	if (counter != NULL) {
		/* the Director refuses a manifest whose counter does not grow */
		g_autofree gchar *path = g_build_filename (self->state_dir, "report-counter", NULL);
		g_autofree gchar *text = g_strdup_printf ("%s\n", counter[0]);
		if (!g_file_test (path, G_FILE_TEST_EXISTS) &&
		    !otad_import_write (self->state_dir, "report-counter", text, strlen (text),
					0600, error))
			return FALSE;
	}
	/* what the Director accepted: the same record otad_provisioner_register_ecus() keeps */
	if (device != NULL && g_strcmp0 (device[1], "1") == 0 && ecu != NULL && keys != NULL &&
	    keys[1][0] != '\0') {
		g_autofree gchar *record = g_strdup_printf ("%s\n%s\n%s\n", ecu[0], ecu[1], keys[1]);
		if (!otad_import_text (self, "ecus-registered", record, 0644, error))
			return FALSE;
	}
	return TRUE;
}

/* the old filesystem storage: the TLS files under [storage] path */
static gboolean
otad_import_files (OtadImport *self, const gchar *storage_dir, GError **error)
{
	const gchar *names[][2] = {
	    {"root.crt", "root.crt"}, {"pkey.pem", "pkey.pem"}, {"client.pem", "client.pem"}};

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autofree gchar *src = g_build_filename (storage_dir, names[i][0], NULL);
		g_autofree gchar *text = NULL;
		if (!g_file_get_contents (src, &text, NULL, NULL))
			continue;
		if (!otad_import_text (self, names[i][1], text,
				       g_str_equal (names[i][1], "pkey.pem") ? 0600 : 0644, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
otad_aktualizr_import (const gchar *sqldb,
		       const gchar *storage_dir,
		       const gchar *device_dir,
		       const gchar *state_dir,
		       GError **error)
{
	OtadImport self = {device_dir, state_dir, NULL, NULL, 0};
	gboolean ok = TRUE;

	if (sqldb != NULL && g_file_test (sqldb, G_FILE_TEST_IS_REGULAR)) {
		g_autofree gchar *escaped = g_uri_escape_string (sqldb, "/", FALSE);
		g_autofree gchar *uri = g_strdup_printf ("file:%s?immutable=1", escaped);
		int rc = sqlite3_open_v2 (uri, &self.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
					  NULL);
		if (rc != SQLITE_OK) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("[aktualizr] sqldb: cannot open %s: %s"), sqldb,
			             self.db != NULL ? sqlite3_errmsg (self.db)
			                             : sqlite3_errstr (rc));
			sqlite3_close (self.db);
			return FALSE;
		}
		ok = otad_import_db (&self, error);
		sqlite3_close (self.db);
		if (!ok)
			g_prefix_error (error, _("importing %s: "), sqldb);
	} else if (storage_dir != NULL && g_file_test (storage_dir, G_FILE_TEST_IS_DIR)) {
		ok = otad_import_files (&self, storage_dir, error);
	}
	if (ok && self.imported > 0)
		g_message ("imported %u items of aktualizr's device state into %s%s%s",
			   self.imported, device_dir, self.primary_serial != NULL ? " for ECU " : "",
			   self.primary_serial != NULL ? self.primary_serial : "");
	g_free (self.primary_serial);
	return ok;
}
