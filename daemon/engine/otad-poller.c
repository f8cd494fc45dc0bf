/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadPoller"

#include "config.h"

#include <time.h>

#include "otad-poller.h"

/*
 * Automatic checks (RAUC's polling.c): the next check is a deadline on
 * CLOCK_BOOTTIME (so time spent suspended counts, and wall-clock jumps do
 * not), checked by a low-priority timeout; each interval is jittered so a
 * fleet spreads out; failures back off exponentially up to a cap.  The
 * configured policy decides what follows a found update: automatic downloads
 * and installs, download-only downloads, consent and manual stop at
 * update-available for a person (or HMI) to decide.
 */

/* how often the deadline is looked at; short enough to be punctual after a resume */
#define OTAD_POLLER_TICK_S 5
/* the first retry after a failure waits this long (or the interval, when shorter) */
#define OTAD_POLLER_BACKOFF_BASE_S 60

struct _OtadPoller {
	GObject parent_instance;
	OtadEngine *engine;	   /* (owned) */
	OtaDBusUpdater1 *skeleton; /* (owned) */
	gchar *policy;
	guint64 interval_s;
	guint jitter_percent;
	guint64 max_backoff_s;
	gboolean enabled;
	guint failures;
	gint64 deadline_us; /* CLOCK_BOOTTIME */
	gboolean auto_check; /* the running check was ours */
	guint tick_id;
	gulong finished_id;
};

G_DEFINE_TYPE (OtadPoller, otad_poller, G_TYPE_OBJECT)

static gint64
otad_poller_boottime_us (void)
{
	struct timespec ts;

	if (clock_gettime (CLOCK_BOOTTIME, &ts) != 0)
		return g_get_monotonic_time ();
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/**
 * otad_poller_compute_delay:
 * @random: uniform in [0, 1)
 *
 * Returns: seconds until the next check: @interval_s changed by up to
 *   ±@jitter_percent, or after @failures failures an exponential backoff
 *   capped at @max_backoff_s (and never beyond the regular interval's cap)
 */
guint64
otad_poller_compute_delay (guint64 interval_s,
			   guint jitter_percent,
			   guint failures,
			   guint64 max_backoff_s,
			   gdouble random)
{
	gdouble base = (gdouble)interval_s;
	gdouble spread;

	if (failures > 0) {
		guint64 first = MIN (interval_s, (guint64)OTAD_POLLER_BACKOFF_BASE_S);
		guint shift = MIN (failures - 1, 30u);
		base = (gdouble)MIN (first << shift, max_backoff_s);
	}
	spread = base * (gdouble)jitter_percent / 100.0;
	base += (random * 2.0 - 1.0) * spread;
	return base < 1.0 ? 1 : (guint64)base;
}

static void
otad_poller_schedule (OtadPoller *self)
{
	guint64 delay = otad_poller_compute_delay (self->interval_s, self->jitter_percent,
						   self->failures, self->max_backoff_s,
						   g_random_double ());

	self->deadline_us = otad_poller_boottime_us () + (gint64)delay * G_USEC_PER_SEC;
	ota_dbus_updater1_set_next_check_time (
	    self->skeleton, (guint64)(g_get_real_time () / G_USEC_PER_SEC) + delay);
	g_debug ("next automatic check in %" G_GUINT64_FORMAT " s", delay);
}

static gboolean
otad_poller_tick_cb (gpointer user_data)
{
	OtadPoller *self = OTAD_POLLER (user_data);
	g_autoptr(GError) error_local = NULL;

	if (otad_poller_boottime_us () < self->deadline_us)
		return G_SOURCE_CONTINUE;
	/* someone else is at work, or the state does not allow a check: try later */
	if (!otad_engine_can (self->engine, OTAD_ENGINE_OP_CHECK, &error_local)) {
		g_debug ("automatic check postponed: %s", error_local->message);
		otad_poller_schedule (self);
		return G_SOURCE_CONTINUE;
	}
	g_info ("automatic check");
	self->auto_check = TRUE;
	if (!otad_engine_run_op (self->engine, OTAD_ENGINE_OP_CHECK, &error_local)) {
		self->auto_check = FALSE;
		g_warning ("automatic check: %s", error_local->message);
		otad_poller_schedule (self);
	}
	/* job-finished schedules the next one */
	self->deadline_us = G_MAXINT64;
	return G_SOURCE_CONTINUE;
}

static void
otad_poller_follow_policy (OtadPoller *self)
{
	g_autoptr(GError) error_local = NULL;
	OtadEngineOp op;

	if (g_strcmp0 (self->policy, "automatic") == 0)
		op = OTAD_ENGINE_OP_INSTALL;
	else if (g_strcmp0 (self->policy, "download-only") == 0)
		op = OTAD_ENGINE_OP_DOWNLOAD;
	else
		return; /* consent, manual: a person decides */
	g_info ("policy %s: %s", self->policy, otad_engine_op_to_method (op));
	if (!otad_engine_run_op (self->engine, op, &error_local))
		g_warning ("policy %s: %s", self->policy, error_local->message);
}

static void
otad_poller_job_finished_cb (OtadEngine *engine,
			     gint kind,
			     gboolean success,
			     gboolean found,
			     gpointer user_data)
{
	OtadPoller *self = OTAD_POLLER (user_data);
	gboolean ours = self->auto_check;

	if (kind != OTAD_ENGINE_JOB_CHECK)
		return;
	self->auto_check = FALSE;
	/* a check anybody made counts: it resets the timer and the backoff */
	self->failures = success ? 0 : self->failures + 1;
	if (self->enabled)
		otad_poller_schedule (self);
	if (ours && success && found)
		otad_poller_follow_policy (self);
}

/* starts the timer; does nothing when polling is off */
void
otad_poller_start (OtadPoller *self)
{
	if (!self->enabled) {
		g_info ("automatic checks are off");
		ota_dbus_updater1_set_next_check_time (self->skeleton, 0);
		return;
	}
	otad_poller_schedule (self);
	self->tick_id = g_timeout_add_seconds_full (G_PRIORITY_LOW, OTAD_POLLER_TICK_S,
						    otad_poller_tick_cb, self, NULL);
}

static void
otad_poller_dispose (GObject *object)
{
	OtadPoller *self = OTAD_POLLER (object);

	g_clear_handle_id (&self->tick_id, g_source_remove);
	if (self->finished_id != 0) {
		g_signal_handler_disconnect (self->engine, self->finished_id);
		self->finished_id = 0;
	}
	g_clear_object (&self->engine);
	g_clear_object (&self->skeleton);
	g_clear_pointer (&self->policy, g_free);
	G_OBJECT_CLASS (otad_poller_parent_class)->dispose (object);
}

static void
otad_poller_class_init (OtadPollerClass *klass)
{
	G_OBJECT_CLASS (klass)->dispose = otad_poller_dispose;
}

static void
otad_poller_init (OtadPoller *self)
{
}

OtadPoller *
otad_poller_new (OtadConfig *config, OtadEngine *engine, OtaDBusUpdater1 *skeleton)
{
	OtadPoller *self = g_object_new (OTAD_TYPE_POLLER, NULL);

	self->engine = g_object_ref (engine);
	self->skeleton = g_object_ref (skeleton);
	self->policy = g_strdup (otad_config_get_string (config, "update", "policy"));
	self->interval_s = otad_config_get_uint (config, "polling", "interval-sec");
	self->jitter_percent = (guint)otad_config_get_uint (config, "polling", "jitter-percent");
	self->max_backoff_s = otad_config_get_uint (config, "polling", "max-backoff-sec");
	self->enabled = otad_config_get_boolean (config, "polling", "enabled") &&
			self->interval_s > 0;
	self->finished_id = g_signal_connect (engine, "job-finished",
					      G_CALLBACK (otad_poller_job_finished_cb), self);
	return self;
}
