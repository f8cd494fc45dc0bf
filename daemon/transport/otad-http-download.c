/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-http-private.h"

#define OTAD_HTTP_DOWNLOAD_CHUNK (64 * 1024)

typedef enum {
	OTAD_HTTP_DOWNLOAD_DONE,
	OTAD_HTTP_DOWNLOAD_RETRY, /* another attempt may succeed */
	OTAD_HTTP_DOWNLOAD_FAILED,
} OtadHttpDownloadResult;

static guint64
otad_http_download_part_size (const gchar *part)
{
	GStatBuf st;
	if (g_lstat (part, &st) != 0)
		return 0;
	/* a symlink (or anything but a file of ours) planted at the name is removed, never
	 * followed: the part is opened with O_NOFOLLOW */
	if (!S_ISREG (st.st_mode)) {
		g_warning ("%s is not a regular file: removed", part);
		(void)g_unlink (part);
		return 0;
	}
	return (guint64)st.st_size;
}

/* the offset a 206 reply starts at, from "bytes START-END/TOTAL" */
static gboolean
otad_http_download_range_start (SoupMessage *msg, guint64 *start)
{
	const gchar *cr =
	    soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Range");
	gchar *end = NULL;

	if (cr == NULL || !g_str_has_prefix (cr, "bytes "))
		return FALSE;
	*start = g_ascii_strtoull (cr + 6, &end, 10);
	return end != cr + 6 && *end == '-';
}

static OtadHttpDownloadResult
otad_http_download_once (OtadHttp *self, OtadHttpTransfer *t, const gchar *url, const gchar *part,
                         guint64 max_length, OtadHttpDownloadFlags flags,
                         OtadHttpProgressFunc progress, gpointer user_data,
                         GCancellable *cancellable, GError **error)
{
	g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree guint8 *buf = NULL;
	guint64 offset = otad_http_download_part_size (part);
	guint64 start = 0;
	gboolean ok = TRUE;
	gint64 delay = 0;
	gint64 throttle_since;
	guint64 throttled = 0;
	guint st;
	int fd;

	if (msg == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("GET %s: not a valid URL"), url);
		return OTAD_HTTP_DOWNLOAD_FAILED;
	}
	/* a complete or oversized leftover is not resumed */
	if (offset >= max_length && max_length > 0) {
		g_unlink (part);
		offset = 0;
	}
	if (offset > 0)
		soup_message_headers_set_range (soup_message_get_request_headers (msg),
		                                (goffset)offset, -1);
	stream = otad_http_send (self, msg, cancellable, &error_local);
	if (stream == NULL) {
		otad_http_set_transport_error (error, "GET", url, error_local);
		return g_error_matches (*error, OTA_ERROR, OTA_ERROR_NETWORK)
		           ? OTAD_HTTP_DOWNLOAD_RETRY
		           : OTAD_HTTP_DOWNLOAD_FAILED;
	}
	st = soup_message_get_status (msg);
	if (st == SOUP_STATUS_PARTIAL_CONTENT && offset > 0 &&
	    otad_http_download_range_start (msg, &start) && start == offset) {
		g_debug ("resuming %s at %" G_GUINT64_FORMAT, url, offset);
	} else if (st == SOUP_STATUS_OK || st == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE) {
		/* no resume from this server (or our part is stale): start again */
		g_unlink (part);
		offset = 0;
		if (st != SOUP_STATUS_OK) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			             _("GET %s: server refused to resume (%u)"), url, st);
			return OTAD_HTTP_DOWNLOAD_RETRY;
		}
	} else {
		/* the same statuses as otad_http_request() retries; Retry-After noted first */
		gboolean asked = otad_http_note_retry_after (self, msg, &delay);
		gboolean too_long = asked && otad_http_retry_after_too_long (self, delay);
		gboolean retry = (asked || otad_http_status_retryable (st)) && !too_long;
		g_set_error (error, OTA_ERROR,
		             st == SOUP_STATUS_NOT_FOUND ? OTA_ERROR_NOT_FOUND : OTA_ERROR_SERVER,
		             /* TRANSLATORS: URL, HTTP status, its reason phrase, then either
		              * nothing or the next message */
		             _("GET %s: server answered %u %s%s"), url, st,
		             soup_message_get_reason_phrase (msg),
		             too_long ? _(", asking for a longer wait than otad makes") : "");
		return retry ? OTAD_HTTP_DOWNLOAD_RETRY : OTAD_HTTP_DOWNLOAD_FAILED;
	}

	fd =
	    g_open (part,
	           O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (offset > 0 ? O_APPEND : O_TRUNC),
	           0600);
	if (fd < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("cannot write %s: %s"), part,
		             g_strerror (errno));
		return OTAD_HTTP_DOWNLOAD_FAILED;
	}
	buf = g_malloc (OTAD_HTTP_DOWNLOAD_CHUNK);
	throttle_since = self->clock.monotonic_usec (self->clock.user_data);
	for (;;) {
		gssize n = g_input_stream_read (stream, buf, OTAD_HTTP_DOWNLOAD_CHUNK, cancellable,
		                                &error_local);
		if (n < 0) {
			/* what arrived stays in the part file for the next attempt */
			otad_http_set_transport_error (error, "GET", url, error_local);
			ok = FALSE;
			break;
		}
		if (n == 0)
			break;
		otad_http_count_received (self, (gsize)n);
		if (!otad_http_transfer_check (self, t, (gsize)n, "GET", url, error)) {
			/* what arrived stays for a later call; this one is over */
			close (fd);
			return OTAD_HTTP_DOWNLOAD_FAILED;
		}
		if (max_length > 0 && offset + (guint64)n > max_length) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			             _("GET %s: body longer than the expected %" PRIu64 " bytes"),
			             url, max_length);
			close (fd);
			g_unlink (part);
			return OTAD_HTTP_DOWNLOAD_FAILED;
		}
		if (write (fd, buf, (gsize)n) != n) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_NO_SPACE,
			             _("cannot write %s: %s"), part, g_strerror (errno));
			close (fd);
			return OTAD_HTTP_DOWNLOAD_FAILED;
		}
		offset += (guint64)n;
		throttled += (guint64)n;
		if (progress != NULL)
			progress (offset, max_length, user_data);
		if (!otad_http_throttle (self, t, throttle_since, throttled, cancellable, error)) {
			close (fd);
			return OTAD_HTTP_DOWNLOAD_FAILED;
		}
	}
	if (!(flags & OTAD_HTTP_DOWNLOAD_FLAG_TRANSIENT) && fsync (fd) != 0 && ok) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("cannot sync %s: %s"), part,
		             g_strerror (errno));
		ok = FALSE;
	}
	close (fd);
	if (!ok)
		return g_error_matches (*error, OTA_ERROR, OTA_ERROR_NETWORK)
		           ? OTAD_HTTP_DOWNLOAD_RETRY
		           : OTAD_HTTP_DOWNLOAD_FAILED;
	return OTAD_HTTP_DOWNLOAD_DONE;
}

static gboolean
otad_http_download_attempts (OtadHttp *self, const gchar *url, const gchar *dest,
                             guint64 max_length, OtadHttpDownloadFlags flags,
                             OtadHttpProgressFunc progress, gpointer user_data,
                             GCancellable *cancellable, GError **error)
{
	g_autofree gchar *part = g_strdup_printf ("%s.part", dest);
	OtadHttpTransfer t;
	guint max_attempts;
	gint64 delay;

	max_attempts = otad_http_get_max_attempts (self);
	otad_http_transfer_init (self, &t, max_length);
	/* an unsynced part from before is not trusted; this call's own attempts resume */
	if (flags & OTAD_HTTP_DOWNLOAD_FLAG_TRANSIENT)
		(void)g_unlink (part);
	for (guint attempt = 0;; attempt++) {
		g_autoptr(GError) error_local = NULL;
		OtadHttpDownloadResult r;

		if (!otad_http_transfer_wait_not_before (self, &t, cancellable, error) ||
		    !otad_http_transfer_check (self, &t, 0, "GET", url, error))
			return FALSE;
		r = otad_http_download_once (self, &t, url, part, max_length, flags, progress,
		                             user_data, cancellable, &error_local);
		if (r == OTAD_HTTP_DOWNLOAD_DONE)
			break;
		if (r == OTAD_HTTP_DOWNLOAD_FAILED || attempt + 1 >= max_attempts) {
			if (attempt > 0)
				g_prefix_error (&error_local, _("after %u attempts: "),
				                attempt + 1);
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		g_debug ("download attempt %u failed (%s)", attempt + 1, error_local->message);
		delay = otad_http_retry_wait_usec (self, otad_http_backoff_usec (self, attempt));
		if (!otad_http_retry_budget_take (self, cancellable, delay)) {
			g_prefix_error (&error_local,
			                _("gave up after %u attempts (the job's waits between "
			                   "attempts would pass %u s): "),
			                attempt + 1, self->max_retry_total_s);
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		if (!otad_http_transfer_sleep (self, &t, delay, cancellable, error))
			return FALSE;
	}
	if (g_rename (part, dest) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("cannot rename %s: %s"), part,
		             g_strerror (errno));
		return FALSE;
	}

	/* success */
	return TRUE;
}

gboolean
otad_http_download_full (OtadHttp *self, const gchar *url, const gchar *dest,
                         guint64 max_length, OtadHttpDownloadFlags flags,
                         OtadHttpProgressFunc progress, gpointer user_data,
                         GCancellable *cancellable, GError **error)
{
	gboolean ok;

	g_return_val_if_fail (OTAD_IS_HTTP (self), FALSE);
	/* the downloads running at once share the bandwidth cap (otad-http-rate.c) */
	otad_http_downloads_add (self, 1);
	ok = otad_http_download_attempts (self, url, dest, max_length, flags, progress,
	                                  user_data, cancellable, error);
	otad_http_downloads_add (self, -1);
	return ok;
}

gboolean
otad_http_download (OtadHttp *self, const gchar *url, const gchar *dest, guint64 max_length,
                    OtadHttpProgressFunc progress, gpointer user_data, GCancellable *cancellable,
                    GError **error)
{
	return otad_http_download_full (self, url, dest, max_length, OTAD_HTTP_DOWNLOAD_FLAG_NONE,
	                                progress, user_data, cancellable, error);
}
