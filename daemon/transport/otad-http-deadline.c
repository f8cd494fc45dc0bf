/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

/*
 * The slow retrieval attack (TUF specification, "Threat model": a server that sends a file
 * so slowly that an update never completes).  A per-I/O timeout never fires on a server
 * that trickles one byte just before each timeout, so every file has two more bounds,
 * checked whenever bytes arrive and before each attempt:
 *   - a deadline: it must be complete within deadline-s plus the time its size (the limit
 *     the caller knows: a length from trusted metadata or the metadata size limit) takes at
 *     the minimum speed;
 *   - a minimum average speed: once deadline-s has passed, the bytes received divided by
 *     the time spent must not be below min-speed.
 * Both count the time of the attempts, from the first one, but not the waits between them
 * (backoff, Retry-After), which have bounds of their own.  A server that sends nothing at
 * all is cut by the per-I/O timeout, so a failure comes at most that much after a bound.
 * aktualizr bounds the same with curl's CURLOPT_LOW_SPEED_LIMIT/TIME (5000 bytes/s over
 * 60 s, src/libaktualizr/http/httpclient.h) and CURLOPT_TIMEOUT (60 s) for metadata.
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-http-private.h"

void
otad_http_set_deadline (OtadHttp *self, guint total_s, guint min_bytes_per_s)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	self->deadline_s = total_s;
	self->min_speed = min_bytes_per_s;
}

void
otad_http_transfer_init (OtadHttp *self, OtadHttpTransfer *t, guint64 expected)
{
	t->start_usec = self->clock.monotonic_usec (self->clock.user_data);
	t->paused_usec = 0;
	t->expected = expected;
	t->received = 0;
	t->slow = FALSE;
}

/* the time spent on the file's attempts so far */
static gint64
otad_http_transfer_active_usec (OtadHttp *self, OtadHttpTransfer *t)
{
	gint64 now = self->clock.monotonic_usec (self->clock.user_data);
	return MAX (now - t->start_usec - t->paused_usec, 0);
}

gboolean
otad_http_transfer_check (OtadHttp *self, OtadHttpTransfer *t, gsize n, const gchar *method,
                          const gchar *url, GError **error)
{
	gint64 active = otad_http_transfer_active_usec (self, t);
	gdouble seconds = (gdouble)active / G_USEC_PER_SEC;
	gdouble limit = 0;

	t->received += n;
	if (self->deadline_s == 0)
		return TRUE;
	if (self->min_speed > 0 && seconds > self->deadline_s &&
	    (gdouble)t->received < seconds * self->min_speed) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NETWORK,
		             _("%s %s: slow retrieval: %" PRIu64 " bytes in %.0f s, below "
		                "the minimum average of %u bytes/s"),
		             method, url, t->received, seconds, self->min_speed);
		t->slow = TRUE;
		return FALSE;
	}
	/* without a minimum speed the deadline is deadline-s itself */
	if (self->min_speed == 0)
		limit = self->deadline_s;
	else if (t->expected > 0)
		limit = self->deadline_s + (gdouble)t->expected / self->min_speed;
	if (limit > 0 && seconds > limit) {
		g_set_error (
		    error, OTA_ERROR, OTA_ERROR_NETWORK,
		    _("%s %s: slow retrieval: not complete within the deadline of %.0f s"), method,
		    url, limit);
		t->slow = TRUE;
		return FALSE;
	}
	return TRUE;
}

static void
otad_http_transfer_paused (OtadHttp *self, OtadHttpTransfer *t, gint64 since)
{
	t->paused_usec += MAX (self->clock.monotonic_usec (self->clock.user_data) - since, 0);
}

gboolean
otad_http_transfer_sleep (OtadHttp *self, OtadHttpTransfer *t, gint64 usec,
                          GCancellable *cancellable, GError **error)
{
	gint64 since = self->clock.monotonic_usec (self->clock.user_data);
	gboolean ok = otad_http_sleep (self, usec, cancellable, error);
	otad_http_transfer_paused (self, t, since);
	return ok;
}

gboolean
otad_http_transfer_wait_not_before (OtadHttp *self, OtadHttpTransfer *t, GCancellable *cancellable,
                                    GError **error)
{
	gint64 since = self->clock.monotonic_usec (self->clock.user_data);
	gboolean ok = otad_http_wait_not_before (self, cancellable, error);
	otad_http_transfer_paused (self, t, since);
	return ok;
}
