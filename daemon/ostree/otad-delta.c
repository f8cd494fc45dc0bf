/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadDelta"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-delta.h"
#include "otad-http.h"

typedef struct {
	OtadPullProgress progress;
	OtadPullProgressFunc func;
	gpointer data;
	gint64 last_report;    /* monotonic µs */
	guint64 file_received; /* bytes of the file being fetched already counted */
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

/* OtadHttp reports where the file stands; the engine wants what crossed the network */
static void
otad_delta_progress_http_cb (guint64 received, guint64 total, gpointer user_data)
{
	OtadDeltaProgress *self = user_data;

	/* a server that ignored our Range sends the file from its start again */
	if (received < self->file_received)
		self->file_received = 0;
	self->progress.bytes_transferred += received - self->file_received;
	self->file_received = received;
	otad_delta_progress_report (self, FALSE);
}

/* GET @url into @dest (resuming "@dest.part" with Range), never more than @size bytes */
static gboolean
otad_delta_download (OtadHttp *http,
		     const gchar *url,
		     const gchar *dest,
		     guint64 size,
		     OtadDeltaProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autofree gchar *part = g_strconcat (dest, ".part", NULL);
	GStatBuf st;

	/* 0 would mean "no limit" to OtadHttp; no part or archive object is empty */
	if (size == 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("static delta announces an empty file at %s"), url);
		return FALSE;
	}
	/* what an earlier attempt left is on disk already, not transferred now */
	progress->file_received = g_stat (part, &st) == 0 ? (guint64)st.st_size : 0;
	if (!otad_http_download (http, url, dest, size, otad_delta_progress_http_cb, progress,
				 cancellable, error))
		return FALSE;
	progress->progress.objects_fetched++;
	otad_delta_progress_report (progress, TRUE);
	return TRUE;
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
		       OtadHttp *http,
		       const gchar *base_url,
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
	g_autofree gchar *partial = g_strconcat (final, ".unverified", NULL);
	g_autofree gchar *relpath = otad_delta_get_relpath (sb->from, sb->to, name);
	g_autofree gchar *url = otad_http_join_url (base_url, relpath);
	gchar actual[OSTREE_SHA256_STRING_LEN + 1];
	gboolean have_all = FALSE;

	if (part->is_inline || g_file_test (final, G_FILE_TEST_EXISTS))
		return TRUE;
	/* an earlier attempt applied this part already: nothing to fetch */
	if (!otad_delta_part_have_all_objects (repo, part->objects, &have_all, cancellable, error))
		return FALSE;
	if (have_all)
		return TRUE;
	if (!otad_delta_download (http, url, partial, part->size, progress, cancellable, error))
		return FALSE;
	if (!otad_delta_file_sha256 (partial, actual, cancellable, error))
		return FALSE;
	if (g_strcmp0 (actual, part->checksum) != 0) {
		/* start over next time rather than resume a corrupt file */
		g_unlink (partial);
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
		             _("static delta part %u has checksum %s, expected %s"), idx, actual,
		             part->checksum);
		return FALSE;
	}
	if (g_rename (partial, final) < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
		             _("failed to rename %s: %s"), partial, g_strerror (errno));
		return FALSE;
	}
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
			   OtadHttp *http,
			   const gchar *base_url,
			   const OtadDeltaFallback *fallback,
			   const gchar *dir,
			   OtadDeltaProgress *progress,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autofree gchar *path = otad_delta_fallback_path (dir, fallback);
	g_autofree gchar *relpath = NULL;
	g_autofree gchar *url = NULL;
	gboolean have = FALSE;

	if (!ostree_repo_has_object (repo, fallback->objtype, fallback->checksum, &have,
				     cancellable, error))
		return FALSE;
	if (have || g_file_test (path, G_FILE_TEST_EXISTS))
		return TRUE;
	/* generators only put large files there; metadata would need another writer */
	if (fallback->objtype != OSTREE_OBJECT_TYPE_FILE) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
		             _("static delta has a %s fallback object"),
		             ostree_object_type_to_string (fallback->objtype));
		return FALSE;
	}
	/* the archive layout TreeHub serves: objects/ab/cdef….filez */
	relpath = g_strdup_printf ("objects/%.2s/%s.filez", fallback->checksum,
				   fallback->checksum + 2);
	url = otad_http_join_url (base_url, relpath);
	return otad_delta_download (http, url, path, fallback->size, progress, cancellable, error);
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
		/* fetch it again next time rather than fail on the same bytes forever */
		g_unlink (path);
		g_prefix_error (error, _("failed to store fallback object %s: "),
		                fallback->checksum);
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
		g_prefix_error (error, _("failed to apply static delta: "));
		ostree_repo_abort_transaction (repo, NULL, NULL);
		return FALSE;
	}
	return ostree_repo_commit_transaction (repo, NULL, cancellable, error);
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
		 OtadHttp *http,
		 const gchar *base_url,
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
		             _("failed to create %s: %s"), dir, g_strerror (errno));
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
		if (!otad_delta_fetch_fallback (repo, http, base_url, fallback, dir, &progress,
						cancellable, error))
			return FALSE;
	}
	for (guint i = 0; i < sb->parts->len; i++) {
		if (!otad_delta_fetch_part (repo, http, base_url, sb, i, dir, &progress,
					    cancellable, error))
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
