/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadPullHttp"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ota-error.h"
#include "otad-pull-http.h"

#define OTAD_PULL_HTTP_CHUNK 65536

struct _OtadPullHttp {
	SoupSession *session;	      /* (owned) */
	gchar *base_url;	      /* (owned) without trailing slash */
	GTlsCertificate *client_cert; /* (owned) (nullable) */
};

OtadPullHttp *
otad_pull_http_new (const gchar *base_url,
		    const gchar *tls_client_cert_path,
		    const gchar *tls_client_key_path,
		    const gchar *tls_ca_path,
		    GError **error)
{
	g_autoptr(OtadPullHttp) self = g_new0 (OtadPullHttp, 1);
	g_autoptr(GUri) uri = NULL;
	gsize len;

	g_return_val_if_fail (base_url != NULL, NULL);

	uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, error);
	if (uri == NULL) {
		g_prefix_error (error, "invalid TreeHub URL %s: ", base_url);
		return NULL;
	}
	if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
	    g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			     "TreeHub URL %s is not http(s)", base_url);
		return NULL;
	}
	self->base_url = g_strdup (base_url);
	len = strlen (self->base_url);
	while (len > 0 && self->base_url[len - 1] == '/')
		self->base_url[--len] = '\0';

	/* no overall timeout: a part may take long on a slow link; idle stalls still end */
	self->session = soup_session_new_with_options ("timeout", 60, "idle-timeout", 60,
						       "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
						       NULL);
	if (tls_ca_path != NULL) {
		g_autoptr(GTlsDatabase) db = g_tls_file_database_new (tls_ca_path, error);
		if (db == NULL) {
			g_prefix_error (error, "failed to load TLS CA %s: ", tls_ca_path);
			return NULL;
		}
		soup_session_set_tls_database (self->session, db);
	}
	if (tls_client_cert_path != NULL) {
		self->client_cert = g_tls_certificate_new_from_files (
		    tls_client_cert_path,
		    tls_client_key_path != NULL ? tls_client_key_path : tls_client_cert_path,
		    error);
		if (self->client_cert == NULL) {
			g_prefix_error (error, "failed to load TLS client certificate %s: ",
					tls_client_cert_path);
			return NULL;
		}
	}

	/* success */
	return g_steal_pointer (&self);
}

void
otad_pull_http_free (OtadPullHttp *self)
{
	if (self == NULL)
		return;
	g_clear_object (&self->session);
	g_clear_object (&self->client_cert);
	g_free (self->base_url);
	g_free (self);
}

static SoupMessage *
otad_pull_http_message_new (OtadPullHttp *self, const gchar *relpath, GError **error)
{
	g_autofree gchar *url = g_strconcat (self->base_url, "/", relpath, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

	if (msg == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT, "invalid URL %s", url);
		return NULL;
	}
	if (self->client_cert != NULL)
		soup_message_set_tls_client_certificate (msg, self->client_cert);
	return g_steal_pointer (&msg);
}

static gboolean
otad_pull_http_check_status (SoupMessage *msg, const gchar *relpath, GError **error)
{
	guint status = soup_message_get_status (msg);

	if (status == SOUP_STATUS_NOT_FOUND) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s not found on the server",
			     relpath);
		return FALSE;
	}
	if (status != SOUP_STATUS_OK && status != SOUP_STATUS_PARTIAL_CONTENT) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER, "HTTP %u (%s) for %s", status,
			     soup_message_get_reason_phrase (msg), relpath);
		return FALSE;
	}
	return TRUE;
}

GBytes *
otad_pull_http_get (OtadPullHttp *self,
		    const gchar *relpath,
		    gsize max_size,
		    GCancellable *cancellable,
		    GError **error)
{
	g_autoptr(SoupMessage) msg = NULL;
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GByteArray) buf = g_byte_array_new ();
	guint8 chunk[OTAD_PULL_HTTP_CHUNK];

	msg = otad_pull_http_message_new (self, relpath, error);
	if (msg == NULL)
		return NULL;
	stream = soup_session_send (self->session, msg, cancellable, error);
	if (stream == NULL) {
		g_prefix_error (error, "failed to fetch %s: ", relpath);
		return NULL;
	}
	if (!otad_pull_http_check_status (msg, relpath, error))
		return NULL;
	for (;;) {
		gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);
		if (n < 0) {
			g_prefix_error (error, "failed to read %s: ", relpath);
			return NULL;
		}
		if (n == 0)
			break;
		if (buf->len + (gsize)n > max_size) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
				     "%s is larger than the limit of %" G_GSIZE_FORMAT " bytes",
				     relpath, max_size);
			return NULL;
		}
		g_byte_array_append (buf, chunk, (guint)n);
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* where the body of a reply to a range request starts, or -1 if it is not usable */
static gint64
otad_pull_http_reply_offset (SoupMessage *msg, guint64 have)
{
	goffset start = 0, end = 0, total = 0;

	if (soup_message_get_status (msg) == SOUP_STATUS_OK)
		return 0;
	if (!soup_message_headers_get_content_range (soup_message_get_response_headers (msg),
						     &start, &end, &total))
		return -1;
	if ((guint64)start != have)
		return -1;
	return start;
}

gboolean
otad_pull_http_download (OtadPullHttp *self,
			 const gchar *relpath,
			 const gchar *dest_path,
			 guint64 expected_size,
			 OtadPullHttpFunc func,
			 gpointer user_data,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(SoupMessage) msg = NULL;
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GOutputStream) out = NULL;
	guint8 chunk[OTAD_PULL_HTTP_CHUNK];
	struct stat st;
	guint64 have;
	gint64 offset;
	int fd;

	fd = g_open (dest_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
			     "failed to open %s: %s", dest_path, g_strerror (errno));
		return FALSE;
	}
	out = g_unix_output_stream_new (fd, TRUE);
	if (fstat (fd, &st) < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
			     "failed to stat %s: %s", dest_path, g_strerror (errno));
		return FALSE;
	}
	have = (guint64)st.st_size;
	if (have > expected_size)
		have = 0;
	if (have == expected_size && have > 0)
		return TRUE;

	msg = otad_pull_http_message_new (self, relpath, error);
	if (msg == NULL)
		return FALSE;
	/* resume where an earlier attempt stopped: only the missing bytes cross the network */
	if (have > 0)
		soup_message_headers_set_range (soup_message_get_request_headers (msg),
						(goffset)have, -1);
	stream = soup_session_send (self->session, msg, cancellable, error);
	if (stream == NULL) {
		g_prefix_error (error, "failed to fetch %s: ", relpath);
		return FALSE;
	}
	if (!otad_pull_http_check_status (msg, relpath, error))
		return FALSE;
	offset = otad_pull_http_reply_offset (msg, have);
	if (offset < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			     "server sent a Content-Range for %s that does not start at %" G_GUINT64_FORMAT,
			     relpath, have);
		return FALSE;
	}
	have = (guint64)offset;
	if (ftruncate (fd, (off_t)have) < 0 || lseek (fd, (off_t)have, SEEK_SET) < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
			     "failed to prepare %s: %s", dest_path, g_strerror (errno));
		return FALSE;
	}
	for (;;) {
		gsize written = 0;
		gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);
		if (n < 0) {
			g_prefix_error (error, "failed to read %s: ", relpath);
			return FALSE;
		}
		if (n == 0)
			break;
		if (have + (guint64)n > expected_size) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
				     "%s is larger than the %" G_GUINT64_FORMAT " bytes announced",
				     relpath, expected_size);
			return FALSE;
		}
		if (!g_output_stream_write_all (out, chunk, (gsize)n, &written, cancellable,
						error)) {
			g_prefix_error (error, "failed to write %s: ", dest_path);
			return FALSE;
		}
		have += (guint64)n;
		if (func != NULL)
			func ((guint64)n, user_data);
	}
	if (have != expected_size) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
			     "%s ended after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes",
			     relpath, have, expected_size);
		return FALSE;
	}

	/* success */
	return TRUE;
}
