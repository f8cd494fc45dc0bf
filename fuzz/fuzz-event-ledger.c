/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the event ids kept for reporting (otad-event-ledger.c) as found at
 * start; any bytes give a ledger that hands out ids (the file moved aside if unreadable) */
#include "config.h"

#include "fuzz-common.h"
#include "otad-event-ledger.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	const gchar *dir = fuzz_setup ();
	g_autofree gchar *path = g_build_filename (dir, OTAD_EVENT_LEDGER_FILENAME, NULL);
	g_autoptr (OtadEventLedger) ledger = NULL;
	g_autofree gchar *id = NULL;
	g_autofree gchar *again = NULL;
	g_autoptr (GError) error = NULL;
	gboolean queued = FALSE;

	g_assert_true (g_file_set_contents (path, (const gchar *)data, (gssize)size, NULL));
	ledger = otad_event_ledger_new (path, "fuzz");
	id = otad_event_ledger_claim (ledger, "c|x", "EcuDownloadStarted",
	                              OTAD_EVENT_LEDGER_FLAG_STARTS, 0, &queued, &error);
	g_assert_no_error (error);
	g_assert_true (g_uuid_string_is_valid (id));
	g_assert_true (otad_event_ledger_mark_queued (ledger, "c|x", "EcuDownloadStarted", &error));
	/* asked again: the same id, now a repeat */
	again = otad_event_ledger_claim (ledger, "c|x", "EcuDownloadStarted",
	                                 OTAD_EVENT_LEDGER_FLAG_STARTS, 0, &queued, &error);
	g_assert_cmpstr (id, ==, again);
	g_assert_true (queued);
	return 0;
}
