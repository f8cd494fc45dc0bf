/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <string.h>

#include "otad-engine-private.h"

/*
 * Progress of the running job: the download worker reports bytes as they
 * come; the main thread keeps the newest numbers and publishes them (the
 * downloaded-bytes, download-size and progress properties) at most every
 * OTAD_ENGINE_PROGRESS_INTERVAL_MS, so a fast pull cannot flood the bus.
 * Numbers never go down within a job, and progress stays below 100 until the
 * job succeeded.
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

void
otad_engine_progress_publish (OtadEngine *self)
{
	guint64 total = MAX (self->progress.bytes_total, self->download_size);
	guint percent = 0;

	if (total > 0)
		percent = (guint)MIN (self->progress.bytes_transferred * 100 / total, 99);
	otad_engine_progress_set (self, self->progress.bytes_transferred, total,
				  MAX (percent, self->progress_percent));
}

void
otad_engine_progress_reset (OtadEngine *self)
{
	g_clear_handle_id (&self->progress_id, g_source_remove);
	memset (&self->progress, 0, sizeof (self->progress));
	otad_engine_progress_set (self, 0, 0, 0);
}

/* the job succeeded: whatever the estimate said, it is complete */
void
otad_engine_progress_set_done (OtadEngine *self)
{
	otad_engine_progress_set (self, self->downloaded_bytes, self->download_size, 100);
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

/* main thread: keep the newest numbers, publish them at a bounded rate */
static gboolean
otad_engine_progress_main_cb (gpointer user_data)
{
	OtadEngineProgressData *d = user_data;
	OtadEngine *self = d->engine;

	if (!self->busy)
		return G_SOURCE_REMOVE;
	/* the verify phase reports no bytes: the numbers of a job never go down */
	self->progress.phase = d->progress.phase;
	self->progress.bytes_transferred =
	    MAX (self->progress.bytes_transferred, d->progress.bytes_transferred);
	self->progress.bytes_total = MAX (self->progress.bytes_total, d->progress.bytes_total);
	if (self->progress_id == 0)
		self->progress_id = g_timeout_add (OTAD_ENGINE_PROGRESS_INTERVAL_MS,
						   otad_engine_progress_timeout_cb, self);
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
