/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

/*
 * The bandwidth cap ([network] max-download-rate, settable at run time): the downloads
 * (otad_http_download(): static deltas, objects, large files) read no faster than the cap
 * together: each running one gets an equal share of it (the object pull runs several at
 * once), on average since the start of its attempt.  After each chunk it sleeps
 * until the bytes so far fit the cap; the sleep is cancellable and counts as a pause, so
 * our own cap never trips the slow-retrieval bounds (otad-http-deadline.c).  Small
 * requests (metadata, check-ins) are not capped, nor are the objects libostree's own
 * fetcher pulls (a PEM-file identity without static deltas).
 */

#include "config.h"

#include "otad-http-private.h"

/* @bytes_per_s: 0 for no cap; takes effect at the next chunk of a running download */
void
otad_http_set_max_rate (OtadHttp *self, guint64 bytes_per_s)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	g_mutex_lock (&self->mutex);
	self->max_rate = bytes_per_s;
	g_mutex_unlock (&self->mutex);
}

guint64
otad_http_get_max_rate (OtadHttp *self)
{
	guint64 rate;

	g_mutex_lock (&self->mutex);
	rate = self->max_rate;
	g_mutex_unlock (&self->mutex);
	return rate;
}

void
otad_http_downloads_add (OtadHttp *self, gint n)
{
	g_mutex_lock (&self->mutex);
	self->downloads = (guint)((gint)self->downloads + n);
	g_mutex_unlock (&self->mutex);
}

/* @received bytes since @since_usec (monotonic): wait until they fit this download's share
 * of the cap */
gboolean
otad_http_throttle (OtadHttp *self, OtadHttpTransfer *t, gint64 since_usec, guint64 received,
		    GCancellable *cancellable, GError **error)
{
	guint64 rate;
	gint64 now = self->clock.monotonic_usec (self->clock.user_data);
	gint64 due;

	g_mutex_lock (&self->mutex);
	rate = self->max_rate / MAX (self->downloads, 1u);
	if (self->max_rate > 0)
		rate = MAX (rate, 1);
	g_mutex_unlock (&self->mutex);
	if (rate == 0)
		return TRUE;
	due = since_usec + (gint64)((gdouble)received * G_USEC_PER_SEC / (gdouble)rate);
	if (due <= now)
		return TRUE;
	return otad_http_transfer_sleep (self, t, due - now, cancellable, error);
}
