/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

#include "config.h"

#include <libsoup/soup.h>

#include "ota-error.h"
#include "otad-http-private.h"
#include "otad-http.h"

#define OTAD_HTTP_READ_CHUNK (64 * 1024)
#define OTAD_HTTP_ERROR_BODY_MAX 4096
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

G_DEFINE_TYPE (OtadHttp, otad_http, G_TYPE_OBJECT)

static gint64
otad_http_default_monotonic (gpointer user_data)
{
	return g_get_monotonic_time ();
}

static gint64
otad_http_default_real (gpointer user_data)
{
	return g_get_real_time ();
}

static gboolean
otad_http_default_sleep (gpointer user_data, gint64 usec, GCancellable *cancellable, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + usec;

	/* sleep in short steps so a cancellation is noticed quickly */
	for (;;) {
		gint64 left = deadline - g_get_monotonic_time ();
		if (g_cancellable_set_error_if_cancelled (cancellable, error))
			return FALSE;
		if (left <= 0)
			break;
		g_usleep (MIN (left, 100 * 1000));
	}

	/* success */
	return TRUE;
}

static gdouble
otad_http_default_random (gpointer user_data)
{
	return g_random_double ();
}

static void
otad_http_finalize (GObject *object)
{
	OtadHttp *self = OTAD_HTTP (object);

	g_clear_object (&self->session);
	g_clear_object (&self->client_cert);
	if (self->pkcs11_pin != NULL)
		memset (self->pkcs11_pin, 0, strlen (self->pkcs11_pin));
	g_free (self->pkcs11_pin);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (otad_http_parent_class)->finalize (object);
}

static void
otad_http_class_init (OtadHttpClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_http_finalize;
}

static void
otad_http_init (OtadHttp *self)
{
	g_autoptr(GTlsDatabase) empty = NULL;

	g_mutex_init (&self->mutex);
	self->max_body = OTAD_HTTP_DEFAULT_MAX_BODY;
	self->max_attempts = 4;
	self->base_ms = 500;
	self->cap_ms = 60 * 1000;
	self->max_retry_after_s = 3600;
	self->clock.monotonic_usec = otad_http_default_monotonic;
	self->clock.real_usec = otad_http_default_real;
	self->clock.sleep_usec = otad_http_default_sleep;
	self->clock.random = otad_http_default_random;
	/* keep-alive is libsoup's default; idle connections are closed after a minute */
	self->session =
	    soup_session_new_with_options ("timeout", 30, "idle-timeout", 60, "user-agent",
	                                   PACKAGE_NAME "/" PACKAGE_VERSION, NULL);
}

OtadHttp *
otad_http_new (void)
{
	return g_object_new (OTAD_TYPE_HTTP, NULL);
}

gboolean
otad_http_set_ca_file (OtadHttp *self, const gchar *ca_file, GError **error)
{
	g_autoptr(GTlsDatabase) db = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail (OTAD_IS_HTTP (self), FALSE);

	/* only this CA is trusted: the system store is not consulted */
	db = g_tls_file_database_new (ca_file, &error_local);
	if (db == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             "cannot load server CA %s: %s", ca_file, error_local->message);
		return FALSE;
	}
	soup_session_set_tls_database (self->session, db);
	soup_session_abort (self->session);

	/* success */
	return TRUE;
}

static gchar *
otad_http_pkcs11_with_pin (const gchar *uri, const gchar *pin)
{
	if (pin == NULL || strstr (uri, "pin-value=") != NULL ||
	    strstr (uri, "pin-source=") != NULL)
		return g_strdup (uri);
	/* p11-kit URIs carry the PIN as a query attribute (RFC 7512) */
	return g_strdup_printf ("%s%spin-value=%s", uri, strchr (uri, '?') != NULL ? "&" : "?",
	                        pin);
}

gboolean
otad_http_set_client_certificate (OtadHttp *self, const gchar *cert, const gchar *key,
                                  GError **error)
{
	g_autoptr(GTlsCertificate) tls_cert = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail (OTAD_IS_HTTP (self), FALSE);
	g_return_val_if_fail (cert != NULL, FALSE);

	if (g_str_has_prefix (cert, "pkcs11:")) {
		g_autofree gchar *key_uri = NULL;
		if (key != NULL && !g_str_has_prefix (key, "pkcs11:")) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             "client certificate %s is a PKCS#11 URI but key %s is not",
			             cert, key);
			return FALSE;
		}
		if (key != NULL)
			key_uri = otad_http_pkcs11_with_pin (key, self->pkcs11_pin);
		tls_cert = g_tls_certificate_new_from_pkcs11_uris (cert, key_uri, &error_local);
	} else if (key != NULL && g_str_has_prefix (key, "pkcs11:")) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             "a PKCS#11 key (%s) needs a PKCS#11 certificate, not %s", key, cert);
		return FALSE;
	} else if (key != NULL) {
		tls_cert = g_tls_certificate_new_from_files (cert, key, &error_local);
	} else {
		tls_cert = g_tls_certificate_new_from_file (cert, &error_local);
	}
	if (tls_cert == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             "cannot load client certificate %s (key %s): %s", cert,
		             key != NULL ? key : "in the same file", error_local->message);
		return FALSE;
	}
	otad_http_set_client_tls_certificate (self, tls_cert);

	/* success */
	return TRUE;
}

void
otad_http_set_client_tls_certificate (OtadHttp *self, GTlsCertificate *cert)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	if (self->client_cert == cert)
		return;
	g_set_object (&self->client_cert, cert);
	/* a kept-alive connection still speaks with the old identity: close them all */
	soup_session_abort (self->session);
}

void
otad_http_set_pkcs11_pin (OtadHttp *self, const gchar *pin)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	g_free (self->pkcs11_pin);
	self->pkcs11_pin = g_strdup (pin);
}

void
otad_http_set_timeout (OtadHttp *self, guint seconds)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	soup_session_set_timeout (self->session, seconds);
}

void
otad_http_set_max_body_size (OtadHttp *self, gsize max_body)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	self->max_body = max_body;
}

void
otad_http_set_retry (OtadHttp *self, guint max_attempts, guint base_ms, guint cap_ms,
                     guint max_retry_after_s)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	self->max_attempts = MAX (max_attempts, 1);
	self->base_ms = base_ms;
	self->cap_ms = MAX (cap_ms, base_ms);
	self->max_retry_after_s = max_retry_after_s;
}

void
otad_http_set_clock (OtadHttp *self, const OtadHttpClock *clock)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	g_return_if_fail (clock != NULL);
	self->clock = *clock;
}

void
otad_http_set_user_agent (OtadHttp *self, const gchar *user_agent)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	soup_session_set_user_agent (self->session, user_agent);
}

guint64
otad_http_get_request_count (OtadHttp *self)
{
	guint64 n;
	g_mutex_lock (&self->mutex);
	n = self->request_count;
	g_mutex_unlock (&self->mutex);
	return n;
}

guint64
otad_http_get_bytes_received (OtadHttp *self)
{
	guint64 n;
	g_mutex_lock (&self->mutex);
	n = self->bytes_received;
	g_mutex_unlock (&self->mutex);
	return n;
}

gboolean
otad_http_parse_retry_after (const gchar *value, gint64 now_real_usec, gint64 *delay_usec)
{
	g_autoptr(GDateTime) date = NULL;
	const gchar *p;
	guint64 seconds = 0;

	if (value == NULL)
		return FALSE;
	while (g_ascii_isspace (*value))
		value++;
	if (g_ascii_isdigit (*value)) {
		for (p = value; g_ascii_isdigit (*p); p++) {
			if (seconds > G_MAXINT32)
				return FALSE;
			seconds = seconds * 10 + (guint64)(*p - '0');
		}
		while (g_ascii_isspace (*p))
			p++;
		if (*p != '\0')
			return FALSE;
		*delay_usec = (gint64)MIN (seconds, (guint64)G_MAXINT32) * G_USEC_PER_SEC;
		return TRUE;
	}

	/* an HTTP-date: the delay is relative to the wall clock, never negative */
	date = soup_date_time_new_from_http_string (value);
	if (date == NULL)
		return FALSE;
	*delay_usec = MAX ((g_date_time_to_unix (date) * G_USEC_PER_SEC) - now_real_usec, 0);
	return TRUE;
}

/* map a libsoup/GIO error to OtaError, keeping the URL and the reason */
void
otad_http_set_transport_error (GError **error, const gchar *method, const gchar *url,
                               const GError *error_local)
{
	gint code = OTA_ERROR_NETWORK;
	const gchar *what = "network error";

	if (error_local->domain == G_TLS_ERROR) {
		code = OTA_ERROR_TLS;
		what = "TLS error";
	} else if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		code = OTA_ERROR_CANCELLED;
		what = "cancelled";
	} else if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
		what = "timed out";
	} else if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)) {
		what = "connection closed before the end of the body";
	} else if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
	           g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
		/* a peer that rejects our client certificate closes the connection
		 * after the TLS 1.3 handshake; GnuTLS reports the alert in the text */
		if (strstr (error_local->message, "TLS") != NULL ||
		    strstr (error_local->message, "certificate") != NULL) {
			code = OTA_ERROR_TLS;
			what = "TLS error";
		}
	}
	if (code == OTA_ERROR_NETWORK && error_local->domain == G_IO_ERROR &&
	    (strstr (error_local->message, "TLS") != NULL ||
	     strstr (error_local->message, "certificate") != NULL)) {
		code = OTA_ERROR_TLS;
		what = "TLS error";
	}
	g_set_error (error, OTA_ERROR, code, "%s %s: %s: %s", method, url, what,
	             error_local->message);
}

static gboolean
otad_http_status_retryable (guint status)
{
	return status == SOUP_STATUS_REQUEST_TIMEOUT ||
	       status == OTAD_HTTP_STATUS_TOO_MANY_REQUESTS ||
	       status == SOUP_STATUS_INTERNAL_SERVER_ERROR || status == SOUP_STATUS_BAD_GATEWAY ||
	       status == SOUP_STATUS_SERVICE_UNAVAILABLE || status == SOUP_STATUS_GATEWAY_TIMEOUT;
}

static GByteArray *
otad_http_read_body (OtadHttp *self, GInputStream *stream, gsize max_body, const gchar *method,
                     const gchar *url, GCancellable *cancellable, GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new ();

	for (;;) {
		g_autoptr(GError) error_local = NULL;
		gsize old_len = buf->len;
		gssize n;

		g_byte_array_set_size (buf, old_len + OTAD_HTTP_READ_CHUNK);
		n = g_input_stream_read (stream, buf->data + old_len, OTAD_HTTP_READ_CHUNK,
		                         cancellable, &error_local);
		if (n < 0) {
			otad_http_set_transport_error (error, method, url, error_local);
			return NULL;
		}
		g_byte_array_set_size (buf, old_len + (gsize)n);
		otad_http_count_received (self, (gsize)n);
		if (n == 0)
			break;
		/* stop reading as soon as the limit is passed, never buffer more */
		if (buf->len > max_body) {
			g_set_error (
			    error, OTA_ERROR, OTA_ERROR_SERVER,
			    "%s %s: response body larger than the limit of %" G_GSIZE_FORMAT
			    " bytes",
			    method, url, max_body);
			return NULL;
		}
	}

	/* success */
	return g_steal_pointer (&buf);
}

gboolean
otad_http_note_retry_after (OtadHttp *self, SoupMessage *msg, gint64 *delay_usec)
{
	guint st = soup_message_get_status (msg);
	const gchar *value =
	    soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
	gint64 max_delay = (gint64)self->max_retry_after_s * G_USEC_PER_SEC;
	gint64 now;

	if (st != OTAD_HTTP_STATUS_TOO_MANY_REQUESTS && st != SOUP_STATUS_SERVICE_UNAVAILABLE)
		return FALSE;
	if (!otad_http_parse_retry_after (value, self->clock.real_usec (self->clock.user_data),
	                                  delay_usec))
		return FALSE;
	now = self->clock.monotonic_usec (self->clock.user_data);

	/* nothing goes to this server before the time it asked for */
	g_mutex_lock (&self->mutex);
	self->not_before_usec = MAX (self->not_before_usec, now + MIN (*delay_usec, max_delay));
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

GInputStream *
otad_http_send (OtadHttp *self, SoupMessage *msg, GCancellable *cancellable, GError **error)
{
	if (self->client_cert != NULL)
		soup_message_set_tls_client_certificate (msg, self->client_cert);
	g_mutex_lock (&self->mutex);
	self->request_count++;
	g_mutex_unlock (&self->mutex);
	return soup_session_send (self->session, msg, cancellable, error);
}

void
otad_http_count_received (OtadHttp *self, gsize n)
{
	g_mutex_lock (&self->mutex);
	self->bytes_received += n;
	g_mutex_unlock (&self->mutex);
}

guint
otad_http_get_max_attempts (OtadHttp *self)
{
	return self->max_attempts;
}

gboolean
otad_http_sleep (OtadHttp *self, gint64 usec, GCancellable *cancellable, GError **error)
{
	return self->clock.sleep_usec (self->clock.user_data, usec, cancellable, error);
}

/* one attempt; @retryable says whether another attempt may succeed */
static GBytes *
otad_http_request_once (OtadHttp *self, const gchar *method, const gchar *url, GBytes *body,
                        const gchar *content_type, gsize max_body, OtadHttpFlags flags,
                        guint *status, gboolean *retryable, GCancellable *cancellable,
                        GError **error)
{
	g_autoptr(SoupMessage) msg = NULL;
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GByteArray) buf = NULL;
	g_autoptr(GError) error_local = NULL;
	SoupMessageHeaders *headers;
	goffset content_length;
	guint st;

	*retryable = FALSE;
	msg = soup_message_new (method, url);
	if (msg == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s %s: not a valid URL",
		             method, url);
		return NULL;
	}
	if (body != NULL)
		soup_message_set_request_body_from_bytes (msg, content_type, body);
	stream = otad_http_send (self, msg, cancellable, &error_local);
	if (stream == NULL) {
		otad_http_set_transport_error (error, method, url, error_local);
		*retryable = !g_error_matches (*error, OTA_ERROR, OTA_ERROR_TLS) &&
		             !g_error_matches (*error, OTA_ERROR, OTA_ERROR_CANCELLED);
		return NULL;
	}
	st = soup_message_get_status (msg);
	*status = st;
	headers = soup_message_get_response_headers (msg);

	if (!SOUP_STATUS_IS_SUCCESSFUL (st)) {
		gint64 delay = 0;

		/* drain a little of the body so the connection may be reused */
		g_autoptr(GByteArray) ignored = otad_http_read_body (
		    self, stream, OTAD_HTTP_ERROR_BODY_MAX, method, url, cancellable, NULL);
		(void)ignored;

		if (otad_http_note_retry_after (self, msg, &delay)) {
			gint64 max_delay = (gint64)self->max_retry_after_s * G_USEC_PER_SEC;
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			             "%s %s: server answered %u %s, retry after %" G_GINT64_FORMAT
			             " s",
			             method, url, st, soup_message_get_reason_phrase (msg),
			             delay / G_USEC_PER_SEC);
			*retryable = delay <= max_delay;
			return NULL;
		}
		if (st == SOUP_STATUS_NOT_FOUND && (flags & OTAD_HTTP_FLAG_ALLOW_NOT_FOUND))
			return NULL;
		g_set_error (error, OTA_ERROR,
		             st == SOUP_STATUS_NOT_FOUND ? OTA_ERROR_NOT_FOUND : OTA_ERROR_SERVER,
		             "%s %s: server answered %u %s", method, url, st,
		             soup_message_get_reason_phrase (msg));
		*retryable = otad_http_status_retryable (st);
		return NULL;
	}

	/* refuse early when the server announces too much */
	content_length = soup_message_headers_get_content_length (headers);
	if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
	    content_length > 0 && (guint64)content_length > max_body) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             "%s %s: response body of %" G_GOFFSET_FORMAT
		             " bytes is larger than the limit of %" G_GSIZE_FORMAT " bytes",
		             method, url, content_length, max_body);
		return NULL;
	}
	buf = otad_http_read_body (self, stream, max_body, method, url, cancellable, error);
	if (buf == NULL) {
		*retryable = g_error_matches (*error, OTA_ERROR, OTA_ERROR_NETWORK);
		return NULL;
	}

	/* success */
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* full jitter: uniform in [0, min(cap, base * 2^attempt)) */
gint64
otad_http_backoff_usec (OtadHttp *self, guint attempt)
{
	gint64 ceiling = (gint64)self->base_ms * 1000;
	for (guint i = 0; i < attempt && ceiling < (gint64)self->cap_ms * 1000; i++)
		ceiling *= 2;
	ceiling = MIN (ceiling, (gint64)self->cap_ms * 1000);
	return (gint64)(self->clock.random (self->clock.user_data) * (gdouble)ceiling);
}

gboolean
otad_http_wait_not_before (OtadHttp *self, GCancellable *cancellable, GError **error)
{
	gint64 not_before;
	gint64 now = self->clock.monotonic_usec (self->clock.user_data);

	g_mutex_lock (&self->mutex);
	not_before = self->not_before_usec;
	g_mutex_unlock (&self->mutex);
	if (not_before <= now)
		return TRUE;
	g_debug ("waiting %" G_GINT64_FORMAT " ms as the server asked", (not_before - now) / 1000);
	return self->clock.sleep_usec (self->clock.user_data, not_before - now, cancellable, error);
}

GBytes *
otad_http_request (OtadHttp *self, const gchar *method, const gchar *url, GBytes *body,
                   const gchar *content_type, gsize max_body, OtadHttpFlags flags, guint *status,
                   GCancellable *cancellable, GError **error)
{
	guint status_local = 0;

	g_return_val_if_fail (OTAD_IS_HTTP (self), NULL);
	g_return_val_if_fail (method != NULL && url != NULL, NULL);

	if (max_body == 0)
		max_body = self->max_body;
	for (guint attempt = 0;; attempt++) {
		g_autoptr(GError) error_local = NULL;
		gboolean retryable = FALSE;
		GBytes *result;
		gint64 delay;

		if (!otad_http_wait_not_before (self, cancellable, error))
			return NULL;
		status_local = 0;
		result =
		    otad_http_request_once (self, method, url, body, content_type, max_body, flags,
		                            &status_local, &retryable, cancellable, &error_local);
		if (status != NULL)
			*status = status_local;
		if (error_local == NULL)
			return result;
		if (!retryable || (flags & OTAD_HTTP_FLAG_NO_RETRY) ||
		    attempt + 1 >= self->max_attempts) {
			if (attempt > 0)
				g_prefix_error (&error_local, "after %u attempts: ", attempt + 1);
			g_propagate_error (error, g_steal_pointer (&error_local));
			return NULL;
		}
		/* a Retry-After has set not_before; otherwise back off with jitter */
		if (status_local == OTAD_HTTP_STATUS_TOO_MANY_REQUESTS ||
		    status_local == SOUP_STATUS_SERVICE_UNAVAILABLE) {
			gint64 now = self->clock.monotonic_usec (self->clock.user_data);
			g_mutex_lock (&self->mutex);
			delay = self->not_before_usec > now
			            ? 0
			            : otad_http_backoff_usec (self, attempt);
			g_mutex_unlock (&self->mutex);
		} else {
			delay = otad_http_backoff_usec (self, attempt);
		}
		g_debug ("attempt %u failed (%s), retrying in %" G_GINT64_FORMAT " ms", attempt + 1,
		         error_local->message, delay / 1000);
		if (delay > 0 &&
		    !self->clock.sleep_usec (self->clock.user_data, delay, cancellable, error))
			return NULL;
	}
}

GBytes *
otad_http_get (OtadHttp *self, const gchar *url, gsize max_body, OtadHttpFlags flags, guint *status,
               GCancellable *cancellable, GError **error)
{
	return otad_http_request (self, "GET", url, NULL, NULL, max_body, flags, status,
	                          cancellable, error);
}

gboolean
otad_http_error_is_too_large (const GError *error, guint status)
{
	return SOUP_STATUS_IS_SUCCESSFUL (status) &&
	       g_error_matches (error, OTA_ERROR, OTA_ERROR_SERVER);
}
