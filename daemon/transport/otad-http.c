/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

/* the session and its settings: TLS identity and CA, limits, retry policy, clock */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include <libsoup/soup.h>

#include "ota-error.h"
#include "otad-http-private.h"
#include "otad-http.h"

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
	g_clear_pointer (&self->redirect_hosts, g_ptr_array_unref);
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

/*
 * The proxy from the environment, as libcurl (aktualizr, libostree's pull) takes it:
 * https_proxy (or HTTPS_PROXY, all_proxy, ALL_PROXY), hosts in no_proxy go direct.
 * NULL when none is set: the session then connects with proxies off, and GIO's default
 * resolver is never made (a simple "direct://" resolver would not do: every
 * GProxyAddressEnumerator asks for the default one while it is constructed, before
 * the client's is set: GLib's gio/gproxyaddressenumerator.c, set_property).  The
 * default loads the GNOME proxy module with GSettings/dconf and then libproxy with
 * libstdc++ on the first connection: about 1 MB resident for a daemon that has no
 * desktop session to ask (bench/run).
 */
static GProxyResolver *
otad_http_proxy_from_environment (void)
{
	const gchar *names[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	const gchar *proxy = NULL;
	const gchar *no_proxy;
	g_auto(GStrv) ignore = NULL;

	for (guint i = 0; i < G_N_ELEMENTS (names) && proxy == NULL; i++) {
		proxy = g_getenv (names[i]);
		if (proxy != NULL && proxy[0] == '\0')
			proxy = NULL;
	}
	if (proxy == NULL)
		return NULL;
	no_proxy = g_getenv ("no_proxy") != NULL ? g_getenv ("no_proxy") : g_getenv ("NO_PROXY");
	if (no_proxy != NULL)
		ignore = g_strsplit (no_proxy, ",", -1);
	for (guint i = 0; ignore != NULL && ignore[i] != NULL; i++)
		g_strstrip (ignore[i]);
	return g_simple_proxy_resolver_new (proxy, ignore);
}

static void
otad_http_init (OtadHttp *self)
{
	g_autoptr(GProxyResolver) proxy = otad_http_proxy_from_environment ();
	g_autoptr(GTlsDatabase) empty = NULL;

	g_mutex_init (&self->mutex);
	self->max_body = OTAD_HTTP_DEFAULT_MAX_BODY;
	self->max_attempts = 4;
	self->base_ms = 500;
	self->cap_ms = 60 * 1000;
	self->max_retry_after_s = OTAD_HTTP_DEFAULT_MAX_RETRY_AFTER_S;
	self->max_retry_total_s = OTAD_HTTP_DEFAULT_MAX_RETRY_TOTAL_S;
	self->deadline_s = OTAD_HTTP_DEFAULT_DEADLINE_S;
	self->min_speed = OTAD_HTTP_DEFAULT_MIN_SPEED;
	self->clock.monotonic_usec = otad_http_default_monotonic;
	self->clock.real_usec = otad_http_default_real;
	self->clock.sleep_usec = otad_http_default_sleep;
	self->clock.random = otad_http_default_random;
	/* keep-alive is libsoup's default; idle connections are closed after a minute.
	 * libsoup's default of 2 connections per host would queue the object pull's
	 * parallel requests behind each other.  (A NULL resolver once seemed to crash
	 * LeakSanitizer's tracer at exit: that is GCC 12's __tls_get_addr tracking, off
	 * in the tests' LSAN_OPTIONS.) */
	self->session = soup_session_new_with_options (
	    "timeout", 30, "idle-timeout", 60, "max-conns-per-host", OTAD_HTTP_MAX_CONNS_PER_HOST,
	    "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION, "proxy-resolver", proxy, NULL);
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
		             _("cannot load server CA %s: %s"), ca_file, error_local->message);
		return FALSE;
	}
	soup_session_set_tls_database (self->session, db);
	/* glib-networking asks for the default database while it sets up each client
	 * connection, before libsoup hands it ours, and the default is the whole
	 * system trust store, kept for the life of the process (3.4 MB of libtasn1
	 * in heaptrack, issue 13): make ours the default so it is never loaded */
	g_tls_backend_set_default_database (g_tls_backend_get_default (), db);
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
			             _("client certificate %s is a PKCS#11 URI but key %s is not"),
			             cert, key);
			return FALSE;
		}
		if (key != NULL)
			key_uri = otad_http_pkcs11_with_pin (key, self->pkcs11_pin);
		tls_cert = g_tls_certificate_new_from_pkcs11_uris (cert, key_uri, &error_local);
	} else if (key != NULL && g_str_has_prefix (key, "pkcs11:")) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("a PKCS#11 key (%s) needs a PKCS#11 certificate, not %s"), key,
		             cert);
		return FALSE;
	} else if (key != NULL) {
		tls_cert = g_tls_certificate_new_from_files (cert, key, &error_local);
	} else {
		tls_cert = g_tls_certificate_new_from_file (cert, &error_local);
	}
	if (tls_cert == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("cannot load client certificate %s (key %s): %s"), cert,
		             key != NULL ? key : "in the same file", error_local->message);
		return FALSE;
	}
	otad_http_set_client_tls_certificate (self, tls_cert);

	/* success */
	return TRUE;
}

/* between jobs: a kept-alive connection holds its TLS state and buffers (hundreds of
 * kB after a pull over several connections) for the idle-timeout; the next check-in is
 * far away and resumes its TLS session from glib-networking's cache instead */
void
otad_http_close_connections (OtadHttp *self)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	soup_session_abort (self->session);
}

void
otad_http_set_client_tls_certificate (OtadHttp *self, GTlsCertificate *cert)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	/* under the lock: provisioning gives the shared session its identity from a job */
	g_mutex_lock (&self->mutex);
	if (self->client_cert == cert) {
		g_mutex_unlock (&self->mutex);
		return;
	}
	g_set_object (&self->client_cert, cert);
	g_mutex_unlock (&self->mutex);
	/* a kept-alive connection still speaks with the old identity: close them all */
	soup_session_abort (self->session);
}

GTlsCertificate *
otad_http_get_client_tls_certificate (OtadHttp *self)
{
	g_return_val_if_fail (OTAD_IS_HTTP (self), NULL);
	return self->client_cert;
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

/* "<base>/<relpath>" with the base's trailing slashes dropped (TreeHub and repo URLs are
 * configured with or without one) */
gchar *
otad_http_join_url (const gchar *base_url, const gchar *relpath)
{
	gsize len = strlen (base_url);

	while (len > 0 && base_url[len - 1] == '/')
		len--;
	return g_strdup_printf ("%.*s/%s", (int)len, base_url, relpath);
}
