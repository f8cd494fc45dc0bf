/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-job-context.h"

G_BEGIN_DECLS

/* Rollback(): make the other A/B slot the default again, or drop a pending update */
typedef struct {
	OtadJobContext *ctx; /* (owned) */
	/* output */
	gboolean reboot_required; /* the other slot boots at the next reboot */
	gchar *from_commit;	  /* (owned) (nullable) rolled away from, for the history */
	gchar *to_commit;	  /* (owned) (nullable) the new default */
} OtadJobRollback;

OtadJobRollback *otad_job_rollback_new (OtadJobContext *ctx) G_GNUC_WARN_UNUSED_RESULT;
void otad_job_rollback_free (OtadJobRollback *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadJobRollback, otad_job_rollback_free)

gboolean otad_job_rollback_run (gpointer job, GCancellable *cancellable, GError **error);

G_END_DECLS
