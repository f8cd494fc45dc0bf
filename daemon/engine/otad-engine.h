/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ota-enums.h"
#include "otad-job-context.h"
#include "otad-state-store.h"
#include "otad-sysroot.h"

G_BEGIN_DECLS

/* what a caller (the bus or the poller) asks the engine to do */
typedef enum {
	OTAD_ENGINE_OP_CHECK,
	OTAD_ENGINE_OP_DOWNLOAD,
	OTAD_ENGINE_OP_INSTALL,
	OTAD_ENGINE_OP_CANCEL,
	OTAD_ENGINE_OP_ROLLBACK,
	OTAD_ENGINE_OP_CONSENT,
	OTAD_ENGINE_OP_DECLINE,
	OTAD_ENGINE_OP_POSTPONE,
	OTAD_ENGINE_OP_DISCARD,
	OTAD_ENGINE_OP_LAST
} OtadEngineOp;

/**
 * OtadEngineOpArgs:
 * @offer_id: (nullable): the offer the caller showed (UpdateInfo's offer-id); when set
 *   and not the one on offer the call fails with %OTA_ERROR_STALE_OFFER.  Consent(),
 *   Decline() and Postpone() need it.
 * @until: Postpone(): Unix seconds until which the offer is not offered again
 * @download_only: Consent(): stop at downloaded instead of installing
 * @automatic: Check(): the poller's (declined and postponed offers stay quiet)
 */
typedef struct {
	const gchar *offer_id;
	guint64 until;
	gboolean download_only;
	gboolean automatic;
} OtadEngineOpArgs;

/* the jobs the engine runs in a worker thread (engine/jobs/) */
typedef enum {
	OTAD_ENGINE_JOB_CHECK,
	OTAD_ENGINE_JOB_DOWNLOAD,
	OTAD_ENGINE_JOB_INSTALL,
	OTAD_ENGINE_JOB_ROLLBACK,
	OTAD_ENGINE_JOB_CONFIRM,
	OTAD_ENGINE_JOB_FLUSH,
	OTAD_ENGINE_JOB_DISCARD,
	OTAD_ENGINE_JOB_LAST
} OtadEngineJobKind;

const gchar *otad_engine_job_kind_to_string (OtadEngineJobKind kind);

/*
 * OtadEngine: the update flow as a plain GObject.  Its properties (notify::NAME)
 * are what a front end shows: "state", "error-name", "error-message",
 * "last-check-time", "next-check-time", "update-info" (a{sv}), "downloaded-bytes",
 * "download-size" (fixed when the job starts), "progress" (0-100), "progress-phase",
 * "time-remaining" (seconds, -1 unknown), "policy", "inhibitors" (a(uss)),
 * "waiting" ("" or "inhibited": an install waits), "waiting-for" (what a deferred job
 * or a needed reboot waits for, "" nothing: otad-engine-schedule.c), "waiting-until"
 * (when that may change, Unix seconds, 0 unknown) and "reboot-required"; "job-finished" (kind, success,
 * found an update) follows every job but report flushes.  "state-changed" (s state,
 * a{sv} details) and "job-result" (s job, s result, a{sv} details) are what the bus
 * sends as StateChanged and JobFinished.  It knows nothing of D-Bus.
 */
#define OTAD_TYPE_ENGINE (otad_engine_get_type ())
G_DECLARE_FINAL_TYPE (OtadEngine, otad_engine, OTAD, ENGINE, GObject)

void otad_engine_adopt_installed_target (OtadEngine *self, const gchar *name);
OtadEngine *otad_engine_new (OtadJobContext *ctx, OtadStateStore *store, OtadSysroot *sysroot)
    G_GNUC_WARN_UNUSED_RESULT;
void otad_engine_start (OtadEngine *self);

const gchar *otad_engine_op_to_method (OtadEngineOp op);
gboolean otad_engine_can (OtadEngine *self, OtadEngineOp op, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_check_args (OtadEngine *self,
				 OtadEngineOp op,
				 const OtadEngineOpArgs *args,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_run_op (OtadEngine *self, OtadEngineOp op, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_run_op_args (OtadEngine *self,
				  OtadEngineOp op,
				  const OtadEngineOpArgs *args,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_is_busy (OtadEngine *self);
void otad_engine_release_memory (OtadEngine *self);
gboolean otad_engine_has_update (OtadEngine *self);
GVariant *otad_engine_get_history (OtadEngine *self, guint limit, guint64 since, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void otad_engine_record_history (OtadEngine *self,
				 const gchar *action,
				 const gchar *result,
				 const GError *error);
void otad_engine_flush_reports (OtadEngine *self);

OtadSysroot *otad_engine_get_sysroot (OtadEngine *self);
const OtadSettings *otad_engine_get_settings (OtadEngine *self);
OtadStateStore *otad_engine_get_state_store (OtadEngine *self);

/* the properties */
OtaState otad_engine_get_state (OtadEngine *self);
const gchar *otad_engine_get_error_name (OtadEngine *self);
const gchar *otad_engine_get_error_message (OtadEngine *self);
guint64 otad_engine_get_last_check_time (OtadEngine *self);
guint64 otad_engine_get_next_check_time (OtadEngine *self);
void otad_engine_set_next_check_time (OtadEngine *self, guint64 unix_time);
GVariant *otad_engine_dup_update_info (OtadEngine *self) G_GNUC_WARN_UNUSED_RESULT;
const gchar *otad_engine_get_update_checksum (OtadEngine *self);
guint64 otad_engine_get_downloaded_bytes (OtadEngine *self);
guint64 otad_engine_get_download_size (OtadEngine *self);
const gchar *otad_engine_get_progress_phase (OtadEngine *self);
gint64 otad_engine_get_time_remaining (OtadEngine *self);
guint otad_engine_get_progress (OtadEngine *self);
const gchar *otad_engine_get_policy (OtadEngine *self);
const gchar *otad_engine_get_waiting_for (OtadEngine *self);
guint64 otad_engine_get_waiting_until (OtadEngine *self);
gboolean otad_engine_get_reboot_required (OtadEngine *self);
gboolean otad_engine_is_metered (OtadEngine *self);

/* schedules, reboot and the configuration at run time (otad-engine-schedule.c) */
typedef gboolean (*OtadEngineRebootFunc) (gpointer user_data, GError **error);
void otad_engine_set_reboot_func (OtadEngine *self, OtadEngineRebootFunc func,
				  gpointer user_data);
gboolean otad_engine_reboot (OtadEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GVariant *otad_engine_get_configuration (OtadEngine *self, const gchar *only_key,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_set_configuration (OtadEngine *self, GVariant *values, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_reset_configuration (OtadEngine *self, const gchar *const *keys,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* inhibitors (otad-engine-inhibit.c): installs wait while any is held */
guint otad_engine_inhibit (OtadEngine *self, const gchar *owner, const gchar *reason);
gboolean otad_engine_uninhibit (OtadEngine *self, guint handle, const gchar *owner,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_engine_uninhibit_owner (OtadEngine *self, const gchar *owner);
gboolean otad_engine_is_inhibited (OtadEngine *self);
GVariant *otad_engine_dup_inhibitors (OtadEngine *self) G_GNUC_WARN_UNUSED_RESULT;
const gchar *otad_engine_get_waiting (OtadEngine *self);

G_END_DECLS
