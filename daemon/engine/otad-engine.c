/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-engine-private.h"
#include "otad-state.h"

/*
 * The update engine: owns the update flow on the main thread and runs at most
 * one worker job at a time (eos-updater's job pattern, STYLE.md §7).  Starting
 * a job copies its inputs into the job's own struct (engine/jobs/), replaces
 * the cancellable, persists the busy state (the store announces it after it is
 * on disk) and runs the job in a thread; the job's callback, back on the main
 * thread, moves to the next state or to error with an error name and message
 * (otad-engine-finish.c).  Front ends follow its properties and signals.
 */

enum { SIGNAL_JOB_FINISHED, SIGNAL_LAST };
static guint otad_engine_signals[SIGNAL_LAST] = {0};
static GParamSpec *otad_engine_props[OTAD_ENGINE_PROP_LAST] = {NULL};

G_DEFINE_TYPE (OtadEngine, otad_engine, G_TYPE_OBJECT)

static const gchar *const otad_engine_job_names[] = {
    "check", "download", "install", "rollback", "confirm", "flush", "discard"};
G_STATIC_ASSERT (G_N_ELEMENTS (otad_engine_job_names) == OTAD_ENGINE_JOB_LAST);

const gchar *
otad_engine_job_kind_to_string (OtadEngineJobKind kind)
{
	if ((guint)kind >= G_N_ELEMENTS (otad_engine_job_names))
		return NULL;
	return otad_engine_job_names[kind];
}

void
otad_engine_notify (OtadEngine *self, OtadEngineProperty prop)
{
	g_object_notify_by_pspec (G_OBJECT (self), otad_engine_props[prop]);
}

void
otad_engine_emit_job_finished (OtadEngine *self, OtadEngineJobKind kind, gboolean ok,
			       gboolean found)
{
	g_signal_emit (self, otad_engine_signals[SIGNAL_JOB_FINISHED], 0, (gint)kind, ok, found);
}

/* -- states ------------------------------------------------------------------ */

static const OtaState otad_engine_check_states[] = {
    OTA_STATE_IDLE, OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_AWAITING_CONSENT, OTA_STATE_ERROR,
    OTA_STATE_ROLLED_BACK};
/* an explicit Download() or Install() in awaiting-consent is the decision itself */
static const OtaState otad_engine_download_states[] = {OTA_STATE_UPDATE_AVAILABLE,
							OTA_STATE_AWAITING_CONSENT};
static const OtaState otad_engine_install_states[] = {
    OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_AWAITING_CONSENT, OTA_STATE_DOWNLOADED};
/* an answer about the offer: whether the policy asked for it or not */
static const OtaState otad_engine_offer_states[] = {
    OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_AWAITING_CONSENT, OTA_STATE_DOWNLOADED};
static const OtaState otad_engine_discard_states[] = {OTA_STATE_DOWNLOADED,
						       OTA_STATE_AWAITING_CONSENT};
static const OtaState otad_engine_cancel_states[] = {OTA_STATE_CHECKING, OTA_STATE_DOWNLOADING,
						      OTA_STATE_INSTALLING};
static const OtaState otad_engine_rollback_states[] = {
    OTA_STATE_IDLE, OTA_STATE_UPDATE_AVAILABLE, OTA_STATE_PENDING_REBOOT, OTA_STATE_ERROR,
    OTA_STATE_ROLLED_BACK};

static const struct {
	const gchar *method;
	const OtaState *states;
	gsize n_states;
} otad_engine_ops[] = {
    {"Check()", otad_engine_check_states, G_N_ELEMENTS (otad_engine_check_states)},
    {"Download()", otad_engine_download_states, G_N_ELEMENTS (otad_engine_download_states)},
    {"Install()", otad_engine_install_states, G_N_ELEMENTS (otad_engine_install_states)},
    {"Cancel()", otad_engine_cancel_states, G_N_ELEMENTS (otad_engine_cancel_states)},
    {"Rollback()", otad_engine_rollback_states, G_N_ELEMENTS (otad_engine_rollback_states)},
    {"Consent()", otad_engine_offer_states, G_N_ELEMENTS (otad_engine_offer_states)},
    {"Decline()", otad_engine_offer_states, G_N_ELEMENTS (otad_engine_offer_states)},
    {"Postpone()", otad_engine_offer_states, G_N_ELEMENTS (otad_engine_offer_states)},
    {"Discard()", otad_engine_discard_states, G_N_ELEMENTS (otad_engine_discard_states)},
};
G_STATIC_ASSERT (G_N_ELEMENTS (otad_engine_ops) == OTAD_ENGINE_OP_LAST);

const gchar *
otad_engine_op_to_method (OtadEngineOp op)
{
	g_return_val_if_fail (op < OTAD_ENGINE_OP_LAST, NULL);
	return otad_engine_ops[op].method;
}

/* the state guard of each method (the XML's "Allowed in ...") */
gboolean
otad_engine_can (OtadEngine *self, OtadEngineOp op, GError **error)
{
	g_return_val_if_fail (OTAD_IS_ENGINE (self), FALSE);
	g_return_val_if_fail (op < OTAD_ENGINE_OP_LAST, FALSE);
	if (!otad_state_check_method (self->store, otad_engine_ops[op].method,
				      otad_engine_ops[op].states, otad_engine_ops[op].n_states,
				      error))
		return FALSE;
	/* a report flush is the only job that may run outside the busy states */
	if (op != OTAD_ENGINE_OP_CANCEL && self->busy) {
		/* TRANSLATORS: otad's error, e.g. "Can't call Check() while download runs" */
		g_set_error (error, OTA_ERROR, OTA_ERROR_BUSY, _("Can't call %s while %s runs"),
			     otad_engine_ops[op].method,
			     otad_engine_job_kind_to_string (self->running));
		return FALSE;
	}
	return TRUE;
}

/* -- saving the state ---------------------------------------------------------- */

/* a full or failing state disk must not freeze the machine: try again until it works */
#define OTAD_ENGINE_RESAVE_INTERVAL_S 2

static gboolean
otad_engine_resave_cb (gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);
	g_autoptr(GError) error_local = NULL;

	if (!otad_state_store_is_unsaved (self->store)) {
		self->resave_id = 0;
		return G_SOURCE_REMOVE;
	}
	if (!otad_state_store_save (self->store, &error_local)) {
		g_debug ("the state is still not saved: %s", error_local->message);
		return G_SOURCE_CONTINUE;
	}
	g_message ("the state is saved again");
	self->resave_id = 0;
	return G_SOURCE_REMOVE;
}

/**
 * otad_engine_announce_unsaved:
 * @why: the save's error
 *
 * The disk refused the state just set in memory: front ends learn it anyway, and it
 * is saved as soon as the disk takes it again.
 */
void
otad_engine_announce_unsaved (OtadEngine *self, const GError *why)
{
	g_warning ("%s; the state is kept in memory and saved once the disk takes it",
		   why->message);
	otad_state_store_announce_unsaved (self->store);
	if (self->resave_id == 0)
		self->resave_id = g_timeout_add_seconds (OTAD_ENGINE_RESAVE_INTERVAL_S,
							 otad_engine_resave_cb, self);
}

/* the next state after a job: a failed save does not hold the machine back */
void
otad_engine_transition (OtadEngine *self, OtaState to)
{
	g_autoptr(GError) error_local = NULL;
	OtaState from = otad_engine_get_state (self);

	if (from == to)
		return;
	if (otad_state_transition (self->store, to, &error_local))
		return;
	if (!otad_state_transition_allowed (from, to)) {
		g_warning ("cannot move to %s: %s", ota_state_to_string (to),
			   error_local->message);
		return;
	}
	otad_state_store_set_state (self->store, to);
	otad_state_store_set_error (self->store, NULL, NULL);
	otad_engine_announce_unsaved (self, error_local);
}

void
otad_engine_set_error (OtadEngine *self, const GError *failure)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GError) converted = NULL;

	g_warning ("%s", failure->message);
	if (otad_state_set_error (self->store, failure, &error_local))
		return;
	/* the error is what the front ends must see above all */
	converted = g_error_copy (failure);
	ota_error_convert (&converted);
	otad_state_store_set_state (self->store, OTA_STATE_ERROR);
	otad_state_store_set_error (self->store, ota_error_to_dbus_name ((OtaError)converted->code),
				    converted->message);
	otad_engine_announce_unsaved (self, error_local);
}

/* recovery after a restart is not a transition of the machine: write it as found */
void
otad_engine_force_state (OtadEngine *self, OtaState state)
{
	g_autoptr(GError) error_local = NULL;

	if (otad_engine_get_state (self) == state)
		return;
	g_info ("resuming in state %s (was %s)", ota_state_to_string (state),
		ota_state_to_string (otad_engine_get_state (self)));
	otad_state_store_set_state (self->store, state);
	otad_state_store_set_error (self->store, NULL, NULL);
	if (!otad_state_store_save (self->store, &error_local))
		otad_engine_announce_unsaved (self, error_local);
}

void
otad_engine_set_info (OtadEngine *self, OtadUpdateInfo *info)
{
	g_autoptr(JsonNode) node = NULL;

	g_clear_pointer (&self->info, otad_update_info_free);
	self->info = info;
	if (info != NULL)
		node = otad_update_info_to_json (info);
	/* saved with the next transition */
	otad_state_store_set_field (self->store, OTAD_ENGINE_FIELD_UPDATE_INFO, node);
	otad_engine_notify (self, OTAD_ENGINE_PROP_UPDATE_INFO);
}

gboolean
otad_engine_is_busy (OtadEngine *self)
{
	return self->busy;
}

gboolean
otad_engine_has_update (OtadEngine *self)
{
	return self->info != NULL;
}


/* -- properties ------------------------------------------------------------------ */

OtadSysroot *
otad_engine_get_sysroot (OtadEngine *self)
{
	return self->sysroot;
}

const OtadSettings *
otad_engine_get_settings (OtadEngine *self)
{
	return self->settings;
}

OtadStateStore *
otad_engine_get_state_store (OtadEngine *self)
{
	return self->store;
}

OtaState
otad_engine_get_state (OtadEngine *self)
{
	return otad_state_store_get_state (self->store);
}

const gchar *
otad_engine_get_error_name (OtadEngine *self)
{
	return otad_state_store_get_error_name (self->store);
}

const gchar *
otad_engine_get_error_message (OtadEngine *self)
{
	return otad_state_store_get_error_message (self->store);
}

guint64
otad_engine_get_last_check_time (OtadEngine *self)
{
	return otad_state_store_get_last_check_time (self->store);
}

guint64
otad_engine_get_next_check_time (OtadEngine *self)
{
	return self->next_check_time;
}

/* the poller's deadline, in seconds since the epoch; 0: no automatic check */
void
otad_engine_set_next_check_time (OtadEngine *self, guint64 unix_time)
{
	if (self->next_check_time == unix_time)
		return;
	self->next_check_time = unix_time;
	otad_engine_notify (self, OTAD_ENGINE_PROP_NEXT_CHECK_TIME);
}

/* Returns: (transfer full): a{sv}, empty when nothing is on offer */
GVariant *
otad_engine_dup_update_info (OtadEngine *self)
{
	return otad_engine_schedule_add_details (self, otad_update_info_to_variant (self->info));
}

/* Returns: (nullable): the commit on offer */
const gchar *
otad_engine_get_update_checksum (OtadEngine *self)
{
	return self->info != NULL ? self->info->checksum : NULL;
}

guint64
otad_engine_get_downloaded_bytes (OtadEngine *self)
{
	return self->downloaded_bytes;
}

guint64
otad_engine_get_download_size (OtadEngine *self)
{
	return self->download_size;
}

guint
otad_engine_get_progress (OtadEngine *self)
{
	return self->progress_percent;
}

/* Returns: (not nullable): what the running job does ("preparing", "downloading",
 * "verifying", "installing", ...), "" when no job runs */
const gchar *
otad_engine_get_progress_phase (OtadEngine *self)
{
	return self->progress_phase;
}

/* Returns: seconds the running download still needs at its rate so far, -1 when unknown */
gint64
otad_engine_get_time_remaining (OtadEngine *self)
{
	return self->time_remaining;
}

const gchar *
otad_engine_get_policy (OtadEngine *self)
{
	return otad_run_config_get_policy (self->run_config);
}


static void
otad_engine_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	OtadEngine *self = OTAD_ENGINE (object);

	switch ((OtadEngineProperty)prop_id) {
	case OTAD_ENGINE_PROP_STATE:
		g_value_set_uint (value, otad_engine_get_state (self));
		break;
	case OTAD_ENGINE_PROP_ERROR_NAME:
		g_value_set_string (value, otad_engine_get_error_name (self));
		break;
	case OTAD_ENGINE_PROP_ERROR_MESSAGE:
		g_value_set_string (value, otad_engine_get_error_message (self));
		break;
	case OTAD_ENGINE_PROP_LAST_CHECK_TIME:
		g_value_set_uint64 (value, otad_engine_get_last_check_time (self));
		break;
	case OTAD_ENGINE_PROP_NEXT_CHECK_TIME:
		g_value_set_uint64 (value, self->next_check_time);
		break;
	case OTAD_ENGINE_PROP_UPDATE_INFO:
		g_value_take_variant (value, otad_engine_dup_update_info (self));
		break;
	case OTAD_ENGINE_PROP_DOWNLOADED_BYTES:
		g_value_set_uint64 (value, self->downloaded_bytes);
		break;
	case OTAD_ENGINE_PROP_DOWNLOAD_SIZE:
		g_value_set_uint64 (value, self->download_size);
		break;
	case OTAD_ENGINE_PROP_PROGRESS:
		g_value_set_uint (value, self->progress_percent);
		break;
	case OTAD_ENGINE_PROP_POLICY:
		g_value_set_string (value, otad_engine_get_policy (self));
		break;
	case OTAD_ENGINE_PROP_WAITING_FOR:
		g_value_set_string (value, otad_engine_get_waiting_for (self));
		break;
	case OTAD_ENGINE_PROP_WAITING_UNTIL:
		g_value_set_uint64 (value, self->waiting_until);
		break;
	case OTAD_ENGINE_PROP_REBOOT_REQUIRED:
		g_value_set_boolean (value, otad_engine_get_reboot_required (self));
		break;
	case OTAD_ENGINE_PROP_INHIBITORS:
		g_value_take_variant (value, otad_engine_dup_inhibitors (self));
		break;
	case OTAD_ENGINE_PROP_WAITING:
		g_value_set_string (value, otad_engine_get_waiting (self));
		break;
	case OTAD_ENGINE_PROP_PROGRESS_PHASE:
		g_value_set_string (value, self->progress_phase);
		break;
	case OTAD_ENGINE_PROP_TIME_REMAINING:
		g_value_set_int64 (value, self->time_remaining);
		break;
	case OTAD_ENGINE_PROP_0:
	case OTAD_ENGINE_PROP_LAST:
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
	}
}

/* -- object --------------------------------------------------------------------- */

static void
otad_engine_store_changed_cb (OtadStateStore *store, gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);

	/* the store says it after the state is on disk: persisted before announced */
	otad_engine_notify (self, OTAD_ENGINE_PROP_STATE);
	otad_engine_notify (self, OTAD_ENGINE_PROP_ERROR_NAME);
	otad_engine_notify (self, OTAD_ENGINE_PROP_ERROR_MESSAGE);
	otad_engine_notify (self, OTAD_ENGINE_PROP_LAST_CHECK_TIME);
	otad_engine_notify (self, OTAD_ENGINE_PROP_REBOOT_REQUIRED);
	/* a state that needs a reboot, or one that lets a deferred job run */
	otad_engine_schedule_evaluate (self);
	otad_engine_signals_state_changed (self);
}

static void
otad_engine_dispose (GObject *object)
{
	OtadEngine *self = OTAD_ENGINE (object);

	g_clear_handle_id (&self->progress_id, g_source_remove);
	g_clear_handle_id (&self->flush_id, g_source_remove);
	g_clear_handle_id (&self->resave_id, g_source_remove);
	g_clear_handle_id (&self->confirm_retry_id, g_source_remove);
	g_clear_handle_id (&self->postpone_id, g_source_remove);
	if (self->cancellable != NULL)
		g_cancellable_cancel (self->cancellable);
	g_clear_object (&self->cancellable);
	g_clear_signal_handler (&self->store_changed_id, self->store);
	otad_engine_schedule_dispose (self);
	g_clear_object (&self->sysroot);
	g_clear_object (&self->store);
	G_OBJECT_CLASS (otad_engine_parent_class)->dispose (object);
}

static void
otad_engine_finalize (GObject *object)
{
	OtadEngine *self = OTAD_ENGINE (object);

	g_clear_pointer (&self->info, otad_update_info_free);
	g_clear_pointer (&self->history, otad_history_log_free);
	otad_engine_inhibit_clear (self);
	otad_engine_offer_clear (self);
	g_clear_pointer (&self->main_context, g_main_context_unref);
	g_clear_object (&self->ctx);
	G_OBJECT_CLASS (otad_engine_parent_class)->finalize (object);
}

static void
otad_engine_class_init (OtadEngineClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

	object_class->get_property = otad_engine_get_property;
	object_class->dispose = otad_engine_dispose;
	object_class->finalize = otad_engine_finalize;

	otad_engine_props[OTAD_ENGINE_PROP_STATE] =
	    g_param_spec_uint ("state", NULL, NULL, 0, OTA_STATE_LAST, OTA_STATE_IDLE, flags);
	otad_engine_props[OTAD_ENGINE_PROP_ERROR_NAME] =
	    g_param_spec_string ("error-name", NULL, NULL, NULL, flags);
	otad_engine_props[OTAD_ENGINE_PROP_ERROR_MESSAGE] =
	    g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
	otad_engine_props[OTAD_ENGINE_PROP_LAST_CHECK_TIME] =
	    g_param_spec_uint64 ("last-check-time", NULL, NULL, 0, G_MAXUINT64, 0, flags);
	otad_engine_props[OTAD_ENGINE_PROP_NEXT_CHECK_TIME] =
	    g_param_spec_uint64 ("next-check-time", NULL, NULL, 0, G_MAXUINT64, 0, flags);
	otad_engine_props[OTAD_ENGINE_PROP_UPDATE_INFO] = g_param_spec_variant (
	    "update-info", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL, flags);
	otad_engine_props[OTAD_ENGINE_PROP_DOWNLOADED_BYTES] =
	    g_param_spec_uint64 ("downloaded-bytes", NULL, NULL, 0, G_MAXUINT64, 0, flags);
	otad_engine_props[OTAD_ENGINE_PROP_DOWNLOAD_SIZE] =
	    g_param_spec_uint64 ("download-size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
	otad_engine_props[OTAD_ENGINE_PROP_PROGRESS] =
	    g_param_spec_uint ("progress", NULL, NULL, 0, 100, 0, flags);
	otad_engine_props[OTAD_ENGINE_PROP_POLICY] =
	    g_param_spec_string ("policy", NULL, NULL, NULL, flags);
	otad_engine_props[OTAD_ENGINE_PROP_WAITING_FOR] =
	    g_param_spec_string ("waiting-for", NULL, NULL, NULL, flags);
	otad_engine_props[OTAD_ENGINE_PROP_WAITING_UNTIL] =
	    g_param_spec_uint64 ("waiting-until", NULL, NULL, 0, G_MAXUINT64, 0, flags);
	otad_engine_props[OTAD_ENGINE_PROP_REBOOT_REQUIRED] =
	    g_param_spec_boolean ("reboot-required", NULL, NULL, FALSE, flags);
	otad_engine_props[OTAD_ENGINE_PROP_INHIBITORS] = g_param_spec_variant (
	    "inhibitors", NULL, NULL, G_VARIANT_TYPE ("a(uss)"), NULL, flags);
	otad_engine_props[OTAD_ENGINE_PROP_WAITING] =
	    g_param_spec_string ("waiting", NULL, NULL, NULL, flags);
	otad_engine_props[OTAD_ENGINE_PROP_PROGRESS_PHASE] =
	    g_param_spec_string ("progress-phase", NULL, NULL, "", flags);
	otad_engine_props[OTAD_ENGINE_PROP_TIME_REMAINING] =
	    g_param_spec_int64 ("time-remaining", NULL, NULL, -1, G_MAXINT64, -1, flags);
	g_object_class_install_properties (object_class, OTAD_ENGINE_PROP_LAST, otad_engine_props);

	/* (kind, success, found an update) after every job but report flushes */
	otad_engine_signals[SIGNAL_JOB_FINISHED] =
	    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
			  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN);
	otad_engine_signals_class_init (klass);
}

static void
otad_engine_init (OtadEngine *self)
{
	self->cancellable = g_cancellable_new ();
	self->progress_phase = "";
	self->time_remaining = -1;
	self->progress_clock = g_get_monotonic_time;
	self->main_context = g_main_context_ref_thread_default ();
	otad_engine_inhibit_init (self);
}

/**
 * otad_engine_adopt_installed_target:
 *
 * The name of what runs, as another agent (aktualizr) knew it, for the manifest; kept
 * unless an install of ours named it already.
 */
void
otad_engine_adopt_installed_target (OtadEngine *self, const gchar *name)
{
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;

	if (name == NULL ||
	    otad_state_store_get_field (self->store, OTAD_ENGINE_FIELD_INSTALLED_TARGET) != NULL)
		return;
	node = json_node_init_string (json_node_alloc (), name);
	otad_state_store_set_field (self->store, OTAD_ENGINE_FIELD_INSTALLED_TARGET, node);
	if (!otad_state_store_save (self->store, &error))
		g_warning ("%s", error->message);
}

/**
 * otad_engine_new:
 * @ctx: the jobs' settings and collaborators
 * @store: the persisted state
 * @sysroot: the sysroot as the main thread sees it (reloaded after each job)
 *
 * Returns: (transfer full): an engine; otad_engine_start() resumes from the state
 */
OtadEngine *
otad_engine_new (OtadJobContext *ctx, OtadStateStore *store, OtadSysroot *sysroot)
{
	OtadEngine *self = g_object_new (OTAD_TYPE_ENGINE, NULL);

	self->ctx = g_object_ref (ctx);
	self->settings = otad_job_context_get_settings (ctx);
	self->store = g_object_ref (store);
	self->sysroot = g_object_ref (sysroot);
	self->store_changed_id = g_signal_connect (store, "changed",
						   G_CALLBACK (otad_engine_store_changed_cb), self);
	self->info = otad_update_info_new_from_json (
	    otad_state_store_get_field (store, OTAD_ENGINE_FIELD_UPDATE_INFO));
	otad_engine_schedule_init (self);
	self->announced_state = otad_state_store_get_state (store);
	otad_engine_offer_load (self);
	return self;
}
