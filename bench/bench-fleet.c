/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-fleet: when a fleet of devices checks in, with the poller's own scheduling
 * (otad_poller_compute_first_delay for a device without a saved deadline, then
 * otad_poller_compute_delay after each check), not a model of it.  All devices start in
 * the same second (a fleet installed, reset or powered on together: the worst case),
 * then run for a simulated day; check-ins are counted per minute.  The same fleet
 * without jitter is the reference in the same run.
 *
 * usage: bench-fleet [DEVICES [INTERVAL_S [JITTER_PERCENT [HOURS]]]]
 * prints: "jitter N %: check-ins C, mean M/min, peak P/min, peak/mean R", then the same
 * for jitter 0.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "otad-poller.h"

#define BENCH_MAX_BACKOFF_S 86400

static void
bench_fleet_run (guint devices, guint64 interval_s, guint jitter, guint hours)
{
	guint64 span = (guint64)hours * 3600;
	guint n_bins = (guint)(span / 60);
	g_autofree guint *bins = g_new0 (guint, n_bins);
	g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);
	guint64 total = 0;
	guint peak = 0;
	gdouble mean;

	for (guint d = 0; d < devices; d++) {
		guint64 t = otad_poller_compute_first_delay (interval_s, jitter,
							     g_rand_double (rand));
		/* bounded: each step is at least 1 s */
		while (t < span) {
			bins[t / 60]++;
			total++;
			t += otad_poller_compute_delay (interval_s, jitter, 0, BENCH_MAX_BACKOFF_S,
							g_rand_double (rand));
		}
	}
	for (guint i = 0; i < n_bins; i++)
		peak = MAX (peak, bins[i]);
	mean = (gdouble)total / n_bins;
	printf ("jitter %u %%: check-ins %" G_GUINT64_FORMAT ", mean %.1f/min, peak %u/min, "
		"peak/mean %.2f\n",
		jitter, total, mean, peak, mean > 0 ? peak / mean : 0.0);
}

int
main (int argc, char **argv)
{
	guint devices = argc > 1 ? (guint)atoi (argv[1]) : 10000;
	guint64 interval_s = argc > 2 ? (guint64)atoll (argv[2]) : 3600;
	guint jitter = argc > 3 ? (guint)atoi (argv[3]) : 10;
	guint hours = argc > 4 ? (guint)atoi (argv[4]) : 24;

	if (devices == 0 || devices > 10000000 || interval_s == 0 || jitter > 100 || hours == 0 ||
	    hours > 24 * 30) {
		fprintf (stderr, "usage: bench-fleet [DEVICES [INTERVAL_S [JITTER_PERCENT [HOURS]]]]\n");
		return 2;
	}
	bench_fleet_run (devices, interval_s, jitter, hours);
	bench_fleet_run (devices, interval_s, 0, hours);
	return 0;
}
