/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttpFetcher"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-http-fetcher.h"
#include "otad-http-private.h"
#include "otad-tuf-error.h"

struct _OtadHttpFetcher {
	GObject parent_instance;
	OtadHttp *http;  /* (owned) */
	gchar *base_url; /* (owned) without a trailing slash */
};

static void otad_http_fetcher_iface_init (OtadTufFetcherInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OtadHttpFetcher, otad_http_fetcher, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (OTAD_TYPE_TUF_FETCHER,
                                                otad_http_fetcher_iface_init))

/* one GET, conditional when @cond is given */
static GBytes *
otad_http_fetcher_get (OtadHttpFetcher *self, const gchar *path, guint64 max_length,
                       OtadHttpConditional *cond, GCancellable *cancellable, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *url = NULL;
	GBytes *bytes;
	guint status = 0;
	gboolean slow = FALSE;

	/* a target's custom.uri is absolute; everything else hangs off the repository */
	if (strstr (path, "://") != NULL)
		url = g_strdup (path);
	else
		url = g_strdup_printf ("%s/%s", self->base_url, path);
	/* 0 would mean "the default limit": a file of length 0 may have 1 byte here, which
	 * otad_tuf_fetcher_fetch() refuses */
	bytes = otad_http_get_conditional (self->http, url,
	                                   (gsize)CLAMP (max_length, 1, (guint64)G_MAXSIZE),
	                                   OTAD_HTTP_FLAG_ALLOW_NOT_FOUND, cond, &status, &slow,
	                                   cancellable, &error_local);
	if (error_local != NULL) {
		/* the verifier wants its own codes for these; keep the text */
		if (slow)
			g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_SLOW_RETRIEVAL,
			                     error_local->message);
		else if (otad_http_error_is_too_large (error_local, status))
			g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE,
			                     error_local->message);
		else
			g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	if (bytes == NULL) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		             _("GET %s: server answered %u"), url, status);
		return NULL;
	}
	return bytes;
}

static GBytes *
otad_http_fetcher_fetch (OtadTufFetcher *fetcher, const gchar *path, guint64 max_length,
                         GCancellable *cancellable, GError **error)
{
	return otad_http_fetcher_get (OTAD_HTTP_FETCHER (fetcher), path, max_length, NULL,
	                              cancellable, error);
}

static GBytes *
otad_http_fetcher_fetch_if_changed (OtadTufFetcher *fetcher, const gchar *path,
                                    guint64 max_length, const gchar *etag,
                                    gboolean *out_not_modified, gchar **out_etag,
                                    GCancellable *cancellable, GError **error)
{
	OtadHttpConditional cond = {.if_none_match = etag};
	GBytes *bytes = otad_http_fetcher_get (OTAD_HTTP_FETCHER (fetcher), path, max_length,
	                                       &cond, cancellable, error);

	*out_not_modified = cond.not_modified;
	*out_etag = cond.etag;
	if (cond.not_modified)
		g_clear_pointer (&bytes, g_bytes_unref);
	return bytes;
}

static void
otad_http_fetcher_iface_init (OtadTufFetcherInterface *iface)
{
	iface->fetch = otad_http_fetcher_fetch;
	iface->fetch_if_changed = otad_http_fetcher_fetch_if_changed;
}

static void
otad_http_fetcher_finalize (GObject *object)
{
	OtadHttpFetcher *self = OTAD_HTTP_FETCHER (object);

	g_clear_object (&self->http);
	g_free (self->base_url);
	G_OBJECT_CLASS (otad_http_fetcher_parent_class)->finalize (object);
}

static void
otad_http_fetcher_class_init (OtadHttpFetcherClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_http_fetcher_finalize;
}

static void
otad_http_fetcher_init (OtadHttpFetcher *self)
{
}

OtadTufFetcher *
otad_http_fetcher_new (OtadHttp *http, const gchar *base_url)
{
	OtadHttpFetcher *self = g_object_new (OTAD_TYPE_HTTP_FETCHER, NULL);

	self->http = g_object_ref (http);
	self->base_url = g_strdup (base_url);
	while (g_str_has_suffix (self->base_url, "/"))
		self->base_url[strlen (self->base_url) - 1] = '\0';
	return OTAD_TUF_FETCHER (self);
}
