/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "otad-tuf-error.h"
#include "otad-tuf-fetcher.h"

G_DEFINE_INTERFACE (OtadTufFetcher, otad_tuf_fetcher, G_TYPE_OBJECT)

static void
otad_tuf_fetcher_default_init (OtadTufFetcherInterface *iface)
{
}

/* the limit holds whatever the implementation does */
static GBytes *
otad_tuf_fetcher_check_limit (const gchar *path, GBytes *bytes, guint64 max_length,
                              GError **error)
{
	if (bytes != NULL && g_bytes_get_size (bytes) > max_length) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE,
		             _("%s is larger than %" PRIu64 " bytes"), path, max_length);
		g_bytes_unref (bytes);
		return NULL;
	}
	return bytes;
}

GBytes *
otad_tuf_fetcher_fetch (OtadTufFetcher *self, const gchar *path, guint64 max_length,
                        GCancellable *cancellable, GError **error)
{
	OtadTufFetcherInterface *iface;
	GBytes *bytes;

	g_return_val_if_fail (OTAD_IS_TUF_FETCHER (self), NULL);
	iface = OTAD_TUF_FETCHER_GET_IFACE (self);
	bytes = iface->fetch (self, path, max_length, cancellable, error);
	return otad_tuf_fetcher_check_limit (path, bytes, max_length, error);
}

/**
 * otad_tuf_fetcher_fetch_if_changed:
 *
 * otad_tuf_fetcher_fetch() that may be told that the copy the caller holds (whose
 * validator is @etag) is current: %NULL without an error, *@out_not_modified %TRUE.
 * A fetcher without conditional requests fetches.
 */
GBytes *
otad_tuf_fetcher_fetch_if_changed (OtadTufFetcher *self, const gchar *path, guint64 max_length,
                                   const gchar *etag, gboolean *out_not_modified,
                                   gchar **out_etag, GCancellable *cancellable, GError **error)
{
	OtadTufFetcherInterface *iface;
	GBytes *bytes;

	g_return_val_if_fail (OTAD_IS_TUF_FETCHER (self), NULL);
	*out_not_modified = FALSE;
	*out_etag = NULL;
	iface = OTAD_TUF_FETCHER_GET_IFACE (self);
	if (iface->fetch_if_changed == NULL)
		return otad_tuf_fetcher_fetch (self, path, max_length, cancellable, error);
	bytes = iface->fetch_if_changed (self, path, max_length, etag, out_not_modified, out_etag,
	                                 cancellable, error);
	if (*out_not_modified)
		return NULL;
	return otad_tuf_fetcher_check_limit (path, bytes, max_length, error);
}

#define OTAD_TYPE_TUF_FETCHER_DIR (otad_tuf_fetcher_dir_get_type ())
G_DECLARE_FINAL_TYPE (OtadTufFetcherDir, otad_tuf_fetcher_dir, OTAD, TUF_FETCHER_DIR, GObject)

struct _OtadTufFetcherDir {
	GObject parent_instance;
	GFile *directory; /* (owned) */
};

static void otad_tuf_fetcher_dir_iface_init (OtadTufFetcherInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OtadTufFetcherDir, otad_tuf_fetcher_dir, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (OTAD_TYPE_TUF_FETCHER,
                                                otad_tuf_fetcher_dir_iface_init))

static GBytes *
otad_tuf_fetcher_dir_fetch (OtadTufFetcher *fetcher, const gchar *path, guint64 max_length,
                            GCancellable *cancellable, GError **error)
{
	OtadTufFetcherDir *self = OTAD_TUF_FETCHER_DIR (fetcher);
	g_autoptr (GFile) file = NULL;
	g_autoptr (GFileInputStream) stream = NULL;
	g_autoptr (GBytes) bytes = NULL;
	g_autofree gchar *rel = NULL;

	if (g_path_is_absolute (path) || g_strstr_len (path, -1, "..") != NULL ||
	    g_uri_peek_scheme (path) != NULL) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		             _("%s is not a path inside the repository"), path);
		return NULL;
	}
	rel = g_uri_unescape_string (path, NULL);
	file = g_file_resolve_relative_path (self->directory, rel != NULL ? rel : path);
	stream = g_file_read (file, cancellable, error);
	if (stream == NULL)
		return NULL;
	bytes = g_input_stream_read_bytes (G_INPUT_STREAM (stream),
	                                   max_length < G_MAXSIZE - 1 ? max_length + 1 : max_length,
	                                   cancellable, error);
	if (bytes == NULL)
		return NULL;
	if (g_bytes_get_size (bytes) > max_length) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE,
		             _("%s is larger than %" PRIu64 " bytes"), path, max_length);
		return NULL;
	}
	return g_steal_pointer (&bytes);
}

static void
otad_tuf_fetcher_dir_iface_init (OtadTufFetcherInterface *iface)
{
	iface->fetch = otad_tuf_fetcher_dir_fetch;
}

static void
otad_tuf_fetcher_dir_finalize (GObject *object)
{
	OtadTufFetcherDir *self = OTAD_TUF_FETCHER_DIR (object);
	g_clear_object (&self->directory);
	G_OBJECT_CLASS (otad_tuf_fetcher_dir_parent_class)->finalize (object);
}

static void
otad_tuf_fetcher_dir_class_init (OtadTufFetcherDirClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_tuf_fetcher_dir_finalize;
}

static void
otad_tuf_fetcher_dir_init (OtadTufFetcherDir *self)
{
}

OtadTufFetcher *
otad_tuf_fetcher_new_for_directory (const gchar *directory)
{
	OtadTufFetcherDir *self = g_object_new (OTAD_TYPE_TUF_FETCHER_DIR, NULL);
	self->directory = g_file_new_for_path (directory);
	return OTAD_TUF_FETCHER (self);
}
