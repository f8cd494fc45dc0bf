/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadHttp"

/* when to try again: backoff with full jitter, Retry-After, the injectable clock */

#include "config.h"

#include <libsoup/soup.h>

#include "otad-http-private.h"

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

gboolean
otad_http_status_retryable (guint status)
{
	return status == SOUP_STATUS_REQUEST_TIMEOUT ||
	       status == OTAD_HTTP_STATUS_TOO_MANY_REQUESTS ||
	       status == SOUP_STATUS_INTERNAL_SERVER_ERROR || status == SOUP_STATUS_BAD_GATEWAY ||
	       status == SOUP_STATUS_SERVICE_UNAVAILABLE || status == SOUP_STATUS_GATEWAY_TIMEOUT;
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

	/* nothing goes to this server before the time it asked for; a longer wait than otad
	 * makes is not waited for at all, the request fails (otad_http_retry_after_too_long) */
	if (*delay_usec > max_delay)
		return TRUE;
	g_mutex_lock (&self->mutex);
	self->not_before_usec = MAX (self->not_before_usec, now + *delay_usec);
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

gboolean
otad_http_retry_after_too_long (OtadHttp *self, gint64 delay_usec)
{
	return delay_usec > (gint64)self->max_retry_after_s * G_USEC_PER_SEC;
}

void
otad_http_set_retry_limits (OtadHttp *self, guint max_retry_after_s, guint max_retry_total_s)
{
	g_return_if_fail (OTAD_IS_HTTP (self));
	self->max_retry_after_s = max_retry_after_s;
	self->max_retry_total_s = max_retry_total_s;
}

/*
 * The waits between attempts of one job add up: a server that answers 503 with a
 * Retry-After just under the cap to every file would otherwise hold an update for the cap
 * times the number of files.  A job is what shares a GCancellable (the engine gives every
 * job a fresh one); the waits made with it are counted on it, and a wait that would pass
 * max_retry_total_s is not made: the request fails with the last attempt's error.
 * Without a cancellable only each request's own attempts bound the waits.
 */
#define OTAD_HTTP_RETRY_SPENT_KEY "otad-http-retry-spent-usec"

/* the job's spent time, shared (refcounted) by the cancellables that count against it;
 * under the mutex */
static gint64 *
otad_http_retry_spent_locked (GCancellable *cancellable)
{
	gint64 *spent = g_object_get_data (G_OBJECT (cancellable), OTAD_HTTP_RETRY_SPENT_KEY);

	if (spent == NULL) {
		spent = g_atomic_rc_box_new0 (gint64);
		g_object_set_data_full (G_OBJECT (cancellable), OTAD_HTTP_RETRY_SPENT_KEY, spent,
		                        (GDestroyNotify)g_atomic_rc_box_release);
	}
	return spent;
}

void
otad_http_share_retry_budget (OtadHttp *self, GCancellable *job, GCancellable *other)
{
	gint64 *spent;

	g_return_if_fail (OTAD_IS_HTTP (self));
	g_return_if_fail (G_IS_CANCELLABLE (job) && G_IS_CANCELLABLE (other));
	g_mutex_lock (&self->mutex);
	spent = otad_http_retry_spent_locked (job);
	g_object_set_data_full (G_OBJECT (other), OTAD_HTTP_RETRY_SPENT_KEY,
	                        g_atomic_rc_box_acquire (spent),
	                        (GDestroyNotify)g_atomic_rc_box_release);
	g_mutex_unlock (&self->mutex);
}

gboolean
otad_http_retry_budget_take (OtadHttp *self, GCancellable *cancellable, gint64 usec)
{
	gint64 *spent;
	gboolean ok;

	if (cancellable == NULL || self->max_retry_total_s == 0 || usec <= 0)
		return TRUE;
	g_mutex_lock (&self->mutex);
	spent = otad_http_retry_spent_locked (cancellable);
	ok = *spent + usec <= (gint64)self->max_retry_total_s * G_USEC_PER_SEC;
	if (ok)
		*spent += usec;
	g_mutex_unlock (&self->mutex);
	return ok;
}

/* how long the next attempt waits: @delay, or longer when the server asked (Retry-After) */
gint64
otad_http_retry_wait_usec (OtadHttp *self, gint64 delay)
{
	gint64 now = self->clock.monotonic_usec (self->clock.user_data);
	gint64 not_before;

	g_mutex_lock (&self->mutex);
	not_before = self->not_before_usec;
	g_mutex_unlock (&self->mutex);
	return MAX (delay, not_before - now);
}

gboolean
otad_http_sleep (OtadHttp *self, gint64 usec, GCancellable *cancellable, GError **error)
{
	return self->clock.sleep_usec (self->clock.user_data, usec, cancellable, error);
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

/* how long to wait before attempt @attempt + 1 after a retryable failure with @status */
gint64
otad_http_retry_delay_usec (OtadHttp *self, guint status, guint attempt)
{
	gint64 now;
	gboolean asked;

	if (status != OTAD_HTTP_STATUS_TOO_MANY_REQUESTS &&
	    status != SOUP_STATUS_SERVICE_UNAVAILABLE)
		return otad_http_backoff_usec (self, attempt);
	/* a Retry-After has set not_before (waited for before the next attempt); otherwise
	 * back off with jitter */
	now = self->clock.monotonic_usec (self->clock.user_data);
	g_mutex_lock (&self->mutex);
	asked = self->not_before_usec > now;
	g_mutex_unlock (&self->mutex);
	return asked ? 0 : otad_http_backoff_usec (self, attempt);
}
