/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* maintenance windows: the syntax, open/closed, when one opens next (in UTC, set below) */
#include "config.h"

#include <stdlib.h>

#include "ota-error.h"
#include "otad-window.h"

/* 2026-12-07 is a Monday */
static gint64
at (gint day, gint hour, gint minute, gint second)
{
	g_autoptr(GDateTime) t = g_date_time_new_utc (2026, 12, day, hour, minute, second);
	return g_date_time_to_unix (t);
}

static void
test_parse_errors (void)
{
	const gchar *bad[] = {"Mon", "02:00", "25:00-26:00", "Mon..Fry 02:00-03:00",
			      "02:60-03:00", "2:00-3:00", "24:00-01:00", "Mon 02:00-03:00-04:00",
			      "Mon,,Tue 01:00-02:00", "01:00:60-02:00"};

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OtadWindow) w = otad_window_parse (bad[i], &error);
		g_assert_null (w);
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
	}
	g_assert_true (otad_window_validate ("", NULL));
	g_assert_true (otad_window_validate (" ; ", NULL));
	g_assert_true (otad_window_validate ("Mon..Fri 02:00-04:00; Sat,Sun 00:00-06:00", NULL));
	g_assert_true (otad_window_validate ("sat 22:00:30-02:00:15", NULL));
	g_assert_true (otad_window_validate ("00:00-24:00", NULL));
}

static void
test_always (void)
{
	g_autoptr(OtadWindow) w = otad_window_parse ("", NULL);

	g_assert_true (otad_window_is_always (w));
	g_assert_true (otad_window_is_open (w, at (7, 12, 0, 0)));
	g_assert_cmpint (otad_window_next_open (w, at (7, 12, 0, 0)), ==, at (7, 12, 0, 0));
}

static void
test_weekdays (void)
{
	g_autoptr(OtadWindow) w =
	    otad_window_parse ("Mon..Fri 02:00-04:00; Sat,Sun 00:00-06:00", NULL);

	g_assert_false (otad_window_is_always (w));
	g_assert_false (otad_window_is_open (w, at (7, 1, 59, 59)));	/* Mon */
	g_assert_true (otad_window_is_open (w, at (7, 2, 0, 0)));
	g_assert_true (otad_window_is_open (w, at (7, 3, 59, 59)));
	g_assert_false (otad_window_is_open (w, at (7, 4, 0, 0)));
	g_assert_true (otad_window_is_open (w, at (12, 5, 0, 0)));  /* Sat */
	g_assert_false (otad_window_is_open (w, at (12, 6, 0, 0)));
	/* Monday noon: Tuesday 02:00; Friday noon: Saturday midnight */
	g_assert_cmpint (otad_window_next_open (w, at (7, 12, 0, 0)), ==, at (8, 2, 0, 0));
	g_assert_cmpint (otad_window_next_open (w, at (11, 12, 0, 0)), ==, at (12, 0, 0, 0));
	g_assert_cmpint (otad_window_next_open (w, at (7, 2, 30, 0)), ==, at (7, 2, 30, 0));
}

static void
test_over_midnight (void)
{
	/* Saturday 22:00 to Sunday 02:00, seconds honoured */
	g_autoptr(OtadWindow) w = otad_window_parse ("Sat 22:00:30-02:00:15", NULL);

	g_assert_false (otad_window_is_open (w, at (12, 22, 0, 29)));
	g_assert_true (otad_window_is_open (w, at (12, 22, 0, 30)));
	g_assert_true (otad_window_is_open (w, at (13, 1, 0, 0)));   /* Sun */
	g_assert_false (otad_window_is_open (w, at (13, 2, 0, 15)));
	g_assert_false (otad_window_is_open (w, at (13, 23, 0, 0))); /* Sunday's own evening */
	g_assert_cmpint (otad_window_next_open (w, at (13, 3, 0, 0)), ==, at (19, 22, 0, 30));
}

static void
test_wrapping_days (void)
{
	/* Fri..Mon wraps over the weekend; 24:00 is the end of the day */
	g_autoptr(OtadWindow) w = otad_window_parse ("Fri..Mon 12:00-24:00", NULL);

	g_assert_true (otad_window_is_open (w, at (7, 23, 59, 59)));  /* Mon */
	g_assert_false (otad_window_is_open (w, at (8, 12, 0, 0)));   /* Tue */
	g_assert_false (otad_window_is_open (w, at (10, 13, 0, 0)));  /* Thu */
	g_assert_true (otad_window_is_open (w, at (11, 13, 0, 0)));   /* Fri */
	g_assert_true (otad_window_is_open (w, at (13, 13, 0, 0)));   /* Sun */
	g_assert_cmpint (otad_window_next_open (w, at (8, 0, 0, 0)), ==, at (11, 12, 0, 0));
}

int
main (int argc, char **argv)
{
	/* before GLib reads the local time zone */
	setenv ("TZ", "UTC", 1);
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/otad/window/parse-errors", test_parse_errors);
	g_test_add_func ("/otad/window/always", test_always);
	g_test_add_func ("/otad/window/weekdays", test_weekdays);
	g_test_add_func ("/otad/window/over-midnight", test_over_midnight);
	g_test_add_func ("/otad/window/wrapping-days", test_wrapping_days);
	return g_test_run ();
}
