/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * How the verifier gets bytes from a repository.  @path is relative to the repository's
 * base ("1.root.json", "timestamp.json", "targets/foo.bin"), or an absolute URL (a target's
 * custom.uri).  An implementation:
 *   - fails with G_IO_ERROR_NOT_FOUND when the server says the file does not exist (404);
 *   - never reads more than @max_length + 1 bytes and fails with OTAD_TUF_ERROR_TOO_LARGE
 *     when the body is longer than @max_length;
 *   - fails with any other error for anything else (network, TLS, 5xx).
 */
#define OTAD_TYPE_TUF_FETCHER (otad_tuf_fetcher_get_type ())
G_DECLARE_INTERFACE (OtadTufFetcher, otad_tuf_fetcher, OTAD, TUF_FETCHER, GObject)

struct _OtadTufFetcherInterface {
	GTypeInterface g_iface;
	GBytes *(*fetch) (OtadTufFetcher *self, const gchar *path, guint64 max_length,
	                  GCancellable *cancellable, GError **error);
	/* optional: @etag (nullable) is the validator of the copy the caller holds; the
	 * result is %NULL without an error and *@out_not_modified %TRUE when the server
	 * says that copy is current; *@out_etag is the new response's validator */
	GBytes *(*fetch_if_changed) (OtadTufFetcher *self, const gchar *path, guint64 max_length,
	                             const gchar *etag, gboolean *out_not_modified,
	                             gchar **out_etag, GCancellable *cancellable, GError **error);
};

GBytes *otad_tuf_fetcher_fetch (OtadTufFetcher *self, const gchar *path, guint64 max_length,
                                GCancellable *cancellable, GError **error);
GBytes *otad_tuf_fetcher_fetch_if_changed (OtadTufFetcher *self, const gchar *path,
                                           guint64 max_length, const gchar *etag,
                                           gboolean *out_not_modified, gchar **out_etag,
                                           GCancellable *cancellable, GError **error);

/* a fetcher reading files under a local directory (offline updates, tests) */
OtadTufFetcher *otad_tuf_fetcher_new_for_directory (const gchar *directory);

G_END_DECLS
