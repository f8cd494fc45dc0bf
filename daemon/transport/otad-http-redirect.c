/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

/*
 * No downgrade on a redirect.  libsoup follows a 3xx on its own wherever it points,
 * http:// included, so the request's URL and the device's identity would go out in
 * plain text; every message is sent with SOUP_MESSAGE_NO_REDIRECT and a redirect is
 * followed here only when it stays on https and on a host otad was configured with
 * (the host of the request itself or one added with otad_http_add_redirect_host()).
 * Every hop goes through the same session, so the CA pin (the session's TLS database)
 * and the client certificate hold on each.  Anything else ends the request with
 * OTA_ERROR_SERVER naming both URLs, before a byte goes to the new place.
 * (libostree's curl fetcher follows any redirect, http included: CURLOPT_FOLLOWLOCATION
 * without CURLOPT_REDIR_PROTOCOLS in src/libostree/ostree-fetcher-curl.c; otad fetches
 * the OSTree objects through this transport for that reason, see otad-pull.c.)
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-http-private.h"

/* as many hops as curl's and libsoup's own default limits allow in practice */
#define OTAD_HTTP_MAX_REDIRECTS 5

void
otad_http_add_redirect_host (OtadHttp *self, const gchar *url)
{
	g_autoptr(GUri) uri = NULL;

	g_return_if_fail (OTAD_IS_HTTP (self));
	if (url == NULL)
		return;
	uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
	if (uri == NULL || g_uri_get_host (uri) == NULL)
		return;
	g_mutex_lock (&self->mutex);
	if (self->redirect_hosts == NULL)
		self->redirect_hosts = g_ptr_array_new_with_free_func (g_free);
	g_ptr_array_add (self->redirect_hosts, g_ascii_strdown (g_uri_get_host (uri), -1));
	g_mutex_unlock (&self->mutex);
}

static gboolean
otad_http_redirect_host_allowed (OtadHttp *self, GUri *from, GUri *to)
{
	const gchar *host = g_uri_get_host (to);
	gboolean ok = FALSE;

	if (host == NULL)
		return FALSE;
	if (g_ascii_strcasecmp (host, g_uri_get_host (from)) == 0)
		return TRUE;
	g_mutex_lock (&self->mutex);
	for (guint i = 0; self->redirect_hosts != NULL && i < self->redirect_hosts->len; i++) {
		if (g_ascii_strcasecmp (host, g_ptr_array_index (self->redirect_hosts, i)) == 0)
			ok = TRUE;
	}
	g_mutex_unlock (&self->mutex);
	return ok;
}

static gboolean
otad_http_is_redirect (guint status)
{
	return status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_FOUND ||
	       status == SOUP_STATUS_SEE_OTHER || status == SOUP_STATUS_TEMPORARY_REDIRECT ||
	       status == SOUP_STATUS_PERMANENT_REDIRECT;
}

/* the URL a redirect points at when otad may follow it; NULL with @error set otherwise */
static GUri *
otad_http_redirect_target (OtadHttp *self, SoupMessage *msg, GError **error)
{
	GUri *from = soup_message_get_uri (msg);
	const gchar *location = soup_message_headers_get_one (
	    soup_message_get_response_headers (msg), "Location");
	g_autofree gchar *from_str = g_uri_to_string_partial (from, G_URI_HIDE_PASSWORD);
	g_autoptr(GUri) to = NULL;
	g_autofree gchar *to_str = NULL;
	const gchar *method = soup_message_get_method (msg);

	if (location == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("%s %s: server answered %u without a Location"), method, from_str,
		             soup_message_get_status (msg));
		return NULL;
	}
	to = g_uri_parse_relative (from, location, SOUP_HTTP_URI_FLAGS, NULL);
	if (to == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("%s %s: server redirected to an invalid URL (%.200s)"), method,
		             from_str, location);
		return NULL;
	}
	to_str = g_uri_to_string_partial (to, G_URI_HIDE_PASSWORD);
	if (g_strcmp0 (g_uri_get_scheme (to), "https") != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("%s %s: refused redirect to %.200s: it leaves https"), method,
		             from_str, to_str);
		return NULL;
	}
	if (!otad_http_redirect_host_allowed (self, from, to)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("%s %s: refused redirect to %.200s: not a configured host"), method,
		             from_str, to_str);
		return NULL;
	}
	/* a body is not sent again: only GET and HEAD follow (303 turns a POST into a GET
	 * in browsers; otad's POSTs and PUTs are never meant for another URL) */
	if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("%s %s: refused redirect to %.200s: only GET is redirected"),
		             method, from_str, to_str);
		return NULL;
	}
	return g_steal_pointer (&to);
}

/*
 * The identity goes on the TLS connection before its handshake, not only when the
 * server asks for it: glib-networking keys its cache of TLS 1.3 session tickets by
 * address, name, port and the hash of the connection's certificate at that moment
 * (g_tls_client_connection_gnutls_compute_session_id() in
 * tls/gnutls/gtlsclientconnection-gnutls.c).  Set there, the fleet's and the device's
 * sessions have different keys, so a resumed session never carries the other
 * identity, and resumption can stay on after provisioning.
 */
static void
otad_http_network_event_cb (SoupMessage *msg, GSocketClientEvent event, GIOStream *connection,
                            gpointer user_data)
{
	if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && G_IS_TLS_CONNECTION (connection))
		g_tls_connection_set_certificate (G_TLS_CONNECTION (connection),
		                                  G_TLS_CERTIFICATE (user_data));
}

GInputStream *
otad_http_send (OtadHttp *self, SoupMessage *msg, GCancellable *cancellable, GError **error)
{
	g_autoptr(GTlsCertificate) cert = NULL;

	g_mutex_lock (&self->mutex);
	self->request_count++;
	cert = self->client_cert != NULL ? g_object_ref (self->client_cert) : NULL;
	g_mutex_unlock (&self->mutex);
	soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
	if (cert != NULL)
		g_signal_connect_data (msg, "network-event", G_CALLBACK (otad_http_network_event_cb),
		                       g_object_ref (cert),
		                       (GClosureNotify)(void (*) (void))g_object_unref, 0);
	for (guint hop = 0;; hop++) {
		g_autoptr(GInputStream) stream = NULL;
		g_autoptr(GUri) to = NULL;

		if (cert != NULL)
			soup_message_set_tls_client_certificate (msg, cert);
		stream = soup_session_send (self->session, msg, cancellable, error);
		if (stream == NULL || !otad_http_is_redirect (soup_message_get_status (msg)))
			return g_steal_pointer (&stream);
		to = otad_http_redirect_target (self, msg, error);
		if (to == NULL)
			return NULL;
		if (hop + 1 >= OTAD_HTTP_MAX_REDIRECTS) {
			g_autofree gchar *s = g_uri_to_string_partial (to, G_URI_HIDE_PASSWORD);
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			             _("%s %.200s: more than %u redirects"),
			             soup_message_get_method (msg), s, OTAD_HTTP_MAX_REDIRECTS);
			return NULL;
		}
		g_debug ("following a redirect to %s", g_uri_get_host (to));
		(void)g_input_stream_close (stream, NULL, NULL);
		soup_message_set_uri (msg, to);
	}
}
