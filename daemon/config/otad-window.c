/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadConfig"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-window.h"

/*
 * Maintenance windows (syntax in otad-window.h).  Times are wall-clock times in
 * the local time zone: every boundary is made with g_date_time_new_local() for its
 * own day, so a window keeps its local hours across a DST change (a start in the
 * skipped hour moves as GLib moves it).
 */

#define OTAD_WINDOW_DAY_S (24 * 3600)
#define OTAD_WINDOW_ALL_DAYS 0x7f

typedef struct {
	guint8 days; /* bit 0 Monday .. bit 6 Sunday: the day the range starts on */
	guint start_s;
	guint end_s; /* > start_s; beyond OTAD_WINDOW_DAY_S: into the next day */
} OtadWindowRange;

struct _OtadWindow {
	GArray *ranges; /* (element-type OtadWindowRange) empty: always open */
};

static const gchar *const otad_window_day_names[] = {"mon", "tue", "wed", "thu",
						     "fri", "sat", "sun"};

static gint
otad_window_parse_day (const gchar *text, gsize len)
{
	for (guint i = 0; i < G_N_ELEMENTS (otad_window_day_names); i++)
		if (len == 3 && g_ascii_strncasecmp (text, otad_window_day_names[i], 3) == 0)
			return (gint)i;
	return -1;
}

/* "Mon..Fri,Sun" */
static gboolean
otad_window_parse_days (const gchar *text, guint8 *out_days, GError **error)
{
	g_auto(GStrv) items = g_strsplit (text, ",", -1);

	*out_days = 0;
	for (guint i = 0; items[i] != NULL; i++) {
		const gchar *item = g_strstrip (items[i]);
		const gchar *dots = strstr (item, "..");
		gint first, last;

		if (dots != NULL) {
			first = otad_window_parse_day (item, (gsize)(dots - item));
			last = otad_window_parse_day (dots + 2, strlen (dots + 2));
		} else {
			first = last = otad_window_parse_day (item, strlen (item));
		}
		if (first < 0 || last < 0) {
			g_set_error (
			    error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			    _("\"%s\" is not a day or a range of days (Mon..Fri, Sat,Sun)"), item);
			return FALSE;
		}
		/* Fri..Mon wraps over the weekend */
		for (gint d = first;; d = (d + 1) % 7) {
			*out_days |= (guint8)(1u << d);
			if (d == last)
				break;
		}
	}
	return TRUE;
}

/* "HH:MM" or "HH:MM:SS", 00:00 to 24:00 */
static gboolean
otad_window_parse_time (const gchar *text, guint *out_s, GError **error)
{
	guint h = 0, m = 0, s = 0;
	gchar extra = '\0';
	gint n = sscanf (text, "%2u:%2u:%2u%c", &h, &m, &s, &extra);

	if (strlen (text) != 5 && strlen (text) != 8)
		n = 0;
	if ((n != 2 && n != 3) || m > 59 || s > 59 || h > 24 || (h == 24 && (m > 0 || s > 0)) ||
	    !g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[3])) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%s\" is not a time of day (HH:MM or HH:MM:SS)"), text);
		return FALSE;
	}
	*out_s = h * 3600 + m * 60 + s;
	return TRUE;
}

static gboolean
otad_window_parse_range (const gchar *text, OtadWindowRange *range, GError **error)
{
	g_autofree gchar *days = NULL;
	g_auto(GStrv) times = NULL;
	const gchar *space = strrchr (text, ' ');
	const gchar *span = space != NULL ? space + 1 : text;

	range->days = OTAD_WINDOW_ALL_DAYS;
	if (space != NULL) {
		days = g_strndup (text, (gsize)(space - text));
		if (!otad_window_parse_days (g_strstrip (days), &range->days, error))
			return FALSE;
	}
	times = g_strsplit (span, "-", 3);
	if (g_strv_length (times) != 2) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%s\" is not a time range (HH:MM-HH:MM)"), span);
		return FALSE;
	}
	if (!otad_window_parse_time (times[0], &range->start_s, error) ||
	    !otad_window_parse_time (times[1], &range->end_s, error))
		return FALSE;
	if (range->start_s == OTAD_WINDOW_DAY_S) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%s\": a range cannot start at 24:00"), span);
		return FALSE;
	}
	/* an end at or before the start is on the next day */
	if (range->end_s <= range->start_s)
		range->end_s += OTAD_WINDOW_DAY_S;
	return TRUE;
}

/**
 * otad_window_parse:
 * @text: the window, see otad-window.h; "" is always open
 *
 * Returns: (transfer full): the window, or %NULL with @error (InvalidConfig) saying
 *   which part is wrong
 */
OtadWindow *
otad_window_parse (const gchar *text, GError **error)
{
	g_autoptr(OtadWindow) window = g_new0 (OtadWindow, 1);
	g_auto(GStrv) parts = g_strsplit (text, ";", -1);

	window->ranges = g_array_new (FALSE, TRUE, sizeof (OtadWindowRange));
	for (guint i = 0; parts[i] != NULL; i++) {
		OtadWindowRange range;
		const gchar *part = g_strstrip (parts[i]);

		if (part[0] == '\0')
			continue;
		if (!otad_window_parse_range (part, &range, error))
			return NULL;
		g_array_append_val (window->ranges, range);
	}
	return g_steal_pointer (&window);
}

gboolean
otad_window_validate (const gchar *text, GError **error)
{
	g_autoptr(OtadWindow) window = otad_window_parse (text, error);
	return window != NULL;
}

void
otad_window_free (OtadWindow *window)
{
	if (window == NULL)
		return;
	g_array_unref (window->ranges);
	g_free (window);
}

gboolean
otad_window_is_always (const OtadWindow *window)
{
	return window->ranges->len == 0;
}

/* @seconds after local midnight of the day @day_offset days from @day */
static gint64
otad_window_local_at (GDateTime *day, gint day_offset, guint seconds)
{
	g_autoptr(GDateTime) d =
	    g_date_time_add_days (day, day_offset + (gint)(seconds / OTAD_WINDOW_DAY_S));
	g_autoptr(GDateTime) at = NULL;

	seconds %= OTAD_WINDOW_DAY_S;
	at = g_date_time_new_local (g_date_time_get_year (d), g_date_time_get_month (d),
				    g_date_time_get_day_of_month (d), (gint)(seconds / 3600),
				    (gint)(seconds / 60 % 60), (gdouble)(seconds % 60));
	return g_date_time_to_unix (at);
}

/* weekday (0 Monday) of the day @day_offset days from @day */
static guint
otad_window_weekday (GDateTime *day, gint day_offset)
{
	g_autoptr(GDateTime) d = g_date_time_add_days (day, day_offset);
	return (guint)(g_date_time_get_day_of_week (d) - 1);
}

gboolean
otad_window_is_open (const OtadWindow *window, gint64 unix_time)
{
	g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (unix_time);

	if (otad_window_is_always (window))
		return TRUE;
	/* a range that started yesterday may still run */
	for (gint d = -1; d <= 0; d++) {
		guint weekday = otad_window_weekday (now, d);
		for (guint i = 0; i < window->ranges->len; i++) {
			const OtadWindowRange *r =
			    &g_array_index (window->ranges, OtadWindowRange, i);
			if ((r->days & (1u << weekday)) == 0)
				continue;
			if (otad_window_local_at (now, d, r->start_s) <= unix_time &&
			    unix_time < otad_window_local_at (now, d, r->end_s))
				return TRUE;
		}
	}
	return FALSE;
}

/**
 * otad_window_next_open:
 *
 * Returns: @unix_time when the window is open then, otherwise when it opens next
 *   (within a week and a day)
 */
gint64
otad_window_next_open (const OtadWindow *window, gint64 unix_time)
{
	g_autoptr(GDateTime) now = NULL;
	gint64 best = G_MAXINT64;

	if (otad_window_is_open (window, unix_time))
		return unix_time;
	now = g_date_time_new_from_unix_local (unix_time);
	for (gint d = 0; d <= 7; d++) {
		guint weekday = otad_window_weekday (now, d);
		for (guint i = 0; i < window->ranges->len; i++) {
			const OtadWindowRange *r =
			    &g_array_index (window->ranges, OtadWindowRange, i);
			gint64 start;
			if ((r->days & (1u << weekday)) == 0)
				continue;
			start = otad_window_local_at (now, d, r->start_s);
			if (start > unix_time && start < best)
				best = start;
		}
	}
	return best;
}
