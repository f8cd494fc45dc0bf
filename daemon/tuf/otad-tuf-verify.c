/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <inttypes.h>
#include <fnmatch.h>
#include <gio/gio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <glib/gi18n.h>

#include "otad-tuf-error.h"
#include "otad-tuf-metadata.h"

/* the checks on one piece of metadata: signatures against a role, expiry, hashes, and
 * whether a delegation covers a target path */

/* the form a signature covers: aktualizr and ota-tuf write `method` in their signatures
 * (aktualizr src/libaktualizr/crypto/keymanager.cc, ota-tuf ClientSignature) and sign the
 * output of a JSON writer; TUF signatures ({keyid, sig}) cover securesystemslib's form */
static OtadJsonForm
otad_tuf_signature_form (const OtadJsonNode *sig)
{
	return otad_json_object_get (sig, "method") != NULL ? OTAD_JSON_FORM_JSONCPP
	                                                    : OTAD_JSON_FORM_OLPC;
}

/* what signed bytes may take besides the input and the tree: the input, the tree and the
 * canonical form together stay within four times the document (see otad-json.h) */
static gsize
otad_tuf_canonical_max (OtadTufMetadata *md)
{
	gsize size = g_bytes_get_size (otad_json_doc_get_bytes (md->doc));
	gsize tree = otad_json_doc_get_tree_size (md->doc);
	gsize all = size > G_MAXSIZE / 4 ? G_MAXSIZE : (size * 3) + OTAD_JSON_TREE_MIN;
	return all > tree ? all - tree : 0;
}

/* a key id may sign a document once: python-tuf refuses a signatures list that names one
 * twice (tuf/api/metadata.py, Metadata.from_dict: "Multiple signatures found for keyid") */
static gboolean
otad_tuf_metadata_check_signature_ids (OtadTufMetadata *md, GError **error)
{
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	for (guint32 i = 0; i < md->signatures->n; i++) {
		const OtadJsonNode *sig = &md->signatures->v.children[i];
		g_autofree gchar *keyid =
		    otad_json_dup_string (otad_json_object_get (sig, "keyid"));
		if (keyid == NULL)
			continue;
		if (g_hash_table_contains (seen, keyid)) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_BAD_SIGNATURE,
			             _("%s metadata version %" PRId64
			                ": key id %s signs it more than once"),
			             md->role_name, md->version, keyid);
			return FALSE;
		}
		g_hash_table_add (seen, g_steal_pointer (&keyid));
	}
	return TRUE;
}

gboolean
otad_tuf_metadata_verify_role (OtadTufMetadata *md, GHashTable *keys, const OtadTufRole *role,
                               const gchar *signer, GError **error)
{
	const OtadJsonForm forms[] = {OTAD_JSON_FORM_OLPC, OTAD_JSON_FORM_JSONCPP};
	g_autoptr (GHashTable) counted_ids = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GHashTable) counted_keys = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GHashTable) authorised = g_hash_table_new (g_str_hash, g_str_equal);
	guint valid = 0;
	guint bad = 0;

	if (role == NULL) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_ROLE,
		             _("%s metadata: %s defines no role for it"), md->role_name, signer);
		return FALSE;
	}
	if (!otad_tuf_metadata_check_signature_ids (md, error))
		return FALSE;
	for (guint i = 0; i < role->keyids->len; i++)
		g_hash_table_add (authorised, g_ptr_array_index (role->keyids, i));

	/* one form at a time, so that at most one canonical copy is held */
	for (guint f = 0; f < G_N_ELEMENTS (forms) && valid < role->threshold; f++) {
		g_autoptr (GString) canonical = NULL;

		for (guint32 i = 0; i < md->signatures->n && valid < role->threshold; i++) {
			const OtadJsonNode *sig = &md->signatures->v.children[i];
			g_autofree gchar *keyid =
			    otad_json_dup_string (otad_json_object_get (sig, "keyid"));
			g_autoptr (GError) error_local = NULL;
			const OtadTufKey *key;

			if (otad_tuf_signature_form (sig) != forms[f])
				continue;
			if (keyid == NULL || !g_hash_table_contains (authorised, keyid))
				continue;
			/* a key counts once, whatever id or how many signatures it comes with */
			if (g_hash_table_contains (counted_ids, keyid))
				continue;
			key = g_hash_table_lookup (keys, keyid);
			if (key == NULL)
				continue;
			if (g_hash_table_contains (counted_keys,
			                           otad_tuf_key_get_fingerprint (key)))
				continue;
			if (canonical == NULL) {
				gsize hint = g_bytes_get_size (otad_json_doc_get_bytes (md->doc));
				canonical = g_string_sized_new (MAX (hint, 64));
				if (!otad_json_canonicalize_bounded (md->signed_node, forms[f],
				                                     canonical,
				                                     otad_tuf_canonical_max (md))) {
					g_set_error (
					    error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
					    _("%s metadata: its canonical form is too large"),
					    md->role_name);
					return FALSE;
				}
			}
			if (!otad_tuf_key_verify (key, sig, (const guint8 *)canonical->str,
			                          canonical->len, &error_local)) {
				g_debug ("%s: signature by key %s refused: %s", md->role_name,
				         keyid, error_local->message);
				if (g_error_matches (error_local, OTAD_TUF_ERROR,
				                     OTAD_TUF_ERROR_BAD_SIGNATURE) ||
				    g_error_matches (error_local, OTAD_TUF_ERROR,
				                     OTAD_TUF_ERROR_MALFORMED))
					bad++;
				continue;
			}
			g_hash_table_add (counted_ids,
			                  (gpointer)g_hash_table_lookup (authorised, keyid));
			g_hash_table_add (counted_keys,
			                  (gpointer)otad_tuf_key_get_fingerprint (key));
			valid++;
		}
	}
	/* a signature of an authorised key that does not verify is tampering; too few
	 * signatures of authorised keys (or only of other keys) is a threshold failure */
	if (valid < role->threshold && bad > 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_BAD_SIGNATURE,
		             _("%s metadata version %" PRId64 ": %u bad signature(s) by "
		                "keys of the %s role in %s (%u valid, threshold %u)"),
		             md->role_name, md->version, bad, role->name, signer, valid,
		             role->threshold);
		return FALSE;
	}
	if (valid < role->threshold) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_THRESHOLD,
		             _("%s metadata version %" PRId64 ": %u valid signature(s) by "
		                "keys of the %s role in %s, threshold is %u"),
		             md->role_name, md->version, valid, role->name, signer,
		             role->threshold);
		return FALSE;
	}
	return TRUE;
}

gboolean
otad_tuf_metadata_check_expiry (OtadTufMetadata *md, gint64 now, GError **error)
{
	if (md->expires <= now) {
		g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (md->expires);
		g_autofree gchar *str = dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_EXPIRED,
		             _("%s metadata version %" PRId64 " expired at %s"), md->role_name,
		             md->version, str != NULL ? str : "?");
		return FALSE;
	}
	return TRUE;
}

/* TUF: the pattern and the path have the same number of '/'-separated parts, each
 * matched with shell wildcards, so "*" never crosses a directory */
static gboolean
otad_tuf_path_matches (const gchar *pattern, const gchar *path)
{
	g_auto (GStrv) pparts = g_strsplit (pattern, "/", -1);
	g_auto (GStrv) tparts = g_strsplit (path, "/", -1);
	if (g_strv_length (pparts) != g_strv_length (tparts))
		return FALSE;
	for (guint i = 0; pparts[i] != NULL; i++) {
		if (fnmatch (pparts[i], tparts[i], FNM_NOESCAPE) != 0)
			return FALSE;
	}
	return TRUE;
}

gboolean
otad_tuf_role_matches_path (const OtadTufRole *role, const gchar *target_name)
{
	if (role->paths != NULL) {
		for (guint i = 0; i < role->paths->len; i++) {
			if (otad_tuf_path_matches (g_ptr_array_index (role->paths, i), target_name))
				return TRUE;
		}
	}
	if (role->path_hash_prefixes != NULL) {
		g_autofree gchar *digest =
		    g_compute_checksum_for_string (G_CHECKSUM_SHA256, target_name, -1);
		for (guint i = 0; i < role->path_hash_prefixes->len; i++) {
			const gchar *prefix = g_ptr_array_index (role->path_hash_prefixes, i);
			if (g_str_has_prefix (digest, prefix))
				return TRUE;
		}
	}
	return FALSE;
}

/* gnutls hashes use the CPU's SHA extensions; GChecksum does not */
typedef struct {
	gnutls_digest_algorithm_t algo;
	const gchar *name;
	gnutls_hash_hd_t hd; /* (owned) */
	const gchar *expected;
} OtadTufHashCheck;

static guint
otad_tuf_hashes_prepare (const OtadJsonNode *hashes, OtadTufHashCheck checks[2], gchar *expected[2])
{
	const struct {
		gnutls_digest_algorithm_t algo;
		const gchar *name;
	} known[] = {{GNUTLS_DIG_SHA256, "sha256"}, {GNUTLS_DIG_SHA512, "sha512"}};
	guint n = 0;

	for (guint i = 0; i < G_N_ELEMENTS (known); i++) {
		const OtadJsonNode *value = otad_json_object_get (hashes, known[i].name);
		if (value == NULL)
			continue;
		if (gnutls_hash_init (&checks[n].hd, known[i].algo) < 0)
			continue;
		expected[n] = otad_json_dup_string (value);
		checks[n].algo = known[i].algo;
		checks[n].name = known[i].name;
		checks[n].expected = expected[n];
		n++;
	}
	return n;
}

static void
otad_tuf_hashes_update (OtadTufHashCheck *checks, guint n, const guint8 *buf, gsize len)
{
	for (guint i = 0; i < n; i++)
		gnutls_hash (checks[i].hd, buf, len);
}

static void
otad_tuf_hashes_abort (OtadTufHashCheck *checks, guint n)
{
	for (guint i = 0; i < n; i++)
		gnutls_hash_deinit (checks[i].hd, NULL);
}

static gboolean
otad_tuf_hashes_finish (OtadTufHashCheck *checks, guint n, const gchar *what, GError **error)
{
	gboolean ok = TRUE;
	for (guint i = 0; i < n; i++) {
		guint8 digest[64];
		gchar got[129];
		guint len = gnutls_hash_get_len (checks[i].algo);
		gnutls_hash_deinit (checks[i].hd, digest);
		for (guint j = 0; j < len; j++)
			g_snprintf (got + 2 * j, 3, "%02x", digest[j]);
		if (ok && (checks[i].expected == NULL ||
		           g_ascii_strcasecmp (got, checks[i].expected) != 0)) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_HASH_MISMATCH,
			             _("%s: %s is %s, expected %s"), what, checks[i].name, got,
			             checks[i].expected != NULL ? checks[i].expected : "(invalid)");
			ok = FALSE;
		}
	}
	return ok;
}

gboolean
otad_tuf_check_hashes (const OtadJsonNode *hashes, gint64 length, GBytes *data, const gchar *what,
                       GError **error)
{
	OtadTufHashCheck checks[2] = {0};
	g_autofree gchar *expected0 = NULL;
	g_autofree gchar *expected1 = NULL;
	gchar *expected[2] = {NULL, NULL};
	gsize size = 0;
	const guint8 *buf = g_bytes_get_data (data, &size);
	guint n;

	if (length >= 0 && (guint64)length != size) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_LENGTH_MISMATCH,
		             _("%s: length is %"
		                "zu"
		                ", expected %" PRId64),
		             what, size, length);
		return FALSE;
	}
	if (hashes == NULL)
		return TRUE;
	n = otad_tuf_hashes_prepare (hashes, checks, expected);
	expected0 = expected[0];
	expected1 = expected[1];
	if (n == 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED,
		             _("%s: no supported hash algorithm (sha256, sha512)"), what);
		return FALSE;
	}
	otad_tuf_hashes_update (checks, n, buf, size);
	return otad_tuf_hashes_finish (checks, n, what, error);
}

typedef struct {
	OtadTufHashCheck *checks;
	guint n;
	guint64 length;
} OtadTufCanonicalHash;

static void
otad_tuf_canonical_hash_update (const gchar *data, gsize len, gpointer user_data)
{
	OtadTufCanonicalHash *h = user_data;
	otad_tuf_hashes_update (h->checks, h->n, (const guint8 *)data, len);
	h->length += len;
}

/* streamed into the hashes: the canonical form is never held in memory */
gboolean
otad_tuf_check_canonical (const OtadJsonNode *hashes, gint64 length, const OtadJsonNode *document,
                          const gchar *what, GError **error)
{
	OtadTufHashCheck checks[2] = {0};
	g_autofree gchar *expected0 = NULL;
	g_autofree gchar *expected1 = NULL;
	gchar *expected[2] = {NULL, NULL};
	OtadTufCanonicalHash h = {checks, 0, 0};

	if (hashes != NULL) {
		h.n = otad_tuf_hashes_prepare (hashes, checks, expected);
		expected0 = expected[0];
		expected1 = expected[1];
		if (h.n == 0) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED,
			             _("%s: no supported hash algorithm (sha256, sha512)"), what);
			return FALSE;
		}
	}
	otad_json_canonical_stream (document, OTAD_JSON_FORM_JSONCPP,
	                            otad_tuf_canonical_hash_update, &h);
	if (length >= 0 && (guint64)length != h.length) {
		otad_tuf_hashes_abort (checks, h.n);
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_LENGTH_MISMATCH,
		             _("%s: canonical length is %" PRIu64 ", expected %" PRId64), what,
		             h.length, length);
		return FALSE;
	}
	return otad_tuf_hashes_finish (checks, h.n, what, error);
}

gboolean
otad_tuf_metadata_check_described (OtadTufMetadata *md, const OtadTufMetaFile *meta,
                                   const gchar *what, GError **error)
{
	if (meta->canonical)
		return otad_tuf_check_canonical (meta->hashes, meta->length,
		                                 otad_json_doc_get_root (md->doc), what, error);
	return otad_tuf_check_hashes (meta->hashes, meta->length, otad_tuf_metadata_get_bytes (md),
	                              what, error);
}

gboolean
otad_tuf_check_file (const OtadJsonNode *hashes, gint64 length, const gchar *path,
                     const gchar *what, GError **error)
{
	OtadTufHashCheck checks[2] = {0};
	g_autofree gchar *expected0 = NULL;
	g_autofree gchar *expected1 = NULL;
	gchar *expected[2] = {NULL, NULL};
	g_autoptr (GFile) file = g_file_new_for_path (path);
	g_autoptr (GFileInputStream) stream = NULL;
	g_autofree guint8 *buf = NULL;
	guint64 total = 0;
	guint n;

	stream = g_file_read (file, NULL, error);
	if (stream == NULL)
		return FALSE;
	n = otad_tuf_hashes_prepare (hashes, checks, expected);
	expected0 = expected[0];
	expected1 = expected[1];
	if (n == 0) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNSUPPORTED,
		             _("%s: no supported hash algorithm (sha256, sha512)"), what);
		return FALSE;
	}
	buf = g_malloc (64 * 1024);
	for (;;) {
		gssize r =
		    g_input_stream_read (G_INPUT_STREAM (stream), buf, 64 * 1024, NULL, error);
		if (r < 0) {
			otad_tuf_hashes_abort (checks, n);
			return FALSE;
		}
		if (r == 0)
			break;
		total += r;
		otad_tuf_hashes_update (checks, n, buf, r);
		/* stop reading an endless file early */
		if (length >= 0 && total > (guint64)length)
			break;
	}
	if (length >= 0 && total != (guint64)length) {
		otad_tuf_hashes_abort (checks, n);
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_LENGTH_MISMATCH,
		             _("%s: length differs from the expected %" PRId64), what, length);
		return FALSE;
	}
	return otad_tuf_hashes_finish (checks, n, what, error);
}

gboolean
otad_tuf_hashes_agree (const OtadJsonNode *a, const OtadJsonNode *b)
{
	guint common = 0;
	if (!otad_json_is (a, OTAD_JSON_OBJECT) || !otad_json_is (b, OTAD_JSON_OBJECT))
		return FALSE;
	for (guint32 i = 0; i < a->n; i++) {
		const OtadJsonNode *ha = &a->v.children[i];
		g_autofree gchar *algo = otad_json_dup_key (ha);
		const OtadJsonNode *hb = algo != NULL ? otad_json_object_get (b, algo) : NULL;
		if (hb == NULL)
			continue;
		if (!otad_json_is (ha, OTAD_JSON_STRING) || !otad_json_is (hb, OTAD_JSON_STRING) ||
		    ha->n != hb->n || g_ascii_strncasecmp (ha->v.s, hb->v.s, ha->n) != 0)
			return FALSE;
		common++;
	}
	return common > 0;
}
