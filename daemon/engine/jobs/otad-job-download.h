/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-job-context.h"
#include "otad-pull-progress.h"
#include "otad-update-info.h"

G_BEGIN_DECLS

/* Download(): pull exactly the verified commit into the sysroot's repo */
typedef struct {
	OtadJobContext *ctx; /* (owned) */
	/* input */
	OtadUpdateInfo *info;		    /* (owned) the offer */
	OtadPullProgressFunc progress_func; /* (nullable) called in the worker */
	gpointer progress_data;
	/* output */
	guint64 download_size; /* the estimate made before fetching */
} OtadJobDownload;

OtadJobDownload *otad_job_download_new (OtadJobContext *ctx, const OtadUpdateInfo *info)
    G_GNUC_WARN_UNUSED_RESULT;
void otad_job_download_free (OtadJobDownload *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadJobDownload, otad_job_download_free)

gboolean otad_job_download_run (gpointer job, GCancellable *cancellable, GError **error);

G_END_DECLS
