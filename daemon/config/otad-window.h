/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * OtadWindow: a maintenance window in local time, as written in otad.conf
 * ([schedule] download-window, install-window, reboot-window) and in
 * SetConfiguration():
 *
 *     RANGE[; RANGE...]     RANGE = [DAYS ]HH:MM[:SS]-HH:MM[:SS]
 *     DAYS = DAY[,DAY...]   DAY = Mon|Tue|Wed|Thu|Fri|Sat|Sun, or FIRST..LAST (Fri..Mon wraps)
 *
 * e.g. "Mon..Fri 02:00-04:00; Sat,Sun 00:00-06:00".  Without DAYS a range is daily; an
 * end at or before the start runs into the next day ("22:00-02:00" on Sat ends Sunday
 * 02:00); "24:00" is the end of the day.  The empty string is "always".
 */
typedef struct _OtadWindow OtadWindow;

OtadWindow *otad_window_parse (const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_window_validate (const gchar *text, GError **error);
void otad_window_free (OtadWindow *window);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadWindow, otad_window_free)

gboolean otad_window_is_always (const OtadWindow *window);
gboolean otad_window_is_open (const OtadWindow *window, gint64 unix_time);
gint64 otad_window_next_open (const OtadWindow *window, gint64 unix_time);

G_END_DECLS
