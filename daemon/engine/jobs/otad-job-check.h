/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-job-context.h"
#include "otad-target.h"

G_BEGIN_DECLS

/* Check(): ask the server, verify (TUF/Uptane), decide what is on offer */
typedef struct {
	OtadJobContext *ctx; /* (owned) */
	/* input: the offer known from the last check, whose size is not asked for again
	 * (an unchanged check-in costs no TreeHub request) */
	gchar *known_checksum; /* (owned) (nullable) */
	guint64 known_download_size;
	guint64 known_installed_size;
	gchar *known_campaign_id; /* (owned) (nullable) its campaign, not asked for again */
	/* output */
	OtadTarget *target;   /* (owned) (nullable) the update on offer; NULL: none */
	gchar *skipped_bad;      /* (owned) (nullable) a commit offered that failed before */
	/* the offer's size, estimated at check time (0: unknown) */
	guint64 download_size;
	guint64 installed_size;
	gchar *campaign_id; /* (owned) (nullable) the campaign the offer belongs to */
} OtadJobCheck;

OtadJobCheck *otad_job_check_new (OtadJobContext *ctx) G_GNUC_WARN_UNUSED_RESULT;
void otad_job_check_free (OtadJobCheck *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadJobCheck, otad_job_check_free)

/* an #OtadJobFunc: runs in a worker thread */
gboolean otad_job_check_run (gpointer job, GCancellable *cancellable, GError **error);

G_END_DECLS
