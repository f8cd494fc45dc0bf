/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-engine.h"

G_BEGIN_DECLS

/* shared by otad-engine.c and otad-engine-finish.c; main thread only */

/* DownloadedBytes/Progress change at most this often on the bus */
#define OTAD_ENGINE_PROGRESS_INTERVAL_MS 250

#define OTAD_ENGINE_FIELD_UPDATE_INFO "update-info"
#define OTAD_ENGINE_FIELD_ECU_REGISTERED "ecu-registered"
#define OTAD_ENGINE_FIELD_INSTALLED_TARGET "installed-target"

struct _OtadEngine {
	GObject parent_instance;
	OtadStateStore *store;	   /* (owned) */
	OtadSysroot *sysroot;	   /* (owned) */
	OtaDBusUpdater1 *skeleton; /* (owned) */
	OtadEngineSettings *settings;
	gboolean reporting;	/* a reporter is configured */
	gchar *ecu_public;	/* (owned) (nullable) */
	GMutex reporter_lock;
	GCancellable *cancellable; /* (owned) for the running or next job */
	gboolean busy;
	gboolean flushing;
	OtadEngineJobKind running;
	gboolean install_after_download;
	OtadUpdateInfo *info; /* (owned) (nullable) the update on offer */
	OtadPullProgress progress;
	guint progress_id;
	guint flush_id;
};

OtaState otad_engine_get_state (OtadEngine *self);
void otad_engine_transition (OtadEngine *self, OtaState to);
void otad_engine_set_error (OtadEngine *self, const GError *failure);
void otad_engine_force_state (OtadEngine *self, OtaState state);
void otad_engine_set_info (OtadEngine *self, OtadUpdateInfo *info);
void otad_engine_publish_progress (OtadEngine *self);
void otad_engine_start_job (OtadEngine *self, OtadEngineJobKind kind);
void otad_engine_emit_job_finished (OtadEngine *self,
				    OtadEngineJobKind kind,
				    gboolean ok,
				    gboolean found);
void otad_engine_job_done_cb (GObject *source, GAsyncResult *res, gpointer user_data);

G_END_DECLS
