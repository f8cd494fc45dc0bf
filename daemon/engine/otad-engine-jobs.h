/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "otad-boot-confirm.h"
#include "otad-bootloader.h"
#include "otad-checkin.h"
#include "otad-config.h"
#include "otad-http.h"
#include "otad-pull-progress.h"
#include "otad-reporter.h"
#include "otad-update-info.h"

G_BEGIN_DECLS

/* the OSTree remote and ref otad pulls updates into */
#define OTAD_ENGINE_REMOTE "otad-treehub"
#define OTAD_ENGINE_REF "otad/update"

/**
 * OtadEngineSettings:
 *
 * Everything a job needs from the configuration and the command line, copied
 * once at start-up.  Read-only afterwards, so workers may read it without
 * locking while the engine (which owns it) lives.
 */
typedef struct {
	gchar *sysroot_path;
	gchar *test_booted; /* (nullable) TEST ONLY */
	gchar *state_dir;
	gchar *osname; /* (nullable) */
	gboolean lite;
	gchar *gateway_url;  /* (nullable) */
	gchar *director_url; /* (nullable) */
	gchar *repo_url;     /* (nullable) */
	gchar *treehub_url;  /* (nullable) */
	gchar *ca_file;	     /* (nullable) */
	guint timeout_s;
	gboolean report_enabled;
	gchar *cert;	     /* (nullable) */
	gchar *key;	     /* (nullable) */
	gchar *hardware_id;
	gchar *ecu_serial;
	gchar **tags;
	gchar *root_dir; /* (nullable) */
	gboolean allow_tofu;
	guint64 min_free_bytes;
	gchar *boot_backend;
	gchar *fw_env_config;
	gchar *grubenv;
	guint boot_count_limit;
	gchar **health_dirs;  /* (nullable) */
	gchar **health_units; /* (nullable) */
	guint health_timeout_ms;
} OtadEngineSettings;

void otad_engine_settings_free (OtadEngineSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadEngineSettings, otad_engine_settings_free)

typedef enum {
	OTAD_ENGINE_JOB_CHECK,
	OTAD_ENGINE_JOB_DOWNLOAD,
	OTAD_ENGINE_JOB_INSTALL,
	OTAD_ENGINE_JOB_ROLLBACK,
	OTAD_ENGINE_JOB_CONFIRM,
	OTAD_ENGINE_JOB_FLUSH,
} OtadEngineJobKind;

const gchar *otad_engine_job_kind_to_string (OtadEngineJobKind kind);

/* forwards pull progress to the main thread */
typedef void (*OtadEngineProgressFunc) (const OtadPullProgress *progress, gpointer user_data);

/**
 * OtadEngineJob:
 *
 * The closure of one job: inputs copied on the main thread, outputs filled
 * by the worker and read back on the main thread once it finished.
 */
typedef struct {
	OtadEngineJobKind kind;
	const OtadEngineSettings *settings; /* (unowned) the engine outlives its jobs */
	OtadHttp *http;			    /* (owned) (nullable) made in the worker */
	OtadReporter *reporter;		    /* (owned) (nullable) made in the worker */
	OtadUpdateInfo *info;		    /* (owned) (nullable) input */
	gboolean register_ecu;		    /* input: POST director/ecus first */
	gchar *ecu_public;		    /* (owned) (nullable) the ECU key, hex */
	gchar *installed_target;	    /* (owned) (nullable) name of what runs */
	GMutex *reporter_lock;		    /* (unowned) serialises @reporter with flushes */
	OtadEngineProgressFunc progress_func; /* called with the job as user_data */
	gpointer progress_data_engine;	    /* (unowned) for @progress_func */
	GMainContext *main_context; /* (owned) */
	/* outputs */
	OtadTarget *target;	     /* (owned) (nullable) check */
	OtadBootConfirmResult *confirm;	     /* (owned) (nullable) confirm */
	gboolean reboot_required;	     /* rollback */
	gboolean reboot_requested;	     /* confirm */
	gboolean ecu_registered;	     /* the registration was queued */
	gboolean deployed;		     /* install reached the deployment */
	guint64 download_size;		     /* download: the estimate */
	gchar *skipped_bad;		     /* (owned) (nullable) check: a bad commit offered */
} OtadEngineJob;

OtadEngineJob *otad_engine_job_new (OtadEngineJobKind kind, const OtadEngineSettings *settings);
void otad_engine_job_free (OtadEngineJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadEngineJob, otad_engine_job_free)

/* the worker side: runs in a thread with its own main context (otad-job.h) */
gboolean otad_engine_job_run (gpointer job_data, GCancellable *cancellable, GError **error);

gboolean otad_engine_jobs_get_booted_commit (const OtadEngineSettings *settings,
					     gchar **out_commit,
					     GError **error);

G_END_DECLS
