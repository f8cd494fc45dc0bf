/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-boot-confirm.h"
#include "otad-job-context.h"

G_BEGIN_DECLS

/* at start-up, when an install waits: health checks, then confirm or roll back */
typedef struct {
	OtadJobContext *ctx; /* (owned) */
	/* input */
	gchar *installed_target; /* (owned) (nullable) the target name of what ran before */
	gboolean rebuild;	 /* the boot record was lost: rebuild it from the sysroot */
	OtadBootPending *remembered; /* (owned) (nullable) the last install of the history log */
	/* output */
	OtadBootConfirmResult *result; /* (owned) (nullable) what was decided and done */
} OtadJobConfirm;

OtadJobConfirm *otad_job_confirm_new (OtadJobContext *ctx, const gchar *installed_target)
    G_GNUC_WARN_UNUSED_RESULT;
void otad_job_confirm_free (OtadJobConfirm *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadJobConfirm, otad_job_confirm_free)

gboolean otad_job_confirm_run (gpointer job, GCancellable *cancellable, GError **error);

G_END_DECLS
