/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "otactl-progress.h"

/*
 * One display for every job otactl follows:
 *
 *   terminal:  Downloading [###############               ]  50%  2.0 MB of 4.0 MB, 12 s left
 *   otherwise: Downloading: 50%  2.0 MB of 4.0 MB, 12 s left      (a line per step)
 *
 * The label is otad's ProgressPhase (Preparing, Downloading, Applying,
 * Verifying, Installing, …); phases without a byte count (installing) are one
 * line "Installing…".  The first line comes as soon as the job runs, not with
 * the first byte; a successful download always ends on its 100 % line.
 */

void
otactl_progress_init (OtactlProgress *progress, gboolean tty)
{
	memset (progress, 0, sizeof (*progress));
	progress->tty = tty;
	progress->last_percent = G_MAXUINT;
}

void
otactl_progress_clear (OtactlProgress *progress)
{
	g_clear_pointer (&progress->last_label, g_free);
}

/* Returns: (nullable): the label of what otad does now; *out_counted says whether
 * the phase counts bytes.  Daemons before interface version 4 say no phase: the
 * state stands in. */
const gchar *
otactl_progress_phase_label (OtaClient *client, gboolean *out_counted)
{
	const gchar *phase = ota_client_get_progress_phase (client);
	OtaState state = ota_client_get_state (client);

	*out_counted = TRUE;
	if (g_strcmp0 (phase, "preparing") == 0)
		/* TRANSLATORS: progress label: otad estimates the download before fetching */
		return _("Preparing");
	if (g_strcmp0 (phase, "downloading") == 0)
		/* TRANSLATORS: label of the progress bar or line while downloading */
		return _("Downloading");
	if (g_strcmp0 (phase, "applying") == 0)
		/* TRANSLATORS: progress label: a downloaded static delta is being applied */
		return _("Applying");
	if (g_strcmp0 (phase, "verifying") == 0)
		/* TRANSLATORS: progress label: the downloaded commit is being checked */
		return _("Verifying");
	*out_counted = FALSE;
	if (g_strcmp0 (phase, "installing") == 0 ||
	    (phase[0] == '\0' && state == OTA_STATE_INSTALLING))
		/* TRANSLATORS: label of the progress bar or line while installing */
		return _("Installing");
	if (phase[0] == '\0' && state == OTA_STATE_DOWNLOADING) {
		*out_counted = TRUE;
		return _("Downloading");
	}
	return NULL;
}

/* "12.3 MB of 45.6 MB, 12 s left"; "12.3 MB" when the size is not known */
gchar *
otactl_progress_format_detail (OtaClient *client)
{
	g_autofree gchar *done = g_format_size (ota_client_get_downloaded_bytes (client));
	g_autofree gchar *size = NULL;
	g_autofree gchar *amount = NULL;
	gint64 left = ota_client_get_time_remaining (client);

	if (ota_client_get_download_size (client) == 0)
		return g_steal_pointer (&done);
	size = g_format_size (ota_client_get_download_size (client));
	/* TRANSLATORS: download progress, e.g. "12.3 MB of 45.6 MB" */
	amount = g_strdup_printf (_("%s of %s"), done, size);
	if (left <= 0 || ota_client_get_progress (client) >= 100)
		return g_steal_pointer (&amount);
	if (left < 120)
		/* TRANSLATORS: download progress with the time left, e.g. "1 MB of 4 MB, 12 s left" */
		return g_strdup_printf (_("%s, %u s left"), amount, (guint)left);
	/* TRANSLATORS: download progress with the time left, e.g. "1 MB of 4 MB, 5 min left" */
	return g_strdup_printf (_("%s, %u min left"), amount, (guint)((left + 59) / 60));
}

static void
otactl_progress_end_bar (OtactlProgress *progress)
{
	if (!progress->bar_drawn)
		return;
	g_print ("\n");
	progress->bar_drawn = FALSE;
}

static void
otactl_progress_print (OtactlProgress *progress,
		       const gchar *label,
		       gboolean counted,
		       guint percent,
		       const gchar *detail)
{
	gboolean same_label = g_strcmp0 (label, progress->last_label) == 0;

	if (!counted) {
		if (same_label)
			return;
		otactl_progress_end_bar (progress);
		/* TRANSLATORS: a step without a percentage, e.g. "Installing…" */
		g_print (_("%s…"), label);
		g_print ("\n");
	} else if (progress->tty) {
		gchar bar[31];
		guint filled = MIN (percent, 100) * 30 / 100;
		if (!same_label)
			otactl_progress_end_bar (progress);
		memset (bar, '#', filled);
		memset (bar + filled, ' ', 30 - filled);
		bar[30] = '\0';
		g_print ("\r%s [%s] %3u%%  %s\033[K", label, bar, percent, detail);
		progress->bar_drawn = TRUE;
	} else {
		/* a log or a pipe gets one line per step, not per byte count */
		if (same_label && percent == progress->last_percent)
			return;
		if (detail[0] != '\0')
			g_print ("%s: %u%%  %s\n", label, percent, detail);
		else
			g_print ("%s: %u%%\n", label, percent);
	}
	progress->counted = progress->counted || counted;
	progress->last_percent = percent;
	if (!same_label) {
		g_free (progress->last_label);
		progress->last_label = g_strdup (label);
	}
}

/* shows what otad does now; nothing when no job runs */
void
otactl_progress_update (OtactlProgress *progress, OtaClient *client)
{
	gboolean counted = FALSE;
	const gchar *label = otactl_progress_phase_label (client, &counted);
	g_autofree gchar *detail = NULL;

	if (label == NULL)
		return;
	detail = counted ? otactl_progress_format_detail (client) : g_strdup ("");
	otactl_progress_print (progress, label, counted, ota_client_get_progress (client), detail);
}

/* the job ended: a bar gets its newline; a successful download its 100 % line even
 * when the last change reached otactl together with the new state */
void
otactl_progress_finish (OtactlProgress *progress, OtaClient *client, gboolean success)
{
	if (success && progress->counted && progress->last_percent < 100 &&
	    g_strcmp0 (progress->last_label, _("Installing")) != 0) {
		g_autofree gchar *detail = otactl_progress_format_detail (client);
		otactl_progress_print (progress, progress->last_label, TRUE, 100, detail);
	}
	otactl_progress_end_bar (progress);
}
