/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

/* requests with bodies in memory: limits, named errors, the retry loop */

#include "config.h"

#include <inttypes.h>
#include <libsoup/soup.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-http-private.h"
#include "otad-http.h"

#define OTAD_HTTP_READ_CHUNK (64 * 1024)
#define OTAD_HTTP_ERROR_BODY_MAX 4096

/* the alerts a server sends about the client's certificate (GnuTLS's alert names), or
 * GLib's "certificate required": say so, the user's next step is the certificate */
static gboolean
otad_http_peer_refused_certificate (const GError *error)
{
	const gchar *alerts[] = {"Certificate is", "Certificate was", "CA is unknown",
				 "Access was denied"};
	/* the whole names, as GnuTLS's catalogue has them (lib/alert.c) */
	const gchar *alert_names[] = {"Certificate is bad",      "Certificate is not supported",
	                              "Certificate was revoked", "Certificate is expired",
	                              "Certificate is unknown",  "Certificate is required",
	                              "CA is unknown",           "Access was denied"};

	g_autofree gchar *fatal_alert = NULL;

	if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED))
		return TRUE;
	/* in otad's locale, glib-networking and GnuTLS translate these texts: look for
	 * the English and the translated ones (their own message catalogues) */
	fatal_alert = g_strdup (g_dgettext ("glib-networking", "Peer sent fatal TLS alert: %s"));
	if (strstr (fatal_alert, "%s") != NULL)
		*strstr (fatal_alert, "%s") = '\0';
	if (strstr (error->message, "Peer sent fatal TLS alert") == NULL &&
	    (fatal_alert[0] == '\0' || strstr (error->message, fatal_alert) == NULL))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS (alerts); i++) {
		if (strstr (error->message, alerts[i]) != NULL)
			return TRUE;
	}
	/* GnuTLS's domain is its soname on Debian (gnutls30.mo), "gnutls" upstream */
	for (guint i = 0; i < G_N_ELEMENTS (alert_names); i++) {
		if (strstr (error->message, g_dgettext ("gnutls30", alert_names[i])) != NULL ||
		    strstr (error->message, g_dgettext ("gnutls", alert_names[i])) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* map a libsoup/GIO error to OtaError by its domain and code, keeping the URL and the
 * reason; the class never depends on the text (it is translated, and it changes between
 * GnuTLS versions): the text only adds, within G_TLS_ERROR, that the alert was about our
 * certificate, for which GLib has no code.  A peer that refuses our client certificate
 * sends a TLS alert, which GLib's
 * TLS backend reports as a G_TLS_ERROR once it is read: servers close with a lingering
 * close so that it is (nginx's lingering_close; tests/server/otaserver.py) */
void
otad_http_set_transport_error (GError **error, const gchar *method, const gchar *url,
                               const GError *error_local)
{
	gint code = OTA_ERROR_NETWORK;
	const gchar *what = _("network error");

	/* already named and with its URLs: a refused redirect (otad-http-redirect.c) */
	if (error_local->domain == OTA_ERROR) {
		g_propagate_error (error, g_error_copy (error_local));
		return;
	}
	if (error_local->domain == G_TLS_ERROR) {
		code = OTA_ERROR_TLS;
		what = _("TLS error");
	} else if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		code = OTA_ERROR_CANCELLED;
		what = _("cancelled");
	} else if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
		what = _("timed out");
	} else if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)) {
		what = _("connection closed before the end of the body");
	}
	if (code == OTA_ERROR_TLS && otad_http_peer_refused_certificate (error_local))
		what = _("TLS error: the server refused the device's certificate");
	g_set_error (error, OTA_ERROR, code, "%s %s: %s: %s", method, url, what,
	             error_local->message);
}

static GByteArray *
otad_http_read_body (OtadHttp *self, OtadHttpTransfer *t, GInputStream *stream, gsize max_body,
                     const gchar *method, const gchar *url, GCancellable *cancellable,
                     GError **error)
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
		if (t != NULL && !otad_http_transfer_check (self, t, (gsize)n, method, url, error))
			return NULL;
		/* stop reading as soon as the limit is passed, never buffer more */
		if (buf->len > max_body) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			             _("%s %s: response body larger than the limit of %"
			                "zu"
			                " bytes"),
			             method, url, max_body);
			return NULL;
		}
	}

	/* success */
	return g_steal_pointer (&buf);
}

/* RFC 9110 15.4.5: a 304 ends at its headers.  libsoup 3.2 reads one without
 * Content-Length (as nginx and Apache send it) as ended by the close and drops the
 * connection after it; saying its length is 0 keeps the connection for the
 * check-in's next request */
static void
otad_http_not_modified_cb (SoupMessage *msg, gpointer user_data)
{
	SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

	if (soup_message_get_status (msg) == SOUP_STATUS_NOT_MODIFIED &&
	    soup_message_headers_get_one (headers, "Content-Length") == NULL &&
	    soup_message_headers_get_one (headers, "Transfer-Encoding") == NULL)
		soup_message_headers_set_content_length (headers, 0);
}

/* one attempt; @retryable says whether another attempt may succeed */
static GBytes *
otad_http_request_once (OtadHttp *self, OtadHttpTransfer *t, const gchar *method,
                        const gchar *url, GBytes *body, const gchar *content_type, gsize max_body,
                        OtadHttpFlags flags, OtadHttpConditional *cond, guint *status,
                        gboolean *retryable, GCancellable *cancellable, GError **error)
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
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("%s %s: not a valid URL"), method, url);
		return NULL;
	}
	if (body != NULL)
		soup_message_set_request_body_from_bytes (msg, content_type, body);
	if (cond != NULL && cond->if_none_match != NULL) {
		soup_message_headers_replace (soup_message_get_request_headers (msg),
		                              "If-None-Match", cond->if_none_match);
		g_signal_connect (msg, "got-headers", G_CALLBACK (otad_http_not_modified_cb),
		                  NULL);
	}
	stream = otad_http_send (self, msg, cancellable, &error_local);
	if (stream == NULL) {
		otad_http_set_transport_error (error, method, url, error_local);
		*retryable = g_error_matches (*error, OTA_ERROR, OTA_ERROR_NETWORK);
		return NULL;
	}
	st = soup_message_get_status (msg);
	*status = st;
	headers = soup_message_get_response_headers (msg);

	/* RFC 9110 15.4.5: what we hold is current; no body follows */
	if (st == SOUP_STATUS_NOT_MODIFIED && cond != NULL && cond->if_none_match != NULL) {
		/* read to its end (none), or libsoup drops the connection */
		g_autoptr(GByteArray) none = otad_http_read_body (
		    self, NULL, stream, OTAD_HTTP_ERROR_BODY_MAX, method, url, cancellable, NULL);
		(void)none;
		cond->not_modified = TRUE;
		return g_bytes_new (NULL, 0);
	}
	if (!SOUP_STATUS_IS_SUCCESSFUL (st)) {
		gint64 delay = 0;

		/* drain a little of the body so the connection may be reused */
		g_autoptr(GByteArray) ignored = otad_http_read_body (
		    self, NULL, stream, OTAD_HTTP_ERROR_BODY_MAX, method, url, cancellable, NULL);
		(void)ignored;

		if (otad_http_note_retry_after (self, msg, &delay)) {
			gboolean too_long = otad_http_retry_after_too_long (self, delay);
			g_set_error (
			    error, OTA_ERROR, OTA_ERROR_SERVER,
			    /* TRANSLATORS: method, URL, HTTP status, its reason phrase,
			     * seconds, then either nothing or the next message */
			    _("%s %s: server answered %u %s, retry after %" PRId64 " s%s"), method,
			    url, st, soup_message_get_reason_phrase (msg), delay / G_USEC_PER_SEC,
			    too_long ? _(": longer than otad waits for a server") : "");
			*retryable = !too_long;
			return NULL;
		}
		if (st == SOUP_STATUS_NOT_FOUND && (flags & OTAD_HTTP_FLAG_ALLOW_NOT_FOUND))
			return NULL;
		g_set_error (error, OTA_ERROR,
		             st == SOUP_STATUS_NOT_FOUND ? OTA_ERROR_NOT_FOUND : OTA_ERROR_SERVER,
		             _("%s %s: server answered %u %s"), method, url, st,
		             soup_message_get_reason_phrase (msg));
		*retryable = otad_http_status_retryable (st);
		return NULL;
	}

	/* refuse early when the server announces too much */
	content_length = soup_message_headers_get_content_length (headers);
	if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
	    content_length > 0 && (guint64)content_length > max_body) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("%s %s: response body of %" PRId64
		                " bytes is larger than the limit of %"
		                "zu"
		                " bytes"),
		             method, url, content_length, max_body);
		return NULL;
	}
	buf = otad_http_read_body (self, t, stream, max_body, method, url, cancellable, error);
	if (buf == NULL) {
		*retryable = g_error_matches (*error, OTA_ERROR, OTA_ERROR_NETWORK) && !t->slow;
		return NULL;
	}
	if (cond != NULL) {
		g_free (cond->etag);
		cond->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
	}

	/* success */
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static GBytes *
otad_http_request_attempts (OtadHttp *self, const gchar *method, const gchar *url, GBytes *body,
                            const gchar *content_type, gsize max_body, OtadHttpFlags flags,
                            OtadHttpConditional *cond, guint *status, gboolean *out_slow,
                            GCancellable *cancellable, GError **error)
{
	OtadHttpTransfer t;
	guint status_local = 0;

	g_return_val_if_fail (OTAD_IS_HTTP (self), NULL);
	g_return_val_if_fail (method != NULL && url != NULL, NULL);

	if (max_body == 0)
		max_body = self->max_body;
	otad_http_transfer_init (self, &t, max_body);
	for (guint attempt = 0;; attempt++) {
		g_autoptr(GError) error_local = NULL;
		gboolean retryable = FALSE;
		GBytes *result;
		gint64 delay;

		if (!otad_http_transfer_wait_not_before (self, &t, cancellable, error))
			return NULL;
		/* a file whose time is up gets no further attempt */
		if (!otad_http_transfer_check (self, &t, 0, method, url, error)) {
			if (out_slow != NULL)
				*out_slow = TRUE;
			return NULL;
		}
		status_local = 0;
		result = otad_http_request_once (self, &t, method, url, body, content_type,
		                                 max_body, flags, cond, &status_local, &retryable,
		                                 cancellable, &error_local);
		if (status != NULL)
			*status = status_local;
		if (error_local == NULL)
			return result;
		if (!retryable || (flags & OTAD_HTTP_FLAG_NO_RETRY) ||
		    attempt + 1 >= self->max_attempts) {
			if (attempt > 0)
				g_prefix_error (&error_local, _("after %u attempts: "),
				                attempt + 1);
			if (out_slow != NULL)
				*out_slow = t.slow;
			g_propagate_error (error, g_steal_pointer (&error_local));
			return NULL;
		}
		delay = otad_http_retry_wait_usec (
		    self, otad_http_retry_delay_usec (self, status_local, attempt));
		if (!otad_http_retry_budget_take (self, cancellable, delay)) {
			g_prefix_error (&error_local,
			                _("gave up after %u attempts (the job's waits between "
			                   "attempts would pass %u s): "),
			                attempt + 1, self->max_retry_total_s);
			if (out_slow != NULL)
				*out_slow = t.slow;
			g_propagate_error (error, g_steal_pointer (&error_local));
			return NULL;
		}
		g_debug ("attempt %u failed (%s), retrying in %" G_GINT64_FORMAT " ms", attempt + 1,
		         error_local->message, delay / 1000);
		if (delay > 0 && !otad_http_transfer_sleep (self, &t, delay, cancellable, error))
			return NULL;
	}
}

GBytes *
otad_http_request_full (OtadHttp *self, const gchar *method, const gchar *url, GBytes *body,
                        const gchar *content_type, gsize max_body, OtadHttpFlags flags,
                        guint *status, gboolean *out_slow, GCancellable *cancellable,
                        GError **error)
{
	return otad_http_request_attempts (self, method, url, body, content_type, max_body, flags,
	                                   NULL, status, out_slow, cancellable, error);
}

/**
 * otad_http_get_conditional:
 * @cond: in: the validator of what the caller holds (nullable); out: whether the
 *   server said it is current (then the result is empty), and the new response's ETag
 *
 * A GET that the server may answer with 304 Not Modified (RFC 9110 13.1.2).
 */
GBytes *
otad_http_get_conditional (OtadHttp *self, const gchar *url, gsize max_body, OtadHttpFlags flags,
                           OtadHttpConditional *cond, guint *status, gboolean *out_slow,
                           GCancellable *cancellable, GError **error)
{
	return otad_http_request_attempts (self, "GET", url, NULL, NULL, max_body, flags, cond,
	                                   status, out_slow, cancellable, error);
}

GBytes *
otad_http_request (OtadHttp *self, const gchar *method, const gchar *url, GBytes *body,
                   const gchar *content_type, gsize max_body, OtadHttpFlags flags, guint *status,
                   GCancellable *cancellable, GError **error)
{
	return otad_http_request_full (self, method, url, body, content_type, max_body, flags,
	                               status, NULL, cancellable, error);
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
