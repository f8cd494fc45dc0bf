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
	guint max_retry_after_s;  /* a longer Retry-After fails the request */
	guint max_retry_total_s;  /* the waits of one job, see otad-http-retry.c; 0: none */
	guint deadline_s; /* see otad-http-deadline.c; 0: none */
	guint min_speed;  /* bytes/s */
	guint64 max_rate; /* bytes/s of all downloads, 0: no cap; under mutex (otad-http-rate.c) */
	guint downloads;  /* otad_http_download() calls running; under mutex, shares the cap */
	OtadHttpClock clock;
	GMutex mutex;           /* protects not_before_usec and the counters */
	gint64 not_before_usec; /* monotonic; set by Retry-After */
	guint64 request_count;
	guint64 bytes_received;
	GPtrArray *redirect_hosts; /* (owned) (nullable) lower case; see otad-http-redirect.c */
};


/* otad-http-redirect.c: sends, following only redirects that keep https on a configured
 * host; a refused one is an OTA_ERROR, anything else from libsoup as it came */
GInputStream *otad_http_send (OtadHttp *self, SoupMessage *msg, GCancellable *cancellable,
                              GError **error);
void otad_http_count_received (OtadHttp *self, gsize n);
guint otad_http_get_max_attempts (OtadHttp *self);
void otad_http_set_transport_error (GError **error, const gchar *method, const gchar *url,
                                    const GError *error_local);

/* one file (all its attempts) against the deadline and the minimum speed */
typedef struct {
	gint64 start_usec;  /* monotonic, at the first attempt */
	gint64 paused_usec; /* waits between attempts, not counted */
	guint64 expected;   /* the most bytes the file may have; 0: unknown */
	guint64 received;   /* bytes of the body, all attempts */
	gboolean slow;      /* failed a bound: the error is a slow retrieval */
} OtadHttpTransfer;

/* otad-http-deadline.c */
void otad_http_transfer_init (OtadHttp *self, OtadHttpTransfer *t, guint64 expected);
/* after @n more bytes arrived (0 before an attempt): FALSE when a bound is passed */
gboolean otad_http_transfer_check (OtadHttp *self, OtadHttpTransfer *t, gsize n,
                                   const gchar *method, const gchar *url, GError **error);
gboolean otad_http_transfer_sleep (OtadHttp *self, OtadHttpTransfer *t, gint64 usec,
                                   GCancellable *cancellable, GError **error);
gboolean otad_http_transfer_wait_not_before (OtadHttp *self, OtadHttpTransfer *t,
                                             GCancellable *cancellable, GError **error);

/* otad-http-rate.c */
void otad_http_downloads_add (OtadHttp *self, gint n);
gboolean otad_http_throttle (OtadHttp *self, OtadHttpTransfer *t, gint64 since_usec,
                             guint64 received, GCancellable *cancellable, GError **error);

/* otad_http_request(), and whether a failure was a slow retrieval (for the TUF fetcher) */
GBytes *otad_http_request_full (OtadHttp *self, const gchar *method, const gchar *url,
                                GBytes *body, const gchar *content_type, gsize max_body,
                                OtadHttpFlags flags, guint *status, gboolean *out_slow,
                                GCancellable *cancellable, GError **error);

/* a conditional GET: the validator sent, and what the answer said */
typedef struct {
	const gchar *if_none_match; /* (nullable) the ETag of the copy held */
	gboolean not_modified;      /* out: 304, the copy held is current */
	gchar *etag;                /* out: (owned) (nullable) the new response's ETag */
} OtadHttpConditional;

GBytes *otad_http_get_conditional (OtadHttp *self, const gchar *url, gsize max_body,
                                   OtadHttpFlags flags, OtadHttpConditional *cond, guint *status,
                                   gboolean *out_slow, GCancellable *cancellable,
                                   GError **error);

/* otad-http-retry.c */
gboolean otad_http_status_retryable (guint status);
gboolean otad_http_note_retry_after (OtadHttp *self, SoupMessage *msg, gint64 *delay_usec);
gboolean otad_http_wait_not_before (OtadHttp *self, GCancellable *cancellable, GError **error);
gint64 otad_http_backoff_usec (OtadHttp *self, guint attempt);
gint64 otad_http_retry_delay_usec (OtadHttp *self, guint status, guint attempt);
gboolean otad_http_retry_after_too_long (OtadHttp *self, gint64 delay_usec);
gboolean otad_http_retry_budget_take (OtadHttp *self, GCancellable *cancellable, gint64 usec);
gint64 otad_http_retry_wait_usec (OtadHttp *self, gint64 delay);
gboolean otad_http_sleep (OtadHttp *self, gint64 usec, GCancellable *cancellable, GError **error);

G_END_DECLS
