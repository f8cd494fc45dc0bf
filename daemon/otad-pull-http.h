/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * A minimal libsoup client for TreeHub files that otad fetches itself (static delta
 * superblocks and parts): client certificate from files, resumable downloads with Range.
 * TODO: switch to the shared transport (otad-transport) once it is merged, which also
 * brings PKCS#11 keys, retries with backoff and proxy settings.
 */

typedef struct _OtadPullHttp OtadPullHttp;

/* called with the number of new bytes written to disk */
typedef void (*OtadPullHttpFunc) (guint64 new_bytes, gpointer user_data);

OtadPullHttp *otad_pull_http_new (const gchar *base_url,
				  const gchar *tls_client_cert_path,
				  const gchar *tls_client_key_path,
				  const gchar *tls_ca_path,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_pull_http_free (OtadPullHttp *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadPullHttp, otad_pull_http_free)

GBytes *otad_pull_http_get (OtadPullHttp *self,
			    const gchar *relpath,
			    gsize max_size,
			    GCancellable *cancellable,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_pull_http_download (OtadPullHttp *self,
				  const gchar *relpath,
				  const gchar *dest_path,
				  guint64 expected_size,
				  OtadPullHttpFunc func,
				  gpointer user_data,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
