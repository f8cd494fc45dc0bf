/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-boot-record.h"
#include "otad-deploy.h"
#include "otad-engine-jobs.h"

G_BEGIN_DECLS

/* helpers shared by the job files; worker threads only */
void otad_engine_jobs_deploy_options (const OtadEngineSettings *s, OtadDeployOptions *options);
OtadBootRecord *otad_engine_jobs_load_record (const OtadEngineSettings *s, GError **error);
OtadBootloader *otad_engine_jobs_bootloader (const OtadEngineSettings *s, GError **error);
void otad_engine_jobs_event (OtadEngineJob *job, OtadReportEvent event, gboolean success);
void otad_engine_jobs_manifest (OtadEngineJob *job,
				const gchar *name,
				const gchar *commit,
				const OtadManifestReport *report);
void otad_engine_jobs_flush (OtadEngineJob *job, GCancellable *cancellable);
GMutexLocker *otad_engine_jobs_lock_reporter (OtadEngineJob *job);
gboolean otad_engine_jobs_confirm (OtadEngineJob *job, GCancellable *cancellable, GError **error);

G_END_DECLS
