/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "otad-http.h"

G_BEGIN_DECLS

/* shared by otad-http.c and otad-http-download.c only */
GInputStream *otad_http_send (OtadHttp *self, SoupMessage *msg, GCancellable *cancellable,
                              GError **error);
void otad_http_set_transport_error (GError **error, const gchar *method, const gchar *url,
                                    const GError *error_local);
gboolean otad_http_note_retry_after (OtadHttp *self, SoupMessage *msg, gint64 *delay_usec);
gboolean otad_http_wait_not_before (OtadHttp *self, GCancellable *cancellable, GError **error);
gint64 otad_http_backoff_usec (OtadHttp *self, guint attempt);
gboolean otad_http_sleep (OtadHttp *self, gint64 usec, GCancellable *cancellable, GError **error);
void otad_http_count_received (OtadHttp *self, gsize n);
guint otad_http_get_max_attempts (OtadHttp *self);

G_END_DECLS
