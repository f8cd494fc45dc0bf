/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: one item of the on-disk report queue (otad-report-queue.c), read
 * before it is sent; any bytes are an item to send or an error (moved aside) */
#include "config.h"

#include "fuzz-common.h"
#include "otad-report-queue.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autofree gchar *method = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr (GError) error = NULL;

	fuzz_setup ();
	if (otad_report_queue_parse_item ((const gchar *)data, size, &method, &path, &body,
	                                  &error)) {
		g_assert_no_error (error);
		g_assert_true (g_strcmp0 (method, "PUT") == 0 || g_strcmp0 (method, "POST") == 0);
		g_assert_true (path != NULL && path[0] != '\0' && body != NULL);
	} else {
		g_assert_nonnull (error);
	}
	return 0;
}
