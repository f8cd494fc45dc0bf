/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-engine-private.h"

/*
 * When a job may run, and when otad reboots.  A download or install that its
 * window, or a metered connection, does not allow now is deferred, not refused:
 * the engine keeps it, says what it waits for (waiting-for: "download-window",
 * "install-window", "metered") and until when (waiting-until), and starts it
 * when that changes.  A reboot that is needed (pending-reboot, or the old
 * deployment made the default again after a failed health check) follows
 * [schedule] reboot-policy: "never" leaves it to someone else, "ask" waits for
 * Reboot() (waiting-for "reboot"), "in-window" reboots when the reboot window
 * is open and nothing blocks it ("reboot-window", "inhibited": logind's block
 * inhibitors and otad's own Inhibitors alike).
 *
 * One timer for the one real deadline, no tick: windows are local wall-clock
 * times, so unlike the poller's intervals (CLOCK_BOOTTIME) this timerfd is
 * CLOCK_REALTIME with an absolute expiry and TFD_TIMER_CANCEL_ON_SET: a clock
 * that is set (NTP at boot, a time zone change) wakes it to compute again.
 * The network monitor (GLib's GNetworkMonitor; NetworkManager's Metered through
 * gnetworkmonitornm.c) says when a connection stops being metered.
 */

#define OTAD_ENGINE_FIELD_DEFERRED "deferred-job"

static void otad_engine_schedule_arm (OtadEngine *self, gint64 deadline);

static gint64
otad_engine_schedule_now (void)
{
	return g_get_real_time () / G_USEC_PER_SEC;
}

static void
otad_engine_schedule_set_waiting (OtadEngine *self, const gchar *what, gint64 until)
{
	const gchar *old = self->waiting_for != NULL ? self->waiting_for : "";

	if (g_strcmp0 (old, what) != 0) {
		g_free (self->waiting_for);
		self->waiting_for = g_strdup (what);
		if (what[0] != '\0')
			g_message ("waiting for %s", what);
		otad_engine_notify (self, OTAD_ENGINE_PROP_WAITING_FOR);
		otad_engine_notify (self, OTAD_ENGINE_PROP_UPDATE_INFO);
	}
	if (self->waiting_until != (guint64)MAX (until, 0)) {
		self->waiting_until = (guint64)MAX (until, 0);
		otad_engine_notify (self, OTAD_ENGINE_PROP_WAITING_UNTIL);
	}
	otad_engine_schedule_arm (self, until);
}

static void
otad_engine_schedule_save_deferred (OtadEngine *self)
{
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error_local = NULL;

	/* Install() in update-available: its download waits, then the install */
	if (self->deferred != OTAD_ENGINE_JOB_LAST)
		node = json_node_init_string (
		    json_node_alloc (),
		    self->deferred == OTAD_ENGINE_JOB_DOWNLOAD && self->install_after_download
			? "download-install"
			: otad_engine_job_kind_to_string (self->deferred));
	otad_state_store_set_field (self->store, OTAD_ENGINE_FIELD_DEFERRED, node);
	if (!otad_state_store_save (self->store, &error_local))
		g_warning ("cannot save the deferred job: %s", error_local->message);
}

/* what keeps @kind from starting now ("" nothing), and until when (0: unknown) */
static const gchar *
otad_engine_schedule_gate (OtadEngine *self, OtadEngineJobKind kind, gint64 *out_until)
{
	OtadRunWindow which =
	    kind == OTAD_ENGINE_JOB_DOWNLOAD ? OTAD_RUN_WINDOW_DOWNLOAD : OTAD_RUN_WINDOW_INSTALL;
	const OtadWindow *window = otad_run_config_get_window (self->run_config, which);
	gint64 now = otad_engine_schedule_now ();

	*out_until = 0;
	if (kind == OTAD_ENGINE_JOB_DOWNLOAD && otad_engine_is_metered (self) &&
	    !otad_run_config_get_allow_metered (self->run_config))
		return "metered";
	if (!otad_window_is_open (window, now)) {
		*out_until = otad_window_next_open (window, now);
		return otad_run_config_window_name (which);
	}
	return "";
}

/**
 * otad_engine_schedule_defer:
 *
 * Called as a download or install is about to start.
 *
 * Returns: %TRUE when it waits instead (waiting-for says for what)
 */
gboolean
otad_engine_schedule_defer (OtadEngine *self, OtadEngineJobKind kind)
{
	gint64 until = 0;
	const gchar *blocked = otad_engine_schedule_gate (self, kind, &until);

	if (blocked[0] == '\0')
		return FALSE;
	self->deferred = kind;
	otad_engine_schedule_save_deferred (self);
	otad_engine_schedule_set_waiting (self, blocked, until);
	return TRUE;
}

/* another job (a check, a rollback) started: what waited is moot */
void
otad_engine_schedule_clear (OtadEngine *self)
{
	if (self->deferred == OTAD_ENGINE_JOB_LAST)
		return;
	g_message ("the deferred %s is dropped", otad_engine_job_kind_to_string (self->deferred));
	self->deferred = OTAD_ENGINE_JOB_LAST;
	self->install_after_download = FALSE;
	otad_engine_schedule_save_deferred (self);
	otad_engine_schedule_set_waiting (self, "", 0);
}

/* "" or what a deferred job or a needed reboot waits for; an install held back by
 * one of otad's inhibitors (otad-engine-inhibit.c) is "inhibited" */
const gchar *
otad_engine_get_waiting_for (OtadEngine *self)
{
	if (self->waiting_for != NULL && self->waiting_for[0] != '\0')
		return self->waiting_for;
	return self->install_waiting ? "inhibited" : "";
}

guint64
otad_engine_get_waiting_until (OtadEngine *self)
{
	return self->waiting_until;
}

gboolean
otad_engine_get_reboot_required (OtadEngine *self)
{
	return self->rollback_needs_reboot ||
	       otad_engine_get_state (self) == OTA_STATE_PENDING_REBOOT;
}

/* the reboot the policy allows now; FALSE with what it waits for */
static gboolean
otad_engine_schedule_reboot_due (OtadEngine *self, const gchar **out_what, gint64 *out_until)
{
	const gchar *policy = otad_run_config_get_reboot_policy (self->run_config);
	const OtadWindow *window = otad_run_config_get_window (self->run_config,
							       OTAD_RUN_WINDOW_REBOOT);
	gint64 now = otad_engine_schedule_now ();

	*out_until = 0;
	if (g_strcmp0 (policy, "never") == 0) {
		*out_what = "";
		return FALSE;
	}
	if (g_strcmp0 (policy, "ask") == 0) {
		*out_what = "reboot";
		return FALSE;
	}
	if (!otad_window_is_open (window, now)) {
		*out_what = "reboot-window";
		*out_until = otad_window_next_open (window, now);
		return FALSE;
	}
	*out_what = "";
	return TRUE;
}

static gboolean
otad_engine_schedule_try_reboot (OtadEngine *self)
{
	g_autoptr(GError) error_local = NULL;

	if (otad_engine_reboot (self, &error_local))
		return TRUE;
	/* an inhibitor (logind's, or one of otad's own): try again later */
	g_message ("reboot postponed: %s", error_local->message);
	otad_engine_schedule_set_waiting (
	    self,
	    g_error_matches (error_local, OTA_ERROR, OTA_ERROR_INHIBITED) ? "inhibited"
									 : "reboot",
	    otad_engine_schedule_now () + self->settings->reboot_retry_s);
	return FALSE;
}

/**
 * otad_engine_schedule_evaluate:
 *
 * Starts what waited when it may run now, otherwise says what it waits for and arms
 * the timer.  Called on every state change, configuration change, network change
 * and when the timer fires.
 */
void
otad_engine_schedule_evaluate (OtadEngine *self)
{
	gint64 until = 0;
	const gchar *what = "";

	if (self->busy || self->rebooting)
		return;
	if (self->deferred != OTAD_ENGINE_JOB_LAST) {
		OtadEngineJobKind kind = self->deferred;
		OtadEngineOp op =
		    kind == OTAD_ENGINE_JOB_DOWNLOAD ? OTAD_ENGINE_OP_DOWNLOAD : OTAD_ENGINE_OP_INSTALL;
		gboolean then_install = self->install_after_download;
		g_autoptr(GError) error_local = NULL;

		what = otad_engine_schedule_gate (self, kind, &until);
		if (what[0] != '\0') {
			otad_engine_schedule_set_waiting (self, what, until);
			return;
		}
		self->deferred = OTAD_ENGINE_JOB_LAST;
		otad_engine_schedule_save_deferred (self);
		otad_engine_schedule_set_waiting (self, "", 0);
		/* the state may have moved on meanwhile (a Rollback()) */
		if (!otad_engine_can (self, op, &error_local)) {
			g_message ("the deferred %s does not apply any more: %s",
				   otad_engine_job_kind_to_string (kind), error_local->message);
			self->install_after_download = FALSE;
			return;
		}
		g_message ("starting the deferred %s", otad_engine_job_kind_to_string (kind));
		if (!otad_engine_start_job (self, kind, &error_local)) {
			otad_engine_set_error (self, error_local);
			return;
		}
		self->install_after_download = then_install;
		return;
	}
	if (!otad_engine_get_reboot_required (self)) {
		otad_engine_schedule_set_waiting (self, "", 0);
		return;
	}
	if (!otad_engine_schedule_reboot_due (self, &what, &until)) {
		otad_engine_schedule_set_waiting (self, what, until);
		return;
	}
	if (otad_engine_schedule_try_reboot (self))
		otad_engine_schedule_set_waiting (self, "", 0);
}

/* -- the timer --------------------------------------------------------------------------- */

static gboolean
otad_engine_schedule_timer_cb (gint fd, GIOCondition condition, gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);
	guint64 expirations = 0;

	/* ECANCELED: the clock was set; compute again all the same */
	if (read (fd, &expirations, sizeof (expirations)) < 0 && errno != EAGAIN &&
	    errno != ECANCELED)
		g_debug ("schedule timer: %s", g_strerror (errno));
	self->schedule_armed = 0;
	otad_engine_schedule_evaluate (self);
	return G_SOURCE_CONTINUE;
}

/* @deadline: Unix seconds, 0 disarms */
static void
otad_engine_schedule_arm (OtadEngine *self, gint64 deadline)
{
	struct itimerspec spec = {{0, 0}, {0, 0}};

	if (self->schedule_fd < 0 || self->schedule_armed == deadline)
		return;
	spec.it_value.tv_sec = (time_t)MAX (deadline, 0);
	if (timerfd_settime (self->schedule_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec,
			     NULL) != 0) {
		g_warning ("cannot arm the schedule timer: %s", g_strerror (errno));
		return;
	}
	self->schedule_armed = deadline;
}

/* -- the network ----------------------------------------------------------------------- */

gboolean
otad_engine_is_metered (OtadEngine *self)
{
	return self->network != NULL && g_network_monitor_get_network_metered (self->network);
}

static void
otad_engine_schedule_metered_cb (GObject *monitor, GParamSpec *pspec, gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);

	g_message ("the connection is %smetered", otad_engine_is_metered (self) ? "" : "not ");
	otad_engine_notify (self, OTAD_ENGINE_PROP_UPDATE_INFO);
	otad_engine_schedule_evaluate (self);
}

/**
 * otad_engine_schedule_add_details:
 * @info: (transfer full): UpdateInfo as the offer has it
 *
 * Returns: (transfer full): @info with the conditions of its download: "metered" (b),
 *   "blocked-by" (s: what a deferred download or install waits for), "max-download-rate" (t)
 */
GVariant *
otad_engine_schedule_add_details (OtadEngine *self, GVariant *info)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_autoptr(GVariant) owned = g_variant_ref_sink (info);
	GVariantIter iter;
	const gchar *key;
	GVariant *value;

	if (g_variant_n_children (owned) == 0 || self->run_config == NULL)
		return g_steal_pointer (&owned);
	g_variant_iter_init (&iter, owned);
	while (g_variant_iter_next (&iter, "{&sv}", &key, &value)) {
		g_variant_builder_add (&builder, "{sv}", key, value);
		g_variant_unref (value);
	}
	g_variant_builder_add (&builder, "{sv}", "metered",
			       g_variant_new_boolean (otad_engine_is_metered (self)));
	g_variant_builder_add (&builder, "{sv}", "max-download-rate",
			       g_variant_new_uint64 (otad_run_config_get_max_download_rate (
				   self->run_config)));
	if (self->deferred != OTAD_ENGINE_JOB_LAST && self->waiting_for != NULL)
		g_variant_builder_add (&builder, "{sv}", "blocked-by",
				       g_variant_new_string (self->waiting_for));
	return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* -- the configuration at run time -------------------------------------------------------- */

/* Returns: (transfer full): a{sv}, all keys or @only_key */
GVariant *
otad_engine_get_configuration (OtadEngine *self, const gchar *only_key, GError **error)
{
	return otad_run_config_to_variant (self->run_config, only_key, error);
}

static void
otad_engine_schedule_config_changed (OtadEngine *self)
{
	otad_http_set_max_rate (otad_job_context_get_http (self->ctx),
				otad_run_config_get_max_download_rate (self->run_config));
	otad_engine_notify (self, OTAD_ENGINE_PROP_POLICY);
	otad_engine_notify (self, OTAD_ENGINE_PROP_UPDATE_INFO);
	otad_engine_schedule_evaluate (self);
}

gboolean
otad_engine_set_configuration (OtadEngine *self, GVariant *values, GError **error)
{
	if (!otad_run_config_set (self->run_config, values, error))
		return FALSE;
	otad_engine_schedule_config_changed (self);
	return TRUE;
}

gboolean
otad_engine_reset_configuration (OtadEngine *self, const gchar *const *keys, GError **error)
{
	if (!otad_run_config_reset (self->run_config, keys, error))
		return FALSE;
	otad_engine_schedule_config_changed (self);
	return TRUE;
}

/* -- reboot ---------------------------------------------------------------------------------- */

void
otad_engine_set_reboot_func (OtadEngine *self, OtadEngineRebootFunc func, gpointer user_data)
{
	self->reboot_func = func;
	self->reboot_data = user_data;
}

/**
 * otad_engine_reboot:
 *
 * Reboots now through the reboot function (logind, honouring its block inhibitors).
 * Refused (WrongState) when nothing needs a reboot.
 */
gboolean
otad_engine_reboot (OtadEngine *self, GError **error)
{
	if (!otad_engine_get_reboot_required (self)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_WRONG_STATE,
		                     _("Nothing needs a reboot"));
		return FALSE;
	}
	if (self->busy) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_BUSY, _("Can't reboot while %s runs"),
		             otad_engine_job_kind_to_string (self->running));
		return FALSE;
	}
	/* otad's own inhibitors (otad-engine-inhibit.c) hold a reboot back as logind's do */
	if (otad_engine_is_inhibited (self)) {
		g_set_error_literal (
		    error, OTA_ERROR, OTA_ERROR_INHIBITED,
		    _("The reboot is inhibited by a client of otad (Inhibitors)"));
		return FALSE;
	}
	if (self->reboot_func == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
		                     _("otad has no way to reboot here"));
		return FALSE;
	}
	if (!self->reboot_func (self->reboot_data, error))
		return FALSE;
	g_message ("reboot requested");
	self->rebooting = TRUE;
	otad_engine_schedule_set_waiting (self, "", 0);
	return TRUE;
}

/* -- set-up ------------------------------------------------------------------------------------ */

static OtadEngineJobKind
otad_engine_schedule_load_deferred (OtadEngine *self)
{
	JsonNode *node = otad_state_store_get_field (self->store, OTAD_ENGINE_FIELD_DEFERRED);
	const gchar *name;

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
	    json_node_get_value_type (node) != G_TYPE_STRING)
		return OTAD_ENGINE_JOB_LAST;
	name = json_node_get_string (node);
	if (g_strcmp0 (name, "download") == 0)
		return OTAD_ENGINE_JOB_DOWNLOAD;
	if (g_strcmp0 (name, "download-install") == 0) {
		self->install_after_download = TRUE;
		return OTAD_ENGINE_JOB_DOWNLOAD;
	}
	if (g_strcmp0 (name, "install") == 0)
		return OTAD_ENGINE_JOB_INSTALL;
	return OTAD_ENGINE_JOB_LAST;
}

void
otad_engine_schedule_init (OtadEngine *self)
{
	self->deferred = OTAD_ENGINE_JOB_LAST;
	self->schedule_fd = -1;
	self->waiting_for = g_strdup ("");
	self->run_config = otad_run_config_new (self->settings);
	otad_http_set_max_rate (otad_job_context_get_http (self->ctx),
				otad_run_config_get_max_download_rate (self->run_config));
}

/* at otad_engine_start(): the timer, the network monitor, a job deferred before a restart */
void
otad_engine_schedule_start (OtadEngine *self)
{
	self->schedule_fd = timerfd_create (CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (self->schedule_fd < 0)
		g_warning ("cannot make the schedule timer: %s", g_strerror (errno));
	else
		self->schedule_id = g_unix_fd_add_full (G_PRIORITY_DEFAULT, self->schedule_fd,
							G_IO_IN, otad_engine_schedule_timer_cb,
							self, NULL);
	self->network = g_object_ref (g_network_monitor_get_default ());
	self->metered_id = g_signal_connect (self->network, "notify::network-metered",
					     G_CALLBACK (otad_engine_schedule_metered_cb), self);
	self->deferred = otad_engine_schedule_load_deferred (self);
	otad_engine_schedule_evaluate (self);
}

void
otad_engine_schedule_dispose (OtadEngine *self)
{
	g_clear_handle_id (&self->schedule_id, g_source_remove);
	if (self->schedule_fd >= 0) {
		close (self->schedule_fd);
		self->schedule_fd = -1;
	}
	if (self->network != NULL)
		g_clear_signal_handler (&self->metered_id, self->network);
	g_clear_object (&self->network);
	g_clear_pointer (&self->run_config, otad_run_config_free);
	g_clear_pointer (&self->waiting_for, g_free);
}
