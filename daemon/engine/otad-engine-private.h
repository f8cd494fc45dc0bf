/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-engine.h"
#include "otad-pull-progress.h"
#include "otad-run-config.h"
#include "otad-update-info.h"

G_BEGIN_DECLS

/* shared by the otad-engine*.c files; main thread only */

/* DownloadedBytes/Progress change at most this often */
#define OTAD_ENGINE_PROGRESS_INTERVAL_MS 250

#define OTAD_ENGINE_FIELD_UPDATE_INFO "update-info"
#define OTAD_ENGINE_FIELD_INSTALLED_TARGET "installed-target"

typedef enum {
	OTAD_ENGINE_PROP_0,
	OTAD_ENGINE_PROP_STATE,
	OTAD_ENGINE_PROP_ERROR_NAME,
	OTAD_ENGINE_PROP_ERROR_MESSAGE,
	OTAD_ENGINE_PROP_LAST_CHECK_TIME,
	OTAD_ENGINE_PROP_NEXT_CHECK_TIME,
	OTAD_ENGINE_PROP_UPDATE_INFO,
	OTAD_ENGINE_PROP_DOWNLOADED_BYTES,
	OTAD_ENGINE_PROP_DOWNLOAD_SIZE,
	OTAD_ENGINE_PROP_PROGRESS,
	OTAD_ENGINE_PROP_POLICY,
	OTAD_ENGINE_PROP_WAITING_FOR,
	OTAD_ENGINE_PROP_WAITING_UNTIL,
	OTAD_ENGINE_PROP_REBOOT_REQUIRED,
	OTAD_ENGINE_PROP_LAST
} OtadEngineProperty;

struct _OtadEngine {
	GObject parent_instance;
	OtadJobContext *ctx;	      /* (owned) */
	const OtadSettings *settings; /* (unowned) the context's */
	OtadStateStore *store;	      /* (owned) */
	OtadSysroot *sysroot;	      /* (owned) */
	GMainContext *main_context;   /* (owned) where jobs report back */
	GCancellable *cancellable;    /* (owned) for the running or next job */
	gboolean busy;
	gboolean flushing;
	OtadEngineJobKind running;
	gboolean install_after_download;
	OtadUpdateInfo *info; /* (owned) (nullable) the update on offer */
	/* progress of the running job: what workers said, what is published */
	OtadPullProgress progress;
	guint progress_id;
	guint64 downloaded_bytes;
	guint64 download_size;
	guint progress_percent;
	guint64 next_check_time;
	guint flush_id;
	gulong store_changed_id;
	/* the disk refused a save: the state lives in memory and is saved again */
	guint resave_id;
	/* a confirmation failed (a full state disk, a bootloader tool): it runs again */
	guint confirm_retry_id;
	guint confirm_failures;
	/* the boot record was lost at start: the confirmation rebuilds it */
	gboolean rebuild_record;
	/* otad-engine-schedule.c */
	OtadRunConfig *run_config;	/* (owned) */
	OtadEngineJobKind deferred;	/* OTAD_ENGINE_JOB_LAST: none */
	gchar *waiting_for;		/* (owned) "" nothing */
	guint64 waiting_until;
	gint schedule_fd;
	guint schedule_id;
	gint64 schedule_armed;		/* the deadline the timer has, 0 none */
	GNetworkMonitor *network;	/* (owned) (nullable) */
	gulong metered_id;
	gboolean rollback_needs_reboot; /* a failed health check made the old one the default */
	gboolean rebooting;
	OtadEngineRebootFunc reboot_func;
	gpointer reboot_data;
};

void otad_engine_notify (OtadEngine *self, OtadEngineProperty prop);
void otad_engine_transition (OtadEngine *self, OtaState to);
void otad_engine_set_error (OtadEngine *self, const GError *failure);
void otad_engine_force_state (OtadEngine *self, OtaState state);
void otad_engine_set_info (OtadEngine *self, OtadUpdateInfo *info);
gboolean otad_engine_start_job (OtadEngine *self, OtadEngineJobKind kind, GError **error);
void otad_engine_announce_unsaved (OtadEngine *self, const GError *why);
void otad_engine_schedule_confirm_retry (OtadEngine *self);
void otad_engine_resume_state (OtadEngine *self);
void otad_engine_job_done_cb (GObject *source, GAsyncResult *res, gpointer user_data);
void otad_engine_emit_job_finished (OtadEngine *self,
				    OtadEngineJobKind kind,
				    gboolean ok,
				    gboolean found);

/* otad-engine-schedule.c */
void otad_engine_schedule_init (OtadEngine *self);
void otad_engine_schedule_start (OtadEngine *self);
void otad_engine_schedule_dispose (OtadEngine *self);
gboolean otad_engine_schedule_defer (OtadEngine *self, OtadEngineJobKind kind);
void otad_engine_schedule_clear (OtadEngine *self);
void otad_engine_schedule_evaluate (OtadEngine *self);
GVariant *otad_engine_schedule_add_details (OtadEngine *self, GVariant *info);

/* otad-engine-progress.c */
void otad_engine_progress_reset (OtadEngine *self);
void otad_engine_progress_publish (OtadEngine *self);
void otad_engine_progress_set_done (OtadEngine *self);
void otad_engine_progress_from_worker (const OtadPullProgress *progress, gpointer user_data);

G_END_DECLS
