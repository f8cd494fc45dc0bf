/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "otad-tuf-error.h"
#include "tuf-fetcher-soup.h"

#define TUF_TYPE_FETCHER_SOUP (tuf_fetcher_soup_get_type ())
G_DECLARE_FINAL_TYPE (TufFetcherSoup, tuf_fetcher_soup, TUF, FETCHER_SOUP, GObject)

struct _TufFetcherSoup {
	GObject parent_instance;
	SoupSession *session; /* (owned) */
	gchar *base_url;      /* (owned) without trailing '/' */
	guint *counter;       /* (unowned) (nullable) */
};

static void tuf_fetcher_soup_iface_init (OtadTufFetcherInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TufFetcherSoup, tuf_fetcher_soup, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (OTAD_TYPE_TUF_FETCHER, tuf_fetcher_soup_iface_init))

static GBytes *
tuf_fetcher_soup_fetch (OtadTufFetcher *fetcher, const gchar *path, guint64 max_length,
                        GCancellable *cancellable, GError **error)
{
	TufFetcherSoup *self = TUF_FETCHER_SOUP (fetcher);
	g_autofree gchar *url = NULL;
	g_autoptr (SoupMessage) msg = NULL;
	g_autoptr (GInputStream) stream = NULL;
	g_autoptr (GByteArray) body = g_byte_array_new ();
	guint status;
	goffset declared;
	guint8 buf[16384];

	if (g_uri_peek_scheme (path) != NULL)
		url = g_strdup (path);
	else
		url = g_strdup_printf ("%s/%s", self->base_url, path);
	msg = soup_message_new (SOUP_METHOD_GET, url);
	if (msg == NULL) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid URL %s", url);
		return NULL;
	}
	if (self->counter != NULL)
		(*self->counter)++;
	stream = soup_session_send (self->session, msg, cancellable, error);
	if (stream == NULL)
		return NULL;
	status = soup_message_get_status (msg);
	/* as python-tuf: 403 and 404 both mean "not there" */
	if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_FORBIDDEN) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: HTTP %u", url, status);
		return NULL;
	}
	if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: HTTP %u %s", url, status,
		             soup_message_get_reason_phrase (msg));
		return NULL;
	}
	declared =
	    soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
	if (declared > 0 && (guint64)declared > max_length) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE,
		             "%s: Content-Length %" G_GOFFSET_FORMAT " exceeds %" G_GUINT64_FORMAT,
		             url, declared, max_length);
		return NULL;
	}
	for (;;) {
		gssize n = g_input_stream_read (stream, buf, sizeof (buf), cancellable, error);
		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		g_byte_array_append (body, buf, n);
		if ((guint64)body->len > max_length) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_TOO_LARGE,
			             "%s: more than %" G_GUINT64_FORMAT " bytes", url, max_length);
			return NULL;
		}
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static void
tuf_fetcher_soup_iface_init (OtadTufFetcherInterface *iface)
{
	iface->fetch = tuf_fetcher_soup_fetch;
}

static void
tuf_fetcher_soup_finalize (GObject *object)
{
	TufFetcherSoup *self = TUF_FETCHER_SOUP (object);
	g_clear_object (&self->session);
	g_free (self->base_url);
	G_OBJECT_CLASS (tuf_fetcher_soup_parent_class)->finalize (object);
}

static void
tuf_fetcher_soup_class_init (TufFetcherSoupClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = tuf_fetcher_soup_finalize;
}

static void
tuf_fetcher_soup_init (TufFetcherSoup *self)
{
	self->session = soup_session_new_with_options ("timeout", 60, "idle-timeout", 60, NULL);
}

OtadTufFetcher *
tuf_fetcher_soup_new (const gchar *base_url, guint *request_counter)
{
	TufFetcherSoup *self = g_object_new (TUF_TYPE_FETCHER_SOUP, NULL);
	gsize len = strlen (base_url);
	while (len > 0 && base_url[len - 1] == '/')
		len--;
	self->base_url = g_strndup (base_url, len);
	self->counter = request_counter;
	return OTAD_TUF_FETCHER (self);
}
