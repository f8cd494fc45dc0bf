/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <string.h>

#include "otad-engine-private.h"

/*
 * Progress of the running job: the download worker reports bytes as they
 * come; the main thread keeps the newest numbers and publishes them (the
 * downloaded-bytes, download-size, progress, progress-phase and
 * time-remaining properties) at most every OTAD_ENGINE_PROGRESS_INTERVAL_MS,
 * so a fast pull cannot flood the bus.
 *
 * What an HMI can rely on within one job:
 *  - the total (download-size) is the first one the job reports, the estimate
 *    it made before fetching anything; it never changes afterwards (libostree's
 *    own estimate grows while it discovers the tree: a moving total made
 *    progress bars jump back);
 *  - bytes done never exceed the total and never go down;
 *  - progress never goes down, stays below 100 until the job succeeded and
 *    is 100 (with bytes done = total) when it did.
 */

static void
otad_engine_progress_set (OtadEngine *self, guint64 done, guint64 total, guint percent)
{
	if (self->downloaded_bytes != done) {
		self->downloaded_bytes = done;
		otad_engine_notify (self, OTAD_ENGINE_PROP_DOWNLOADED_BYTES);
	}
	if (self->download_size != total) {
		self->download_size = total;
		otad_engine_notify (self, OTAD_ENGINE_PROP_DOWNLOAD_SIZE);
	}
	if (self->progress_percent != percent) {
		self->progress_percent = percent;
		otad_engine_notify (self, OTAD_ENGINE_PROP_PROGRESS);
	}
}

static void
otad_engine_progress_set_phase (OtadEngine *self, const gchar *phase)
{
	if (g_strcmp0 (self->progress_phase, phase) == 0)
		return;
	self->progress_phase = phase;
	otad_engine_notify (self, OTAD_ENGINE_PROP_PROGRESS_PHASE);
}

static void
otad_engine_progress_set_time_remaining (OtadEngine *self, gint64 secs)
{
	if (self->time_remaining == secs)
		return;
	self->time_remaining = secs;
	otad_engine_notify (self, OTAD_ENGINE_PROP_TIME_REMAINING);
}

/* the name HMIs see in ProgressPhase */
static const gchar *
otad_engine_progress_phase_name (OtadPullPhase phase)
{
	switch (phase) {
	case OTAD_PULL_PHASE_METADATA:
		return "preparing";
	case OTAD_PULL_PHASE_OBJECTS:
	case OTAD_PULL_PHASE_DELTA:
		return "downloading";
	case OTAD_PULL_PHASE_APPLY:
		return "applying";
	case OTAD_PULL_PHASE_VERIFY:
		return "verifying";
	default:
		return "downloading";
	}
}

/* seconds left at the average rate since the first byte; -1 until a second of
 * data (a rate from the first packet alone is noise) */
static gint64
otad_engine_progress_estimate_remaining (OtadEngine *self, guint64 done, guint64 total)
{
	gint64 now = self->progress_clock ();
	gint64 elapsed = now - self->progress_started_us;
	guint64 fetched;

	if (total == 0 || self->progress_started_us == 0 || elapsed < G_USEC_PER_SEC)
		return -1;
	fetched = done - MIN (done, self->progress_started_bytes);
	if (fetched == 0)
		return -1;
	if (done >= total)
		return 0;
	/* remaining bytes / (fetched bytes per µs), rounded up to whole seconds */
	return (gint64)(((gdouble)(total - done) * (gdouble)elapsed / (gdouble)fetched +
			 G_USEC_PER_SEC - 1) /
			G_USEC_PER_SEC);
}

void
otad_engine_progress_publish (OtadEngine *self)
{
	guint64 total = self->progress_total;
	guint64 done = self->progress.bytes_transferred;
	guint percent = 0;

	if (total > 0) {
		done = MIN (done, total);
		percent = (guint)MIN (done * 100 / total, 99);
	} else if (self->progress.objects_total > 0) {
		/* no size known: the share of objects is the best guess */
		percent = (guint)MIN ((guint64)self->progress.objects_fetched * 100 /
					  self->progress.objects_total,
				      99);
	}
	if (self->busy && self->running == OTAD_ENGINE_JOB_DOWNLOAD)
		otad_engine_progress_set_phase (self,
						otad_engine_progress_phase_name (self->progress.phase));
	otad_engine_progress_set_time_remaining (
	    self, otad_engine_progress_estimate_remaining (self, done, total));
	otad_engine_progress_set (self, MAX (done, self->downloaded_bytes), total,
				  MAX (percent, self->progress_percent));
}

void
otad_engine_progress_reset (OtadEngine *self)
{
	g_clear_handle_id (&self->progress_id, g_source_remove);
	memset (&self->progress, 0, sizeof (self->progress));
	self->progress_total = 0;
	self->progress_total_fixed = FALSE;
	self->progress_started_us = 0;
	self->progress_started_bytes = 0;
	otad_engine_progress_set_time_remaining (self, -1);
	otad_engine_progress_set (self, 0, 0, 0);
}

/**
 * otad_engine_progress_begin:
 * @kind: the job that starts
 *
 * Names the phase of a job that starts; a download starts with "preparing"
 * (it estimates its size before it fetches), the others with their own name.
 */
void
otad_engine_progress_begin (OtadEngine *self, OtadEngineJobKind kind)
{
	switch (kind) {
	case OTAD_ENGINE_JOB_CHECK:
		otad_engine_progress_set_phase (self, "checking");
		break;
	case OTAD_ENGINE_JOB_DOWNLOAD:
		otad_engine_progress_set_phase (self, "preparing");
		break;
	case OTAD_ENGINE_JOB_INSTALL:
		otad_engine_progress_set_phase (self, "installing");
		break;
	case OTAD_ENGINE_JOB_ROLLBACK:
		otad_engine_progress_set_phase (self, "rolling-back");
		break;
	case OTAD_ENGINE_JOB_CONFIRM:
		otad_engine_progress_set_phase (self, "confirming");
		break;
	case OTAD_ENGINE_JOB_FLUSH:
	case OTAD_ENGINE_JOB_LAST:
	default:
		break;
	}
}

/* the job ended, however: no phase, nothing left to wait for */
void
otad_engine_progress_end (OtadEngine *self)
{
	otad_engine_progress_set_phase (self, "");
	otad_engine_progress_set_time_remaining (self, -1);
}

/* the job succeeded: whatever the estimate said, it is complete */
void
otad_engine_progress_set_done (OtadEngine *self)
{
	guint64 done = MAX (self->downloaded_bytes, self->download_size);

	otad_engine_progress_set_time_remaining (self, 0);
	otad_engine_progress_set (self, done, MAX (self->download_size, done), 100);
}

static gboolean
otad_engine_progress_timeout_cb (gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);

	self->progress_id = 0;
	otad_engine_progress_publish (self);
	return G_SOURCE_REMOVE;
}

typedef struct {
	OtadEngine *engine; /* (owned) */
	OtadPullProgress progress;
} OtadEngineProgressData;

static void
otad_engine_progress_data_free (gpointer data)
{
	OtadEngineProgressData *d = data;

	g_object_unref (d->engine);
	g_free (d);
}

/**
 * otad_engine_progress_take:
 * @progress: what the worker reported
 *
 * Main thread: keeps the newest numbers (publishing them is rate-limited).  The
 * first non-zero total of a job is its total; later totals are ignored.
 */
void
otad_engine_progress_take (OtadEngine *self, const OtadPullProgress *progress)
{
	if (!self->progress_total_fixed && progress->bytes_total > 0) {
		self->progress_total = progress->bytes_total;
		self->progress_total_fixed = TRUE;
	}
	/* the verify phase reports no bytes: the numbers of a job never go down */
	self->progress.phase = progress->phase;
	self->progress.bytes_transferred =
	    MAX (self->progress.bytes_transferred, progress->bytes_transferred);
	self->progress.objects_fetched = MAX (self->progress.objects_fetched, progress->objects_fetched);
	self->progress.objects_total = MAX (self->progress.objects_total, progress->objects_total);
	/* the rate is measured from the first byte, not from the metadata round trips */
	if (self->progress_started_us == 0 && self->progress.bytes_transferred > 0) {
		self->progress_started_us = self->progress_clock ();
		self->progress_started_bytes = self->progress.bytes_transferred;
	}
	if (self->progress_id == 0)
		self->progress_id = g_timeout_add (OTAD_ENGINE_PROGRESS_INTERVAL_MS,
						   otad_engine_progress_timeout_cb, self);
}

static gboolean
otad_engine_progress_main_cb (gpointer user_data)
{
	OtadEngineProgressData *d = user_data;

	if (d->engine->busy)
		otad_engine_progress_take (d->engine, &d->progress);
	return G_SOURCE_REMOVE;
}

/**
 * otad_engine_progress_from_worker:
 * @user_data: the #OtadEngine
 *
 * The progress callback handed to the download job; called in its worker.
 */
void
otad_engine_progress_from_worker (const OtadPullProgress *progress, gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);
	OtadEngineProgressData *d = g_new0 (OtadEngineProgressData, 1);

	d->engine = g_object_ref (self);
	d->progress = *progress;
	g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT,
				    otad_engine_progress_main_cb, d, otad_engine_progress_data_free);
}
