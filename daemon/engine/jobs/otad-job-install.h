/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-job-context.h"
#include "otad-update-info.h"

G_BEGIN_DECLS

/* Install(): deploy the downloaded commit as the next boot and arm its trial boot */
typedef struct {
	OtadJobContext *ctx; /* (owned) */
	/* input */
	OtadUpdateInfo *info;	  /* (owned) the offer, downloaded */
	gchar *installed_target; /* (owned) (nullable) the target name of what runs now */
	/* output */
	gboolean deployed; /* the new deployment is the default, its trial boot armed */
} OtadJobInstall;

OtadJobInstall *otad_job_install_new (OtadJobContext *ctx,
				      const OtadUpdateInfo *info,
				      const gchar *installed_target) G_GNUC_WARN_UNUSED_RESULT;
void otad_job_install_free (OtadJobInstall *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadJobInstall, otad_job_install_free)

gboolean otad_job_install_run (gpointer job, GCancellable *cancellable, GError **error);

G_END_DECLS
