/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * OtadHttp: the one HTTP(S) session otad uses to talk to its servers.
 *
 * Every failure is an OTA_ERROR (NETWORK, TLS, SERVER or NOT_FOUND) whose
 * message names the URL and the reason.  Requests are synchronous and meant for
 * worker threads; one OtadHttp may be shared between them (libsoup >= 3.2 allows sending
 * from any thread).  The otad_http_set_*() calls configure the session: as libsoup
 * requires, make them from the thread that created the OtadHttp, with no request running.
 */

/* time source and sleeper, injectable so tests can check delays without sleeping */
typedef struct {
	gint64 (*monotonic_usec) (gpointer user_data);
	gint64 (*real_usec) (gpointer user_data); /* unix time, for Retry-After dates */
	/* returns FALSE with @error set when cancelled */
	gboolean (*sleep_usec) (gpointer user_data, gint64 usec, GCancellable *cancellable,
	                        GError **error);
	/* uniform in [0, 1), for jitter */
	gdouble (*random) (gpointer user_data);
	gpointer user_data;
} OtadHttpClock;

typedef enum {
	OTAD_HTTP_FLAG_NONE = 0,
	/* do not retry this request (e.g. the caller has its own queue) */
	OTAD_HTTP_FLAG_NO_RETRY = 1 << 0,
	/* 404 is an answer, not an error: return NULL with status 404 and no error */
	OTAD_HTTP_FLAG_ALLOW_NOT_FOUND = 1 << 1,
} OtadHttpFlags;

#define OTAD_HTTP_DEFAULT_MAX_BODY (16 * 1024 * 1024)
#define OTAD_HTTP_DEFAULT_DEADLINE_S 120
#define OTAD_HTTP_DEFAULT_MIN_SPEED 1024

#define OTAD_TYPE_HTTP (otad_http_get_type ())
G_DECLARE_FINAL_TYPE (OtadHttp, otad_http, OTAD, HTTP, GObject)

OtadHttp *otad_http_new (void) G_GNUC_WARN_UNUSED_RESULT;

gboolean otad_http_set_ca_file (OtadHttp *self, const gchar *ca_file, GError **error);
gboolean otad_http_set_client_certificate (OtadHttp *self, const gchar *cert, const gchar *key,
                                           GError **error);
/* an identity already in memory (provisioning); NULL removes the client certificate */
void otad_http_close_connections (OtadHttp *self);
void otad_http_set_client_tls_certificate (OtadHttp *self, GTlsCertificate *cert);
/* the client certificate requests present, or NULL */
GTlsCertificate *otad_http_get_client_tls_certificate (OtadHttp *self);
void otad_http_set_pkcs11_pin (OtadHttp *self, const gchar *pin);
void otad_http_set_timeout (OtadHttp *self, guint seconds);
void otad_http_set_max_body_size (OtadHttp *self, gsize max_body);
void otad_http_set_retry (OtadHttp *self, guint max_attempts, guint base_ms, guint cap_ms,
                          guint max_retry_after_s);
/* a Retry-After longer than @max_retry_after_s (or a date further off) fails the request
 * at once with OTA_ERROR_SERVER; the waits between attempts of one job (the requests made
 * with one GCancellable) stop at @max_retry_total_s in all (0: no such limit) */
#define OTAD_HTTP_DEFAULT_MAX_RETRY_AFTER_S 300
#define OTAD_HTTP_DEFAULT_MAX_RETRY_TOTAL_S 600
void otad_http_set_retry_limits (OtadHttp *self, guint max_retry_after_s,
                                 guint max_retry_total_s);
/* requests made with @other count their waits against @job's budget too (a cancellable
 * of the job's own that stops some of its requests early, e.g. the object pull's workers) */
void otad_http_share_retry_budget (OtadHttp *self, GCancellable *job, GCancellable *other);
/* connections the session keeps to one host: as many requests as the object pull has in
 * flight (otad-pull-objects.c) */
#define OTAD_HTTP_MAX_CONNS_PER_HOST 8
/* against slow retrieval: every file must be complete within @total_s plus the time its size
 * takes at @min_bytes_per_s, and once @total_s has passed must average at least
 * @min_bytes_per_s (otad-http-deadline.c).  @total_s 0 turns both off; @min_bytes_per_s 0
 * makes @total_s a plain deadline.  Default: OTAD_HTTP_DEFAULT_DEADLINE_S and
 * OTAD_HTTP_DEFAULT_MIN_SPEED, a poor cellular link's worth; failures are OTA_ERROR_NETWORK
 * whose message says "slow retrieval". */
void otad_http_set_deadline (OtadHttp *self, guint total_s, guint min_bytes_per_s);
void otad_http_set_max_rate (OtadHttp *self, guint64 bytes_per_s);
guint64 otad_http_get_max_rate (OtadHttp *self);
/* a redirect may go to this URL's host (on https only); the request's own host always */
void otad_http_add_redirect_host (OtadHttp *self, const gchar *url);
void otad_http_set_clock (OtadHttp *self, const OtadHttpClock *clock);
void otad_http_set_user_agent (OtadHttp *self, const gchar *user_agent);

GBytes *otad_http_request (OtadHttp *self, const gchar *method, const gchar *url, GBytes *body,
                           const gchar *content_type, gsize max_body, OtadHttpFlags flags,
                           guint *status, GCancellable *cancellable, GError **error);
GBytes *otad_http_get (OtadHttp *self, const gchar *url, gsize max_body, OtadHttpFlags flags,
                       guint *status, GCancellable *cancellable, GError **error);

/* progress of a download: @received of @total bytes (total 0 when unknown) */
typedef void (*OtadHttpProgressFunc) (guint64 received, guint64 total, gpointer user_data);

/*
 * GET @url into @dest, never more than @max_length bytes.  The body goes to "@dest.part"
 * first; an interrupted download resumes from there with a Range request (on a later
 * attempt or a later call), and @dest appears only when the body is complete.  The caller
 * verifies the content (length and hashes from trusted metadata).
 */
gboolean otad_http_download (OtadHttp *self, const gchar *url, const gchar *dest,
                             guint64 max_length, OtadHttpProgressFunc progress, gpointer user_data,
                             GCancellable *cancellable, GError **error);

typedef enum {
	OTAD_HTTP_DOWNLOAD_FLAG_NONE = 0,
	/* the caller verifies @dest and stores its content elsewhere at once (an OSTree
	 * object): the part file is not synced to disk, and a part left by an earlier call
	 * (maybe cut short by a power cut before it reached the disk) is not resumed */
	OTAD_HTTP_DOWNLOAD_FLAG_TRANSIENT = 1 << 0,
} OtadHttpDownloadFlags;

gboolean otad_http_download_full (OtadHttp *self, const gchar *url, const gchar *dest,
                                  guint64 max_length, OtadHttpDownloadFlags flags,
                                  OtadHttpProgressFunc progress, gpointer user_data,
                                  GCancellable *cancellable, GError **error);

/* after a failed request: TRUE when the server answered 2xx but the body went over the
 * limit (the error is then OTA_ERROR_SERVER) */
gboolean otad_http_error_is_too_large (const GError *error, guint status);

/* statistics since creation, for tests and benchmarks */
guint64 otad_http_get_request_count (OtadHttp *self);
guint64 otad_http_get_bytes_received (OtadHttp *self);

/* exposed for tests: parse a Retry-After value into microseconds from @now_real_usec */
gboolean otad_http_parse_retry_after (const gchar *value, gint64 now_real_usec, gint64 *delay_usec);

gchar *otad_http_join_url (const gchar *base_url, const gchar *relpath) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
