/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "otad-http.h"

G_BEGIN_DECLS

/* shared by otad-http.c (the session and its settings), otad-http-retry.c (when to try
 * again), otad-http-request.c (requests into memory) and otad-http-download.c only */

/* not in libsoup 3.2's SoupStatus */
#define OTAD_HTTP_STATUS_TOO_MANY_REQUESTS 429

struct _OtadHttp {
	GObject parent_instance;
	SoupSession *session;         /* (owned) */
	GTlsCertificate *client_cert; /* (owned) (nullable) */
	gchar *pkcs11_pin;            /* (owned) (nullable) */
	gsize max_body;
	guint max_attempts;
	guint base_ms;
	guint cap_ms;
	guint max_retry_after_s;
	OtadHttpClock clock;
	GMutex mutex;           /* protects not_before_usec and the counters */
	gint64 not_before_usec; /* monotonic; set by Retry-After */
	guint64 request_count;
	guint64 bytes_received;
};


GInputStream *otad_http_send (OtadHttp *self, SoupMessage *msg, GCancellable *cancellable,
                              GError **error);
void otad_http_count_received (OtadHttp *self, gsize n);
guint otad_http_get_max_attempts (OtadHttp *self);
void otad_http_set_transport_error (GError **error, const gchar *method, const gchar *url,
                                    const GError *error_local);

/* otad-http-retry.c */
gboolean otad_http_status_retryable (guint status);
gboolean otad_http_note_retry_after (OtadHttp *self, SoupMessage *msg, gint64 *delay_usec);
gboolean otad_http_wait_not_before (OtadHttp *self, GCancellable *cancellable, GError **error);
gint64 otad_http_backoff_usec (OtadHttp *self, guint attempt);
gint64 otad_http_retry_delay_usec (OtadHttp *self, guint status, guint attempt);
gboolean otad_http_sleep (OtadHttp *self, gint64 usec, GCancellable *cancellable, GError **error);

G_END_DECLS
