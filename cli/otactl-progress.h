/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ota.h>

G_BEGIN_DECLS

/* the one progress display of download, install and update (and monitor's detail) */
typedef struct {
	gboolean tty;	       /* a bar that redraws itself, else one line per step */
	gboolean bar_drawn;    /* a bar line is open (no newline yet) */
	gchar *last_label;     /* (owned) (nullable) what the last line said */
	guint last_percent;    /* G_MAXUINT before the first line */
	gboolean counted;      /* a phase with a byte count was shown */
} OtactlProgress;

void otactl_progress_init (OtactlProgress *progress, gboolean tty);
void otactl_progress_clear (OtactlProgress *progress);
void otactl_progress_update (OtactlProgress *progress, OtaClient *client);
void otactl_progress_finish (OtactlProgress *progress, OtaClient *client, gboolean success);
const gchar *otactl_progress_phase_label (OtaClient *client, gboolean *out_counted);
gchar *otactl_progress_format_detail (OtaClient *client);

G_END_DECLS
