/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "otad-file.h"
#include "otad-tuf-error.h"
#include "otad-tuf-repo-private.h"

/* the TUF 1.0.x section 5 client workflow: root, timestamp, snapshot, targets */

G_DEFINE_TYPE (OtadTufRepo, otad_tuf_repo, G_TYPE_OBJECT)

void
otad_tuf_repo_get_default_limits (OtadTufLimits *limits)
{
	limits->root_max = 512 * 1024;
	limits->timestamp_max = 16 * 1024;
	limits->snapshot_max = 2 * 1024 * 1024;
	limits->targets_max = 8 * 1024 * 1024;
	limits->max_root_rotations = 32;
	limits->max_delegations = 32;
}

static void
otad_tuf_repo_finalize (GObject *object)
{
	OtadTufRepo *self = OTAD_TUF_REPO (object);
	g_free (self->name);
	g_clear_pointer (&self->store, otad_tuf_store_free);
	g_clear_object (&self->fetcher);
	g_clear_pointer (&self->root, otad_tuf_metadata_unref);
	g_clear_pointer (&self->timestamp, otad_tuf_metadata_unref);
	g_clear_pointer (&self->snapshot, otad_tuf_metadata_unref);
	g_clear_pointer (&self->targets, otad_tuf_metadata_unref);
	g_clear_pointer (&self->delegated, g_hash_table_unref);
	G_OBJECT_CLASS (otad_tuf_repo_parent_class)->finalize (object);
}

static void
otad_tuf_repo_class_init (OtadTufRepoClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_tuf_repo_finalize;
}

static void
otad_tuf_repo_init (OtadTufRepo *self)
{
	otad_tuf_repo_get_default_limits (&self->limits);
	self->delegated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
	                                         (GDestroyNotify)otad_tuf_metadata_unref);
}

OtadTufRepo *
otad_tuf_repo_new (const gchar *name, const gchar *metadata_dir, OtadTufFetcher *fetcher)
{
	OtadTufRepo *self = g_object_new (OTAD_TYPE_TUF_REPO, NULL);
	self->name = g_strdup (name);
	self->store = otad_tuf_store_new (metadata_dir);
	self->fetcher = fetcher != NULL ? g_object_ref (fetcher) : NULL;
	return self;
}

void
otad_tuf_repo_set_limits (OtadTufRepo *self, const OtadTufLimits *limits)
{
	self->limits = *limits;
}

void
otad_tuf_repo_set_targets_check (OtadTufRepo *self, OtadTufTargetsCheckFunc func,
                                 gpointer user_data)
{
	self->targets_check = func;
	self->targets_check_data = user_data;
}

void
otad_tuf_repo_set_time (OtadTufRepo *self, gint64 unix_time)
{
	self->fixed_time = unix_time;
}

const gchar *
otad_tuf_repo_get_name (OtadTufRepo *self)
{
	return self->name;
}

gboolean
otad_tuf_repo_has_root (OtadTufRepo *self)
{
	return self->root != NULL;
}

OtadTufMetadata *
otad_tuf_repo_get_root (OtadTufRepo *self)
{
	return self->root;
}

OtadTufMetadata *
otad_tuf_repo_get_targets (OtadTufRepo *self)
{
	return self->targets;
}

/* fetches with the error prefixed by what was fetched; G_IO_ERROR_NOT_FOUND kept as is */
GBytes *
otad_tuf_repo_fetch (OtadTufRepo *self, const gchar *path, guint64 max_length,
                     GCancellable *cancellable, GError **error)
{
	GBytes *bytes;
	if (self->fetcher == NULL) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_FAILED,
		                     _("no fetcher for the repository"));
		return NULL;
	}
	bytes = otad_tuf_fetcher_fetch (self->fetcher, path, max_length, cancellable, error);
	if (bytes == NULL)
		g_prefix_error (error, _("%s: fetching %s: "), self->name, path);
	return bytes;
}

/*
 * Conditional requests for the files fetched under one name every check-in
 * (timestamp.json; a Director's targets.json, which nothing describes): the ETag
 * of the last response is kept in "<file>.etag" with the SHA-256 of that
 * response's body, and sent as If-None-Match only while the stored file is
 * exactly that body.  A 304 then hands the stored bytes to the same verification
 * a 200 with the same body would get (signatures, version, expiry), so it can
 * neither add trust nor keep an expired file alive.  A server without ETags (OTA
 * CE's reposerver and Director send none) is asked as before.
 */
#define OTAD_TUF_REPO_ETAG_SUFFIX ".etag"

static gchar *
otad_tuf_repo_sha256 (GBytes *bytes)
{
	return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* an ETag worth keeping: short, and nothing a request header could not carry back
 * (RFC 9110 8.8.3: visible ASCII, and obs-text we do not need) */
static gboolean
otad_tuf_repo_etag_valid (const gchar *etag)
{
	if (etag == NULL || etag[0] == '\0' || strlen (etag) > 512)
		return FALSE;
	for (const gchar *p = etag; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return FALSE;
	}
	return TRUE;
}

/* the ETag of the stored @filename, or NULL when there is none or it is not for
 * the bytes stored now */
static gchar *
otad_tuf_repo_stored_etag (OtadTufRepo *self, const gchar *filename, GBytes **out_stored)
{
	g_autofree gchar *name = g_strconcat (filename, OTAD_TUF_REPO_ETAG_SUFFIX, NULL);
	g_autoptr (GBytes) record = otad_tuf_store_load (self->store, name, NULL);
	g_autoptr (GBytes) stored = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *sha = NULL;
	gchar *sep;

	if (record == NULL || g_bytes_get_size (record) > 1024)
		return NULL;
	stored = otad_tuf_store_load (self->store, filename, NULL);
	if (stored == NULL)
		return NULL;
	text = g_strndup (g_bytes_get_data (record, NULL), g_bytes_get_size (record));
	sep = strchr (text, '\n');
	if (sep == NULL || sep[1] == '\0' || strchr (sep + 1, '\n') != NULL)
		return NULL;
	*sep = '\0';
	sha = otad_tuf_repo_sha256 (stored);
	if (g_strcmp0 (sha, text) != 0)
		return NULL;
	if (!otad_tuf_repo_etag_valid (sep + 1))
		return NULL;
	*out_stored = g_steal_pointer (&stored);
	return g_strdup (sep + 1);
}

/**
 * otad_tuf_repo_fetch_current:
 *
 * otad_tuf_repo_fetch() of a file fetched under one name each time (@filename is
 * both its path and its name in the store): a conditional request when the server
 * gave an ETag for the stored copy, whose bytes a 304 returns.
 */
GBytes *
otad_tuf_repo_fetch_current (OtadTufRepo *self, const gchar *filename, guint64 max_length,
                             GCancellable *cancellable, GError **error)
{
	g_autoptr (GBytes) stored = NULL;
	g_autofree gchar *etag = NULL;
	g_autofree gchar *new_etag = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *record = NULL;
	g_autofree gchar *sha = NULL;
	g_autoptr (GBytes) record_bytes = NULL;
	g_autoptr (GError) error_local = NULL;
	gboolean not_modified = FALSE;
	GBytes *bytes;

	if (self->fetcher == NULL)
		return otad_tuf_repo_fetch (self, filename, max_length, cancellable, error);
	etag = otad_tuf_repo_stored_etag (self, filename, &stored);
	bytes = otad_tuf_fetcher_fetch_if_changed (self->fetcher, filename, max_length, etag,
	                                           &not_modified, &new_etag, cancellable, error);
	if (not_modified) {
		g_debug ("%s: %s not modified (ETag %s)", self->name, filename, etag);
		return g_steal_pointer (&stored);
	}
	if (bytes == NULL) {
		g_prefix_error (error, _("%s: fetching %s: "), self->name, filename);
		return NULL;
	}
	if (!otad_tuf_repo_etag_valid (new_etag))
		return bytes;
	if (g_strcmp0 (etag, new_etag) == 0 && stored != NULL &&
	    g_bytes_equal (stored, bytes))
		return bytes;
	/* kept whether or not these bytes are trusted: the hash says which copy it is for */
	sha = otad_tuf_repo_sha256 (bytes);
	record = g_strdup_printf ("%s\n%s", sha, new_etag);
	record_bytes = g_bytes_new (record, strlen (record));
	name = g_strconcat (filename, OTAD_TUF_REPO_ETAG_SUFFIX, NULL);
	if (!otad_tuf_store_save (self->store, name, record_bytes, &error_local))
		g_debug ("%s: cannot keep the ETag of %s: %s", self->name, filename,
		         error_local->message);
	return bytes;
}

static gboolean
otad_tuf_repo_verify_self_signed (OtadTufMetadata *root, GError **error)
{
	return otad_tuf_metadata_verify_role (
	    root, root->keys, otad_tuf_metadata_get_role (root, "root"), "itself", error);
}

/* stored timestamp/snapshot/targets count only while the trusted root still vouches for
 * them; one that does not is ignored as if absent */
static OtadTufMetadata *
otad_tuf_repo_load_trusted (OtadTufRepo *self, const gchar *filename, OtadTufRoleType type)
{
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autoptr (GError) error_local = NULL;
	const gchar *role = otad_tuf_role_type_to_string (type);
	const OtadTufRole *def = otad_tuf_metadata_get_role (self->root, role);

	bytes = otad_tuf_store_load (self->store, filename, &error_local);
	if (bytes == NULL)
		return NULL;
	if (def == NULL) {
		g_info ("%s: ignoring stored %s: the root defines no %s role", self->name,
		        filename, role);
		return NULL;
	}
	md = otad_tuf_metadata_parse (bytes, type, role, &error_local);
	if (md == NULL || !otad_tuf_metadata_verify_role (md, self->root->keys, def,
	                                                  "the trusted root", &error_local)) {
		g_info ("%s: ignoring stored %s: %s", self->name, filename, error_local->message);
		return NULL;
	}
	return g_steal_pointer (&md);
}

gboolean
otad_tuf_repo_load (OtadTufRepo *self, GError **error)
{
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error_local = NULL;
	g_autoptr (OtadTufMetadata) root = NULL;

	bytes = otad_tuf_store_load (self->store, "root.json", &error_local);
	if (bytes == NULL && !otad_file_is_not_found (error_local)) {
		/* cut short by a power cut, a symlink: provisioned again like a missing one */
		otad_tuf_store_move_aside (self->store, "root.json", error_local->message);
		g_clear_error (&error_local);
		bytes = otad_tuf_store_load (self->store, "root.json", &error_local);
	}
	if (bytes == NULL) {
		if (otad_file_is_not_found (error_local)) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NO_TRUSTED_ROOT,
			             _("%s: no trusted root in %s"), self->name,
			             otad_tuf_store_get_directory (self->store));
			return FALSE;
		}
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
		                            _("%s: cannot read trusted root: "), self->name);
		return FALSE;
	}
	root = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_ROOT, "root", &error_local);
	if (root == NULL || !otad_tuf_repo_verify_self_signed (root, &error_local)) {
		/* otad wrote it after verifying it: a broken one is the disk's doing, and
		 * the provisioned root (and the chain of newer roots) takes its place */
		otad_tuf_store_move_aside (self->store, "root.json", error_local->message);
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NO_TRUSTED_ROOT,
		             _("%s: the trusted root in %s was unreadable: %s"), self->name,
		             otad_tuf_store_get_directory (self->store), error_local->message);
		return FALSE;
	}
	g_clear_pointer (&self->root, otad_tuf_metadata_unref);
	self->root = g_steal_pointer (&root);
	g_clear_pointer (&self->timestamp, otad_tuf_metadata_unref);
	g_clear_pointer (&self->snapshot, otad_tuf_metadata_unref);
	g_clear_pointer (&self->targets, otad_tuf_metadata_unref);
	self->timestamp =
	    otad_tuf_repo_load_trusted (self, "timestamp.json", OTAD_TUF_ROLE_TIMESTAMP);
	self->snapshot = otad_tuf_repo_load_trusted (self, "snapshot.json", OTAD_TUF_ROLE_SNAPSHOT);
	self->targets = otad_tuf_repo_load_trusted (self, "targets.json", OTAD_TUF_ROLE_TARGETS);
	g_hash_table_remove_all (self->delegated);
	return TRUE;
}

static gboolean
otad_tuf_repo_adopt_root (OtadTufRepo *self, GBytes *bytes, GError **error)
{
	g_autoptr (OtadTufMetadata) root = NULL;
	root = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_ROOT, "root", error);
	if (root == NULL || !otad_tuf_repo_verify_self_signed (root, error)) {
		g_prefix_error (error, _("%s: initial root: "), self->name);
		return FALSE;
	}
	g_clear_pointer (&self->root, otad_tuf_metadata_unref);
	g_clear_pointer (&self->timestamp, otad_tuf_metadata_unref);
	g_clear_pointer (&self->snapshot, otad_tuf_metadata_unref);
	g_clear_pointer (&self->targets, otad_tuf_metadata_unref);
	g_hash_table_remove_all (self->delegated);
	self->root = g_steal_pointer (&root);
	return TRUE;
}

gboolean
otad_tuf_repo_init_root (OtadTufRepo *self, GBytes *root, GError **error)
{
	const gchar *stale[] = {"timestamp.json", "snapshot.json", "targets.json"};
	if (!otad_tuf_repo_adopt_root (self, root, error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS (stale); i++) {
		if (!otad_tuf_store_remove (self->store, stale[i], error))
			return FALSE;
	}
	return otad_tuf_store_save (self->store, "root.json", root, error);
}

gboolean
otad_tuf_repo_init_root_tofu (OtadTufRepo *self, GCancellable *cancellable, GError **error)
{
	g_autoptr (GBytes) bytes = NULL;
	bytes =
	    otad_tuf_repo_fetch (self, "1.root.json", self->limits.root_max, cancellable, error);
	if (bytes == NULL)
		return FALSE;
	if (!otad_tuf_repo_adopt_root (self, bytes, error))
		return FALSE;
	if (self->root->version != 1) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_BAD_VERSION,
		             _("%s: 1.root.json has version %" PRId64), self->name,
		             self->root->version);
		g_clear_pointer (&self->root, otad_tuf_metadata_unref);
		return FALSE;
	}
	/* trusted from now on, as a verified root is (TUF 5.3.8) */
	return otad_tuf_store_save (self->store, "root.json", bytes, error);
}

static gchar *
otad_tuf_repo_join_target_path (gchar **parts, guint n, const gchar *hash_prefix)
{
	g_autofree gchar *last = parts[n - 1];
	gchar *joined;
	if (hash_prefix != NULL)
		parts[n - 1] = g_strdup_printf ("%s.%s", hash_prefix, last);
	else
		parts[n - 1] = g_strdup (last);
	joined = g_strjoinv ("/", parts);
	g_free (parts[n - 1]);
	parts[n - 1] = g_steal_pointer (&last);
	return joined;
}

gchar **
otad_tuf_repo_get_target_paths (OtadTufRepo *self, const gchar *name, const OtadTufTargetInfo *info)
{
	g_auto (GStrv) parts = g_strsplit (name, "/", -1);
	g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
	guint n = g_strv_length (parts);

	for (guint i = 0; i < n; i++) {
		gchar *escaped = g_uri_escape_string (parts[i], NULL, FALSE);
		g_free (parts[i]);
		parts[i] = escaped;
	}
	if (n == 0) {
		g_ptr_array_add (paths, g_strdup (""));
	} else if (self->root != NULL && self->root->consistent_snapshot && info->hashes != NULL) {
		/* HASH.FILENAME with any of the listed hashes: sha256 first, then sha512 */
		const gchar *order[] = {"sha256", "sha512"};
		for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
			g_autofree gchar *hex =
			    otad_json_dup_string (otad_json_object_get (info->hashes, order[i]));
			if (hex != NULL)
				g_ptr_array_add (paths,
				                 otad_tuf_repo_join_target_path (parts, n, hex));
		}
		for (guint32 i = 0; i < info->hashes->n; i++) {
			const OtadJsonNode *hash = &info->hashes->v.children[i];
			g_autofree gchar *hex = otad_json_dup_string (hash);
			if (hex == NULL || otad_json_key_equal (hash, "sha256") ||
			    otad_json_key_equal (hash, "sha512"))
				continue;
			g_ptr_array_add (paths, otad_tuf_repo_join_target_path (parts, n, hex));
		}
	}
	if (paths->len == 0)
		g_ptr_array_add (paths, otad_tuf_repo_join_target_path (parts, n, NULL));
	g_ptr_array_add (paths, NULL);
	return (gchar **)g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}

gchar *
otad_tuf_repo_get_target_path (OtadTufRepo *self, const gchar *name, const OtadTufTargetInfo *info)
{
	g_auto (GStrv) paths = otad_tuf_repo_get_target_paths (self, name, info);
	return g_strdup (paths[0]);
}

GBytes *
otad_tuf_fetch_target (OtadTufFetcher *fetcher, const gchar *path, const OtadTufTargetInfo *info,
                       const gchar *what, GCancellable *cancellable, GError **error)
{
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error_local = NULL;

	bytes = otad_tuf_fetcher_fetch (fetcher, path, info->length, cancellable, &error_local);
	if (bytes == NULL) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NOT_FOUND,
			             _("%s: not found at %s"), what, path);
			return NULL;
		}
		if (g_error_matches (error_local, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE)) {
			g_set_error (
			    error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE,
			    _("%s: more data than the declared length of %" PRId64 " bytes"), what,
			    info->length);
			return NULL;
		}
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local), "%s: ", what);
		return NULL;
	}
	if (!otad_tuf_check_hashes (info->hashes, info->length, bytes, what, error))
		return NULL;
	return g_steal_pointer (&bytes);
}
