/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadPull"

#include "config.h"

#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-pull-objects.h"

/* dirtree and dirmeta objects are small; a file object may be as large as an image */
#define OTAD_PULL_OBJECTS_META_MAX (16 * 1024 * 1024)
#define OTAD_PULL_OBJECTS_FILE_MAX (G_GUINT64_CONSTANT (8) * 1024 * 1024 * 1024)

typedef struct {
	OstreeRepo *repo;	       /* (unowned) */
	const gchar *url;	       /* (unowned) */
	OtadHttp *http;		       /* (unowned) */
	GHashTable *seen;	       /* (owned) object names already handled */
	GPtrArray *files;	       /* (owned) file checksums still to fetch */
	gchar *tmpdir;		       /* (owned) where file objects land before writing */
	OtadPullProgressFunc progress_func;
	gpointer progress_data;
	guint fetched;
	guint total;
	guint64 bytes_start;
	gint64 last_progress;
} OtadPullObjects;

static void
otad_pull_objects_clear (OtadPullObjects *self)
{
	g_clear_pointer (&self->seen, g_hash_table_unref);
	g_clear_pointer (&self->files, g_ptr_array_unref);
	g_clear_pointer (&self->tmpdir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtadPullObjects, otad_pull_objects_clear)

static void
otad_pull_objects_progress (OtadPullObjects *self, gboolean force)
{
	OtadPullProgress progress = {.phase = OTAD_PULL_PHASE_OBJECTS};
	gint64 now = g_get_monotonic_time ();

	if (self->progress_func == NULL || (!force && now - self->last_progress < 200000))
		return;
	self->last_progress = now;
	progress.bytes_transferred = otad_http_get_bytes_received (self->http) - self->bytes_start;
	progress.objects_fetched = self->fetched;
	progress.objects_total = self->total;
	if (self->fetched > 0 && self->total >= self->fetched)
		progress.bytes_total = progress.bytes_transferred * self->total / self->fetched;
	self->progress_func (&progress, self->progress_data);
}

static gchar *
otad_pull_objects_url (OtadPullObjects *self, const gchar *checksum, const gchar *suffix)
{
	g_autofree gchar *relpath =
	    g_strdup_printf ("objects/%.2s/%s.%s", checksum, checksum + 2, suffix);
	return otad_http_join_url (self->url, relpath);
}

/* OtadHttp names a cancellation OTA_ERROR_CANCELLED; the pull's callers use GIO's */
static gboolean
otad_pull_objects_fail (GError **error)
{
	if (error != NULL && g_error_matches (*error, OTA_ERROR, OTA_ERROR_CANCELLED)) {
		(*error)->domain = G_IO_ERROR;
		(*error)->code = G_IO_ERROR_CANCELLED;
	}
	return FALSE;
}

/* a dirtree or dirmeta object, fetched unless the repository has it; its variant out */
static GVariant *
otad_pull_objects_meta (OtadPullObjects *self,
			OstreeObjectType type,
			const gchar *checksum,
			GCancellable *cancellable,
			GError **error)
{
	g_autofree gchar *url = NULL;
	g_autofree guchar *csum = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GVariant) variant = NULL;
	gboolean have = FALSE;

	if (!ostree_repo_has_object (self->repo, type, checksum, &have, cancellable, error))
		return NULL;
	if (have) {
		if (!ostree_repo_load_variant (self->repo, type, checksum, &variant, error))
			return NULL;
		return g_steal_pointer (&variant);
	}
	url = otad_pull_objects_url (self, checksum,
				     type == OSTREE_OBJECT_TYPE_DIR_TREE ? "dirtree" : "dirmeta");
	bytes = otad_http_get (self->http, url, OTAD_PULL_OBJECTS_META_MAX, OTAD_HTTP_FLAG_NONE,
			       NULL, cancellable, error);
	if (bytes == NULL) {
		otad_pull_objects_fail (error);
		return NULL;
	}
	variant = g_variant_ref_sink (g_variant_new_from_bytes (
	    ostree_metadata_variant_type (type), bytes, FALSE));
	/* written only when the content has the checksum it was asked for */
	if (!ostree_repo_write_metadata (self->repo, type, checksum, variant, &csum, cancellable,
					 error)) {
		g_prefix_error (error, "%s: ", url);
		return NULL;
	}
	self->fetched++;
	otad_pull_objects_progress (self, FALSE);
	return g_steal_pointer (&variant);
}

/* one archive-mode file object (compressed content and its header) into the repository */
static gboolean
otad_pull_objects_file (OtadPullObjects *self,
			const gchar *checksum,
			GCancellable *cancellable,
			GError **error)
{
	g_autofree gchar *url = otad_pull_objects_url (self, checksum, "filez");
	g_autofree gchar *dest = g_build_filename (self->tmpdir, checksum, NULL);
	g_autoptr(GFile) file = g_file_new_for_path (dest);
	g_autoptr(GFileInputStream) in = NULL;
	g_autoptr(GFileInfo) st = NULL;
	g_autoptr(GInputStream) file_in = NULL;
	g_autoptr(GFileInfo) finfo = NULL;
	g_autoptr(GVariant) xattrs = NULL;
	g_autoptr(GInputStream) content = NULL;
	g_autofree guchar *csum = NULL;
	guint64 content_len = 0;
	gboolean ok;

	if (!otad_http_download (self->http, url, dest, OTAD_PULL_OBJECTS_FILE_MAX, NULL, NULL,
				 cancellable, error))
		return otad_pull_objects_fail (error);
	in = g_file_read (file, cancellable, error);
	if (in == NULL)
		return FALSE;
	st = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable,
					     error);
	if (st == NULL)
		return FALSE;
	ok = ostree_content_stream_parse (TRUE, G_INPUT_STREAM (in),
					  (guint64)g_file_info_get_size (st), FALSE, &file_in,
					  &finfo, &xattrs, cancellable, error) &&
	     ostree_raw_file_to_content_stream (file_in, finfo, xattrs, &content, &content_len,
						cancellable, error) &&
	     ostree_repo_write_content (self->repo, checksum, content, content_len, &csum,
					cancellable, error);
	g_unlink (dest);
	if (!ok) {
		g_prefix_error (error, "%s: ", url);
		return FALSE;
	}
	self->fetched++;
	otad_pull_objects_progress (self, FALSE);
	return TRUE;
}

static gboolean
otad_pull_objects_seen (OtadPullObjects *self, const gchar *checksum, OstreeObjectType type)
{
	g_autofree gchar *name = g_strdup_printf ("%s.%d", checksum, type);
	if (g_hash_table_contains (self->seen, name))
		return TRUE;
	g_hash_table_add (self->seen, g_steal_pointer (&name));
	return FALSE;
}

/* the metadata of a tree, depth first; its file objects are collected for later */
static gboolean
otad_pull_objects_tree (OtadPullObjects *self,
			const gchar *tree_csum,
			const gchar *meta_csum,
			guint depth,
			GCancellable *cancellable,
			GError **error)
{
	g_autoptr(GVariant) tree = NULL;
	g_autoptr(GVariant) meta = NULL;
	g_autoptr(GVariant) files = NULL;
	g_autoptr(GVariant) dirs = NULL;

	if (depth > 256) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER, "tree %s is nested too deep",
			     tree_csum);
		return FALSE;
	}
	if (!otad_pull_objects_seen (self, meta_csum, OSTREE_OBJECT_TYPE_DIR_META)) {
		self->total++;
		meta = otad_pull_objects_meta (self, OSTREE_OBJECT_TYPE_DIR_META, meta_csum,
					       cancellable, error);
		if (meta == NULL)
			return FALSE;
	}
	if (otad_pull_objects_seen (self, tree_csum, OSTREE_OBJECT_TYPE_DIR_TREE))
		return TRUE;
	self->total++;
	tree = otad_pull_objects_meta (self, OSTREE_OBJECT_TYPE_DIR_TREE, tree_csum, cancellable,
				       error);
	if (tree == NULL)
		return FALSE;
	/* a(say) files, a(sayay) dirs: names with binary checksums */
	files = g_variant_get_child_value (tree, 0);
	dirs = g_variant_get_child_value (tree, 1);
	for (gsize i = 0; i < g_variant_n_children (files); i++) {
		g_autoptr(GVariant) csum_v = NULL;
		g_autofree gchar *csum = NULL;
		const gchar *name = NULL;
		gboolean have = FALSE;

		g_variant_get_child (files, i, "(&s@ay)", &name, &csum_v);
		if (!ostree_validate_structureof_csum_v (csum_v, error))
			return FALSE;
		csum = ostree_checksum_from_bytes_v (csum_v);
		if (otad_pull_objects_seen (self, csum, OSTREE_OBJECT_TYPE_FILE))
			continue;
		if (!ostree_repo_has_object (self->repo, OSTREE_OBJECT_TYPE_FILE, csum, &have,
					     cancellable, error))
			return FALSE;
		if (!have) {
			g_ptr_array_add (self->files, g_steal_pointer (&csum));
			self->total++;
		}
	}
	for (gsize i = 0; i < g_variant_n_children (dirs); i++) {
		g_autoptr(GVariant) tree_v = NULL;
		g_autoptr(GVariant) meta_v = NULL;
		g_autofree gchar *sub_tree = NULL;
		g_autofree gchar *sub_meta = NULL;
		const gchar *name = NULL;

		g_variant_get_child (dirs, i, "(&s@ay@ay)", &name, &tree_v, &meta_v);
		if (!ostree_validate_structureof_csum_v (tree_v, error) ||
		    !ostree_validate_structureof_csum_v (meta_v, error))
			return FALSE;
		sub_tree = ostree_checksum_from_bytes_v (tree_v);
		sub_meta = ostree_checksum_from_bytes_v (meta_v);
		if (!otad_pull_objects_tree (self, sub_tree, sub_meta, depth + 1, cancellable,
					     error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
otad_pull_objects_run (OtadPullObjects *self,
		       const gchar *checksum,
		       GCancellable *cancellable,
		       GError **error)
{
	g_autoptr(GVariant) commit = NULL;
	g_autoptr(GVariant) tree_v = NULL;
	g_autoptr(GVariant) meta_v = NULL;
	g_autofree gchar *tree = NULL;
	g_autofree gchar *meta = NULL;

	if (!ostree_repo_load_variant (self->repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, &commit,
				       error))
		return FALSE;
	g_variant_get_child (commit, 6, "@ay", &tree_v);
	g_variant_get_child (commit, 7, "@ay", &meta_v);
	if (!ostree_validate_structureof_csum_v (tree_v, error) ||
	    !ostree_validate_structureof_csum_v (meta_v, error))
		return FALSE;
	tree = ostree_checksum_from_bytes_v (tree_v);
	meta = ostree_checksum_from_bytes_v (meta_v);
	if (!otad_pull_objects_tree (self, tree, meta, 0, cancellable, error))
		return FALSE;
	for (guint i = 0; i < self->files->len; i++) {
		if (!otad_pull_objects_file (self, g_ptr_array_index (self->files, i), cancellable,
					     error))
			return FALSE;
	}
	otad_pull_objects_progress (self, TRUE);
	return TRUE;
}

gboolean
otad_pull_objects_http (OstreeRepo *repo,
			OtadHttp *http,
			const gchar *url,
			const gchar *tmpdir,
			const gchar *checksum,
			OtadPullProgressFunc progress_func,
			gpointer progress_data,
			GCancellable *cancellable,
			GError **error)
{
	g_auto(OtadPullObjects) self = {repo, url, http};

	self.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self.files = g_ptr_array_new_with_free_func (g_free);
	self.tmpdir = g_strdup (tmpdir);
	self.progress_func = progress_func;
	self.progress_data = progress_data;
	self.bytes_start = otad_http_get_bytes_received (http);
	if (g_mkdir_with_parents (self.tmpdir, 0700) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, "cannot create %s",
			     self.tmpdir);
		return FALSE;
	}
	if (!ostree_repo_prepare_transaction (repo, NULL, cancellable, error))
		return FALSE;
	if (!otad_pull_objects_run (&self, checksum, cancellable, error)) {
		g_prefix_error (error, "failed to pull %s from %s: ", checksum, url);
		(void)ostree_repo_abort_transaction (repo, NULL, NULL);
		return FALSE;
	}
	if (!ostree_repo_commit_transaction (repo, NULL, cancellable, error))
		return FALSE;
	/* everything the commit needs is there now */
	return ostree_repo_mark_commit_partial (repo, checksum, FALSE, error);
}
