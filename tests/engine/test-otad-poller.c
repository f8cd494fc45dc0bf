/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otad-poller.h"

/* the delay between automatic checks: jitter bounds, backoff growth and its cap */

static void
test_poller_interval_jitter (void)
{
	/* ±10 % of an hour at both ends of the random range, exact in the middle */
	g_assert_cmpuint (otad_poller_compute_delay (3600, 10, 0, 86400, 0.0), ==, 3240);
	g_assert_cmpuint (otad_poller_compute_delay (3600, 10, 0, 86400, 0.5), ==, 3600);
	g_assert_cmpuint (otad_poller_compute_delay (3600, 10, 0, 86400, 0.999999), <=, 3960);
	g_assert_cmpuint (otad_poller_compute_delay (3600, 10, 0, 86400, 0.999999), >, 3950);
	/* no jitter: the interval itself */
	g_assert_cmpuint (otad_poller_compute_delay (3600, 0, 0, 86400, 0.9), ==, 3600);
	/* never zero */
	g_assert_cmpuint (otad_poller_compute_delay (1, 100, 0, 86400, 0.0), >=, 1);
}

static void
test_poller_backoff (void)
{
	guint64 previous = 0;

	/* doubles from 60 s per failure, then stays at the cap */
	g_assert_cmpuint (otad_poller_compute_delay (3600, 0, 1, 86400, 0.5), ==, 60);
	g_assert_cmpuint (otad_poller_compute_delay (3600, 0, 2, 86400, 0.5), ==, 120);
	g_assert_cmpuint (otad_poller_compute_delay (3600, 0, 5, 86400, 0.5), ==, 960);
	for (guint n = 1; n < 100; n++) {
		guint64 d = otad_poller_compute_delay (3600, 0, n, 86400, 0.5);
		g_assert_cmpuint (d, >=, previous);
		g_assert_cmpuint (d, <=, 86400);
		previous = d;
	}
	g_assert_cmpuint (previous, ==, 86400);
	/* a short interval starts the backoff lower */
	g_assert_cmpuint (otad_poller_compute_delay (10, 0, 1, 86400, 0.5), ==, 10);
	/* jitter applies to the backoff too */
	g_assert_cmpuint (otad_poller_compute_delay (3600, 50, 1, 86400, 0.0), ==, 30);
}

static void
test_poller_first_delay (void)
{
	/* with jitter: anywhere in the first interval, never zero */
	g_assert_cmpuint (otad_poller_compute_first_delay (3600, 10, 0.0), ==, 1);
	g_assert_cmpuint (otad_poller_compute_first_delay (3600, 10, 0.5), ==, 1800);
	g_assert_cmpuint (otad_poller_compute_first_delay (3600, 10, 0.999999), <=, 3600);
	g_assert_cmpuint (otad_poller_compute_first_delay (3600, 10, 0.999999), >, 3590);
	/* without jitter: one interval */
	g_assert_cmpuint (otad_poller_compute_first_delay (3600, 0, 0.1), ==, 3600);
	g_assert_cmpuint (otad_poller_compute_first_delay (0, 10, 0.5), ==, 1);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/poller/interval-jitter", test_poller_interval_jitter);
	g_test_add_func ("/poller/backoff", test_poller_backoff);
	g_test_add_func ("/poller/first-delay", test_poller_first_delay);
	return g_test_run ();
}
