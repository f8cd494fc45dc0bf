/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-job-context.h"

G_BEGIN_DECLS

/* Discard() (and Decline() of a downloaded offer): let go of a downloaded update */
typedef struct {
	OtadJobContext *ctx; /* (owned) */
	/* input */
	gchar *checksum; /* (owned) the commit that was downloaded */
} OtadJobDiscard;

OtadJobDiscard *otad_job_discard_new (OtadJobContext *ctx, const gchar *checksum)
    G_GNUC_WARN_UNUSED_RESULT;
void otad_job_discard_free (OtadJobDiscard *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadJobDiscard, otad_job_discard_free)

gboolean otad_job_discard_run (gpointer job, GCancellable *cancellable, GError **error);

G_END_DECLS
