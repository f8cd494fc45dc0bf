/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <string.h>

#include "ota-error.h"
#include "otad-boot-record.h"
#include "otad-engine-private.h"
#include "otad-engine-setup.h"
#include "otad-history.h"
#include "otad-job.h"
#include "otad-state.h"

/*
 * The update engine: owns the update flow on the main thread and runs at most
 * one worker job at a time (eos-updater's job pattern, STYLE.md §7).  Starting
 * a job copies its inputs into an OtadEngineJob, replaces the cancellable,
 * persists the busy state (the store announces it after it is on disk) and
 * runs the job in a thread; the job's callback, back on the main thread, moves
 * to the next state or to error with ErrorName/ErrorMessage.
 */

/* queued reports are retried this often when nothing else sends them */
#define OTAD_ENGINE_FLUSH_INTERVAL_S (10 * 60)



enum { SIGNAL_JOB_FINISHED, SIGNAL_LAST };
static guint otad_engine_signals[SIGNAL_LAST] = {0};

void
otad_engine_emit_job_finished (OtadEngine *self, OtadEngineJobKind kind, gboolean ok,
			       gboolean found)
{
	g_signal_emit (self, otad_engine_signals[SIGNAL_JOB_FINISHED], 0, (gint)kind, ok, found);
}

G_DEFINE_TYPE (OtadEngine, otad_engine, G_TYPE_OBJECT)


/* -- states ------------------------------------------------------------------ */

static const OtaState otad_engine_check_states[] = {OTA_STATE_IDLE, OTA_STATE_UPDATE_AVAILABLE,
						     OTA_STATE_ERROR, OTA_STATE_ROLLED_BACK};
static const OtaState otad_engine_download_states[] = {OTA_STATE_UPDATE_AVAILABLE};
static const OtaState otad_engine_install_states[] = {OTA_STATE_UPDATE_AVAILABLE,
						       OTA_STATE_DOWNLOADED};
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
		g_set_error (error, OTA_ERROR, OTA_ERROR_BUSY, "Can't call %s while %s runs",
			     otad_engine_ops[op].method,
			     otad_engine_job_kind_to_string (self->running));
		return FALSE;
	}
	return TRUE;
}

OtaState
otad_engine_get_state (OtadEngine *self)
{
	return otad_state_store_get_state (self->store);
}

/* a failed save is fatal for the transition, not for the daemon: say so loudly */
void
otad_engine_transition (OtadEngine *self, OtaState to)
{
	g_autoptr(GError) error_local = NULL;

	if (otad_engine_get_state (self) == to)
		return;
	if (!otad_state_transition (self->store, to, &error_local))
		g_warning ("cannot move to %s: %s", ota_state_to_string (to),
			   error_local->message);
}

void
otad_engine_set_error (OtadEngine *self, const GError *failure)
{
	g_autoptr(GError) error_local = NULL;

	g_warning ("%s", failure->message);
	if (!otad_state_set_error (self->store, failure, &error_local))
		g_warning ("cannot record the error: %s", error_local->message);
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
		g_warning ("cannot save the state: %s", error_local->message);
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
	ota_dbus_updater1_set_update_info (self->skeleton, otad_update_info_to_variant (info));
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

/* -- progress ---------------------------------------------------------------- */

void
otad_engine_publish_progress (OtadEngine *self)
{
	guint64 total = MAX (self->progress.bytes_total, ota_dbus_updater1_get_download_size (
							     self->skeleton));
	guint percent = 0;

	if (total > 0)
		percent = (guint)MIN (self->progress.bytes_transferred * 100 / total, 99);
	ota_dbus_updater1_set_downloaded_bytes (self->skeleton, self->progress.bytes_transferred);
	ota_dbus_updater1_set_download_size (self->skeleton, total);
	if (percent > ota_dbus_updater1_get_progress (self->skeleton))
		ota_dbus_updater1_set_progress (self->skeleton, percent);
}

static gboolean
otad_engine_progress_timeout_cb (gpointer user_data)
{
	OtadEngine *self = OTAD_ENGINE (user_data);

	self->progress_id = 0;
	otad_engine_publish_progress (self);
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

/* worker thread */
static void
otad_engine_progress_cb (const OtadPullProgress *progress, gpointer user_data)
{
	OtadEngineJob *job = user_data;
	OtadEngineProgressData *d = g_new0 (OtadEngineProgressData, 1);

	d->engine = g_object_ref (OTAD_ENGINE (job->progress_data_engine));
	d->progress = *progress;
	g_main_context_invoke_full (job->main_context, G_PRIORITY_DEFAULT,
				    otad_engine_progress_main_cb, d,
				    otad_engine_progress_data_free);
}

static void
otad_engine_reset_progress (OtadEngine *self)
{
	g_clear_handle_id (&self->progress_id, g_source_remove);
	memset (&self->progress, 0, sizeof (self->progress));
	ota_dbus_updater1_set_downloaded_bytes (self->skeleton, 0);
	ota_dbus_updater1_set_download_size (self->skeleton, 0);
	ota_dbus_updater1_set_progress (self->skeleton, 0);
}

/* -- job start ----------------------------------------------------------------- */

static OtaState
otad_engine_busy_state (OtadEngineJobKind kind)
{
	switch (kind) {
	case OTAD_ENGINE_JOB_CHECK:
		return OTA_STATE_CHECKING;
	case OTAD_ENGINE_JOB_DOWNLOAD:
		return OTA_STATE_DOWNLOADING;
	case OTAD_ENGINE_JOB_INSTALL:
	case OTAD_ENGINE_JOB_ROLLBACK:
		return OTA_STATE_INSTALLING;
	case OTAD_ENGINE_JOB_CONFIRM:
		return OTA_STATE_CONFIRMING;
	case OTAD_ENGINE_JOB_FLUSH:
	default:
		return OTA_STATE_LAST;
	}
}

static OtadEngineJob *
otad_engine_job_prepare (OtadEngine *self, OtadEngineJobKind kind)
{
	OtadEngineJob *job = otad_engine_job_new (kind, self->settings);
	JsonNode *installed =
	    otad_state_store_get_field (self->store, OTAD_ENGINE_FIELD_INSTALLED_TARGET);

	job->reporter_lock = &self->reporter_lock;
	job->info = otad_update_info_copy (self->info);
	job->ecu_public = g_strdup (self->ecu_public);
	job->register_ecu = kind == OTAD_ENGINE_JOB_CHECK &&
			    otad_state_store_get_field (self->store,
							OTAD_ENGINE_FIELD_ECU_REGISTERED) == NULL;
	if (installed != NULL && JSON_NODE_HOLDS_VALUE (installed) &&
	    json_node_get_value_type (installed) == G_TYPE_STRING)
		job->installed_target = g_strdup (json_node_get_string (installed));
	job->progress_func = otad_engine_progress_cb;
	job->progress_data_engine = self;
	return job;
}

void
otad_engine_start_job (OtadEngine *self, OtadEngineJobKind kind)
{
	OtadEngineJob *job = otad_engine_job_prepare (self, kind);
	OtaState busy_state = otad_engine_busy_state (kind);
	g_autoptr(GError) error_local = NULL;

	if (kind == OTAD_ENGINE_JOB_FLUSH) {
		self->flushing = TRUE;
		otad_job_run (self, "flush", otad_engine_job_run, job,
			      (GDestroyNotify)otad_engine_job_free, NULL,
			      otad_engine_job_done_cb, NULL);
		return;
	}
	/* the previous Cancel() cancelled the old one; every job gets a fresh one */
	g_clear_object (&self->cancellable);
	self->cancellable = g_cancellable_new ();
	/* an install keeps showing what its download fetched */
	if (kind == OTAD_ENGINE_JOB_DOWNLOAD)
		otad_engine_reset_progress (self);
	/* persisted before announced (otad-state) */
	if (kind == OTAD_ENGINE_JOB_CONFIRM) {
		otad_engine_force_state (self, busy_state);
	} else if (kind == OTAD_ENGINE_JOB_ROLLBACK &&
		   otad_engine_get_state (self) == OTA_STATE_UPDATE_AVAILABLE &&
		   !otad_state_transition (self->store, OTA_STATE_IDLE, &error_local)) {
		/* the offer is abandoned first: a rollback is no step forward */
		otad_engine_set_error (self, error_local);
		otad_engine_job_free (job);
		return;
	} else if (!otad_state_transition (self->store, busy_state, &error_local)) {
		otad_engine_set_error (self, error_local);
		otad_engine_job_free (job);
		return;
	}
	self->busy = TRUE;
	self->running = kind;
	otad_job_run (self, otad_engine_job_kind_to_string (kind), otad_engine_job_run, job,
		      (GDestroyNotify)otad_engine_job_free, self->cancellable,
		      otad_engine_job_done_cb, NULL);
}

/**
 * otad_engine_run_op:
 *
 * Starts @op after checking the state again (polkit may have taken a while).
 * Returns as soon as the job runs; its outcome arrives through State.
 */
gboolean
otad_engine_run_op (OtadEngine *self, OtadEngineOp op, GError **error)
{
	OtaState state = otad_engine_get_state (self);

	if (!otad_engine_can (self, op, error))
		return FALSE;
	switch (op) {
	case OTAD_ENGINE_OP_CHECK:
		otad_engine_start_job (self, OTAD_ENGINE_JOB_CHECK);
		break;
	case OTAD_ENGINE_OP_DOWNLOAD:
		otad_engine_start_job (self, OTAD_ENGINE_JOB_DOWNLOAD);
		break;
	case OTAD_ENGINE_OP_INSTALL:
		if (state == OTA_STATE_UPDATE_AVAILABLE) {
			otad_engine_start_job (self, OTAD_ENGINE_JOB_DOWNLOAD);
			self->install_after_download = self->busy;
		} else {
			otad_engine_start_job (self, OTAD_ENGINE_JOB_INSTALL);
		}
		break;
	case OTAD_ENGINE_OP_CANCEL:
		g_info ("cancelling %s", otad_engine_job_kind_to_string (self->running));
		self->install_after_download = FALSE;
		g_cancellable_cancel (self->cancellable);
		break;
	case OTAD_ENGINE_OP_ROLLBACK:
		otad_engine_start_job (self, OTAD_ENGINE_JOB_ROLLBACK);
		break;
	case OTAD_ENGINE_OP_LAST:
	default:
		g_assert_not_reached ();
	}
	return TRUE;
}

/* -- reporting timer ---------------------------------------------------------------- */

void
otad_engine_flush_reports (OtadEngine *self)
{
	/* jobs flush at their end; this only covers quiet times */
	if (!self->reporting || self->busy || self->flushing)
		return;
	otad_engine_start_job (self, OTAD_ENGINE_JOB_FLUSH);
}

static gboolean
otad_engine_flush_timeout_cb (gpointer user_data)
{
	otad_engine_flush_reports (OTAD_ENGINE (user_data));
	return G_SOURCE_CONTINUE;
}

/* Returns: (transfer floating): aa{sv}, newest first (the GetHistory reply) */
GVariant *
otad_engine_get_history (OtadEngine *self, GError **error)
{
	return otad_history_load (self->settings->state_dir, error);
}

/* -- start-up -------------------------------------------------------------------- */

static gboolean
otad_engine_commit_present (OtadEngine *self, const gchar *checksum)
{
	OstreeRepo *repo = ostree_sysroot_repo (otad_sysroot_get_ostree (self->sysroot));
	g_autoptr(GVariant) commit = NULL;
	OstreeRepoCommitState state = 0;

	if (checksum == NULL ||
	    !ostree_repo_load_commit (repo, checksum, &commit, &state, NULL))
		return FALSE;
	return (state & OSTREE_REPO_COMMIT_STATE_PARTIAL) == 0;
}

/**
 * otad_engine_start:
 *
 * Resumes consistently from what the state store and the boot record say
 * (a killed daemon may have left a busy state behind), then confirms the boot
 * when an install waits for it.
 */
void
otad_engine_start (OtadEngine *self)
{
	g_autofree gchar *path =
	    g_build_filename (self->settings->state_dir, OTAD_BOOT_RECORD_FILENAME, NULL);
	g_autoptr(OtadBootRecord) record = otad_boot_record_new (path);
	g_autoptr(GError) error_local = NULL;
	OtaState state = otad_engine_get_state (self);
	OtaState fallback = self->info != NULL ? OTA_STATE_UPDATE_AVAILABLE : OTA_STATE_IDLE;
	gboolean downloaded = self->info != NULL &&
			      otad_engine_commit_present (self, self->info->checksum);

	if (!otad_boot_record_load (record, &error_local)) {
		otad_engine_set_error (self, error_local);
	} else if (otad_boot_record_get_pending (record) != NULL) {
		otad_engine_start_job (self, OTAD_ENGINE_JOB_CONFIRM);
	} else {
		switch (state) {
		case OTA_STATE_CHECKING:
		case OTA_STATE_DOWNLOADING:
		case OTA_STATE_AWAITING_CONSENT:
			/* what a download fetched stays in the repo: the next one resumes */
			otad_engine_force_state (self, fallback);
			break;
		case OTA_STATE_DOWNLOADED:
		case OTA_STATE_INSTALLING:
			/* no pending install recorded: the deployment never happened */
			otad_engine_force_state (self, downloaded ? OTA_STATE_DOWNLOADED
								  : fallback);
			break;
		case OTA_STATE_PENDING_REBOOT:
		case OTA_STATE_CONFIRMING:
			otad_engine_force_state (self, OTA_STATE_IDLE);
			break;
		case OTA_STATE_UPDATE_AVAILABLE:
			if (self->info == NULL)
				otad_engine_force_state (self, OTA_STATE_IDLE);
			break;
		case OTA_STATE_IDLE:
		case OTA_STATE_ROLLED_BACK:
		case OTA_STATE_ERROR:
		case OTA_STATE_LAST:
		default:
			break;
		}
	}
	if (self->reporting) {
		self->flush_id = g_timeout_add_seconds_full (G_PRIORITY_LOW,
							     OTAD_ENGINE_FLUSH_INTERVAL_S,
							     otad_engine_flush_timeout_cb,
							     self, NULL);
		otad_engine_flush_reports (self);
	}
}

/* -- object --------------------------------------------------------------------- */

static void
otad_engine_dispose (GObject *object)
{
	OtadEngine *self = OTAD_ENGINE (object);

	g_clear_handle_id (&self->progress_id, g_source_remove);
	g_clear_handle_id (&self->flush_id, g_source_remove);
	if (self->cancellable != NULL)
		g_cancellable_cancel (self->cancellable);
	g_clear_object (&self->cancellable);
	g_clear_object (&self->skeleton);
	g_clear_object (&self->sysroot);
	g_clear_object (&self->store);
	G_OBJECT_CLASS (otad_engine_parent_class)->dispose (object);
}

static void
otad_engine_finalize (GObject *object)
{
	OtadEngine *self = OTAD_ENGINE (object);

	g_clear_pointer (&self->settings, otad_engine_settings_free);
	g_clear_pointer (&self->info, otad_update_info_free);
	g_free (self->ecu_public);
	g_mutex_clear (&self->reporter_lock);
	G_OBJECT_CLASS (otad_engine_parent_class)->finalize (object);
}

static void
otad_engine_class_init (OtadEngineClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = otad_engine_dispose;
	object_class->finalize = otad_engine_finalize;

	/* (kind, success, found an update) after every job but report flushes */
	otad_engine_signals[SIGNAL_JOB_FINISHED] =
	    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
			  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN);
}

static void
otad_engine_init (OtadEngine *self)
{
	g_mutex_init (&self->reporter_lock);
	self->cancellable = g_cancellable_new ();
}

/**
 * otad_engine_new:
 * @test_booted: (nullable): TEST ONLY, the --test-booted-deployment of a test sysroot
 *
 * Returns: (transfer full): an engine for @daemon's config, store and sysroot, or %NULL
 *   when the configuration cannot work (credentials, ECU key)
 */
OtadEngine *
otad_engine_new (OtadDaemon *daemon, const gchar *test_booted, GError **error)
{
	g_autoptr(OtadEngine) self = g_object_new (OTAD_TYPE_ENGINE, NULL);
	OtadConfig *config = otad_daemon_get_config (daemon);

	self->store = g_object_ref (otad_daemon_get_state_store (daemon));
	self->sysroot = g_object_ref (otad_daemon_get_sysroot (daemon));
	self->skeleton = g_object_ref (otad_daemon_get_skeleton (daemon));
	self->settings = otad_engine_setup_settings (config, self->store,
						     otad_sysroot_get_path (self->sysroot),
						     test_booted, error);
	if (self->settings == NULL)
		return NULL;
	/* made once here to find configuration problems before the bus sees us */
	{
		g_autoptr(OtadHttp) http = otad_engine_setup_http (self->settings, error);
		g_autoptr(OtadReporter) reporter = NULL;

		if (http == NULL || !otad_engine_setup_reporter (self->settings, http, &reporter,
								 &self->ecu_public, error))
			return NULL;
		self->reporting = reporter != NULL;
	}
	self->info = otad_update_info_new_from_json (
	    otad_state_store_get_field (self->store, OTAD_ENGINE_FIELD_UPDATE_INFO));
	ota_dbus_updater1_set_update_info (self->skeleton,
					   otad_update_info_to_variant (self->info));
	ota_dbus_updater1_set_policy (self->skeleton,
				      otad_config_get_string (config, "update", "policy"));
	return g_steal_pointer (&self);
}
