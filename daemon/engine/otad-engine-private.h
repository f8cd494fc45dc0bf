/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-engine.h"
#include "otad-history-log.h"
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
	OTAD_ENGINE_PROP_INHIBITORS,
	OTAD_ENGINE_PROP_WAITING,
	OTAD_ENGINE_PROP_PROGRESS_PHASE,
	OTAD_ENGINE_PROP_TIME_REMAINING,
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
	guint64 progress_total;	      /* the job's total, fixed by its first estimate */
	gboolean progress_total_fixed;
	const gchar *progress_phase;  /* (not nullable) static; "" between jobs */
	gint64 time_remaining;	      /* seconds, -1 when unknown */
	gint64 progress_started_us;   /* when the first byte came, for the rate */
	guint64 progress_started_bytes;
	gint64 (*progress_clock) (void); /* g_get_monotonic_time() unless a test injects one */
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
	OtadHistoryLog *history; /* (owned) (nullable) opened on first use */
	/* otad-engine-inhibit.c: who holds installs back, and an install that waits */
	GPtrArray *inhibitors; /* (owned) (element-type OtadInhibitor) */
	guint next_inhibitor;
	gboolean install_waiting;
	/* the running check is the poller's: declined and postponed offers stay quiet */
	gboolean check_automatic;
	/* the last state sent as "state-changed" */
	OtaState announced_state;
	/* otad-engine-offer.c, persisted in the store's "consent" field */
	GPtrArray *declined;	  /* (owned) offer ids, oldest first, bounded */
	gchar *postponed_offer;	  /* (owned) (nullable) */
	guint64 postponed_until;  /* Unix seconds */
	guint postpone_id;	  /* the check when the postponement ends */
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
/* otad-engine-history.c */
void otad_engine_history_open (OtadEngine *self);
void otad_engine_history_catch_up (OtadEngine *self);
OtadBootPending *otad_engine_history_last_install (OtadEngine *self);
void otad_engine_history_job_done (OtadEngine *self,
				   OtadEngineJobKind kind,
				   gpointer data,
				   const GError *error);

/* otad-engine-inhibit.c */
void otad_engine_inhibit_init (OtadEngine *self);
void otad_engine_inhibit_clear (OtadEngine *self);
gboolean otad_engine_defer_install (OtadEngine *self);
void otad_engine_drop_waiting_install (OtadEngine *self);
/* otad-engine-offer.c: the offer and the answers to it */
void otad_engine_offer_load (OtadEngine *self);
void otad_engine_offer_clear (OtadEngine *self);
gboolean otad_engine_offer_downloaded (OtadEngine *self);
OtaState otad_engine_offer_after_check (OtadEngine *self, gboolean automatic);
OtaState otad_engine_offer_after_download (OtadEngine *self);
gboolean otad_engine_offer_install (OtadEngine *self, gboolean download_only, GError **error);
gboolean otad_engine_offer_consent (OtadEngine *self, gboolean download_only, GError **error);
gboolean otad_engine_offer_decline (OtadEngine *self, GError **error);
gboolean otad_engine_offer_postpone (OtadEngine *self, guint64 until, GError **error);
gboolean otad_engine_offer_discard (OtadEngine *self, GError **error);

/* otad-engine-signals.c: "state-changed" and "job-result" */
void otad_engine_signals_class_init (OtadEngineClass *klass);
void otad_engine_signals_state_changed (OtadEngine *self);
void otad_engine_signals_job_result (OtadEngine *self,
				     OtadEngineJobKind kind,
				     gboolean ok,
				     const GError *error,
				     gboolean found);

/* otad-engine-progress.c */
void otad_engine_progress_reset (OtadEngine *self);
void otad_engine_progress_publish (OtadEngine *self);
void otad_engine_progress_set_done (OtadEngine *self);
void otad_engine_progress_begin (OtadEngine *self, OtadEngineJobKind kind);
void otad_engine_progress_end (OtadEngine *self);
void otad_engine_progress_take (OtadEngine *self, const OtadPullProgress *progress);
void otad_engine_progress_from_worker (const OtadPullProgress *progress, gpointer user_data);

G_END_DECLS
