/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-boot-record.h"
#include "otad-bootloader.h"
#include "otad-deploy.h"
#include "otad-http.h"
#include "otad-provisioner.h"
#include "otad-pull.h"
#include "otad-reporter.h"
#include "otad-settings.h"

G_BEGIN_DECLS

/* the OSTree remote and ref otad pulls updates into */
#define OTAD_JOB_REMOTE "otad-treehub"
#define OTAD_JOB_REF "otad/update"

/*
 * OtadJobContext: what every job works with, made once at start-up and shared:
 * the settings, the one HTTP session (CA pinned, device identity), the
 * bootloader and the reporter with the ECU key.  At most one update job runs
 * at a time; a report flush may run beside it, so the reporter and its
 * on-disk queue are used under a lock (otad_job_context_lock_reporter()).
 */
#define OTAD_TYPE_JOB_CONTEXT (otad_job_context_get_type ())
G_DECLARE_FINAL_TYPE (OtadJobContext, otad_job_context, OTAD, JOB_CONTEXT, GObject)

OtadJobContext *otad_job_context_new (OtadSettings *settings,
				     OtadProvisioner *provisioner,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

const OtadSettings *otad_job_context_get_settings (OtadJobContext *self);
OtadHttp *otad_job_context_get_http (OtadJobContext *self);
OtadBootloader *otad_job_context_get_bootloader (OtadJobContext *self);
/* (nullable): the device identity and its provisioning */
OtadProvisioner *otad_job_context_get_provisioner (OtadJobContext *self);
gboolean otad_job_context_has_reporter (OtadJobContext *self);
gboolean otad_job_context_ecu_key_recreated (OtadJobContext *self);
const gchar *otad_job_context_get_ecu_public (OtadJobContext *self);

/* (nullable): the reporter, or %NULL when reporting is off; hold the lock while using it */
OtadReporter *otad_job_context_lock_reporter (OtadJobContext *self, GMutexLocker **out_locker);

void otad_job_context_deploy_options (OtadJobContext *self, OtadDeployOptions *options);
gboolean otad_job_context_pull_options (OtadJobContext *self,
					const gchar *target_uri,
					const gchar *booted_commit,
					OtadPullOptions *options,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
OtadBootRecord *otad_job_context_load_record (OtadJobContext *self, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_job_context_get_running (OtadJobContext *self,
				       OstreeSysroot *sysroot,
				       OstreeDeployment **out_deployment,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_job_context_get_booted_commit (OtadJobContext *self,
					     OstreeSysroot *sysroot,
					     gchar **out_commit,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
