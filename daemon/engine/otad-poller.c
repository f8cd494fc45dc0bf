/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadPoller"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "otad-poller.h"

/*
 * Automatic checks (RAUC's polling.c): the next check is a deadline on
 * CLOCK_BOOTTIME (time spent suspended counts, wall-clock jumps do not), armed
 * as one timerfd, so nothing wakes up before it; each interval is jittered so
 * a fleet spreads out; failures back off exponentially up to a cap.  The
 * configured policy decides what follows a found update: automatic downloads
 * and installs, download-only downloads, consent and manual stop at
 * update-available for a person (or HMI) to decide.
 *
 * A download or install the policy started that fails counts as a failure of
 * that update: the next attempt waits the backoff, and after
 * [update] max-automatic-attempts failures of the same commit the policy stops
 * trying it (it stays on offer).  The count is kept in the state store, so a
 * restart neither forgets it nor retries at once.
 */

/* the first retry after a failure waits this long (or the interval, when shorter) */
#define OTAD_POLLER_BACKOFF_BASE_S 60
/* state store field: {"checksum": s, "failures": n} of the update the policy failed on */
#define OTAD_POLLER_FIELD_ATTEMPTS "automatic-attempts"
/* state store field: the next check as Unix seconds, so that an otad that exited
 * when idle and was started again (otad-check.timer) checks when one is due */
#define OTAD_POLLER_FIELD_NEXT_CHECK "next-check-time"

struct _OtadPoller {
	GObject parent_instance;
	OtadEngine *engine; /* (owned) */
	const OtadSettings *settings;
	guint failures;	     /* checks that failed in a row */
	gboolean auto_check; /* the running check was ours */
	gboolean auto_job;   /* the running download or install was the policy's */
	gint timer_fd;
	guint timer_id;
	gulong finished_id;
};

G_DEFINE_TYPE (OtadPoller, otad_poller, G_TYPE_OBJECT)

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

/**
 * otad_poller_compute_first_delay:
 * @random: uniform in [0, 1)
 *
 * A device with no saved deadline (first start, state reset) has no phase yet.
 * Jitter of ±@jitter_percent around one interval would keep a fleet that was
 * installed or reset together in one burst for a day (the bursts only widen
 * by √n), so the first check lands anywhere in the first interval instead,
 * and the fleet is spread evenly from the start (bench/run's fleet row).
 * Without jitter the first check comes after one interval, as before.
 *
 * Returns: seconds until the first check, in [1, @interval_s]
 */
guint64
otad_poller_compute_first_delay (guint64 interval_s, guint jitter_percent, gdouble random)
{
	if (jitter_percent == 0 || interval_s <= 1)
		return MAX (interval_s, 1);
	return 1 + (guint64)(random * (gdouble)(interval_s - 1));
}

/* -- failed attempts of one update, persisted -------------------------------- */

static guint
otad_poller_get_attempts (OtadPoller *self, const gchar *checksum)
{
	OtadStateStore *store = otad_engine_get_state_store (self->engine);
	JsonNode *node = otad_state_store_get_field (store, OTAD_POLLER_FIELD_ATTEMPTS);
	JsonObject *obj;
	JsonNode *saved;
	JsonNode *failures;

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
		return 0;
	obj = json_node_get_object (node);
	/* members of another type (a hand-edited or damaged file) count as none; json-glib's
	 * *_with_default() would raise a critical on an array or an object */
	saved = json_object_get_member (obj, "checksum");
	if (checksum != NULL &&
	    (saved == NULL || json_node_get_value_type (saved) != G_TYPE_STRING ||
	     g_strcmp0 (json_node_get_string (saved), checksum) != 0))
		return 0;
	failures = json_object_get_member (obj, "failures");
	if (failures == NULL || json_node_get_value_type (failures) != G_TYPE_INT64)
		return 0;
	return (guint)CLAMP (json_node_get_int (failures), 0, G_MAXUINT16);
}

static void
otad_poller_set_attempts (OtadPoller *self, const gchar *checksum, guint failures)
{
	OtadStateStore *store = otad_engine_get_state_store (self->engine);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(JsonNode) node = NULL;

	if (checksum != NULL && failures > 0) {
		g_autoptr(JsonObject) obj = json_object_new ();
		json_object_set_string_member (obj, "checksum", checksum);
		json_object_set_int_member (obj, "failures", failures);
		node = json_node_init_object (json_node_alloc (), obj);
	}
	otad_state_store_set_field (store, OTAD_POLLER_FIELD_ATTEMPTS, node);
	if (!otad_state_store_save (store, &error_local))
		g_warning ("cannot save the automatic attempts: %s", error_local->message);
}

/* -- the timer --------------------------------------------------------------- */

static gboolean otad_poller_timer_cb (gint fd, GIOCondition condition, gpointer user_data);

static guint64
otad_poller_get_saved_deadline (OtadPoller *self)
{
	JsonNode *node = otad_state_store_get_field (otad_engine_get_state_store (self->engine),
						     OTAD_POLLER_FIELD_NEXT_CHECK);

	if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
		return 0;
	return (guint64)MAX (json_node_get_int (node), 0);
}

static void
otad_poller_save_deadline (OtadPoller *self, guint64 deadline)
{
	OtadStateStore *store = otad_engine_get_state_store (self->engine);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(JsonNode) node = json_node_init_int (json_node_alloc (), (gint64)deadline);

	otad_state_store_set_field (store, OTAD_POLLER_FIELD_NEXT_CHECK, node);
	if (!otad_state_store_save (store, &error_local))
		g_warning ("cannot save the next check time: %s", error_local->message);
}

/* @resume: keep a saved deadline that is sooner than a fresh one */
static void
otad_poller_arm (OtadPoller *self, gboolean resume)
{
	const OtadSettings *s = self->settings;
	guint failures = MAX (self->failures, otad_poller_get_attempts (self, NULL));
	guint64 delay = otad_poller_compute_delay (s->poll_interval_s, s->poll_jitter_percent,
						   failures, s->poll_max_backoff_s,
						   g_random_double ());
	guint64 now = (guint64)(g_get_real_time () / G_USEC_PER_SEC);
	guint64 saved = resume ? otad_poller_get_saved_deadline (self) : 0;
	struct itimerspec spec = {{0, 0}, {0, 0}};

	if (resume && saved == 0 && failures == 0)
		delay = otad_poller_compute_first_delay (s->poll_interval_s, s->poll_jitter_percent,
							 g_random_double ());

	/* a due check runs at once (1 ns: a zero it_value would disarm the timer) */
	if (saved != 0 && saved < now + delay)
		delay = saved > now ? saved - now : 0;
	if (delay > 0)
		spec.it_value.tv_sec = (time_t)delay;
	else
		spec.it_value.tv_nsec = 1;
	if (timerfd_settime (self->timer_fd, 0, &spec, NULL) != 0) {
		g_warning ("cannot arm the check timer: %s", g_strerror (errno));
		return;
	}
	otad_engine_set_next_check_time (self->engine, now + delay);
	if (saved != now + delay)
		otad_poller_save_deadline (self, now + delay);
	g_debug ("next automatic check in %" G_GUINT64_FORMAT " s", delay);
}

static void
otad_poller_schedule (OtadPoller *self)
{
	otad_poller_arm (self, FALSE);
}

static gboolean
otad_poller_timer_cb (gint fd, GIOCondition condition, gpointer user_data)
{
	OtadPoller *self = OTAD_POLLER (user_data);
	g_autoptr(GError) error_local = NULL;
	guint64 expirations = 0;
	/* declined and postponed offers stay quiet for the poller */
	const OtadEngineOpArgs automatic = {.automatic = TRUE};

	if (read (fd, &expirations, sizeof (expirations)) < 0 && errno != EAGAIN)
		g_debug ("check timer: %s", g_strerror (errno));
	/* someone else is at work, or the state does not allow a check: try later */
	if (!otad_engine_can (self->engine, OTAD_ENGINE_OP_CHECK, &error_local)) {
		g_debug ("automatic check postponed: %s", error_local->message);
		otad_poller_schedule (self);
		return G_SOURCE_CONTINUE;
	}
	g_info ("automatic check");
	self->auto_check = TRUE;
	if (!otad_engine_run_op_args (self->engine, OTAD_ENGINE_OP_CHECK, &automatic,
				      &error_local)) {
		self->auto_check = FALSE;
		g_warning ("automatic check: %s", error_local->message);
		otad_poller_schedule (self);
	}
	/* otherwise job-finished schedules the next one */
	return G_SOURCE_CONTINUE;
}

/* -- the policy -------------------------------------------------------------- */

static void
otad_poller_follow_policy (OtadPoller *self)
{
	const gchar *policy = otad_engine_get_policy (self->engine);
	const gchar *checksum = otad_engine_get_update_checksum (self->engine);
	guint attempts = otad_poller_get_attempts (self, checksum);
	g_autoptr(GError) error_local = NULL;
	OtadEngineOp op;

	if (g_strcmp0 (policy, "automatic") == 0)
		op = OTAD_ENGINE_OP_INSTALL;
	else if (g_strcmp0 (policy, "download-only") == 0)
		op = OTAD_ENGINE_OP_DOWNLOAD;
	else
		return; /* consent, manual: a person decides */
	if (attempts >= self->settings->max_automatic_attempts) {
		g_message ("policy %s: not trying %s again, it failed %u times", policy, checksum,
			   attempts);
		return;
	}
	g_info ("policy %s: %s", policy, otad_engine_op_to_method (op));
	self->auto_job = TRUE;
	if (!otad_engine_run_op (self->engine, op, &error_local)) {
		self->auto_job = FALSE;
		g_warning ("policy %s: %s", policy, error_local->message);
	}
}

static void
otad_poller_job_finished_cb (OtadEngine *engine,
			     gint kind,
			     gboolean success,
			     gboolean found,
			     gpointer user_data)
{
	OtadPoller *self = OTAD_POLLER (user_data);
	const gchar *checksum = otad_engine_get_update_checksum (engine);

	if (kind == OTAD_ENGINE_JOB_CHECK) {
		gboolean ours = self->auto_check;

		self->auto_check = FALSE;
		/* a check anybody made counts: it resets the timer and the backoff */
		self->failures = success ? 0 : self->failures + 1;
		if (self->settings->polling)
			otad_poller_schedule (self);
		if (ours && success && found)
			otad_poller_follow_policy (self);
		return;
	}
	if (kind != OTAD_ENGINE_JOB_DOWNLOAD && kind != OTAD_ENGINE_JOB_INSTALL)
		return;
	/* Install() in update-available runs the download first: wait for its install */
	if (kind == OTAD_ENGINE_JOB_DOWNLOAD && success && otad_engine_is_busy (engine))
		return;
	if (!self->auto_job)
		return;
	self->auto_job = FALSE;
	if (success) {
		otad_poller_set_attempts (self, NULL, 0);
		return;
	}
	otad_poller_set_attempts (self, checksum, otad_poller_get_attempts (self, checksum) + 1);
	g_message ("policy %s: %s failed for %s (%u of %u attempts)", otad_engine_get_policy (engine),
		   otad_engine_job_kind_to_string (kind), checksum,
		   otad_poller_get_attempts (self, checksum), self->settings->max_automatic_attempts);
	/* the next try waits the backoff, visible in the next check time */
	if (self->settings->polling)
		otad_poller_schedule (self);
}

/* starts the timer; does nothing when polling is off */
void
otad_poller_start (OtadPoller *self)
{
	if (!self->settings->polling) {
		g_info ("automatic checks are off");
		otad_engine_set_next_check_time (self->engine, 0);
		return;
	}
	self->timer_fd = timerfd_create (CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (self->timer_fd < 0) {
		g_warning ("cannot make the check timer: %s", g_strerror (errno));
		return;
	}
	self->timer_id = g_unix_fd_add_full (G_PRIORITY_LOW, self->timer_fd, G_IO_IN,
					     otad_poller_timer_cb, self, NULL);
	otad_poller_arm (self, TRUE);
}

static void
otad_poller_dispose (GObject *object)
{
	OtadPoller *self = OTAD_POLLER (object);

	g_clear_handle_id (&self->timer_id, g_source_remove);
	if (self->timer_fd >= 0) {
		close (self->timer_fd);
		self->timer_fd = -1;
	}
	if (self->engine != NULL)
		g_clear_signal_handler (&self->finished_id, self->engine);
	g_clear_object (&self->engine);
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
	self->timer_fd = -1;
}

OtadPoller *
otad_poller_new (OtadEngine *engine)
{
	OtadPoller *self = g_object_new (OTAD_TYPE_POLLER, NULL);

	self->engine = g_object_ref (engine);
	self->settings = otad_engine_get_settings (engine);
	self->finished_id = g_signal_connect (engine, "job-finished",
					      G_CALLBACK (otad_poller_job_finished_cb), self);
	return self;
}
