/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadDelta"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ota-error.h"
#include "otad-delta.h"

/* OSTREE_STATIC_DELTA_SUPERBLOCK_FORMAT in libostree's ostree-repo-static-delta-private.h */
#define OTAD_DELTA_SUPERBLOCK_FORMAT                                                         \
	"(a{sv}tayay(a{sv}aya(say)sstayay)aya(uayttay)a(yaytt))"
/* superblocks are small unless parts are inlined, which generators only do for tiny parts */
#define OTAD_DELTA_SUPERBLOCK_MAX (64 * 1024 * 1024)
#define OTAD_DELTA_PACKED_OBJECT_LEN (1 + OSTREE_SHA256_DIGEST_LEN)

void
otad_delta_superblock_free (OtadDeltaSuperblock *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; self->parts != NULL && i < self->parts->len; i++)
		g_clear_pointer (&g_array_index (self->parts, OtadDeltaPart, i).objects,
				 g_bytes_unref);
	g_clear_pointer (&self->parts, g_array_unref);
	g_clear_pointer (&self->fallbacks, g_array_unref);
	g_clear_pointer (&self->bytes, g_bytes_unref);
	g_free (self->from);
	g_free (self->to);
	g_free (self);
}

gchar *
otad_delta_get_relpath (const gchar *from, const gchar *to, const gchar *target)
{
	guint8 csum[OSTREE_SHA256_DIGEST_LEN];
	g_autofree gchar *to_b64 = NULL;
	GString *path = g_string_new ("deltas/");

	/* the layout of libostree's _ostree_get_relative_static_delta_path(): modified base64 */
	ostree_checksum_inplace_to_bytes (to, csum);
	to_b64 = ostree_checksum_b64_from_bytes (csum);
	if (from != NULL) {
		g_autofree gchar *from_b64 = NULL;
		ostree_checksum_inplace_to_bytes (from, csum);
		from_b64 = ostree_checksum_b64_from_bytes (csum);
		g_string_append_printf (path, "%.2s/%s-%s", from_b64, from_b64 + 2, to_b64);
	} else {
		g_string_append_printf (path, "%.2s/%s", to_b64, to_b64 + 2);
	}
	if (target != NULL)
		g_string_append_printf (path, "/%s", target);
	return g_string_free (path, FALSE);
}

/* a 32 byte checksum from an untrusted `ay`, or NULL */
static gchar *
otad_delta_checksum_from_variant (GVariant *v)
{
	if (g_variant_n_children (v) != OSTREE_SHA256_DIGEST_LEN)
		return NULL;
	return ostree_checksum_from_bytes (g_variant_get_data (v));
}

/* which byte order the generator used for sizes (a historical mistake in libostree) */
static gboolean
otad_delta_needs_byteswap (GVariant *metadata, GVariant *headers)
{
	guint8 endianness = 0;
	guint64 total = 0;
	gsize n = g_variant_n_children (headers);

	if (g_variant_lookup (metadata, "ostree.endianness", "y", &endianness)) {
		if (endianness == 'l')
			return G_BYTE_ORDER != G_LITTLE_ENDIAN;
		if (endianness == 'B')
			return G_BYTE_ORDER != G_BIG_ENDIAN;
	}
	/* old generators: an average part above 4 GiB means the other order */
	for (gsize i = 0; i < n; i++) {
		guint64 size = 0;
		g_variant_get_child (headers, i, "(u@aytt@ay)", NULL, NULL, &size, NULL, NULL);
		total += size / n;
	}
	return n > 0 && total > G_MAXUINT32;
}

static guint64
otad_delta_u64 (gboolean swap, guint64 v)
{
	return swap ? GUINT64_SWAP_LE_BE (v) : v;
}

static gboolean
otad_delta_parse_parts (OtadDeltaSuperblock *self,
			GVariant *metadata,
			GVariant *headers,
			gboolean swap,
			GError **error)
{
	gsize n = g_variant_n_children (headers);

	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) csum_v = NULL;
		g_autoptr(GVariant) objects_v = NULL;
		g_autoptr(GVariant) inline_v = NULL;
		g_autofree gchar *checksum = NULL;
		g_autofree gchar *part_key = NULL;
		OtadDeltaPart part = { 0 };
		guint32 version = 0;

		g_variant_get_child (headers, i, "(u@aytt@ay)", &version, &csum_v, &part.size,
				     &part.usize, &objects_v);
		if (version != 0) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
				     "delta part %" G_GSIZE_FORMAT " has unknown version %u", i,
				     version);
			return FALSE;
		}
		checksum = otad_delta_checksum_from_variant (csum_v);
		if (checksum == NULL ||
		    g_variant_n_children (objects_v) % OTAD_DELTA_PACKED_OBJECT_LEN != 0) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
				     "delta part %" G_GSIZE_FORMAT " has a malformed header", i);
			return FALSE;
		}
		memcpy (part.checksum, checksum, sizeof part.checksum);
		part.size = otad_delta_u64 (swap, part.size);
		part.usize = otad_delta_u64 (swap, part.usize);
		part.objects = g_variant_get_data_as_bytes (objects_v);
		part_key = g_strdup_printf ("%" G_GSIZE_FORMAT, i);
		{
			g_autofree gchar *relpath =
			    otad_delta_get_relpath (self->from, self->to, part_key);
			inline_v = g_variant_lookup_value (metadata, relpath,
							   G_VARIANT_TYPE ("(yay)"));
		}
		part.is_inline = inline_v != NULL;
		g_array_append_val (self->parts, part);
	}
	return TRUE;
}

static gboolean
otad_delta_parse_fallbacks (OtadDeltaSuperblock *self,
			    GVariant *fallbacks,
			    gboolean swap,
			    GError **error)
{
	gsize n = g_variant_n_children (fallbacks);

	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) csum_v = NULL;
		g_autofree gchar *checksum = NULL;
		OtadDeltaFallback fallback = { 0 };
		guint8 objtype = 0;

		g_variant_get_child (fallbacks, i, "(y@aytt)", &objtype, &csum_v, &fallback.size,
				     &fallback.usize);
		checksum = otad_delta_checksum_from_variant (csum_v);
		if (checksum == NULL || objtype < OSTREE_OBJECT_TYPE_FILE ||
		    objtype > OSTREE_OBJECT_TYPE_COMMIT) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
				     "delta fallback %" G_GSIZE_FORMAT " is malformed", i);
			return FALSE;
		}
		fallback.objtype = (OstreeObjectType)objtype;
		memcpy (fallback.checksum, checksum, sizeof fallback.checksum);
		fallback.size = otad_delta_u64 (swap, fallback.size);
		fallback.usize = otad_delta_u64 (swap, fallback.usize);
		g_array_append_val (self->fallbacks, fallback);
	}
	return TRUE;
}

OtadDeltaSuperblock *
otad_delta_superblock_new_from_bytes (GBytes *bytes,
				      const gchar *expected_from,
				      const gchar *expected_to,
				      GError **error)
{
	g_autoptr(OtadDeltaSuperblock) self = g_new0 (OtadDeltaSuperblock, 1);
	g_autoptr(GVariant) sb = NULL;
	g_autoptr(GVariant) metadata = NULL;
	g_autoptr(GVariant) from_v = NULL;
	g_autoptr(GVariant) to_v = NULL;
	g_autoptr(GVariant) headers = NULL;
	g_autoptr(GVariant) fallbacks = NULL;
	g_autoptr(GVariant) commit = NULL;
	gboolean swap;

	g_return_val_if_fail (expected_to != NULL, NULL);

	self->parts = g_array_new (FALSE, TRUE, sizeof (OtadDeltaPart));
	self->fallbacks = g_array_new (FALSE, TRUE, sizeof (OtadDeltaFallback));
	self->bytes = g_bytes_ref (bytes);
	sb = g_variant_ref_sink (g_variant_new_from_bytes (
	    G_VARIANT_TYPE (OTAD_DELTA_SUPERBLOCK_FORMAT), bytes, FALSE));
	/* the bytes come from the network: refuse anything GVariant would have to guess at */
	if (!g_variant_is_normal_form (sb)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_SERVER,
				     "static delta superblock is malformed");
		return NULL;
	}
	metadata = g_variant_get_child_value (sb, 0);
	from_v = g_variant_get_child_value (sb, 2);
	to_v = g_variant_get_child_value (sb, 3);
	headers = g_variant_get_child_value (sb, 6);
	fallbacks = g_variant_get_child_value (sb, 7);
	commit = g_variant_get_child_value (sb, 4);
	self->timestamp = ostree_commit_get_timestamp (commit);

	self->to = otad_delta_checksum_from_variant (to_v);
	if (g_variant_n_children (from_v) > 0)
		self->from = otad_delta_checksum_from_variant (from_v);
	if (self->to == NULL || (g_variant_n_children (from_v) > 0 && self->from == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_SERVER,
				     "static delta superblock has malformed checksums");
		return NULL;
	}
	if (g_strcmp0 (self->to, expected_to) != 0 || g_strcmp0 (self->from, expected_from) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
			     "static delta superblock is for %s-%s, expected %s-%s",
			     self->from != NULL ? self->from : "(scratch)", self->to,
			     expected_from != NULL ? expected_from : "(scratch)", expected_to);
		return NULL;
	}
	swap = otad_delta_needs_byteswap (metadata, headers);
	if (!otad_delta_parse_parts (self, metadata, headers, swap, error))
		return NULL;
	if (!otad_delta_parse_fallbacks (self, fallbacks, swap, error))
		return NULL;

	/* success */
	return g_steal_pointer (&self);
}

guint64
otad_delta_superblock_get_download_size (const OtadDeltaSuperblock *self)
{
	guint64 total = g_bytes_get_size (self->bytes);

	for (guint i = 0; i < self->parts->len; i++) {
		const OtadDeltaPart *part = &g_array_index (self->parts, OtadDeltaPart, i);
		if (!part->is_inline)
			total += part->size;
	}
	for (guint i = 0; i < self->fallbacks->len; i++)
		total += g_array_index (self->fallbacks, OtadDeltaFallback, i).size;
	return total;
}

guint64
otad_delta_superblock_get_unpacked_size (const OtadDeltaSuperblock *self)
{
	guint64 total = 0;

	for (guint i = 0; i < self->parts->len; i++)
		total += g_array_index (self->parts, OtadDeltaPart, i).usize;
	for (guint i = 0; i < self->fallbacks->len; i++)
		total += g_array_index (self->fallbacks, OtadDeltaFallback, i).usize;
	return total;
}

OtadDeltaSuperblock *
otad_delta_fetch_superblock (OtadPullHttp *http,
			     const gchar *from,
			     const gchar *to,
			     GCancellable *cancellable,
			     GError **error)
{
	g_autofree gchar *relpath = otad_delta_get_relpath (from, to, "superblock");
	g_autoptr(GBytes) bytes = NULL;

	bytes = otad_pull_http_get (http, relpath, OTAD_DELTA_SUPERBLOCK_MAX, cancellable, error);
	if (bytes == NULL)
		return NULL;
	return otad_delta_superblock_new_from_bytes (bytes, from, to, error);
}

typedef struct {
	OtadPullProgress progress;
	OtadPullProgressFunc func;
	gpointer data;
	gint64 last_report; /* monotonic µs */
} OtadDeltaProgress;

static void
otad_delta_progress_report (OtadDeltaProgress *self, gboolean force)
{
	gint64 now = g_get_monotonic_time ();

	if (self->func == NULL)
		return;
	/* the HTTP loop calls this per 64 KiB: keep the engine's wakeups bounded */
	if (!force && now - self->last_report < 200 * G_TIME_SPAN_MILLISECOND)
		return;
	self->last_report = now;
	self->func (&self->progress, self->data);
}

static void
otad_delta_progress_bytes_cb (guint64 new_bytes, gpointer user_data)
{
	OtadDeltaProgress *self = user_data;

	self->progress.bytes_transferred += new_bytes;
	otad_delta_progress_report (self, FALSE);
}

static gboolean
otad_delta_part_have_all_objects (OstreeRepo *repo,
				  GBytes *objects,
				  gboolean *out_have_all,
				  GCancellable *cancellable,
				  GError **error)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (objects, &len);

	*out_have_all = FALSE;
	for (gsize off = 0; off + OTAD_DELTA_PACKED_OBJECT_LEN <= len;
	     off += OTAD_DELTA_PACKED_OBJECT_LEN) {
		g_autofree gchar *checksum = ostree_checksum_from_bytes (data + off + 1);
		gboolean have = FALSE;
		if (data[off] < OSTREE_OBJECT_TYPE_FILE || data[off] > OSTREE_OBJECT_TYPE_COMMIT)
			return TRUE;
		if (!ostree_repo_has_object (repo, (OstreeObjectType)data[off], checksum, &have,
					     cancellable, error))
			return FALSE;
		if (!have)
			return TRUE;
	}
	*out_have_all = len > 0;
	return TRUE;
}

static gboolean
otad_delta_file_sha256 (const gchar *path,
			gchar out[OSTREE_SHA256_STRING_LEN + 1],
			GCancellable *cancellable,
			GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path (path);
	g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
	g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
	guint8 buf[65536];

	if (in == NULL)
		return FALSE;
	for (;;) {
		gssize n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf, cancellable,
						error);
		if (n < 0)
			return FALSE;
		if (n == 0)
			break;
		g_checksum_update (checksum, buf, n);
	}
	g_strlcpy (out, g_checksum_get_string (checksum), OSTREE_SHA256_STRING_LEN + 1);
	return TRUE;
}

static gboolean
otad_delta_fetch_part (OstreeRepo *repo,
		       OtadPullHttp *http,
		       const OtadDeltaSuperblock *sb,
		       guint idx,
		       const gchar *dir,
		       OtadDeltaProgress *progress,
		       GCancellable *cancellable,
		       GError **error)
{
	const OtadDeltaPart *part = &g_array_index (sb->parts, OtadDeltaPart, idx);
	g_autofree gchar *name = g_strdup_printf ("%u", idx);
	g_autofree gchar *final = g_build_filename (dir, name, NULL);
	g_autofree gchar *partial = g_strconcat (final, ".partial", NULL);
	g_autofree gchar *relpath = otad_delta_get_relpath (sb->from, sb->to, name);
	gchar actual[OSTREE_SHA256_STRING_LEN + 1];
	gboolean have_all = FALSE;

	if (part->is_inline || g_file_test (final, G_FILE_TEST_EXISTS))
		return TRUE;
	/* an earlier attempt applied this part already: nothing to fetch */
	if (!otad_delta_part_have_all_objects (repo, part->objects, &have_all, cancellable, error))
		return FALSE;
	if (have_all)
		return TRUE;
	if (!otad_pull_http_download (http, relpath, partial, part->size,
				      otad_delta_progress_bytes_cb, progress, cancellable, error))
		return FALSE;
	if (!otad_delta_file_sha256 (partial, actual, cancellable, error))
		return FALSE;
	if (g_strcmp0 (actual, part->checksum) != 0) {
		/* start over next time rather than resume a corrupt file */
		g_unlink (partial);
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
			     "static delta part %u has checksum %s, expected %s", idx, actual,
			     part->checksum);
		return FALSE;
	}
	if (g_rename (partial, final) < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
			     "failed to rename %s: %s", partial, g_strerror (errno));
		return FALSE;
	}
	progress->progress.objects_fetched++;
	otad_delta_progress_report (progress, TRUE);
	return TRUE;
}

static gchar *
otad_delta_fallback_path (const gchar *dir, const OtadDeltaFallback *fallback)
{
	g_autofree gchar *name = g_strconcat (fallback->checksum, ".filez", NULL);
	return g_build_filename (dir, name, NULL);
}

static gboolean
otad_delta_fetch_fallback (OstreeRepo *repo,
			   OtadPullHttp *http,
			   const OtadDeltaFallback *fallback,
			   const gchar *dir,
			   OtadDeltaProgress *progress,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autofree gchar *path = otad_delta_fallback_path (dir, fallback);
	g_autofree gchar *relpath = NULL;
	gboolean have = FALSE;

	if (!ostree_repo_has_object (repo, fallback->objtype, fallback->checksum, &have,
				     cancellable, error))
		return FALSE;
	if (have)
		return TRUE;
	/* generators only put large files there; metadata would need another writer */
	if (fallback->objtype != OSTREE_OBJECT_TYPE_FILE) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
			     "static delta has a %s fallback object",
			     ostree_object_type_to_string (fallback->objtype));
		return FALSE;
	}
	/* the archive layout TreeHub serves: objects/ab/cdef….filez */
	relpath = g_strdup_printf ("objects/%.2s/%s.filez", fallback->checksum,
				   fallback->checksum + 2);
	if (!otad_pull_http_download (http, relpath, path, fallback->size,
				      otad_delta_progress_bytes_cb, progress, cancellable, error))
		return FALSE;
	progress->progress.objects_fetched++;
	otad_delta_progress_report (progress, TRUE);
	return TRUE;
}

/* write a fetched archive (.filez) object; libostree checks it against its checksum */
static gboolean
otad_delta_write_fallback (OstreeRepo *repo,
			   const OtadDeltaFallback *fallback,
			   const gchar *dir,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autofree gchar *path = otad_delta_fallback_path (dir, fallback);
	g_autoptr(GFile) file = g_file_new_for_path (path);
	g_autoptr(GFileInputStream) in = NULL;
	g_autoptr(GInputStream) content = NULL;
	g_autoptr(GInputStream) object = NULL;
	g_autoptr(GFileInfo) info = NULL;
	g_autoptr(GVariant) xattrs = NULL;
	g_autofree guchar *csum = NULL;
	guint64 length = 0;
	gboolean have = FALSE;

	if (!ostree_repo_has_object (repo, fallback->objtype, fallback->checksum, &have,
				     cancellable, error))
		return FALSE;
	if (have)
		return TRUE;
	in = g_file_read (file, cancellable, error);
	if (in == NULL)
		return FALSE;
	if (!ostree_content_stream_parse (TRUE, G_INPUT_STREAM (in), fallback->size, FALSE,
					  &content, &info, &xattrs, cancellable, error) ||
	    !ostree_raw_file_to_content_stream (content, info, xattrs, &object, &length,
						cancellable, error) ||
	    !ostree_repo_write_content (repo, fallback->checksum, object, length, &csum,
					cancellable, error)) {
		g_prefix_error (error, "failed to store fallback object %s: ", fallback->checksum);
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_delta_apply (OstreeRepo *repo,
		  const OtadDeltaSuperblock *sb,
		  const gchar *dir,
		  GCancellable *cancellable,
		  GError **error)
{
	g_autoptr(GFile) dir_file = g_file_new_for_path (dir);

	if (!ostree_repo_prepare_transaction (repo, NULL, cancellable, error))
		return FALSE;
	for (guint i = 0; i < sb->fallbacks->len; i++) {
		const OtadDeltaFallback *fallback =
		    &g_array_index (sb->fallbacks, OtadDeltaFallback, i);
		if (!otad_delta_write_fallback (repo, fallback, dir, cancellable, error)) {
			ostree_repo_abort_transaction (repo, NULL, NULL);
			return FALSE;
		}
	}
	/* skip_validation FALSE: libostree checks each part and object checksum again */
	if (!ostree_repo_static_delta_execute_offline (repo, dir_file, FALSE, cancellable, error)) {
		g_prefix_error (error, "failed to apply static delta: ");
		ostree_repo_abort_transaction (repo, NULL, NULL);
		return FALSE;
	}
	return ostree_repo_commit_transaction (repo, NULL, cancellable, error);
}

/*
 * libostree refuses to execute offline a superblock that lists fallback objects, even when
 * they are in the repo already; otad fetched and stored them itself, so it hands libostree
 * the same superblock with an empty fallback list (the superblock is not signed: parts and
 * objects are checked by their checksums either way)
 */
static GBytes *
otad_delta_superblock_for_offline (const OtadDeltaSuperblock *sb)
{
	g_autoptr(GVariant) orig = NULL;
	g_autoptr(GVariant) stripped = NULL;
	GVariantBuilder builder;

	if (sb->fallbacks->len == 0)
		return g_bytes_ref (sb->bytes);
	orig = g_variant_ref_sink (g_variant_new_from_bytes (
	    G_VARIANT_TYPE (OTAD_DELTA_SUPERBLOCK_FORMAT), sb->bytes, FALSE));
	g_variant_builder_init (&builder, G_VARIANT_TYPE (OTAD_DELTA_SUPERBLOCK_FORMAT));
	for (gsize i = 0; i < 7; i++)
		g_variant_builder_add_value (&builder, g_variant_get_child_value (orig, i));
	g_variant_builder_add_value (&builder,
				     g_variant_new_array (G_VARIANT_TYPE ("(yaytt)"), NULL, 0));
	stripped = g_variant_ref_sink (g_variant_builder_end (&builder));
	return g_variant_get_data_as_bytes (stripped);
}

static void
otad_delta_remove_dir (const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
	const gchar *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree gchar *path = g_build_filename (dir, name, NULL);
		if (g_unlink (path) < 0)
			g_debug ("failed to remove %s: %s", path, g_strerror (errno));
	}
	g_rmdir (dir);
}

gboolean
otad_delta_pull (OstreeRepo *repo,
		 OtadPullHttp *http,
		 const OtadDeltaSuperblock *sb,
		 const gchar *download_dir,
		 OtadPullProgressFunc progress_func,
		 gpointer progress_data,
		 GCancellable *cancellable,
		 GError **error)
{
	g_autofree gchar *name = g_strdup_printf ("%s-%s", sb->from != NULL ? sb->from : "scratch",
						  sb->to);
	g_autofree gchar *dir = g_build_filename (download_dir, name, NULL);
	g_autofree gchar *sb_path = g_build_filename (dir, "superblock", NULL);
	g_autoptr(GBytes) sb_offline = NULL;
	OtadDeltaProgress progress = {
		.progress = { .phase = OTAD_PULL_PHASE_DELTA,
			      .bytes_transferred = g_bytes_get_size (sb->bytes),
			      .bytes_total = otad_delta_superblock_get_download_size (sb),
			      .objects_total = sb->parts->len + sb->fallbacks->len },
		.func = progress_func,
		.data = progress_data,
	};

	if (g_mkdir_with_parents (dir, 0700) < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
			     "failed to create %s: %s", dir, g_strerror (errno));
		return FALSE;
	}
	sb_offline = otad_delta_superblock_for_offline (sb);
	if (!g_file_set_contents (sb_path, g_bytes_get_data (sb_offline, NULL),
				  (gssize)g_bytes_get_size (sb_offline), error))
		return FALSE;
	otad_delta_progress_report (&progress, TRUE);
	for (guint i = 0; i < sb->fallbacks->len; i++) {
		const OtadDeltaFallback *fallback =
		    &g_array_index (sb->fallbacks, OtadDeltaFallback, i);
		if (!otad_delta_fetch_fallback (repo, http, fallback, dir, &progress, cancellable,
						error))
			return FALSE;
	}
	for (guint i = 0; i < sb->parts->len; i++) {
		if (!otad_delta_fetch_part (repo, http, sb, i, dir, &progress, cancellable, error))
			return FALSE;
	}
	progress.progress.phase = OTAD_PULL_PHASE_APPLY;
	otad_delta_progress_report (&progress, TRUE);
	if (!otad_delta_apply (repo, sb, dir, cancellable, error))
		return FALSE;
	otad_delta_remove_dir (dir);

	/* success */
	return TRUE;
}
